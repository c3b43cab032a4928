"""« Composer un module ou un parcours »: what a teacher does and what lands on disk.

Create a module, add one's own grains, reorder, remove, set the completion rule and the
objectives, reopen from disk; a parcours with its target level and prerequisites; a refused
change is said in French and leaves manifest.json as it was; the preview, or the problems
that stop it; a resource taken from a real catalogue server; every string in French.
"""

from __future__ import annotations

import ast
import html
import json
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from imaginecole.widgets.sequence_composer import (
    SequenceComposer,
    SequenceWorkbench,
    find_resources,
)

from imaginecole.bundle import load_manifest
from imaginecole.sequence import resolve
from tests.sequence_fixtures import copy_example, make_grain, make_module

REPO = Path(__file__).resolve().parents[3]


def on_disk(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text("utf-8"))


def titles(composer: SequenceComposer) -> list[str]:
    return [item["title"] for item in composer.parts_list.items]


def shown(slot) -> str:
    """The text of an error slot as a teacher reads it."""
    return html.unescape(re.sub(r"<[^>]+>", "", slot.value)).replace("⚠", "").strip()


@pytest.fixture
def grains(home: Path) -> list[Path]:
    return [
        make_grain(home, "Lire une fraction", "multiple_choice", country="SN", level="cm1"),
        make_grain(home, "Comparer des fractions", "true_false"),
        make_grain(home, "Vocabulaire", "flashcards"),
    ]


def test_a_teacher_makes_a_module_of_her_grains_and_finds_it_again(home, grains):
    bench = SequenceWorkbench(language="fr")
    assert bench.entries == [] and bench.no_bundle.layout.display is None
    composer = bench.create("Les fractions au CM1", "module")
    folder = home / "modules" / "les-fractions-au-cm1"
    assert composer is bench.editor and Path(composer.bundle_dir) == folder
    assert on_disk(folder)["module"] == {"parts": [], "completion": {"rule": "all"}}

    # her grains are offered, newest first, with their kind and level; a filter narrows them
    options = [label for label, _path in composer.resource_list.options]
    assert options[0].startswith("Vocabulaire — Grain")
    cm1 = "Cours moyen 1re année (CM1)"
    assert f"Lire une fraction — Grain\u00a0: Choix multiples, {cm1}" in options
    composer.filter.value = "fraction"
    assert len(composer.resource_list.options) == 2
    composer.filter.value = ""
    for grain in grains:
        composer.resource_list.value = str(grain)
        composer.add_chosen()
    assert titles(composer) == ["Lire une fraction", "Comparer des fractions", "Vocabulaire"]
    assert composer.parts_list.announce == "« Vocabulaire » a été ajouté en position 3 sur 3"
    assert composer.resource_list.options == ()  # each grain once

    # reorder as the list's buttons and drag and drop do, then remove one
    ids = [item["id"] for item in composer.parts_list.items]
    assert composer.handle({"op": "move", "id": ids[2], "position": 0})
    assert composer.parts_list.announce == "“Vocabulaire” est maintenant en position 1 sur 3"
    assert composer.handle({"op": "move", "id": ids[0], "position": 2})
    assert [p["title"] for p in on_disk(folder)["module"]["parts"]] == [
        "Vocabulaire",
        "Comparer des fractions",
        "Lire une fraction",
    ]
    assert composer.handle({"op": "remove", "id": ids[1]})
    assert composer.parts_list.announce == "« Comparer des fractions » a été retiré ; il en reste 2"
    assert [p["id"] for p in on_disk(folder)["module"]["parts"]] == [ids[2], ids[0]]
    assert grains[1].is_dir()  # the grain itself stays

    # texts and rules
    composer.introduction.value = "On apprend à lire\net comparer."
    composer.add_objective("Lire une fraction")
    composer.add_objective()
    composer.objectives_box.children[1].children[0].value = "Comparer deux fractions"
    composer.duration.value = 40
    assert composer.set_completion("score", score=0.7)
    composer.form.country.value = "SN"
    composer.form.level.value = "cm1"
    saved = on_disk(folder)
    assert saved["module"]["introduction"] == "On apprend à lire<br>et comparer."
    assert saved["module"]["objectives"] == ["Lire une fraction", "Comparer deux fractions"]
    assert saved["module"]["duration_minutes"] == 40
    assert saved["metadata"]["learning_time"] == "PT40M"  # for LOM and the catalogue
    assert composer.form.learning_time.layout.display == "none"
    assert saved["module"]["completion"] == {"rule": "score", "score": 0.7}
    assert (saved["metadata"]["country"], saved["metadata"]["level"]) == ("SN", "cm1")
    assert composer.status.startswith("Enregistré à")

    # back to the list, open it again: the same module
    bench.back()
    assert bench.bundle_list.options[0][0].startswith("Les fractions au CM1 (module, ")
    again = bench.open_bundle(bench.bundle_list.value)
    assert titles(again) == ["Vocabulaire", "Lire une fraction"]
    assert again.rule.value == "score" and again.score.value == 70
    assert again.introduction.value == "On apprend à lire\net comparer."
    assert [row.children[0].value for row in again.objectives_box.children] == [
        "Lire une fraction",
        "Comparer deux fractions",
    ]
    assert again.form.level.value == "cm1"
    assert bench.bundle_line.value.count("Module\u00a0: « Les fractions au CM1 »") == 1
    assert again.set_completion("count", count=2)
    assert on_disk(folder)["module"]["completion"] == {"rule": "count", "count": 2}
    # removing a part lowers a count rule that asks for more parts than are left
    again.remove(again.parts_list.items[0]["id"])
    assert on_disk(folder)["module"]["completion"] == {"rule": "count", "count": 1}
    assert again.count.value == 1


