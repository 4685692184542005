"""Privacy: personal data stays out of logs, output and ``repr``; it is kept only
with consent and is gone, also from the database files, after retention.

Every test uses a SQLite file in ``tmp_path`` and captures the log records of
every logger at DEBUG (SQLAlchemy's SQL log included) plus stdout and stderr at
the file-descriptor level.
"""

from __future__ import annotations

import dataclasses
import io
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from assistant.cli.main import main as cli_main
from assistant.db import Database, utc_now
from assistant.errors import ConfigError, TriageError
from assistant.settings import load_settings
from assistant.triage import REDACTED, FeedbackStore, Request, TriageStore

NAME = "Griet Vandenbroucke"
EMAIL = "griet.vandenbroucke@voorbeeld-vzw.be"
ORGANISATION = "Vormingplus Geheimstad"
QUESTION = f"Kan {NAME} ({EMAIL}) hulp krijgen bij het subsidiedossier van {ORGANISATION}?"
#: What must never show up (compared case-insensitively).
NEEDLES = (NAME, EMAIL, "vandenbroucke", "geheimstad")


def _leaks(text: str) -> list[str]:
    low = text.lower()
    return [n for n in NEEDLES if n.lower() in low]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'vraagbaak.db'}"


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A fresh engine, created while the logs of the test are captured."""
    with Database(db_url) as db:
        yield db


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at DEBUG for the root logger and every logger that exists, SQLAlchemy's included."""
    names = {"", "assistant", "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", *logging.root.manager.loggerDict}
    attached = []
    for name in sorted(names):
        caplog.set_level(logging.DEBUG, logger=name or None)
        logger = logging.getLogger(name or None)
        if name and not logger.propagate:  # records that never reach the root handler
            logger.addHandler(caplog.handler)
            attached.append(logger)
    yield caplog
    for logger in attached:
        logger.removeHandler(caplog.handler)


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        if record.exc_info and record.exc_info[1] is not None:
            parts.append(repr(record.exc_info[1]))
        if record.exc_text:
            parts.append(record.exc_text)
    return "\n".join(parts)


def _create(store: TriageStore, **overrides: object) -> Request:
    values: dict[str, object] = {
        "question": QUESTION,
        "requester_name": NAME,
        "email": EMAIL,
        "organisation": ORGANISATION,
        "org_type": "erkend",
        "consent": True,
        "conversation": [{"role": "user", "content": QUESTION}],
        "answer": "Dat vind ik niet in de documenten.",
        "topic": "subsidies",
        "route_reason": "vraag om persoonlijke begeleiding",
    }
    values.update(overrides)
    return store.create_request(**values)  # type: ignore[arg-type]


def _database_bytes(db_url: str) -> bytes:
    """The SQLite file and its WAL and shared-memory files, as on disk right now."""
    db = Path(db_url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in sorted(db.parent.glob(db.name + "*")))


def _leaks_on_disk(db_url: str) -> list[str]:
    data = _database_bytes(db_url).lower()
    return [n for n in NEEDLES if n.lower().encode("utf-8") in data]


# --------------------------------------------------------------------------- logs and output


def test_triage_lifecycle_logs_and_prints_no_personal_data(
    db_url: str,
    all_logs: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database: Database,
) -> None:
    store = TriageStore(database, retention_days=30)
    request = _create(store)
    ref = request.reference
    store.change_status(ref, "in behandeling", by="medewerker An", note="eerste contact gepland")
    store.add_note(ref, "Telefonisch contact gehad.", by="medewerker An")
    store.assign(ref, "medewerker An", by="medewerker Bert")
    store.change_status(ref, "doorverwezen", referred_to="Vormingplus Regio", by="medewerker An")
    store.stats()
    store.list()

    buffer = io.StringIO()
    assert store.export_csv(buffer, personal_data=False) == 1
    assert not _leaks(buffer.getvalue()), "an export without personal data holds personal data"
    anonymous_file = tmp_path / "zonder.csv"
    store.export_csv(anonymous_file, personal_data=False)
    assert not _leaks(anonymous_file.read_text(encoding="utf-8-sig"))

    # Errors a person may trigger must not echo the data either.
    for bad in ({"email": "griet.vandenbroucke@@voorbeeld"}, {"consent": False}, {"requester_name": NAME * 20}):
        with pytest.raises(TriageError) as err:
            _create(store, **bad)
        assert not _leaks(str(err.value)), str(err.value)

    # The staff command line, as staff use it (all but `show`, which is for reading a request).
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", db_url)
    monkeypatch.setenv("ASSISTANT_RETENTION_DAYS", "30")
    assert cli_main(["triage", "list"]) == 0
    assert cli_main(["triage", "list", "--json"]) == 0
    assert cli_main(["triage", "status", ref, "in behandeling", "--by", "medewerker An"]) == 0
    assert cli_main(["triage", "status", ref, "opgenomen", "--by", "medewerker An", "--note", "opgenomen"]) == 0
    assert cli_main(["triage", "export", "--no-personal", "--out", str(tmp_path / "cli.csv")]) == 0
    assert not _leaks((tmp_path / "cli.csv").read_text(encoding="utf-8-sig"))
    assert cli_main(["triage", "stats"]) == 0

    assert store.purge_expired(now=utc_now() + timedelta(days=31)) == 1
    assert cli_main(["triage", "purge"]) == 0

    logs = _log_text(all_logs)
    assert ref in logs, "the capture saw no triage log line: the test would prove nothing"
    assert not _leaks(logs), f"personal data in the logs: {_leaks(logs)}"
    out, err = capfd.readouterr()
    assert ref in out
    assert not _leaks(out + err), f"personal data printed: {_leaks(out + err)}"


