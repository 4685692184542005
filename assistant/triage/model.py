"""The triage vocabulary and state machine, and the records the store returns.

Some questions need a person ("vraaggestuurde werking").  With the requester's
explicit consent the question becomes a *request* with a human-friendly reference
(``VB-2026-00042``); staff move it through a small state machine (``nieuw`` ->
``in behandeling`` -> ``opgenomen`` / ``doorverwezen`` / ``afgewezen``, see
:data:`TRANSITIONS`).  This module holds that vocabulary, the checks on what people
type (with Dutch messages that say what to do) and the records
(:class:`Request`, :class:`Note`, :class:`AuditEntry`); storing them is
:mod:`assistant.triage.store`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from ..errors import TriageError

__all__ = [
    "AFGEWEZEN",
    "DECLINE_REASONS",
    "DOORVERWEZEN",
    "FINAL_STATUSES",
    "IN_BEHANDELING",
    "NIEUW",
    "OPEN_STATUSES",
    "OPGENOMEN",
    "ORG_TYPES",
    "OTHER_REASON",
    "REDACTED",
    "STATUSES",
    "TARGET_GROUPS",
    "TRANSITIONS",
    "AuditEntry",
    "Note",
    "Request",
    "clean_text",
    "conversation_of",
    "format_reference",
    "json_list",
    "normalize_org_type",
    "normalize_reference",
    "normalize_status",
    "parse_decline_reason",
    "required_text",
    "target_group_of",
    "transition_refusal",
]

# --------------------------------------------------------------------------- vocabulary

NIEUW: Final = "nieuw"
IN_BEHANDELING: Final = "in behandeling"
OPGENOMEN: Final = "opgenomen"
DOORVERWEZEN: Final = "doorverwezen"
AFGEWEZEN: Final = "afgewezen"

STATUSES: Final[tuple[str, ...]] = (NIEUW, IN_BEHANDELING, OPGENOMEN, DOORVERWEZEN, AFGEWEZEN)
#: Outcomes.  They can only be left by reopening (back to "in behandeling").
FINAL_STATUSES: Final[frozenset[str]] = frozenset({OPGENOMEN, DOORVERWEZEN, AFGEWEZEN})
OPEN_STATUSES: Final[frozenset[str]] = frozenset({NIEUW, IN_BEHANDELING})

#: Allowed status changes.  The way back from a final status is a *reopen*; it is
#: allowed so staff can correct a mistake, and the audit trail shows it.
TRANSITIONS: Final[Mapping[str, tuple[str, ...]]] = {
    NIEUW: (IN_BEHANDELING, OPGENOMEN, DOORVERWEZEN, AFGEWEZEN),
    IN_BEHANDELING: (OPGENOMEN, DOORVERWEZEN, AFGEWEZEN, NIEUW),
    OPGENOMEN: (IN_BEHANDELING,),
    DOORVERWEZEN: (IN_BEHANDELING,),
    AFGEWEZEN: (IN_BEHANDELING,),
}

#: Organisation types, with the wording used towards requesters.
ORG_TYPES: Final[Mapping[str, str]] = {
    "erkend": "erkende organisatie civiel sociaal-cultureel werk",
    "niet-erkend": "niet-erkende organisatie",
    "secundair": "secundaire doelgroep",
}
#: Target groups of the annual report: the primary one is every organisation of
#: civil socio-cultural adult work, recognised or not.
TARGET_GROUPS: Final[Mapping[str, tuple[str, ...]]] = {
    "primair": ("erkend", "niet-erkend"),
    "secundair": ("secundair",),
}

#: Reasons to decline; "andere" needs a free-text explanation.
DECLINE_REASONS: Final[tuple[str, ...]] = (
    "geen tijd",
    "geen expertise in huis",
    "buiten doelgroep",
    "buiten scope",
    "andere",
)
OTHER_REASON: Final = "andere"

#: What replaces personal text when a request is anonymised.
REDACTED: Final = "[verwijderd]"

#: Longest accepted name, organisation, e-mail address and short text (topic, referral target).
MAX_NAME: Final = 200
MAX_ORGANISATION: Final = 300
MAX_EMAIL: Final = 320
MAX_SHORT: Final = 300
EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_REFERENCE_RE = re.compile(r"^VB-(\d{4})-(\d+)$")


def normalize_status(value: str) -> str:
    """Return the canonical status for user input (``in-behandeling`` -> ``in behandeling``).

    Raises :class:`TriageError` listing the valid statuses when ``value`` is none of them.
    """
    cleaned = " ".join(value.replace("_", " ").replace("-", " ").lower().split())
    if cleaned in STATUSES:
        return cleaned
    raise TriageError(f"Onbekende status {value!r}; kies uit: {', '.join(repr(s) for s in STATUSES)}.")


def normalize_org_type(value: str) -> str:
    """Return the canonical organisation type (``erkend``, ``niet-erkend``, ``secundair``)."""
    cleaned = "-".join(value.replace("_", " ").replace("-", " ").lower().split())
    if cleaned in ORG_TYPES:
        return cleaned
    raise TriageError(
        f"Onbekend type organisatie {value!r}; kies uit: {', '.join(ORG_TYPES)} "
        f"({'; '.join(f'{k} = {v}' for k, v in ORG_TYPES.items())})."
    )


def target_group_of(org_type: str) -> str:
    """The annual report's target group (``primair``/``secundair``) of an organisation type."""
    for group, members in TARGET_GROUPS.items():
        if org_type in members:
            return group
    raise TriageError(f"Onbekend type organisatie {org_type!r}.")


