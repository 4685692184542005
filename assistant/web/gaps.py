"""The Kennislacunes page: which questions the publications do not answer, for staff and evaluators.

For a period it shows the clusters of near-identical questions that got the
not-found answer, were passed on as "geen bron" or got a thumbs-down, grouped by
topic with their frequency, the passages the assistant found and the outcome of
the related triage requests; a chart of unanswered questions per topic per
month; and a CSV export.  No requester data is in it (see :mod:`assistant.gaps`).

Every handler checks that the logged-in member holds one of the staff roles.
Reports come from a :class:`GapReporter` passed in.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import gradio as gr
from gradio.blocks import Block

from ..errors import AccessDeniedError, VraagbaakError
from ..gaps.export import gap_figure, write_csv
from ..gaps.report import GapCluster, GapReport, SignalKind
from ..routing.router import TOPICS
from ..settings import Settings
from .auth import Role, StaffAccount, StaffAccounts
from .nav import GAPS_PATH, staff_nav
from .render import render_notice, render_template

logger = logging.getLogger(__name__)

__all__ = [
    "CLUSTER_HEADERS",
    "GAPS_PATH",
    "GapReporter",
    "GapsHandlers",
    "GapsView",
    "build_gaps_blocks",
    "cluster_rows",
]

ALL = "alle"
CLUSTER_HEADERS = [
    "Cluster",
    "Thema",
    "Vraag",
    "Aantal",
    *(kind.value.capitalize() for kind in SignalKind),
    "Gevonden passages",
    "Uitkomst aanvragen",
]
READERS = frozenset({Role.MEDEWERKER, Role.BEHEERDER, Role.EVALUATOR})
_EXPORT_MAX_AGE_S = 600

Updates = dict[Block, Any]


class GapReporter(Protocol):
    """Makes the report of a period (:class:`assistant.gaps.collect.GapSources`)."""

    def report(self, since: date | None = None, until: date | None = None) -> GapReport: ...


def cluster_rows(clusters: Sequence[GapCluster]) -> list[list[Any]]:
    """The cluster table (plain text cells)."""
    return [
        [
            c.id,
            c.topic,
            c.question,
            c.frequency,
            *(c.kinds.get(kind, 0) for kind in SignalKind),
            "; ".join(p.label() for p, _ in c.passages[:3]),
            ", ".join(f"{s}: {n}" for s, n in sorted(c.outcomes.items())),
        ]
        for c in clusters
    ]


def _day(value: str | None, what: str) -> date | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise VraagbaakError(f"{what} '{text}' is geen geldige datum; gebruik JJJJ-MM-DD, bv. 2026-01-31.") from err


def summary_text(report: GapReport, shown: int) -> str:
    """One paragraph: how many unanswered questions, in how many clusters, how many only counted."""
    purged = sum(report.purged.values())
    text = (
        f"{report.total} onbeantwoorde {'vraag' if report.total == 1 else 'vragen'} in deze periode, "
        f"in {len(report.clusters)} {'groep' if len(report.clusters) == 1 else 'groepen'} van (bijna) dezelfde vraag"
    )
    if shown != len(report.clusters):
        text += f" ({shown} getoond met dit thema)"
    text += "."
    if purged:
        text += (
            f" Van {purged} {'vraag' if purged == 1 else 'vragen'} is de bewaartermijn voorbij: "
            "die tellen mee in de grafiek, zonder tekst."
        )
    return text


@dataclass(frozen=True)
class GapsView:
    """The components of the Kennislacunes page that handlers update."""

    who: gr.HTML
    notice: gr.HTML
    summary: gr.HTML
    plot: gr.Plot
    table: gr.Dataframe
    cluster_id: gr.Textbox
    detail: gr.HTML
    export_file: gr.File


class GapsHandlers:
    """Event handlers of the Kennislacunes page."""

    def __init__(
        self,
        settings: Settings,
        reporter: GapReporter,
        accounts: StaffAccounts | None = None,
        export_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self.reporter = reporter
        self.accounts = accounts or StaffAccounts.from_settings(settings)
        self._export_dir = export_dir
        self._view: GapsView | None = None

    @property
    def view(self) -> GapsView:
        if self._view is None:
            raise RuntimeError("build_gaps_blocks(handlers) first: the handlers update the page's components")
        return self._view

    def attach(self, view: GapsView) -> None:
        self._view = view

    def member(self, request: gr.Request | None) -> StaffAccount:
        """The logged-in member with a staff role, else :class:`AccessDeniedError`."""
        account = self.accounts.user(request)
        if not account.roles & READERS:
            raise AccessDeniedError("Deze pagina is enkel voor medewerkers en evaluatoren van Socius.")
        return account

    def _guard(self, request: gr.Request | None) -> StaffAccount:
        try:
            return self.member(request)
        except AccessDeniedError as err:
            logger.warning("gaps handler refused")
            raise gr.Error(str(err), title="Geen toegang") from err

    def _report(self, since: str | None, until: str | None) -> GapReport:
        return self.reporter.report(_day(since, "Vanaf"), _day(until, "Tot en met"))

    def whoami(self, request: gr.Request) -> Updates:
        member = self._guard(request)
        return {self.view.who: render_notice(f"Aangemeld als {member.name}.", "info")}

    def show(self, since: str | None, until: str | None, topic: str | None, request: gr.Request) -> Updates:
        """The report of the period: summary, chart, clusters (of one topic)."""
        self._guard(request)
        v = self.view
        try:
            report = self._report(since, until)
        except VraagbaakError as err:
            return {v.notice: render_notice(str(err), "error")}
        chosen = (topic or "").strip()
        clusters = [c for c in report.clusters if not chosen or chosen == ALL or c.topic == chosen]
        return {
            v.notice: "",
            v.summary: render_notice(summary_text(report, len(clusters)), "info"),
            v.plot: gap_figure(report),
            v.table: cluster_rows(clusters),
        }

    def open_cluster(
        self, since: str | None, until: str | None, cluster_id: str | None, request: gr.Request
    ) -> Updates:
        """The questions, passages and outcomes of one cluster."""
        self._guard(request)
        v = self.view
        wanted = (cluster_id or "").strip()
        if not wanted:
            return {v.notice: render_notice("Kies een groep in de tabel of vul haar code in (K-...).", "error")}
        try:
            cluster = self._report(since, until).cluster(wanted)
        except VraagbaakError as err:
            return {v.notice: render_notice(str(err), "error")}
        if cluster is None:
            return {v.notice: render_notice(f"Geen groep {wanted} in deze periode.", "error"), v.detail: ""}
        return {v.notice: "", v.detail: render_template("gaps_cluster.html", cluster=cluster), v.cluster_id: wanted}

    def select_cluster(self, since: str | None, until: str | None, evt: gr.SelectData, request: gr.Request) -> Updates:
        row = evt.row_value if isinstance(evt.row_value, (list, tuple)) else []
        return self.open_cluster(since, until, str(row[0]) if row else "", request)

    def export_csv(self, since: str | None, until: str | None, request: gr.Request) -> Updates:
        """The report as CSV for download."""
        member = self._guard(request)
        v = self.view
        try:
            report = self._report(since, until)
        except VraagbaakError as err:
            return {v.notice: render_notice(str(err), "error")}
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=self._exports())) / f"vraagbaak-kennislacunes-{stamp}.csv"
        rows = write_csv(report, path)
        logger.info("gap report export by %s: %d rows", member.name, rows)
        return {
            v.export_file: gr.update(value=str(path), visible=True),
            v.notice: render_notice(f"{rows} rijen geëxporteerd (zonder persoonsgegevens).", "ok"),
        }

    def _exports(self) -> Path:
        if self._export_dir is None:
            self._export_dir = Path(tempfile.mkdtemp(prefix="vraagbaak-lacunes-"))
        folder = self._export_dir
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        cutoff = time.time() - _EXPORT_MAX_AGE_S
        for old in folder.glob("*/*.csv"):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        return folder


def build_gaps_blocks(handlers: GapsHandlers, logout_url: str = "/staff/logout") -> gr.Blocks:
    """The Kennislacunes page (mount it behind the staff login)."""
    today = datetime.now(UTC).date()
    with gr.Blocks(title="Vraagbaak — kennislacunes", analytics_enabled=False, delete_cache=(900, 3600)) as demo:
        gr.HTML("<h1>Vraagbaak — kennislacunes</h1>", label="Titel")
        gr.HTML(staff_nav(GAPS_PATH), label="Medewerkerspagina's", elem_id="vb-staff-nav")
        with gr.Row():
            who = gr.HTML("", label="Aangemeld als", elem_id="vb-who")
            gr.Button("Afmelden", link=logout_url, size="sm", elem_id="vb-logout", scale=0, min_width=120)
        gr.HTML(
            "<p>Vragen die de publicaties niet beantwoorden: de Vraagbaak vond geen bron, gaf de vraag door "
            "als 'geen bron', of de vraagsteller gaf een duim omlaag. Bijna dezelfde vragen staan samen in één "
            "groep met hun aantal. Er staan geen gegevens van vraagstellers in.</p>",
            label="Uitleg",
        )
        with gr.Row(equal_height=True):
            since = gr.Textbox(
                value=(today - timedelta(days=365)).isoformat(), label="Vanaf (JJJJ-MM-DD)", elem_id="vb-gap-since"
            )
            until = gr.Textbox(value=today.isoformat(), label="Tot en met (JJJJ-MM-DD)", elem_id="vb-gap-until")
            topic = gr.Dropdown([ALL, *TOPICS], value=ALL, label="Thema", elem_id="vb-gap-topic")
            show = gr.Button("Toon", variant="primary", elem_id="vb-gap-show", scale=0)
        notice = gr.HTML("", label="Meldingen", elem_id="vb-gap-notice")
        summary = gr.HTML("", label="Samenvatting", elem_id="vb-gap-summary")
        plot = gr.Plot(label="Onbeantwoorde vragen per thema per maand", elem_id="vb-gap-plot")
        table = gr.Dataframe(
            headers=CLUSTER_HEADERS,
            value=[],
            label="Groepen van (bijna) dezelfde vraag — klik op een rij voor de details",
            interactive=False,
            wrap=True,
            elem_id="vb-gap-table",
            max_height=480,
        )
        with gr.Row(equal_height=True):
            cluster_id = gr.Textbox(label="Groep", placeholder="K-...", elem_id="vb-gap-cluster")
            open_btn = gr.Button("Toon groep", elem_id="vb-gap-open", scale=0)
        detail = gr.HTML("", label="Groep", elem_id="vb-gap-detail")
        export_btn = gr.Button("Exporteer als CSV", elem_id="vb-gap-export")
        export_file = gr.File(label="CSV-bestand", interactive=False, visible=False, elem_id="vb-gap-file")
        handlers.attach(GapsView(who, notice, summary, plot, table, cluster_id, detail, export_file))
        private: dict[str, Any] = {"api_visibility": "private"}
        period = [since, until]
        report_out = [notice, summary, plot, table]
        demo.load(handlers.whoami, outputs=[who], **private)
        demo.load(handlers.show, inputs=[*period, topic], outputs=report_out, **private)
        gr.on([show.click, topic.change], handlers.show, inputs=[*period, topic], outputs=report_out, **private)
        table.select(handlers.select_cluster, inputs=period, outputs=[notice, detail, cluster_id], **private)
        gr.on(
            [open_btn.click, cluster_id.submit],
            handlers.open_cluster,
            inputs=[*period, cluster_id],
            outputs=[notice, detail, cluster_id],
            **private,
        )
        export_btn.click(handlers.export_csv, inputs=period, outputs=[export_file, notice], **private)
    return demo
