"""The staff page's event handlers: triage queue, request details, assignment, status changes, replies, export.

The page is mounted behind Gradio's login (accounts of ``settings.staff_file``,
argon2, rate limited; see :func:`assistant.web.app.build_app`), so its config, queue
and file routes answer 401 without a session.  On top of that every handler
checks the logged-in staff member itself (:meth:`StaffHandlers.user`): the name
comes from the server's session token, never from the browser, and must still be
an account in the staff file.

The requests come from a :class:`assistant.web.services.TriageDesk` passed in;
each handler returns a dict of updates keyed by the components it changes
(:class:`StaffView`).
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..errors import AccessDeniedError, VraagbaakError
from ..settings import Settings
from ..triage import AFGEWEZEN, FINAL_STATUSES, TRANSITIONS, Request
from .auth import NOT_LOGGED_IN, Role, StaffAccounts
from .figures import figure_rows, stats_figure
from .queue import (
    QueueFilters,
    aanvragen,
    final_status_refusal,
    queue_rows,
    status_help,
)
from .render import render_notice, render_request_detail
from .services import TriageDesk

logger = logging.getLogger(__name__)

__all__ = ["NOT_LOGGED_IN", "StaffHandlers", "StaffView", "Updates"]

#: Exported CSV files older than this are removed from the export folder.
_EXPORT_MAX_AGE_S = 600
#: How often the page asks for the number of new requests.
NEW_COUNT_EVERY_S = 20.0
#: What a handler returns: new values (or ``gr.update(...)``) for the components it changes.
Updates = dict[Block, Any]


@dataclass(frozen=True)
class StaffView:
    """The components of the staff page that handlers update."""

    who: gr.HTML
    new_count: gr.HTML
    table: gr.Dataframe
    queue_notice: gr.HTML
    reference: gr.Textbox
    detail: gr.HTML
    assign_to: gr.Dropdown
    status_help: gr.HTML
    new_status: gr.Dropdown
    decline: gr.Dropdown
    reason: gr.Textbox
    referred: gr.Textbox
    note: gr.Textbox
    status_notice: gr.HTML
    extra_note: gr.Textbox
    mail_info: gr.HTML
    reply_kind: gr.Dropdown
    reply_subject: gr.Textbox
    reply_body: gr.Textbox
    reply_notice: gr.HTML
    export_file: gr.File
    export_notice: gr.HTML
    summary: gr.Textbox
    plot: gr.Plot
    figures_table: gr.Dataframe
    figures_notice: gr.HTML


class StaffHandlers:
    """Event handlers of the staff page; each one checks the login first."""

    def __init__(self, settings: Settings, export_dir: Path | None = None, *, desk: TriageDesk | None = None) -> None:
        self.settings = settings
        self._export_dir = export_dir
        self._desk = desk
        self._view: StaffView | None = None

    @property
    def desk(self) -> TriageDesk:
        """The requests (the settings' database unless a desk was given)."""
        if self._desk is None:
            from ..triage.service import TriageService

            self._desk = TriageService.from_settings(self.settings)
        return self._desk

    @property
    def view(self) -> StaffView:
        """The page's components; :func:`build_staff_blocks` attaches them."""
        if self._view is None:
            raise RuntimeError("build_staff_blocks(handlers) first: the handlers update the page's components")
        return self._view

    def attach(self, view: StaffView) -> None:
        """Use the components of a built page (done by :func:`build_staff_blocks`)."""
        self._view = view

    # ------------------------------------------------------------------ access

    def user(self, request: gr.Request | None) -> str:
        """The logged-in staff member of this request, or :class:`AccessDeniedError`.

        The name is the one Gradio's login bound to the session cookie on the
        server; it must still be an account in the staff file (a removed account
        loses access at once).
        """
        return StaffAccounts.from_settings(self.settings).require_role(request, Role.MEDEWERKER).name

    def _guard(self, request: gr.Request | None) -> str:
        try:
            return self.user(request)
        except AccessDeniedError as err:
            logger.warning("staff handler refused: no logged-in staff session")
            raise gr.Error(str(err), title="Geen toegang") from err

    def colleagues(self) -> list[str]:
        """The accounts with the medewerker role, for assigning a request."""
        accounts = StaffAccounts.from_settings(self.settings).all()
        return sorted(name for name, account in accounts.items() if account.has(Role.MEDEWERKER))

    # ------------------------------------------------------------------ queue

    def whoami(self, request: gr.Request) -> Updates:
        """'Aangemeld als NAME'."""
        name = self._guard(request)
        return {self.view.who: render_notice(f"Aangemeld als {name}.", "info")}

    def count_new(self, request: gr.Request) -> Updates:
        """How many new requests wait (the page asks again every few seconds)."""
        self._guard(request)
        return self._new_count()

    def _new_count(self) -> Updates:
        try:
            n = self.desk.count_new()
        except VraagbaakError:
            return {}  # the queue's own messages say what is wrong with the database
        text = "Geen nieuwe aanvragen." if n == 0 else f"{aanvragen(n)} met status 'nieuw'."
        return {self.view.new_count: render_notice(text, "info" if n == 0 else "ok")}

    def _queue_rows(self, f: QueueFilters, name: str) -> list[list[str]]:
        """The filtered queue's rows (raises VraagbaakError for a bad filter)."""
        return queue_rows(self.desk.requests(f.query(name)), self.settings.timezone)

    def queue(
        self,
        status: str | None,
        topic: str | None,
        since: str | None,
        until: str | None,
        mine: bool | None,
        search: str | None,
        request: gr.Request,
    ) -> Updates:
        """The filtered queue and how many requests it holds."""
        name = self._guard(request)
        v = self.view
        try:
            rows = self._queue_rows(QueueFilters(status, topic, since, until, mine, search), name)
        except VraagbaakError as err:
            return {v.queue_notice: render_notice(str(err), "error")}
        return {v.table: rows, v.queue_notice: render_notice(f"{aanvragen(len(rows))} gevonden.", "info")}

    # ------------------------------------------------------------------ one request

    def _detail(self, found: Request) -> str:
        return render_request_detail(
            found,
            self.desk.history(found.reference),
            similar=self.desk.similar(found.reference),
            mails=self.desk.mails(found.reference),
            timezone=self.settings.timezone,
        )

    def _opened(self, found: Request, name: str) -> Updates:
        """The request shown, and every form under it emptied for it (no text of another request).

        The reply form gets the template of the request's outcome, once it has one.
        """
        v = self.view
        reply: Updates = {v.reply_kind: None, v.reply_subject: "", v.reply_body: "", v.reply_notice: ""}
        if found.status in FINAL_STATUSES:
            draft = self.desk.reply_draft(found.reference, found.status, staff=name)
            reply = {v.reply_kind: found.status, v.reply_subject: draft.subject, v.reply_body: draft.body}
            reply[v.reply_notice] = ""
        return reply | {
            v.detail: self._detail(found),
            v.reference: found.reference,
            v.assign_to: gr.update(choices=self.colleagues(), value=found.assignee),
            v.status_help: render_notice(status_help(found), "info"),
            v.new_status: gr.update(choices=list(TRANSITIONS[found.status]), value=None),
            v.decline: "",
            v.reason: "",
            v.referred: "",
            v.note: "",
            v.extra_note: "",
        }

    def open_request(self, reference: str | None, request: gr.Request) -> Updates:
        """Details of one request, with empty forms."""
        name = self._guard(request)
        v = self.view
        ref = (reference or "").strip()
        if not ref:
            return {
                v.detail: "",
                v.reference: ref,
                v.status_notice: render_notice(
                    "Vul een referentienummer in of kies een aanvraag in de tabel.", "error"
                ),
            }
        try:
            found = self.desk.request(ref)
            updates = self._opened(found, name)
        except VraagbaakError as err:
            return {v.detail: "", v.reference: ref, v.status_notice: render_notice(str(err), "error")}
        return updates | {v.status_notice: ""}

    def select_request(self, evt: gr.SelectData, request: gr.Request) -> Updates:
        """A click in the queue table opens that row's request."""
        self._guard(request)
        row = evt.row_value if isinstance(evt.row_value, (list, tuple)) else []
        reference = str(row[0]) if row else ""
        return self.open_request(reference, request)

    def _after_change(self, found: Request, message: str, name: str) -> Updates:
        """The changed request shown with empty forms, the message and the count of new requests.

        The page refreshes the queue table right after (``.then`` in the page), with its filters.
        """
        v = self.view
        return self._opened(found, name) | {v.status_notice: render_notice(message, "ok")} | self._new_count()

    def take(self, reference: str | None, request: gr.Request) -> Updates:
        """'Neem op mij': the logged-in staff member becomes the request's handler."""
        name = self._guard(request)
        return self._assign(reference, name, name)

    def assign(self, reference: str | None, colleague: str | None, request: gr.Request) -> Updates:
        """Give the request to a colleague (one of the staff accounts)."""
        name = self._guard(request)
        return self._assign(reference, colleague, name)

    def _assign(self, reference: str | None, assignee: str | None, name: str) -> Updates:
        v = self.view
        ref = (reference or "").strip()
        if not ref:
            return {v.status_notice: render_notice("Open eerst een aanvraag.", "error")}
        if not assignee or assignee not in self.colleagues():
            return {v.status_notice: render_notice("Kies een collega uit de lijst van medewerkers.", "error")}
        try:
            changed = self.desk.assign(ref, assignee, by=name)
        except VraagbaakError as err:
            return {v.status_notice: render_notice(str(err), "error")}
        who = "jou" if assignee == name else assignee
        return self._after_change(changed, f"{changed.reference} is toegewezen aan {who}.", name)

    def change_status(
        self,
        reference: str | None,
        new_status: str | None,
        decline_reason: str | None,
        reason: str | None,
        referred_to: str | None,
        note: str | None,
        request: gr.Request,
    ) -> Updates:
        """Change the status; refusals explain themselves and keep what was typed."""
        name = self._guard(request)
        v = self.view
        ref = (reference or "").strip()
        if not ref:
            return {v.status_notice: render_notice("Open eerst een aanvraag.", "error")}
        if not new_status:
            return {v.status_notice: render_notice("Kies de nieuwe status.", "error")}
        try:
            refusal = final_status_refusal(self.desk.request(ref), new_status)
            if refusal is not None:
                return {v.status_notice: render_notice(refusal, "error")}
            if new_status == AFGEWEZEN:
                changed = self.desk.change_status(
                    ref,
                    new_status,
                    by=name,
                    reason=decline_reason or None,
                    reason_detail=reason or None,
                    note=note or None,
                )
            else:
                changed = self.desk.change_status(
                    ref,
                    new_status,
                    by=name,
                    reason=reason or None,
                    referred_to=referred_to or None,
                    note=note or None,
                )
        except VraagbaakError as err:
            return {v.status_notice: render_notice(str(err), "error")}
        message = f"{changed.reference} staat nu op '{changed.status}'."
        return self._after_change(changed, message, name)

    # ------------------------------------------------------------------ replies

    def mail_info(self, request: gr.Request) -> Updates:
        """Where mails go (the SMTP server, or the outbox folder when none is set)."""
        self._guard(request)
        return {self.view.mail_info: render_notice(self.desk.mail_description(), "info")}

    def fill_reply(self, reference: str | None, kind: str | None, request: gr.Request) -> Updates:
        """Put the template of the chosen outcome in the reply form."""
        name = self._guard(request)
        v = self.view
        ref = (reference or "").strip()
        if not ref:
            return {v.reply_notice: render_notice("Open eerst een aanvraag.", "error")}
        if not kind:
            return {v.reply_notice: render_notice("Kies het sjabloon: opgenomen, doorverwezen of afgewezen.", "error")}
        try:
            draft = self.desk.reply_draft(ref, kind, staff=name)
        except VraagbaakError as err:
            return {v.reply_notice: render_notice(str(err), "error")}
        return {v.reply_subject: draft.subject, v.reply_body: draft.body, v.reply_notice: ""}

    def send_reply(self, reference: str | None, subject: str | None, body: str | None, request: gr.Request) -> Updates:
        """Mail the reply to the requester; it lands in the request's history."""
        name = self._guard(request)
        v = self.view
        ref = (reference or "").strip()
        if not ref:
            return {v.reply_notice: render_notice("Open eerst een aanvraag.", "error")}
        try:
            sent = self.desk.send_reply(ref, subject or "", body or "", by=name)
            detail = self._detail(self.desk.request(ref))
        except VraagbaakError as err:
            return {v.reply_notice: render_notice(str(err), "error")}
        if sent.via == "smtp":
            message = f"Je antwoord op {sent.reference} is verstuurd naar de vraagsteller ({sent.location})."
        else:
            message = (
                f"Je antwoord op {sent.reference} is NIET verstuurd: er is geen mailserver ingesteld. "
                f"Het staat als bestand in de outbox: {sent.location}. Open het in je mailprogramma om het te versturen."
            )
        return {
            v.reply_notice: render_notice(message, "ok" if sent.via == "smtp" else "info"),
            v.detail: detail,
            v.reply_subject: "",
            v.reply_body: "",
        }

    def add_note(self, reference: str | None, text: str | None, request: gr.Request) -> Updates:
        """Add a staff note."""
        name = self._guard(request)
        v = self.view
        ref = (reference or "").strip()
        if not ref:
            return {v.status_notice: render_notice("Open eerst een aanvraag.", "error")}
        try:
            self.desk.add_note(ref, text or "", by=name)
            detail = self._detail(self.desk.request(ref))
        except VraagbaakError as err:
            return {v.status_notice: render_notice(str(err), "error")}
        return {v.status_notice: render_notice("Notitie bewaard.", "ok"), v.detail: detail, v.extra_note: ""}

    # ------------------------------------------------------------------ export and figures

    def export_csv(
        self,
        status: str | None,
        topic: str | None,
        since: str | None,
        until: str | None,
        mine: bool | None,
        search: str | None,
        personal_data: bool,
        request: gr.Request,
    ) -> Updates:
        """Write the requests of the queue's filters as a spreadsheet CSV and offer it for download."""
        name = self._guard(request)
        v = self.view
        folder = self._exports()
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=folder)) / f"vraagbaak-aanvragen-{stamp}.csv"
        try:
            query = QueueFilters(status, topic, since, until, mine, search).query(name)
            n = self.desk.export_csv(path, query, personal_data=bool(personal_data))
        except VraagbaakError as err:
            return {
                v.export_file: gr.update(value=None, visible=False),
                v.export_notice: render_notice(str(err), "error"),
            }
        logger.info("staff export by %s: %d requests (personal data: %s)", name, n, bool(personal_data))
        what = "met" if personal_data else "zonder"
        return {
            v.export_file: gr.update(value=str(path), visible=True),
            v.export_notice: render_notice(f"{aanvragen(n)} geëxporteerd ({what} persoonsgegevens).", "ok"),
        }

    def _exports(self) -> Path:
        if self._export_dir is None:
            self._export_dir = Path(tempfile.mkdtemp(prefix="vraagbaak-exports-"))
        folder = self._export_dir
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        cutoff = time.time() - _EXPORT_MAX_AGE_S
        for old in folder.glob("*/*.csv"):
            try:
                if old.stat().st_mtime < cutoff:
                    old.unlink()
                    old.parent.rmdir()
            except OSError:
                pass
        return folder

    def figures(self, year: float | int | None, request: gr.Request) -> Updates:
        """The yearly figures: summary, chart and table."""
        self._guard(request)
        v = self.view
        try:
            y = int(year) if year is not None else datetime.now(UTC).year
        except (TypeError, ValueError):
            y = 0
        if not 2000 <= y <= 2100:
            return {
                v.summary: "",
                v.plot: None,
                v.figures_notice: render_notice("Kies een jaar tussen 2000 en 2100.", "error"),
            }
        try:
            stats = self.desk.stats(date(y, 1, 1), date(y, 12, 31))
        except VraagbaakError as err:
            return {v.summary: "", v.plot: None, v.figures_notice: render_notice(str(err), "error")}
        return {
            v.summary: stats.summary_nl(),
            v.plot: stats_figure(stats, y),
            v.figures_table: figure_rows(stats),
            v.figures_notice: "",
        }
