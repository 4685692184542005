"""Closing the loop with the requester, in a real browser (Debian's chromium via Playwright).

One app (``python app.py``) runs for the module with its own database, staff file
and a real SMTP server on 127.0.0.1 (aiosmtpd, ``tests/mail_server.py``).  The tests
walk through issue #16 as the two users would: the requester asks for a staff
member (the form comes into view and takes focus; "Nieuw gesprek" empties it),
sends a request and gets the confirmation mail; a staff member finds it by
organisation, takes it ("Neem op mij"), decides and replies, and the reply is in
the request's history and in the SMTP server.  axe-core (npm, ``tests/a11y``) scans
the chat, the escalation form and the staff page.  Screenshots of every
step land in ``test-output/triage/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import browser_kit
import pytest
from browser_kit import chromium_path, launched_chromium
from conftest import add_staff, app_env, free_port, running_app
from mail_server import MailServer, body_of, running_smtp

from assistant.index.embedders import slug
from assistant.settings import PROJECT_ROOT, load_settings

pytestmark = pytest.mark.browser

OUT = PROJECT_ROOT / "test-output" / "triage"
STAFF_NAME = "medewerker"
COLLEAGUE = "collega"
ESCALATE = "Kan een medewerker ons beleidsplan nalezen en feedback geven?"
QUESTION = "Wat is een burgerinitiatief?"
ORGANISATION = "Vormingplus Testregio Zuid"
ANSWER_TIMEOUT_MS = 90_000


@dataclass
class Server:
    base: str
    database_url: str
    smtp: MailServer
    password: str


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_path()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = load_settings()
    if not (Path(settings.index_dir) / slug(settings.embedder) / "CURRENT").exists():
        pytest.fail(f"no index at {settings.index_dir} ({settings.embedder}); build it with `make index`")
    tmp = tmp_path_factory.mktemp("triage-app")
    with running_smtp(free_port()) as smtp:
        env = app_env(
            tmp,
            free_port(),
            ASSISTANT_SMTP_HOST="127.0.0.1",
            ASSISTANT_SMTP_PORT=str(smtp.port),
            ASSISTANT_SMTP_TLS="none",
            ASSISTANT_REPLY_DAYS="5",
        )
        password = add_staff(env, STAFF_NAME)
        add_staff(env, COLLEAGUE)
        with running_app(env, tmp / "app.log") as base:
            yield Server(base=base, database_url=env["ASSISTANT_DATABASE_URL"], smtp=smtp, password=password)


@pytest.fixture(scope="module")
def browser(chromium: str, server: Server) -> Iterator[Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    with launched_chromium(chromium) as b:
        yield b


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh visitor on the chat page, on a 900 px high laptop screen."""
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.goto(server.base + "/")
    pg.get_by_label("Je vraag").wait_for()
    yield pg
    context.close()


def shot(pg: Any, name: str) -> None:
    pg.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def axe_problems(pg: Any, name: str) -> list[str]:
    """axe-core's serious and critical violations; its report lands in ``OUT/axe-<name>.json``."""
    return browser_kit.axe_problems(pg, OUT / f"axe-{name}.json")


def ask(pg: Any, question: str) -> None:
    before = int(pg.locator("#vb-chat .vb-answer.vb-done").count())
    pg.locator("#vb-question textarea").fill(question)
    pg.locator("#vb-send").click()
    pg.wait_for_function(
        f"document.querySelectorAll('#vb-chat .vb-answer.vb-done').length > {before}", timeout=ANSWER_TIMEOUT_MS
    )


def in_viewport(pg: Any, selector: str) -> bool:
    return bool(
        pg.evaluate(
            """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                 return r.top >= 0 && r.top < window.innerHeight && r.height > 0; }""",
            selector,
        )
    )


def focus_inside(pg: Any, selector: str) -> bool:
    return bool(pg.evaluate("(sel) => !!document.activeElement.closest(sel)", selector))


def fill_form(pg: Any, *, consent: bool) -> None:
    pg.get_by_label("Naam", exact=True).fill("An Peeters")
    pg.get_by_label("Organisatie", exact=True).fill(ORGANISATION)
    pg.get_by_label("Erkende organisatie (civiel sociaal-cultureel werk)", exact=True).check()
    pg.get_by_role("textbox", name="E-mailadres").fill("an.peeters@example.org")
    if consent:
        pg.get_by_label("Ik geef toestemming", exact=False).check()


