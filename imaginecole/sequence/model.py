"""Modules and parcours on disk: making them, changing their items, finding their parts.

A module (or a parcours) is a bundle like every other resource: a folder with manifest.json
(module.schema.json, parcours.schema.json). It does not copy its parts: each item names a
part's bundle by its ``id`` and a ``path`` relative to the module's folder, so the part keeps
one source of truth and a change to a grain shows in every module that uses it. In a teacher's
home the folders sit side by side::

    grains/fractions-1/          a grain
    comics/la-rentree/           a comic
    modules/les-fractions/       a module: parts at ../../grains/fractions-1, …
    parcours/maths-cm1/          a parcours: modules at ../../modules/les-fractions, …

`resolve` reads a module or parcours with every part it names, checked: a missing part, a
part that is now another resource, or a part with problems is reported with its place, its
title and what to do. A part whose folder was renamed or moved within the home is found again
by its id.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..bundle.model import MANIFEST, create_bundle, load_manifest, save_manifest, starter_metadata
from ..bundle.validate import BundleError, Problem
from ..i18n import Message
from .validate import (
    MODULE,
    PARCOURS,
    PART_TYPES,
    SEQUENCE_SCHEMA_VERSION,
    items_key,
    items_of,
)

DEFAULT_COMPLETION = {"rule": "all"}
# how far below the home `resolve` looks for a part whose folder moved (home/*/<part>)
SEARCH_DEPTH = 2


def new_module(
    folder: Path | str,
    metadata: dict[str, Any],
    *,
    introduction: str = "",
    objectives: list[str] | None = None,
    duration_minutes: int | None = None,
    completion: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Make the empty module `folder` (new or empty); return its manifest.

    `metadata` needs ``title``; the language defaults to French, the licence to CC-BY-SA-4.0.
    """
    body: dict[str, Any] = {"parts": [], "completion": dict(completion or DEFAULT_COMPLETION)}
    if introduction:
        body["introduction"] = introduction
    if objectives:
        body["objectives"] = list(objectives)
    if duration_minutes:
        body["duration_minutes"] = int(duration_minutes)
    return create_bundle(folder, _manifest(MODULE, metadata, body))


def new_parcours(
    folder: Path | str,
    metadata: dict[str, Any],
    *,
    introduction: str = "",
    objectives: list[str] | None = None,
) -> dict[str, Any]:
    """Make the empty parcours `folder`; `metadata` needs ``title``, ``country`` and ``level``
    (the target level, from the country's curriculum)."""
    body: dict[str, Any] = {"modules": []}
    if introduction:
        body["introduction"] = introduction
    if objectives:
        body["objectives"] = list(objectives)
    return create_bundle(folder, _manifest(PARCOURS, metadata, body))


