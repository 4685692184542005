"""The staff page: triage queue, request details, assignment, status changes, replies, CSV export, yearly figures.

The page is mounted behind the staff login (see :func:`assistant.web.app.build_app`);
every handler checks the logged-in staff member again
(:class:`assistant.web.staff_handlers.StaffHandlers`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import gradio as gr

from ..mail import ReplyKind
from ..routing.router import TOPICS
from ..triage import DECLINE_REASONS, STATUSES
from .figures import FIGURE_HEADERS, stats_figure
from .nav import staff_nav
from .queue import ALL, QUEUE_HEADERS
from .staff_handlers import NEW_COUNT_EVERY_S, NOT_LOGGED_IN, StaffHandlers, StaffView

__all__ = ["ALL", "NOT_LOGGED_IN", "QUEUE_HEADERS", "StaffHandlers", "StaffView", "build_staff_blocks", "stats_figure"]


def build_staff_blocks(handlers: StaffHandlers, logout_url: str = "/staff/logout") -> gr.Blocks:
    """The staff page (mount it behind the login; see :func:`assistant.web.app.build_app`)."""
    status_choices = [ALL, *STATUSES]
    topic_choices = [ALL, *TOPICS]
    with gr.Blocks(title="Vraagbaak — medewerkers", analytics_enabled=False, delete_cache=(900, 3600)) as demo:
        gr.HTML("<h1>Vraagbaak — vragen voor medewerkers</h1>", label="Titel")
        gr.HTML(staff_nav("/staff"), label="Medewerkerspagina's", elem_id="vb-staff-nav")
        with gr.Row():
            who = gr.HTML("", label="Aangemeld als", elem_id="vb-who")
            new_count = gr.HTML("", label="Nieuwe aanvragen", elem_id="vb-new-count")
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
            with gr.Row(equal_height=True):
                f_search = gr.Textbox(
                    label="Zoeken in vraag, gesprek, organisatie en notities",
                    placeholder="Bv. Vormingplus of vrijwilligers",
                    elem_id="vb-search",
                    scale=3,
                )
                f_mine = gr.Checkbox(label="Alleen mijn vragen", value=False, elem_id="vb-filter-mine", scale=1)
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
                gr.HTML("<h2>Behandelaar</h2>", label="Behandelaar")
                with gr.Row(equal_height=True):
                    take_btn = gr.Button("Neem op mij", variant="primary", elem_id="vb-take", scale=0, min_width=160)
                    assign_to = gr.Dropdown(
                        handlers.colleagues(), value=None, label="Of wijs toe aan een collega", elem_id="vb-assign-to"
                    )
                    assign_btn = gr.Button("Toewijzen", elem_id="vb-assign", scale=0, min_width=140)
            with gr.Group():
                gr.HTML("<h2>Status wijzigen</h2>", label="Status wijzigen")
                s_help = gr.HTML("", label="Uitleg bij de status", elem_id="vb-status-help")
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
            with gr.Group(elem_id="vb-reply"):
                gr.HTML("<h2>Antwoord aan de vraagsteller</h2>", label="Antwoord")
                mail_info = gr.HTML("", label="Hoe mails vertrekken", elem_id="vb-mail-info")
                with gr.Row(equal_height=True):
                    reply_kind = gr.Dropdown(
                        [k.value for k in ReplyKind], value=None, label="Sjabloon", elem_id="vb-reply-kind"
                    )
                    fill_btn = gr.Button("Vul het sjabloon in", elem_id="vb-reply-fill", scale=0, min_width=180)
                reply_subject = gr.Textbox(label="Onderwerp", elem_id="vb-reply-subject")
                reply_body = gr.Textbox(label="Tekst van je antwoord", lines=12, max_lines=30, elem_id="vb-reply-body")
                send_btn = gr.Button("Verstuur antwoord", variant="primary", elem_id="vb-reply-send")
                reply_notice = gr.HTML("", label="Meldingen bij het antwoord", elem_id="vb-reply-notice")
            with gr.Group():
                gr.HTML("<h2>Exporteren</h2>", label="Exporteren")
                personal = gr.Checkbox(
                    label="Met persoonsgegevens (naam, organisatie, e-mail, vraag, notities)",
                    value=False,
                    elem_id="vb-personal",
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
        #: Asks for the number of new requests every NEW_COUNT_EVERY_S seconds while the page is open.
        ticker = gr.Timer(NEW_COUNT_EVERY_S)
        v = StaffView(
            who=who,
            new_count=new_count,
            table=table,
            queue_notice=q_notice,
            reference=reference,
            detail=detail,
            assign_to=assign_to,
            status_help=s_help,
            new_status=new_status,
            decline=decline,
            reason=reason,
            referred=referred,
            note=note,
            status_notice=s_notice,
            extra_note=extra_note,
            mail_info=mail_info,
            reply_kind=reply_kind,
            reply_subject=reply_subject,
            reply_body=reply_body,
            reply_notice=reply_notice,
            export_file=export_file,
            export_notice=e_notice,
            summary=summary,
            plot=plot,
            figures_table=figures_table,
            figures_notice=f_notice,
        )
        handlers.attach(v)

        filters = [f_status, f_topic, f_since, f_until, f_mine, f_search]
        # Opening, assigning and changing show the request with every form under it emptied.
        opened = [v.detail, v.reference, v.assign_to, v.status_help, v.new_status]
        opened += [v.decline, v.reason, v.referred, v.note, v.extra_note, v.status_notice]
        opened += [v.reply_kind, v.reply_subject, v.reply_body, v.reply_notice]
        private: dict[str, Any] = {"api_visibility": "private"}
        demo.load(handlers.whoami, outputs=[who], **private)
        demo.load(handlers.count_new, outputs=[new_count], **private)
        demo.load(handlers.mail_info, outputs=[mail_info], **private)
        ticker.tick(handlers.count_new, outputs=[new_count], show_progress="hidden", **private)
        demo.load(handlers.queue, inputs=filters, outputs=[table, q_notice], **private)
        gr.on(
            [refresh.click, f_since.submit, f_until.submit, f_search.submit],
            handlers.queue,
            inputs=filters,
            outputs=[table, q_notice],
            **private,
        )
        gr.on(
            [f_status.change, f_topic.change, f_mine.change],
            handlers.queue,
            inputs=filters,
            outputs=[table, q_notice],
            **private,
        )
        table.select(handlers.select_request, outputs=opened, **private)
        gr.on([open_btn.click, reference.submit], handlers.open_request, inputs=[reference], outputs=opened, **private)
        # After a change the queue is shown again with the page's filters.
        requeue: dict[str, Any] = {"inputs": filters, "outputs": [table, q_notice], **private}
        take_btn.click(handlers.take, inputs=[reference], outputs=[*opened, new_count], **private).then(
            handlers.queue, **requeue
        )
        assign_btn.click(handlers.assign, inputs=[reference, assign_to], outputs=[*opened, new_count], **private).then(
            handlers.queue, **requeue
        )
        change_btn.click(
            handlers.change_status,
            inputs=[reference, new_status, decline, reason, referred, note],
            outputs=[*opened, new_count],
            **private,
        ).then(handlers.queue, **requeue)
        fill_btn.click(
            handlers.fill_reply,
            inputs=[reference, reply_kind],
            outputs=[reply_subject, reply_body, reply_notice],
            **private,
        )
        send_btn.click(
            handlers.send_reply,
            inputs=[reference, reply_subject, reply_body],
            outputs=[reply_notice, detail, reply_subject, reply_body],
            **private,
        )
        note_btn.click(
            handlers.add_note, inputs=[reference, extra_note], outputs=[s_notice, detail, extra_note], **private
        )
        export_btn.click(handlers.export_csv, inputs=[*filters, personal], outputs=[export_file, e_notice], **private)
        figures_btn.click(handlers.figures, inputs=[year], outputs=[summary, plot, figures_table, f_notice], **private)
    return demo