def test_keyboard_reaches_question_and_latest_answer_at_once(page: Any) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Naar je vraag"
    page.keyboard.press("Enter")
    assert focus_inside(page, "#vb-question")
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelectorAll('#vb-chat .vb-answer.vb-done').length > 0", timeout=ANSWER_TIMEOUT_MS
    )
    # From the top of the page (the first tab stop), one more Tab reaches the latest answer's link.
    page.locator("a.vb-skip-question").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Naar het laatste antwoord"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('vb-answer')")
    assert "burgerinitiatief" in page.evaluate("document.activeElement.textContent").lower()
    shot(page, "01-keyboard-latest-answer")
    problems = axe_problems(page, "chat")
    assert not problems, problems


def test_form_comes_into_view_and_new_conversation_empties_it(page: Any) -> None:
    ask(page, QUESTION)
    page.locator("#vb-ask-staff").click()
    page.locator("#vb-form").wait_for(state="visible")
    page.wait_for_function("document.activeElement && document.activeElement.closest('#vb-form') !== null")
    assert in_viewport(page, "#vb-form"), "the form opened out of sight"
    assert focus_inside(page, "#vb-f-name")  # the first field to fill in has the focus
    page.screenshot(path=str(OUT / "02-form-in-view.png"))  # what the person sees, not the full page
    problems = axe_problems(page, "escalation-form")
    assert not problems, problems

    fill_form(page, consent=True)
    shot(page, "03-form-filled")
    page.locator("#vb-new").click()
    page.wait_for_function("document.querySelectorAll('#vb-chat .vb-answer').length === 0")
    page.locator("#vb-ask-staff").click()
    page.locator("#vb-form").wait_for(state="visible")
    for label in ("Naam", "Organisatie"):
        assert page.get_by_label(label, exact=True).input_value() == "", label
    assert page.get_by_role("textbox", name="E-mailadres").input_value() == ""
    assert not page.get_by_label("Ik geef toestemming", exact=False).is_checked()
    assert not page.get_by_label("Erkende organisatie (civiel sociaal-cultureel werk)", exact=True).is_checked()
    shot(page, "04-new-conversation-empty-form")

    # A new question closes the form.
    ask(page, QUESTION)
    page.locator("#vb-form").wait_for(state="hidden")


def login(pg: Any, server: Server) -> None:
    pg.goto(server.base + "/staff/")
    pg.get_by_label("Gebruikersnaam").fill(STAFF_NAME)
    pg.get_by_label("Wachtwoord").fill(server.password)
    pg.get_by_role("button", name="Aanmelden").click()
    pg.locator("#vb-queue").wait_for()


def test_the_login_page_is_dutch_also_for_an_english_browser(browser: Any, server: Server) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    try:
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        pg.goto(server.base + "/staff/")
        pg.get_by_label("Gebruikersnaam").fill(STAFF_NAME)
        pg.get_by_label("Wachtwoord").fill("niet-het-wachtwoord")
        pg.get_by_role("button", name="Aanmelden").click()
        pg.get_by_text("Onbekende gebruiker of fout wachtwoord.").wait_for()
        body = pg.inner_text("body")
        assert not any(word in body for word in ("Username", "Password", "Login", "Incorrect Credentials")), body
        shot(pg, "06-login-dutch-wrong-password")
        assert pg.locator("#vb-queue").count() == 0
    finally:
        context.close()


