"""Unanswered turns: the questions the assistant gave its not-found answer to, kept without personal data.

Feedback and triage requests are stored anyway; a question that got "Daar vind
ik in de publicaties geen betrouwbaar antwoord op" and was then left alone would
leave no trace.  The chat records those turns here: the question (contact details
masked), its topic, the evidence, the passages retrieval found (document and
place, no text).  Nothing identifies the visitor: no
session, no address, no time finer than the second.

After the retention period :meth:`UnansweredStore.purge_expired` removes the
question and the passages and keeps date and topic, so the report's counts stay.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from ..db import Database, UTCDateTime, as_utc, db_errors, metadata, period_end, period_start, utc_now
from ..errors import ConfigError, VraagbaakError
from .privacy import redact
from .report import FoundPassage

__all__ = ["GapError", "UnansweredStore", "UnansweredTurn", "unanswered_turns_table"]

#: How many retrieved passages are kept per turn.
KEEP_PASSAGES = 3
_MAX_QUESTION = 2000


class GapError(VraagbaakError):
    """An unanswered turn cannot be stored or read."""


@dataclass(frozen=True)
class UnansweredTurn:
    """One not-found answer; ``question`` is None once purged."""

    id: int
    created_at: datetime
    question: str | None = field(repr=False)
    topic: str
    evidence: float
    passages: tuple[FoundPassage, ...]
    purged_at: datetime | None = None


unanswered_turns_table = sa.Table(
    "unanswered_turns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", UTCDateTime, nullable=False, index=True),
    sa.Column("question", sa.Text),
    sa.Column("topic", sa.String(100), nullable=False),
    sa.Column("evidence", sa.Float, nullable=False),
    sa.Column("passages", sa.JSON, nullable=False),
    sa.Column("purged_at", UTCDateTime),
)


class UnansweredStore:
    """Unanswered turns in ``database`` (one connection per call; the schema is upgraded on open)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        database.upgrade()

    def record(
        self,
        *,
        question: str,
        topic: str,
        evidence: float,
        passages: Sequence[FoundPassage] = (),
        now: datetime | None = None,
    ) -> UnansweredTurn:
        """Store one not-found turn; contact details in the question are masked first."""
        text = redact(question.strip())[:_MAX_QUESTION]
        if not text:
            raise GapError("an unanswered turn needs its question.")
        when = (as_utc(now) if now is not None else utc_now()).replace(microsecond=0)
        kept = tuple(passages[:KEEP_PASSAGES])
        values: dict[str, Any] = {
            "created_at": when,
            "question": text,
            "topic": topic or "andere",
            "evidence": float(evidence),
            "passages": [{"title": p.title, "where": p.where, "doc_id": p.doc_id} for p in kept],
        }
        with db_errors("het bewaren van een onbeantwoorde vraag", GapError), self.database.write() as conn:
            new_id = conn.execute(
                unanswered_turns_table.insert().values(**values).returning(unanswered_turns_table.c.id)
            ).scalar_one()
        return UnansweredTurn(int(new_id), when, text, values["topic"], float(evidence), kept)

    def list(
        self, *, since: date | datetime | None = None, until: date | datetime | None = None
    ) -> builtins.list[UnansweredTurn]:
        """Turns of a period (dates are whole UTC days), oldest first."""
        t = unanswered_turns_table.c
        query = sa.select(unanswered_turns_table).order_by(t.created_at, t.id)
        start, end = period_start(since), period_end(until)
        if start is not None:
            query = query.where(t.created_at >= start)
        if end is not None:
            query = query.where(t.created_at < end)
        with db_errors("het lezen van onbeantwoorde vragen", GapError), self.database.connect() as conn:
            return [_to_turn(row) for row in conn.execute(query).all()]

    def purge_expired(self, retention_days: int, now: datetime | None = None, *, dry_run: bool = False) -> int:
        """Remove question and passages of turns older than ``retention_days`` (date and topic stay);
        returns how many were (with ``dry_run``: would be) purged."""
        if retention_days < 1:
            raise ConfigError("retention_days moet minstens 1 zijn (ASSISTANT_RETENTION_DAYS).")
        moment = as_utc(now) if now is not None else utc_now()
        t = unanswered_turns_table.c
        expired = sa.and_(t.created_at < moment - timedelta(days=retention_days), t.purged_at.is_(None))
        if dry_run:
            with db_errors("het lezen van onbeantwoorde vragen", GapError), self.database.connect() as conn:
                return int(
                    conn.execute(
                        sa.select(sa.func.count()).select_from(unanswered_turns_table).where(expired)
                    ).scalar_one()
                )
        with db_errors("het opruimen van oude onbeantwoorde vragen", GapError), self.database.write() as conn:
            result = conn.execute(
                unanswered_turns_table.update().where(expired).values(question=None, passages=[], purged_at=moment)
            )
        if result.rowcount:
            with db_errors("het opruimen van de database", GapError):
                self.database.checkpoint_after_purge()
        return int(result.rowcount)


def _to_turn(row: Row[Any]) -> UnansweredTurn:
    passages = tuple(
        FoundPassage(str(p.get("title", "")), str(p.get("where", "")), str(p.get("doc_id", "")))
        for p in (row.passages or [])
        if isinstance(p, dict)
    )
    return UnansweredTurn(
        id=int(row.id),
        created_at=row.created_at,
        question=row.question,
        topic=row.topic,
        evidence=float(row.evidence),
        passages=passages,
        purged_at=row.purged_at,
    )