def test_a_refused_change_is_said_in_french_and_keeps_the_saved_module(home, grains):
    folder = make_module(home, 2, extra=())
    composer = SequenceComposer(folder, "fr")
    before = on_disk(folder)

    # the same grain twice
    part = composer.parts_list.items[0]
    first = Path(folder / before["module"]["parts"][0]["path"]).resolve()
    assert not composer.add(first)
    assert "est déjà dans ce module" in shown(composer.add_errors)
    assert "Traceback" not in shown(composer.list_errors)
    assert composer.status.startswith("Rien n'a changé")
    assert on_disk(folder)["module"]["parts"] == before["module"]["parts"]

    # a part that is not a module's kind of resource (a module into a module)
    other = make_module(home, 1, extra=(), title="Autre module")
    assert not composer.add(other)
    assert "« Autre module »" in shown(composer.add_errors)
    assert "est de type module" in shown(composer.add_errors)

    # an unknown id from the page: said, nothing changes
    assert not composer.handle({"op": "move", "id": "nope", "position": 0})
    assert "nope" in shown(composer.list_errors)

    # a blank title: said next to the field; the last valid manifest stays on disk
    composer.form.title.value = ""
    assert "vide" in shown(composer.form.slots["title"])
    assert composer.status.startswith("Pas enregistré")
    assert on_disk(folder)["metadata"]["title"] == "Les fractions"
    # a change to the list meanwhile is saved, and the title waits to be fixed
    assert composer.move(part["id"], 1)
    assert on_disk(folder)["metadata"]["title"] == "Les fractions"
    composer.form.title.value = "Les fractions simples"
    assert on_disk(folder)["metadata"]["title"] == "Les fractions simples"
    assert shown(composer.form.slots["title"]) == ""
    assert [p["id"] for p in on_disk(folder)["module"]["parts"]][1] == part["id"]

    # an objective too long for the schema is refused at its field
    composer.add_objective("x" * 301)
    assert "300" in shown(composer.slots["module.objectives"])
    assert (
        "objectives" not in on_disk(folder)["module"]
        or on_disk(folder)["module"]["objectives"] == before["module"]["objectives"]
    )
    composer.remove_objective(len(composer.objectives_box.children) - 1)
    assert shown(composer.slots["module.objectives"]) == ""


