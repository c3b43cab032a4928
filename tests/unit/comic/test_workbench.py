"""« Créer une BD »: open, create (standard or kindergarten) or copy an example, then edit."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from imaginecole.widgets.comic_editor import ComicEditor
from imaginecole.widgets.comic_workbench import ComicWorkbench, find_comics

from imaginecole.bundle import create_bundle, load_manifest, new_grain
from imaginecole.comic import comic_export_problems, validate_comic

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "notebooks" / "examples"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_opens_on_the_choice_and_writes_nothing(home: Path) -> None:
    workbench = ComicWorkbench(language="fr")
    assert workbench.body.children == (workbench.choose_panel,)
    assert workbench.no_comic.layout.display is None  # « no comic yet »
    assert workbench.open_box.layout.display == "none"
    assert list(home.iterdir()) == []
    # the shipped examples are offered, French ones first in a French interface
    titles = [label for label, _path in workbench.example_list.options]
    assert "La rentrée d'Awa" in titles and "يوم في السوق" in titles
    assert titles[-1] == "يوم في السوق"


def test_create_a_kindergarten_comic(home: Path) -> None:
    workbench = ComicWorkbench(language="fr")
    workbench.new_title.value = "Les couleurs"
    workbench.new_template.value = "kindergarten"
    workbench.create_button.click()
    editor = workbench.editor
    assert isinstance(editor, ComicEditor)
    folder = home / "comics" / "les-couleurs"
    assert Path(workbench.bundle_dir) == folder
    manifest = load_manifest(folder)
    assert manifest["settings"]["audience"] == "kindergarten"
    assert manifest["settings"]["lettering"] == "andika"
    assert manifest["metadata"]["title"] == "Les couleurs"
    assert "BD\u00a0: « Les couleurs », dans le dossier comics/les-couleurs" in (
        workbench.comic_line.value
    )
    assert workbench.body.children[-1] is editor
    workbench.back_button.click()
    assert workbench.editor is None and workbench.bundle_dir == ""
    assert [c.title for c in workbench.comics] == ["Les couleurs"]
    assert workbench.open_box.layout.display is None
    workbench.open_button.click()
    assert workbench.editor.manifest["id"] == manifest["id"]


def test_a_comic_in_arabic_reads_right_to_left(home: Path) -> None:
    workbench = ComicWorkbench(language="ar")
    editor = workbench.create("يوم في السوق", "standard", "ar")
    assert editor.manifest["settings"]["direction"] == "rtl"
    assert Path(workbench.bundle_dir).name == "bd"  # no ASCII letter to name the folder
    assert workbench.create("يوم في السوق", "standard", "ar") is not None
    assert Path(workbench.bundle_dir).name == "bd-2"


def test_a_title_is_required(home: Path) -> None:
    workbench = ComicWorkbench(language="en")
    workbench.new_title.value = "   "
    workbench.create_button.click()
    assert workbench.editor is None
    assert "Write a title for the comic first." in workbench.create_errors.value
    assert not (home / "comics").exists()


def test_copy_an_example_as_ones_own(home: Path) -> None:
    source = EXAMPLES / "bd-maternelle-les-couleurs"
    before = folder_digest(source)
    workbench = ComicWorkbench(language="fr")
    workbench.example_list.value = str(source)
    workbench.copy_button.click()
    copy = Path(workbench.bundle_dir)
    assert copy.parent == home / "comics"
    original, mine = load_manifest(source), load_manifest(copy)
    assert mine["id"] != original["id"]
    assert mine["pages"] == original["pages"]
    assert sorted(p.name for p in (copy / "media").iterdir()) == sorted(
        p.name for p in (source / "media").iterdir()
    )
    assert validate_comic(mine, copy) == [] and comic_export_problems(mine, copy) == []
    assert folder_digest(source) == before, "the example must stay as it was"


def test_grains_and_broken_folders_are_not_comics(tmp_path: Path) -> None:
    create_bundle(tmp_path / "quiz", new_grain("true_false", "fr", title="Un quiz"))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("{ not json", "utf-8")
    assert find_comics(tmp_path) == []
    assert [c.title for c in find_comics(EXAMPLES)] != []


def test_every_string_of_the_workbench_is_in_french_and_arabic() -> None:
    tree = ast.parse((REPO / "widgets" / "comic_workbench.py").read_text("utf-8"))
    ids = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert len(ids) > 15
    for language in ("fr", "ar"):
        path = REPO / "imaginecole" / "locale" / language / "LC_MESSAGES" / "imaginecole.po"
        with path.open("rb") as fh:
            catalog = read_po(fh)
        missing = sorted(m for m in ids if m not in catalog or not catalog[m].string)
        assert missing == [], language
