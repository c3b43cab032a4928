"""« Créer un podcast »: open, create or copy an example podcast, then make it in the studio."""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from imaginecole.widgets.podcast_workbench import PodcastWorkbench, find_podcasts

from imaginecole.bundle import create_bundle, load_manifest, new_grain
from imaginecole.podcast import podcast_export_problems, validate_podcast

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "notebooks" / "examples"
EXAMPLE = EXAMPLES / "podcast-radio-ecole"


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
    workbench = PodcastWorkbench(language="fr")
    assert workbench.body.children == (workbench.choose_panel,)
    assert workbench.no_podcast.layout.display is None  # « no podcast yet »
    assert workbench.open_box.layout.display == "none"
    assert list(home.iterdir()) == []
    # only podcasts are offered as examples, not the comics beside them
    titles = [label for label, _path in workbench.example_list.options]
    assert titles == ["La radio de l'école"]
    assert "pas encore de podcast" in workbench.no_podcast.value


def test_create_a_podcast_and_come_back_to_the_list(home: Path) -> None:
    workbench = PodcastWorkbench(language="fr")
    workbench.new_title.value = "La radio du CM2"
    workbench.create_button.click()
    studio = workbench.studio
    assert studio is not None and workbench.body.children[-1] is studio
    folder = home / "podcasts" / "la-radio-du-cm2"
    assert Path(workbench.bundle_dir) == folder
    manifest = load_manifest(folder)
    assert manifest["type"] == "podcast"
    assert manifest["metadata"]["title"] == "La radio du CM2"
    assert manifest["metadata"]["language"] == "fr"
    assert validate_podcast(manifest, folder) == []
    assert "Podcast\u00a0: « La radio du CM2 », dans le dossier podcasts/la-radio-du-cm2" in (
        workbench.podcast_line.value
    )
    workbench.back_button.click()
    assert workbench.studio is None and workbench.bundle_dir == ""
    assert [p.title for p in workbench.podcasts] == ["La radio du CM2"]
    assert workbench.open_box.layout.display is None
    workbench.open_button.click()
    assert Path(workbench.bundle_dir) == folder
    assert workbench.studio is not None and workbench.studio.title == "La radio du CM2"


def test_a_podcast_in_arabic_gets_a_folder_name(home: Path) -> None:
    workbench = PodcastWorkbench(language="ar")
    assert workbench.create("إذاعة المدرسة", "ar") is not None
    assert Path(workbench.bundle_dir).name == "podcast"  # no ASCII letter to name the folder
    assert load_manifest(workbench.bundle_dir)["metadata"]["language"] == "ar"
    assert workbench.create("إذاعة المدرسة", "ar") is not None
    assert Path(workbench.bundle_dir).name == "podcast-2"


def test_a_title_is_required(home: Path) -> None:
    workbench = PodcastWorkbench(language="en")
    workbench.new_title.value = "   "
    workbench.create_button.click()
    assert workbench.studio is None
    assert "Write a title for the podcast first." in workbench.create_errors.value
    assert not (home / "podcasts").exists()


def test_copy_the_example_as_ones_own(home: Path) -> None:
    before = folder_digest(EXAMPLE)
    workbench = PodcastWorkbench(language="fr")
    workbench.example_list.value = str(EXAMPLE)
    workbench.copy_button.click()
    copy = Path(workbench.bundle_dir)
    assert copy == home / "podcasts" / "la-radio-de-l-ecole"
    original, mine = load_manifest(EXAMPLE), load_manifest(copy)
    assert mine["id"] != original["id"]
    assert mine["episodes"] == original["episodes"]
    assert sorted(p.name for p in (copy / "media").iterdir()) == sorted(
        p.name for p in (EXAMPLE / "media").iterdir()
    )
    assert validate_podcast(mine, copy) == [] and podcast_export_problems(mine, copy) == []
    assert workbench.studio is not None
    workbench.back()
    assert folder_digest(EXAMPLE) == before, "the example must stay as it was"


def test_a_broken_example_is_reported_not_raised(home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "examples" / "broken"
    broken.mkdir(parents=True)
    (broken / "manifest.json").write_text(
        json.dumps({"type": "podcast", "schema_version": 1}), "utf-8"
    )
    workbench = PodcastWorkbench(language="en", examples_dir=str(tmp_path / "examples"))
    assert workbench.copy_example(broken) is None
    assert "broken" in workbench.copy_errors.value
    assert not (home / "podcasts").exists()


def test_grains_comics_and_broken_folders_are_not_podcasts(tmp_path: Path) -> None:
    create_bundle(tmp_path / "quiz", new_grain("true_false", "fr", title="Un quiz"))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("{ not json", "utf-8")
    assert find_podcasts(tmp_path) == []
    found = find_podcasts(EXAMPLES)
    assert [(p.path.name, p.language, p.episodes) for p in found] == [
        ("podcast-radio-ecole", "fr", 1)
    ]


def test_every_string_of_the_workbench_is_in_french_and_arabic() -> None:
    tree = ast.parse((REPO / "widgets" / "podcast_workbench.py").read_text("utf-8"))
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
