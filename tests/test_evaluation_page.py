"""The Evaluatie page's handlers: an evaluator grades, skips and comes back; others are refused.

The handlers run against a real SQLite database and PostgreSQL (when
VRAAGBAAK_TEST_POSTGRES_URL is set; Alembic schema), a real staff
file with roles and a saved run on disk; the request is the one seam (an object
with the logged-in ``username``, as Gradio passes it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from eval_items import item_result

from assistant.db import Database
from assistant.settings import load_settings
from assistant.web.auth import Role, StaffAccounts
from assistant.web.evaluation import build_evaluation_blocks
from assistant.web.evaluation_handlers import EvaluationHandlers
from evals.grades import GradeStore
from evals.runner import ItemResult, RunResult
from evals.runs import run_meta, save_run

PASSWORD = "evaluatie-wachtwoord-2026"


def _item(i: int) -> ItemResult:
    return item_result(
        i,
        key_fact_recall=1.0 if i % 2 else 0.0,
        text=f"Socius telde {i}00 deelnemers [1].",
        question=f"Hoeveel deelnemers waren er in ronde {i}? <script>alert(1)</script>",
        key_facts=[f"{i}00"],
        citations=[
            {"n": 1, "chunk_id": "c1", "doc_id": "socius-jaarverslag-2023", "title": "Jaarverslag 2023"}
            | {"page": 4, "section": "", "url": "", "quote": f"Socius telde {i}00 deelnemers."}
        ],
    )


@pytest.fixture
def page(tmp_path: Path, db_url: str) -> Iterator[tuple[EvaluationHandlers, Any]]:
    """The page's handlers on a fresh SQLite file or PostgreSQL schema (``db_url``)."""
    accounts = StaffAccounts(tmp_path / "staff.txt")
    accounts.add("eva", PASSWORD, [Role.EVALUATOR])
    accounts.add("piet", PASSWORD, [Role.MEDEWERKER])
    accounts.add("ward", PASSWORD, [Role.EVALUATOR, Role.MEDEWERKER])
    settings = load_settings(
        env={},
        staff_file=tmp_path / "staff.txt",
        database_url=db_url,
        eval_runs_dir=tmp_path / "runs",
        corpus_dir=tmp_path,
    )
    run = RunResult("default", {"dense_weight": 0.2}, [_item(i) for i in range(4)])
    run.compute_metrics()
    save_run(run, run_meta(settings, []), tmp_path / "runs" / "mijn-set")
    with Database(settings.database_url) as database:
        handlers = EvaluationHandlers(
            settings,
            database=database,
            passages=lambda cid: "Inleiding. Socius telde 000 deelnemers.",
        )
        build_evaluation_blocks(handlers)
        yield handlers, handlers.view


def _as(name: str) -> Any:
    return SimpleNamespace(username=name)


def test_an_evaluator_grades_skips_and_comes_back(page: tuple[EvaluationHandlers, Any]) -> None:
    handlers, v = page
    loaded = handlers.load(_as("eva"))
    assert "eva" in loaded[v.who]
    run_value = loaded[v.run]["value"]
    assert run_value.endswith("default.json")
    shown = handlers.open_run(run_value, _as("eva"))
    state = shown[v.state]
    assert state["index"] == 0 and "Vraag 1 van 4" in shown[v.progress]
    assert "&lt;script&gt;" in shown[v.item] and "<script>" not in shown[v.item]
    assert "vb-cite" in shown[v.item] and "Socius telde 000 deelnemers" in shown[v.item]  # the passage, as in the chat
    after = handlers.save(state, "juist", "bron klopt", "Helder", _as("eva"))
    assert after[v.state]["index"] == 1 and "bewaard" in after[v.notice]
    skipped = handlers.skip(after[v.state], _as("eva"))  # q1 stays open
    assert skipped[v.state]["index"] == 2
    third = handlers.save(skipped[v.state], "fout", "bron klopt niet", "Verkeerd jaar", _as("eva"))
    fourth = handlers.save(third[v.state], "deels juist", None, "", _as("eva"))
    assert fourth[v.state]["index"] == 1  # wraps round to the skipped one
    assert "jij beoordeelde er 3" in fourth[v.progress]
    back = handlers.previous(fourth[v.state], _as("eva"))
    assert back[v.state]["index"] == 0 and back[v.verdict] == "juist" and back[v.comment] == "Helder"
    grades = GradeStore(handlers._database).list()  # type: ignore[arg-type]
    assert [(g.item_key, g.evaluator, g.verdict.value, g.source_ok) for g in grades] == [
        ("eigen/q0", "eva", "juist", True),
        ("eigen/q2", "eva", "fout", False),
        ("eigen/q3", "eva", "deels juist", None),
    ]
    assert all(g.graded_at is not None for g in grades)
    # A second evaluator grades the same answers: the report shows their agreement.
    st = handlers.open_run(run_value, _as("ward"))[v.state]
    for verdict in ("juist", "fout", "fout"):
        st = handlers.save(st, verdict, "bron klopt", "", _as("ward"))[v.state]
    report = handlers.report(st, _as("ward"))[v.report]
    assert "beoordeeld door 2 beoordelaar(s) (eva, ward)" in report
    assert "Cohen" in report and "Per soort vraag" in report and "socius-jaarverslag-2023" in report
    assert "Slechtste antwoorden eerst" in report and "Verkeerd jaar" in report


