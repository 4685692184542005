"""Typing errors in a question, repaired before it is analysed ("Hoevel" -> "Hoeveel", "orgnisatie" -> "organisatie").

A typo hides the kind of question ("Hoevel abonnees ...?" is no figure question), keeps a term
out of retrieval and makes a question look foreign to the publications.  A word is repaired only
when all of these hold:

- it is not a word of the publications, and general Dutch (``wordfreq``) knows it rarely or not at all;
- one edit (a letter dropped, added or changed, or two letters swapped) turns it into a word that the
  publications use, or that general Dutch uses far more often;
- it is no name (a capital inside the sentence), abbreviation, number, address or short word.

``pyspellchecker``'s Dutch list was measured as the alternative: it knows "wanner" and "siene", so it
kept "wanner" and turned "sience" into "siene"; the publications' own words plus ``wordfreq``'s
frequencies repair both, and need no second dictionary.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..text.lemmas import lemma

__all__ = ["Speller", "word_counts"]

#: A plain word: letters only, not part of an address, a file name or a number ("socius.be", "2021-2025").
_WORD = re.compile(r"(?<![\w@./\\])([^\W\d_]+)(?![\w@/\\]|\.[^\W\d_])")
_LETTERS = "abcdefghijklmnopqrstuvwxyzàáäèéëïíóöúü"
#: General Dutch this frequent (zipf) counts as a word of its own, whatever the publications use.
_KNOWN = 2.0
#: A repair that the publications do not use must be this common in general Dutch (zipf) ...
_COMMON = 3.0
#: ... and this much more frequent than the word typed.
_MARGIN = 1.5


def word_counts(texts: Iterable[str]) -> Counter[str]:
    """How often each lower-cased word occurs in ``texts`` (the publications' vocabulary)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w.lower() for w in re.findall(r"[^\W\d_]+", text))
    return counts


@dataclass
class Speller:
    """Repairs one-letter typing errors against the publications' words and general Dutch frequencies.

    ``frequencies`` (word -> relative frequency) defaults to ``wordfreq``'s Dutch list, loaded on first
    use and kept by this object; tests pass their own.
    """

    frequencies: Mapping[str, float] | None = None

    def correct(self, text: str, vocabulary: Mapping[str, int]) -> tuple[str, tuple[tuple[str, str], ...]]:
        """``text`` with its typos repaired, and the (typed, repaired) pairs."""
        fixes: list[tuple[str, str]] = []

        def repair(m: re.Match[str]) -> str:
            word = m.group(1)
            start = _starts_sentence(text, m.start())
            better = self._repair(word, vocabulary, sentence_start=start, question=start and _asks(text, m.end()))
            if better is None:
                return word
            fixes.append((word, better))
            return better

        repaired = _WORD.sub(repair, text)
        return repaired, tuple(fixes)

    def _repair(
        self, word: str, vocabulary: Mapping[str, int], *, sentence_start: bool, question: bool = False
    ) -> str | None:
        if len(word) < 4 or any(c.isupper() for c in word[1:]):
            return None  # a short word, an abbreviation or a name in capitals ("VTE", "McDonald")
        if word[0].isupper() and not sentence_start:
            return None  # a name: "Pogon", "Wichelen"
        folded = word.lower()
        if vocabulary.get(folded, 0) > 0:
            return None
        typed = self._zipf(folded)
        # The first word of a question is most likely a question word ("Hoevel" -> "Hoeveel", not "Hoewel"),
        # even when general Dutch knows the typo as a word ("wanner").
        asking = sentence_start and question
        edits = _edits(folded)
        if asking and typed < _COMMON and edits & _QUESTION_WORDS:
            return _cased(max(edits & _QUESTION_WORDS, key=self._zipf), word)
        if typed >= _KNOWN or self._lemma_known(folded, vocabulary):
            return None  # a Dutch word, or a form of one ("deelnames", "klopten", "richtinggevende")
        best: tuple[bool, float, int, str] | None = None
        for cand in edits:
            if cand[0] != folded[0] or _inflected(folded, cand):
                continue  # typos rarely hit the first letter; "-s", "-en", "-e" is a form, not a typo
            known = vocabulary.get(cand, 0)
            zipf = self._zipf(cand)
            if not known and zipf < max(_COMMON, typed + _MARGIN):
                continue
            key = (known > 0, zipf, known, cand)
            if best is None or key > best:
                best = key
        if best is None:
            return None
        return _cased(best[-1], word)

    def warm(self) -> None:
        """Load the word frequencies now (so the first question is fast)."""
        self._frequencies()

    def _lemma_known(self, word: str, vocabulary: Mapping[str, int]) -> bool:
        base = lemma(word)
        return base != word and (vocabulary.get(base, 0) > 0 or self._zipf(base) >= _KNOWN)

    def _zipf(self, word: str) -> float:
        freq = self._frequencies().get(word, 0.0)
        return math.log10(freq) + 9 if freq > 0 else 0.0

    def _frequencies(self) -> Mapping[str, float]:
        if self.frequencies is None:
            from wordfreq import get_frequency_dict

            self.frequencies = get_frequency_dict("nl")
        return self.frequencies


def _edits(word: str) -> set[str]:
    """Every string one edit away: a letter dropped, swapped with the next, changed or added."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    out |= {a + c + b for a, b in splits for c in _LETTERS}
    out.discard(word)
    return out


_QUESTION_WORDS = frozenset(
    [
        "hoeveel",
        "hoe",
        "wanneer",
        "waarom",
        "welke",
        "welk",
        "waar",
        "wat",
        "wie",
        "hoelang",
        "waarvoor",
        "waarover",
        "waarmee",
        "waarin",
    ]
)


def _inflected(word: str, other: str) -> bool:
    """Do the two differ only by an inflection ending ("medewerker" / "medewerkers", "deelname" / "deelnames")?"""
    short, long = sorted((word, other), key=len)
    return long.startswith(short) and long[len(short) :] in ("s", "e", "n", "t")


def _asks(text: str, at: int) -> bool:
    """Does the sentence that goes on at ``at`` end in a question mark?"""
    m = re.search(r"[.!?]", text[at:])
    return m is not None and m.group(0) == "?"


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip(" \"'“‘(")
    return not before or before[-1] in ".!?:"


def _cased(repair: str, typed: str) -> str:
    """The repair with the typed word's leading capital ("Hoevel" -> "Hoeveel")."""
    return repair[:1].upper() + repair[1:] if typed[:1].isupper() else repair
