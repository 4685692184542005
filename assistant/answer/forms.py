"""Normalised forms of source text, computed once per distinct text.

Composing one answer compares the same sentences and chunks many times (is this
sentence boilerplate, does that candidate repeat another, is a name in the
passages): profiled, folding and normalising took about half of the composition
time (``fold`` ~350 calls per question).  The texts come from the index, so the
same few thousand strings recur across questions: each form is computed once and
kept in a bounded cache.
"""

from __future__ import annotations

from functools import lru_cache

from ..text.analysis import fold, normalise_for_match, words

#: Distinct texts kept per form: the sentences and chunks of the corpus, with room for questions.
_SIZE = 32_768


@lru_cache(maxsize=_SIZE)
def norm(text: str) -> str:
    """:func:`~assistant.text.analysis.normalise_for_match` of ``text`` (letters and digits only)."""
    return normalise_for_match(text)


@lru_cache(maxsize=_SIZE)
def folded(text: str) -> str:
    """:func:`~assistant.text.analysis.fold` of ``text`` (lower case, no diacritics)."""
    return fold(text)


@lru_cache(maxsize=_SIZE)
def word_set(text: str) -> frozenset[str]:
    """The folded word tokens of ``text`` as a set."""
    return frozenset(words(text))


__all__ = ["folded", "norm", "word_set"]
