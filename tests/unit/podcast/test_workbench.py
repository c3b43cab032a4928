"""« Créer un podcast »: what only the podcast workbench does (the shared steps are tested in
tests/unit/test_bundle_workbench.py): only podcasts offered, a valid new podcast, a copied
podcast ready to export, a broken example reported."""

from __future__ import annotations

import json
from pathlib import Path

from imaginecole.widgets.podcast_workbench import PodcastWorkbench, find_podcasts

from imaginecole.bundle import create_bundle, load_manifest, new_grain
from imaginecole.podcast import podcast_export_problems, validate_podcast

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "notebooks" / "examples"
EXAMPLE = EXAMPLES / "podcast-radio-ecole"


def test_only_podcasts_are_offered(home: Path) -> None:
    workbench = PodcastWorkbench(language="fr")
    # only podcasts are offered as examples, not the comics beside them
    titles = [label for label, _path in workbench.example_list.options]
    assert titles == ["La radio de l'école"]
    assert "pas encore de podcast" in workbench.no_bundle.value


def test_a_new_podcast_is_valid(home: Path) -> None:
    workbench = PodcastWorkbench(language="fr")
    workbench.new_title.value = "La radio du CM2"
    workbench.create_button.click()
    folder = Path(workbench.bundle_dir)
    manifest = load_manifest(folder)
    assert manifest["type"] == "podcast"
    assert manifest["metadata"]["language"] == "fr"
    assert validate_podcast(manifest, folder) == []


def test_a_copied_example_is_ready_to_export(home: Path) -> None:
    workbench = PodcastWorkbench(language="fr")
    workbench.copy_example(EXAMPLE)
    copy = Path(workbench.bundle_dir)
    assert copy == home / "podcasts" / "la-radio-de-l-ecole"
    mine = load_manifest(copy)
    assert validate_podcast(mine, copy) == [] and podcast_export_problems(mine, copy) == []


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
