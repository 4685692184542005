"""Human grades of answers and what they say: agreement between evaluators and with the metrics.

A :class:`Grade` is one evaluator's judgement of one answer of one saved run:
*juist* / *deels juist* / *fout*, whether the cited source supports it (*bron
klopt* / *klopt niet*, or not judged), and a comment.  Grades are stored by
:mod:`evals.grades`; everything here is computation on plain values, so it is
tested without a database:

* :func:`inter_rater` — Cohen's kappa between every two evaluators of a run, on
  the items both graded (verdict and source judgement), with the raw agreement;
* :func:`metric_agreement` — for each automatic metric, how often its pass/fail
  matches the human verdict (agreement and kappa on the items with both), and the
  Spearman correlation between the metric's value and the human score;
* :func:`per_group` — per question kind and per document: the share judged
  correct next to the automatic metrics;
* :func:`worst_first` — graded answers, worst human score first;
* :func:`trend` — quality per run date (human share correct, key-fact recall).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations
from typing import Any

from .metrics import mean
from .runner import ItemResult


class Verdict(StrEnum):
    """The human verdict on an answer."""

    JUIST = "juist"
    DEELS = "deels juist"
    FOUT = "fout"

    @property
    def score(self) -> float:
        """1 for juist, 0.5 for deels juist, 0 for fout."""
        return {Verdict.JUIST: 1.0, Verdict.DEELS: 0.5, Verdict.FOUT: 0.0}[self]


@dataclass(frozen=True)
class Grade:
    """One evaluator's grade of one item of one run."""

    run_id: str
    item_key: str
    evaluator: str
    verdict: Verdict
    #: True: the cited source supports the answer; False: it does not; None: not judged (no source).
    source_ok: bool | None = None
    comment: str = ""
    graded_at: dt.datetime | None = None


def item_key(r: ItemResult) -> str:
    """How an item is named across runs and grades: ``<question set>/<id>``."""
    return f"{r.source}/{r.id}"


def document_of(r: ItemResult) -> str:
    """The document an item is about: its first gold document, else its first cited one."""
    if r.gold_docs:
        return r.gold_docs[0]
    if r.citations:
        return str(r.citations[0].get("doc_id") or "(geen)")
    return "(geen bron)"


def kappa(a: Sequence[Any], b: Sequence[Any]) -> float | None:
    """Cohen's kappa of two label sequences (scikit-learn); None when undefined (fewer than 2 items, one label)."""
    if len(a) != len(b) or len(a) < 2:
        return None
    from sklearn.metrics import cohen_kappa_score

    if len(set(a) | set(b)) < 2:
        return None  # both gave one and the same label to everything: chance agreement is 1
    k = float(cohen_kappa_score([str(x) for x in a], [str(x) for x in b]))
    return None if math.isnan(k) else k


@dataclass(frozen=True)
class RaterPair:
    """Agreement between two evaluators on the items both graded."""

    a: str
    b: str
    n: int
    agreement: float | None
    kappa: float | None
    source_n: int
    source_kappa: float | None


def inter_rater(grades: Iterable[Grade]) -> list[RaterPair]:
    """Cohen's kappa for every pair of evaluators (verdict; source judgement where both judged it)."""
    by_rater: dict[str, dict[str, Grade]] = {}
    for g in grades:
        by_rater.setdefault(g.evaluator, {})[g.item_key] = g
    pairs = []
    for ra, rb in combinations(sorted(by_rater), 2):
        common = sorted(set(by_rater[ra]) & set(by_rater[rb]))
        va = [by_rater[ra][k].verdict for k in common]
        vb = [by_rater[rb][k].verdict for k in common]
        src = [
            (by_rater[ra][k].source_ok, by_rater[rb][k].source_ok)
            for k in common
            if by_rater[ra][k].source_ok is not None and by_rater[rb][k].source_ok is not None
        ]
        pairs.append(
            RaterPair(
                ra,
                rb,
                len(common),
                sum(x == y for x, y in zip(va, vb, strict=True)) / len(common) if common else None,
                kappa(va, vb),
                len(src),
                kappa([x for x, _ in src], [y for _, y in src]),
            )
        )
    return pairs


def human_scores(grades: Iterable[Grade]) -> dict[str, float]:
    """Item key -> mean verdict score over its evaluators."""
    scores: dict[str, list[float]] = {}
    for g in grades:
        scores.setdefault(g.item_key, []).append(g.verdict.score)
    return {k: sum(v) / len(v) for k, v in scores.items()}


def human_source(grades: Iterable[Grade]) -> dict[str, float]:
    """Item key -> share of its evaluators who judged the source right (items with a source judgement)."""
    votes: dict[str, list[bool]] = {}
    for g in grades:
        if g.source_ok is not None:
            votes.setdefault(g.item_key, []).append(g.source_ok)
    return {k: sum(v) / len(v) for k, v in votes.items()}


#: A human score at or above this counts as "judged correct" (one evaluator: juist; two: juist + deels juist).
CORRECT_AT = 0.75


@dataclass(frozen=True)
class AutoMetric:
    """An automatic metric compared with a human judgement."""

    name: str
    value: Callable[[ItemResult], float | None]
    passes: Callable[[float], bool]
    #: Which human judgement it is compared with: the verdict or the source.
    against: str = "oordeel"


