"""Run the gold set through the assistant and compute retrieval, answer and routing metrics."""

from __future__ import annotations

import math
import statistics
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.settings import Settings
from assistant.text.analysis import normalise_for_match, split_sentences
from assistant.vraagbaak import Vraagbaak

from .gold import GoldItem, chunk_supports, fact_in, passage_in

ROUTES = ("answer", "escalate", "decline")


@dataclass
class ItemResult:
    """What happened to one gold item."""

    id: str
    category: str
    expected_route: str
    route: str
    first_hit: int | None  # 0-based rank of the first retrieved chunk holding gold evidence
    key_fact_recall: float | None
    citation_precision: float | None
    citation_recall: float | None
    faithfulness: float | None
    evidence: float
    latency_ms: float
    text: str = ""


@dataclass
class RunResult:
    """All item results of one configuration plus the aggregated metrics."""

    name: str
    settings: dict[str, Any]
    items: list[ItemResult] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)


def evaluate_item(va: Vraagbaak, g: GoldItem) -> ItemResult:
    """Ask one gold question and score the answer against the gold item."""
    answer = va.ask(g.question, list(g.history))
    first_hit = None
    if g.evidence:
        for rank, h in enumerate(answer.retrieved[:10]):
            if any(chunk_supports(ev, h.chunk.doc_id, h.chunk.text) for ev in g.evidence):
                first_hit = rank
                break
    kf = None
    if g.key_facts and g.expected_route == "answer":
        kf = sum(fact_in(f, answer.text) for f in g.key_facts) / len(g.key_facts)
    cp = cr = faith = None
    if answer.citations and g.expected_route == "answer":
        supports = [
            any(passage_in(ev.passage, c.quote) or passage_in(c.quote, ev.passage) for ev in g.evidence)
            or any(fact_in(f, c.quote) for f in g.key_facts)
            for c in answer.citations
        ]
        cp = sum(supports) / len(supports)
        if g.evidence:
            cr = sum(
                any(
                    passage_in(ev.passage, c.quote) or passage_in(c.quote, ev.passage) or _overlap(ev.passage, c.quote)
                    for c in answer.citations
                )
                for ev in g.evidence
            ) / len(g.evidence)
        faith = _faithfulness(answer.text, {c.n: c.quote for c in answer.citations})
    return ItemResult(
        id=g.id,
        category=g.category,
        expected_route=g.expected_route,
        route=answer.route,
        first_hit=first_hit,
        key_fact_recall=kf,
        citation_precision=cp,
        citation_recall=cr,
        faithfulness=faith,
        evidence=answer.evidence,
        latency_ms=answer.timings_ms.get("total", 0.0),
        text=answer.text,
    )


def _overlap(a: str, b: str) -> bool:
    """Quote and gold passage share a long stretch (>= 40 normalised characters)."""
    na, nb = normalise_for_match(a), normalise_for_match(b)
    return any(nb[i : i + 40] in na for i in range(0, max(1, len(nb) - 39), 10)) if len(nb) >= 40 else False


def _faithfulness(text: str, quotes: dict[int, str]) -> float:
    """Share of answer sentences whose content words all appear in the passage they cite."""
    import re

    sentences = [s for s in re.split(r"(?<=\])\s+", text.split("\n\n")[0]) if s.strip()]
    if not sentences:
        return 0.0
    ok = 0
    for s in sentences:
        marks = [int(n) for n in re.findall(r"\[(\d+)\]", s)]
        body = normalise_for_match(re.sub(r"\[\d+\]", "", s))
        if marks and any(body and body in normalise_for_match(quotes.get(n, "")) for n in marks):
            ok += 1
        elif marks:
            words = set(normalise_for_match(w) for w in re.sub(r"\[\d+\]", "", s).split())
            src = " ".join(quotes.get(n, "") for n in marks)
            srcw = set(normalise_for_match(w) for w in src.split())
            ok += len(words - srcw) <= max(1, len(words) // 10)
    return ok / len(sentences)


def _mean(xs: Iterable[float | None]) -> float | None:
    vals = [x for x in xs if x is not None]
    return sum(vals) / len(vals) if vals else None


def _pct(xs: list[float], p: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))
    return xs[k]


