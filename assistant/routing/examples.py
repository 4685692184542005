"""The router's data: example requests, topic and sector keywords, and a TF-IDF neighbour index."""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError
from ..text.analysis import normalise_text, stem, words
from .decision import ROUTES, TOPICS


@dataclass(frozen=True)
class RouteExample:
    """One labelled example request of ``route_examples.jsonl``."""

    text: str
    route: str
    kind: str
    topic: str


@dataclass(frozen=True)
class EscalateCue:
    group: str
    weight: float
    kind: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Keyword:
    """A topic or sector keyword: a stem, a prefix/suffix/infix of a word, or a phrase."""

    mode: str  # "stem" | "prefix" | "suffix" | "infix" | "phrase"
    value: str

    def hits(self, tokens: Sequence[str], stems: frozenset[str], joined: str) -> set[str]:
        """The tokens (or the phrase) of a question that this keyword matches."""
        v = self.value
        if self.mode == "stem":
            return {t for t in tokens if stem(t) == v} if v in stems else set()
        if self.mode == "prefix":
            return {t for t in tokens if t.startswith(v)}
        if self.mode == "suffix":
            return {t for t in tokens if t.endswith(v)}
        if self.mode == "infix":
            return {t for t in tokens if v in t}
        return {v} if re.search(rf"(?<![a-z0-9]){re.escape(v)}(?![a-z0-9])", joined) else set()


def keyword(raw: str) -> Keyword:
    body = raw.strip().strip("*")
    parts = words(body)
    if not parts:
        raise ConfigError(f"het trefwoord {raw!r} bevat geen letters; verbeter het in topics.json.")
    if len(parts) > 1:
        return Keyword("phrase", " ".join(parts))
    token = parts[0]
    starts, ends = raw.strip().startswith("*"), raw.strip().endswith("*")
    if starts and ends:
        return Keyword("infix", token)
    if ends:
        return Keyword("prefix", token)
    if starts:
        return Keyword("suffix", token)
    return Keyword("stem", stem(token))


def normalise(text: str) -> str:
    """The form patterns are written for: folded, straight quotes, single spaces."""
    return normalise_text(text)


def compile_pattern(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as err:
        raise ConfigError(
            f"ongeldige reguliere expressie in {where}: {pattern!r} ({err}); verbeter het patroon."
        ) from err


def load_examples(path: Path) -> list[RouteExample]:
    """Read and validate the example requests (one JSON object per line)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise ConfigError(f"kan de routevoorbeelden {path} niet lezen: {err.strerror}; controleer het pad.") from err
    out: list[RouteExample] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            ex = RouteExample(str(row["text"]).strip(), row["route"], str(row.get("kind", "")), row["topic"])
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise ConfigError(
                f"{path}:{number}: geen geldig voorbeeld ({err}); verwacht text, route, kind, topic."
            ) from err
        if ex.route not in ROUTES or ex.topic not in TOPICS or not ex.text:
            raise ConfigError(
                f"{path}:{number}: route moet een van {ROUTES} zijn, topic een van {TOPICS}, en text mag niet leeg zijn."
            )
        out.append(ex)
    if not out:
        raise ConfigError(f"{path} bevat geen routevoorbeelden; voeg er minstens één toe.")
    return out


class LexicalNeighbours:
    """TF-IDF over stems and stem bigrams of *all* words, the no-embedder kNN.

    Stopwords stay in: for routing, "ons", "jullie" and "kunnen" carry the signal
    (a request addressed to staff about our organisation), unlike in retrieval.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        docs = [self._features(words(t)) for t in texts]
        df: Counter[str] = Counter(f for d in docs for f in set(d))
        n = len(docs)
        self._vocab = {f: i for i, f in enumerate(sorted(df))}
        self._idf = np.array([math.log((n + 1) / (df[f] + 1)) + 1.0 for f in sorted(df)], dtype=np.float32)
        self.matrix = np.vstack([self._vector(d) for d in docs])

    @staticmethod
    def _features(tokens: Sequence[str]) -> Counter[str]:
        stems = [stem(w) for w in tokens]
        return Counter(stems + [f"{a}_{b}" for a, b in itertools.pairwise(stems)])

    def _vector(self, feats: Counter[str]) -> npt.NDArray[np.float32]:
        v = np.zeros(len(self._vocab), dtype=np.float32)
        for f, c in feats.items():
            i = self._vocab.get(f)
            if i is not None:
                v[i] = (1.0 + math.log(c)) * self._idf[i]
        norm = float(np.linalg.norm(v))
        return v / norm if norm > 0 else v

    def query(self, tokens: Sequence[str]) -> npt.NDArray[np.float32]:
        """The unit TF-IDF vector of a question's word tokens (unknown features are ignored)."""
        return self._vector(self._features(tokens))
