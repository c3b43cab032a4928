"""`epub`: a comic as an EPUB 3 fixed-layout book, ``<name>.epub``, valid under EPUBCheck.

- One XHTML document per page (``rendition:layout`` pre-paginated, a ``viewport`` of the
  page's size, or `width` px wide with ``--width``) holding the page SVG inline: the
  lettering stays text a reader can search, each panel carries its description in
  ``<title>``/``<desc>``, the page is one image (``role="img"``, ``aria-label``) followed by
  its transcript in reading order (visually hidden, for screen readers) and a link to the
  whole transcript.
- The transcript (alt text and dialogue, in reading order) is a reflowable appendix, also
  named as the book's long description.
- The navigation document has the table of contents and the page list; a right-to-left comic
  turns its pages from right to left (``page-progression-direction``).
- The fonts (Comic Neue, Andika, Amiri: Debian's files, SIL OFL) are subset with fontTools
  to the letters used and embedded; images are files of the book, never ``data:`` URLs.
- Metadata: ``dc:identifier`` ``urn:uuid:`` of the comic id, title, language, authors,
  description, rights (licence and the OpenMoji attribution), ``dcterms:modified``, and the
  accessibility metadata (``schema:accessMode``, ``accessModeSufficient``,
  ``accessibilityFeature``, ``accessibilityHazard``, ``accessibilitySummary``).

The same comic gives the same bytes: fixed zip times, sorted names, and ``dcterms:modified``
from the comic's ``metadata.modified``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import mimetypes
import re
import stat
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from imaginecole.i18n import N_, gettext_for

from .archive import FIXED_TIME
from .base import Bundle, write_output
from .comic_pages import (
    ComicPageExporter,
    attribution,
    in_parallel,
    modified_moment,
    page_count,
    prepare,
)
from .epub_fonts import collect_letters, font_face_css, subset_fonts

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
MIMETYPE = b"application/epub+zip"
ROOT = "OEBPS"
COVER_WIDTH = 600
IMAGE_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/svg+xml": ".svg",
    "image/gif": ".gif",
}
SVG2_PRESENTATION = frozenset({"paint-order", "mix-blend-mode", "isolation", "white-space"})
_DATA_URI = re.compile(r"^data:([\w.+/-]+)(;charset=[\w-]+)?(;base64)?,", re.I)

# Keys are what the book shows; values are English message ids, in the comic's language.
EPUB_STRINGS = {
    "page": N_("Page {n}"),
    "contents": N_("Contents"),
    "pages": N_("Pages"),
    "transcript": N_("Transcript"),
    "transcript_of_page": N_("Transcript of page {n}"),
    "summary": N_(
        "A comic with a description of every panel and a full transcript of its text in "
        "reading order, at the end of the book and linked from each page. The lettering is "
        "real text. Fixed layout: the pages cannot be reflowed."
    ),
}


@dataclass
class Book:
    """What the pages collect while they are made: files to add and letters to embed."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # name: (data, type)
    letters: dict[tuple[str, bool, bool], set[str]] = field(default_factory=dict)

    def add_image(self, media_type: str, data: bytes) -> str:
        """The book path of an image with these bytes (added once)."""
        suffix = IMAGE_TYPES.get(media_type.lower()) or mimetypes.guess_extension(media_type)
        name = f"images/{hashlib.sha256(data).hexdigest()[:16]}{suffix or '.bin'}"
        self.files.setdefault(name, (data, media_type.lower()))
        return name


def book_uuid(manifest: dict[str, Any]) -> str:
    """``urn:uuid:`` of the comic's id (a uuid4), or one derived from it when it is not one."""
    raw = str(manifest.get("id") or manifest.get("metadata", {}).get("title", "comic"))
    try:
        value = uuid.UUID(raw)
    except ValueError:
        value = uuid.uuid5(uuid.NAMESPACE_URL, f"https://imaginecole.org/comic/{raw}")
    return f"urn:uuid:{value}"


def modified_stamp(manifest: dict[str, Any]) -> str:
    """``dcterms:modified`` as EPUB wants it (``CCYY-MM-DDThh:mm:ssZ``), from the comic."""
    moment = modified_moment((manifest.get("metadata") or {}).get("modified"))
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


