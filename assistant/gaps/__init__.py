"""Kennislacunes: the questions the publications do not answer, for staff and evaluators.

``privacy`` (masking contact details and known names), ``clusters`` (near-identical
questions), ``report`` (:func:`build_report`: signals -> clusters by topic, counts
per month), ``export`` (CSV, chart), ``turns`` (the store of not-found answers) and
``collect`` (signals of a period from the turn, feedback and triage stores).
``turns`` and ``collect`` need the database layer and are imported on use.
"""

from __future__ import annotations

from .report import FoundPassage, GapCluster, GapReport, GapSignal, RelatedRequest, SignalKind, build_report

__all__ = [
    "FoundPassage",
    "GapCluster",
    "GapReport",
    "GapSignal",
    "RelatedRequest",
    "SignalKind",
    "build_report",
]
