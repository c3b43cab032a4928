"""French-aware search: folding and stemming words, and keeping the search index.

Text is folded (NFKD, combining marks dropped, lower case, œ -> oe) so « élève »
and « eleve » are the same word; French stop words (le, la, des…) are left out.

The index holds public resources only, in three parts kept in the same
transaction as the change that makes a resource public or not:

- the words: on SQLite the FTS5 table ``resource_fts`` (rowid = resources.id),
  holding words stemmed here with snowball's French stemmer; on PostgreSQL the
  narrow table ``search_words (id, vector)``, ``to_tsvector('french', …)`` of the
  folded text (GIN index);
- ``search_facets``: the seven facet values of each public resource, a narrow
  table with one covering index per facet, that facet counts scan;
- ``search_facet_counts``: how many public resources hold each facet value, so
  the counts of the whole catalogue (the home and search pages) cost nothing.

Queries are in `search_query.py`.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, select, text

from ..workshop.countries import COUNTRIES
from .db import SearchFacets
from .model import FACETS

TOTAL = "_total"  # the facet of search_facet_counts counting every public resource
# the `tag` column of every indexed resource holds this word, so that FTS5 can say
# "all but these": ``tag : every NOT ({title body} : (query))``; queries never search `tag`
EVERY = "every"

_WORD = re.compile(r"\w+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'"})
_local = threading.local()

# words that say nothing about a resource: left out of the index and of queries
STOP_WORDS = frozenset(
    """a au aux avec ce ces cet cette d dans de des du elle en est et il l la le les leur
    leurs lui ma mes mon ne ni nos notre nous on ou par pas pour qu que qui s sa se ses son
    sur ta te tes ton tu un une vos votre vous y""".split()
)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """Lower case, accents and ligatures removed: « Élève Œuvre » -> « eleve oeuvre »."""
    if text.isascii():
        return text.lower()
    return _NON_ASCII.sub(lambda m: _fold_char(m.group()), text).lower()


def words(text: str) -> list[str]:
    """The folded words of `text`."""
    return _WORD.findall(fold(text))


def terms(text: str) -> list[str]:
    """The folded words of `text` that matter for search, each once, in order."""
    return [w for w in dict.fromkeys(words(text)) if w not in STOP_WORDS]


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The French snowball stem of a folded word (stemmers are per thread: not thread-safe)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _local.stemmer = snowballstemmer.stemmer("french")
    return stemmer.stemWord(word)


def stemmed(text: str) -> str:
    return " ".join(stem(w) for w in words(text) if w not in STOP_WORDS)


@dataclass(frozen=True)
class Document:
    """What the index holds for a resource: a title and everything else searchable."""

    title: str
    body: str

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Document:
        """From resource column values (title, description, keywords, authors…)."""
        country = COUNTRIES.get(values.get("country") or "", "")
        parts = [
            values.get("description") or "",
            " ".join(values.get("keywords") or []),
            " ".join(values.get("authors") or []),
            values.get("kind") or "",
            values.get("level") or "",
            values.get("subject") or "",
            country,
            values.get("event") or "",
            values.get("team") or "",
        ]
        return cls(title=values.get("title") or "", body=" ".join(p for p in parts if p))


S = SearchFacets.__table__
_FTS_DELETE = text("DELETE FROM resource_fts WHERE rowid = :id")
_FTS_INSERT = text(
    "INSERT INTO resource_fts (rowid, title, body, tag) VALUES (:id, :title, :body, :tag)"
)
_VECTOR = (
    "INSERT INTO search_words (id, vector) VALUES (:id, "
    "setweight(to_tsvector('french', :title), 'A') || "
    "setweight(to_tsvector('french', :body), 'B'))"
)
_VECTOR_UPDATE = text(_VECTOR + " ON CONFLICT (id) DO UPDATE SET vector = excluded.vector")
_VECTOR_CLEAR = text("DELETE FROM search_words WHERE id = :id")
_FACETS_OF = select(S).where(S.c.id == bindparam("id"))
_FACETS_DELETE = S.delete().where(S.c.id == bindparam("id"))
_FACETS_INSERT = S.insert()
_COUNTS_UPSERT = (
    "ON CONFLICT (by_facet, by_value, facet, value) "
    "DO UPDATE SET n = search_facet_counts.n + excluded.n"
)
_COUNTS_ADD = text(
    "INSERT INTO search_facet_counts (by_facet, by_value, facet, value, n) "
    "VALUES (:by_facet, :by_value, :facet, :value, :n) " + _COUNTS_UPSERT
)
_COUNTS_ADD_ARRAYS_SQL = (
    "INSERT INTO search_facet_counts (by_facet, by_value, facet, value, n) "
    "SELECT * FROM unnest(CAST(:bf AS text[]), CAST(:bv AS text[]), CAST(:f AS text[]), "
    "CAST(:v AS text[]), CAST(:n AS integer[])) " + _COUNTS_UPSERT
)
_COUNTS_ADD_ARRAYS = text(_COUNTS_ADD_ARRAYS_SQL)
_FACET_COLUMNS = ", ".join(FACETS)
_BUMP_SQL = "UPDATE catalogue_state SET generation = generation + 1 WHERE id = 1"
_INDEX_NEW_SQL = (
    f"WITH words AS ({_VECTOR}), "
    f"facets AS (INSERT INTO search_facets (id, {_FACET_COLUMNS}) "
    f"VALUES (:id, {', '.join(':' + f for f in FACETS)})){{bump}} " + _COUNTS_ADD_ARRAYS_SQL
)
_INDEX_NEW_PG = text(_INDEX_NEW_SQL.format(bump=""))
_INDEX_NEW_BUMP_PG = text(
    _INDEX_NEW_SQL.format(
        bump=f", bump AS ({_BUMP_SQL} RETURNING generation), changed AS ("
        "INSERT INTO search_changes (generation, resource_id) SELECT generation, :id FROM bump)"
    )
)
_BUMP_RETURNING = text(_BUMP_SQL + " RETURNING generation")
_CHANGES_INSERT = text(
    "INSERT INTO search_changes (generation, resource_id) VALUES (:generation, :id)"
)
_CHANGES_PRUNE = text("DELETE FROM search_changes WHERE generation < :before")
# generations of the change log kept; a searching process further behind reloads everything
CHANGES_KEPT = 10_000
_PENDING = "imaginecole_search_changed"  # key in Connection.info: ids changed, not yet logged


def _changed(conn: Connection, resource_id: int) -> None:
    conn.info.setdefault(_PENDING, set()).add(resource_id)


def bump_generation(conn: Connection) -> int:
    """Bump the catalogue's generation (search caches expire) and log the resources this
    transaction changed under the new generation; return it.

    The bump locks the state row until the transaction ends, so generations commit in
    order and a reader that knows generation G misses no change up to G. An id left from
    a transaction rolled back is logged too: a reader reads it again, which costs little.
    """
    new = conn.execute(_BUMP_RETURNING).scalar_one()
    pending = conn.info.pop(_PENDING, None)
    if pending:
        conn.execute(_CHANGES_INSERT, [{"generation": new, "id": i} for i in sorted(pending)])
    if new % 1000 == 0:
        conn.execute(_CHANGES_PRUNE, {"before": new - CHANGES_KEPT})
    return new


def facet_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {f: values.get(f) for f in FACETS}


Delta = Counter  # facet count changes: (by_facet, by_value, facet, value) -> +n / -n


def index(
    conn: Connection,
    resource_id: int,
    values: Mapping[str, Any],
    *,
    new: bool = False,
    delta: Delta[Any] | None = None,
    bump: bool = False,
) -> None:
    """Put a public resource in the search index, or refresh it (in the caller's
    transaction); `new`: it was never indexed, nothing to replace. `delta`: add the facet
    count changes to it (the caller writes them with `write_counts`) instead of writing.
    `bump`: also bump the catalogue's generation (search caches expire)."""
    doc = Document.of(values)
    if conn.dialect.name == "sqlite":
        if not new:
            conn.execute(_FTS_DELETE, {"id": resource_id})
        conn.execute(
            _FTS_INSERT,
            {
                "id": resource_id,
                "title": stemmed(doc.title),
                "body": stemmed(doc.body),
                "tag": EVERY,
            },
        )
    elif new and delta is None:
        # one round trip for the words, the facets and their counts (data-modifying CTEs)
        changes: Delta[Any] = Counter()
        facets = facet_values(values)
        _count(conn, None, facets, changes)
        params = {"id": resource_id, "title": " ".join(words(doc.title)), "body": fold(doc.body)}
        if not bump:
            _changed(conn, resource_id)
        statement = _INDEX_NEW_BUMP_PG if bump else _INDEX_NEW_PG
        conn.execute(statement, params | facets | _count_arrays(changes))
        return
    else:
        conn.execute(
            _VECTOR_UPDATE,
            {"id": resource_id, "title": " ".join(words(doc.title)), "body": fold(doc.body)},
        )
    old = None if new else _drop_facets(conn, resource_id)
    facets = facet_values(values)
    conn.execute(_FACETS_INSERT, {"id": resource_id, **facets})
    _count(conn, old, facets, delta)
    _changed(conn, resource_id)
    if bump:
        bump_generation(conn)


