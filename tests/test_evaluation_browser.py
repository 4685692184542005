"""The Evaluatie page in a real browser: two evaluators grade answers and read them in the report.

A real saved run is made first (``python -m evals run`` on a small CSV, lexical-only
on the project's index); then ``python app.py`` serves it from ``ASSISTANT_EVAL_RUNS``
with a temporary staff file, once on SQLite and once on PostgreSQL (when
VRAAGBAAK_TEST_POSTGRES_URL is set).  Debian's chromium, driven by Playwright, logs
in at ``/evaluatie/login``; axe-core scans the grading view and the report (no
serious or critical violations).  A plain staff account is refused.  Screenshots land in
``test-output/browser/``.
"""

from __future__ import annotations

import contextlib
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
from browser_kit import axe_problems, chromium_path, launched_chromium
from conftest import DATABASES, POSTGRES_URL, add_staff, app_env, free_port, postgres_schema, running_app

from assistant.settings import PROJECT_ROOT

pytestmark = pytest.mark.browser

OUT = PROJECT_ROOT / "test-output" / "browser"
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
    database: str
    passwords: dict[str, str]


@pytest.fixture(scope="module")
def saved_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with one real saved run of a four-question CSV set."""
    tmp = tmp_path_factory.mktemp("evaluatie-runs")
    (tmp / "vragen.csv").write_text(QUESTIONS, encoding="utf-8")
    runs = tmp / "runs"
    command = ["run", "--config", "lexical-only", "--gold", str(tmp / "vragen.csv"), "--out", str(runs / "vragen")]
    subprocess.run(
        [sys.executable, "-m", "evals", *command],
        cwd=PROJECT_ROOT,
        env=app_env(tmp, free_port()),
        check=True,
        capture_output=True,
        timeout=600,
    )
    return runs


@pytest.fixture(scope="module", params=DATABASES)
def app(request: pytest.FixtureRequest, saved_runs: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    tmp = tmp_path_factory.mktemp(f"evaluatie-{request.param}")
    with contextlib.ExitStack() as stack:
        env = app_env(tmp, free_port(), ASSISTANT_EVAL_RUNS=str(saved_runs))
        if request.param == "postgres":
            assert POSTGRES_URL
            env["ASSISTANT_DATABASE_URL"] = stack.enter_context(postgres_schema(POSTGRES_URL))
        passwords = {
            "eva": add_staff(env, "eva", "evaluator"),
            "ward": add_staff(env, "ward", "evaluator"),
            "piet": add_staff(env, "piet", "medewerker"),
        }
        log = tmp / "app.log"
        base = stack.enter_context(running_app(env, log))
        yield App(base, log, request.param, passwords)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    with launched_chromium(chromium_path()) as b:
        yield b


def _login(pg: Any, app: App, name: str) -> None:
    pg.goto(app.base + "/evaluatie/")
    pg.get_by_label("Gebruikersnaam").fill(name)
    pg.get_by_label("Wachtwoord").fill(app.passwords[name])
    pg.locator("#vb-login-submit").click()


def _grade(pg: Any, verdict: str, source: str, comment: str) -> None:
    pg.locator("#vb-ev-verdict").get_by_label(verdict, exact=True).check()
    pg.locator("#vb-ev-source").get_by_label(source, exact=True).check()
    pg.locator("#vb-ev-comment textarea").fill(comment)
    pg.locator("#vb-ev-save").click()


def _at(pg: Any, number: int, graded: int) -> None:
    progress = pg.locator("#vb-ev-progress")
    progress.get_by_text(f"Vraag {number} van 4").wait_for()
    progress.get_by_text(f"jij beoordeelde er {graded}").wait_for()


def _open_run(browser: Any, app: App, name: str) -> tuple[Any, Any]:
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    _login(pg, app, name)
    pg.locator("#vb-ev-who").get_by_text(name).wait_for()
    pg.locator("#vb-ev-open").click()
    return context, pg


def test_two_evaluators_grade_the_run_and_the_report_shows_grades_and_agreement(browser: Any, app: App) -> None:
    shot = f"ev-{app.database}"
    context, pg = _open_run(browser, app, "eva")
    try:
        _at(pg, 1, 0)
        assert "Wie is de directeur van Socius?" in pg.locator("#vb-ev-item").inner_text()
        # The [n] of the answer opens its source passage, as in the chat.
        pg.locator("#vb-ev-item a.vb-cite").first.click()
        pg.locator("#vb-ev-item details.vb-bron[open]").first.wait_for()
        pg.screenshot(path=str(OUT / f"{shot}-01-vraag.png"), full_page=True)
        assert axe_problems(pg, OUT / f"axe-{shot}-vraag.json") == []
        _grade(pg, "juist", "bron klopt", "Correct en kort")
        pg.locator("#vb-ev-notice").get_by_text("Beoordeling van vraag 1 bewaard.").wait_for()
        _at(pg, 2, 1)
        pg.locator("#vb-ev-skip").click()  # question 2 stays open
        _at(pg, 3, 1)
        _grade(pg, "fout", "bron klopt niet", "Geen cijfer")
        _at(pg, 4, 2)
        pg.locator("#vb-ev-next-open").click()  # comes back to the skipped question 2
        _at(pg, 2, 2)
        assert "Waar ging de Trefdag 2023 door?" in pg.locator("#vb-ev-item").inner_text()
        _grade(pg, "deels juist", "bron klopt", "")
        _at(pg, 4, 3)
        pg.locator("#vb-ev-prev").click()  # a graded answer shows its grade again
        _at(pg, 3, 3)
        assert pg.locator("#vb-ev-verdict").get_by_label("fout", exact=True).is_checked()
        assert pg.locator("#vb-ev-comment textarea").input_value() == "Geen cijfer"
        pg.screenshot(path=str(OUT / f"{shot}-02-drie-beoordeeld.png"), full_page=True)
        pg.get_by_role("tab", name="Rapport").click()
        pg.locator("#vb-ev-report-btn").click()
        report = pg.locator("#vb-ev-report")
        report.get_by_text("3 van 4 antwoorden beoordeeld door 1 beoordelaar(s) (eva)").wait_for()
        text = report.inner_text()
        assert "eva: fout" in text and "Geen cijfer" in text and "Correct en kort" in text
        assert "Per soort vraag" in text and "Kwaliteit per run" in text
        assert report.locator("img").count() == 1  # the chart over run dates
        pg.screenshot(path=str(OUT / f"{shot}-03-rapport.png"), full_page=True)
        assert axe_problems(pg, OUT / f"axe-{shot}-rapport.json") == []
    finally:
        context.close()
    # A second evaluator grades the same run: the report shows how far the two agree.
    context, pg = _open_run(browser, app, "ward")
    try:
        _at(pg, 1, 0)  # eva's grades are hers: ward starts at the first answer, nothing checked
        assert not pg.locator("#vb-ev-verdict input:checked").count()
        for graded, verdict in enumerate(("juist", "deels juist", "juist"), start=1):
            _grade(pg, verdict, "bron klopt", "")
            _at(pg, graded + 1, graded)
        pg.get_by_role("tab", name="Rapport").click()
        pg.locator("#vb-ev-report-btn").click()
        report = pg.locator("#vb-ev-report")
        report.get_by_text("3 van 4 antwoorden beoordeeld door 2 beoordelaar(s) (eva, ward)").wait_for()
        # Same verdict on 2 of 3: p_o = 2/3, p_e = 1/3, kappa = 0.5; every source 'klopt' for ward: kappa 0.
        rows = [r.split("\t") for r in report.locator("tr").all_inner_texts()]
        assert ["eva", "ward", "3", "0.667", "0.500", "0.000"] in [[c.strip() for c in r] for r in rows]
        pg.screenshot(path=str(OUT / f"{shot}-04-twee-beoordelaars.png"), full_page=True)
    finally:
        context.close()


def test_a_plain_staff_account_cannot_open_the_page(browser: Any, app: App) -> None:
    context = browser.new_context(locale="nl-BE")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        _login(pg, app, "piet")
        notice = pg.locator("#vb-login-notice")
        notice.wait_for()
        assert "evaluator" in notice.inner_text()
        assert pg.request.get(app.base + "/evaluatie/config").status == 401
        assert pg.request.get(app.base + "/evaluatie/gradio_api/info").status == 401
        pg.screenshot(path=str(OUT / f"ev-{app.database}-05-medewerker-geweigerd.png"), full_page=True)
    finally:
        context.close()
    # Without a browser too: the right password without the role gets no session.
    form = urllib.parse.urlencode({"username": "piet", "password": app.passwords["piet"]}).encode()
    request = urllib.request.Request(app.base + "/evaluatie/login", data=form, headers={"Accept": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 403 and "set-cookie" not in {k.lower() for k in refused.value.headers}
