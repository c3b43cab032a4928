"""Page geometry of a comic: page formats, panel layouts and the rectangles of the slots.

A layout is a list of rows, top to bottom, each with a number of slots. Slot
``i`` holds panel ``i`` of the page (reading order): slots run left to right,
or right to left when the comic reads right to left (Arabic), row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# format -> (width, height) of the page viewBox in px; webtoon pages grow downwards
FORMATS: dict[str, tuple[int, int | None]] = {
    "a4": (1240, 1754),
    "square": (1400, 1400),
    "webtoon": (800, None),
}
# layout -> panels per row, top to bottom; None: computed (webtoon: one per row; rows: given)
LAYOUTS: dict[str, tuple[int, ...] | None] = {
    "strip3": (1, 1, 1),
    "grid4": (2, 2),
    "grid6": (2, 2, 2),
    "webtoon": None,
    "rows": None,
}
MAX_PANELS = 12
DEFAULT_MARGIN = 40
DEFAULT_GUTTER = 24
# on a webtoon page every row is this share of the page's inner width tall
WEBTOON_ROW_RATIO = 0.75


@dataclass(frozen=True)
class Rect:
    """A rectangle in page px: top-left corner (x, y), width w and height h."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


def _settings(manifest: dict[str, Any]) -> dict[str, Any]:
    settings = manifest.get("settings")
    return settings if isinstance(settings, dict) else {}


def comic_direction(manifest: dict[str, Any]) -> str:
    """``ltr`` or ``rtl``: the setting, else right to left for Arabic."""
    direction = _settings(manifest).get("direction")
    if direction in ("ltr", "rtl"):
        return direction
    meta = manifest.get("metadata")
    language = meta.get("language", "") if isinstance(meta, dict) else ""
    return "rtl" if str(language).split("-")[0] in ("ar", "fa", "he", "ur") else "ltr"


def _page(manifest: dict[str, Any], page_index: int) -> dict[str, Any]:
    pages = manifest.get("pages") or []
    if not -len(pages) <= page_index < len(pages):
        raise IndexError(f"page {page_index} out of range: the comic has {len(pages)} page(s)")
    return pages[page_index]


def page_rows(page: dict[str, Any]) -> tuple[int, ...]:
    """Panels per row of `page`, top to bottom (never empty)."""
    layout = page.get("layout", "strip3")
    fixed = LAYOUTS.get(layout)
    if fixed is not None:
        return fixed
    if layout == "rows":
        rows = tuple(n for n in page.get("rows") or () if isinstance(n, int) and n > 0)
        return rows or (1,)
    # webtoon: one full-width panel per row
    return (1,) * max(1, min(len(page.get("panels") or ()), MAX_PANELS))


def slot_count(page: dict[str, Any]) -> int:
    """How many panels the layout of `page` holds (webtoon: up to 12)."""
    if page.get("layout") == "webtoon":
        return MAX_PANELS
    return sum(page_rows(page))


def _margin_gutter(manifest: dict[str, Any], page: dict[str, Any]) -> tuple[float, float]:
    settings = _settings(manifest)
    margin = settings.get("margin", DEFAULT_MARGIN)
    gutter = page.get("gutter", settings.get("gutter", DEFAULT_GUTTER))
    return float(margin), float(gutter)


def page_size(manifest: dict[str, Any], page_index: int) -> tuple[int, int]:
    """(width, height) of page `page_index` in px; a webtoon page is as tall as its rows."""
    page = _page(manifest, page_index)
    width, height = FORMATS.get(_settings(manifest).get("format", "a4"), FORMATS["a4"])
    if height is not None:
        return width, height
    margin, gutter = _margin_gutter(manifest, page)
    rows = len(page_rows(page))
    row_h = round((width - 2 * margin) * WEBTOON_ROW_RATIO)
    return width, round(2 * margin + rows * row_h + (rows - 1) * gutter)


def panel_rects(manifest: dict[str, Any], page_index: int) -> list[Rect]:
    """The frame of every slot of the page, in reading order (slot i holds panel i)."""
    page = _page(manifest, page_index)
    width, height = page_size(manifest, page_index)
    margin, gutter = _margin_gutter(manifest, page)
    rows = page_rows(page)
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    row_h = (inner_h - gutter * (len(rows) - 1)) / len(rows)
    rtl = comic_direction(manifest) == "rtl"
    rects = []
    for r, count in enumerate(rows):
        y = margin + r * (row_h + gutter)
        cell_w = (inner_w - gutter * (count - 1)) / count
        for c in range(count):
            column = count - 1 - c if rtl else c
            rects.append(Rect(margin + column * (cell_w + gutter), y, cell_w, row_h))
    return rects
