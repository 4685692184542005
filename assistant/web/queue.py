"""The staff page's queue: filters, table rows, and what the status form may do with a request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..db import parse_day
from ..settings import Settings
from ..triage import FINAL_STATUSES, TRANSITIONS, Request
from ..triage.local_time import dutch_datetime
from ..triage.search import RequestQuery

__all__ = [
    "ALL",
    "QUEUE_HEADERS",
    "QueueFilters",
    "aanvragen",
    "final_status_refusal",
    "queue_filter",
    "queue_rows",
    "status_help",
]

#: Filter value meaning "no filter".
ALL = "alle"
QUEUE_HEADERS = ["Referentie", "Ontvangen", "Status", "Thema", "Type organisatie", "Naam", "Vraag", "Behandelaar"]


def queue_filter(value: str | None) -> str | None:
    text = (value or "").strip()
    return None if not text or text == ALL else text


def _short(text: str, limit: int = 90) -> str:
    one_line = " ".join((text or "").split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def aanvragen(n: int) -> str:
    return f"{n} {'aanvraag' if n == 1 else 'aanvragen'}"


def queue_rows(requests: Sequence[Request], timezone: str = Settings.timezone) -> list[list[str]]:
    """The queue table (plain text cells; the table component shows them as text), local times."""
    return [
        [
            r.reference,
            dutch_datetime(r.created_at, timezone),
            r.status,
            r.topic or "",
            r.org_type,
            r.requester_name or "",
            _short(r.question),
            r.assignee or "",
        ]
        for r in reversed(requests)  # newest first
    ]


def status_help(request: Request) -> str:
    """What the status form can do with this request, in words (final statuses explain themselves)."""
    allowed = " of ".join(f"'{s}'" for s in TRANSITIONS[request.status])
    if request.status in FINAL_STATUSES:
        return (
            f"{request.reference} is {request.status}: dat is een eindstatus, de aanvraag is afgehandeld. "
            f"Wil je de uitkomst toch wijzigen? Heropen de aanvraag dan eerst (status 'in behandeling') "
            "en kies daarna de nieuwe uitkomst."
        )
    return f"{request.reference} staat op '{request.status}'. Je kunt de status wijzigen naar {allowed}."


def final_status_refusal(request: Request, new_status: str) -> str | None:
    """The explanation when ``new_status`` cannot follow the request's final status, else ``None``."""
    if request.status in FINAL_STATUSES and new_status not in TRANSITIONS[request.status]:
        return (
            f"{request.reference} is al {request.status}: dat is een eindstatus, dus '{new_status}' kan niet "
            "zomaar. Heropen de aanvraag eerst (status 'in behandeling'), en kies daarna de nieuwe uitkomst; "
            "de historiek bewaart beide stappen."
        )
    return None


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters as the page sends them (text boxes, dropdowns, the "mijn vragen" box)."""

    status: str | None = None
    topic: str | None = None
    since: str | None = None
    until: str | None = None
    mine: bool | None = False
    search: str | None = None

    def query(self, user: str) -> RequestQuery:
        """The triage query; raises VraagbaakError (Dutch) for a date that is no date."""
        return RequestQuery(
            status=queue_filter(self.status),
            topic=queue_filter(self.topic),
            since=parse_day(self.since, "Vanaf"),
            until=parse_day(self.until, "Tot en met"),
            assignee=user if self.mine else None,
            text=(self.search or "").strip() or None,
        )
