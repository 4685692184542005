"""One purge for every store with personal data: ``python -m assistant purge``.

Personal data is kept for ``ASSISTANT_RETENTION_DAYS`` (default 365) and then
anonymised, in every store that holds it:

* triage requests: name, organisation and e-mail cleared; question, conversation,
  answer, staff notes and audit notes ``[verwijderd]`` (:meth:`TriageStore.purge_expired`);
* feedback on answers: question, answer, comment and the browser session cleared
  (:meth:`FeedbackStore.purge_expired`);
* questions that got the not-found answer (the knowledge-gap report): question and
  passages cleared, date and topic stay (:meth:`assistant.gaps.turns.UnansweredStore.purge_expired`);
* mails to requesters kept as ``.eml`` files in the outbox folder (no SMTP server
  set): removed once older than the retention period (:func:`purge_outbox`).  The
  mails recorded with a request are redacted with the request.

Counts, dates, statuses, topics and ratings stay, so the yearly figures and the
evaluations do not change.  Nothing purges on its own: run it daily (README, "Daily
purge").  A store that holds personal data joins by being listed in :func:`stores`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from .db import Database
from .gaps.turns import UnansweredStore
from .settings import Settings
from .triage import FeedbackStore, TriageStore

__all__ = ["PurgeReport", "add_purge_parser", "purge_outbox", "purge_personal_data", "run_purge", "stores"]

logger = logging.getLogger(__name__)

#: purge(now, dry_run) -> how many records were (or, with dry_run, would be) anonymised.
Purge = Callable[[datetime | None, bool], int]


@dataclass(frozen=True)
class PurgeReport:
    """How many records each store anonymised (or would, with ``dry_run``), by store name."""

    counts: tuple[tuple[str, int], ...]
    dry_run: bool = False

    def count(self, store: str) -> int:
        """The count of one store (``requests``, ``feedback``)."""
        return dict(self.counts).get(store, 0)

    def line(self) -> str:
        """One Dutch line for the command line and the log (counts only, no personal data)."""
        what = ", ".join(f"{n} {_NAMES_NL.get(name, name)}" for name, n in self.counts)
        return f"{'zou anonimiseren' if self.dry_run else 'geanonimiseerd'}: {what}"


_NAMES_NL = {
    "requests": "aanvragen",
    "feedback": "beoordelingen",
    "unanswered": "onbeantwoorde vragen",
    "outbox": "mails in de outbox",
}


def stores(settings: Settings, database: Database) -> list[tuple[str, Purge]]:
    """Every store with personal data, by name, with its purge."""
    triage = TriageStore.from_settings(settings, database)
    feedback = FeedbackStore(database)
    unanswered = UnansweredStore(database)
    return [
        ("requests", lambda now, dry_run: triage.purge_expired(now, dry_run=dry_run)),
        ("feedback", lambda now, dry_run: feedback.purge_expired(settings.retention_days, now, dry_run=dry_run)),
        ("outbox", lambda now, dry_run: purge_outbox(Path(settings.outbox_dir), settings.retention_days, now, dry_run)),
        ("unanswered", lambda now, dry_run: unanswered.purge_expired(settings.retention_days, now, dry_run=dry_run)),
    ]


def purge_outbox(folder: Path, retention_days: int, now: datetime | None = None, dry_run: bool = False) -> int:
    """Remove outbox mails (``*.eml``) written more than ``retention_days`` before ``now``; how many."""
    if not folder.is_dir():
        return 0
    moment = (now or datetime.now(UTC)).timestamp()
    cutoff = moment - retention_days * 86400
    old = [p for p in folder.glob("*.eml") if p.is_file() and p.stat().st_mtime < cutoff]
    if not dry_run:
        for path in old:
            path.unlink(missing_ok=True)
    return len(old)


def purge_personal_data(
    settings: Settings, database: Database | None = None, *, now: datetime | None = None, dry_run: bool = False
) -> PurgeReport:
    """Anonymise personal data older than the retention period in every store."""
    if database is None:
        with Database.from_settings(settings) as db:
            return purge_personal_data(settings, db, now=now, dry_run=dry_run)
    counts = tuple((name, purge(now, dry_run)) for name, purge in stores(settings, database))
    return PurgeReport(counts, dry_run)


def add_purge_parser(subparsers: Any) -> None:
    """``python -m assistant purge [--dry-run]``."""
    p = subparsers.add_parser(
        "purge",
        help="anonymise personal data older than the retention period in every store (run it daily)",
        description="Requests passed to staff (with their mails), feedback on answers, unanswered questions and outbox mails older "
        "than ASSISTANT_RETENTION_DAYS (default 365) lose their personal data; counts, dates and outcomes stay.",
    )
    p.add_argument("--dry-run", action="store_true", help="only count, change nothing")


def run_purge(args: Any, settings: Settings, out: TextIO | None = None) -> int:
    """Run ``purge``; prints one line of counts (no personal data)."""
    with Database.from_settings(settings) as database:
        report = purge_personal_data(settings, database, dry_run=args.dry_run)
    print(f"{report.line()} (ouder dan {settings.retention_days} dagen)", file=out or sys.stdout)
    logger.info("purge: %s", report.line())
    return 0
