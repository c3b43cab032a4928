"""The comic branch of `pdf`: a comic to print, on A4 sheets or as an A5 booklet.

Option `paper` (``--paper``):

- ``a4`` (default): one comic page per A4 sheet, centred and fitted inside a 10 mm margin;
- ``a5-booklet``: A4 landscape sheets with two A5 pages on each side, imposed in saddle-stitch
  order (print both sides, flipping on the short edge, stack the sheets, fold them in the
  middle and staple on the fold). The pages are padded with blank ones to a multiple of 4; a
  right-to-left comic is bound on the right.

Each PDF page is an SVG composed with lxml (the page SVGs nested in the sheet, their ids
prefixed so two pages on one sheet never share one) and the whole file comes from one
``rsvg-convert -f pdf sheet1.svg sheet2.svg …`` (``raster.rasterize_pages``): text stays text,
with the fonts embedded. The PDF's dates are the comic's ``metadata.modified``
(``SOURCE_DATE_EPOCH`` for cairo).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from imaginecole.comic.raster import RsvgError, rasterize_pages
from imaginecole.comic.svgids import prefix_ids
from imaginecole.i18n import N_

from .base import Bundle, ExportError, write_output
from .comic_pages import in_parallel, modified_moment, page_count, prepare

PAPERS = ("a4", "a5-booklet")
A4 = (210.0, 297.0)  # mm, portrait
A4_MARGIN = 10.0  # mm around the page on an A4 sheet
A5_MARGIN = 7.0  # mm around each page of the booklet
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
RSVG_TIMEOUT = 300  # seconds, for the whole document


def check_paper(paper: Any) -> str:
    """`paper` if it is one this exporter prints on (default ``a4``)."""
    if paper is None:
        return "a4"
    if paper not in PAPERS:
        raise ExportError(
            "The paper « {paper} » is unknown: choose --paper a4 (one page per A4 sheet) or "
            "--paper a5-booklet (an A5 booklet printed on A4 sheets).",
            paper=paper,
        )
    return paper


def booklet_sides(count: int, *, rtl: bool = False) -> list[tuple[int | None, int | None]]:
    """The (left, right) page index of each side of each sheet, in printing order.

    `count` pages are padded to a multiple of 4 with blank pages (``None``) at the end. Sheet
    ``s`` holds on its front the last-but-``2s`` page and page ``2s`` (the outer pair), and
    on its back the two pages that follow and precede them. A right-to-left booklet is
    bound on the right, so each side swaps its halves.
    """
    if count <= 0:
        return []
    total = -(-count // 4) * 4

    def page(index: int) -> int | None:
        return index if index < count else None

    sides: list[tuple[int | None, int | None]] = []
    for sheet in range(total // 4):
        front = (total - 1 - 2 * sheet, 2 * sheet)
        back = (2 * sheet + 1, total - 2 - 2 * sheet)
        for left, right in (front, back):
            if rtl:
                left, right = right, left
            sides.append((page(left), page(right)))
    return sides


def sheet_svg(
    pages: list[Any | None], size: tuple[float, float], margin: float, sheet: int
) -> bytes:
    """One PDF page (an SVG of `size` mm) with the parsed page SVGs side by side in it.

    `pages` are lxml ``<svg>`` roots or ``None`` for a blank; each gets an equal share of the
    width, less `margin` all around, and is fitted and centred in it.
    """
    from lxml import etree

    width, height = size
    root = etree.Element(
        f"{{{SVG_NS}}}svg",
        nsmap={None: SVG_NS, "xlink": XLINK_NS},
        width=f"{width:g}mm",
        height=f"{height:g}mm",
        viewBox=f"0 0 {width:g} {height:g}",
        version="1.1",
    )
    share = width / len(pages)
    for slot, page in enumerate(pages):
        if page is None:
            continue
        prefix_ids(page, f"s{sheet}-{slot}-")
        page.set("x", f"{slot * share + margin:g}")
        page.set("y", f"{margin:g}")
        page.set("width", f"{share - 2 * margin:g}")
        page.set("height", f"{height - 2 * margin:g}")
        page.set("preserveAspectRatio", "xMidYMid meet")
        root.append(page)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def source_date_epoch(modified: str | None) -> str:
    """Seconds since 1970 of `modified` (RFC 3339), else of 2000-01-01: cairo's PDF dates."""
    return str(max(0, int(modified_moment(modified).timestamp())))


# what rsvg-convert's problems mean here (raster.RsvgError.reason: the message)
PRINT_ERRORS = {
    "missing": N_(
        "rsvg-convert was not found; it draws the comic pages. Install Debian's "
        "librsvg2-bin package (./studio install)."
    ),
    "timeout": N_(
        "rsvg-convert took more than {seconds} s to print the comic; try fewer pages "
        "or smaller images."
    ),
    "failed": N_("rsvg-convert could not print the comic: {error}"),
}


def rsvg_pdf(sheets: list[bytes], modified: str | None) -> bytes:
    """One PDF of the `sheets` (SVG documents), one PDF page each, from one rsvg-convert."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": source_date_epoch(modified)}
    try:
        return rasterize_pages(sheets, fmt="pdf", timeout=RSVG_TIMEOUT, env=env)
    except RsvgError as exc:
        error = exc.values.get("error") or exc.returncode
        raise ExportError(PRINT_ERRORS[exc.reason], **{**exc.values, "error": error}) from exc


def comic_pdf(bundle: Bundle, paper: str = "a4") -> bytes:
    """The PDF of the comic `bundle` on `paper` (see :data:`PAPERS`)."""
    from lxml import etree

    from imaginecole.comic.layout import comic_direction
    from imaginecole.comic.render import page_svg_bytes

    paper = check_paper(paper)
    manifest = prepare(bundle)
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    svgs = in_parallel(lambda i: page_svg_bytes(manifest, bundle.path, i), page_count(manifest))

    def parsed(index: int | None) -> Any | None:
        return None if index is None else etree.fromstring(svgs[index], parser)

    if paper == "a4":
        sheets = [sheet_svg([parsed(i)], A4, A4_MARGIN, i) for i in range(len(svgs))]
    else:
        rtl = comic_direction(manifest) == "rtl"
        landscape = (A4[1], A4[0])
        sheets = [
            sheet_svg([parsed(left), parsed(right)], landscape, A5_MARGIN, side)
            for side, (left, right) in enumerate(booklet_sides(len(svgs), rtl=rtl))
        ]
    return rsvg_pdf(sheets, (manifest.get("metadata") or {}).get("modified"))


def export_comic_pdf(bundle: Bundle, out: Path, paper: str | None) -> Path:
    return write_output(out, comic_pdf(bundle, check_paper(paper)))
