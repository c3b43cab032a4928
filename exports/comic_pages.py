"""A comic's pages for the page exporters (``png``, ``cbz``, ``epub``, ``pdf``).

Before drawing anything, :func:`prepare` refuses a comic that is not ready to publish (a panel
without its description, an image without alternative text, a sound without transcript: the
checks of :func:`imaginecole.comic.comic_export_problems`), turns a missing image into a
warning instead of a crash, and adds the lettering warnings (text overflowing its bubble) to
``bundle.warnings``. Pages are then drawn as SVG by :mod:`imaginecole.comic.render` and, for the
raster formats, turned into PNG by ``rsvg-convert`` two pages at a time.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from imaginecole.i18n import Message, bilingual

from .base import Bundle, Exporter, ExportError

# rsvg-convert runs as a subprocess: two pages at a time keep two cores busy
WORKERS = 2
DEFAULT_WIDTH = 1240
MIN_WIDTH, MAX_WIDTH = 100, 8000

T = TypeVar("T")


class ComicNotReady(ExportError):
    """A comic that fails the export checks; `problems` lists every reason."""

    def __init__(self, bundle: Bundle, problems: list[Any]) -> None:
        self.problems = problems
        self.message_id = (
            "The comic « {title} » ({path}) cannot be exported yet ({count} problem(s)); "
            "fix them in the editor, then export again:"
        )
        self.values = {"title": bundle.title, "path": bundle.path, "count": len(problems)}
        Exception.__init__(self, self.render("fr") + "\n\n[en]\n" + self.render("en"))

    def render(self, language: str) -> str:
        head = Message(self.message_id, **self.values).render(language)
        return head + "".join(f"\n- {p.render(language)}" for p in self.problems)


def check_width(width: Any) -> int:
    """The PNG width in pixels asked for (`--width`), or the default; refuses nonsense."""
    if width is None:
        return DEFAULT_WIDTH
    try:
        value = int(width)
    except (TypeError, ValueError):
        value = 0
    if not MIN_WIDTH <= value <= MAX_WIDTH or str(value) != str(width).strip():
        raise ExportError(
            "The width « {width} » is not possible: give a number of pixels between {low} "
            "and {high}, such as --width 1240.",
            width=width,
            low=MIN_WIDTH,
            high=MAX_WIDTH,
        )
    return value


class ComicPageExporter(Exporter):
    """An exporter of a comic's pages; option `width` (``--width PX``) sizes their images."""

    bundle_types = frozenset({"comic"})
    option_names = frozenset({"width"})

    def width(self) -> int:
        """The width asked for, checked, or the default."""
        return check_width(self.options.get("width"))

    def page_images(self, bundle: Bundle) -> tuple[dict[str, Any], list[bytes]]:
        """(the manifest drawn, one PNG per page at :meth:`width`), once `bundle` is ready."""
        width = self.width()
        manifest = prepare(bundle)
        return manifest, page_pngs(manifest, bundle.path, width)


def _missing_images(manifest: dict[str, Any], folder: Path) -> Iterator[tuple[str, dict, dict]]:
    """(where, panel, holder) for each image background or element whose file is gone."""
    for page in manifest.get("pages", []):
        for panel in page.get("panels", []):
            where = f"{page.get('id')}/{panel.get('id')}"
            background = panel.get("background") or {}
            holders = [(where, background)] if background.get("kind") == "image" else []
            holders += [
                (f"{where}/{e.get('id')}", e)
                for e in panel.get("elements", [])
                if e.get("kind") == "image"
            ]
            for at, holder in holders:
                if not (folder / str(holder.get("src", ""))).is_file():
                    yield at, panel, holder


def without_missing_images(bundle: Bundle) -> dict[str, Any]:
    """The manifest with every image whose file is gone left out, each warned about.

    A lost file must not stop a class from printing its comic: the panel keeps its other
    elements, a lost background becomes white.
    """
    manifest = copy.deepcopy(bundle.manifest)
    missing = list(_missing_images(manifest, bundle.path))
    if not missing:
        return bundle.manifest
    for where, panel, holder in missing:
        bundle.warnings.append(
            bilingual(
                "The image {src} ({where}) is missing from the bundle; the page is drawn "
                "without it. Add the file to media/ or choose another image.",
                src=holder.get("src"),
                where=where,
            )
        )
        if holder is panel.get("background"):
            panel["background"] = {"kind": "color", "color": "#ffffff"}
        else:
            panel["elements"] = [e for e in panel["elements"] if e is not holder]
    return manifest


def prepare(bundle: Bundle) -> dict[str, Any]:
    """The manifest to draw: missing images left out (warned), checked, overflows warned."""
    from imaginecole.comic import comic_export_problems
    from imaginecole.comic.render import render_warnings

    manifest = without_missing_images(bundle)
    problems = comic_export_problems(manifest, bundle.path)
    if problems:
        raise ComicNotReady(bundle, problems)
    for warning in render_warnings(manifest, bundle.path):
        bundle.warnings.append(str(warning))
    return manifest


def in_parallel(work: Callable[[int], T], count: int) -> list[T]:
    """`[work(0), …, work(count - 1)]`, two at a time (the work waits on subprocesses)."""
    if count <= 1:
        return [work(i) for i in range(count)]
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="imaginecole-page") as pool:
        return list(pool.map(work, range(count)))


def attribution() -> str:
    """The art's credit line (OpenMoji, CC BY-SA 4.0), in English as licences are."""
    from imaginecole.comic import art

    value = getattr(art, "ATTRIBUTION", None)
    if value is None:
        return "Art: OpenMoji (https://openmoji.org), CC BY-SA 4.0."
    return value if isinstance(value, str) else value.render("en")


def modified_moment(modified: str | None) -> datetime:
    """`modified` (RFC 3339) as an aware datetime, else 2000-01-01 UTC: the dates written.

    The same comic gives the same bytes, so the files' dates come from the comic.
    """
    moment = datetime(2000, 1, 1, tzinfo=UTC)
    if modified:
        try:
            moment = datetime.fromisoformat(modified.replace("Z", "+00:00"))
        except ValueError:
            pass
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def page_count(manifest: dict[str, Any]) -> int:
    return len(manifest.get("pages", []))


def page_pngs(manifest: dict[str, Any], folder: Path, width: int) -> list[bytes]:
    """One PNG per page, `width` pixels wide, in page order."""
    from imaginecole.comic.render import page_svg_bytes, rasterize

    def draw(index: int) -> bytes:
        return rasterize(page_svg_bytes(manifest, folder, index), width=width, fmt="png")

    return in_parallel(draw, page_count(manifest))


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def page_name(index: int, digits: int = 4) -> str:
    """``0001.png`` for the first page: names that sort in reading order."""
    return f"{index + 1:0{digits}d}.png"
