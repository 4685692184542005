"""The triage queue: questions escalated to staff for tailored follow-up.

Some questions need a person ("vraaggestuurde werking").  The assistant then
offers to pass the question on; with the requester's explicit consent it becomes
a *request* in this store, with a human-friendly reference (``VB-2026-00042``).
Staff move it through a small state machine (``nieuw`` -> ``in behandeling`` ->
``opgenomen`` / ``doorverwezen`` / ``afgewezen``); every status change lands in an
audit trail, and :meth:`TriageStore.stats` produces the figures of the annual
report ("In totaal ontvingen we 107 vragen ... We namen 68 van die vragen op").

Storage is a real database through SQLAlchemy Core: SQLite by default (WAL mode,
busy timeout), PostgreSQL with a ``postgresql://`` URL and no other change.  The
schema is created and upgraded automatically on open by :func:`migrate`.

Privacy: personal data (name, organisation, e-mail) is stored only with consent,
:meth:`TriageStore.purge_expired` anonymises requests older than the retention
period, and this module never logs names or e-mail addresses (log lines carry the
reference only; engines hide SQL parameters in error messages).

Times are stored as UTC.  Where a *date* filters a period (``since``/``until``),
it means that whole UTC day, both ends included.
"""

from __future__ import annotations

import builtins
import csv
import importlib.util
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final, TextIO

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Dialect, Engine, Row, make_url
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
from ..settings import Settings

logger = logging.getLogger(__name__)

__all__ = [
    "AFGEWEZEN",
    "DECLINE_REASONS",
    "DOORVERWEZEN",
    "FINAL_STATUSES",
    "IN_BEHANDELING",
    "NIEUW",
    "OPGENOMEN",
    "ORG_TYPES",
    "REDACTED",
    "STATUSES",
    "TARGET_GROUPS",
    "TRANSITIONS",
    "AuditEntry",
    "Counts",
    "Note",
    "Request",
    "Stats",
    "TriageStore",
    "dispose_engines",
    "migrate",
    "normalize_org_type",
    "normalize_reference",
    "normalize_status",
    "shared_engine",
    "target_group_of",
]

# --------------------------------------------------------------------------- vocabulary

NIEUW: Final = "nieuw"
IN_BEHANDELING: Final = "in behandeling"
OPGENOMEN: Final = "opgenomen"
DOORVERWEZEN: Final = "doorverwezen"
AFGEWEZEN: Final = "afgewezen"

STATUSES: Final[tuple[str, ...]] = (NIEUW, IN_BEHANDELING, OPGENOMEN, DOORVERWEZEN, AFGEWEZEN)
#: Outcomes.  They can only be left by reopening (back to "in behandeling").
FINAL_STATUSES: Final[frozenset[str]] = frozenset({OPGENOMEN, DOORVERWEZEN, AFGEWEZEN})
OPEN_STATUSES: Final[frozenset[str]] = frozenset({NIEUW, IN_BEHANDELING})

#: Allowed status changes.  The way back from a final status is a *reopen*; it is
#: allowed so staff can correct a mistake, and the audit trail shows it.
TRANSITIONS: Final[Mapping[str, tuple[str, ...]]] = {
    NIEUW: (IN_BEHANDELING, OPGENOMEN, DOORVERWEZEN, AFGEWEZEN),
    IN_BEHANDELING: (OPGENOMEN, DOORVERWEZEN, AFGEWEZEN, NIEUW),
    OPGENOMEN: (IN_BEHANDELING,),
    DOORVERWEZEN: (IN_BEHANDELING,),
    AFGEWEZEN: (IN_BEHANDELING,),
}

#: Organisation types, with the wording used towards requesters.
ORG_TYPES: Final[Mapping[str, str]] = {
    "erkend": "erkende organisatie civiel sociaal-cultureel werk",
    "niet-erkend": "niet-erkende organisatie",
    "secundair": "secundaire doelgroep",
}
#: Target groups of the annual report: the primary one is every organisation of
#: civil socio-cultural adult work, recognised or not.
TARGET_GROUPS: Final[Mapping[str, tuple[str, ...]]] = {
    "primair": ("erkend", "niet-erkend"),
    "secundair": ("secundair",),
}

#: Reasons to decline; "andere" needs a free-text explanation.
DECLINE_REASONS: Final[tuple[str, ...]] = (
    "geen tijd",
    "geen expertise in huis",
    "buiten doelgroep",
    "buiten scope",
    "andere",
)
OTHER_REASON: Final = "andere"

#: What replaces personal text when a request is anonymised.
REDACTED: Final = "[verwijderd]"

_MAX_NAME = 200
_MAX_ORGANISATION = 300
_MAX_EMAIL = 320
_MAX_SHORT = 300
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_REFERENCE_RE = re.compile(r"^VB-(\d{4})-(\d+)$")
#: SQLite waits this long for a lock held by another connection before failing.
SQLITE_BUSY_TIMEOUT_MS: Final = 15_000
#: How often a create is retried when two PostgreSQL transactions race for a new year's counter.
_CREATE_ATTEMPTS = 5


def normalize_status(value: str) -> str:
    """Return the canonical status for user input (``in-behandeling`` -> ``in behandeling``).

    Raises :class:`TriageError` listing the valid statuses when ``value`` is none of them.
    """
    cleaned = " ".join(value.replace("_", " ").replace("-", " ").lower().split())
    if cleaned in STATUSES:
        return cleaned
    raise TriageError(f"Onbekende status {value!r}; kies uit: {', '.join(repr(s) for s in STATUSES)}.")


def normalize_org_type(value: str) -> str:
    """Return the canonical organisation type (``erkend``, ``niet-erkend``, ``secundair``)."""
    cleaned = "-".join(value.replace("_", " ").replace("-", " ").lower().split())
    if cleaned in ORG_TYPES:
        return cleaned
    raise TriageError(
        f"Onbekend type organisatie {value!r}; kies uit: {', '.join(ORG_TYPES)} "
        f"({'; '.join(f'{k} = {v}' for k, v in ORG_TYPES.items())})."
    )


