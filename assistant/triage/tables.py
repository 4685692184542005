"""The triage tables as the code queries them (declared on :data:`assistant.db.metadata`).

The DDL that creates them is the Alembic revision ``0001`` (frozen); ``tests/test_db.py``
checks that a migrated database matches these definitions.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..db import UTCDateTime, metadata
from .model import MAX_EMAIL, MAX_NAME, MAX_ORGANISATION, MAX_SHORT

__all__ = ["audit_table", "counters_table", "notes_table", "requests_table"]

requests_table = sa.Table(
    "triage_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(32), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False, index=True),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("conversation", sa.JSON, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("citations", sa.JSON, nullable=False),
    sa.Column("route_reason", sa.Text),
    sa.Column("topic", sa.String(MAX_SHORT), index=True),
    sa.Column("requester_name", sa.String(MAX_NAME)),
    sa.Column("organisation", sa.String(MAX_ORGANISATION)),
    sa.Column("email", sa.String(MAX_EMAIL)),
    sa.Column("org_type", sa.String(20), nullable=False),
    sa.Column("consent", sa.Boolean, nullable=False),
    sa.Column("consent_at", UTCDateTime),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("assignee", sa.String(MAX_NAME)),
    sa.Column("referred_to", sa.String(MAX_SHORT)),
    sa.Column("decline_reason", sa.String(40)),
    sa.Column("decline_detail", sa.Text),
    sa.Column("purged_at", UTCDateTime),
)

notes_table = sa.Table(
    "triage_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.Integer, sa.ForeignKey("triage_requests.id"), nullable=False, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("author", sa.String(MAX_NAME), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

audit_table = sa.Table(
    "triage_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.Integer, sa.ForeignKey("triage_requests.id"), nullable=False, index=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(MAX_NAME), nullable=False),
    sa.Column("from_status", sa.String(20)),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("referred_to", sa.String(MAX_SHORT)),
    sa.Column("note", sa.Text),
)

#: Last reference number handed out per year; a row lock on it serialises creates.
counters_table = sa.Table(
    "triage_counters",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_number", sa.Integer, nullable=False),
)
