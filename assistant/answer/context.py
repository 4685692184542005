"""What every answer candidate of one question is measured against.

The question's terms with their weights, the words it asks about, the term it
defines or quotes, and how much of it a stretch of source text covers (with the
thesaurus and word starts).  Built once per question by
:func:`assistant.answer.candidates.candidates`.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from ..query.model import AnswerKind, Query
from ..text.analysis import PREFIX, Analyzer, fold, stem, thesaurus, words
from . import signals
from .figures import qualifier_forms
from .subject import role_asked

if TYPE_CHECKING:
    from ..index.snapshots import Snapshot

#: A score or a rating asked: "hoe goed scoorde", "gemiddelde score", "hoe tevreden".
_SCORE_ASKED = re.compile(r"\bscoor\w*|\bscore\w*|\btevreden\w*|\bhoe goed\b")
_QUOTED_TERM = re.compile(r"[‘'\"“]([^‘'\"“”’]{3,60})[’'\"”]")


class QuestionContext:
    """What every candidate of one question is measured against."""

    def __init__(self, query: Query, weights: dict[str, float], snapshot: Snapshot) -> None:
        self.query = query
        self.weights = weights
        self.total = math.fsum(weights.values()) or 1.0
        self.snapshot = snapshot
        self.analyzer: Analyzer = snapshot.lexical.analyzer
        self.qnumbers = signals.numbers_of(query.with_context)
        self.qterms = frozenset(query.terms) | frozenset(query.context_terms)
        self.qualifier = qualifier_forms(query.qualifier)
        self.related = {t: frozenset(thesaurus().expand([t])) for t in weights}
        self.defined = signals.defined_term(query.text) if query.kind is AnswerKind.DEFINITION else ""
        # A term the question quotes ("Wie valt er onder 'community' ...?") is what it asks about.
        quoted = _QUOTED_TERM.search(query.text)
        self.quoted = " ".join(fold(quoted.group(1)).split()[:4]) if quoted else ""
        # A follow-up ("Bestaan daar ook screencasts over?") asks its own words about the previous subject.
        # The 5-letter start of each longer question word, by its term: "begeleidde" is answered by
        # "begeleiding", "afhaakten" by "afhaken" (forms the stemmer keeps apart).
        self.starts = {
            stem(w): "~" + w[:PREFIX] for w in words(query.with_context) if len(w) >= PREFIX + 2 and not w[0].isdigit()
        }
        self.own = frozenset(query.terms) & weights.keys() if query.is_follow_up else frozenset()
        #: The question's own words, folded: a name it asks about is no answer to "wie".
        self.asked_words = frozenset(words(query.with_context))
        # ("welke vraag klopten verenigingen ...": a focus that runs into the verb names no group of people)
        self.names_asked = 0 < len(query.focus) <= 2 and query.focus[-1] in signals.NAMED_PLURALS
        self.own_total = math.fsum(weights[t] for t in self.own)
        #: A share answers it as well as a count: "Hoe goed scoorden de opleidingen gemiddeld?" ("80%").
        self.shares = query.wants_percentage or bool(_SCORE_ASKED.search(query.normalised))
        #: "Wie is de directeur van Socius?": the role asked and the organisation it is asked of.
        self.role = role_asked(query) if query.kind is AnswerKind.PERSON else None

    def title_asks(self, title: str) -> bool:
        """Does a ``title`` say what this part asks in its own words, a year aside ("In- en uitdiensttredingen")?"""
        said = frozenset(t for t in self.terms(title) if not t[:1].isdigit())
        return any(t in said or self.related[t] & said for t in self.query.terms if t in self.weights)

    def own_share(self, terms: frozenset[str]) -> float:
        """For a follow-up: the share of its own words (not the borrowed ones) that ``terms`` cover; else 1."""
        if not self.own_total:
            return 1.0
        score = math.fsum(self.weights[t] for t in self.own & terms)
        score += 0.5 * math.fsum(self.weights[t] for t in self.own - terms if self.related[t] & terms)
        return score / self.own_total

    def echoes(self, question: str) -> bool:
        """Does a question in the source ("Waarom Kroatië?", "Hoe verloopt een vraag?") ask what was asked:
        most of its words are the question's?"""
        own = self.terms(question)
        return len(own) >= 1 and len(own & self.qterms) >= max(1, (len(own) + 1) // 2)

    def terms(self, text: str) -> frozenset[str]:
        """Index terms of a text (no prefix terms), memoised with the index generation."""
        key = ("terms", text)
        cached: frozenset[str] | None = self.snapshot.memo.get(key)
        if cached is None:
            cached = self.snapshot.memo[key] = frozenset(t for t in self.analyzer.terms(text) if not t.startswith("~"))
        return cached

    def prefixes(self, text: str) -> frozenset[str]:
        """The 5-letter word starts of a text ("~begel"), memoised with the index generation."""
        key = ("prefixes", text)
        cached: frozenset[str] | None = self.snapshot.memo.get(key)
        if cached is None:
            cached = self.snapshot.memo[key] = frozenset(t for t in self.analyzer.terms(text) if t.startswith("~"))
        return cached

    def coverage(self, terms: frozenset[str], starts: frozenset[str] = frozenset()) -> float:
        """IDF-weighted share of the question's terms in ``terms``; a thesaurus neighbour counts half.

        "verbouwingswerken" answers "verbouwd", "Personeel" answers "lonen": the question's
        everyday word for what the publication names otherwise (see the thesaurus).
        """
        own = terms & self.weights.keys()
        # Summed exactly (math.fsum): a plain sum over a set adds in hash order, and the last bit it differs by
        # decided between candidates that cover the question equally (the answer changed with PYTHONHASHSEED).
        score = math.fsum(self.weights[t] for t in own)
        score += 0.5 * math.fsum(
            w
            for t, w in self.weights.items()
            if t not in own and (self.related[t] & terms or (starts and self.starts.get(t, "") in starts))
        )
        return score / self.total


__all__ = ["QuestionContext"]
