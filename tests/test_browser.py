"""The real web app in a real browser: Debian's chromium driven by Playwright.

One server (``python app.py``) is started for the module on 127.0.0.1 with a
free port, a temporary SQLite database and staff file, and the project's index
(``ASSISTANT_INDEX`` or ``index/``, built by ``make``).  The tests walk through
what people do: ask, open a citation, ask a follow-up, pass a question on to
staff; staff log in, find the request and take it up.  Screenshots of every step
and the measured answer times land in ``test-output/browser/``.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_kit import chromium_path, launched_chromium
from conftest import app_env, free_port, running_app

from assistant.db import Database
from assistant.index.embedders import slug
from assistant.settings import PROJECT_ROOT, load_settings
from assistant.triage import FeedbackStore

pytestmark = pytest.mark.browser

OUT = PROJECT_ROOT / "test-output" / "browser"
STAFF_NAME = "medewerker"
STAFF_PASSWORD = "browser-test-wachtwoord-2026"
INJECTION = "<img src=x onerror=alert(1)>"
QUESTION = "Hoeveel vragen kwamen binnen via de vraaggestuurde werking?"
FOLLOW_UP = "En hoeveel daarvan kwamen uit de secundaire doelgroep?"
ESCALATE = "Kan een medewerker ons beleidsplan nalezen en feedback geven?"
TIMED_QUESTIONS = (
    QUESTION,
    "Wat is een burgerinitiatief?",
    "Hoe kunnen we vrijwilligers meer inspraak geven?",
    "Wat verwacht het decreet van een beleidsplan?",
    "Hoeveel deelnemers bereikte de vraaggestuurde dienstverlening?",
)
ANSWER_TIMEOUT_MS = 90_000


@dataclass
class Server:
    base: str
    database_url: str
    log: Path


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_path()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = load_settings()
    current = Path(settings.index_dir) / slug(settings.embedder) / "CURRENT"
    if not current.exists():
        pytest.fail(f"no index at {settings.index_dir} ({settings.embedder}); build it with `make index`")
    tmp = tmp_path_factory.mktemp("webapp")
    env = app_env(tmp, free_port(), VRAAGBAAK_TEST_STAFF_PASSWORD=STAFF_PASSWORD)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "staff",
            "add",
            STAFF_NAME,
            "--password-env",
            "VRAAGBAAK_TEST_STAFF_PASSWORD",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    log = tmp / "app.log"
    with running_app(env, log) as base:
        yield Server(base=base, database_url=env["ASSISTANT_DATABASE_URL"], log=log)


@pytest.fixture(scope="module")
def browser(chromium: str, server: Server) -> Iterator[Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    with launched_chromium(chromium) as b:
        yield b


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh browser session (own cookies, own Gradio session) on the chat page."""
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    pg.set_default_timeout(30_000)
    pg.goto(server.base + "/")
    pg.get_by_label("Je vraag").wait_for()
    yield pg
    context.close()


def shot(pg: Any, name: str) -> None:
    pg.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def done_count(pg: Any) -> int:
    return int(pg.locator("#vb-chat .vb-answer.vb-done").count())


# Records, in the page, when the answer's first text and its final form appear
# after the click on "Vraag stellen" (polled every few ms, as the user sees it).
TIMER_JS = """
(before) => {
  window.__vbTiming = {};
  const t = window.__vbTiming;
  document.querySelector('#vb-send').addEventListener('click', () => {
    t.start = performance.now();
    const tick = () => {
      const answers = document.querySelectorAll('#vb-chat .vb-answer');
      const done = document.querySelectorAll('#vb-chat .vb-answer.vb-done').length;
      const last = answers[answers.length - 1];
      if (last && answers.length > before && !t.first && !last.querySelector('.vb-pending')
          && last.textContent.trim()) {
        t.first = performance.now();
      }
      if (done > before) { t.done = performance.now(); if (!t.first) { t.first = t.done; } return; }
      setTimeout(tick, 5);
    };
    tick();
  }, {once: true, capture: true});
}
"""


