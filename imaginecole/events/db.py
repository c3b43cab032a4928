"""The tables of events (made by the catalogue's migration 0005), as SQLAlchemy Core tables.

They live in the catalogue's database but in their own `MetaData`: the catalogue's models stay
as they are. JSON columns are text (`JSONText`), datetimes naive UTC (`UTCDateTime`).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..catalogue.db import JSONText, UTCDateTime

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(80), nullable=False, unique=True),
    Column("title", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("starts", Date, nullable=False),
    Column("ends", Date, nullable=False),
    Column("hours", Float, nullable=False),
    Column("description", Text, nullable=False),
    Column("country", String(2)),
    Column("blind", Boolean, nullable=False),
    Column("deadline", UTCDateTime, nullable=False),
    Column("state", String(20), nullable=False),
    Column("rubric", JSONText, nullable=False),  # [{"id", "name", "weight"}]
    Column("prizes", JSONText, nullable=False),  # [{"rank", "title"}]
    Column("jurors_per_submission", Integer, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created", UTCDateTime, nullable=False),
)

participants = Table(
    "event_participants",
    metadata,
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("username", String(64), primary_key=True),
    Column("full_name", String(200), nullable=False),
    Column("email", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("country", String(2), nullable=False),
    Column("team", String(200), nullable=False),
)

jurors = Table(
    "event_jurors",
    metadata,
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("username", String(64), primary_key=True),
)

challenges = Table(
    "event_challenges",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("slug", String(80), nullable=False),
    Column("title", String(300), nullable=False),
    Column("brief", Text, nullable=False),
    Column("kinds", JSONText, nullable=False),
    Column("levels", JSONText, nullable=False),
    UniqueConstraint("event_id", "slug", name="uq_event_challenges_slug"),
)

submissions = Table(
    "event_submissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("resource_uid", String(64), nullable=False, index=True),
    Column("team", String(200), nullable=False),
    Column("challenge", String(80)),
    Column("submitted_by", String(64), nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False),
    UniqueConstraint("event_id", "resource_uid", name="uq_event_submissions_resource"),
)

assignments = Table(
    "event_assignments",
    metadata,
    Column(
        "submission_id",
        Integer,
        ForeignKey("event_submissions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("juror", String(64), primary_key=True),
)

scores = Table(
    "event_scores",
    metadata,
    Column(
        "submission_id",
        Integer,
        ForeignKey("event_submissions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("juror", String(64), primary_key=True),
    Column("scores", JSONText, nullable=False),  # {criterion id: 0..5}
    Column("comment", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

certificates = Table(
    "event_certificates",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("username", String(64), nullable=False),
    Column("full_name", String(200), nullable=False),
    Column("details", JSONText, nullable=False),  # team, resources, hours… as certified
    Column("sha256", String(64)),  # the PDF in the catalogue's file store
    Column("issued", UTCDateTime, nullable=False),
    UniqueConstraint("event_id", "username", name="uq_event_certificates_participant"),
)
