"""Fast tests of the web app's handlers and HTML (no browser, no index, no models).

The chat handlers get a fake assistant that streams a fixed answer; the triage
and feedback stores use a SQLite file in ``tmp_path``; staff accounts live in a
staff file in ``tmp_path``.
"""

from __future__ import annotations

import csv
import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from assistant.answer import Answer, AnswerDone, Citation, Route, StreamEvent, TextDelta
from assistant.db import Database
from assistant.errors import AccessDeniedError
from assistant.ingestion.chunking import Chunk
from assistant.query.retrieval import Hit
from assistant.settings import Settings
from assistant.triage import FeedbackStore, TriageStore
from assistant.web.auth import LoginThrottle, add_account, verify_login
from assistant.web.chat import MANUAL_REASON, ChatHandlers, build_chat_blocks, chat_messages, history_of
from assistant.web.render import highlight_quote, render_answer, render_request_detail, render_user, safe_url
from assistant.web.staff import ALL, NOT_LOGGED_IN, StaffHandlers, build_staff_blocks, stats_figure

INJECTION = "<img src=x onerror=alert(1)>"
CHUNK_TEXT = (
    "De stijgende lijn zet zich door. In totaal ontvingen we 107 vragen naar ondersteuning: 81 van die "
    "vragen kwamen uit onze primaire doelgroep. <script>alert('chunk')</script> Einde."
)
QUOTE = "In totaal ontvingen we 107 vragen naar ondersteuning: 81 van die vragen kwamen uit onze primaire doelgroep."
PASSWORD = "een-lang-wachtwoord-42"


# --------------------------------------------------------------------------- fixtures (web tests only)


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    """Settings with a tmp SQLite database and a tmp staff file holding account 'anna'."""
    staff_file = tmp_path / "staff.txt"
    add_account(staff_file, "anna", PASSWORD)
    settings = Settings().replace(
        database_url=f"sqlite:///{tmp_path / 'vraagbaak.db'}",
        staff_file=staff_file,
        index_dir=tmp_path / "no-index",
        outbox_dir=tmp_path / "outbox",
    )
    return settings


def triage_of(settings: Settings) -> TriageStore:
    """The triage store of ``settings`` (its own Database, as the handlers have theirs)."""
    return TriageStore.from_settings(settings, Database.from_settings(settings))


class FakeAssistant:
    """Streams a fixed answer in pieces and records the history it was given."""

    def __init__(
        self, route: str = "answer", echo: bool = False, fail: Exception | None = None, pause_s: float = 0.0
    ) -> None:
        self.route = route
        self.echo = echo
        self.fail = fail
        self.pause_s = pause_s  # before each piece, as a chat model's tokens take time
        self.histories: list[list[dict[str, Any]]] = []

    def stream(
        self, question: str, history: list[dict[str, Any]] | None = None, filters: Any = None
    ) -> Iterator[StreamEvent]:
        self.histories.append(list(history or []))
        if self.fail is not None:
            raise self.fail
        chunk = Chunk(
            chunk_id="doc:1",
            doc_id="jaarverslag",
            title="Jaarverslag <2023>",
            doc_type="publicatie",
            url="https://www.socius.be/jaarverslag-2023",
            section="3. Vraaggestuurde werking",
            page_start=32,
            page_end=32,
            text=CHUNK_TEXT,
        )
        citation = Citation(
            n=1,
            chunk_id="doc:1",
            doc_id="jaarverslag",
            title="Jaarverslag <2023>",
            doc_type="publicatie",
            page=32,
            section="3. Vraaggestuurde werking",
            url="https://www.socius.be/jaarverslag-2023",
            quote=QUOTE,
        )
        text = f"{QUOTE} [1]" + (f" Je vroeg: {question}" if self.echo else "")
        for piece in (text[:20], text[20:]):
            time.sleep(self.pause_s)
            yield TextDelta(piece)
        answer = Answer(
            question=question,
            text=text,
            citations=[citation],
            route=Route(self.route),
            route_reason="Maatwerk: een medewerker kan helpen.",
            topic="beleidsplanning",
            retrieved=[Hit(chunk=chunk, score=1.0)],
        )
        yield AnswerDone(answer)


def chat_page(settings: Settings, assistant: Any) -> ChatHandlers:
    """Handlers of a built chat page (they update that page's components)."""
    handlers = ChatHandlers(settings, assistant)
    build_chat_blocks(handlers)
    return handlers


