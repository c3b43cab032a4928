"""The school levels of every country's curriculum, for events that span several countries."""

from __future__ import annotations

from functools import cache

from ..curricula import levels
from ..workshop.countries import COUNTRIES


@cache
def all_levels() -> list[str]:
    out: list[str] = []
    for code in COUNTRIES:
        try:
            found = levels(code)
        except Exception:  # noqa: BLE001 - a country without a curriculum file
            continue
        out.extend(level["id"] for level in found if level["id"] not in out)
    return out
