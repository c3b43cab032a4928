"""Media of a comic page as data: URIs: found in the bundle, sniffed, shrunk, sanitised.

A page SVG must stand alone (editor, reader, EPUB, rsvg-convert read from stdin), so every
image goes in as a data: URI, no bigger than it is drawn (a 6000 x 6000 photo in a panel
is decoded at a reduced scale and re-encoded). An SVG image loses its scripts, event
attributes, foreign objects and every reference outside itself.
"""

from __future__ import annotations

import base64
import functools
import io
import re
import warnings
from pathlib import Path

from lxml import etree

from ..i18n import Message

MEDIA_PREFIX = "media/"
#: Bitmaps are embedded at up to this many px per page px (sharp when zoomed twice).
OVERSAMPLE = 2.0
#: Never embed a bitmap larger than this on either side.
MAX_SIDE = 2480
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 8000

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_DROP_TAGS = {"script", "foreignObject", "iframe", "embed", "object", "audio", "video"}
_URL_RE = re.compile(r"url\(\s*['\"]?\s*(?!#)[^)]*\)", re.IGNORECASE)
_IMPORT_RE = re.compile(r"@import[^;]*;?", re.IGNORECASE)


class MediaIssue(Exception):
    """A media file that cannot be drawn; `message` says why, for render_warnings."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.message)
        self.message = message


def sniff_mime(head: bytes) -> str | None:
    """The image MIME type from a file's first bytes (never from its name)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE svg")) and b"<svg" in head:
        return "image/svg+xml"
    return None


def media_file(folder: Path | str | None, src: str) -> Path:
    """The file `src` (``media/…``) of the bundle in `folder`; MediaIssue when unusable."""
    if folder is None:
        raise MediaIssue(Message("the image « {src} » is missing from the bundle", src=src))
    if not isinstance(src, str) or not src.startswith(MEDIA_PREFIX):
        raise MediaIssue(Message("« {src} » is not a file of the bundle's media folder", src=src))
    media_dir = (Path(folder) / "media").resolve()
    path = (Path(folder) / src).resolve()
    if path.parent != media_dir:
        raise MediaIssue(Message("« {src} » is not a file of the bundle's media folder", src=src))
    if not path.is_file():
        raise MediaIssue(Message("the image « {src} » is missing from the bundle", src=src))
    if path.stat().st_size > MAX_BYTES:
        raise MediaIssue(Message("the image « {src} » is larger than 20 MB", src=src))
    return path


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=256)
def _probe(key: tuple[str, int, int]) -> tuple[str, tuple[float, float]]:
    path = Path(key[0])
    with path.open("rb") as fh:
        head = fh.read(512)
    mime = sniff_mime(head)
    if mime is None:
        raise MediaIssue(
            Message("« {src} » is not a PNG, JPEG, GIF, WebP or SVG image", src=path.name)
        )
    if mime == "image/svg+xml":
        return mime, _svg_size(sanitize_svg(path.read_bytes()))
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                size = (float(img.width), float(img.height))
                if _file_orientation(path, mime, img) in _TURNED:
                    size = (size[1], size[0])
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        size = (MAX_PIXELS + 1.0, 1.0)
    except (UnidentifiedImageError, OSError) as exc:
        raise MediaIssue(Message("the image « {src} » cannot be read", src=path.name)) from exc
    if max(size) > MAX_PIXELS:
        raise MediaIssue(
            Message("the image « {src} » is larger than 8000 x 8000 px: shrink it", src=path.name)
        )
    return mime, size


_TURNED = (5, 6, 7, 8)  # EXIF orientations that swap width and height


def _orientation(img) -> int:
    try:
        return int(img.getexif().get(0x0112, 1))
    except (ValueError, TypeError, OSError):
        return 1


def _file_orientation(path: Path, mime: str, img) -> int:
    return _png_orientation(path) if mime == "image/png" else _orientation(img)


def _png_orientation(path: Path) -> int:
    """The EXIF orientation of a PNG from its eXIf chunk, without decoding a pixel.

    (Pillow's ``getexif()`` on a PNG decodes the whole image to reach chunks after the pixels.)
    """
    from PIL import Image

    with path.open("rb") as fh:
        fh.seek(8)
        while len(head := fh.read(8)) == 8:
            length, kind = int.from_bytes(head[:4], "big"), head[4:]
            if kind == b"IEND":
                break
            if kind == b"eXIf":
                exif = Image.Exif()
                try:
                    exif.load(fh.read(min(length, 1 << 20)))
                    return int(exif.get(0x0112, 1))
                except (ValueError, TypeError, OSError, SyntaxError):
                    return 1
            fh.seek(length + 4, io.SEEK_CUR)  # the data and its CRC
    return 1