def test_a_parcours_with_its_level_and_prerequisites(home):
    first = make_module(home, 1, extra=(), title="Module 1")
    second = make_module(home, 1, extra=(), title="Module 2")
    bench = SequenceWorkbench(language="fr")
    # a parcours needs its country and target level
    assert bench.create("Maths CM1", "parcours") is None
    assert "niveau" in shown(bench.create_errors)
    assert not (home / "parcours").exists()
    bench.new_country.value = "SN"
    assert ("Cours moyen 1re année (CM1)", "cm1") in bench.new_level.options
    composer = bench.create("Maths CM1", "parcours", "fr", "SN", "cm1")
    folder = home / "parcours" / "maths-cm1"
    assert composer.kind == "parcours" and composer.form.level.value == "cm1"
    assert "Parcours\u00a0: « Maths CM1 »" in bench.bundle_line.value

    # only modules are offered
    offered = [Path(path) for _label, path in composer.resource_list.options]
    assert sorted(offered) == sorted([first, second])
    composer.add(first)
    composer.add(second)
    rows = composer.parts_list.items
    assert rows[0]["earlier"] == [] and rows[1]["earlier"] == [
        {"id": rows[0]["id"], "title": "Module 1"}
    ]
    assert composer.handle({"op": "prerequisites", "id": rows[1]["id"], "needs": [rows[0]["id"]]})
    assert composer.parts_list.announce == (
        "« Module 2 » demande maintenant d'abord\u00a0: Module 1"
    )
    saved = on_disk(folder)
    assert saved["parcours"]["modules"][1]["prerequisites"] == [rows[0]["id"]]

    # moving a module before the one it needs is refused, said, and nothing changes
    assert not composer.move(rows[1]["id"], 0)
    assert "prérequis" in shown(composer.list_errors)
    assert on_disk(folder)["parcours"]["modules"] == saved["parcours"]["modules"]
    assert [r["title"] for r in composer.parts_list.items] == ["Module 1", "Module 2"]

    # untick it: then the order may change
    assert composer.handle({"op": "prerequisites", "id": rows[1]["id"], "needs": []})
    assert "prerequisites" not in on_disk(folder)["parcours"]["modules"][1]
    assert composer.move(rows[1]["id"], 0)
    assert resolve(folder).items[0].title == "Module 2"


def test_the_preview_plays_the_module_or_lists_what_is_missing(home):
    folder = make_module(home, 2, extra=("comic",))
    composer = SequenceComposer(folder, "fr")
    assert composer.preview()
    frame = composer.preview_frame.value
    assert frame.startswith('<iframe class="icsq-frame" title="Aperçu de « Les fractions »"')
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))
    assert "Les fractions — exercice 2" in page and "La rentrée d'Awa" in page

    shutil.rmtree(home / "comics")
    assert not composer.preview()
    assert composer.preview_frame.value == ""
    said = shown(composer.preview_errors)
    assert "L'aperçu a besoin de chaque partie à sa place" in said
    assert "« La rentrée d'Awa »" in said and "module.parts[2]" in said
    composer.refresh_items()
    assert composer.parts_list.items[2]["missing"].startswith("introuvable")


def test_own_resources_of_every_kind_are_found(home):
    make_grain(home, "Un grain")
    for what in ("comic", "podcast", "app"):
        copy_example(home, what)
    found = find_resources(home, ("grain", "comic", "podcast", "notebook-app"))
    assert sorted(r.type for r in found) == ["comic", "grain", "notebook-app", "podcast"]
    assert find_resources(home, ("module",)) == []


