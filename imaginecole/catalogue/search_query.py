"""Searching the index that `search.py` keeps: matches, facet counts, pages.

- Words: on SQLite an FTS5 MATCH of the stemmed query words (the last one a
  prefix); on PostgreSQL ``to_tsquery('french', 'w1 & w2:*')`` on folded words.
- Facet counts: the ids of the matching set come from the word index (on
  PostgreSQL in one array, counted here; on SQLite counted first, read when needed), and their
  seven facet values from `FacetMemory` (this process's copy of ``search_facets``,
  kept current through the ``search_changes`` log); they are counted in one pass
  here. They are disjunctive: a facet's counts ignore
  its own filter (its other values stay selectable) and apply the words and the
  other facets' filters. The counts of the whole catalogue come ready from
  ``search_facet_counts``; when the words match most of the catalogue, counts are
  that minus the counts of the few resources they do not match (nothing to
  subtract when they match every one).
- Relevance is bm25 (title words weigh more) on SQLite, ts_rank_cd on
  PostgreSQL; past `RANK_LIMIT` matches, ranking every match would cost more than
  it helps, and the newest come first.
- Answers are cached per catalogue generation (`SearchCache`): any public change
  expires them, in every process, since the generation lives in the database.
"""

from __future__ import annotations

import heapq
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    any_,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY

from ..i18n import ImaginecoleError
from .db import CatalogueState, Resource, SearchChange, SearchFacetCount
from .model import FACETS
from .search import CHANGES_KEPT, EVERY, TOTAL, S, stem, terms

SORTS = ("relevance", "recent", "title")
MAX_PER_PAGE = 100
MAX_QUERY_WORDS = 12
TITLE_WEIGHT = 5.0  # a word of the title counts as much as five of the rest
RANK_LIMIT = 5000  # matches ranked by relevance; beyond, newest first

FTS = table("resource_fts", column("rowid"), column("title"), column("body"))
WORDS = table("search_words", column("id"), column("vector"))
R = Resource.__table__
COUNTS = SearchFacetCount.__table__
CHANGES = SearchChange.__table__
STATE = CatalogueState.__table__
_GENERATION = select(STATE.c.generation).where(STATE.c.id == 1)
_EXPLAIN_MATCH = text(
    "EXPLAIN (FORMAT JSON) SELECT id FROM search_words WHERE vector @@ to_tsquery('french', :q)"
)
Facets = dict[str, list[tuple[str, int]]]


@dataclass(frozen=True)
class Query:
    """A parsed search: the words, the filters and the page wanted."""

    terms: tuple[str, ...]
    filters: tuple[tuple[str, tuple[str, ...]], ...]  # sorted: usable as a cache key
    page: int
    per_page: int
    sort: str

    @classmethod
    def parse(
        cls,
        q: str,
        filters: dict[str, list[str]] | None,
        page: int,
        per_page: int,
        sort: str,
    ) -> Query:
        if sort not in SORTS:
            raise ImaginecoleError(
                "Unknown sort order « {sort} »: use one of {allowed}.",
                sort=sort,
                allowed=", ".join(SORTS),
            )
        clean: dict[str, tuple[str, ...]] = {}
        for facet, values in (filters or {}).items():
            if facet not in FACETS:
                raise ImaginecoleError(
                    "Unknown search filter « {facet} »: use one of {allowed}.",
                    facet=facet,
                    allowed=", ".join(FACETS),
                )
            if isinstance(values, str):
                values = [values]
            kept = tuple(sorted({str(v) for v in values if str(v).strip()}))
            if kept:
                clean[facet] = kept
        found = tuple(terms(q or "")[:MAX_QUERY_WORDS])
        return cls(
            terms=found,
            filters=tuple(sorted(clean.items())),
            page=max(1, int(page)),
            per_page=min(max(0, int(per_page)), MAX_PER_PAGE),  # 0: counts only
            sort=sort if found or sort != "relevance" else "recent",
        )

    @property
    def filter_map(self) -> dict[str, tuple[str, ...]]:
        return dict(self.filters)


