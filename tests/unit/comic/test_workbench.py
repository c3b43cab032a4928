"""« Créer une BD »: what only the comic workbench does (the shared steps are tested in
tests/unit/test_bundle_workbench.py): examples in the interface language first, the
kindergarten template, right to left in Arabic, a copied comic ready to export."""

from __future__ import annotations

from pathlib import Path

from imaginecole.widgets.comic_editor import ComicEditor
from imaginecole.widgets.comic_workbench import ComicWorkbench, find_comics

from imaginecole.bundle import create_bundle, load_manifest, new_grain
from imaginecole.comic import comic_export_problems, validate_comic

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "notebooks" / "examples"


def test_the_examples_in_the_interface_language_come_first(home: Path) -> None:
    workbench = ComicWorkbench(language="fr")
    titles = [label for label, _path in workbench.example_list.options]
    assert "La rentrée d'Awa" in titles and "يوم في السوق" in titles
    assert titles[-1] == "يوم في السوق"


def test_create_a_kindergarten_comic(home: Path) -> None:
    workbench = ComicWorkbench(language="fr")
    workbench.new_title.value = "Les couleurs"
    workbench.new_template.value = "kindergarten"
    workbench.create_button.click()
    assert isinstance(workbench.editor, ComicEditor)
    manifest = load_manifest(home / "comics" / "les-couleurs")
    assert manifest["settings"]["audience"] == "kindergarten"
    assert manifest["settings"]["lettering"] == "andika"


def test_a_comic_in_arabic_reads_right_to_left(home: Path) -> None:
    workbench = ComicWorkbench(language="ar")
    editor = workbench.create("يوم في السوق", "standard", "ar")
    assert editor.manifest["settings"]["direction"] == "rtl"


def test_a_copied_example_is_ready_to_export(home: Path) -> None:
    workbench = ComicWorkbench(language="fr")
    workbench.copy_example(EXAMPLES / "bd-maternelle-les-couleurs")
    copy = Path(workbench.bundle_dir)
    mine = load_manifest(copy)
    assert validate_comic(mine, copy) == [] and comic_export_problems(mine, copy) == []


def test_grains_and_broken_folders_are_not_comics(tmp_path: Path) -> None:
    create_bundle(tmp_path / "quiz", new_grain("true_false", "fr", title="Un quiz"))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("{ not json", "utf-8")
    assert find_comics(tmp_path) == []
    assert [c.title for c in find_comics(EXAMPLES)] != []
