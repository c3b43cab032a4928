"""openapi.yaml describes every API route, and only routes that exist, in valid OpenAPI 3.1.

The official OpenAPI meta-schema is not at hand, so its rules that matter here are checked
with jsonschema (a subset of the 3.1 schema), every $ref must resolve, and every path
template's parameters must be declared; then the document is compared with the app's routes.
"""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from tornado import web

from imaginecole.catalogue import api

SPEC = Path(api.__file__).with_name("openapi.yaml")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REF = {"type": "object", "required": ["$ref"], "properties": {"$ref": {"type": "string"}}}
PARAMETER = {
    "if": {"required": ["$ref"]},
    "then": REF,
    "else": {
        "type": "object",
        "required": ["name", "in"],
        "properties": {
            "name": {"type": "string"},
            "in": {"enum": ["query", "header", "path", "cookie"]},
            "required": {"type": "boolean"},
        },
        "oneOf": [{"required": ["schema"]}, {"required": ["content"]}],
        "if": {"properties": {"in": {"const": "path"}}},
        "then": {"required": ["required"], "properties": {"required": {"const": True}}},
    },
}
RESPONSE = {
    "if": {"required": ["$ref"]},
    "then": REF,
    "else": {"type": "object", "required": ["description"]},
}
OPERATION = {
    "type": "object",
    "required": ["responses"],
    "properties": {
        "operationId": {"type": "string"},
        "parameters": {"type": "array", "items": PARAMETER},
        "responses": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^([1-5](?:[0-9]{2}|XX)|default)$"},
            "additionalProperties": RESPONSE,
        },
        "security": {"type": "array"},
    },
}
OPENAPI_31_SUBSET = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["openapi", "info", "paths"],
    "properties": {
        "openapi": {"type": "string", "pattern": r"^3\.1\.\d+(-.+)?$"},
        "info": {
            "type": "object",
            "required": ["title", "version"],
            "properties": {
                "license": {
                    "type": "object",
                    "required": ["name"],
                    "oneOf": [{"required": ["identifier"]}, {"required": ["url"]}],
                }
            },
        },
        "servers": {"type": "array", "items": {"type": "object", "required": ["url"]}},
        "paths": {
            "type": "object",
            "propertyNames": {"pattern": "^/"},
            "additionalProperties": {
                "type": "object",
                "properties": {
                    **{m: OPERATION for m in METHODS},
                    "parameters": {"type": "array", "items": PARAMETER},
                },
            },
        },
        "components": {"type": "object"},
    },
}


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load(SPEC.read_text("utf-8"))


def resolve(spec: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_openapi_document_is_valid_31(spec):
    jsonschema.Draft202012Validator(OPENAPI_31_SUBSET).validate(spec)
    for ref in refs(spec):
        resolve(spec, ref)  # KeyError if dangling
    operation_ids = []
    for path, item in spec["paths"].items():
        declared_at_path = {
            p["name"] for p in map(lambda p: _param(spec, p), item.get("parameters", []))
        }
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            operation_ids.append(op["operationId"])
            declared = declared_at_path | {
                _param(spec, p)["name"]
                for p in op.get("parameters", [])
                if _param(spec, p)["in"] == "path"
            }
            assert set(re.findall(r"{(\w+)}", path)) <= declared, f"{method} {path}"
    assert len(operation_ids) == len(set(operation_ids))
    schemes = spec["components"]["securitySchemes"]
    for item in spec["paths"].values():
        for method in METHODS:
            for requirement in item.get(method, {}).get("security", []):
                assert set(requirement) <= set(schemes)


def _param(spec, p):
    return resolve(spec, p["$ref"]) if "$ref" in p else p


EXAMPLES = {
    "uid": "0b8f3a52-5d2e-4c1b-9a57-3e1f6c2d9a01",
    "number": "2",
    "format": "h5p",
    "id": "7",
}


def described_methods(handler: type) -> set[str]:
    return {
        m
        for m in ("get", "post", "delete", "put", "patch")
        if getattr(handler, m) is not getattr(web.RequestHandler, m)
    }


def test_every_route_is_described_and_every_description_is_a_route(spec):
    routes = [
        (re.compile(pattern + "$"), handler)
        for pattern, handler, *_ in api.routes(lambda p: "/" + p)
    ]
    covered = set()
    for path, item in spec["paths"].items():
        concrete = "/api" + re.sub(r"{(\w+)}", lambda m: EXAMPLES[m.group(1)], path)
        matches = [(rx, h) for rx, h in routes if rx.match(concrete)]
        assert len(matches) == 1, f"{path} -> {concrete} matches {len(matches)} route(s)"
        rx, handler = matches[0]
        covered.add(rx.pattern)
        documented = {m for m in METHODS if m in item} - {"head"}
        if handler is api.NewsApiHandler:  # one class serves /news and /news/{id}
            expected = {"get", "post"} if path == "/news" else {"delete"}
        else:
            expected = described_methods(handler)
        assert documented == expected, f"{path}: described {documented}, served {expected}"
    missing = {rx.pattern for rx, _h in routes} - covered
    assert not missing, f"routes not in openapi.yaml: {missing}"