def test_a_resource_from_the_catalogue_is_copied_and_added(home, tmp_path_factory):
    from tests.unit.catalogue.webserver import Site

    site = Site(tmp_path_factory.mktemp("catalogue"))
    try:
        folder = make_module(home, 1, extra=())
        composer = SequenceComposer(folder, "fr", catalogue_url=site.url, token="")
        found = composer.search("formes")
        assert [r["uid"] for r in found] == [site.published]
        label = composer.result_list.options[0][0]
        assert label.startswith("Les formes géométriques — Grain")
        assert composer.take(site.published)
        part = on_disk(folder)["module"]["parts"][-1]
        assert part["id"] == site.published and part["title"] == "Les formes géométriques"
        assert part["catalogue"].startswith(site.url) and site.published in part["catalogue"]
        copied = (folder / part["path"]).resolve()
        assert copied.parent == home / "catalogue"
        assert load_manifest(copied)["id"] == site.published
        assert composer.parts_list.announce.startswith("« Les formes géométriques » a été ajouté")
        assert resolve(folder).items[-1].path == copied
        # already there: not offered again
        assert composer.search("formes") == []
        # an unknown resource: said, nothing added
        composer.results = {}
        assert not composer.take("00000000-0000-4000-8000-000000000000")
        assert "404" in shown(composer.catalogue_errors)
    finally:
        site.close()


def test_a_catalogue_that_cannot_be_reached_is_said(home):
    folder = make_module(home, 1, extra=())
    composer = SequenceComposer(folder, "fr", catalogue_url="http://127.0.0.1:9/", token="")
    assert composer.search("formes") == []
    assert shown(composer.catalogue_errors).startswith(
        "Impossible de joindre le catalogue (http://127.0.0.1:9/)."
    )
    no_catalogue = SequenceComposer(folder, "fr", catalogue_url="", token="")
    assert no_catalogue.search_button.disabled
    assert "Aucun catalogue" in no_catalogue.catalogue_note.value


def test_every_string_of_the_composer_is_in_french():
    tree = ast.parse((REPO / "widgets" / "sequence_composer.py").read_text("utf-8"))
    ids = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None))
        in ("_", "Message", "ImaginecoleError")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert len(ids) >= 100
    path = REPO / "imaginecole" / "locale" / "fr" / "LC_MESSAGES" / "imaginecole.po"
    with path.open("rb") as fh:
        catalog = read_po(fh)
    assert sorted(m for m in ids if m not in catalog or not catalog[m].string) == []


def test_the_module_is_exported_from_the_composer(home):
    folder = make_module(home, 2, extra=())
    composer = SequenceComposer(folder, "fr", catalogue_url="")
    labels = [b.description for b in composer.export_buttons]
    assert "Mini-site hors ligne (zip)" in labels
    assert composer.export("site") == "les-fractions.site.zip"
    assert 'download="les-fractions.site.zip"' in composer.download.value
    assert composer.export("scorm2004") == "les-fractions.scorm2004.zip"
    assert composer.export("lom") == "les-fractions.lom.xml"
    assert composer.publish_button.disabled


def test_a_module_is_published_from_the_composer(home, tmp_path_factory):
    from tests.unit.catalogue.webserver import Site

    described = {
        "description": "Un exercice sur les fractions.",
        "country": "SN",
        "level": "cm1",
        "subject": "mathematiques",
        "authors": [{"name": "Awa Diop"}],
    }
    site = Site(tmp_path_factory.mktemp("catalogue"))
    try:
        folder = make_module(home, 0, extra=())
        composer = SequenceComposer(folder, "fr", catalogue_url=site.url, token=site.tokens["awa"])
        for n in (1, 2):
            composer.add(make_grain(home, f"Exercice {n}", **described))
        publisher = composer.open_publisher()
        assert composer.description_box.layout.display == "none"
        assert publisher.missing == ["authors"]
        publisher.form.authors.value = "Awa Diop"
        resource = publisher.publish()
        assert resource["uid"] == on_disk(folder)["id"] and resource["type"] == "module"
        # editing again: the description as the publish widget saved it, nothing lost
        composer.close_publisher()
        assert composer.description_box.layout.display is None
        assert composer.form.authors.value == "Awa Diop"
        composer.form.title.value = "Les fractions (v2)"
        saved = on_disk(folder)["metadata"]
        assert saved["title"] == "Les fractions (v2)" and saved["authors"] == [{"name": "Awa Diop"}]
    finally:
        site.close()
