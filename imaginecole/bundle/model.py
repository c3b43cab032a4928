"""The grain bundle on disk: a folder with manifest.json and media/.

Widgets write a bundle with `save_manifest`; exporters and the catalogue read
it with `load_manifest`. Both go through the same validator, and reading
upgrades older manifests step by step (`UPGRADES`).

Schema versions
---------------
0  The pre-release shape: no ``type`` field, ``schema_version`` 0 or absent,
   ``metadata.licence`` absent or spelt ``license``.
1  The first published schema (grain.schema.json): ``type: "grain"`` and a
   required ``metadata.licence`` (default CC-BY-SA-4.0).
"""

from __future__ import annotations

import copy
import json
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..hub.workbenches import atomic_write
from ..i18n import Message
from .richtext import sanitize_rich_text
from .starters import starter_questions, starter_title
from .validate import (
    MAX_MANIFEST_BYTES,
    SCHEMA_VERSION,
    BundleError,
    Problem,
    grain_schema,
    validate_manifest,
)

MANIFEST = "manifest.json"
BACKUP = "manifest.json.bak"
DEFAULT_LICENCE = "CC-BY-SA-4.0"


def grain_kinds() -> list[str]:
    return list(grain_schema()["$defs"]["grainKind"]["enum"])


def question_kinds() -> tuple[str, ...]:
    """The kinds one question can have (every grain kind but question_set)."""
    return tuple(grain_schema()["$defs"]["questionKind"]["enum"])


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def starter_metadata(title: str, language: str, given: dict[str, Any]) -> dict[str, Any]:
    """The metadata of a new comic or podcast: `title`, `language`, the default licence and
    the creation time, then the `given` values that are not None."""
    stamp = now_iso()
    meta: dict[str, Any] = {
        "title": title,
        "language": language,
        "licence": DEFAULT_LICENCE,
        "created": stamp,
        "modified": stamp,
    }
    meta.update({k: v for k, v in given.items() if v is not None})
    return meta


# -- upgrades -------------------------------------------------------------------------------


