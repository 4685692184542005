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
from functools import lru_cache

from ..query.model import Query
from ..text.analysis import STOPWORDS, stem, thesaurus
from ..text.lemmas import lemma
from .nearmiss import later_years
from .vocabulary import FRAME_WORDS, FUNCTION_WORDS, FUNCTION_ZIPF

#: Verbs that ask for something to be produced, at the start of the question or after "kun je".
_TASK_VERB = (
    r"geef (?:me|mij|ons)|schrijf(?! (?:me|mij|ons|hem|haar|jullie|u|mezelf|ons allemaal) in\b)|schrijven|maak|maken|bedenk|bedenken|verzin|verzinnen|genereer|genereren|vertaal|vertalen|"
    r"bereken|berekenen|componeer|dicht|programmeer|codeer|herschrijf|herschrijven|vat|samenvatten|"
    r"formuleer|formuleren|ontwerp|ontwerpen|teken|tekenen|rijm|rijmen|zing|zingen|los|oplossen"
)
_TASK = re.compile(
    rf"^(?:(?:mag ik|kan ik|kun(?:t)? (?:je|jij|u)|wil (?:je|jij|u)|zou (?:je|jij|u)|graag)\s+(?:\w+\s+){{0,12}}?)?(?:{_TASK_VERB})\b"
)
#: What is asked to be produced: texts for an occasion, creative forms, code, a translation.
_PRODUCT = re.compile(
    r"\b(gedicht\w*|vers(?:je)?|lied(?:je)?|liedtekst|songtekst|rap|rijm\w*|limerick|haiku|sonnet|sprookje|verhaal(?:tje)?|"
    r"mop|moppen|grap(?:je|pen)?|speech|toespraak|afscheidsspeech|afscheidstoespraak|felicitatie\w*|"
    r"uitnodiging\w*|slogan\w*|naam voor|namen voor|logo|script|code|programma|functie in|app|website|"
    r"formule|vergelijking|som|samenvatting van (?:het boek|de film)|boek\w*|film\w*|recept\w*|menu|"
    r"(?:naar|in) het (?:engels|frans|duits|spaans|italiaans|arabisch|turks|grieks|latijn))\b"
    r"|\d[\d.,]*\s*(?:%|procent|x|\*|\+|/|keer)\s*(?:van\s*)?\d"
)
#: Products that the publications never hold, whatever they are for ("een recept voor onze vergadering").
_CREATIVE = re.compile(
    r"gedicht\w*|versje|lied(?:je)?|liedtekst|songtekst|rap\w*|rijm\w*|limerick|haiku|sonnet|sprookje|mop|moppen|"
    r"grap(?:je|pen)?|speech|toespraak|\w+speech|\w+toespraak|recept\w*|quiz\w*"
)
#: A question that asks for a translation ("Hoe zeg je ... in het Frans?", "Wat is ... in het Engels?").
_TRANSLATION = re.compile(
    r"\b(?:hoe (?:zeg|schrijf|spel) je|wat is|wat betekent|hoe heet)\b.*\bin het "
    r"(?:engels|frans|duits|spaans|italiaans|arabisch|turks|grieks|latijn|pools|portugees|chinees)\b"
)
#: A request for something made, advised or solved, at the start of a sentence: "Maak een quiz ...",
#: "Ik zoek een goeie podcast", "Hoe maak ik een pasta ...", "Welke laptop raad je aan".  What follows
#: the request (its object) decides: a thing the publications are about is no task.
_REQUEST = re.compile(
    r"^(?:(?:mag ik|kan ik|kun(?:t)? (?:je|jij|u)|kan (?:je|jij|u)|wil (?:je|jij|u)|zou (?:je|jij|u)|graag|help me)\s+"
    r"(?:(?:me|mij|ons|even|eens|snel|aub|alsjeblieft|voor|een|nog)\s+)*?)?"
    r"(?:schrijf(?! (?:me|mij|ons|hem|haar|jullie|u|mezelf) in\b)|maak|bedenk|verzin|genereer|componeer|ontwerp|teken|programmeer|codeer|herschrijf|bereken|"
    r"vertel(?: (?:eens|me|ons|nog))*)\s+(?P<make>.+)"
    r"|^(?:kun(?:t)?|kan|wil|zou) (?:je|jij|u) (?:(?:me|mij|ons|even|eens|nog|alsjeblieft|aub) )*(?P<make2>.+?) "
    r"(?:schrijven|maken|bedenken|verzinnen|genereren|opstellen|componeren|ontwerpen|tekenen|vertalen|berekenen)\b"
    r"|^(?:geef (?:me|mij|ons)|raad (?:me|mij|ons) (?:een|het|de)|tips? voor)\s+(?P<obj>.+)"
    r"|^ik (?:wil|zou|had|zoek)(?: \w+){0,2}? (?:graag |nog )?(?:een|wat|enkele|ideeen voor)\s+(?P<obj2>.+)"
    r"|^hoe (?:maak|bak|kook|bereid|los|schrijf|repareer|installeer|kweek|verwijder|krijg|win|verlies)\w* "
    r"(?:ik|je|jij|we|u)\s+(?P<obj3>.+)"
    r"|^(?:welke|wat voor(?: een)?|welk)\s+(?P<obj4>.+?)\s+(?:raad|raden)\s+(?:je|jij|u|jullie)\b"
    r"|^(?:welke|welk|wat voor(?: een)?)\s+(?P<obj5>.+?)\s+(?:is|zijn) (?:het|de) (?:beste|goedkoopste|leukste|lekkerste)\b"
)
#: Where the object of a request ends: a preposition, a conjunction, a clause.
_OBJECT_END = frozenset(
    [
        "over",
        "voor",
        "van",
        "met",
        "om",
        "in",
        "op",
        "naar",
        "bij",
        "zonder",
        "zodat",
        "die",
        "dat",
        "en",
        "of",
        "tegen",
        "uit",
        "aan",
        "als",
        "waarmee",
        "waarin,",
        "?",
        ".",
    ]
)
_OBJECT_SKIP = frozenset(
    [
        "een",
        "de",
        "het",
        "deze",
        "dit",
        "die",
        "mijn",
        "onze",
        "ons",
        "je",
        "jouw",
        "uw",
        "zijn",
        "haar",
        "hun",
        "wat",
        "paar",
        "enkele",
        "goede",
        "goeie",
        "leuke",
        "mooie",
        "korte",
        "kort",
        "lange",
        "lang",
        "nieuwe",
        "nieuw",
        "pakkende",
        "grappige",
        "originele",
        "eenvoudige",
        "snelle",
        "lekkere",
        "goedkope",
    ]
)
#: Things the publications can give: asking for them is asking for information, not a task.
_INFO_OBJECTS = frozenset(
    [
        "overzicht",
        "samenvatting",
        "lijst",
        "lijstje",
        "opsomming",
        "uitleg",
        "toelichting",
        "definitie",
        "antwoord",
        "cijfer",
        "cijfers",
        "info",
        "informatie",
        "tabel",
        "stappen",
        "stappenplan",
        "voorbeeld",
        "voorbeelden",
        "link",
        "links",
        "bron",
        "bronnen",
        "document",
        "documenten",
        "publicatie",
        "publicaties",
        "checklist",
        "planning",
        "tijdlijn",
        "datum",
        "data",
        "adres",
        "contact",
        "tip",
        "tips",
        "idee",
        "ideeen",
        "advies",
        "vraag",
        "vragen",
        "hulp",
        "afspraak",
        "gesprek",
        "aanvraag",
        "workshop",
        "vorming",
        "opleiding",
        "training",
        "cursus",
        "les",
        "sessie",
        "traject",
        "begeleiding",
        "coaching",
        "ondersteuning",
        "offerte",
        "titel",
        "titels",
        "naam",
        "namen",
    ]
)
#: A sum or an equation ("3x + 7 = 22", "12 * 15").
_MATH = re.compile(r"\d\s*[a-z]?\s*[+*/×÷^]\s*\(?\d|[\dxyz)]\s*=\s*-?\d")

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
        return _zipf(word)

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
        known = 0
        for w in query.words:
            if w in STOPWORDS or len(w) < 3 or w.isdigit():
                continue
            if w not in FUNCTION_WORDS and w not in FRAME_WORDS and self.general_zipf(w) < FUNCTION_ZIPF:
                affinities.append(self.affinity(w))
                known += self.known(w) or compound_known(w, self)
            if self.known(w):
                if self.is_name(w):
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
            private=bool(_PRIVATE.search(text)),
            organisation=bool(_ORGANISATION.search(text)),
            own_affinity=min((self.affinity(w) for w in _owned(query.words)), default=0.0),
            later_years=later_years(query, self.report_year),
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


