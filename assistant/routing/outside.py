"""Is a question outside the domain?  A logistic model over named scope and evidence features.

Hand rules on wording (:mod:`.scope`) each see one signal: a task verb, a foreign
word, a missing domain word.  Off-topic questions that share a word or two with
the publications ("Onze hond blaft tijdens elke online vergadering ...") pass every
single rule, yet together their signals are clear: few content words the
publications use, a negative domain affinity, an answer that carries little of the
question.  :class:`OutsideModel` weighs them together.

The weights are learned by ``python -m evals train-router`` on the route examples
and development sets (never on the blind sets) and kept in
``data/outside_model.json`` only when, cross-validated across question sets, the
model with the rules declines more off-topic questions than the rules alone
without declining more answerable ones.  Without that file the router uses its
rules only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ..errors import ConfigError
from .scope import ScopeSignals

OUTSIDE_MODEL_FILE: Final = Path(__file__).resolve().parent / "data" / "outside_model.json"


@dataclass(frozen=True)
class OutsideEvidence:
    """What is known of one question when the router settles it (the model's input)."""

    scope: ScopeSignals
    #: How well the composed answer covers the question (0..1).
    support: float
    #: Share of the question's content words the cited answer carries.
    content_support: float
    #: Share of its two most specific words in the answer.
    specific_support: float
    #: Retrieval evidence of the passages found (0..1).
    evidence: float
    #: Sector words and topic keywords of the question (router vocabulary).
    sector_hits: int
    #: Similarity-weighted share of declined example requests among the nearest ones.
    knn_decline: float
    #: ... and of escalated ones.
    knn_escalate: float
    #: A follow-up in a conversation about the sector.
    in_context: bool = False


def features(e: OutsideEvidence) -> dict[str, float]:
    """The named features of :class:`OutsideEvidence` (all in roughly [-3, 3])."""
    s = e.scope
    content = max(s.content, 1)
    return {
        "task": float(s.task),
        "addresses": float(s.addresses),
        "private": float(s.private and not s.addresses),
        "domain_share": len(s.domain) / content,
        "has_domain": float(bool(s.domain)),
        "foreign_share": len(s.foreign) / content,
        "foreign_n": math.log1p(len(s.foreign)),
        "names_share": len(s.names) / content,
        "unknown_share": 1.0 - min(s.known, content) / content,
        "affinity": s.affinity,
        "lowest_affinity": s.lowest_affinity,
        "support": e.support,
        "content_support": e.content_support,
        "specific_support": e.specific_support,
        "evidence": min(1.0, e.evidence * 3),
        "sector_hits": math.log1p(e.sector_hits),
        "knn_decline": e.knn_decline,
        "knn_escalate": e.knn_escalate,
        "in_context": float(e.in_context),
        "own_affinity": s.own_affinity,
        "object_affinity": s.object_affinity,
    }


@dataclass(frozen=True)
class OutsideModel:
    """``P(outside) = sigmoid(bias + sum(weight[f] * value[f]))``; declined at or above ``threshold``."""

    weights: Mapping[str, float]
    bias: float
    threshold: float = 0.5
    about: Mapping[str, Any] = field(default_factory=dict)

    def probability(self, evidence: OutsideEvidence) -> float:
        z = self.bias + sum(self.weights.get(n, 0.0) * v for n, v in features(evidence).items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def outside(self, evidence: OutsideEvidence) -> bool:
        return self.probability(evidence) >= self.threshold

    @classmethod
    def load(cls, path: Path = OUTSIDE_MODEL_FILE) -> OutsideModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                {str(k): float(v) for k, v in data["weights"].items()},
                float(data["bias"]),
                float(data.get("threshold", 0.5)),
                dict(data.get("about", {})),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise ConfigError(
                f"het scopemodel {path} is niet leesbaar ({type(err).__name__}); train het opnieuw met "
                "`python -m evals train-router` of verwijder het om alleen met de regels te routeren."
            ) from err

    def save(self, path: Path = OUTSIDE_MODEL_FILE) -> None:
        data = {
            "about": dict(self.about),
            "bias": round(self.bias, 6),
            "threshold": round(self.threshold, 4),
            "weights": {k: round(v, 6) for k, v in sorted(self.weights.items())},
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def default_outside_model(path: Path = OUTSIDE_MODEL_FILE) -> OutsideModel | None:
    """The learned model when training kept one, else ``None`` (rules only)."""
    return OutsideModel.load(path) if path.exists() else None
