"""The search change log: which resources each generation changed.

A searching process keeps the facet values of the public resources in memory
(`search_query.FacetMemory`) and, when the generation moves, reads only the
resources this table names for the generations it has not seen.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("resource_id", sa.Integer, nullable=False),
    )
    op.create_index("ix_search_changes_generation", "search_changes", ["generation"])


def downgrade() -> None:
    op.drop_index("ix_search_changes_generation", table_name="search_changes")
    op.drop_table("search_changes")
