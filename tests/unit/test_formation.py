"""The cascade training (issue 10, item 6): four self-training parcours built with the project's
own API (notebooks/examples/formation/), published in the demo workshop's catalogue, and the
tutor kit notebooks."""

import argparse
import json
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from imaginecole.bundle import load_manifest
from imaginecole.cli import build_parser
from imaginecole.sequence import resolve

ROOT = Path(__file__).parents[2]
FORMATION = ROOT / "notebooks" / "examples" / "formation"
FOLDERS = ("grains", "comics", "podcasts", "modules", "parcours")
TITLES = {
    "Créer une BD numérique",
    "Enseigner avec l'audio : le podcast",
    "Évaluer avec des outils interactifs",
    "La classe à distance",
}
PARCOURS = sorted((FORMATION / "parcours").iterdir())
KITS = [
    ROOT / "notebooks" / "fr" / "Kit du tuteur.ipynb",
    ROOT / "notebooks" / "en" / "Tutor kit.ipynb",
]


def bundle_files(home: Path) -> dict[str, bytes]:
    return {
        p.relative_to(home).as_posix(): p.read_bytes()
        for name in FOLDERS
        for p in sorted((home / name).rglob("*"))
        if p.is_file() and "build" not in p.relative_to(home).parts[2:3]  # a podcast's cache
    }


# -- the bundles ----------------------------------------------------------------------------


def test_every_formation_bundle_loads():
    folders = [f for name in FOLDERS for f in sorted((FORMATION / name).iterdir())]
    assert len(folders) > 40
    kinds = set()
    for folder in folders:
        manifest = load_manifest(folder)  # validates: BundleError on any problem
        kinds.add(manifest.get("kind") or manifest["type"])
    # varied parts: every kind of grain, a comic and a podcast
    assert {"multiple_choice", "true_false", "ordering", "matching", "flashcards"} <= kinds
    assert {"fill_blanks", "drag_words", "single_choice", "question_set"} <= kinds
    assert {"comic", "podcast"} <= kinds


def test_the_four_parcours_resolve_with_their_modules_and_parts():
    assert {load_manifest(p)["metadata"]["title"] for p in PARCOURS} == TITLES
    for folder in PARCOURS:
        seq = resolve(folder)
        assert seq.type == "parcours"
        body = seq.manifest["parcours"]
        assert body["introduction"] and body["objectives"]
        assert seq.manifest["metadata"]["country"] and seq.manifest["metadata"]["level"]
        assert 2 <= len(seq.items) <= 3
        first = seq.items[0].id
        for module in seq.items[1:]:
            assert module.entry["prerequisites"] == [first]
        for module in seq.items:
            rules = module.manifest["module"]
            assert rules["introduction"] and rules["objectives"] and rules["duration_minutes"] > 0
            assert rules["completion"]["rule"] in ("all", "count", "score")
            assert 3 <= len(module.items) <= 6, module.title


def test_the_build_script_is_deterministic(tmp_path):
    committed = bundle_files(FORMATION)
    for run in ("a", "b"):
        subprocess.run(
            [sys.executable, str(FORMATION / "build.py"), "--out", str(tmp_path / run)],
            check=True,
            capture_output=True,
        )
    first, second = bundle_files(tmp_path / "a"), bundle_files(tmp_path / "b")
    assert first == second
    assert sorted(first) == sorted(committed), "rebuild and commit notebooks/examples/formation"
    changed = [name for name in first if first[name] != committed[name]]
    assert not changed, f"rebuild and commit notebooks/examples/formation: {changed[:5]}"


@pytest.mark.parametrize("folder", PARCOURS, ids=lambda p: p.name)
def test_each_parcours_exports_as_an_offline_site(folder, tmp_path):
    from imaginecole.exports import get_exporter
    from imaginecole.exports.base import Bundle

    # a copy of the home: exporting a podcast leaves its build cache beside its manifest
    home = tmp_path / "home"
    for name in FOLDERS:
        shutil.copytree(FORMATION / name, home / name)
    folder = home / "parcours" / folder.name
    exporter = get_exporter("site")()
    bundle = Bundle.load(folder)
    out = Path(exporter.export(bundle, exporter.default_output(bundle, tmp_path)))
    n_parts = len(list(resolve(folder).parts()))
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
    assert "index.html" in names
    assert {f"parts/{n}/index.html" for n in range(1, n_parts + 1)} <= names


# -- the demo workshop's catalogue ------------------------------------------------------------


