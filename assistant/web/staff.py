"""The staff page: triage queue, request details, status changes, CSV export, yearly figures.

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

import contextlib
import logging
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..errors import AccessDeniedError, VraagbaakError
from ..routing.router import TOPICS
from ..settings import Settings
from ..triage.store import AFGEWEZEN, DECLINE_REASONS, STATUSES, Request
from .auth import read_accounts
from .figures import FIGURE_HEADERS, figure_rows, stats_figure
from .render import render_notice, render_request_detail
from .services import TriageDesk

logger = logging.getLogger(__name__)

__all__ = ["ALL", "QUEUE_HEADERS", "StaffHandlers", "StaffView", "build_staff_blocks", "stats_figure"]

#: Filter value meaning "no filter".
ALL = "alle"
QUEUE_HEADERS = ["Referentie", "Ontvangen", "Status", "Thema", "Type organisatie", "Naam", "Vraag"]
NOT_LOGGED_IN = "Je bent niet aangemeld als medewerker. Meld je aan op de medewerkerspagina."
#: Exported CSV files older than this are removed from the export folder.
_EXPORT_MAX_AGE_S = 600
#: What a handler returns: new values (or ``gr.update(...)``) for the components it changes.
Updates = dict[Block, Any]


def _parse_day(value: str | None, what: str) -> date | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise VraagbaakError(f"{what} '{text}' is geen geldige datum; gebruik JJJJ-MM-DD, bv. 2026-01-31.") from err


def _filter(value: str | None) -> str | None:
    text = (value or "").strip()
    return None if not text or text == ALL else text


def _short(text: str, limit: int = 90) -> str:
    one_line = " ".join((text or "").split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _aanvragen(n: int) -> str:
    return f"{n} {'aanvraag' if n == 1 else 'aanvragen'}"


def queue_rows(requests: Sequence[Request]) -> list[list[str]]:
    """The queue table (plain text cells; the table component shows them as text)."""
    return [
        [
            r.reference,
            r.created_at.strftime("%Y-%m-%d %H:%M"),
            r.status,
            r.topic or "",
            r.org_type,
            r.requester_name or "",
            _short(r.question),
        ]
        for r in reversed(requests)  # newest first
    ]


@dataclass(frozen=True)
class StaffView:
    """The components of the staff page that handlers update."""

    who: gr.HTML
    table: gr.Dataframe
    queue_notice: gr.HTML
    reference: gr.Textbox
    detail: gr.HTML
    status_notice: gr.HTML
    extra_note: gr.Textbox
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
        name = getattr(request, "username", None) if request is not None else None
        if not isinstance(name, str) or not name or name not in read_accounts(Path(self.settings.staff_file)):
            raise AccessDeniedError(NOT_LOGGED_IN)
        return name

    def _guard(self, request: gr.Request | None) -> str:
        try:
            return self.user(request)
        except AccessDeniedError as err:
            logger.warning("staff handler refused: no logged-in staff session")
            raise gr.Error(str(err), title="Geen toegang") from err

    # ------------------------------------------------------------------ handlers

    def whoami(self, request: gr.Request) -> Updates:
        """'Aangemeld als NAME'."""
        name = self._guard(request)
        return {self.view.who: render_notice(f"Aangemeld als {name}.", "info")}

    def _queue_rows(self, status: str | None, topic: str | None, since: str | None, until: str | None) -> Any:
        """The filtered queue's rows (raises VraagbaakError for a bad filter)."""
        return queue_rows(
            self.desk.requests(
                status=_filter(status),
                topic=_filter(topic),
                since=_parse_day(since, "Vanaf"),
                until=_parse_day(until, "Tot en met"),
            )
        )

    def queue(
        self, status: str | None, topic: str | None, since: str | None, until: str | None, request: gr.Request
    ) -> Updates:
        """The filtered queue and how many requests it holds."""
        self._guard(request)
        v = self.view
        try:
            rows = self._queue_rows(status, topic, since, until)
        except VraagbaakError as err:
            return {v.queue_notice: render_notice(str(err), "error")}
        return {v.table: rows, v.queue_notice: render_notice(f"{_aanvragen(len(rows))} gevonden.", "info")}

    def open_request(self, reference: str | None, request: gr.Request) -> Updates:
        """Details of one request."""
        self._guard(request)
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
            audit = self.desk.history(found.reference)
        except VraagbaakError as err:
            return {v.detail: "", v.reference: ref, v.status_notice: render_notice(str(err), "error")}
        return {v.detail: render_request_detail(found, audit), v.reference: found.reference, v.status_notice: ""}

    def select_request(self, evt: gr.SelectData, request: gr.Request) -> Updates:
        """A click in the queue table opens that row's request."""
        self._guard(request)
        row = evt.row_value if isinstance(evt.row_value, (list, tuple)) else []
        reference = str(row[0]) if row else ""
        return self.open_request(reference, request)

    def change_status(
        self,
        reference: str | None,
        new_status: str | None,
        decline_reason: str | None,
        reason: str | None,
        referred_to: str | None,
        note: str | None,
        status: str | None,
        topic: str | None,
        since: str | None,
        until: str | None,
        request: gr.Request,
    ) -> Updates:
        """Change the status; refusals show the store's message."""
        name = self._guard(request)
        v = self.view
        ref = (reference or "").strip()
        if not ref:
            return {v.status_notice: render_notice("Open eerst een aanvraag.", "error")}
        if not new_status:
            return {v.status_notice: render_notice("Kies de nieuwe status.", "error")}
        try:
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
            detail = render_request_detail(changed, self.desk.history(changed.reference))
        except VraagbaakError as err:
            return {v.status_notice: render_notice(str(err), "error")}
        updates: Updates = {
            v.status_notice: render_notice(f"{changed.reference} staat nu op '{changed.status}'.", "ok"),
            v.detail: detail,
        }
        # A bad filter keeps the table as it is; the queue's own button says why.
        with contextlib.suppress(VraagbaakError):
            updates[v.table] = self._queue_rows(status, topic, since, until)
        return updates

    def add_note(self, reference: str | None, text: str | None, request: gr.Request) -> Updates:
        """Add a staff note."""
        name = self._guard(request)
        v = self.view
        ref = (reference or "").strip()
        if not ref:
            return {v.status_notice: render_notice("Open eerst een aanvraag.", "error")}
        try:
            self.desk.add_note(ref, text or "", by=name)
            found = self.desk.request(ref)
            detail = render_request_detail(found, self.desk.history(found.reference))
        except VraagbaakError as err:
            return {v.status_notice: render_notice(str(err), "error")}
        return {v.status_notice: render_notice("Notitie bewaard.", "ok"), v.detail: detail, v.extra_note: ""}

    def export_csv(
        self,
        status: str | None,
        topic: str | None,
        since: str | None,
        until: str | None,
        personal_data: bool,
        request: gr.Request,
    ) -> Updates:
        """Write the filtered queue as CSV and offer it for download."""
        name = self._guard(request)
        v = self.view
        folder = self._exports()
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=folder)) / f"vraagbaak-aanvragen-{stamp}.csv"
        try:
            n = self.desk.export_csv(
                path,
                status=_filter(status),
                topic=_filter(topic),
                since=_parse_day(since, "Vanaf"),
                until=_parse_day(until, "Tot en met"),
                personal_data=bool(personal_data),
            )
        except VraagbaakError as err:
            return {
                v.export_file: gr.update(value=None, visible=False),
                v.export_notice: render_notice(str(err), "error"),
            }
        logger.info("staff export by %s: %d requests (personal data: %s)", name, n, bool(personal_data))
        what = "met" if personal_data else "zonder"
        return {
            v.export_file: gr.update(value=str(path), visible=True),
            v.export_notice: render_notice(f"{_aanvragen(n)} geëxporteerd ({what} persoonsgegevens).", "ok"),
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


def build_staff_blocks(handlers: StaffHandlers, logout_url: str = "/staff/logout") -> gr.Blocks:
    """The staff page (mount it behind the login; see :func:`assistant.web.app.build_app`)."""
    status_choices = [ALL, *STATUSES]
    topic_choices = [ALL, *TOPICS]
    with gr.Blocks(title="Vraagbaak — medewerkers", analytics_enabled=False, delete_cache=(900, 3600)) as demo:
        gr.HTML("<h1>Vraagbaak — vragen voor medewerkers</h1>", label="Titel")
        with gr.Row():
            who = gr.HTML("", label="Aangemeld als", elem_id="vb-who")
            gr.Button("Afmelden", link=logout_url, size="sm", elem_id="vb-logout", scale=0, min_width=120)
        with gr.Tab("Wachtrij", elem_id="vb-tab-queue"):
            with gr.Row():
                f_status = gr.Dropdown(status_choices, value=ALL, label="Status", elem_id="vb-filter-status")
                f_topic = gr.Dropdown(
                    topic_choices, value=ALL, label="Thema", allow_custom_value=True, elem_id="vb-filter-topic"
                )
                f_since = gr.Textbox(label="Vanaf (JJJJ-MM-DD)", placeholder="2026-01-01", elem_id="vb-filter-since")
                f_until = gr.Textbox(
                    label="Tot en met (JJJJ-MM-DD)", placeholder="2026-12-31", elem_id="vb-filter-until"
                )
            refresh = gr.Button("Toon aanvragen", variant="primary", elem_id="vb-refresh")
            q_notice = gr.HTML("", label="Meldingen bij de wachtrij", elem_id="vb-q-notice")
            table = gr.Dataframe(
                headers=QUEUE_HEADERS,
                value=[],
                label="Aanvragen (nieuwste eerst) — klik op een rij om ze te openen",
                interactive=False,
                wrap=True,
                datatype="str",
                elem_id="vb-queue",
                max_height=420,
            )
            with gr.Row(equal_height=True):
                reference = gr.Textbox(label="Referentienummer", placeholder="VB-2026-00001", elem_id="vb-ref")
                open_btn = gr.Button("Open aanvraag", elem_id="vb-open", scale=0)
            detail = gr.HTML("", label="Aanvraag", elem_id="vb-detail")
            with gr.Group():
                gr.HTML("<h2>Status wijzigen</h2>", label="Status wijzigen")
                with gr.Row():
                    new_status = gr.Dropdown(list(STATUSES), value=None, label="Nieuwe status", elem_id="vb-new-status")
                    decline = gr.Dropdown(
                        ["", *DECLINE_REASONS],
                        value="",
                        label="Reden van afwijzing (bij 'afgewezen')",
                        elem_id="vb-decline",
                    )
                reason = gr.Textbox(label="Reden of toelichting", elem_id="vb-reason")
                referred = gr.Textbox(label="Doorverwezen naar (bij 'doorverwezen')", elem_id="vb-referred")
                note = gr.Textbox(label="Notitie bij deze wijziging (optioneel)", lines=2, elem_id="vb-note")
                change_btn = gr.Button("Status wijzigen", variant="primary", elem_id="vb-change")
            s_notice = gr.HTML("", label="Meldingen bij de status", elem_id="vb-s-notice")
            with gr.Row(equal_height=True):
                extra_note = gr.Textbox(label="Losse notitie bij de aanvraag", elem_id="vb-extra-note")
                note_btn = gr.Button("Notitie toevoegen", elem_id="vb-add-note", scale=0)
            with gr.Group():
                gr.HTML("<h2>Exporteren</h2>", label="Exporteren")
                personal = gr.Checkbox(
                    label="Met persoonsgegevens (naam, organisatie, e-mail, vraag)", value=False, elem_id="vb-personal"
                )
                export_btn = gr.Button("Exporteer de gefilterde aanvragen als CSV", elem_id="vb-export")
                export_file = gr.File(label="CSV-bestand", interactive=False, elem_id="vb-export-file", visible=False)
                e_notice = gr.HTML("", label="Meldingen bij de export", elem_id="vb-e-notice")
        with gr.Tab("Jaarcijfers", elem_id="vb-tab-figures"):
            with gr.Row(equal_height=True):
                year = gr.Number(
                    value=datetime.now(UTC).year,
                    precision=0,
                    label="Jaar",
                    minimum=2000,
                    maximum=2100,
                    elem_id="vb-year",
                )
                figures_btn = gr.Button("Toon jaarcijfers", variant="primary", elem_id="vb-figures", scale=0)
            f_notice = gr.HTML("", label="Meldingen bij de cijfers")
            summary = gr.Textbox(
                label="Samenvatting voor het jaarverslag", interactive=False, lines=3, elem_id="vb-summary"
            )
            plot = gr.Plot(label="Ontvangen en opgenomen vragen", elem_id="vb-plot")
            figures_table = gr.Dataframe(
                headers=FIGURE_HEADERS, value=[], label="Cijfers per groep en thema", interactive=False, wrap=True
            )
        handlers.attach(
            StaffView(
                who=who,
                table=table,
                queue_notice=q_notice,
                reference=reference,
                detail=detail,
                status_notice=s_notice,
                extra_note=extra_note,
                export_file=export_file,
                export_notice=e_notice,
                summary=summary,
                plot=plot,
                figures_table=figures_table,
                figures_notice=f_notice,
            )
        )

        filters = [f_status, f_topic, f_since, f_until]
        private: dict[str, Any] = {"api_visibility": "private"}
        demo.load(handlers.whoami, outputs=[who], **private)
        demo.load(handlers.queue, inputs=filters, outputs=[table, q_notice], **private)
        gr.on(
            [refresh.click, f_since.submit, f_until.submit],
            handlers.queue,
            inputs=filters,
            outputs=[table, q_notice],
            **private,
        )
        f_status.change(handlers.queue, inputs=filters, outputs=[table, q_notice], **private)
        f_topic.change(handlers.queue, inputs=filters, outputs=[table, q_notice], **private)
        table.select(handlers.select_request, outputs=[detail, reference, s_notice], **private)
        gr.on(
            [open_btn.click, reference.submit],
            handlers.open_request,
            inputs=[reference],
            outputs=[detail, reference, s_notice],
            **private,
        )
        change_btn.click(
            handlers.change_status,
            inputs=[reference, new_status, decline, reason, referred, note, *filters],
            outputs=[s_notice, detail, table],
            **private,
        )
        note_btn.click(
            handlers.add_note, inputs=[reference, extra_note], outputs=[s_notice, detail, extra_note], **private
        )
        export_btn.click(handlers.export_csv, inputs=[*filters, personal], outputs=[export_file, e_notice], **private)
        figures_btn.click(handlers.figures, inputs=[year], outputs=[summary, plot, figures_table, f_notice], **private)
    return demo
