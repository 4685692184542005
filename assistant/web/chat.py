"""The public chat page: streaming answers with citations, feedback, escalation to staff.

All conversation state lives in the browser session (``gr.State``), in the
database (requests, feedback) and in the index; :class:`ChatHandlers` holds only
the assistant, the request intake (:class:`assistant.web.services.RequestIntake`)
and the page's components (:class:`ChatView`).  Each handler returns a dict of
updates keyed by the components it changes; components it leaves out keep
their value.  The handlers are plain methods, so the tests call them directly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..answer import Answer, AnswerDone
from ..answer.render import found_passages
from ..errors import IndexUnavailableError, QuestionError, VraagbaakError
from ..inputs import cut_notice
from ..settings import Settings
from ..triage.service import NewRequest
from ..vraagbaak import Vraagbaak
from .pacing import paced
from .render import render_answer, render_notice, render_template, render_user
from .services import GapRecorder, RequestIntake

logger = logging.getLogger(__name__)

__all__ = ["EXAMPLES", "ORG_TYPE_CHOICES", "ChatHandlers", "ChatView", "build_chat_blocks"]

#: Questions shown as examples under the chat.
EXAMPLES: tuple[str, ...] = (
    "Hoeveel vragen kwamen binnen via de vraaggestuurde werking?",
    "Wat is een burgerinitiatief?",
    "Hoe kunnen we vrijwilligers meer inspraak geven?",
    "Kan een medewerker ons beleidsplan nalezen en feedback geven?",
)

#: Organisation types of the escalation form: (label, value of the triage store).
ORG_TYPE_CHOICES: tuple[tuple[str, str], ...] = (
    ("Erkende organisatie (civiel sociaal-cultureel werk)", "erkend"),
    ("Niet-erkende organisatie", "niet-erkend"),
    ("Secundaire doelgroep (andere organisatie of dienst)", "secundair"),
)

#: How many answers may be computed at the same time (retrieval is CPU-bound).
CHAT_CONCURRENCY = 4

MANUAL_REASON = "De vraagsteller vroeg zelf om een medewerker (knop 'Vraag een medewerker')."
FORM_INTRO_AUTO = (
    "Deze vraag kan een medewerker van Socius beter beantwoorden. Vul hieronder je gegevens in "
    "als je wilt dat we je vraag doorgeven. We gebruiken ze enkel om contact met je op te nemen."
)


def form_intro_auto(route_reason: str | None) -> str:
    """The form's intro after the assistant passed a question on: the router's reason as it gave it."""
    reason = " ".join((route_reason or "").split())
    if not reason:
        return FORM_INTRO_AUTO
    return (
        f"Waarom een medewerker? {reason} Vul hieronder je gegevens in als je wilt dat we je vraag "
        "doorgeven. We gebruiken ze enkel om contact met je op te nemen."
    )


FORM_INTRO_MANUAL = (
    "Wil je dat een medewerker van Socius je vraag bekijkt? Vul hieronder je gegevens in. "
    "We gebruiken ze enkel om contact met je op te nemen."
)
#: Shown when the index or the Chroma server is unavailable; the details (addresses,
#: paths) are for the operator's log, not for visitors.
INDEX_DOWN = (
    "De kennisbank is op dit moment niet bereikbaar. Probeer het over een paar minuten opnieuw: "
    "je vraag staat nog in het invulveld."
)
STORE_ERROR = "Je vraag kon niet worden doorgegeven door een technische fout. Probeer het later opnieuw."
GENERIC_ERROR = (
    "Er ging iets mis bij het beantwoorden van je vraag. Probeer het opnieuw, of vraag een "
    "medewerker via de knop 'Vraag een medewerker'."
)

Turn = dict[str, Any]
Message = dict[str, str]
#: What a handler returns: new values (or ``gr.update(...)``) for the components it changes.
Updates = dict[Block, Any]


def turn_from_answer(answer: Answer) -> Turn:
    """The JSON-able record of one turn kept in the session state."""
    cited = {c.chunk_id for c in answer.citations}
    chunks = {h.chunk.chunk_id: h.chunk.text for h in answer.retrieved if h.chunk.chunk_id in cited}
    return {
        "question": answer.question,
        "text": answer.text,
        "citations": [asdict(c) for c in answer.citations],
        # What retrieval found for a turn that cites nothing: staff see it with an escalated request.
        "found": [] if answer.citations else [asdict(c) for c in found_passages([h.chunk for h in answer.retrieved])],
        "chunks": chunks,
        "route": answer.route,
        "route_reason": answer.route_reason,
        "topic": answer.topic,
        "rating": None,
    }


def history_of(turns: Sequence[Turn]) -> list[Message]:
    """The conversation as ``{role, content}`` messages (plain text, for the assistant and staff)."""
    messages: list[Message] = []
    for t in turns:
        messages.append({"role": "user", "content": str(t.get("question", ""))})
        messages.append({"role": "assistant", "content": str(t.get("text", ""))})
    return messages


def chat_messages(turns: Sequence[Turn], pending: tuple[str, str] | None = None) -> list[Message]:
    """The chatbot value: two messages per turn (question, answer), HTML escaped."""
    messages: list[Message] = []
    for i, t in enumerate(turns):
        messages.append({"role": "user", "content": render_user(str(t.get("question", "")))})
        messages.append(
            {
                "role": "assistant",
                "content": render_answer(
                    str(t.get("text", "")),
                    t.get("citations") or [],
                    t.get("chunks") or {},
                    turn_no=i + 1,
                    route=str(t.get("route", "answer")),
                ),
            }
        )
    if pending is not None:
        question, partial = pending
        messages.append({"role": "user", "content": render_user(question)})
        messages.append({"role": "assistant", "content": render_answer(partial, streaming=True)})
    return messages


@dataclass(frozen=True)
class ChatView:
    """The components of the chat page that handlers read or update."""

    chatbot: gr.Chatbot
    turns: gr.State
    references: gr.State
    question: gr.Textbox
    notice: gr.HTML
    form: gr.Column
    form_intro: gr.HTML
    form_question: gr.Textbox
    form_name: gr.Textbox
    form_org: gr.Textbox
    form_type: gr.Radio
    form_email: gr.Textbox
    form_consent: gr.Checkbox
    form_notice: gr.HTML
    form_result: gr.HTML
    comment: gr.Textbox

    def personal_data_cleared(self) -> dict[Block, Any]:
        """The form's personal fields and consent emptied (a new conversation, another person)."""
        return {
            self.form_name: "",
            self.form_org: "",
            self.form_type: None,
            self.form_email: "",
            self.form_consent: False,
        }


