"""Thumbs up / thumbs down on the assistant's answers.

Each rating keeps the question, the answer text and the citations shown, so the
team can see which answers helped and which did not.  It lives in the same
database as the triage queue (a :class:`~assistant.db.Database` passed in); its table is
created by the Alembic revision ``0002``.

Questions and comments may contain personal data: :func:`purge_feedback`
anonymises ratings older than the retention period and keeps the rating itself,
so the counts stay.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from ..db import Database, UTCDateTime, as_utc, db_errors, metadata, period_end, period_start, utc_now
from ..errors import ConfigError, VraagbaakError
from .model import REDACTED

logger = logging.getLogger(__name__)

__all__ = [
    "Feedback",
    "FeedbackError",
    "FeedbackStore",
    "feedback_table",
]

_MAX_COMMENT = 5000
_MAX_SESSION = 200


class FeedbackError(VraagbaakError):
    """Feedback cannot be stored or read as given."""


@dataclass(frozen=True)
class Feedback:
    """One rating of one answer.  Free text is left out of ``repr``."""

    id: int
    created_at: datetime
    #: +1 (thumbs up) or -1 (thumbs down).
    rating: int
    question: str = field(repr=False)
    answer: str = field(repr=False)
    #: The citations shown with the answer (any JSON list).
    citations: list[Any] = field(repr=False)
    comment: str | None = field(repr=False)
    session_id: str | None
    purged_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "rating": self.rating,
            "question": self.question,
            "answer": self.answer,
            "citations": self.citations,
            "comment": self.comment,
            "session_id": self.session_id,
            "purged_at": self.purged_at.isoformat() if self.purged_at else None,
        }


feedback_table = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", UTCDateTime, nullable=False, index=True),
    sa.Column("session_id", sa.String(_MAX_SESSION), index=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("citations", sa.JSON, nullable=False),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("purged_at", UTCDateTime),
)


class FeedbackStore:
    """Ratings in ``database`` (one connection per call; the schema is upgraded on open)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        database.upgrade()

    def record(
        self,
        *,
        question: str,
        answer: str,
        citations: Sequence[Any] = (),
        rating: int,
        comment: str | None = None,
        session_id: str | None = None,
        now: datetime | None = None,
    ) -> Feedback:
        """Store one rating (+1 or -1) and return it."""
        if isinstance(rating, bool) or rating not in (1, -1):
            raise FeedbackError(f"rating must be +1 (thumbs up) or -1 (thumbs down), not {rating!r}.")
        if isinstance(citations, (str, bytes)) or not isinstance(citations, Sequence):
            raise FeedbackError("citations must be a list (of JSON values).")
        note = (comment or "").strip() or None
        if note is not None and len(note) > _MAX_COMMENT:
            raise FeedbackError(f"Je opmerking is te lang (maximaal {_MAX_COMMENT} tekens).")
        session = (session_id or "").strip() or None
        if session is not None and len(session) > _MAX_SESSION:
            raise FeedbackError(f"session_id is longer than {_MAX_SESSION} characters.")
        when = as_utc(now) if now is not None else utc_now()
        values: dict[str, Any] = {
            "created_at": when,
            "session_id": session,
            "question": question or "",
            "answer": answer or "",
            "citations": list(citations),
            "rating": rating,
            "comment": note,
        }
        with (
            db_errors("het bewaren van feedback", FeedbackError),
            self.database.write() as conn,
        ):
            new_id = conn.execute(feedback_table.insert().values(**values).returning(feedback_table.c.id)).scalar_one()
        logger.info("feedback %d recorded (rating %+d)", new_id, rating)
        return Feedback(
            id=int(new_id),
            created_at=when,
            rating=rating,
            question=values["question"],
            answer=values["answer"],
            citations=values["citations"],
            comment=note,
            session_id=session,
            purged_at=None,
        )

    def list(
        self,
        *,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
        rating: int | None = None,
        session_id: str | None = None,
        limit: int | None = None,
    ) -> builtins.list[Feedback]:
        """Ratings matching all filters, newest first (dates are whole UTC days)."""
        t = feedback_table.c
        query = sa.select(feedback_table).order_by(t.created_at.desc(), t.id.desc())
        start, end = period_start(since), period_end(until)
        if start is not None:
            query = query.where(t.created_at >= start)
        if end is not None:
            query = query.where(t.created_at < end)
        if rating is not None:
            query = query.where(t.rating == rating)
        if session_id is not None:
            query = query.where(t.session_id == session_id)
        if limit is not None:
            query = query.limit(limit)
        with db_errors("het lezen van feedback", FeedbackError), self.database.connect() as conn:
            rows = conn.execute(query).all()
        return [_to_feedback(row) for row in rows]

    def purge_expired(self, retention_days: int, now: datetime | None = None, *, dry_run: bool = False) -> int:
        """Anonymise ratings older than ``retention_days`` (question, answer, comment and the
        browser session go; the rating stays); returns how many (would be) anonymised."""
        if retention_days < 1:
            raise ConfigError("retention_days moet minstens 1 zijn (ASSISTANT_RETENTION_DAYS).")
        moment = as_utc(now) if now is not None else utc_now()
        cutoff = moment - timedelta(days=retention_days)
        t = feedback_table.c
        expired = sa.and_(t.created_at < cutoff, t.purged_at.is_(None))
        if dry_run:
            with db_errors("het lezen van feedback", FeedbackError), self.database.connect() as conn:
                return int(conn.execute(sa.select(sa.func.count()).where(expired)).scalar_one())
        with (
            db_errors("het anonimiseren van oude feedback", FeedbackError),
            self.database.write() as conn,
        ):
            result = conn.execute(
                feedback_table.update()
                .where(expired)
                .values(question=REDACTED, answer=REDACTED, comment=None, session_id=None, purged_at=moment)
            )
        if result.rowcount:
            with db_errors("het opruimen van de database na het anonimiseren", FeedbackError):
                self.database.checkpoint_after_purge()
        return int(result.rowcount)


def _to_feedback(row: Row[Any]) -> Feedback:
    return Feedback(
        id=int(row.id),
        created_at=row.created_at,
        rating=int(row.rating),
        question=row.question,
        answer=row.answer,
        citations=list(row.citations or []),
        comment=row.comment,
        session_id=row.session_id,
        purged_at=row.purged_at,
    )
