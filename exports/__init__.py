"""The exporter registry: every output format is a named exporter.

Exporters are found through the `imaginecole.exporters` entry points, built-in
and third-party alike, so a new format is one module plus one line in
pyproject.toml. The CLI, the widgets and the catalogue all resolve names here.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

GROUP = "imaginecole.exporters"


def available() -> list[str]:
    """Names of the installed exporters, sorted."""
    return sorted({ep.name for ep in entry_points(group=GROUP)})


def get_exporter(name: str) -> Any:
    """The exporter class registered under `name`; KeyError if there is none."""
    for ep in entry_points(group=GROUP):
        if ep.name == name:
            return ep.load()
    raise KeyError(name)
