"""`cbz`: a comic book archive, ``<name>.cbz``, for comic readers (YACReader, Komga, KOReader…).

A zip of the pages as PNG, ``0001.png``… in reading order (option `width`, ``--width PX``,
default 1240), and ``ComicInfo.xml`` (the ComicInfo 2.0 schema of the Anansi project): title,
summary, writers, language, licence and attribution in the notes, the cast as characters,
``Manga`` = ``YesAndRightToLeft`` for a right-to-left comic so readers turn pages that way,
and one ``Page`` entry per image with its size (the first is the front cover).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imaginecole.i18n import N_

from .archive import write_zip
from .base import Bundle
from .comic_pages import ComicPageExporter, attribution, page_name, png_size

COMICINFO_XSI = "http://www.w3.org/2001/XMLSchema-instance"


class CbzExporter(ComicPageExporter):
    name = "cbz"
    extension = ".cbz"
    description = N_("Comic book archive (CBZ: page images and ComicInfo.xml)")

    def export(self, bundle: Bundle, out: Path) -> Path:
        manifest, images = self.page_images(bundle)
        names = [page_name(i) for i in range(len(images))]
        entries = [*zip(names, images, strict=True)]
        entries.append(("ComicInfo.xml", comicinfo_xml(manifest, images)))
        return write_zip(out, entries, stored=names)


def _date_parts(value: str | None) -> tuple[int, int, int] | None:
    if not value or len(value) < 10:
        return None
    try:
        return int(value[0:4]), int(value[5:7]), int(value[8:10])
    except ValueError:
        return None


def comicinfo_xml(manifest: dict[str, Any], pages: list[bytes]) -> bytes:
    """ComicInfo.xml (schema 2.0, elements in the schema's order) for `manifest`."""
    from lxml import etree

    from imaginecole.comic.layout import comic_direction

    meta = manifest.get("metadata", {})
    root = etree.Element("ComicInfo", nsmap={"xsi": COMICINFO_XSI})

    def add(name: str, value: Any) -> None:
        if value not in (None, ""):
            etree.SubElement(root, name).text = str(value)

    add("Title", meta.get("title"))
    add("Summary", meta.get("description"))
    licence = meta.get("licence")
    notes = [f"Licence: {licence}" if licence else "", attribution()]
    add("Notes", "\n".join(n for n in notes if n))
    date = _date_parts(meta.get("created") or meta.get("modified"))
    if date:
        for name, value in zip(("Year", "Month", "Day"), date, strict=True):
            add(name, value)
    writers = ", ".join(a.get("name", "") for a in meta.get("authors", []) if a.get("name"))
    add("Writer", writers)
    add("Genre", meta.get("subject"))
    add("PageCount", len(pages))
    add("LanguageISO", meta.get("language"))
    add("BlackAndWhite", "No")
    add("Manga", "YesAndRightToLeft" if comic_direction(manifest) == "rtl" else "No")
    add("Characters", ", ".join(c["name"] for c in manifest.get("cast", []) if c.get("name")))
    listed = etree.SubElement(root, "Pages")
    for index, data in enumerate(pages):
        width, height = png_size(data)
        page = etree.SubElement(listed, "Page", Image=str(index))
        if index == 0:
            page.set("Type", "FrontCover")
        page.set("ImageSize", str(len(data)))
        page.set("ImageWidth", str(width))
        page.set("ImageHeight", str(height))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
