"""Dutch text analysis shared by lexical retrieval, answering and evaluation.

Normalisation, tokenising, stopwords, Snowball stemming and compound splitting.
BM25 with a Dutch stemmer beat both dense embedders on the first probe, and
compound splitting matters for Dutch ("vrijwilligersbeleid" must match
"beleid voor vrijwilligers"), so this module is where lexical quality lives.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import Stemmer  # PyStemmer: the C Snowball stemmers, ~20x faster than snowballstemmer

from ..errors import ConfigError

# Snowball's Dutch stopword list plus question words that carry no topic.
STOPWORDS = frozenset(
    [
        "aan",
        "al",
        "alles",
        "als",
        "altijd",
        "andere",
        "ben",
        "bij",
        "daar",
        "dan",
        "dat",
        "de",
        "der",
        "deze",
        "die",
        "dit",
        "doch",
        "doen",
        "door",
        "dus",
        "een",
        "eens",
        "en",
        "er",
        "ge",
        "geen",
        "geweest",
        "haar",
        "had",
        "heb",
        "hebben",
        "heeft",
        "hem",
        "het",
        "hier",
        "hij",
        "hoe",
        "hun",
        "iemand",
        "iets",
        "ik",
        "in",
        "is",
        "ja",
        "je",
        "kan",
        "kon",
        "kunnen",
        "maar",
        "me",
        "meer",
        "men",
        "met",
        "mij",
        "mijn",
        "moet",
        "na",
        "naar",
        "niet",
        "niets",
        "nog",
        "nu",
        "of",
        "om",
        "omdat",
        "onder",
        "ons",
        "ook",
        "op",
        "over",
        "reeds",
        "te",
        "tegen",
        "toch",
        "toen",
        "tot",
        "u",
        "uit",
        "uw",
        "van",
        "veel",
        "voor",
        "want",
        "waren",
        "was",
        "wat",
        "werd",
        "wezen",
        "wie",
        "wil",
        "worden",
        "wordt",
        "zal",
        "ze",
        "zelf",
        "zich",
        "zij",
        "zijn",
        "zo",
        "zonder",
        "zou",
        "welke",
        "welk",
        "waar",
        "wanneer",
        "waarom",
        "hoeveel",
        "hoelang",
        "kun",
        "kunt",
        "jullie",
        "we",
        "wij",
        "onze",
        "jouw",
        "zei",
        "graag",
        "eigenlijk",
        "even",
        "klopt",
        "klopte",
        "gewoon",
        "precies",
        "soms",
        "ooit",
        "mag",
        "moeten",
        "zouden",
        "zullen",
        "heel",
        "echt",
    ]
)

_stemmer = Stemmer.Stemmer("dutch")
#: Symbols that carry a word: "1.366.224,06 €" is an amount in euro, "74,80%" a percentage.
#: The tokenizer drops them, so a question about "euro" or "procent" never met a table of amounts.
SYMBOL_WORDS = {"€": "euro", "%": "procent"}
SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "synonyms.txt"
PREFIX = 5
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")


@lru_cache(maxsize=32_768)
def fold(text: str) -> str:
    """Lower-case and strip diacritics ("oriënteren" -> "orienteren").

    Cached: answering one question folds the same few hundred passage sentences
    several times (~350 calls an ask, a third of the composer's time before).
    """
    text = text.lower()
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "„": '"'})


def normalise_text(text: str) -> str:
    """Folded, straight quotes, single spaces: the form question patterns are written for."""
    return " ".join(fold(text).translate(_QUOTES).split())


def words(text: str) -> list[str]:
    """Folded word tokens; numbers keep their digits ("1.541" -> "1541", "80%" -> "80")."""
    out: list[str] = []
    for tok in _TOKEN.findall(fold(text)):
        if tok[0].isdigit():
            # Dutch thousands separator: "1.541" and "173.023" are 1541 and 173023.
            if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", tok):
                tok = tok.replace(".", "")
            out.extend(t for t in re.split(r"[.,]", tok) if t) if "," in tok else out.append(tok)
        else:
            out.append(tok)
    return out


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball Dutch stem of one folded word (cached: the vocabulary is small)."""
    return str(_stemmer.stemWord(word))


class Analyzer:
    """Turns text into BM25 terms: stems of content words plus compound parts (and symbol words).

    ``vocabulary`` is the set of folded words seen in the corpus; a long word is
    split into two known words ("vrijwilligersbeleid" -> "vrijwilligers" +
    "beleid", allowing the linking -s- and -e-), and both parts are added as
    extra terms next to the whole word's stem.
    """

    def __init__(self, vocabulary: Iterable[str] = ()) -> None:
        self.vocabulary = frozenset(w for w in vocabulary if len(w) >= 3 and not w.isdigit())
        self._split_cache: dict[str, tuple[str, ...]] = {}

    def terms(self, text: str, query: bool = False) -> list[str]:
        """Index/query terms for ``text`` (stopwords dropped).

        A ``query`` word of five or six letters that the corpus never uses on its own
        also asks for the compounds that start with it ("stage" finds "stageopdracht").
        """
        out: list[str] = []
        for w in words(text):
            if w in STOPWORDS or (len(w) < 2 and not w.isdigit()):
                continue
            out.append(stem(w))
            for part in self.split_compound(w):
                out.append(stem(part))
            # A 5-letter prefix term joins forms the Snowball stemmer keeps apart
            # ("verbouwd" / "verbouwingswerken", "overleg" / "overlegmomenten");
            # it raised hit@5 from 0.72 to 0.79 on the gold set (evals/reports).
            if not w[0].isdigit() and (
                len(w) >= PREFIX + 2 or (query and len(w) >= PREFIX and w not in self.vocabulary)
            ):
                out.append("~" + w[:PREFIX])
        for symbol, word in SYMBOL_WORDS.items():
            out.extend([stem(word)] * text.count(symbol))
        return out

    def split_compound(self, word: str) -> tuple[str, ...]:
        """Two known parts of a compound word, or () when it is not one."""
        if len(word) < 8 or word.isdigit() or not self.vocabulary:
            return ()
        cached = self._split_cache.get(word)
        if cached is not None:
            return cached
        best: tuple[str, ...] = ()
        best_score = 0
        for i in range(4, len(word) - 3):
            head, tail = word[:i], word[i:]
            if tail not in self.vocabulary or tail in STOPWORDS:
                continue
            for h in (head, head[:-1] if head.endswith(("s", "e")) else None):
                if h and len(h) >= 3 and h in self.vocabulary and h not in STOPWORDS:
                    # Prefer the most balanced split: both parts long and meaningful.
                    score = min(len(h), len(tail))
                    if score > best_score:
                        best, best_score = (h, tail), score
        self._split_cache[word] = best
        return best


class Thesaurus:
    """Groups of words that stand for one another, as analysed stems (query expansion).

    Built from ``assistant/text/data/synonyms.txt``: a practitioner asks about "lonen"
    or "een overschot", the annual report says "personeelskosten" and "resultaat".
    Expansions are scored apart from the question's own terms and weigh less (see
    :meth:`assistant.index.lexical.LexicalIndex.scores`).
    """

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        index: dict[str, set[str]] = {}
        for group in groups:
            stems = {stem(w) for raw in group for w in words(raw) if w not in STOPWORDS}
            for t in stems:
                index.setdefault(t, set()).update(stems)
        self._index = {t: frozenset(g - {t}) for t, g in index.items()}

    @classmethod
    def load(cls, path: Path = SYNONYMS_FILE) -> Thesaurus:
        """Read one comma-separated group per line; ``#`` starts a comment."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(
                f"de synoniemenlijst {path} is niet leesbaar ({type(err).__name__}); installeer het pakket opnieuw "
                "of zet ASSISTANT_SYNONYM_WEIGHT=0 om zonder synoniemen te werken."
            ) from err
        groups = []
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                groups.append([w.strip() for w in line.split(",") if w.strip()])
        return cls(groups)

    def expand(self, terms: Iterable[str]) -> list[str]:
        """Stems related to ``terms`` that are not among them (sorted, for stable scores)."""
        own = set(terms)
        out: set[str] = set()
        for t in own:
            out |= self._index.get(t, frozenset())
        return sorted(out - own)


@lru_cache(maxsize=4)
def thesaurus(path: Path = SYNONYMS_FILE) -> Thesaurus:
    """The thesaurus of ``path``, read once per process."""
    return Thesaurus.load(path)


#: Dutch abbreviations after which a full stop does not end a sentence (without their final full stop).
ABBREVIATIONS = frozenset(
    [
        "o.a",
        "bv",
        "bijv",
        "vb",
        "nl",
        "enz",
        "e.a",
        "m.a.w",
        "i.s.m",
        "p",
        "pp",
        "nr",
        "vzw",
        "dr",
        "mr",
        "ir",
        "ca",
        "resp",
        "evt",
        "incl",
        "excl",
        "zgn",
        "blz",
        "art",
        "st",
        "gem",
        "tel",
        "min",
        "max",
    ]
)

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[A-Z0-9À-Ý\"“‘(•–-])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a text; list items and lines stay separate sentences."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        parts = [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]
        merged: list[str] = []
        for part in parts:
            # "3." (a list number) and "o.a." / "bv." (abbreviations) do not end a sentence.
            if merged and (re.fullmatch(r"\d{1,2}\.", merged[-1]) or _ABBREV.search(merged[-1])):
                merged[-1] = f"{merged[-1]} {part}"
            else:
                merged.append(part)
        out.extend(merged)
    return out


_ABBREV = re.compile(
    r"(?:\b(?:o\.a|bv|bijv|vb|nl|enz|e\.a|m\.a\.w|i\.s\.m|p|nr|vzw|dr|mr|ir|dd|resp|ca|cf|zgn)\.)$", re.I
)


def normalise_for_match(text: str) -> str:
    """Letters and digits only, for robust substring checks of quotes and passages."""
    return re.sub(r"[^a-z0-9]", "", fold(text.replace("Û", "ff")))
