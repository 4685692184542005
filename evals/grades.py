"""Human grades in the database: who graded which answer of which run, how, and when.

The table ``eval_grades`` is declared on :data:`assistant.db.metadata` and created
by an Alembic revision (``assistant/db/migrations/versions/``).  One row per
(run, item, evaluator): grading an answer again replaces that evaluator's grade
and its time, so each evaluator has one current judgement per answer, and two
evaluators of the same run can be compared (:func:`evals.grading.inter_rater`).
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from assistant.db import Database, UTCDateTime, as_utc, db_errors, metadata, utc_now
from assistant.errors import VraagbaakError

from .grading import Grade, Verdict

logger = logging.getLogger(__name__)

__all__ = ["GradeError", "GradeStore", "grades_table"]

_MAX_COMMENT = 5000
_MAX_KEY = 300


class GradeError(VraagbaakError):
    """A grade cannot be stored or read as given; the message says what to do."""


grades_table = sa.Table(
    "eval_grades",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(_MAX_KEY), nullable=False, index=True),
    sa.Column("item_key", sa.String(_MAX_KEY), nullable=False),
    sa.Column("evaluator", sa.String(200), nullable=False),
    sa.Column("verdict", sa.String(20), nullable=False),
    sa.Column("source_ok", sa.Boolean),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("graded_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("run_id", "item_key", "evaluator", name="uq_eval_grades_run_item_evaluator"),
)


class GradeStore:
    """Grades in ``database`` (one connection per call; the schema is upgraded on open)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        database.upgrade()

    def save(
        self,
        *,
        run_id: str,
        item_key: str,
        evaluator: str,
        verdict: Verdict | str,
        source_ok: bool | None = None,
        comment: str = "",
        now: datetime | None = None,
    ) -> Grade:
        """Store (or replace) one evaluator's grade of one answer and return it."""
        try:
            v = Verdict(verdict)
        except ValueError as err:
            raise GradeError("Kies juist, deels juist of fout.") from err
        note = (comment or "").strip()
        if len(note) > _MAX_COMMENT:
            raise GradeError(f"Je opmerking is te lang (maximaal {_MAX_COMMENT} tekens); kort ze in.")
        if not evaluator or not run_id or not item_key or max(len(run_id), len(item_key)) > _MAX_KEY:
            raise GradeError("Deze beoordeling hoort niet bij een geldige run of vraag; kies de run opnieuw.")
        when = as_utc(now) if now is not None else utc_now()
        values = {"verdict": v.value, "source_ok": source_ok, "comment": note, "graded_at": when}
        t = grades_table.c
        key = (t.run_id == run_id, t.item_key == item_key, t.evaluator == evaluator)
        with db_errors("het bewaren van een beoordeling", GradeError), self.database.write() as conn:
            updated = conn.execute(grades_table.update().where(*key).values(**values)).rowcount
            if not updated:
                conn.execute(
                    grades_table.insert().values(run_id=run_id, item_key=item_key, evaluator=evaluator, **values)
                )
        logger.info("grade stored (run %s, by %s)", run_id, evaluator)
        return Grade(run_id, item_key, evaluator, v, source_ok, note, when)

    def list(self, run_ids: Iterable[str] | None = None, evaluator: str | None = None) -> builtins.list[Grade]:
        """Grades of the given runs (all runs when None), optionally of one evaluator, oldest first."""
        t = grades_table.c
        query = sa.select(grades_table).order_by(t.graded_at, t.id)
        if run_ids is not None:
            query = query.where(t.run_id.in_(list(run_ids)))
        if evaluator is not None:
            query = query.where(t.evaluator == evaluator)
        with db_errors("het lezen van beoordelingen", GradeError), self.database.connect() as conn:
            rows = conn.execute(query).all()
        return [_to_grade(row) for row in rows]


def _to_grade(row: Row[Any]) -> Grade:
    return Grade(
        run_id=row.run_id,
        item_key=row.item_key,
        evaluator=row.evaluator,
        verdict=Verdict(row.verdict),
        source_ok=row.source_ok,
        comment=row.comment or "",
        graded_at=row.graded_at,
    )
