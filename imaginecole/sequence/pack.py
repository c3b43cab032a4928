"""A module or parcours packed whole, to publish it: one zip with every part inside.

A module names its parts by id and path; it does not hold them. To publish it, the teacher's
side packs the module's own files (manifest.json, media/) at the root of a zip and every part
(for a parcours: every module and every module's parts) under ``parts/<folder-name>/``. The
catalogue unpacks it and reads it with ``resolve(unpacked, search=[unpacked / "parts"])``.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from .model import Sequence, resolve

PARTS_DIR = "parts"


def bundle_files(folder: Path) -> list[tuple[str, Path]]:
    """(name in the zip, path) of a bundle's files: manifest.json, an app's notebook, media/."""
    from ..catalogue.publishing import _bundle_files

    return _bundle_files(Path(folder))


def parts_entries(folders: list[Path]) -> list[tuple[str, Path]]:
    """The ``parts/<folder>/`` zip entries of the bundle `folders` (folder names made unique)."""
    entries: list[tuple[str, Path]] = []
    used: set[str] = set()
    for path in folders:
        name, n = path.name, 2
        while name in used:
            name, n = f"{path.name}-{n}", n + 1
        used.add(name)
        entries.extend((f"{PARTS_DIR}/{name}/{e}", p) for e, p in bundle_files(path))
    return entries


def packed_entries(seq: Sequence) -> list[tuple[str, Path]]:
    """The zip entries of the resolved sequence `seq`: its files, then each part's under
    ``parts/<folder>/`` (each part once)."""
    folders: dict[str, Path] = {}  # part id -> folder
    for item in seq.items:
        folders.setdefault(item.id, item.path)
        for part in item.items:
            folders.setdefault(part.id, part.path)
    return list(bundle_files(seq.path)) + parts_entries(list(folders.values()))


def found_parts(folder: Path | str) -> list[tuple[str, Path]]:
    """The ``parts/`` entries of the module or parcours `folder` for the parts that can be
    found (where `resolve` looks), leaving out the missing ones: the catalogue may have them."""
    from ..bundle.model import load_manifest
    from .model import Finder, read_item
    from .validate import items_of

    folder = Path(folder).resolve()
    seen: dict[str, Path] = {}

    def walk(sequence_dir: Path, manifest: dict, depth: int) -> None:
        finder = Finder(sequence_dir.parent.parent)
        for entry in items_of(manifest):
            found = read_item(entry, sequence_dir, finder)
            if isinstance(found, tuple) and found[1]["id"] not in seen:
                seen[found[1]["id"]] = found[0]
                if depth and found[1].get("type") == "module":
                    walk(found[0], found[1], depth - 1)

    walk(folder, load_manifest(folder), 1)
    return parts_entries(list(seen.values()))


def pack_sequence(folder: Path | str, out: Path | str | None = None) -> bytes | Path:
    """The module or parcours `folder` with all its parts, as a zip: written at `out` (and
    `out` returned), or returned as bytes. BundleError when a part is missing or has problems
    (`resolve` names each)."""
    from ..exports.archive import write_zip

    seq = resolve(folder)
    entries = packed_entries(seq)
    if out is not None:
        return write_zip(Path(out), entries)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()
