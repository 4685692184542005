"""The mails to requesters: the automatic confirmation and the staff's replies, in Dutch.

Texts come from plain-text Jinja2 templates (``assistant/mail/templates/``), one
per outcome: ``opgenomen``, ``doorverwezen`` (to whom) and ``afgewezen`` (with a
sentence per decline reason); each quotes the request's question.  Staff edit a
reply before it is sent, so a template is a draft, not the last word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..errors import MailError
from ..triage.local_time import add_working_days, dutch_date, dutch_datetime, local
from ..triage.store import Request

__all__ = [
    "DECLINE_TEXTS",
    "Draft",
    "ReplyKind",
    "build_message",
    "confirmation",
    "reply_draft",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"


class ReplyKind(StrEnum):
    """The reply templates: one per outcome."""

    OPGENOMEN = "opgenomen"
    DOORVERWEZEN = "doorverwezen"
    AFGEWEZEN = "afgewezen"


#: The sentence of a decline reply per reason of the triage store ("andere" uses the staff's own words).
DECLINE_TEXTS: Final[Mapping[str, str]] = {
    "geen tijd": "Op dit moment hebben we niet de tijd om je vraag de aandacht te geven die ze verdient.",
    "geen expertise in huis": "Voor deze vraag hebben we bij Socius niet de juiste expertise in huis.",
    "buiten doelgroep": (
        "Socius ondersteunt organisaties uit het sociaal-cultureel volwassenenwerk, en je vraag valt buiten "
        "die doelgroep."
    ),
    "buiten scope": "Je vraag valt buiten de opdracht die Socius van de overheid kreeg.",
}


@dataclass(frozen=True)
class Draft:
    """A mail's subject and plain-text body."""

    subject: str
    body: str


def _quote(text: Any) -> str:
    """The question as an e-mail quote: every line starts with '> '."""
    lines = str(text or "").strip().splitlines() or [""]
    return "\n".join(f"> {line}".rstrip() for line in lines)


def _environment() -> Environment:
    # Plain text, not HTML: nothing to escape (a mail client shows the text as is).
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["quote"] = _quote
    return env


_ENV = _environment()


def _render(template: str, **context: Any) -> str:
    return _ENV.get_template(template).render(**context)


def _name(request: Request) -> str:
    return (request.requester_name or "").strip() or "vraagsteller"


def confirmation(request: Request, *, timezone: str, reply_days: int, today: date | None = None) -> Draft:
    """The automatic confirmation: the reference, the question and when to expect an answer."""
    received = local(request.created_at, timezone)
    start = today if today is not None else received.date()
    body = _render(
        "bevestiging.txt",
        name=_name(request),
        received=dutch_datetime(request.created_at, timezone),
        question=request.question,
        reference=request.reference,
        reply_days=reply_days,
        reply_by=dutch_date(add_working_days(start, reply_days)),
    )
    return Draft(subject=f"We hebben je vraag ontvangen ({request.reference})", body=body)


def reply_draft(
    request: Request,
    kind: ReplyKind | str,
    *,
    staff: str,
    timezone: str,
    referred_to: str | None = None,
    decline_reason: str | None = None,
    decline_detail: str | None = None,
) -> Draft:
    """The reply template for an outcome, filled in for this request.

    Referral target and decline reason default to the request's own; a missing
    one leaves a bracketed placeholder for the staff member to fill in.
    """
    try:
        chosen = ReplyKind(kind)
    except ValueError as err:
        raise MailError(
            f"Onbekend antwoordsjabloon {kind!r}; kies uit {', '.join(k.value for k in ReplyKind)}."
        ) from err
    reason = decline_reason or request.decline_reason
    detail = decline_detail or request.decline_detail
    if chosen is ReplyKind.AFGEWEZEN:
        reason_text = DECLINE_TEXTS.get(reason or "", "")
        if detail:
            reason_text = f"{reason_text} {detail.rstrip('.')}.".strip()
        reason_text = reason_text or "[waarom kan Socius deze vraag niet opnemen?]"
    else:
        reason_text = ""
    body = _render(
        f"{chosen.value}.txt",
        name=_name(request),
        received=dutch_datetime(request.created_at, timezone),
        question=request.question,
        reference=request.reference,
        staff=staff,
        assignee=request.assignee,
        referred_to=referred_to or request.referred_to,
        reason_text=reason_text,
    )
    return Draft(subject=f"Antwoord op je vraag aan Socius ({request.reference})", body=body)


def _one_line(text: str, what: str) -> str:
    line = " ".join((text or "").split())
    if not line:
        raise MailError(f"{what} is leeg; vul het in.")
    return line


def build_message(draft: Draft, *, to: str, sender: str, reference: str, when: datetime | None = None) -> EmailMessage:
    """A plain-text e-mail (UTF-8) with the reference in a header, ready for a transport."""
    recipient = _one_line(to, "Het e-mailadres van de vraagsteller")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", recipient):
        raise MailError(f"{recipient!r} is geen geldig e-mailadres; controleer het adres van de vraagsteller.")
    if not draft.body.strip():
        raise MailError("De tekst van de e-mail is leeg; schrijf je antwoord of vul het sjabloon in.")
    message = EmailMessage()
    message["Subject"] = _one_line(draft.subject, "Het onderwerp")
    message["From"] = sender
    message["To"] = formataddr(("", recipient))
    message["Message-ID"] = make_msgid(domain="vraagbaak.socius.be")
    message["X-Vraagbaak-Referentie"] = reference
    if when is not None:
        message["Date"] = format_datetime(when)
    message.set_content(draft.body)
    return message
