"""The Evaluatie page: evaluators grade the answers of a saved run and read the report.

Mounted at ``/evaluatie/`` behind its own login, which only accepts staff accounts
with the ``evaluator`` role (see :func:`assistant.web.app.build_app`); every handler
checks that role again on the server (:class:`EvaluationHandlers`).
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..errors import VraagbaakError
from ..vraagbaak import Vraagbaak
from .evaluation_handlers import (
    SOURCE_CHOICES,
    VERDICT_CHOICES,
    EvaluationHandlers,
    EvaluationView,
    PassageLookup,
)
from .render import STATIC

__all__ = ["EVALUATION_STYLESHEET", "EvaluationHandlers", "build_evaluation_blocks", "passages_of"]

#: The page's own styles (next to the shared stylesheet).
EVALUATION_STYLESHEET = STATIC / "evaluation.css"


def passages_of(assistant: Vraagbaak) -> PassageLookup:
    """Chunk id -> its text in the current index (None when the index no longer has it)."""

    def lookup(chunk_id: str) -> str | None:
        try:
            snapshot = assistant.snapshot()
        except VraagbaakError:
            return None
        i = snapshot.position.get(chunk_id)
        return snapshot.chunks[i].text if i is not None else None

    return lookup


def build_evaluation_blocks(handlers: EvaluationHandlers, logout_url: str = "/evaluatie/logout") -> gr.Blocks:
    """The page (mount it behind the evaluator login)."""
    with gr.Blocks(title="Vraagbaak — evaluatie", analytics_enabled=False) as demo:
        gr.HTML("<h1>Vraagbaak — evaluatie van de antwoorden</h1>", label="Titel")
        with gr.Row():
            who = gr.HTML("", label="Aangemeld als", elem_id="vb-ev-who")
            gr.Button("Afmelden", link=logout_url, size="sm", elem_id="vb-ev-logout", scale=0, min_width=120)
        with gr.Row(equal_height=True):
            run = gr.Dropdown([], value=None, label="Run", elem_id="vb-ev-run", scale=4)
            open_btn = gr.Button("Open run", variant="primary", elem_id="vb-ev-open", scale=1)
        notice = gr.HTML("", label="Meldingen", elem_id="vb-ev-notice")
        state = gr.State(None)
        with gr.Tab("Beoordelen", elem_id="vb-ev-tab-grade"):
            progress = gr.HTML("", label="Voortgang", elem_id="vb-ev-progress")
            item = gr.HTML("", label="Vraag en antwoord", elem_id="vb-ev-item")
            with gr.Group():
                verdict = gr.Radio(list(VERDICT_CHOICES), value=None, label="Het antwoord is", elem_id="vb-ev-verdict")
                source = gr.Radio(list(SOURCE_CHOICES), value=None, label="De bron", elem_id="vb-ev-source")
                comment = gr.Textbox(label="Opmerking (optioneel)", lines=2, elem_id="vb-ev-comment")
            with gr.Row():
                save_btn = gr.Button("Bewaar en volgende", variant="primary", elem_id="vb-ev-save")
                skip_btn = gr.Button("Overslaan", elem_id="vb-ev-skip")
                prev_btn = gr.Button("Vorige", elem_id="vb-ev-prev")
                open_next = gr.Button("Volgende open vraag", elem_id="vb-ev-next-open")
            with gr.Row(equal_height=True):
                number = gr.Number(value=1, precision=0, minimum=1, label="Ga naar vraag nr.", elem_id="vb-ev-number")
                goto_btn = gr.Button("Ga", elem_id="vb-ev-goto", scale=0, min_width=80)
        with gr.Tab("Rapport", elem_id="vb-ev-tab-report"):
            report_btn = gr.Button("Toon rapport van deze run", variant="primary", elem_id="vb-ev-report-btn")
            report = gr.HTML("", label="Rapport", elem_id="vb-ev-report")
        v = EvaluationView(
            who=who,
            run=run,
            progress=progress,
            item=item,
            verdict=verdict,
            source=source,
            comment=comment,
            notice=notice,
            state=state,
            report=report,
        )
        handlers.view = v
        shown = [state, progress, item, verdict, source, comment, notice]
        private: dict[str, Any] = {"api_visibility": "private"}
        demo.load(handlers.load, outputs=[who, run, notice], **private)
        open_btn.click(handlers.open_run, inputs=[run], outputs=shown, **private)
        save_btn.click(handlers.save, inputs=[state, verdict, source, comment], outputs=shown, **private)
        skip_btn.click(handlers.skip, inputs=[state], outputs=shown, **private)
        prev_btn.click(handlers.previous, inputs=[state], outputs=shown, **private)
        open_next.click(handlers.next_open, inputs=[state], outputs=shown, **private)
        gr.on([goto_btn.click, number.submit], handlers.show, inputs=[state, number], outputs=shown, **private)
        report_btn.click(handlers.report, inputs=[state], outputs=[report], **private)
    return demo