def fts_match(words: tuple[str, ...] | list[str], *, complement: bool = False) -> str:
    """The FTS5 query of `words` (stemmed, the last a prefix) in the title and body;
    `complement`: every indexed resource but those."""
    quoted = [f'"{stem(t)}"' for t in words]
    quoted[-1] += "*"
    found = f"{{title body}} : ({' '.join(quoted)})"
    return f"tag : {EVERY} NOT {found}" if complement else found


def tsquery(words: tuple[str, ...] | list[str]) -> str:
    return " & ".join([*words[:-1], words[-1] + ":*"])


def _tsquery(query: Query) -> Any:
    return func.to_tsquery(literal_column("'french'"), tsquery(query.terms))


class SearchCache:
    """Recent answers keyed by the catalogue's generation: any public change expires them all."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class FacetMemory:
    """The seven facet values of every public resource, held in this process's memory.

    Counting the facets of a set of matches reads them here by id, rather than looking
    up thousands of rows of ``search_facets``. The memory knows the generation it
    reflects; when the catalogue's moves on, it reads only the resources that the
    ``search_changes`` log names for the generations in between (usually none or one),
    so a search after any change still sees it. The first use, or a process too far
    behind the log, reads the whole table once (a fraction of a second at 50,000).
    """

    def __init__(self) -> None:
        self._rows: dict[int, tuple[Any, ...]] = {}
        self._generation: int | None = None
        self._lock = threading.Lock()
        self._interned: dict[Any, Any] = {}

    def rows(
        self, conn: Connection, ids: Any, generation: int | None = None
    ) -> list[tuple[Any, ...]]:
        """The facet values (in FACETS order) of the public resources among `ids`;
        `generation`: the catalogue's, when the caller has just read it."""
        with self._lock:
            self._refresh(conn, generation)
            get = self._rows.get
            return [row for row in map(get, ids) if row is not None]

    def passing(
        self, conn: Connection, ids: Any, query: Query, generation: int | None = None
    ) -> list[int]:
        """Those of `ids` that are public and pass the query's filters, in order."""
        position = {f: i for i, f in enumerate(FACETS)}
        filters = [(position[f], frozenset(values)) for f, values in query.filters]
        with self._lock:
            self._refresh(conn, generation)
            get = self._rows.get
            return [
                rid
                for rid in ids
                if (row := get(rid)) is not None
                and all(row[i] in allowed for i, allowed in filters)
            ]

    def rows_except(
        self, conn: Connection, ids: Any, generation: int | None = None
    ) -> list[tuple[Any, ...]]:
        """The facet values of the public resources not among `ids`."""
        with self._lock:
            self._refresh(conn, generation)
            leave = set(ids)
            return [row for rid, row in self._rows.items() if rid not in leave]

    def refresh(self, conn: Connection) -> None:
        with self._lock:
            self._refresh(conn)

    def _refresh(self, conn: Connection, now: int | None = None) -> None:
        if now is None:
            now = conn.execute(_GENERATION).scalar_one()
        known = self._generation
        if known is not None and abs(now - known) < CHANGES_KEPT // 2:
            if now <= known:  # current, or this search began before another one's refresh
                return
            ids = conn.execute(
                select(CHANGES.c.resource_id)
                .where(CHANGES.c.generation > known, CHANGES.c.generation <= now)
                .distinct()
            ).scalars()
            self._load(conn, sorted(ids))
        else:
            self._rows = {}
            self._load(conn, None)
        self._generation = now

    def _load(self, conn: Connection, ids: list[int] | None) -> None:
        columns = [S.c.id, *(S.c[f] for f in FACETS)]
        chunks = [None] if ids is None else [ids[i : i + 500] for i in range(0, len(ids), 500)]
        intern = self._interned.setdefault
        for chunk in chunks:
            stmt = select(*columns)
            if chunk is not None:
                stmt = stmt.where(S.c.id.in_(chunk))
                for gone in chunk:  # taken out of the index unless read again below
                    self._rows.pop(gone, None)
            for rid, *values in conn.execute(stmt):
                self._rows[rid] = tuple(intern(v, v) for v in values)


