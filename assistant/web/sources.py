"""The Bronnen page: the publications the assistant answers from, and (for a beheerder) changing them.

Every staff member sees the list of documents (title, type, file, pages, chunks,
date indexed, content hash, last error) with a filter and a search box, the
progress of running changes and the audit trail.  A member with the
``beheerder`` role also sees the forms to upload one or more files, replace a
document (or change its title, type or source URL) and remove one; every change
handler checks that role again on the server, so hiding the forms is not the
protection.

Changes go to a :class:`~assistant.sources.SourcesService` passed in: it checks
the files before anything is stored and runs the ingest in the background; a
timer polls its progress while a job runs.  Handlers return dicts of updates
keyed by the components they change (:class:`SourcesView`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..errors import AccessDeniedError, DocumentError, VraagbaakError
from ..ingestion.loading import DOC_TYPES
from ..settings import Settings
from ..sources import SourceDocument, SourcesService, Upload
from ..sources.checks import ACCEPTED_SUFFIXES
from ..sources.model import SourceChange
from .auth import Role, StaffAccount, StaffAccounts
from .nav import SOURCES_PATH, staff_nav
from .render import STATIC, render_notice, render_template

logger = logging.getLogger(__name__)

__all__ = [
    "AUDIT_HEADERS",
    "DOCUMENT_HEADERS",
    "SOURCES_PATH",
    "SOURCES_STYLESHEET",
    "SourcesHandlers",
    "SourcesView",
    "build_sources_blocks",
    "sources_script",
]

#: Styles of the Bronnen and Kennislacunes pages (next to the common stylesheet).
SOURCES_STYLESHEET = STATIC / "sources.css"


def sources_script() -> str:
    """The Bronnen page's script: the file drop zones named by their Dutch text (Gradio's ``js``)."""
    return (STATIC / "sources.js").read_text(encoding="utf-8")


ALL = "alle"
DOCUMENT_HEADERS = [
    "Titel",
    "Type",
    "Bestand",
    "Pagina's",
    "Chunks",
    "Geïndexeerd op",
    "Inhoudshash",
    "Status",
    "Laatste fout",
]
AUDIT_HEADERS = ["Wanneer", "Wie", "Wat", "Document", "Titel", "Oude hash", "Nieuwe hash", "Status", "Toelichting"]
#: Roles that may see the page; changing it needs :attr:`Role.BEHEERDER`.
READERS = frozenset({Role.MEDEWERKER, Role.BEHEERDER, Role.EVALUATOR})
READ_ONLY = (
    "Je kunt de bronnen bekijken. Documenten toevoegen, vervangen of verwijderen kan enkel een medewerker "
    "met de rol 'beheerder'."
)
#: Seconds between two progress polls while a change runs.
POLL_S = 1.0

Updates = dict[Block, Any]


def _hash(value: str | None) -> str:
    return value[:12] if value else ""


def _day(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def document_rows(documents: Sequence[SourceDocument]) -> list[list[Any]]:
    """The document table (plain text cells)."""
    return [
        [
            d.title,
            d.doc_type,
            d.path,
            "" if d.pages is None else d.pages,
            "" if d.chunks is None else d.chunks,
            _day(d.indexed_at),
            _hash(d.sha256),
            d.state.value,
            d.last_error or "",
        ]
        for d in documents
    ]


def audit_rows(changes: Sequence[SourceChange]) -> list[list[str]]:
    """The audit trail table, newest first."""
    return [
        [
            _day(c.at),
            c.actor,
            c.action.value,
            c.path,
            c.title,
            _hash(c.old_sha256),
            _hash(c.new_sha256),
            c.state.value,
            c.detail or "",
        ]
        for c in changes
    ]


def _choices(documents: Sequence[SourceDocument]) -> list[tuple[str, str]]:
    return [(f"{d.title} ({d.path})", d.path) for d in documents]


def _filter(value: str | None) -> str | None:
    text = (value or "").strip()
    return None if not text or text == ALL else text


@dataclass(frozen=True)
class SourcesView:
    """The components of the Bronnen page that handlers update."""

    who: gr.HTML
    search: gr.Textbox
    doc_type: gr.Dropdown
    table: gr.Dataframe
    list_notice: gr.HTML
    editor: gr.Column
    add_files: gr.File
    add_title: gr.Textbox
    add_url: gr.Textbox
    replace_doc: gr.Dropdown
    replace_file: gr.File
    replace_title: gr.Textbox
    replace_type: gr.Dropdown
    replace_url: gr.Textbox
    remove_doc: gr.Dropdown
    remove_confirm: gr.Checkbox
    notice: gr.HTML
    jobs: gr.HTML
    timer: gr.Timer
    audit: gr.Dataframe


class SourcesHandlers:
    """Event handlers of the Bronnen page; each one checks the member's role first."""

    def __init__(self, settings: Settings, service: SourcesService, accounts: StaffAccounts | None = None) -> None:
        self.settings = settings
        self.service = service
        self.accounts = accounts or StaffAccounts.from_settings(settings)
        self._view: SourcesView | None = None

    @property
    def view(self) -> SourcesView:
        if self._view is None:
            raise RuntimeError("build_sources_blocks(handlers) first: the handlers update the page's components")
        return self._view

    def attach(self, view: SourcesView) -> None:
        self._view = view

    # ------------------------------------------------------------------ access

    def member(self, request: gr.Request | None, *, change: bool = False) -> StaffAccount:
        """The logged-in member; a change needs the beheerder role (:class:`AccessDeniedError` otherwise)."""
        if change:
            return self.accounts.require_role(request, Role.BEHEERDER)
        account = self.accounts.user(request)
        if not account.roles & READERS:
            raise AccessDeniedError("Deze pagina is enkel voor medewerkers van Socius.")
        return account

    def _guard(self, request: gr.Request | None, *, change: bool = False) -> StaffAccount:
        try:
            return self.member(request, change=change)
        except AccessDeniedError as err:
            logger.warning("sources handler refused (%s)", "change" if change else "read")
            raise gr.Error(str(err), title="Geen toegang") from err

    # ------------------------------------------------------------------ reading

    def _listing(self, search: str | None, doc_type: str | None) -> Updates:
        v = self.view
        try:
            shown = self.service.documents(search or "", _filter(doc_type))
            everything = self.service.documents() if (search or _filter(doc_type)) else shown
            history = self.service.history(limit=100)
        except VraagbaakError as err:
            return {v.list_notice: render_notice(str(err), "error")}
        n = len(shown)
        choices = _choices(everything)
        return {
            v.table: document_rows(shown),
            v.list_notice: render_notice(f"{n} {'document' if n == 1 else 'documenten'}.", "info"),
            v.replace_doc: gr.update(choices=choices),
            v.remove_doc: gr.update(choices=choices),
            v.audit: audit_rows(history),
        }

    def _progress(self) -> Updates:
        v = self.view
        jobs = self.service.jobs()[:5]
        running = any(not j.done for j in jobs)
        return {
            v.jobs: render_template("sources_jobs.html", jobs=jobs) if jobs else "",
            v.timer: gr.Timer(active=running),
        }

    def load(self, search: str | None, doc_type: str | None, request: gr.Request) -> Updates:
        """Who is logged in, the list, the forms for a beheerder, running jobs."""
        member = self._guard(request)
        v = self.view
        may_change = member.has(Role.BEHEERDER)
        roles = ", ".join(sorted(r.value for r in member.roles))
        who = f"Aangemeld als {member.name} ({roles})."
        updates: Updates = {
            v.who: render_notice(who if may_change else f"{who} {READ_ONLY}", "info"),
            v.editor: gr.update(visible=may_change),
        }
        return {**updates, **self._listing(search, doc_type), **self._progress()}

    def refresh(self, search: str | None, doc_type: str | None, request: gr.Request) -> Updates:
        """The list with the filter and search applied."""
        self._guard(request)
        return self._listing(search, doc_type)

    def tick(self, search: str | None, doc_type: str | None, request: gr.Request) -> Updates:
        """Progress of running changes; when they are done, the list and the audit trail again."""
        self._guard(request)
        updates = self._progress()
        if not any(not j.done for j in self.service.jobs()):
            updates.update(self._listing(search, doc_type))
        return updates

    def pick(self, path: str | None, request: gr.Request) -> Updates:
        """Fill the replace form with the chosen document's title, type and source URL."""
        self._guard(request)
        v = self.view
        if not path:
            return {v.replace_title: "", v.replace_url: ""}
        try:
            doc = self.service.document(path)
        except VraagbaakError as err:
            return {v.notice: render_notice(str(err), "error")}
        return {v.replace_title: doc.title, v.replace_type: doc.doc_type, v.replace_url: doc.url}

    # ------------------------------------------------------------------ changing

    def add(
        self, files: Sequence[Any] | None, title: str | None, doc_type: str | None, url: str | None, request: gr.Request
    ) -> Updates:
        """Check and queue the uploaded files; refused files are listed with their reason."""
        member = self._guard(request, change=True)
        v = self.view
        uploads = [Upload(Path(str(f)), Path(str(f)).name) for f in (files or [])]
        try:
            submitted = self.service.add(
                uploads, by=member.name, doc_type=doc_type or "", title=title or "", url=url or ""
            )
        except VraagbaakError as err:
            return {v.notice: render_notice(str(err), "error")}
        lines = [f"{name}: {reason} Er is niets van opgeslagen." for name, reason in submitted.rejected]
        if submitted.job is not None:
            n = len(uploads) - len(submitted.rejected)
            lines.insert(0, f"{n} {'bestand' if n == 1 else 'bestanden'} gecontroleerd en in de wachtrij gezet.")
            kind = "info" if not submitted.rejected else "error"
        else:
            kind = "error"
        updates: Updates = {v.notice: render_notice("\n\n".join(lines), kind)}
        if submitted.job is not None:
            updates |= {v.add_files: None, v.add_title: "", v.add_url: ""}
        return {**updates, **self._progress()}

    def replace(
        self,
        path: str | None,
        file: Any,
        title: str | None,
        doc_type: str | None,
        url: str | None,
        request: gr.Request,
    ) -> Updates:
        """Queue a new version and/or new title, type or source URL of a document."""
        member = self._guard(request, change=True)
        v = self.view
        if not path:
            return {v.notice: render_notice("Kies eerst het document dat je wilt vervangen of aanpassen.", "error")}
        upload = Upload(Path(str(file)), Path(str(file)).name) if file else None
        try:
            job = self.service.replace(path, upload, by=member.name, title=title, doc_type=doc_type, url=url)
        except VraagbaakError as err:
            message = err.reason if isinstance(err, DocumentError) else str(err)
            suffix = " Er is niets gewijzigd; de huidige versie blijft in gebruik." if upload else ""
            return {v.notice: render_notice(f"{message}{suffix}", "error")}
        updates: Updates = {
            v.notice: render_notice(f"{job.label}: in de wachtrij gezet.", "info"),
            v.replace_file: None,
        }
        return {**updates, **self._progress()}

    def remove(self, path: str | None, confirm: bool, request: gr.Request) -> Updates:
        """Queue the removal of a document (after the confirmation box was ticked)."""
        member = self._guard(request, change=True)
        v = self.view
        if not path:
            return {v.notice: render_notice("Kies eerst het document dat je wilt verwijderen.", "error")}
        if not confirm:
            return {v.notice: render_notice("Vink eerst aan dat je dit document wilt verwijderen.", "error")}
        try:
            job = self.service.remove(path, by=member.name)
        except VraagbaakError as err:
            return {v.notice: render_notice(str(err), "error")}
        updates: Updates = {
            v.notice: render_notice(f"{job.label}: in de wachtrij gezet.", "info"),
            v.remove_confirm: False,
        }
        return {**updates, **self._progress()}


