"""Tests of the database layer: engines, the Alembic schema and the upgrade of pre-Alembic databases.

SQLite always; PostgreSQL too with ``VRAAGBAAK_TEST_POSTGRES_URL`` (see ``.ci/start-postgres.sh``).
``tests/data/pre-alembic-runner.db`` was made by the hand-written migration runner that Alembic
replaced (commit fd666d9): two triage requests (a referral with an audit trail, a note) and two
ratings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from assistant.db import Database
from assistant.db.engine import create_engine
from assistant.db.schema import LEGACY_VERSION_TABLE, alembic_config, target_metadata
from assistant.errors import ConfigError
from assistant.triage import FeedbackStore, TriageStore

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LEGACY_FILE = Path(__file__).parent / "data" / "pre-alembic-runner.db"
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def _revisions(db: Database) -> list[str]:
    with db.connect() as conn:
        return list(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


def _ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    return not (type_ == "table" and name in (LEGACY_VERSION_TABLE, "alembic_version"))


def _schema_diff(db: Database) -> list[object]:
    with db.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _ours, "compare_type": True})
        return list(compare_metadata(context, target_metadata()))


# --------------------------------------------------------------------------- a fresh database


def test_a_fresh_database_is_upgraded_to_head_and_matches_the_tables(db_url: str) -> None:
    with Database(db_url) as db:
        TriageStore(db)
        assert _revisions(db) == [HEAD]
        assert _schema_diff(db) == [], "a revision and the table definitions disagree"
        inspector = sa.inspect(db.engine)
        indexed = {tuple(i["column_names"]) for i in inspector.get_indexes("triage_requests")}
        assert {("created_at",), ("status",), ("topic",)} <= indexed


def test_upgrade_is_idempotent_and_refuses_a_newer_schema(db_url: str) -> None:
    with Database(db_url) as db:
        FeedbackStore(db)
        FeedbackStore(db)  # upgraded once per Database
    with Database(db_url) as db:
        TriageStore(db)  # a second process: nothing to do
        assert _revisions(db) == [HEAD]
        with db.write() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    with Database(db_url) as db, pytest.raises(ConfigError, match="nieuwer dan deze Vraagbaak; werk Vraagbaak bij"):
        TriageStore(db)


def test_the_alembic_command_line_upgrades_the_configured_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "ASSISTANT_DATABASE_URL": url}
    alembic = Path(sys.executable).parent / "alembic"
    done = subprocess.run(
        [str(alembic), "upgrade", "head"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    current = subprocess.run(
        [str(alembic), "current"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert HEAD in current.stdout, current.stdout + current.stderr
    with Database(url) as db:
        assert _schema_diff(db) == []


# --------------------------------------------------------------------------- pre-Alembic databases


def test_a_database_file_of_the_old_runner_upgrades_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(LEGACY_FILE, path)
    with Database(f"sqlite:///{path}") as db:
        store = TriageStore(db)
        assert _revisions(db) == [HEAD]
        assert _schema_diff(db) == []
        referred = store.get("VB-2025-00001")
        assert (referred.status, referred.referred_to, referred.email) == (
            "doorverwezen",
            "Vlaamse overheid",
            "test@voorbeeld.be",
        )
        assert referred.created_at == datetime(2025, 3, 1, 10, tzinfo=UTC)
        assert [a.to_status for a in store.audit(referred.reference)] == ["nieuw", "in behandeling", "doorverwezen"]
        assert [n.text for n in store.get("VB-2025-00002").notes] == ["Eerst bellen."]
        # The year's counter carries on where the old database left it.
        new = store.create_request(
            question="Nog een vraag",
            requester_name="Derde",
            email="drie@voorbeeld.be",
            org_type="erkend",
            consent=True,
            created_at=datetime(2025, 6, 1, tzinfo=UTC),
        )
        assert new.reference == "VB-2025-00003"
        ratings = FeedbackStore(db).list()
        assert [(f.rating, f.question) for f in ratings] == [(-1, "Hoeveel vragen?"), (1, "Wat is het decreet?")]
        with db.connect() as conn:
            legacy = conn.exec_driver_sql(f"SELECT component, version FROM {LEGACY_VERSION_TABLE}").all()
        assert sorted(tuple(row) for row in legacy) == [("feedback", 1), ("triage", 1)]


def _old_runner(url: str, components: tuple[str, ...]) -> None:
    """What the hand-written runner left behind: its version table and each component's version 1.

    Made with the revisions' own frozen DDL (identical to the runner's version-1 steps), then the
    tables of the components it never opened are dropped again.
    """
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "0002")  # the old runner's tables: the first two revisions, no later ones
            conn.exec_driver_sql("DROP TABLE alembic_version")
            if "feedback" not in components:
                conn.exec_driver_sql("DROP TABLE feedback")
            if "triage" not in components:
                for table in ("triage_counters", "triage_audit", "triage_notes", "triage_requests"):
                    conn.exec_driver_sql(f"DROP TABLE {table}")
            conn.exec_driver_sql(
                f"CREATE TABLE {LEGACY_VERSION_TABLE} (component VARCHAR(50) PRIMARY KEY, "
                "version INTEGER NOT NULL, updated_at TIMESTAMP NOT NULL)"
            )
            for component in components:
                conn.execute(
                    sa.text(f"INSERT INTO {LEGACY_VERSION_TABLE} VALUES (:c, 1, :t)"),
                    {"c": component, "t": datetime(2025, 1, 1)},
                )
    finally:
        engine.dispose()


@pytest.mark.parametrize("components", [("triage", "feedback"), ("triage",), ("feedback",)])
def test_databases_of_the_old_runner_upgrade_whatever_it_had_created(db_url: str, components: tuple[str, ...]) -> None:
    _old_runner(db_url, components)
    with Database(db_url) as db:
        FeedbackStore(db).record(question="q", answer="a", rating=1)
        TriageStore(db).create_request(
            question="Vraag", requester_name="Test", email="t@voorbeeld.be", org_type="erkend", consent=True
        )
        assert _revisions(db) == [HEAD]
        assert _schema_diff(db) == []


def test_an_old_runner_version_newer_than_ours_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    _old_runner(url, ("triage",))
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE {LEGACY_VERSION_TABLE} SET version = 2")
    engine.dispose()
    with (
        Database(url) as db,
        pytest.raises(ConfigError, match=r"op versie 2, nieuwer dan deze Vraagbaak .*werk Vraagbaak bij"),
    ):
        TriageStore(db)


# --------------------------------------------------------------------------- engines


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    with Database(f"sqlite:///{tmp_path / 'a' / 'b' / 'v.db'}") as db:
        TriageStore(db)
        with db.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_unusable_databases_raise_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'mysql' wordt niet ondersteund"):
        TriageStore(Database("mysql://user@localhost/vraagbaak"))
    with pytest.raises(ConfigError, match=r"'no url at all' is ongeldig.*ASSISTANT_DATABASE_URL"):
        TriageStore(Database("no url at all"))
    # A URL that does not parse is shown without what may be its password.
    for raw in ("bob:geheim@host/db", "postgresql://bob:geheim@host:poort/db"):
        with pytest.raises(ConfigError, match=r"ongeldig.*ASSISTANT_DATABASE_URL") as caught:
            TriageStore(Database(raw))
        assert "geheim" not in str(caught.value) and "bob:***@" in str(caught.value)
    # A directory where the database file should be: SQLite cannot open it.
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(ConfigError, match=r"Kan de database .*dir\.db niet openen.*controleer ASSISTANT_DATABASE_URL"):
        TriageStore(Database(f"sqlite:///{tmp_path / 'dir.db'}"))
    with Database(f"sqlite:///{tmp_path / 'ok.db'}") as db, pytest.raises(ConfigError, match="retention_days"):
        TriageStore(db, retention_days=0)


def test_in_memory_sqlite_works_across_threads() -> None:
    with Database("sqlite://") as db:
        store = TriageStore(db)
        ref = store.create_request(
            question="Vraag", requester_name="Test", email="t@voorbeeld.be", org_type="erkend", consent=True
        ).reference
        seen: list[str] = []
        thread = threading.Thread(target=lambda: seen.append(store.get(ref).reference))
        thread.start()
        thread.join()
        assert seen == [ref]


def test_a_database_owns_its_engine_and_dispose_closes_it(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    assert "x.db" in repr(db)
    first = db.engine
    assert db.engine is first
    db.dispose()
    assert db.engine is not first
    other = Database(db.url)
    assert other.engine is not db.engine  # no process-wide cache: each owner has its own pool
    db.dispose()
    other.dispose()
