"""API tokens and news, on the default SQLite catalogue."""

import pytest
from sqlalchemy import select

from imaginecole.catalogue.db import Token
from imaginecole.catalogue.model import ANONYMOUS, principal_for_role
from imaginecole.catalogue.service import Catalogue, NotFound, PermissionDenied
from imaginecole.i18n import ImaginecoleError


@pytest.fixture
def catalogue(tmp_path):
    opened = Catalogue.open(tmp_path / "data")
    yield opened
    opened.close()


def test_tokens_give_their_role_and_only_a_hash_is_kept(catalogue, tmp_path):
    token, principal = catalogue.create_token("reviewer", name="moussa", note="jury")
    assert len(token) >= 40 and principal.name == "moussa" and principal.can("review")
    assert catalogue.principal_for_token(token) == principal
    teacher_token, _ = catalogue.create_token("teacher", name="moussa")
    assert not catalogue.principal_for_token(teacher_token).can("review")
    assert catalogue.principal_for_token(token + "x") is None
    assert catalogue.principal_for_token("") is None
    with catalogue.db.read() as conn:
        stored = list(conn.execute(select(Token.sha256)).scalars())
    assert len(stored) == 2 and token not in stored
    # the token itself is nowhere in the database file
    assert token.encode() not in (tmp_path / "data" / "catalogue.sqlite").read_bytes()


def test_tokens_never_look_like_a_command_line_option(catalogue):
    """`catalogue publish --token T` must work: argparse reads "-…" as an option."""
    from datetime import UTC, datetime

    from imaginecole.catalogue.accounts import _token_hash

    made = [catalogue.create_token("teacher", name="awa")[0] for _ in range(50)]
    assert all(t.startswith("ic_") and not t.startswith("-") for t in made)
    # a token made before the prefix (it may start with "-") still signs in
    old = "-" + "x" * 42
    with catalogue.db.write() as conn:
        account_id = conn.execute(select(Token.account_id)).first()[0]
        conn.execute(
            Token.__table__.insert().values(
                account_id=account_id,
                sha256=_token_hash(old),
                role="teacher",
                note="",
                created=datetime.now(UTC),
            )
        )
    assert catalogue.principal_for_token(old).name == "awa"


def test_token_names_and_roles_are_checked(catalogue):
    _token, principal = catalogue.create_token("teacher")
    assert principal.name.startswith("token-")
    with pytest.raises(ImaginecoleError, match="admin"):
        catalogue.create_token("admin")
    with pytest.raises(ImaginecoleError, match="not a valid account name"):
        catalogue.create_token("teacher", name="<script>")


def test_news_bodies_are_sanitised(catalogue):
    editor = principal_for_role("fatou", "editor")
    news_id = catalogue.add_news(
        editor,
        "Hackathon de Dakar",
        '<p onclick="steal()">Bravo <b>aux équipes</b></p><script>alert(1)</script>',
    )
    catalogue.add_news(editor, "Tunis", "<p>مرحبا</p>", language="ar")
    [item] = catalogue.news(language="fr")
    assert item.id == news_id and item.author == "fatou" and item.title == "Hackathon de Dakar"
    assert "<script" not in item.body_html and "alert" not in item.body_html
    assert "onclick" not in item.body_html and "<b>aux équipes</b>" in item.body_html
    assert [n.language for n in catalogue.news()] == ["ar", "fr"]  # newest first
    catalogue.delete_news(editor, news_id)
    assert [n.title for n in catalogue.news()] == ["Tunis"]
    with pytest.raises(NotFound):
        catalogue.delete_news(editor, news_id)


def test_only_editors_write_news(catalogue):
    for who in (ANONYMOUS, principal_for_role("awa", "teacher")):
        with pytest.raises(PermissionDenied):
            catalogue.add_news(who, "Titre", "<p>texte</p>")
    editor = principal_for_role("fatou", "editor")
    with pytest.raises(ImaginecoleError, match="empty"):
        catalogue.add_news(editor, "Titre", "<script>x</script>")
    with pytest.raises(ImaginecoleError, match="language"):
        catalogue.add_news(editor, "Titre", "texte", language="Français")
