"""OAI-PMH support and harvested records: what federates the national catalogues.

The provider (`oai.py`) pages through published and deleted records with a
keyset cursor (datestamp, id), so every record appears exactly once however
the catalogue changes between pages. The harvester (`harvest.py`) stores other
catalogues' records with `upsert_harvested`: published, read-only, idempotent.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, func, literal, select, tuple_

from ..i18n import N_, ImaginecoleError, _
from . import search as search_
from .db import Database, utcnow
from .model import FACETS, PUBLISHED, WITHDRAWN, HarvestedRecord, ResourceInfo, VersionInfo
from .publishing import check_type, clean_metadata
from .records import (
    INSERT_RESOURCE,
    INSERT_VERSION,
    R,
    V,
    fetch,
    load_infos,
    metadata_values,
    naive_utc,
    now_seconds,
    public_values,
    resource_info,
    update_resource,
    version_row,
)
from .search import bump_generation

OAI_SET_FACETS = ("country", "subject", "type")
TYPE_NAMES = {
    "grain": N_("Grains"),
    "comic": N_("Digital comics"),
    "podcast": N_("Podcasts"),
    "notebook-app": N_("Notebook apps"),
    "module": N_("Modules"),
    "parcours": N_("Learning paths"),
    "h5p": N_("H5P packages"),
    "scorm": N_("SCORM packages"),
}


class FederationMixin:
    """`Catalogue` methods for the OAI-PMH provider and the harvester."""

    db: Database

    def earliest_datestamp(self) -> datetime:
        with self.db.read() as conn:
            stmt = select(func.min(R.c.datestamp)).where(_oai_visible())
            earliest = conn.execute(stmt).scalar()
        return earliest or now_seconds()

    def oai_records(
        self,
        *,
        since: datetime | None,
        until: datetime | None,
        set_spec: str | None,
        after: tuple[datetime, int] | None,
        limit: int,
    ) -> list[tuple[tuple[datetime, int], ResourceInfo]]:
        """Published and deleted records by (datestamp, id); `after` is the last cursor seen."""
        stmt = _oai_where(select(R), since, until, set_spec)
        if after is not None:
            stamp, last_id = after
            cursor = tuple_(literal(stamp, R.c.datestamp.type), literal(int(last_id)))
            stmt = stmt.where(tuple_(R.c.datestamp, R.c.id) > cursor)
        stmt = stmt.order_by(R.c.datestamp, R.c.id).limit(max(1, int(limit)))
        with self.db.read() as conn:
            rows = list(conn.execute(stmt))
            values = load_infos(conn, rows)
        return [((r.datestamp, r.id), info) for r, info in zip(rows, values, strict=True)]

    def oai_count(
        self, *, since: datetime | None, until: datetime | None, set_spec: str | None
    ) -> int:
        """How many records `oai_records` lists with these arguments (one SELECT count)."""
        stmt = _oai_where(select(func.count()).select_from(R), since, until, set_spec)
        with self.db.read() as conn:
            return int(conn.execute(stmt).scalar_one())

    def oai_record(self, uid: str) -> ResourceInfo | None:
        """The record `uid` as OAI-PMH shows it: published, or deleted (withdrawn once
        public), harvested ones included; None for anything else."""
        with self.db.read() as conn:
            row = fetch(conn, uid)
            if row is None or not (row.public or row.deleted):
                return None
            return load_infos(conn, [row])[0]

    def published_uids(self) -> list[tuple[str, datetime]]:
        """(uid, datestamp) of every public resource made here (not harvested), newest
        first: the sitemap."""
        stmt = (
            select(R.c.uid, R.c.datestamp)
            .where(R.c.public.is_(True), R.c.origin.is_(None))
            .order_by(R.c.published_at.desc(), R.c.id.desc())
        )
        with self.db.read() as conn:
            return [(uid, stamp) for uid, stamp in conn.execute(stmt)]

    def oai_sets(self) -> list[tuple[str, str]]:
        """(setSpec, setName) for every country, subject and type in use."""
        sets = []
        with self.db.read() as conn:
            for facet in OAI_SET_FACETS:
                col = R.c[facet]
                stmt = select(col).where(_oai_visible(), col.is_not(None)).distinct().order_by(col)
                sets += [
                    (f"{facet}:{v}", _set_name(facet, v)) for v in conn.execute(stmt).scalars()
                ]
        return sets

    def upsert_harvested(
        self,
        origin: str,
        origin_identifier: str,
        metadata: dict[str, Any],
        datestamp: datetime,
        deleted: bool,
        type: str = "grain",
        links: dict[str, str] | None = None,
    ) -> ResourceInfo | None:
        """Store or update a record harvested from `origin` (read-only here).

        The uid derives from origin and identifier; a record seen again with the same
        datestamp, state and metadata changes nothing (not even its local datestamp). A
        deleted record never stored here stores nothing and gives None.
        """
        record = HarvestedRecord(
            origin, origin_identifier, metadata, datestamp, deleted, type, links
        )
        prepared = _prepare(record)
        now = utcnow()
        with self.db.write() as conn:
            delta: Counter[Any] = Counter()
            outcome = _upsert(conn, prepared, now, delta)
            _finish(conn, delta, [outcome])
            if outcome.resource_id is None:
                return None
            if outcome.row is None:
                return load_infos(conn, [fetch(conn, prepared.uid)])[0]
            # a new record: everything is in hand, no need to read it back
            info = VersionInfo(1, outcome.row.state, now, "", "", [], [], prepared.manifest)
            return resource_info(outcome.row, {(outcome.resource_id, 1): info}, private=False)

    def upsert_harvested_many(self, records: Iterable[HarvestedRecord]) -> list[bool]:
        """`upsert_harvested` for a page of records, in one transaction (all or none).

        For each record, in order: whether this catalogue now holds it (stored, updated or
        unchanged; for a deleted record, whether a local copy is now marked deleted).
        Checks every record before writing any: an invalid one raises ImaginecoleError.
        """
        prepared = [_prepare(r) for r in records]
        if not prepared:
            return []
        now = utcnow()
        with self.db.write() as conn:
            delta: Counter[Any] = Counter()
            outcomes = [_upsert(conn, p, now, delta) for p in prepared]
            _finish(conn, delta, outcomes)
        return [o.held for o in outcomes]


@dataclass
class _Prepared:
    record: HarvestedRecord
    uid: str
    manifest: dict[str, Any]
    links: dict[str, str]
    stamp: datetime
    state: str


@dataclass
class _Outcome:
    resource_id: int | None  # None: nothing stored (a deletion of a record never seen)
    held: bool  # stored, or (deleted) a local copy now marked deleted
    public_change: bool  # what the public sees changed: search caches expire
    row: Any = None  # a new record's values, to build its ResourceInfo without reading


def _prepare(record: HarvestedRecord) -> _Prepared:
    """Everything a harvested record needs, checked before any write."""
    check_type(record.type)
    uid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{record.origin}#{record.origin_identifier}"))
    clean = clean_metadata(record.metadata or {}, default_language="")
    clean["title"] = clean["title"] or record.origin_identifier[:300]
    links = {str(k)[:40]: str(v)[:2000] for k, v in (record.links or {}).items()}
    manifest = {
        "id": uid,
        "type": record.type,
        "kind": "",
        "metadata": clean,
        "links": links,
        "origin": record.origin,
        "origin_identifier": record.origin_identifier,
    }
    stamp = naive_utc(record.datestamp).replace(microsecond=0, tzinfo=UTC)
    state = WITHDRAWN if record.deleted else PUBLISHED
    return _Prepared(record, uid, manifest, links, stamp, state)


def _upsert(conn: Connection, p: _Prepared, now: datetime, delta: Counter[Any]) -> _Outcome:
    """Store one prepared record in the caller's transaction; facet count changes go to
    `delta` (written once by `_finish`)."""
    record, deleted = p.record, p.record.deleted
    res = fetch(conn, p.uid, lock=True)
    version = None
    if res is not None:
        version = version_row(conn, res.id, 1)
        if (
            res.origin_datestamp == p.stamp
            and version.state == p.state
            and version.manifest == p.manifest
            and res.type == record.type
        ):
            return _Outcome(res.id, bool(res.deleted) if deleted else True, False)
    elif deleted:  # never stored here: nothing to mark deleted
        return _Outcome(None, False, False)
    values: dict[str, Any] = {
        "type": record.type,
        "kind": "",
        "state": p.state,
        "links": p.links,
        "origin_datestamp": p.stamp,
        "datestamp": now.replace(microsecond=0),
        **metadata_values(p.manifest),
    }
    if deleted:
        was_public = bool(res.deleted or res.public)
        values |= {"public": False, "published_number": None, "deleted": was_public}
    else:
        values |= public_values(1, now)
    if res is None:
        values |= {
            "uid": p.uid,
            "owner": "",
            "latest_number": 1,
            "created": now,
            "origin": record.origin[:500],
            "origin_identifier": record.origin_identifier[:500],
        }
        resource_id = conn.execute(INSERT_RESOURCE, values).scalar_one()
        conn.execute(
            INSERT_VERSION,
            {
                "resource_id": resource_id,
                "number": 1,
                "state": p.state,
                "created": now,
                "author": "",
                "note": "",
                "manifest": p.manifest,
            },
        )
    else:
        resource_id = res.id
        update_resource(conn, res.id, values)
        conn.execute(
            V.update().where(V.c.id == version.id).values(state=p.state, manifest=p.manifest)
        )
    if deleted:
        search_.unindex(conn, resource_id, delta=delta)
    else:
        search_.index(conn, resource_id, values, new=res is None or not res.public, delta=delta)
    row = SimpleNamespace(id=resource_id, **values) if res is None else None
    held = values["deleted"] if deleted else True
    return _Outcome(resource_id, held, not deleted or values["deleted"], row)


def _finish(conn: Connection, delta: Counter[Any], outcomes: list[_Outcome]) -> None:
    search_.write_counts(conn, delta)
    if any(o.public_change for o in outcomes):
        bump_generation(conn)


def _oai_visible() -> Any:
    return R.c.public.is_(True) | R.c.deleted.is_(True)


def _oai_where(
    stmt: Any, since: datetime | None, until: datetime | None, set_spec: str | None
) -> Any:
    """`stmt` restricted to the OAI records of these arguments (oai_records, oai_count)."""
    stmt = stmt.where(_oai_visible())
    if since is not None:
        stmt = stmt.where(R.c.datestamp >= since)
    if until is not None:
        stmt = stmt.where(R.c.datestamp <= until)
    if set_spec:
        facet, _sep, value = set_spec.partition(":")
        if facet not in FACETS or not value:
            raise ImaginecoleError(
                "« {set_spec} » is not a set of this catalogue: use country:SN, "
                "subject:…, type:grain…",
                set_spec=set_spec,
            )
        stmt = stmt.where(R.c[facet] == value)
    return stmt


def _set_name(facet: str, value: str) -> str:
    if facet == "country":
        from ..workshop.countries import COUNTRIES

        return COUNTRIES.get(value, value)
    if facet == "type":
        return _(TYPE_NAMES.get(value, value))
    return _subject_name(value)


def _subject_name(subject: str) -> str:
    from ..curricula import subjects
    from ..workshop.countries import COUNTRIES

    for country in COUNTRIES:
        try:
            for item in subjects(country):
                if item["id"] == subject:
                    return item["name_fr"]
        except ImaginecoleError:
            continue
    return subject