def clean_text(value: str | None, limit: int, what: str) -> str | None:
    """``value`` with its white space collapsed, ``None`` when empty; too long raises :class:`TriageError`."""
    if value is None:
        return None
    text = " ".join(value.split())
    if not text:
        return None
    if len(text) > limit:
        raise TriageError(f"{what} is te lang (maximaal {limit} tekens).")
    return text


def required_text(value: str | None, limit: int, what: str, hint: str) -> str:
    """Like :func:`clean_text`, but empty raises :class:`TriageError` with ``hint``."""
    text = clean_text(value, limit, what)
    if text is None:
        raise TriageError(hint)
    return text


def normalize_reference(ref: str) -> str:
    """``vb-2026-42`` -> ``VB-2026-00042``; raises :class:`TriageError` if it is no reference."""
    text = ref.strip().upper()
    match = _REFERENCE_RE.match(text)
    if not match:
        raise TriageError(f"{ref!r} is geen referentienummer; verwacht iets als VB-2026-00042 (zie `triage list`).")
    return format_reference(int(match.group(1)), int(match.group(2)))


def format_reference(year: int, number: int) -> str:
    """``(2026, 42)`` -> ``VB-2026-00042``."""
    return f"VB-{year}-{number:05d}"


def json_list(value: Sequence[Any], what: str) -> list[Any]:
    """``value`` as a list; a string or a non-sequence raises :class:`TriageError`."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TriageError(f"{what} moet een lijst zijn.")
    return list(value)


def conversation_of(value: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The conversation as ``[{"role", "content"}, ...]``; anything else raises :class:`TriageError`."""
    messages: list[dict[str, str]] = []
    for item in json_list(value, "Het gesprek"):
        if not isinstance(item, Mapping):
            raise TriageError("Elk bericht in het gesprek moet {role, content} zijn.")
        role, content = item.get("role"), item.get("content")
        if not isinstance(role, str) or not isinstance(content, str):
            raise TriageError("Elk bericht in het gesprek moet tekst hebben voor role en content.")
        messages.append({"role": role, "content": content})
    return messages


def parse_decline_reason(reason: str | None, detail: str | None) -> tuple[str, str | None]:
    """Split ``reason`` into a category of :data:`DECLINE_REASONS` and free text.

    ``"andere: te laat ingediend"`` is accepted as well as ``reason="andere"`` with
    ``detail``; "andere" without an explanation is refused.
    """
    options = ", ".join(repr(r) for r in DECLINE_REASONS)
    text = " ".join((reason or "").split())
    extra = clean_text(detail, 2000, "De toelichting")
    if not text:
        raise TriageError(f"Afwijzen vraagt een reden; kies uit {options} (bij 'andere' met uitleg).")
    lowered = text.lower()
    if lowered in DECLINE_REASONS and lowered != OTHER_REASON:
        return lowered, extra
    if lowered.startswith(OTHER_REASON):
        rest = text[len(OTHER_REASON) :].strip(" :-–—")
        explanation = " ".join(part for part in (rest, extra or "") if part) or None
        if not explanation:
            raise TriageError("Bij reden 'andere' hoort een uitleg, bv. --reason 'andere: aanvraag te laat'.")
        return OTHER_REASON, explanation
    raise TriageError(f"Onbekende reden {reason!r} om af te wijzen; kies uit {options}.")


