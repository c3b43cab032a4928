"""A delivery on disk: its items, unpacking its zip safely, the journal of an import.

A delivery is a folder (or a zip of one) of items: bundle folders, and files
(bundle zips, H5P and SCORM packages). Notes beside them (.csv, .md, .txt) and
hidden files are not items. The journal records each item done, one JSON line
flushed at once, so an import stopped at any moment resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from imaginecole.exports import archive
from imaginecole.i18n import ImaginecoleError

from .packages import MANIFEST, RATIO_FLOOR, PackageLimits

IGNORED_SUFFIXES = frozenset({".csv", ".md", ".txt"})  # notes beside the packages
MAX_DELIVERY_ENTRIES = 500_000
MAX_DELIVERY_BYTES = 100 * 1024**3


# -- the delivery --------------------------------------------------------------------------


@dataclass
class Item:
    rel: str  # path inside the delivery, as the CSV names it
    path: Path


def _hidden(name: str) -> bool:
    return name.startswith(".") or name == "__MACOSX"


def discover(root: Path, skip: Path | None = None) -> list[Item]:
    """Every item of a delivery folder: bundle folders and files, in name order."""
    items: list[Item] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        keep = []
        for name in sorted(dirs):
            if _hidden(name):
                continue
            path = here / name
            if path.is_symlink() or (path / MANIFEST).is_file():
                items.append(Item(path.relative_to(root).as_posix(), path))
            else:
                keep.append(name)
        dirs[:] = keep
        for name in sorted(files):
            path = here / name
            if _hidden(name) or path.suffix.lower() in IGNORED_SUFFIXES or path == skip:
                continue
            items.append(Item(path.relative_to(root).as_posix(), path))
    return sorted(items, key=lambda i: i.rel)


def unpack_delivery(source: Path, target: Path, limits: PackageLimits) -> Path:
    """Unpack a delivery zip with the checks of `exports.archive`, at a delivery's scale.

    Returns the delivery's root: the single top folder when the zip holds only one.
    """
    target.mkdir(parents=True, exist_ok=True)
    archive.safe_extract(
        source,
        target,
        max_bytes=min(MAX_DELIVERY_BYTES, shutil.disk_usage(target).free),
        max_entries=MAX_DELIVERY_ENTRIES,
        max_ratio=limits.max_ratio,
        ratio_floor=RATIO_FLOOR,
    )
    tops = [p for p in target.iterdir() if not _hidden(p.name)]
    if len(tops) == 1 and tops[0].is_dir() and not (tops[0] / MANIFEST).exists():
        return tops[0]
    return target


# -- the journal ---------------------------------------------------------------------------


def journal_path(data_dir: Path, source: Path) -> Path:
    """DATA/imports/<name>-<hash of the delivery's path>.jsonl."""
    key = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:12]
    return Path(data_dir) / "imports" / f"{source.stem[:40]}-{key}.jsonl"


class Journal:
    """What was done, one JSON line per item, flushed at once; a torn last line is ignored."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.done: dict[str, dict[str, Any]] = {}
        self._fh = None
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            for line in path.read_text("utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(entry, dict) and entry.get("status") == "imported":
                    self.done[entry["key"]] = entry
        torn = path.exists() and path.stat().st_size and not path.read_bytes().endswith(b"\n")
        self._fh = path.open("a", encoding="utf-8")
        if torn:  # a run killed mid-line: start the next entry on a line of its own
            self._fh.write("\n")
        try:
            import fcntl
        except ImportError:  # not on POSIX: no lock, one import at a time is up to the user
            return
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._fh.close()
            raise ImaginecoleError(
                "Another import of this delivery is running (journal {path}); wait for it to end.",
                path=path,
            ) from None

    def write(self, **entry: Any) -> None:
        entry["at"] = datetime.now(UTC).isoformat(timespec="seconds")
        if entry["status"] == "imported":
            self.done[entry["key"]] = entry
        if self._fh is not None:
            self._fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
