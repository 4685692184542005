"""Column types and the one :class:`~sqlalchemy.MetaData` that every table of Vraagbaak is declared on.

Capability packages declare their tables on :data:`metadata` (``assistant/triage/tables.py``,
``assistant/triage/feedback.py``); the DDL that creates them lives in the Alembic revisions under
``assistant/db/migrations/versions/``, and ``tests/test_db.py`` checks that the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

__all__ = ["UTCDateTime", "metadata"]

#: All tables of the application (not Alembic's own version table).
metadata = sa.MetaData()


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC; returns aware UTC datetimes.

    SQLite has no time zones, so both backends store naive UTC and every value that
    leaves the database layer is aware.  Naive input is taken to be UTC already.
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