class ChatHandlers:
    """Event handlers of the chat page for one configuration (no per-user state here)."""

    def __init__(
        self,
        settings: Settings,
        assistant: Vraagbaak | None = None,
        *,
        intake: RequestIntake | None = None,
        gaps: GapRecorder | None = None,
    ) -> None:
        self.settings = settings
        self._assistant = assistant
        self._intake = intake
        self._gaps = gaps
        self._view: ChatView | None = None

    @property
    def assistant(self) -> Vraagbaak:
        """The assistant given by the app (or one of its own, made on first use)."""
        if self._assistant is None:
            self._assistant = Vraagbaak(self.settings)
        return self._assistant

    @property
    def intake(self) -> RequestIntake:
        """Where requests and ratings go (the settings' database unless one was given)."""
        if self._intake is None:
            from ..triage.service import TriageService

            self._intake = intake = TriageService.from_settings(self.settings)
            return intake
        return self._intake

    @property
    def view(self) -> ChatView:
        """The page's components; :func:`build_chat_blocks` attaches them."""
        if self._view is None:
            raise RuntimeError("build_chat_blocks(handlers) first: the handlers update the page's components")
        return self._view

    def attach(self, view: ChatView) -> None:
        """Use the components of a built page (done by :func:`build_chat_blocks`)."""
        self._view = view

    # ------------------------------------------------------------------ asking

    def _failed(self, turns: list[Turn], question: str, message: str) -> Updates:
        """The conversation as it was, the question back in its box, the message shown."""
        v = self.view
        return {
            v.chatbot: chat_messages(turns),
            v.turns: turns,
            v.question: question,
            v.notice: render_notice(message, "error"),
        }

    def ask(self, question: str, turns: list[Turn] | None) -> Iterator[Updates]:
        """Stream one answer: the pending bubble, the growing text, then the final answer."""
        v = self.view
        turns = list(turns or [])
        question = question or ""
        if not question.strip():
            yield self._failed(turns, question, "Typ eerst je vraag in het vak 'Je vraag'.")
            return
        shown = question.strip()
        # A new question closes the form of an earlier one (it opens again below if this one escalates).
        yield {
            v.chatbot: chat_messages(turns, (shown, "")),
            v.turns: turns,
            v.question: "",
            v.notice: "",
            v.form: gr.update(visible=False),
            v.form_question: "",
            v.form_notice: "",
            v.form_consent: False,
        }
        partial = ""
        answer: Answer | None = None
        try:
            for event in paced(self.assistant.stream(question, history_of(turns))):
                if isinstance(event, AnswerDone):
                    answer = event.answer
                else:
                    partial += event.text
                    yield {v.chatbot: chat_messages(turns, (shown, partial))}
        except QuestionError as err:
            yield self._failed(turns, question, str(err))
            return
        except IndexUnavailableError as err:
            logger.warning("chat: the index is unavailable: %s", err)
            yield self._failed(turns, question, INDEX_DOWN)
            return
        except VraagbaakError as err:
            logger.warning("chat: question could not be answered: %s", err)
            yield self._failed(turns, question, GENERIC_ERROR)
            return
        except Exception:
            logger.exception("chat: unexpected error while answering")
            yield self._failed(turns, question, GENERIC_ERROR)
            return
        if answer is None:  # pragma: no cover - stream always ends with an Answer
            yield self._failed(turns, question, GENERIC_ERROR)
            return
        turns = [*turns, turn_from_answer(answer)]
        self._note_gap(answer)
        done: Updates = {v.chatbot: chat_messages(turns), v.turns: turns, v.question: ""}
        if (cut := cut_notice(question, self.settings.max_question_chars)) is not None:
            done[v.notice] = render_notice(cut, "info")  # an escalation's notice below replaces it
        if answer.route == "escalate":
            done |= {
                v.notice: render_notice("Je kunt je vraag hieronder doorgeven aan een medewerker.", "info"),
                v.form: gr.update(visible=True),
                v.form_question: answer.question,
                v.form_intro: render_notice(form_intro_auto(answer.route_reason), "info"),
            }
        yield done

    def _note_gap(self, answer: Answer) -> None:
        """A not-found answer goes to the knowledge-gap report (no personal data; see assistant.gaps)."""
        if self._gaps is None:
            return
        try:
            self._gaps.note(answer)
        except VraagbaakError as err:  # the visitor has the answer; the report misses one question
            logger.warning("chat: an unanswered question could not be recorded: %s", err)

    def reset(self) -> Updates:
        """A new conversation: empty chat, no notices, the form closed and emptied, consent withdrawn.

        The next person at the same computer finds no name, e-mail or ticked consent.
        """
        v = self.view
        return {
            v.chatbot: [],
            v.turns: [],
            v.references: [],
            v.question: "",
            v.notice: "",
            v.form: gr.update(visible=False),
            v.form_question: "",
            v.form_notice: "",
            v.form_result: "",
            v.comment: "",
        } | v.personal_data_cleared()

    # ------------------------------------------------------------------ escalation

    def open_form(self, turns: list[Turn] | None, current: str | None = None) -> Updates:
        """Show the escalation form with the question being typed, or else the last one asked."""
        v = self.view
        turns = turns or []
        last = str(turns[-1].get("question", "")) if turns else ""
        return {
            v.form: gr.update(visible=True),
            v.form_question: (current or "").strip() or last,
            v.form_intro: render_notice(FORM_INTRO_MANUAL, "info"),
            v.form_notice: "",
            v.form_consent: False,  # consent is asked for each request
        }

    def close_form(self) -> Updates:
        """Hide the form."""
        v = self.view
        return {v.form: gr.update(visible=False), v.form_notice: ""}

    def submit_request(
        self,
        question: str,
        name: str,
        organisation: str,
        org_type: str | None,
        email: str,
        consent: bool,
        turns: list[Turn] | None,
        references: list[str] | None,
    ) -> Updates:
        """Create a triage request and show its reference.

        Without consent the intake refuses before anything is stored, and its
        Dutch message is shown.
        """
        v = self.view
        turns = list(turns or [])
        references = list(references or [])
        if consent is True and not org_type:
            return {v.form_notice: render_notice("Kies het type van je organisatie.", "error")}
        last = turns[-1] if turns else {}
        text = (question or "").strip() or str(last.get("question", ""))
        escalated = last.get("route") == "escalate" and last.get("question") == text
        reason = str(last.get("route_reason") or "") if escalated else MANUAL_REASON
        topic = last.get("topic") if last and last.get("topic") != "andere" else None
        try:
            submitted = self.intake.submit_request(
                NewRequest(
                    question=text,
                    requester_name=name or "",
                    email=(email or "").strip(),
                    org_type=org_type or "",
                    consent=consent is True,
                    organisation=organisation or None,
                    conversation=history_of(turns),
                    answer=str(last.get("text", "")),
                    citations=list(last.get("citations") or [])
                    or [{**c, "shown": False} for c in last.get("found") or []],
                    route_reason=reason,
                    topic=str(topic) if topic else None,
                )
            )
        except VraagbaakError as err:
            return {v.form_notice: render_notice(str(err), "error")}
        except Exception:
            logger.exception("chat: could not store a triage request")
            return {v.form_notice: render_notice(STORE_ERROR, "error")}
        request = submitted.request
        references.append(request.reference)
        mailed = submitted.confirmation is not None and submitted.confirmation.via == "smtp"
        return {
            v.form_notice: "",
            v.form_result: render_notice(self.confirmation(request.reference, mailed=mailed), "ok"),
            v.references: references,
            v.form: gr.update(visible=False),
            v.form_question: "",
            v.form_consent: False,  # a next request asks for consent again
            v.notice: "",
        }

    def confirmation(self, reference: str, *, mailed: bool = False) -> str:
        """What the requester reads after sending: the reference and when to expect an answer."""
        days = self.settings.reply_days
        sent = " We stuurden je een bevestiging per e-mail." if mailed else ""
        return (
            f"Bedankt! Je vraag is doorgegeven aan een medewerker van Socius. Je referentienummer is "
            f"{reference}. Je krijgt binnen {days} {'werkdag' if days == 1 else 'werkdagen'} een antwoord "
            f"per e-mail.{sent} Vermeld dat nummer als je ons over deze vraag contacteert."
        )

    # ------------------------------------------------------------------ feedback

    def rate(
        self,
        turns: list[Turn] | None,
        comment: str | None,
        data: gr.LikeData,
        request: gr.Request | None = None,
    ) -> Updates:
        """Store a thumbs up/down for the answer that was rated."""
        v = self.view
        turns = list(turns or [])
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        liked = data.liked
        if not isinstance(index, int) or index < 0 or index % 2 != 1 or index // 2 >= len(turns):
            return {v.notice: render_notice("Dat antwoord kan ik niet terugvinden.", "error")}
        if liked is True:
            rating = 1
        elif liked is False:
            rating = -1
        else:
            return {v.notice: ""}
        turn = dict(turns[index // 2])
        note = (comment or "").strip() or None
        if turn.get("rating") == rating and note is None:
            return {v.notice: render_notice("Je beoordeling van dit antwoord was al bewaard.", "info")}
        session = getattr(request, "session_hash", None) if request is not None else None
        try:
            self.intake.rate_answer(
                question=str(turn.get("question", "")),
                answer=str(turn.get("text", "")),
                citations=list(turn.get("citations") or []),
                rating=rating,
                comment=note,
                session_id=session,
            )
        except VraagbaakError as err:
            return {v.notice: render_notice(str(err), "error")}
        turn["rating"] = rating
        turns[index // 2] = turn
        thanks = "Bedankt voor je beoordeling" + (" en je opmerking" if note else "") + "!"
        return {v.notice: render_notice(thanks, "ok"), v.comment: "", v.turns: turns}


def build_chat_blocks(handlers: ChatHandlers) -> gr.Blocks:
    """The chat page as a :class:`gr.Blocks` (mounted at ``/`` by :func:`assistant.web.app.build_app`)."""
    with gr.Blocks(title="Vraagbaak — Socius", analytics_enabled=False) as demo:
        turns = gr.State([])
        references = gr.State([])
        gr.HTML(render_template("chat_header.html"), label="Over de Vraagbaak")
        chatbot = gr.Chatbot(
            label="Gesprek met de Vraagbaak",
            elem_id="vb-chat",
            render_markdown=False,
            sanitize_html=True,
            height=520,
            min_height=280,
            layout="bubble",
            placeholder="Je gesprek verschijnt hier. Stel hieronder je vraag.",
            feedback_options=("Like", "Dislike"),
            buttons=["copy"],
        )
        question = gr.Textbox(
            label="Je vraag",
            placeholder="Bv. Hoeveel vragen kwamen binnen via de vraaggestuurde werking?",
            info="Druk op Enter of klik op 'Vraag stellen'.",
            lines=1,
            max_lines=8,
            elem_id="vb-question",
            html_attributes=gr.InputHTMLAttributes(lang="nl", enterkeyhint="send"),
        )
        with gr.Row(equal_height=True):
            send = gr.Button("Vraag stellen", variant="primary", elem_id="vb-send")
            ask_staff = gr.Button("Vraag een medewerker", elem_id="vb-ask-staff")
            new_chat = gr.Button("Nieuw gesprek", elem_id="vb-new")
        notice = gr.HTML("", label="Meldingen", elem_id="vb-notice")
        with gr.Column(visible=False, elem_id="vb-form") as form:
            gr.HTML("<h2>Je vraag doorgeven aan een medewerker</h2>", label="Formulier")
            form_intro = gr.HTML("", label="Uitleg bij het formulier")
            form_question = gr.Textbox(label="Je vraag voor de medewerker", lines=3, elem_id="vb-f-question")
            form_name = gr.Textbox(
                label="Naam", elem_id="vb-f-name", html_attributes=gr.InputHTMLAttributes(autocomplete="name")
            )
            form_org = gr.Textbox(
                label="Organisatie",
                elem_id="vb-f-org",
                html_attributes=gr.InputHTMLAttributes(autocomplete="organization"),
            )
            form_type = gr.Radio(
                choices=list(ORG_TYPE_CHOICES), label="Type organisatie", elem_id="vb-f-type", value=None
            )
            form_email = gr.Textbox(
                label="E-mailadres",
                type="email",
                elem_id="vb-f-email",
                html_attributes=gr.InputHTMLAttributes(autocomplete="email"),
            )
            form_consent = gr.Checkbox(
                label=(
                    "Ik geef toestemming dat Socius mijn naam, organisatie en e-mailadres bewaart om over "
                    "deze vraag contact met mij op te nemen."
                ),
                value=False,
                elem_id="vb-f-consent",
            )
            with gr.Row():
                form_submit = gr.Button("Verstuur naar een medewerker", variant="primary", elem_id="vb-f-submit")
                form_cancel = gr.Button("Annuleren", elem_id="vb-f-cancel")
            form_notice = gr.HTML("", label="Meldingen bij het formulier", elem_id="vb-f-notice")
        form_result = gr.HTML("", label="Resultaat", elem_id="vb-f-result")
        gr.Examples(
            examples=[[q] for q in EXAMPLES],
            inputs=[question],
            label="Voorbeeldvragen (klik om in te vullen)",
        )
        comment = gr.Textbox(
            label="Opmerking bij je beoordeling (optioneel)",
            info="Typ eventueel eerst een opmerking en klik dan op duim omhoog of omlaag onder een antwoord.",
            lines=1,
            max_lines=4,
            elem_id="vb-comment",
        )
        handlers.attach(
            ChatView(
                chatbot=chatbot,
                turns=turns,
                references=references,
                question=question,
                notice=notice,
                form=form,
                form_intro=form_intro,
                form_question=form_question,
                form_name=form_name,
                form_org=form_org,
                form_type=form_type,
                form_email=form_email,
                form_consent=form_consent,
                form_notice=form_notice,
                form_result=form_result,
                comment=comment,
            )
        )

        private: dict[str, Any] = {"api_visibility": "private"}
        gr.on(
            [send.click, question.submit],
            handlers.ask,
            inputs=[question, turns],
            outputs=[chatbot, turns, question, notice, form, form_question, form_intro, form_notice, form_consent],
            concurrency_limit=CHAT_CONCURRENCY,
            show_progress="minimal",
            **private,
        )
        reset_outputs = [chatbot, turns, references, question, notice, form, form_question, form_notice, form_result]
        reset_outputs += [comment, form_name, form_org, form_type, form_email, form_consent]
        new_chat.click(handlers.reset, outputs=reset_outputs, **private)
        chatbot.clear(handlers.reset, outputs=reset_outputs, **private)
        ask_staff.click(
            handlers.open_form,
            inputs=[turns, question],
            outputs=[form, form_question, form_intro, form_notice, form_consent],
            **private,
        )
        form_cancel.click(handlers.close_form, outputs=[form, form_notice], **private)
        form_submit.click(
            handlers.submit_request,
            inputs=[form_question, form_name, form_org, form_type, form_email, form_consent, turns, references],
            outputs=[form_notice, form_result, references, form, form_question, form_consent, notice],
            **private,
        )
        chatbot.like(handlers.rate, inputs=[turns, comment], outputs=[notice, comment, turns], **private)
    return demo
