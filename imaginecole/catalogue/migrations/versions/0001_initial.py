"""The first catalogue schema: accounts, tokens, resources, versions, files, reviews, news.

Full-text search is dialect specific: an FTS5 table on SQLite (holding folded,
stemmed text written by `search.py`), a ``tsvector`` column with a GIN index on
PostgreSQL (the ``french`` configuration over folded text).

Revision ID: 0001
Revises:
Create Date: 2025-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FACET_COLUMNS = ("country", "level", "subject", "type", "language", "licence", "event")


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_table(
        "resources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(64), nullable=False, unique=True),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False, index=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("title_key", sa.String(300), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("language", sa.String(35)),
        sa.Column("country", sa.String(2)),
        sa.Column("level", sa.String(100)),
        sa.Column("subject", sa.String(100)),
        sa.Column("licence", sa.String(200)),
        sa.Column("event", sa.String(200)),
        sa.Column("team", sa.String(200)),
        sa.Column("authors", sa.Text, nullable=False),
        sa.Column("keywords", sa.Text, nullable=False),
        sa.Column("state", sa.String(20), nullable=False, index=True),
        sa.Column("latest_number", sa.Integer, nullable=False),
        sa.Column("published_number", sa.Integer),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("published_at", sa.DateTime),
        sa.Column("datestamp", sa.DateTime, nullable=False),
        sa.Column("origin", sa.String(500)),
        sa.Column("origin_identifier", sa.String(500)),
        sa.Column("origin_datestamp", sa.DateTime),
        sa.Column("links", sa.Text),
        sa.UniqueConstraint("origin", "origin_identifier", name="uq_resources_origin"),
    )
    op.create_index("ix_resources_oai", "resources", ["datestamp", "id"])
    op.create_index("ix_resources_public_published_at", "resources", ["public", "published_at"])
    op.create_index("ix_resources_public_title_key", "resources", ["public", "title_key"])
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "resource_id",
            sa.Integer,
            sa.ForeignKey("resources.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("manifest", sa.Text, nullable=False),
        sa.UniqueConstraint("resource_id", "number", name="uq_versions_number"),
    )
    op.create_table(
        "files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "version_id",
            sa.Integer,
            sa.ForeignKey("versions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("format", sa.String(40), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.UniqueConstraint("version_id", "format", name="uq_files_format"),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "version_id",
            sa.Integer,
            sa.ForeignKey("versions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "news",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("published", sa.DateTime, nullable=False),
    )
    op.create_index("ix_news_language_published", "news", ["language", "published"])
    # the search side: facet values of public resources, and their counts
    op.create_table(
        "search_facets",
        sa.Column(
            "id",
            sa.Integer,
            sa.ForeignKey("resources.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("country", sa.String(2)),
        sa.Column("level", sa.String(100)),
        sa.Column("subject", sa.String(100)),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("language", sa.String(35)),
        sa.Column("licence", sa.String(200)),
        sa.Column("event", sa.String(200)),
    )
    for column in FACET_COLUMNS:
        others = [c for c in FACET_COLUMNS if c != column]
        op.create_index(f"ix_search_facets_{column}", "search_facets", [column, *others])
    op.create_table(
        "search_facet_counts",
        sa.Column("by_facet", sa.String(20), primary_key=True),
        sa.Column("by_value", sa.String(200), primary_key=True),
        sa.Column("facet", sa.String(20), primary_key=True),
        sa.Column("value", sa.String(200), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    state = op.create_table(
        "catalogue_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("generation", sa.Integer, nullable=False),
    )
    op.bulk_insert(state, [{"id": 1, "generation": 0}])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # rowid = resources.id of public resources only; folded, stemmed words (search.py);
        # tag: one word every row holds, for "all but these" queries
        op.execute("CREATE VIRTUAL TABLE resource_fts USING fts5(title, body, tag)")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE resources ADD COLUMN search_vector tsvector")
        op.execute("CREATE INDEX ix_resources_search ON resources USING gin (search_vector)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS resource_fts")
    for table in (
        "catalogue_state",
        "news",
        "reviews",
        "files",
        "versions",
        "resources",
        "tokens",
        "accounts",
    ):
        op.drop_table(table)
