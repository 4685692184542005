"""Fast tests of the web app's handlers and HTML (no browser, no index, no models).

The chat handlers get a fake assistant that streams a fixed answer; the triage
and feedback stores use a SQLite file in ``tmp_path``; staff accounts live in a
staff file in ``tmp_path``.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from assistant.answer.extractive import Answer, Citation
from assistant.ingestion.chunking import Chunk
from assistant.query.retrieval import Hit
from assistant.settings import Settings
from assistant.triage.feedback import list_feedback
from assistant.triage.store import TriageStore, dispose_engines
from assistant.web.auth import LoginLimiter, add_account
from assistant.web.chat import MANUAL_REASON, ChatHandlers, chat_messages, history_of
from assistant.web.render import highlight_quote, render_answer, render_request_detail, render_user, safe_url
from assistant.web.staff import ALL, NOT_LOGGED_IN, StaffHandlers, stats_figure

INJECTION = "<img src=x onerror=alert(1)>"
CHUNK_TEXT = (
    "De stijgende lijn zet zich door. In totaal ontvingen we 107 vragen naar ondersteuning: 81 van die "
    "vragen kwamen uit onze primaire doelgroep. <script>alert('chunk')</script> Einde."
)
QUOTE = "In totaal ontvingen we 107 vragen naar ondersteuning: 81 van die vragen kwamen uit onze primaire doelgroep."
PASSWORD = "een-lang-wachtwoord-42"


# --------------------------------------------------------------------------- fixtures (web tests only)


@pytest.fixture
def web_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings with a tmp SQLite database and a tmp staff file holding account 'anna'."""
    staff_file = tmp_path / "staff.txt"
    add_account(staff_file, "anna", PASSWORD)
    settings = Settings().replace(
        database_url=f"sqlite:///{tmp_path / 'vraagbaak.db'}",
        staff_file=staff_file,
        index_dir=tmp_path / "no-index",
    )
    yield settings
    dispose_engines()


class FakeAssistant:
    """Streams a fixed answer in pieces and records the history it was given."""

    def __init__(self, route: str = "answer", echo: bool = False, fail: Exception | None = None) -> None:
        self.route = route
        self.echo = echo
        self.fail = fail
        self.histories: list[list[dict[str, Any]]] = []

    def stream(
        self, question: str, history: list[dict[str, Any]] | None = None, filters: Any = None
    ) -> Iterator[str | Answer]:
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
        yield from (text[:20], text[20:])
        answer = Answer(
            question=question,
            text=text,
            citations=[citation],
            route=self.route,
            route_reason="Maatwerk: een medewerker kan helpen.",
            topic="beleidsplanning",
            retrieved=[Hit(chunk=chunk, score=1.0)],
        )
        yield answer


def run_ask(handlers: ChatHandlers, question: str, turns: list[dict[str, Any]] | None = None) -> list[tuple[Any, ...]]:
    return list(handlers.ask(question, turns or []))


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
    assert "&lt;script&gt;alert(&#x27;chunk&#x27;)&lt;/script&gt;" in html and "<script>" not in html
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
    handlers = ChatHandlers(web_settings, FakeAssistant())  # type: ignore[arg-type]
    outputs = run_ask(handlers, "Hoeveel vragen kwamen binnen?")
    assert len(outputs) >= 4  # placeholder, two pieces, final
    first_chat = outputs[0][0]
    assert "vb-pending" in first_chat[-1]["content"]
    streamed = [o[0][-1]["content"] for o in outputs[1:-1]]
    assert streamed and all("vb-streaming" in c for c in streamed)
    assert "In totaal ontvingen" in streamed[0] and "107" not in streamed[0]
    chat, turns, box = outputs[-1][0], outputs[-1][1], outputs[-1][2]
    assert box == ""
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert "vb-done" in chat[1]["content"] and 'href="#vb-bron-1-1"' in chat[1]["content"]
    assert f"<mark>{QUOTE}</mark>" in chat[1]["content"]
    assert len(turns) == 1 and turns[0]["citations"][0]["quote"] == QUOTE
    assert turns[0]["chunks"] == {"doc:1": CHUNK_TEXT}


