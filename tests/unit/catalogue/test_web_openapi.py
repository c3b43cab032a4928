"""openapi.yaml describes every API route, and only routes that exist, in valid OpenAPI 3.1.

The official OpenAPI meta-schema is not at hand, so its rules that matter here are checked
with jsonschema (a subset of the 3.1 schema), every $ref must resolve, and every path
template's parameters must be declared; then the document is compared with the app's routes
(the catalogue's and the events'), and the events API's answers with its schemas.
"""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from tornado import web

from imaginecole.catalogue import api
from imaginecole.events import api as events_api

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
    "slug": "hack-dakar",
    "username": "awa",
    "code": "ABCD-EFGH-JKLM",
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
        for pattern, handler, *_ in [
            *api.routes(lambda p: "/" + p),
            *events_api.routes(lambda p: "/" + p),
        ]
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


def answer_schema(spec: dict, path: str, method: str, status: int) -> dict:
    """The JSON schema openapi.yaml gives the answer `status` of `method path`."""
    response = spec["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = resolve(spec, response["$ref"])
    schema = response["content"]["application/json"]["schema"]
    return {**schema, "components": spec["components"]}


def test_the_events_api_answers_as_described(spec, tmp_path):
    """A whole event through the API: each answer is what openapi.yaml says it is."""
    from datetime import timedelta

    import requests

    from imaginecole.catalogue.db import utcnow
    from imaginecole.catalogue.service import Catalogue

    from .webserver import Served, make_bundle

    catalogue = Catalogue.open(tmp_path / "data")
    tokens, people = {}, {}
    for name, role in (("formatrice", "editor"), ("awa", "teacher"), ("jury.sy", "teacher")):
        tokens[name], people[name] = catalogue.create_token(role, name=name)
    served = Served(catalogue).start()

    def call(method: str, path: str, who: str | None, status: int, **kwargs):
        headers = {"Authorization": f"token {tokens[who]}"} if who else {}
        concrete = "api" + re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)
        answer = requests.request(
            method, served.url + concrete, headers=headers, timeout=60, **kwargs
        )
        assert answer.status_code == status, (method, concrete, answer.text)
        if status != 204:
            data = answer.json()
            schema = answer_schema(spec, path, method.lower(), status)
            jsonschema.Draft202012Validator(schema).validate(data)
            return data

    values = {"slug": "hack-dakar", "code": "ABCD-EFGH-JKLM"}
    try:
        event = {
            "slug": "hack-dakar",
            "title": "Hackathon de Dakar",
            "kind": "hackathon",
            "starts": "2026-12-05",
            "ends": "2026-12-06",
            "hours": 14,
            "deadline": (utcnow() + timedelta(days=1)).isoformat(),
            "blind_jury": True,
            "jurors": ["jury.sy"],
            "jurors_per_submission": 1,
            "challenges": [{"slug": "geometrie", "title": "La géométrie"}],
            "prizes": {"1": "Premier prix"},
        }
        call("POST", "/events", "formatrice", 201, json=event)
        roster = "username,full_name,email,role,country,team\nawa,Awa Diop,,teacher,SN,Baobabs\n"
        call("POST", "/events/{slug}/roster", "formatrice", 200, json={"csv": roster})
        call("GET", "/events", None, 200)
        call("GET", "/events/{slug}/participants", "formatrice", 200)
        call("GET", "/events/{slug}/teams", "awa", 200)
        values["username"] = "awa"
        call(
            "PATCH",
            "/events/{slug}/participants/{username}",
            "formatrice",
            200,
            json={"team": "Baobabs"},
        )
        uid = catalogue.publish(people["awa"], make_bundle(tmp_path / "a", title="Les carrés")).uid
        submitted = call("POST", "/events/{slug}/submissions", "awa", 201, json={"uid": uid})
        assert submitted["challenge"] == "geometrie"
        call("GET", "/events/{slug}/submissions", "awa", 200)
        call("GET", "/events/{slug}/resources", "formatrice", 200)
        # the deadline passes: the jury scores
        past = (utcnow() - timedelta(minutes=1)).isoformat()
        assert call("PATCH", "/events/{slug}", "formatrice", 200, json={"deadline": past})["locked"]
        values["id"] = submitted["id"]
        call("DELETE", "/events/{slug}/submissions/{id}", "awa", 409)
        call("POST", "/events/{slug}/assignments", "formatrice", 200, json={})
        call("GET", "/events/{slug}/assignments", "formatrice", 200)
        jury = call("GET", "/events/{slug}/jury", "jury.sy", 200)
        assert [s["id"] for s in jury] == [submitted["id"]] and "team" not in jury[0]
        scores = {
            c: 4 for c in ("pedagogy", "accessibility", "curriculum", "originality", "technical")
        }
        call("PUT", "/events/{slug}/scores/{id}", "jury.sy", 200, json={"scores": scores})
        call("GET", "/events/{slug}/jury", "jury.sy", 200)
        call("GET", "/events/{slug}/results", None, 403)
        call("PATCH", "/events/{slug}", "formatrice", 200, json={"state": "closed"})
        results = call("GET", "/events/{slug}/results", None, 200)
        assert results[0]["rank"] == 1 and results[0]["prize"] == "Premier prix"
        call("GET", "/events/{slug}/certificates", "formatrice", 200)
        call("GET", "/certificates/{code}", None, 404)
        call("GET", "/events/{slug}", "awa", 200)
    finally:
        served.stop()
        catalogue.close()
