"""The catalogue's tables (SQLAlchemy 2) and the database they live in.

SQLite in WAL mode by default, PostgreSQL by URL (``postgresql+psycopg://…``).
The schema is only ever made by the Alembic migrations in `migrations/`, run
programmatically by `Database.migrate()`; these models must match them (a test
compares the two).

Datetimes are stored as naive UTC and read back as aware UTC on both backends.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ..i18n import ImaginecoleError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "imaginecole_write"  # execution option: this transaction will write


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A datetime stored naive in UTC, returned aware in UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class JSONText(TypeDecorator):
    """JSON kept as text: identical on SQLite and PostgreSQL, parsed only when read."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(value)


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Token(Base):
    """An API token: only its sha256 is kept; the role is the token's, not the account's."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[Account] = relationship()


class Resource(Base):
    """One resource: its searchable metadata (from the published version, else the latest)."""

    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(100), default="")
    owner: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(300))
    title_key: Mapped[str] = mapped_column(String(300))  # folded title, for sorting
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(35))
    country: Mapped[str | None] = mapped_column(String(2))
    level: Mapped[str | None] = mapped_column(String(100))
    subject: Mapped[str | None] = mapped_column(String(100))
    licence: Mapped[str | None] = mapped_column(String(200))
    event: Mapped[str | None] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(200))
    authors: Mapped[list[str]] = mapped_column(JSONText, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSONText, default=list)
    state: Mapped[str] = mapped_column(String(20), index=True)  # of the latest version
    latest_number: Mapped[int] = mapped_column(Integer)
    published_number: Mapped[int | None] = mapped_column(Integer)
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # published and not withdrawn
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)  # was public, now withdrawn
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    datestamp: Mapped[datetime] = mapped_column(UTCDateTime)  # OAI, whole seconds
    origin: Mapped[str | None] = mapped_column(String(500))
    origin_identifier: Mapped[str | None] = mapped_column(String(500))
    origin_datestamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    links: Mapped[dict[str, str] | None] = mapped_column(JSONText)

    versions: Mapped[list[Version]] = relationship(
        back_populates="resource", order_by="Version.number", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("origin", "origin_identifier", name="uq_resources_origin"),
        Index("ix_resources_oai", "datestamp", "id"),
        Index("ix_resources_public_published_at", "public", "published_at"),
        Index("ix_resources_public_title_key", "public", "title_key"),
    )


class Version(Base):
    __tablename__ = "versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    manifest: Mapped[dict[str, Any]] = mapped_column(JSONText)

    resource: Mapped[Resource] = relationship(back_populates="versions")
    files: Mapped[list[File]] = relationship(
        back_populates="version", order_by="File.format", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[Review]] = relationship(
        back_populates="version", order_by="Review.id", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("resource_id", "number", name="uq_versions_number"),)


class File(Base):
    __tablename__ = "files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))

    version: Mapped[Version] = relationship(back_populates="files")

    __table_args__ = (UniqueConstraint("version_id", "format", name="uq_files_format"),)


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[Version] = relationship(back_populates="reviews")


class ResourcePart(Base):
    """A part of a module or parcours version, in order: a module's grains, comics, podcasts
    and apps, a parcours' modules. Parts are named by uid (they are resources of their own);
    what depends on a resource is what its uid is a part of (migration 0004)."""

    __tablename__ = "resource_parts"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    part_uid: Mapped[str] = mapped_column(String(64), index=True)
    part_type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300), default="")


FACET_NAMES = ("country", "level", "subject", "type", "language", "licence", "event")


def _facet_indexes() -> tuple[Index, ...]:
    # one covering index per facet, led by it: any filter is a range of one of them
    return tuple(
        Index(f"ix_search_facets_{name}", name, *(n for n in FACET_NAMES if n != name))
        for name in FACET_NAMES
    )


class SearchFacets(Base):
    """The facet values of every public resource (and only those): a narrow table that
    facet counts scan instead of the wide resources table."""

    __tablename__ = "search_facets"

    id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    country: Mapped[str | None] = mapped_column(String(2))
    level: Mapped[str | None] = mapped_column(String(100))
    subject: Mapped[str | None] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(35))
    licence: Mapped[str | None] = mapped_column(String(200))
    event: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = _facet_indexes()


class SearchFacetCount(Base):
    """How many public resources hold each facet value: in the whole catalogue (by_facet
    "") and among those holding another facet value (by_facet, by_value); facet "_total"
    counts them all. Kept up to date by every change, so the counts of the whole catalogue
    and of a one-facet selection (a country, a subject…) cost nothing."""

    __tablename__ = "search_facet_counts"

    by_facet: Mapped[str] = mapped_column(String(20), primary_key=True)
    by_value: Mapped[str] = mapped_column(String(200), primary_key=True)
    facet: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class SearchChange(Base):
    """Which public resources a generation changed (indexed, refreshed or taken out): a
    searching process holds the facet values in memory and reads only what changed since
    the generation it knows. Written after the bump, in the bumping transaction: the bump's
    row lock orders the generations as they commit."""

    __tablename__ = "search_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, index=True)
    resource_id: Mapped[int] = mapped_column(Integer)


class CatalogueState(Base):
    """One row: `generation` grows with every change of what the public sees (search caches)."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer)


class News(Base):
    __tablename__ = "news"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body_html: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(35))
    author: Mapped[str] = mapped_column(String(64))
    published: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_news_language_published", "language", "published"),)


# -- the database --------------------------------------------------------------------------


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE
    for write transactions (a deferred transaction that later writes can fail at once)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, pool_pre_ping=False
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # transactions are begun below
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough in WAL mode
            cursor.execute("PRAGMA cache_size=-16000")  # 16 MB: the search tables stay in memory
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get(WRITE_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise ImaginecoleError(
        "The catalogue database « {url} » is not supported: use sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST/DB.",
        url=parsed.render_as_string(hide_password=True),
    )


class Database:
    """The engine and short connections: `read()` for queries, `write()` for one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.write_engine = self.engine.execution_options(**{WRITE_OPTION: True})
        self.dialect = self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction, committed at the end, rolled back on any exception."""
        with self.write_engine.begin() as conn:
            yield conn

    def migrate(self) -> None:
        """Bring the schema to the newest migration (`alembic upgrade head`)."""
        from alembic import command
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        config = alembic_config()
        head = ScriptDirectory.from_config(config).get_current_head()
        with self.engine.connect() as conn:
            if MigrationContext.configure(conn).get_current_revision() == head:
                return
        with self.write_engine.begin() as conn:
            if self.dialect == "postgresql":
                # two servers starting at once: one migrates, the other waits
                conn.execute(text("SELECT pg_advisory_xact_lock(4242005)"))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def close(self) -> None:
        self.engine.dispose()


# made by the migrations themselves, dialect by dialect: not in the models
SEARCH_OBJECTS = ("resource_fts", "search_words", "ix_search_words")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's filter when comparing the models to a database: skip the search objects."""
    return not (name or "").startswith(SEARCH_OBJECTS)


def alembic_config() -> Any:
    """The Alembic configuration, built in code: no alembic.ini on disk."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config
