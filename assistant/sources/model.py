"""Typed records of the sources service: what a change did and where it stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["ChangeAction", "ChangeState", "SourceChange"]


class ChangeAction(StrEnum):
    """What a change did to a document."""

    TOEGEVOEGD = "toegevoegd"
    VERVANGEN = "vervangen"
    VERWIJDERD = "verwijderd"
    GEGEVENS = "gegevens gewijzigd"


class ChangeState(StrEnum):
    """Where a change stands."""

    WACHTRIJ = "in wachtrij"
    BEZIG = "bezig"
    KLAAR = "klaar"
    MISLUKT = "mislukt"


@dataclass(frozen=True)
class SourceChange:
    """One row of the audit trail."""

    id: int
    at: datetime
    actor: str
    action: ChangeAction
    path: str
    doc_id: str
    title: str
    doc_type: str
    url: str
    old_sha256: str | None
    new_sha256: str | None
    state: ChangeState
    detail: str | None = None
    generation: str | None = None
    finished_at: datetime | None = None
    job_id: str | None = None
