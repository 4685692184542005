"""What the web pages need from the rest of Vraagbaak, as small Protocols.

The pages get these objects passed in (``app.py`` passes one
:class:`assistant.triage.service.TriageService` for both); they never open a
database themselves.  The public chat only gets :class:`RequestIntake`, which
cannot read or change stored requests.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TextIO

if TYPE_CHECKING:
    from ..answer import Answer
    from ..mail import Draft
    from ..triage import AuditEntry, Note, Request, Stats
    from ..triage.mails import MailRecord
    from ..triage.search import RequestQuery, Similar
    from ..triage.service import NewRequest, Submission

__all__ = ["GapRecorder", "RequestIntake", "TriageDesk"]


class RequestIntake(Protocol):
    """The public chat: pass a question on to staff, rate an answer."""

    def submit_request(self, new: NewRequest) -> Submission: ...

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


class GapRecorder(Protocol):
    """The chat's record of the questions the publications did not answer (:class:`assistant.gaps.collect.UnansweredLog`)."""

    def note(self, answer: Answer) -> bool: ...


class TriageDesk(Protocol):
    """The staff page: the queue, one request, status changes, notes, export, figures."""

    def requests(self, query: RequestQuery = ...) -> list[Request]: ...

    def count_new(self) -> int: ...

    def request(self, reference: str) -> Request: ...

    def similar(self, reference: str, *, k: int = 3) -> list[Similar]: ...

    def assign(self, reference: str, assignee: str | None, *, by: str) -> Request: ...

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

    def mail_description(self) -> str: ...

    def reply_draft(self, reference: str, kind: str, *, staff: str) -> Draft: ...

    def send_reply(self, reference: str, subject: str, body: str, *, by: str) -> MailRecord: ...

    def mails(self, reference: str) -> list[MailRecord]: ...

    def export_csv(
        self, target: str | os.PathLike[str] | TextIO, query: RequestQuery = ..., *, personal_data: bool
    ) -> int: ...

    def stats(self, since: date | datetime | None = None, until: date | datetime | None = None) -> Stats: ...
