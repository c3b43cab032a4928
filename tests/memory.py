"""The peak memory of a piece of work, measured in a fresh Python of its own."""

from __future__ import annotations

import re
import subprocess
import sys

_REPORT = (
    "\nimport re as _re\n"
    "_status = open('/proc/self/status').read()\n"
    "print(_re.search(r'VmHWM:\\s*(\\d+) kB', _status).group(1))\n"
)


def peak_kib(script: str, *args: str, timeout: float = 300) -> tuple[list[str], int]:
    """Run `script` (Python source; ``sys.argv[1:]`` is `args`) in a new interpreter.

    Returns the lines it printed and its peak resident memory in KiB. VmHWM, not
    ``ru_maxrss``: a child's ``ru_maxrss`` starts at its parent's size, here the test run's.
    """
    done = subprocess.run(
        [sys.executable, "-c", script + _REPORT, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    *lines, last = done.stdout.splitlines()
    assert re.fullmatch(r"\d+", last), done.stdout
    return lines, int(last)
