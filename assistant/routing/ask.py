"""What a question asks, against the answer quoted for it: off-topic questions wrapped in a sector word.

"Welke trein nemen we best naar de Trefdag?" speaks of the Trefdag, so every vocabulary measure of
:mod:`.scope` finds it in the domain, and retrieval finds a passage about the Trefdag.  But what it
*asks* -- its **ask**: the thing it asks for (the focus of the asking sentence, "trein") and the other
content words of that sentence, without its setting (the sector's words and the prepositional
phrases they stand in, "naar de Trefdag") -- is a train, and the passage quoted says nothing about
trains.  The question is about something else (:attr:`AskOverlap.off_topic`) when

- the thing asked for is ordinary Dutch (``wordfreq``) that the publications use at most twice,
- no ask word (nor its lemma, stem or a thesaurus neighbour) starts a word of the quoted sentences
  or their section headings, and
- the question has a sector word and every one only sets the scene: it stands in a prepositional
  phrase ("voor de algemene vergadering"); a sector word that is the question's subject ("Welke
  sprekers ...", "Hoeveel medewerkers telt Socius?") makes it a question about the domain.

Verbs say how something is asked, not what ("Wie *zit* er in ...", "Welke trein *nemen* we"), so they
are no ask words; words that name the kind of answer ("Naar welke *stad* ...", "Welk *percentage*
...") are answered by an instance, not by the word, so they are no head; a figure question has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..query.analysis import NUMBER_WORDS
from ..query.model import AnswerKind, Query
from ..text.analysis import STOPWORDS, fold, stem, thesaurus, words
from ..text.lemmas import lemma
from .scope import Scope, compound_known, unnamed
from .vocabulary import FRAME_WORDS, FUNCTION_WORDS, FUNCTION_ZIPF

#: At or above this Zipf frequency in general Dutch a word is general vocabulary ("trein" 4.9); below it
#: a word is specialised and may paraphrase the publications' jargon.
GENERAL_ZIPF = 3.0
#: At most this many uses in the publications (as written or as its lemma): outside their vocabulary.
RARE_USES = 2
#: Words that name the kind of answer wanted; the answer gives an instance (a city, a month, a figure).
_ANSWER_TYPES = frozenset(
    [
        "stad",
        "steden",
        "gemeente",
        "land",
        "landen",
        "plaats",
        "plek",
        "plekken",
        "locatie",
        "dag",
        "dagen",
        "week",
        "maand",
        "jaar",
        "moment",
        "tijdstip",
        "periode",
        "deadline",
        "uur",
        "keer",
        "percentage",
        "procent",
        "aandeel",
        "verschil",
        "persoon",
        "personen",
        "mensen",
    ]
)
#: Prepositions that open the phrase a setting stands in ("naar de Trefdag", "tijdens de vormingsdag").
_PREPOSITIONS = frozenset(
    [
        "in",
        "op",
        "naar",
        "voor",
        "na",
        "bij",
        "tijdens",
        "van",
        "met",
        "over",
        "rond",
        "rondom",
        "aan",
        "uit",
        "tot",
        "sinds",
        "door",
        "tegen",
        "tussen",
        "onder",
        "achter",
        "voorafgaand",
        "zonder",
        "binnen",
        "buiten",
        "langs",
        "via",
        "per",
    ]
)
#: Words that may stand between the preposition and the setting word ("na onze algemene vergadering").
_PHRASE_WORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "onze",
        "ons",
        "mijn",
        "jullie",
        "uw",
        "hun",
        "zijn",
        "haar",
        "deze",
        "die",
        "dit",
        "dat",
        "en",
        "of",
    ]
)


@dataclass(frozen=True)
class AskOverlap:
    """The ask of a question and what of it the cited answer carries."""

    #: The thing the question asks for (its focus), its setting and answer-type words left out.
    head: tuple[str, ...]
    #: The content words of what is asked (the head among them), setting, names and verbs left out.
    words: tuple[str, ...]
    #: The ask words the quoted answer or its section heading carries (as written, lemma, stem, neighbour).
    found: tuple[str, ...]
    #: The head words that are ordinary Dutch the publications (nearly) never use.
    outside: tuple[str, ...]
    #: The sector words of the question, and whether every one of them only sets the scene.
    setting: tuple[str, ...] = ()
    scene_only: bool = False
    #: The word tokens of the quoted answer and its section headings.
    cited: frozenset[str] = frozenset()

    def carries(self, text: str) -> bool:
        """Does the quoted answer carry a content word of ``text`` (as written, lemma, stem or neighbour)?"""
        return any(_carried(w, self.cited) for w in words(text) if len(w) >= 3 and w not in STOPWORDS)

    @property
    def off_topic(self) -> bool:
        """What is asked lies outside the publications and the answer carries none of it.

        The thing asked for must be missing from the answer, and with it at least half the words of the
        ask, numbers aside: the answer may carry a word that qualifies it ("voor kinderen van zes tot acht
        jaar"), but a passage about the children of volunteers does not say which games suit them.
        """
        counted = [w for w in self.words if w not in NUMBER_WORDS]
        found = [w for w in self.found if w not in NUMBER_WORDS]
        return (
            bool(self.head)
            and len(self.outside) == len(self.head)
            and not set(self.head) & set(self.found)
            and 2 * len(found) <= len(counted)
            and bool(self.setting)
            and self.scene_only
        )

    def signals(self) -> dict[str, object]:
        return {
            "head": list(self.head),
            "words": list(self.words),
            "found": list(self.found),
            "outside": list(self.outside),
            "setting": list(self.setting),
            "scene_only": self.scene_only,
        }


def ask_overlap(query: Query, cited: Iterable[str], scope: Scope) -> AskOverlap:
    """The ask of ``query`` against the ``cited`` texts (the quoted sentences and their section headings).

    The setting is read from the whole turn (a scene may be set in a sentence of its own: "We geven een
    feestje voor de kinderen van onze vrijwilligers."), the ask from the sentence that asks, without the
    phrases that hold a sector word ("... op het feest van de vrijwilligers").  A phrase without one is
    part of the ask ("... voor kinderen van zes tot acht jaar").  A figure question ("Hoeveel volk was
    er ...?") asks for a number, whatever it counts: it has no head.
    """
    entities = {fold(w) for e in query.entities for w in words(e)}
    whole = query.words
    tokens = tuple(words(_asking(query.normalised)))
    head = _head(query, tokens, scope, entities)
    setting = {i for i, w in enumerate(whole) if _content(w, scope) and _setting(w, scope) and not _verb(whole, i)}
    # The scene: the prepositional phrases that hold a setting word ("op tafel voor de algemene vergadering").
    local = {i for i, w in enumerate(tokens) if _content(w, scope) and _setting(w, scope) and not _verb(tokens, i)}
    in_scene = {j for i in local for j in _phrase(tokens, i, local, head)}
    asked = tuple(
        dict.fromkeys(
            w
            for i, w in enumerate(tokens)
            if w in head
            or (
                i not in in_scene
                and _content(w, scope)
                and not _setting(w, scope)
                and w not in entities
                and not _verb(tokens, i)
                and not (_adjective(w) and i + 1 < len(tokens) and tokens[i + 1] in head)
            )
        )
    )
    cited_words = frozenset(words(" ".join(unnamed(cited, query, scope))))
    return AskOverlap(
        head=head,
        words=asked,
        found=tuple(w for w in asked if _carried(w, cited_words)),
        outside=tuple(w for w in head if _outside(w, scope)),
        setting=tuple(dict.fromkeys(whole[i] for i in sorted(setting))),
        scene_only=all(_in_phrase(whole, i, setting, head) for i in setting),
        cited=cited_words,
    )


def _head(query: Query, tokens: tuple[str, ...], scope: Scope, entities: set[str]) -> tuple[str, ...]:
    """The thing a "welke ...?" question asks for: its focus, an adjective moved to its noun ("beste laptop")."""
    if query.kind is AnswerKind.FIGURE:
        return ()
    out: list[str] = []
    for w in query.focus:
        i = tokens.index(w) if w in tokens else -1
        if _adjective(w) and 0 <= i < len(tokens) - 1 and _content(tokens[i + 1], scope):
            w = tokens[i + 1]
        if (
            w in _ANSWER_TYPES
            or w in entities
            or not _content(w, scope)
            or _setting(w, scope)
            or (w in tokens and _verb(tokens, tokens.index(w)))
        ):
            continue
        out.append(w)
    return tuple(dict.fromkeys(out))


def _adjective(word: str) -> bool:
    """An inflected adjective before its noun ("beste", "goede", "algemene")."""
    return len(word) > 3 and word.endswith("e") and not word.endswith("ie")


def _verb(tokens: tuple[str, ...], i: int) -> bool:
    """A verb: conjugated ("telde"), an infinitive ("kiezen"), or before its subject ("raad je aan")."""
    w = tokens[i]
    return verb_form(w) or _infinitive(w) or (i + 1 < len(tokens) and tokens[i + 1] in _SUBJECTS)


#: Subject pronouns: the word before one (in a question) is its finite verb ("nemen *we*", "raad *je*").
_SUBJECTS = frozenset(["ik", "je", "jij", "u", "we", "wij", "ze", "zij", "jullie", "hij", "men"])


def _asking(text: str) -> str:
    """The sentences that ask ("We geven een feestje. Welke spelletjes ...?" -> the second)."""
    asking = [s for s in re.split(r"(?<=[.!?])\s+", text) if s.endswith("?")]
    return " ".join(asking) if asking else text


def _infinitive(word: str) -> bool:
    """An infinitive ("kiezen", "nemen"): a verb, whatever an answer that shares it is about."""
    return len(word) > 4 and word.endswith("en") and lemma(word) == word


def _content(word: str, scope: Scope) -> bool:
    return not (
        len(word) < 3
        or word.isdigit()
        or word in STOPWORDS
        or word in FUNCTION_WORDS
        or word in FRAME_WORDS
        or scope.general_zipf(word) >= FUNCTION_ZIPF
    )


def _setting(word: str, scope: Scope) -> bool:
    """A word of the sector or of the publications' own vocabulary: where the question is set."""
    if scope.lexicon is not None and scope.lexicon(word):
        return True
    return scope.typical(word) or scope.typical(lemma(word)) or compound_known(word, scope)


def _outside(word: str, scope: Scope) -> bool:
    """Ordinary Dutch that the publications use at most :data:`RARE_USES` times."""
    uses = max(scope.counts.get(word, 0), scope.counts.get(lemma(word), 0))
    return scope.general_zipf(word) >= GENERAL_ZIPF and uses <= RARE_USES


def _in_phrase(tokens: tuple[str, ...], i: int, setting: set[int], head: tuple[str, ...]) -> bool:
    """Does the word at ``i`` stand in a prepositional phrase ("na onze algemene vergadering")?

    A "van" right after the head belongs to what is asked ("de kleur *van* het lokaal").
    """
    for j in range(i - 1, max(-1, i - 7), -1):
        w = tokens[j]
        if w in _PREPOSITIONS:
            return not (w == "van" and j > 0 and tokens[j - 1] in head)
        if not (w in _PHRASE_WORDS or j in setting or w.isdigit() or w in NUMBER_WORDS or _adjective(w)):
            return False
    return False


def _phrase(tokens: tuple[str, ...], i: int, setting: set[int], head: tuple[str, ...]) -> set[int]:
    """The positions of the prepositional phrases the setting word at ``i`` stands in (empty if none).

    The chain counts: the phrase a "van" phrase belongs to ("op het feest *van de vrijwilligers*") and
    the phrases that follow it ("voor onze vzw *onder de 800 euro*").
    """
    if not _in_phrase(tokens, i, setting, head):
        return set()
    start = next(j for j in range(i - 1, -1, -1) if tokens[j] in _PREPOSITIONS)
    out = set(range(start, i + 1))
    if tokens[start] == "van" and start > 0 and tokens[start - 1] not in head:
        out |= _phrase(tokens, start - 1, setting | {start - 1}, head)
    end = i + 1
    while end < len(tokens) and tokens[end] in _PREPOSITIONS:
        # A phrase that follows: up to its noun (the first word that is no article or number).
        k = end + 1
        while k < len(tokens) and (tokens[k] in _PHRASE_WORDS or tokens[k].isdigit() or tokens[k] in NUMBER_WORDS):
            k += 1
        out |= set(range(end, min(k + 1, len(tokens))))
        end = k + 1
    return out


def verb_form(word: str) -> bool:
    """A conjugated verb or a participle ("telde", "zaten", "doorgegaan"): how something is asked, not what.

    Its lemma is an infinitive (a plural noun of a noun ending in -en, "keukens", is not one).
    """
    base = lemma(word).replace("_", "")
    return base != word and base.endswith("en") and word != f"{base}s"


def _carried(word: str, tokens: frozenset[str]) -> bool:
    """Does a word of ``tokens`` start like ``word``, its lemma, its stem or a thesaurus neighbour?

    Word starts, not substrings: "nemen" is not carried by "deelnemers".
    """
    forms = {word, lemma(word), stem(word)}
    forms |= {n for n in thesaurus().expand([stem(word), stem(lemma(word))]) if len(n) >= 4}
    prefixes = {f[:5] for f in forms if len(f) >= 3}
    return any(t[:5] in prefixes or t in forms or stem(t) in forms for t in tokens if len(t) >= 3)