def transition_refusal(ref: str, current: str, new: str) -> str:
    """The Dutch message refusing ``current`` -> ``new`` for ``ref``, naming the allowed statuses."""
    allowed = TRANSITIONS[current]
    options = " of ".join(repr(s) for s in allowed)
    if new == current:
        return f"{ref} staat al op {current!r}; vanuit {current!r} kan enkel naar {options}."
    if current in FINAL_STATUSES:
        return (
            f"{ref} staat op {current!r}, een eindstatus: naar {new!r} kan niet. "
            f"Enkel heropenen naar {options} is toegestaan."
        )
    return (
        f"Statuswijziging van {current!r} naar {new!r} kan niet voor {ref}; "
        f"vanuit {current!r} kan enkel naar {options}."
    )


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Note:
    """A staff note on a request."""

    author: str
    created_at: datetime
    text: str


@dataclass(frozen=True)
class AuditEntry:
    """One status change (creation included, with ``from_status`` ``None``)."""

    reference: str
    at: datetime
    by: str
    from_status: str | None
    to_status: str
    reason: str | None
    referred_to: str | None
    note: str | None

    @property
    def is_reopen(self) -> bool:
        """True when a final status was left again (a staff correction)."""
        return self.from_status in FINAL_STATUSES


@dataclass(frozen=True)
class Request:
    """A triage request as stored.  Personal fields are left out of ``repr``.

    ``requester_name``, ``organisation``, ``email``, ``question``, ``conversation``
    and ``answer`` read ``"[verwijderd]"`` (or ``None``) once the request was purged.
    """

    reference: str
    created_at: datetime
    updated_at: datetime
    status: str
    org_type: str
    topic: str | None
    route_reason: str | None
    question: str = field(repr=False)
    #: The conversation before escalation: ``[{"role": ..., "content": ...}, ...]``.
    conversation: list[dict[str, str]] = field(repr=False)
    answer: str = field(repr=False)
    #: The citations shown with the answer, as given (any JSON value list).
    citations: list[Any] = field(repr=False)
    requester_name: str | None = field(repr=False)
    organisation: str | None = field(repr=False)
    email: str | None = field(repr=False)
    consent: bool
    consent_at: datetime | None
    assignee: str | None
    referred_to: str | None
    decline_reason: str | None
    decline_detail: str | None
    purged_at: datetime | None
    notes: tuple[Note, ...] = ()

    @property
    def target_group(self) -> str:
        """``primair`` or ``secundair``."""
        return target_group_of(self.org_type)

    @property
    def is_open(self) -> bool:
        """True while staff still has to decide (``nieuw`` or ``in behandeling``)."""
        return self.status in OPEN_STATUSES

    def to_dict(self, *, personal_data: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; ``personal_data=False`` drops contact details and free text."""
        data: dict[str, Any] = {
            "reference": self.reference,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "status": self.status,
            "org_type": self.org_type,
            "target_group": self.target_group,
            "topic": self.topic,
            "route_reason": self.route_reason,
            "assignee": self.assignee,
            "referred_to": self.referred_to,
            "decline_reason": self.decline_reason,
            "decline_detail": self.decline_detail,
            "consent": self.consent,
            "consent_at": self.consent_at.isoformat() if self.consent_at else None,
            "purged_at": self.purged_at.isoformat() if self.purged_at else None,
        }
        if personal_data:
            data.update(
                requester_name=self.requester_name,
                organisation=self.organisation,
                email=self.email,
                question=self.question,
                conversation=self.conversation,
                answer=self.answer,
                citations=self.citations,
                notes=[
                    {"author": n.author, "created_at": n.created_at.isoformat(), "text": n.text} for n in self.notes
                ],
            )
        return data