# -- the page SVG, made fit for an XHTML content document ------------------------------


def _move_images(root: Any, book: Book, depth: str) -> None:
    """Turn ``data:`` images into files of the book, linked from ``depth`` (``../``)."""
    for el in root.iter(f"{{{SVG_NS}}}image"):
        href_attr = next(
            (a for a in ("href", f"{{{XLINK_NS}}}href") if el.get(a) is not None), None
        )
        if href_attr is None:
            continue
        value = el.get(href_attr)
        match = _DATA_URI.match(value)
        if match:
            payload = value[match.end() :]
            try:
                data = (
                    base64.b64decode(payload, validate=False)
                    if match.group(3)
                    else payload.encode("utf-8")
                )
            except (binascii.Error, ValueError):
                data = b""
            value = depth + book.add_image(match.group(1), data)
        # SVG 1.1, as EPUB 3 checks it, links with xlink:href
        del el.attrib[href_attr]
        el.set(f"{{{XLINK_NS}}}href", value)


def _strip_for_epub(root: Any) -> None:
    """Fit the page to the SVG 1.1 that EPUB checks: editor data attributes dropped, SVG 2
    presentation attributes (``paint-order``…) moved into ``style``, where CSS takes them."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in [a for a in el.attrib if a.startswith("data-")]:
            del el.attrib[attr]
        moved = [a for a in el.attrib if a in SVG2_PRESENTATION]
        if moved:
            declarations = [f"{a}: {el.attrib.pop(a)}" for a in moved]
            style = (el.get("style") or "").strip().rstrip(";")
            el.set("style", "; ".join([style, *declarations] if style else declarations))


# -- the documents ---------------------------------------------------------------------


def _xhtml(language: str, direction: str, title: str) -> tuple[Any, Any, Any]:
    """(html, head, body) of a new XHTML document."""
    from lxml import etree

    html = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    html.set("lang", language)
    html.set(f"{{{XML_NS}}}lang", language)
    html.set("dir", direction)
    head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
    etree.SubElement(head, f"{{{XHTML_NS}}}meta", charset="utf-8")
    etree.SubElement(head, f"{{{XHTML_NS}}}title").text = title
    body = etree.SubElement(html, f"{{{XHTML_NS}}}body")
    return html, head, body


def _serialise(root: Any) -> bytes:
    from lxml import etree

    body = etree.tostring(root, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + body


def _sub(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    from lxml import etree

    el = etree.SubElement(parent, f"{{{XHTML_NS}}}{tag}", **attrs)
    if text is not None:
        el.text = text
    return el


def _link_in(parent: Any, tag: str, text: str, href: str) -> Any:
    """A link to `href` in a new `tag` element (``li``, ``p``) of `parent`: the ``<a>``."""
    return _sub(_sub(parent, tag), "a", text, href=href)


def page_document(
    svg: bytes, number: int, size: tuple[int, int], width: int | None, ctx: dict[str, Any]
) -> bytes:
    """The XHTML document of page `number` (from 1) with its SVG inline."""
    from lxml import etree

    from imaginecole.comic.svgids import prefix_ids

    book: Book = ctx["book"]
    say = ctx["say"]
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(svg, parser)
    prefix_ids(root, f"pg{number}-")  # ids start with a letter, whatever the comic's ids are
    _strip_for_epub(root)
    _move_images(root, book, "../")
    collect_letters(root, book.letters)
    page_w, page_h = size
    view_w = width or page_w
    view_h = round(page_h * view_w / page_w)
    root.set("width", str(view_w))
    root.set("height", str(view_h))
    root.set("viewBox", root.get("viewBox") or f"0 0 {page_w} {page_h}")
    page_label = say(EPUB_STRINGS["page"]).format(n=number)
    if not root.get("aria-label"):
        root.set("aria-label", page_label)
    root.set("role", "img")
    html, head, body = _xhtml(ctx["language"], ctx["direction"], f"{ctx['title']} – {page_label}")
    _sub(head, "meta", name="viewport", content=f"width={view_w}, height={view_h}")
    _sub(head, "link", rel="stylesheet", type="text/css", href="../style.css")
    body.set(f"{{{EPUB_NS}}}type", "bodymatter")
    section = _sub(body, "div", **{"class": "page", "id": f"page-{number}"})
    section.append(root)
    # the page is one image to assistive technologies; its text follows, in reading order
    text = _sub(body, "div", **{"class": "visually-hidden", "id": f"page-{number}-text"})
    for kind, line in ctx["transcript"].get(number, []):
        _sub(text, "p", line, **{"class": "panel" if kind == "panel" else "line"})
    of_page = say(EPUB_STRINGS["transcript_of_page"]).format(n=number)
    _link_in(text, "p", of_page, f"../transcript.xhtml#page-{number}")
    return _serialise(html)


def transcript_document(manifest: dict[str, Any], ctx: dict[str, Any]) -> bytes:
    """The reflowable appendix: every page's transcript, one section per page."""
    say = ctx["say"]
    book: Book = ctx["book"]
    html, head, body = _xhtml(ctx["language"], ctx["direction"], say(EPUB_STRINGS["transcript"]))
    _sub(head, "link", rel="stylesheet", type="text/css", href="style.css")
    section = _sub(body, "section", id="transcript")
    section.set(f"{{{EPUB_NS}}}type", "appendix")
    section.set("role", "doc-appendix")
    section.set("aria-labelledby", "transcript-title")
    _sub(section, "h1", say(EPUB_STRINGS["transcript"]), id="transcript-title")
    for number, lines in sorted(ctx["transcript"].items()):
        part = _sub(section, "section", id=f"page-{number}")
        _sub(part, "h2", say(EPUB_STRINGS["page"]).format(n=number))
        for kind, line in lines:
            _sub(part, "p", line, **{"class": "panel" if kind == "panel" else "line"})
        _sub(part, "p", None).append(
            _link(page_href(number), say(EPUB_STRINGS["page"]).format(n=number))
        )
    family = transcript_family(ctx["language"])
    for bold, texts in (
        (False, section.itertext()),
        (True, body.iter(f"{{{XHTML_NS}}}h1", f"{{{XHTML_NS}}}h2")),
    ):
        letters = book.letters.setdefault((family, bold, False), set())
        for text in texts:
            letters.update(text if isinstance(text, str) else "".join(text.itertext()))
    return _serialise(html)


