"""Handlers of the Bronnen and Kennislacunes pages, called directly: roles, listing, refusals (no browser)."""

from __future__ import annotations

import html
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import gradio as gr
import pytest
from conftest import CORPUS
from sources_files import windows_exe

from assistant import load_settings
from assistant.db import Database
from assistant.gaps.report import GapReport, GapSignal, SignalKind, build_report
from assistant.settings import Settings
from assistant.sources import SourcesService
from assistant.sources.audit import SourceAuditStore
from assistant.web.auth import Role, StaffAccounts
from assistant.web.gaps import GapsHandlers, build_gaps_blocks
from assistant.web.sources import SourcesHandlers, build_sources_blocks


@dataclass
class FakeRequest:
    """What the handlers read of a ``gr.Request``: the logged-in user name."""

    username: str | None


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    (corpus / "toolbox").mkdir(parents=True)
    shutil.copy(CORPUS / "toolbox" / "beleidsplanning.html", corpus / "toolbox")
    s = load_settings(
        env={},
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        staff_file=tmp_path / "staff.txt",
    )
    accounts = StaffAccounts.from_settings(s)
    accounts.add("beheerder-an", "een-lang-wachtwoord", [Role.BEHEERDER])
    accounts.add("medewerker-bert", "een-lang-wachtwoord")
    accounts.add("evaluator-cas", "een-lang-wachtwoord", [Role.EVALUATOR])
    return s


@pytest.fixture
def handlers(settings: Settings) -> Iterator[SourcesHandlers]:
    with Database.from_settings(settings) as database:
        service = SourcesService(settings, partial(SourceAuditStore, database))
        h = SourcesHandlers(settings, service)
        build_sources_blocks(h)
        yield h
        service.close()


def test_plain_staff_read_the_list_without_the_forms(handlers: SourcesHandlers) -> None:
    v = handlers.view
    out = handlers.load("", "alle", FakeRequest("medewerker-bert"))
    assert out[v.editor]["visible"] is False
    assert "enkel een medewerker met de rol 'beheerder'" in html.unescape(out[v.who])
    rows = out[v.table]
    assert rows[0][2] == "toolbox/beleidsplanning.html" and rows[0][7] == "nog niet geïndexeerd"
    beheerder = handlers.load("", "alle", FakeRequest("beheerder-an"))
    assert beheerder[v.editor]["visible"] is True


def test_changes_need_the_beheerder_role_on_the_server(handlers: SourcesHandlers, tmp_path: Path) -> None:
    program = windows_exe(tmp_path / "x.pdf")
    for who in ("medewerker-bert", "evaluator-cas", None, "onbekend"):
        with pytest.raises(gr.Error):
            handlers.add([str(program)], "", "publicatie", "", FakeRequest(who))
        with pytest.raises(gr.Error):
            handlers.remove("toolbox/beleidsplanning.html", True, FakeRequest(who))
        with pytest.raises(gr.Error):
            handlers.replace("toolbox/beleidsplanning.html", None, "Nieuw", None, None, FakeRequest(who))
    assert handlers.service.history() == [] and handlers.service.jobs() == []


def test_a_refused_upload_shows_the_reason_and_stores_nothing(handlers: SourcesHandlers, tmp_path: Path) -> None:
    (tmp_path / "upload").mkdir()
    program = windows_exe(tmp_path / "upload" / "jaarverslag.pdf")
    out = handlers.add([str(program)], "", "publicatie", "", FakeRequest("beheerder-an"))
    notice = out[handlers.view.notice]
    notice = html.unescape(notice)
    assert "jaarverslag.pdf" in notice and "Windows-programma" in notice and "niets van opgeslagen" in notice
    assert handlers.service.jobs() == [] and handlers.service.history() == []
    with pytest.raises(gr.Error):
        handlers.remove("toolbox/beleidsplanning.html", True, FakeRequest("medewerker-bert"))
    out = handlers.remove("toolbox/beleidsplanning.html", False, FakeRequest("beheerder-an"))
    assert "Vink eerst aan" in html.unescape(out[handlers.view.notice])


