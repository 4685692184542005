"""Triage: requests, notes, audit trail, reference counters.

Revision ID: 0001
Revises:
Create Date: 2026-01-01

The schema of the pre-Alembic runner's ``triage`` version 1, frozen: never derive
it from the query tables, or a change there would silently alter what an old
revision creates.  A database made by that runner already has these tables; they
are kept as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("triage_requests"):
        return  # made by the pre-Alembic runner (it created all four tables at once)
    op.create_table(
        "triage_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("conversation", sa.JSON, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("citations", sa.JSON, nullable=False),
        sa.Column("route_reason", sa.Text),
        sa.Column("topic", sa.String(300), index=True),
        sa.Column("requester_name", sa.String(200)),
        sa.Column("organisation", sa.String(300)),
        sa.Column("email", sa.String(320)),
        sa.Column("org_type", sa.String(20), nullable=False),
        sa.Column("consent", sa.Boolean, nullable=False),
        sa.Column("consent_at", sa.DateTime),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("assignee", sa.String(200)),
        sa.Column("referred_to", sa.String(300)),
        sa.Column("decline_reason", sa.String(40)),
        sa.Column("decline_detail", sa.Text),
        sa.Column("purged_at", sa.DateTime),
    )
    op.create_table(
        "triage_notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("triage_requests.id"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "triage_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("triage_requests.id"), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("referred_to", sa.String(300)),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "triage_counters",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_number", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("triage_counters", "triage_audit", "triage_notes", "triage_requests"):
        op.drop_table(table)