def transcript_family(language: str) -> str:
    """The font of the transcript: Amiri for Arabic, else Andika (West-African letters)."""
    return "Amiri" if language == "ar" else "Andika"


def _link(href: str, text: str) -> Any:
    from lxml import etree

    el = etree.Element(f"{{{XHTML_NS}}}a", href=href)
    el.text = "← " + text
    return el


def transcript_pages(manifest: dict[str, Any], language: str) -> dict[int, list[tuple[str, str]]]:
    """{page number: [(kind, line)…]} for every page, from the model's transcript."""
    from imaginecole.comic import transcript

    by_page: dict[int, list[tuple[str, str]]] = {n: [] for n in range(1, page_count(manifest) + 1)}
    for entry in transcript(manifest, language):
        by_page.setdefault(entry.page, []).append((entry.kind, entry.line))
    return by_page


def page_file(number: int) -> str:
    return f"page-{number:04d}.xhtml"


def page_href(number: int) -> str:
    """The page's document, from the book's root folder (where nav.xhtml is)."""
    return f"pages/{page_file(number)}"


def nav_document(count: int, ctx: dict[str, Any]) -> bytes:
    say = ctx["say"]
    html, head, body = _xhtml(ctx["language"], ctx["direction"], ctx["title"])
    _sub(head, "link", rel="stylesheet", type="text/css", href="style.css")
    toc = _sub(body, "nav", id="toc", role="doc-toc")
    toc.set(f"{{{EPUB_NS}}}type", "toc")
    _sub(toc, "h1", say(EPUB_STRINGS["contents"]))
    items = _sub(toc, "ol")
    for number in range(1, count + 1):
        _link_in(items, "li", say(EPUB_STRINGS["page"]).format(n=number), page_href(number))
    _link_in(items, "li", say(EPUB_STRINGS["transcript"]), "transcript.xhtml")
    pages = _sub(body, "nav", id="page-list", hidden="hidden")
    pages.set(f"{{{EPUB_NS}}}type", "page-list")
    _sub(pages, "h2", say(EPUB_STRINGS["pages"]))
    items = _sub(pages, "ol")
    for number in range(1, count + 1):
        _link_in(items, "li", str(number), page_href(number))
    landmarks = _sub(body, "nav", id="landmarks", hidden="hidden")
    landmarks.set(f"{{{EPUB_NS}}}type", "landmarks")
    items = _sub(landmarks, "ol")
    for href, kind, label in (
        (page_href(1), "bodymatter", say(EPUB_STRINGS["page"]).format(n=1)),
        ("transcript.xhtml", "appendix", say(EPUB_STRINGS["transcript"])),
    ):
        link = _link_in(items, "li", label, href)
        link.set(f"{{{EPUB_NS}}}type", kind)
    return _serialise(html)


