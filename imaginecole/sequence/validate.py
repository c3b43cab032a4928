"""Validating a module or parcours manifest: the JSON Schema, then the rules a schema cannot say.

The schemas (module.schema.json, parcours.schema.json) take the grain schema's metadata by
reference; the three are loaded into one `referencing` registry. The rules after the schema:

- a part (or a module of a parcours) appears once;
- a prerequisite names an earlier module of the same parcours;
- the level and subject come from the country's curriculum file.

Whether each part's bundle exists and is valid, and whether a ``count`` rule asks for no more
parts than the module has, is `resolve`'s job (model.py): a module is saved while it is being
made, and checked whole before it is exported or published.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from ..bundle.richtext import sanitize_rich_text
from ..bundle.validate import (
    Problem,
    _curriculum_problems,
    _describe,
    field_path,
    grain_schema,
    path_order,
    problems_by_place,
)
from ..i18n import Message

SEQUENCE_SCHEMA_VERSION = 1
MODULE, PARCOURS = "module", "parcours"
SEQUENCE_TYPES = (MODULE, PARCOURS)
PART_TYPES = ("grain", "comic", "podcast", "notebook-app")


@cache
def sequence_schema(kind: str) -> dict[str, Any]:
    """The published JSON Schema of a ``module`` or ``parcours`` manifest (draft 2020-12)."""
    return json.loads((Path(__file__).parent / f"{kind}.schema.json").read_text("utf-8"))


@cache
def _validator(kind: str) -> Any:
    import jsonschema
    from referencing import Registry, Resource

    schemas = (grain_schema(), sequence_schema(MODULE), sequence_schema(PARCOURS))
    registry = Registry().with_resources([(s["$id"], Resource.from_contents(s)) for s in schemas])
    cls = jsonschema.Draft202012Validator
    return cls(sequence_schema(kind), registry=registry, format_checker=cls.FORMAT_CHECKER)


def items_key(kind: str) -> tuple[str, str]:
    """(section, list) holding the items of a `kind`: ("module", "parts") or
    ("parcours", "modules")."""
    return (MODULE, "parts") if kind == MODULE else (PARCOURS, "modules")


def items_of(manifest: Any) -> list[dict[str, Any]]:
    """The parts of a module or the modules of a parcours (the dicts among them)."""
    if not isinstance(manifest, dict):
        return []
    section, key = items_key(str(manifest.get("type")))
    body = manifest.get(section)
    items = body.get(key) if isinstance(body, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _rule_problems(manifest: dict[str, Any]) -> list[Problem]:
    kind = manifest["type"]
    section, key = items_key(kind)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items_of(manifest)):
        uid = item.get("id")
        if isinstance(uid, str):
            if uid in seen:
                problems.append(
                    Problem(
                        f"{section}.{key}[{index}].id",
                        Message(
                            "« {title} » is already item {n} of this {kind}; remove one of the two",
                            title=str(item.get("title", uid))[:60],
                            n=seen[uid] + 1,
                            kind=Message(kind),
                        ),
                    )
                )
            seen.setdefault(uid, index)
        if kind != PARCOURS:
            continue
        for pos, need in enumerate(item.get("prerequisites") or []):
            if not isinstance(need, str):
                continue
            where = seen.get(need)
            if where is None or where >= index:
                problems.append(
                    Problem(
                        f"{section}.{key}[{index}].prerequisites[{pos}]",
                        Message(
                            "a prerequisite must be an earlier module of this parcours; "
                            "move « {title} » after the module it needs, or remove "
                            "the prerequisite",
                            title=str(item.get("title", ""))[:60],
                        ),
                    )
                )
    return problems


def validate_sequence(manifest: Any, folder: Path | str | None = None) -> list[Problem]:
    """Every problem of a module or parcours manifest; empty when valid."""
    kind = manifest.get("type") if isinstance(manifest, dict) else MODULE

    def schema_problems(data: Any) -> list[Problem]:
        return [
            Problem(field_path(list(e.absolute_path)), _describe(e, None))
            for e in _validator(kind).iter_errors(data)
        ]

    return problems_by_place(
        manifest, schema_problems, (_rule_problems, _curriculum_problems), path_order
    )


def sanitize_sequence(manifest: dict[str, Any]) -> dict[str, Any]:
    """A copy of `manifest` whose introduction holds only the allowed HTML subset."""
    from ..app.validate import plain

    data = copy.deepcopy(manifest)
    section, _key = items_key(str(data.get("type")))
    body = data.get(section)
    if isinstance(body, dict):
        if isinstance(body.get("introduction"), str):
            body["introduction"] = sanitize_rich_text(body["introduction"])
        if isinstance(body.get("objectives"), list):
            body["objectives"] = [plain(t) if isinstance(t, str) else t for t in body["objectives"]]
    for item in items_of(data):
        if isinstance(item.get("title"), str):
            item["title"] = plain(item["title"])
    return data
