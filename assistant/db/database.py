"""One database, owned by one object: its engine (connection pool) and its schema upgrade.

The application (web app, CLI command, test) creates one :class:`Database` per URL
and passes it to the stores that use it (:class:`~assistant.triage.TriageStore`,
:class:`~assistant.triage.FeedbackStore`); nothing is cached at module level.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ConfigError, VraagbaakError
from ..settings import Settings
from .engine import checkpoint_after_purge, create_engine, driver_message, safe_url, write_connection
from .schema import upgrade

__all__ = ["Database"]


class Database:
    """The database at ``url``: one engine, created on first use, and the schema upgraded once.

    Thread-safe: an engine is a pool, and every operation takes its own connection.
    After a fork (a pre-forking web server) the child stops using the parent's pooled
    connections.  ``dispose()`` (or leaving a ``with`` block) closes them.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._upgrade_lock = threading.Lock()
        self._upgraded = False

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The database of ``settings.database_url``."""
        return cls(settings.database_url)

    def __repr__(self) -> str:
        return f"Database({safe_url(self.url)!r})"

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.dispose()

    @property
    def engine(self) -> Engine:
        """The engine (created on first use); raises :class:`ConfigError` for an unusable URL."""
        with self._lock:
            if self._engine is None:
                self._engine = create_engine(self.url)
                self._pid = os.getpid()
            elif self._pid != os.getpid():
                # A forked child must not reuse the parent's pooled connections;
                # SQLAlchemy's recipe is dispose(close=False).
                self._engine.dispose(close=False)
                self._pid = os.getpid()
            return self._engine

    def upgrade(self) -> None:
        """Bring the schema to the newest revision, once per object; errors -> :class:`ConfigError`.

        Idempotent, so a second process (or a second object) merely finds nothing to do.
        """
        if self._upgraded:
            return
        with self._upgrade_lock:
            if self._upgraded:
                return
            try:
                upgrade(self.engine)
            except VraagbaakError:
                raise
            except SQLAlchemyError as err:
                raise ConfigError(
                    f"Kan de database {safe_url(self.url)} niet openen ({driver_message(err)}); controleer "
                    "ASSISTANT_DATABASE_URL, of de server draait en of het bestand of de gebruiker mag schrijven."
                ) from err
            self._upgraded = True

    def connect(self) -> AbstractContextManager[Connection]:
        """A connection for reading (closed at the end of the ``with`` block)."""
        return self.engine.connect()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a write transaction; see :func:`~assistant.db.engine.write_connection`."""
        with write_connection(self.engine) as conn:
            yield conn

    def checkpoint_after_purge(self) -> None:
        """Truncate SQLite's write-ahead log after personal data was purged (no-op elsewhere)."""
        checkpoint_after_purge(self.engine)

    def dispose(self) -> None:
        """Close the pooled connections; the next use opens new ones (the schema stays upgraded)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