def image_info(path: Path) -> tuple[str, tuple[float, float]]:
    """(MIME type, (width, height)) of an image file, without decoding its pixels."""
    return _probe(_stamp(path))


def image_data_uri(path: Path, draw_w: float, draw_h: float) -> str:
    """A data: URI of the image at `path`, shrunk to what a draw_w x draw_h px box needs."""
    mime, (width, height) = image_info(path)
    if mime == "image/svg+xml":
        return _svg_uri(_stamp(path))
    scale = min(
        1.0, OVERSAMPLE * max(draw_w / width, draw_h / height), MAX_SIDE / max(width, height)
    )
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    return _bitmap_uri(_stamp(path), target)


@functools.lru_cache(maxsize=32)
def _bitmap_uri(key: tuple[str, int, int], target: tuple[int, int]) -> str:
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(key[0])
    mime, (width, height) = image_info(path)
    try:
        with Image.open(path) as img:
            orientation = _file_orientation(path, mime, img)
            if (
                mime in ("image/png", "image/jpeg")
                and target == (round(width), round(height))
                and orientation == 1
            ):  # already upright and no bigger than drawn: the file as it is
                return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()
            turned = orientation in _TURNED
            raw = (target[1], target[0]) if turned else target
            # JPEG decodes straight at 1/2, 1/4 or 1/8 scale: a huge photo never fills memory
            img.draft("RGB", raw)
            alpha = img.has_transparency_data
            if img.mode not in ("RGB", "RGBA", "L", "LA"):
                img = img.convert("RGBA" if alpha else "RGB")
            if img.size != raw:
                img = img.resize(raw, Image.Resampling.LANCZOS, reducing_gap=2.0)
            img = ImageOps.exif_transpose(img)
            buf = io.BytesIO()
            if alpha:
                img.convert("RGBA").save(buf, "PNG")
                out_mime = "image/png"
            else:
                img.convert("RGB").save(buf, "JPEG", quality=88)
                out_mime = "image/jpeg"
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise MediaIssue(Message("the image « {src} » cannot be read", src=path.name)) from exc
    return f"data:{out_mime};base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _safe_href(value: str) -> bool:
    value = value.strip()
    return value.startswith("#") or re.match(r"data:image/(png|jpeg|gif|webp);", value) is not None


def sanitize_svg(data: bytes) -> etree._Element:
    """The root of an SVG image without anything that runs or fetches: MediaIssue if unusable."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise MediaIssue(Message("the SVG image is not well-formed XML")) from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise MediaIssue(Message("the SVG image is not well-formed XML"))
    for el in list(root.iter()):
        if not isinstance(el.tag, str):  # comments
            if el.getparent() is not None:
                el.getparent().remove(el)
            continue
        local = etree.QName(el).localname
        if local in _DROP_TAGS or not el.tag.startswith(f"{{{SVG_NS}}}"):
            if el.getparent() is not None:
                el.getparent().remove(el)
            continue
        for name in list(el.attrib):
            attr = etree.QName(name).localname
            value = el.attrib[name]
            if attr.lower().startswith("on"):
                del el.attrib[name]
            elif attr == "href" and not _safe_href(value):
                del el.attrib[name]
            elif "url(" in value.lower() or "@import" in value.lower():
                el.attrib[name] = _IMPORT_RE.sub("", _URL_RE.sub("none", value))
        if local == "style" and el.text:
            el.text = _IMPORT_RE.sub("", _URL_RE.sub("none", el.text))
    return root


def _svg_size(root: etree._Element) -> tuple[float, float]:
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            w, h = float(box[2]), float(box[3])
            if w > 0 and h > 0:
                return w, h
        except ValueError:
            pass
    try:
        return float(root.get("width", "").rstrip("px")), float(root.get("height", "").rstrip("px"))
    except ValueError:
        return 100.0, 100.0


@functools.lru_cache(maxsize=32)
def _svg_uri(key: tuple[str, int, int]) -> str:
    root = sanitize_svg(Path(key[0]).read_bytes())
    data = etree.tostring(root, encoding="utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")
