"""CSV export of triage requests, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TextIO

from ..errors import TriageError
from .model import Request

__all__ = ["CSV_COLUMNS", "CSV_PERSONAL_COLUMNS", "write_csv"]


def _csv_cell(value: Any) -> str:
    """A CSV cell; text that spreadsheets would run as a formula is defused with a quote."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


CSV_COLUMNS: Final[tuple[str, ...]] = (
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
CSV_PERSONAL_COLUMNS: Final[tuple[str, ...]] = (
    "requester_name",
    "organisation",
    "email",
    "question",
)


def _write_rows(handle: TextIO, requests: Sequence[Request], columns: Sequence[str], delimiter: str) -> None:
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


def write_csv(
    target: str | os.PathLike[str] | TextIO,
    requests: Sequence[Request],
    *,
    personal_data: bool = True,
    delimiter: str = ",",
) -> int:
    """Write ``requests`` as CSV to a path or an open text file; returns the number of rows.

    ``personal_data=False`` leaves out name, organisation, e-mail and the question text.
    A file path is written as UTF-8 with a byte order mark, so spreadsheet programs
    read accents right; cells that a spreadsheet would run as a formula get a leading quote.
    """
    columns = CSV_COLUMNS + (CSV_PERSONAL_COLUMNS if personal_data else ())
    if isinstance(target, (str, os.PathLike)):
        path = Path(target)
        try:
            # Personal data: a new file is for this account only (0600).
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(fd, "w", encoding="utf-8-sig", newline="") as handle:
                _write_rows(handle, requests, columns, delimiter)
        except OSError as err:
            raise TriageError(
                f"Kan {path} niet schrijven ({err.strerror}); kies een ander pad of controleer de rechten."
            ) from err
    else:
        _write_rows(target, requests, columns, delimiter)
    return len(requests)