@dataclass(frozen=True)
class _Request:
    #: The head word of what is asked for ("een pakkende slogan en ..." -> "slogan").
    head: str
    #: Something to be made ("Maak ...", "Schrijf ..."), not found or advised.
    make: bool
    #: The words of the whole sentence ("... van het jaarverslag"), hyphenated ones split.
    rest: tuple[str, ...]
    #: The words of the object up to its head ("pasta", "carbonara").
    object_words: tuple[str, ...] = ()


def _request(sentence: str) -> _Request | None:
    """The request a sentence makes, if it makes one."""
    m = _REQUEST.search(sentence)
    if m is None:
        return None
    obj = next(g for g in m.groups() if g is not None)
    tokens = re.findall(r"[\w'-]+|[,?.]", obj)
    head = None
    object_words: list[str] = []
    for w in tokens:
        if w in _OBJECT_END or (head is not None and _infinitive(w)):
            break  # "een afspraak maken": the verb ends the object
        if w not in _OBJECT_SKIP and not w.isdigit():
            head = w
            object_words.append(w)
    if head is None:
        return None
    # The whole sentence counts as context ("Welke werkvorm raad je aan voor een contextanalyse?"),
    # hyphenated words by their parts ("sociaal-cultureel").
    rest = tuple(re.findall(r"[a-zà-ÿ]+", sentence))
    return _Request(head, m.group("make") is not None or m.group("make2") is not None, rest, tuple(object_words))


