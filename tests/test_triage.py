"""Tests of the triage store, its reporting, its CLI piece and the feedback store.

Every test runs against a real SQLite file in ``tmp_path``; with
``VRAAGBAAK_TEST_POSTGRES_URL`` set (see ``.ci/start-postgres.sh``) each one runs
again against PostgreSQL, in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory

from assistant.cli.triage import add_triage_parser, run_triage
from assistant.db import Database
from assistant.db.schema import alembic_config
from assistant.errors import TriageError, VraagbaakError
from assistant.settings import Settings
from assistant.triage import (
    AFGEWEZEN,
    DOORVERWEZEN,
    FINAL_STATUSES,
    IN_BEHANDELING,
    NIEUW,
    OPGENOMEN,
    REDACTED,
    STATUSES,
    TRANSITIONS,
    FeedbackError,
    FeedbackStore,
    Request,
    TriageStore,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """The database of ``db_url``, disposed after the test (the PostgreSQL server has few slots)."""
    with Database(db_url) as db:
        yield db


@pytest.fixture
def store(database: Database) -> TriageStore:
    return TriageStore(database, retention_days=365)


def make_request(store: TriageStore, **overrides: Any) -> Request:
    values: dict[str, Any] = {
        "question": "Hoe dien ik een subsidiedossier in voor ons vormingsaanbod?",
        "requester_name": "An Peeters",
        "email": "an.peeters@voorbeeld.be",
        "organisation": "Vormingplus Voorbeeld",
        "org_type": "erkend",
        "consent": True,
        "conversation": [
            {"role": "user", "content": "Wanneer is de deadline voor het subsidiedossier?"},
            {"role": "assistant", "content": "Dat vind ik niet in de documenten."},
        ],
        "answer": "Dat vind ik niet in de documenten.",
        "citations": [{"source": "jaarverslag-2023.pdf", "page": 12}],
        "route_reason": "geen bewijs in het corpus",
        "topic": "subsidies",
    }
    values.update(overrides)
    return store.create_request(**values)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --------------------------------------------------------------------------- create


def test_create_with_consent_stores_everything(store: TriageStore) -> None:
    before = datetime.now(UTC)
    request = make_request(store)
    after = datetime.now(UTC)

    year = before.year
    assert request.reference == f"VB-{year}-00001"
    assert request.status == NIEUW
    assert before - timedelta(seconds=1) <= request.created_at <= after + timedelta(seconds=1)
    assert request.created_at.tzinfo is not None
    assert request.requester_name == "An Peeters"
    assert request.email == "an.peeters@voorbeeld.be"
    assert request.organisation == "Vormingplus Voorbeeld"
    assert request.org_type == "erkend"
    assert request.target_group == "primair"
    assert request.consent is True
    assert request.consent_at == request.created_at
    assert request.conversation[0] == {
        "role": "user",
        "content": "Wanneer is de deadline voor het subsidiedossier?",
    }
    assert request.citations == [{"source": "jaarverslag-2023.pdf", "page": 12}]
    assert request.topic == "subsidies"
    assert request.route_reason == "geen bewijs in het corpus"
    # Personal data stays out of repr (and so out of accidental log lines).
    assert "an.peeters" not in repr(request)
    assert "An Peeters" not in repr(request)

    second = make_request(store, org_type="Niet erkend")
    assert second.reference == f"VB-{year}-00002"
    assert second.org_type == "niet-erkend"
    assert store.get(second.reference.lower()) == second

    (created,) = store.audit(request.reference)
    assert (created.from_status, created.to_status, created.by) == (None, NIEUW, "vraagbaak")


@pytest.mark.parametrize("consent", [False, None, "ja", 1])
def test_create_without_consent_is_refused_and_stores_nothing(store: TriageStore, consent: Any) -> None:
    with pytest.raises(TriageError) as info:
        make_request(store, consent=consent)
    message = str(info.value)
    assert "Toestemming is nodig" in message
    assert "e-mailadres" in message
    assert store.list() == []


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("question", "   ", "vraag is leeg"),
        ("email", "geen-adres", "e-mailadres lijkt niet geldig"),
        ("email", "", "e-mailadres in"),
        ("requester_name", " ", "naam in"),
        ("org_type", "vzw", "kies uit: erkend, niet-erkend, secundair"),
        ("conversation", [{"role": "user"}], "role en content"),
        ("citations", "bron.pdf", "lijst"),
    ],
)
def test_create_validates_input(store: TriageStore, field: str, value: Any, fragment: str) -> None:
    with pytest.raises(TriageError, match=fragment):
        make_request(store, **{field: value})
    assert store.list() == []


def test_references_count_per_year_and_normalise(store: TriageStore) -> None:
    a = make_request(store, created_at=utc(2025, 12, 31, 23, 59, 59))
    b = make_request(store, created_at=utc(2026, 1, 1, 0, 0, 0))
    c = make_request(store, created_at=utc(2025, 3, 1, 9, 0))
    assert [a.reference, b.reference, c.reference] == [
        "VB-2025-00001",
        "VB-2026-00001",
        "VB-2025-00002",
    ]
    assert store.get("vb-2025-2").reference == "VB-2025-00002"
    with pytest.raises(TriageError, match="bestaat niet"):
        store.get("VB-2024-00001")
    with pytest.raises(TriageError, match="geen referentienummer"):
        store.get("42")


# --------------------------------------------------------------------------- status


def test_status_changes_are_audited(store: TriageStore) -> None:
    ref = make_request(store).reference
    before = datetime.now(UTC) - timedelta(seconds=1)

    store.change_status(ref, "in-behandeling", by="Jan", note="ik bel haar")
    store.change_status(ref, OPGENOMEN, by="Jan", reason="past in ons aanbod")
    store.change_status(ref, IN_BEHANDELING, by="Els", reason="toch te vroeg afgesloten")
    store.change_status(ref, DOORVERWEZEN, by="Els", referred_to="Vlaams Steunpunt Vrijwilligerswerk")
    request = store.get(ref)
    after = datetime.now(UTC) + timedelta(seconds=1)

    assert request.status == DOORVERWEZEN
    assert request.referred_to == "Vlaams Steunpunt Vrijwilligerswerk"
    trail = store.audit(ref)
    assert [(e.by, e.from_status, e.to_status) for e in trail] == [
        ("vraagbaak", None, NIEUW),
        ("Jan", NIEUW, IN_BEHANDELING),
        ("Jan", IN_BEHANDELING, OPGENOMEN),
        ("Els", OPGENOMEN, IN_BEHANDELING),
        ("Els", IN_BEHANDELING, DOORVERWEZEN),
    ]
    assert trail[1].note == "ik bel haar"
    assert trail[2].reason == "past in ons aanbod"
    assert trail[3].is_reopen and trail[3].reason == "toch te vroeg afgesloten"
    assert not any(e.is_reopen for e in trail if e is not trail[3])
    assert trail[4].referred_to == "Vlaams Steunpunt Vrijwilligerswerk"
    for entry in trail[1:]:
        assert before <= entry.at <= after
    assert [e.at for e in trail] == sorted(e.at for e in trail)
    assert request.updated_at == trail[-1].at


def _bring_to(store: TriageStore, status: str) -> str:
    ref = make_request(store).reference
    if status == NIEUW:
        return ref
    store.change_status(
        ref,
        status,
        by="Jan",
        reason="geen tijd" if status == AFGEWEZEN else None,
        referred_to="Socius" if status == DOORVERWEZEN else None,
    )
    return ref


def test_every_transition_outside_the_table_is_refused(store: TriageStore) -> None:
    refused = 0
    for current in STATUSES:
        for target in STATUSES:
            if target in TRANSITIONS[current]:
                continue
            ref = _bring_to(store, current)
            with pytest.raises(TriageError) as info:
                store.change_status(
                    ref,
                    target,
                    by="Jan",
                    reason="geen tijd",
                    referred_to="Socius" if target == DOORVERWEZEN else None,
                )
            message = str(info.value)
            for allowed in TRANSITIONS[current]:
                assert repr(allowed) in message, message
            assert store.get(ref).status == current
            assert len(store.audit(ref)) == (1 if current == NIEUW else 2)
            refused += 1
    # 5 statuses x 5 targets, minus 4 + 4 + 1 + 1 + 1 allowed ones.
    assert refused == 25 - 11


def test_invalid_transition_message_names_the_allowed_ones(store: TriageStore) -> None:
    ref = _bring_to(store, OPGENOMEN)
    with pytest.raises(TriageError) as info:
        store.change_status(ref, AFGEWEZEN, by="Jan", reason="geen tijd")
    assert str(info.value) == (
        f"{ref} staat op 'opgenomen', een eindstatus: naar 'afgewezen' kan niet. "
        "Enkel heropenen naar 'in behandeling' is toegestaan."
    )
    with pytest.raises(TriageError, match="Onbekende status 'klaar'"):
        store.change_status(ref, "klaar", by="Jan")
    with pytest.raises(TriageError, match="by / --by"):
        store.change_status(ref, IN_BEHANDELING, by=" ")
    with pytest.raises(TriageError, match="bestaat niet"):
        store.change_status("VB-2001-00001", IN_BEHANDELING, by="Jan")


def test_referral_requires_a_target(store: TriageStore) -> None:
    ref = make_request(store).reference
    with pytest.raises(TriageError, match="Doorverwijzen vraagt een bestemming"):
        store.change_status(ref, DOORVERWEZEN, by="Jan")
    with pytest.raises(TriageError, match="Doorverwijzen vraagt een bestemming"):
        store.change_status(ref, DOORVERWEZEN, by="Jan", referred_to="  ")
    with pytest.raises(TriageError, match="enkel bij status 'doorverwezen'"):
        store.change_status(ref, OPGENOMEN, by="Jan", referred_to="Socius")
    assert store.get(ref).status == NIEUW
    assert store.change_status(ref, DOORVERWEZEN, by="Jan", referred_to="Socius").referred_to == "Socius"
    # Reopening clears the outcome; the audit trail keeps it.
    reopened = store.change_status(ref, IN_BEHANDELING, by="Jan")
    assert reopened.referred_to is None
    assert store.audit(ref)[1].referred_to == "Socius"


def test_decline_requires_a_known_reason(store: TriageStore) -> None:
    ref = make_request(store).reference
    with pytest.raises(TriageError, match="Afwijzen vraagt een reden"):
        store.change_status(ref, AFGEWEZEN, by="Jan")
    with pytest.raises(TriageError, match="Onbekende reden 'te druk'"):
        store.change_status(ref, AFGEWEZEN, by="Jan", reason="te druk")
    with pytest.raises(TriageError, match="Bij reden 'andere' hoort een uitleg"):
        store.change_status(ref, AFGEWEZEN, by="Jan", reason="andere")
    assert store.get(ref).status == NIEUW

    declined = store.change_status(ref, AFGEWEZEN, by="Jan", reason="Geen expertise in huis")
    assert (declined.decline_reason, declined.decline_detail) == ("geen expertise in huis", None)

    other = make_request(store).reference
    declined = store.change_status(other, AFGEWEZEN, by="Jan", reason="andere: dossier te laat")
    assert (declined.decline_reason, declined.decline_detail) == ("andere", "dossier te laat")
    assert store.audit(other)[-1].reason == "andere: dossier te laat"

    third = make_request(store).reference
    declined = store.change_status(third, AFGEWEZEN, by="Jan", reason="andere", reason_detail="vraag werd ingetrokken")
    assert (declined.decline_reason, declined.decline_detail) == (
        "andere",
        "vraag werd ingetrokken",
    )


def test_notes_and_assignment(store: TriageStore) -> None:
    ref = make_request(store).reference
    store.add_note(ref, "Eerste contact gelegd.", by="Jan")
    store.add_note(ref, "Afspraak op 3 maart.", by="Els")
    assigned = store.assign(ref, "Els", by="Jan")
    assert assigned.assignee == "Els"
    assert [(n.author, n.text) for n in assigned.notes] == [
        ("Jan", "Eerste contact gelegd."),
        ("Els", "Afspraak op 3 maart."),
    ]
    assert store.list(assignee="Els")[0].reference == ref
    assert store.assign(ref, None, by="Jan").assignee is None
    with pytest.raises(TriageError, match="notitie is leeg"):
        store.add_note(ref, "  ", by="Jan")


# --------------------------------------------------------------------------- listing


def test_list_filters(store: TriageStore) -> None:
    a = make_request(store, topic="Subsidies", created_at=utc(2026, 1, 10, 8))
    b = make_request(store, topic="vrijwilligers", created_at=utc(2026, 2, 10, 8))
    c = make_request(store, topic="subsidies", org_type="secundair", created_at=utc(2026, 3, 10, 8))
    store.change_status(b.reference, OPGENOMEN, by="Jan")

    def refs(**filters: Any) -> list[str]:
        return [r.reference for r in store.list(**filters)]

    assert refs() == [a.reference, b.reference, c.reference]
    assert refs(status="opgenomen") == [b.reference]
    assert refs(status="nieuw") == [a.reference, c.reference]
    assert refs(topic="SUBSIDIES") == [a.reference, c.reference]
    assert refs(since=date(2026, 2, 10)) == [b.reference, c.reference]
    assert refs(until=date(2026, 2, 10)) == [a.reference, b.reference]
    assert refs(since=date(2026, 2, 1), until=date(2026, 2, 28)) == [b.reference]
    assert refs(org_type="secundair") == [c.reference]
    assert refs(limit=1) == [a.reference]


# --------------------------------------------------------------------------- retention


def test_purge_expired_anonymises_old_requests_and_keeps_counts(database: Database) -> None:
    store = TriageStore(database, retention_days=30)
    now = utc(2026, 6, 1, 12)
    old = make_request(store, created_at=now - timedelta(days=31))
    borderline = make_request(store, created_at=now - timedelta(days=29))
    fresh = make_request(store, created_at=now - timedelta(days=1))
    store.change_status(old.reference, AFGEWEZEN, by="Jan", reason="buiten scope", note="An belde")
    store.add_note(old.reference, "An Peeters belde terug", by="Jan")
    stats_before = store.stats()

    assert store.purge_expired(now=now, dry_run=True) == 1
    assert store.get(old.reference).email == "an.peeters@voorbeeld.be"
    assert store.purge_expired(now=now) == 1
    assert store.purge_expired(now=now) == 0  # already anonymised

    purged = store.get(old.reference)
    assert purged.requester_name is None
    assert purged.email is None
    assert purged.organisation is None
    assert purged.question == REDACTED
    assert purged.answer == REDACTED
    assert [m["content"] for m in purged.conversation] == [REDACTED, REDACTED]
    assert [n.text for n in purged.notes] == [REDACTED]
    assert store.audit(old.reference)[-1].note == REDACTED
    assert purged.purged_at == now
    # What the figures need stays.
    assert (purged.reference, purged.created_at, purged.status) == (
        old.reference,
        old.created_at,
        AFGEWEZEN,
    )
    assert (purged.org_type, purged.topic, purged.decline_reason) == (
        "erkend",
        "subsidies",
        "buiten scope",
    )
    assert store.stats() == stats_before
    for kept in (borderline, fresh):
        assert store.get(kept.reference).email == "an.peeters@voorbeeld.be"


# --------------------------------------------------------------------------- stats

# Hand-counted fixture: (created, org type, topic, status, extra).
_FIXTURE: list[tuple[datetime, str, str | None, str, dict[str, str]]] = [
    (utc(2026, 1, 5, 9), "erkend", "subsidies", OPGENOMEN, {}),
    (utc(2026, 1, 6, 9), "erkend", "subsidies", OPGENOMEN, {}),
    (
        utc(2026, 2, 1, 9),
        "erkend",
        "vrijwilligers",
        DOORVERWEZEN,
        {"referred_to": "Vlaams Steunpunt Vrijwilligerswerk"},
    ),
    (utc(2026, 2, 2, 9), "niet-erkend", "subsidies", OPGENOMEN, {}),
    (utc(2026, 3, 3, 9), "niet-erkend", "vrijwilligers", AFGEWEZEN, {"reason": "geen tijd"}),
    (utc(2026, 3, 4, 9), "niet-erkend", None, NIEUW, {}),
    (utc(2026, 4, 5, 9), "secundair", "subsidies", OPGENOMEN, {}),
    (utc(2026, 5, 6, 9), "secundair", "vrijwilligers", AFGEWEZEN, {"reason": "buiten doelgroep"}),
    (
        utc(2026, 6, 7, 9),
        "secundair",
        "Subsidies",
        DOORVERWEZEN,
        {"referred_to": "vlaams steunpunt vrijwilligerswerk"},
    ),
    (utc(2026, 12, 31, 23, 59, 59), "erkend", "vrijwilligers", IN_BEHANDELING, {}),
    # Outside 2026:
    (utc(2025, 12, 31, 23, 59, 59), "erkend", "subsidies", OPGENOMEN, {}),
    (utc(2025, 6, 1, 9), "secundair", "vorming", AFGEWEZEN, {"reason": "andere: dubbele vraag"}),
    (utc(2027, 1, 1, 0, 0, 0), "erkend", "subsidies", NIEUW, {}),
]


def _load_fixture(store: TriageStore) -> None:
    for created, org_type, topic, status, extra in _FIXTURE:
        ref = make_request(store, created_at=created, org_type=org_type, topic=topic).reference
        if status != NIEUW:
            store.change_status(ref, status, by="Jan", **extra)


def test_stats_match_hand_counted_figures(store: TriageStore) -> None:
    _load_fixture(store)
    stats = store.stats(date(2026, 1, 1), date(2026, 12, 31))

    def counts(c: Any) -> tuple[int, int, int, int, int]:
        return (c.received, c.taken_up, c.referred, c.declined, c.open)

    #              received taken_up referred declined open
    assert counts(stats.total) == (10, 4, 2, 2, 2)
    assert counts(stats.by_target_group["primair"]) == (7, 3, 1, 1, 2)
    assert counts(stats.by_target_group["secundair"]) == (3, 1, 1, 1, 0)
    assert counts(stats.by_org_type["erkend"]) == (4, 2, 1, 0, 1)
    assert counts(stats.by_org_type["niet-erkend"]) == (3, 1, 0, 1, 1)
    assert counts(stats.by_org_type["secundair"]) == (3, 1, 1, 1, 0)
    assert {k: counts(v) for k, v in stats.by_topic.items()} == {
        "subsidies": (5, 4, 1, 0, 0),
        "vrijwilligers": (4, 0, 1, 2, 1),
        "": (1, 0, 0, 0, 1),
    }
    assert stats.referred_to == {"Vlaams Steunpunt Vrijwilligerswerk": 2}
    assert stats.declined_by_reason == {
        "geen tijd": 1,
        "geen expertise in huis": 0,
        "buiten doelgroep": 1,
        "buiten scope": 0,
        "andere": 0,
    }
    assert stats.summary_nl() == (
        "In totaal ontvingen we 10 vragen. We namen 4 van die vragen op: 3 uit onze primaire "
        "doelgroep en 1 uit onze secundaire doelgroep. We verwezen 2 vragen door. "
        "We wezen 2 vragen af. 2 vragen zijn nog open."
    )
    assert stats.since == utc(2026, 1, 1) and stats.until == utc(2027, 1, 1)
    json.dumps(stats.to_dict())  # JSON-ready

    everything = store.stats()
    assert counts(everything.total) == (13, 5, 2, 3, 3)
    assert everything.declined_by_reason["andere"] == 1
    assert counts(store.stats(date(2025, 1, 1), date(2025, 12, 31)).total) == (2, 1, 0, 1, 0)
    assert counts(store.stats(since=date(2027, 1, 1)).total) == (1, 0, 0, 0, 1)


# --------------------------------------------------------------------------- export


def test_export_csv_content_filters_and_privacy(store: TriageStore, tmp_path: Path) -> None:
    first = make_request(store, created_at=utc(2026, 1, 5, 9), question='=HYPERLINK("x") hoe?')
    second = make_request(store, created_at=utc(2026, 2, 5, 9), topic="vrijwilligers", org_type="secundair")
    store.change_status(second.reference, AFGEWEZEN, by="Jan", reason="buiten doelgroep")

    path = tmp_path / "export" / "triage.csv"
    path.parent.mkdir()
    assert store.export_csv(path) == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read the accents right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["reference"] for r in rows] == [first.reference, second.reference]
    assert rows[0]["email"] == "an.peeters@voorbeeld.be"
    assert rows[0]["requester_name"] == "An Peeters"
    assert rows[0]["question"] == '\'=HYPERLINK("x") hoe?'  # defused formula
    assert rows[0]["created_at"] == "2026-01-05T09:00:00+00:00"
    assert rows[1]["status"] == AFGEWEZEN
    assert rows[1]["decline_reason"] == "buiten doelgroep"
    assert rows[1]["target_group"] == "secundair"
    assert rows[1]["purged"] == "nee"

    buffer = io.StringIO()
    assert store.export_csv(buffer, status="afgewezen", personal_data=False, delimiter=";") == 1
    text = buffer.getvalue()
    assert "an.peeters" not in text and "An Peeters" not in text and "Vormingplus" not in text
    (row,) = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert row["reference"] == second.reference
    assert "email" not in row and "question" not in row

    buffer = io.StringIO()
    assert store.export_csv(buffer, topic="SUBSIDIES", since=date(2026, 1, 1), until=date(2026, 1, 31)) == 1

    with pytest.raises(TriageError, match="niet schrijven"):
        store.export_csv(tmp_path / "missing" / "x.csv")


# --------------------------------------------------------------------------- concurrency


def test_concurrent_threads_lose_nothing(store: TriageStore) -> None:
    errors: list[BaseException] = []
    refs: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            for _ in range(25):
                ref = make_request(store).reference
                with lock:
                    refs.append(ref)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(set(refs)) == 50
    numbers = sorted(int(ref.rsplit("-", 1)[1]) for ref in refs)
    assert numbers == list(range(1, 51))
    assert len(store.list()) == 50


_WORKER = """
import sys, time
from assistant.db import Database
from assistant.db.schema import alembic_config
from assistant.triage import TriageStore
url, start_at = sys.argv[1], float(sys.argv[2])
time.sleep(max(0.0, start_at - time.time()))
store = TriageStore(Database(url))  # both processes upgrade the fresh database at once
for i in range(25):
    r = store.create_request(question=f"vraag {i}", requester_name="Test", email="t@voorbeeld.be",
                             org_type="erkend", consent=True)
    print(r.reference, flush=True)
