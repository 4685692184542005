"""Hybrid retrieval: BM25 (Dutch analysis) + dense vectors from Chroma, fused by weighted RRF or by score.

``Settings.fusion``: ``rrf`` fuses the two rankings; ``cosine`` divides the BM25 scores by the best
one and adds ``dense_weight`` times the cosine similarity (:func:`~assistant.query.fusion.scaled`).
See ``Settings.dense_weight`` and ``Settings.fusion`` for the measurements.

The fused top ``k`` is then re-ordered by how well the best two-sentence window of
each passage covers the question (:func:`window_coverage`): a question is answered by
one or two sentences, and a long passage that mentions the topic's words all over
(an introduction, an overview) otherwise outranks the one that says the answer.

The plain function :func:`retrieve` does the work; :class:`HybridRetriever` wraps
it as a LangChain retriever (a Runnable) for chains and for users who compose
their own.  We fuse ourselves rather than with LangChain's EnsembleRetriever
(now in ``langchain-classic``) because we need the per-retriever ranks and the
lexical evidence score of each hit for citations, routing and evaluation.

Near-duplicates (the report and a toolbox page built from it, a key-figure panel and its
summary) are not pushed apart: moving a passage behind a better-ranked one with the same
stems (Jaccard >= 0.3-0.7) lowered hit@5 and MRR on every set measured (gold, answers-2),
because the "duplicate" is as often the passage the question was written from.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from ..index.backend import index_for
from ..index.embedders import Embedder, load_embedder
from ..index.lexical import TermField
from ..index.snapshots import Snapshot, Snapshots
from ..ingestion.chunking import Chunk
from ..settings import Settings
from ..text.analysis import split_sentences, stem, words
from ..text.morphology import morph_terms
from .analysis import analyse, content_stems
from .fusion import rrf, scaled
from .model import AnswerKind, Query

CANDIDATES = 50  # depth of each ranked list that goes into fusion
#: Weight of the best window's question coverage (0..1) next to the fused score (scaled so the
#: best hit has 1) when the top ``k`` is re-ordered; 0 keeps the fused order.  0.1 on the gold
#: sets: hit@1 0.534 -> 0.551 (jaarverslag + samplepages), 0.543 -> 0.543 (vers, held out),
#: 0.450 -> 0.468 (blind sets, aggregate); 0.2 and 0.4 gave more hit@5 and less hit@1.
WINDOW_WEIGHT = 0.1
#: Sentences per window of :func:`window_coverage`.
WINDOW_SENTENCES = 2
#: Weight of the best window that has both the question's words and the shape of the answer
#: asked (:func:`kind_window_coverage`: a figure, a date, a name, a reason, an enumeration).
#: On the 153 answerable gold questions plus the 100 of the second dev set (hit@1/hit@5/MRR):
#: 0 -> 0.514/0.798/0.643, 0.1 -> 0.526/0.802/0.650, 0.2 -> 0.522/0.806/0.649; each kind alone
#: helped or was neutral.  A definition ("Wat is ...?") wants a window with a defining verb
#: ("is een", "gaat over", "betekent", "verwijst naar"): answers-3 hit@1 0.543 -> 0.558, gold,
#: answers-2 and the blind set (aggregate) unchanged.
KIND_WEIGHT = 0.1
#: Weight of the Dutch morphology field (:func:`assistant.text.morphology.morph_terms`: lemmas of
#: irregular forms, separable verbs, negation) added to the BM25 score of the stems.
MORPH_WEIGHT = 0.5

#: What a sentence that answers a question of each kind contains (only kinds with a visible shape).
_ANSWER_SHAPES: dict[AnswerKind, re.Pattern[str]] = {
    AnswerKind.FIGURE: re.compile(
        r"\d|\b(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|honderd|duizend)\b", re.I
    ),
    AnswerKind.MOMENT: re.compile(
        r"\b(?:19|20)\d\d\b|\b(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
        r"november|december|voorjaar|najaar|zomer|winter|lente|herfst)\b",
        re.I,
    ),
    AnswerKind.PERSON: re.compile(
        r"\b[A-ZÀ-Ý][a-zà-ÿ]+ (?:(?:[Dd]e|[Vv]an|[Vv]an [Dd]e[nr]?|[Dd]e [Ll]a) )?[A-ZÀ-Ý][a-zà-ÿ]+|\b[A-Z]{2,}\b|\bvzw\b"
    ),
    AnswerKind.REASON: re.compile(
        r"\b(?:omdat|daarom|want|reden|redenen|doel|zodat|waardoor|omwille|dankzij|door)\b", re.I
    ),
    AnswerKind.LIST: re.compile(r"•|\||;|:|\b(?:zoals|onder meer|o\.a\.)", re.I),
    AnswerKind.DEFINITION: re.compile(
        r"\b(?:is een|zijn|gaat (?:het )?over|gaat het|betekent|verwijst naar|staat voor|bedoel\w*|houdt in|"
        r"verstaan|omschrijving|definitie)\b",
        re.I,
    ),
}


@dataclass(frozen=True)
class Filters:
    """Metadata filters: restrict to document types and/or documents."""

    doc_types: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()

    def chroma_where(self) -> dict[str, Any] | None:
        """The same filter as a Chroma ``where`` clause."""
        clauses: list[dict[str, Any]] = []
        if self.doc_types:
            clauses.append({"doc_type": {"$in": list(self.doc_types)}})
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def mask(self, chunks: list[Chunk]) -> np.ndarray | None:
        """A 0/1 weight per chunk for the lexical side."""
        if not (self.doc_types or self.doc_ids):
            return None
        return np.array(
            [
                (not self.doc_types or c.doc_type in self.doc_types) and (not self.doc_ids or c.doc_id in self.doc_ids)
                for c in chunks
            ],
            dtype=np.float32,
        )


@dataclass
class Hit:
    """One retrieved chunk with its fused score and the ranks behind it."""

    chunk: Chunk
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None
    lexical_score: float = 0.0
    dense_score: float = 0.0
    coverage: float = 0.0

    def to_dict(self, with_text: bool = True) -> dict[str, Any]:
        """JSON-ready form used by ``ask --json``."""
        c = self.chunk
        d: dict[str, Any] = {
            "chunk_id": c.chunk_id,
            "doc_id": c.doc_id,
            "title": c.title,
            "doc_type": c.doc_type,
            "section": c.section,
            "page": c.page_start,
            "page_end": c.page_end,
            "url": c.url,
            "score": round(self.score, 6),
            "lexical_rank": self.lexical_rank,
            "dense_rank": self.dense_rank,
            "dense_score": round(self.dense_score, 4),
            "coverage": round(self.coverage, 4),
        }
        if with_text:
            d["text"] = c.text
        return d


@dataclass
class RetrievalResult:
    """Ranked hits plus the evidence strength of the best ones and timings."""

    hits: list[Hit]
    evidence: float
    timings_ms: dict[str, float] = field(default_factory=dict)


def retrieve(
    snapshot: Snapshot,
    embedder: Embedder | None,
    query: Query,
    k: int = Settings.top_k,
    lexical_weight: float = Settings.lexical_weight,
    dense_weight: float = Settings.dense_weight,
    rrf_k: int = Settings.rrf_k,
    filters: Filters | None = None,
    type_prior: dict[str, float] | None = None,
    synonym_weight: float = Settings.synonym_weight,
    window_weight: float = WINDOW_WEIGHT,
    kind_weight: float = KIND_WEIGHT,
    morph_weight: float = MORPH_WEIGHT,
    query_vector: np.ndarray | None = None,
    fusion: str = Settings.fusion,
) -> RetrievalResult:
    """Rank chunks for a typed question by fusing BM25 with the dense side.

    ``fusion="cosine"``: ``score = w_lex * bm25 / best bm25 + w_dense * cosine``, each side over its
    best ``CANDIDATES``; ``fusion="rrf"``: ``score = w_lex / (rrf_k + rank_lex) + w_dense / (rrf_k +
    rank_dense)``.  A zero weight switches a side off (and skips its cost).  The top ``k`` is then
    re-ordered by ``score / best score + window_weight * window_coverage + kind_weight *
    kind_window_coverage`` (the second only for kinds of answer with a visible shape).

    ``query_vector`` is ``query.retrieval_text`` already embedded (unit length, as
    :meth:`Embedder.embed_query` gives it): a caller that retrieves for several parts of a
    question embeds them in one batch and passes each its vector; the embedder is then not called.
    """
    filters = filters or Filters()
    chunks = snapshot.chunks
    timings: dict[str, float] = {}
    lex_ranked: list[tuple[int, float]] = []
    lex_scores = np.zeros(len(chunks), dtype=np.float32)
    if lexical_weight > 0 and chunks:
        t = time.perf_counter()
        mask = filters.mask(chunks)
        lex_scores = snapshot.lexical.scores(query.retrieval_text, mask, synonym_weight)
        if morph_weight > 0:
            extra = _morph_field(snapshot).scores(morph_terms(query.retrieval_text, query=True))
            lex_scores = lex_scores + morph_weight * (extra * mask if mask is not None else extra)
        if type_prior:
            lex_scores = lex_scores * _prior_vector(snapshot, type_prior)
        top = np.argsort(-lex_scores)[:CANDIDATES]
        lex_ranked = [(int(i), float(lex_scores[i])) for i in top if lex_scores[i] > 0]
        timings["lexical"] = (time.perf_counter() - t) * 1000
    dense_ranked: list[tuple[int, float]] = []
    qvec = query_vector
    if dense_weight > 0 and qvec is None and embedder is not None and chunks:
        t = time.perf_counter()
        qvec = embedder.embed_query(query.retrieval_text)
        timings["embed"] = (time.perf_counter() - t) * 1000
    if dense_weight > 0 and qvec is not None and chunks:
        t = time.perf_counter()
        n = min(CANDIDATES, len(chunks))
        for cid, sim in snapshot.vectors.query(qvec, n, filters.chroma_where()):
            pos = snapshot.position.get(cid)
            if pos is not None:
                dense_ranked.append((pos, sim * (type_prior or {}).get(chunks[pos].doc_type, 1.0)))
        dense_ranked.sort(key=lambda x: -x[1])
        timings["dense"] = (time.perf_counter() - t) * 1000

    if fusion == "rrf":
        scores = rrf(
            [[pos for pos, _ in lex_ranked], [pos for pos, _ in dense_ranked]],
            k=rrf_k,
            weights=[lexical_weight, dense_weight],
        )
    else:
        scores = scaled([lex_ranked, dense_ranked], weights=[lexical_weight, dense_weight], raw=[False, True])
    fused = {pos: Hit(chunks[pos], score) for pos, score in scores.items()}
    for rank, (pos, s) in enumerate(lex_ranked, start=1):
        fused[pos].lexical_rank, fused[pos].lexical_score = rank, s
    for rank, (pos, sim) in enumerate(dense_ranked, start=1):
        fused[pos].dense_rank, fused[pos].dense_score = rank, sim
    hits = sorted(fused.values(), key=lambda h: -h.score)[:k]
    qterms = list(query.stems)
    idf = _idf(snapshot)
    for h in hits:
        h.coverage = coverage(qterms, h.chunk, snapshot, idf)
    if (window_weight > 0 or kind_weight > 0) and hits and qterms:
        hits = _rerank_by_window(hits, qterms, snapshot, idf, window_weight, query.kind, kind_weight)
    evidence = max((h.coverage for h in hits[:5]), default=0.0)
    return RetrievalResult(hits, evidence, timings)


def evidence_for(part: Query, hits: list[Hit], snapshot: Snapshot) -> float:
    """How well the best of ``hits`` cover a question part's own words (0..1), as in :func:`retrieve`.

    For the parts of a multi-part question: a passage answers one part, so the
    whole question's coverage understates the evidence.
    """
    qterms = list(content_stems(part.text))
    idf = _idf(snapshot)
    return max((coverage(qterms, h.chunk, snapshot, idf) for h in hits[:5]), default=0.0)


def _morph_field(snapshot: Snapshot) -> TermField:
    """The lemma / separable-verb / negation terms of every chunk (:func:`morph_terms`), built once per generation."""
    field_: TermField | None = snapshot.memo.get("morph_field")
    if field_ is None:
        field_ = snapshot.memo["morph_field"] = TermField([morph_terms(c.index_text) for c in snapshot.chunks])
    return field_


def _prior_vector(snapshot: Snapshot, type_prior: dict[str, float]) -> np.ndarray:
    """Per-chunk multiplier: publications outrank pages that summarise them."""
    key = ("prior", tuple(sorted(type_prior.items())))
    vec: np.ndarray | None = snapshot.memo.get(key)
    if vec is None:
        vec = snapshot.memo[key] = np.array(
            [type_prior.get(c.doc_type, 1.0) for c in snapshot.chunks], dtype=np.float32
        )
    return vec


def _idf(snapshot: Snapshot) -> dict[str, float]:
    cached: dict[str, float] | None = snapshot.memo.get("stem_idf")
    if cached is None:
        df: dict[str, int] = {}
        for c in snapshot.chunks:
            for s in {stem(w) for w in words(c.index_text)}:
                df[s] = df.get(s, 0) + 1
        n = max(1, len(snapshot.chunks))
        cached = snapshot.memo["stem_idf"] = {s: float(np.log(1 + n / d)) for s, d in df.items()}
    return cached


def _chunk_stems(snapshot: Snapshot, chunk: Chunk) -> frozenset[str]:
    key = ("stems", chunk.chunk_id)
    cached: frozenset[str] | None = snapshot.memo.get(key)
    if cached is None:
        analyzer = snapshot.lexical.analyzer
        stems = set()
        for w in words(chunk.index_text):
            stems.add(stem(w))
            stems.update(stem(part) for part in analyzer.split_compound(w))
        cached = snapshot.memo[key] = frozenset(stems)
    return cached


def _rerank_by_window(
    hits: list[Hit],
    qterms: list[str],
    snapshot: Snapshot,
    idf: dict[str, float],
    weight: float,
    kind: AnswerKind = AnswerKind.FACT,
    kind_weight: float = 0.0,
) -> list[Hit]:
    """``hits`` re-ordered by fused score (scaled to the best) plus the weighted window coverages."""
    best = hits[0].score or 1.0
    shaped = kind_weight > 0 and kind in _ANSWER_SHAPES
    for h in hits:
        h.score = h.score / best + weight * window_coverage(qterms, h.chunk, snapshot, idf)
        if shaped:
            h.score += kind_weight * kind_window_coverage(kind, qterms, h.chunk, snapshot, idf)
    return sorted(hits, key=lambda h: -h.score)


def _window_stems(snapshot: Snapshot, chunk: Chunk) -> list[frozenset[str]]:
    """Stems (with compound parts) of each run of ``WINDOW_SENTENCES`` sentences of a chunk, memoised."""
    return [stems for stems, _ in _windows(snapshot, chunk)]


def _windows(snapshot: Snapshot, chunk: Chunk) -> list[tuple[frozenset[str], str]]:
    """Each run of ``WINDOW_SENTENCES`` sentences of a chunk: its stems (with compound parts) and text, memoised."""
    key = ("windows", chunk.chunk_id)
    cached: list[tuple[frozenset[str], str]] | None = snapshot.memo.get(key)
    if cached is None:
        analyzer = snapshot.lexical.analyzer
        sentences = split_sentences(chunk.text) or [chunk.text]
        per_sentence = []
        for sentence in sentences:
            stems = set()
            for w in words(sentence):
                stems.add(stem(w))
                stems.update(stem(part) for part in analyzer.split_compound(w))
            per_sentence.append(stems)
        n = WINDOW_SENTENCES
        cached = snapshot.memo[key] = [
            (frozenset().union(*per_sentence[i : i + n]), " ".join(sentences[i : i + n]))
            for i in range(max(1, len(per_sentence) - n + 1))
        ]
    return cached


def _shaped_windows(snapshot: Snapshot, chunk: Chunk, kind: AnswerKind) -> list[frozenset[str]]:
    """The stems of the windows of a chunk whose text has the shape of an answer of ``kind``, memoised."""
    key = ("shaped", chunk.chunk_id, kind)
    cached: list[frozenset[str]] | None = snapshot.memo.get(key)
    if cached is None:
        shape = _ANSWER_SHAPES[kind]
        cached = snapshot.memo[key] = [stems for stems, text in _windows(snapshot, chunk) if shape.search(text)]
    return cached


def kind_window_coverage(
    kind: AnswerKind, qterms: list[str], chunk: Chunk, snapshot: Snapshot, idf: dict[str, float] | None = None
) -> float:
    """:func:`window_coverage` over only the windows that hold the kind of answer asked (0..1).

    A figure question is answered by the sentence with the question's words *and* a
    number, a "wanneer" question by one with a date, a "wie" question by one with a
    name, a "waarom" question by one that gives a reason, a list question by an
    enumeration.  Kinds without such a shape (facts, yes/no, ...) score 0.
    """
    if not qterms or kind not in _ANSWER_SHAPES:
        return 0.0
    windows = _shaped_windows(snapshot, chunk, kind)
    if not windows:
        return 0.0
    idf = idf if idf is not None else _idf(snapshot)
    unknown = max(idf.values(), default=1.0)
    weights = [idf.get(t, unknown) for t in qterms]
    total = sum(weights)
    if not total:
        return 0.0
    return max(sum(w for t, w in zip(qterms, weights, strict=True) if t in window) / total for window in windows)


def window_coverage(qterms: list[str], chunk: Chunk, snapshot: Snapshot, idf: dict[str, float] | None = None) -> float:
    """IDF-weighted share of the question's stems found in the chunk's best window of sentences (0..1).

    Unlike :func:`coverage` the words must sit together: the passage that states
    the answer has the question's words in one or two sentences.
    """
    if not qterms:
        return 0.0
    idf = idf if idf is not None else _idf(snapshot)
    unknown = max(idf.values(), default=1.0)
    weights = [idf.get(t, unknown) for t in qterms]
    total = sum(weights)
    if not total:
        return 0.0
    return max(
        (
            sum(w for t, w in zip(qterms, weights, strict=True) if t in window) / total
            for window in _window_stems(snapshot, chunk)
        ),
        default=0.0,
    )


def coverage(qterms: list[str], chunk: Chunk, snapshot: Snapshot, idf: dict[str, float] | None = None) -> float:
    """IDF-weighted share of the question's content stems found in the chunk (0..1).

    Also counts a question term as found when it is a part of a compound in the
    chunk ("beleid" in "vrijwilligersbeleid").  Unknown terms weigh most: a
    question about something the corpus never mentions gets low coverage.
    """
    if not qterms:
        return 0.0
    idf = idf if idf is not None else _idf(snapshot)
    unknown = max(idf.values(), default=1.0)
    chunk_stems = _chunk_stems(snapshot, chunk)
    total = found = 0.0
    missing_number = False
    for t in qterms:
        weight = idf.get(t, unknown)
        total += weight
        if t in chunk_stems or (len(t) >= 5 and any(s.startswith(t) for s in chunk_stems)):
            found += weight
        elif t.isdigit():
            missing_number = True
    score = found / total if total else 0.0
    # A number in the question (a year, an amount) is a hard constraint: a passage
    # about 2023 does not answer a question about 2019, however similar the words.
    return score * 0.5 if missing_number else score


def fuse_results(results: list[RetrievalResult], k: int, rrf_k: int = Settings.rrf_k) -> RetrievalResult:
    """One ranking from several (the whole question and its parts), by reciprocal rank fusion.

    Evidence and timings are the first result's (the whole question).
    """
    scores = rrf([[hit.chunk.chunk_id for hit in result.hits] for result in results], k=rrf_k)
    best: dict[str, Hit] = {}
    for result in results:
        for hit in result.hits:
            best.setdefault(hit.chunk.chunk_id, hit)
    order = sorted(scores, key=lambda cid: -scores[cid])[:k]
    first = results[0]
    return RetrievalResult(hits=[best[cid] for cid in order], evidence=first.evidence, timings_ms=first.timings_ms)


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the Vraagbaak index (BM25 + Chroma, fused as ``Settings.fusion`` says).

    Example::

        retriever = HybridRetriever.from_settings(load_settings())
        docs = retriever.invoke("Hoeveel vragen kwamen binnen?")
    """

    settings: Any
    filters: Any = None
    #: The loaded index (:class:`Snapshots`) and query embedder; from the settings when not given.
    snapshots: Any = None
    embedder: Any = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        filters: Filters | None = None,
        *,
        snapshots: Snapshots | None = None,
        embedder: Embedder | None = None,
    ) -> HybridRetriever:
        """Build a retriever; the index and embedder load on first use unless given."""
        return cls(settings=settings, filters=filters, snapshots=snapshots, embedder=embedder)

    def search(self, query: str) -> RetrievalResult:
        """Retrieval with scores (what the answering chain uses)."""
        s: Settings = self.settings
        if self.snapshots is None:
            self.snapshots = Snapshots(index_for(s))
        if self.embedder is None and s.dense_weight > 0:
            self.embedder = load_embedder(s.embedder)
        snapshot = self.snapshots.current()
        embedder = self.embedder if s.dense_weight > 0 else None
        return retrieve(
            snapshot,
            embedder,
            analyse(query, today=date.today(), analyzer=snapshot.lexical.analyzer),
            k=s.top_k,
            lexical_weight=s.lexical_weight,
            dense_weight=s.dense_weight,
            rrf_k=s.rrf_k,
            filters=self.filters,
            type_prior=dict(s.type_prior),
            synonym_weight=s.synonym_weight,
            fusion=s.fusion,
        )

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = self.search(query)
        return [
            Document(page_content=h.chunk.text, id=h.chunk.chunk_id, metadata={**h.chunk.metadata(), "score": h.score})
            for h in result.hits
        ]
