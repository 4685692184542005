"""The staff page: triage queue, request details, status changes, CSV export, yearly figures.

The page is mounted behind Gradio's login (accounts of ``settings.staff_file``,
argon2, rate limited; see :func:`assistant.web.app.build_app`), so its config, queue
and file routes answer 401 without a session.  On top of that every handler
checks the logged-in staff member itself (:meth:`StaffHandlers.user`): the name
comes from the server's session token, never from the browser, and must still be
an account in the staff file.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import gradio as gr
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..errors import AccessDeniedError, VraagbaakError
from ..routing.router import TOPICS
from ..settings import Settings
from ..triage.store import AFGEWEZEN, DECLINE_REASONS, STATUSES, Counts, Request, Stats, TriageStore
from .auth import read_accounts
from .render import render_notice, render_request_detail

logger = logging.getLogger(__name__)

__all__ = ["ALL", "QUEUE_HEADERS", "StaffHandlers", "build_staff_blocks", "stats_figure"]

#: Filter value meaning "no filter".
ALL = "alle"
QUEUE_HEADERS = ["Referentie", "Ontvangen", "Status", "Thema", "Type organisatie", "Naam", "Vraag"]
FIGURE_HEADERS = ["Groep", "Ontvangen", "Opgenomen", "Doorverwezen", "Afgewezen", "Open"]
NOT_LOGGED_IN = "Je bent niet aangemeld als medewerker. Meld je aan op de medewerkerspagina."
_GROUP_NAMES = {"primair": "Primaire doelgroep", "secundair": "Secundaire doelgroep"}
#: Exported CSV files older than this are removed from the export folder.
_EXPORT_MAX_AGE_S = 600


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


def _count_row(name: str, c: Counts) -> list[Any]:
    return [name, c.received, c.taken_up, c.referred, c.declined, c.open]


def figure_rows(stats: Stats) -> list[list[Any]]:
    """The figures as a table (an accessible alternative to the chart)."""
    rows = [_count_row("Totaal", stats.total)]
    rows += [_count_row(_GROUP_NAMES.get(g, g), c) for g, c in stats.by_target_group.items()]
    rows += [_count_row(f"Thema: {t or '(geen)'}", c) for t, c in stats.by_topic.items()]
    return rows


def stats_figure(stats: Stats, year: int) -> Figure:
    """Received vs taken up: in total, per target group and per topic (matplotlib, no pyplot state)."""
    topics = list(stats.by_topic.items())
    fig = Figure(figsize=(7.5, 4.2 + 0.35 * max(len(topics), 1)), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[1, max(1.0, 0.3 * len(topics))])
    ax_total = fig.add_subplot(grid[0, 0])
    ax_group = fig.add_subplot(grid[0, 1])
    ax_topic = fig.add_subplot(grid[1, :])
    colours = ("#3b6ea8", "#e0a030")

    def bars(ax: Any, labels: list[str], counts: list[Counts], title: str) -> None:
        xs = range(len(labels))
        width = 0.38
        r1 = ax.bar(
            [x - width / 2 for x in xs], [c.received for c in counts], width, label="ontvangen", color=colours[0]
        )
        r2 = ax.bar(
            [x + width / 2 for x in xs], [c.taken_up for c in counts], width, label="opgenomen", color=colours[1]
        )
        ax.bar_label(r1, fontsize=8)
        ax.bar_label(r2, fontsize=8)
        ax.set_xticks(list(xs), labels)
        ax.set_xlim(-0.75, len(labels) - 0.25)
        ax.set_title(title, fontsize=10)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.margins(y=0.2)

    bars(ax_total, ["Totaal"], [stats.total], "Totaal")
    groups = list(stats.by_target_group.items())
    bars(
        ax_group,
        [_GROUP_NAMES.get(g, g).replace(" ", "\n", 1) for g, _ in groups],
        [c for _, c in groups],
        "Per doelgroep",
    )
    handles, labels = ax_total.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper right", fontsize=8, ncols=2)
    if topics:
        names = [t or "(geen thema)" for t, _ in topics]
        ys = range(len(names))
        height = 0.38
        r1 = ax_topic.barh(
            [y - height / 2 for y in ys], [c.received for _, c in topics], height, color=colours[0], label="ontvangen"
        )
        r2 = ax_topic.barh(
            [y + height / 2 for y in ys], [c.taken_up for _, c in topics], height, color=colours[1], label="opgenomen"
        )
        ax_topic.bar_label(r1, fontsize=8)
        ax_topic.bar_label(r2, fontsize=8)
        ax_topic.set_yticks(list(ys), names, fontsize=8)
        ax_topic.invert_yaxis()
        ax_topic.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax_topic.margins(x=0.15)
    else:
        ax_topic.text(0.5, 0.5, "Geen aanvragen in deze periode", ha="center", va="center")
        ax_topic.set_axis_off()
    ax_topic.set_title("Per thema", fontsize=10)
    fig.suptitle(f"Vraaggestuurde werking {year}: ontvangen en opgenomen vragen", fontsize=11, x=0.02, ha="left")
    return fig


class StaffHandlers:
    """Event handlers of the staff page; each one checks the login first."""

    def __init__(self, settings: Settings, export_dir: Path | None = None) -> None:
        self.settings = settings
        self._export_dir = export_dir

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

    def store(self) -> TriageStore:
        """The triage store of the configured database."""
        return TriageStore.from_settings(self.settings)

    # ------------------------------------------------------------------ handlers

    def whoami(self, request: gr.Request) -> str:
        """'Aangemeld als NAME'."""
        name = self._guard(request)
        return render_notice(f"Aangemeld als {name}.", "info")

    def queue(
        self, status: str | None, topic: str | None, since: str | None, until: str | None, request: gr.Request
    ) -> tuple[Any, str]:
        """The filtered queue: ``(table rows, notice)``."""
        self._guard(request)
        try:
            requests = self.store().list(
                status=_filter(status),
                topic=_filter(topic),
                since=_parse_day(since, "Vanaf"),
                until=_parse_day(until, "Tot en met"),
            )
        except VraagbaakError as err:
            return gr.update(), render_notice(str(err), "error")
        n = len(requests)
        return queue_rows(requests), render_notice(f"{n} {'aanvraag' if n == 1 else 'aanvragen'} gevonden.", "info")

    def open_request(self, reference: str | None, request: gr.Request) -> tuple[str, str, str]:
        """Details of one request: ``(detail html, reference, notice)``."""
        self._guard(request)
        ref = (reference or "").strip()
        if not ref:
            return "", ref, render_notice("Vul een referentienummer in of kies een aanvraag in de tabel.", "error")
        try:
            store = self.store()
            found = store.get(ref)
            audit = store.audit(found.reference)
        except VraagbaakError as err:
            return "", ref, render_notice(str(err), "error")
        return render_request_detail(found, audit), found.reference, ""

    def select_request(self, evt: gr.SelectData, request: gr.Request) -> tuple[str, str, str]:
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
    ) -> tuple[Any, ...]:
        """Change the status: ``(notice, detail html, queue rows)``; refusals show the store's message."""
        name = self._guard(request)
        ref = (reference or "").strip()
        if not ref:
            return render_notice("Open eerst een aanvraag.", "error"), gr.update(), gr.update()
        if not new_status:
            return render_notice("Kies de nieuwe status.", "error"), gr.update(), gr.update()
        try:
            store = self.store()
            if new_status == AFGEWEZEN:
                changed = store.change_status(
                    ref,
                    new_status,
                    by=name,
                    reason=decline_reason or None,
                    reason_detail=reason or None,
                    note=note or None,
                )
            else:
                changed = store.change_status(
                    ref,
                    new_status,
                    by=name,
                    reason=reason or None,
                    referred_to=referred_to or None,
                    note=note or None,
                )
            detail = render_request_detail(changed, store.audit(changed.reference))
        except VraagbaakError as err:
            return render_notice(str(err), "error"), gr.update(), gr.update()
        rows, _ = self.queue(status, topic, since, until, request)
        message = f"{changed.reference} staat nu op '{changed.status}'."
        return render_notice(message, "ok"), detail, rows

    def add_note(self, reference: str | None, text: str | None, request: gr.Request) -> tuple[Any, ...]:
        """Add a staff note: ``(notice, detail html, note box)``."""
        name = self._guard(request)
        ref = (reference or "").strip()
        if not ref:
            return render_notice("Open eerst een aanvraag.", "error"), gr.update(), gr.update()
        try:
            store = self.store()
            store.add_note(ref, text or "", by=name)
            found = store.get(ref)
            detail = render_request_detail(found, store.audit(found.reference))
        except VraagbaakError as err:
            return render_notice(str(err), "error"), gr.update(), gr.update()
        return render_notice("Notitie bewaard.", "ok"), detail, ""

    def export_csv(
        self,
        status: str | None,
        topic: str | None,
        since: str | None,
        until: str | None,
        personal_data: bool,
        request: gr.Request,
    ) -> tuple[Any, str]:
        """Write the filtered queue as CSV: ``(file path, notice)``."""
        name = self._guard(request)
        folder = self._exports()
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=folder)) / f"vraagbaak-aanvragen-{stamp}.csv"
        try:
            n = self.store().export_csv(
                path,
                status=_filter(status),
                topic=_filter(topic),
                since=_parse_day(since, "Vanaf"),
                until=_parse_day(until, "Tot en met"),
                personal_data=bool(personal_data),
            )
        except VraagbaakError as err:
            return gr.update(value=None, visible=False), render_notice(str(err), "error")
        logger.info("staff export by %s: %d requests (personal data: %s)", name, n, bool(personal_data))
        what = "met" if personal_data else "zonder"
        return gr.update(value=str(path), visible=True), render_notice(
            f"{n} {'aanvraag' if n == 1 else 'aanvragen'} geëxporteerd ({what} persoonsgegevens).", "ok"
        )

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

    def figures(self, year: float | int | None, request: gr.Request) -> tuple[Any, ...]:
        """The yearly figures: ``(summary, chart, table, notice)``."""
        self._guard(request)
        try:
            y = int(year) if year is not None else datetime.now(UTC).year
        except (TypeError, ValueError):
            y = 0
        if not 2000 <= y <= 2100:
            return "", None, gr.update(), render_notice("Kies een jaar tussen 2000 en 2100.", "error")
        try:
            stats = self.store().stats(date(y, 1, 1), date(y, 12, 31))
        except VraagbaakError as err:
            return "", None, gr.update(), render_notice(str(err), "error")
        return stats.summary_nl(), stats_figure(stats, y), figure_rows(stats), ""


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