def staff_page(settings: Settings, export_dir: Path | None = None) -> StaffHandlers:
    """Handlers of a built staff page."""
    handlers = StaffHandlers(settings, export_dir=export_dir)
    build_staff_blocks(handlers)
    return handlers


def named(handlers: ChatHandlers | StaffHandlers, updates: dict[Any, Any]) -> dict[str, Any]:
    """A handler's updates by the field name of the component in the page's view."""
    by_id = {id(getattr(handlers.view, f.name)): f.name for f in dataclasses.fields(handlers.view)}
    return {by_id[id(component)]: value for component, value in updates.items()}


def run_ask(handlers: ChatHandlers, question: str, turns: list[dict[str, Any]] | None = None) -> list[dict[Any, Any]]:
    return list(handlers.ask(question, turns or []))


def last(handlers: ChatHandlers, question: str, turns: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The final updates of one question, by name."""
    return named(handlers, run_ask(handlers, question, turns)[-1])


def like(index: int, liked: bool) -> gr.LikeData:
    return gr.LikeData(None, {"index": index, "value": "", "liked": liked})


def staff_request(name: str | None = "anna") -> gr.Request:
    return gr.Request(username=name, session_hash="staff-session")


# --------------------------------------------------------------------------- rendering


def test_user_text_is_escaped() -> None:
    html = render_user(INJECTION)
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_answer_markers_link_to_source_panel_with_highlighted_quote() -> None:
    citations = [
        {
            "n": 1,
            "chunk_id": "c1",
            "title": "Jaarverslag <b>2023</b>",
            "page": 32,
            "section": "Vraaggestuurd",
            "url": "https://www.socius.be/x?a=1&b=2",
            "quote": QUOTE,
        },
        {
            "n": 2,
            "chunk_id": "c2",
            "title": "Gids",
            "page": None,
            "section": "",
            "url": "javascript:alert(1)",
            "quote": "Iets",
        },
    ]
    html = render_answer("Antwoord <i>een</i> [1] en [2] maar niet [9].", citations, {"c1": CHUNK_TEXT}, turn_no=3)
    assert '<a class="vb-cite" href="#vb-bron-3-1"' in html
    assert '<details class="vb-bron" id="vb-bron-3-1">' in html
    assert f"<mark>{QUOTE}</mark>" in html
    assert "&lt;script&gt;alert(&#39;chunk&#39;)&lt;/script&gt;" in html and "<script>" not in html
    assert "Jaarverslag &lt;b&gt;2023&lt;/b&gt;" in html and "<b>2023" not in html
    assert "p. 32 · Vraaggestuurd" in html
    assert 'href="https://www.socius.be/x?a=1&amp;b=2"' in html
    assert "javascript:" not in html  # unsafe URL: no link
    assert "[9]" in html and "vb-bron-3-9" not in html  # unknown marker stays text
    assert "&lt;i&gt;een&lt;/i&gt;" in html


def test_streaming_answer_shows_pending_text_then_plain_markers() -> None:
    assert "vb-streaming" in render_answer("", streaming=True)
    partial = render_answer("Deel [1", streaming=True)
    assert "vb-cite" not in partial and "Deel [1" in partial


def test_highlight_quote_escapes_and_falls_back() -> None:
    assert highlight_quote("a <b> quote c", "quote") == "a &lt;b&gt; <mark>quote</mark> c"
    assert highlight_quote("andere tekst", "<q>") == "<mark>&lt;q&gt;</mark>"
    assert highlight_quote("een  lange\nzin hier", "lange zin") == "een <mark>lange zin</mark> hier"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://socius.be/a", True),
        ("http://x.be", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("//evil", False),
        (None, False),
    ],
)
def test_safe_url(url: Any, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


# --------------------------------------------------------------------------- chat


def test_ask_streams_and_renders_citations(web_settings: Settings) -> None:
    handlers = chat_page(web_settings, FakeAssistant(pause_s=0.3))  # pieces slower than the page's pace
    outputs = [named(handlers, o) for o in run_ask(handlers, "Hoeveel vragen kwamen binnen?")]
    assert len(outputs) >= 4  # placeholder, two pieces, final
    assert "vb-pending" in outputs[0]["chatbot"][-1]["content"]
    assert outputs[0]["question"] == "" and outputs[0]["notice"] == ""
    streamed = [o["chatbot"][-1]["content"] for o in outputs[1:-1]]
    assert streamed and all("vb-streaming" in c for c in streamed)
    assert all(set(o) == {"chatbot"} for o in outputs[1:-1])  # only the chat changes while streaming
    assert "In totaal ontvingen" in streamed[0] and "107" not in streamed[0]
    final = outputs[-1]
    chat, turns = final["chatbot"], final["turns"]
    assert final["question"] == ""
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert "vb-done" in chat[1]["content"] and 'href="#vb-bron-1-1"' in chat[1]["content"]
    assert f"<mark>{QUOTE}</mark>" in chat[1]["content"]
    assert len(turns) == 1 and turns[0]["citations"][0]["quote"] == QUOTE
    assert turns[0]["chunks"] == {"doc:1": CHUNK_TEXT}


def test_pieces_that_come_together_are_one_update(web_settings: Settings) -> None:
    """An extractive answer is complete before its first piece: no update per piece (issue #15, capacity)."""
    handlers = chat_page(web_settings, FakeAssistant())
    outputs = [named(handlers, o) for o in run_ask(handlers, "Hoeveel vragen kwamen binnen?")]
    assert len(outputs) == 2  # the pending bubble, then the answer
    assert "vb-done" in outputs[-1]["chatbot"][-1]["content"]


def test_injected_question_renders_as_text(web_settings: Settings) -> None:
    handlers = chat_page(web_settings, FakeAssistant(echo=True))
    chat = last(handlers, INJECTION)["chatbot"]
    for message in chat:
        assert "<img" not in message["content"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in chat[0]["content"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in chat[1]["content"]


def test_follow_up_gets_the_sessions_history_only(web_settings: Settings) -> None:
    fake = FakeAssistant()
    handlers = chat_page(web_settings, fake)
    turns = last(handlers, "Eerste vraag?")["turns"]
    turns = last(handlers, "En de tweede?", turns)["turns"]
    assert fake.histories[1] == [
        {"role": "user", "content": "Eerste vraag?"},
        {"role": "assistant", "content": f"{QUOTE} [1]"},
    ]
    assert len(turns) == 2
    # Another browser session (its own empty state) does not see that conversation.
    run_ask(handlers, "Vraag van iemand anders")
    assert fake.histories[2] == []
    assert len(chat_messages(turns)) == 4


def test_empty_question_gives_dutch_error_and_no_turn(web_settings: Settings) -> None:
    handlers = chat_page(web_settings, FakeAssistant())
    outputs = run_ask(handlers, "   ")
    assert len(outputs) == 1
    out = named(handlers, outputs[0])
    assert out["turns"] == [] and "Typ eerst je vraag" in out["notice"]


def test_assistant_errors_are_shown_not_raised(web_settings: Settings) -> None:
    from assistant.errors import IndexUnavailableError

    fail = IndexUnavailableError("no index under /srv/index; run `python -m assistant ingest` first.")
    handlers = chat_page(web_settings, FakeAssistant(fail=fail))
    out = last(handlers, "Vraag?")
    # The visitor gets a Dutch message and keeps the question; paths and commands are for the log.
    assert out["turns"] == [] and "niet bereikbaar" in out["notice"] and out["question"] == "Vraag?"
    assert out["chatbot"] == []  # the pending bubble is gone
    assert "/srv/index" not in out["notice"] and "ingest" not in out["notice"]
    handlers = chat_page(web_settings, FakeAssistant(fail=RuntimeError("boom")))
    out = last(handlers, "Vraag?")
    assert "Er ging iets mis" in out["notice"] and "boom" not in out["notice"]


def test_escalate_route_opens_the_form(web_settings: Settings) -> None:
    handlers = chat_page(web_settings, FakeAssistant(route="escalate"))
    out = last(handlers, "Kan iemand ons plan nalezen?")
    assert out["form"].get("visible") is True
    assert out["form_question"] == "Kan iemand ons plan nalezen?"
    assert "form" not in last(chat_page(web_settings, FakeAssistant()), "Vraag?")  # unchanged


def test_escalation_without_consent_creates_nothing(web_settings: Settings) -> None:
    handlers = chat_page(web_settings, FakeAssistant(route="escalate"))
    turns = last(handlers, "Kan iemand ons plan nalezen?")["turns"]
    out = named(
        handlers,
        handlers.submit_request(
            "Kan iemand ons plan nalezen?", "An", "Vzw X", "erkend", "an@example.org", False, turns, []
        ),
    )
    assert set(out) == {"form_notice"}  # nothing else changes: no reference, the form stays open
    assert "Toestemming is nodig" in out["form_notice"] and 'role="alert"' in out["form_notice"]
    assert triage_of(web_settings).list() == []


def test_escalation_with_consent_stores_request_and_shows_reference(web_settings: Settings) -> None:
    handlers = chat_page(web_settings, FakeAssistant(route="escalate"))
    turns = last(handlers, "Kan iemand ons plan nalezen?")["turns"]
    out = named(
        handlers,
        handlers.submit_request(
            "Kan iemand ons plan nalezen?", f"An {INJECTION}", "Vzw X", "secundair", "an@example.org", True, turns, []
        ),
    )
    assert out["form_notice"] == "" and out["notice"] == "" and out["form"].get("visible") is False
    refs = out["references"]
    assert len(refs) == 1 and refs[0] in out["form_result"] and refs[0].startswith("VB-")
    stored = triage_of(web_settings).get(refs[0])
    assert stored.requester_name == f"An {INJECTION}" and stored.org_type == "secundair"
    assert stored.route_reason == "Maatwerk: een medewerker kan helpen."
    assert stored.topic == "beleidsplanning"
    assert stored.conversation == history_of(turns)
    assert stored.citations[0]["quote"] == QUOTE
    # Staff see it escaped.
    detail = render_request_detail(stored, triage_of(web_settings).audit(refs[0]))
    assert "<img" not in detail and "An &lt;img src=x onerror=alert(1)&gt;" in detail


def test_manual_escalation_and_missing_org_type(web_settings: Settings) -> None:
    handlers = chat_page(web_settings, FakeAssistant())
    out = named(handlers, handlers.open_form([], "Mijn eigen vraag"))
    assert out["form"].get("visible") is True and out["form_question"] == "Mijn eigen vraag"
    assert "medewerker" in out["form_intro"]
    out = named(handlers, handlers.submit_request("Mijn eigen vraag", "An", "", None, "an@example.org", True, [], []))
    assert "type van je organisatie" in out["form_notice"]
    out = named(handlers, handlers.submit_request("Mijn eigen vraag", "An", "", "erkend", "an@x.be", True, [], []))
    refs = out["references"]
    assert refs and triage_of(web_settings).get(refs[0]).route_reason == MANUAL_REASON


def test_feedback_is_stored_per_answer(web_settings: Settings) -> None:
    handlers = chat_page(web_settings, FakeAssistant())
    turns = last(handlers, "Eerste?")["turns"]
    turns = last(handlers, "Tweede?", turns)["turns"]
    request = gr.Request(session_hash="sessie-1")
    out = named(handlers, handlers.rate(turns, "Klopt niet helemaal", like(3, False), request))
    assert "Bedankt" in out["notice"] and out["comment"] == ""
    out = named(handlers, handlers.rate(out["turns"], "", like(1, True), request))
    turns = out["turns"]
    stored = FeedbackStore(Database.from_settings(web_settings)).list()
    assert {(f.question, f.rating, f.comment) for f in stored} == {
        ("Tweede?", -1, "Klopt niet helemaal"),
        ("Eerste?", 1, None),
    }
    assert all(f.session_id == "sessie-1" and f.citations[0]["n"] == 1 for f in stored)
    # A user message or an index out of range is refused without storing anything.
    assert "niet terugvinden" in named(handlers, handlers.rate(turns, "", like(0, True), request))["notice"]
    assert "niet terugvinden" in named(handlers, handlers.rate(turns, "", like(9, True), request))["notice"]
    assert len(FeedbackStore(Database.from_settings(web_settings)).list()) == 2


# --------------------------------------------------------------------------- staff


def _one_request(settings: Settings, **extra: Any) -> str:
    values: dict[str, Any] = {
        "question": f"Vraag {INJECTION}",
        "requester_name": "An",
        "email": "an@example.org",
        "org_type": "erkend",
        "consent": True,
        "topic": "beleidsplanning",
        "conversation": [{"role": "user", "content": "Vraag"}, {"role": "assistant", "content": "Antwoord [1]"}],
        "answer": "Antwoord [1]",
        "citations": [{"n": 1, "title": "Jaarverslag", "quote": "Zin.", "page": 3}],
    }
    values.update(extra)
    return triage_of(settings).create_request(**values).reference


def _staff_calls(h: StaffHandlers, ref: str) -> dict[str, Any]:
    select = gr.SelectData(None, {"index": [0, 0], "value": ref, "row_value": [ref]})
    return {
        "whoami": lambda r: h.whoami(r),
        "queue": lambda r: h.queue(ALL, ALL, "", "", False, "", r),
        "count_new": lambda r: h.count_new(r),
        "take": lambda r: h.take(ref, r),
        "assign": lambda r: h.assign(ref, "anna", r),
        "open_request": lambda r: h.open_request(ref, r),
        "select_request": lambda r: h.select_request(select, r),
        "change_status": lambda r: h.change_status(ref, "opgenomen", "", "", "", "", r),
        "add_note": lambda r: h.add_note(ref, "notitie", r),
        "export_csv": lambda r: h.export_csv(ALL, ALL, "", "", False, "", True, r),
        "figures": lambda r: h.figures(2026, r),
    }


@pytest.mark.parametrize("who", [None, "", "mallory"])
def test_staff_handlers_refuse_without_login(web_settings: Settings, tmp_path: Path, who: str | None) -> None:
    ref = _one_request(web_settings)
    handlers = staff_page(web_settings, tmp_path / "exports")
    for name, call in _staff_calls(handlers, ref).items():
        with pytest.raises(gr.Error) as info:
            call(gr.Request(username=who) if who is not None else None)
        assert NOT_LOGGED_IN in str(info.value.message), name
    assert triage_of(web_settings).get(ref).status == "nieuw"
    assert not list((tmp_path / "exports").glob("**/*.csv"))


def test_removed_account_loses_access(web_settings: Settings) -> None:
    from assistant.web.auth import remove_account

    handlers = staff_page(web_settings)
    assert handlers.user(staff_request()) == "anna"
    remove_account(Path(web_settings.staff_file), "anna")
    with pytest.raises(gr.Error):
        handlers.whoami(staff_request())


def test_staff_queue_detail_and_status_change(web_settings: Settings, tmp_path: Path) -> None:
    ref = _one_request(web_settings)
    other = _one_request(web_settings, topic="vrijwilligers", org_type="secundair")
    h = staff_page(web_settings, tmp_path / "exports")
    r = staff_request()
    assert "anna" in named(h, h.whoami(r))["who"]
    out = named(h, h.queue(ALL, ALL, "", "", False, "", r))
    rows = out["table"]
    assert [row[0] for row in rows] == [other, ref] and "2 aanvragen" in out["queue_notice"]
    assert rows[1][6] == f"Vraag {INJECTION}"  # plain text cell; the table shows it as text
    rows = named(h, h.queue("nieuw", "vrijwilligers", "", "", False, "", r))["table"]
    assert [row[0] for row in rows] == [other]
    out = named(h, h.queue(ALL, ALL, "gisteren", "", False, "", r))
    assert "table" not in out and "geen geldige datum" in out["queue_notice"]

    out = named(h, h.select_request(gr.SelectData(None, {"index": [1, 0], "value": ref, "row_value": [ref]}), r))
    assert out["reference"] == ref and out["status_notice"] == ""
    detail = out["detail"]
    assert "Vraag &lt;img" in detail and "<img" not in detail and "Zin." in detail

    out = named(
        h,
        h.change_status(ref, "opgenomen", "", "Past in onze opdracht", "", "Bel <b>An</b>", r),
    )
    assert "staat nu op &#39;opgenomen&#39;" in out["status_notice"]
    assert "Bel &lt;b&gt;An&lt;/b&gt;" in out["detail"] and "anna" in out["detail"]
    assert "1 aanvraag met status" in out["new_count"]  # the page refreshes the table itself (.then)
    stored = triage_of(web_settings).get(ref)
    assert stored.status == "opgenomen"
    assert triage_of(web_settings).audit(ref)[-1].by == "anna"

    # An invalid transition shows the store's own message and changes nothing.
    out = named(h, h.change_status(ref, "afgewezen", "geen tijd", "", "", "", r))
    assert set(out) == {"status_notice"}
    assert "eindstatus" in out["status_notice"] and 'role="alert"' in out["status_notice"]
    assert triage_of(web_settings).get(ref).status == "opgenomen"
    out = named(h, h.change_status(other, "doorverwezen", "", "", "", "", r))
    assert "bestemming" in out["status_notice"]

    out = named(h, h.add_note(ref, "Teruggebeld", r))
    assert "Notitie bewaard" in out["status_notice"] and "Teruggebeld" in out["detail"] and out["extra_note"] == ""


def test_staff_export_and_figures(web_settings: Settings, tmp_path: Path) -> None:
    ref = _one_request(web_settings)
    _one_request(web_settings, org_type="secundair", topic="vrijwilligers")
    triage_of(web_settings).change_status(ref, "opgenomen", by="anna")
    h = staff_page(web_settings, tmp_path / "exports")
    r = staff_request()

    out = named(h, h.export_csv(ALL, ALL, "", "", False, "", False, r))
    notice, update = out["export_notice"], out["export_file"]
    assert "2 aanvragen" in notice and "zonder" in notice and update["visible"] is True
    rows = read_spreadsheet_csv(update["value"])
    assert {row["Referentie"] for row in rows} >= {ref} and "E-mail" not in rows[0] and "Notities" not in rows[0]
    path = named(h, h.export_csv("opgenomen", ALL, "", "", False, "", True, r))["export_file"]["value"]
    rows = read_spreadsheet_csv(path)
    assert [row["Referentie"] for row in rows] == [ref] and rows[0]["E-mail"] == "an@example.org"

    year = triage_of(web_settings).get(ref).created_at.year
    out = named(h, h.figures(year, r))
    assert out["summary"].startswith("In totaal ontvingen we 2 vragen.")
    assert "We namen 1 van die vragen op" in out["summary"]
    assert out["plot"] is not None and len(out["plot"].axes) == 3
    assert out["figures_table"][0] == ["Totaal", 2, 1, 0, 0, 1]
    assert "tussen 2000 en 2100" in named(h, h.figures(1500, r))["figures_notice"]


def test_stats_figure_without_requests(web_settings: Settings) -> None:
    stats = triage_of(web_settings).stats()
    fig = stats_figure(stats, 2026)
    assert len(fig.axes) == 3


# --------------------------------------------------------------------------- login and the mounted app


def test_staff_auth_checks_argon2_and_rate_limits(web_settings: Settings) -> None:
    throttle = LoginThrottle(3, base_s=60)

    def login(name: str, password: str) -> bool:
        try:
            return verify_login(Path(web_settings.staff_file), name, password, throttle, "10.0.0.1") == name
        except AccessDeniedError:
            return False

    assert login("anna", PASSWORD) is True
    assert login("anna", "fout-wachtwoord") is False
    assert login("niemand", PASSWORD) is False
    for _ in range(3):
        login("anna", "fout-wachtwoord")
    assert login("anna", PASSWORD) is False  # has to wait now, even with the right password


def test_mounted_app_protects_the_staff_page(web_settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from assistant.web.app import build_app

    app = build_app(web_settings, assistant=FakeAssistant(), warm=False)  # type: ignore[arg-type]
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok", "ready": True}
        home = client.get("/")
        assert home.status_code == 200 and home.headers["x-frame-options"] == "DENY"
        assert client.get("/config").status_code == 200
        # Without a login the staff app shows only its login: no components, no API.
        assert client.get("/staff/config").status_code == 401
        assert client.get("/staff/gradio_api/info").status_code == 401
        join = {"data": [None, None, None, None], "fn_index": 1, "session_hash": "x", "event_data": None}
        assert client.post("/staff/gradio_api/queue/join", json=join).status_code == 401
        bad = client.post("/staff/login", data={"username": "anna", "password": "fout"})
        assert bad.status_code == 401
        ok = client.post("/staff/login", data={"username": "anna", "password": PASSWORD})
        assert ok.status_code == 200
        config = client.get("/staff/config")
        assert config.status_code == 200 and config.json().get("username") == "anna"


# --------------------------------------------------------------------------- forms that cannot mislead (issue #16)


def test_new_conversation_forgets_personal_data_and_consent(web_settings: Settings) -> None:
    handlers = chat_page(web_settings, FakeAssistant(route="escalate"))
    turns = last(handlers, "Kan iemand ons plan nalezen?")["turns"]
    out = named(handlers, handlers.reset())
    assert out["chatbot"] == [] and out["turns"] == [] and out["references"] == []
    assert out["form"].get("visible") is False and out["form_question"] == ""
    assert (out["form_name"], out["form_org"], out["form_type"], out["form_email"]) == ("", "", None, "")
    assert out["form_consent"] is False
    assert turns  # the old conversation existed


def test_a_new_question_closes_the_form_and_consent_is_asked_per_request(web_settings: Settings) -> None:
    handlers = chat_page(web_settings, FakeAssistant())
    opened = named(handlers, handlers.open_form([], "Eerste vraag"))
    assert opened["form"].get("visible") is True and opened["form_consent"] is False
    first = named(handlers, run_ask(handlers, "Een nieuwe vraag?")[0])
    assert first["form"].get("visible") is False and first["form_question"] == ""
    assert first["form_consent"] is False
    sent = named(
        handlers, handlers.submit_request("Mijn vraag", "An", "Vzw X", "erkend", "an@example.org", True, [], [])
    )
    assert sent["form_consent"] is False and sent["form_question"] == ""
    assert f"binnen {web_settings.reply_days} werkdagen" in sent["form_result"]


def test_escalation_form_gives_the_routers_reason_as_is(web_settings: Settings) -> None:
    handlers = chat_page(web_settings, FakeAssistant(route="escalate"))
    out = last(handlers, "Kan iemand ons plan nalezen?")
    assert "Maatwerk: een medewerker kan helpen." in out["form_intro"]


def _opened_forms(out: dict[str, Any]) -> None:
    for field in ("decline", "reason", "referred", "note", "extra_note"):
        assert out[field] == "", field


def test_staff_take_assign_mine_search_and_new_count(web_settings: Settings, tmp_path: Path) -> None:
    add_account(Path(web_settings.staff_file), "bert", PASSWORD)
    ref = _one_request(web_settings, organisation="Vormingplus Waasland")
    other = _one_request(web_settings, question="Hoe werven we vrijwilligers?", organisation="Vzw Anders")
    store = triage_of(web_settings)
    store.add_note(other, "Teruggebeld over de kalender", by="bert")
    h = staff_page(web_settings, tmp_path / "exports")
    r = staff_request()
    assert "2 aanvragen met status" in named(h, h.count_new(r))["new_count"]

    out = named(h, h.take(ref, r))
    assert "toegewezen aan jou" in out["status_notice"] and store.get(ref).assignee == "anna"
    assert "anna" in out["detail"]
    _opened_forms(out)
    out = named(h, h.assign(other, "bert", r))
    assert store.get(other).assignee == "bert" and "toegewezen aan bert" in out["status_notice"]
    assert "Kies een collega" in named(h, h.assign(other, "mallory", r))["status_notice"]

    mine = named(h, h.queue(ALL, ALL, "", "", True, "", r))["table"]
    assert [row[0] for row in mine] == [ref] and mine[0][7] == "anna"
    for query, expected in (("waasland", [ref]), ("vormingplus", [ref]), ("kalender", [other]), ("", [other, ref])):
        rows = named(h, h.queue(ALL, ALL, "", "", False, query, r))["table"]
        assert [row[0] for row in rows] == expected, query
    assert named(h, h.queue(ALL, ALL, "", "", False, "bestaat-niet", r))["table"] == []


def test_final_status_explains_itself_and_forms_are_emptied(web_settings: Settings, tmp_path: Path) -> None:
    ref = _one_request(web_settings)
    h = staff_page(web_settings, tmp_path / "exports")
    r = staff_request()
    out = named(h, h.change_status(ref, "opgenomen", "", "Past", "", "Bel An", r))
    _opened_forms(out)  # no text left to be saved on the next request
    assert out["new_status"]["choices"] == [("in behandeling", "in behandeling")] or out["new_status"]["choices"] == [
        "in behandeling"
    ]
    assert "eindstatus" in out["status_help"] and "Heropen" in out["status_help"]
    refused = named(h, h.change_status(ref, "afgewezen", "", "", "", "", r))
    message = refused["status_notice"]
    assert "eindstatus" in message and "Heropen" in message and "reden" not in message.lower()
    assert set(refused) == {"status_notice"}  # what was typed stays


def test_similar_earlier_requests_with_their_outcome(web_settings: Settings) -> None:
    store = triage_of(web_settings)
    early = _one_request(web_settings, question="Kan iemand ons beleidsplan nalezen voor de subsidieaanvraag?")
    store.change_status(early, "doorverwezen", by="anna", referred_to="Vormingplus Gent")
    _one_request(web_settings, question="Wat kost een vorming rond sociale media?")
    new = _one_request(web_settings, question="Wil een medewerker ons beleidsplan nalezen?")
    h = staff_page(web_settings)
    detail = named(h, h.open_request(new, staff_request()))["detail"]
    section = detail.split("Vergelijkbare eerdere aanvragen", 1)[1].split("Historiek", 1)[0]
    assert early in section and "doorverwezen naar Vormingplus Gent" in section
    assert "sociale media" not in section


def test_times_are_local_and_dutch(web_settings: Settings) -> None:
    from datetime import UTC, datetime

    from assistant.triage.local_time import add_working_days, dutch_datetime

    winter = datetime(2026, 12, 2, 13, 5, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 12, 5, tzinfo=UTC)
    assert dutch_datetime(winter, "Europe/Brussels") == "2 december 2026 14:05"
    assert dutch_datetime(summer, "Europe/Brussels") == "1 juli 2026 14:05"
    assert str(add_working_days(datetime(2026, 12, 4).date(), 1)) == "2026-12-07"  # Friday -> Monday
    ref = (
        triage_of(web_settings)
        .create_request(
            question="Vraag",
            requester_name="An",
            email="an@example.org",
            org_type="erkend",
            consent=True,
            created_at=winter,
        )
        .reference
    )
    h = staff_page(web_settings)
    out = named(h, h.open_request(ref, staff_request()))
    assert "2 december 2026 14:05" in out["detail"] and "UTC" not in out["detail"]
    rows = named(h, h.queue(ALL, ALL, "", "", False, "", staff_request()))["table"]
    assert rows[0][1] == "2 december 2026 14:05"


def read_spreadsheet_csv(path: str | Path) -> list[dict[str, str]]:
    """Read an export the way a Belgian spreadsheet does: UTF-8 with BOM, ';' between cells."""
    raw = Path(path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def test_csv_export_for_a_belgian_spreadsheet(web_settings: Settings, tmp_path: Path) -> None:
    """Parsed with ';': Dutch headers, local times, accents intact, notes with personal data,
    formulas defused, and the queue's search and 'mijn vragen' filters applied."""
    from datetime import UTC, datetime

    store = triage_of(web_settings)
    winter = store.create_request(
        question="Wat met de café-uitbating?",
        requester_name="Zoë Maes",
        email="zoe@example.org",
        org_type="erkend",
        consent=True,
        organisation="=SOM(A1)",
        created_at=datetime(2026, 12, 2, 13, 5, tzinfo=UTC),
    ).reference
    summer = store.create_request(
        question="Vraag in juli",
        requester_name="Jan",
        email="jan@example.org",
        org_type="secundair",
        consent=True,
        created_at=datetime(2026, 7, 1, 12, 5, tzinfo=UTC),
    ).reference
    store.add_note(winter, "Teruggebeld; komt langs", by="anna")
    store.assign(winter, "anna", by="anna")
    h = staff_page(web_settings, tmp_path / "exports")
    r = staff_request()
    rows = read_spreadsheet_csv(named(h, h.export_csv(ALL, ALL, "", "", False, "", True, r))["export_file"]["value"])
    by_ref = {row["Referentie"]: row for row in rows}
    assert list(rows[0])[:4] == ["Referentie", "Ontvangen", "Laatst gewijzigd", "Status"]
    assert by_ref[winter]["Ontvangen"] == "02/12/2026 14:05"  # CET, UTC+1
    assert by_ref[summer]["Ontvangen"] == "01/07/2026 14:05"  # CEST, UTC+2
    assert by_ref[winter]["Naam"] == "Zoë Maes" and by_ref[winter]["Vraag"] == "Wat met de café-uitbating?"
    assert by_ref[winter]["Organisatie"] == "'=SOM(A1)"
    assert "anna: Teruggebeld; komt langs" in by_ref[winter]["Notities"]  # a ';' inside a cell stays in it
    assert by_ref[winter]["Behandelaar"] == "anna"
    mine = read_spreadsheet_csv(named(h, h.export_csv(ALL, ALL, "", "", True, "", True, r))["export_file"]["value"])
    assert [row["Referentie"] for row in mine] == [winter]
    found = read_spreadsheet_csv(
        named(h, h.export_csv(ALL, ALL, "", "", False, "juli", True, r))["export_file"]["value"]
    )
    assert [row["Referentie"] for row in found] == [summer]
