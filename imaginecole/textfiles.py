"""Reading the text files teachers bring: rosters, GIFT, CSV.

They come from Excel or old editors as often as from UTF-8 tools, so
Windows-1252 is the fallback, and a file too large is refused before it is read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .i18n import ImaginecoleError


def decode_teacher_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which decodes any byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_teacher_file(
    path: Path | str, max_bytes: int, too_large: Callable[[Path], Exception]
) -> str:
    """The text of `path`; `too_large(path)` is raised above `max_bytes`."""
    path = Path(path)
    try:
        if path.stat().st_size > max_bytes:
            raise too_large(path)
        raw = path.read_bytes()
    except OSError as exc:
        raise ImaginecoleError(
            "Cannot read the file {path}: {error}.", path=path, error=exc.strerror
        ) from exc
    return decode_teacher_text(raw)
