"""The triage service: what the web pages do with requests and feedback, in one object.

The web layer never opens a store itself: ``app.py`` builds one
:class:`TriageService` from the settings and passes it to the chat page (as a
:class:`assistant.web.services.RequestIntake`: create a request, rate an answer)
and to the staff page (as a :class:`assistant.web.services.TriageDesk`: read,
change, export and count requests).  Tests pass their own.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, TextIO

from ..db import Database, utc_now
from ..errors import MailError, VraagbaakError
from ..mail import Draft, MailTransport, build_message, confirmation, reply_draft, transport_from_settings
from ..settings import Settings
from .feedback import Feedback, FeedbackStore
from .mails import CONFIRMATION, REPLY, MailLog, MailRecord
from .model import NIEUW, AuditEntry, Note, Request
from .search import RequestQuery, Similar, matches, similar_requests
from .spreadsheet import write_spreadsheet_csv
from .stats import Stats
from .store import TriageStore

logger = logging.getLogger(__name__)

#: Who sends the automatic confirmation, in the history.
SYSTEM_ACTOR = "vraagbaak"


@dataclass(frozen=True)
class NewRequest:
    """What the escalation form sends: the question, the contact details and consent, the conversation."""

    question: str
    requester_name: str
    email: str
    org_type: str
    consent: bool
    organisation: str | None = None
    conversation: Sequence[Mapping[str, Any]] = ()
    answer: str = ""
    citations: Sequence[Any] = ()
    route_reason: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class Submission:
    """A stored request and its confirmation mail (``None`` when none was sent)."""

    request: Request
    confirmation: MailRecord | None


__all__ = ["SYSTEM_ACTOR", "NewRequest", "Submission", "TriageService"]


class TriageService:
    """Requests and feedback of one :class:`~assistant.db.Database`.

    The database is opened at each call, not when the service is made (stores are
    cheap: the Database owns the engine and upgrades the schema once), so an app
    whose database is down starts, shows the error per action and recovers
    without a restart.
    """

    def __init__(
        self,
        database: Database,
        *,
        retention_days: int = 365,
        transport: MailTransport | None = None,
        mail_from: str = Settings.mail_from,
        timezone: str = Settings.timezone,
        reply_days: int = Settings.reply_days,
    ) -> None:
        self.database = database
        self.retention_days = retention_days
        #: Where mails to requesters go; ``None`` sends none (tests of other parts).
        self.transport = transport
        self.mail_from = mail_from
        self.timezone = timezone
        self.reply_days = reply_days

    @classmethod
    def from_settings(cls, settings: Settings, database: Database | None = None) -> TriageService:
        """The service on ``database`` (default: one of its own on ``settings.database_url``),
        mailing through SMTP or the outbox."""
        return cls(
            database or Database.from_settings(settings),
            retention_days=settings.retention_days,
            transport=transport_from_settings(settings),
            mail_from=settings.mail_from,
            timezone=settings.timezone,
            reply_days=settings.reply_days,
        )

    def __repr__(self) -> str:
        return f"TriageService(retention_days={self.retention_days})"  # the URL may hold a password

    @property
    def store(self) -> TriageStore:
        """The requests (raises ConfigError when the database cannot be opened)."""
        return TriageStore(self.database, retention_days=self.retention_days)

    @property
    def mail_log(self) -> MailLog:
        """The mails sent about requests (raises ConfigError when the database cannot be opened)."""
        return MailLog(self.database)

    @property
    def feedback(self) -> FeedbackStore:
        """The ratings (raises ConfigError when the database cannot be opened)."""
        return FeedbackStore(self.database)

    # ------------------------------------------------------------------ the public chat

    def submit_request(self, new: NewRequest) -> Submission:
        """A new request from the escalation form (refused without consent; see TriageStore).

        The requester then gets the automatic confirmation (reference, question,
        expected reply date).  A mail that cannot be sent does not undo the
        request: the submission says so and the log has the reason.
        """
        request = self.store.create_request(**{f.name: getattr(new, f.name) for f in fields(new)})
        if self.transport is None or not request.email:
            return Submission(request, None)
        draft = confirmation(request, timezone=self.timezone, reply_days=self.reply_days)
        try:
            record = self._send(request, draft, by=SYSTEM_ACTOR, kind=CONFIRMATION)
        except VraagbaakError as err:
            logger.warning("confirmation for %s not sent: %s", request.reference, err)
            return Submission(request, None)
        return Submission(request, record)

    def rate_answer(
        self,
        *,
        question: str,
        answer: str,
        citations: Sequence[Any],
        rating: int,
        comment: str | None,
        session_id: str | None,
    ) -> Feedback:
        """A thumbs up (+1) or down (-1) for an answer of the chat."""
        return self.feedback.record(
            question=question,
            answer=answer,
            citations=citations,
            rating=rating,
            comment=comment,
            session_id=session_id,
        )

    # ------------------------------------------------------------------ the staff page

    def requests(self, query: RequestQuery = RequestQuery()) -> list[Request]:
        """Requests matching the query, oldest first (full text: question, transcript, organisation, notes)."""
        found = self.store.list(
            status=query.status, topic=query.topic, since=query.since, until=query.until, assignee=query.assignee
        )
        if query.text and query.text.strip():
            found = [r for r in found if matches(r, query.text)]
        return found

    def count_new(self) -> int:
        """How many requests wait with status 'nieuw'."""
        return len(self.store.list(status=NIEUW))

    def similar(self, reference: str, *, k: int = 3) -> list[Similar]:
        """The ``k`` earlier requests most like this one, with their outcome."""
        target = self.store.get(reference)
        return similar_requests(target, self.store.list(until=target.created_at), k=k)

    def assign(self, reference: str, assignee: str | None, *, by: str) -> Request:
        """Make a staff member responsible for a request (``None`` to unassign)."""
        return self.store.assign(reference, assignee, by=by)

    def request(self, reference: str) -> Request:
        """One request with its notes."""
        return self.store.get(reference)

    def history(self, reference: str) -> list[AuditEntry]:
        """Every status change of a request, oldest first."""
        return self.store.audit(reference)

    def change_status(
        self,
        reference: str,
        new_status: str,
        *,
        by: str,
        reason: str | None = None,
        reason_detail: str | None = None,
        referred_to: str | None = None,
        note: str | None = None,
    ) -> Request:
        """Move a request to a new status (rules and messages of TriageStore.change_status)."""
        return self.store.change_status(
            reference,
            new_status,
            by=by,
            reason=reason,
            reason_detail=reason_detail,
            referred_to=referred_to,
            note=note,
        )

    # ------------------------------------------------------------------ mails

    def mail_description(self) -> str:
        """Where mails go, in one sentence for the staff page."""
        if self.transport is None:
            return "Er worden geen mails verstuurd (geen mailserver en geen outbox ingesteld)."
        return self.transport.description

    def reply_draft(self, reference: str, kind: str, *, staff: str) -> Draft:
        """The reply template for an outcome, filled in for this request."""
        return reply_draft(self.store.get(reference), kind, staff=staff, timezone=self.timezone)

    def send_reply(self, reference: str, subject: str, body: str, *, by: str) -> MailRecord:
        """Send a staff member's reply to the requester and keep it in the request's history."""
        request = self.store.get(reference)
        if not request.email or request.purged_at is not None:
            raise MailError(
                f"{request.reference} heeft geen e-mailadres (meer); antwoord de vraagsteller op een andere manier."
            )
        return self._send(request, Draft(subject, body), by=by, kind=REPLY)

    def mails(self, reference: str) -> list[MailRecord]:
        """The mails sent about a request, oldest first."""
        return self.mail_log.of(reference)

    def _send(self, request: Request, draft: Draft, *, by: str, kind: str) -> MailRecord:
        if self.transport is None:
            raise MailError("Er is geen manier ingesteld om mails te versturen.")
        message = build_message(
            draft, to=request.email or "", sender=self.mail_from, reference=request.reference, when=utc_now()
        )
        delivery = self.transport.send(message)
        return self.mail_log.record(
            request.reference,
            by=by,
            kind=kind,
            subject=str(message["Subject"]),
            body=draft.body,
            via=delivery.via,
            location=delivery.location,
        )

    def add_note(self, reference: str, text: str, *, by: str) -> Note:
        """A staff note on a request."""
        return self.store.add_note(reference, text, by=by)

    def export_csv(
        self, target: str | os.PathLike[str] | TextIO, query: RequestQuery = RequestQuery(), *, personal_data: bool
    ) -> int:
        """The requests of ``query`` as a spreadsheet CSV (``;``, Dutch headers, local times); returns the row count."""
        requests = self.requests(query)
        n = write_spreadsheet_csv(target, requests, personal_data=personal_data, timezone=self.timezone)
        logger.info("triage spreadsheet export: %d requests (personal data: %s)", n, personal_data)
        return n

    def stats(self, since: date | datetime | None = None, until: date | datetime | None = None) -> Stats:
        """The figures of the annual report for a period."""
        return self.store.stats(since, until)