def test_search_and_type_filter(handlers: SourcesHandlers) -> None:
    v = handlers.view
    assert len(handlers.refresh("beleid", "alle", FakeRequest("medewerker-bert"))[v.table]) == 1
    assert handlers.refresh("vergadering", "alle", FakeRequest("medewerker-bert"))[v.table] == []
    assert handlers.refresh("", "publicatie", FakeRequest("medewerker-bert"))[v.table] == []
    assert len(handlers.refresh("", "toolbox", FakeRequest("medewerker-bert"))[v.table]) == 1


class SeededReporter:
    def report(self, since: object = None, until: object = None) -> GapReport:
        from datetime import UTC, datetime

        at = datetime(2026, 3, 1, tzinfo=UTC)
        return build_report(
            [
                GapSignal(
                    at, "Hoeveel subsidie krijgt een Vormingplus?", "decreet & subsidies", SignalKind.NIET_GEVONDEN
                ),
                GapSignal(
                    at, "hoeveel subsidie krijgen vormingpluscentra", "decreet & subsidies", SignalKind.DUIM_OMLAAG
                ),
            ]
        )


def test_the_gap_page_is_for_staff_and_evaluators(settings: Settings, tmp_path: Path) -> None:
    h = GapsHandlers(settings, SeededReporter(), export_dir=tmp_path / "exports")
    build_gaps_blocks(h)
    v = h.view
    for who in ("medewerker-bert", "evaluator-cas", "beheerder-an"):
        out = h.show("2026-01-01", "2026-12-31", "alle", FakeRequest(who))
        assert out[v.table][0][2] == "Hoeveel subsidie krijgt een Vormingplus?" and out[v.table][0][3] == 2
    with pytest.raises(gr.Error):
        h.show("", "", "alle", FakeRequest(None))
    cluster = out[v.table][0][0]
    detail = h.open_cluster("", "", cluster, FakeRequest("evaluator-cas"))[v.detail]
    assert "vormingpluscentra" in detail and "decreet &amp; subsidies" in detail  # escaped by Jinja
    exported = h.export_csv("", "", FakeRequest("evaluator-cas"))
    assert Path(exported[v.export_file]["value"]).read_text(encoding="utf-8-sig").count("\n") == 2
    bad = h.show("31-01-2026", "", "alle", FakeRequest("evaluator-cas"))
    assert "geen geldige datum" in html.unescape(bad[v.notice])


def test_the_mounted_pages_need_a_staff_login(settings: Settings) -> None:
    """/staff/bronnen and /staff/kennislacunes in the app: nothing without a login (config, API, uploads),
    the page itself sends to the login; with a login the page's components are there."""
    from fastapi.testclient import TestClient
    from test_access import FakeAssistant

    from assistant.web.app import build_app

    app = build_app(settings, assistant=FakeAssistant(), warm=False)  # type: ignore[arg-type]
    with TestClient(app) as http:
        for page in ("/staff/bronnen", "/staff/kennislacunes"):
            assert http.get(page + "/config").status_code == 401
            for path in ("/gradio_api/info", "/openapi.json", "/docs", "/gradio_api/openapi.json"):
                assert http.get(page + path).status_code in (401, 404), page + path
            home = http.get(page + "/", follow_redirects=False)
            assert home.status_code == 303 and home.headers["location"] == "/staff/login"
        upload = http.post("/staff/bronnen/gradio_api/upload", files={"files": ("a.pdf", b"%PDF-1.4")})
        assert upload.status_code == 401
        login = {"username": "medewerker-bert", "password": "een-lang-wachtwoord"}
        assert http.post("/staff/login", data=login).status_code == 200
        assert "vb-src-table" in http.get("/staff/bronnen/config").text
        assert "vb-gap-table" in http.get("/staff/kennislacunes/config").text
        for page in ("/staff/bronnen", "/staff/kennislacunes"):  # no route list, also with a login
            assert http.get(page + "/openapi.json").status_code == 404
