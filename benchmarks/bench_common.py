"""What the export benchmarks share: two pinned cores, a scratch folder, the CPU time and the
tools' versions measured, the report's head and the results written.

Imported by the benchmarks (``export_bench.py``, ``sequence_bench.py``, ``podcast_bench.py``…),
run as scripts from this folder.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def pin_two_cores() -> list[int]:
    """Pin this process, and the children it starts, to (at most) two cores; their ids."""
    cpus = sorted(os.sched_getaffinity(0))[:2]
    os.sched_setaffinity(0, cpus)
    return cpus


def cpu_seconds() -> float:
    """User + system CPU of this process and of its finished children (rsvg-convert, ffmpeg)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_kib(pid: int | str = "self") -> int:
    """The peak resident memory (KiB) of process `pid`: its VmHWM.

    Not ``ru_maxrss``: a child's starts at its parent's size (Linux copies it through fork and
    exec), so it would report the parent's memory as the child's.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


class ChildrenPeak:
    """The largest peak memory (KiB) of this process's descendants while the block runs.

    Each descendant's VmHWM is read every `every` seconds until it ends: the figure is its
    own peak up to the last reading (a peak in its last `every` seconds can be missed).
    """

    def __init__(self, every: float = 0.02) -> None:
        import threading

        self.every = every
        self.kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ChildrenPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _descendants(self) -> list[str]:
        found, todo = [], [str(os.getpid())]
        while todo:
            pid = todo.pop()
            try:
                kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            found += kids
            todo += kids
        return found

    def _watch(self) -> None:
        while not self._stop.wait(self.every):
            for pid in self._descendants():
                self.kib = max(self.kib, peak_kib(pid))


def tool_version(argv: list[str]) -> str:
    """The first line `argv` (a tool's version option) prints, or "?"."""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def run_facts(cpus: list[int]) -> dict[str, Any]:
    """The first results of a run, which `report_head` shows: the date, the cores, Python."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": len(cpus),
        "python": platform.python_version(),
    }


@contextmanager
def scratch_folder(prefix: str, keep: bool) -> Iterator[Path]:
    """A temporary folder for the run, removed after it unless `keep` (``--keep``)."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield work
    finally:
        if keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def write_results(stem: str, results: dict[str, Any], table: str) -> None:
    """Print the Markdown `table`; write it to results/<stem>.md and `results` to <stem>.json."""
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stem}.md").write_text(table, encoding="utf-8")
    (RESULTS / f"{stem}.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def report_head(
    title: str, results: dict[str, Any], tool: str, columns: str, facts: tuple[str, ...] = ()
) -> list[str]:
    """The first lines of a Markdown report: `# title`; the date, `facts`, the cores pinned and
    the versions of Python and of `tool`; the head of its table. `columns` are separated by
    ``|``, a name ending in ``:`` is of numbers, aligned right."""
    names = [name.strip() for name in columns.split("|")]
    about = [results["date"], *facts, f"{results['cores']} cores pinned"]
    about += [f"Python {results['python']}", tool]
    return [
        f"# {title}",
        "",
        " · ".join(about),
        "",
        "| " + " | ".join(name.rstrip(":") for name in names) + " |",
        "|" + "|".join("---:" if name.endswith(":") else "---" for name in names) + "|",
    ]
