"""The database layer: engines, column types, UTC periods and the Alembic schema.

Stores receive a :class:`Database` (one per URL, owned by the application) and
declare their tables on :data:`metadata`; every schema change is a new Alembic
revision in ``assistant/db/migrations/versions/`` (see :mod:`assistant.db.schema`).
"""

from __future__ import annotations

from .database import Database
from .engine import db_errors, safe_url
from .times import as_utc, parse_day, period_end, period_start, utc_now
from .types import UTCDateTime, metadata

__all__ = [
    "Database",
    "UTCDateTime",
    "as_utc",
    "db_errors",
    "metadata",
    "parse_day",
    "period_end",
    "period_start",
    "safe_url",
    "utc_now",
]
