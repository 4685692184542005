"""The knowledge-gap report on a seeded database: clusters and counts, no personal data, retention, harvest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from assistant import Vraagbaak, load_settings
from assistant.cli.main import main as cli_main
from assistant.db import Database
from assistant.gaps.collect import GapSources, is_unanswered, record_unanswered
from assistant.gaps.export import write_csv
from assistant.gaps.report import FoundPassage, SignalKind
from assistant.gaps.turns import UnansweredStore
from assistant.retention import purge_personal_data
from assistant.routing import NO_EVIDENCE_REASON
from assistant.settings import Settings
from assistant.triage import FeedbackStore, TriageStore
from evals.harvest import harvest_cluster

NAMES = ("An Peeters", "Bram De Smet", "Vormingplus Testregio", "Vzw De Brug")
EMAILS = ("an.peeters@example.org", "bram@debrug.be")
SUBSIDY = "Hoeveel subsidie krijgt een Vormingplus?"
MEETING = "Hoe organiseer ik een algemene vergadering online?"
PLAN = "Hoe lang mag een beleidsplan zijn?"
J23 = FoundPassage("Jaarverslag 2023", "p. 12", "socius-jaarverslag-2023")


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=UTC)


@pytest.fixture
def settings(db_url: str) -> Settings:
    """SQLite, and PostgreSQL when VRAAGBAAK_TEST_POSTGRES_URL is set (conftest's db_url)."""
    return load_settings(env={}, database_url=db_url, retention_days=365)


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    with Database.from_settings(settings) as db:
        yield db


def _seed(settings: Settings, database: Database) -> None:
    """Unanswered turns, thumbs-down ratings and triage requests with personal data."""
    turns = UnansweredStore(database)
    feedback = FeedbackStore(database)
    triage = TriageStore.from_settings(settings, database)
    turns.record(question=SUBSIDY, topic="decreet & subsidies", evidence=0.05, passages=[J23], now=_at(1, 5))
    turns.record(question="hoeveel subsidie krijgen vormingpluscentra", topic="decreet & subsidies", evidence=0.1,
                 now=_at(2, 3))  # fmt: skip
    turns.record(question=MEETING, topic="organisatie & goed bestuur", evidence=0.02, now=_at(3, 1))
    turns.record(question=PLAN, topic="beleidsplanning", evidence=0.08, now=_at(3, 2))
    # A question with contact details in its own text.
    turns.record(
        question="Mail me op an.peeters@example.org: hoe organiseren we een online algemene vergadering?",
        topic="organisatie & goed bestuur",
        evidence=0.01,
        now=_at(3, 9),
    )
    # A thumbs-down on the same question on the same day as its unanswered turn: one ask.
    feedback.record(question=SUBSIDY, answer="...", rating=-1, comment="Ik ben An Peeters", now=_at(1, 5))
    feedback.record(question=MEETING, answer="...", rating=-1, now=_at(4, 11))
    feedback.record(question="Wat is een burgerinitiatief?", answer="...", rating=1, now=_at(4, 12))
    # Passed on as "geen bron", with the requester's name and organisation in the question.
    req = triage.create_request(
        question="Ik ben An Peeters van Vormingplus Testregio: hoeveel subsidie krijgt een vormingplus in 2026?",
        requester_name="An Peeters",
        email=EMAILS[0],
        org_type="erkend",
        consent=True,
        organisation="Vormingplus Testregio",
        citations=[{"title": "Jaarverslag 2023", "page": 12, "section": "", "doc_id": "socius-jaarverslag-2023"}],
        route_reason=NO_EVIDENCE_REASON,
        topic="decreet & subsidies",
        created_at=_at(2, 10),
    )
    triage.change_status(req.reference, "opgenomen", by="medewerker", reason="Past in onze werking")
    # A request asked by hand (not "geen bron") about the same thing: only its outcome counts.
    other = triage.create_request(
        question="Hoeveel subsidie krijgen vormingpluscentra dit jaar?",
        requester_name="Bram De Smet",
        email=EMAILS[1],
        org_type="niet-erkend",
        consent=True,
        organisation="Vzw De Brug",
        route_reason="De vraagsteller vroeg zelf om een medewerker.",
        topic="decreet & subsidies",
        created_at=_at(2, 12),
    )
    triage.change_status(other.reference, "doorverwezen", by="medewerker", referred_to="Departement CJM")


def _sources(settings: Settings, database: Database) -> GapSources:
    return GapSources.open(settings, database)


def test_seeded_report_has_the_expected_clusters_and_counts(settings: Settings, database: Database) -> None:
    _seed(settings, database)
    report = _sources(settings, database).report(date(2026, 1, 1), date(2026, 6, 30))
    clusters = [(c.topic, c.frequency, dict(c.kinds)) for c in report.clusters]
    assert clusters == [
        (
            "decreet & subsidies",
            3,
            {SignalKind.NIET_GEVONDEN: 2, SignalKind.DUIM_OMLAAG: 1, SignalKind.GEEN_BRON: 1},
        ),
        ("organisatie & goed bestuur", 3, {SignalKind.NIET_GEVONDEN: 2, SignalKind.DUIM_OMLAAG: 1}),
        ("beleidsplanning", 1, {SignalKind.NIET_GEVONDEN: 1}),
    ]
    subsidy = report.clusters[0]
    assert subsidy.question == SUBSIDY
    assert subsidy.outcomes == {"opgenomen": 1, "doorverwezen": 1}
    assert (J23, 3) in subsidy.passages or (J23, 2) in subsidy.passages
    assert report.total == 7
    assert report.per_month[("organisatie & goed bestuur", "2026-03")] == 2
    # The period filters: only March.
    march = _sources(settings, database).report(date(2026, 3, 1), date(2026, 3, 31))
    assert sorted(c.frequency for c in march.clusters) == [1, 2]


def test_no_email_address_or_name_appears_in_the_report(settings: Settings, database: Database, tmp_path: Path) -> None:
    _seed(settings, database)
    report = _sources(settings, database).report()
    out = tmp_path / "lacunes.csv"
    write_csv(report, out)
    texts = [out.read_text(encoding="utf-8-sig")]
    texts += [" ".join(q for c in report.clusters for q, _ in c.variants)]
    from assistant.web.render import render_template

    texts += [render_template("gaps_cluster.html", cluster=c) for c in report.clusters]
    for text in texts:
        for secret in (*NAMES, *EMAILS, "Peeters", "Testregio", "example.org"):
            assert secret not in text
    assert "[e-mail]" in texts[0] and "[naam]" in texts[0]
    assert (out.stat().st_mode & 0o777) == 0o600


def test_after_the_retention_period_only_counts_remain(settings: Settings, database: Database) -> None:
    _seed(settings, database)
    later = datetime(2027, 2, 28, 12, tzinfo=UTC)  # January and February 2026 are now over a year old
    # The one purge (`python -m assistant purge`) takes the unanswered turns along with the other stores.
    assert purge_personal_data(settings, database, now=later, dry_run=True).count("unanswered") == 2
    assert UnansweredStore(database).list(until=date(2026, 2, 28))[0].question is not None  # dry run: untouched
    assert purge_personal_data(settings, database, now=later).count("unanswered") == 2
    report = _sources(settings, database).report()
    assert report.total == 7  # the counts stay
    assert report.purged["decreet & subsidies"] == 3
    assert all("subsidie" not in q.lower() for c in report.clusters for q, _ in c.variants)
    assert UnansweredStore(database).list(until=date(2026, 2, 28))[0].question is None


def test_the_cli_prints_and_exports_the_report(settings: Settings, database: Database, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    _seed(settings, database)
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", settings.database_url)
    assert cli_main(["gaps", "report", "--since", "2026-01-01"]) == 0
    printed = capsys.readouterr().out
    assert "decreet & subsidies" in printed and "3x  Hoeveel subsidie krijgt een Vormingplus?" in printed
    assert cli_main(["gaps", "report", "--csv", str(tmp_path / "r.csv")]) == 0
    assert "Hoeveel subsidie" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")


def test_harvest_takes_a_cluster_as_candidate_gold_items(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    _seed(settings, database)
    cluster = _sources(settings, database).report().clusters[0]
    out = tmp_path / "kandidaten.jsonl"
    assert harvest_cluster(settings, cluster.id, out, database=database) == len(cluster.variants) == 3
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["question"] for r in rows} == {q for q, _ in cluster.variants}
    assert all(r["review"]["source"] == f"kennislacune {cluster.id}" and r["evidence"] == [] for r in rows)
    for secret in (*NAMES, *EMAILS):
        assert secret not in out.read_text(encoding="utf-8")
    with pytest.raises(Exception, match="Geen groep"):
        harvest_cluster(settings, "K-00000000", out, database=database)


def test_evals_harvest_cluster_on_the_command_line(
    settings: Settings, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m evals harvest --cluster K-... --since ... --out ...`` (the id as the report shows it)."""
    from evals.__main__ import main as evals_main

    _seed(settings, database)
    cluster = _sources(settings, database).report().clusters[0]
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", settings.database_url)
    out = tmp_path / "kandidaten.jsonl"
    argv = ["harvest", "--cluster", cluster.id, "--since", "2026-01-01", "--out", str(out)]
    assert evals_main(argv) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(cluster.variants)
    assert evals_main(["harvest", "--cluster", "K-00000000", "--out", str(out)]) != 0


@pytest.mark.slow
def test_not_found_answers_are_recorded_without_personal_data(va: Vraagbaak, database: Database) -> None:
    store = UnansweredStore(database)
    answer = va.ask("Mail naar jan@example.org: wat kost een vergunning voor een zwembad in Ninove?")
    answered = va.ask("Hoeveel vragen kwamen binnen via de vraaggestuurde werking?")
    assert not is_unanswered(answered) and not record_unanswered(store, answered)
    if is_unanswered(answer):
        assert record_unanswered(store, answer)
        [turn] = store.list()
        assert turn.question and "jan@example.org" not in turn.question and "[e-mail]" in turn.question
        assert turn.topic == answer.topic and len(turn.passages) <= 3
    else:  # the router declined it as out of scope: not a knowledge gap, nothing recorded
        assert answer.route == "decline" and not record_unanswered(store, answer) and store.list() == []