def test_a_plain_staff_member_gets_nothing(page: tuple[EvaluationHandlers, Any]) -> None:
    handlers, v = page
    loaded = handlers.load(_as("piet"))
    assert "evaluator" in loaded[v.who] and loaded[v.run]["choices"] == []
    run_value = handlers.load(_as("eva"))[v.run]["value"]
    refused = handlers.open_run(run_value, _as("piet"))
    assert v.item not in refused and "evaluator" in refused[v.notice]
    state = handlers.open_run(run_value, _as("eva"))[v.state]
    assert v.state not in handlers.save(state, "juist", None, "", _as("piet"))
    assert "niet aangemeld" in handlers.report(state, _as(""))[v.report]
    assert GradeStore(handlers._database).list() == []  # type: ignore[arg-type]


def test_only_runs_of_the_runs_folder_can_be_opened(page: tuple[EvaluationHandlers, Any], tmp_path: Path) -> None:
    handlers, v = page
    for value in ("/etc/passwd", str(tmp_path / "staff.txt"), "", None):
        out = handlers.open_run(value, _as("eva"))
        assert v.item not in out and out[v.notice]
    bad = handlers.save({"path": "/etc/passwd", "index": 0}, "juist", None, "", _as("eva"))
    assert v.state not in bad and "bestaat niet" in bad[v.notice]


def test_grade_store_keeps_one_current_grade_per_evaluator_with_its_time(db_url: str) -> None:
    import datetime as dt

    from evals.grades import GradeError

    with Database(db_url) as db:
        store = GradeStore(db)
        first = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
        store.save(run_id="r1", item_key="set/q1", evaluator="eva", verdict="fout", now=first)
        store.save(run_id="r1", item_key="set/q1", evaluator="ward", verdict="juist", source_ok=True, now=first)
        later = first + dt.timedelta(hours=2)
        store.save(run_id="r1", item_key="set/q1", evaluator="eva", verdict="deels juist", comment="Bijna", now=later)
        store.save(run_id="r2", item_key="set/q1", evaluator="eva", verdict="juist", now=later)
        mine = store.list(["r1"], evaluator="eva")
        assert [(g.verdict.value, g.comment, g.graded_at) for g in mine] == [("deels juist", "Bijna", later)]
        assert len(store.list(["r1"])) == 2 and len(store.list()) == 3
        with pytest.raises(GradeError, match="juist, deels juist of fout"):
            store.save(run_id="r1", item_key="set/q1", evaluator="eva", verdict="goed")
        with pytest.raises(GradeError, match="te lang"):
            store.save(run_id="r1", item_key="set/q1", evaluator="eva", verdict="fout", comment="x" * 6000)


def test_the_evaluation_login_ends_a_session_when_the_role_is_withdrawn(tmp_path: Path) -> None:
    from starlette.requests import Request

    from assistant.web.login import SESSION_COOKIE, StaffLogin

    accounts = StaffAccounts(tmp_path / "staff.txt")
    accounts.add("eva", PASSWORD, [Role.EVALUATOR])
    settings = load_settings(env={}, staff_file=tmp_path / "staff.txt")
    login = StaffLogin(settings, prefix="/evaluatie", accounts=accounts, role=Role.EVALUATOR)
    session = login.sessions.start("eva")
    cookie = f"{SESSION_COOKIE}={session.token}".encode()
    request = Request({"type": "http", "method": "GET", "path": "/evaluatie/", "headers": [(b"cookie", cookie)]})
    assert login.user(request) == "eva"
    accounts.set_roles("eva", [Role.MEDEWERKER])
    assert login.user(request) is None
    accounts.set_roles("eva", [Role.EVALUATOR])
    assert login.user(request) is None  # the session ended; a new login is needed


def test_grades_command_writes_the_report(
    page: tuple[EvaluationHandlers, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evals.__main__ import main

    handlers, v = page
    run_value = handlers.load(_as("eva"))[v.run]["value"]
    state = handlers.open_run(run_value, _as("eva"))[v.state]
    handlers.save(state, "fout", "bron klopt niet", "Verkeerd cijfer", _as("eva"))
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", handlers.settings.database_url)
    monkeypatch.setenv("ASSISTANT_EVAL_RUNS", str(handlers.runs_dir))
    assert main(["grades", run_value, "--out", str(tmp_path / "beoordeling")]) == 0
    md = (tmp_path / "beoordeling" / "beoordeling.md").read_text(encoding="utf-8")
    assert "1 van 4 antwoorden beoordeeld door 1 beoordelaar(s) (eva)" in md and "eva: Verkeerd cijfer" in md
    assert (tmp_path / "beoordeling" / "beoordeling.html").exists()
