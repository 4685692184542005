"""Feedback loop: thumbs-down answers, escalated requests and knowledge-gap clusters become candidate gold items.

Candidates carry no gold evidence or key facts yet: a person reviews each one,
fills those in (or drops it) and moves it into ``evals/gold/``.  Personal data
is never copied: only the question, the conversation's user turns and the
answer that was shown.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from assistant.db import Database
from assistant.errors import VraagbaakError
from assistant.gaps.report import GapCluster
from assistant.settings import Settings
from assistant.triage import FeedbackStore, TriageStore


def harvest(settings: Settings, out: str | Path, *, database: Database | None = None) -> int:
    """Write candidate items to ``out`` (JSONL); returns how many were written."""
    db = database if database is not None else Database.from_settings(settings)
    try:
        feedback = FeedbackStore(db).list(rating=-1)
        requests = TriageStore.from_settings(settings, db).list()
    finally:
        if database is None:
            db.dispose()
    candidates: list[dict[str, Any]] = []
    seen: set[str] = set()
    for fb in feedback:
        key = fb.question.strip().lower()
        if key in seen:
            continue
        seen.add(key)
        candidates.append(
            {
                "id": f"fb-{fb.id}",
                "question": fb.question,
                "history": [],
                "category": "te_beoordelen",
                "expected_route": "answer",
                "evidence": [],
                "key_facts": [],
                "review": {"source": "duim omlaag", "answer_shown": fb.answer, "comment": fb.comment or ""},
            }
        )
    for req in requests:
        key = req.question.strip().lower()
        if key in seen or req.purged_at is not None:
            continue
        seen.add(key)
        history = [m for m in req.conversation if m.get("role") in ("user", "assistant")][:-1]
        candidates.append(
            {
                "id": f"tr-{req.reference}",
                "question": req.question,
                "history": history,
                "category": "te_beoordelen",
                "expected_route": "escalate",
                "evidence": [],
                "key_facts": [],
                "topic": req.topic or "andere",
                "review": {
                    "source": f"triage ({req.status})",
                    "answer_shown": req.answer,
                    "route_reason": req.route_reason or "",
                },
            }
        )
    return _write(candidates, out)


def cluster_candidates(cluster: GapCluster) -> list[dict[str, Any]]:
    """One candidate per wording of a knowledge-gap cluster (the report already masked personal data)."""
    return [
        {
            "id": f"{cluster.id}-{number}",
            "question": question,
            "history": [],
            "category": "te_beoordelen",
            "expected_route": "answer",
            "evidence": [],
            "key_facts": [],
            "topic": cluster.topic,
            "review": {
                "source": f"kennislacune {cluster.id}",
                "asked": asked,
                "cluster_frequency": cluster.frequency,
                "signals": {kind.value: n for kind, n in cluster.kinds.items()},
                "passages_found": [p.label() for p, _ in cluster.passages],
                "triage_outcomes": dict(cluster.outcomes),
            },
        }
        for number, (question, asked) in enumerate(cluster.variants, start=1)
    ]


def harvest_cluster(
    settings: Settings,
    cluster_id: str,
    out: str | Path,
    *,
    database: Database | None = None,
    since: date | None = None,
    until: date | None = None,
) -> int:
    """Write the questions of one cluster of the knowledge-gap report as candidates; returns how many."""
    from assistant.gaps.collect import GapSources

    db = database if database is not None else Database.from_settings(settings)
    try:
        cluster = GapSources.open(settings, db).report(since, until).cluster(cluster_id.strip())
    finally:
        if database is None:
            db.dispose()
    if cluster is None:
        raise VraagbaakError(
            f"Geen groep {cluster_id!r} in het kennislacunes-rapport van deze periode; "
            "zie `python -m assistant gaps report` (met dezelfde --since/--until) voor de codes."
        )
    candidates = cluster_candidates(cluster)
    return _write(candidates, out)


def _write(candidates: list[dict[str, Any]], out: str | Path) -> int:
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for c in candidates:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    return len(candidates)
