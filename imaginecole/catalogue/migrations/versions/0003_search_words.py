"""PostgreSQL: the searchable words in a narrow table of their own.

The ``tsvector`` of each public resource moves from a column of ``resources``
(a wide row: every search that matched thousands of resources read thousands
of its pages, and every read of a resource carried its vector) to
``search_words (id, vector)``, GIN-indexed: the ids of a search's matches come
from half as many pages. SQLite keeps its FTS5 table: nothing changes there.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE TABLE search_words (id integer PRIMARY KEY, vector tsvector NOT NULL)")
    op.execute(
        "INSERT INTO search_words (id, vector) "
        "SELECT id, search_vector FROM resources WHERE search_vector IS NOT NULL"
    )
    op.execute("CREATE INDEX ix_search_words_vector ON search_words USING gin (vector)")
    op.execute("DROP INDEX ix_resources_search")
    op.execute("ALTER TABLE resources DROP COLUMN search_vector")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE resources ADD COLUMN search_vector tsvector")
    op.execute(
        "UPDATE resources SET search_vector = w.vector "
        "FROM search_words w WHERE w.id = resources.id"
    )
    op.execute("CREATE INDEX ix_resources_search ON resources USING gin (search_vector)")
    op.execute("DROP TABLE search_words")
