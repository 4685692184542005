"""Finding requests: full-text search and "similar earlier requests".

About a hundred requests come in a year, so both work on the loaded requests in
Python instead of a database-specific full-text index: the same results on
SQLite and PostgreSQL, with the Dutch analysis of the assistant (folded accents,
stems, compound parts).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ..text.analysis import Analyzer, fold, words
from .model import AFGEWEZEN, DOORVERWEZEN, Request

__all__ = ["RequestQuery", "Similar", "matches", "outcome_of", "search_text", "similar_requests"]


@dataclass(frozen=True)
class RequestQuery:
    """Which requests: all given filters must hold; ``text`` is a full-text search (see :func:`matches`)."""

    status: str | None = None
    topic: str | None = None
    since: date | None = None
    until: date | None = None
    assignee: str | None = None
    text: str | None = None


def search_text(request: Request) -> str:
    """What the search looks in: question, transcript, organisation and staff notes."""
    parts = [request.question, request.organisation or "", request.requester_name or ""]
    parts += [str(m.get("content", "")) for m in request.conversation if isinstance(m, dict)]
    parts += [n.text for n in request.notes]
    return "\n".join(parts)


def matches(request: Request, query: str) -> bool:
    """True when every word of ``query`` occurs in the request (accents and case ignored).

    A word matches the start of a word in the request too ("vrijwillig" finds
    "vrijwilligers"); a reference (``VB-2026-00042``) matches its request.
    """
    wanted = words(query)
    if not wanted:
        return True
    if fold(query.strip()) == fold(request.reference):
        return True
    have = words(search_text(request))
    return all(any(h.startswith(w) for h in have) for w in wanted)


def outcome_of(request: Request) -> str:
    """The outcome in a few words: to whom it was referred, why it was declined."""
    if request.status == DOORVERWEZEN and request.referred_to:
        return f"doorverwezen naar {request.referred_to}"
    if request.status == AFGEWEZEN and request.decline_reason:
        detail = f" ({request.decline_detail})" if request.decline_detail else ""
        return f"afgewezen: {request.decline_reason}{detail}"
    return ""


@dataclass(frozen=True)
class Similar:
    """An earlier request like the one being read, with how alike (cosine, 0..1) and its outcome."""

    request: Request
    score: float
    outcome: str


def _vector(analyzer: Analyzer, text: str) -> Counter[str]:
    return Counter(analyzer.terms(text))


def similar_requests(
    target: Request, others: Iterable[Request], *, k: int = 3, min_score: float = 0.1
) -> list[Similar]:
    """The ``k`` earlier requests whose question is most like ``target``'s (TF-IDF cosine).

    Only requests received before ``target`` count; purged ones have no question left.
    """
    earlier: Sequence[Request] = [
        r
        for r in others
        if r.reference != target.reference and r.created_at <= target.created_at and r.purged_at is None
    ]
    if not earlier:
        return []
    analyzer = Analyzer()
    vectors = [_vector(analyzer, r.question) for r in earlier]
    query = _vector(analyzer, target.question)
    n = len(vectors) + 1
    df: Counter[str] = Counter()
    for v in [*vectors, query]:
        df.update(v.keys())

    def weighted(v: Counter[str]) -> dict[str, float]:
        return {t: c * math.log(1 + n / df[t]) for t, c in v.items()}

    q = weighted(query)
    q_norm = math.sqrt(sum(x * x for x in q.values())) or 1.0
    scored: list[Similar] = []
    for request, vector in zip(earlier, vectors, strict=True):
        d = weighted(vector)
        d_norm = math.sqrt(sum(x * x for x in d.values())) or 1.0
        score = sum(w * d.get(t, 0.0) for t, w in q.items()) / (q_norm * d_norm)
        if score >= min_score:
            scored.append(Similar(request, round(score, 3), outcome_of(request)))
    scored.sort(key=lambda s: (-s.score, s.request.created_at))
    return scored[:k]
