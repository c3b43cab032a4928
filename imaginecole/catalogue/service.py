"""`Catalogue`: every catalogue operation, each with its permission check.

The web pages, the JSON API, the OAI-PMH provider, the importer, the harvester
and the hub widget all go through this class; none of them touches the tables.

Rules: anonymous visitors read published resources only; `write` is needed to
publish; only the owner or an editor (`edit`) adds versions or withdraws;
`review` starts reviews, approves and requests changes (with a comment), and
nobody approves their own resource. Wrong state transitions raise `Conflict`.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO

from sqlalchemy import Connection, Row, func, select
from sqlalchemy.exc import IntegrityError

from ..i18n import N_, ImaginecoleError, Message
from . import search as search_
from .accounts import AccountsMixin
from .db import Database, utcnow
from .errors import NOT_FOUND, Conflict, NotFound, PermissionDenied, require
from .federation import FederationMixin
from .model import (
    ANONYMOUS,
    CHANGES_REQUESTED,
    IN_REVIEW,
    PENDING,
    PUBLISHED,
    SUBMITTED,
    WITHDRAWN,
    FileInfo,
    Principal,
    ResourceInfo,
    ReviewInfo,
    SearchResult,
    VersionInfo,
)
from .news import NewsMixin
from .publishing import (
    check_format_name,
    check_size,
    check_type,
    check_uid,
    clean_metadata,
    media_type,
    metadata_problems,
    prepare,
)
from .records import (
    INSERT_RESOURCE,
    R,
    V,
    add_review,
    fetch,
    generation,
    insert_version,
    load_by_ids,
    load_infos,
    may_see_private,
    metadata_values,
    public_values,
    resource_info,
    set_version_state,
    update_resource,
    version_infos,
    version_row,
)
from .search import bump_generation
from .search_query import FacetMemory, Query, SearchCache, Searcher
from .sequences import (
    SEQUENCE_TYPES,
    SequencesMixin,
    check_no_dependants,
    insert_parts,
    part_uids,
)
from .store import FileStore

MAX_COMMENT = 5000
STATE_NAMES = {
    SUBMITTED: N_("submitted"),
    IN_REVIEW: N_("in review"),
    PUBLISHED: N_("published"),
    CHANGES_REQUESTED: N_("changes requested"),
    WITHDRAWN: N_("withdrawn"),
}
StoredFile = tuple[str, str, str, int, str]  # format, filename, sha256, size, media type


class Catalogue(AccountsMixin, NewsMixin, FederationMixin, SequencesMixin):
    """The catalogue of one data folder: a database and a file store."""

    def __init__(
        self,
        db: Database,
        files: FileStore,
        repository_id: str = "imaginecole",
        data_dir: Path | None = None,
    ) -> None:
        self.db = db
        self.files = files
        self.repository_id = repository_id
        self.dialect: str = db.dialect
        self.data_dir = data_dir  # config.yaml and secrets of the web service live here
        self.search_cache = SearchCache()
        self.facet_memory = FacetMemory()

    @classmethod
    def open(
        cls,
        data_dir: Path,
        db_url: str | None = None,
        files_url: str | None = None,
        repository_id: str = "imaginecole",
        migrate: bool = True,
    ) -> Catalogue:
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(db_url or f"sqlite:///{data_dir.resolve() / 'catalogue.sqlite'}")
        try:
            if migrate:
                db.migrate()
            files = FileStore(files_url or data_dir / "files")
        except BaseException:
            db.close()
            raise
        return cls(db, files, repository_id, data_dir)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- publishing ----------------------------------------------------------------------------

    def metadata_problems(self, manifest: dict[str, Any]) -> list[Any]:
        return metadata_problems(manifest)

    def publish(
        self,
        principal: Principal,
        bundle: Path,
        *,
        note: str = "",
        event: str | None = None,
        formats: list[str] | None = None,
        state: str = SUBMITTED,
    ) -> ResourceInfo:
        """Store the bundle (folder or .zip) and its exports as a new version.

        It is submitted for review; an editor may make it published at once
        (``state="published"``, for bulk imports).
        """
        _check_initial_state(principal, state)
        with tempfile.TemporaryDirectory(prefix="imaginecole-publish-") as work:
            prepared = prepare(
                Path(bundle),
                Path(work),
                event=event,
                formats=formats,
                parts=self.part_lookup(principal, Path(work)),
            )
            self._check_may_add_version(principal, prepared.uid)
            groups = [
                (
                    one,
                    [
                        (f.format, f.filename, *self.files.put(f.path), f.media_type)
                        for f in one.files
                    ],
                )
                for one in [*prepared.along, prepared]
            ]
        if prepared.manifest.get("type") in ("module", "parcours"):
            return self._store_sequence(principal, groups, note, state)
        stored = groups[-1][1]
        manifest = prepared.manifest
        return self._store_version(
            principal,
            prepared.uid,
            type=manifest.get("type", "grain"),
            kind=str(manifest.get("kind") or ""),
            manifest=manifest,
            files=stored,
            note=note,
            state=state,
        )

    def publish_package(
        self,
        principal: Principal,
        metadata: dict[str, Any],
        files: dict[str, Path],
        *,
        uid: str | None = None,
        type: str,
        kind: str = "",
        note: str = "",
        state: str = SUBMITTED,
    ) -> ResourceInfo:
        """Store an outside package (H5P, SCORM…) with bundle-style metadata as a new version."""
        _check_initial_state(principal, state)
        check_type(type)
        clean = clean_metadata(metadata)
        if not clean["title"]:
            raise ImaginecoleError("The title is missing: give the resource a title.")
        if uid is not None:
            self._check_may_add_version(principal, check_uid(uid))
        uid = uid or str(uuid.uuid4())
        stored = []
        for fmt, path in sorted(files.items()):
            check_format_name(fmt)
            path = Path(path)
            if not path.is_file():
                raise ImaginecoleError(
                    "The file {path} for the « {format} » format does not exist.",
                    path=path,
                    format=fmt,
                )
            check_size(path)
            stored.append((fmt, path.name, *self.files.put(path), media_type(path.name)))
        manifest = {"id": uid, "type": type, "kind": kind, "metadata": clean}
        return self._store_version(
            principal,
            uid,
            type=type,
            kind=kind[:100],
            manifest=manifest,
            files=stored,
            note=note,
            state=state,
        )

    def _check_may_add_version(self, principal: Principal, uid: str) -> None:
        """Fail early, before storing files, when `principal` may not add a version of `uid`."""
        with self.db.read() as conn:
            row = fetch(conn, uid)
        if row is not None:
            _check_owner_or_editor(principal, row)

    def _store_version(
        self,
        principal: Principal,
        uid: str,
        *,
        type: str,
        kind: str,
        manifest: dict[str, Any],
        files: list[StoredFile],
        note: str,
        state: str,
    ) -> ResourceInfo:
        for attempt in range(3):
            try:
                with self.db.write() as conn:
                    return _store_version(
                        conn, principal, uid, type, kind, manifest, files, note[:MAX_COMMENT], state
                    )
            except IntegrityError:
                # another process made the same resource or version at the same time
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _store_sequence(
        self,
        principal: Principal,
        groups: list[tuple[Any, list[StoredFile]]],
        note: str,
        state: str,
    ) -> ResourceInfo:
        """A module or parcours, its parts in order, and the parts published along with it,
        in one transaction: all of them are stored, or none."""
        for attempt in range(3):
            try:
                with self.db.write() as conn:
                    info = None
                    for one, files in groups:
                        manifest = one.manifest
                        info = _store_version(
                            conn,
                            principal,
                            one.uid,
                            manifest.get("type", "grain"),
                            str(manifest.get("kind") or "")[:100],
                            manifest,
                            files,
                            note[:MAX_COMMENT],
                            state,
                        )
                        if one.parts:
                            res = fetch(conn, one.uid)
                            insert_parts(
                                conn, version_row(conn, res.id, res.latest_number).id, one.parts
                            )
                    assert info is not None
                    return info
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    # -- review --------------------------------------------------------------------------------

    def review_queue(self, principal: Principal) -> list[ResourceInfo]:
        """Resources waiting for a reviewer (submitted or in review), oldest first."""
        require(principal, "review", _REVIEW_MESSAGE)
        stmt = (
            select(R)
            .join(V, (V.c.resource_id == R.c.id) & (V.c.number == R.c.latest_number))
            .where(R.c.state.in_(PENDING), R.c.origin.is_(None))
            .order_by(V.c.created, R.c.id)
        )
        with self.db.read() as conn:
            return load_infos(conn, conn.execute(stmt), principal)

    def submissions(self, principal: Principal) -> list[ResourceInfo]:
        """The principal's own resources, in any state, newest change first."""
        if principal.anonymous:
            raise PermissionDenied("Sign in to see your submissions.")
        stmt = (
            select(R)
            .join(V, (V.c.resource_id == R.c.id) & (V.c.number == R.c.latest_number))
            .where(R.c.owner == principal.name)
            .order_by(V.c.created.desc(), R.c.id.desc())
        )
        with self.db.read() as conn:
            return load_infos(conn, conn.execute(stmt), principal)

    def start_review(self, principal: Principal, uid: str, comment: str = "") -> ResourceInfo:
        return self._transition(
            principal,
            uid,
            "start_review",
            comment,
            (SUBMITTED,),
            IN_REVIEW,
            "Version {number} of « {title} » is « {state} »: only a submitted version "
            "can be taken in review.",
        )

    def approve(self, principal: Principal, uid: str, comment: str = "") -> ResourceInfo:
        """Publish the latest version; the parts sent for review with a module (parcours) are
        approved with it, in the same transaction, so that nothing it holds stays unpublished."""
        return self._transition(
            principal,
            uid,
            "approve",
            comment,
            PENDING,
            PUBLISHED,
            "Version {number} of « {title} » is « {state} »: only a submitted or "
            "in-review version can be approved.",
        )

    def request_changes(self, principal: Principal, uid: str, comment: str) -> ResourceInfo:
        require(principal, "review", _REVIEW_MESSAGE)
        if not isinstance(comment, str) or not comment.strip():
            raise ImaginecoleError(
                "Say what must change: a request for changes needs a comment for the author."
            )
        return self._transition(
            principal,
            uid,
            "request_changes",
            comment,
            PENDING,
            CHANGES_REQUESTED,
            "Version {number} of « {title} » is « {state} »: only a submitted or "
            "in-review version can be sent back for changes.",
        )

    def _transition(
        self,
        principal: Principal,
        uid: str,
        action: str,
        comment: str,
        allowed: tuple[str, ...],
        new_state: str,
        conflict: str,
    ) -> ResourceInfo:
        require(principal, "review", _REVIEW_MESSAGE)
        now = utcnow()
        with self.db.write() as conn:
            res = fetch(conn, uid, lock=True)
            if res is None:
                raise NotFound(NOT_FOUND, uid=uid)
            if res.origin:
                _check_owner_or_editor(principal, res)
            latest = version_row(conn, res.id, res.latest_number)
            if action == "approve" and principal.name in (res.owner, latest.author):
                raise PermissionDenied(
                    "You cannot approve your own resource « {title} »: another reviewer "
                    "must approve it.",
                    title=res.title,
                )
            if latest.state not in allowed:
                raise Conflict(
                    conflict,
                    number=latest.number,
                    title=res.title,
                    state=Message(STATE_NAMES.get(latest.state, latest.state)),
                )
            self._decide(conn, principal, res, latest, action, comment, new_state, now)
            if action == "approve" and res.type in SEQUENCE_TYPES:
                self._approve_parts(conn, principal, res, latest.id, comment, now, {res.uid})
            return load_infos(conn, [fetch(conn, uid)], principal)[0]

    @staticmethod
    def _decide(
        conn: Connection,
        principal: Principal,
        res: Any,
        latest: Any,
        action: str,
        comment: str,
        new_state: str,
        now: Any,
    ) -> None:
        """The reviewer's decision on the version `latest` of `res`, recorded."""
        set_version_state(conn, [latest.id], new_state)
        add_review(conn, latest.id, action, principal.name, (comment or "")[:MAX_COMMENT], now)
        values: dict[str, Any] = {"state": new_state}
        if new_state == PUBLISHED:
            values |= metadata_values(latest.manifest) | public_values(latest.number, now)
            search_.index(
                conn, res.id, {**values, "kind": res.kind, "type": res.type}, new=not res.public
            )
            bump_generation(conn)
        update_resource(conn, res.id, values)

    def _approve_parts(
        self,
        conn: Connection,
        principal: Principal,
        sequence: Any,
        version_id: int,
        comment: str,
        now: Any,
        seen: set[str],
    ) -> None:
        """Approve the parts of the module (parcours) version `version_id` that were sent for
        review with it: never published, their latest version waiting. Parts already published
        stay as they are (the module plays their published version; a newer version of theirs
        waits for its own review). A parcours' modules have their parts approved in turn.
        A never-published part that does not wait (changes requested, withdrawn) stops the
        approval: the module would be public with a part nobody can open."""
        todo = []
        blocked = []
        for uid in part_uids(conn, version_id):
            if uid in seen:
                continue
            seen.add(uid)
            part = fetch(conn, uid, lock=True)
            if part is None or part.origin or part.published_number:
                continue
            latest = version_row(conn, part.id, part.latest_number)
            if latest.state not in PENDING:
                blocked.append(part)
                continue
            if principal.name in (part.owner, latest.author):
                raise PermissionDenied(
                    "« {part} », a part of « {title} » that waits for review, is your own: "
                    "you cannot approve it, so another reviewer must approve « {title} ».",
                    part=part.title,
                    title=sequence.title,
                )
            todo.append((part, latest))
        if blocked:
            raise Conflict(
                "« {title} » cannot be published yet: its parts {parts} are not published and "
                "do not wait for review (changes were requested, or they were withdrawn). Ask "
                "the author to publish « {title} » again once they are ready, or request "
                "changes to « {title} ».",
                title=sequence.title,
                parts=", ".join(f"« {p.title} »" for p in blocked),
            )
        for part, latest in todo:
            self._decide(conn, principal, part, latest, "approve", comment, PUBLISHED, now)
            if part.type in SEQUENCE_TYPES:
                self._approve_parts(conn, principal, part, latest.id, comment, now, seen)

    def withdraw(self, principal: Principal, uid: str, comment: str = "") -> ResourceInfo:
        """Take the resource out of the catalogue; if it was public it becomes OAI-deleted."""
        if principal.anonymous:
            raise PermissionDenied("Sign in to withdraw a resource.")
        now = utcnow()
        with self.db.write() as conn:
            res = fetch(conn, uid, lock=True)
            if res is None or not (res.public or may_see_private(principal, res.owner)):
                raise NotFound(NOT_FOUND, uid=uid)
            _check_owner_or_editor(principal, res)
            latest = version_row(conn, res.id, res.latest_number)
            if latest.state == WITHDRAWN and not res.public:
                raise Conflict("« {title} » is already withdrawn.", title=res.title)
            check_no_dependants(conn, res)
            from ..events.hooks import check_withdraw  # events lock their submissions

            check_withdraw(conn, res, now)
            changed = {latest.id}
            if res.published_number:
                changed.add(version_row(conn, res.id, res.published_number).id)
            set_version_state(conn, changed, WITHDRAWN)
            for version_id in sorted(changed):
                add_review(
                    conn, version_id, "withdraw", principal.name, (comment or "")[:MAX_COMMENT], now
                )
            values: dict[str, Any] = {"state": WITHDRAWN, "published_number": None}
            if res.public:
                values |= {
                    "public": False,
                    "deleted": True,
                    "datestamp": now.replace(microsecond=0),
                }
                search_.unindex(conn, res.id)
                bump_generation(conn)
            update_resource(conn, res.id, values)
            return load_infos(conn, [fetch(conn, uid)], principal)[0]

    # -- reading -------------------------------------------------------------------------------

    def _visible(self, conn: Connection, uid: str, principal: Principal) -> Row[Any]:
        res = fetch(conn, uid)
        if res is None or not (res.public or may_see_private(principal, res.owner)):
            raise NotFound(NOT_FOUND, uid=uid)
        return res

    def get(self, uid: str, principal: Principal = ANONYMOUS) -> ResourceInfo:
        with self.db.read() as conn:
            return load_infos(conn, [self._visible(conn, uid, principal)], principal)[0]

    def history(self, uid: str, principal: Principal = ANONYMOUS) -> list[VersionInfo]:
        """Every version the principal may see, oldest first (the public: published ones)."""
        with self.db.read() as conn:
            res = self._visible(conn, uid, principal)
            private = may_see_private(principal, res.owner)
            stmt = select(V).where(V.c.resource_id == res.id).order_by(V.c.number)
            if not private:
                stmt = stmt.where(V.c.state == PUBLISHED)
            rows = list(conn.execute(stmt))
            values = version_infos(
                conn, rows, reviews_for={v.id for v in rows} if private else set()
            )
            return [values[v.id] for v in rows]

    def version(self, uid: str, number: int, principal: Principal = ANONYMOUS) -> VersionInfo:
        with self.db.read() as conn:
            res = self._visible(conn, uid, principal)
            private = may_see_private(principal, res.owner)
            row = conn.execute(
                select(V).where(V.c.resource_id == res.id, V.c.number == number)
            ).first()
            if row is None or not (private or row.state == PUBLISHED):
                raise NotFound(
                    "The resource « {uid} » has no version {number}.", uid=uid, number=number
                )
            return version_infos(conn, [row], reviews_for={row.id} if private else set())[row.id]

    def open_file(self, sha256: str) -> BinaryIO:
        try:
            return self.files.open(sha256)
        except FileNotFoundError:
            raise NotFound(
                "No file {sha256} in the catalogue's file store.", sha256=sha256
            ) from None

    def file(
        self,
        uid: str,
        format: str,
        number: int | None = None,
        principal: Principal = ANONYMOUS,
    ) -> tuple[FileInfo, BinaryIO]:
        """One stored file of a version (default: the published one) and its content."""
        if number is None:
            info = self.get(uid, principal)
            version = info.published or info.latest
        else:
            version = self.version(uid, number, principal)
        found = version.file(format)
        if found is None:
            raise NotFound(
                "The resource « {uid} » has no « {format} » file in version {number}; "
                "available: {formats}.",
                uid=uid,
                format=format,
                number=version.number,
                formats=", ".join(f.format for f in version.files) or "-",
            )
        return found, self.open_file(found.sha256)

    def search(
        self,
        q: str = "",
        filters: dict[str, list[str]] | None = None,
        page: int = 1,
        per_page: int = 20,
        sort: str = "relevance",
    ) -> SearchResult:
        """Published resources matching `q` (French-aware) and `filters`, with facet counts."""
        query = Query.parse(q, filters, page, per_page, sort)
        with self.db.read() as conn:
            searcher = Searcher(conn, self.facet_memory, self.search_cache)
            total, ids, facets = searcher.run(query, generation(conn))
            items = load_by_ids(conn, ids)
        return SearchResult(
            total=total, page=query.page, per_page=query.per_page, items=items, facets=facets
        )

    def warm_search(self) -> None:
        """Read the facet values into memory now (a server does it as it starts)."""
        with self.db.read() as conn:
            self.facet_memory.refresh(conn)

    def recent(self, limit: int = 20) -> list[ResourceInfo]:
        stmt = (
            select(R.c.id)
            .where(R.c.public.is_(True))
            .order_by(R.c.published_at.desc(), R.c.id.desc())
            .limit(max(1, min(int(limit), 500)))
        )
        with self.db.read() as conn:
            return load_by_ids(conn, list(conn.execute(stmt).scalars()))

    def count(self) -> int:
        with self.db.read() as conn:
            stmt = select(func.count()).select_from(R).where(R.c.public.is_(True))
            return conn.execute(stmt).scalar_one()


