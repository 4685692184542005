"""Evaluation grades: evaluators' judgements of the answers of saved evaluation runs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

One row per (run, item, evaluator), see :mod:`evals.grades`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "eval_grades",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(300), nullable=False),
        sa.Column("item_key", sa.String(300), nullable=False),
        sa.Column("evaluator", sa.String(200), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("source_ok", sa.Boolean),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("graded_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("run_id", "item_key", "evaluator", name="uq_eval_grades_run_item_evaluator"),
    )
    op.create_index("ix_eval_grades_run_id", "eval_grades", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_eval_grades_run_id", table_name="eval_grades")
    op.drop_table("eval_grades")
