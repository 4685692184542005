"""Fusion of rankings: reciprocal rank fusion (multi-part questions, hybrid retrieval) and scaled scores (hybrid retrieval)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

__all__ = ["rrf", "scaled"]

K = TypeVar("K", bound=Hashable)


def rrf(rankings: Sequence[Sequence[K]], *, k: int, weights: Sequence[float] | None = None) -> dict[K, float]:
    """Weighted reciprocal rank fusion: ``score(x) = sum_i weights[i] / (k + rank_i(x))``, ranks from 1.

    Returns the scores of every item in any ranking, in order of first appearance
    (rankings in the order given), so equal scores keep that order when sorted.
    """
    scores: dict[K, float] = {}
    for i, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[i]
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


def scaled(
    scored: Sequence[Sequence[tuple[K, float]]], *, weights: Sequence[float], raw: Sequence[bool]
) -> dict[K, float]:
    """Weighted fusion of scores: ``score(x) = sum_i weights[i] * s_i(x) / best_i`` (``s_i(x)`` when ``raw[i]``).

    A list whose scores carry no scale of their own (BM25) is divided by its best
    score; a ``raw`` list (cosine similarities) is taken as it is, so a weak best match
    stays weak.  An item missing from a list gets 0 from it.  Unlike :func:`rrf` a
    clear winner keeps its margin: a passage with twice the BM25 score of the next is not
    merely one rank ahead.  Order of first appearance as in :func:`rrf`.
    """
    scores: dict[K, float] = {}
    for items, weight, as_is in zip(scored, weights, raw, strict=True):
        best = max((s for _, s in items), default=0.0)
        scale = 1.0 if as_is else (1.0 / best if best > 0 else 0.0)
        for item, s in items:
            scores[item] = scores.get(item, 0.0) + weight * s * scale
    return scores
