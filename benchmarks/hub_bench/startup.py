"""Where a cold spawn spends its time, read from the hub's log (the servers log to it too).

Milestones, in seconds after the hub logs "Spawning" for the user:
the server's first log line (Python started and imported jupyter_server),
each server extension slower than 0.1 s to import (jupyter_server logs those),
"Jupyter Server … is running at", and the hub's own "took X seconds to start".
"""

from __future__ import annotations

import re
from datetime import datetime

LINE = re.compile(r"^\[(\w) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) (\S+)[^\]]*\] ?(.*)$")
IMPORT = re.compile(r"Extension package (\S+) took ([0-9.]+)s to import")


def _parse(line: str) -> tuple[datetime, str, str] | None:
    m = LINE.match(line)
    if not m:
        return None
    return datetime.strptime(m[2], "%Y-%m-%d %H:%M:%S.%f"), m[3], m[4]


def cold_start_profile(log: str, user: str) -> dict:
    """Milestones of `user`'s first spawn; valid when no other server starts meanwhile."""
    lines = log.splitlines()
    start = None
    for i, line in enumerate(lines):
        if f"User logged in: {user}" in line:
            start = i
            break
    if start is None:
        return {}
    t0 = None
    out: dict = {"extension_imports": {}}
    for line in lines[start:]:
        parsed = _parse(line)
        if parsed is None:
            continue
        when, source, text = parsed
        if t0 is None:
            if source == "JupyterHub" and text.startswith("Spawning"):
                t0 = when
            continue
        offset = round((when - t0).total_seconds(), 3)
        if source != "JupyterHub" and "first_server_log" not in out:
            out["first_server_log"] = offset
        m = IMPORT.search(text)
        if m:
            out["extension_imports"][m[1]] = float(m[2])
        if "is running at" in text and "server_running" not in out:
            out["server_running"] = offset
        if f"User {user} took" in text:
            out["hub_took_logged"] = offset
            out["hub_took"] = float(text.split(" took ")[1].split()[0])
            break
    return out
