"""One reciprocal rank fusion for hybrid retrieval and for the parts of a multi-part question."""

from __future__ import annotations

import pytest

from assistant.query.fusion import rrf


def test_rrf_weights_each_ranking_by_rank() -> None:
    scores = rrf([["a", "b"], ["b", "c"]], k=10, weights=[1.0, 0.5])
    assert scores == pytest.approx({"a": 1 / 11, "b": 1 / 12 + 0.5 / 11, "c": 0.5 / 12})
    assert list(scores) == ["a", "b", "c"]  # first appearance: ties keep the order of the rankings


def test_rrf_without_weights_counts_every_ranking_once() -> None:
    assert rrf([["x"], ["x"], []], k=0) == {"x": 2.0}
    assert rrf([], k=60) == {}
