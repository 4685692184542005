"""The triage queue (questions passed to staff) and the feedback on answers.

``model`` (vocabulary, state machine, records), ``tables``, ``store``
(:class:`TriageStore`), ``stats`` (annual figures), ``export`` (CSV) and ``feedback``
(:class:`FeedbackStore`).  Both stores take a :class:`~assistant.db.Database`.
"""

from __future__ import annotations

from .feedback import Feedback, FeedbackError, FeedbackStore
from .model import (
    AFGEWEZEN,
    DECLINE_REASONS,
    DOORVERWEZEN,
    FINAL_STATUSES,
    IN_BEHANDELING,
    NIEUW,
    OPGENOMEN,
    ORG_TYPES,
    REDACTED,
    STATUSES,
    TARGET_GROUPS,
    TRANSITIONS,
    AuditEntry,
    Note,
    Request,
    normalize_org_type,
    normalize_reference,
    normalize_status,
    target_group_of,
)
from .stats import Counts, Stats
from .store import TriageStore

__all__ = [
    "AFGEWEZEN",
    "DECLINE_REASONS",
    "DOORVERWEZEN",
    "FINAL_STATUSES",
    "IN_BEHANDELING",
    "NIEUW",
    "OPGENOMEN",
    "ORG_TYPES",
    "REDACTED",
    "STATUSES",
    "TARGET_GROUPS",
    "TRANSITIONS",
    "AuditEntry",
    "Counts",
    "Feedback",
    "FeedbackError",
    "FeedbackStore",
    "Note",
    "Request",
    "Stats",
    "TriageStore",
    "normalize_org_type",
    "normalize_reference",
    "normalize_status",
    "target_group_of",
]