def _manifest(kind: str, metadata: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    given = dict(metadata)
    title = str(given.pop("title", "")).strip()
    language = given.pop("language", None) or "fr"
    return {
        "schema_version": SEQUENCE_SCHEMA_VERSION,
        "type": kind,
        "id": str(uuid.uuid4()),
        "metadata": starter_metadata(title, language, given),
        kind: body,
    }


# -- items ----------------------------------------------------------------------------------


def relative_path(sequence_dir: Path | str, item_dir: Path | str) -> str:
    """`item_dir` relative to `sequence_dir`, with / separators."""
    rel = os.path.relpath(Path(item_dir).resolve(), Path(sequence_dir).resolve())
    return rel.replace(os.sep, "/")


def item_entry(
    sequence_dir: Path | str, item_dir: Path | str, *, catalogue: str | None = None
) -> dict[str, Any]:
    """The entry naming the bundle `item_dir` in the module or parcours `sequence_dir`.

    The item is read and validated: BundleError when it has problems.
    """
    manifest = load_manifest(item_dir)
    meta = manifest.get("metadata") or {}
    entry: dict[str, Any] = {"id": manifest["id"]}
    if load_manifest(sequence_dir, validate=False).get("type") == MODULE:
        entry["type"] = manifest.get("type", "grain")
    entry["title"] = str(meta.get("title") or Path(item_dir).name)[:200]
    entry["path"] = relative_path(sequence_dir, item_dir)
    if catalogue:
        entry["catalogue"] = catalogue
    return entry


def _wrong_item(sequence: dict[str, Any], item: dict[str, Any], where: Path, folder: Path) -> None:
    """BundleError (about the sequence) when `item` is not a kind the sequence holds."""
    kind = sequence.get("type")
    item_type = item.get("type", "grain")
    allowed = PART_TYPES if kind == MODULE else (MODULE,)
    if item_type not in allowed:
        raise BundleError(
            folder,
            [
                Problem(
                    "type",
                    Message(
                        "a {kind} holds {allowed}; « {title} » ({where}) is a {type}",
                        kind=Message(kind),
                        allowed=", ".join(allowed),
                        title=str((item.get("metadata") or {}).get("title", ""))[:60],
                        where=where,
                        type=item_type,
                    ),
                )
            ],
            kind=str(kind),
        )


def add_item(
    sequence_dir: Path | str,
    item_dir: Path | str,
    *,
    position: int | None = None,
    catalogue: str | None = None,
    prerequisites: list[str] | None = None,
) -> dict[str, Any]:
    """Add the bundle `item_dir` to the module or parcours `sequence_dir` (at `position`, by
    default last) and save; return the saved manifest. A module takes grains, comics, podcasts
    and apps; a parcours takes modules. An item already there is refused."""
    folder = Path(sequence_dir)
    manifest = load_manifest(folder, validate=False)
    _wrong_item(manifest, load_manifest(item_dir), Path(item_dir), folder)
    entry = item_entry(folder, item_dir, catalogue=catalogue)
    if manifest["type"] == PARCOURS and prerequisites:
        entry["prerequisites"] = list(prerequisites)
    section, key = items_key(manifest["type"])
    items = manifest[section].setdefault(key, [])
    if any(i.get("id") == entry["id"] for i in items):
        raise BundleError(
            folder,
            [
                Problem(
                    f"{section}.{key}",
                    Message(
                        "« {title} » is already in this {kind}",
                        title=entry["title"],
                        kind=Message(manifest["type"]),
                    ),
                )
            ],
            kind=manifest["type"],
        )
    items.insert(len(items) if position is None else max(0, position), entry)
    return save_manifest(folder, manifest)


def move_item(sequence_dir: Path | str, uid: str, position: int) -> dict[str, Any]:
    """Move the item `uid` to `position` (0 = first) and save. In a parcours a module moved
    before one of its prerequisites is refused by validation, and nothing is saved."""
    folder = Path(sequence_dir)
    manifest = load_manifest(folder, validate=False)
    section, key = items_key(manifest["type"])
    items = manifest[section][key]
    index = _index(items, uid, folder, manifest["type"])
    items.insert(max(0, min(position, len(items) - 1)), items.pop(index))
    return save_manifest(folder, manifest)


def remove_item(sequence_dir: Path | str, uid: str) -> dict[str, Any]:
    """Remove the item `uid` (the bundle itself is kept) and save. In a parcours the module
    is also removed from the others' prerequisites."""
    folder = Path(sequence_dir)
    manifest = load_manifest(folder, validate=False)
    section, key = items_key(manifest["type"])
    items = manifest[section][key]
    items.pop(_index(items, uid, folder, manifest["type"]))
    for item in items:
        if uid in (item.get("prerequisites") or []):
            item["prerequisites"] = [p for p in item["prerequisites"] if p != uid]
            if not item["prerequisites"]:
                del item["prerequisites"]
    completion = manifest[section].get("completion")
    if isinstance(completion, dict) and completion.get("rule") == "count" and items:
        completion["count"] = min(int(completion.get("count", 1)), len(items))
    return save_manifest(folder, manifest)


def _index(items: list[dict[str, Any]], uid: str, folder: Path, kind: str) -> int:
    for index, item in enumerate(items):
        if item.get("id") == uid:
            return index
    raise BundleError(
        folder,
        [
            Problem(
                "", Message("no item with the id {id} in this {kind}", id=uid, kind=Message(kind))
            )
        ],
        kind=kind,
    )


# -- resolving ------------------------------------------------------------------------------


@dataclass
class Item:
    """One item of a module or parcours, read: its entry, its folder and manifest, and, for
    a module inside a parcours, its own items."""

    entry: dict[str, Any]
    path: Path
    manifest: dict[str, Any]
    items: list[Item] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.manifest["id"])

    @property
    def type(self) -> str:
        return str(self.manifest.get("type", "grain"))

    @property
    def title(self) -> str:
        return str((self.manifest.get("metadata") or {}).get("title") or self.entry.get("title"))


@dataclass
class Sequence:
    """A module or parcours read whole by `resolve`."""

    path: Path
    manifest: dict[str, Any]
    items: list[Item]

    @property
    def type(self) -> str:
        return str(self.manifest["type"])

    @property
    def title(self) -> str:
        return str(self.manifest["metadata"]["title"])

    def modules(self) -> list[tuple[dict[str, Any], Path, list[Item]]]:
        """(manifest, folder, parts) of each module: the module itself, or a parcours' modules."""
        if self.type == MODULE:
            return [(self.manifest, self.path, self.items)]
        return [(m.manifest, m.path, m.items) for m in self.items]

    def parts(self) -> Iterator[Item]:
        """Every part (grain, comic, podcast, app) in order, each module's after the last."""
        for _manifest, _path, parts in self.modules():
            yield from parts


class Finder:
    """Bundle folders by id under a home (and the `search` folders first), read once when a
    part is not where its path says."""

    def __init__(self, home: Path, search: tuple[Path, ...] = ()) -> None:
        self.home = home
        self.roots = (*search, home)
        self._index: dict[str, Path] | None = None

    def find(self, uid: str) -> Path | None:
        if self._index is None:
            self._index = {}
            found = (m for root in self.roots for m in _manifests(root, SEARCH_DEPTH))
            for manifest in found:
                try:
                    found = json.loads(manifest.read_bytes())["id"]
                except (OSError, ValueError, KeyError, TypeError):
                    continue
                if isinstance(found, str):
                    self._index.setdefault(found, manifest.parent)
        return self._index.get(uid)


