"""The mails sent to requesters, kept with their request: part of its audit trail.

Every confirmation and every reply is recorded with who sent it, when, the
subject and the text, and where it went (the SMTP server, or the ``.eml`` file in
the outbox).  The recipient's address is not copied: it is the request's own.
The text quotes the question, so a purge of the request redacts it too
(:meth:`assistant.triage.TriageStore.purge_expired`).  The table is Alembic revision ``0003``.
"""

from __future__ import annotations

import builtins
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa

from ..db import Database, UTCDateTime, as_utc, db_errors, metadata, utc_now
from ..errors import TriageError
from .model import normalize_reference
from .tables import requests_table

logger = logging.getLogger(__name__)

__all__ = ["CONFIRMATION", "REPLY", "MailLog", "MailRecord", "mails_table"]

#: Kinds of mail.
CONFIRMATION: Final = "bevestiging"
REPLY: Final = "antwoord"

mails_table = sa.Table(
    "triage_mails",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.Integer, sa.ForeignKey("triage_requests.id"), nullable=False, index=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("via", sa.String(20), nullable=False),
    sa.Column("location", sa.String(500), nullable=False),
)


@dataclass(frozen=True)
class MailRecord:
    """One mail sent (or written to the outbox) about a request."""

    reference: str
    at: datetime
    by: str
    kind: str
    subject: str
    body: str
    via: str
    location: str


class MailLog:
    """The mails of the requests in ``database`` (the schema is upgraded on open)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        database.upgrade()

    def record(
        self,
        reference: str,
        *,
        by: str,
        kind: str,
        subject: str,
        body: str,
        via: str,
        location: str,
        at: datetime | None = None,
    ) -> MailRecord:
        """Keep a sent mail with its request."""
        ref = normalize_reference(reference)
        when = as_utc(at) if at is not None else utc_now()
        values: dict[str, Any] = {
            "at": when,
            "actor": by[:200],
            "kind": kind,
            "subject": subject[:300],
            "body": body,
            "via": via,
            "location": location[:500],
        }
        with db_errors(f"het bewaren van de mail bij {ref}"), self.database.write() as conn:
            request_id = conn.scalar(sa.select(requests_table.c.id).where(requests_table.c.reference == ref))
            if request_id is None:
                raise TriageError(f"Aanvraag {ref} bestaat niet; controleer het nummer met `triage list`.")
            conn.execute(mails_table.insert().values(request_id=request_id, **values))
        logger.info("mail (%s) recorded for %s via %s", kind, ref, via)
        return MailRecord(ref, when, values["actor"], kind, values["subject"], body, via, values["location"])

    def of(self, reference: str) -> builtins.list[MailRecord]:
        """The mails of one request, oldest first."""
        ref = normalize_reference(reference)
        query = (
            sa.select(mails_table)
            .join(requests_table, requests_table.c.id == mails_table.c.request_id)
            .where(requests_table.c.reference == ref)
            .order_by(mails_table.c.at, mails_table.c.id)
        )
        with db_errors(f"het lezen van de mails van {ref}"), self.database.connect() as conn:
            rows = conn.execute(query).all()
        return [MailRecord(ref, r.at, r.actor, r.kind, r.subject, r.body, r.via, r.location) for r in rows]
