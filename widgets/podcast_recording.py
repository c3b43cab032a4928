"""Recordings made in the browser, kept chunk by chunk so that nothing said is ever lost.

The page records with MediaRecorder (``audio/webm;codecs=opus``) and sends a chunk every
second. Each chunk is appended to ``media/<name>.webm.part`` and flushed to the disk
(``fsync``) before the next one is taken, so a closed tab, a lost connection or a stopped
kernel leaves a ``.part`` holding every chunk received: WebM chunks of one recording put
end to end are a WebM stream ffmpeg decodes. ``finish`` renames it to ``.webm``;
:func:`leftover_parts` finds the ``.part`` files a recording interrupted left behind, and
:func:`recover_part` makes one a ``.webm`` to add as a segment.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..bundle.media import MEDIA_DIR
from ..i18n import ImaginecoleError

PART_SUFFIX = ".webm.part"
# a recording longer than the 4 hours a source may last is refused (about 24 kbps: 50 MB)
MAX_RECORDING_BYTES = 200 * 1024 * 1024
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")


class RecordingError(ImaginecoleError):
    """A recording that cannot be kept (disk full, too long…)."""


def free_media_name(bundle_dir: Path | str, stem: str) -> str:
    """A stem for media/<stem>.webm not yet taken by a file or a .part (-2, -3… if needed)."""
    folder = Path(bundle_dir) / MEDIA_DIR
    base = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-") or "recording"
    candidate, n = base, 1
    while any((folder / f"{candidate}{suffix}").exists() for suffix in (".webm", PART_SUFFIX)):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


class ChunkWriter:
    """One recording being received: chunks appended in order, each one on the disk at once.

    `seq` numbers the chunks from 0. A chunk sent twice (the page retrying) is kept once;
    a chunk arriving after a gap is still kept (what was said must not be thrown away) and
    the gap counted in `missing`.
    """

    def __init__(self, bundle_dir: Path | str, name: str) -> None:
        if not _NAME.match(name):
            raise RecordingError("« {name} » is not a valid recording name.", name=name)
        self.folder = Path(bundle_dir) / MEDIA_DIR
        self.folder.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.part = self.folder / f"{name}{PART_SUFFIX}"
        self.final = self.folder / f"{name}.webm"
        self.next_seq = 0
        self.missing = 0
        self.size = self.part.stat().st_size if self.part.exists() else 0
        self._file = self.part.open("ab")

    @property
    def closed(self) -> bool:
        return self._file.closed

    def append(self, seq: int, data: bytes) -> bool:
        """Append chunk `seq` and sync it to the disk; False when it was already received."""
        if self._file.closed:
            raise RecordingError("The recording {name} is already finished.", name=self.name)
        if seq < self.next_seq:
            return False
        if self.size + len(data) > MAX_RECORDING_BYTES:
            raise RecordingError(
                "The recording {name} is too long: stop it and start a new segment.",
                name=self.name,
            )
        try:
            self._file.write(data)
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise RecordingError(
                "The recording could not be written to {path} ({error}). Free some space "
                "on the disk, then record again.",
                path=self.part,
                error=exc.strerror or str(exc),
            ) from exc
        self.missing += seq - self.next_seq
        self.next_seq = seq + 1
        self.size += len(data)
        return True

    def finish(self) -> Path | None:
        """Close and rename the .part to .webm; None (and the .part removed) when empty."""
        if not self._file.closed:
            self._file.close()
        if self.size == 0:
            self.part.unlink(missing_ok=True)
            return None
        return _promote(self.part, self.final)

    def abandon(self) -> None:
        """Close without renaming: the .part stays, to be recovered later."""
        if not self._file.closed:
            self._file.close()


def _promote(part: Path, final: Path) -> Path:
    os.replace(part, final)
    try:  # the rename itself must survive a power cut
        fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
    return final


def leftover_parts(bundle_dir: Path | str) -> list[Path]:
    """The .part files interrupted recordings left in media/, oldest first, empty ones skipped."""
    folder = Path(bundle_dir) / MEDIA_DIR
    try:
        parts = [p for p in folder.glob(f"*{PART_SUFFIX}") if p.is_file()]
    except OSError:
        return []
    found = []
    for part in parts:
        try:
            if part.stat().st_size > 0:
                found.append(part)
        except OSError:
            continue
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))


def recover_part(part: Path) -> Path:
    """Make the leftover `part` a .webm beside it (a free name); returns the .webm."""
    stem = part.name[: -len(PART_SUFFIX)]
    name = free_media_name(part.parent.parent, stem + "-recovered")
    return _promote(part, part.parent / f"{name}.webm")