def _manifests(root: Path, depth: int) -> Iterator[Path]:
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return
    for child in children:
        if (child / MANIFEST).is_file():
            yield child / MANIFEST
        elif depth > 1:
            yield from _manifests(child, depth - 1)


class _Joined(Message):
    """Problems of a part, rendered in the reader's language, separated by « ; »."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("")
        self.problems = problems

    def render(self, language: str) -> str:
        return "; ".join(p.render(language) for p in self.problems)


def read_item(
    entry: dict[str, Any], base: Path, finder: Finder
) -> tuple[Path, dict[str, Any]] | Message:
    """(folder, manifest) of the item `entry` of the sequence in `base`, or why not."""
    uid = entry.get("id")
    candidates = [(base / str(entry.get("path", ""))).resolve()]
    for folder in candidates + [finder.find(str(uid))]:
        if folder is None or not (folder / MANIFEST).is_file():
            continue
        try:
            manifest = load_manifest(folder)
        except BundleError as exc:
            if folder == candidates[0]:
                return Message(
                    "« {title} » ({path}) has problems: {problems}. Open it in its workbench "
                    "and correct it",
                    title=entry.get("title", ""),
                    path=entry.get("path", ""),
                    problems=_Joined(exc.problems[:3]),
                )
            continue
        if manifest.get("id") == uid:
            return folder, manifest
    return Message(
        "« {title} » is not at {path} any more, nor anywhere in {home}; put its folder back "
        "or remove it from the list",
        title=entry.get("title", ""),
        path=entry.get("path", ""),
        home=finder.home,
    )


def resolve(folder: Path | str, *, search: Iterable[Path | str] = ()) -> Sequence:
    """The module or parcours `folder` with every item read and checked.

    A part is looked for at its path, then by its id in the `search` folders (bundle folders
    one or two levels below them), then in the home (the folder above the module's folder).

    Raises BundleError listing every problem, each at its place (``module.parts[2]``): a
    missing or changed part, an item of the wrong type, a module with no part.
    """
    folder = Path(folder).resolve()
    manifest = load_manifest(folder)
    kind = manifest.get("type")
    if kind not in (MODULE, PARCOURS):
        raise BundleError(
            folder,
            [
                Problem(
                    "type", Message("this is not a module or a parcours but a {type}", type=kind)
                )
            ],
        )
    roots = tuple(Path(p).resolve() for p in search)
    finder = Finder(folder.parent.parent, roots)
    problems: list[Problem] = []
    items = _resolve_items(manifest, folder, finder, problems, prefix="", roots=roots)
    if problems:
        raise BundleError(folder, problems, kind=kind)
    return Sequence(folder, manifest, items)


def _resolve_items(
    manifest: dict[str, Any],
    folder: Path,
    finder: Finder,
    problems: list[Problem],
    prefix: str,
    roots: tuple[Path, ...] = (),
) -> list[Item]:
    kind = manifest["type"]
    section, key = items_key(kind)
    entries = items_of(manifest)
    if not entries:
        problems.append(
            Problem(
                f"{prefix}{section}.{key}",
                Message(
                    "this {kind} has nothing in it yet; add at least one {item}",
                    kind=Message(kind),
                    item=Message("part" if kind == MODULE else "module"),
                ),
            )
        )
    completion = manifest[section].get("completion") or {}
    if completion.get("rule") == "count" and entries and completion["count"] > len(entries):
        problems.append(
            Problem(
                f"{prefix}module.completion.count",
                Message(
                    "the module asks for {count} parts done but has only {n}; "
                    "lower the number or add parts",
                    count=completion["count"],
                    n=len(entries),
                ),
            )
        )
    items = []
    for index, entry in enumerate(entries):
        at = f"{prefix}{section}.{key}[{index}]"
        found = read_item(entry, folder, finder)
        if isinstance(found, Message):
            problems.append(Problem(at, found))
            continue
        path, item_manifest = found
        item_type = item_manifest.get("type", "grain")
        expected = entry.get("type", MODULE) if kind == MODULE else MODULE
        if item_type != expected:
            problems.append(
                Problem(
                    at,
                    Message(
                        "« {title} » is now a {type}, not a {expected}; remove it from the list "
                        "and add it again",
                        title=entry.get("title", ""),
                        type=item_type,
                        expected=expected,
                    ),
                )
            )
            continue
        item = Item(entry, path, item_manifest)
        if kind == PARCOURS:
            item.items = _resolve_items(
                item_manifest,
                path,
                Finder(path.parent.parent, roots),
                problems,
                prefix=f"{at} → ",
                roots=roots,
            )
        items.append(item)
    return items
