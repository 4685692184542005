"""The audit trail of the publications: who changed which document when, old and new content hash.

One row per change (an upload, a replacement, a removal, new metadata, or a file
that a CLI ingest found changed).  A change made on the Bronnen page is recorded
when it is asked for (``in wachtrij``) and updated when its ingest ends
(``klaar`` or ``mislukt`` with the reason), so the trail also shows changes that
did not make it into the index.  The table is created by an Alembic revision.
"""

from __future__ import annotations

import builtins
from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Row

from ..db import Database, UTCDateTime, db_errors, metadata, utc_now
from ..errors import SourceError
from .model import ChangeAction, ChangeState, SourceChange

__all__ = ["SourceAuditStore", "source_changes_table"]


source_changes_table = sa.Table(
    "source_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("path", sa.String(500), nullable=False, index=True),
    sa.Column("doc_id", sa.String(200), nullable=False),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("doc_type", sa.String(40), nullable=False),
    sa.Column("url", sa.String(1000), nullable=False),
    sa.Column("old_sha256", sa.String(64)),
    sa.Column("new_sha256", sa.String(64)),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("detail", sa.Text),
    sa.Column("generation", sa.String(100)),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("job_id", sa.String(40), index=True),
)


class SourceAuditStore:
    """The audit trail in ``database`` (one connection per call; the schema is upgraded on open)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        database.upgrade()

    def record(self, change: SourceChange) -> SourceChange:
        """Store a new row (``change.id`` is ignored) and return it with its id."""
        values = _values(change)
        values.pop("id")
        with db_errors("het bewaren van de wijziging in de audit trail", SourceError), self.database.write() as conn:
            new_id = conn.execute(
                source_changes_table.insert().values(**values).returning(source_changes_table.c.id)
            ).scalar_one()
        return replace(change, id=int(new_id))

    def finish(
        self,
        change_id: int,
        state: ChangeState,
        *,
        detail: str | None = None,
        generation: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Set the outcome of a change (``bezig``, ``klaar`` or ``mislukt``)."""
        values: dict[str, object] = {"state": state.value, "detail": detail, "generation": generation}
        if state in (ChangeState.KLAAR, ChangeState.MISLUKT):
            values["finished_at"] = now or utc_now()
        with db_errors("het bijwerken van de audit trail", SourceError), self.database.write() as conn:
            conn.execute(source_changes_table.update().where(source_changes_table.c.id == change_id).values(**values))

    def list(self, *, path: str | None = None, limit: int | None = 200) -> builtins.list[SourceChange]:
        """Rows, newest first (of one document with ``path``)."""
        t = source_changes_table.c
        query = sa.select(source_changes_table).order_by(t.at.desc(), t.id.desc())
        if path is not None:
            query = query.where(t.path == path)
        if limit is not None:
            query = query.limit(limit)
        with db_errors("het lezen van de audit trail", SourceError), self.database.connect() as conn:
            return [_to_change(row) for row in conn.execute(query).all()]

    def last_errors(self) -> dict[str, str]:
        """Per document path: the reason of its most recent change, when that change failed."""
        t = source_changes_table.c
        latest = sa.select(t.path, sa.func.max(t.id).label("id")).group_by(t.path).subquery()
        query = (
            sa.select(t.path, t.detail).join(latest, latest.c.id == t.id).where(t.state == ChangeState.MISLUKT.value)
        )
        with db_errors("het lezen van de audit trail", SourceError), self.database.connect() as conn:
            return {row.path: row.detail or "" for row in conn.execute(query).all()}


def _values(change: SourceChange) -> dict[str, object]:
    return {
        "id": change.id,
        "at": change.at,
        "actor": change.actor,
        "action": change.action.value,
        "path": change.path,
        "doc_id": change.doc_id,
        "title": change.title,
        "doc_type": change.doc_type,
        "url": change.url,
        "old_sha256": change.old_sha256,
        "new_sha256": change.new_sha256,
        "state": change.state.value,
        "detail": change.detail,
        "generation": change.generation,
        "finished_at": change.finished_at,
        "job_id": change.job_id,
    }


def _to_change(row: Row[object]) -> SourceChange:
    return SourceChange(
        id=int(row.id),
        at=row.at,
        actor=row.actor,
        action=ChangeAction(row.action),
        path=row.path,
        doc_id=row.doc_id,
        title=row.title,
        doc_type=row.doc_type,
        url=row.url,
        old_sha256=row.old_sha256,
        new_sha256=row.new_sha256,
        state=ChangeState(row.state),
        detail=row.detail,
        generation=row.generation,
        finished_at=row.finished_at,
        job_id=row.job_id,
    )
