"""Times as Socius staff and requesters read them: local time, Dutch month names.

The database keeps UTC; pages, mails and spreadsheet exports show the time in
``settings.timezone`` (Europe/Brussels), e.g. ``2 december 2026 14:05``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["MONTHS", "add_working_days", "dutch_date", "dutch_datetime", "local"]

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def local(value: datetime, timezone: str) -> datetime:
    """``value`` (aware, or naive UTC) in the given time zone."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(timezone))


def dutch_date(value: date) -> str:
    """``2 december 2026``."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def dutch_datetime(value: datetime | None, timezone: str) -> str:
    """``2 december 2026 14:05`` in local time; empty for ``None``."""
    if value is None:
        return ""
    moment = local(value, timezone)
    return f"{dutch_date(moment)} {moment:%H:%M}"


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days (Monday to Friday) after ``start``."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current
