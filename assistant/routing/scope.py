"""Is a question about this domain at all?  Judged from what it asks, not from one shared word.

Three signals, each general (Dutch grammar and word statistics, not a list of
forbidden topics):

- a **task request**: an imperative or a "kun je ... schrijven/maken/vertalen" asking
  for something to be produced (a poem, a speech, code, a translation, a
  calculation) — the assistant quotes publications, it does not produce texts;
- the **vocabulary**: which content words of the question the corpus uses typically
  (far more often than general Dutch does, per ``wordfreq``), which it does not
  know at all although they are ordinary Dutch words (the thing asked about lies
  outside the publications: "inwonersaantal", "recept"), and which are only names;
- whether the question **addresses** the organisation or the sector.

The router combines them with the answer support found in the publications: a
question whose content the publications cover is never declined for its wording.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..query.model import Query
from ..text.analysis import STOPWORDS, stem, thesaurus
from ..text.lemmas import lemma
from .nearmiss import later_years, years_beyond
from .tasks import (
    _CREATIVE,
    _INFO_OBJECTS,
    _MATH,
    _OBJECT_SKIP,
    _TRANSLATION,
    _asks_product,
    _request,
    reckons_own_figures,
)
from .vocabulary import FRAME_WORDS, FUNCTION_WORDS, FUNCTION_ZIPF, general_zipf

#: At or above this Zipf frequency a word is ordinary Dutch ("laptop" 4.5); rarer ones are specialised.
_ORDINARY_ZIPF = 3.0

#: Words that tie a question to the organisation or the sector it serves.
_ADDRESS = re.compile(
    r"\b(socius|steunpunt|jullie|uw organisatie|sociaal-cultureel|sociaal cultureel|socio-cultureel|\w*decreet|"
    r"sector|volwassenenwerk|\w*beleidsplan\w*|\w*subsidie\w*|visitatie\w*|vraaggestuurd\w*|trefdag|toolbox|"
    r"\w*vrijwillig\w*|\w*vereniging\w*|\w*vorming\w*|jaarverslag|publicatie\w*|\w*organisatie\w*|"
    r"beleidsperiode|team|personeel\w*|medewerkers?|stafmedewerkers?)\b"
)


@dataclass(frozen=True)
class ScopeSignals:
    """What the question's wording says about its scope (see the module docstring)."""

    task: bool
    addresses: bool
    #: Content words the corpus uses typically (domain vocabulary), not names.
    domain: tuple[str, ...]
    #: Ordinary Dutch content words the corpus never uses: the thing asked lies elsewhere.
    foreign: tuple[str, ...]
    #: Content words the corpus knows only as a name (capitalised): places, people.
    names: tuple[str, ...]
    #: How many content words the question has (function words, stopwords and numbers aside).
    content: int = 0
    #: How many of them the corpus uses (as written, lemma, stem, thesaurus neighbour or compound).
    known: int = 0
    #: Mean domain affinity of the content words: corpus Zipf frequency minus general Dutch Zipf frequency,
    #: each clipped to [-3, 3] (positive: the publications' vocabulary; negative: what they never say).
    affinity: float = 0.0
    #: The lowest domain affinity of a content word (the one most foreign to the publications).
    lowest_affinity: float = 0.0
    #: Mean domain affinity of what is asked *about* a name: the content words that are no name in the
    #: corpus and that the asker does not capitalise ("Wat is de geschiedenis van Mechelen?": geschiedenis);
    #: 0 when there are none ("Wat is Bolwerk in Kortrijk?").
    asked_affinity: float = 0.0
    #: The asker speaks of "mijn"/"m'n" (a private matter unless an organisation is addressed).
    private: bool = False
    #: The question names the organisation itself ("Socius", "het steunpunt").
    organisation: bool = False
    #: The lowest domain affinity of what the asker calls their own ("onze basisschool", "mijn webshop"),
    #: 0 when they call nothing their own: the setting of the question, in or outside the sector.
    own_affinity: float = 0.0
    #: The domain affinity of what a request asks for ("Welk leerplatform raad je aan", "Kun je een
    #: evaluatieformulier opstellen"), at most 0; 0 without a request.
    object_affinity: float = 0.0
    #: Years the question asks about that lie after what the publications report on (see
    #: :func:`~assistant.routing.nearmiss.later_years`): staff know, the publications cannot.
    later_years: tuple[int, ...] = ()
    #: Single years the question names after the report year, whatever it asks of them ("de Trefdag 2024"):
    #: the publications may announce them, so an answer must carry what is asked (see ``settle``).
    beyond_years: tuple[int, ...] = ()

    @property
    def looks_outside(self) -> bool:
        """Nothing ties the question to the domain and it asks about something the corpus does not know."""
        return not self.addresses and not self.domain and bool(self.foreign)


