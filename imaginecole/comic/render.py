"""One renderer for comic pages: manifest -> SVG (editor, reader, EPUB) -> PNG / PDF.

``render_page`` builds the lxml tree of one page; ``page_svg_bytes`` serialises it as a
standalone SVG (images as data: URIs, fonts by family name); ``rasterize`` (raster.py)
turns SVG into PNG or PDF with Debian's ``rsvg-convert``, whose Pango shapes Arabic;
``render_warnings`` lists what a teacher should fix (text that overflows its balloon,
missing images, unknown art).

Each distinct art is put once per page in ``<defs>`` as a ``<symbol>`` and drawn with
``<use>``; all ids carry a prefix unique to the comic and page, so several pages can be
inlined in one HTML document.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import math
import re
from pathlib import Path
from typing import Any

from lxml import etree

from ..i18n import N_, Message
from . import bubbles, embed, lettering
from .layout import Rect, comic_direction, page_size, panel_rects
from .raster import rasterize, rasterize_pages
from .svgids import prefix_ids

__all__ = [
    "page_svg_bytes",
    "rasterize",
    "rasterize_pages",
    "render_page",
    "render_png",
    "render_warnings",
]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_S = f"{{{SVG_NS}}}"
_HREF = f"{{{XLINK_NS}}}href"
NSMAP = {None: SVG_NS, "xlink": XLINK_NS}

FRAME_WIDTH = 4
#: Height of an element as a share of its panel when the manifest gives no ``scale``.
DEFAULT_SCALE = {"character": 0.5, "prop": 0.25, "image": 0.4, "sfx": 0.14}
BUBBLE_MAX_SIZE = 28
CAPTION_MAX_SIZE = 24
MIN_SIZE = 14
KINDERGARTEN_MIN_SIZE = 24
KINDERGARTEN_MAX_SIZE = 40
CAPTION_FILL = "#fff4b0"
SFX_COLOR = "#e0301e"
OVERFLOWS = {
    "bubble": N_(
        "Bubble {bubble} in panel {panel}, page {page} overflows: "
        "shorten the text or make the bubble bigger"
    ),
    "caption": N_(
        "Caption {caption} in panel {panel}, page {page} overflows: "
        "shorten the text or make the caption bigger"
    ),
}
#: The head of an OpenMoji person sits this share of its height above the art's centre.
HEAD_OFFSET = 0.12


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _sub(parent: etree._Element, tag: str, **attrs: Any) -> etree._Element:
    el = etree.SubElement(parent, _S + tag)
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        el.set(name, _num(value) if isinstance(value, float) else str(value))
    return el


def _rect(
    parent: etree._Element,
    x: float,
    y: float,
    w: float,
    h: float,
    class_: str | None = None,
    **attrs,
) -> etree._Element:
    """A ``<rect>`` at (x, y), `w` by `h`, its class (when given) first, then `attrs`."""
    return _sub(parent, "rect", class_=class_, x=x, y=y, width=w, height=h, **attrs)


def _float(el: dict[str, Any], key: str, default: float) -> float:
    value = el.get(key, default)
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default
    )


@functools.lru_cache(maxsize=512)
def _parsed_svg(path: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    return etree.parse(path, parser).getroot()


def _art_root(ref: str) -> etree._Element | None:
    from . import art

    path = art.art_path(ref) if isinstance(ref, str) else None
    if path is None or not path.is_file():
        return None
    return _parsed_svg(str(path))


def _scene_root(name: str) -> etree._Element | None:
    if not isinstance(name, str) or not re.fullmatch(r"[a-z_]{1,40}", name):
        return None
    path = Path(__file__).parent / "scenes" / f"{name}.svg"
    return _parsed_svg(str(path)) if path.is_file() else None


class _Page:
    """Builds the SVG of one page and collects the warnings met on the way."""

    def __init__(
        self,
        manifest: dict[str, Any],
        folder: Path | str | None,
        page_index: int,
        *,
        for_editor: bool = False,
        embed_media: bool = True,
    ) -> None:
        self.manifest = manifest
        self.folder = Path(folder) if folder is not None else None
        self.page_index = page_index
        self.page = manifest["pages"][page_index]
        self.for_editor = for_editor
        self.embed_media = embed_media
        self.warnings: list[Message] = []
        settings = manifest.get("settings") or {}
        meta = manifest.get("metadata") or {}
        self.language = str(meta.get("language") or "fr")
        self.lettering = settings.get("lettering", "comic")
        kindergarten = settings.get("audience") == "kindergarten"
        self.min_size = KINDERGARTEN_MIN_SIZE if kindergarten else MIN_SIZE
        self.bubble_max = KINDERGARTEN_MAX_SIZE if kindergarten else BUBBLE_MAX_SIZE
        self.caption_max = KINDERGARTEN_MAX_SIZE if kindergarten else CAPTION_MAX_SIZE
        self.rtl = comic_direction(manifest) == "rtl"
        seed = f"{manifest.get('id', '')}/{self.page.get('id', page_index)}"
        self.prefix = f"ic{hashlib.sha1(seed.encode()).hexdigest()[:8]}-"
        self.symbols: dict[str, str] = {}
        self.counter = 0

    # ids and shared definitions
    def new_id(self, kind: str) -> str:
        self.counter += 1
        return f"{self.prefix}{kind}{self.counter}"

    def symbol(self, key: str, root: etree._Element | None, view_box: str, aspect: str | None):
        """The id of a <symbol> holding a copy of `root`, added to <defs> once per page."""
        if key in self.symbols:
            return self.symbols[key]
        if root is None:
            return None
        sid = self.new_id("s")
        symbol = _sub(self.defs, "symbol", id=sid, viewBox=view_box, preserveAspectRatio=aspect)
        for child in root:
            if isinstance(child.tag, str):
                symbol.append(copy.deepcopy(child))
        prefix_ids(symbol, sid + "-")
        symbol.set("id", sid)
        self.symbols[key] = sid
        return sid

    def where(self, panel_number: int, element_id: str | None, problem: Message) -> None:
        """Warn about `problem` in an element of a panel, or in its background (no element)."""
        place = {"page": self.page_index + 1, "panel": panel_number, "problem": problem}
        if element_id is None:
            message = Message("Page {page}, panel {panel}, background: {problem}", **place)
        else:
            message = Message(
                "Page {page}, panel {panel}, element {element}: {problem}",
                element=element_id,
                **place,
            )
        self.warnings.append(message)

    # the page
    def build(self) -> etree._Element:
        width, height = page_size(self.manifest, self.page_index)
        title = (self.manifest.get("metadata") or {}).get("title") or ""
        root = etree.Element(_S + "svg", nsmap=NSMAP)
        for key, value in (
            ("version", "1.1"),
            ("width", str(width)),
            ("height", str(height)),
            ("viewBox", f"0 0 {width} {height}"),
            ("role", "img"),
            ("class", "ic-page"),
            ("data-page", str(self.page.get("id", ""))),
            ("{http://www.w3.org/XML/1998/namespace}lang", self.language),
        ):
            root.set(key, value)
        root.set(
            "aria-label",
            Message("{title}, page {page}", title=title, page=self.page_index + 1).render(
                self.language
            ),
        )
        self.defs = _sub(root, "defs")
        _sub(root, "rect", x=0, y=0, width=width, height=height, fill="#ffffff")
        rects = panel_rects(self.manifest, self.page_index)
        panels = [p for p in self.page.get("panels") or [] if isinstance(p, dict)]
        if len(panels) > len(rects):
            self.warnings.append(
                Message(
                    "Page {page} has {count} panels but its layout holds {slots}: "
                    "the extra panels are not drawn",
                    page=self.page_index + 1,
                    count=len(panels),
                    slots=len(rects),
                )
            )
        for index, rect in enumerate(rects):
            if index < len(panels):
                self.panel(root, panels[index], index, rect)
            else:
                group = _sub(root, "g", class_="ic-panel ic-empty", data_slot=index)
                _sub(group, "rect", x=rect.x, y=rect.y, width=rect.w, height=rect.h, fill="#ffffff")
                self.frame(group, rect)
        return root

    def frame(self, group: etree._Element, rect: Rect) -> None:
        outline = {"fill": "none", "stroke": "#000000", "stroke_width": FRAME_WIDTH}
        _rect(group, rect.x, rect.y, rect.w, rect.h, "ic-frame", **outline)

    def panel(self, root: etree._Element, panel: dict, index: int, rect: Rect) -> None:
        number = index + 1
        group = _sub(root, "g", class_="ic-panel", data_panel=panel.get("id", ""), data_slot=index)
        _sub(group, "title").text = Message("Panel {n}", n=number).render(self.language)
        alt = panel.get("alt")
        if isinstance(alt, str) and alt:
            _sub(group, "desc").text = alt
        clip_id = self.new_id("clip")
        clip = _sub(self.defs, "clipPath", id=clip_id)
        _sub(clip, "rect", x=rect.x, y=rect.y, width=rect.w, height=rect.h)
        inner = _sub(group, "g", clip_path=f"url(#{clip_id})")
        self.background(inner, panel.get("background") or {}, rect, number)
        elements = [e for e in panel.get("elements") or [] if isinstance(e, dict)]
        by_id = {e.get("id"): e for e in elements}
        order = sorted(range(len(elements)), key=lambda i: (_float(elements[i], "z", 0), i))
        for i in order:
            self.element(inner, elements[i], rect, number, by_id)
        self.frame(group, rect)

    def background(self, parent: etree._Element, bg: dict, rect: Rect, number: int) -> None:
        box = {"x": rect.x, "y": rect.y, "width": rect.w, "height": rect.h}
        kind = bg.get("kind")
        if kind == "color":
            _sub(parent, "rect", **box, fill=bg.get("color", "#ffffff"), class_="ic-bg")
        elif kind == "gradient":
            angle = math.radians(_float(bg, "angle", 90))
            dx, dy = math.cos(angle) / 2, math.sin(angle) / 2
            gid = self.new_id("grad")
            grad = _sub(
                self.defs,
                "linearGradient",
                id=gid,
                x1=0.5 - dx,
                y1=0.5 - dy,
                x2=0.5 + dx,
                y2=0.5 + dy,
            )
            _sub(grad, "stop", offset=0, stop_color=bg.get("from", "#ffffff"))
            _sub(grad, "stop", offset=1, stop_color=bg.get("to", "#ffffff"))
            _sub(parent, "rect", **box, fill=f"url(#{gid})", class_="ic-bg")
        elif kind == "scene":
            name = bg.get("scene", "")
            sid = self.symbol(f"scene:{name}", _scene_root(name), "0 0 1600 1000", "xMidYMid slice")
            if sid is None:
                _sub(parent, "rect", **box, fill="#ffffff", class_="ic-bg")
                self.where(number, None, Message("unknown scene « {scene} »", scene=name))
            else:
                use = _sub(parent, "use", **box, class_="ic-bg")
                use.set(_HREF, f"#{sid}")
        elif kind == "image":
            aspect = "xMidYMid meet" if bg.get("fit") == "contain" else "xMidYMid slice"
            _sub(parent, "rect", **box, fill="#ffffff", class_="ic-bg")
            try:
                href = self.media_href(bg.get("src", ""), rect.w, rect.h)
            except embed.MediaIssue as issue:
                self.placeholder(parent, rect.x, rect.y, rect.w, rect.h, bg.get("src", ""))
                self.where(number, None, issue.message)
            else:
                image = _sub(parent, "image", **box, preserveAspectRatio=aspect, class_="ic-bg")
                image.set(_HREF, href)
        else:
            _sub(parent, "rect", **box, fill="#ffffff", class_="ic-bg")

    def media_href(self, src: str, draw_w: float, draw_h: float) -> str:
        path = embed.media_file(self.folder, src)
        if not self.embed_media:
            embed.image_info(path)
            return src
        return embed.image_data_uri(path, draw_w, draw_h)

    def placeholder(self, parent, x: float, y: float, w: float, h: float, label: str) -> None:
        """A visible stand-in for an image that cannot be drawn: grey box, red cross, name."""
        group = _sub(parent, "g", class_="ic-missing")
        dashed = {"stroke": "#c0392b", "stroke_width": 3, "stroke_dasharray": "10 6"}
        _rect(group, x, y, w, h, fill="#eeeeee", **dashed)
        _sub(
            group,
            "path",
            d=f"M{_num(x)},{_num(y)}l{_num(w)},{_num(h)}"
            f"M{_num(x + w)},{_num(y)}l{_num(-w)},{_num(h)}",
            stroke="#c0392b",
            stroke_width=2,
            fill="none",
        )
        size = max(10.0, min(24.0, h / 6))
        text = _sub(
            group,
            "text",
            x=x + w / 2,
            y=y + h / 2 + size / 3,
            font_size=size,
            font_family=lettering.CSS_FAMILIES[lettering.COMIC],
            text_anchor="middle",
            fill="#c0392b",
        )
        text.text = "? " + label

    # elements
    def element(self, parent, el: dict, rect: Rect, number: int, by_id: dict) -> None:
        kind = el.get("kind")
        if kind not in ("character", "prop", "image", "bubble", "caption", "sfx"):
            return
        group = _sub(parent, "g", class_=f"ic-el ic-{kind}", data_el=el.get("id", ""))
        cx = rect.x + _float(el, "x", 0.5) * rect.w
        cy = rect.y + _float(el, "y", 0.5) * rect.h
        if kind in ("character", "prop"):
            box = self.art(group, el, rect, cx, cy, number)
        elif kind == "image":
            box = self.image(group, el, rect, cx, cy, number)
        elif kind == "bubble":
            box = self.bubble(group, el, rect, cx, cy, number, by_id)
        elif kind == "caption":
            box = self.caption(group, el, rect, cx, cy, number)
        else:
            box = self.sfx(group, el, rect, cx, cy)
        if self.for_editor:
            _rect(group, *box, "ic-hit", fill="transparent", stroke="none")

    def art(self, group, el, rect, cx, cy, number):
        size = _float(el, "scale", DEFAULT_SCALE[el["kind"]]) * rect.h
        x, y = cx - size / 2, cy - size / 2
        ref = el.get("art", "")
        sid = self.symbol(ref, _art_root(ref), "0 0 72 72", None)
        if sid is None:
            self.placeholder(group, x, y, size, size, str(ref))
            self.where(number, el.get("id", ""), Message("unknown art « {ref} »", ref=ref))
            return x, y, size, size
        use = _sub(group, "use", x=x, y=y, width=size, height=size)
        use.set(_HREF, f"#{sid}")
        if el.get("flip") is True:
            use.set("transform", f"translate({_num(2 * cx)},0) scale(-1,1)")
        return x, y, size, size

    def image(self, group, el, rect, cx, cy, number):
        h = _float(el, "scale", DEFAULT_SCALE["image"]) * rect.h
        src = el.get("src", "")
        try:
            path = embed.media_file(self.folder, src)
            _mime, (iw, ih) = embed.image_info(path)
            w = h * iw / ih if ih else h
            href = self.media_href(src, w, h)
        except embed.MediaIssue as issue:
            self.placeholder(group, cx - h / 2, cy - h / 2, h, h, str(src))
            self.where(number, el.get("id", ""), issue.message)
            return cx - h / 2, cy - h / 2, h, h
        x, y = cx - w / 2, cy - h / 2
        image = _sub(group, "image", x=x, y=y, width=w, height=h, preserveAspectRatio="none")
        image.set(_HREF, href)
        if el.get("flip") is True:
            image.set("transform", f"translate({_num(2 * cx)},0) scale(-1,1)")
        alt = el.get("alt")
        if isinstance(alt, str) and alt:
            _sub(image, "title").text = alt
        return x, y, w, h

    def speaker_target(self, el: dict, rect: Rect, by_id: dict):
        """(point, clearance) the tail aims at: the given tail point, else the speaker's head."""
        tail = el.get("tail")
        if isinstance(tail, dict):
            return (
                rect.x + _float(tail, "x", 0.5) * rect.w,
                rect.y + _float(tail, "y", 1.0) * rect.h,
            ), 0.0
        speaker = by_id.get(el.get("speaker"))
        if not isinstance(speaker, dict) or speaker.get("kind") not in (
            "character",
            "prop",
            "image",
        ):
            return None, 0.0
        size = _float(speaker, "scale", DEFAULT_SCALE[speaker["kind"]]) * rect.h
        sx = rect.x + _float(speaker, "x", 0.5) * rect.w
        sy = rect.y + _float(speaker, "y", 0.5) * rect.h
        if speaker["kind"] == "character":
            return (sx, sy - HEAD_OFFSET * size), bubbles.HEAD_CLEARANCE * size
        return (sx, sy), 0.35 * size

    def bubble(self, group, el, rect, cx, cy, number, by_id):
        style = el.get("style") if el.get("style") in bubbles.TEXT_ROOM else "speech"
        w, h = _float(el, "w", 0.4) * rect.w, _float(el, "h", 0.2) * rect.h
        ellipse = bubbles.Ellipse(cx, cy, max(w / 2, 1.0), max(h / 2, 1.0))
        target, clearance = self.speaker_target(el, rect, by_id)
        tip = bubbles.tail_tip(ellipse, target, clearance) if target else None
        d, circles = bubbles.outline(style, ellipse, tip, seed=str(el.get("id", "")))
        stroke = {"stroke": "#000000", "stroke_width": 3, "stroke_linejoin": "round"}
        if style == "whisper":
            stroke.update(stroke="#555555", stroke_dasharray="10 7")
        elif style == "shout":
            stroke.update(stroke_width=4, stroke_linejoin="miter")
        _sub(group, "path", class_="ic-balloon", d=d, fill="#ffffff", **stroke)
        for x, y, r in circles:
            _sub(group, "circle", cx=x, cy=y, r=r, fill="#ffffff", **stroke)
        room_w, room_h = bubbles.text_room(style, w, h)
        max_size = _float(el, "font_size", self.bubble_max)
        if style == "whisper":
            max_size = max(self.min_size, round(max_size * 0.85))
        fit = lettering.fit_text(
            str(el.get("text", "")),
            room_w,
            room_h,
            self.lettering,
            max_size,
            self.min_size,
            self.language,
            bold=style == "shout",
            italic=style == "whisper",
        )
        self.text(group, fit, cx, cy, "#444444" if style == "whisper" else "#000000")
        self.overflow(group, fit, el, number)
        return cx - w / 2, cy - h / 2, w, h

    def caption(self, group, el, rect, cx, cy, number):
        w, h = _float(el, "w", 0.4) * rect.w, _float(el, "h", 0.12) * rect.h
        x, y = cx - w / 2, cy - h / 2
        _rect(group, x, y, w, h, "ic-box", fill=CAPTION_FILL, stroke="#000000", stroke_width=2.5)
        pad = min(12.0, 0.12 * min(w, h))
        fit = lettering.fit_text(
            str(el.get("text", "")),
            w - 2 * pad,
            h - 2 * pad,
            self.lettering,
            _float(el, "font_size", self.caption_max),
            self.min_size,
            self.language,
        )
        self.text(group, fit, cx, cy, "#000000")
        self.overflow(group, fit, el, number)
        return x, y, w, h

    def overflow(self, group, fit: lettering.FitResult, el: dict, number: int) -> None:
        """Mark a bubble or caption whose text does not fit (`fit`), and warn about it."""
        if not fit.overflow:
            return
        group.set("data-overflow", "true")
        kind = el["kind"]
        where = {kind: el.get("id", ""), "panel": number, "page": self.page_index + 1}
        self.warnings.append(Message(OVERFLOWS[kind], **where))

    def sfx(self, group, el, rect, cx, cy):
        text = str(el.get("text", ""))
        size = _float(el, "scale", DEFAULT_SCALE["sfx"]) * rect.h
        family = lettering.family_for(text, self.lettering)
        width = lettering.text_width(text, family, size, bold=True)
        ascent, descent = lettering.ascent_ratio(family, bold=True)
        rotate = _float(el, "rotate", 0.0)
        if rotate:
            group.set("transform", f"rotate({_num(rotate)} {_num(cx)} {_num(cy)})")
        node = _sub(
            group,
            "text",
            x=cx,
            y=cy + (ascent - descent) / 2 * size,
            font_family=lettering.CSS_FAMILIES[family],
            font_size=size,
            font_weight="bold",
            text_anchor="middle",
            fill=el.get("color", SFX_COLOR),
            stroke="#000000",
            stroke_width=max(1.5, size * 0.06),
            stroke_linejoin="round",
            paint_order="stroke",
        )
        if lettering.is_rtl(text):
            node.set("direction", "rtl")
        node.text = text
        return cx - width / 2, cy - size / 2, width, size

    def text(self, group, fit: lettering.FitResult, cx: float, cy: float, fill: str) -> None:
        """Lines of `fit` centred on (cx, cy), one <tspan> per line."""
        ascent, descent = lettering.ascent_ratio(fit.family, fit.bold, fit.italic)
        line = fit.size * fit.line_height
        top = cy - len(fit.lines) * line / 2
        first = top + (line - (ascent + descent) * fit.size) / 2 + ascent * fit.size
        node = _sub(
            group,
            "text",
            class_="ic-text",
            font_family=lettering.CSS_FAMILIES[fit.family],
            font_size=fit.size,
            font_weight="bold" if fit.bold else None,
            font_style="italic" if fit.italic else None,
            text_anchor="middle",
            fill=fill,
        )
        if fit.rtl:
            node.set("direction", "rtl")
        for i, text in enumerate(fit.lines):
            span = _sub(node, "tspan", x=cx, y=first + i * line)
            span.text = text


