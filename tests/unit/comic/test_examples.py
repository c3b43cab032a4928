"""The example comics in notebooks/examples/ are valid, exportable and show what they promise."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from imaginecole.bundle import load_manifest
from imaginecole.bundle.media import magic_matches
from imaginecole.comic import comic_direction, comic_export_problems, validate_comic

EXAMPLES = Path(__file__).resolve().parents[3] / "notebooks" / "examples"
# the example comics; the folder also holds other bundles (the example podcast)
FOLDERS = sorted(
    p.parent
    for p in EXAMPLES.glob("*/manifest.json")
    if json.loads(p.read_text("utf-8")).get("type") == "comic"
)
SKIN_TONES = {"1F3FB", "1F3FC", "1F3FD", "1F3FE", "1F3FF"}
ARABIC = re.compile(r"[\u0600-\u06ff]")


def elements(manifest: dict, kind: str | None = None):
    for page in manifest["pages"]:
        for panel in page["panels"]:
            for element in panel["elements"]:
                if kind is None or element["kind"] == kind:
                    yield panel, element


def example(name: str) -> tuple[Path, dict]:
    folder = EXAMPLES / name
    return folder, load_manifest(folder)


def test_the_three_promised_examples_ship() -> None:
    names = [p.name for p in FOLDERS]
    assert "bd-la-rentree" in names and "bd-maternelle-les-couleurs" in names
    assert any(name.startswith("bd-arabe-") for name in names)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_example_is_valid_and_exportable(folder: Path) -> None:
    manifest = load_manifest(folder)  # raises with the problems if the schema says no
    assert manifest["type"] == "comic"
    assert validate_comic(manifest, folder) == []
    assert comic_export_problems(manifest, folder) == []


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_every_panel_and_image_is_described_for_a_screen_reader(folder: Path) -> None:
    manifest = load_manifest(folder)
    for page in manifest["pages"]:
        for panel in page["panels"]:
            assert len(panel["alt"].split()) >= 5, f"{panel['id']}: the alt text is too thin"
    for panel, image in elements(manifest, "image"):
        assert image["alt"].strip(), f"{panel['id']}/{image['id']}"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_speakers_and_cast_are_real(folder: Path) -> None:
    manifest = load_manifest(folder)
    cast = {member["id"] for member in manifest.get("cast", [])}
    for panel, element in elements(manifest):
        if element.get("cast"):
            assert element["cast"] in cast, f"{panel['id']}/{element['id']}"
        if element["kind"] == "bubble":
            speakers = {e["id"] for e in panel["elements"] if e["kind"] == "character"}
            assert element["speaker"] in speakers, f"{panel['id']}/{element['id']}"


def test_la_rentree_shows_every_tool_of_a_comic() -> None:
    _folder, manifest = example("bd-la-rentree")
    assert manifest["metadata"]["language"] == "fr"
    assert 2 <= len(manifest["pages"]) <= 3
    assert len({page["layout"] for page in manifest["pages"]}) >= 3
    assert {b["style"] for _p, b in elements(manifest, "bubble")} == {
        "speech",
        "thought",
        "shout",
        "whisper",
    }
    kinds = {e["kind"] for _p, e in elements(manifest)}
    assert {"character", "prop", "image", "bubble", "caption", "sfx"} <= kinds
    backgrounds = {
        panel["background"]["kind"] for page in manifest["pages"] for panel in page["panels"]
    }
    assert {"scene", "color", "gradient"} <= backgrounds
    arts = [e["art"] for _p, e in elements(manifest, "character")]
    tones = {part for art in arts for part in art.split(":")[1].split("-")} & SKIN_TONES
    assert len(tones) >= 4, tones
    assert any(art.startswith("openmoji:1F9D5") for art in arts), "a headscarf"
    # accents survive the round trip
    texts = " ".join(e["text"] for _p, e in elements(manifest) if "text" in e)
    assert "Léa" in texts and "récréation" in texts.lower()


def test_kindergarten_example_has_big_art_few_words_and_a_sound_per_panel() -> None:
    folder, manifest = example("bd-maternelle-les-couleurs")
    assert manifest["settings"]["audience"] == "kindergarten"
    for page in manifest["pages"]:
        for panel in page["panels"]:
            audio = panel["audio"]
            assert audio["transcript"].strip()
            data = (folder / audio["src"]).read_bytes()
            assert magic_matches(audio["src"].rsplit(".", 1)[1], data[:16]), audio["src"]
            assert len(data) < 100_000, f"{audio['src']} is too big for a phone"
            words = sum(len(e["text"].split()) for e in panel["elements"] if "text" in e)
            assert words <= 4, f"{panel['id']}: {words} words is too many for kindergarten"
            assert max(e["scale"] for e in panel["elements"] if "scale" in e) >= 0.45


def test_arabic_example_reads_right_to_left() -> None:
    folder = next(p for p in FOLDERS if p.name.startswith("bd-arabe-"))
    manifest = load_manifest(folder)
    assert manifest["metadata"]["language"] == "ar"
    assert manifest["settings"]["direction"] == "rtl"
    assert comic_direction(manifest) == "rtl"
    assert ARABIC.search(manifest["metadata"]["title"])
    for panel, element in elements(manifest):
        if "text" in element:
            assert ARABIC.search(element["text"]), f"{panel['id']}/{element['id']}"
    for page in manifest["pages"]:
        for panel in page["panels"]:
            assert ARABIC.search(panel["alt"]), panel["id"]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_no_bubble_overflows(folder: Path) -> None:
    from imaginecole.comic.render import render_warnings

    manifest = load_manifest(folder)
    assert [w.render("en") for w in render_warnings(manifest, folder)] == []


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_grain_validate_reports_a_valid_comic(folder: Path, capsys) -> None:
    from imaginecole.cli import main

    assert main(["grain", "validate", str(folder), "--lang", "en"]) == 0
    manifest = load_manifest(folder)
    pages = len(manifest["pages"])
    panels = sum(len(page["panels"]) for page in manifest["pages"])
    assert (
        f"valid comic « {manifest['metadata']['title']} » ({pages} page(s), {panels} panel(s))"
        in (capsys.readouterr().out)
    )
