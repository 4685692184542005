"""Alembic environment of Vraagbaak.

Run by :func:`assistant.db.schema.upgrade` with a connection that already holds the
migration lock (``config.attributes["connection"]``), or by the ``alembic`` command
line, which gets the same kind of connection here for ``sqlalchemy.url`` or
``ASSISTANT_DATABASE_URL``.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from assistant.db.engine import create_engine
from assistant.db.schema import LEGACY_VERSION_TABLE, migration_connection, target_metadata
from assistant.settings import load_settings


def _include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    # The old runner's version table stays; autogenerate must not propose dropping it.
    return not (type_ == "table" and name == LEGACY_VERSION_TABLE)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        include_object=_include,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    # The connection is already in a transaction (the caller's): Alembic runs inside it.
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    return context.config.get_main_option("sqlalchemy.url") or load_settings().database_url


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata(), literal_binds=True, include_object=_include)
    with context.begin_transaction():
        context.run_migrations()
else:
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
    else:
        engine = create_engine(_url())
        try:
            with migration_connection(engine) as conn:
                _run(conn)
        finally:
            engine.dispose()