def _check_initial_state(principal: Principal, state: str) -> None:
    require(principal, "write", _WRITE_MESSAGE)
    if state not in (SUBMITTED, PUBLISHED):
        raise ImaginecoleError(
            "A new version can start as « submitted » or « published », not « {state} ».",
            state=state,
        )
    if state == PUBLISHED:
        require(
            principal,
            "edit",
            "Only editors (the « edit » permission) may add resources directly as published.",
        )


def _check_owner_or_editor(principal: Principal, res: Any) -> None:
    if res.origin:
        raise Conflict(
            "« {title} » was harvested from {origin}: it is read-only here; "
            "change it at its source.",
            title=res.title,
            origin=res.origin,
        )
    if principal.name != res.owner and not principal.can("edit"):
        raise PermissionDenied(
            "Only the owner of « {title} » ({owner}) or an editor may change it.",
            title=res.title,
            owner=res.owner,
        )


def _store_version(
    conn: Connection,
    principal: Principal,
    uid: str,
    type: str,
    kind: str,
    manifest: dict[str, Any],
    files: list[StoredFile],
    note: str,
    state: str,
) -> ResourceInfo:
    """Insert version n+1 of `uid` (making the resource at n=1): a few statements, no reads
    beyond the resource row, and the ResourceInfo built from what was written."""
    now = utcnow()
    res = fetch(conn, uid, lock=True)
    values: dict[str, Any] = {"type": type, "kind": kind, "state": state}
    if res is None:
        number = 1
        values |= {
            "uid": uid,
            "owner": principal.name,
            "latest_number": 1,
            "published_number": None,
            "public": False,
            "deleted": False,
            "created": now,
            "published_at": None,
            "datestamp": now.replace(microsecond=0),
            "origin": None,
            "origin_identifier": None,
            "origin_datestamp": None,
            "links": None,
        }
    else:
        _check_owner_or_editor(principal, res)
        number = res.latest_number + 1
        values["latest_number"] = number
        previous = version_row(conn, res.id, res.latest_number)
        if previous.state in PENDING:  # superseded by the new version
            set_version_state(conn, [previous.id], WITHDRAWN)
            add_review(conn, previous.id, "withdraw", principal.name, "", now)
    if res is None or not res.public or state == PUBLISHED:
        values |= metadata_values(manifest)
    if state == PUBLISHED:
        values |= public_values(number, now)
    if res is None:
        resource_id = conn.execute(INSERT_RESOURCE, values).scalar_one()
    else:
        resource_id = res.id
        update_resource(conn, resource_id, values)
    version = {
        "resource_id": resource_id,
        "number": number,
        "state": state,
        "created": now,
        "author": principal.name,
        "note": note,
        "manifest": manifest,
    }
    reviews = [ReviewInfo("submit", principal.name, note, now)]
    if state == PUBLISHED:
        reviews.append(ReviewInfo("approve", principal.name, "", now))
        search_.index(conn, resource_id, values, new=res is None or not res.public, bump=True)
    insert_version(conn, version, files, reviews)
    if res is not None:
        return load_infos(conn, [fetch(conn, uid)], principal)[0]
    # a new resource: everything it holds is in hand, no need to read it back
    info = VersionInfo(
        number=number,
        state=state,
        created=now,
        author=principal.name,
        note=note,
        files=[FileInfo(*f) for f in sorted(files)],
        reviews=reviews,
        manifest=manifest,
    )
    row = SimpleNamespace(id=resource_id, **values)
    return resource_info(row, {(resource_id, number): info}, private=True)


_WRITE_MESSAGE = (
    "Sign in with an account that may publish (the « write » permission) to publish "
    "in the catalogue."
)
_REVIEW_MESSAGE = "Only reviewers (the « review » permission) may review resources."

__all__ = ["Catalogue", "Conflict", "NotFound", "PermissionDenied"]