def aggregate(items: list[ItemResult]) -> dict[str, Any]:
    """Metrics over item results (retrieval over answerable items with evidence)."""
    ret = [
        r for r in items if r.expected_route == "answer" and (r.first_hit is not None or r.key_fact_recall is not None)
    ]
    with_ev = [r for r in ret if r.category != ""]
    n = max(1, len(with_ev))
    m: dict[str, Any] = {
        "items": len(items),
        "hit@1": sum(r.first_hit == 0 for r in with_ev) / n,
        "hit@5": sum(r.first_hit is not None and r.first_hit < 5 for r in with_ev) / n,
        "mrr@10": sum(1 / (r.first_hit + 1) for r in with_ev if r.first_hit is not None) / n,
        "ndcg@10": sum(1 / math.log2(r.first_hit + 2) for r in with_ev if r.first_hit is not None) / n,
        "key_fact_recall": _mean(r.key_fact_recall for r in items),
        "citation_precision": _mean(r.citation_precision for r in items),
        "citation_recall": _mean(r.citation_recall for r in items),
        "faithfulness": _mean(r.faithfulness for r in items),
        "latency_p50_ms": _pct([r.latency_ms for r in items], 50),
        "latency_p95_ms": _pct([r.latency_ms for r in items], 95),
    }
    routing: dict[str, dict[str, float]] = {}
    for route in ROUTES:
        predicted = [r for r in items if r.route == route]
        expected = [r for r in items if r.expected_route == route]
        tp = sum(r.expected_route == route for r in predicted)
        routing[route] = {
            "precision": tp / len(predicted) if predicted else 0.0,
            "recall": tp / len(expected) if expected else 0.0,
            "support": len(expected),
        }
    m["routing"] = routing
    per_cat: dict[str, dict[str, float | None]] = defaultdict(dict)
    for cat in sorted({r.category for r in items}):
        rs = [r for r in items if r.category == cat]
        per_cat[cat] = {
            "n": len(rs),
            "hit@5": (sum(r.first_hit is not None and r.first_hit < 5 for r in rs) / len(rs))
            if rs[0].expected_route == "answer"
            else None,
            "key_fact_recall": _mean(r.key_fact_recall for r in rs),
            "route_accuracy": sum(r.route == r.expected_route for r in rs) / len(rs),
        }
    m["per_category"] = dict(per_cat)
    return m


def run_config(name: str, settings: Settings, gold: list[GoldItem], progress: bool = True) -> RunResult:
    """Evaluate one configuration on the gold set."""
    va = Vraagbaak(settings)
    va.warm()
    result = RunResult(
        name,
        {
            "embedder": settings.embedder,
            "lexical_weight": settings.lexical_weight,
            "dense_weight": settings.dense_weight,
            "rrf_k": settings.rrf_k,
            "chunk_size": settings.chunk_size,
            "llm": settings.llm,
        },
    )
    iterator: Any = gold
    if progress:
        from tqdm import tqdm

        iterator = tqdm(gold, desc=name, unit="q", file=sys.stderr, leave=False)
    for g in iterator:
        result.items.append(evaluate_item(va, g))
    result.metrics = aggregate(result.items)
    return result


def calibrate_threshold(items: list[ItemResult]) -> tuple[float, float]:
    """Evidence threshold that best separates answerable from unanswerable items (accuracy)."""
    pos = [r.evidence for r in items if r.expected_route == "answer"]
    neg = [r.evidence for r in items if r.category == "onbeantwoordbaar"]
    best, best_acc = 0.0, 0.0
    for t in sorted(set(pos + neg)):
        acc = (sum(e >= t for e in pos) + sum(e < t for e in neg)) / max(1, len(pos) + len(neg))
        if acc > best_acc:
            best, best_acc = t, acc
    return best, best_acc


def split_sentences_count(text: str) -> int:
    """Number of sentences (for reports)."""
    return len(split_sentences(text))


def summary_table(runs: list[RunResult]) -> list[dict[str, Any]]:
    """One flat row per configuration for the comparison table."""
    rows = []
    for r in runs:
        m = r.metrics
        rows.append(
            {
                "config": r.name,
                "hit@1": m["hit@1"],
                "hit@5": m["hit@5"],
                "mrr@10": m["mrr@10"],
                "ndcg@10": m["ndcg@10"],
                "key_fact_recall": m["key_fact_recall"],
                "citation_precision": m["citation_precision"],
                "citation_recall": m["citation_recall"],
                "faithfulness": m["faithfulness"],
                "route_answer_f": _f(m["routing"]["answer"]),
                "route_escalate_f": _f(m["routing"]["escalate"]),
                "route_decline_f": _f(m["routing"]["decline"]),
                "p50_ms": m["latency_p50_ms"],
                "p95_ms": m["latency_p95_ms"],
            }
        )
    return rows


def _f(d: dict[str, float]) -> float:
    p, r = d["precision"], d["recall"]
    return 2 * p * r / (p + r) if p + r else 0.0


def median(xs: list[float]) -> float:
    """Median helper for reports."""
    return statistics.median(xs) if xs else 0.0