def test_feedback_logs_no_question_text(db_url: str, all_logs: pytest.LogCaptureFixture, database: Database) -> None:
    feedback = FeedbackStore(database)
    feedback.record(question=QUESTION, answer="Antwoord", rating=-1, comment=f"Mail me op {EMAIL}")
    feedback.list()
    feedback.purge_expired(30, now=utc_now() + timedelta(days=31))
    logs = _log_text(all_logs)
    assert "feedback" in logs
    assert not _leaks(logs), f"personal data in the logs: {_leaks(logs)}"


# --------------------------------------------------------------------------- consent


@pytest.mark.parametrize("consent", [False, None, "ja", 1])
def test_without_consent_nothing_reaches_the_database(
    db_url: str, all_logs: pytest.LogCaptureFixture, consent: object, database: Database
) -> None:
    store = TriageStore(database)
    with pytest.raises(TriageError, match="Toestemming") as err:
        _create(store, consent=consent)
    assert not _leaks(str(err.value))
    assert store.list() == []
    assert not _leaks_on_disk(db_url), "personal data was written to the database without consent"
    assert not _leaks(_log_text(all_logs))


# --------------------------------------------------------------------------- retention


def _age(store: TriageStore, days: int) -> Request:
    # A long question: SQLite keeps it in overflow pages, which are freed, not rewritten.
    return _create(store, question=QUESTION * 100, created_at=utc_now() - timedelta(days=days))


def test_purge_removes_personal_data_from_the_request(db_url: str, database: Database) -> None:
    store = TriageStore(database, retention_days=30)
    old, recent = _age(store, 45), _age(store, 5)
    store.add_note(old.reference, f"Gebeld met {NAME}.", by="medewerker An")
    assert store.purge_expired() == 1
    purged = store.get(old.reference)
    assert (purged.requester_name, purged.email, purged.organisation) == (None, None, None)
    assert purged.question == REDACTED and purged.answer == REDACTED
    assert all(m["content"] == REDACTED for m in purged.conversation)
    assert all(n.text == REDACTED for n in purged.notes)
    assert not _leaks(repr(purged.to_dict(personal_data=True)))
    assert store.get(recent.reference).email == EMAIL, "a request inside the retention period was purged"


def test_purged_personal_data_is_gone_from_the_database_files(db_url: str, database: Database) -> None:
    """After purge_expired() returns, the e-mail address is not on disk any more (not in the
    main file, not in the write-ahead log, not in freed pages), while the app keeps running."""
    store = TriageStore(database, retention_days=30)
    request = _age(store, 45)
    store.add_note(request.reference, f"Gebeld met {NAME}.", by="medewerker An")
    feedback = FeedbackStore(database)
    feedback.record(question=QUESTION, answer="Antwoord", rating=1, comment=EMAIL, now=utc_now() - timedelta(days=45))
    database.dispose()  # months pass: the write-ahead log is checkpointed into the main file
    assert _leaks_on_disk(db_url), "the data should be on disk before the purge (else the test proves nothing)"

    store = TriageStore(database, retention_days=30)
    assert store.purge_expired() == 1
    assert FeedbackStore(database).purge_expired(30) == 1
    leaks = _leaks_on_disk(db_url)
    assert not leaks, f"purged personal data is still in the database files: {leaks}"
    database.dispose()
    assert not _leaks_on_disk(db_url)


# --------------------------------------------------------------------------- repr and secrets


def test_repr_of_a_request_shows_no_personal_data(db_url: str, database: Database) -> None:
    request = _create(TriageStore(database))
    for text in (repr(request), str(request), f"{request}", f"{request!r}", repr([request])):
        assert not _leaks(text), text
    assert request.reference in repr(request)
    assert not _leaks(repr(request.to_dict(personal_data=False)))


def test_settings_hold_secrets_by_name_and_never_show_them(monkeypatch: pytest.MonkeyPatch) -> None:
    api_key = "sk-vraagbaak-test-4f9c2e71b8a3"
    db_password = "Db-Wachtwoord-42"
    monkeypatch.setenv("VRAAGBAAK_TEST_LLM_KEY", api_key)
    settings = load_settings(
        env={
            "ASSISTANT_LLM": "openai:gpt-4o-mini",
            "ASSISTANT_LLM_API_KEY_ENV": "VRAAGBAAK_TEST_LLM_KEY",
            "ASSISTANT_DATABASE_URL": f"postgresql://vraagbaak:{db_password}@db.voorbeeld:5432/vraagbaak",
            "ASSISTANT_CHROMA_URL": f"https://vraagbaak:{db_password}@chroma.voorbeeld:8000",
        }
    )
    assert settings.secret() == api_key  # read by name, on demand
    assert api_key not in repr(dataclasses.asdict(settings)), "the key itself is stored in the settings"
    for text in (repr(settings), str(settings), f"{settings}", repr({"settings": settings})):
        assert api_key not in text
        assert "VRAAGBAAK_TEST_LLM_KEY" in text  # the name may show: it is how an operator finds it
        assert db_password not in text, "a password in a database or Chroma URL shows in repr(settings)"
    assert settings.database_url.endswith("@db.voorbeeld:5432/vraagbaak")  # the value itself is intact


def test_database_password_is_not_in_error_messages(db_url: str) -> None:
    password = "Db-Wachtwoord-42"
    with pytest.raises(ConfigError) as err:
        TriageStore(Database(f"postgresql://vraagbaak:{password}@127.0.0.1:9/vraagbaak"))
    assert password not in str(err.value)
    assert "127.0.0.1" in str(err.value)
