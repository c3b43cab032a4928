"""Modules and parcours in the catalogue: records that link to their parts.

Publishing. A module (or parcours) arrives packed with its parts (``parts/<folder>/``, see
imaginecole/sequence/pack.py). Each part is matched by its id among the catalogue's records:

- a part not in the catalogue yet is published along with the module, as a resource of its
  own, in the same state (submitted for review, or published by an editor);
- one of the publisher's own parts that changed since (or was withdrawn) gets a new version,
  published along the same way;
- any other part already in the catalogue (published, or the publisher's own unchanged) is
  used as the catalogue holds it;
- a part neither in the package nor in the catalogue, withdrawn, or private to someone else
  stops the publication with a message that names it and says what to do.

The parts of every module or parcours version are kept in order in ``resource_parts``
(migration 0004): the pages and the API link both ways, and a part that a published module
or parcours uses cannot be withdrawn (Conflict, 409) until that module is withdrawn or a new
version without the part is published.

On the server the sequence is laid out as in a teacher's home: ``<work>/home/modules/<slug>``
(or ``parcours/<slug>``) with every part at ``<work>/home/parts/<folder>``, so the exporters'
``resolve(bundle.path)`` finds the parts by id.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from ..bundle import BundleError, Problem, load_manifest
from ..i18n import N_, ImaginecoleError, Message
from .db import ResourcePart
from .errors import Conflict
from .model import PUBLISHED, WITHDRAWN, Principal
from .records import R, V, may_see_private

P = ResourcePart.__table__
SEQUENCE_TYPES = ("module", "parcours")
ITEMS = {"module": "parts", "parcours": "modules"}


@dataclass
class CataloguePart:
    """What the catalogue holds under a part's id, as the publisher may use it."""

    uid: str
    title: str
    usable: bool  # visible to the publisher and not withdrawn
    withdrawn: bool
    bundle: Path | None  # the stored bundle zip of the version to use
    mine: bool = False  # the publisher may add a version of it (owner or editor)


PartLookup = Callable[[str], CataloguePart | None]


@dataclass
class PartInfo:
    """One part of a module or parcours, as a viewer may see it."""

    uid: str
    title: str
    type: str
    position: int
    state: str | None  # the part's state as the viewer sees it; None: not in the catalogue
    visible: bool  # the viewer may open the part's page


@dataclass
class Dependant:
    uid: str
    title: str
    type: str
    state: str
    visible: bool


# -- preparing a publication -----------------------------------------------------------------