def stylesheet(font_faces: str, family: str) -> bytes:
    """style.css: the fonts, pages without margins, and the transcript in `family`."""
    return (
        font_faces + "html, body { margin: 0; padding: 0; }\n"
        ".page { margin: 0; padding: 0; overflow: hidden; }\n"
        ".page svg { display: block; }\n"
        ".visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px;"
        " padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }\n"
        "#transcript .line { margin-inline-start: 1.5em; }\n"
        f"#transcript {{ margin: 1em; font-family: '{family}', sans-serif; line-height: 1.6; }}\n"
    ).encode("utf-8")


def package_document(manifest: dict[str, Any], items: list[dict[str, str]], ctx: dict[str, Any]):
    """content.opf: metadata, every file, and the spine in reading order."""
    from lxml import etree

    say = ctx["say"]
    meta = manifest.get("metadata", {})
    language = ctx["language"]
    package = etree.Element(
        f"{{{OPF_NS}}}package",
        nsmap={None: OPF_NS, "dc": DC_NS},
        version="3.0",
        **{"unique-identifier": "book-id", f"{{{XML_NS}}}lang": language},
    )
    if ctx["direction"] == "rtl":
        package.set("dir", "rtl")
    metadata = etree.SubElement(package, f"{{{OPF_NS}}}metadata")

    def dc(name: str, text: str, **attrs: str) -> Any:
        el = etree.SubElement(metadata, f"{{{DC_NS}}}{name}", **attrs)
        el.text = text
        return el

    def prop(name: str, text: str, **attrs: str) -> Any:
        el = etree.SubElement(metadata, f"{{{OPF_NS}}}meta", property=name, **attrs)
        el.text = text
        return el

    dc("identifier", ctx["uuid"], id="book-id")
    dc("title", ctx["title"])
    dc("language", language)
    for index, author in enumerate(meta.get("authors") or []):
        if author.get("name"):
            dc("creator", author["name"], id=f"creator-{index + 1}")
    if meta.get("description"):
        dc("description", meta["description"])
    if meta.get("subject"):
        dc("subject", str(meta["subject"]))
    rights = [f"Licence: {meta['licence']}." if meta.get("licence") else "", attribution()]
    dc("rights", " ".join(r for r in rights if r))
    prop("dcterms:modified", ctx["modified"])
    prop("rendition:layout", "pre-paginated")
    prop("rendition:orientation", "auto")
    prop("rendition:spread", "landscape")
    for mode in ("textual", "visual"):
        prop("schema:accessMode", mode)
    prop("schema:accessModeSufficient", "textual,visual")
    prop("schema:accessModeSufficient", "textual")
    for feature in (
        "alternativeText",
        "longDescription",
        "readingOrder",
        "structuralNavigation",
        "tableOfContents",
        "pageNavigation",
    ):
        prop("schema:accessibilityFeature", feature)
    prop("schema:accessibilityHazard", "none")
    prop("schema:accessibilitySummary", say(EPUB_STRINGS["summary"]))
    etree.SubElement(metadata, f"{{{OPF_NS}}}meta", name="cover", content="cover-image")

    listing = etree.SubElement(package, f"{{{OPF_NS}}}manifest")
    for item in items:
        attrs = {"id": item["id"], "href": item["href"], "media-type": item["type"]}
        if item.get("properties"):
            attrs["properties"] = item["properties"]
        etree.SubElement(listing, f"{{{OPF_NS}}}item", **attrs)
    spine = etree.SubElement(package, f"{{{OPF_NS}}}spine")
    spine.set("page-progression-direction", ctx["direction"])
    for item in items:
        if item.get("spine"):
            ref = etree.SubElement(spine, f"{{{OPF_NS}}}itemref", idref=item["id"])
            if item["spine"] != "yes":
                ref.set("properties", item["spine"])
    return etree.tostring(package, xml_declaration=True, encoding="utf-8", pretty_print=True)


