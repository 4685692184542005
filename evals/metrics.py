"""Aggregate metrics over item results: retrieval, answers, readability and routing.

Everything here is an aggregate (means, shares, counts per group), so it can be
reported for blind sets too: no question, answer or id leaves this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .gold import ROUTES

if TYPE_CHECKING:
    from .runner import ItemResult


def mean(xs: Iterable[float | None]) -> float | None:
    """Mean of the values that are not ``None`` (``None`` when there are none)."""
    vals = [x for x in xs if x is not None]
    return sum(vals) / len(vals) if vals else None


def percentile(xs: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not xs:
        return 0.0
    s = sorted(xs)
    k = min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))
    return s[k]


def f1(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _share(items: Sequence[ItemResult], pred: Callable[[ItemResult], bool]) -> float | None:
    return sum(map(pred, items)) / len(items) if items else None


def readability(items: Sequence[ItemResult]) -> dict[str, Any]:
    """Fragment, repeat and too-long shares over the answered items (route ``answer``).

    Runs saved before the length check have ``too_long`` None: they count as not too long.
    """
    answered = [r for r in items if r.route == "answer" and r.fragment is not None]
    return {
        "answered": len(answered),
        "fragment_share": _share(answered, lambda r: bool(r.fragment)),
        "repeat_share": _share(answered, lambda r: bool(r.repeat)),
        "fragments": sum(bool(r.fragment) for r in answered),
        "repeats": sum(bool(r.repeat) for r in answered),
        "long_share": _share(answered, lambda r: bool(r.too_long)),
        "long": sum(bool(r.too_long) for r in answered),
    }


def fallback_share(items: Sequence[ItemResult]) -> float | None:
    """Share of the answers the LLM path was asked for that fell back to the extractive one (None without LLM)."""
    tried = [r for r in items if r.mode in ("llm", "extractive-fallback")]
    return _share(tried, lambda r: r.mode == "extractive-fallback")


def routing(items: Sequence[ItemResult]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per route."""
    out: dict[str, dict[str, float]] = {}
    for route in ROUTES:
        predicted = [r for r in items if r.route == route]
        expected = [r for r in items if r.expected_route == route]
        tp = sum(r.expected_route == route for r in predicted)
        p = tp / len(predicted) if predicted else 0.0
        rc = tp / len(expected) if expected else 0.0
        out[route] = {"precision": p, "recall": rc, "f1": f1(p, rc), "support": len(expected)}
    return out


def _route_accuracy(items: Sequence[ItemResult]) -> float | None:
    return _share(items, lambda r: r.route == r.expected_route)


def per_group(items: Sequence[ItemResult], key: Callable[[ItemResult], str]) -> dict[str, dict[str, Any]]:
    """n, key-fact recall, route accuracy and readability per group (sorted by name)."""
    groups: dict[str, list[ItemResult]] = {}
    for r in items:
        groups.setdefault(key(r), []).append(r)
    out: dict[str, dict[str, Any]] = {}
    for name in sorted(groups):
        rs = groups[name]
        answerable = [r for r in rs if r.expected_route == "answer"]
        out[name] = {
            "n": len(rs),
            "hit@5": _share(
                [r for r in answerable if r.has_evidence], lambda r: r.first_hit is not None and r.first_hit < 5
            ),
            "key_fact_recall": mean(r.key_fact_recall for r in rs),
            "route_accuracy": _route_accuracy(rs),
            **readability(rs),
        }
    return out


def aggregate(items: Sequence[ItemResult]) -> dict[str, Any]:
    """All metrics of a list of item results (retrieval over answerable items with gold evidence)."""
    with_ev = [r for r in items if r.expected_route == "answer" and r.has_evidence]
    n = max(1, len(with_ev))
    answerable = [r for r in items if r.expected_route == "answer"]
    m: dict[str, Any] = {
        "items": len(items),
        "hit@1": sum(r.first_hit == 0 for r in with_ev) / n,
        "hit@5": sum(r.first_hit is not None and r.first_hit < 5 for r in with_ev) / n,
        "mrr@10": sum(1 / (r.first_hit + 1) for r in with_ev if r.first_hit is not None) / n,
        "ndcg@10": sum(1 / math.log2(r.first_hit + 2) for r in with_ev if r.first_hit is not None) / n,
        "key_fact_recall": mean(r.key_fact_recall for r in items),
        "citation_precision": mean(r.citation_precision for r in items),
        "citation_recall": mean(r.citation_recall for r in items),
        "faithfulness": mean(r.faithfulness for r in items),
        "route_accuracy": _route_accuracy(items),
        "answerable_escalated_or_declined": _share(answerable, lambda r: r.route in ("escalate", "decline")),
        "latency_p50_ms": percentile([r.latency_ms for r in items], 50),
        "latency_p95_ms": percentile([r.latency_ms for r in items], 95),
        "fallback_share": fallback_share(items),
        "readability": readability(items),
        "routing": routing(items),
        "per_kind": per_group(items, lambda r: r.group),
        "per_case_kind": {
            k: {"n": v["n"], "route_accuracy": v["route_accuracy"]}
            for k, v in per_group(items, lambda r: r.case_group).items()
        },
    }
    return m


#: Flat per-item values that :mod:`evals.compare` bootstraps; each maps an item to a value or None.
ITEM_METRICS: dict[str, Callable[[ItemResult], float | None]] = {
    "key_fact_recall": lambda r: r.key_fact_recall,
    "citation_precision": lambda r: r.citation_precision,
    "faithfulness": lambda r: r.faithfulness,
    "route_accuracy": lambda r: float(r.route == r.expected_route),
    "hit@5": lambda r: (
        float(r.first_hit is not None and r.first_hit < 5) if r.expected_route == "answer" and r.has_evidence else None
    ),
    "answerable_escalated_or_declined": lambda r: (
        float(r.route in ("escalate", "decline")) if r.expected_route == "answer" else None
    ),
    "fragment_share": lambda r: None if r.fragment is None or r.route != "answer" else float(r.fragment),
    "repeat_share": lambda r: None if r.repeat is None or r.route != "answer" else float(r.repeat),
    "long_share": lambda r: None if r.too_long is None or r.route != "answer" else float(r.too_long),
}