def _ids(pool: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in sorted(pool.iterdir()) if pool.is_dir() else []:
        try:
            uid = json.loads((folder / "manifest.json").read_text("utf-8"))["id"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(uid, str):
            found.setdefault(uid, folder)
    return found


def _entries(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    kind = manifest.get("type")
    body = manifest.get(kind) if kind in ITEMS else None
    items = (body or {}).get(ITEMS.get(str(kind), ""), []) if isinstance(body, dict) else []
    return [e for e in items if isinstance(e, dict) and isinstance(e.get("id"), str)]


class _Gatherer:
    """Puts every part a sequence needs into the pool: the catalogue's copy when there is
    one, else the packed one (to publish along); notes what is missing or refused."""

    def __init__(self, pool: Path, lookup: PartLookup | None) -> None:
        self.pool = pool
        self.lookup = lookup
        self.in_zip = _ids(pool)
        self.decided: dict[str, str] = {}  # uid -> "catalogue" | "new" | "problem"
        self.along: list[str] = []  # uids to publish along, parts before their modules
        self.missing: list[str] = []
        self.hidden: list[str] = []
        self.withdrawn: list[str] = []
        self._n = 0

    def use(self, entry: dict[str, Any]) -> str:
        uid, title = entry["id"], str(entry.get("title") or entry["id"])
        if uid in self.decided:
            return self.decided[uid]
        found = self.lookup(uid) if self.lookup is not None else None
        if found is not None and found.withdrawn and found.mine and uid in self.in_zip:
            decision = "new"  # the publisher's own part, withdrawn: published again
        elif (
            found is not None
            and found.usable
            and found.mine
            and found.bundle is not None
            and uid in self.in_zip
            and not _same_bundle(self.in_zip[uid], found.bundle)
        ):
            decision = "new"  # the publisher's own part, changed: a new version of it
        elif found is not None and found.usable and found.bundle is not None:
            self._adopt(uid, found.bundle)
            decision = "catalogue"
        elif found is not None:
            (self.withdrawn if found.withdrawn else self.hidden).append(f"« {found.title} »")
            decision = "problem"
        elif uid in self.in_zip:
            decision = "new"
        else:
            self.missing.append(f"« {title} »")
            decision = "problem"
        self.decided[uid] = decision
        return decision

    def _adopt(self, uid: str, bundle: Path) -> None:
        """The catalogue's copy of `uid` (and, for a module, of its packed parts) into the
        pool, in place of the packed copies."""
        from imaginecole.exports.archive import safe_extract

        from .publishing import MAX_PUBLISHED_BYTES

        with tempfile.TemporaryDirectory(dir=self.pool.parent) as tmp:
            root = Path(tmp)
            safe_extract(bundle, root, max_bytes=MAX_PUBLISHED_BYTES)
            self._replace(uid, root)
            parts = root / "parts"
            for folder in sorted(parts.iterdir()) if parts.is_dir() else []:
                inner = _ids_of(folder)
                if inner and self.decided.get(inner) != "catalogue":
                    self._replace(inner, folder)
                    self.decided[inner] = "catalogue"

    def _replace(self, uid: str, source: Path) -> None:
        from .publishing import _copy_bundle

        packed = self.in_zip.pop(uid, None)
        if packed is not None:
            shutil.rmtree(packed)
        self._n += 1
        _copy_bundle(source, self.pool / f"catalogue-{self._n}")


def _same_bundle(folder: Path, stored: Path) -> bool:
    """Whether the packed bundle `folder` holds what the catalogue's bundle zip `stored`
    holds: the same manifest and the same files (a module's parts left out)."""
    import zipfile

    from .publishing import _bundle_files

    try:
        with zipfile.ZipFile(stored) as archive:
            names = {n for n in archive.namelist() if not n.startswith("parts/")}
            names.discard("manifest.json")
            theirs_manifest = json.loads(archive.read("manifest.json"))
            ours = dict(_bundle_files(folder))
            if set(ours) - {"manifest.json"} != names:
                return False
            if json.loads(ours.pop("manifest.json").read_bytes()) != theirs_manifest:
                return False
            return all(path.read_bytes() == archive.read(name) for name, path in ours.items())
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return False


def _ids_of(folder: Path) -> str | None:
    try:
        uid = json.loads((folder / "manifest.json").read_text("utf-8"))["id"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return uid if isinstance(uid, str) else None


def prepare_sequence(
    source: Path,
    folder: Path,
    manifest: dict[str, Any],
    work: Path,
    chosen: list[str],
    lookup: PartLookup | None,
) -> Any:
    """The Prepared module or parcours unpacked at `folder` (its parts in ``folder/parts``)."""
    from ..sequence import resolve
    from ..sequence.pack import packed_entries
    from .publishing import _bundle_files, metadata_problems, package, slug, write_manifest

    kind = manifest["type"]
    home = work / "home"
    pool = home / "parts"
    pool.mkdir(parents=True)
    packed = folder / "parts"
    if packed.is_dir():
        for sub in sorted(packed.iterdir()):
            sub.rename(pool / sub.name)
        shutil.rmtree(packed)
    write_manifest(folder, manifest)
    name = slug(manifest["metadata"]["title"], default=str(manifest["id"])[:8])
    seq_dir = home / ("modules" if kind == "module" else "parcours") / name
    seq_dir.parent.mkdir(parents=True)
    folder.rename(seq_dir)

    gather = _Gatherer(pool, lookup)
    for entry in _entries(manifest):
        if gather.use(entry) == "new" and kind == "parcours":
            module = gather.in_zip[entry["id"]]
            for part in _entries(load_manifest(module, validate=False)):
                if gather.use(part) == "new":
                    gather.along.append(part["id"])
        if gather.decided[entry["id"]] == "new" and entry["id"] not in gather.along:
            gather.along.append(entry["id"])
    what = Message(kind)
    refusals = (
        (
            gather.missing,
            N_(
                "These parts are neither in the package nor in the catalogue: {parts}. Publish "
                "them first, or publish the {kind} with « imaginecole catalogue publish » (or the "
                "Publish button), which sends its parts with it."
            ),
        ),
        (
            gather.hidden,
            N_(
                "These parts are in the catalogue but are not published and not yours: {parts}. "
                "Ask their owners to publish them, or remove them from the {kind}."
            ),
        ),
        (
            gather.withdrawn,
            N_(
                "These parts were withdrawn from the catalogue: {parts}. Publish a new version of "
                "them, or remove them from the {kind}."
            ),
        ),
    )
    for parts, message in refusals:
        if parts:
            raise ImaginecoleError(message, parts=", ".join(parts), kind=what)
    try:
        seq = resolve(seq_dir, search=[pool])
    except BundleError as exc:
        raise BundleError(source, exc.problems, kind=kind) from None

    # the parts published along must be publishable too
    problems = []
    for uid in gather.along:
        part_dir = gather.in_zip[uid]
        part_manifest = load_manifest(part_dir)
        title = str(part_manifest["metadata"].get("title") or part_dir.name)
        for problem in metadata_problems(part_manifest):
            problems.append(Problem(f"« {title} » → {problem.path}", problem.message))
    if problems:
        raise BundleError(source, problems, kind=kind)

    along = []
    modules = {m["id"]: (m, p, items) for m, p, items in seq.modules()}
    for uid in gather.along:
        part_dir = gather.in_zip[uid]
        part_manifest = load_manifest(part_dir)
        write_manifest(part_dir, part_manifest)
        if part_manifest.get("type") in SEQUENCE_TYPES:
            _m, module_dir, items = modules[uid]
            entries = packed_entries(resolve(module_dir, search=[pool]))
            prepared = package(module_dir, part_manifest, work, chosen, entries)
            prepared.parts = [_part(i) for i in items]
        else:
            prepared = package(part_dir, part_manifest, work, chosen, _bundle_files(part_dir))
        along.append(prepared)
    prepared = package(seq_dir, manifest, work, chosen, packed_entries(seq))
    prepared.parts = [_part(i) for i in seq.items]
    prepared.along = along
    return prepared


def _part(item: Any) -> dict[str, Any]:
    return {"id": item.id, "type": item.type, "title": item.title[:300]}


# -- the catalogue side ----------------------------------------------------------------------


def insert_parts(conn: Connection, version_id: int, parts: list[dict[str, Any]]) -> None:
    if parts:
        conn.execute(
            P.insert(),
            [
                {
                    "version_id": version_id,
                    "position": n,
                    "part_uid": p["id"][:64],
                    "part_type": p["type"][:20],
                    "title": p["title"][:300],
                }
                for n, p in enumerate(parts)
            ],
        )


def part_uids(conn: Connection, version_id: int) -> list[str]:
    """The uids of the parts of a module or parcours version, in order."""
    stmt = select(P.c.part_uid).where(P.c.version_id == version_id).order_by(P.c.position)
    return [row.part_uid for row in conn.execute(stmt)]


def published_dependants(conn: Connection, uid: str) -> list[Any]:
    """The public modules and parcours whose published version holds `uid`."""
    stmt = (
        select(R.c.uid, R.c.title, R.c.type)
        .select_from(P.join(V, V.c.id == P.c.version_id).join(R, R.c.id == V.c.resource_id))
        .where(P.c.part_uid == uid, R.c.public.is_(True), V.c.number == R.c.published_number)
        .order_by(R.c.title_key, R.c.uid)
    )
    return list(conn.execute(stmt))


def check_no_dependants(conn: Connection, res: Any) -> None:
    """Conflict naming the published modules or parcours that hold the resource `res`."""
    users = published_dependants(conn, res.uid)
    if users:
        raise Conflict(
            "« {title} » is a part of {users}, published in the catalogue: it cannot be "
            "withdrawn while they use it. Withdraw them first, or publish a new version of "
            "them without this part (or with another part in its place).",
            title=res.title,
            users=", ".join(f"« {u.title} »" for u in users),
        )


class SequencesMixin:
    """What `Catalogue` knows of modules and parcours: their parts, what uses a resource."""

    db: Any
    file: Any

    def part_lookup(self, principal: Principal, work: Path) -> PartLookup:
        """How `prepare` finds a part in the catalogue: the bundle of its published version
        (or, for the publisher's own unpublished resource, of its latest version)."""
        from .records import fetch

        def lookup(uid: str) -> CataloguePart | None:
            with self.db.read() as conn:
                row = fetch(conn, uid)
            if row is None:
                return None
            mine = may_see_private(principal, row.owner)
            if not (row.public or mine):
                return CataloguePart(uid, row.title, False, False, None)
            mine = not row.origin and (row.owner == principal.name or principal.can("edit"))
            if not row.public and row.state == WITHDRAWN:
                return CataloguePart(uid, row.title, False, True, None, mine=mine)
            # the version the publisher knows: their latest, else the published one
            number = row.latest_number if mine or not row.public else row.published_number
            if row.state == WITHDRAWN:
                number = row.published_number or row.latest_number
            _info, stream = self.file(uid, "bundle", number, principal)
            handle, name = tempfile.mkstemp(suffix=".zip", dir=work)
            os.close(handle)
            target = Path(name)
            with stream, target.open("wb") as out:
                shutil.copyfileobj(stream, out)
            return CataloguePart(uid, row.title, True, False, target, mine=mine)

        return lookup

    def parts(self, uid: str, number: int, principal: Principal) -> list[PartInfo]:
        """The parts of version `number` of the module or parcours `uid`, in order."""
        with self.db.read() as conn:
            row = conn.execute(
                select(V.c.id)
                .select_from(V.join(R, R.c.id == V.c.resource_id))
                .where(R.c.uid == uid, V.c.number == number)
            ).first()
            if row is None:
                return []
            parts = list(
                conn.execute(select(P).where(P.c.version_id == row.id).order_by(P.c.position))
            )
            found = {
                r.uid: r
                for r in conn.execute(select(R).where(R.c.uid.in_([p.part_uid for p in parts])))
            }
        out = []
        for p in parts:
            r = found.get(p.part_uid)
            visible = r is not None and (r.public or may_see_private(principal, r.owner))
            state = None
            if r is not None:
                private = may_see_private(principal, r.owner)
                state = PUBLISHED if r.public and not private else r.state
            out.append(
                PartInfo(
                    uid=p.part_uid,
                    title=(r.title if visible else p.title) or p.title,
                    type=p.part_type,
                    position=p.position,
                    state=state,
                    visible=visible,
                )
            )
        return out

    def part_of(self, uid: str, principal: Principal) -> list[Dependant]:
        """The modules and parcours that hold `uid` in the version the viewer sees of them:
        the published one, or for their owner and reviewers the latest one too."""
        stmt = (
            select(R, V.c.number)
            .select_from(P.join(V, V.c.id == P.c.version_id).join(R, R.c.id == V.c.resource_id))
            .where(P.c.part_uid == uid)
            .order_by(R.c.title_key, R.c.uid)
        )
        seen: dict[str, Dependant] = {}
        with self.db.read() as conn:
            for row in conn.execute(stmt):
                private = may_see_private(principal, row.owner)
                shown = (row.public and row.number == row.published_number) or (
                    private and row.number == row.latest_number
                )
                if not shown or row.uid in seen:
                    continue
                state = row.state if private else PUBLISHED
                seen[row.uid] = Dependant(row.uid, row.title, row.type, state, True)
        return list(seen.values())

    def public_part_of(self, uids: list[str]) -> dict[str, list[tuple[str, str]]]:
        """For each uid (one query): (uid, title) of the public modules and parcours whose
        published version holds it."""
        found: dict[str, list[tuple[str, str]]] = {uid: [] for uid in uids}
        if not uids:
            return found
        stmt = (
            select(P.c.part_uid, R.c.uid, R.c.title)
            .select_from(P.join(V, V.c.id == P.c.version_id).join(R, R.c.id == V.c.resource_id))
            .where(
                P.c.part_uid.in_(sorted(set(uids))),
                R.c.public.is_(True),
                V.c.number == R.c.published_number,
            )
            .order_by(P.c.part_uid, R.c.title_key, R.c.uid)
        )
        with self.db.read() as conn:
            for row in conn.execute(stmt):
                found[row.part_uid].append((row.uid, row.title))
        return found

    def dependants(self, uid: str) -> list[Any]:
        with self.db.read() as conn:
            return published_dependants(conn, uid)


def sequence_details(manifest: dict[str, Any]) -> dict[str, Any]:
    """What a module's or parcours' manifest says beyond its parts: ``summary`` (objectives,
    duration, completion rule, target level, introduction) and ``prerequisites`` (module id ->
    the ids of the modules it needs first)."""
    kind = manifest.get("type")
    body = manifest.get(kind) if kind in ITEMS else None
    body = body if isinstance(body, dict) else {}
    meta = manifest.get("metadata") or {}
    summary: dict[str, Any] = {
        "objectives": [str(o) for o in body.get("objectives") or []],
        "introduction": _safe_html(body.get("introduction")),
    }
    if kind == "module":
        summary["duration_minutes"] = body.get("duration_minutes")
        completion = body.get("completion") if isinstance(body.get("completion"), dict) else {}
        summary["completion"] = dict(completion or {"rule": "all"})
    else:
        summary["level"] = meta.get("level")
        summary["country"] = meta.get("country")
    prerequisites = {
        e["id"]: [str(p) for p in e.get("prerequisites") or []] for e in _entries(manifest)
    }
    return {"summary": summary, "prerequisites": prerequisites}


def _safe_html(value: Any) -> str:
    """The introduction's rich text, sanitised again (the page shows it as HTML)."""
    from ..sequence.validate import sanitize_rich_text

    return sanitize_rich_text(value) if isinstance(value, str) and value.strip() else ""