#: What the asker calls their own: "onze", "ons", "mijn" and the (up to two) words after it.
_POSSESSIVE = frozenset(["onze", "ons", "mijn", "m'n", "mn"])


def _owned(tokens: tuple[str, ...]) -> list[str]:
    """The content words right after a possessive ("onze kleine basisschool" -> kleine, basisschool)."""
    out: list[str] = []
    for i, w in enumerate(tokens):
        if w in _POSSESSIVE:
            out.extend(t for t in tokens[i + 1 : i + 3] if t not in STOPWORDS and len(t) >= 3 and not t.isdigit())
    return out


def _asks_product(sentence: str) -> bool:
    """A task verb with a product as its object: "Schrijf een speech ...", "Kun je een app maken?".

    The product must follow the verb closely (or lie within "kun je ... maken"): "Geef me de titels van de
    screencasts ... op de website" asks for titles, not for a website.
    """
    m = _TASK.search(sentence)
    if m is None:
        return False
    request = _request(sentence)
    if request is not None and (request.head in _INFO_OBJECTS or lemma(request.head) in _INFO_OBJECTS):
        return False  # "Geef me de titels van de filmpjes ...": information, whatever it is about
    return any(p.start() < m.end() + _PRODUCT_REACH for p in _PRODUCT.finditer(sentence))


#: How far (in characters) after its task verb a product still is the verb's object.
_PRODUCT_REACH = 40


def _infinitive(word: str) -> bool:
    return len(word) > 4 and word.endswith("en") and lemma(word) == word and _zipf(word) >= 3.0


def compound_known(word: str, scope: Scope) -> bool:
    """A compound of a domain word ("vrijwilligersavond": "vrijwilligers" + "avond") is not foreign."""
    for i in range(4, len(word) - 3):
        head, tail = word[:i], word[i:]
        if (scope.typical(head) or scope.typical(head.rstrip("s"))) and scope.known(tail):
            return True
    return False


@lru_cache(maxsize=20_000)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "nl"))


def fold_word(word: str) -> str:
    import unicodedata

    w = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in w if not unicodedata.combining(c))
