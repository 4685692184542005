"""The Bronnen page in a real browser (Debian's chromium via Playwright), with the chat on the same app.

The app runs on its own small corpus, index, database and staff file.  A
``beheerder`` uploads a small PDF, watches the progress, asks the chat about it
and gets a cited answer from it; replaces it and the old text is no longer
cited; removes it.  A plain staff member sees the list but cannot upload.  An
encrypted PDF and a Windows program renamed to ``.pdf`` get clear Dutch messages
and change nothing.  Timings (upload to answerable) land in
``test-output/browser/sources-timings.json``.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from browser_kit import chromium_path, launched_chromium
from chat_client import ChatSession, Turn, chat_event
from conftest import CORPUS, app_env, free_port, make_pdf, running_app
from sources_files import encrypted_pdf, windows_exe
from test_browser import ANSWER_TIMEOUT_MS, OUT, ask, last_answer, shot
from test_browser_triage import OUT as AXE_OUT
from test_browser_triage import axe_problems

from assistant.index.backend import index_for
from assistant.settings import PROJECT_ROOT, load_settings

pytestmark = pytest.mark.browser

BEHEERDER = ("beheerder-an", "bronnen-test-wachtwoord-1")
MEDEWERKER = ("medewerker-bert", "bronnen-test-wachtwoord-2")
EVALUATOR = ("evaluator-cas", "bronnen-test-wachtwoord-3")
TITLE = "Verslag Trefdag zwaluwvrijwilligers"
V1 = "1. Trefdag\nDe Trefdag voor zwaluwvrijwilligers telde 873 deelnemers in Gent."
V2 = "1. Trefdag\nDe Trefdag voor zwaluwvrijwilligers telde 912 deelnemers in Brugge."
QUESTION = "Hoeveel deelnemers telde de Trefdag voor zwaluwvrijwilligers?"
JOB_TIMEOUT_MS = 180_000


@dataclass
class SourcesServer:
    base: str
    env: dict[str, str]
    corpus: Path
    files: Path


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "assistant", *args], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True,
        timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SourcesServer]:
    tmp = tmp_path_factory.mktemp("bronnen")
    corpus = tmp / "corpus"
    (corpus / "toolbox").mkdir(parents=True)
    (corpus / "decreetgids").mkdir()
    shutil.copy(CORPUS / "toolbox" / "beleidsplanning.html", corpus / "toolbox")
    shutil.copy(CORPUS / "decreetgids" / "rollen-en-functies.md", corpus / "decreetgids")
    env = app_env(
        tmp,
        free_port(),
        ASSISTANT_CORPUS=str(corpus),
        ASSISTANT_INDEX=str(tmp / "index"),
        VB_PW_1=BEHEERDER[1],
        VB_PW_2=MEDEWERKER[1],
        VB_PW_3=EVALUATOR[1],
    )
    _cli(env, "ingest", "--no-progress")
    _cli(env, "staff", "add", BEHEERDER[0], "--role", "beheerder", "--password-env", "VB_PW_1")
    _cli(env, "staff", "add", MEDEWERKER[0], "--password-env", "VB_PW_2")
    _cli(env, "staff", "add", EVALUATOR[0], "--role", "evaluator", "--password-env", "VB_PW_3")
    files = tmp / "files"
    files.mkdir()
    with running_app(env, tmp / "app.log") as base:
        yield SourcesServer(base, env, corpus, files)


@pytest.fixture(scope="module")
def browser(server: SourcesServer) -> Iterator[Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    AXE_OUT.mkdir(parents=True, exist_ok=True)  # axe_problems writes its reports there
    with launched_chromium(chromium_path()) as b:
        yield b


def _page(browser: Any, base: str, path: str) -> Any:
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(base + path)
    return page


def _login(browser: Any, server: SourcesServer, account: tuple[str, str], path: str = "/staff/bronnen/") -> Any:
    """Log in on the staff login page (an anonymous visit of a staff page is sent there), then go to ``path``."""
    page = _page(browser, server.base, path)
    page.wait_for_url("**/staff/login")
    page.get_by_label("Gebruikersnaam").fill(account[0])
    page.get_by_label("Wachtwoord").fill(account[1])
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url("**/staff/")
    # From the queue to the page through the links at the top of every staff page.
    name = {"/staff/bronnen/": "Bronnen", "/staff/kennislacunes/": "Kennislacunes"}[path]
    page.locator("#vb-staff-nav").get_by_role("link", name=name).click()
    page.wait_for_url(f"**{path}")
    page.locator("#vb-who").get_by_text(f"Aangemeld als {account[0]}").wait_for()
    return page


def _shows_file(page: Any, elem_id: str, name: str) -> None:
    """Wait until the file component lists an uploaded file (its upload to the server is done).

    A list of several files shows each name as stem and extension in separate cells, named by aria-label.
    """
    named = json.dumps(f'#{elem_id} [aria-label="{name}"]')
    page.wait_for_function(
        f"document.querySelector({named}) || "
        f"(document.querySelector('#{elem_id}') || {{}}).innerText?.includes({name!r})",
        timeout=JOB_TIMEOUT_MS,
    )


def _rows(page: Any) -> str:
    return str(page.locator("#vb-src-table").inner_text())


def _choose(page: Any, elem_id: str, option: str) -> None:
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=option).first.click()


def _wait_job(page: Any, count: int) -> str:
    """Wait until ``count`` jobs are listed and the newest has ended; return its state."""
    page.wait_for_function(
        f"document.querySelectorAll('#vb-jobs .vb-job').length >= {count} && "
        "document.querySelector('#vb-jobs .vb-job').classList.contains('vb-job-done')",
        timeout=JOB_TIMEOUT_MS,
    )
    return str(page.locator("#vb-jobs .vb-job").first.get_attribute("data-state"))


def _progress_seen(page: Any) -> None:
    """Record every progress value the page shows for the newest job (a MutationObserver in the page)."""
    page.evaluate(
        """() => {
          window.__vbProgress = [];
          const seen = () => {
            const bar = document.querySelector('#vb-jobs .vb-job progress');
            if (bar) { window.__vbProgress.push(Number(bar.value)); }
          };
          new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, attributes: true});
        }"""
    )


def _ask_chat(browser: Any, server: SourcesServer, question: str) -> tuple[str, list[str], float]:
    page = _page(browser, server.base, "/")
    page.get_by_label("Je vraag").wait_for()
    started = time.perf_counter()
    ask(page, question)
    seconds = time.perf_counter() - started
    answer = last_answer(page)
    sources = [str(s.inner_text()) for s in answer.locator("details.vb-bron").all()]
    text = str(answer.inner_text())
    page.context.close()
    return text, sources, seconds


@dataclass
class ChatLoop:
    turns: list[Turn] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


@contextlib.contextmanager
def chatting(base: str, pause_s: float = 3.0) -> Iterator[ChatLoop]:
    """A chat visitor asking about the decree guide every few seconds while the block runs."""
    loop = ChatLoop()
    stop = threading.Event()

    def run() -> None:
        with ChatSession(base, chat_event(base)) as session:
            while not stop.is_set():
                try:
                    loop.turns.append(session.ask("Wat verwacht het decreet van een beleidsplan?"))
                except BaseException as err:  # any failure is what the test looks for
                    loop.errors.append(err)
                    return
                stop.wait(pause_s)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        stop.set()
        thread.join(120)


def test_beheerder_uploads_asks_replaces_and_removes(browser: Any, server: SourcesServer) -> None:
    with chatting(server.base) as visitor:
        _upload_replace_remove(browser, server)
    # A chat session that ran all along kept answering from a complete index: no error, every answer cited.
    assert visitor.errors == [] and len(visitor.turns) >= 3
    assert all(t.notice == "" and "vb-cite" in t.answer_html for t in visitor.turns)


def _upload_replace_remove(browser: Any, server: SourcesServer) -> None:
    page = _login(browser, server, BEHEERDER)
    # The forms are hidden until the page's load event says the role may change sources.
    page.locator("#vb-src-editor").wait_for(state="visible")
    shot(page, "20-bronnen-beheerder")

    # Upload: the file, a title, the type and a source URL.
    pdf = make_pdf(server.files / "trefdag-verslag.pdf", [V1])
    page.locator("#vb-src-files input[type=file]").set_input_files(str(pdf))
    _shows_file(page, "vb-src-files", "trefdag-verslag.pdf")
    page.get_by_label("Titel (bij één bestand; anders uit het document)").fill(TITLE)
    page.get_by_label("Bron-URL (bij één bestand)").fill("https://www.socius.be/trefdag")
    _progress_seen(page)
    clicked = time.perf_counter()
    page.locator("#vb-src-add").click()
    page.locator("#vb-jobs progress").first.wait_for()
    assert _wait_job(page, 1) == "klaar"
    indexed_s = time.perf_counter() - clicked
    progress = page.evaluate("window.__vbProgress")
    assert progress and progress[-1] == 100 and all(0 <= p <= 100 for p in progress)
    page.wait_for_function(f"document.querySelector('#vb-src-table').innerText.includes({TITLE!r})")
    assert "publicaties/trefdag-verslag.pdf" in _rows(page)
    shot(page, "21-bronnen-uploaded")
    problems = axe_problems(page, "bronnen")  # the page with its forms, the list and a finished job
    assert not problems, problems

    text, sources, answer_s = _ask_chat(browser, server, QUESTION)
    assert "873" in text and any(TITLE in s for s in sources)

    # Replace with a new version: the old figure is no longer cited.
    _choose(page, "vb-src-replace-doc", TITLE)
    page.wait_for_function(
        "document.querySelector('#vb-src-replace-title input, #vb-src-replace-title textarea').value !== ''"
    )
    v2 = make_pdf(server.files / "trefdag-verslag-v2.pdf", [V2])
    page.locator("#vb-src-replace-file input[type=file]").set_input_files(str(v2))
    _shows_file(page, "vb-src-replace-file", "trefdag-verslag-v2.pdf")
    page.locator("#vb-src-replace").click()
    assert _wait_job(page, 2) == "klaar"
    text, sources, _ = _ask_chat(browser, server, QUESTION)
    assert "912" in text and "873" not in text and not any("873" in s for s in sources)

    # The audit trail shows who did what.
    page.get_by_role("tab", name="Audit trail").click()
    audit = page.locator("#vb-src-audit").inner_text()
    assert "vervangen" in audit and "toegevoegd" in audit and BEHEERDER[0] in audit
    page.get_by_role("tab", name="Documenten").click()

    # Remove it.
    _choose(page, "vb-src-remove-doc", TITLE)
    page.locator("#vb-src-remove-confirm input").check()
    page.locator("#vb-src-remove").click()
    assert _wait_job(page, 3) == "klaar"
    page.wait_for_function(f"!document.querySelector('#vb-src-table').innerText.includes({TITLE!r})")
    text, sources, _ = _ask_chat(browser, server, QUESTION)
    assert "912" not in text and not any(TITLE in s for s in sources)
    shot(page, "22-bronnen-removed")
    page.context.close()
    (OUT / "sources-timings.json").write_text(
        json.dumps(
            {
                "measured": "seconds from the click on 'Toevoegen' until the page shows the job 'klaar' (file "
                "checks, corpus write, incremental ingest, publish); then one chat question in a fresh browser "
                "session until its final answer",
                "upload_to_indexed_s": round(indexed_s, 2),
                "question_after_upload_s": round(answer_s, 2),
                "upload_to_answer_s": round(indexed_s + answer_s, 2),
                "pdf_bytes": pdf.stat().st_size,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


def test_plain_staff_see_the_list_but_cannot_upload(browser: Any, server: SourcesServer) -> None:
    page = _login(browser, server, MEDEWERKER)
    page.wait_for_function("document.querySelector('#vb-src-table').innerText.includes('beleidsplanning.html')")
    assert not page.locator("#vb-src-editor").is_visible()
    assert page.locator("#vb-src-files input[type=file]").count() == 0 or not page.locator("#vb-src-files").is_visible()
    assert "enkel een medewerker met de rol 'beheerder'" in page.locator("#vb-who").inner_text()
    shot(page, "23-bronnen-medewerker")
    page.context.close()


def test_encrypted_pdf_and_renamed_program_get_dutch_messages_and_change_nothing(
    browser: Any, server: SourcesServer
) -> None:
    settings = load_settings(env=server.env)
    generation = index_for(settings).current()
    files_before = sorted(p.relative_to(server.corpus).as_posix() for p in server.corpus.rglob("*") if p.is_file())
    page = _login(browser, server, BEHEERDER)
    locked = encrypted_pdf(server.files / "beveiligd.pdf")
    program = windows_exe(server.files / "jaarverslag-2025.pdf")
    page.locator("#vb-src-files input[type=file]").set_input_files([str(locked), str(program)])
    _shows_file(page, "vb-src-files", "jaarverslag-2025.pdf")
    page.locator("#vb-src-add").click()
    notice = page.locator("#vb-src-notice .vb-error")
    notice.wait_for(timeout=ANSWER_TIMEOUT_MS)
    text = notice.inner_text()
    assert "beveiligd.pdf" in text and "wachtwoord" in text
    assert "jaarverslag-2025.pdf" in text and "Windows-programma" in text
    assert "Er is niets van opgeslagen" in text
    shot(page, "24-bronnen-refused")
    page.context.close()
    assert index_for(settings).current() == generation
    after = sorted(p.relative_to(server.corpus).as_posix() for p in server.corpus.rglob("*") if p.is_file())
    assert after == files_before


def test_evaluator_reads_the_gap_report_without_personal_data(browser: Any, server: SourcesServer) -> None:
    from datetime import UTC, datetime, timedelta

    from assistant.db import Database
    from assistant.gaps.turns import UnansweredStore
    from assistant.routing import NO_EVIDENCE_REASON
    from assistant.triage import FeedbackStore, TriageStore

    settings = load_settings(env=server.env)
    now = datetime.now(UTC) - timedelta(days=1)
    with Database.from_settings(settings) as database:
        turns = UnansweredStore(database)
        for q in ("Hoeveel subsidie krijgt een Vormingplus?", "hoeveel subsidie krijgen vormingpluscentra"):
            turns.record(question=q, topic="decreet & subsidies", evidence=0.05, now=now)
        FeedbackStore(database).record(question="Hoe organiseer ik een online algemene vergadering?", answer="...",
                                       rating=-1, now=now)  # fmt: skip
        TriageStore.from_settings(settings, database).create_request(
            question="Ik ben An Peeters (an.peeters@example.org): hoeveel subsidie krijgt een vormingplus?",
            requester_name="An Peeters",
            email="an.peeters@example.org",
            org_type="erkend",
            consent=True,
            organisation="Vormingplus Testregio",
            route_reason=NO_EVIDENCE_REASON,
            topic="decreet & subsidies",
        )
    page = _login(browser, server, EVALUATOR, "/staff/kennislacunes/")
    table = page.locator("#vb-gap-table")
    table.get_by_text("Hoeveel subsidie krijgt een Vormingplus?").first.wait_for()
    page.locator("#vb-gap-plot img, #vb-gap-plot svg").first.wait_for()
    page.locator("#vb-gap-table [data-testid^='cell-'][data-testid$='-0']").first.click()
    page.locator("#vb-gap-detail .vb-gap-cluster").wait_for()
    detail = page.locator("#vb-gap-detail").inner_text()
    assert "vormingpluscentra" in detail and "[naam]" in detail
    shot(page, "25-kennislacunes")
    problems = axe_problems(page, "kennislacunes")
    assert not problems, problems
    page.locator("#vb-gap-export").click()
    link = page.locator("#vb-gap-file a[href*='.csv']").first
    link.wait_for()
    href = link.get_attribute("href") or ""
    csv_text = page.request.get(href if href.startswith("http") else server.base + href).text()
    assert "Hoeveel subsidie krijgt een Vormingplus?" in csv_text
    for secret in ("An Peeters", "Peeters", "an.peeters@example.org", "Testregio"):
        assert secret not in page.locator("body").inner_text() and secret not in csv_text
    page.context.close()
