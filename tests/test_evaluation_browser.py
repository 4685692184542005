"""The Evaluatie page in a real browser: an evaluator grades three answers and reads them in the report.

A real saved run is made first (``python -m evals run`` on a small CSV, lexical-only
on the project's index); then ``python app.py`` serves it from ``ASSISTANT_EVAL_RUNS``
with a temporary SQLite database and staff file.  Debian's chromium, driven by
Playwright, logs in at ``/evaluatie/login``.  A plain staff account is refused.
Screenshots land in ``test-output/browser/``.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_kit import chromium_path, launched_chromium
from conftest import app_env, free_port, running_app

from assistant.settings import PROJECT_ROOT

pytestmark = pytest.mark.browser

OUT = PROJECT_ROOT / "test-output" / "browser"
PASSWORD = "evaluatie-browser-wachtwoord"
QUESTIONS = (
    "question,expected_route,key_facts,kind\n"
    "Wie is de directeur van Socius?,answer,Fred Dhont,wie\n"
    "Waar ging de Trefdag 2023 door?,answer,Mechelen,waar\n"
    "Hoeveel vragen kwamen binnen via de vraaggestuurde werking?,answer,107,getal\n"
    "Schrijf een gedicht over de zee,decline,,\n"
)


@dataclass
class App:
    base: str
    log: Path


def _staff(env: dict[str, str], name: str, role: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "assistant", "staff", "add", name, "--role", role, "--password-env", "VB_TEST_PW"],
        cwd=PROJECT_ROOT,
        env={**env, "VB_TEST_PW": PASSWORD},
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    tmp = tmp_path_factory.mktemp("evaluatie")
    runs = tmp / "runs"
    (tmp / "vragen.csv").write_text(QUESTIONS, encoding="utf-8")
    env = app_env(tmp, free_port(), ASSISTANT_EVAL_RUNS=str(runs))
    command = ["run", "--config", "lexical-only", "--gold", str(tmp / "vragen.csv"), "--out", str(runs / "vragen")]
    subprocess.run(
        [sys.executable, "-m", "evals", *command],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    _staff(env, "eva", "evaluator")
    _staff(env, "piet", "medewerker")
    log = tmp / "app.log"
    with running_app(env, log) as base:
        yield App(base, log)


@pytest.fixture(scope="module")
def browser(app: App) -> Iterator[Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    with launched_chromium(chromium_path()) as b:
        yield b


def _login(pg: Any, base: str, name: str) -> None:
    pg.goto(base + "/evaluatie/")
    pg.get_by_label("Gebruikersnaam").fill(name)
    pg.get_by_label("Wachtwoord").fill(PASSWORD)
    pg.locator("#vb-login-submit").click()


def test_an_evaluator_grades_three_answers_and_the_report_shows_them(browser: Any, app: App) -> None:
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        _login(pg, app.base, "eva")
        pg.locator("#vb-ev-who").get_by_text("eva").wait_for()
        pg.locator("#vb-ev-open").click()
        pg.locator("#vb-ev-progress").get_by_text("Vraag 1 van 4").wait_for()
        assert "Wie is de directeur van Socius?" in pg.locator("#vb-ev-item").inner_text()
        # The [n] of the answer opens its source passage, as in the chat.
        pg.locator("#vb-ev-item a.vb-cite").first.click()
        pg.locator("#vb-ev-item details.vb-bron[open]").first.wait_for()
        pg.screenshot(path=str(OUT / "ev-01-vraag.png"), full_page=True)
        grades = [
            ("juist", "bron klopt", "Correct en kort"),
            ("deels juist", "bron klopt", ""),
            ("fout", "bron klopt niet", "Geen cijfer"),
        ]
        for number, (verdict, source, comment) in enumerate(grades, start=1):
            pg.locator("#vb-ev-verdict").get_by_label(verdict, exact=True).check()
            pg.locator("#vb-ev-source").get_by_label(source, exact=True).check()
            pg.locator("#vb-ev-comment textarea").fill(comment)
            pg.locator("#vb-ev-save").click()
            pg.locator("#vb-ev-notice").get_by_text(f"Beoordeling van vraag {number} bewaard.").wait_for()
            pg.locator("#vb-ev-progress").get_by_text(f"jij beoordeelde er {number}").wait_for()
        pg.screenshot(path=str(OUT / "ev-02-drie-beoordeeld.png"), full_page=True)
        pg.get_by_role("tab", name="Rapport").click()
        pg.locator("#vb-ev-report-btn").click()
        report = pg.locator("#vb-ev-report")
        report.get_by_text("3 van 4 antwoorden beoordeeld door 1 beoordelaar(s) (eva)").wait_for()
        text = report.inner_text()
        assert "eva: fout" in text and "Geen cijfer" in text and "Correct en kort" in text
        assert "Per soort vraag" in text and "Kwaliteit per run" in text
        assert report.locator("img").count() == 1  # the chart over run dates
        pg.screenshot(path=str(OUT / "ev-03-rapport.png"), full_page=True)
    finally:
        context.close()


def test_a_plain_staff_account_cannot_open_the_page(browser: Any, app: App) -> None:
    context = browser.new_context(locale="nl-BE")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        _login(pg, app.base, "piet")
        notice = pg.locator("#vb-login-notice")
        notice.wait_for()
        assert "evaluator" in notice.inner_text()
        assert pg.request.get(app.base + "/evaluatie/config").status == 401
        assert pg.request.get(app.base + "/evaluatie/gradio_api/info").status == 401
        pg.screenshot(path=str(OUT / "ev-04-medewerker-geweigerd.png"), full_page=True)
    finally:
        context.close()
    # Without a browser too: the right password without the role gets no session.
    form = urllib.parse.urlencode({"username": "piet", "password": PASSWORD}).encode()
    request = urllib.request.Request(app.base + "/evaluatie/login", data=form, headers={"Accept": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 403 and "set-cookie" not in {k.lower() for k in refused.value.headers}
