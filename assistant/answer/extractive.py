"""Answer composition: extractive by default, optionally an LLM, always with citations.

The extractive answerer picks the sentences of the top passages that cover the
question best (a greedy, IDF-weighted set cover over the question's terms, so a
two-part question gets a sentence for each part), and joins them with ``[n]``
markers.  Every answer sentence *is* a source sentence, so every claim is
citable and verifiable.  The optional LLM path (LangChain chat models) gets the
same numbered passages, must cite them, and is validated: citations to sources
that were not given are dropped, and a reply without any valid citation falls
back to the extractive answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any, Protocol

from ..index.lexical import LexicalIndex
from ..ingestion.chunking import Chunk
from ..query.retrieval import Hit, RetrievalResult
from ..text.analysis import normalise_for_match, split_sentences

NOT_FOUND_TEXT = (
    "Daar vind ik in de publicaties van Socius geen betrouwbaar antwoord op. "
    "Een medewerker kan je vraag verder bekijken."
)


@dataclass(frozen=True)
class Citation:
    """One cited passage: where it is and the exact sentence(s) relied on."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    doc_type: str
    page: int | None
    section: str
    url: str
    quote: str


@dataclass
class Answer:
    """What the assistant says for one turn, with everything needed to check it."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    route: str = "answer"
    route_reason: str = ""
    topic: str = "andere"
    retrieved: list[Hit] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    evidence: float = 0.0
    #: Which path answered: ``extractive``, ``llm`` or ``extractive-fallback`` (see assistant.answer.llm).
    mode: str = "extractive"
    #: Why the LLM path fell back (``timeout``, ``rate-limited``, ...); None otherwise.
    fallback_reason: str | None = None

    @property
    def found(self) -> bool:
        """False for the 'not found' answer."""
        return bool(self.citations)

    def to_dict(self) -> dict[str, Any]:
        """JSON form of ``ask --json``."""
        return {
            "question": self.question,
            "text": self.text,
            "citations": [asdict(c) for c in self.citations],
            "route": self.route,
            "route_reason": self.route_reason,
            "topic": self.topic,
            "evidence": round(self.evidence, 4),
            "mode": self.mode,
            "fallback_reason": self.fallback_reason,
            "retrieved": [h.to_dict() for h in self.retrieved],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


class Answerer(Protocol):
    """Composes the answer text and citations from retrieved passages."""

    def compose(
        self, question: str, result: RetrievalResult, lexical: LexicalIndex, context: str = ""
    ) -> tuple[str, list[Citation]]:
        """Answer text with [n] markers and the citations it uses (``context``: earlier turns)."""
        ...


_QUANTITY = re.compile(
    r"\b(hoeveel|aantal|percentage|procent|%|budget|bedrag|hoe groot|hoe veel|cijfers?|totaal|kosten|euro|fte|vte)\b",
    re.IGNORECASE,
)
_WHEN = re.compile(r"\b(wanneer|welke datum|in welk jaar|welk jaar|hoe lang)\b", re.IGNORECASE)
_HAS_NUMBER = re.compile(r"\d")
#: Questions whose answer *is* a figure: "hoeveel ...", "hoe groot ...", "welk bedrag ...",
#: "wat kostte ...".  A topic word alone is not enough: "Hoe stel ik een budget op?" asks
#: for advice, and "een aantal vormingen" means "some".
_ASKS_FIGURE = re.compile(
    r"\bhoe ?veel\b|\bhoe (?:groot|hoog|duur)\b|\bwat kost(?:te|en)?\b|\bgekost\b"
    r"|\b(?:welk|welke|het|de)\s+(?:\w+\s+)?(?:aantal|bedrag|budget|percentage|aandeel|totaal|prijs)\b(?!\s+\w+\s+(?:op|aan)\b)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d[\d.,]*")
_NUMBER_WORD = re.compile(
    r"\b(één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|zestien|"
    r"zeventien|achttien|negentien|helft|kwart|meerderheid|minderheid|niemand|geen enkele?|"
    # tens, hundreds and compounds: "vijfentwintig", "tweehonderd", "drieduizend", "twintigtal"
    r"\w*(?:twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig|honderd|duizend)\w*|"
    r"miljoen\w*|tientallen|dozijn)\b",
    re.IGNORECASE,
)
#: Numbers that label rather than count ("Actie 1", "stap 3").
_LABEL = re.compile(r"\b(?:actie|werf|stap|fase|deel|hoofdstuk|spoor|traject|pijler|bijlage)\s+\d+\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
#: Questions whose answer is a moment ("hoe lang" asks for a duration and only gets the number bonus).
#: A bare "wanneer" often means "in which case" ("Wanneer kom je in aanmerking?"): only
#: "wanneer" with a past event ("vond ... plaats", "werd", "startte") asks for a date.
_ASKS_DATE = re.compile(
    r"\b(welke datum|welke dag|welke maand|welk jaar|in welk jaar|welke periode|sinds wanneer|tegen wanneer|"
    r"tot wanneer|vanaf wanneer)\b"
    r"|\bwanneer\s+(?:\w+\s+){0,1}(?:vond|was|waren|werd|werden|kwam|kwamen|ging|gingen|startte|startten|"
    r"begon|begonnen|gebeurde|verscheen|verschenen|trad|eindigde|stopte|liep|lanceerde|organiseerde|"
    r"publiceerde|keurde|bekrachtigde|heeft|hebben|is)\b",
    re.IGNORECASE,
)
_DATE_WORD = re.compile(
    r"\b(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    r"maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|voorjaar|najaar|zomer|winter|lente|herfst|"
    r"begin|midden|eind|einde|jaarlijks|elk jaar)\b",
    re.IGNORECASE,
)
MAX_QUOTE = 320


class ExtractiveAnswerer:
    """Picks and joins source sentences; no model needed."""

    def __init__(self, max_sentences: int = 3, passages: int = 5) -> None:
        self.max_sentences = max_sentences
        self.passages = passages

    def compose(
        self, question: str, result: RetrievalResult, lexical: LexicalIndex, context: str = ""
    ) -> tuple[str, list[Citation]]:
        analyzer = lexical.analyzer
        own = set(analyzer.terms(question))
        # Terms borrowed from the previous question (follow-ups) count half:
        # the new question says what is asked now.
        borrowed = set(analyzer.terms(context)) - own if context else set()
        qterms = own | borrowed
        if not qterms or not result.hits:
            return NOT_FOUND_TEXT, []
        idf = lexical.idf
        unknown = max(idf.values(), default=1.0)
        weight = {t: idf.get(t, unknown) * (0.5 if t in borrowed else 1.0) for t in qterms}
        total = sum(weight.values())
        wants_number = bool(_QUANTITY.search(question) or _WHEN.search(question))
        candidates: list[tuple[float, int, str, frozenset[str]]] = []
        for rank, hit in enumerate(result.hits[: self.passages]):
            for sentence, sentence_terms in lexical.sentences(hit.chunk.chunk_id, hit.chunk.text):
                terms = sentence_terms & qterms
                if not terms:
                    continue
                cov = sum(weight[t] for t in terms) / total
                score = cov + 0.12 / (1 + rank)
                if wants_number and _HAS_NUMBER.search(sentence):
                    score += 0.15
                if len(sentence) < 30:
                    score *= 0.5  # headings and fragments say little on their own
                candidates.append((score, rank, sentence, terms))
        if not candidates:
            return NOT_FOUND_TEXT, []
        numbers = {n.strip(".,") for n in _NUMBER.findall(question)}
        # The answer to "hoeveel ..." is a figure, to "wanneer ..." a moment: only
        # sentences that state one qualify, alone or with the sentence after them
        # ("... een thematisch magazine. Verspreid over 112 pagina's, ...").  When no
        # passage states one, the sources do not answer the question.
        states: Callable[[str], bool] | None = None
        if _ASKS_FIGURE.search(question):
            states = partial(_states_figure, question_numbers=numbers)
        elif _ASKS_DATE.search(question):
            states = partial(_states_date, question_numbers=numbers)
        if states is not None:
            qualified = []
            for c in candidates:
                if states(c[2]):
                    qualified.append(c)
                    continue
                stretch = _next_stretch(c[2], result.hits[c[1]].chunk)
                # The next sentence must carry on from this one, not just hold some
                # number ("Zie p. 12.").
                if stretch is not None and states(stretch[0]) and _carries_on(stretch[0], qterms, analyzer):
                    qualified.append((c[0], c[1], stretch[1], c[3]))
            candidates = qualified
        if not candidates:
            return NOT_FOUND_TEXT, []
        candidates.sort(key=lambda c: -c[0])
        chosen: list[tuple[float, int, str, frozenset[str]]] = [candidates[0]]
        covered = set(candidates[0][3])
        best = candidates[0][0]
        for cand in candidates[1:]:
            if len(chosen) >= self.max_sentences:
                break
            new = cand[3] - covered
            gain = sum(weight[t] for t in new) / total
            # A further sentence must add a part of the question not yet covered,
            # or be nearly as good as the best (e.g. the figure next to the claim).
            if (gain >= 0.12 and cand[0] >= 0.45 * best) or cand[0] >= 0.9 * best:
                if any(_same(cand[2], c[2]) for c in chosen):
                    continue
                chosen.append(cand)
                covered |= cand[3]
        if _unmet_years(question, [result.hits[c[1]] for c in chosen]):
            return NOT_FOUND_TEXT, []
        # Keep reading order within the answer: by passage rank, then position.
        chosen.sort(key=lambda c: (c[1], result.hits[c[1]].chunk.text.find(c[2])))
        parts: list[str] = []
        citations: list[Citation] = []
        quotes: list[tuple[int, str]] = []
        for i, (_, rank, sentence, terms) in enumerate(chosen):
            quote = _trim(sentence, terms, analyzer)
            if i < 2 and quote == sentence:
                quote = _with_follow_on(quote, result.hits[rank].chunk, qterms, analyzer, wants_number)
            quotes.append((rank, quote))
        # A follow-on sentence may already be a chosen sentence of its own: say it once.
        quotes = [
            (rank, q)
            for j, (rank, q) in enumerate(quotes)
            if not any(k != j and q in other and (q != other or k < j) for k, (_, other) in enumerate(quotes))
        ]
        if states is not None and not any(states(q) for _, q in quotes):
            return NOT_FOUND_TEXT, []  # the figure was cut from a long table row
        for rank, quote in quotes:
            n = len(citations) + 1
            citations.append(_citation(n, result.hits[rank], quote))
            parts.append(f"{_as_answer_sentence(quote)} [{n}]")
        return " ".join(parts), citations


# Sentences that lean on the one before: the fact asked for is often here
# ("...een nieuw CRM-systeem." + "Tegelijkertijd ... ODOO (CRM).").
_CONTINUES = re.compile(
    r"^(die|dat|deze|dit|het|hij|zij|ze|daar\w*|hier\w*|helaas|tegelijk\w*|ook|zo|verspreid|bovendien|"
    r"daarnaast|concreet|namelijk|in totaal|samen|dankzij|zij|wij|we|dit|het geheel)\b",
    re.IGNORECASE,
)
MAX_FOLLOW_ON = 450


def _with_follow_on(quote: str, chunk: Chunk, qterms: set[str], analyzer: Any, wants_number: bool) -> str:
    """Extend a quote with the next sentence when that one completes it.

    Measured on the gold set: the key fact (a name, a number) sits in the
    sentence after the best-matching one in a quarter of the misses.  The
    result is still one contiguous, exact stretch of the source.
    """
    stretch = _next_stretch(quote, chunk)
    if stretch is None:
        return quote
    nxt, extended = stretch
    number = wants_number and bool(_HAS_NUMBER.search(nxt)) and not _HAS_NUMBER.search(quote)
    return extended if number or _carries_on(nxt, qterms, analyzer) else quote


def _carries_on(nxt: str, qterms: set[str], analyzer: Any) -> bool:
    """Does the next sentence continue a quote: it leans on it ("Die ...") or shares a question term?"""
    return bool(_CONTINUES.search(nxt)) or bool(set(analyzer.terms(nxt)) & qterms)


def _next_stretch(quote: str, chunk: Chunk) -> tuple[str, str] | None:
    """The sentence after ``quote`` in the passage and the exact stretch of both.

    None when that would be too long or cross a page break: a citation names one page.
    """
    chunk_text = chunk.text
    start = chunk_text.find(quote)
    if start < 0:
        return None
    rest = chunk_text[start + len(quote) :]
    following = split_sentences(rest.lstrip())
    if not following:
        return None
    nxt = following[0]
    if len(quote) + len(nxt) > MAX_FOLLOW_ON or len(nxt) < 15:
        return None
    end = start + len(quote) + len(rest) - len(rest.lstrip()) + len(nxt)
    extended = chunk_text[start:end]
    if not extended.endswith(nxt) or chunk.page_at(start) != chunk.page_at(end - 1):
        return None
    return nxt, extended


def _states_figure(text: str, question_numbers: set[str]) -> bool:
    """Does ``text`` state a figure other than the ones the question itself names?"""
    text = _LABEL.sub(" ", text)
    if _NUMBER_WORD.search(text):
        return True
    return any(n.strip(".,") not in question_numbers for n in _NUMBER.findall(text))


def _states_date(text: str, question_numbers: set[str]) -> bool:
    """Does ``text`` name a moment (a month, a season, a number other than the question's)?"""
    return bool(_DATE_WORD.search(text)) or _states_figure(_NUMBER_WORD.sub(" ", text), question_numbers)


def _unmet_years(question: str, hits: list[Hit]) -> list[str]:
    """Years in the question that none of ``hits`` mentions (title and headings included).

    "Hoeveel deelnemers had de Trefdag in 2022?" must not be answered with the
    2023 figure: a year in the question is a constraint the passage has to meet.
    """
    return [y for y in _YEAR.findall(question) if not any(y in h.chunk.index_text for h in hits)]


def _same(a: str, b: str) -> bool:
    return a == b or a in b or b in a


def _as_answer_sentence(quote: str) -> str:
    s = quote.strip()
    s = re.sub(r"^[•\-–·*]\s*", "", s)
    if s and s[0].islower():
        s = s[0].upper() + s[1:]
    return s


def _trim(sentence: str, terms: frozenset[str], analyzer: Any) -> str:
    """A long 'sentence' (a table row dump) is cut to the window around its matches.

    The result is an exact substring of the source, so it stays a verifiable quote.
    """
    if len(sentence) <= MAX_QUOTE:
        return sentence
    tokens = list(re.finditer(r"\S+", sentence))
    hits = [i for i, m in enumerate(tokens) if set(analyzer.terms(m.group())) & terms]
    if not hits:
        return sentence[:MAX_QUOTE].rsplit(" ", 1)[0]
    best_start, best_count = hits[0], 0
    for i in hits:
        end_char = tokens[i].start() + MAX_QUOTE
        count = sum(1 for j in hits if j >= i and tokens[j].end() <= end_char)
        if count > best_count:
            best_start, best_count = i, count
    start = tokens[max(0, best_start - 3)].start()
    end = start + MAX_QUOTE
    window = sentence[start:end]
    if end < len(sentence):
        window = window.rsplit(" ", 1)[0]
    return window.strip()


def _citation(n: int, hit: Hit, quote: str) -> Citation:
    c = hit.chunk
    return Citation(
        n=n,
        chunk_id=c.chunk_id,
        doc_id=c.doc_id,
        title=c.title,
        doc_type=c.doc_type,
        page=c.page_of(quote),
        section=c.section,
        url=c.url,
        quote=quote,
    )


def merge_answers(parts: list[tuple[str, list[Citation]]]) -> tuple[str, list[Citation]]:
    """Join the answers to the parts of a question into one, citations renumbered.

    Parts without citations (not found) are left out; a passage quoted by two
    parts is cited once.  Works for any :class:`Answerer` that marks its
    citations as ``[n]``.
    """
    texts: list[str] = []
    citations: list[Citation] = []
    # Keyed by document and normalised quote: neighbouring chunks overlap, so two
    # parts may quote the same sentence from two chunks.
    seen: dict[tuple[str, str], int] = {}
    for text, cits in parts:
        if not cits:
            continue
        by_n = {c.n: c for c in cits}
        renumber: dict[int, int] = {}
        kept: list[str] = []
        # "sentence [n]" segments: one already said for an earlier part is not repeated.
        for segment in re.findall(r".*?\[\d+\](?:\s*\[\d+\])*|.+$", text, flags=re.DOTALL):
            numbers = [int(n) for n in re.findall(r"\[(\d+)\]", segment)]
            cited = [(n, by_n[n], (by_n[n].doc_id, normalise_for_match(by_n[n].quote))) for n in numbers if n in by_n]
            if cited and all(key in seen for _, _, key in cited) and not any(n in renumber for n in numbers):
                continue
            for n, c, key in cited:
                if key not in seen:
                    seen[key] = len(citations) + 1
                    citations.append(Citation(**{**asdict(c), "n": seen[key]}))
                renumber[n] = seen[key]
            kept.append(re.sub(r"\[(\d+)\]", partial(_renumbered, renumber), segment).strip())
        if kept:
            texts.append(" ".join(k for k in kept if k))
    if not citations:
        return NOT_FOUND_TEXT, []
    return " ".join(texts), citations


def _renumbered(renumber: dict[int, int], m: re.Match[str]) -> str:
    n = int(m.group(1))
    return f"[{renumber.get(n, n)}]"


def stream_text(answer_text: str) -> Iterator[str]:
    """Yield an extractive answer sentence by sentence (the web chat streams it)."""
    for part in re.split(r"(?<=\])\s+", answer_text):
        yield part + " "