def _upgrade_0_to_1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 0 -> 1: add ``type: grain``; ``metadata.license`` becomes ``licence``."""
    rest = {k: v for k, v in data.items() if k not in ("schema_version", "type")}
    upgraded = {"schema_version": 1, "type": data.get("type", "grain"), **rest}
    meta = upgraded.get("metadata")
    if isinstance(meta, dict) and "licence" not in meta:
        meta["licence"] = meta.pop("license", DEFAULT_LICENCE)
    return upgraded


# from-version -> step giving the next version; every released version keeps its step
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _upgrade_0_to_1}


# the other bundle types have had one schema version so far: (module, constant, message)
_ONE_VERSION_TYPES = {
    "comic": (
        "..comic.validate",
        "COMIC_SCHEMA_VERSION",
        "this comic was made by a newer Imaginecole Studio (schema {version}, "
        "this one reads up to {current}); update Imaginecole Studio",
    ),
    "podcast": (
        "..podcast.validate",
        "PODCAST_SCHEMA_VERSION",
        "this podcast was made by a newer Imaginecole Studio (schema {version}, "
        "this one reads up to {current}); update Imaginecole Studio",
    ),
    "notebook-app": (
        "..app.validate",
        "APP_SCHEMA_VERSION",
        "this app was made by a newer Imaginecole Studio (schema {version}, "
        "this one reads up to {current}); update Imaginecole Studio",
    ),
    "module": (
        "..sequence.validate",
        "SEQUENCE_SCHEMA_VERSION",
        "this module was made by a newer Imaginecole Studio (schema {version}, "
        "this one reads up to {current}); update Imaginecole Studio",
    ),
    "parcours": (
        "..sequence.validate",
        "SEQUENCE_SCHEMA_VERSION",
        "this parcours was made by a newer Imaginecole Studio (schema {version}, "
        "this one reads up to {current}); update Imaginecole Studio",
    ),
}


def _check_one_version(data: dict[str, Any], where: Path | str) -> dict[str, Any]:
    """A bundle type with one schema version so far: nothing to upgrade, a newer one is
    refused (the validator reports any other bad version)."""
    import importlib

    kind = data["type"]
    module, constant, message = _ONE_VERSION_TYPES[kind]
    current = getattr(importlib.import_module(module, __package__), constant)
    version = data.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > current:
        raise BundleError(
            where,
            [Problem("schema_version", Message(message, version=version, current=current))],
            kind=kind,
        )
    return copy.deepcopy(data)


def upgrade_manifest(data: dict[str, Any], where: Path | str = MANIFEST) -> dict[str, Any]:
    """`data` brought to the current schema version, one step at a time (a copy)."""
    if not isinstance(data, dict):
        raise BundleError(where, [Problem("", Message("the manifest must be a JSON object {{…}}"))])
    if data.get("type") in _ONE_VERSION_TYPES:
        return _check_one_version(data, where)
    version = data.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise BundleError(
            where,
            [
                Problem(
                    "schema_version",
                    Message("« {value} » is not a schema version number", value=version),
                )
            ],
        )
    if version > SCHEMA_VERSION:
        raise BundleError(
            where,
            [
                Problem(
                    "schema_version",
                    Message(
                        "this grain was made by a newer Imaginecole Studio (schema {version}, "
                        "this one reads up to {current}); update Imaginecole Studio",
                        version=version,
                        current=SCHEMA_VERSION,
                    ),
                )
            ],
        )
    data = copy.deepcopy(data)
    while version < SCHEMA_VERSION:
        data = UPGRADES[version](data)
        version = data["schema_version"]
    return data


# -- reading and writing --------------------------------------------------------------------


def manifest_path(bundle_dir: Path | str) -> Path:
    path = Path(bundle_dir)
    return path if path.suffix == ".json" and not path.is_dir() else path / MANIFEST


def load_manifest(bundle_dir: Path | str, *, validate: bool = True) -> dict[str, Any]:
    """Read, upgrade and validate the manifest of a bundle folder.

    Raises BundleError, whose `problems` list every reason. ``validate=False``
    only upgrades: a widget uses it to reopen a draft saved with problems.
    """
    path = manifest_path(bundle_dir)
    try:
        size = path.stat().st_size
    except OSError:
        raise BundleError(
            path.parent,
            [
                Problem(
                    "",
                    Message(
                        "there is no readable manifest.json in this folder; "
                        "create a grain with « imaginecole grain new »"
                    ),
                )
            ],
        ) from None
    if size > MAX_MANIFEST_BYTES:
        raise BundleError(
            path,
            [
                Problem(
                    "",
                    Message(
                        "the manifest is {mb:.1f} MB; the limit is {limit} MB. "
                        "Split the text into several grains or put long texts in media files",
                        mb=size / 1024 / 1024,
                        limit=MAX_MANIFEST_BYTES >> 20,
                    ),
                )
            ],
        )
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise BundleError(path, [Problem("", Message("the manifest is not UTF-8 text"))]) from None
    except json.JSONDecodeError as exc:
        raise BundleError(
            path,
            [
                Problem(
                    "",
                    Message(
                        "line {line}, column {column}: JSON syntax error ({problem})",
                        line=exc.lineno,
                        column=exc.colno,
                        problem=exc.msg,
                    ),
                )
            ],
        ) from None
    data = upgrade_manifest(data, path)
    if validate:
        problems = validate_manifest(data, path.parent)
        if problems:
            raise BundleError(path.parent, problems, kind=str(data.get("type", "grain")))
    return data


def sanitize_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    """A copy of `manifest` whose rich-text fields hold only the allowed HTML subset.

    A comic's texts are plain text: tags are removed from them instead.
    """
    if isinstance(manifest, dict) and manifest.get("type") == "comic":
        from ..comic.validate import sanitize_comic  # comic texts are plain text, not HTML

        return sanitize_comic(manifest)
    if isinstance(manifest, dict) and manifest.get("type") == "podcast":
        from ..podcast.validate import sanitize_podcast  # podcast texts are plain text

        return sanitize_podcast(manifest)
    if isinstance(manifest, dict) and manifest.get("type") == "notebook-app":
        from ..app.validate import sanitize_app  # app texts are plain text

        return sanitize_app(manifest)
    if isinstance(manifest, dict) and manifest.get("type") in ("module", "parcours"):
        from ..sequence.validate import sanitize_sequence  # introduction: rich text

        return sanitize_sequence(manifest)
    data = copy.deepcopy(manifest)
    for question in data.get("questions") or []:
        if not isinstance(question, dict):
            continue
        if isinstance(question.get("statement"), str):
            question["statement"] = sanitize_rich_text(question["statement"])
        for choice in question.get("choices") or []:
            if isinstance(choice, dict) and isinstance(choice.get("text"), str):
                choice["text"] = sanitize_rich_text(choice["text"])
        for card in question.get("cards") or []:
            for side in ("front", "back"):
                if isinstance(card, dict) and isinstance(card.get(side), str):
                    card[side] = sanitize_rich_text(card[side])
    return data


def _fsync_dir(folder: Path) -> None:
    # makes the rename itself durable; not possible on every OS, hence best effort
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_manifest(
    bundle_dir: Path | str, manifest: dict[str, Any], *, validate: bool = True
) -> dict[str, Any]:
    """Clean, stamp, validate and write manifest.json atomically; return what was written.

    Rich text is sanitised and ``metadata.modified`` set. The previous manifest
    is kept as manifest.json.bak, and the new one replaces it in one rename, so
    a crash mid-save leaves the old manifest whole. With ``validate=False`` (a
    widget's autosave of a draft) problems do not stop the save.
    """
    folder = Path(bundle_dir)
    data = sanitize_manifest(manifest)
    meta = data.get("metadata")
    if isinstance(meta, dict):
        meta["modified"] = now_iso()
        meta.setdefault("created", meta["modified"])
    if validate:
        problems = validate_manifest(data, folder)
        if problems:
            raise BundleError(folder, problems, kind=str(data.get("type", "grain")))
    payload = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    (folder / "media").mkdir(parents=True, exist_ok=True)
    target = folder / MANIFEST
    if target.exists():
        atomic_write(folder / BACKUP, target.read_bytes())
    atomic_write(target, payload)
    _fsync_dir(folder)
    return data


def create_bundle(bundle_dir: Path | str, manifest: dict[str, Any]) -> dict[str, Any]:
    """Save `manifest` as a new bundle; refuses a folder that already holds files."""
    folder = Path(bundle_dir)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BundleError(
            folder,
            [
                Problem(
                    "",
                    Message(
                        "the folder {folder} already exists and is not empty; nothing was "
                        "written. Choose a new folder name",
                        folder=folder,
                    ),
                )
            ],
        )
    return save_manifest(folder, manifest)


def new_grain(kind: str, language: str = "fr", **metadata: Any) -> dict[str, Any]:
    """A valid starter manifest of `kind` with sample content to replace.

    Keyword arguments fill ``metadata`` (title, country, level, subject…);
    None values are left out. Raises BundleError if the result is not valid.
    """
    if kind not in grain_kinds():
        raise BundleError(
            kind,
            [
                Problem(
                    "kind",
                    Message(
                        "« {value} » is not allowed; use one of: {allowed}",
                        value=kind,
                        allowed=", ".join(grain_kinds()),
                    ),
                )
            ],
        )
    stamp = now_iso()
    given = {k: v for k, v in metadata.items() if v is not None}
    meta = {
        "title": starter_title(kind, language),
        "language": language,
        "resource_type": "exercice",
        "learning_time": "PT10M",
        "licence": DEFAULT_LICENCE,
        "created": stamp,
        "modified": stamp,
    }
    meta.update(given)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "type": "grain",
        "id": str(uuid.uuid4()),
        "kind": kind,
        "metadata": meta,
        "questions": starter_questions(kind, language),
        "settings": {
            "pass_mark": 0.5,
            "shuffle_questions": False,
            "shuffle_choices": kind in ("single_choice", "multiple_choice"),
            "allow_retry": True,
            "show_solutions": True,
        },
    }
    problems = validate_manifest(manifest)
    if problems:
        raise BundleError(str(meta.get("title", kind)), problems)
    return manifest
