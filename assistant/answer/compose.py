"""Extractive answers composed per kind of question, always from source text, always cited.

For the best passages the composer lists what could be quoted
(:mod:`assistant.answer.candidates`: sentences, a sentence with its neighbour,
lists, tables, table cells), scores each (:mod:`assistant.answer.scorer`:
coverage of the question's terms, rank, and how
well the shape fits the kind of answer asked), and renders the winner the way
the kind wants it:

- a list question gets the lead-in and *all* items as a bulleted list;
- a figure question gets the sentence or the one table cell that states the
  figure for the question's qualifier, as one readable line with its header;
- a reason/definition/way question gets the sentence that carries it, with the
  sentence before when it leans on it ("Daarom ...");
- a who/where/when question gets the sentence that names it.

Every quote is a verbatim stretch of the passage; when nothing meets the
question's constraints (a figure, a moment, the asked year, the named
organisation) the composer says why instead of answering about the subject.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Protocol

from ..query.analysis import NUMBER_WORDS
from ..query.model import AnswerKind, Query
from ..query.time import years_in
from ..text.analysis import Analyzer, fold, normalise_for_match, split_sentences, words
from ..text.lemmas import is_plural
from .candidates import MAX_WORDS, Candidate, candidates, lead_of
from .forms import norm, word_set
from .passage import ElementKind, Passage, memoised
from .polarity import with_verdict, yes_or_no
from .quote import quote_of
from .render import citation_for, passed_moments, time_notes
from .scorer import Scorer, default_scorer
from .stretch import follow_on
from .subject import ROLE_ASKED, is_specific, named_subject, subject_near
from .types import QUOTE_GAP, Citation

if TYPE_CHECKING:
    from ..index.snapshots import Snapshot
    from ..query.retrieval import Hit

NOT_FOUND_TEXT = (
    "Daar vind ik in de publicaties van Socius geen betrouwbaar antwoord op. "
    "Een medewerker kan je vraag verder bekijken."
)


class Unmet(StrEnum):
    """Why the passages do not answer the question (the answer says so instead)."""

    NOTHING = "niets"  # no passage element covers the question
    FIGURE = "geen_cijfer"  # a figure was asked, none is stated
    MOMENT = "geen_moment"  # a moment was asked, none is named
    YEAR = "ander_jaar"  # the asked year is not in the passages
    ENTITY = "andere_naam"  # the named organisation/person is not in the passages
    OUTCOME = "geen_resultaat"  # results or conclusions were asked, the passages only announce or mention it
    STALE = "verouderd"  # today's state was asked, the passages announce a moment that has passed since
    NAMES = "niet_genoemd"  # a named number of things was asked, the passages only count them
    SUBJECT = "ander_onderwerp"  # the question's named subject is not in the passage answered from
    ROLE = "geen_persoon"  # who holds a named role was asked, the quotes do not name that role


@dataclass(frozen=True)
class Composition:
    """The composed answer text with its citations, or why there is none."""

    text: str
    citations: tuple[Citation, ...] = ()
    unmet: Unmet | None = None
    #: Years the passages are about when the asked year was not found (for "most recent figures").
    available_years: tuple[int, ...] = ()
    #: Missing names when ``unmet`` is ENTITY.
    missing: tuple[str, ...] = ()
    #: How well the quoted text covers the question (IDF-weighted share of its terms, 0..1).
    support: float = 0.0

    @property
    def found(self) -> bool:
        return bool(self.citations)


class Answerer(Protocol):
    """Composes the answer text and citations from retrieved passages."""

    def compose(self, query: Query, hits: Sequence[Hit], snapshot: Snapshot) -> Composition:
        """Answer text with [n] markers and the citations it uses."""
        ...


class ExtractiveAnswerer:
    """Picks, per kind of question, the source text that answers it; no model needed.

    ``scorer`` weighs the candidates (default: :func:`~assistant.answer.scorer.default_scorer`,
    loaded once by this answerer).
    """

    def __init__(self, passages: int = 7, max_sentences: int = 3, scorer: Scorer | None = None) -> None:
        self.passages = passages
        self.max_sentences = max_sentences
        self._scorer = scorer

    @property
    def scorer(self) -> Scorer:
        if self._scorer is None:
            self._scorer = default_scorer()
        return self._scorer

    # -- entry point ----------------------------------------------------------
    def compose(self, query: Query, hits: Sequence[Hit], snapshot: Snapshot) -> Composition:
        """The answer to one (part of a) question from its retrieved hits."""
        found = self.candidates(query, hits, snapshot)
        if isinstance(found, Composition):
            return found
        budget = MAX_WORDS // max(1, query.parts_in_turn)  # the parts of one question share the words
        chosen = self._select(found, question_weights(query, snapshot), budget)
        if len(chosen) > 1 and _carry_on_first(query) and not chosen[0].whole_element:
            chosen = _carried_on_first(query, chosen, snapshot, budget)
        else:
            follow_on(query, chosen, snapshot, budget)
        top, best = chosen[0], chosen[0].features
        support = min(1.0, best["cov"] + 0.5 * best["cov_ctx"])
        composition = replace(self._render(query, chosen), support=support)
        while _too_long(composition.text, budget) and _shorten(chosen):
            composition = replace(self._render(query, chosen), support=support)
        unmet = _unmet_by(query, composition) or _unanswered(query, chosen, snapshot)
        if unmet is None and _uncounted_part(query, chosen):
            # "... en hoeveel met onderzoeksactoren?" answered by "181 overlegmomenten met 55 verschillende
            # actoren: beleidsactoren, onderzoeksactoren, ...": no figure for this part; the other parts stand.
            unmet = Unmet.FIGURE
        if unmet is not None:
            return replace(composition, text=NOT_FOUND_TEXT, citations=(), unmet=unmet)
        # "Nee, helaas heeft niemand ...": only when the best sentence decides and the answer opens with it.
        decides = top.row is None and top.before is None and composition.text.startswith(quote_of(top)[0])
        stretch = " ".join(e.text for e in top.stretch)
        verdict = yes_or_no(query, stretch, snapshot.lexical.analyzer) if decides else ""
        if verdict:
            composition = replace(composition, text=with_verdict(verdict, composition.text))
        return composition

    def candidates(self, query: Query, hits: Sequence[Hit], snapshot: Snapshot) -> list[Candidate] | Composition:
        """The scored candidates, best first, or the composition that says why there are none."""
        weights = question_weights(query, snapshot)
        if not weights or not hits:
            return Composition(NOT_FOUND_TEXT, unmet=Unmet.NOTHING)
        # A list often sits a little lower than the sentences that name its subject.
        depth = max(self.passages, 8) if query.kind is AnswerKind.LIST else self.passages
        passages = [memoised(snapshot.memo, h.chunk) for h in hits[:depth]]
        constrained = self._constraints(query, passages, snapshot.lexical.analyzer)
        if constrained is not None:
            return constrained
        found = candidates(query, passages, weights, snapshot)
        if query.years:
            # The asked year must be what the quoted text is about: in it, in its section or its title.
            ranged = any(len(t.years) > 1 for t in query.time)
            dated = [
                c
                for c in found
                if all(_mentions_year(_scope(c), y, ranged) for y in query.years) and not _other_year(c.text, query)
            ]
            if found and not dated:
                texts = [_scope(c) for c in found]
                available = sorted(
                    {y for t in texts for y in years_in(t) if 1990 <= y <= query.today.year}, reverse=True
                )
                return Composition(NOT_FOUND_TEXT, unmet=Unmet.YEAR, available_years=tuple(available[:3]))
            found = dated
        if query.kind is AnswerKind.FIGURE and query.qualifier:
            # A weakly matching figure must be the asked one: next to the qualifier, or in a row or
            # column named by it ("Welk bedrag ..." is not answered with "begin jaren '90").
            found = [c for c in found if _about_qualifier(c) or c.features["cov"] + 0.5 * c.features["cov_ctx"] >= 0.3]
        if query.wants_amount:
            # "Hoeveel kostte een ticket?": a figure that is not an amount of money does not answer it.
            found = [c for c in found if _MONEY.search(c.text) or _MONEY.search(_scope(c))]
        named = named_subject(query)
        if named and query.kind is AnswerKind.LIST:
            # The lists that stand where the question's subject is named answer it before others ("Welke
            # onderwerpen komen in de Wegwijs ... aan bod?").  Not for other kinds: a figure or a sentence that
            # happens to stand near the name would be taken for the one asked.
            near = [c for c in found if subject_near(named, c.passage.chunk, snapshot)]
            found = near or found
        if not found:
            unmet = {AnswerKind.FIGURE: Unmet.FIGURE, AnswerKind.MOMENT: Unmet.MOMENT}.get(query.kind, Unmet.NOTHING)
            return Composition(NOT_FOUND_TEXT, unmet=unmet)
        for cand in found:
            cand.score = self.scorer.score(cand.features)
        # Best first; equal scores (to rounding: the same coverage reached by other sums) in reading order, the
        # order ``candidates`` lists them in (passage rank, then position), never by the last bit of a float.
        found.sort(key=lambda c: -round(c.score, _TIE_DIGITS))
        return found

    # -- constraints ----------------------------------------------------------
    def _constraints(self, query: Query, passages: list[Passage], analyzer: Analyzer) -> Composition | None:
        """A year or a name the question is about must be in the passages answered from."""
        texts = [p.chunk.index_text for p in passages]
        spoken = set().union(*(years_in(t) for t in texts)) if texts else set()
        asked = [y for y in query.years if y not in spoken]
        if asked:
            available = sorted({y for t in texts for y in years_in(t) if 1990 <= y <= query.today.year}, reverse=True)
            return Composition(NOT_FOUND_TEXT, unmet=Unmet.YEAR, available_years=tuple(available[:3]))
        folded = " ".join(norm(t) for t in texts)
        missing = tuple(e for e in query.entities if is_specific(e) and not _mentioned(e, folded, analyzer))
        if missing:
            return Composition(NOT_FOUND_TEXT, unmet=Unmet.ENTITY, missing=missing)
        return None

    # -- selection ------------------------------------------------------------
    def _select(self, ranked: list[Candidate], weights: dict[str, float], budget: int = MAX_WORDS) -> list[Candidate]:
        best = ranked[0]
        if best.whole_element:
            return [best, *_continuations(best, ranked)]  # a whole list or table is the answer on its own
        total = math.fsum(weights.values()) or 1.0
        chosen = [best]
        covered = set(best.terms)
        words = best.words
        # The shape asked for, next to a best sentence without it: the exact day for "wanneer"
        # ("eind 2023" + "op 5 december"), the name for "hoe heet" ("kreeg de naam ‘...’").
        shapes = [shape for kind, shape in _SHARPER if best.features.get(kind) and not best.features.get(shape)]
        eligible = [c for c in ranked[1:] if shapes and c.score >= 0.5 * best.score and c.features.get(shapes[0])]
        sharpest = max(eligible, key=lambda c: (c.features[shapes[0]], c.score), default=None)
        for cand in ranked[1:]:
            if len(chosen) >= self.max_sentences:
                break
            if cand.whole_element or any(_overlaps(cand, c) for c in chosen):
                continue
            if cand.row is not None and any(
                c.row is not None
                and c.element is cand.element
                and (c.row == cand.row or not (c.features.get("q_figure") or c.features.get("q_moment")))
                for c in chosen
            ):
                continue  # a row said once; one row of a text table (a second repeats its header "Waarover gaat het?")
            gain = math.fsum(weights[t] for t in cand.terms - covered) / total
            # A further sentence must add a part of the question not yet covered, or be
            # nearly as good as the best (e.g. the figure next to the claim).
            sharper = cand is sharpest
            # After a table's total, its other rows must add a part of the question: "Offline" and
            # "Online" after "Totaal" would read the table out row by row.
            after_total = cand.row is not None and any(
                c.element is cand.element and c.features.get("figure_q_unnamed_total") for c in chosen
            )
            near = cand.score >= 0.75 * best.score and not after_total
            if (gain >= 0.12 and cand.score >= 0.45 * best.score) or near or sharper:
                if words + cand.words > budget:
                    continue
                chosen.append(cand)
                covered |= cand.terms
                words += cand.words
        return chosen

    # -- rendering ------------------------------------------------------------
    def _render(self, query: Query, chosen: list[Candidate]) -> Composition:
        # Reading order within the answer: by passage rank, then position; a list and its continuation
        # in document order.
        if any(c.continues for c in chosen):
            chosen.sort(key=lambda c: (c.passage.chunk.ordinal, c.stretch[0].start))
        else:
            chosen.sort(key=lambda c: (c.rank, c.stretch[0].start))
        lines: list[str] = []
        citations: list[Citation] = []
        said = ""
        for cand in chosen:
            text, spans = quote_of(cand)
            key = norm(text)
            whole = cand.row is None and cand.item is None
            parts = [norm(e.text) for e in cand.stretch] if whole else [key]
            if any(len(k) > 20 and k in said for k in [key, *parts]):
                continue  # a sentence already said (overlapping chunks, a page that repeats the report)
            said += key
            n = len(citations) + 1
            citations.append(citation_for(n, cand.passage.chunk, spans, cand.element.start))
            lines.append(f"{text} [{n}]")
        body = "\n".join(lines) if any("\n" in line for line in lines) else " ".join(lines)
        notes = time_notes(query, body, [c.quote for c in citations], [c.title for c in citations])
        if query.kind is AnswerKind.LIST and query.expected_count and chosen[0].whole_element:
            shown = sum(
                len(c.element.items) if c.element.kind is ElementKind.LIST else len(c.element.rows) for c in chosen
            )
            if shown < query.expected_count:
                notes.append(f"De publicaties noemen er {shown}, niet {query.expected_count}.")
        text = body + ("\n\n" + " ".join(notes) if notes else "")
        return Composition(text, tuple(citations))


# -- helpers ------------------------------------------------------------------
def _carry_on_first(query: Query) -> bool:
    """Does the best sentence's carry-on go before further sentences: for what came of something (yes/no,
    why: the matching sentence sets the scene, the next one tells the outcome or reason) and for one part of
    a multi-part question (its share of the words is too small for both)."""
    return query.kind in (AnswerKind.YES_NO, AnswerKind.REASON) or query.parts_in_turn > 1


def _carried_on_first(query: Query, chosen: list[Candidate], snapshot: Snapshot, budget: int) -> list[Candidate]:
    """The best sentence with the one that carries it on, then the further candidates that still fit.

    The fact asked often sits in the sentence after the best one ("... een toelage van 250 euro voor
    drie sociaal-cultureel werkers ..." + "Helaas heeft niemand van dat aanbod gebruikgemaakt."); a further
    sentence from elsewhere must not take the words it needs (before, the further sentences were chosen
    first and the carry-on no longer fitted within the about 80 words, or 40 for one part of two).
    """
    best = chosen[0]
    follow_on(query, [best], snapshot, budget)
    kept = [best]
    words = best.words
    for cand in chosen[1:]:
        if words + cand.words <= budget and not _overlaps(cand, best):
            kept.append(cand)
            words += cand.words
    # The second candidate may be carried on too, with the words left (as before).
    follow_on(query, kept[1:2], snapshot, budget - words + sum(c.words for c in kept[1:2]))
    return kept


def _too_long(text: str, budget: int) -> bool:
    """More words than about ``budget`` in an answer that is not a list (markers left out)."""
    plain = re.sub(r"\s*\[\d+\]", "", text)
    if re.search(r"^- ", plain, flags=re.MULTILINE):
        return False
    return len(plain.split()) > budget + budget // 10


def _shorten(chosen: list[Candidate]) -> bool:
    """Leave out a sentence a further candidate was extended with, else the weakest further candidate, else
    the last sentence the best was extended with; False when only the best sentence is left.  ``chosen`` is in
    reading order: the best is the highest score."""
    best = max(chosen, key=lambda c: c.score)
    others = [c for c in chosen if c is not best]
    extended = [c for c in others if c.after]
    if extended:
        weakest = min(extended, key=lambda c: c.score)
        weakest.after = weakest.after[:-1]
        return True
    if others:
        chosen.remove(min(others, key=lambda c: c.score))
        return True
    if best.after:
        best.after = best.after[:-1]
        return True
    return False


#: Scores equal to this many decimals are a tie, broken by reading order.
_TIE_DIGITS: Final = 9
_MONEY = re.compile(r"€|\beuro\b|\bEUR\b", re.IGNORECASE)
#: (question kind feature, answer shape feature): a candidate with the shape joins a best one without it.
_SHARPER: Final = (("q_moment", "moment_q_day"), ("q_fact", "fact_q_title"))


def _continuations(best: Candidate, ranked: list[Candidate]) -> list[Candidate]:
    """Lists that go on from ``best`` in a neighbouring chunk of the same document.

    A list longer than a chunk is cut by the chunker, which repeats the lead-in above the rest
    ("Enkele vuistregels voor citizen science:" + the third rule): same document, same lead-in,
    other items, the next chunk.
    """
    if best.element.kind is not ElementKind.LIST:
        return []
    lead = normalise_for_match(lead_of(best.passage, best.element))
    if len(lead) < 10:
        return []
    out: list[Candidate] = []
    items = set(best.element.items)
    chunk = best.passage.chunk
    for cand in ranked[1:]:
        other = cand.passage.chunk
        if not cand.whole_element or cand.element.kind is not ElementKind.LIST or other.doc_id != chunk.doc_id:
            continue
        if abs(other.ordinal - chunk.ordinal) != 1 or normalise_for_match(lead_of(cand.passage, cand.element)) != lead:
            continue
        if items & set(cand.element.items) or any(c.passage.chunk.chunk_id == other.chunk_id for c in out):
            continue
        cand.continues = other.ordinal > chunk.ordinal
        if not cand.continues:
            best.continues = True  # the best is the second half: the first half leads
        out.append(cand)
        items |= set(cand.element.items)
    return out


def question_weights(query: Query, snapshot: Snapshot) -> dict[str, float]:
    """IDF weight per question term; terms borrowed from the previous turn count half."""
    idf = snapshot.lexical.idf
    unknown = max(idf.values(), default=1.0)
    weights = {t: idf.get(t, unknown) for t in query.terms if not t.startswith("~")}
    for t in query.context_terms:
        if not t.startswith("~") and t not in weights:
            weights[t] = 0.5 * idf.get(t, unknown)
    return weights


def _mentioned(entity: str, folded: str, analyzer: Analyzer) -> bool:
    """Is a name in the passages: each of its words, or the parts of a compound ("Trefdagsite")?"""
    for word in words(entity):
        if word in folded:
            continue
        parts = analyzer.split_compound(word)
        if not parts or not all(p in folded for p in parts):
            return False
    return True


def _mentions_year(text: str, year: int, ranged: bool) -> bool:
    """Does ``text`` speak about ``year``?  Inside a period ("2021-2025") only when a period was asked."""
    if ranged:
        return year in years_in(text)
    return re.search(rf"(?<![\d–-]){year}(?![\d–-])", text) is not None


def _other_year(text: str, query: Query) -> bool:
    """A figure or an outcome quoted for other years only ("Het boekjaar 2023 sloot af ..." asked for 2022)."""
    if query.kind is not AnswerKind.FIGURE and not query.asks_outcome:
        return False  # a state holds on ("verhuisden midden 2022 naar ..." answers where they were in 2023)
    own = _named_years(text)
    return bool(own) and not own & set(query.years)


def _named_years(text: str) -> set[int]:
    """The calendar years a text names (not other four-digit numbers)."""
    return {y for y in years_in(text) if 1990 <= y <= 2100}


def _unmet_by(query: Query, composition: Composition) -> Unmet | None:
    """What the composed answer does not give although the question asks it: an outcome, today's state."""
    quotes = [c.quote for c in composition.citations]
    asked = fold(query.text)
    said = fold(" ".join(quotes))
    # An outcome word the question itself uses ("resultaten") is no sign of an outcome stated, unless a
    # figure comes with it ("sloot af met een positief resultaat van 22.545,25 euro").
    words = [m.group(0) for m in _OUTCOME_STATED.finditer(said)]
    stated = [w for w in words if w[:6] not in asked] or (words if re.search(r"\d", said) else [])
    if query.asks_outcome and not stated:
        return Unmet.OUTCOME  # "Wat kwam er uit de screening?" -- "Die screening zal in 2024 plaatsvinden."
    if query.asks_current and (passed_moments(quotes, query.today, expected=True) or _dated_past(quotes, query)):
        return Unmet.STALE  # "Zitten jullie ondertussen terug ...?" -- "eind 2024 kunnen we terug ..."
    if _only_counted(query, quotes, composition.text):
        return Unmet.NAMES  # "Welke twee Avansa's ...?" -- "... vonden we twee Avansa's bereid ..."
    return None


def _unanswered(query: Query, chosen: list[Candidate], snapshot: Snapshot) -> Unmet | None:
    """A near miss: the subject is in the publications, what the question asks of it is not in what was chosen.

    - the question's named subject must be where a passage answered from stands: its document section (text,
      heading and title) or the chunk either side (Scivil is named pages above the vuistregels it gives);
      somewhere in the retrieved hits is not enough ("Hoeveel deelnemers had de Trefdag in Gent?" is not
      answered by the Trefdag in Mechelen, the Trefdag's score not by the score over all activities);
    - "Wie is de voorzitter van ...?" must get a quote that names that role.

    A figure that does not count the question's qualifier is not judged here: the qualifier read from the
    question is too rough for that ("voltijdse jobs" is answered by a row of VTE).
    """
    named = named_subject(query)
    if named and not any(subject_near(named, c.passage.chunk, snapshot) for c in chosen):
        return Unmet.SUBJECT
    role = ROLE_ASKED.match(query.normalised)
    if query.kind is AnswerKind.PERSON and role is not None:
        said = fold(" ".join(f"{c.text} {c.passage.chunk.section}" for c in chosen))
        if role.group(1)[:6] not in said:
            return Unmet.ROLE
    return None


def _dated_past(quotes: list[str], query: Query) -> bool:
    """A figure of today was asked ("Hoeveel abonnees telt Socius momenteel?"), every year the quotes name lies
    before today's, and they tell no yearly habit ("elk jaar").

    Only for figures: a count moves every year, while a way of working, a tool or a name told in an older
    report ("... MailerLite (mailings)" for "Met welk programma ... tegenwoordig?") is still the answer the
    publications give; it is said with its source and year.  The next edition of something ("Waar gaat de
    volgende leerreis naartoe?") is never told by a past one.
    """
    if query.kind is not AnswerKind.FIGURE and not query.asks_next:
        return False
    text = " ".join(quotes)
    named = _named_years(text)
    return bool(named) and max(named) < query.today.year and not _RECURRING.search(fold(text))


_RECURRING = re.compile(
    r"\b(?:elk|ieder) jaar\b|\bjaarlijks\w*|\btelkens\b|\bop de (?:eerste|tweede|derde|laatste) \w+dag\b"
)


def _only_counted(query: Query, quotes: list[str], answer: str) -> bool:
    """Names were asked for ("Welke twee Avansa's ...?", "Wie waren de drie ...?"); the quotes only count them.

    Judged on the quoted sentence that repeats the question's count and the word after it: what follows
    there and in the next sentence must not enumerate (a colon, "namelijk", commas, as many names as
    asked).  Only for names (a "wie" question, or a capitalised noun counted): a count of ordinary
    things may well be told item by item in sentences of their own.
    """
    asked = _NAMED_COUNT.search(query.text)
    if asked is None or "\n- " in answer:
        return False  # no names counted in the question, or answered with a list
    number, adjective, noun = asked.groups()
    if not (noun[:1].isupper() or query.normalised.startswith("wie ")) or not is_plural(fold(noun)):
        return False  # no names asked, or a date ("op 5 december"), not a count of things
    count = int(number) if number.isdigit() else NUMBER_WORDS[number.lower()]
    echo = re.compile(rf"\b{re.escape(fold(number))}\s+{re.escape(fold(adjective or noun)[:5])}")
    sentences = split_sentences(" ".join(q.replace(QUOTE_GAP, " ") for q in quotes))
    for i, sentence in enumerate(sentences):
        m = echo.search(fold(sentence))
        if m:
            # What follows the count in that sentence and the next (folding keeps the offsets).
            told = " ".join([sentence[m.end() :], *sentences[i + 1 : i + 2]])
            names = set(re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*", told))
            enumerated = (
                ":" in told
                or re.search(r"\b(?:namelijk|zoals|met name|waaronder)\b", told) is not None
                or told.count(",") >= max(1, count - 1)
                or len(names) >= count
            )
            return not enumerated
    return False


_NAMED_COUNT = re.compile(
    r"\b(twee|drie|vier|vijf|zes|zeven|acht|negen|tien|\d)\s+(?:(\w+e)\s+)?([\w'’-]+)", re.IGNORECASE
)


#: Words that state an outcome: results, conclusions, findings, what something showed or yielded.
_OUTCOME_STATED = re.compile(
    r"\b(?:resulta\w*|conclu\w*|bevinding\w*|uitkomst\w*|blijk\w*|bleek|bleken|to(?:on|nen|onde|onden)\w*|"
    r"vastgesteld|leerde\w*|geleerd|opgeleverd|wees uit|wijst uit)\b"
)


def _uncounted_part(query: Query, chosen: list[Candidate]) -> bool:
    """A figure part of a multi-part question whose quotes state no figure that counts what it asks.

    Only for parts: the answer to the other parts stands and says nothing unrelated for this one (a whole
    question without its figure is the router's to judge, with the support it gets).
    """
    return (
        query.parts_in_turn > 1
        and query.kind is AnswerKind.FIGURE
        and bool(query.qualifier)
        and not any(c.features.get("figure_q_counts") for c in chosen)
    )


def _about_qualifier(cand: Candidate) -> bool:
    f = cand.features
    return f.get("figure_q_next_to", 0.0) > 0 or f.get("cov_label", 0.0) > 0


def _scope(cand: Candidate) -> str:
    """The text a candidate speaks for: its quote with the sentences either side, its section and title.

    A neighbouring sentence dates it too: "Die campagne kreeg de naam ‘Allemaal Politiek’." is
    followed by "... de lancering van de campagne in januari 2024."
    """
    chunk = cand.passage.chunk
    near = [cand.passage.before(cand.stretch[0]), cand.passage.after(cand.stretch[-1])]
    around = " ".join(e.text for e in near if e is not None and e.kind is ElementKind.SENTENCE)
    return f"{cand.text} {around} {chunk.section} {chunk.title}"


def _overlaps(a: Candidate, b: Candidate) -> bool:
    """The same text, or one contains the other, or a reworded copy (a page summarising the report)."""
    ta, tb = norm(a.text), norm(b.text)
    if ta in tb or tb in ta:
        return True
    wa, wb = word_set(a.text), word_set(b.text)
    return len(wa & wb) >= 0.85 * min(len(wa), len(wb))


__all__ = ["NOT_FOUND_TEXT", "QUOTE_GAP", "Answerer", "Composition", "ExtractiveAnswerer", "Unmet", "question_weights"]
