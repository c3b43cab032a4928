"""Media files of a bundle: safe names, allowed types, size caps, magic bytes.

Every media file sits flat in the bundle's `media/` folder and is referenced
as ``media/name.ext``. SVG is refused: it can carry scripts.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from ..hub.workbenches import atomic_write
from ..i18n import ImaginecoleError

MEDIA_DIR = "media"
IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "webp"})
AUDIO_EXTENSIONS = frozenset({"mp3", "ogg", "oga", "opus", "m4a", "wav", "webm"})
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_AUDIO_BYTES = 50 * 1024 * 1024
MAX_NAME_CHARS = 100  # well under the schema's limit, to leave room for "-2" suffixes


class MediaError(ImaginecoleError):
    """A media file that cannot go into a bundle."""


def media_kind(name: str) -> str | None:
    """``image``, ``audio`` or None, from the extension of `name`."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in AUDIO_EXTENSIONS:
        return "audio"
    return None


def max_bytes(name: str) -> int:
    return MAX_AUDIO_BYTES if media_kind(name) == "audio" else MAX_IMAGE_BYTES


def magic_matches(ext: str, head: bytes) -> bool:
    """True when the first bytes of a file look like its extension says."""
    ext = ext.lower()
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == "gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if ext == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if ext == "wav":
        return head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    if ext in ("ogg", "oga", "opus"):
        return head[:4] == b"OggS"
    if ext == "mp3":
        # an ID3 tag, or straight into an MPEG audio frame (11 sync bits)
        return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    if ext == "m4a":
        return head[4:8] == b"ftyp"
    if ext == "webm":
        return head[:4] == b"\x1a\x45\xdf\xa3"
    return False


def safe_media_name(filename: str) -> str:
    """An ASCII file name safe for media/: no folders, no dots first, allowed extension.

    Raises MediaError when the extension is not allowed.
    """
    base = re.split(r"[\\/]", filename)[-1].strip()
    stem, dot, ext = base.rpartition(".")
    ext = ext.lower()
    if not dot or media_kind(f"x.{ext}") is None:
        raise MediaError(
            "« {name} » is not an allowed media file. Use an image ({images}) "
            "or a sound ({sounds}).",
            name=filename,
            images=", ".join(sorted(IMAGE_EXTENSIONS)),
            sounds=", ".join(sorted(AUDIO_EXTENSIONS)),
        )
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_stem).strip("-_").lower()
    slug = slug[: MAX_NAME_CHARS - len(ext) - 1].strip("-_") or "media"
    return f"{slug}.{ext}"


def add_media(bundle_dir: Path | str, source: Path | str | bytes, filename: str) -> str:
    """Copy `source` (a path or the bytes) into the bundle's media/ as a safe name.

    Returns the reference to store in the manifest, ``media/name.ext``. Checks
    the extension, the size cap (images 5 MB, sounds 50 MB) and that the file's
    first bytes match its extension. A different file with the same name gets
    a ``-2``, ``-3``… suffix; the very same file is reused.
    """
    name = safe_media_name(filename)
    cap = max_bytes(name)
    if isinstance(source, bytes | bytearray):
        data, size = bytes(source), len(source)
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
            # refuse before reading a huge file into memory
            data = path.read_bytes() if size <= cap else b""
        except OSError as exc:
            raise MediaError(
                "Cannot read the media file {path}: {error}.", path=path, error=exc.strerror
            ) from exc
    if size > cap:
        raise MediaError(
            "« {name} » is larger than {mb} MB. Compress it or shorten it first.",
            name=filename,
            mb=cap // (1024 * 1024),
        )
    ext = name.rsplit(".", 1)[1]
    if not magic_matches(ext, data[:16]):
        raise MediaError(
            "« {name} » does not contain what its extension .{ext} says. "
            "Export it again in that format.",
            name=filename,
            ext=ext,
        )
    folder = Path(bundle_dir) / MEDIA_DIR
    stem = name.rsplit(".", 1)[0]
    digest = hashlib.sha256(data).digest()
    candidate, n = name, 1
    while (folder / candidate).exists():
        if hashlib.sha256((folder / candidate).read_bytes()).digest() == digest:
            return f"{MEDIA_DIR}/{candidate}"
        n += 1
        candidate = f"{stem}-{n}.{ext}"
    atomic_write(folder / candidate, data)
    return f"{MEDIA_DIR}/{candidate}"
