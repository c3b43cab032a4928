"""Validating a notebook-app manifest: the JSON Schema, then the notebook and thumbnail files.

The app schema reuses the grain schema's metadata by reference; both are loaded into one
`referencing` registry. Every problem names its path (``app.thumbnail``).
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from ..bundle.media import magic_matches
from ..bundle.validate import (
    Problem,
    _describe,
    field_path,
    grain_schema,
    media_file,
    path_order,
    problems_by_place,
)
from ..i18n import Message

APP_SCHEMA_VERSION = 1
APP_TYPE = "notebook-app"
MAX_NOTEBOOK_BYTES = 5 * 1024 * 1024  # outputs are cleared: the code and text of the app
MAX_THUMBNAIL_BYTES = 300 * 1024


@cache
def app_schema() -> dict[str, Any]:
    """The published JSON Schema of a notebook app's manifest.json (draft 2020-12)."""
    return json.loads((Path(__file__).parent / "app.schema.json").read_text("utf-8"))


@cache
def _validator() -> Any:
    import jsonschema
    from referencing import Registry, Resource

    grain, app = grain_schema(), app_schema()
    registry = Registry().with_resources(
        [(s["$id"], Resource.from_contents(s)) for s in (grain, app)]
    )
    cls = jsonschema.Draft202012Validator
    return cls(app, registry=registry, format_checker=cls.FORMAT_CHECKER)


def _schema_problems(manifest: Any) -> list[Problem]:
    return [
        Problem(field_path(list(e.absolute_path)), _describe(e, None))
        for e in _validator().iter_errors(manifest)
    ]


def _app(manifest: Any) -> dict[str, Any]:
    app = manifest.get("app") if isinstance(manifest, dict) else None
    return app if isinstance(app, dict) else {}


def _notebook_problem(bundle_dir: Path, name: str) -> Message | None:
    if not re.fullmatch(r"[^/\\]+\.ipynb", name):
        return None  # the schema already said so
    path = bundle_dir / name
    if not path.is_file():
        return Message(
            "the notebook « {name} » is missing from the bundle; add it again", name=name
        )
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        return Message(
            "« {src} » is {size:.1f} MB; the limit is {mb} MB. Make it smaller first",
            src=name,
            size=size / 1024 / 1024,
            mb=MAX_NOTEBOOK_BYTES >> 20,
        )
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return Message("« {name} » is not a Jupyter notebook (.ipynb JSON)", name=name)
    if not isinstance(data, dict) or data.get("nbformat") != 4 or "cells" not in data:
        return Message("« {name} » is not a Jupyter notebook (.ipynb JSON)", name=name)
    return None


def _file_problems(manifest: Any, bundle_dir: Path | None) -> list[Problem]:
    if bundle_dir is None:
        return []
    app = _app(manifest)
    problems = []
    notebook = app.get("notebook")
    if isinstance(notebook, str):
        why = _notebook_problem(bundle_dir, notebook)
        if why is not None:
            problems.append(Problem("app.notebook", why))
    thumb = app.get("thumbnail")
    if isinstance(thumb, str) and re.fullmatch(r"media/[^/]+\.png", thumb):
        path = media_file(bundle_dir, thumb, MAX_THUMBNAIL_BYTES)
        if isinstance(path, Message):
            why = path
        else:
            with path.open("rb") as fh:
                head = fh.read(16)
            why = (
                None
                if magic_matches("png", head)
                else Message("« {src} » does not contain what its extension says", src=thumb)
            )
        if why is not None:
            problems.append(Problem("app.thumbnail", why))
    return problems


def validate_app(manifest: Any, folder: Path | str | None = None) -> list[Problem]:
    """Every problem of a notebook-app manifest; empty when valid.

    Checks the schema and, with `folder` (the bundle folder), the notebook (present, a
    notebook, size) and the thumbnail (present, PNG, size).
    """
    bundle_dir = Path(folder) if folder is not None else None
    checks = (lambda m: _file_problems(m, bundle_dir),)
    return problems_by_place(manifest, _schema_problems, checks, path_order)


_TAG = re.compile(r"</?[A-Za-z!?][^<>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain(text: str) -> str:
    """`text` as plain text: HTML tags and control characters removed."""
    return _CONTROL.sub("", _TAG.sub("", text))


def sanitize_app(manifest: dict[str, Any]) -> dict[str, Any]:
    """A copy of `manifest` whose teacher texts (title, description, live_only) are plain."""
    data = copy.deepcopy(manifest)
    meta = data.get("metadata")
    if isinstance(meta, dict):
        for key in ("title", "description"):
            if isinstance(meta.get(key), str):
                meta[key] = plain(meta[key])
    app = data.get("app")
    if isinstance(app, dict):
        if isinstance(app.get("live_only"), list):
            app["live_only"] = [plain(t) if isinstance(t, str) else t for t in app["live_only"]]
        offline = app.get("offline")
        if isinstance(offline, dict) and isinstance(offline.get("note"), str):
            offline["note"] = plain(offline["note"])
    return data
