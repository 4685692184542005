"""Thumbs up / thumbs down on the assistant's answers.

Each rating keeps the question, the answer text and the citations shown, so the
team can see which answers helped and which did not.  It lives in the same
database as the triage queue (:mod:`assistant.triage.store`) and shares its engines and
migration runner; its own schema component is ``"feedback"``.

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
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ..errors import ConfigError, VraagbaakError
from ..settings import Settings
from .store import (
    REDACTED,
    MigrationStep,
    UTCDateTime,
    as_utc,
    checkpoint_after_purge,
    database_url_of,
    db_errors,
    open_database,
    period_end,
    period_start,
    utc_now,
    write_connection,
)

logger = logging.getLogger(__name__)

__all__ = [
    "Feedback",
    "FeedbackError",
    "FeedbackStore",
    "list_feedback",
    "purge_feedback",
    "record_feedback",
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


_metadata = sa.MetaData()
feedback_table = sa.Table(
    "feedback",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("session_id", sa.String(_MAX_SESSION)),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("citations", sa.JSON, nullable=False),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("purged_at", UTCDateTime),
)


def _feedback_v1(conn: Connection) -> None:
    """Version 1: the feedback table (frozen DDL; see triage.migrate)."""
    md = sa.MetaData()
    sa.Table(
        "feedback",
        md,
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
    md.create_all(conn)


#: Append new steps at the end; never edit or reorder a released one.
FEEDBACK_MIGRATIONS: Final[tuple[MigrationStep, ...]] = (_feedback_v1,)


class FeedbackStore:
    """Ratings in the database at ``url`` (shared engine, one connection per call)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = open_database(url, "feedback", FEEDBACK_MIGRATIONS)

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
            write_connection(self._engine) as conn,
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
        with db_errors("het lezen van feedback", FeedbackError), self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_to_feedback(row) for row in rows]

    def purge_expired(self, retention_days: int, now: datetime | None = None) -> int:
        """Anonymise ratings older than ``retention_days``; returns how many."""
        if retention_days < 1:
            raise ConfigError("retention_days must be at least 1 (ASSISTANT_RETENTION_DAYS).")
        moment = as_utc(now) if now is not None else utc_now()
        cutoff = moment - timedelta(days=retention_days)
        t = feedback_table.c
        with (
            db_errors("het anonimiseren van oude feedback", FeedbackError),
            write_connection(self._engine) as conn,
        ):
            result = conn.execute(
                feedback_table.update()
                .where(t.created_at < cutoff, t.purged_at.is_(None))
                .values(question=REDACTED, answer=REDACTED, comment=None, purged_at=moment)
            )
        if result.rowcount:
            with db_errors("het opruimen van de database na het anonimiseren", FeedbackError):
                checkpoint_after_purge(self._engine)
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


def record_feedback(
    database: Settings | str,
    *,
    question: str,
    answer: str,
    citations: Sequence[Any] = (),
    rating: int,
    comment: str | None = None,
    session_id: str | None = None,
    now: datetime | None = None,
) -> Feedback:
    """Store a thumbs up (+1) or down (-1) for an answer in the database of ``database``.

    ``database`` is a :class:`Settings` or a database URL.  Raises
    :class:`FeedbackError` for a bad rating and when the database refuses.
    """
    return FeedbackStore(database_url_of(database)).record(
        question=question,
        answer=answer,
        citations=citations,
        rating=rating,
        comment=comment,
        session_id=session_id,
        now=now,
    )


def list_feedback(
    database: Settings | str,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    rating: int | None = None,
    session_id: str | None = None,
    limit: int | None = None,
) -> list[Feedback]:
    """Ratings in the database of ``database`` matching the filters, newest first."""
    return FeedbackStore(database_url_of(database)).list(
        since=since, until=until, rating=rating, session_id=session_id, limit=limit
    )


def purge_feedback(settings: Settings, now: datetime | None = None) -> int:
    """Anonymise ratings older than ``settings.retention_days``; returns how many."""
    return FeedbackStore(settings.database_url).purge_expired(settings.retention_days, now)
