"""UTC moments and periods: how the stores read ``since``/``until`` filters.

Times are stored as UTC.  Where a *date* filters a period (``since``/``until``), it
means that whole UTC day, both ends included.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ..errors import ConfigError

__all__ = ["as_utc", "parse_day", "period_end", "period_start", "utc_now"]


def utc_now() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive value is taken to be UTC already."""
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


def parse_day(text: str | None, what: str) -> date | None:
    """A ``YYYY-MM-DD`` day typed by a person (``None`` when empty); ``what`` names the field or flag.

    Raises :class:`ConfigError` with a Dutch message that says how to write it.
    """
    value = (text or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise ConfigError(f"{what} '{value}' is geen geldige datum; gebruik JJJJ-MM-DD, bv. 2026-01-31.") from err
