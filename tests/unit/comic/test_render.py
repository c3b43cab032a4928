"""Rendering comic pages: SVG structure, balloons, media, warnings, and PNGs against references.

Reference pages: each ``tests/fixtures/comics/reference/<name>.json`` is drawn to PNG and
compared pixel by pixel with ``<name>.png`` (a few anti-aliased pixels may differ). After a
deliberate change to the drawing, regenerate the references, LOOK at them, then commit them:

    IMAGINECOLE_REGEN_COMIC_REFERENCES=1 .venv/bin/pytest tests/unit/comic/test_render.py \
        -k reference_pages
"""

from __future__ import annotations

import base64
import copy
import io
import json
import math
import os
import re
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image, ImageChops

from imaginecole.comic import embed, raster, render
from imaginecole.comic.render import (
    page_svg_bytes,
    rasterize,
    rasterize_pages,
    render_page,
    render_png,
    render_warnings,
)
from imaginecole.i18n import ImaginecoleError
from tests.memory import peak_kib

REFERENCE = Path(__file__).parents[2] / "fixtures" / "comics" / "reference"
REGEN = os.environ.get("IMAGINECOLE_REGEN_COMIC_REFERENCES") == "1"
REFERENCE_WIDTH = 620
NS = {"s": "http://www.w3.org/2000/svg"}
HREF = "{http://www.w3.org/1999/xlink}href"
TEACHER = "openmoji:1F469-1F3FE-200D-1F3EB"
GIRL = "openmoji:1F467-1F3FF"
ACCENTS = "« éèêàçœ ÉÀ »"
ARABIC = "مرحبا يا أطفال"


def comic(*panels, layout="grid4", language="fr", **settings) -> dict:
    """A one-page comic holding `panels` (lists of elements)."""
    return {
        "schema_version": 1,
        "type": "comic",
        "id": "5e0e2b9c-8f1a-4d5b-9c3e-0000000000aa",
        "metadata": {"title": "Essai", "language": language, "licence": "CC-BY-SA-4.0"},
        "settings": {"format": "a4", "direction": "ltr", "lettering": "comic", **settings},
        "cast": [],
        "pages": [
            {
                "id": "p1",
                "layout": layout,
                "panels": [
                    {
                        "id": f"k{i + 1}",
                        "background": {"kind": "color", "color": "#ffffff"},
                        "alt": f"Case {i + 1}",
                        "elements": elements,
                    }
                    for i, elements in enumerate(panels)
                ],
            }
        ],
    }


def bubble(text, **extra) -> dict:
    return {"id": "b1", "kind": "bubble", "style": "speech", "text": text, "x": 0.5, "y": 0.3,
            "w": 0.6, "h": 0.3, "z": 10, **extra}  # fmt: skip


def character(**extra) -> dict:
    return {"id": "e1", "kind": "character", "art": GIRL, "x": 0.3, "y": 0.7, "scale": 0.5,
            **extra}  # fmt: skip


def element(root, el_id, panel_id="k1"):
    found = root.xpath(f"//s:g[@data-panel='{panel_id}']//s:g[@data-el='{el_id}']", namespaces=NS)
    assert len(found) == 1
    return found[0]


def png_image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def dark_bbox(img: Image.Image, box) -> tuple[int, int, int, int] | None:
    """Bounding box of the dark (text) pixels of `img` inside `box`."""
    gray = img.crop(box).convert("L").point(lambda v: 255 if v < 110 else 0)
    return gray.getbbox()


def panel_box(manifest, index=0, scale=1.0):
    rect = render.panel_rects(manifest, 0)[index]
    return tuple(round(v * scale) for v in (rect.x, rect.y, rect.right, rect.bottom))


def inside_bubble(manifest, el: dict, scale=1.0):
    """A box well inside the outline of balloon `el` of the first panel (text only)."""
    rect = render.panel_rects(manifest, 0)[0]
    cx, cy = rect.x + el["x"] * rect.w, rect.y + el["y"] * rect.h
    w, h = 0.6 * el["w"] * rect.w, 0.5 * el["h"] * rect.h
    return tuple(round(v * scale) for v in (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))


# reference pages


