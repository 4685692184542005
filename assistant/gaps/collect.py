"""Gather the signals of a period from the stores that hold them, without personal data.

* unanswered turns (:class:`~.turns.UnansweredStore`): the not-found answers;
* triage requests passed on as "geen bron" (the router's no-evidence reason);
* thumbs-down ratings (:class:`~assistant.triage.FeedbackStore`).

Only the question (contact details and the requester's own name and organisation
masked), the date, the topic and the passages shown are copied; a request's
name, organisation and e-mail address never leave the triage store.  Feedback has
no topic of its own: ``topic_of`` (the router's topic) gives it one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from ..answer import Answer
from ..routing import NO_EVIDENCE_REASON
from ..settings import Settings
from .privacy import redact
from .report import NO_TOPIC, FoundPassage, GapReport, GapSignal, RelatedRequest, SignalKind, build_report
from .turns import KEEP_PASSAGES, UnansweredStore

if TYPE_CHECKING:
    from ..db import Database

__all__ = ["GapSources", "UnansweredLog", "is_unanswered", "passages_of_answer", "record_unanswered", "router_topic"]

TopicOf = Callable[[str], str]


def router_topic() -> TopicOf:
    """The router's topic of a question (lexical, loads in well under a second)."""
    from ..routing.router import Router

    router = Router(embedder=None)

    def topic_of(question: str) -> str:
        return router.decide(question, [], evidence=1.0, evidence_threshold=0.0).topic

    return topic_of


def _where(page: Any, section: Any) -> str:
    if isinstance(page, int) and page:
        return f"p. {page}"
    return str(section or "")


def _passages(citations: Iterable[Any]) -> tuple[FoundPassage, ...]:
    """Passages from stored citations (``asdict(Citation)``: title, page, section, doc_id)."""
    out: list[FoundPassage] = []
    for c in citations:
        if isinstance(c, Mapping) and c.get("title"):
            passage = FoundPassage(str(c["title"]), _where(c.get("page"), c.get("section")), str(c.get("doc_id", "")))
            if passage not in out:
                out.append(passage)
    return tuple(out)


def passages_of_answer(answer: Answer) -> tuple[FoundPassage, ...]:
    """The best passages retrieval found for a turn (document and place)."""
    out: list[FoundPassage] = []
    for hit in answer.retrieved:
        c = hit.chunk
        passage = FoundPassage(c.title, _where(c.page_start, c.section), c.doc_id)
        if passage not in out:
            out.append(passage)
        if len(out) == KEEP_PASSAGES:
            break
    return tuple(out)


def is_unanswered(answer: Answer) -> bool:
    """True for the not-found answer: passed on as "geen bron", nothing cited."""
    return answer.route == "escalate" and answer.route_reason == NO_EVIDENCE_REASON and not answer.citations


def record_unanswered(store: UnansweredStore, answer: Answer) -> bool:
    """Record ``answer``'s turn when it is a not-found answer; True when it was recorded."""
    if not is_unanswered(answer):
        return False
    store.record(
        question=answer.question, topic=answer.topic, evidence=answer.evidence, passages=passages_of_answer(answer)
    )
    return True


class UnansweredLog:
    """What the chat calls after each turn: the not-found ones go to the unanswered-turn store of ``database``."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def note(self, answer: Answer) -> bool:
        """Record ``answer`` when it is a not-found answer; True when it was recorded."""
        if not is_unanswered(answer):
            return False
        return record_unanswered(UnansweredStore(self.database), answer)


class GapSources:
    """Reads the signals of a period from the turn, feedback and triage stores of ``database``.

    The stores are opened per report (the database's schema is upgraded once);
    ``topic_of`` gives feedback a topic (default: the router's, loaded on first use).
    """

    def __init__(self, settings: Settings, database: Database, topic_of: TopicOf | None = None) -> None:
        self.settings = settings
        self.database = database
        self._topic_of = topic_of

    @classmethod
    def open(cls, settings: Settings, database: Database | None = None) -> GapSources:
        """The sources on ``database`` (default: the database of ``settings``)."""
        from ..db import Database

        return cls(settings, database if database is not None else Database.from_settings(settings))

    def topic_of(self, question: str) -> str:
        if self._topic_of is None:
            self._topic_of = router_topic()
        return self._topic_of(question)

    def signals(self, since: date | None, until: date | None) -> tuple[list[GapSignal], list[RelatedRequest]]:
        """The signals and triage requests of a period (whole UTC days)."""
        from ..triage import FeedbackStore, TriageStore

        signals: list[GapSignal] = [
            GapSignal(t.created_at, t.question, t.topic, SignalKind.NIET_GEVONDEN, t.passages)
            for t in UnansweredStore(self.database).list(since=since, until=until)
        ]
        for fb in FeedbackStore(self.database).list(since=since, until=until, rating=-1):
            purged = fb.purged_at is not None
            question = None if purged else redact(fb.question)
            topic = self.topic_of(fb.question) if not purged else NO_TOPIC  # feedback keeps no topic
            signals.append(GapSignal(fb.created_at, question, topic, SignalKind.DUIM_OMLAAG, _passages(fb.citations)))
        related: list[RelatedRequest] = []
        for req in TriageStore.from_settings(self.settings, self.database).list(since=since, until=until):
            purged = req.purged_at is not None
            question = None if purged else redact(req.question, [req.requester_name, req.organisation, req.email])
            related.append(RelatedRequest(req.created_at, question, req.status))
            if req.route_reason == NO_EVIDENCE_REASON:
                signals.append(
                    GapSignal(
                        req.created_at,
                        question,
                        req.topic or "andere",
                        SignalKind.GEEN_BRON,
                        _passages(req.citations) if not purged else (),
                    )
                )
        return signals, related

    def report(self, since: date | None = None, until: date | None = None) -> GapReport:
        """The knowledge-gap report of a period."""
        signals, related = self.signals(since, until)
        return build_report(signals, related, since=since, until=until)