"""


@pytest.mark.slow
def test_two_processes_on_a_fresh_database_lose_nothing(db_url: str, database: Database) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    start_at = time.time() + 3.0
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, db_url, str(start_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=PROJECT_ROOT,
        )
        for _ in range(2)
    ]
    refs: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        refs += out.split()
    assert len(refs) == 50
    assert len(set(refs)) == 50
    store = TriageStore(database)
    assert sorted(r.reference for r in store.list()) == sorted(refs)
    with database.connect() as conn:
        versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    assert versions == [ScriptDirectory.from_config(alembic_config()).get_current_head()]


# --------------------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    add_triage_parser(sub)
    return parser


def cli(db_url: str, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    args = _parser().parse_args(["triage", *argv])
    code = run_triage(args, Settings(database_url=db_url, retention_days=30))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_list_show_status(store: TriageStore, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ref = make_request(store, created_at=utc(2026, 3, 1, 10)).reference
    other = make_request(store, created_at=utc(2026, 4, 1, 10), topic="vorming").reference

    code, out, err = cli(db_url, capsys, "list")
    assert (code, err) == (0, "")
    assert ref in out and other in out and "2 request(s)" in out
    assert "an.peeters" not in out  # the list shows no contact details

    code, out, _ = cli(db_url, capsys, "list", "--topic", "vorming", "--json")
    assert code == 0
    assert [r["reference"] for r in json.loads(out)] == [other]

    code, out, _ = cli(db_url, capsys, "list", "--since", "2026-03-15")
    assert other in out and ref not in out

    code, out, _ = cli(db_url, capsys, "status", ref, "in behandeling", "--by", "Jan", "--note", "bellen")
    assert (code, out.strip()) == (0, f"{ref}: in behandeling")
    code, out, _ = cli(db_url, capsys, "status", ref, "doorverwezen", "--to", "Socius", "--by", "Jan")
    assert code == 0
    code, out, _ = cli(db_url, capsys, "note", ref, "Mail gestuurd", "--by", "Els")
    assert code == 0
    code, out, _ = cli(db_url, capsys, "assign", ref, "Els", "--by", "Jan")
    assert (code, out.strip()) == (0, f"{ref}: assignee Els")

    code, out, _ = cli(db_url, capsys, "show", ref.lower())
    assert code == 0
    assert "an.peeters@voorbeeld.be" in out
    assert "referred to" in out and "Socius" in out
    assert "nieuw -> in behandeling" in out and "note: bellen" in out
    assert "Els: Mail gestuurd" in out

    code, out, _ = cli(db_url, capsys, "show", ref, "--json")
    data = json.loads(out)
    assert data["status"] == DOORVERWEZEN
    assert [h["to_status"] for h in data["history"]] == [NIEUW, IN_BEHANDELING, DOORVERWEZEN]

    code, out, _ = cli(db_url, capsys, "list", "--status", "doorverwezen", "--json")
    assert [r["reference"] for r in json.loads(out)] == [ref]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["show", "VB-1999-00001"], "bestaat niet"),
        (["status", "{ref}", "afgewezen", "--by", "Jan"], "Afwijzen vraagt een reden"),
        (["status", "{ref}", "doorverwezen", "--by", "Jan"], "Doorverwijzen vraagt een bestemming"),
        (["list", "--since", "1 maart"], "geen geldige datum"),
        (["list", "--status", "klaar"], "Onbekende status"),
        (["stats", "--year", "2026", "--since", "2026-01-01"], "--year of --since/--until, niet allebei"),
        (["export", "--out", "{tmp}/nope/x.csv"], "niet schrijven"),
    ],
)
def test_cli_errors_are_one_line_and_exit_2(
    store: TriageStore,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    fragment: str,
) -> None:
    ref = make_request(store).reference
    argv = [a.format(ref=ref, tmp=tmp_path) for a in argv]
    code, out, err = cli(db_url, capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert fragment in err


def test_cli_transition_error_says_what_is_allowed(
    store: TriageStore, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = _bring_to(store, AFGEWEZEN)
    code, _, err = cli(db_url, capsys, "status", ref, "opgenomen", "--by", "Jan")
    assert code == 2
    assert "eindstatus" in err and "'in behandeling'" in err


def test_cli_export(store: TriageStore, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _load_fixture(store)
    out_file = tmp_path / "export.csv"
    code, out, _ = cli(
        db_url,
        capsys,
        "export",
        "--out",
        str(out_file),
        "--status",
        "opgenomen",
        "--since",
        "2026-01-01",
        "--until",
        "2026-12-31",
        "--no-personal",
    )
    assert code == 0 and "4 request(s) written" in out
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 4 and {r["status"] for r in rows} == {OPGENOMEN}
    assert "email" not in rows[0]


def test_cli_stats(store: TriageStore, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _load_fixture(store)
    code, out, _ = cli(db_url, capsys, "stats", "--year", "2026")
    assert code == 0
    assert "In totaal ontvingen we 10 vragen. We namen 4 van die vragen op: 3 uit onze primaire" in out
    lines = {
        line.split()[0]: line.split()[1:]
        for line in out.splitlines()
        if line.strip() and line.split()[0] in {"total", "primair", "erkend", "niet-erkend", "secundair"}
    }
    assert lines["total"] == ["10", "4", "2", "2", "2"]
    assert lines["primair"] == ["7", "3", "1", "1", "2"]
    assert lines["erkend"] == ["4", "2", "1", "0", "1"]
    assert lines["niet-erkend"] == ["3", "1", "0", "1", "1"]
    assert lines["secundair"] == ["3", "1", "1", "1", "0"]
    assert "Vlaams Steunpunt Vrijwilligerswerk" in out and "geen tijd" in out

    code, out, _ = cli(db_url, capsys, "stats", "--since", "2026-01-01", "--until", "2026-12-31", "--by", "topic")
    assert code == 0
    assert any(line.split()[:2] == ["vrijwilligers", "4"] for line in out.splitlines())
    assert "(no topic)" in out

    code, out, _ = cli(db_url, capsys, "stats", "--year", "2025", "--json")
    data = json.loads(out)
    assert data["total"]["received"] == 2
    assert data["by_target_group"]["secundair"]["declined"] == 1


def test_cli_purge(db_url: str, database: Database, capsys: pytest.CaptureFixture[str]) -> None:
    store = TriageStore(database, retention_days=30)
    old = make_request(store, created_at=datetime.now(UTC) - timedelta(days=40)).reference
    make_request(store)
    code, out, _ = cli(db_url, capsys, "purge", "--dry-run")
    assert (code, out.strip()) == (0, "1 request(s) and 0 rating(s) older than 30 days would be anonymised")
    assert store.get(old).email is not None
    code, out, _ = cli(db_url, capsys, "purge")
    assert (code, out.strip()) == (0, "1 request(s) and 0 rating(s) older than 30 days anonymised")
    assert store.get(old).email is None


def test_cli_needs_an_action() -> None:
    with pytest.raises(SystemExit) as info:
        _parser().parse_args(["triage"])
    assert info.value.code == 2


# --------------------------------------------------------------------------- feedback


def test_feedback_record_list_and_purge(database: Database) -> None:
    feedback = FeedbackStore(database)
    now = datetime.now(UTC)
    up = feedback.record(
        question="Wat is het decreet?",
        answer="Het decreet van 7 juli 2017 ...",
        citations=[{"source": "decreet.pdf", "page": 1}],
        rating=1,
        session_id="s-1",
        now=now - timedelta(days=40),
    )
    down = FeedbackStore(database).record(
        question="Hoeveel vragen?",
        answer="107",
        rating=-1,
        comment="  te kort ",
        session_id="s-2",
    )
    assert up.id != down.id and down.comment == "te kort"
    assert [f.id for f in feedback.list()] == [down.id, up.id]  # newest first
    assert [f.id for f in feedback.list(rating=-1)] == [down.id]
    assert [f.id for f in feedback.list(session_id="s-1")] == [up.id]
    assert feedback.list(since=now.date())[0].id == down.id
    assert feedback.list()[1].citations == [{"source": "decreet.pdf", "page": 1}]

    bad: Any
    for bad in (0, 2, True, "1"):
        with pytest.raises(FeedbackError, match="rating must be"):
            feedback.record(question="q", answer="a", rating=bad)
    assert issubclass(FeedbackError, VraagbaakError)

    assert feedback.purge_expired(30, dry_run=True) == 1
    assert feedback.list(session_id="s-1")[0].question == "Wat is het decreet?"  # a dry run changes nothing
    assert feedback.purge_expired(30) == 1
    old = next(f for f in feedback.list() if f.id == up.id)
    assert (old.question, old.answer, old.comment, old.rating) == (REDACTED, REDACTED, None, 1)
    assert old.session_id is None  # the browser session goes too
    assert feedback.list(session_id="s-2")[0].question == "Hoeveel vragen?"


def test_final_statuses_are_the_outcomes() -> None:
    assert {OPGENOMEN, DOORVERWEZEN, AFGEWEZEN} == FINAL_STATUSES
    for final in FINAL_STATUSES:
        assert TRANSITIONS[final] == (IN_BEHANDELING,)
