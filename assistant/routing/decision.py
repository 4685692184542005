"""The route of a turn and the decision that carries it (route, reason, topic, signals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final


class Route(StrEnum):
    """What the assistant does with a turn."""

    #: The publications answer it: retrieve, cite, answer.
    ANSWER = "answer"
    #: A staff member is needed (tailored support, or the publications do not answer it).
    ESCALATE = "escalate"
    #: Outside the assistant's scope, abusive, or a manipulation attempt.
    DECLINE = "decline"


ANSWER: Final = Route.ANSWER
ESCALATE: Final = Route.ESCALATE
DECLINE: Final = Route.DECLINE
ROUTES: Final = tuple(Route)

ANDERE: Final = "andere"
TOPICS: Final = (
    "decreet & subsidies",
    "beleidsplanning",
    "vrijwilligers",
    "communicatie & marketing",
    "diversiteit",
    "digitalisering",
    "organisatie & goed bestuur",
    "burgerinitiatieven",
    ANDERE,
)


@dataclass(frozen=True)
class RouteDecision:
    """The route of one turn, a one-sentence Dutch reason, a topic and the evidence for it.

    ``signals`` holds the scores that led to the decision (rule that fired,
    escalation score, kNN votes and nearest examples, evidence, topic scores); it
    is for debugging and evaluation and is not part of equality.
    """

    route: Route
    reason: str
    topic: str
    signals: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def kind(self) -> str:
        """The finer kind (``coaching``, ``privacy``, ``geen_bron`` ...) or ``""`` for answers."""
        return str(self.signals.get("kind", ""))
