"""The schema: Alembic revisions, run on open, and the adoption of pre-Alembic databases.

The revisions live in ``assistant/db/migrations/versions/`` (one file per change, each
naming the revision before it).  :func:`upgrade` brings a database to the newest
revision; :class:`~assistant.db.Database` calls it once when a store opens the
database, so the web app, the CLI and the tests never meet an old schema.  The
``alembic`` command works as well, from the project folder (``alembic.ini``), on
``ASSISTANT_DATABASE_URL``::

    .venv/bin/alembic upgrade head
    .venv/bin/alembic revision --rev-id 0003 -m "triage replies"   # a new revision on top of head

Concurrency: the whole upgrade runs in one write transaction (SQLite ``BEGIN
IMMEDIATE``, a PostgreSQL advisory lock), so two processes opening a fresh database
at once queue up instead of both creating the tables.

Databases made before Alembic (``schema_version`` rows ``triage`` and/or
``feedback`` at version 1) upgrade in place: the first two revisions create their
tables only where the old runner had not already done so.  The old table stays,
untouched.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy.engine import Connection, Engine

from ..errors import ConfigError
from .engine import safe_url, write_connection
from .types import metadata

__all__ = ["LEGACY_VERSION_TABLE", "MIGRATIONS_DIR", "TABLE_MODULES", "alembic_config", "target_metadata", "upgrade"]

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"

#: Modules that declare tables on :data:`assistant.db.metadata`; add yours when you add a table.
TABLE_MODULES: Final[tuple[str, ...]] = (
    "assistant.triage.tables",
    "assistant.triage.feedback",
    "assistant.triage.mails",
    "evals.grades",
    "assistant.sources.audit",
    "assistant.gaps.turns",
)

#: The version table of the hand-written runner that Alembic replaced.
LEGACY_VERSION_TABLE: Final = "schema_version"
#: Its components and the last version it ever released; both are the first Alembic revisions.
_LEGACY_VERSIONS: Final = {"triage": 1, "feedback": 1}

#: Arbitrary constant: the PostgreSQL advisory lock that serialises upgrades.
_PG_MIGRATION_LOCK: Final = 0x56_42_4D_47  # "VBMG"


def alembic_config() -> Config:
    """The Alembic configuration of the packaged revisions (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


def target_metadata() -> sa.MetaData:
    """:data:`assistant.db.metadata` with every table of :data:`TABLE_MODULES` declared on it."""
    for module in TABLE_MODULES:
        importlib.import_module(module)
    return metadata


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A write transaction that holds the migration lock and has checked a pre-Alembic schema."""
    with write_connection(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
        _check_legacy(conn)
        yield conn


def upgrade(engine: Engine) -> None:
    """Bring the database of ``engine`` to the newest revision (a no-op when it is there).

    Raises :class:`ConfigError` when the database is newer than this code.
    """
    config = alembic_config()
    with migration_connection(engine) as conn:
        config.attributes["connection"] = conn
        try:
            command.upgrade(config, "head")
        except CommandError as err:
            raise ConfigError(
                f"Het databaseschema van {safe_url(engine.url)} staat op een revisie die deze Vraagbaak niet kent "
                f"({err}): het is nieuwer dan deze Vraagbaak; werk Vraagbaak bij of gebruik een andere database."
            ) from err


def _check_legacy(conn: Connection) -> None:
    inspector = sa.inspect(conn)
    if not inspector.has_table(LEGACY_VERSION_TABLE) or inspector.has_table("alembic_version"):
        return
    rows = conn.execute(sa.text(f"SELECT component, version FROM {LEGACY_VERSION_TABLE}")).all()
    for component, version in rows:
        known = _LEGACY_VERSIONS.get(component)
        if known is not None and version > known:
            raise ConfigError(
                f"Het databaseschema van {component!r} staat op versie {version}, nieuwer dan "
                f"deze Vraagbaak ({known}); werk Vraagbaak bij of gebruik een andere database."
            )