def build_sources_blocks(handlers: SourcesHandlers, logout_url: str = "/staff/logout") -> gr.Blocks:
    """The Bronnen page (mount it behind the staff login; see :func:`assistant.web.app.build_app`)."""
    types = list(DOC_TYPES)
    with gr.Blocks(title="Vraagbaak — bronnen", analytics_enabled=False, delete_cache=(900, 3600)) as demo:
        gr.HTML("<h1>Vraagbaak — bronnen</h1>", label="Titel")
        gr.HTML(staff_nav(SOURCES_PATH), label="Medewerkerspagina's", elem_id="vb-staff-nav")
        with gr.Row():
            who = gr.HTML("", label="Aangemeld als", elem_id="vb-who")
            gr.Button("Afmelden", link=logout_url, size="sm", elem_id="vb-logout", scale=0, min_width=120)
        jobs = gr.HTML("", label="Voortgang van wijzigingen", elem_id="vb-jobs")
        notice = gr.HTML("", label="Meldingen bij wijzigingen", elem_id="vb-src-notice")
        timer = gr.Timer(POLL_S, active=False)
        with gr.Tab("Documenten", elem_id="vb-tab-docs"):
            with gr.Row(equal_height=True):
                search = gr.Textbox(label="Zoeken (titel, bestand, URL)", elem_id="vb-src-search", scale=3)
                doc_type = gr.Dropdown([ALL, *types], value=ALL, label="Type", elem_id="vb-src-type", scale=1)
                refresh = gr.Button("Toon", elem_id="vb-src-refresh", scale=0)
            list_notice = gr.HTML("", label="Meldingen bij de lijst", elem_id="vb-src-list-notice")
            table = gr.Dataframe(
                headers=DOCUMENT_HEADERS,
                value=[],
                label="Geïndexeerde documenten",
                interactive=False,
                wrap=True,
                column_widths=["20%", "8%", "18%", "6%", "6%", "11%", "9%", "10%", "12%"],
                elem_id="vb-src-table",
                max_height=480,
            )
            with gr.Column(visible=False, elem_id="vb-src-editor") as editor:
                with gr.Group():
                    gr.HTML("<h2>Documenten toevoegen</h2>", label="Documenten toevoegen")
                    add_files = gr.File(
                        label="Bestanden (PDF, HTML of Markdown; een of meer)",
                        file_count="multiple",
                        file_types=list(ACCEPTED_SUFFIXES),
                        type="filepath",
                        elem_id="vb-src-files",
                    )
                    with gr.Row():
                        add_title = gr.Textbox(
                            label="Titel (bij één bestand; anders uit het document)", elem_id="vb-src-title"
                        )
                        add_type = gr.Dropdown(types, value="publicatie", label="Type", elem_id="vb-src-add-type")
                    add_url = gr.Textbox(label="Bron-URL (bij één bestand)", elem_id="vb-src-url")
                    add_btn = gr.Button("Toevoegen", variant="primary", elem_id="vb-src-add")
                with gr.Group():
                    gr.HTML("<h2>Vervangen of gegevens wijzigen</h2>", label="Vervangen")
                    replace_doc = gr.Dropdown([], label="Document", elem_id="vb-src-replace-doc")
                    replace_file = gr.File(
                        label="Nieuwe versie (optioneel)",
                        file_types=list(ACCEPTED_SUFFIXES),
                        type="filepath",
                        elem_id="vb-src-replace-file",
                    )
                    with gr.Row():
                        replace_title = gr.Textbox(label="Titel", elem_id="vb-src-replace-title")
                        replace_type = gr.Dropdown(types, value=None, label="Type", elem_id="vb-src-replace-type")
                    replace_url = gr.Textbox(label="Bron-URL", elem_id="vb-src-replace-url")
                    replace_btn = gr.Button("Vervangen", variant="primary", elem_id="vb-src-replace")
                with gr.Group():
                    gr.HTML("<h2>Verwijderen</h2>", label="Verwijderen")
                    remove_doc = gr.Dropdown([], label="Document", elem_id="vb-src-remove-doc")
                    remove_confirm = gr.Checkbox(
                        label="Ja, verwijder dit document uit de bronnen van de Vraagbaak",
                        value=False,
                        elem_id="vb-src-remove-confirm",
                    )
                    remove_btn = gr.Button("Verwijderen", variant="stop", elem_id="vb-src-remove")
        with gr.Tab("Audit trail", elem_id="vb-tab-audit"):
            audit = gr.Dataframe(
                headers=AUDIT_HEADERS,
                value=[],
                label="Wijzigingen (nieuwste eerst)",
                interactive=False,
                wrap=True,
                elem_id="vb-src-audit",
                max_height=480,
            )
        handlers.attach(
            SourcesView(
                who=who,
                search=search,
                doc_type=doc_type,
                table=table,
                list_notice=list_notice,
                editor=editor,
                add_files=add_files,
                add_title=add_title,
                add_url=add_url,
                replace_doc=replace_doc,
                replace_file=replace_file,
                replace_title=replace_title,
                replace_type=replace_type,
                replace_url=replace_url,
                remove_doc=remove_doc,
                remove_confirm=remove_confirm,
                notice=notice,
                jobs=jobs,
                timer=timer,
                audit=audit,
            )
        )
        listing = [table, list_notice, replace_doc, remove_doc, audit]
        progress = [jobs, timer]
        private: dict[str, Any] = {"api_visibility": "private"}
        filters = [search, doc_type]
        demo.load(handlers.load, inputs=filters, outputs=[who, editor, *listing, *progress], **private)
        gr.on(
            [refresh.click, search.submit, doc_type.change],
            handlers.refresh,
            inputs=filters,
            outputs=listing,
            **private,
        )
        timer.tick(handlers.tick, inputs=filters, outputs=[*progress, *listing], **private)
        replace_doc.change(
            handlers.pick, inputs=[replace_doc], outputs=[replace_title, replace_type, replace_url, notice], **private
        )
        add_btn.click(
            handlers.add,
            inputs=[add_files, add_title, add_type, add_url],
            outputs=[notice, add_files, add_title, add_url, *progress],
            **private,
        )
        replace_btn.click(
            handlers.replace,
            inputs=[replace_doc, replace_file, replace_title, replace_type, replace_url],
            outputs=[notice, replace_file, *progress],
            **private,
        )
        remove_btn.click(
            handlers.remove, inputs=[remove_doc, remove_confirm], outputs=[notice, remove_confirm, *progress], **private
        )
    return demo
