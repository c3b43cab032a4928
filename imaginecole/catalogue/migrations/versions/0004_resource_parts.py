"""Modules and parcours: the parts of each version, in order.

``resource_parts (version_id, position, part_uid, part_type, title)``: a module version's
grains, comics, podcasts and apps, a parcours version's modules. The catalogue reads it to
link the records both ways and to refuse withdrawing a part that something published uses.
The upgrade fills it from the manifests of the versions already stored; the downgrade drops
it (the manifests keep the parts: upgrading again rebuilds it).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resource_parts",
        sa.Column(
            "version_id",
            sa.Integer,
            sa.ForeignKey("versions.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("part_uid", sa.String(64), nullable=False),
        sa.Column("part_type", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
    )
    op.create_index("ix_resource_parts_part_uid", "resource_parts", ["part_uid"])
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT v.id, v.manifest FROM versions v JOIN resources r ON r.id = v.resource_id "
            "WHERE r.type IN ('module', 'parcours') ORDER BY v.id"
        )
    )
    values = []
    for version_id, text in rows:
        values.extend(part_rows(version_id, json.loads(text) if text else {}))
    if values:
        conn.execute(
            sa.text(
                "INSERT INTO resource_parts (version_id, position, part_uid, part_type, title) "
                "VALUES (:version_id, :position, :part_uid, :part_type, :title)"
            ),
            values,
        )


def part_rows(version_id: int, manifest: dict) -> list[dict]:
    """The rows of a module or parcours manifest (the same as the catalogue writes)."""
    kind = manifest.get("type")
    body = manifest.get(kind) if kind in ("module", "parcours") else None
    entries = (body or {}).get("parts" if kind == "module" else "modules") or []
    rows = []
    for position, entry in enumerate(e for e in entries if isinstance(e, dict) and e.get("id")):
        rows.append(
            {
                "version_id": version_id,
                "position": position,
                "part_uid": str(entry["id"])[:64],
                "part_type": str(entry.get("type") or ("grain" if kind == "module" else "module"))[
                    :20
                ],
                "title": str(entry.get("title") or "")[:300],
            }
        )
    return rows


def downgrade() -> None:
    op.drop_index("ix_resource_parts_part_uid", table_name="resource_parts")
    op.drop_table("resource_parts")
