"""What a turn returns: the answer, its citations, and the events of a streamed turn."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ..routing.decision import Route

if TYPE_CHECKING:
    from ..query.retrieval import Hit


class Mode(StrEnum):
    """Which path produced the answer text."""

    EXTRACTIVE = "extractive"
    LLM = "llm"
    #: The LLM path was asked but failed (see :class:`FallbackReason`); the extractive answer was given.
    FALLBACK = "extractive-fallback"


class FallbackReason(StrEnum):
    """Why the LLM path gave the extractive answer (``fallback_reason`` in ``ask --json``)."""

    TIMEOUT = "timeout"
    RATE_LIMITED = "rate-limited"
    UNREACHABLE = "unreachable"
    BROKEN_REPLY = "broken-reply"
    PROVIDER_ERROR = "provider-error"
    NO_VALID_CITATION = "no-valid-citation"


@dataclass(frozen=True)
class Citation:
    """One cited passage: where it is and the exact source text relied on.

    ``quote`` is verbatim source text; a table figure quotes the table's title,
    header and row as separate stretches joined by " … ".  ``link`` opens the
    cited place: a PDF at its page (``#page=N``), an HTML page at the section.
    """

    n: int
    chunk_id: str
    doc_id: str
    title: str
    doc_type: str
    page: int | None
    section: str
    url: str
    quote: str
    link: str = ""


#: Separator of the verbatim stretches of one quote.
QUOTE_GAP = " … "


@dataclass
class Answer:
    """What the assistant says for one turn, with everything needed to check it."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    route: Route = Route.ANSWER
    route_reason: str = ""
    topic: str = "andere"
    retrieved: list[Hit] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    evidence: float = 0.0
    mode: str = Mode.EXTRACTIVE.value
    #: Why the LLM path fell back (mode ``extractive-fallback``); None otherwise.
    fallback_reason: FallbackReason | None = None
    #: The kind of answer the question asked for (``lijst``, ``getal`` ...).
    kind: str = ""
    #: Questions from neighbouring sections that the publications do answer.
    related: list[str] = field(default_factory=list)
    #: The numbers the route was decided on (rule, votes, scope features); for evaluations, not in the JSON.
    route_signals: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def found(self) -> bool:
        """False for the 'not found' answer."""
        return bool(self.citations)

    def to_dict(self) -> dict[str, Any]:
        """JSON form of ``ask --json``."""
        return {
            "question": self.question,
            "text": self.text,
            "citations": [asdict(c) for c in self.citations],
            "route": str(self.route),
            "route_reason": self.route_reason,
            "topic": self.topic,
            "kind": self.kind,
            "evidence": round(self.evidence, 4),
            "mode": self.mode,
            "fallback_reason": self.fallback_reason,
            "related": list(self.related),
            "retrieved": [h.to_dict() for h in self.retrieved],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


@dataclass(frozen=True)
class TextDelta:
    """A piece of answer text, streamed as soon as it is ready."""

    text: str


@dataclass(frozen=True)
class AnswerDone:
    """The complete answer; always the last event of a streamed turn."""

    answer: Answer


StreamEvent = TextDelta | AnswerDone
