"""The art index (OpenMoji), variants, and the scene backgrounds."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from lxml import etree

from imaginecole.comic import SCENES, SKIN_TONES, art_index, art_label, art_svg, variant
from imaginecole.comic.art import (
    art_exists,
    art_item,
    attribution,
    expressions,
    openmoji_dir,
    scene_label,
    scene_path,
    scene_svg,
)
from imaginecole.i18n import locale_dir

SVG = "{http://www.w3.org/2000/svg}"
COMIC = Path(__file__).parents[3] / "imaginecole" / "comic"


def characters(**tags):
    return [
        item
        for item in art_index()
        if item.kind == "character" and all(item.tags.get(k) == v for k, v in tags.items())
    ]


def test_every_curated_ref_is_an_installed_openmoji_svg():
    missing = [
        item.ref
        for item in art_index()
        if not (openmoji_dir() / f"{item.ref.removeprefix('openmoji:')}.svg").is_file()
    ]
    assert missing == []
    refs = [item.ref for item in art_index()]
    assert len(refs) == len(set(refs)), "an art ref is listed twice"


def test_every_item_has_french_and_english_labels():
    for item in art_index():
        assert item.labels.get("fr") and item.labels.get("en"), item.ref
    assert art_label("openmoji:1F469-1F3FE-200D-1F3EB", "fr") == "Enseignante"
    assert art_label("openmoji:1F469-1F3FE-200D-1F3EB", "en") == "Woman teacher"
    assert art_label("openmoji:1F469-1F3FE-200D-1F3EB", "ar") == "معلمة"
    assert art_label("openmoji:1F469-1F3FE-200D-1F3EB", "wo") == "Enseignante"
    assert art_item("openmoji:1F469-1F3FE-200D-1F3EB").title("fr") == "Enseignante, peau foncée"
    # OpenMoji art outside the index is accepted and named by its code
    assert art_exists("openmoji:1F98A") and art_item("openmoji:1F98A") is None
    assert art_label("openmoji:1F98A") == "OpenMoji 1F98A"
    assert not art_exists("openmoji:1F98A-FFFFF")


@pytest.mark.parametrize("skin", SKIN_TONES)
def test_women_men_girls_boys_and_elders_in_every_skin_tone(skin):
    for gender, age in [
        ("female", "adult"),
        ("male", "adult"),
        ("female", "child"),
        ("male", "child"),
        ("female", "older"),
        ("male", "older"),
    ]:
        assert characters(gender=gender, age=age, skin=skin), (gender, age, skin)
    for hair in ("curly", "bald", "white", "headscarf"):
        assert characters(hair=hair, skin=skin), (hair, skin)
    for profession in ("teacher", "student", "farmer", "health-worker", "cook"):
        assert characters(profession=profession, skin=skin), (profession, skin)


def test_expressions_come_with_skin_tones_and_genders():
    wanted = {
        "raising-hand": "1F64B",
        "frowning": "1F64D",
        "pouting": "1F64E",
        "ok": "1F646",
        "no": "1F645",
        "shrug": "1F937",
        "facepalm": "1F926",
        "tipping-hand": "1F481",
        "bowing": "1F647",
    }
    assert set(wanted) <= set(expressions())
    for expression, code in wanted.items():
        found = characters(expression=expression)
        assert {i.tags["gender"] for i in found} == {"female", "male", "neutral"}
        assert {i.tags["skin"] for i in found} == set(SKIN_TONES)
        assert all(i.ref.startswith(f"openmoji:{code}-") for i in found)


def test_props_and_faces():
    props = {item.labels["en"] for item in art_index() if item.kind == "prop"}
    for name in ("Open book", "Pencil", "Football", "Tree", "House", "Mobile phone", "Bicycle"):
        assert name in props
    for name in ("Goat", "Chicken", "Cow", "Sun", "Moon"):
        assert name in props
    faces = {item.ref for item in art_index() if item.tags.get("group") == "faces"}
    assert {f"openmoji:{c}" for c in ("1F600", "1F642", "1F622", "1F62E", "1F621", "1F914")} <= (
        faces
    )


def test_variant_switches_skin_tone_and_keeps_the_drawing():
    teacher = "openmoji:1F469-1F3FE-200D-1F3EB"
    assert variant(teacher, skin="light") == "openmoji:1F469-1F3FB-200D-1F3EB"
    assert variant(teacher, skin="dark") == "openmoji:1F469-1F3FF-200D-1F3EB"
    assert variant(teacher) == teacher
    assert variant("openmoji:1F9D5-1F3FD", skin="dark") == "openmoji:1F9D5-1F3FF"


def test_variant_switches_pose_and_keeps_gender_and_skin():
    assert variant("openmoji:1F469-1F3FF", expression="raising-hand") == (
        "openmoji:1F64B-1F3FF-200D-2640-FE0F"
    )
    assert variant("openmoji:1F468-1F3FC", expression="shrug") == (
        "openmoji:1F937-1F3FC-200D-2642-FE0F"
    )
    back = variant("openmoji:1F64B-1F3FF-200D-2640-FE0F", expression="neutral")
    assert back == "openmoji:1F469-1F3FF"
    both = variant("openmoji:1F926-1F3FB-200D-2642-FE0F", skin="dark", expression="bowing")
    assert both == "openmoji:1F647-1F3FF-200D-2642-FE0F"
    # props and unknown art have no variants
    assert variant("openmoji:1F4D6", skin="dark") == "openmoji:1F4D6"
    assert variant("openmoji:1F98A", expression="shrug") == "openmoji:1F98A"


def test_art_svg_is_a_72_px_svg_with_ids_unique_per_use():
    first = art_svg("openmoji:1F469-1F3FE-200D-1F3EB")
    second = art_svg("openmoji:1F469-1F3FE-200D-1F3EB")
    assert first.tag == f"{SVG}svg" and first.get("viewBox") == "0 0 72 72"
    ids_a = {n.get("id") for n in first.iter() if n.get("id")}
    ids_b = {n.get("id") for n in second.iter() if n.get("id")}
    assert ids_a and not ids_a & ids_b
    named = art_svg("openmoji:1F4D6", prefix="p1-e2-")
    assert all(n.get("id").startswith("p1-e2-") for n in named.iter() if n.get("id"))
    with pytest.raises(KeyError):
        art_svg("openmoji:FFFFF")


def test_attribution_names_openmoji_and_the_licence():
    assert "OpenMoji" in attribution("fr") and "CC BY-SA 4.0" in attribution("fr")
    assert attribution("fr") != attribution("en")


@pytest.mark.parametrize("name", SCENES)
def test_scenes_are_self_contained_drawings_without_text(name):
    root = etree.parse(str(scene_path(name))).getroot()
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == "0 0 1600 1000"
    tags = {etree.QName(n).localname for n in root.iter() if isinstance(n.tag, str)}
    assert not tags & {"text", "tspan", "image", "script", "foreignObject", "style", "use"}
    shapes = [n for n in root.iter() if etree.QName(n).localname in ("rect", "path", "circle")]
    assert len(shapes) >= 15, "a scene is more than a few shapes"
    for node in root.iter():
        for attr, value in node.attrib.items():
            assert "http" not in value or attr == "xmlns", (attr, value)
            assert "url(" not in value or value.startswith("url(#"), value
    for language in ("fr", "en", "ar"):
        assert scene_label(name, language) != name or language == "en"
    # a copy with unique ids keeps its gradients working
    copy = scene_svg(name, prefix="s9-")
    ids = {n.get("id") for n in copy.iter() if n.get("id")}
    refs = {v[5:-1] for n in copy.iter() for v in n.attrib.values() if v.startswith("url(#")}
    assert refs <= ids and all(i.startswith("s9-") for i in ids)


def test_nine_scenes_at_least():
    assert {
        "classroom", "schoolyard", "village", "market", "savanna",
        "city", "home", "night", "river",
    } <= set(SCENES)  # fmt: skip
    assert scene_label("classroom", "fr") == "Salle de classe"


def _messages(*names: str) -> set[str]:
    keywords = {"Message": None, "N_": None, "say": None}
    return {
        message
        for name in names
        for _line, message, _comments, _context in extract_from_file(
            "python", COMIC / name, keywords
        )
    }


@pytest.mark.parametrize(
    ("language", "files"),
    [
        ("fr", ("validate.py", "model.py", "transcript.py", "art.py")),
        ("ar", ("model.py", "transcript.py", "art.py")),
    ],
)
def test_every_comic_message_is_translated(language, files):
    found = _messages(*files)
    assert len(found) > 10
    with (locale_dir() / language / "LC_MESSAGES" / "imaginecole.po").open("rb") as fh:
        catalog = read_po(fh, locale=language)
    missing = sorted(m for m in found if not (catalog.get(m) and catalog.get(m).string))
    assert missing == []


def test_the_schema_offers_exactly_the_scenes_that_exist():
    from imaginecole.comic import comic_schema

    assert comic_schema()["$defs"]["scene"]["enum"] == list(SCENES)
    assert all(scene_path(name).is_file() for name in SCENES)
