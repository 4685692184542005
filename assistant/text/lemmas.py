"""Dutch lemmas (simplemma's packaged Dutch data): plural nouns and base forms.

Snowball stems are for matching; lemmas are for grammar: "stappen" is the plural
of "stap", so "Welke stappen ...?" asks for a list.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    """The Dutch lemma of a folded word ("kantoren" -> "kantoor"); the word itself when unknown."""
    import simplemma

    return str(simplemma.lemmatize(word, lang="nl"))


def is_plural(word: str) -> bool:
    """True for a plural noun form: its lemma differs and the word ends like a Dutch plural."""
    if word.endswith("'s"):
        return True
    if len(word) < 3 or not word.endswith(("en", "s", "eren")):
        return False
    base = lemma(word)
    if base == word:
        # A compound simplemma does not know: its head decides ("kennisomgevingen" -> "omgevingen").
        heads = (word[i:] for i in range(3, len(word) - 4))
        return any(lemma(h) != h and not lemma(h).endswith("en") for h in heads if len(h) >= 5)
    return not base.endswith("en") or word.endswith("ies")