def unindex(conn: Connection, resource_id: int, *, delta: Delta[Any] | None = None) -> None:
    """Take a resource that is no longer public out of the index."""
    _changed(conn, resource_id)
    if conn.dialect.name == "sqlite":
        conn.execute(_FTS_DELETE, {"id": resource_id})
    else:
        conn.execute(_VECTOR_CLEAR, {"id": resource_id})
    old = _drop_facets(conn, resource_id)
    if old is not None:
        _count(conn, old, None, delta)


def _drop_facets(conn: Connection, resource_id: int) -> dict[str, Any] | None:
    row = conn.execute(_FACETS_OF, {"id": resource_id}).first()
    if row is None:
        return None
    conn.execute(_FACETS_DELETE, {"id": resource_id})
    return {f: getattr(row, f) for f in FACETS}


def _count(
    conn: Connection,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    delta: Delta[Any] | None = None,
) -> None:
    mine: Delta[Any] = Counter() if delta is None else delta
    for values, sign in ((old, -1), (new, 1)):
        if values is None:
            continue
        held = [(f, v) for f, v in values.items() if v is not None]
        mine[("", "", TOTAL, "")] += sign
        for facet, value in held:
            mine[("", "", facet, value)] += sign
            for other, other_value in held:
                if other != facet:
                    mine[(other, other_value, facet, value)] += sign
    if delta is None:
        write_counts(conn, mine)


def write_counts(conn: Connection, delta: Delta[Any]) -> None:
    """Apply facet count changes in one statement: on PostgreSQL one INSERT … SELECT FROM
    unnest(arrays) … ON CONFLICT (one round trip, the same statement every time); on
    SQLite, in process, an executemany of the one-row upsert."""
    # sorted: concurrent writers lock the rows in the same order
    rows = sorted((key, n) for key, n in delta.items() if n)
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(_COUNTS_ADD_ARRAYS, _count_arrays(delta))
        return
    conn.execute(
        _COUNTS_ADD,
        [
            {"by_facet": bf, "by_value": bv, "facet": f, "value": v, "n": n}
            for (bf, bv, f, v), n in rows
        ],
    )


def _count_arrays(delta: Delta[Any]) -> dict[str, list[Any]]:
    """The changed count rows as five arrays (bf, bv, f, v, n), sorted, for unnest()."""
    columns: list[list[Any]] = [[], [], [], [], []]
    for key, n in sorted((key, n) for key, n in delta.items() if n):
        for column, item in zip(columns, (*key, n), strict=True):
            column.append(item)
    return dict(zip(("bf", "bv", "f", "v", "n"), columns, strict=True))
