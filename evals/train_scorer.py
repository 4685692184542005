"""``python -m evals train-scorer``: learn the answer candidate scorer on the gold set.

For every answerable gold question (never a blind set) the assistant lists its
answer candidates exactly as at run time; a candidate is positive when its
rendered text holds a key fact.  A logistic regression over the candidates'
named features is cross-validated by question (GroupKFold): the learned weights
are kept only when their top-1 candidate holds a key fact more often, on
questions they were not trained on, than the hand-set weights do.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.answer.compose import ExtractiveAnswerer
from assistant.answer.quote import quote_of
from assistant.answer.scorer import SCORER_FILE, HandScorer, LinearScorer, Scorer
from assistant.settings import Settings
from assistant.vraagbaak import Vraagbaak

from .gold import GoldItem, fact_in, load_gold


@dataclass
class _Group:
    item: str
    features: list[dict[str, float]]
    labels: list[int]
    question: str = ""
    texts: tuple[str, ...] = ()


def collect(settings: Settings, gold: Sequence[GoldItem]) -> list[_Group]:
    """Candidates (features and labels) per answerable gold question or question part."""
    va = Vraagbaak(settings)
    answerer = ExtractiveAnswerer(scorer=HandScorer())
    snapshot = va.snapshot()
    groups: list[_Group] = []
    for g in gold:
        if g.expected_route != "answer" or not g.key_facts:
            continue
        today = g.today
        query = va.analyse(g.question, list(g.history), today=today, snapshot=snapshot)
        result, part_results = va._retrieve_parts(query, None, snapshot)
        pairs = list(zip(query.parts, part_results, strict=True)) if part_results else [(query, result)]
        for i, (part, res) in enumerate(pairs):
            found = answerer.candidates(part, res.hits, snapshot)
            if not isinstance(found, list) or not found:
                continue
            texts = tuple(quote_of(c)[0] for c in found)
            labels = [int(any(fact_in(f, t) for f in g.key_facts)) for t in texts]
            groups.append(_Group(f"{g.id}#{i}", [c.features for c in found], labels, part.text, texts))
    return groups


def _matrix(groups: Sequence[_Group], names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = [[f.get(n, 0.0) for n in names] for g in groups for f in g.features]
    labels = [y for g in groups for y in g.labels]
    gid = [i for i, g in enumerate(groups) for _ in g.labels]
    return np.array(rows, dtype=float), np.array(labels), np.array(gid)


def top1(groups: Sequence[_Group], scorer: Scorer) -> float:
    """Share of questions whose best-scored candidate holds a key fact."""
    if not groups:
        return 0.0
    hits = 0
    for g in groups:
        scores = [scorer.score(f) for f in g.features]
        hits += g.labels[int(np.argmax(scores))]
    return hits / len(groups)


def train(groups: Sequence[_Group], c: float = 1.0) -> LinearScorer:
    from sklearn.linear_model import LogisticRegression

    names = sorted({n for g in groups for f in g.features for n in f})
    x, y, _ = _matrix(groups, names)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(x, y)
    return LinearScorer(dict(zip(names, (float(w) for w in model.coef_[0]), strict=True)), float(model.intercept_[0]))


def cross_validate(groups: Sequence[_Group], c: float, folds: int = 5) -> tuple[float, float]:
    """Top-1 on held-out questions: (learned, hand-set), folds by question, fixed order."""
    order = list(range(len(groups)))
    learned = hand = 0.0
    for k in range(folds):
        test = [groups[i] for i in order if i % folds == k]
        trainset = [groups[i] for i in order if i % folds != k]
        learned += top1(test, train(trainset, c)) * len(test)
        hand += top1(test, HandScorer()) * len(test)
    return learned / len(groups), hand / len(groups)


def main(settings: Settings, out: Path = SCORER_FILE) -> int:
    gold = load_gold()  # the default set: never the blind-*.jsonl files
    groups = collect(settings, gold)
    results = {c: cross_validate(groups, c) for c in (0.1, 0.3, 1.0, 3.0)}
    for c, (learned, hand) in results.items():
        print(f"C={c:<4} top-1 held-out: learned {learned:.3f}  hand-set {hand:.3f}")
    best_c, (learned, hand) = max(results.items(), key=lambda kv: kv[1][0])
    if learned <= hand:
        print("the learned weights do not beat the hand-set ones on held-out questions; nothing written")
        return 1
    scorer = train(groups, best_c)
    about = {
        "source": "python -m evals train-scorer",
        "trained_on": sorted(
            {p.name for p in Path(__file__).resolve().parent.joinpath("gold").glob("*.jsonl")}
            - {p.name for p in Path(__file__).resolve().parent.joinpath("gold").glob("blind-*.jsonl")}
        ),
        "questions": len(groups),
        "C": best_c,
        "cv_top1_learned": round(learned, 3),
        "cv_top1_hand": round(hand, 3),
    }
    LinearScorer(scorer.weights, scorer.bias, about).save(out)
    print(f"written {out}: {json.dumps(about, ensure_ascii=False)}")
    return 0