class Scope:
    """The corpus vocabulary, its word frequencies against general Dutch, and the scope signals of a question.

    Built from the index's chunk texts (one per index generation) by
    :meth:`from_texts`; ``general`` gives a word's Zipf frequency in general Dutch
    (``wordfreq``; injectable for tests).
    """

    def __init__(
        self,
        counts: Counter[str],
        capitalised: Counter[str],
        general: object = None,
        report_year: int | None = None,
        lexicon: Callable[[str], bool] | None = None,
    ) -> None:
        self.counts = counts
        #: The sector's words beyond the corpus (the router's sector vocabulary), or ``None``.
        self.lexicon = lexicon
        #: Set on the view :meth:`signals` uses when the sector's words are the question's subject.
        self._sector_subject = False
        #: The year the publications report on (the year they name most often), if known.
        self.report_year = report_year
        self.capitalised = capitalised
        self.seen = frozenset(counts) | frozenset(capitalised)
        self.total = max(1, sum(counts.values()))
        self._general = general
        self._stems = frozenset(stem(w) for w in self.seen)
        # Word families by their first five letters ("erken": erkend, erkende, erkenning).
        self._families: Counter[str] = Counter()
        for w, c in counts.items():
            if len(w) >= 6:
                self._families[w[:5]] += max(c, 0)

    @classmethod
    def from_texts(cls, texts: Iterable[str], lexicon: Callable[[str], bool] | None = None) -> Scope:
        """The scope of a corpus; ``lexicon`` (the router's :attr:`~.router.Router.lexicon`) names the sector's
        words beyond it (``None``: the corpus alone decides)."""
        counts: Counter[str] = Counter()
        capitalised: Counter[str] = Counter()
        years: Counter[int] = Counter()
        for text in texts:
            years.update(int(y) for y in _YEAR.findall(text))
            # Acronyms too ("GDPR-redenen", "VTE"): written in capitals, they are words, not names.
            for m in re.finditer(r"[A-Za-zÀ-ÿ][A-Za-zà-ÿ'-]+", text):
                w = m.group(0)
                low = fold_word(w)
                counts[low] += 1
                if "-" in low:
                    # "Socius-team": the parts are words of the corpus too.
                    counts.update(p for p in low.split("-") if len(p) >= 3)
                if w[0].isupper() and not w.split("-")[0].isupper():
                    # Only capitals inside a sentence make a name: a line start, a table label or a
                    # list item is capitalised whatever the word is.
                    before = text[max(0, m.start() - 2) : m.start()]
                    if re.fullmatch(r"[\w,;’'] ", before):
                        capitalised[low] += 1
                    else:
                        counts[low] -= 1  # says nothing either way
        return cls(
            counts,
            capitalised,
            report_year=years.most_common(1)[0][0] if years else None,
            lexicon=lexicon,
        )

    def general_zipf(self, word: str) -> float:
        """Zipf frequency of a word in general Dutch (0 = unknown, 7 = most common)."""
        if self._general is not None:
            return float(self._general(word))  # type: ignore[operator]
        return general_zipf(word)

    def known(self, word: str) -> bool:
        """Does the corpus use ``word``: as written, its lemma, its stem or a thesaurus neighbour?

        "kantoren" is known through "kantoor", "verbouwd" through "verbouwingswerken" (one group
        in the thesaurus): the question's word for what the publications name otherwise.
        """
        if word in self.seen or lemma(word) in self.seen or self._sector(word):
            return True
        s = stem(word)
        return s in self._stems or any(n in self._stems for n in thesaurus().expand([s]))

    def is_name(self, word: str) -> bool:
        """(Nearly) never written in lower case inside a sentence: a place, a person, an organisation."""
        n = self.counts.get(word, 0)
        # Nearly always: a heading may lower-case a name once ("Leerreis zagreb en omgeving").
        return n > 0 and self.capitalised.get(word, 0) >= 0.8 * n

    def name_in(self, word: str, query: Query) -> bool:
        """A name in this question: one the corpus writes as a name and the asker does not write in lower case.

        "Wie is de koning van België?": the corpus writes "Koning" only in a name ("Koning
        Boudewijnstichting"), the asker writes "koning" as the common word it is, so it is asked about,
        not named.  An asker who writes nothing capitalised leaves it to the corpus.
        """
        return self.is_name(word) and word not in lowercase_words(query.text)

    def typical(self, word: str) -> bool:
        """Does the corpus use ``word`` (or its lemma) at least ten times more often than general Dutch?"""
        if self._sector(word) or (word in self.seen and self.general_zipf(word) < 3.0):
            return True  # a word of the sector, or a specialised word the publications use ("visitatie")
        n = max(self.counts.get(word, 0), self.counts.get(lemma(word), 0), self.capitalised.get(word, 0))
        if n < 2:
            return False
        corpus_zipf = math.log10(n / self.total * 1e9)
        return corpus_zipf - self.general_zipf(word) >= 1.0

    def _outside_request(self, sentence: str) -> bool:
        """A request whose object the publications are not about ("Maak een quiz ...", "Welke laptop raad je aan")."""
        request = _request(sentence)
        if request is None:
            return False
        head = request.head
        if _CREATIVE.fullmatch(head):
            return True  # a recipe, a poem, a speech: never in the publications, whatever it is for
        parts = [head, *head.split("-")] if "-" in head else [head]
        if any(p in _INFO_OBJECTS or lemma(p) in _INFO_OBJECTS or _ADDRESS.search(p) for p in parts):
            return False
        if any(self._used(p) for p in parts):
            return False
        if request.make:
            return True  # something to be made is a task whatever it is for ("een quiz ... voor de ledenavond")
        # Something sought or asked how to do is outside only when it is an ordinary Dutch word that the
        # publications (nearly) never use ("laptop", "camping"; not a rare compound like "jaarplan") and
        # nothing else in the sentence is of the domain ("een kopie van het jaarverslag" is not).
        ordinary = any(self.general_zipf(w) >= _ORDINARY_ZIPF for w in request.object_words)
        return ordinary and not any(self._domain_word(w) for w in request.rest if w != head)

    def _used(self, word: str) -> bool:
        """Used by the publications as a word of their own: twice or more, typically, or as a compound of one."""
        used = max(
            self.counts.get(word, 0),
            self.counts.get(lemma(word), 0),
            self._families.get(word[:5], 0) if len(word) >= 6 else 0,
        )
        return used >= 2 or self.typical(word) or self.typical(lemma(word)) or compound_known(word, self)

    def _domain_word(self, word: str) -> bool:
        if len(word) < 4 or word in STOPWORDS or word in _OBJECT_SKIP:
            return False
        if _ADDRESS.search(word):
            return True  # "Socius", "vrijwilligers": the sector itself, a name or not
        if self.is_name(word):
            return False
        return self.typical(word) or compound_known(word, self)

    def _sector(self, word: str) -> bool:
        """A word of the sector (its lexicon) in a question whose subject the sector is."""
        return self._sector_subject and self.lexicon is not None and self.lexicon(word)

    def signals(self, query: Query) -> ScopeSignals:
        """The scope signals of a question.

        The publications are a small corpus: the sector speaks of "werkgroepen", "vergaderingen" and
        "activiteiten" that they may never name.  The sector's lexicon counts as domain vocabulary when
        the sector is the question's subject ("Hoe verdeel je de taken in een werkgroep?"), not when the
        asker only sets a scene in their own organisation ("... voor de brunch van onze vzw"): a question
        with a possessive (onze, ons, mijn) is judged on the corpus alone.
        """
        if self.lexicon is not None and not any(w in _POSSESSIVE for w in query.words):
            view = copy.copy(self)
            view._sector_subject = True
            return view._signals(query)
        return self._signals(query)

    def _signals(self, query: Query) -> ScopeSignals:
        text = query.normalised
        domain: list[str] = []
        foreign: list[str] = []
        names: list[str] = []
        affinities: list[float] = []
        asked: list[float] = []
        capitalised = capitalised_words(query.text)
        known = 0
        for w in query.words:
            if w in STOPWORDS or len(w) < 3 or w.isdigit():
                continue
            if w not in FUNCTION_WORDS and w not in FRAME_WORDS and self.general_zipf(w) < FUNCTION_ZIPF:
                affinities.append(self.affinity(w))
                known += self.known(w) or compound_known(w, self)
                if w not in capitalised and not self.name_in(w, query):
                    asked.append(affinities[-1])
            if self.known(w):
                if self.name_in(w, query):
                    names.append(w)
                elif self.typical(w):
                    domain.append(w)
            elif compound_known(w, self):
                domain.append(w)  # "diversiteitswerk": a compound of a domain word
            elif 2.5 <= self.general_zipf(w) < FUNCTION_ZIPF and w not in FUNCTION_WORDS and w not in FRAME_WORDS:
                # An ordinary Dutch word (not a function word) that the publications never use.
                foreign.append(w)
        sentences = [t.strip() for t in re.split(r"(?<=[.!?:])\s+", text) if t.strip()]
        task = (
            any(_asks_product(t) for t in sentences)
            or bool(_TRANSLATION.search(text))
            or bool(_MATH.search(text))
            or reckons_own_figures(text)
            or any(self._outside_request(t) for t in sentences)
        )
        return ScopeSignals(
            task=task,
            addresses=bool(_ADDRESS.search(text)),
            domain=tuple(domain),
            foreign=tuple(foreign),
            names=tuple(names),
            content=len(affinities),
            known=known,
            affinity=sum(affinities) / len(affinities) if affinities else 0.0,
            lowest_affinity=min(affinities, default=0.0),
            asked_affinity=sum(asked) / len(asked) if asked else 0.0,
            private=bool(_PRIVATE.search(text)),
            organisation=bool(_ORGANISATION.search(text)),
            own_affinity=min((self.affinity(w) for w in _owned(query.words)), default=0.0),
            later_years=later_years(query, self.report_year),
            beyond_years=years_beyond(query, self.report_year),
            object_affinity=min([0.0, *(self.affinity(r.head) for t in sentences if (r := _request(t)) is not None)]),
        )

    def affinity(self, word: str) -> float:
        """How much ``word`` belongs to the publications' vocabulary, in [-3, 3].

        A word they use: its corpus Zipf frequency minus its general Dutch one (the sector's words far
        above zero).  A word they know only through a lemma, stem, thesaurus neighbour or compound: 0.
        A word they never use: below zero, the more so the more ordinary it is in general Dutch
        ("haag", "belastingaangifte"), because an ordinary word the publications never say names what
        they are not about, while a rare one may be a paraphrase.
        """
        if self._sector(word):
            return max(1.0, self._corpus_affinity(word))
        return self._corpus_affinity(word)

    def _corpus_affinity(self, word: str) -> float:
        n = max(self.counts.get(word, 0), self.counts.get(lemma(word), 0), self.capitalised.get(word, 0))
        if n > 0:
            corpus_zipf = math.log10(n / self.total * 1e9)
            return max(-3.0, min(3.0, corpus_zipf - self.general_zipf(word)))
        if self.known(word) or compound_known(word, self):
            return 0.0
        return max(-3.0, -1.0 - max(0.0, self.general_zipf(word) - 2.0) / 2)


