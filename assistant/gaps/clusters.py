"""Near-identical questions grouped: "Hoeveel subsidie krijgt een Vormingplus?" and "hoeveel subsidie krijgen vormingpluscentra" are one need.

Two questions are compared on their content words (Dutch stems, stopwords
dropped): every word of one is matched to the most similar word of the other
(character n-grams, so "krijgt"/"krijg" and "vormingplus"/"vormingpluscentra"
match), and the similarity is the average match in both directions.  Sharing one
long word is not enough: "Hoe lang mag een beleidsplan zijn?" and "Kunnen jullie
ons beleidsplan nalezen?" score 0.5, rewordings of one question 0.7 and more.
(A cosine of character n-grams over the whole question was tried first: one
shared long word dominated it, and different questions about a beleidsplan
ended up together.)  Questions are then grouped by agglomerative clustering with
average linkage (scikit-learn), which, unlike single linkage, does not chain two
different questions together through a third that resembles both.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..text.analysis import STOPWORDS, stem, words

__all__ = ["SIMILARITY", "cluster_questions", "content_key", "similarity_matrix"]

#: Similarity from which two questions count as the same question (tests/test_gaps_report.py).
SIMILARITY = 0.6
#: Word pairs less alike than this do not match at all (noise of shared bigrams).
_WORD_MATCH = 0.5


def content_words(question: str) -> list[str]:
    """The stems of a question's content words, in order."""
    return [stem(w) for w in words(question) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def content_key(question: str) -> str:
    """The content words as one string: questions with the same key are the same question."""
    return " ".join(content_words(question))


def _word_similarity(vocabulary: Sequence[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    grams = CountVectorizer(analyzer="char_wb", ngram_range=(2, 4), binary=True).fit_transform(vocabulary)
    unit = normalize(grams.astype(np.float32))
    sims = np.asarray((unit @ unit.T).toarray(), dtype=np.float32)
    sims[sims < _WORD_MATCH] = 0.0
    return sims


def similarity_matrix(questions: Sequence[str], others: Sequence[str] | None = None) -> np.ndarray:
    """Similarities (0..1) of ``questions`` with ``others`` (default: with themselves)."""
    right_texts = questions if others is None else others
    left = [content_words(q) or words(q) or ["?"] for q in questions]
    right = [content_words(q) or words(q) or ["?"] for q in right_texts]
    vocabulary = sorted({w for ws in (*left, *right) for w in ws})
    index = {w: i for i, w in enumerate(vocabulary)}
    sims = _word_similarity(vocabulary)
    # All words of all right-hand questions side by side; reduceat takes the max per question.
    columns = np.asarray([index[w] for ws in right for w in ws])
    starts = np.cumsum([0, *(len(ws) for ws in right[:-1])])
    forward = np.zeros((len(left), len(right)), dtype=np.float32)
    for i, ws in enumerate(left):
        rows = np.asarray([index[w] for w in ws])
        best = np.maximum.reduceat(sims[np.ix_(rows, columns)], starts, axis=1)
        forward[i] = best.mean(axis=0)
    # The other direction: how well each right-hand question's words are matched by the left one.
    columns_left = np.asarray([index[w] for ws in left for w in ws])
    starts_left = np.cumsum([0, *(len(ws) for ws in left[:-1])])
    backward = np.zeros((len(right), len(left)), dtype=np.float32)
    for j, ws in enumerate(right):
        rows = np.asarray([index[w] for w in ws])
        best = np.maximum.reduceat(sims[np.ix_(rows, columns_left)], starts_left, axis=1)
        backward[j] = best.mean(axis=0)
    return np.asarray((forward + backward.T) / 2.0, dtype=np.float32)


def cluster_questions(questions: Sequence[str], threshold: float = SIMILARITY) -> list[list[int]]:
    """Groups of indexes into ``questions`` (largest group first, then by first index)."""
    n = len(questions)
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    from sklearn.cluster import AgglomerativeClustering

    distance = np.clip(1.0 - similarity_matrix(questions), 0.0, 1.0)
    np.fill_diagonal(distance, 0.0)
    labels = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=1.0 - threshold
    ).fit_predict(distance)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))
