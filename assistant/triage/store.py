"""The triage store: requests in a database, with notes, an audit trail and retention.

Storage is a real database through SQLAlchemy Core (:mod:`assistant.db`): SQLite by
default (WAL mode, busy timeout), PostgreSQL with a ``postgresql://`` URL and no
other change.  The vocabulary and records are :mod:`assistant.triage.model`, the
annual figures :mod:`assistant.triage.stats`, the CSV export :mod:`assistant.triage.export`.

Privacy: personal data (name, organisation, e-mail) is stored only with consent,
:meth:`TriageStore.purge_expired` anonymises requests older than the retention
period, and this module never logs names or e-mail addresses (log lines carry the
reference only; engines hide SQL parameters in error messages).

Times are stored as UTC.  Where a *date* filters a period (``since``/``until``),
it means that whole UTC day, both ends included.
"""

from __future__ import annotations

import builtins
import logging
import os
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final, TextIO

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from ..db import Database, as_utc, db_errors, period_end, period_start, safe_url, utc_now
from ..errors import ConfigError, TriageError
from ..settings import Settings
from .export import write_csv
from .mails import mails_table
from .model import (
    AFGEWEZEN,
    DOORVERWEZEN,
    EMAIL_RE,
    FINAL_STATUSES,
    MAX_EMAIL,
    MAX_NAME,
    MAX_ORGANISATION,
    MAX_SHORT,
    NIEUW,
    REDACTED,
    TRANSITIONS,
    AuditEntry,
    Note,
    Request,
    clean_text,
    conversation_of,
    format_reference,
    json_list,
    normalize_org_type,
    normalize_reference,
    normalize_status,
    parse_decline_reason,
    required_text,
    transition_refusal,
)
from .stats import Stats, compute_stats
from .tables import audit_table, counters_table, notes_table, requests_table

logger = logging.getLogger(__name__)

__all__ = ["TriageStore"]

#: How often a create is retried when two PostgreSQL transactions race for a new year's counter.
_CREATE_ATTEMPTS: Final = 5


