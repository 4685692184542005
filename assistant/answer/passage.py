"""A retrieved chunk seen as what an answer can quote: sentences, lists, tables, captions.

The chunker records where lists, tables and captions sit in the chunk text
(:attr:`~assistant.ingestion.chunking.Chunk.elements`); everything else is running
text, split into sentences.  Every element keeps its exact span in the chunk
text, so a quote is always a verbatim, checkable stretch of the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from ..ingestion.chunking import Chunk
from ..ingestion.document import BULLET, CELL
from ..text.analysis import ABBREVIATIONS, fold, normalise_for_match, split_sentences


class ElementKind(StrEnum):
    """What a piece of a passage is."""

    SENTENCE = "sentence"
    #: A line without a sentence end: a heading or a label; never quoted on its own.
    HEADING = "heading"
    LIST = "list"
    TABLE = "table"
    #: Captions, photo credits, "scan de code": never quoted.
    CAPTION = "caption"


@dataclass(frozen=True)
class Element:
    """One quotable (or deliberately unquotable) piece of a passage.

    ``start``/``end`` locate ``text`` in the chunk text.  Lists carry their
    ``lead`` (the sentence that introduces them) and ``items``; tables their
    ``title``, ``header`` (column names) and ``rows`` (cells).
    """

    kind: ElementKind
    text: str
    start: int
    end: int
    lead: str = ""
    items: tuple[str, ...] = ()
    title: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()

    @property
    def labelled(self) -> bool:
        """Do the rows of this table start with a label ("Online | 17 | 49u30") rather than a figure?"""
        return any(
            re.search(r"[^\W\d_]{3,}", row[0]) or re.fullmatch(r"(?:19|20)\d\d", row[0]) for row in self.rows if row
        )

    @property
    def quotable(self) -> bool:
        """Can this element be quoted as (part of) an answer?"""
        return self.kind in (ElementKind.SENTENCE, ElementKind.LIST, ElementKind.TABLE)


@dataclass(frozen=True)
class Passage:
    """A chunk and its elements in reading order."""

    chunk: Chunk
    elements: tuple[Element, ...]

    def before(self, element: Element) -> Element | None:
        """The element right before ``element`` in the passage, if any."""
        i = self.elements.index(element)
        return self.elements[i - 1] if i > 0 else None

    def after(self, element: Element) -> Element | None:
        """The element right after ``element`` in the passage, if any."""
        i = self.elements.index(element)
        return self.elements[i + 1] if i + 1 < len(self.elements) else None

    def same_page(self, a: Element, b: Element) -> bool:
        """Do two elements sit on one page (a citation names one page)?"""
        return self.chunk.page_at(a.start) == self.chunk.page_at(b.end - 1)


def passage_of(chunk: Chunk) -> Passage:
    """Split a chunk into its elements (structure spans first, sentences in between)."""
    text = chunk.text
    spans = _spans(chunk.elements)
    out: list[Element] = []
    pos = 0
    for kind, start, end, header in spans:
        if start > pos:
            out.extend(_running(text, pos, start))
        out.append(_structured(kind, text[start:end], start, header))
        pos = end
    if pos < len(text):
        out.extend(_running(text, pos, len(text)))
    return Passage(chunk, tuple(out))


def _spans(raw: str) -> list[tuple[str, int, int, bool]]:
    out: list[tuple[str, int, int, bool]] = []
    for part in filter(None, raw.split(";")):
        fields = part.split(":")
        out.append((fields[0], int(fields[1]), int(fields[2]), len(fields) > 3 and fields[3] == "h"))
    return sorted(out, key=lambda s: s[1])


_SENTENCE_END = re.compile(r"[.!?…:;\"”’)]$")


def _running(text: str, start: int, end: int) -> list[Element]:
    """Sentences (and heading lines) of a stretch of running text, with their offsets."""
    out: list[Element] = []
    cursor = start
    stretch = text[start:end]
    for sentence in split_sentences(stretch):
        at = text.find(sentence, cursor, end)
        if at < 0:
            # split_sentences normalises whitespace inside a line only when merging
            # abbreviations; fall back to the first word to keep offsets exact.
            at = text.find(sentence.split(" ", 1)[0], cursor, end)
            if at < 0:
                continue
            sentence = text[at : at + len(sentence)]
        kind = ElementKind.SENTENCE if _SENTENCE_END.search(sentence) else ElementKind.HEADING
        cut = _run_in(sentence) if kind is ElementKind.SENTENCE else 0
        if cut:
            # A heading run into its first sentence by the PDF layout ("Bestuurlijke inspraak Deze pijler komt
            # overeen met ..."): the heading is a heading, the sentence starts where it starts.
            head = sentence[:cut].rstrip()
            out.append(Element(ElementKind.HEADING, head, at, at + len(head)))
            out.append(Element(kind, sentence[cut:], at + cut, at + len(sentence)))
        else:
            out.append(Element(kind, sentence, at, at + len(sentence)))
        cursor = at + len(sentence)
    return out


#: Words that open a Dutch sentence, capitalised: inside a sentence they start one that a heading ran into.
_OPENERS = (
    "De|Het|Een|Deze|Dit|Die|Dat|Daar|Daarom|Daarnaast|Daarbij|Daarvoor|Hier|Hierbij|We|Wij|Ze|Zij|Hij|Je|Jij|"
    "In|Op|Met|Voor|Bij|Als|Om|Zo|Ook|Tijdens|Sinds|Naast|Door|Via|Vanuit|Wie|Wat|Waar|Hoe|Waarom|Wanneer|"
    "Zeker|Vooral|Toch|Maar|Er|Elke|Iedere|Veel|Alle|Verder|Bovendien|Sommige|Want|Omdat|Ons|Onze"
)
#: "<heading words> Deze pijler komt ...": a capitalised opener after a word that can end a heading (no
#: punctuation, no article, preposition or conjunction), followed by a lower-case word.
_RUN_IN = re.compile(
    rf"(?<=[^\W_])\s+(?=(?:{_OPENERS})\s+[a-zà-ÿ])",
)
#: Words a heading does not end on: an article, a preposition, a conjunction, a pronoun, a verb.
_NO_HEADING_END = re.compile(
    r"(?:de|het|een|en|of|van|in|op|met|voor|bij|aan|door|naar|uit|over|tot|als|om|te|dan|die|dat|deze|dit|"
    r"je|we|ze|zijn|is|was)",
    re.IGNORECASE,
)


def _run_in(sentence: str) -> int:
    """Where the sentence starts when a heading ran into it, else 0."""
    for m in _RUN_IN.finditer(sentence):
        head = sentence[: m.start()]
        words = head.split()
        if not words or len(words) > 20 or _NO_HEADING_END.fullmatch(words[-1]):
            continue
        if len(words) > 6 and 4 * sum(w.lstrip("‘“(\"'")[:1].isupper() for w in words) < len(words):
            continue  # a clause, not a title ("De deelnemers ... gingen aan de slag met de tool Je praktijk ...")
        if head.count("‘") > head.count("’") or head.count("“") > head.count("”") or head.count("(") > head.count(")"):
            continue  # inside a quoted title or between brackets
        if not re.search(r"[^\W\d_]{3}", head) or re.search(r"[.!?]\s", head):
            continue  # a heading holds no sentence ("... voor en na. deelnemer Trefdag" signs a quote)
        return m.end()
    return 0


def _structured(kind: str, text: str, start: int, header: bool) -> Element:
    lines = text.split("\n")
    if kind == "list":
        # The lines before the first bullet are the lead-in; a line without a bullet after it
        # continues the item before it (a PDF item wrapped over two lines: "... geven: Dave" + "Sinardet (VUB), ...").
        before: list[str] = []
        entries: list[str] = []
        for ln in lines:
            if ln.startswith(BULLET):
                entries.append(ln[len(BULLET) :].strip())
            elif entries:
                entries[-1] = f"{entries[-1]} {ln.strip()}".strip()
            else:
                before.append(ln.strip())
        lead = " ".join(b for b in before if b)
        return Element(ElementKind.LIST, text, start, start + len(text), lead=lead, items=tuple(entries))
    if kind == "table":
        title = "" if CELL in lines[0] else lines[0]
        cells = [tuple(c.strip() for c in ln.split(CELL)) for ln in lines[1 if title else 0 :]]
        head = cells[0] if header and cells else ()
        rows = tuple(cells[1:] if header else cells)
        return Element(ElementKind.TABLE, text, start, start + len(text), title=title, header=head, rows=rows)
    return Element(ElementKind.CAPTION, text, start, start + len(text))


def memoised(memo: dict[object, object], chunk: Chunk, build: Callable[[Chunk], Passage] = passage_of) -> Passage:
    """The passage of ``chunk``, built once per index generation (``memo`` lives with the snapshot)."""
    key = ("passage", chunk.chunk_id)
    cached = memo.get(key)
    if not isinstance(cached, Passage):
        cached = build(chunk)
        memo[key] = cached
    return cached


def boilerplate(memo: dict[object, object], chunks: Sequence[Chunk]) -> frozenset[str]:
    """Sentences that stand in three or more documents ("Voorbeeldinhoud: deze pagina ..."): never an answer.

    Built once per index generation from every chunk's sentences.
    """
    cached = memo.get("boilerplate")
    if isinstance(cached, frozenset):
        return cached
    docs: dict[str, set[str]] = {}
    for chunk in chunks:
        for el in memoised(memo, chunk).elements:
            if el.kind is ElementKind.SENTENCE and len(el.text) >= 20:
                docs.setdefault(normalise_for_match(el.text), set()).add(chunk.doc_id)
    found = frozenset(key for key, ids in docs.items() if len(ids) >= 3)
    memo["boilerplate"] = found
    return found


_WHOLE_START = re.compile(r"^[A-ZÀ-Ý0-9€]")


@lru_cache(maxsize=32_768)
def whole_sentence(text: str) -> bool:
    """A sentence that starts and ends like one: a lower-case start is cut from a column, "…" is cut off.

    It ends on a full stop, "!" or "?" (before closing quotes or brackets): a line ending on a footnote
    number "(9)" is a table caption; and no sentence inside it starts in lower case ("... voor en na.
    deelnemer Trefdag ..." is a quote run into its caption by the PDF layout).
    """
    opening = text.lstrip("•-– ").lstrip("\"'“‘„«([")
    if not _WHOLE_START.match(opening) or text.rstrip().endswith(("…", "...")):
        return False
    if not text.rstrip().rstrip("\"'”’)]»").endswith((".", "!", "?", ":", ";")):
        return False
    # A closing quote without its opening one: the sentence starts inside a quoted title
    # ("Politiserend handelen in het sociaal werk’ (2022) en ...").  An apostrophe ("video’s") is followed by a letter.
    if len(re.findall(r"’(?![^\W\d_])", text)) > text.count("‘"):
        return False
    for m in _INNER_BREAK.finditer(text):
        word = m.group(1).lower()
        if len(word) > 1 and word not in _ABBREVIATIONS and not re.search(r"\d$", word):
            return False
        # "i.e. een", "d.w.z. de": an abbreviation with inner dots reads as a sentence end unless it is a known one.
        token = re.search(r"(\S+)$", text[: m.end(1)])
        dotted = token.group(1).lstrip("\"'“‘„«([").lower() if token else ""
        if "." in dotted and dotted not in _ABBREVIATIONS and not re.search(r"\d", dotted):
            return False
    return True


#: Sentence-final punctuation followed by a lower-case word: a sentence that starts mid-sentence.
_INNER_BREAK = re.compile(r"([^\s.]+)[.!?][\"”’)]?\s+(?=[a-zà-ÿ])")
#: Words after which a full stop does not end a sentence: the shared table and editorial ones
#: ("cf.", "nvdr.", "red.") that the composer meets in quotes.
_ABBREVIATIONS = ABBREVIATIONS | frozenset(["cf", "nvdr", "red"])


def heading_over(passage: Passage, first: Element, most_words: int = 10) -> str:
    """The short heading right above ``first`` on its page, with nothing in between ("Samenstelling
    personeelsploeg dd. 1 januari 2023" over "Van 7 november ..."): what the sentence under it is about, whether
    or not it is said with it (:func:`label_over`)."""
    before = passage.before(first)
    if before is None or before.kind is not ElementKind.HEADING or not passage.same_page(before, first):
        return ""
    if passage.chunk.text[before.end : first.start].strip() or len(before.text.split()) > most_words:
        return ""
    return before.text.strip()


def label_over(passage: Passage, first: Element) -> str:
    """A short subheading right above the quoted text ("Visitatie", "Allemaal Politiek"): said with it.

    The subheading often names what the paragraph is about, and is the very name asked ("welke
    campagne ...?" under "Allemaal Politiek"); the chunk's own section heading is not repeated.
    """
    before = passage.before(first)
    if before is None or before.kind is not ElementKind.HEADING or not passage.same_page(before, first):
        return ""
    text = before.text.strip()
    between = passage.chunk.text[before.end : first.start]
    if between.strip() or len(text.split()) > 5 or not text[:1].isupper() or text[:1].isdigit():
        return ""
    if fold(text) in fold(passage.chunk.section) or fold(text) == fold(passage.chunk.title):
        return ""
    return text