def render_page(
    manifest: dict[str, Any],
    folder: Path | str | None,
    page_index: int,
    *,
    for_editor: bool = False,
) -> etree._Element:
    """The root ``<svg>`` of page `page_index` (0-based) of the comic in `folder`.

    With `for_editor`, every element also gets a transparent ``rect.ic-hit`` to grab.
    """
    return _Page(manifest, folder, page_index, for_editor=for_editor).build()


def page_svg_bytes(manifest: dict[str, Any], folder: Path | str | None, page_index: int) -> bytes:
    """Page `page_index` as a standalone SVG document (UTF-8)."""
    root = render_page(manifest, folder, page_index)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def render_warnings(manifest: dict[str, Any], folder: Path | str | None) -> list[Message]:
    """What the teacher should fix on every page: overflowing text, missing images, unknown art."""
    found: list[Message] = []
    for index in range(len(manifest.get("pages") or [])):
        page = _Page(manifest, folder, index, embed_media=False)
        page.build()
        found.extend(page.warnings)
    return found


def render_png(
    manifest: dict[str, Any], folder: Path | str | None, page_index: int, width: int = 1240
) -> bytes:
    """Page `page_index` as PNG bytes, `width` px wide."""
    return rasterize(page_svg_bytes(manifest, folder, page_index), width=width)