def test_the_demo_workshop_publishes_the_four_parcours_once(tmp_path, capsys):
    from imaginecole.catalogue.service import Catalogue
    from imaginecole.hub.seed import seed_catalogue
    from imaginecole.workshop import load_workshop

    workshop = load_workshop(ROOT / "hub_config" / "examples" / "demo-workshop.yaml")
    assert set(seed_catalogue(workshop, tmp_path)) == TITLES, capsys.readouterr().out
    with Catalogue.open(tmp_path / "catalogue") as catalogue:
        every = catalogue.recent(200)
        for folder in PARCOURS:
            info = catalogue.get(load_manifest(folder)["id"])  # anonymous: published
            assert info.state == "published" and info.owner == "formatrice"
        n_bundles = sum(len(list((FORMATION / name).iterdir())) for name in FOLDERS)
        assert len(every) == n_bundles
        assert {r.state for r in every} == {"published"}
    # a later start publishes nothing again
    assert seed_catalogue(workshop, tmp_path) == []


def test_a_wrong_seed_path_is_named(tmp_path):
    from imaginecole.hub.seed import seed_folders
    from imaginecole.i18n import ImaginecoleError
    from imaginecole.workshop import load_workshop

    demo = ROOT / "hub_config" / "examples"
    text = (demo / "demo-workshop.yaml").read_text("utf-8")
    (tmp_path / "demo-roster.csv").write_bytes((demo / "demo-roster.csv").read_bytes())
    (tmp_path / "w.yaml").write_text(
        text.replace("../../notebooks/examples/formation/parcours", "nulle-part"), "utf-8"
    )
    with pytest.raises(ImaginecoleError, match="nulle-part"):
        seed_folders(load_workshop(tmp_path / "w.yaml"))


# -- the tutor kit ----------------------------------------------------------------------------


def markdown(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("path", KITS, ids=lambda p: p.name)
def test_the_tutor_kit_is_a_valid_trainers_notebook(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    info = nb.metadata["imaginecole"]
    assert info["audience"] == "trainers" and info["kind"] == "workbench"
    assert all(c.cell_type == "markdown" for c in nb.cells), "no code for a tutor to write"
    text = markdown(path)
    for part in (
        ("checklist", "schedule", "troubleshooting")
        if "en" in path.parts
        else (
            "vérification",
            "Déroulés",
            "Dépannage",
        )
    ):
        assert part.lower() in text.lower()
    from imaginecole.hub.ca_page import CA_PAGE

    assert CA_PAGE in text
    for doc in re.findall(r"`(docs/[\w.-]+\.md)`", text):
        assert (ROOT / doc).is_file(), doc


def cited_commands(path: Path) -> list[tuple[str, ...]]:
    """Each `imaginecole …` (or `./studio demo …`) the notebook cites, checked against the CLI
    parser: its subcommands exist and so do its options. Returns the subcommand paths."""
    found = []
    for span in re.findall(r"`([^`\n]+)`", markdown(path)):
        span = span.replace("./studio demo", "imaginecole up")
        if "imaginecole " not in span:
            continue
        where = f"{path.name}: `{span}`"
        parser, used = build_parser(), []
        for word in shlex.split(span[span.index("imaginecole ") :])[1:]:
            groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
            if groups and not word.startswith("-"):
                assert word in groups[0].choices, f"{where}: no command « {word} »"
                parser = groups[0].choices[word]
                used.append(word)
            elif word.startswith("-"):
                options = {o for a in parser._actions for o in a.option_strings}
                assert word.split("=")[0] in options, f"{where}: no option {word}"
        groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        assert not groups or "--help" in span, f"{where}: an incomplete command"
        found.append(tuple(used))
    return found


@pytest.mark.parametrize("path", KITS, ids=lambda p: p.name)
def test_every_command_the_kit_cites_exists(path):
    assert len(cited_commands(path)) >= 10


def test_the_kit_names_real_workshop_fields():
    from imaginecole.workshop.config import workshop_schema

    schema = workshop_schema()["properties"]
    for path in KITS:
        for field in re.findall(r"`((?:auth|catalogue|spawn|https|apps)\.\w+)`", markdown(path)):
            section, key = field.split(".")
            assert key in schema[section]["properties"], f"{path.name}: {field}"


def test_the_kit_pairs_french_and_english():
    fr, en = (json.loads(p.read_text("utf-8")) for p in KITS)
    assert fr["metadata"]["imaginecole"]["order"] == en["metadata"]["imaginecole"]["order"]
    assert len(fr["cells"]) == len(en["cells"])
    assert cited_commands(KITS[0]) == cited_commands(KITS[1])
