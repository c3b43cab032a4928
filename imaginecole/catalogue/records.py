"""Rows to values, and the row operations every part of the service shares.

The service works on SQLAlchemy Core rows, not ORM objects: a publication is a
handful of INSERTs and a page of search results a handful of SELECTs, whatever
the size of the catalogue. `load_infos()` turns resource rows into
`ResourceInfo` in at most three queries and decides what a principal sees: the
owner, reviewers and editors see the latest version, everyone else the
published one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select, text, tuple_

from .db import CatalogueState, File, JSONText, Resource, Review, UTCDateTime, Version, utcnow
from .model import (
    ANONYMOUS,
    PUBLISHED,
    FileInfo,
    Principal,
    ResourceInfo,
    ReviewInfo,
    VersionInfo,
)
from .search import fold

R = Resource.__table__
V = Version.__table__
F = File.__table__
RV = Review.__table__
STATE = CatalogueState.__table__
METADATA_COLUMNS = (
    "title",
    "title_key",
    "description",
    "language",
    "licence",
    "country",
    "level",
    "subject",
    "event",
    "team",
    "authors",
    "keywords",
)


def now_seconds() -> datetime:
    """Now in UTC to the second: OAI-PMH datestamps have whole seconds."""
    return utcnow().replace(microsecond=0)


def naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None)


def may_see_private(principal: Principal, owner: str) -> bool:
    """Whether `principal` sees unpublished versions of a resource owned by `owner`."""
    if principal.anonymous:
        return False
    return principal.name == owner or principal.can("review") or principal.can("edit")


def metadata_values(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The resource columns that come from a version's manifest metadata."""
    meta = manifest.get("metadata") or {}
    title = str(meta.get("title") or "")[:300]
    values: dict[str, Any] = {
        "title": title,
        "title_key": fold(title)[:300],
        "description": str(meta.get("description") or ""),
        "language": meta.get("language") or None,
        "licence": meta.get("licence") or None,
        "authors": [
            str(a.get("name"))
            for a in meta.get("authors") or []
            if isinstance(a, dict) and a.get("name")
        ],
        "keywords": [str(k) for k in meta.get("keywords") or []],
    }
    for key in ("country", "level", "subject", "event", "team"):
        values[key] = meta.get(key) or None
    return values


def public_values(number: int, now: datetime) -> dict[str, Any]:
    """The resource columns of a resource whose version `number` is now published."""
    return {
        "published_number": number,
        "public": True,
        "deleted": False,
        "published_at": now,
        "datestamp": now.replace(microsecond=0),
    }


# statements built once: building and hashing a statement costs more than running it
_FETCH = select(R).where(R.c.uid == bindparam("uid"))
_FETCH_LOCKED = _FETCH.with_for_update()
_VERSION = select(V).where(V.c.resource_id == bindparam("rid"), V.c.number == bindparam("n"))
_GENERATION = select(STATE.c.generation).where(STATE.c.id == 1)
INSERT_RESOURCE = R.insert().returning(R.c.id)
UPDATE_RESOURCE = R.update().where(R.c.id == bindparam("_rid"))
INSERT_VERSION = V.insert().returning(V.c.id)
INSERT_FILES = F.insert()
INSERT_REVIEW = RV.insert()


# PostgreSQL: a version, its files and its reviews in one round trip (data-modifying CTEs)
_INSERT_VERSION_PG = text(
    "WITH v AS (INSERT INTO versions (resource_id, number, state, created, author, note, "
    "manifest) VALUES (:resource_id, :number, :state, :created, :author, :note, :manifest) "
    "RETURNING id), "
    "f AS (INSERT INTO files (version_id, format, filename, sha256, size, media_type) "
    "SELECT v.id, x.* FROM v, unnest(CAST(:f_format AS text[]), CAST(:f_filename AS text[]), "
    "CAST(:f_sha256 AS text[]), CAST(:f_size AS integer[]), CAST(:f_media_type AS text[])) x), "
    "r AS (INSERT INTO reviews (version_id, action, actor, comment, at) "
    "SELECT v.id, y.* FROM v, unnest(CAST(:r_action AS text[]), CAST(:r_actor AS text[]), "
    "CAST(:r_comment AS text[]), CAST(:r_at AS timestamp[])) y) "
    "SELECT id FROM v"
)
_FILE_FIELDS = ("format", "filename", "sha256", "size", "media_type")


def insert_version(
    conn: Connection,
    version: Mapping[str, Any],
    files: Iterable[tuple[str, str, str, int, str]],
    reviews: Iterable[Any],
) -> int:
    """Insert a version row, its files (format, filename, sha256, size, media type) and its
    reviews (with action, actor, comment, at); return the version's id."""
    files = [(fmt, name[:300], sha, size, kind) for fmt, name, sha, size, kind in files]
    reviews = list(reviews)
    if conn.dialect.name == "postgresql":
        utc = UTCDateTime()
        params = {
            **version,
            "created": utc.process_bind_param(version["created"], None),
            "manifest": JSONText().process_bind_param(version["manifest"], None),
        }
        for i, field in enumerate(_FILE_FIELDS):
            params[f"f_{field}"] = [f[i] for f in files]
        params |= {
            "r_action": [r.action for r in reviews],
            "r_actor": [r.actor for r in reviews],
            "r_comment": [r.comment for r in reviews],
            "r_at": [utc.process_bind_param(r.at, None) for r in reviews],
        }
        return conn.execute(_INSERT_VERSION_PG, params).scalar_one()
    version_id = conn.execute(INSERT_VERSION, version).scalar_one()
    if files:
        conn.execute(
            INSERT_FILES,
            [{"version_id": version_id, **dict(zip(_FILE_FIELDS, f, strict=True))} for f in files],
        )
    if reviews:
        conn.execute(
            INSERT_REVIEW,
            [
                {"version_id": version_id, "action": r.action, "actor": r.actor}
                | {"comment": r.comment, "at": r.at}
                for r in reviews
            ],
        )
    return version_id


