"""Comic model: page sizes, panel layouts, starter comics, transcripts, bundle round trip."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from imaginecole.bundle import (
    BundleError,
    load_manifest,
    sanitize_manifest,
    save_manifest,
    upgrade_manifest,
)
from imaginecole.comic import (
    LAYOUTS,
    Rect,
    comic_direction,
    new_comic,
    page_size,
    panel_rects,
    transcript,
    transcript_text,
    validate_comic,
)

ECOLE = Path(__file__).parents[2] / "fixtures" / "comics" / "ecole"


def ecole() -> dict:
    return json.loads((ECOLE / "manifest.json").read_text("utf-8"))


def comic_with(layout: str, panels: int, **settings) -> dict:
    manifest = new_comic("fr")
    manifest["settings"].update(settings)
    page = {"id": "p1", "layout": layout, "panels": []}
    for n in range(panels):
        page["panels"].append({"id": f"c{n}", "elements": [], "alt": f"case {n}"})
    manifest["pages"] = [page]
    return manifest


# -- page sizes and layouts -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "size"), [("a4", (1240, 1754)), ("square", (1400, 1400))], ids=["a4", "square"]
)
def test_page_size_follows_the_format(fmt, size):
    assert page_size(comic_with("grid4", 4, format=fmt), 0) == size


def test_a_webtoon_page_grows_with_its_panels():
    short = page_size(comic_with("webtoon", 2, format="webtoon"), 0)
    tall = page_size(comic_with("webtoon", 5, format="webtoon"), 0)
    assert short[0] == tall[0] == 800
    assert tall[1] > short[1]
    # 3 more rows of (800 - 2*40) * 0.75 = 540 px and 3 more 24 px gutters
    assert tall[1] - short[1] == 3 * (540 + 24)


@pytest.mark.parametrize("layout", ["strip3", "grid4", "grid6"])
def test_fixed_layouts_have_their_number_of_slots(layout):
    rects = panel_rects(comic_with(layout, 1), 0)
    assert len(rects) == sum(LAYOUTS[layout])


def _assert_tiles_the_page(rects: list[Rect], width: float, height: float, margin, gutter):
    for r in rects:
        assert margin - 1e-6 <= r.x and r.right <= width - margin + 1e-6
        assert margin - 1e-6 <= r.y and r.bottom <= height - margin + 1e-6
        assert r.w > 0 and r.h > 0
    for a in rects:
        for b in rects:
            if a is b:
                continue
            apart_x = a.right + gutter <= b.x + 1e-6 or b.right + gutter <= a.x + 1e-6
            apart_y = a.bottom + gutter <= b.y + 1e-6 or b.bottom + gutter <= a.y + 1e-6
            assert apart_x or apart_y, f"{a} and {b} are closer than the gutter"


def test_rows_layout_fills_the_page_inside_margins_and_gutters():
    manifest = comic_with("rows", 6, margin=50, gutter=30)
    manifest["pages"][0]["rows"] = [2, 1, 3]
    rects = panel_rects(manifest, 0)
    width, height = page_size(manifest, 0)
    assert len(rects) == 6
    _assert_tiles_the_page(rects, width, height, 50, 30)
    # each row spans the inner width exactly: cells plus gutters
    for row in ([rects[0], rects[1]], [rects[2]], [rects[3], rects[4], rects[5]]):
        assert sum(r.w for r in row) + 30 * (len(row) - 1) == pytest.approx(width - 100)
        assert len({r.y for r in row}) == 1
    # and the rows span the inner height
    assert rects[0].y == 50
    assert rects[5].bottom == pytest.approx(height - 50)
    assert sum(r.h for r in (rects[0], rects[2], rects[3])) + 2 * 30 == pytest.approx(height - 100)


def test_a_page_gutter_overrides_the_comic_gutter():
    manifest = comic_with("grid4", 4, gutter=24)
    manifest["pages"][0]["gutter"] = 0
    rects = panel_rects(manifest, 0)
    assert rects[0].right == pytest.approx(rects[1].x)


def test_rtl_slots_run_right_to_left_row_by_row():
    ltr = panel_rects(comic_with("grid4", 4, direction="ltr"), 0)
    rtl = panel_rects(comic_with("grid4", 4, direction="rtl"), 0)
    assert ltr[0].x < ltr[1].x and ltr[0].y == ltr[1].y < ltr[2].y
    assert rtl[0].x > rtl[1].x and rtl[0].y == rtl[1].y < rtl[2].y
    # panel 1 of an Arabic comic sits where panel 2 of a French one does
    assert rtl[0] == ltr[1] and rtl[1] == ltr[0] and rtl[2] == ltr[3]


def test_arabic_comics_read_right_to_left_by_default():
    manifest = new_comic("ar")
    assert comic_direction(manifest) == "rtl"
    del manifest["settings"]["direction"]
    assert comic_direction(manifest) == "rtl"
    manifest["settings"]["direction"] = "ltr"
    assert comic_direction(manifest) == "ltr"
    assert comic_direction(new_comic("fr")) == "ltr"


def test_panel_rects_names_a_missing_page():
    with pytest.raises(IndexError, match="1 page"):
        panel_rects(new_comic(), 3)


# -- starter comics ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
@pytest.mark.parametrize("template", ["standard", "kindergarten"])
def test_new_comic_is_valid_and_in_the_language(language, template):
    manifest = new_comic(language, template, title=None, country="SN")
    assert validate_comic(manifest) == []
    assert manifest["type"] == "comic"
    assert manifest["metadata"]["language"] == language
    assert manifest["metadata"]["country"] == "SN"
    assert manifest["settings"]["audience"] == template
    bubble = manifest["pages"][0]["panels"][0]["elements"][1]
    assert bubble["text"] == {"fr": "Bonjour à tous !", "en": "Hello everyone!"}.get(
        language, bubble["text"]
    )
    if language == "ar":
        assert any("\u0600" <= ch <= "\u06ff" for ch in bubble["text"])


def test_the_kindergarten_template_has_big_art_and_few_words():
    standard = new_comic("fr", "standard")
    small = new_comic("fr", "kindergarten")
    assert small["settings"]["lettering"] == "andika"
    words = [e["text"] for p in small["pages"][0]["panels"] for e in p["elements"] if "text" in e]
    assert len(words) < sum(
        1 for p in standard["pages"][0]["panels"] for e in p["elements"] if "text" in e
    )
    assert (
        small["pages"][0]["panels"][0]["elements"][0]["scale"]
        > (standard["pages"][0]["panels"][0]["elements"][0]["scale"])
    )


def test_new_comic_refuses_an_unknown_template():
    with pytest.raises(BundleError, match="kindergarten"):
        new_comic("fr", "manga")


# -- the bundle functions work for comics -------------------------------------------------


def test_save_and_load_a_comic_through_the_bundle_functions(tmp_path):
    manifest = ecole()
    folder = tmp_path / "bd"
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "carte.png").write_bytes((ECOLE / "media" / "carte.png").read_bytes())
    save_manifest(folder, manifest)
    again = load_manifest(folder)
    assert again["pages"] == manifest["pages"]
    assert again["metadata"]["modified"] != "2026-11-28T09:00:00Z"
    assert upgrade_manifest(manifest) == manifest


def test_loading_a_broken_comic_names_the_problem(tmp_path):
    manifest = ecole()
    manifest["pages"][0]["panels"][0]["elements"][1]["art"] = "openmoji:ABCDE"
    folder = tmp_path / "bd"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(BundleError) as caught:
        load_manifest(folder)
    assert caught.value.render("fr").startswith(f"La BD {folder} n'est pas valide (2 problème(s))")
    assert [p.path for p in caught.value.problems] == [
        "pages[0].panels[0].elements[1].art",
        "pages[1].panels[0].elements[1].src",  # no media folder copied
    ]


def test_a_comic_from_a_newer_studio_is_refused():
    manifest = ecole()
    manifest["schema_version"] = 2
    with pytest.raises(BundleError, match="newer"):
        upgrade_manifest(manifest)


def test_sanitize_makes_comic_texts_plain_and_keeps_the_rest():
    manifest = ecole()
    bubble = manifest["pages"][0]["panels"][0]["elements"][4]
    bubble["text"] = "Bonjour <b>Moussa</b> ! 3 < 5 & 2 > 1<script>alert(1)</script>"
    manifest["pages"][0]["panels"][0]["alt"] = "Awa <img src=x onerror=alert(1)>salue"
    clean = sanitize_manifest(manifest)
    assert clean["pages"][0]["panels"][0]["elements"][4]["text"] == (
        "Bonjour Moussa ! 3 < 5 & 2 > 1alert(1)"
    )
    assert clean["pages"][0]["panels"][0]["alt"] == "Awa salue"
    assert validate_comic(clean) == []
    # untouched elsewhere, and the original is not modified
    assert clean["pages"][1] == manifest["pages"][1]
    assert "<b>" in manifest["pages"][0]["panels"][0]["elements"][4]["text"]


# -- transcript -------------------------------------------------------------------------


def test_transcript_reads_panels_in_order_with_names_and_styles():
    lines = [e.line for e in transcript(ecole(), "fr") if e.page == 1 and e.panel == 3]
    assert lines == [
        "Case 3 : La maîtresse appelle les élèves ; Awa chuchote qu'elle prêtera son cahier.",
        "Madame Sow (crie) : En rang, les enfants !",
        "Awa (chuchote) : Je te prête le mien.",
    ]
    english = [e.line for e in transcript(ecole(), "en") if e.page == 1 and e.panel == 2]
    assert english[1] == "Moussa (thinks): Oh non… j'ai oublié mon cahier !"


def test_transcript_orders_texts_top_to_bottom_then_by_reading_direction():
    manifest = ecole()
    panel = manifest["pages"][1]["panels"][3]  # two bubbles
    panel["elements"][2]["y"] = panel["elements"][3]["y"] = 0.2
    left_first = [e.text for e in transcript(manifest) if e.kind == "bubble"][-2:]
    manifest["settings"]["direction"] = "rtl"
    right_first = [e.text for e in transcript(manifest) if e.kind == "bubble"][-2:]
    assert left_first == ["Merci Awa, à demain !", "À demain !"]
    assert right_first == ["À demain !", "Merci Awa, à demain !"]


def test_a_speaker_without_cast_is_named_by_its_art():
    manifest = ecole()
    del manifest["pages"][0]["panels"][2]["elements"][0]["cast"]
    entries = [e for e in transcript(manifest, "fr") if e.panel_id == "p1-3"]
    assert entries[1].label == "Enseignante (crie)"
    assert entries[1].speaker == "Enseignante"
    assert entries[1].style == "shout"


def test_transcript_text_in_arabic_has_arabic_labels():
    text = transcript_text(ecole(), "ar")
    assert text.startswith("Une journée à l'école\n\nالصفحة 1\n")
    assert "Awa (همس)" in text


def test_transcript_includes_the_sound_transcript():
    manifest = copy.deepcopy(ecole())
    manifest["pages"][0]["panels"][0]["audio"] = {"src": "media/a.mp3", "transcript": "Dring !"}
    entries = [e for e in transcript(manifest, "fr") if e.panel_id == "p1-1"]
    assert entries[-1].kind == "audio"
    assert entries[-1].line == "Audio : Dring !"
