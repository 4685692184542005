"""What the web pages need from the rest of Vraagbaak, as small Protocols.

The pages get these objects passed in (``app.py`` passes one
:class:`assistant.triage.service.TriageService` for both); they never open a
database themselves.  The public chat only gets :class:`RequestIntake`, which
cannot read or change stored requests.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TextIO

if TYPE_CHECKING:
    from ..triage.store import AuditEntry, Note, Request, Stats

__all__ = ["RequestIntake", "TriageDesk"]


class RequestIntake(Protocol):
    """The public chat: pass a question on to staff, rate an answer."""

    def submit_request(
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
    ) -> Request: ...

    def rate_answer(
        self,
        *,
        question: str,
        answer: str,
        citations: Sequence[Any],
        rating: int,
        comment: str | None,
        session_id: str | None,
    ) -> object: ...


class TriageDesk(Protocol):
    """The staff page: the queue, one request, status changes, notes, export, figures."""

    def requests(
        self,
        *,
        status: str | None = None,
        topic: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[Request]: ...

    def request(self, reference: str) -> Request: ...

    def history(self, reference: str) -> list[AuditEntry]: ...

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
    ) -> Request: ...

    def add_note(self, reference: str, text: str, *, by: str) -> Note: ...

    def export_csv(
        self,
        target: str | os.PathLike[str] | TextIO,
        *,
        status: str | None = None,
        topic: str | None = None,
        since: date | None = None,
        until: date | None = None,
        personal_data: bool = True,
    ) -> int: ...

    def stats(self, since: date | datetime | None = None, until: date | datetime | None = None) -> Stats: ...
