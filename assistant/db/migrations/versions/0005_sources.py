"""Sources and knowledge gaps: the audit trail of publication changes, and unanswered turns.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

``source_changes`` records who changed which publication when (old and new content
hash, outcome of its ingest); ``unanswered_turns`` keeps the questions that got the
not-found answer, without personal data (see assistant/gaps/turns.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("path", sa.String(500), nullable=False, index=True),
        sa.Column("doc_id", sa.String(200), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("doc_type", sa.String(40), nullable=False),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("old_sha256", sa.String(64)),
        sa.Column("new_sha256", sa.String(64)),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("generation", sa.String(100)),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("job_id", sa.String(40), index=True),
    )
    op.create_table(
        "unanswered_turns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("question", sa.Text),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("evidence", sa.Float, nullable=False),
        sa.Column("passages", sa.JSON, nullable=False),
        sa.Column("purged_at", sa.DateTime),
    )


def downgrade() -> None:
    op.drop_table("unanswered_turns")
    op.drop_table("source_changes")
