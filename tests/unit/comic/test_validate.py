"""Comic validation: the schema, clear problems at their paths, limits, media, export checks."""

from __future__ import annotations

import copy
import json
import shutil
import struct
import zlib
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from imaginecole.bundle import grain_schema, validate_manifest
from imaginecole.comic import comic_export_problems, comic_schema, validate_comic

ECOLE = Path(__file__).parents[2] / "fixtures" / "comics" / "ecole"


def ecole() -> dict:
    return json.loads((ECOLE / "manifest.json").read_text("utf-8"))


def problems(manifest, folder=None, language="en") -> dict[str, str]:
    return {p.path: p.message.render(language) for p in validate_comic(manifest, folder)}


@pytest.fixture
def bundle(tmp_path) -> Path:
    folder = tmp_path / "ecole"
    shutil.copytree(ECOLE, folder)
    return folder


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header declares width x height (the pixels are not needed to refuse it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_the_fixture_is_valid_with_its_media_and_ready_for_export(bundle):
    assert validate_comic(ecole(), bundle) == []
    assert comic_export_problems(ecole(), bundle) == []
    # the generic bundle validator dispatches to the comic validator
    assert validate_manifest(ecole(), bundle) == []


def test_the_schema_is_draft_2020_12_and_reuses_the_grain_metadata():
    schema = comic_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["metadata"] == {
        "$ref": "https://imaginecole.org/schemas/grain/1/grain.schema.json#/$defs/metadata"
    }
    registry = Registry().with_resources(
        [(s["$id"], Resource.from_contents(s)) for s in (grain_schema(), schema)]
    )
    validator = jsonschema.Draft202012Validator(schema, registry=registry)
    assert list(validator.iter_errors(ecole())) == []
    broken = ecole()
    broken["metadata"]["licence"] = "all rights reserved"
    assert [e.json_path for e in validator.iter_errors(broken)] == ["$.metadata.licence"]


def test_a_grain_is_still_checked_by_the_grain_validator():
    comic = ecole()
    comic["type"] = "grain"
    found = [(p.path, p.message.render("en")) for p in validate_manifest(comic)]
    assert ("", "required field « kind » is missing") in found
    assert ("", "required field « questions » is missing") in found
    assert any(path == "" and "pages" in text for path, text in found)  # unknown to a grain


def test_an_unknown_art_ref_is_reported_at_its_path():
    manifest = ecole()
    manifest["pages"][0]["panels"][1]["elements"][1]["art"] = "openmoji:1F4D7-FFFF"
    manifest["cast"][0]["art"] = "openmoji:ABCDEF"
    found = problems(manifest)
    assert set(found) == {"pages[0].panels[1].elements[1].art", "cast[0].art"}
    assert "openmoji:1F4D7-FFFF" in found["pages[0].panels[1].elements[1].art"]
    assert "palette" in found["pages[0].panels[1].elements[1].art"]
    fr = problems(manifest, language="fr")["cast[0].art"]
    assert "inconnu" in fr or "introuvable" in fr


def test_an_art_ref_that_is_not_openmoji_is_explained():
    manifest = ecole()
    manifest["pages"][0]["panels"][0]["elements"][1]["art"] = "emoji:girl"
    assert "openmoji:1F469-1F3FE" in problems(manifest)["pages[0].panels[0].elements[1].art"]


def test_61_pages_are_refused():
    manifest = ecole()
    page = manifest["pages"][1]
    manifest["pages"] = []
    for n in range(61):
        copy_ = copy.deepcopy(page)
        copy_["id"] = f"p{n}"
        for k, panel in enumerate(copy_["panels"]):
            panel["id"] = f"p{n}-{k}"
        manifest["pages"].append(copy_)
    found = problems(manifest)
    assert list(found) == ["pages"]
    assert "at most 60 pages" in found["pages"] and "61" in found["pages"]
    manifest["pages"].pop()
    assert problems(manifest) == {}


def test_more_panels_than_slots_names_the_page():
    manifest = ecole()
    extra = copy.deepcopy(manifest["pages"][0]["panels"][0])
    extra["id"] = "p1-4"
    manifest["pages"][0]["panels"].append(extra)
    message = problems(manifest)["pages[0].panels"]
    assert "page 1 has 4 panels" in message and "strip3" in message and "holds 3" in message
    manifest["pages"][0]["layout"] = "grid4"
    assert problems(manifest) == {}


def test_rows_layout_needs_rows_and_other_layouts_refuse_them():
    manifest = ecole()
    manifest["pages"][0]["layout"] = "rows"
    assert "[2, 1]" in problems(manifest)["pages[0].rows"]
    manifest["pages"][0]["rows"] = [1, 2]
    assert problems(manifest) == {}
    manifest["pages"][0]["rows"] = [1, 1]
    assert "holds 2" in problems(manifest)["pages[0].panels"]
    manifest["pages"][0]["layout"] = "strip3"
    assert "only used by" in problems(manifest)["pages[0].rows"]


def test_element_problems_are_checked_against_their_own_kind():
    manifest = ecole()
    elements = manifest["pages"][0]["panels"][0]["elements"]
    del elements[4]["text"]  # bubble
    elements[3]["rotate"] = 90  # sfx
    elements[0]["scale"] = 1  # caption has no scale
    elements[1]["kind"] = "monster"
    found = problems(manifest)
    at = "pages[0].panels[0].elements"
    assert found[f"{at}[4]"] == "required field « text » is missing"
    assert found[f"{at}[3].rotate"].startswith("« 90 » is out of range")
    assert found[f"{at}[0]"] == "field(s) scale are not used by « caption » elements; remove them"
    assert found[f"{at}[1].kind"].startswith("« monster » is not allowed; use one of: character")


def test_bad_colours_and_backgrounds_are_explained():
    manifest = ecole()
    manifest["pages"][0]["panels"][2]["background"]["color"] = "beige"
    manifest["pages"][0]["panels"][0]["background"]["scene"] = "moon"
    found = problems(manifest)
    assert "#rrggbb" in found["pages[0].panels[2].background.color"]
    assert "classroom" in found["pages[0].panels[0].background.scene"]


def test_duplicate_ids_cast_and_speakers_are_checked():
    manifest = ecole()
    panel = manifest["pages"][1]["panels"][3]
    panel["elements"][1]["id"] = "e1"
    panel["elements"][0]["cast"] = "fatou"
    panel["elements"][2]["speaker"] = "b2"  # a bubble cannot speak
    manifest["pages"][1]["id"] = "p1"
    found = problems(manifest)
    at = "pages[1].panels[3].elements"
    assert "already used by pages[1].panels[3].elements[0]" in found[f"{at}[1].id"]
    assert "not in the cast" in found[f"{at}[0].cast"]
    assert "not a character, prop or image of this panel" in found[f"{at}[2].speaker"]
    assert "already used by pages[0]" in found["pages[1].id"]


def test_html_in_comic_text_is_refused_but_comparisons_are_fine():
    manifest = ecole()
    elements = manifest["pages"][0]["panels"][0]["elements"]
    elements[4]["text"] = "Il fait <b>chaud</b>"
    elements[0]["text"] = "3 < 5 et 5 > 3 & c'est vrai"
    manifest["pages"][0]["panels"][1]["alt"] = '<img src=x onerror="alert(1)">'
    found = problems(manifest)
    assert set(found) == {"pages[0].panels[0].elements[4].text", "pages[0].panels[1].alt"}
    assert "plain text" in found["pages[0].panels[0].elements[4].text"]


def test_limits_of_panels_elements_and_text():
    manifest = ecole()
    page = manifest["pages"][1]
    page["layout"] = "webtoon"
    for n in range(9):
        extra = copy.deepcopy(page["panels"][0])
        extra["id"] = f"x{n}"
        page["panels"].append(extra)
    assert "at most 12 panels" in problems(manifest)["pages[1].panels"]
    manifest = ecole()
    panel = manifest["pages"][0]["panels"][0]
    panel["elements"] += [
        {"id": f"z{n}", "kind": "prop", "art": "openmoji:1F4D6", "x": 0.5, "y": 0.5}
        for n in range(36)
    ]
    panel["elements"][4]["text"] = "a" * 401
    found = problems(manifest)
    assert "at most 40 elements" in found["pages[0].panels[0].elements"]
    assert "401 characters" in found["pages[0].panels[0].elements[4].text"]


def test_media_must_exist_in_the_bundle(bundle):
    manifest = ecole()
    image = manifest["pages"][1]["panels"][0]["elements"][1]
    image["src"] = "media/absent.png"
    manifest["pages"][0]["panels"][0]["background"] = {"kind": "image", "src": "media/x.gif"}
    manifest["pages"][0]["panels"][1]["audio"] = {"src": "media/son.mp3", "transcript": "Oh"}
    found = problems(manifest, bundle)
    assert "missing from the bundle" in found["pages[1].panels[0].elements[1].src"]
    assert "not an allowed image file (.gif)" in found["pages[0].panels[0].background.src"]
    assert "missing" in found["pages[0].panels[1].audio.src"]
    # without the folder, only the names are checked
    assert set(problems(manifest)) == {"pages[0].panels[0].background.src"}


def test_a_huge_image_is_refused_with_its_name(bundle):
    (bundle / "media" / "carte.png").write_bytes(png_header(9000, 600))
    message = problems(ecole(), bundle)["pages[1].panels[0].elements[1].src"]
    assert "media/carte.png" in message and "9000x600" in message and "8000x8000" in message
    (bundle / "media" / "carte.png").write_bytes(png_header(50000, 50000))  # a decompression bomb
    assert "8000" in problems(ecole(), bundle)["pages[1].panels[0].elements[1].src"]


def test_a_file_over_20_mb_is_refused(bundle):
    with (bundle / "media" / "carte.png").open("r+b") as fh:
        fh.truncate(21 * 1024 * 1024)
    message = problems(ecole(), bundle)["pages[1].panels[0].elements[1].src"]
    assert "21.0 MB" in message and "20 MB" in message


def test_a_file_whose_content_lies_about_its_type_is_refused(bundle):
    (bundle / "media" / "carte.png").write_bytes(b"GIF89a" + b"\0" * 40)
    assert "extension" in problems(ecole(), bundle)["pages[1].panels[0].elements[1].src"]


@pytest.mark.parametrize(
    ("svg", "why"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5"/></svg>', None),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "script"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "onload"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<image x:href="https://evil.example/a.png"/></svg>',
            "evil.example",
        ),
        (b"<html><body/></html>", "not an SVG"),
        (b"<svg", "cannot be read"),
    ],
    ids=["clean", "script", "handler", "outside-link", "not-svg", "broken"],
)
def test_svg_images_must_be_self_contained_and_script_free(bundle, svg, why):
    (bundle / "media" / "dessin.svg").write_bytes(svg)
    manifest = ecole()
    manifest["pages"][1]["panels"][0]["elements"][1]["src"] = "media/dessin.svg"
    found = problems(manifest, bundle)
    if why is None:
        assert found == {}
    else:
        assert why in found["pages[1].panels[0].elements[1].src"]


def test_export_requires_alt_texts_and_transcripts(bundle):
    manifest = ecole()
    manifest["pages"][0]["panels"][1]["alt"] = "  "
    manifest["pages"][1]["panels"][0]["elements"][1]["alt"] = ""
    (bundle / "media" / "son.mp3").write_bytes(b"ID3" + b"\0" * 40)
    manifest["pages"][1]["panels"][2]["audio"] = {"src": "media/son.mp3"}
    # a draft may be saved like this
    assert validate_comic(manifest, bundle) == []
    found = {p.path: p for p in comic_export_problems(manifest, bundle)}
    assert list(found) == [
        "pages[0].panels[1].alt",
        "pages[1].panels[0].elements[1].alt",
        "pages[1].panels[2].audio.transcript",
    ]
    assert "panel 2 of page 1" in found["pages[0].panels[1].alt"].message.render("en")
    assert "case 2 de la page 1" in found["pages[0].panels[1].alt"].message.render("fr")


def test_problems_read_in_french():
    manifest = ecole()
    manifest["pages"][0]["panels"][0]["elements"][4]["speaker"] = "zz"
    fr = problems(manifest, language="fr")["pages[0].panels[0].elements[4].speaker"]
    assert fr.startswith("« zz »") and "case" in fr