@pytest.mark.parametrize("name", ["bubbles", "arabic", "webtoon"])
def test_reference_pages(name):
    from imaginecole.comic import validate_comic

    manifest = json.loads((REFERENCE / f"{name}.json").read_text("utf-8"))
    assert validate_comic(manifest) == []
    assert [str(w) for w in render_warnings(manifest, None)] == []
    drawn = render_png(manifest, None, 0, width=REFERENCE_WIDTH)
    reference_path = REFERENCE / f"{name}.png"
    if REGEN:
        reference_path.write_bytes(drawn)
    got, want = png_image(drawn), png_image(reference_path.read_bytes())
    assert got.size == want.size
    diff = ImageChops.difference(got, want).convert("L")
    histogram = diff.histogram()
    changed = sum(histogram[40:]) / (got.width * got.height)
    mean = sum(i * n for i, n in enumerate(histogram)) / (got.width * got.height)
    assert changed < 0.003, f"{changed:.2%} of the pixels differ from {reference_path.name}"
    assert mean < 1.5


# the SVG


def test_page_structure():
    manifest = comic(
        [character(), bubble("Bonjour !", speaker="e1")],
        [
            {
                "id": "c1",
                "kind": "caption",
                "text": "Le soir",
                "x": 0.3,
                "y": 0.1,
                "w": 0.4,
                "h": 0.1,
            }
        ],  # fmt: skip
    )
    root = render_page(manifest, None, 0)
    assert root.get("viewBox") == "0 0 1240 1754"
    assert (root.get("width"), root.get("height")) == ("1240", "1754")
    assert root.get("role") == "img" and "Essai" in root.get("aria-label")
    panels = root.xpath("s:g[contains(@class, 'ic-panel')]", namespaces=NS)
    assert len(panels) == 4  # grid4: two panels and two blank framed slots
    assert [p.get("data-panel") for p in panels[:2]] == ["k1", "k2"]
    assert "ic-empty" in panels[2].get("class")
    first = panels[0]
    assert first.find("s:title", NS).text == "Case 1"  # "Panel 1" in French
    assert first.find("s:desc", NS).text == "Case 1"
    clip = first.xpath("s:g[@clip-path]", namespaces=NS)[0].get("clip-path")
    clip_id = re.fullmatch(r"url\(#(.+)\)", clip)[1]
    assert root.xpath(f"//s:clipPath[@id='{clip_id}']", namespaces=NS)
    assert first.xpath("s:rect[@class='ic-frame']", namespaces=NS)
    assert element(root, "e1").get("class") == "ic-el ic-character"
    assert element(root, "b1").get("class") == "ic-el ic-bubble"
    assert element(root, "c1", "k2").get("class") == "ic-el ic-caption"
    assert not root.xpath("//*[@class='ic-hit']")


def test_elements_are_drawn_in_z_order():
    manifest = comic(
        [
            bubble("haut", id="top", z=5),
            character(id="low", z=-1),
            character(id="mid1", z=2),
            character(id="mid2", z=2),
        ]
    )
    root = render_page(manifest, None, 0)
    order = [g.get("data-el") for g in root.xpath("//s:g[@data-el]", namespaces=NS)]
    assert order == ["low", "mid1", "mid2", "top"]


def test_editor_gets_a_hit_rectangle_per_element():
    manifest = comic([character(), bubble("Salut", speaker="e1")])
    root = render_page(manifest, None, 0, for_editor=True)
    for el_id in ("e1", "b1"):
        hit = element(root, el_id).xpath("s:rect[@class='ic-hit']", namespaces=NS)
        assert len(hit) == 1 and hit[0].get("fill") == "transparent"
    # the hit box of the character is its art box
    rect = render.panel_rects(manifest, 0)[0]
    hit = element(root, "e1").xpath("s:rect[@class='ic-hit']", namespaces=NS)[0]
    assert float(hit.get("height")) == pytest.approx(0.5 * rect.h)