def test_request_confirmation_search_take_reply(browser: Any, server: Server, page: Any) -> None:
    # The requester: the assistant passes the question on; the form is in view; send it.
    ask(page, ESCALATE)
    page.locator("#vb-form").wait_for(state="visible")
    page.wait_for_function("document.activeElement && document.activeElement.closest('#vb-form') !== null")
    assert in_viewport(page, "#vb-form")
    fill_form(page, consent=True)
    page.locator("#vb-f-submit").click()
    page.locator("#vb-f-result .vb-ok").wait_for()
    result = page.inner_text("#vb-f-result")
    reference = re.search(r"VB-\d{4}-\d{5}", result).group(0)  # type: ignore[union-attr]
    assert "binnen 5 werkdagen" in result and "bevestiging per e-mail" in result
    shot(page, "05-request-sent")
    page.locator("#vb-ask-staff").click()  # a second request asks for consent again
    page.locator("#vb-form").wait_for(state="visible")
    assert not page.get_by_label("Ik geef toestemming", exact=False).is_checked()

    confirmation = server.smtp.wait_for(1)[0]
    assert confirmation["To"] == "an.peeters@example.org" and reference in confirmation["Subject"]
    assert f"Je referentienummer is {reference}" in body_of(confirmation)
    assert f"> {ESCALATE}" in body_of(confirmation)

    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    try:
        staff = context.new_page()
        staff.set_default_timeout(30_000)
        staff.goto(server.base + "/staff/")
        staff.get_by_label("Wachtwoord").wait_for()
        shot(staff, "06-login")
        problems = axe_problems(staff, "login")  # the Dutch login page (web/login.py, issue #15)
        assert not problems, problems
        login(staff, server)
        staff.locator("#vb-new-count").get_by_text("1 aanvraag met status 'nieuw'").wait_for()
        staff.locator("#vb-mail-info").get_by_text("127.0.0.1").wait_for()
        shot(staff, "07-staff-queue")

        # Search by organisation.
        staff.get_by_label("Zoeken in vraag, gesprek, organisatie en notities").fill("testregio zuid")
        staff.get_by_label("Zoeken in vraag, gesprek, organisatie en notities").press("Enter")
        staff.locator("#vb-q-notice").get_by_text("1 aanvraag gevonden").wait_for()
        cell = staff.locator("#vb-queue [data-testid^='cell-'][data-testid$='-0']").filter(has_text=reference)
        cell.wait_for()
        shot(staff, "08-search-by-organisation")
        staff.get_by_label("Zoeken in vraag, gesprek, organisatie en notities").fill("geen-enkele-aanvraag")
        staff.get_by_label("Zoeken in vraag, gesprek, organisatie en notities").press("Enter")
        staff.locator("#vb-q-notice").get_by_text("0 aanvragen gevonden").wait_for()
        staff.get_by_label("Zoeken in vraag, gesprek, organisatie en notities").fill(ORGANISATION)
        staff.get_by_label("Zoeken in vraag, gesprek, organisatie en notities").press("Enter")
        cell.wait_for()
        cell.click()
        staff.locator("#vb-detail .vb-request").wait_for()
        detail = staff.locator("#vb-detail").inner_text()
        assert reference in detail and "Vergelijkbare eerdere aanvragen" in detail
        assert "bevestiging door vraagbaak" in detail  # the confirmation mail is in the history

        # Take it.
        staff.locator("#vb-take").click()
        staff.locator("#vb-s-notice").get_by_text("toegewezen aan jou").wait_for()
        assert re.search(r"Behandelaar\s+medewerker", staff.locator("#vb-detail").inner_text())
        staff.get_by_label("Alleen mijn vragen").check()
        cell.wait_for()
        shot(staff, "09-taken-mine")
        problems = axe_problems(staff, "staff")
        assert not problems, problems

        # Decide: opgenomen; the reply form gets the template; send the reply.
        staff.get_by_label("Nieuwe status").click()
        staff.get_by_role("option", name="opgenomen", exact=True).click()
        staff.locator("#vb-change").click()
        staff.locator("#vb-s-notice .vb-ok").wait_for()
        staff.locator("#vb-status-help").get_by_text("eindstatus").wait_for()
        body = staff.get_by_label("Tekst van je antwoord")
        staff.wait_for_function("document.querySelector('#vb-reply-body textarea').value.includes('neemt je vraag op')")
        body.fill(body.input_value() + "\nWe bellen je dinsdag.")
        shot(staff, "10-reply-written")
        staff.locator("#vb-reply-send").click()
        staff.locator("#vb-reply-notice").get_by_text("is verstuurd naar de vraagsteller").wait_for()
        staff.locator("#vb-detail").get_by_text("antwoord door medewerker").wait_for()
        shot(staff, "11-reply-in-history")
    finally:
        context.close()

    reply = server.smtp.wait_for(2)[1]
    assert reply["To"] == "an.peeters@example.org"
    assert reference in reply["Subject"] and reply["X-Vraagbaak-Referentie"] == reference
    text = body_of(reply)
    assert "neemt je vraag op" in text and "We bellen je dinsdag." in text and f"> {ESCALATE}" in text
