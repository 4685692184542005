"""Feedback: thumbs up/down on answers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-01

The schema of the pre-Alembic runner's ``feedback`` version 1, frozen.  A database
made by that runner may already have the table; it is kept as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("feedback"):
        return  # made by the pre-Alembic runner
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("session_id", sa.String(200), index=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("citations", sa.JSON, nullable=False),
        sa.Column("rating", sa.SmallInteger, nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("purged_at", sa.DateTime),
    )


def downgrade() -> None:
    op.drop_table("feedback")
