"""Routing: answer, hand to staff (escalate) or decline, per turn."""

from .decision import ANDERE, ROUTES, TOPICS, Route, RouteDecision
from .examples import RouteExample
from .messages import NO_EVIDENCE_REASON, SCOPE_SENTENCE, decline_message, escalation_offer, unanswered
from .outside import OutsideModel
from .router import DEFAULT_EXAMPLES, DEFAULT_TOPICS, Router
from .scope import Scope, ScopeSignals

__all__ = [
    "ANDERE",
    "DEFAULT_EXAMPLES",
    "DEFAULT_TOPICS",
    "NO_EVIDENCE_REASON",
    "ROUTES",
    "SCOPE_SENTENCE",
    "TOPICS",
    "OutsideModel",
    "Route",
    "RouteDecision",
    "RouteExample",
    "Router",
    "Scope",
    "ScopeSignals",
    "decline_message",
    "escalation_offer",
    "unanswered",
]
