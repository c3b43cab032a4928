"""Copying the workbench notebooks into a participant's home.

A workbench the teacher has changed is never overwritten: a newer version
appears beside it. A workbench the teacher left untouched is updated in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from ..i18n import _

STATE_FILE = ".imaginecole/workbenches.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write through a temporary file and rename, so a crash leaves the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def for_trainers_only(data: bytes) -> bool:
    """Whether a notebook is only for trainers: metadata ``imaginecole.audience: trainers``
    (the trainer dashboard). Its data still comes from the hub and the catalogue, which
    refuse a teacher: this only keeps teachers' launchers uncluttered."""
    try:
        info = json.loads(data.decode("utf-8")).get("metadata", {}).get("imaginecole", {})
    except (ValueError, AttributeError):
        return False
    return isinstance(info, dict) and info.get("audience") == "trainers"


def install_workbenches(
    source: Path, home: Path, language: str = "fr", trainer: bool = False
) -> list[str]:
    """Install or update the workbenches of `source` in `home`; return what was done.

    The trainers' own notebooks (`for_trainers_only`) go only to a trainer's home."""
    state_path = home / STATE_FILE
    try:
        state: dict[str, str] = json.loads(state_path.read_text("utf-8"))
    except (OSError, ValueError):
        state = {}
    done = []
    for src in sorted(source.glob("*.ipynb")):
        data = src.read_bytes()
        if not trainer and for_trainers_only(data):
            continue
        src_hash = hashlib.sha256(data).hexdigest()
        dest = home / src.name
        if not dest.exists():
            atomic_write(dest, data)
            state[src.name] = src_hash
            done.append(f"+ {src.name}")
            continue
        dest_hash = _sha256(dest)
        if dest_hash == src_hash:
            state[src.name] = src_hash
            continue
        if state.get(src.name) == dest_hash:
            # untouched since we installed it: safe to update in place
            atomic_write(dest, data)
            state[src.name] = src_hash
            done.append(f"~ {src.name}")
            continue
        beside = home / f"{src.stem} ({_('new version', language)} {src_hash[:6]}){src.suffix}"
        if not beside.exists():
            atomic_write(beside, data)
            done.append(f"+ {beside.name}")
    atomic_write(state_path, json.dumps(state, indent=1, sort_keys=True).encode())
    return done
