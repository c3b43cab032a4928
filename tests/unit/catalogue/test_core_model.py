"""Principals and roles: who may do what."""

from imaginecole.catalogue.model import (
    ANONYMOUS,
    ROLES,
    principal_for_role,
    principal_for_scopes,
)


def test_roles_grant_growing_permissions():
    teacher = principal_for_role("awa", "teacher")
    reviewer = principal_for_role("moussa", "reviewer")
    editor = principal_for_role("fatou", "editor")
    assert teacher.can("write") and not teacher.can("review")
    assert reviewer.can("review") and not reviewer.can("edit")
    assert editor.can("edit") and editor.permissions == frozenset(ROLES["editor"])
    assert teacher.display_name == "awa"


def test_anonymous_only_reads():
    assert ANONYMOUS.anonymous
    assert ANONYMOUS.can("read")
    assert not any(ANONYMOUS.can(p) for p in ("write", "review", "edit"))


def test_hub_scopes_map_to_permissions_and_review_implies_edit():
    trainer = principal_for_scopes(
        "trainer1", ["custom:catalogue:read", "custom:catalogue:write", "custom:catalogue:review"]
    )
    assert trainer.permissions == frozenset({"read", "write", "review", "edit"})
    learner = principal_for_scopes("eleve1", ["access:servers", "custom:catalogue:read"])
    assert learner.permissions == frozenset({"read"})
    teacher = principal_for_scopes("prof", ["custom:catalogue:write"])
    assert teacher.can("write") and teacher.can("read") and not teacher.can("edit")