CONTAINER = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
    b"  <rootfiles>\n"
    b'    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>\n'
    b"  </rootfiles>\n"
    b"</container>\n"
)


def epub_zip(files: dict[str, bytes]) -> bytes:
    """The EPUB container: ``mimetype`` first and stored, then the files, sorted, fixed times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        entries = [("mimetype", MIMETYPE)] + sorted(files.items())
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            stored = name == "mimetype" or name.endswith((".png", ".jpg", ".webp"))
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.create_system = 3
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def build_epub(bundle: Bundle, width: int | None = None) -> bytes:
    """The EPUB of the comic `bundle` (checked and warned about like every page export)."""
    from imaginecole.comic import comic_direction, page_size
    from imaginecole.comic.render import page_svg_bytes, rasterize

    manifest = prepare(bundle)
    language = bundle.language
    count = page_count(manifest)
    ctx = {
        "book": Book(),
        "say": gettext_for(language),
        "language": language,
        "direction": comic_direction(manifest),
        "title": bundle.title,
        "uuid": book_uuid(manifest),
        "modified": modified_stamp(manifest),
        "transcript": transcript_pages(manifest, language),
    }
    svgs = in_parallel(lambda i: page_svg_bytes(manifest, bundle.path, i), count)
    book: Book = ctx["book"]
    files: dict[str, bytes] = {"META-INF/container.xml": CONTAINER}
    items: list[dict[str, str]] = []
    for index, svg in enumerate(svgs):
        number = index + 1
        href = page_href(number)
        data = page_document(svg, number, page_size(manifest, index), width, ctx)
        files[f"{ROOT}/{href}"] = data
        items.append(
            {
                "id": f"page-{number}",
                "href": href,
                "type": "application/xhtml+xml",
                "properties": "svg",
                "spine": "yes",
            }
        )
    files[f"{ROOT}/transcript.xhtml"] = transcript_document(manifest, ctx)
    items.append(
        {
            "id": "transcript",
            "href": "transcript.xhtml",
            "type": "application/xhtml+xml",
            "spine": "rendition:layout-reflowable",
        }
    )
    # the first page, small, for library shelves
    if count:
        cover = rasterize(svgs[0], width=COVER_WIDTH, fmt="png")
        book.files["images/cover.png"] = (cover, "image/png")
    faces = subset_fonts(book.letters)
    for name, data, media_type, *_style in faces:
        book.files[name] = (data, media_type)
    files[f"{ROOT}/style.css"] = stylesheet(font_face_css(faces), transcript_family(language))
    files[f"{ROOT}/nav.xhtml"] = nav_document(count, ctx)
    items.append(
        {"id": "nav", "href": "nav.xhtml", "type": "application/xhtml+xml", "properties": "nav"}
    )
    items.append({"id": "style", "href": "style.css", "type": "text/css"})
    for index, (name, (data, media_type)) in enumerate(sorted(book.files.items())):
        files[f"{ROOT}/{name}"] = data
        item = {"id": f"file-{index + 1}", "href": name, "type": media_type}
        if name == "images/cover.png":
            item.update(id="cover-image", properties="cover-image")
        items.append(item)
    files[f"{ROOT}/content.opf"] = package_document(manifest, items, ctx)
    return epub_zip(files)


class EpubExporter(ComicPageExporter):
    name = "epub"
    extension = ".epub"
    description = N_("Comic as an EPUB 3 fixed-layout book, accessible (alt text, transcript)")

    def export(self, bundle: Bundle, out: Path) -> Path:
        # without --width, each page keeps its own size
        width = None if self.options.get("width") is None else self.width()
        return write_output(out, build_epub(bundle, width))