def test_ids_are_unique_across_pages_and_references_resolve():
    manifest = comic([character(), character(id="e2", x=0.7), bubble("A", speaker="e1")])
    second = copy.deepcopy(manifest["pages"][0])
    second["id"] = "p2"
    manifest["pages"].append(second)
    seen: set[str] = set()
    for index in range(2):
        root = render_page(manifest, None, index)
        ids = [el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")]
        assert len(ids) == len(set(ids))
        assert not seen & set(ids)
        seen |= set(ids)
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for value in el.attrib.values():
                for ref in re.findall(r"url\(#([^)]+)\)", value):
                    assert ref in ids
            if el.get(HREF, "").startswith("#"):
                assert el.get(HREF)[1:] in ids
        # the same art twice is defined once and used twice
        symbols = root.xpath("//s:symbol", namespaces=NS)
        assert len(symbols) == 1
        assert len(root.xpath("//s:use", namespaces=NS)) == 2


def test_teacher_text_is_escaped():
    evil = '<script>alert("x")</script> & <tspan onload="x()">'
    svg = page_svg_bytes(comic([bubble(evil)]), None, 0)
    root = etree.fromstring(svg)
    assert not root.xpath("//s:script", namespaces=NS)
    assert not root.xpath("//@onload")
    spans = root.xpath("//s:g[@data-el='b1']//s:tspan", namespaces=NS)
    assert " ".join(s.text for s in spans) == evil


def test_flip_mirrors_the_art():
    root = render_page(comic([character(flip=True)]), None, 0)
    use = element(root, "e1").find("s:use", NS)
    assert "scale(-1,1)" in use.get("transform")


def test_gradient_angle_90_runs_top_to_bottom():
    manifest = comic([])
    manifest["pages"][0]["panels"][0]["background"] = {
        "kind": "gradient", "from": "#0000ff", "to": "#ffffff", "angle": 90
    }  # fmt: skip
    img = png_image(render_png(manifest, None, 0, width=620))
    x0, y0, x1, y1 = panel_box(manifest, 0, 0.5)
    top, bottom = img.getpixel(((x0 + x1) // 2, y0 + 8)), img.getpixel(((x0 + x1) // 2, y1 - 8))
    assert top[2] > 200 and top[0] < 60  # blue
    assert min(bottom) > 220  # white


# balloons


def _tip(path_d: str) -> tuple[float, float]:
    x, y = re.search(r"L([-\d.]+),([-\d.]+)Z$", path_d).groups()
    return float(x), float(y)


@pytest.mark.parametrize(("speaker_x", "bubble_x"), [(0.2, 0.7), (0.8, 0.3), (0.5, 0.5)])
def test_the_tail_points_at_the_speakers_head(speaker_x, bubble_x):
    manifest = comic(
        [character(x=speaker_x, y=0.72), bubble("Bonjour", speaker="e1", x=bubble_x, y=0.2)]
    )
    rect = render.panel_rects(manifest, 0)[0]
    root = render_page(manifest, None, 0)
    d = element(root, "b1").find("s:path", NS).get("d")
    tip = _tip(d)
    centre = (rect.x + bubble_x * rect.w, rect.y + 0.2 * rect.h)
    size = 0.5 * rect.h
    head = (rect.x + speaker_x * rect.w, rect.y + 0.72 * rect.h - render.HEAD_OFFSET * size)
    to_tip = math.atan2(tip[1] - centre[1], tip[0] - centre[0])
    to_head = math.atan2(head[1] - centre[1], head[0] - centre[0])
    assert abs(math.remainder(to_tip - to_head, 2 * math.pi)) < math.radians(2)
    # the tip leaves the balloon and stops short of the head
    a, b = 0.6 * rect.w / 2, 0.3 * rect.h / 2
    assert ((tip[0] - centre[0]) / a) ** 2 + ((tip[1] - centre[1]) / b) ** 2 > 1.05
    assert 0 < math.dist(tip, head) < math.dist(centre, head)
    # the tail starts at the outline point nearest the target
    start = tuple(map(float, re.match(r"M([-\d.]+),([-\d.]+)", d).groups()))
    assert math.dist(start, tip) < math.dist(centre, tip)


def test_a_given_tail_point_is_reached_exactly():
    manifest = comic([bubble("Ici", tail={"x": 0.9, "y": 0.9})])
    rect = render.panel_rects(manifest, 0)[0]
    d = element(render_page(manifest, None, 0), "b1").find("s:path", NS).get("d")
    assert _tip(d) == pytest.approx((rect.x + 0.9 * rect.w, rect.y + 0.9 * rect.h), abs=0.1)


def test_balloon_styles():
    manifest = comic(
        [character(), bubble("Hmm", style="thought", speaker="e1")],
        [character(), bubble("STOP", style="shout", speaker="e1")],
        [character(), bubble("psst", style="whisper", speaker="e1")],
        [bubble("Sans orateur")],
    )
    root = render_page(manifest, None, 0)
    thought = element(root, "b1", "k1")
    assert thought.find("s:path", NS).get("d").count("A") >= 8  # scalloped cloud
    assert len(thought.findall("s:circle", NS)) == 3  # trailing circles
    shout = element(root, "b1", "k2")
    assert shout.find("s:path", NS).get("d").count("L") >= 20  # spikes
    assert shout.find(".//s:text", NS).get("font-weight") == "bold"
    whisper = element(root, "b1", "k3")
    assert whisper.find("s:path", NS).get("stroke-dasharray")
    assert whisper.find(".//s:text", NS).get("font-style") == "italic"
    # no speaker, no tail point: no tail
    assert "L" not in element(root, "b1", "k4").find("s:path", NS).get("d")


def _font_size(root, el_id="b1", panel_id="k1"):
    return float(element(root, el_id, panel_id).find(".//s:text", NS).get("font-size"))


def test_bubble_text_shrinks_before_it_overflows():
    short = comic([bubble("Oui.")])
    longer = comic([bubble("Bonjour à tous ! " * 12)])
    assert _font_size(render_page(short, None, 0)) == render.BUBBLE_MAX_SIZE
    size = _font_size(render_page(longer, None, 0))
    assert render.MIN_SIZE < size < render.BUBBLE_MAX_SIZE
    assert render_warnings(longer, None) == []


def test_overflow_is_warned_naming_page_panel_and_bubble():
    manifest = comic([bubble("court")], [bubble("Beaucoup trop de mots. " * 15, id="b7", w=0.2,
                                                h=0.1)])  # fmt: skip
    warnings = render_warnings(manifest, None)
    assert len(warnings) == 1
    assert warnings[0].render("en") == (
        "Bubble b7 in panel 2, page 1 overflows: shorten the text or make the bubble bigger"
    )
    assert warnings[0].render("fr") == (
        "La bulle b7 de la case 2, page 1 déborde : raccourcissez le texte ou agrandissez la bulle"
    )
    root = render_page(manifest, None, 0)
    assert element(root, "b7", "k2").get("data-overflow") == "true"
    assert _font_size(root, "b7", "k2") == render.MIN_SIZE


def test_kindergarten_text_is_never_smaller_than_24():
    manifest = comic([bubble("Un deux trois quatre cinq six sept huit neuf dix. " * 3)],
                     audience="kindergarten")  # fmt: skip
    assert _font_size(render_page(manifest, None, 0)) >= 24


def test_accents_are_drawn():
    def drawn(text):
        manifest = comic([bubble(text, w=0.9)])
        img = png_image(render_png(manifest, None, 0, width=620))
        return img.crop(panel_box(manifest, 0, 0.5))

    accented, plain = drawn(ACCENTS), drawn("« eeeacoe EA »")
    assert dark_bbox(accented, (0, 0, *accented.size)) is not None
    # the accents add ink above the letters
    assert ImageChops.difference(accented, plain).getbbox() is not None
    root = render_page(comic([bubble(ACCENTS)]), None, 0)
    spans = root.xpath("//s:g[@data-el='b1']//s:tspan", namespaces=NS)
    assert "".join(s.text for s in spans).replace("\u00a0", " ") == ACCENTS


def test_arabic_is_shaped_and_right_to_left():
    def drawn(text):
        el = bubble(text, w=0.9)
        manifest = comic([el], language="ar")
        img = png_image(render_png(manifest, None, 0, width=1240))
        return dark_bbox(img, inside_bubble(manifest, el)), img

    (joined_box, joined), (cut_box, _cut) = drawn(ARABIC), drawn("\u200c".join(ARABIC))
    reversed_box, reversed_img = drawn(ARABIC[::-1])
    assert joined_box is not None and reversed_box is not None
    # joined letters are narrower than the same letters kept apart (no shaping)
    assert joined_box[2] - joined_box[0] < cut_box[2] - cut_box[0]
    assert ImageChops.difference(joined, reversed_img).getbbox() is not None
    root = render_page(comic([bubble(ARABIC)], language="ar"), None, 0)
    text = element(root, "b1").find(".//s:text", NS)
    assert text.get("direction") == "rtl" and "Amiri" in text.get("font-family")


def test_rtl_page_puts_panel_one_on_the_right():
    manifest = comic([], [], [], [], language="ar")
    manifest["settings"]["direction"] = "rtl"
    root = render_page(manifest, None, 0)

    def frame_x(panel_id):
        g = root.xpath(f"//s:g[@data-panel='{panel_id}']", namespaces=NS)[0]
        return float(g.find("s:rect[@class='ic-frame']", NS).get("x"))

    assert frame_x("k1") > frame_x("k2")
    assert frame_x("k3") > frame_x("k4")
    ltr = render_page(comic([], [], [], []), None, 0)
    g = ltr.xpath("//s:g[@data-panel='k1']", namespaces=NS)[0]
    assert float(g.find("s:rect[@class='ic-frame']", NS).get("x")) == frame_x("k2")


def test_extra_panels_are_warned():
    manifest = comic([], [], [], [], [], layout="grid4")
    assert [w.render("en") for w in render_warnings(manifest, None)] == [
        "Page 1 has 5 panels but its layout holds 4: the extra panels are not drawn"
    ]


# media


@pytest.fixture
def bundle(tmp_path):
    (tmp_path / "media").mkdir()
    return tmp_path


def image_element(src, **extra):
    return {"id": "i1", "kind": "image", "src": src, "alt": "photo", "x": 0.5, "y": 0.5,
            "scale": 0.5, **extra}  # fmt: skip


def embedded(root, el_id="i1"):
    href = element(root, el_id).find("s:image", NS).get(HREF)
    head, data = href.split(",", 1)
    return head, base64.b64decode(data)


def test_images_are_embedded_with_the_mime_type_of_their_bytes(bundle):
    Image.new("RGB", (40, 20), "red").save(bundle / "media" / "photo.jpg", "PNG")  # misnamed
    root = render_page(comic([image_element("media/photo.jpg")]), bundle, 0)
    head, data = embedded(root)
    assert head == "data:image/png;base64" and data.startswith(b"\x89PNG")
    image = element(root, "i1").find("s:image", NS)
    assert float(image.get("width")) == pytest.approx(2 * float(image.get("height")))
    assert image.find("s:title", NS).text == "photo"


def test_a_missing_image_is_a_placeholder_and_a_warning(bundle):
    manifest = comic([image_element("media/absent.png")])
    manifest["pages"][0]["panels"][0]["background"] = {"kind": "image", "src": "media/fond.jpg"}
    root = render_page(manifest, bundle, 0)
    assert element(root, "i1").xpath("s:g[@class='ic-missing']", namespaces=NS)
    panel = root.xpath("//s:g[@data-panel='k1']", namespaces=NS)[0]
    assert len(panel.xpath(".//s:g[@class='ic-missing']", namespaces=NS)) == 2
    assert [w.render("en") for w in render_warnings(manifest, bundle)] == [
        "Page 1, panel 1, background: the image « media/fond.jpg » is missing from the bundle",
        "Page 1, panel 1, element i1: the image « media/absent.png » is missing from the bundle",
    ]
    # and the placeholder is visible in the PNG: red ink where the image would be
    img = png_image(render_png(manifest, bundle, 0, width=620))
    crop = img.crop(panel_box(manifest, 0, 0.5))
    reds = [p for p in crop.get_flattened_data() if p[0] > 150 > p[1]]
    assert len(reds) > 200


def test_media_outside_the_bundle_is_not_read(bundle):
    (bundle / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    for src in ("media/../secret.png", "/etc/passwd", "../secret.png"):
        manifest = comic([image_element(src)])
        assert element(render_page(manifest, bundle, 0), "i1").xpath(
            "s:g[@class='ic-missing']", namespaces=NS
        )
        assert "media folder" in render_warnings(manifest, bundle)[0].render("en")


def test_unknown_art_is_a_placeholder_and_a_warning():
    manifest = comic([character(art="openmoji:ABCDE")])
    root = render_page(manifest, None, 0)
    assert element(root, "e1").xpath("s:g[@class='ic-missing']", namespaces=NS)
    assert [w.render("en") for w in render_warnings(manifest, None)] == [
        "Page 1, panel 1, element e1: unknown art « openmoji:ABCDE »"
    ]


def test_a_huge_image_is_shrunk_to_what_the_panel_needs(bundle):
    Image.linear_gradient("L").resize((6000, 6000)).save(bundle / "media" / "big.jpg")
    manifest = comic([image_element("media/big.jpg", scale=0.3)])
    manifest["pages"][0]["panels"][1:] = []
    root = render_page(manifest, bundle, 0)
    _head, data = embedded(root)
    shrunk = Image.open(io.BytesIO(data))
    drawn = float(element(root, "i1").find("s:image", NS).get("height"))
    assert shrunk.height <= 2 * drawn + 1 < 6000
    assert png_image(render_png(manifest, bundle, 0, width=300)).width == 300


def test_a_huge_png_renders_within_memory(bundle):
    Image.new("RGB", (6000, 6000), "#3366cc").save(bundle / "media" / "big.png", compress_level=1)
    manifest = comic([])
    manifest["pages"][0]["panels"][0]["background"] = {"kind": "image", "src": "media/big.png"}
    script = (
        "import json, sys\n"
        "from imaginecole.comic.render import render_png\n"
        "print(len(render_png(json.loads(sys.argv[1]), sys.argv[2], 0, width=310)))\n"
    )
    (size,), kib = peak_kib(script, json.dumps(manifest), str(bundle))
    assert int(size) > 1000
    # Pillow holds the decoded pixels at 4 bytes each (144 MB): once, not once per step
    assert kib < 400 * 1024, kib


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_photo_turned_by_its_exif_is_drawn_upright(bundle, fmt):
    exif = Image.Exif()
    exif[0x0112] = 6  # turn 90° clockwise to show
    photo = Image.new("RGB", (200, 100), "#3366cc")
    photo.save(bundle / "media" / f"turned.{fmt.lower()}", fmt, exif=exif)
    path = bundle / "media" / f"turned.{fmt.lower()}"
    assert embed.image_info(path)[1] == (100.0, 200.0)
    uri = embed.image_data_uri(path, 50, 100)
    drawn = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert drawn.height > drawn.width


def test_svg_media_is_sanitised(bundle):
    (bundle / "media" / "dessin.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 100 50" onload="steal()">'
        "<script>steal()</script>"
        '<foreignObject width="10" height="10"><p xmlns="http://www.w3.org/1999/xhtml">x</p>'
        "</foreignObject>"
        '<image xlink:href="file:///etc/passwd" width="10" height="10"/>'
        '<image href="https://example.org/track.png" width="10" height="10"/>'
        '<rect width="100" height="50" fill="url(https://example.org/x)" onclick="x()"/>'
        '<circle cx="50" cy="25" r="20" fill="green"/>'
        "</svg>",
        "utf-8",
    )
    root = render_page(comic([image_element("media/dessin.svg")]), bundle, 0)
    head, data = embedded(root)
    assert head == "data:image/svg+xml;base64"
    cleaned = data.decode("utf-8")
    for bad in ("script", "steal", "foreignObject", "onclick", "passwd", "example.org"):
        assert bad not in cleaned
    assert "<circle" in cleaned
    image = element(root, "i1").find("s:image", NS)
    assert float(image.get("width")) == pytest.approx(2 * float(image.get("height")))


def test_a_file_that_is_no_image_is_warned(bundle):
    (bundle / "media" / "notes.png").write_text("not an image", "utf-8")
    manifest = comic([image_element("media/notes.png")])
    assert "is not a PNG, JPEG" in render_warnings(manifest, bundle)[0].render("en")


# rasterising


def test_png_and_pdf():
    manifest = comic([character(), bubble("Bonjour", speaker="e1")])
    png = render_png(manifest, None, 0, width=400)
    assert png_image(png).size == (400, 566)
    pdf = rasterize(page_svg_bytes(manifest, None, 0), fmt="pdf")
    assert pdf.startswith(b"%PDF")
    two = rasterize_pages([page_svg_bytes(manifest, None, 0)] * 2, fmt="pdf")
    assert len(re.findall(rb"/Type\s*/Page\b", two)) == 2


def test_a_broken_svg_is_a_clear_error():
    with pytest.raises(ImaginecoleError, match="rsvg-convert could not draw the page"):
        rasterize(b"<svg")


def test_missing_rsvg_convert_names_the_debian_package(monkeypatch):
    monkeypatch.setattr(raster.shutil, "which", lambda name: None)
    with pytest.raises(ImaginecoleError, match="librsvg2-bin"):
        rasterize(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