def test_injected_question_renders_as_text(web_settings: Settings) -> None:
    handlers = ChatHandlers(web_settings, FakeAssistant(echo=True))  # type: ignore[arg-type]
    chat = run_ask(handlers, INJECTION)[-1][0]
    for message in chat:
        assert "<img" not in message["content"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in chat[0]["content"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in chat[1]["content"]


def test_follow_up_gets_the_sessions_history_only(web_settings: Settings) -> None:
    fake = FakeAssistant()
    handlers = ChatHandlers(web_settings, fake)  # type: ignore[arg-type]
    turns = run_ask(handlers, "Eerste vraag?")[-1][1]
    turns = run_ask(handlers, "En de tweede?", turns)[-1][1]
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
    handlers = ChatHandlers(web_settings, FakeAssistant())  # type: ignore[arg-type]
    outputs = run_ask(handlers, "   ")
    assert len(outputs) == 1
    assert outputs[0][1] == [] and "Typ eerst je vraag" in outputs[0][3]


def test_assistant_errors_are_shown_not_raised(web_settings: Settings) -> None:
    from assistant.errors import IndexUnavailableError

    fail = IndexUnavailableError("no index under /srv/index; run `python -m assistant ingest` first.")
    handlers = ChatHandlers(web_settings, FakeAssistant(fail=fail))  # type: ignore[arg-type]
    last = run_ask(handlers, "Vraag?")[-1]
    # The visitor gets a Dutch message and keeps the question; paths and commands are for the log.
    assert last[1] == [] and "niet bereikbaar" in last[3] and last[2] == "Vraag?"
    assert "/srv/index" not in last[3] and "ingest" not in last[3]
    handlers = ChatHandlers(web_settings, FakeAssistant(fail=RuntimeError("boom")))  # type: ignore[arg-type]
    last = run_ask(handlers, "Vraag?")[-1]
    assert "Er ging iets mis" in last[3] and "boom" not in last[3]


def test_escalate_route_opens_the_form(web_settings: Settings) -> None:
    handlers = ChatHandlers(web_settings, FakeAssistant(route="escalate"))  # type: ignore[arg-type]
    last = run_ask(handlers, "Kan iemand ons plan nalezen?")[-1]
    form, form_question = last[4], last[5]
    assert form.get("visible") is True
    assert form_question == "Kan iemand ons plan nalezen?"
    answer_only = run_ask(ChatHandlers(web_settings, FakeAssistant()), "Vraag?")[-1]  # type: ignore[arg-type]
    assert answer_only[4].get("visible") is None  # unchanged


def test_escalation_without_consent_creates_nothing(web_settings: Settings) -> None:
    handlers = ChatHandlers(web_settings, FakeAssistant(route="escalate"))  # type: ignore[arg-type]
    turns = run_ask(handlers, "Kan iemand ons plan nalezen?")[-1][1]
    notice, _result, refs, _, _ = handlers.submit_request(
        "Kan iemand ons plan nalezen?", "An", "Vzw X", "erkend", "an@example.org", False, turns, []
    )
    assert "Toestemming is nodig" in notice and 'role="alert"' in notice
    assert refs == []
    assert TriageStore.from_settings(web_settings).list() == []


def test_escalation_with_consent_stores_request_and_shows_reference(web_settings: Settings) -> None:
    handlers = ChatHandlers(web_settings, FakeAssistant(route="escalate"))  # type: ignore[arg-type]
    turns = run_ask(handlers, "Kan iemand ons plan nalezen?")[-1][1]
    notice, result, refs, form, chat_notice = handlers.submit_request(
        "Kan iemand ons plan nalezen?", f"An {INJECTION}", "Vzw X", "secundair", "an@example.org", True, turns, []
    )
    assert notice == "" and chat_notice == "" and form.get("visible") is False
    assert len(refs) == 1 and refs[0] in result and refs[0].startswith("VB-")
    stored = TriageStore.from_settings(web_settings).get(refs[0])
    assert stored.requester_name == f"An {INJECTION}" and stored.org_type == "secundair"
    assert stored.route_reason == "Maatwerk: een medewerker kan helpen."
    assert stored.topic == "beleidsplanning"
    assert stored.conversation == history_of(turns)
    assert stored.citations[0]["quote"] == QUOTE
    # Staff see it escaped.
    detail = render_request_detail(stored, TriageStore.from_settings(web_settings).audit(refs[0]))
    assert "<img" not in detail and "An &lt;img src=x onerror=alert(1)&gt;" in detail


def test_manual_escalation_and_missing_org_type(web_settings: Settings) -> None:
    handlers = ChatHandlers(web_settings, FakeAssistant())  # type: ignore[arg-type]
    form, question, intro, _ = handlers.open_form([], "Mijn eigen vraag")
    assert form.get("visible") is True and question == "Mijn eigen vraag" and "medewerker" in intro
    notice, *_ = handlers.submit_request("Mijn eigen vraag", "An", "", None, "an@example.org", True, [], [])
    assert "type van je organisatie" in notice
    notice, _result, refs, _, _ = handlers.submit_request(
        "Mijn eigen vraag", "An", "", "erkend", "an@x.be", True, [], []
    )
    assert refs and TriageStore.from_settings(web_settings).get(refs[0]).route_reason == MANUAL_REASON


def test_feedback_is_stored_per_answer(web_settings: Settings) -> None:
    handlers = ChatHandlers(web_settings, FakeAssistant())  # type: ignore[arg-type]
    turns = run_ask(handlers, "Eerste?")[-1][1]
    turns = run_ask(handlers, "Tweede?", turns)[-1][1]
    request = gr.Request(session_hash="sessie-1")
    notice, comment, turns = handlers.rate(turns, "Klopt niet helemaal", like(3, False), request)
    assert "Bedankt" in notice and comment == ""
    notice, _, turns = handlers.rate(turns, "", like(1, True), request)
    stored = list_feedback(web_settings)
    assert {(f.question, f.rating, f.comment) for f in stored} == {
        ("Tweede?", -1, "Klopt niet helemaal"),
        ("Eerste?", 1, None),
    }
    assert all(f.session_id == "sessie-1" and f.citations[0]["n"] == 1 for f in stored)
    # A user message or an index out of range is refused without storing anything.
    assert "niet terugvinden" in handlers.rate(turns, "", like(0, True), request)[0]
    assert "niet terugvinden" in handlers.rate(turns, "", like(9, True), request)[0]
    assert len(list_feedback(web_settings)) == 2


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
    return TriageStore.from_settings(settings).create_request(**values).reference


def _staff_calls(h: StaffHandlers, ref: str) -> dict[str, Any]:
    select = gr.SelectData(None, {"index": [0, 0], "value": ref, "row_value": [ref]})
    return {
        "whoami": lambda r: h.whoami(r),
        "queue": lambda r: h.queue(ALL, ALL, "", "", r),
        "open_request": lambda r: h.open_request(ref, r),
        "select_request": lambda r: h.select_request(select, r),
        "change_status": lambda r: h.change_status(ref, "opgenomen", "", "", "", "", ALL, ALL, "", "", r),
        "add_note": lambda r: h.add_note(ref, "notitie", r),
        "export_csv": lambda r: h.export_csv(ALL, ALL, "", "", True, r),
        "figures": lambda r: h.figures(2026, r),
    }


@pytest.mark.parametrize("who", [None, "", "mallory"])
def test_staff_handlers_refuse_without_login(web_settings: Settings, tmp_path: Path, who: str | None) -> None:
    ref = _one_request(web_settings)
    handlers = StaffHandlers(web_settings, export_dir=tmp_path / "exports")
    for name, call in _staff_calls(handlers, ref).items():
        with pytest.raises(gr.Error) as info:
            call(gr.Request(username=who) if who is not None else None)
        assert NOT_LOGGED_IN in str(info.value.message), name
    assert TriageStore.from_settings(web_settings).get(ref).status == "nieuw"
    assert not list((tmp_path / "exports").glob("**/*.csv"))


def test_removed_account_loses_access(web_settings: Settings) -> None:
    from assistant.web.auth import remove_account

    handlers = StaffHandlers(web_settings)
    assert handlers.user(staff_request()) == "anna"
    remove_account(Path(web_settings.staff_file), "anna")
    with pytest.raises(gr.Error):
        handlers.whoami(staff_request())


def test_staff_queue_detail_and_status_change(web_settings: Settings, tmp_path: Path) -> None:
    ref = _one_request(web_settings)
    other = _one_request(web_settings, topic="vrijwilligers", org_type="secundair")
    h = StaffHandlers(web_settings, export_dir=tmp_path / "exports")
    r = staff_request()
    assert "anna" in h.whoami(r)
    rows, notice = h.queue(ALL, ALL, "", "", r)
    assert [row[0] for row in rows] == [other, ref] and "2 aanvragen" in notice
    assert rows[1][6] == f"Vraag {INJECTION}"  # plain text cell; the table shows it as text
    rows, _ = h.queue("nieuw", "vrijwilligers", "", "", r)
    assert [row[0] for row in rows] == [other]
    _, notice = h.queue(ALL, ALL, "gisteren", "", r)
    assert "geen geldige datum" in notice

    detail, shown_ref, notice = h.select_request(
        gr.SelectData(None, {"index": [1, 0], "value": ref, "row_value": [ref]}), r
    )
    assert shown_ref == ref and notice == ""
    assert "Vraag &lt;img" in detail and "<img" not in detail and "Zin." in detail

    notice, detail, rows = h.change_status(
        ref, "opgenomen", "", "Past in onze opdracht", "", "Bel <b>An</b>", ALL, ALL, "", "", r
    )
    assert "staat nu op &#x27;opgenomen&#x27;" in notice
    assert "Bel &lt;b&gt;An&lt;/b&gt;" in detail and "anna" in detail
    stored = TriageStore.from_settings(web_settings).get(ref)
    assert stored.status == "opgenomen"
    assert TriageStore.from_settings(web_settings).audit(ref)[-1].by == "anna"

    # An invalid transition shows the store's own message and changes nothing.
    notice, _, _ = h.change_status(ref, "afgewezen", "geen tijd", "", "", "", ALL, ALL, "", "", r)
    assert "eindstatus" in notice and 'role="alert"' in notice
    assert TriageStore.from_settings(web_settings).get(ref).status == "opgenomen"
    notice, _, _ = h.change_status(other, "doorverwezen", "", "", "", "", ALL, ALL, "", "", r)
    assert "bestemming" in notice

    notice, detail, box = h.add_note(ref, "Teruggebeld", r)
    assert "Notitie bewaard" in notice and "Teruggebeld" in detail and box == ""


def test_staff_export_and_figures(web_settings: Settings, tmp_path: Path) -> None:
    ref = _one_request(web_settings)
    _one_request(web_settings, org_type="secundair", topic="vrijwilligers")
    TriageStore.from_settings(web_settings).change_status(ref, "opgenomen", by="anna")
    h = StaffHandlers(web_settings, export_dir=tmp_path / "exports")
    r = staff_request()

    update, notice = h.export_csv(ALL, ALL, "", "", False, r)
    assert "2 aanvragen" in notice and "zonder" in notice and update["visible"] is True
    path = update["value"]
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {row["reference"] for row in rows} >= {ref} and "email" not in rows[0]
    path = h.export_csv("opgenomen", ALL, "", "", True, r)[0]["value"]
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [row["reference"] for row in rows] == [ref] and rows[0]["email"] == "an@example.org"

    year = TriageStore.from_settings(web_settings).get(ref).created_at.year
    summary, figure, table, notice = h.figures(year, r)
    assert summary.startswith("In totaal ontvingen we 2 vragen.") and "We namen 1 van die vragen op" in summary
    assert figure is not None and len(figure.axes) == 3
    assert table[0] == ["Totaal", 2, 1, 0, 0, 1]
    assert "tussen 2000 en 2100" in h.figures(1500, r)[3]


def test_stats_figure_without_requests(web_settings: Settings) -> None:
    stats = TriageStore.from_settings(web_settings).stats()
    fig = stats_figure(stats, 2026)
    assert len(fig.axes) == 3


# --------------------------------------------------------------------------- login and the mounted app


def test_staff_auth_checks_argon2_and_rate_limits(web_settings: Settings) -> None:
    from assistant.web.app import make_staff_auth

    auth = make_staff_auth(web_settings, LoginLimiter(per_minute=3))

    def login(name: str, password: str) -> bool:
        return asyncio.run(auth(name, password))

    assert login("anna", PASSWORD) is True
    assert login("anna", "fout-wachtwoord") is False
    assert login("niemand", PASSWORD) is False
    for _ in range(3):
        login("anna", "fout-wachtwoord")
    assert login("anna", PASSWORD) is False  # locked for a minute, even with the right password


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
        assert bad.status_code == 400
        ok = client.post("/staff/login", data={"username": "anna", "password": PASSWORD})
        assert ok.status_code == 200
        config = client.get("/staff/config")
        assert config.status_code == 200 and config.json().get("username") == "anna"
