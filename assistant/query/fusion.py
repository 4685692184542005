"""Reciprocal rank fusion: one ranking from several, used by hybrid retrieval and multi-part questions."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

__all__ = ["rrf"]

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
