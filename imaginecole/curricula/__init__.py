"""National curricula: each country's school levels, in order, and its subjects.

One editable YAML file per country (`SN.yaml`, `TN.yaml`, …) next to this
module. Trainers correct them without touching code; a small JSON Schema keeps
them well formed, and a broken file names itself and the field.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..i18n import ImaginecoleError
from ..workshop.countries import COUNTRIES

# the pupils' cycles, youngest first, then the training of their teachers (cascade training)
CYCLES = ("prescolaire", "primaire", "college", "lycee", "formation")

_ENTRY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name_fr", "name_en"],
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,39}$"},
        "name_fr": {"type": "string", "minLength": 1, "maxLength": 120},
        "name_en": {"type": "string", "minLength": 1, "maxLength": 120},
    },
}

CURRICULUM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["country", "name_fr", "levels", "subjects"],
    "properties": {
        "country": {"enum": sorted(COUNTRIES)},
        "name_fr": {"type": "string", "minLength": 1},
        "source": {"type": "string"},
        "levels": {
            "type": "array",
            "minItems": 1,
            "items": {
                **_ENTRY,
                "required": [*_ENTRY["required"], "cycle"],
                "properties": {**_ENTRY["properties"], "cycle": {"enum": list(CYCLES)}},
            },
        },
        "subjects": {"type": "array", "minItems": 1, "items": _ENTRY},
    },
}


def curricula_dir() -> Path:
    return Path(__file__).parent


@cache
def curriculum(country: str) -> dict[str, Any]:
    """The validated curriculum of `country` (an ISO code such as ``SN``)."""
    code = country.upper()
    path = curricula_dir() / f"{code}.yaml"
    if code not in COUNTRIES or not path.exists():
        raise ImaginecoleError(
            "No curriculum for the country « {country} ». Use one of: {allowed}.",
            country=country,
            allowed=", ".join(COUNTRIES),
        )
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise ImaginecoleError(
            "The curriculum file {path} is not valid YAML: {error}", path=path, error=exc
        ) from exc
    import jsonschema  # here: importing it costs about 2 s (its format checkers)

    errors = sorted(jsonschema.Draft202012Validator(CURRICULUM_SCHEMA).iter_errors(data), key=str)
    if errors:
        error = errors[0]
        field = ".".join(str(p) for p in error.absolute_path) or "(root)"
        raise ImaginecoleError(
            "The curriculum file {path} is not valid: field « {field} »: {error}",
            path=path,
            field=field,
            error=error.message,
        )
    for key in ("levels", "subjects"):
        ids = [item["id"] for item in data[key]]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ImaginecoleError(
                "The curriculum file {path} is not valid: field « {field} »: duplicate id(s) {ids}",
                path=path,
                field=key,
                ids=", ".join(duplicates),
            )
    if data["country"] != code:
        raise ImaginecoleError(
            "The curriculum file {path} is not valid: field « {field} »: {error}",
            path=path,
            field="country",
            error=f"{data['country']} != {code}",
        )
    return data


def levels(country: str) -> list[dict[str, str]]:
    """The school levels of `country`, youngest first: {id, name_fr, name_en, cycle}."""
    return [dict(item) for item in curriculum(country)["levels"]]


def subjects(country: str) -> list[dict[str, str]]:
    """The subjects taught in `country`: {id, name_fr, name_en}."""
    return [dict(item) for item in curriculum(country)["subjects"]]


__all__ = ["CURRICULUM_SCHEMA", "CYCLES", "curriculum", "levels", "subjects"]