#: A year in running text (not part of a longer number or a date range's second half).
_YEAR = re.compile(r"(?<![\d-])(19[89]\d|20\d\d)(?!\d)")

#: A private matter: "mijn hond", "m'n belastingaangifte" (the router weighs it against the rest).
_PRIVATE = re.compile(r"\b(?:mijn|m'n|mn)\b")
#: The organisation itself, by name.
_ORGANISATION = re.compile(r"\b(?:socius|steunpunt)\b")


#: What the asker calls their own: "onze", "ons", "mijn" and the (up to two) words after it.
_POSSESSIVE = frozenset(["onze", "ons", "mijn", "m'n", "mn"])


def _owned(tokens: tuple[str, ...]) -> list[str]:
    """The content words right after a possessive ("onze kleine basisschool" -> kleine, basisschool)."""
    out: list[str] = []
    for i, w in enumerate(tokens):
        if w in _POSSESSIVE:
            out.extend(t for t in tokens[i + 1 : i + 3] if t not in STOPWORDS and len(t) >= 3 and not t.isdigit())
    return out


def unnamed(texts: Iterable[str], query: Query, scope: Scope) -> list[str]:
    """``texts`` without the names that carry a word the asker writes in lower case.

    "Wie is de koning van België?" is not answered by a sentence about the "Koning Boudewijnstichting":
    a word the corpus writes only in a name, written inside a sentence with its capital, is that name
    there, not the thing asked about.
    """
    lower = lowercase_words(query.text)
    if not lower:
        return list(texts)

    def keep(m: re.Match[str]) -> str:
        w = fold_word(m.group(0))
        inside = m.start() >= 2 and re.match(r"[\w,;’'] ", m.string[m.start() - 2 : m.start()]) is not None
        return "" if inside and w in lower and scope.is_name(w) else m.group(0)

    return [re.sub(r"(?<=\s)[A-ZÀ-Þ][\w'-]*", keep, t) for t in texts]


def capitalised_words(text: str) -> frozenset[str]:
    """The (folded) words a text capitalises after its first word: names, as the asker writes them."""
    found = re.findall(r"[\w'-]+", text)
    return frozenset(fold_word(w) for w in found[1:] if w[0].isupper())


def lowercase_words(text: str) -> frozenset[str]:
    """The (folded) words a text writes in lower case; empty when it capitalises none (all lower case)."""
    found = re.findall(r"[\w'-]+", text)
    if not any(w[0].isupper() for w in found):
        return frozenset()
    return frozenset(fold_word(w) for w in found if w[0].islower())


def compound_known(word: str, scope: Scope) -> bool:
    """A compound of a domain word ("vrijwilligersavond": "vrijwilligers" + "avond") is not foreign."""
    for i in range(4, len(word) - 3):
        head, tail = word[:i], word[i:]
        if (scope.typical(head) or scope.typical(head.rstrip("s"))) and scope.known(tail):
            return True
    return False


def fold_word(word: str) -> str:
    import unicodedata

    w = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in w if not unicodedata.combining(c))
