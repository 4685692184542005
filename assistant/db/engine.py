"""Engines for SQLite and PostgreSQL, write transactions and database errors for a person.

:func:`create_engine` builds one engine (connection pool) for a URL; the
:class:`~assistant.db.Database` that owns it decides when.  SQLite gets WAL mode, a
busy timeout and explicit ``BEGIN`` handling; the folder of a SQLite file is created.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.pool import StaticPool

from ..errors import ConfigError, TriageError, VraagbaakError

__all__ = [
    "SQLITE_BUSY_TIMEOUT_MS",
    "checkpoint_after_purge",
    "create_engine",
    "db_errors",
    "driver_message",
    "safe_url",
    "write_connection",
]

#: SQLite waits this long for a lock held by another connection before failing.
SQLITE_BUSY_TIMEOUT_MS: Final = 15_000


def safe_url(url: URL | str) -> str:
    """``url`` with its password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<ongeldige URL>"


def _masked(raw: str) -> str:
    """A URL that does not parse, with what may be its password ("user:geheim@") hidden."""
    return re.sub(r"^((?:[a-z][\w+.-]*:)?//[^/:@\s]*:|[^/:@\s]*:)[^@\s]*@", r"\1***@", str(raw), flags=re.IGNORECASE)


class _NoResultRows(logging.Filter):
    """Drop SQLAlchemy's DEBUG records: they list result rows, with names and e-mail addresses.

    ``hide_parameters`` keeps bound values out of the SQL log, but a DEBUG log
    level (an operator debugging the app) would still write every row read.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_NO_RESULT_ROWS = _NoResultRows()


def create_engine(raw_url: str) -> Engine:
    """A new engine for ``raw_url`` (``sqlite:///...`` or ``postgresql://...``).

    Raises :class:`ConfigError` for a malformed URL, an unsupported database or a
    missing driver.
    """
    engine_logger = logging.getLogger("sqlalchemy.engine.Engine")
    if _NO_RESULT_ROWS not in engine_logger.filters:
        engine_logger.addFilter(_NO_RESULT_ROWS)
    try:
        url = make_url(raw_url)
    except (ArgumentError, ValueError) as err:  # ValueError: a port that is no number
        raise ConfigError(
            f"Database-URL {_masked(raw_url)!r} is ongeldig; gebruik bv. sqlite:///data/vraagbaak.db of "
            "postgresql://user@host/dbname (ASSISTANT_DATABASE_URL)."
        ) from err
    backend = url.get_backend_name()
    try:
        if backend == "sqlite":
            return _create_sqlite_engine(url)
        if backend == "postgresql":
            if url.drivername == "postgresql":
                url = url.set(drivername=_default_postgres_driver())
            # pre_ping: a web app outlives server restarts; hide_parameters: SQL
            # parameters hold personal data and must not end up in error messages.
            return sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)
    except (NoSuchModuleError, ImportError) as err:
        raise ConfigError(
            f"Geen databasedriver voor {safe_url(url)}: {err}; installeer hem (psycopg2-binary "
            "voor PostgreSQL) of verbeter ASSISTANT_DATABASE_URL."
        ) from err
    except ArgumentError as err:
        raise ConfigError(
            f"Database-URL {safe_url(url)} is onbruikbaar: {err}; verbeter ASSISTANT_DATABASE_URL."
        ) from err
    raise ConfigError(
        f"Database {backend!r} wordt niet ondersteund ({safe_url(url)}); gebruik een sqlite:///- of "
        "postgresql://-URL in ASSISTANT_DATABASE_URL."
    )


def _default_postgres_driver() -> str:
    """The driver for a plain ``postgresql://`` URL.

    SQLAlchemy 2.1 changed its default from psycopg2 to psycopg (3); the project
    installs psycopg2-binary, so a plain URL uses whichever is installed,
    psycopg2 first.  ``postgresql+psycopg://`` still picks explicitly.
    """
    for module, driver in (("psycopg2", "postgresql+psycopg2"), ("psycopg", "postgresql+psycopg")):
        if importlib.util.find_spec(module) is not None:
            return driver
    return "postgresql"


def _enable_wal(cursor: Any) -> None:
    """Switch a SQLite file to WAL, retrying while another process does the same.

    On a fresh file the switch needs an exclusive lock and SQLite may answer
    "database is locked" at once instead of honouring busy_timeout, so two app
    processes starting together on a new database could fail; once the file is
    in WAL mode (it stays so) the check below costs no lock.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _create_sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or url.query.get("mode") == "memory"
    if in_memory:
        # One shared connection, or every pooled connection would see its own empty database.
        engine = sa.create_engine(
            url,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            hide_parameters=True,
        )
    else:
        if not database.startswith("file:"):
            folder = Path(database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
                # Personal data: a new database file is for this account only (0600); SQLite gives
                # its journal and write-ahead log the mode of the database file.
                with contextlib.suppress(FileExistsError):
                    os.close(os.open(Path(database).expanduser(), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except OSError as err:
                raise ConfigError(
                    f"Kan de databasemap {folder} niet aanmaken: {err.strerror}; "
                    "verbeter het pad in ASSISTANT_DATABASE_URL of de rechten op de map."
                ) from err
        engine = sa.create_engine(url, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite opens transactions lazily and on its own terms; switch that off
        # and let _on_begin emit BEGIN, so transactions (and DDL) behave as written.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # busy_timeout first: switching to WAL itself may wait for another writer.
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            if not in_memory:
                # WAL: readers do not block the writer and vice versa (web app + CLI).
                _enable_wal(cursor)
                cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            # Deleted and overwritten content is zeroed, not left in free pages:
            # purged names and e-mail addresses must not stay readable in the file.
            cursor.execute("PRAGMA secure_delete = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers ask for BEGIN IMMEDIATE (see write_connection): a deferred
        # transaction that reads and then writes cannot wait for the lock in WAL
        # mode and fails with "database is locked"; IMMEDIATE waits (busy_timeout).
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that will write; committed on success.

    On SQLite the transaction takes the write lock up front (``BEGIN IMMEDIATE``),
    so read-then-write code (reference numbers, status checks) is serialised.
    """
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


def checkpoint_after_purge(engine: Engine) -> None:
    """Move purged data out of SQLite's write-ahead log and truncate it.

    Until a checkpoint, the main database file still holds the old pages (with
    the personal data) and the log holds the new ones; SQLite checkpoints on its
    own only after about 1000 pages, which may take weeks in this app.
    PostgreSQL keeps old row versions until (auto)vacuum; see SECURITY.md.
    """
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.fetchall()
        finally:
            cursor.close()
    finally:
        raw.close()


def driver_message(err: SQLAlchemyError) -> str:
    """Only the driver's own first line: SQLAlchemy's ``str()`` would add the SQL (and its values)."""
    if isinstance(err, DBAPIError) and err.orig is not None:
        text = str(err.orig).strip().splitlines()
        return text[0] if text else type(err.orig).__name__
    return type(err).__name__


@contextmanager
def db_errors(action: str, error: type[VraagbaakError] = TriageError) -> Iterator[None]:
    """Translate SQLAlchemy errors into ``error`` (a :class:`TriageError` by default) for a person.

    ``action`` completes "... bij <action>", e.g. "het bewaren van de aanvraag".
    """
    try:
        yield
    except VraagbaakError:
        raise
    except UnicodeEncodeError as err:
        # A lone surrogate (a JSON body can carry one) cannot be stored as UTF-8.
        raise error(
            f"De tekst bij {action} bevat ongeldige tekens (geen geldige Unicode); typ of plak de tekst opnieuw."
        ) from err
    except OperationalError as err:
        raise error(
            f"De database was niet bereikbaar of vergrendeld bij {action} "
            f"({driver_message(err)}); probeer het opnieuw, of controleer "
            "ASSISTANT_DATABASE_URL en of de databaseserver draait."
        ) from err
    except IntegrityError as err:
        raise error(f"De database weigerde {action} ({driver_message(err)}); probeer het opnieuw.") from err
    except SQLAlchemyError as err:
        raise error(
            f"Databasefout bij {action} ({driver_message(err)}); controleer de database "
            "(ASSISTANT_DATABASE_URL) en probeer het opnieuw."
        ) from err
