"""How much of the question a cited answer carries: its content words, its most specific terms.

The router weighs these against the scope of the question (:mod:`.scope`): an answer
that shares only a name or the setting of the question does not answer it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..query.model import Query
from ..text.analysis import STOPWORDS, Analyzer, stem, thesaurus
from .ask import verb_form
from .scope import Scope, fold_word, unnamed
from .vocabulary import FRAME_WORDS, FUNCTION_WORDS, FUNCTION_ZIPF


def content_support(query: Query, texts: Iterable[str], scope: Scope) -> float:
    """Share of the question's content words (names and function words aside) found in ``texts``.

    A word counts as found when its first five letters occur in the folded text
    ("verbouwd" in "verbouwingswerken"): the answer's own words, not a shared name,
    must carry the question ("Hoeveel inwoners heeft Kortrijk?" shares only a name).
    """
    folded = fold_word(" ".join(unnamed(texts, query, scope)))
    content = [
        w
        for w in query.words
        if w not in STOPWORDS
        and w not in FUNCTION_WORDS
        and w not in FRAME_WORDS
        and len(w) >= 3
        and not w.isdigit()
        and not scope.name_in(w, query)
        and scope.general_zipf(w) < FUNCTION_ZIPF
    ]
    if not content:
        return 1.0
    return sum(1 for w in content if _found(w, folded)) / len(content)


def _found(word: str, folded: str) -> bool:
    """Is ``word`` (its first five letters) or a thesaurus neighbour of it in the folded text?"""
    if word[:5] in folded:
        return True
    return any(len(n) >= 4 and n[:5] in folded for n in thesaurus().expand([stem(word)]))


def specific_support(query: Query, texts: Iterable[str], idf: Mapping[str, float], analyzer: Analyzer) -> float:
    """Share of the question's two most specific terms (highest IDF the corpus knows) in ``texts``.

    "Hoeveel erkende organisaties kregen een *negatief advies*?" answered with a sentence about the
    visit says nothing about what was asked, although it shares "erkende organisaties" and "visitatie".
    A thesaurus neighbour counts ("lonen" is carried by "personeel"); a conjugated verb is no specific term.
    """
    # A verb says how something is asked ("kreeg", "ging"), not what: it is no specific term.
    verbs = {t for w in query.words if verb_form(w) for t in analyzer.terms(w)}
    own = [
        t
        for t in dict.fromkeys(query.terms)
        if not t.startswith("~") and not t.isdigit() and t in idf and t not in verbs
    ]
    if len(own) < 3:
        return 1.0  # a short question's words are all it asks
    top = sorted(own, key=lambda t: -idf[t])[:2]
    found = set(analyzer.terms(" ".join(texts)))
    return sum(1 for t in top if t in found or set(thesaurus().expand([t])) & found) / len(top)