class TriageStore:
    """The triage queue in ``database``.

    Cheap to create: the :class:`~assistant.db.Database` owns the engine and upgrades
    the schema once.  Every method takes its own connection, so one store may serve
    many threads.  All failures raise :class:`TriageError` (or :class:`ConfigError`
    while opening) with a message for a person.
    """

    def __init__(self, database: Database, *, retention_days: int = 365) -> None:
        if retention_days < 1:
            raise ConfigError("retention_days moet minstens 1 zijn (ASSISTANT_RETENTION_DAYS).")
        self.database = database
        self.retention_days = retention_days
        database.upgrade()

    @classmethod
    def from_settings(cls, settings: Settings, database: Database) -> TriageStore:
        """The store in ``database`` with the retention period of ``settings``."""
        return cls(database, retention_days=settings.retention_days)

    def __repr__(self) -> str:
        return f"TriageStore({safe_url(self.database.url)!r})"

    # ---------------------------------------------------------------- create

    def create_request(
        self,
        *,
        question: str,
        requester_name: str,
        email: str,
        org_type: str,
        consent: bool,
        organisation: str | None = None,
        conversation: Sequence[Mapping[str, Any]] = (),
        answer: str = "",
        citations: Sequence[Any] = (),
        route_reason: str | None = None,
        topic: str | None = None,
        created_at: datetime | None = None,
    ) -> Request:
        """Store a new request with status ``nieuw`` and return it with its reference.

        ``consent`` must be ``True`` (the requester agreed that staff store their
        contact details to follow up); otherwise nothing is stored and a
        :class:`TriageError` explains that consent is needed.  ``created_at`` is for
        imports and tests; it defaults to now (UTC).
        """
        # Consent first: without it, not even validation touches the personal data.
        if consent is not True:
            raise TriageError(
                "Toestemming is nodig: we kunnen je vraag enkel doorgeven aan een medewerker "
                "als je ermee instemt dat we je naam, organisatie en e-mailadres bewaren om je "
                "te contacteren. Vink de toestemming aan en verstuur opnieuw."
            )
        text = (question or "").strip()
        if not text:
            raise TriageError("De vraag is leeg: typ je vraag voor je ze doorstuurt.")
        name = required_text(requester_name, MAX_NAME, "De naam", "Vul je naam in zodat we je kunnen contacteren.")
        mail = required_text(
            email,
            MAX_EMAIL,
            "Het e-mailadres",
            "Vul je e-mailadres in zodat we je kunnen antwoorden.",
        )
        if not EMAIL_RE.match(mail):
            raise TriageError("Dat e-mailadres lijkt niet geldig; controleer het (bv. naam@organisatie.be).")
        kind = normalize_org_type(org_type or "")
        org = clean_text(organisation, MAX_ORGANISATION, "De naam van de organisatie")
        messages = conversation_of(conversation)
        sources = json_list(citations, "De bronnen")
        when = as_utc(created_at) if created_at is not None else utc_now()
        values: dict[str, Any] = {
            "created_at": when,
            "updated_at": when,
            "question": text,
            "conversation": messages,
            "answer": answer or "",
            "citations": sources,
            "route_reason": clean_text(route_reason, 10_000, "De reden van doorverwijzing"),
            "topic": clean_text(topic, MAX_SHORT, "Het thema"),
            "requester_name": name,
            "organisation": org,
            "email": mail,
            "org_type": kind,
            "consent": True,
            "consent_at": when,
            "status": NIEUW,
        }
        reference = self._insert_new(values)
        logger.info("triage request %s created (type %s, topic %s)", reference, kind, values["topic"])
        return self.get(reference)

    def _insert_new(self, values: Mapping[str, Any]) -> str:
        """Insert a request with the next reference of its year; returns the reference."""
        when: datetime = values["created_at"]
        attempt = 0
        while True:
            attempt += 1
            try:
                with (
                    db_errors("het bewaren van de aanvraag"),
                    self.database.write() as conn,
                ):
                    reference = self._next_reference(conn, when.year)
                    request_id = conn.execute(
                        requests_table.insert().values(reference=reference, **values).returning(requests_table.c.id)
                    ).scalar_one()
                    conn.execute(
                        audit_table.insert().values(
                            request_id=request_id,
                            at=when,
                            actor="vraagbaak",
                            from_status=None,
                            to_status=NIEUW,
                            reason=values["route_reason"],
                        )
                    )
                return reference
            except TriageError as err:
                # Two PostgreSQL transactions creating the first counter row of a year
                # collide on its primary key; the loser simply tries again.
                if isinstance(err.__cause__, IntegrityError) and attempt < _CREATE_ATTEMPTS:
                    logger.debug("reference counter race; retrying (attempt %d)", attempt + 1)
                    continue
                raise

    @staticmethod
    def _next_reference(conn: Connection, year: int) -> str:
        # UPDATE first: it locks the year's row, so concurrent creates queue up here.
        bumped = conn.execute(
            counters_table.update()
            .where(counters_table.c.year == year)
            .values(last_number=counters_table.c.last_number + 1)
        )
        if bumped.rowcount == 0:
            conn.execute(counters_table.insert().values(year=year, last_number=1))
        number = conn.scalar(sa.select(counters_table.c.last_number).where(counters_table.c.year == year))
        assert number is not None
        return format_reference(year, int(number))

    # ---------------------------------------------------------------- read

    def get(self, ref: str) -> Request:
        """The request with reference ``ref`` (case-insensitive), notes included."""
        reference = normalize_reference(ref)
        with db_errors(f"het opzoeken van {reference}"), self.database.connect() as conn:
            row = conn.execute(sa.select(requests_table).where(requests_table.c.reference == reference)).first()
            if row is None:
                raise TriageError(f"Aanvraag {reference} bestaat niet; controleer het nummer met `triage list`.")
            notes = self._notes(conn, [row.id])
        return _to_request(row, notes.get(row.id, ()))

    def list(
        self,
        *,
        status: str | None = None,
        topic: str | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
        org_type: str | None = None,
        assignee: str | None = None,
        limit: int | None = None,
    ) -> builtins.list[Request]:
        """Requests matching all given filters, oldest first.

        ``topic`` matches case-insensitively; ``since``/``until`` filter on the time
        received (dates are whole UTC days, both included).
        """
        query = sa.select(requests_table).order_by(requests_table.c.created_at, requests_table.c.id)
        query = self._filtered(query, status, topic, since, until, org_type)
        if assignee is not None:
            query = query.where(requests_table.c.assignee == assignee)
        if limit is not None:
            query = query.limit(limit)
        with db_errors("het oplijsten van aanvragen"), self.database.connect() as conn:
            rows = conn.execute(query).all()
            notes = self._notes(conn, [row.id for row in rows])
        return [_to_request(row, notes.get(row.id, ())) for row in rows]

    @staticmethod
    def _filtered(
        query: sa.Select[Any],
        status: str | None,
        topic: str | None,
        since: date | datetime | None,
        until: date | datetime | None,
        org_type: str | None = None,
    ) -> sa.Select[Any]:
        t = requests_table.c
        if status is not None:
            query = query.where(t.status == normalize_status(status))
        if topic is not None:
            query = query.where(sa.func.lower(t.topic) == topic.strip().lower())
        if org_type is not None:
            query = query.where(t.org_type == normalize_org_type(org_type))
        start, end = period_start(since), period_end(until)
        if start is not None:
            query = query.where(t.created_at >= start)
        if end is not None:
            query = query.where(t.created_at < end)
        return query

    @staticmethod
    def _notes(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[Note, ...]]:
        found: dict[int, builtins.list[Note]] = {}
        # Chunked: SQLite limits the number of bound parameters per statement.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = conn.execute(
                sa.select(notes_table)
                .where(notes_table.c.request_id.in_(chunk))
                .order_by(notes_table.c.created_at, notes_table.c.id)
            )
            for row in rows:
                found.setdefault(row.request_id, []).append(
                    Note(author=row.author, created_at=row.created_at, text=row.text)
                )
        return {key: tuple(value) for key, value in found.items()}

    def audit(self, ref: str) -> builtins.list[AuditEntry]:
        """Every status change of ``ref``, oldest first (the creation included)."""
        request = self.get(ref)
        with (
            db_errors(f"het lezen van de historiek van {request.reference}"),
            self.database.connect() as conn,
        ):
            rows = conn.execute(
                sa.select(audit_table)
                .join(requests_table, requests_table.c.id == audit_table.c.request_id)
                .where(requests_table.c.reference == request.reference)
                .order_by(audit_table.c.at, audit_table.c.id)
            ).all()
        return [
            AuditEntry(
                reference=request.reference,
                at=row.at,
                by=row.actor,
                from_status=row.from_status,
                to_status=row.to_status,
                reason=row.reason,
                referred_to=row.referred_to,
                note=row.note,
            )
            for row in rows
        ]

    # ---------------------------------------------------------------- change

    def change_status(
        self,
        ref: str,
        new_status: str,
        *,
        by: str,
        reason: str | None = None,
        referred_to: str | None = None,
        note: str | None = None,
        reason_detail: str | None = None,
    ) -> Request:
        """Move ``ref`` to ``new_status`` and record who, when, from, to and why.

        ``doorverwezen`` needs ``referred_to`` (to whom).  ``afgewezen`` needs a
        ``reason`` from :data:`DECLINE_REASONS`; "andere" needs an explanation, as
        ``reason_detail`` or as ``"andere: ..."``.  For other statuses ``reason`` is
        free text kept in the audit trail.  A transition not in :data:`TRANSITIONS`
        raises :class:`TriageError` naming the allowed ones.
        """
        reference = normalize_reference(ref)
        actor = required_text(by, MAX_NAME, "De naam van de medewerker", "Zeg wie de status wijzigt (by / --by).")
        target = normalize_status(new_status)
        target_to = clean_text(referred_to, MAX_SHORT, "De doorverwijzing")
        if target == DOORVERWEZEN and target_to is None:
            raise TriageError(
                "Doorverwijzen vraagt een bestemming: zeg naar wie of welke organisatie (referred_to / --to)."
            )
        if target != DOORVERWEZEN and target_to is not None:
            raise TriageError(
                f"Een doorverwijzing (referred_to / --to) hoort enkel bij status 'doorverwezen', niet bij {target!r}."
            )
        decline_reason: str | None = None
        decline_detail: str | None = None
        if target == AFGEWEZEN:
            decline_reason, decline_detail = parse_decline_reason(reason, reason_detail)
            audit_reason: str | None = (
                decline_reason if decline_detail is None else f"{decline_reason}: {decline_detail}"
            )
        else:
            audit_reason = clean_text(
                " ".join(p for p in (reason or "", reason_detail or "") if p) or None,
                2000,
                "De reden",
            )
        audit_note = clean_text(note, 10_000, "De notitie")
        now = utc_now()
        with (
            db_errors(f"het wijzigen van de status van {reference}"),
            self.database.write() as conn,
        ):
            row = conn.execute(
                sa.select(requests_table.c.id, requests_table.c.status)
                .where(requests_table.c.reference == reference)
                .with_for_update()
            ).first()
            if row is None:
                raise TriageError(f"Aanvraag {reference} bestaat niet; controleer het nummer met `triage list`.")
            current: str = row.status
            if target not in TRANSITIONS[current]:
                raise TriageError(transition_refusal(reference, current, target))
            conn.execute(
                requests_table.update()
                .where(requests_table.c.id == row.id)
                .values(
                    status=target,
                    updated_at=now,
                    # The outcome fields describe the *current* status; the
                    # audit trail keeps earlier referrals and reasons.
                    referred_to=target_to,
                    decline_reason=decline_reason,
                    decline_detail=decline_detail,
                )
            )
            conn.execute(
                audit_table.insert().values(
                    request_id=row.id,
                    at=now,
                    actor=actor,
                    from_status=current,
                    to_status=target,
                    reason=audit_reason,
                    referred_to=target_to,
                    note=audit_note,
                )
            )
        logger.info(
            "triage request %s: %s -> %s%s",
            reference,
            current,
            target,
            " (heropend)" if current in FINAL_STATUSES else "",
        )
        return self.get(reference)

    def add_note(self, ref: str, text: str, *, by: str) -> Note:
        """Add a staff note to ``ref`` and return it."""
        reference = normalize_reference(ref)
        author = required_text(by, MAX_NAME, "De naam van de medewerker", "Zeg wie de notitie schrijft (by / --by).")
        body = (text or "").strip()
        if not body:
            raise TriageError("De notitie is leeg.")
        now = utc_now()
        with (
            db_errors(f"het bewaren van een notitie bij {reference}"),
            self.database.write() as conn,
        ):
            request_id = self._id_of(conn, reference)
            conn.execute(notes_table.insert().values(request_id=request_id, created_at=now, author=author, text=body))
            conn.execute(requests_table.update().where(requests_table.c.id == request_id).values(updated_at=now))
        return Note(author=author, created_at=now, text=body)

    def assign(self, ref: str, assignee: str | None, *, by: str) -> Request:
        """Make ``assignee`` responsible for ``ref`` (``None`` to unassign)."""
        reference = normalize_reference(ref)
        required_text(by, MAX_NAME, "De naam van de medewerker", "Zeg wie toewijst (by / --by).")
        person = clean_text(assignee, MAX_NAME, "De naam van de behandelaar")
        with db_errors(f"het toewijzen van {reference}"), self.database.write() as conn:
            request_id = self._id_of(conn, reference)
            conn.execute(
                requests_table.update()
                .where(requests_table.c.id == request_id)
                .values(assignee=person, updated_at=utc_now())
            )
        return self.get(reference)

    @staticmethod
    def _id_of(conn: Connection, reference: str) -> int:
        request_id = conn.scalar(sa.select(requests_table.c.id).where(requests_table.c.reference == reference))
        if request_id is None:
            raise TriageError(f"Aanvraag {reference} bestaat niet; controleer het nummer met `triage list`.")
        return int(request_id)

    # ---------------------------------------------------------------- reporting

    def stats(
        self,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
    ) -> Stats:
        """Figures for the requests *received* in the period, by their current status.

        That is how the annual report counts: "we received 107 questions; we took
        up 68 of them: 62 from our primary target group and 6 from our secondary".
        Broken down per target group, organisation type and topic, with referrals
        per target and declines per reason.
        """
        t = requests_table.c
        query = self._filtered(
            sa.select(t.status, t.org_type, t.topic, t.referred_to, t.decline_reason),
            None,
            None,
            since,
            until,
        )
        with db_errors("het berekenen van de cijfers"), self.database.connect() as conn:
            rows = conn.execute(query).all()
        return compute_stats(rows, period_start(since), period_end(until))

    def export_csv(
        self,
        target: str | os.PathLike[str] | TextIO,
        *,
        status: str | None = None,
        topic: str | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
        personal_data: bool = True,
        delimiter: str = ",",
    ) -> int:
        """Write the matching requests as CSV to a path or an open text file.

        Returns the number of rows.  ``personal_data=False`` leaves out name,
        organisation, e-mail and the question text.  A file path is written as
        UTF-8 with a byte order mark, so spreadsheet programs read accents right;
        cells that a spreadsheet would run as a formula get a leading quote.
        """
        requests = self.list(status=status, topic=topic, since=since, until=until)
        count = write_csv(target, requests, personal_data=personal_data, delimiter=delimiter)
        logger.info("triage export: %d requests (personal data: %s)", count, personal_data)
        return count

    # ---------------------------------------------------------------- retention

    def purge_expired(self, now: datetime | None = None, *, dry_run: bool = False) -> int:
        """Anonymise requests received more than ``retention_days`` before ``now``.

        Name, organisation and e-mail are cleared; question, conversation texts,
        answer, staff notes, audit notes and the mails to the requester become ``"[verwijderd]"``.  Reference,
        dates, status, organisation type, topic, referral target and reasons stay, so
        the figures of :meth:`stats` do not change.  Returns how many requests were
        (or, with ``dry_run``, would be) anonymised; already purged ones do not count.
        """
        moment = as_utc(now) if now is not None else utc_now()
        cutoff = moment - timedelta(days=self.retention_days)
        t = requests_table.c
        with (
            db_errors("het anonimiseren van oude aanvragen"),
            self.database.write() as conn,
        ):
            rows = conn.execute(
                sa.select(t.id, t.conversation).where(t.created_at < cutoff, t.purged_at.is_(None))
            ).all()
            if dry_run:
                return len(rows)
            for row in rows:
                conversation = [
                    {"role": str(m.get("role", "")), "content": REDACTED}
                    for m in (row.conversation or [])
                    if isinstance(m, Mapping)
                ]
                conn.execute(
                    requests_table.update()
                    .where(t.id == row.id)
                    .values(
                        requester_name=None,
                        organisation=None,
                        email=None,
                        question=REDACTED,
                        conversation=conversation,
                        answer=REDACTED,
                        purged_at=moment,
                    )
                )
                # Staff write names into notes; the outcome (reason) stays.
                conn.execute(notes_table.update().where(notes_table.c.request_id == row.id).values(text=REDACTED))
                conn.execute(
                    audit_table.update()
                    .where(audit_table.c.request_id == row.id, audit_table.c.note.is_not(None))
                    .values(note=REDACTED)
                )
                # Mails to the requester quote the question and may name people.
                conn.execute(
                    mails_table.update()
                    .where(mails_table.c.request_id == row.id)
                    .values(subject=REDACTED, body=REDACTED)
                )
        if rows:
            with db_errors("het opruimen van de database na het anonimiseren"):
                self.database.checkpoint_after_purge()
            logger.info("triage purge: %d requests anonymised (older than %s)", len(rows), cutoff.date())
        return len(rows)


def _to_request(row: Row[Any], notes: tuple[Note, ...]) -> Request:
    return Request(
        reference=row.reference,
        created_at=row.created_at,
        updated_at=row.updated_at,
        status=row.status,
        org_type=row.org_type,
        topic=row.topic,
        route_reason=row.route_reason,
        question=row.question,
        conversation=list(row.conversation or []),
        answer=row.answer,
        citations=list(row.citations or []),
        requester_name=row.requester_name,
        organisation=row.organisation,
        email=row.email,
        consent=bool(row.consent),
        consent_at=row.consent_at,
        assignee=row.assignee,
        referred_to=row.referred_to,
        decline_reason=row.decline_reason,
        decline_detail=row.decline_detail,
        purged_at=row.purged_at,
        notes=notes,
    )
