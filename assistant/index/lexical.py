"""BM25 over analysed chunk text: the lexical half of hybrid retrieval."""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..text.analysis import Analyzer, split_sentences, thesaurus, words

__all__ = ["LexicalIndex", "TermField"]


class LexicalIndex:
    """BM25 over analysed chunk text (Dutch stems, stopwords, compound parts)."""

    def __init__(self, analyzer: Analyzer, bm25: Any, n_docs: int) -> None:
        self.analyzer = analyzer
        self.bm25 = bm25
        self.n_docs = n_docs
        self._sentences: dict[str, list[tuple[str, frozenset[str]]]] = {}

    def sentences(self, key: str, text: str) -> list[tuple[str, frozenset[str]]]:
        """The sentences of a passage with their index terms, memoised by ``key`` (a chunk id).

        Answer composition reads the sentences of the top passages for every
        question; analysing them again each time was 41% of a warm ``ask`` in
        the profile (evals/reports/bench.md).  The memo lives and dies with
        this index generation; a chunk id always names the same text.
        """
        cached = self._sentences.get(key)
        if cached is None:
            cached = [(s, frozenset(self.analyzer.terms(s))) for s in split_sentences(text)]
            self._sentences[key] = cached
        return cached

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        """Index texts; the analyzer's compound vocabulary comes from the same texts."""
        import bm25s

        vocab = {w for t in texts for w in words(t)}
        analyzer = Analyzer(vocab)
        corpus = [analyzer.terms(t) or ["_leeg_"] for t in texts]
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if texts:
            bm25.index(corpus, show_progress=False)
        return cls(analyzer, bm25, len(texts))

    def scores(self, query: str, mask: np.ndarray | None = None, synonym_weight: float = 0.0) -> np.ndarray:
        """BM25 score of every chunk (0 where ``mask`` is 0).

        With ``synonym_weight`` > 0 the thesaurus' related words of the query
        terms are scored as a second query and added at that weight, so the
        question's own words still decide between passages that have them.
        """
        if self.n_docs == 0:
            return np.zeros(0, dtype=np.float32)
        known = self.bm25.vocab_dict
        own = self.analyzer.terms(query, query=True)
        terms = [t for t in own if t in known]
        s = (
            np.asarray(self.bm25.get_scores(terms), dtype=np.float32)
            if terms
            else np.zeros(self.n_docs, dtype=np.float32)
        )
        if synonym_weight > 0:
            related = [t for t in thesaurus().expand(own) if t in known]
            if related:
                s = s + synonym_weight * np.asarray(self.bm25.get_scores(related), dtype=np.float32)
        return s * mask if mask is not None else s

    @property
    def idf(self) -> dict[str, float]:
        """IDF of every index term (document frequency from the BM25 matrix)."""
        cached: dict[str, float] | None = getattr(self, "_idf", None)
        if cached is None:
            cached = {}
            if self.n_docs:
                indptr = np.asarray(self.bm25.scores["indptr"])
                df = np.diff(indptr)
                for term, i in self.bm25.vocab_dict.items():
                    if i < len(df) and df[i] > 0:
                        cached[term] = float(np.log(1 + self.n_docs / df[i]))
            self._idf = cached
        return cached

    def save(self, path: Path) -> None:
        """Pickle to ``path`` (written to a temp file first)."""
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump({"vocab": sorted(self.analyzer.vocabulary), "bm25": self.bm25, "n": self.n_docs}, fh)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        """Inverse of :meth:`save`."""
        with path.open("rb") as fh:
            data = pickle.load(fh)
        return cls(Analyzer(data["vocab"]), data["bm25"], data["n"])


class TermField:
    """BM25 over extra terms of each chunk (a field next to the stems: lemmas, separable verbs, negation).

    Built in memory from the chunk texts when a generation is loaded (it is not in the
    saved index), so a change of the terms needs no new ingest.
    """

    def __init__(self, term_lists: Sequence[list[str]]) -> None:
        import bm25s

        self.n_docs = len(term_lists)
        self.bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if term_lists:
            self.bm25.index([terms or ["_leeg_"] for terms in term_lists], show_progress=False)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every chunk for ``terms`` (unknown terms ignored)."""
        if self.n_docs == 0:
            return np.zeros(0, dtype=np.float32)
        known = [t for t in terms if t in self.bm25.vocab_dict]
        if not known:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self.bm25.get_scores(known), dtype=np.float32)