AUTO_METRICS: tuple[AutoMetric, ...] = (
    AutoMetric("key_fact_recall", lambda r: r.key_fact_recall, lambda v: v >= 1.0),
    AutoMetric("route juist", lambda r: float(r.route == r.expected_route), lambda v: v >= 1.0),
    AutoMetric("faithfulness", lambda r: r.faithfulness, lambda v: v >= 1.0),
    AutoMetric(
        "leesbaar (geen fragment/herhaling)",
        lambda r: None if r.fragment is None else float(not (r.fragment or r.repeat)),
        lambda v: v >= 1.0,
    ),
    AutoMetric("citation_precision", lambda r: r.citation_precision, lambda v: v >= 0.5, against="bron"),
)


@dataclass(frozen=True)
class MetricAgreement:
    """How well one automatic metric agrees with the human judgement."""

    metric: str
    against: str
    n: int
    agreement: float | None
    kappa: float | None
    spearman: float | None


def _spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    if len(x) < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return None
    from scipy.stats import spearmanr

    rho = float(spearmanr(x, y).statistic)
    return None if math.isnan(rho) else rho


def judge_metrics(scores: Mapping[str, Any]) -> tuple[AutoMetric, ...]:
    """The LLM judge's two scores (:class:`evals.judge.JudgeScore` per item key) as automatic metrics."""

    def get(attr: str) -> Callable[[ItemResult], float | None]:
        return lambda r: getattr(scores[item_key(r)], attr) if item_key(r) in scores else None

    return (
        AutoMetric("LLM-rechter: getrouw", get("faithfulness"), lambda v: v >= 0.75, against="bron"),
        AutoMetric("LLM-rechter: relevant", get("relevance"), lambda v: v >= 0.75),
    )


def metric_agreement(
    items: Sequence[ItemResult], grades: Sequence[Grade], extra: Sequence[AutoMetric] = ()
) -> list[MetricAgreement]:
    """Each automatic metric (and ``extra`` ones, e.g. the LLM judge) against the human verdict or source judgement."""
    verdict, source = human_scores(grades), human_source(grades)
    out = []
    for m in (*AUTO_METRICS, *extra):
        human = source if m.against == "bron" else verdict
        pairs = [(v, human[item_key(r)]) for r in items if (v := m.value(r)) is not None and item_key(r) in human]
        auto_pass = [m.passes(v) for v, _ in pairs]
        human_pass = [h >= (0.5 if m.against == "bron" else CORRECT_AT) for _, h in pairs]
        out.append(
            MetricAgreement(
                m.name,
                m.against,
                len(pairs),
                sum(a == h for a, h in zip(auto_pass, human_pass, strict=True)) / len(pairs) if pairs else None,
                kappa(auto_pass, human_pass),
                _spearman([v for v, _ in pairs], [h for _, h in pairs]),
            )
        )
    return out


def per_group(
    items: Sequence[ItemResult], grades: Sequence[Grade], key: Callable[[ItemResult], str]
) -> list[dict[str, Any]]:
    """Per group (question kind, document): share judged correct next to the automatic metrics."""
    verdict, source = human_scores(grades), human_source(grades)
    groups: dict[str, list[ItemResult]] = {}
    for r in items:
        groups.setdefault(key(r), []).append(r)
    rows = []
    for name in sorted(groups):
        rs = groups[name]
        graded = [verdict[item_key(r)] for r in rs if item_key(r) in verdict]
        src = [source[item_key(r)] for r in rs if item_key(r) in source]
        rows.append(
            {
                "groep": name,
                "n": len(rs),
                "beoordeeld": len(graded),
                "juist (mens)": sum(s >= CORRECT_AT for s in graded) / len(graded) if graded else None,
                "bron klopt (mens)": sum(s >= 0.5 for s in src) / len(src) if src else None,
                "key facts": mean(r.key_fact_recall for r in rs),
                "route juist": sum(r.route == r.expected_route for r in rs) / len(rs),
                "fragmenten": mean(float(r.fragment) for r in rs if r.fragment is not None),
            }
        )
    return rows


def worst_first(items: Sequence[ItemResult], grades: Sequence[Grade]) -> list[tuple[ItemResult, float, list[Grade]]]:
    """Graded items, lowest human score first (then lowest key-fact recall), with their grades."""
    verdict = human_scores(grades)
    by_item: dict[str, list[Grade]] = {}
    for g in grades:
        by_item.setdefault(g.item_key, []).append(g)
    graded = [(r, verdict[item_key(r)], by_item[item_key(r)]) for r in items if item_key(r) in verdict]
    return sorted(graded, key=lambda t: (t[1], 1.0 if t[0].key_fact_recall is None else t[0].key_fact_recall))


@dataclass(frozen=True)
class TrendPoint:
    """Quality of one run: its date, the human share correct and key-fact recall."""

    run_id: str
    label: str
    date: dt.datetime
    graded: int
    correct: float | None
    key_fact_recall: float | None


def trend(
    runs: Iterable[tuple[str, str, dt.datetime, Sequence[ItemResult]]], grades: Mapping[str, Sequence[Grade]]
) -> list[TrendPoint]:
    """One point per run (id, label, date, items), in date order."""
    points = []
    for run_id, label, date, items in runs:
        scores = human_scores(grades.get(run_id, ()))
        points.append(
            TrendPoint(
                run_id,
                label,
                date,
                len(scores),
                sum(s >= CORRECT_AT for s in scores.values()) / len(scores) if scores else None,
                mean(r.key_fact_recall for r in items),
            )
        )
    return sorted(points, key=lambda p: p.date)
