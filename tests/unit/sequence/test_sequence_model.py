"""Modules and parcours as bundles: making them, changing their items, resolving their parts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from imaginecole.bundle import BundleError, load_manifest, save_manifest, validate_manifest
from imaginecole.sequence import (
    add_item,
    move_item,
    new_module,
    new_parcours,
    remove_item,
    resolve,
    sequence_schema,
)
from tests.sequence_fixtures import copy_example, make_grain, make_module, make_parcours


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text("utf-8"))


def titles(folder: Path) -> list[str]:
    data = manifest(folder)
    key = ("module", "parts") if data["type"] == "module" else ("parcours", "modules")
    return [item["title"] for item in data[key[0]][key[1]]]


def messages(error: BundleError) -> str:
    return "\n".join(p.render("en") for p in error.problems)


@pytest.mark.parametrize("kind", ["module", "parcours"])
def test_the_published_schemas_are_valid_draft_2020_12(kind):
    jsonschema.Draft202012Validator.check_schema(sequence_schema(kind))


def test_a_new_module_is_a_valid_bundle_with_its_objectives_and_rule(tmp_path):
    folder = tmp_path / "modules" / "m"
    new_module(
        folder,
        {"title": "Les fractions", "country": "SN", "level": "cm1", "subject": "mathematiques"},
        objectives=["Lire une fraction"],
        duration_minutes=45,
        completion={"rule": "score", "score": 0.7},
    )
    data = load_manifest(folder)
    assert data["type"] == "module"
    assert data["metadata"]["language"] == "fr"
    assert data["metadata"]["licence"] == "CC-BY-SA-4.0"
    assert data["module"] == {
        "parts": [],
        "completion": {"rule": "score", "score": 0.7},
        "objectives": ["Lire une fraction"],
        "duration_minutes": 45,
    }


def test_a_module_orders_grains_comics_podcasts_and_apps(tmp_path):
    folder = make_module(tmp_path, 2, extra=("comic", "podcast", "app"))
    data = manifest(folder)
    assert [p["type"] for p in data["module"]["parts"]] == [
        "grain",
        "grain",
        "comic",
        "podcast",
        "notebook-app",
    ]
    # parts are named by a path relative to the module, not copied into it
    assert data["module"]["parts"][0]["path"].startswith("../../grains/")
    assert not (folder / "parts").exists()
    seq = resolve(folder)
    assert [item.type for item in seq.parts()] == [p["type"] for p in data["module"]["parts"]]
    assert seq.parts().__next__().path == (folder / data["module"]["parts"][0]["path"]).resolve()


def test_moving_and_removing_parts_is_saved_at_once(tmp_path):
    folder = make_module(tmp_path, 3, extra=())
    first, second, third = titles(folder)
    uid = manifest(folder)["module"]["parts"][2]["id"]
    move_item(folder, uid, 0)
    assert titles(folder) == [third, first, second]
    remove_item(folder, uid)
    assert titles(folder) == [first, second]
    # the grain itself is kept
    assert len(list((tmp_path / "grains").iterdir())) == 3


def test_a_count_rule_follows_the_parts_removed(tmp_path):
    folder = make_module(tmp_path, 3, extra=(), completion={"rule": "count", "count": 3})
    remove_item(folder, manifest(folder)["module"]["parts"][0]["id"])
    assert manifest(folder)["module"]["completion"] == {"rule": "count", "count": 2}


def test_a_count_rule_asking_for_more_parts_than_there_are_is_refused_on_export(tmp_path):
    folder = make_module(tmp_path, 2, extra=())
    data = manifest(folder)
    data["module"]["completion"] = {"rule": "count", "count": 5}
    save_manifest(folder, data)  # saved while the teacher adds parts
    with pytest.raises(BundleError) as caught:
        resolve(folder)
    assert "module.completion.count: the module asks for 5 parts done but has only 2" in (
        messages(caught.value)
    )


def test_a_score_rule_needs_its_score(tmp_path):
    folder = make_module(tmp_path, 1, extra=())
    data = manifest(folder)
    data["module"]["completion"] = {"rule": "score"}
    problems = validate_manifest(data, folder)
    assert [p.render("en") for p in problems] == [
        "module.completion: required field « score » is missing"
    ]


def test_a_module_refuses_a_module_and_a_parcours_refuses_a_grain(tmp_path):
    module = make_module(tmp_path, 1, extra=())
    other = make_module(tmp_path, 1, extra=(), title="Autre")
    before = manifest(module)
    with pytest.raises(BundleError) as caught:
        add_item(module, other)
    assert "a module holds grain, comic, podcast, notebook-app" in messages(caught.value)
    assert manifest(module) == before
    parcours = make_parcours(tmp_path, 1, 1)
    with pytest.raises(BundleError) as caught:
        add_item(parcours, make_grain(tmp_path, "Seul"))
    assert "a parcours holds module" in messages(caught.value)
    assert caught.value.render("fr").startswith("Le parcours ")


def test_the_same_part_twice_is_refused(tmp_path):
    folder = make_module(tmp_path, 1, extra=())
    grain = (folder / manifest(folder)["module"]["parts"][0]["path"]).resolve()
    with pytest.raises(BundleError) as caught:
        add_item(folder, grain)
    assert "is already in this module" in messages(caught.value)
    assert len(manifest(folder)["module"]["parts"]) == 1


def test_a_parcours_needs_a_target_level_of_its_country(tmp_path):
    with pytest.raises(BundleError) as caught:
        new_parcours(tmp_path / "p", {"title": "Sans niveau"})
    assert messages(caught.value) == (
        "metadata: required field « country » is missing\n"
        "metadata: required field « level » is missing"
    )
    assert not (tmp_path / "p" / "manifest.json").exists()
    with pytest.raises(BundleError) as caught:
        new_parcours(tmp_path / "q", {"title": "T", "country": "TN", "level": "cm1"})
    assert "metadata.level: « cm1 » is not a level of the TN curriculum" in messages(caught.value)


def test_a_prerequisite_must_come_earlier(tmp_path):
    folder = make_parcours(tmp_path, 3, 1)
    first, second, third = (m["id"] for m in manifest(folder)["parcours"]["modules"])
    # moving the first module after one that needs it is refused; nothing is saved
    with pytest.raises(BundleError) as caught:
        move_item(folder, first, 2)
    assert "a prerequisite must be an earlier module of this parcours" in messages(caught.value)
    assert [m["id"] for m in manifest(folder)["parcours"]["modules"]] == [first, second, third]
    # removing a module drops it from the others' prerequisites
    remove_item(folder, first)
    assert [m.get("prerequisites") for m in manifest(folder)["parcours"]["modules"]] == [
        None,
        None,
    ]


def test_resolve_reads_a_parcours_whole(tmp_path):
    folder = make_parcours(tmp_path, 2, 2, extra=("comic",))
    seq = resolve(folder)
    assert seq.type == "parcours"
    assert [m.title for m in seq.items] == ["Module 1", "Module 2"]
    assert [[p.type for p in m.items] for m in seq.items] == [["grain", "grain", "comic"]] * 2
    assert len(list(seq.parts())) == 6
    assert [len(parts) for _m, _p, parts in seq.modules()] == [3, 3]


def test_a_part_moved_within_the_home_is_found_by_its_id(tmp_path):
    folder = make_module(tmp_path, 2, extra=())
    part = (folder / manifest(folder)["module"]["parts"][1]["path"]).resolve()
    moved = tmp_path / "grains" / "renamed-by-the-teacher"
    part.rename(moved)
    assert [p.path for p in resolve(folder).parts()][1] == moved


def test_a_missing_or_broken_part_is_named_with_its_place(tmp_path):
    folder = make_parcours(tmp_path, 1, 3)
    module = resolve(folder).items[0]
    missing, broken = module.items[0], module.items[2]
    shutil.rmtree(missing.path)
    data = manifest(broken.path)
    data["metadata"]["title"] = ""
    (broken.path / "manifest.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(BundleError) as caught:
        resolve(folder)
    text = messages(caught.value)
    assert "parcours.modules[0] → module.parts[0]: «" in text
    assert "is not at ../../grains/" in text
    assert "put its folder back or remove it from the list" in text
    assert "parcours.modules[0] → module.parts[2]:" in text
    assert "metadata.title: must not be empty" in text


def test_a_part_that_became_another_resource_is_reported(tmp_path):
    folder = make_module(tmp_path, 1, extra=())
    part = (folder / manifest(folder)["module"]["parts"][0]["path"]).resolve()
    shutil.rmtree(part)
    shutil.copytree(copy_example(tmp_path, "comic"), part)
    data = manifest(part)
    data["id"] = manifest(folder)["module"]["parts"][0]["id"]
    (part / "manifest.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(BundleError) as caught:
        resolve(folder)
    assert "is now a comic, not a grain" in messages(caught.value)


def test_an_empty_module_cannot_be_resolved(tmp_path):
    folder = tmp_path / "modules" / "vide"
    new_module(folder, {"title": "Vide"})
    with pytest.raises(BundleError) as caught:
        resolve(folder)
    assert "this module has nothing in it yet; add at least one part" in messages(caught.value)


def test_parts_are_looked_for_in_the_search_folders(tmp_path):
    home = tmp_path / "home"
    folder = make_parcours(home, 2, 1)
    upload = tmp_path / "upload"
    shutil.copytree(folder, upload)
    for where in ("grains", "modules"):
        for bundle in (home / where).iterdir():
            shutil.copytree(bundle, upload / "parts" / bundle.name)
    shutil.rmtree(home)
    seq = resolve(upload, search=[upload / "parts"])
    assert all(p.path.parent == upload / "parts" for p in seq.parts())


def test_teacher_text_is_cleaned_when_saved(tmp_path):
    folder = make_module(tmp_path, 1, extra=())
    data = manifest(folder)
    data["module"]["introduction"] = '<p onclick="x()">Bonjour<script>alert(1)</script></p>'
    data["module"]["objectives"] = ["<b>Lire</b> une fraction"]
    data["module"]["parts"][0]["title"] = "<img src=x onerror=alert(1)>Exercice"
    save_manifest(folder, data)
    saved = manifest(folder)["module"]
    assert "script" not in saved["introduction"] and "onclick" not in saved["introduction"]
    assert "Bonjour" in saved["introduction"]
    assert saved["objectives"] == ["Lire une fraction"]
    assert saved["parts"][0]["title"] == "Exercice"


def test_a_module_from_a_newer_studio_is_refused_clearly(tmp_path):
    folder = make_module(tmp_path, 1, extra=())
    data = manifest(folder)
    data["schema_version"] = 9
    (folder / "manifest.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(BundleError) as caught:
        load_manifest(folder)
    assert "this module was made by a newer Imaginecole Studio (schema 9" in messages(caught.value)


def test_a_part_path_may_not_be_absolute(tmp_path):
    folder = make_module(tmp_path, 1, extra=())
    data = manifest(folder)
    data["module"]["parts"][0]["path"] = "/etc"
    problems = validate_manifest(data, folder)
    assert [p.path for p in problems] == ["module.parts[0].path"]