def ask(pg: Any, question: str, *, timed: bool = False) -> dict[str, float] | None:
    """Type a question, press the button, wait for the final answer; return timings."""
    before = done_count(pg)
    pg.get_by_label("Je vraag").fill(question)
    if timed:
        pg.evaluate(TIMER_JS, before)
    pg.locator("#vb-send").click()
    pg.wait_for_function(
        f"document.querySelectorAll('#vb-chat .vb-answer.vb-done').length > {before}", timeout=ANSWER_TIMEOUT_MS
    )
    if not timed:
        return None
    t = pg.evaluate("window.__vbTiming")
    return {"first_token_ms": round(t["first"] - t["start"], 1), "full_answer_ms": round(t["done"] - t["start"], 1)}


def last_answer(pg: Any) -> Any:
    return pg.locator("#vb-chat .vb-answer.vb-done").last


def test_chat_answer_citation_follow_up_and_timings(page: Any, server: Server) -> None:
    shot(page, "01-chat-start")
    timings = ask(page, QUESTION, timed=True)
    answer = page.locator("#vb-chat .vb-answer.vb-done").nth(0)
    first_text = answer.inner_text()
    assert "107" in first_text
    shot(page, "02-answer")

    # [1] opens the cited passage, the quote highlighted, with a link to the source.
    cite = answer.locator("a.vb-cite").first
    assert cite.inner_text() == "[1]"
    panel = answer.locator("details.vb-bron").first
    assert panel.get_attribute("open") is None
    cite.click()
    page.wait_for_function("document.querySelector('#vb-chat details.vb-bron[open]') !== null")
    mark = answer.locator("details.vb-bron[open] mark").first
    assert mark.is_visible() and len(mark.inner_text()) > 20
    assert answer.locator("details.vb-bron[open] a[href^='http']").first.is_visible()
    assert answer.locator("details.vb-bron[open] summary").first.inner_text().startswith("[1]")
    shot(page, "03-citation-open")

    # Thumbs down with a comment on that answer is stored.
    page.get_by_label("Opmerking bij je beoordeling (optioneel)").fill("Graag ook de cijfers van 2024")
    page.locator("#vb-chat").get_by_role("button", name="Vind ik niet leuk").first.click()
    page.locator("#vb-notice .vb-ok").wait_for()
    ratings = FeedbackStore(Database(server.database_url)).list()
    assert [(f.rating, f.comment) for f in ratings] == [(-1, "Graag ook de cijfers van 2024")]
    assert ratings[0].question == QUESTION

    # A follow-up within the same conversation.
    ask(page, FOLLOW_UP)
    assert done_count(page) == 2
    follow = last_answer(page).inner_text()
    assert "secundaire" in follow and follow != first_text
    assert last_answer(page).locator("a.vb-cite").count() >= 1
    shot(page, "04-follow-up")

    # More questions in fresh sessions, for the time to first token / full answer.
    results = [{"question": QUESTION, **(timings or {})}]
    for q in TIMED_QUESTIONS[1:]:
        page.locator("#vb-new").click()
        page.wait_for_function("document.querySelectorAll('#vb-chat .vb-answer').length === 0")
        results.append({"question": q, **(ask(page, q, timed=True) or {})})
    first = [r["first_token_ms"] for r in results]
    full = [r["full_answer_ms"] for r in results]
    report = {
        "measured": "ms from the click on 'Vraag stellen' until the answer's first text / its final form "
        "(with citation links) is in the page's DOM; polled in the page every 5 ms",
        "questions": results,
        "first_token_ms": {"median": statistics.median(first), "max": max(first)},
        "full_answer_ms": {"median": statistics.median(full), "max": max(full)},
    }
    (OUT / "timings.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert max(full) < ANSWER_TIMEOUT_MS


def test_injected_html_renders_as_text(page: Any) -> None:
    ask(page, INJECTION)
    chat = page.locator("#vb-chat")
    assert chat.locator("img").count() == 0
    assert page.locator("#vb-chat .vb-question").last.inner_text() == INJECTION
    page.wait_for_timeout(300)
    assert page.dialogs == []
    shot(page, "05-injection-as-text")


def test_keyboard_only_question_and_citation(page: Any) -> None:
    box = page.get_by_label("Je vraag")
    box.focus()
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelectorAll('#vb-chat .vb-answer.vb-done').length > 0", timeout=ANSWER_TIMEOUT_MS
    )
    cite = last_answer(page).locator("a.vb-cite").first
    cite.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#vb-chat details.vb-bron[open]') !== null")
    focused = page.evaluate("document.activeElement && document.activeElement.tagName")
    assert focused == "SUMMARY"  # focus moved to the opened source panel


