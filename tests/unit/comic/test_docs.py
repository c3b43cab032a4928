"""docs/comics.md documents the whole comic schema: a field, layout or scene left out fails here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imaginecole.comic import comic_schema

REPO = Path(__file__).resolve().parents[3]
DOCS = REPO / "docs" / "comics.md"


def own_fields(definition: dict) -> set[str]:
    return set(definition.get("properties", {}))


def documented() -> str:
    return DOCS.read_text("utf-8")


def schema_names() -> list[tuple[str, str]]:
    defs = comic_schema()["$defs"]
    names: set[tuple[str, str]] = set()
    names |= {("manifest field", n) for n in own_fields(comic_schema())}
    names |= {("setting", n) for n in own_fields(defs["settings"])}
    for field in ("format", "direction", "lettering", "audience"):
        names |= {(f"settings.{field}", v) for v in defs["settings"]["properties"][field]["enum"]}
    names |= {("cast field", n) for n in own_fields(defs["castMember"])}
    names |= {("page field", n) for n in own_fields(defs["page"])}
    names |= {("layout", n) for n in defs["page"]["properties"]["layout"]["enum"]}
    names |= {("panel field", n) for n in own_fields(defs["panel"])}
    names |= {("audio field", n) for n in own_fields(defs["panel"]["properties"]["audio"])}
    names |= {("scene", n) for n in defs["scene"]["enum"]}
    for name, definition in defs.items():
        if name.endswith("Element") or name.endswith("Background"):
            kind = definition["properties"]["kind"]["const"]
            names.add((name, kind))
            names |= {(name, field) for field in own_fields(definition)}
    names |= {("bubble style", s) for s in defs["bubbleElement"]["properties"]["style"]["enum"]}
    return sorted(names)


@pytest.mark.parametrize("where, name", schema_names(), ids=lambda v: str(v))
def test_every_schema_name_is_documented(where: str, name: str) -> None:
    assert f"`{name}`" in documented(), f"{where} `{name}` is not in docs/comics.md"


def test_every_example_is_documented() -> None:
    examples = [
        p.parent.name
        for p in (REPO / "notebooks" / "examples").glob("*/manifest.json")
        if json.loads(p.read_text("utf-8")).get("type") == "comic"
    ]
    assert examples
    for name in examples:
        assert f"`{name}`" in documented(), f"example {name} is not in docs/comics.md"
