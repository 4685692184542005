"""The staff page's CSV export, made for a spreadsheet in Belgium.

Excel with Belgian (Dutch) settings expects ``;`` between cells, so this export
uses that, with Dutch column names, local times (``02/12/2026 14:05``, which such
a spreadsheet reads as a date and time), UTF-8 with a byte order mark (accents
stay right) and, when personal data is included, the staff notes.  Cells that a
spreadsheet would run as a formula get a leading quote.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Final, TextIO

from ..errors import TriageError
from .local_time import dutch_datetime, local
from .model import Request

__all__ = ["DELIMITER", "PERSONAL_COLUMNS", "SPREADSHEET_COLUMNS", "SPREADSHEET_TIME", "write_spreadsheet_csv"]

DELIMITER: Final = ";"
#: How times are written: day/month/year hour:minute, local time.
SPREADSHEET_TIME: Final = "%d/%m/%Y %H:%M"

Column = tuple[str, Callable[[Request, str], str | None]]


def _time(value: datetime | None, timezone: str) -> str:
    return local(value, timezone).strftime(SPREADSHEET_TIME) if value is not None else ""


def _notes(request: Request, timezone: str) -> str:
    return "\n".join(f"{dutch_datetime(n.created_at, timezone)} {n.author}: {n.text}" for n in request.notes)


SPREADSHEET_COLUMNS: Final[tuple[Column, ...]] = (
    ("Referentie", lambda r, tz: r.reference),
    ("Ontvangen", lambda r, tz: _time(r.created_at, tz)),
    ("Laatst gewijzigd", lambda r, tz: _time(r.updated_at, tz)),
    ("Status", lambda r, tz: r.status),
    ("Type organisatie", lambda r, tz: r.org_type),
    ("Doelgroep", lambda r, tz: r.target_group),
    ("Thema", lambda r, tz: r.topic),
    ("Reden doorverwijzing door Vraagbaak", lambda r, tz: r.route_reason),
    ("Behandelaar", lambda r, tz: r.assignee),
    ("Doorverwezen naar", lambda r, tz: r.referred_to),
    ("Reden afwijzing", lambda r, tz: r.decline_reason),
    ("Toelichting afwijzing", lambda r, tz: r.decline_detail),
    ("Geanonimiseerd", lambda r, tz: "ja" if r.purged_at else "nee"),
)
#: Only with personal data: contact details, the question and the staff notes (they often name people).
PERSONAL_COLUMNS: Final[tuple[Column, ...]] = (
    ("Naam", lambda r, tz: r.requester_name),
    ("Organisatie", lambda r, tz: r.organisation),
    ("E-mail", lambda r, tz: r.email),
    ("Vraag", lambda r, tz: r.question),
    ("Notities", _notes),
)


def _cell(value: str | None) -> str:
    """Text as a cell; what a spreadsheet would run as a formula is defused with a quote."""
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _write(handle: TextIO, requests: Sequence[Request], columns: Sequence[Column], timezone: str) -> None:
    writer = csv.writer(handle, delimiter=DELIMITER)
    writer.writerow([name for name, _ in columns])
    for request in requests:
        writer.writerow([_cell(value(request, timezone)) for _, value in columns])


def write_spreadsheet_csv(
    target: str | os.PathLike[str] | TextIO,
    requests: Sequence[Request],
    *,
    personal_data: bool,
    timezone: str,
) -> int:
    """Write ``requests`` to a path (UTF-8 with BOM) or an open text file; returns the number of rows."""
    columns = SPREADSHEET_COLUMNS + (PERSONAL_COLUMNS if personal_data else ())
    if isinstance(target, (str, os.PathLike)):
        path = Path(target)
        try:
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                _write(handle, requests, columns, timezone)
        except OSError as err:
            raise TriageError(
                f"Kan {path} niet schrijven ({err.strerror}); kies een ander pad of controleer de rechten."
            ) from err
    else:
        _write(target, requests, columns, timezone)
    return len(requests)