def test_phone_width(browser: Any, server: Server) -> None:
    context = browser.new_context(
        locale="nl-BE", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    try:
        pg = context.new_page()
        pg.goto(server.base + "/")
        pg.get_by_label("Je vraag").wait_for()
        ask(pg, QUESTION)
        last_answer(pg).locator("a.vb-cite").first.click()
        pg.wait_for_function("document.querySelector('#vb-chat details.vb-bron[open]') !== null")
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, f"page is {width}px wide at a 390px viewport"
        assert pg.locator("#vb-send").is_visible() and pg.locator("#vb-ask-staff").is_visible()
        pg.screenshot(path=str(OUT / "06-phone-390px.png"), full_page=False)
        shot(pg, "06-phone-390px-full")
    finally:
        context.close()


def test_anonymous_visitor_gets_the_staff_login_not_the_data(browser: Any, server: Server) -> None:
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 800})
    try:
        pg = context.new_page()
        pg.goto(server.base + "/staff/")
        pg.get_by_label("Wachtwoord").wait_for()
        assert pg.locator("#vb-queue").count() == 0
        assert "Wachtrij" not in pg.inner_text("body")
        # Gradio's own routes for the staff page refuse too (not only the page).
        assert pg.request.get(server.base + "/staff/config").status == 401
        assert pg.request.get(server.base + "/staff/gradio_api/info").status == 401
        join = {"data": [], "fn_index": 0, "session_hash": "anon", "event_data": None}
        assert pg.request.post(server.base + "/staff/gradio_api/queue/join", data=join).status == 401
        # A wrong password is refused.
        pg.get_by_label("Gebruikersnaam").fill(STAFF_NAME)
        pg.get_by_label("Wachtwoord").fill("niet-het-wachtwoord")
        pg.get_by_role("button", name="Aanmelden").click()
        pg.get_by_text("Onbekende gebruiker of fout wachtwoord.").wait_for()
        assert pg.locator("#vb-queue").count() == 0
        shot(pg, "07-staff-login-anonymous")
    finally:
        context.close()


