"""Dutch morphology the Snowball stems miss, as extra index terms: lemmas, separable verbs, negation.

The stems join regular forms ("organisaties" / "organisatie"), not these:

- irregular verbs and participles: "gaf" and "gegeven" are forms of "geven", "namen" and
  "genomen" of "nemen" (simplemma's Dutch lemmas, :mod:`assistant.text.lemmas`);
- separable verbs: "Socius gaf 257.229 euro uit aan werking" uses "uitgeven", "organisaties
  klopten aan" uses "aankloppen": a particle after a verb in the same sentence joins it;
- negation: "niet-erkende organisaties", "niet erkend" and "zonder erkenning" all say *not*
  recognised, yet "niet" and "zonder" are stopwords and "niet-erkende" indexes as "erkende", the
  opposite.  A negator before a word gives one term for the negated word (its first five letters,
  which noun and participle share: "erken-ning", "erken-de").

:func:`morph_terms` gives these terms for a text; they are scored as a field of their own next to
the stems (:class:`assistant.index.lexical.TermField`, weight ``MORPH_WEIGHT`` in
:mod:`assistant.query.retrieval`).
"""

from __future__ import annotations

import re

from .analysis import STOPWORDS, fold, stem
from .lemmas import lemma

__all__ = ["morph_terms"]

#: Particles of separable verbs ("uit|geven", "aan|kloppen", "op|nemen", "binnen|komen", "mee|pikken").
PARTICLES = frozenset(
    [
        "aan",
        "af",
        "bij",
        "binnen",
        "door",
        "in",
        "mee",
        "na",
        "om",
        "op",
        "over",
        "terug",
        "toe",
        "uit",
        "voor",
        "weg",
        "samen",
        "vast",
    ]
)
#: Words that negate the word after them.
NEGATORS = frozenset(["niet", "zonder", "geen", "non"])
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
_SENTENCE_END = re.compile(r"[.!?;:\n]")
#: Letters of a negated word that key its term ("erken": "erkenning", "erkende", "erkend").
NEG_PREFIX = 5


def morph_terms(text: str, query: bool = False) -> list[str]:
    """Lemma terms (``@``), separable-verb terms (``@``) and negation terms (``!``) of ``text``.

    A passage gives the lemma of every word, its separable verbs and its negations.  A ``query``
    gives only its separable verbs ("gaf ... uit" meets "uitgegeven" and "gaf ... uit") and its
    negations: the lemma of every question word as well weighed its plain words twice and, measured
    end to end, lost as many answers as it won (answers-2 key facts 0.851 -> 0.831, vers 0.714 -> 0.700,
    and 'Wat heeft de Trefdag in totaal gekost?' met the financial statement).  A separable verb
    written whole in a question ("opgenomen", "uitvoeren") gives no term either: measured, it won
    nothing and lost a follow-up ("En wie gaat dat uitvoeren?").
    """
    out: list[str] = []
    for sentence in _SENTENCE_END.split(fold(text)):
        # Hyphenated words in parts ("niet-erkende" -> "niet", "erkende"), each with its place.
        parts = [(w, i == 0) for tok in _WORD.findall(sentence) for i, w in enumerate(tok.split("-")) if w]
        verbs: list[str] = []
        negate = False
        for k, (w, first) in enumerate(parts):
            if w in NEGATORS:
                negate = True
                continue
            if negate and len(w) >= 3 and w not in STOPWORDS:
                out.append("!" + w[:NEG_PREFIX])
            if w not in STOPWORDS or (first and w in PARTICLES):
                negate = False
            if w in PARTICLES and verbs and _ends_clause(parts[k + 1][0] if k + 1 < len(parts) else ""):
                # "klopten ... aan" -> "aankloppen": a particle that closes the clause joins a verb before it.
                out.extend("@" + stem(w + v) for v in verbs[-2:])
                continue
            if w in STOPWORDS or len(w) < 3:
                continue
            lem = lemma(w).replace("_", "")
            if not query:
                out.append("@" + stem(lem))
            if lem.endswith("en") and len(lem) > 4 and lem != w:
                verbs.append(lem)  # an inflected verb form ("gaf", "klopten", "namen")
    return out


def _ends_clause(following: str) -> bool:
    """Does a particle stand at the end of its clause (not a preposition before its object)?

    "Hoeveel gaf Socius uit aan werking" and "klopten ze aan?" end the clause with the particle (a
    phrase may follow it); "in de sector", "bij Socius", "op maat" are a preposition and its object.
    """
    return not following or (following in STOPWORDS and following not in _DETERMINERS)


#: Words that open a noun phrase: after them a particle is a preposition.
_DETERMINERS = frozenset(
    [
        "de",
        "het",
        "een",
        "deze",
        "die",
        "dit",
        "dat",
        "zijn",
        "haar",
        "hun",
        "onze",
        "ons",
        "mijn",
        "jouw",
        "uw",
        "je",
        "welke",
        "elke",
        "ieder",
        "alle",
        "geen",
    ]
)