class Searcher:
    """Runs a `Query` on one connection."""

    def __init__(
        self, conn: Connection, memory: FacetMemory, cache: SearchCache | None = None
    ) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name
        self.memory = memory
        self.cache = cache
        self._matched_ids: list[int] | None = None  # PostgreSQL: of the query being run
        self._ready_counts: tuple[int, Facets] | None = None  # this connection's read
        self.generation: int | None = None  # of the catalogue, read by the caller

    # -- the matching set ------------------------------------------------------------------

    def _match_ids(self, query: Query, *, complement: bool = False) -> Select[Any]:
        """SELECT of the ids of the public resources matching the words (or not)."""
        if self.dialect == "sqlite":
            expression = fts_match(query.terms, complement=complement)
            match = literal_column("resource_fts").op("MATCH")(expression)
            return select(FTS.c.rowid.label("id")).where(match)
        match = WORDS.c.vector.op("@@")(_tsquery(query))
        return select(WORDS.c.id).where(~match if complement else match)

    def _matches(self, query: Query) -> tuple[int, list[int] | None]:
        """(how many public resources the words match, their ids or None: read when needed).

        PostgreSQL: the ids in one array (one value to decode, not thousands of rows),
        counted here; but when the planner expects most of the catalogue to match (« eleve »),
        counted through the GIN index, which costs half as much as reading them.
        SQLite: FTS5 counts its matches faster than it hands them over."""
        count = select(func.count()).select_from(self._match_ids(query).subquery())
        if self.dialect == "sqlite":
            return self.conn.execute(count).scalar_one(), None
        if self._expected(query) * 2 > self._catalogue_counts()[0]:
            self.conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            try:
                return self.conn.execute(count).scalar_one(), None
            finally:
                self.conn.exec_driver_sql("SET LOCAL enable_seqscan TO DEFAULT")
        ids = self.conn.execute(
            select(func.array_agg(WORDS.c.id)).where(WORDS.c.vector.op("@@")(_tsquery(query)))
        ).scalar_one()
        self._matched_ids = ids = ids or []
        return len(ids), ids

    def _filters(self, cols: Any, query: Query, skip: str | None = None) -> list[Any]:
        return [cols[f].in_(v) for f, v in query.filters if f != skip]

    # -- answers ---------------------------------------------------------------------------

    def run(self, query: Query, generation: int | None = None) -> tuple[int, list[int], Facets]:
        """(total, resource ids of the page in order, facet counts)."""
        self.generation = generation
        cache = self.cache if generation is not None else None
        counted_key = (generation, "counts", query.terms, query.filters)
        counted = cache.get(counted_key) if cache else None
        if counted is None:
            counted = self._count_and_facets(query)
            if cache:
                cache.put(counted_key, counted)
        total, facets, matched, everything = counted
        page_key = (generation, "page", query)
        ids = cache.get(page_key) if cache else None
        if ids is None:
            ids = self._page(query, matched, total, everything) if total and query.per_page else []
            if cache:
                cache.put(page_key, ids)
        return total, list(ids), {k: list(v) for k, v in facets.items()}

    def _count_and_facets(self, query: Query) -> tuple[int, Facets, int, int]:
        """(total, facets, resources the words match before filters, public resources)."""
        everything = self._catalogue_counts()[0]
        if not query.terms:
            total, facets = self._filtered(query)
            return total, facets, everything, everything
        matched, ids = self._matches(query)
        if matched >= everything:  # the index holds public resources only: all of them
            total, facets = self._filtered(query)
            return total, facets, matched, everything
        if matched * 2 > everything:
            # most of the catalogue matches: count what does not, and subtract
            total, facets = self._filtered(query)
            if ids is None:
                ids = self._ids(self._match_ids(query, complement=True))
                less_rows = self.memory.rows(self.conn, ids, self.generation)
            else:
                less_rows = self.memory.rows_except(self.conn, ids, self.generation)
            less_total, less = count_facets(less_rows, query)
            return total - less_total, _subtract(facets, less), matched, everything
        if ids is None:
            ids = self._ids(self._match_ids(query))
        total, facets = count_facets(self.memory.rows(self.conn, ids, self.generation), query)
        return total, facets, matched, everything

    def _expected(self, query: Query) -> float:
        """PostgreSQL's estimate of the resources the words match (from its statistics)."""
        plan = self.conn.execute(_EXPLAIN_MATCH, {"q": tsquery(query.terms)}).scalar_one()
        return float(plan[0]["Plan"]["Plan Rows"])

    def _ids(self, stmt: Select[Any]) -> list[int]:
        return self.conn.execute(stmt).scalars().all()  # type: ignore[return-value]

    def _catalogue_counts(self) -> tuple[int, Facets]:
        if self._ready_counts is None:
            self._ready_counts = self._read_catalogue_counts()
        total, facets = self._ready_counts
        return total, {f: list(values) for f, values in facets.items()}

    def _read_catalogue_counts(self) -> tuple[int, Facets]:
        facets: Facets = {f: [] for f in FACETS}
        total = 0
        stmt = select(COUNTS.c.facet, COUNTS.c.value, COUNTS.c.n).where(
            COUNTS.c.by_facet == "", COUNTS.c.n > 0
        )
        for facet, value, n in self.conn.execute(stmt):
            if facet == TOTAL:
                total = n
            elif facet in facets:
                facets[facet].append((value, n))
        return total, _sorted(facets)

    def _filtered(self, query: Query) -> tuple[int, Facets]:
        """Counts over the public resources passing the filters (no words)."""
        total, facets = self._catalogue_counts()
        if not query.filters:
            return total, facets
        if len(query.filters) == 1:
            # one facet filtered: the counts by that facet's values are ready too
            ((by, chosen),) = query.filters
            total = sum(n for v, n in facets[by] if v in chosen)
            stmt = (
                select(COUNTS.c.facet, COUNTS.c.value, func.sum(COUNTS.c.n))
                .where(COUNTS.c.by_facet == by, COUNTS.c.by_value.in_(chosen))
                .group_by(COUNTS.c.facet, COUNTS.c.value)
            )
            ready = facets[by]
            facets = {f: [] for f in FACETS}
            facets[by] = ready
            for facet, value, n in self.conn.execute(stmt):
                if n and facet in facets and facet != by:
                    facets[facet].append((value, int(n)))
            return total, _sorted(facets)
        parts = [
            select(literal_column(f"'{TOTAL}'"), literal_column("NULL"), func.count()).where(
                *self._filters(S.c, query)
            )
        ]
        for facet in FACETS:
            col = S.c[facet]
            parts.append(
                select(literal_column(f"'{facet}'"), col, func.count())
                .where(col.is_not(None), *self._filters(S.c, query, skip=facet))
                .group_by(col)
            )
        facets = {f: [] for f in FACETS}
        for facet, value, n in self.conn.execute(union_all(*parts)):
            if facet == TOTAL:
                total = n
            else:
                facets[facet].append((value, n))
        return total, _sorted(facets)

    def _page(self, query: Query, matched: int, total: int, everything: int) -> list[int]:
        offset = (query.page - 1) * query.per_page
        ranked = query.sort == "relevance" and matched <= RANK_LIMIT
        stmt: Select[Any]
        if query.sort == "relevance" and self.dialect == "sqlite":
            match = literal_column("resource_fts").op("MATCH")(fts_match(query.terms))
            stmt = select(FTS.c.rowid).where(match)
            if query.filters:
                stmt = stmt.join(S, S.c.id == FTS.c.rowid).where(*self._filters(S.c, query))
            if ranked:
                rank = func.bm25(literal_column("resource_fts"), TITLE_WEIGHT, 1.0, 0.0)
                stmt = stmt.order_by(rank, FTS.c.rowid)
            else:  # FTS5 walks its matches newest id first, stopping at the page
                stmt = stmt.order_by(FTS.c.rowid.desc())
        elif query.sort == "relevance":
            # the matches' ids are at hand (or one array away) and their facet values in
            # memory: filter here, then rank only those (by primary key), or take the newest
            ids = self._matched_ids
            if ids is None and not query.filters and not ranked:
                # most of the catalogue matches: walk the ids down, stop at the page
                stmt = self._match_ids(query).order_by(WORDS.c.id.desc())
                return self._ids(stmt.limit(query.per_page).offset(offset))
            if ids is None:
                ids = self._ids(self._match_ids(query))
            if query.filters:
                ids = self.memory.passing(self.conn, ids, query, self.generation)
            if not ranked:
                return heapq.nlargest(offset + query.per_page, ids)[offset:]
            tsq = _tsquery(query)
            stmt = (
                select(WORDS.c.id)
                .where(WORDS.c.id == any_(bindparam("ids", ids, type_=ARRAY(Integer))))
                .order_by(func.ts_rank_cd(WORDS.c.vector, tsq).desc(), WORDS.c.id)
            )
        else:
            stmt = select(R.c.id).where(R.c.public.is_(True))
            if query.terms:
                stmt = stmt.where(R.c.id.in_(self._match_ids(query)))
            if query.filters:
                passing = select(S.c.id).where(*self._filters(S.c, query))
                if total * 10 > everything:
                    # common: walk the sort order and look each one up until the page is full
                    stmt = stmt.where(passing.where(S.c.id == R.c.id).exists())
                else:  # rare: collect them, then sort the few
                    stmt = stmt.where(R.c.id.in_(passing))
            if query.sort == "title":
                stmt = stmt.order_by(R.c.title_key, R.c.id)
            else:
                stmt = stmt.order_by(R.c.published_at.desc(), R.c.id.desc())
        return list(self.conn.execute(stmt.limit(query.per_page).offset(offset)).scalars())


