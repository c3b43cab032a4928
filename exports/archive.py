"""Zip archives: deterministic to write, safe to read.

The same bundle gives the same bytes: entries are sorted, timestamps fixed and
permissions normalised. Reading never writes outside the target folder,
refuses links and caps the unpacked size and the number of entries.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from imaginecole.i18n import ImaginecoleError

FIXED_TIME = (2000, 1, 1, 0, 0, 0)
MAX_ENTRIES = 5000
MAX_UNPACKED = 500 * 1024 * 1024
MAX_RATIO = 200  # a zip bomb packs far more than this


def write_zip(
    out: Path, entries: Iterable[tuple[str, bytes | Path]], *, stored: Iterable[str] = ()
) -> Path:
    """Write `entries` (name, data) to `out`, sorted, with fixed metadata.

    `data` is bytes, or a file to copy by blocks; the names in `stored` are not deflated.
    Never half a file at `out`."""
    keep_stored = set(stored)
    items = sorted(dict(entries).items())
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w") as archive:
        for name, data in items:
            check_member_name(name)
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED if name in keep_stored else zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.create_system = 3
            if isinstance(data, Path):
                with data.open("rb") as source, archive.open(info, "w") as target:
                    shutil.copyfileobj(source, target, 1024 * 1024)
            else:
                archive.writestr(info, data, compresslevel=9)
    tmp.replace(out)
    return out


def check_member_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or ".." in path.parts
        or (len(name) > 1 and name[1] == ":")
    ):
        raise ImaginecoleError(
            "The archive entry « {name} » would land outside its folder; it is refused.",
            name=name,
        )
    return path


def safe_extract(
    archive_path: Path,
    target: Path,
    *,
    max_bytes: int = MAX_UNPACKED,
    max_entries: int = MAX_ENTRIES,
    max_ratio: float = MAX_RATIO,
    ratio_floor: int = 0,
) -> list[Path]:
    """Unpack `archive_path` into `target`; refuse links, escapes and zip bombs.

    The packing ratio is only checked above `ratio_floor` unpacked bytes.
    """
    target = target.resolve()
    written: list[Path] = []
    with zipfile.ZipFile(archive_path) as archive:
        members = archive.infolist()
        if len(members) > max_entries:
            raise ImaginecoleError(
                "The archive {path} holds {n} entries, more than {max}.",
                path=archive_path,
                n=len(members),
                max=max_entries,
            )
        total = sum(m.file_size for m in members)
        packed = max(1, sum(m.compress_size for m in members))
        if total > max_bytes or (total > ratio_floor and total / packed > max_ratio):
            raise ImaginecoleError(
                "The archive {path} would unpack to {size} MB: refused (limit {max} MB).",
                path=archive_path,
                size=total // 1_000_000,
                max=max_bytes // 1_000_000,
            )
        # check every entry before writing anything
        for member in members:
            check_member_name(member.filename)
            if stat.S_ISLNK(member.external_attr >> 16):
                raise ImaginecoleError(
                    "The archive entry « {name} » is a symbolic link; links are refused.",
                    name=member.filename,
                )
            if not (target / member.filename).resolve().is_relative_to(target):
                raise ImaginecoleError(
                    "The archive entry « {name} » would land outside its folder; it is refused.",
                    name=member.filename,
                )
        for member in members:
            dest = (target / member.filename).resolve()
            if member.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, dest.open("wb") as fh:
                remaining = member.file_size
                while chunk := src.read(1 << 16):
                    remaining -= len(chunk)
                    if remaining < 0:  # the header lied about the size
                        raise ImaginecoleError(
                            "The archive entry « {name} » is larger than it says; refused.",
                            name=member.filename,
                        )
                    fh.write(chunk)
            written.append(dest)
    return written