def target_group_of(org_type: str) -> str:
    """The annual report's target group (``primair``/``secundair``) of an organisation type."""
    for group, members in TARGET_GROUPS.items():
        if org_type in members:
            return group
    raise TriageError(f"Onbekend type organisatie {org_type!r}.")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Note:
    """A staff note on a request."""

    author: str
    created_at: datetime
    text: str


@dataclass(frozen=True)
class AuditEntry:
    """One status change (creation included, with ``from_status`` ``None``)."""

    reference: str
    at: datetime
    by: str
    from_status: str | None
    to_status: str
    reason: str | None
    referred_to: str | None
    note: str | None

    @property
    def is_reopen(self) -> bool:
        """True when a final status was left again (a staff correction)."""
        return self.from_status in FINAL_STATUSES


@dataclass(frozen=True)
class Request:
    """A triage request as stored.  Personal fields are left out of ``repr``.

    ``requester_name``, ``organisation``, ``email``, ``question``, ``conversation``
    and ``answer`` read ``"[verwijderd]"`` (or ``None``) once the request was purged.
    """

    reference: str
    created_at: datetime
    updated_at: datetime
    status: str
    org_type: str
    topic: str | None
    route_reason: str | None
    question: str = field(repr=False)
    #: The conversation before escalation: ``[{"role": ..., "content": ...}, ...]``.
    conversation: list[dict[str, str]] = field(repr=False)
    answer: str = field(repr=False)
    #: The citations shown with the answer, as given (any JSON value list).
    citations: list[Any] = field(repr=False)
    requester_name: str | None = field(repr=False)
    organisation: str | None = field(repr=False)
    email: str | None = field(repr=False)
    consent: bool
    consent_at: datetime | None
    assignee: str | None
    referred_to: str | None
    decline_reason: str | None
    decline_detail: str | None
    purged_at: datetime | None
    notes: tuple[Note, ...] = ()

    @property
    def target_group(self) -> str:
        """``primair`` or ``secundair``."""
        return target_group_of(self.org_type)

    @property
    def is_open(self) -> bool:
        """True while staff still has to decide (``nieuw`` or ``in behandeling``)."""
        return self.status in OPEN_STATUSES

    def to_dict(self, *, personal_data: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; ``personal_data=False`` drops contact details and free text."""
        data: dict[str, Any] = {
            "reference": self.reference,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "status": self.status,
            "org_type": self.org_type,
            "target_group": self.target_group,
            "topic": self.topic,
            "route_reason": self.route_reason,
            "assignee": self.assignee,
            "referred_to": self.referred_to,
            "decline_reason": self.decline_reason,
            "decline_detail": self.decline_detail,
            "consent": self.consent,
            "consent_at": self.consent_at.isoformat() if self.consent_at else None,
            "purged_at": self.purged_at.isoformat() if self.purged_at else None,
        }
        if personal_data:
            data.update(
                requester_name=self.requester_name,
                organisation=self.organisation,
                email=self.email,
                question=self.question,
                conversation=self.conversation,
                answer=self.answer,
                citations=self.citations,
                notes=[
                    {"author": n.author, "created_at": n.created_at.isoformat(), "text": n.text} for n in self.notes
                ],
            )
        return data


@dataclass
class Counts:
    """Figures for one slice of the requests received in a period.

    ``taken_up``, ``referred``, ``declined`` and ``open`` count the *current*
    status of those requests, so they add up to ``received``.
    """

    received: int = 0
    taken_up: int = 0
    referred: int = 0
    declined: int = 0
    open: int = 0

    def add(self, status: str) -> None:
        """Count one request with the given status."""
        self.received += 1
        if status == OPGENOMEN:
            self.taken_up += 1
        elif status == DOORVERWEZEN:
            self.referred += 1
        elif status == AFGEWEZEN:
            self.declined += 1
        else:
            self.open += 1


@dataclass
class Stats:
    """Figures for the annual report; see :meth:`TriageStore.stats`."""

    since: datetime | None
    until: datetime | None
    total: Counts
    #: ``primair`` and ``secundair`` (always both present).
    by_target_group: dict[str, Counts]
    #: ``erkend``, ``niet-erkend`` and ``secundair`` (always all present).
    by_org_type: dict[str, Counts]
    #: Per topic; requests without a topic count under ``""``.
    by_topic: dict[str, Counts]
    #: Referred requests per referral target.
    referred_to: dict[str, int]
    #: Declined requests per reason (every reason present).
    declined_by_reason: dict[str, int]

    def summary_nl(self) -> str:
        """The annual report's sentences, e.g. "In totaal ontvingen we 107 vragen. ..."."""
        primary = self.by_target_group["primair"].taken_up
        secondary = self.by_target_group["secundair"].taken_up
        parts = [
            f"In totaal ontvingen we {_vragen(self.total.received)}.",
            (
                f"We namen {self.total.taken_up} van die vragen op: {primary} uit onze "
                f"primaire doelgroep en {secondary} uit onze secundaire doelgroep."
            ),
        ]
        if self.total.referred:
            parts.append(f"We verwezen {_vragen(self.total.referred)} door.")
        if self.total.declined:
            parts.append(f"We wezen {_vragen(self.total.declined)} af.")
        if self.total.open:
            parts.append(f"{_vragen(self.total.open)} {'is' if self.total.open == 1 else 'zijn'} nog open.")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of all figures."""
        data = asdict(self)
        data["since"] = self.since.isoformat() if self.since else None
        data["until"] = self.until.isoformat() if self.until else None
        return data


def _vragen(n: int) -> str:
    return f"{n} vraag" if n == 1 else f"{n} vragen"


# --------------------------------------------------------------------------- schema


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC; returns aware UTC datetimes.

    SQLite has no time zones, so both backends store naive UTC and every value that
    leaves this module is aware.  Naive input is taken to be UTC already.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - drivers return datetimes
            value = datetime.fromisoformat(str(value))
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# The tables as queried by the code.  The DDL that creates them lives in the frozen
# migration steps below, never derived from these definitions: otherwise a change
# here would silently alter what an *old* migration step creates.  A test compares
# the migrated database with these definitions.
_metadata = sa.MetaData()

requests_table = sa.Table(
    "triage_requests",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(32), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("conversation", sa.JSON, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("citations", sa.JSON, nullable=False),
    sa.Column("route_reason", sa.Text),
    sa.Column("topic", sa.String(_MAX_SHORT)),
    sa.Column("requester_name", sa.String(_MAX_NAME)),
    sa.Column("organisation", sa.String(_MAX_ORGANISATION)),
    sa.Column("email", sa.String(_MAX_EMAIL)),
    sa.Column("org_type", sa.String(20), nullable=False),
    sa.Column("consent", sa.Boolean, nullable=False),
    sa.Column("consent_at", UTCDateTime),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("assignee", sa.String(_MAX_NAME)),
    sa.Column("referred_to", sa.String(_MAX_SHORT)),
    sa.Column("decline_reason", sa.String(40)),
    sa.Column("decline_detail", sa.Text),
    sa.Column("purged_at", UTCDateTime),
)

notes_table = sa.Table(
    "triage_notes",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.Integer, sa.ForeignKey("triage_requests.id"), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("author", sa.String(_MAX_NAME), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

audit_table = sa.Table(
    "triage_audit",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.Integer, sa.ForeignKey("triage_requests.id"), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(_MAX_NAME), nullable=False),
    sa.Column("from_status", sa.String(20)),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("referred_to", sa.String(_MAX_SHORT)),
    sa.Column("note", sa.Text),
)

#: Last reference number handed out per year; a row lock on it serialises creates.
counters_table = sa.Table(
    "triage_counters",
    _metadata,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_number", sa.Integer, nullable=False),
)

# --------------------------------------------------------------------------- migrations
#
# Why not Alembic: the schema is a handful of tables owned by two modules, it must
# upgrade itself on open (a web app, a CLI and tests all open it), and it must stay
# one readable file without an ini file, env.py and a versions/ folder.  This runner
# does just that: a ``schema_version`` row per component, ordered steps, each step
# applied once inside the same locked transaction that bumps the version, so it is
# idempotent and safe when two processes open a fresh database at the same time.
# Switch to Alembic if the schema starts to branch or needs autogenerate.

MigrationStep = Callable[[Connection], None]

_version_metadata = sa.MetaData()
schema_version_table = sa.Table(
    "schema_version",
    _version_metadata,
    sa.Column("component", sa.String(50), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

#: Arbitrary constant: the PostgreSQL advisory lock that serialises migrations.
_PG_MIGRATION_LOCK = 0x56_42_4D_47  # "VBMG"


def migrate(engine: Engine, component: str, steps: Sequence[MigrationStep]) -> int:
    """Apply the missing ``steps`` of ``component`` and return its schema version.

    Step *n* (1-based) runs once, in the transaction that records version *n*.
    The whole run holds a write lock (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL
    advisory lock), so concurrent openers wait instead of racing.  Raises
    :class:`ConfigError` when the database is newer than this code.
    """
    with write_connection(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
        schema_version_table.create(conn, checkfirst=True)
        current = conn.scalar(
            sa.select(schema_version_table.c.version).where(schema_version_table.c.component == component)
        )
        if current is None:
            conn.execute(schema_version_table.insert().values(component=component, version=0, updated_at=utc_now()))
            current = 0
        if current > len(steps):
            raise ConfigError(
                f"The database schema of {component!r} is at version {current}, newer than "
                f"this Vraagbaak ({len(steps)}); upgrade Vraagbaak or use another database."
            )
        for number in range(current + 1, len(steps) + 1):
            steps[number - 1](conn)
            conn.execute(
                schema_version_table.update()
                .where(schema_version_table.c.component == component)
                .values(version=number, updated_at=utc_now())
            )
            logger.info("schema %s migrated to version %d", component, number)
        return len(steps)


def _triage_v1(conn: Connection) -> None:
    """Version 1: requests, notes, audit trail, reference counters (frozen DDL)."""
    md = sa.MetaData()
    sa.Table(
        "triage_requests",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("conversation", sa.JSON, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("citations", sa.JSON, nullable=False),
        sa.Column("route_reason", sa.Text),
        sa.Column("topic", sa.String(300), index=True),
        sa.Column("requester_name", sa.String(200)),
        sa.Column("organisation", sa.String(300)),
        sa.Column("email", sa.String(320)),
        sa.Column("org_type", sa.String(20), nullable=False),
        sa.Column("consent", sa.Boolean, nullable=False),
        sa.Column("consent_at", sa.DateTime),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("assignee", sa.String(200)),
        sa.Column("referred_to", sa.String(300)),
        sa.Column("decline_reason", sa.String(40)),
        sa.Column("decline_detail", sa.Text),
        sa.Column("purged_at", sa.DateTime),
    )
    sa.Table(
        "triage_notes",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "request_id",
            sa.Integer,
            sa.ForeignKey("triage_requests.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    sa.Table(
        "triage_audit",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "request_id",
            sa.Integer,
            sa.ForeignKey("triage_requests.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("referred_to", sa.String(300)),
        sa.Column("note", sa.Text),
    )
    sa.Table(
        "triage_counters",
        md,
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    md.create_all(conn)


#: Append new steps at the end; never edit or reorder a released one.
TRIAGE_MIGRATIONS: Final[tuple[MigrationStep, ...]] = (_triage_v1,)

# --------------------------------------------------------------------------- engines

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def shared_engine(url: str) -> Engine:
    """The one :class:`Engine` of this process for ``url`` (created on first use).

    An engine holds the connection pool and is thread-safe; callers take a
    connection per operation.  SQLite gets WAL mode, a busy timeout and explicit
    ``BEGIN`` handling; the folder of a SQLite file is created.  Raises
    :class:`ConfigError` for a malformed URL, an unsupported database or a
    missing driver.
    """
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create_engine(url)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Close all pooled connections and forget the engines (tests, shutdown)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _migrated.clear()


def _after_fork_in_child() -> None:
    # A forked worker (e.g. a pre-forking web server) must not reuse the parent's
    # pooled connections; SQLAlchemy's recipe is dispose(close=False).
    for engine in list(_engines.values()):
        engine.dispose(close=False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _safe_url(url: URL | str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<ongeldige URL>"


class _NoResultRows(logging.Filter):
    """Drop SQLAlchemy's DEBUG records: they list result rows, with names and e-mail addresses.

    ``hide_parameters`` keeps bound values out of the SQL log, but a DEBUG log
    level (an operator debugging the app) would still write every row read.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_NO_RESULT_ROWS = _NoResultRows()


def _create_engine(raw_url: str) -> Engine:
    engine_logger = logging.getLogger("sqlalchemy.engine.Engine")
    if _NO_RESULT_ROWS not in engine_logger.filters:
        engine_logger.addFilter(_NO_RESULT_ROWS)
    try:
        url = make_url(raw_url)
    except ArgumentError as err:
        raise ConfigError(
            f"Database URL {raw_url!r} is not valid; use e.g. sqlite:///data/vraagbaak.db or "
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
            f"No database driver for {_safe_url(url)}: {err}; install it (psycopg2-binary "
            "for PostgreSQL) or fix ASSISTANT_DATABASE_URL."
        ) from err
    except ArgumentError as err:
        raise ConfigError(f"Database URL {_safe_url(url)} is not usable: {err}.") from err
    raise ConfigError(
        f"Database {backend!r} is not supported ({_safe_url(url)}); use a sqlite:/// or "
        "postgresql:// URL in ASSISTANT_DATABASE_URL."
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
    import sqlite3
    import time as _time

    deadline = _time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or _time.monotonic() > deadline:
                raise
            _time.sleep(0.05)


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
            except OSError as err:
                raise ConfigError(
                    f"Cannot create the database folder {folder}: {err.strerror}; "
                    "fix the path in ASSISTANT_DATABASE_URL or its permissions."
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


def _driver_message(err: SQLAlchemyError) -> str:
    # Only the driver's own first line: SQLAlchemy's str() would add the SQL.
    if isinstance(err, DBAPIError) and err.orig is not None:
        text = str(err.orig).strip().splitlines()
        return text[0] if text else type(err.orig).__name__
    return type(err).__name__


@contextmanager
def db_errors(action: str, error: type[VraagbaakError] = TriageError) -> Iterator[None]:
    """Translate SQLAlchemy errors into ``error`` (a :class:`TriageError`) for a person.

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
            f"({_driver_message(err)}); probeer het opnieuw, of controleer "
            "ASSISTANT_DATABASE_URL en of de databaseserver draait."
        ) from err
    except IntegrityError as err:
        raise error(f"De database weigerde {action} ({_driver_message(err)}); probeer het opnieuw.") from err
    except SQLAlchemyError as err:
        raise error(
            f"Databasefout bij {action} ({_driver_message(err)}); controleer de database "
            "(ASSISTANT_DATABASE_URL) en probeer het opnieuw."
        ) from err


_migrated: set[tuple[str, str]] = set()


def open_database(url: str, component: str, steps: Sequence[MigrationStep]) -> Engine:
    """Shared engine for ``url`` with ``component``'s schema migrated; errors -> ConfigError.

    The migration runs once per process, URL and component (it is idempotent, so a
    second process or a concurrent first call merely finds nothing to do).
    """
    engine = shared_engine(url)
    key = (url, component)
    if key in _migrated:
        return engine
    try:
        migrate(engine, component, steps)
    except VraagbaakError:
        raise
    except SQLAlchemyError as err:
        raise ConfigError(
            f"Cannot open the database {_safe_url(url)} ({_driver_message(err)}); check "
            "ASSISTANT_DATABASE_URL, that the server runs and that the file or user may write."
        ) from err
    with _engines_lock:
        _migrated.add(key)
    return engine


def database_url_of(source: Settings | str) -> str:
    """The database URL of a :class:`Settings` or the URL itself."""
    return source.database_url if isinstance(source, Settings) else source


# --------------------------------------------------------------------------- helpers


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def period_start(value: date | datetime | None) -> datetime | None:
    """``since``: a date means from the start of that UTC day."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    return datetime.combine(value, time.min, tzinfo=UTC)


def period_end(value: date | datetime | None) -> datetime | None:
    """``until`` as an exclusive bound: a date includes that whole UTC day."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    return datetime.combine(value + timedelta(days=1), time.min, tzinfo=UTC)


def _clean(value: str | None, limit: int, what: str) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    if not text:
        return None
    if len(text) > limit:
        raise TriageError(f"{what} is te lang (maximaal {limit} tekens).")
    return text


def _required(value: str | None, limit: int, what: str, hint: str) -> str:
    text = _clean(value, limit, what)
    if text is None:
        raise TriageError(hint)
    return text


def normalize_reference(ref: str) -> str:
    """``vb-2026-42`` -> ``VB-2026-00042``; raises :class:`TriageError` if it is no reference."""
    text = ref.strip().upper()
    match = _REFERENCE_RE.match(text)
    if not match:
        raise TriageError(f"{ref!r} is geen referentienummer; verwacht iets als VB-2026-00042 (zie `triage list`).")
    return _format_reference(int(match.group(1)), int(match.group(2)))


def _format_reference(year: int, number: int) -> str:
    return f"VB-{year}-{number:05d}"


def _json_list(value: Sequence[Any], what: str) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TriageError(f"{what} moet een lijst zijn.")
    return list(value)


def _conversation(value: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    messages: list[dict[str, str]] = []
    for item in _json_list(value, "Het gesprek"):
        if not isinstance(item, Mapping):
            raise TriageError("Elk bericht in het gesprek moet {role, content} zijn.")
        role, content = item.get("role"), item.get("content")
        if not isinstance(role, str) or not isinstance(content, str):
            raise TriageError("Elk bericht in het gesprek moet tekst hebben voor role en content.")
        messages.append({"role": role, "content": content})
    return messages


def _parse_decline_reason(reason: str | None, detail: str | None) -> tuple[str, str | None]:
    """Split ``reason`` into a category of :data:`DECLINE_REASONS` and free text.

    ``"andere: te laat ingediend"`` is accepted as well as ``reason="andere"`` with
    ``detail``; "andere" without an explanation is refused.
    """
    options = ", ".join(repr(r) for r in DECLINE_REASONS)
    text = " ".join((reason or "").split())
    extra = _clean(detail, 2000, "De toelichting")
    if not text:
        raise TriageError(f"Afwijzen vraagt een reden; kies uit {options} (bij 'andere' met uitleg).")
    lowered = text.lower()
    if lowered in DECLINE_REASONS and lowered != OTHER_REASON:
        return lowered, extra
    if lowered.startswith(OTHER_REASON):
        rest = text[len(OTHER_REASON) :].strip(" :-–—")
        explanation = " ".join(part for part in (rest, extra or "") if part) or None
        if not explanation:
            raise TriageError("Bij reden 'andere' hoort een uitleg, bv. --reason 'andere: aanvraag te laat'.")
        return OTHER_REASON, explanation
    raise TriageError(f"Onbekende reden {reason!r} om af te wijzen; kies uit {options}.")


def _allowed_message(ref: str, current: str, new: str) -> str:
    allowed = TRANSITIONS[current]
    options = " of ".join(repr(s) for s in allowed)
    if new == current:
        return f"{ref} staat al op {current!r}; vanuit {current!r} kan enkel naar {options}."
    if current in FINAL_STATUSES:
        return (
            f"{ref} staat op {current!r}, een eindstatus: naar {new!r} kan niet. "
            f"Enkel heropenen naar {options} is toegestaan."
        )
    return (
        f"Statuswijziging van {current!r} naar {new!r} kan niet voor {ref}; "
        f"vanuit {current!r} kan enkel naar {options}."
    )


def _csv_cell(value: Any) -> str:
    """A CSV cell; text that spreadsheets would run as a formula is defused with a quote."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


# --------------------------------------------------------------------------- the store

_CSV_COLUMNS: Final[tuple[str, ...]] = (
    "reference",
    "created_at",
    "updated_at",
    "status",
    "org_type",
    "target_group",
    "topic",
    "route_reason",
    "assignee",
    "referred_to",
    "decline_reason",
    "decline_detail",
    "purged",
)
#: Left out of an export with ``personal_data=False``: contact details and the
#: question, whose free text often names people.
_CSV_PERSONAL_COLUMNS: Final[tuple[str, ...]] = (
    "requester_name",
    "organisation",
    "email",
    "question",
)


class TriageStore:
    """The triage queue in the database at ``url``.

    Cheap to create: engines are shared per URL and the schema is migrated once per
    process.  Every method takes its own connection, so one store may serve many
    threads.  All failures raise :class:`TriageError` (or :class:`ConfigError`
    while opening) with a message for a person.
    """

    def __init__(self, url: str, *, retention_days: int = 365) -> None:
        if retention_days < 1:
            raise ConfigError("retention_days must be at least 1 (ASSISTANT_RETENTION_DAYS).")
        self.url = url
        self.retention_days = retention_days
        self._engine = open_database(url, "triage", TRIAGE_MIGRATIONS)

    @classmethod
    def from_settings(cls, settings: Settings) -> TriageStore:
        """Open the store of ``settings.database_url`` with its retention period."""
        return cls(settings.database_url, retention_days=settings.retention_days)

    def __repr__(self) -> str:
        return f"TriageStore({_safe_url(self.url)!r})"

    # ---------------------------------------------------------------- create

    def create_request(
        self,
        *,
        question: str,
        requester_name: str,
        email: str,
        org_type: str,
        consent: bool,
        organisation: str | None = None,
        conversation: Sequence[Mapping[str, Any]] = (),
        answer: str = "",
        citations: Sequence[Any] = (),
        route_reason: str | None = None,
        topic: str | None = None,
        created_at: datetime | None = None,
    ) -> Request:
        """Store a new request with status ``nieuw`` and return it with its reference.

        ``consent`` must be ``True`` (the requester agreed that staff store their
        contact details to follow up); otherwise nothing is stored and a
        :class:`TriageError` explains that consent is needed.  ``created_at`` is for
        imports and tests; it defaults to now (UTC).
        """
        # Consent first: without it, not even validation touches the personal data.
        if consent is not True:
            raise TriageError(
                "Toestemming is nodig: we kunnen je vraag enkel doorgeven aan een medewerker "
                "als je ermee instemt dat we je naam, organisatie en e-mailadres bewaren om je "
                "te contacteren. Vink de toestemming aan en verstuur opnieuw."
            )
        text = (question or "").strip()
        if not text:
            raise TriageError("De vraag is leeg: typ je vraag voor je ze doorstuurt.")
        name = _required(requester_name, _MAX_NAME, "De naam", "Vul je naam in zodat we je kunnen contacteren.")
        mail = _required(
            email,
            _MAX_EMAIL,
            "Het e-mailadres",
            "Vul je e-mailadres in zodat we je kunnen antwoorden.",
        )
        if not _EMAIL_RE.match(mail):
            raise TriageError("Dat e-mailadres lijkt niet geldig; controleer het (bv. naam@organisatie.be).")
        kind = normalize_org_type(org_type or "")
        org = _clean(organisation, _MAX_ORGANISATION, "De naam van de organisatie")
        messages = _conversation(conversation)
        sources = _json_list(citations, "De bronnen")
        when = as_utc(created_at) if created_at is not None else utc_now()
        values: dict[str, Any] = {
            "created_at": when,
            "updated_at": when,
            "question": text,
            "conversation": messages,
            "answer": answer or "",
            "citations": sources,
            "route_reason": _clean(route_reason, 10_000, "De reden van doorverwijzing"),
            "topic": _clean(topic, _MAX_SHORT, "Het thema"),
            "requester_name": name,
            "organisation": org,
            "email": mail,
            "org_type": kind,
            "consent": True,
            "consent_at": when,
            "status": NIEUW,
        }
        reference = self._insert_new(values)
        logger.info("triage request %s created (type %s, topic %s)", reference, kind, values["topic"])
        return self.get(reference)

    def _insert_new(self, values: Mapping[str, Any]) -> str:
        """Insert a request with the next reference of its year; returns the reference."""
        when: datetime = values["created_at"]
        attempt = 0
        while True:
            attempt += 1
            try:
                with (
                    db_errors("het bewaren van de aanvraag"),
                    write_connection(self._engine) as conn,
                ):
                    reference = self._next_reference(conn, when.year)
                    request_id = conn.execute(
                        requests_table.insert().values(reference=reference, **values).returning(requests_table.c.id)
                    ).scalar_one()
                    conn.execute(
                        audit_table.insert().values(
                            request_id=request_id,
                            at=when,
                            actor="vraagbaak",
                            from_status=None,
                            to_status=NIEUW,
                            reason=values["route_reason"],
                        )
                    )
                return reference
            except TriageError as err:
                # Two PostgreSQL transactions creating the first counter row of a year
                # collide on its primary key; the loser simply tries again.
                if isinstance(err.__cause__, IntegrityError) and attempt < _CREATE_ATTEMPTS:
                    logger.debug("reference counter race; retrying (attempt %d)", attempt + 1)
                    continue
                raise

    @staticmethod
    def _next_reference(conn: Connection, year: int) -> str:
        # UPDATE first: it locks the year's row, so concurrent creates queue up here.
        bumped = conn.execute(
            counters_table.update()
            .where(counters_table.c.year == year)
            .values(last_number=counters_table.c.last_number + 1)
        )
        if bumped.rowcount == 0:
            conn.execute(counters_table.insert().values(year=year, last_number=1))
        number = conn.scalar(sa.select(counters_table.c.last_number).where(counters_table.c.year == year))
        assert number is not None
        return _format_reference(year, int(number))

    # ---------------------------------------------------------------- read

    def get(self, ref: str) -> Request:
        """The request with reference ``ref`` (case-insensitive), notes included."""
        reference = normalize_reference(ref)
        with db_errors(f"het opzoeken van {reference}"), self._engine.connect() as conn:
            row = conn.execute(sa.select(requests_table).where(requests_table.c.reference == reference)).first()
            if row is None:
                raise TriageError(f"Aanvraag {reference} bestaat niet; controleer het nummer met `triage list`.")
            notes = self._notes(conn, [row.id])
        return _to_request(row, notes.get(row.id, ()))

    def list(
        self,
        *,
        status: str | None = None,
        topic: str | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
        org_type: str | None = None,
        assignee: str | None = None,
        limit: int | None = None,
    ) -> builtins.list[Request]:
        """Requests matching all given filters, oldest first.

        ``topic`` matches case-insensitively; ``since``/``until`` filter on the time
        received (dates are whole UTC days, both included).
        """
        query = sa.select(requests_table).order_by(requests_table.c.created_at, requests_table.c.id)
        query = self._filtered(query, status, topic, since, until, org_type)
        if assignee is not None:
            query = query.where(requests_table.c.assignee == assignee)
        if limit is not None:
            query = query.limit(limit)
        with db_errors("het oplijsten van aanvragen"), self._engine.connect() as conn:
            rows = conn.execute(query).all()
            notes = self._notes(conn, [row.id for row in rows])
        return [_to_request(row, notes.get(row.id, ())) for row in rows]

    @staticmethod
    def _filtered(
        query: sa.Select[Any],
        status: str | None,
        topic: str | None,
        since: date | datetime | None,
        until: date | datetime | None,
        org_type: str | None = None,
    ) -> sa.Select[Any]:
        t = requests_table.c
        if status is not None:
            query = query.where(t.status == normalize_status(status))
        if topic is not None:
            query = query.where(sa.func.lower(t.topic) == topic.strip().lower())
        if org_type is not None:
            query = query.where(t.org_type == normalize_org_type(org_type))
        start, end = period_start(since), period_end(until)
        if start is not None:
            query = query.where(t.created_at >= start)
        if end is not None:
            query = query.where(t.created_at < end)
        return query

    @staticmethod
    def _notes(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[Note, ...]]:
        found: dict[int, builtins.list[Note]] = {}
        # Chunked: SQLite limits the number of bound parameters per statement.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = conn.execute(
                sa.select(notes_table)
                .where(notes_table.c.request_id.in_(chunk))
                .order_by(notes_table.c.created_at, notes_table.c.id)
            )
            for row in rows:
                found.setdefault(row.request_id, []).append(
                    Note(author=row.author, created_at=row.created_at, text=row.text)
                )
        return {key: tuple(value) for key, value in found.items()}

    def audit(self, ref: str) -> builtins.list[AuditEntry]:
        """Every status change of ``ref``, oldest first (the creation included)."""
        request = self.get(ref)
        with (
            db_errors(f"het lezen van de historiek van {request.reference}"),
            self._engine.connect() as conn,
        ):
            rows = conn.execute(
                sa.select(audit_table)
                .join(requests_table, requests_table.c.id == audit_table.c.request_id)
                .where(requests_table.c.reference == request.reference)
                .order_by(audit_table.c.at, audit_table.c.id)
            ).all()
        return [
            AuditEntry(
                reference=request.reference,
                at=row.at,
                by=row.actor,
                from_status=row.from_status,
                to_status=row.to_status,
                reason=row.reason,
                referred_to=row.referred_to,
                note=row.note,
            )
            for row in rows
        ]

    # ---------------------------------------------------------------- change

    def change_status(
        self,
        ref: str,
        new_status: str,
        *,
        by: str,
        reason: str | None = None,
        referred_to: str | None = None,
        note: str | None = None,
        reason_detail: str | None = None,
    ) -> Request:
        """Move ``ref`` to ``new_status`` and record who, when, from, to and why.

        ``doorverwezen`` needs ``referred_to`` (to whom).  ``afgewezen`` needs a
        ``reason`` from :data:`DECLINE_REASONS`; "andere" needs an explanation, as
        ``reason_detail`` or as ``"andere: ..."``.  For other statuses ``reason`` is
        free text kept in the audit trail.  A transition not in :data:`TRANSITIONS`
        raises :class:`TriageError` naming the allowed ones.
        """
        reference = normalize_reference(ref)
        actor = _required(by, _MAX_NAME, "De naam van de medewerker", "Zeg wie de status wijzigt (by / --by).")
        target = normalize_status(new_status)
        target_to = _clean(referred_to, _MAX_SHORT, "De doorverwijzing")
        if target == DOORVERWEZEN and target_to is None:
            raise TriageError(
                "Doorverwijzen vraagt een bestemming: zeg naar wie of welke organisatie (referred_to / --to)."
            )
        if target != DOORVERWEZEN and target_to is not None:
            raise TriageError(
                f"Een doorverwijzing (referred_to / --to) hoort enkel bij status 'doorverwezen', niet bij {target!r}."
            )
        decline_reason: str | None = None
        decline_detail: str | None = None
        if target == AFGEWEZEN:
            decline_reason, decline_detail = _parse_decline_reason(reason, reason_detail)
            audit_reason: str | None = (
                decline_reason if decline_detail is None else f"{decline_reason}: {decline_detail}"
            )
        else:
            audit_reason = _clean(
                " ".join(p for p in (reason or "", reason_detail or "") if p) or None,
                2000,
                "De reden",
            )
        audit_note = _clean(note, 10_000, "De notitie")
        now = utc_now()
        with (
            db_errors(f"het wijzigen van de status van {reference}"),
            write_connection(self._engine) as conn,
        ):
            row = conn.execute(
                sa.select(requests_table.c.id, requests_table.c.status)
                .where(requests_table.c.reference == reference)
                .with_for_update()
            ).first()
            if row is None:
                raise TriageError(f"Aanvraag {reference} bestaat niet; controleer het nummer met `triage list`.")
            current: str = row.status
            if target not in TRANSITIONS[current]:
                raise TriageError(_allowed_message(reference, current, target))
            conn.execute(
                requests_table.update()
                .where(requests_table.c.id == row.id)
                .values(
                    status=target,
                    updated_at=now,
                    # The outcome fields describe the *current* status; the
                    # audit trail keeps earlier referrals and reasons.
                    referred_to=target_to,
                    decline_reason=decline_reason,
                    decline_detail=decline_detail,
                )
            )
            conn.execute(
                audit_table.insert().values(
                    request_id=row.id,
                    at=now,
                    actor=actor,
                    from_status=current,
                    to_status=target,
                    reason=audit_reason,
                    referred_to=target_to,
                    note=audit_note,
                )
            )
        logger.info(
            "triage request %s: %s -> %s%s",
            reference,
            current,
            target,
            " (heropend)" if current in FINAL_STATUSES else "",
        )
        return self.get(reference)

    def add_note(self, ref: str, text: str, *, by: str) -> Note:
        """Add a staff note to ``ref`` and return it."""
        reference = normalize_reference(ref)
        author = _required(by, _MAX_NAME, "De naam van de medewerker", "Zeg wie de notitie schrijft (by / --by).")
        body = (text or "").strip()
        if not body:
            raise TriageError("De notitie is leeg.")
        now = utc_now()
        with (
            db_errors(f"het bewaren van een notitie bij {reference}"),
            write_connection(self._engine) as conn,
        ):
            request_id = self._id_of(conn, reference)
            conn.execute(notes_table.insert().values(request_id=request_id, created_at=now, author=author, text=body))
            conn.execute(requests_table.update().where(requests_table.c.id == request_id).values(updated_at=now))
        return Note(author=author, created_at=now, text=body)

    def assign(self, ref: str, assignee: str | None, *, by: str) -> Request:
        """Make ``assignee`` responsible for ``ref`` (``None`` to unassign)."""
        reference = normalize_reference(ref)
        _required(by, _MAX_NAME, "De naam van de medewerker", "Zeg wie toewijst (by / --by).")
        person = _clean(assignee, _MAX_NAME, "De naam van de behandelaar")
        with db_errors(f"het toewijzen van {reference}"), write_connection(self._engine) as conn:
            request_id = self._id_of(conn, reference)
            conn.execute(
                requests_table.update()
                .where(requests_table.c.id == request_id)
                .values(assignee=person, updated_at=utc_now())
            )
        return self.get(reference)

    @staticmethod
    def _id_of(conn: Connection, reference: str) -> int:
        request_id = conn.scalar(sa.select(requests_table.c.id).where(requests_table.c.reference == reference))
        if request_id is None:
            raise TriageError(f"Aanvraag {reference} bestaat niet; controleer het nummer met `triage list`.")
        return int(request_id)

    # ---------------------------------------------------------------- reporting

    def stats(
        self,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
    ) -> Stats:
        """Figures for the requests *received* in the period, by their current status.

        That is how the annual report counts: "we received 107 questions; we took
        up 68 of them: 62 from our primary target group and 6 from our secondary".
        Broken down per target group, organisation type and topic, with referrals
        per target and declines per reason.
        """
        t = requests_table.c
        query = self._filtered(
            sa.select(t.status, t.org_type, t.topic, t.referred_to, t.decline_reason),
            None,
            None,
            since,
            until,
        )
        with db_errors("het berekenen van de cijfers"), self._engine.connect() as conn:
            rows = conn.execute(query).all()
        total = Counts()
        groups = {group: Counts() for group in TARGET_GROUPS}
        org_types = {kind: Counts() for kind in ORG_TYPES}
        topics: dict[str, Counts] = {}
        topic_names: dict[str, str] = {}
        referred: dict[str, int] = {}
        referred_names: dict[str, str] = {}
        declined = dict.fromkeys(DECLINE_REASONS, 0)
        for row in rows:
            total.add(row.status)
            org_types.setdefault(row.org_type, Counts()).add(row.status)
            groups[target_group_of(row.org_type)].add(row.status)
            # Topics and referral targets are typed by people: group them
            # case-insensitively under the first spelling seen.
            topic = row.topic or ""
            topic_key = topic.lower()
            topics.setdefault(topic_names.setdefault(topic_key, topic), Counts()).add(row.status)
            if row.status == DOORVERWEZEN and row.referred_to:
                name = referred_names.setdefault(row.referred_to.lower(), row.referred_to)
                referred[name] = referred.get(name, 0) + 1
            if row.status == AFGEWEZEN and row.decline_reason:
                declined[row.decline_reason] = declined.get(row.decline_reason, 0) + 1
        return Stats(
            since=period_start(since),
            until=period_end(until),
            total=total,
            by_target_group=groups,
            by_org_type=org_types,
            by_topic=dict(sorted(topics.items(), key=lambda kv: (-kv[1].received, kv[0]))),
            referred_to=dict(sorted(referred.items(), key=lambda kv: (-kv[1], kv[0]))),
            declined_by_reason=declined,
        )

    def export_csv(
        self,
        target: str | os.PathLike[str] | TextIO,
        *,
        status: str | None = None,
        topic: str | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
        personal_data: bool = True,
        delimiter: str = ",",
    ) -> int:
        """Write the matching requests as CSV to a path or an open text file.

        Returns the number of rows.  ``personal_data=False`` leaves out name,
        organisation, e-mail and the question text.  A file path is written as
        UTF-8 with a byte order mark, so spreadsheet programs read accents right;
        cells that a spreadsheet would run as a formula get a leading quote.
        """
        requests = self.list(status=status, topic=topic, since=since, until=until)
        columns = _CSV_COLUMNS + (_CSV_PERSONAL_COLUMNS if personal_data else ())
        if isinstance(target, (str, os.PathLike)):
            path = Path(target)
            try:
                with path.open("w", encoding="utf-8-sig", newline="") as handle:
                    _write_csv(handle, requests, columns, delimiter)
            except OSError as err:
                raise TriageError(
                    f"Kan {path} niet schrijven ({err.strerror}); kies een ander pad of controleer de rechten."
                ) from err
        else:
            _write_csv(target, requests, columns, delimiter)
        logger.info("triage export: %d requests (personal data: %s)", len(requests), personal_data)
        return len(requests)

    # ---------------------------------------------------------------- retention

    def purge_expired(self, now: datetime | None = None, *, dry_run: bool = False) -> int:
        """Anonymise requests received more than ``retention_days`` before ``now``.

        Name, organisation and e-mail are cleared; question, conversation texts,
        answer, staff notes and audit notes become ``"[verwijderd]"``.  Reference,
        dates, status, organisation type, topic, referral target and reasons stay, so
        the figures of :meth:`stats` do not change.  Returns how many requests were
        (or, with ``dry_run``, would be) anonymised; already purged ones do not count.
        """
        moment = as_utc(now) if now is not None else utc_now()
        cutoff = moment - timedelta(days=self.retention_days)
        t = requests_table.c
        with (
            db_errors("het anonimiseren van oude aanvragen"),
            write_connection(self._engine) as conn,
        ):
            rows = conn.execute(
                sa.select(t.id, t.conversation).where(t.created_at < cutoff, t.purged_at.is_(None))
            ).all()
            if dry_run:
                return len(rows)
            for row in rows:
                conversation = [
                    {"role": str(m.get("role", "")), "content": REDACTED}
                    for m in (row.conversation or [])
                    if isinstance(m, Mapping)
                ]
                conn.execute(
                    requests_table.update()
                    .where(t.id == row.id)
                    .values(
                        requester_name=None,
                        organisation=None,
                        email=None,
                        question=REDACTED,
                        conversation=conversation,
                        answer=REDACTED,
                        purged_at=moment,
                    )
                )
                # Staff write names into notes; the outcome (reason) stays.
                conn.execute(notes_table.update().where(notes_table.c.request_id == row.id).values(text=REDACTED))
                conn.execute(
                    audit_table.update()
                    .where(audit_table.c.request_id == row.id, audit_table.c.note.is_not(None))
                    .values(note=REDACTED)
                )
        if rows:
            with db_errors("het opruimen van de database na het anonimiseren"):
                checkpoint_after_purge(self._engine)
            logger.info("triage purge: %d requests anonymised (older than %s)", len(rows), cutoff.date())
        return len(rows)


def _write_csv(handle: TextIO, requests: Sequence[Request], columns: Sequence[str], delimiter: str) -> None:
    writer = csv.writer(handle, delimiter=delimiter)
    writer.writerow(columns)
    for request in requests:
        values: dict[str, Any] = {
            "reference": request.reference,
            "created_at": request.created_at,
            "updated_at": request.updated_at,
            "status": request.status,
            "org_type": request.org_type,
            "target_group": request.target_group,
            "topic": request.topic,
            "route_reason": request.route_reason,
            "assignee": request.assignee,
            "referred_to": request.referred_to,
            "decline_reason": request.decline_reason,
            "decline_detail": request.decline_detail,
            "purged": "ja" if request.purged_at else "nee",
            "requester_name": request.requester_name,
            "organisation": request.organisation,
            "email": request.email,
            "question": request.question,
        }
        writer.writerow([_csv_cell(values[column]) for column in columns])


def _to_request(row: Row[Any], notes: tuple[Note, ...]) -> Request:
    return Request(
        reference=row.reference,
        created_at=row.created_at,
        updated_at=row.updated_at,
        status=row.status,
        org_type=row.org_type,
        topic=row.topic,
        route_reason=row.route_reason,
        question=row.question,
        conversation=list(row.conversation or []),
        answer=row.answer,
        citations=list(row.citations or []),
        requester_name=row.requester_name,
        organisation=row.organisation,
        email=row.email,
        consent=bool(row.consent),
        consent_at=row.consent_at,
        assignee=row.assignee,
        referred_to=row.referred_to,
        decline_reason=row.decline_reason,
        decline_detail=row.decline_detail,
        purged_at=row.purged_at,
        notes=notes,
    )