def count_facets(rows: list[Any], query: Query) -> tuple[int, Facets]:
    """(total, facets) of `rows` of the seven facet values (in FACETS order), disjunctive:
    a row counts for facet F when it passes every filter but F's own."""
    position = {f: i for i, f in enumerate(FACETS)}
    filters = [(position[f], frozenset(values)) for f, values in query.filters]
    counters: list[Counter[Any]] = [Counter() for _f in FACETS]
    if not filters:
        total = len(rows)
        for counter, column in zip(counters, zip(*rows, strict=True), strict=False):
            counter.update(column)
    else:
        total = 0
        for row in rows:
            failed = [i for i, allowed in filters if row[i] not in allowed]
            if not failed:
                total += 1
                for counter, value in zip(counters, row, strict=True):
                    counter[value] += 1
            elif len(failed) == 1:
                counters[failed[0]][row[failed[0]]] += 1
    facets = {
        f: [(v, n) for v, n in counters[i].items() if v is not None] for i, f in enumerate(FACETS)
    }
    return total, _sorted(facets)


def _sorted(facets: Facets) -> Facets:
    for values in facets.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    return facets


def _subtract(facets: Facets, less: Facets) -> Facets:
    out: Facets = {}
    for facet, values in facets.items():
        minus = dict(less.get(facet, []))
        out[facet] = [(v, n - minus.get(v, 0)) for v, n in values if n - minus.get(v, 0) > 0]
    return _sorted(out)
