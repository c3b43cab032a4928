"""A text progress bar on stderr, shared by the command-line tools."""

from __future__ import annotations

import sys

WIDTH = 30


def bar(done: int, total: int) -> str:
    """« [#####.....] done/total », `total` above zero."""
    filled = WIDTH * min(done, total) // total
    return f"[{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total}"


def show(done: int, total: int, label: str) -> None:
    """Redraw the bar on stderr, the line ended when `done` reaches `total`; none for one item."""
    if total <= 1:
        return
    sys.stderr.write(f"\r{bar(done, total)} {label[:40]:<40}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