def test_escalation_then_staff_take_it_up(browser: Any, server: Server, page: Any) -> None:
    from assistant.triage import TriageStore

    # The assistant routes this question to staff and shows the form.
    ask(page, ESCALATE)
    form = page.locator("#vb-form")
    form.wait_for(state="visible")
    assert page.get_by_label("Je vraag voor de medewerker").input_value() == ESCALATE
    page.get_by_label("Naam", exact=True).fill("An Peeters")
    page.get_by_label("Organisatie", exact=True).fill("Vormingplus Testregio")
    page.get_by_label("Niet-erkende organisatie").check()
    page.get_by_role("textbox", name="E-mailadres").fill("an.peeters@example.org")
    # Without consent: the Dutch error, nothing stored.
    page.locator("#vb-f-submit").click()
    page.locator("#vb-f-notice .vb-error").wait_for()
    assert "Toestemming is nodig" in page.inner_text("#vb-f-notice")
    shot(page, "08-escalation-no-consent")
    assert TriageStore(Database(server.database_url)).list() == []
    page.get_by_label("Ik geef toestemming", exact=False).check()
    page.locator("#vb-f-submit").click()
    page.locator("#vb-f-result .vb-ok").wait_for()
    match = re.search(r"VB-\d{4}-\d{5}", page.inner_text("#vb-f-result"))
    assert match, page.inner_text("#vb-f-result")
    reference = match.group(0)
    shot(page, "09-escalation-reference")

    # Staff log in, find the request in the queue, read it and take it up.
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    try:
        staff = context.new_page()
        staff.set_default_timeout(30_000)
        staff.goto(server.base + "/staff/")
        staff.get_by_label("Gebruikersnaam").fill(STAFF_NAME)
        staff.get_by_label("Wachtwoord").fill(STAFF_PASSWORD)
        staff.get_by_role("button", name="Aanmelden").click()
        staff.locator("#vb-queue").wait_for()
        staff.locator("#vb-who").get_by_text(f"Aangemeld als {STAFF_NAME}").wait_for()
        # The visible cell of the reference column (the table also keeps hidden copies for sizing).
        row_cell = staff.locator("#vb-queue [data-testid^='cell-'][data-testid$='-0']").filter(has_text=reference)
        row_cell.wait_for()
        shot(staff, "10-staff-queue")
        row_cell.click()
        detail = staff.locator("#vb-detail .vb-request")
        detail.wait_for()
        text = detail.inner_text()
        assert reference in text and ESCALATE in text and "An Peeters" in text
        # The escalated turn cited nothing (#13); staff see what the publications say about the subject.
        assert "Passages die de Vraagbaak vond" in text and detail.locator("mark").count() >= 1
        shot(staff, "11-staff-request")

        status = staff.get_by_label("Nieuwe status")
        status.click()
        staff.get_by_role("option", name="opgenomen", exact=True).click()
        staff.get_by_label("Reden of toelichting").fill("Past in onze vraaggestuurde werking")
        staff.get_by_label("Notitie bij deze wijziging (optioneel)").fill("Afspraak gepland <b>dinsdag</b>")
        staff.locator("#vb-change").click()
        staff.locator("#vb-s-notice .vb-ok").wait_for()
        assert "opgenomen" in staff.inner_text("#vb-s-notice")
        assert "Afspraak gepland <b>dinsdag</b>" in staff.locator("#vb-detail").inner_text()
        shot(staff, "12-staff-opgenomen")
        stored = TriageStore(Database(server.database_url)).get(reference)
        assert stored.status == "opgenomen"
        assert TriageStore(Database(server.database_url)).audit(reference)[-1].by == STAFF_NAME

        # A final status explains itself, and the form offers only the way back (reopening).
        assert "eindstatus" in staff.inner_text("#vb-status-help")
        status.click()
        options = [o.strip() for o in staff.get_by_role("option").all_inner_texts()]
        assert options == ["in behandeling"], options
        staff.keyboard.press("Escape")

        # CSV export: downloadable with the staff session only.
        staff.locator("#vb-export").click()
        link = staff.locator("#vb-export-file a[href*='.csv']").first
        link.wait_for()
        href = link.get_attribute("href") or ""
        url = href if href.startswith("http") else server.base + href
        response = staff.request.get(url)
        assert response.status == 200 and reference in response.text()
        anon = browser.new_context()
        try:
            assert anon.request.get(url).status == 401
            path = url.split("file=", 1)[1]
            assert anon.request.get(f"{server.base}/gradio_api/file={path}").status in (403, 404)
        finally:
            anon.close()

        # Yearly figures with a chart.
        staff.get_by_role("tab", name="Jaarcijfers").click()
        staff.get_by_label("Jaar", exact=True).fill(str(stored.created_at.year))
        staff.locator("#vb-figures").click()
        summary = staff.get_by_label("Samenvatting voor het jaarverslag")
        staff.wait_for_function(
            "document.querySelector('#vb-summary textarea') && "
            "document.querySelector('#vb-summary textarea').value.startsWith('In totaal')"
        )
        assert "We namen 1 van die vragen op" in summary.input_value()
        staff.locator("#vb-plot img, #vb-plot svg").first.wait_for()
        shot(staff, "13-staff-figures")

        # Logging out: the page's button leads to the Dutch logout page, whose form POSTs the session's token.
        staff.locator("#vb-logout").click()
        staff.get_by_role("button", name="Afmelden").click()
        staff.get_by_text("Je bent afgemeld.").wait_for()
        assert staff.request.get(server.base + "/staff/config").status == 401
        shot(staff, "14-staff-logged-out")
    finally:
        context.close()
