"""Events: workshops and hackathons, their participants, challenges, submissions, jury,
scores and certificates (imaginecole/events, docs/events.md).

The downgrade drops the tables (and what they hold); the resources stay in the catalogue.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _event_fk() -> sa.Column:
    return sa.Column(
        "event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False, unique=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("starts", sa.Date, nullable=False),
        sa.Column("ends", sa.Date, nullable=False),
        sa.Column("hours", sa.Float, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("blind", sa.Boolean, nullable=False),
        sa.Column("deadline", sa.DateTime, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("rubric", sa.Text, nullable=False),
        sa.Column("prizes", sa.Text, nullable=False),
        sa.Column("jurors_per_submission", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_table(
        "event_participants",
        sa.Column(
            "event_id",
            sa.Integer,
            sa.ForeignKey("events.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("team", sa.String(200), nullable=False),
    )
    op.create_table(
        "event_jurors",
        sa.Column(
            "event_id",
            sa.Integer,
            sa.ForeignKey("events.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("username", sa.String(64), primary_key=True),
    )
    op.create_table(
        "event_challenges",
        sa.Column("id", sa.Integer, primary_key=True),
        _event_fk(),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("brief", sa.Text, nullable=False),
        sa.Column("kinds", sa.Text, nullable=False),
        sa.Column("levels", sa.Text, nullable=False),
        sa.UniqueConstraint("event_id", "slug", name="uq_event_challenges_slug"),
    )
    op.create_table(
        "event_submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        _event_fk(),
        sa.Column("resource_uid", sa.String(64), nullable=False),
        sa.Column("team", sa.String(200), nullable=False),
        sa.Column("challenge", sa.String(80)),
        sa.Column("submitted_by", sa.String(64), nullable=False),
        sa.Column("submitted_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("event_id", "resource_uid", name="uq_event_submissions_resource"),
    )
    op.create_index("ix_event_submissions_resource_uid", "event_submissions", ["resource_uid"])
    for name in ("event_assignments", "event_scores"):
        columns = [
            sa.Column(
                "submission_id",
                sa.Integer,
                sa.ForeignKey("event_submissions.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column("juror", sa.String(64), primary_key=True),
        ]
        if name == "event_scores":
            columns += [
                sa.Column("scores", sa.Text, nullable=False),
                sa.Column("comment", sa.Text, nullable=False),
                sa.Column("at", sa.DateTime, nullable=False),
            ]
        op.create_table(name, *columns)
    op.create_table(
        "event_certificates",
        sa.Column("code", sa.String(40), primary_key=True),
        _event_fk(),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("issued", sa.DateTime, nullable=False),
        sa.UniqueConstraint("event_id", "username", name="uq_event_certificates_participant"),
    )


def downgrade() -> None:
    op.drop_table("event_certificates")
    op.drop_table("event_scores")
    op.drop_table("event_assignments")
    op.drop_index("ix_event_submissions_resource_uid", table_name="event_submissions")
    op.drop_table("event_submissions")
    op.drop_table("event_challenges")
    op.drop_table("event_jurors")
    op.drop_table("event_participants")
    op.drop_table("events")