def fetch(conn: Connection, uid: str, *, lock: bool = False) -> Row[Any] | None:
    """The resource row `uid`; with `lock`, locked until the transaction ends (PostgreSQL)."""
    return conn.execute(_FETCH_LOCKED if lock else _FETCH, {"uid": uid}).first()


def version_row(conn: Connection, resource_id: int, number: int) -> Row[Any]:
    return conn.execute(_VERSION, {"rid": resource_id, "n": number}).one()


def update_resource(conn: Connection, resource_id: int, values: Mapping[str, Any]) -> None:
    conn.execute(UPDATE_RESOURCE, {"_rid": resource_id, **values})


def set_version_state(conn: Connection, version_ids: Iterable[int], state: str) -> None:
    conn.execute(V.update().where(V.c.id.in_(sorted(version_ids))).values(state=state))


def add_review(
    conn: Connection, version_id: int, action: str, actor: str, comment: str, at: datetime
) -> None:
    conn.execute(
        INSERT_REVIEW,
        {"version_id": version_id, "action": action, "actor": actor, "comment": comment, "at": at},
    )


def generation(conn: Connection) -> int:
    return conn.execute(_GENERATION).scalar_one()


# -- rows to values ------------------------------------------------------------------------


def version_infos(
    conn: Connection, versions: Iterable[Row[Any]], *, reviews_for: set[int]
) -> dict[int, VersionInfo]:
    """VersionInfo by version id, with files, and reviews for the versions in `reviews_for`."""
    versions = list(versions)
    ids = [v.id for v in versions]
    files: dict[int, list[FileInfo]] = {i: [] for i in ids}
    reviews: dict[int, list[ReviewInfo]] = {i: [] for i in ids}
    if ids:
        for f in conn.execute(select(F).where(F.c.version_id.in_(ids)).order_by(F.c.format)):
            files[f.version_id].append(
                FileInfo(f.format, f.filename, f.sha256, f.size, f.media_type)
            )
        wanted = [i for i in ids if i in reviews_for]
        if wanted:
            stmt = select(RV).where(RV.c.version_id.in_(wanted)).order_by(RV.c.id)
            for r in conn.execute(stmt):
                reviews[r.version_id].append(ReviewInfo(r.action, r.actor, r.comment, r.at))
    return {
        v.id: VersionInfo(
            number=v.number,
            state=v.state,
            created=v.created,
            author=v.author,
            note=v.note,
            files=files[v.id],
            reviews=reviews[v.id],
            manifest=v.manifest,
        )
        for v in versions
    }


def load_infos(
    conn: Connection, rows: Iterable[Row[Any]], principal: Principal = ANONYMOUS
) -> list[ResourceInfo]:
    """ResourceInfo for resource `rows`, in their order, as `principal` may see them."""
    rows = list(rows)
    private = {r.id: may_see_private(principal, r.owner) for r in rows}
    wanted: set[tuple[int, int]] = set()
    for r in rows:
        if private[r.id] or not r.public:
            wanted.add((r.id, r.latest_number))
        if r.published_number:
            wanted.add((r.id, r.published_number))
    found: list[Row[Any]] = []
    if wanted:
        # the plain IN lets SQLite use the (resource_id, number) index; a row-value IN alone
        # would scan every version
        stmt = select(V).where(
            V.c.resource_id.in_(sorted({rid for rid, _n in wanted})),
            tuple_(V.c.resource_id, V.c.number).in_(sorted(wanted)),
        )
        found = list(conn.execute(stmt))
    reviews_for = {v.id for v in found if private[v.resource_id]}
    values = version_infos(conn, found, reviews_for=reviews_for)
    by_number = {(v.resource_id, v.number): values[v.id] for v in found}
    return [resource_info(r, by_number, private[r.id]) for r in rows]


def resource_info(
    r: Any, versions: Mapping[tuple[int, int], VersionInfo], private: bool
) -> ResourceInfo:
    published = versions.get((r.id, r.published_number)) if r.published_number else None
    if private or published is None:
        latest, state = versions[(r.id, r.latest_number)], r.state
    else:
        latest, state = published, PUBLISHED
    return ResourceInfo(
        uid=r.uid,
        type=r.type,
        kind=r.kind,
        title=r.title,
        description=r.description,
        language=r.language or "",
        country=r.country,
        level=r.level,
        subject=r.subject,
        licence=r.licence or "",
        authors=list(r.authors or []),
        keywords=list(r.keywords or []),
        event=r.event,
        team=r.team,
        owner=r.owner,
        state=state,
        latest=latest,
        published=published,
        versions=r.latest_number,
        datestamp=r.datestamp,
        deleted=r.deleted,
        origin=r.origin,
        origin_identifier=r.origin_identifier,
        links=dict(r.links or {}),
    )


def load_by_ids(conn: Connection, ids: list[int]) -> list[ResourceInfo]:
    """Public ResourceInfo for resource ids, in the order given."""
    if not ids:
        return []
    rows = {r.id: r for r in conn.execute(select(R).where(R.c.id.in_(ids)))}
    return load_infos(conn, [rows[i] for i in ids if i in rows])
