"""What an answer could quote, with the features that say how well it answers the question.

Candidates are the quotable stretches of the best passages: a sentence, a
sentence with the one after it (the fact often sits in the next sentence) or
before it (when it leans on it: "Daarom ..."), a whole list or table, and for
figure questions every table cell.  Each carries named features; the scorer
(:mod:`assistant.answer.scorer`) weighs them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..query.model import AnswerKind, Query
from ..text.analysis import fold
from ..text.lemmas import lemma
from . import signals
from .context import QuestionContext
from .figures import counts_qualifier, qualified_figure, qualifier_share
from .forms import norm
from .passage import Element, ElementKind, Passage, boilerplate, heading_over, label_over, whole_sentence
from .subject import gives_role_elsewhere

if TYPE_CHECKING:
    from ..index.snapshots import Snapshot

#: About this many words at most, except for lists (issue #12: short answers read better).
MAX_WORDS = 80


@dataclass
class Candidate:
    """One stretch an answer could quote, where it is, and its features."""

    passage: Passage
    rank: int
    element: Element
    terms: frozenset[str]
    features: dict[str, float]
    #: For a table figure: the row and column quoted.
    row: int | None = None
    column: int | None = None
    #: For a figure in a list: the item quoted (a whole sentence of its own).
    item: int | None = None
    #: A list that goes on from the chosen one in the next chunk (the chunker repeats its lead-in there).
    continues: bool = False
    #: Sentences quoted with the element: the one before it, the ones after it.
    before: Element | None = None
    after: tuple[Element, ...] = field(default=())
    score: float = 0.0

    @property
    def stretch(self) -> list[Element]:
        """The elements quoted, in reading order."""
        return [*([self.before] if self.before else []), self.element, *self.after]

    @property
    def words(self) -> int:
        if self.item is not None or self.row is not None:
            return len(self.text.split())  # one list item or one table row, not the whole element
        return sum(len(e.text.split()) for e in self.stretch)

    @property
    def whole_element(self) -> bool:
        """A whole list or table (the answer on its own)."""
        return self.element.kind in (ElementKind.LIST, ElementKind.TABLE) and self.row is None and self.item is None

    @property
    def text(self) -> str:
        """The verbatim text quoted: the chunk stretch from first to last element, one table row or list item."""
        if self.item is not None:
            return self.element.items[self.item]
        if self.row is not None:
            lines = self.element.text.split("\n")
            offset = (1 if self.element.title else 0) + (1 if self.element.header else 0)
            return lines[offset + self.row]
        els = self.stretch
        return self.passage.chunk.text[els[0].start : els[-1].end]


def candidates(
    query: Query, passages: Sequence[Passage], weights: dict[str, float], snapshot: Snapshot
) -> list[Candidate]:
    """Every candidate stretch of ``passages`` (in rank order) with its features."""
    ctx = QuestionContext(query, weights, snapshot)
    skip = boilerplate(snapshot.memo, snapshot.chunks)
    out: list[Candidate] = []
    for rank, passage in enumerate(passages):
        section = ctx.terms(f"{passage.chunk.title} {passage.chunk.section}")
        heading: Element | None = None
        for el in passage.elements:
            if el.kind is ElementKind.HEADING and len(el.text.split()) <= _HEADING_WORDS and _WORDY.search(el.text):
                heading = el  # a heading inside the chunk titles the sentences under it
            if not el.quotable or (el.kind is ElementKind.SENTENCE and norm(el.text) in skip):
                continue
            if el.kind is ElementKind.SENTENCE:
                under = heading is not None and passage.same_page(heading, el)
                context = section | ctx.terms(heading.text) if under and heading is not None else section
                out.extend(_sentences(ctx, passage, rank, el, context))
            elif el.kind is ElementKind.LIST:
                if query.kind not in (AnswerKind.FIGURE, AnswerKind.MOMENT):
                    out.append(_whole(ctx, passage, rank, el, section))
                else:
                    out.extend(_items(ctx, passage, rank, el, section))
            elif query.kind is AnswerKind.FIGURE or (query.kind is AnswerKind.MOMENT and _year_series(el)):
                out.extend(_cells(ctx, passage, rank, el, section))
            elif query.kind is not AnswerKind.MOMENT:
                out.append(_whole(ctx, passage, rank, el, section))
                if query.kind in (AnswerKind.PERSON, AnswerKind.PLACE, AnswerKind.FACT, AnswerKind.YES_NO):
                    out.extend(_rows(ctx, passage, rank, el, section))
    out = [c for c in out if c.features["cov"] + c.features["cov_ctx"] > 0]
    _relative(out)
    return out


def _relative(found: list[Candidate]) -> None:
    """Features relative to the question's other candidates: what matters is which one is best."""
    if not found:
        return
    best_cov = max(c.features["cov"] for c in found)
    best_all = max(c.features["cov"] + 0.5 * c.features["cov_ctx"] for c in found)
    for c in found:
        f = c.features
        f["cov_gap"] = f["cov"] - best_cov
        f["all_gap"] = f["cov"] + 0.5 * f["cov_ctx"] - best_all
        f["best_cov"] = float(f["cov"] >= best_cov - 1e-9)


def _sentences(
    ctx: QuestionContext, passage: Passage, rank: int, el: Element, section: frozenset[str]
) -> list[Candidate]:
    if not whole_sentence(el.text) or len(el.text.split()) > MAX_WORDS:
        return []  # a fragment cut from a column, or a run of names without a sentence end
    cand = Candidate(passage, rank, el, frozenset(), {})
    kind = ctx.query.kind
    if kind in (AnswerKind.FIGURE, AnswerKind.MOMENT):
        states = signals.states_figure if kind is AnswerKind.FIGURE else signals.states_moment
        if not states(el.text, ctx.qnumbers):
            # The figure or date may sit in the next sentence, when that one carries this one on.
            nxt = passage.after(el)
            if nxt is None or not _joins(passage, el, nxt) or not states(nxt.text, ctx.qnumbers):
                return []
            if not (signals.ANAPHOR.search(nxt.text) or ctx.terms(nxt.text) & ctx.qterms):
                return []
            cand.after = (nxt,)
    text = cand.text
    asked = _source_question(ctx, passage, el)
    # Scored on its own words: a next sentence that only brings the figure adds no coverage.  A question
    # the source asks right before ("Waarom Kroatië?") is what the sentence answers: its words count too.
    # A subheading right above it ("Visitatie") is what it is about (quoted with it when short, see label_over):
    # its words are the sentence's.
    label = label_over(passage, el)
    own = ctx.terms(f"{heading_over(passage, el)} {el.text}") | (ctx.terms(asked) if asked else frozenset())
    cand.terms = (own | section) & ctx.weights.keys()
    cand.features = _features(ctx, cand, text, own, section)
    before = None if label else passage.before(el)  # a subheading above is said as its label (quote_of)
    if (
        signals.leans_back(el.text)
        and before is not None
        and before.kind is ElementKind.SENTENCE
        and _joins(passage, before, el)
        and cand.words + len(before.text.split()) <= MAX_WORDS
        and norm(before.text) not in boilerplate(ctx.snapshot.memo, ctx.snapshot.chunks)
    ):
        # Quoted, not scored: "Daarom ..." / "Dat ..." needs the sentence it points back to.
        cand.before = before
    cand.features["answers_echo"] = float(bool(asked) or _opens_with_source_question(ctx, el))
    if kind in (AnswerKind.WAY, AnswerKind.REASON):
        # A way often follows the sentence that states the problem ("Zeker in kleine organisaties is het niet
        # mogelijk ... aan te werven." + "Dan mik je meer op ..."), a reason the sentence that states what it
        # explains ("Veel vragen gingen over het decreet." + "Dat heeft alles te maken met de opmaak van de
        # voortgangsrapporten ..."): read with the sentence before it.
        prev = passage.before(el)
        if prev is not None and prev.kind is ElementKind.SENTENCE and passage.same_page(prev, el):
            cand.features["cov_window"] = ctx.coverage(own | ctx.terms(prev.text))
    return [cand]


#: A short question that opens a stretch of text ("Waarom Kroatië? Het boek ..."): a heading run into it.
_OPENING_QUESTION = re.compile(r"^\W*([^.?!]{3,60}\?)\s+\S")


def _opens_with_source_question(ctx: QuestionContext, el: Element) -> bool:
    """Does ``el`` open with the question the person asked ("Waarom Kroatië? Het boek ...") and answer it?"""
    m = _OPENING_QUESTION.match(el.text)
    return m is not None and ctx.echoes(m.group(1))


def _source_question(ctx: QuestionContext, passage: Passage, el: Element) -> str:
    """The question the source asks itself right before ``el`` (a heading or a sentence: "Hoe verloopt een
    vraag?") when it asks what the person asked, else ''."""
    before = passage.before(el)
    if before is None or before.kind not in (ElementKind.HEADING, ElementKind.SENTENCE):
        return ""
    text = before.text.strip()
    if text.endswith("?") and len(text.split()) <= 12 and passage.same_page(before, el) and ctx.echoes(text):
        return text
    return ""


def _items(ctx: QuestionContext, passage: Passage, rank: int, el: Element, section: frozenset[str]) -> list[Candidate]:
    """Figure and moment questions: a list item that is a whole sentence stating one ("Van de 62 goedgekeurde
    vragen ... kwamen er 43 van erkende en 19 van niet-erkende organisaties."), read with the list's lead-in."""
    states = signals.states_figure if ctx.query.kind is AnswerKind.FIGURE else signals.states_moment
    lead = ctx.terms(lead_of(passage, el))
    out: list[Candidate] = []
    for i, item in enumerate(el.items):
        if not states(item, ctx.qnumbers):
            continue
        sentence = item.rstrip().endswith((".", "!", "?")) and whole_sentence(item)
        # An item that is no sentence ("zes video's waarin experten ... geven") answers only when its figure
        # counts what is asked; it is then quoted under its lead-in (see ExtractiveAnswerer._quote).
        counted = bool(ctx.qualifier) and bool(lead_of(passage, el)) and qualified_figure(item, ctx.qualifier)
        if not sentence and not counted:
            continue
        if len(item.split()) > MAX_WORDS or item not in passage.chunk.text:
            continue
        cand = Candidate(passage, rank, el, frozenset(), {}, item=i)
        own = ctx.terms(item)
        cand.terms = (own | section | lead) & ctx.weights.keys()
        cand.features = _features(ctx, cand, item, own, section | lead)
        out.append(cand)
    return out


def _whole(ctx: QuestionContext, passage: Passage, rank: int, el: Element, section: frozenset[str]) -> Candidate:
    own = ctx.terms(el.text)
    intro = lead_of(passage, el)
    lead_terms = ctx.terms(f"{intro} {' '.join(el.header)} {passage.chunk.section.rsplit(' > ', 1)[-1]}")
    cand = Candidate(passage, rank, el, (own | section | lead_terms) & ctx.weights.keys(), {})
    cand.features = _features(ctx, cand, el.text, own | ctx.terms(intro), section, lead=lead_terms)
    heading = passage.chunk.section.rsplit(" > ", 1)[-1]
    # How much of the coverage one item (row) carries alone: a list of something else in which one item
    # names the subject ("de vorming Voorzet maatschappelijke contextanalyse" among other activities).
    parts = el.items if el.kind is ElementKind.LIST else tuple(" ".join(r) for r in el.rows)
    cand.features["item_cov"] = max((ctx.coverage(ctx.terms(p)) for p in parts), default=0.0)
    # Items that are whole paragraphs ("Overstijg de hype. Succesvolle projecten ...") read as a long text.
    cand.features["long_items"] = float(bool(parts) and sum(len(p.split()) for p in parts) / len(parts) > _ITEM_WORDS)
    cand.features["n_items"] = min(len(parts), 20) / 20
    cand.features["focus_in_lead"] = float(_focus_in(ctx.query.focus, f"{intro} {heading}"))
    cand.features["focus_known"] = float(bool(ctx.query.focus))
    # "Wie verliet ...?" over a small table titled "In- en uitdiensttredingen in 2023": its rows are the answer.
    alike = len({ctx.coverage(ctx.terms(p)) for p in parts}) == 1  # no row picked out
    small = el.kind is ElementKind.TABLE and 0 < len(parts) <= 6 and alike
    cand.features["person_q_titled"] = float(ctx.query.kind is AnswerKind.PERSON and small and ctx.title_asks(el.title))
    # "Hoe ...?" answered by a list under "Hoe verloopt een vraag?" or "De stappen", or a list of advice
    # ("Geef mensen ...", "Werk met een afsprakenkader ..."): a way of doing it.
    cand.features["way_q_procedure"] = float(
        ctx.query.kind is AnswerKind.WAY
        and (bool(_PROCEDURE.search(fold(f"{intro} {heading}"))) or _advice_list(el.items))
    )
    cand.features["answers_echo"] = float(bool(intro.strip().endswith("?")) and ctx.echoes(intro))
    return cand


#: List items longer than this on average are paragraphs, not items.
_ITEM_WORDS = 30
_PROCEDURE = re.compile(
    r"^hoe\b|\bstap(?:pen)?\b|\bverloop|\baanpak\b|\bwerkwijze\b|\bzo ga je\b|\bprocedure\b"
    r"|\btips?\b|\bvuistregels?\b|\baanbevelingen\b|\badviezen\b|\bstappenplan\b"
)


def _advice_list(items: tuple[str, ...]) -> bool:
    """A list of at least two items, most of them advice in the imperative ("Geef ...", "Werk met ...")."""
    return len(items) >= 2 and sum(signals.advises(i) for i in items) * 2 > len(items)


def lead_of(passage: Passage, el: Element) -> str:
    """What introduces a list or table: its own lead-in or title, else the sentence right before it."""
    if el.lead or el.title:
        return el.lead or el.title
    before = passage.before(el)
    if before is None:
        return ""
    if before.kind is ElementKind.SENTENCE:
        return before.text
    # A short heading right above it ("De drie meerjarige ontwikkeltrajecten", "Hoe verloopt een vraag?").
    heading = before.kind is ElementKind.HEADING and 1 < len(before.text.split()) <= _HEADING_WORDS
    if heading and re.search(r"[^\W\d_]{3}", before.text) and passage.same_page(before, el):
        return before.text
    return ""


#: A heading line longer than this is a run of words from a PDF layout, not a heading.
_HEADING_WORDS = 10
#: A heading with a word in it ("Visitatie"), not a bare number ("6.2.").
_WORDY = re.compile(r"[^\W\d_]{3}")


def _focus_in(focus: tuple[str, ...], text: str) -> bool:
    """Does the noun a question asks about ("functies") occur in ``text``: a word that starts with its
    singular ("functie"), folded ("organisaties" is not found in "organisatorische")?"""
    folded = fold(text)
    heads = [lemma(f.replace("'s", "")) for f in focus if len(f) >= 4]
    return any(re.search(rf"\b{re.escape(h[:-1] if h.endswith('e') else h)}", folded) for h in heads if len(h) >= 4)


def _cells(
    ctx: QuestionContext, passage: Passage, rank: int, table: Element, section: frozenset[str]
) -> list[Candidate]:
    """Figure questions: every cell of a table is a candidate, labelled by its row and column."""
    title = ctx.terms(table.title)
    first_value = 1 if table.labelled else 0
    extreme = _extreme_rows(table, ctx.query.normalised, first_value)
    named_rows = first_value and any(ctx.terms(row[0]) & ctx.weights.keys() for row in table.rows)
    out: list[Candidate] = []
    for r, row in enumerate(table.rows):
        label = row[0] if first_value else ""
        for c in range(first_value, len(row)):
            value = row[c]
            if not signals.states_figure(value, ctx.qnumbers):
                continue
            column = table.header[c] if c < len(table.header) else ""
            own = ctx.terms(f"{label} {column}")
            # The table's title reads with the cell, a little less than its own label and header.
            cand = Candidate(passage, rank, table, (own | title | section) & ctx.weights.keys(), {}, row=r, column=c)
            cand.features = _features(
                ctx, cand, f"{table.title} {label} {column} {value}", own, title | section, label=ctx.terms(label)
            )
            cand.features["extreme"] = float((r, c) in extreme)
            # A cell counts what its row label or column header names ("Deelnemers | 64").
            cand.features["figure_q_counts"] = float(
                cand.features["figure_q_counts"] > 0 or qualifier_share(ctx.qualifier, f"{label} {column}") > 0
            )
            total_row = fold(label).startswith(("totaal", "total", "samen"))
            cand.features["figure_q_total"] = float(bool(_TOTAL_ASKED.search(ctx.query.normalised)) and total_row)
            # "Hoeveel activiteiten telde het ondersteuningsaanbod?" under the table "Activiteiten
            # ondersteuningsaanbod": the title names what every cell counts, and with no row named
            # by the question, the row "Totaal" is the answer.
            if total_row and not named_rows and (not ctx.qualifier or qualifier_share(ctx.qualifier, table.title) > 0):
                cand.features["figure_q_unnamed_total"] = 1.0
                cand.features["figure_q_next_to"] = float(bool(ctx.qualifier)) or cand.features["figure_q_next_to"]
            cand.features["figure_q_only_percent"] = float(
                ctx.query.kind is AnswerKind.FIGURE and not ctx.shares and signals.only_percentages(value)
            )
            out.append(cand)
    return out


def _rows(
    ctx: QuestionContext, passage: Passage, rank: int, table: Element, section: frozenset[str]
) -> list[Candidate]:
    """Who/what questions: a table row names the answer ("Fred Dhont | directeur")."""
    title = ctx.terms(f"{table.title} {' '.join(table.header)}")
    out: list[Candidate] = []
    # A small table titled by what is asked ("Wie verliet ...?"): its rows answer without the question's words.
    titled = len(table.rows) <= 4 and ctx.title_asks(table.title)
    for r, row in enumerate(table.rows):
        own = ctx.terms(" ".join(row))
        if not own & ctx.weights.keys() and not titled:
            continue
        cand = Candidate(passage, rank, table, (own | title | section) & ctx.weights.keys(), {}, row=r)
        cand.features = _features(ctx, cand, " ".join(row), own, title | section, label=own)
        out.append(cand)
    return out


#: A sentence that opens by pointing back to the one before ("Dat heeft alles te maken met ...", "Daarom ...").
_POINTS_BACK = re.compile(r"\W*(?:dat|dit|die|deze|daar\w*|hier\w*|zo)\b", re.IGNORECASE)
#: "samen", "in totaal", "opgeteld": the question asks for the total row of a table.
_TOTAL_ASKED = re.compile(r"\b(?:samen|samengeteld|opgeteld|in (?:het )?totaal|totaal|alles bij elkaar)\b")
_MOST = re.compile(r"\b(?:grootste?|hoogste?|meeste?|langste?|sterkste?|best\w*|meest)\b")
_LEAST = re.compile(r"\b(?:kleinste?|laagste?|minste?|kortste?|zwakste?|minst)\b")


def _extreme_rows(table: Element, question: str, first_value: int) -> set[tuple[int, int]]:
    """For "het grootste/laagste ...": the cells holding the largest or smallest figure of their column."""
    most, least = _MOST.search(question), _LEAST.search(question)
    if not (most or least):
        return set()
    out: set[tuple[int, int]] = set()
    width = max((len(r) for r in table.rows), default=0)
    for c in range(first_value, width):
        values = [(r, v) for r, row in enumerate(table.rows) if c < len(row) and (v := _number(row[c])) is not None]
        if len(values) >= 3:
            pick = max(values, key=lambda rv: rv[1]) if most else min(values, key=lambda rv: rv[1])
            out.add((pick[0], c))
    return out


def _year_series(table: Element) -> bool:
    """A table whose rows are labelled by years ("2020 | 16,50"): a "wanneer/welk jaar" is one of its rows."""
    return bool(table.rows) and all(re.fullmatch(r"(?:19|20)\d\d", r[0]) for r in table.rows if r)


def _number(cell: str) -> float | None:
    m = re.search(r"\d[\d.]*(?:,\d+)?", cell)
    if m is None:
        return None
    try:
        return float(m.group(0).replace(".", "").replace(",", "."))
    except ValueError:
        return None


def _joins(passage: Passage, a: Element, b: Element) -> bool:
    return b.kind is ElementKind.SENTENCE and whole_sentence(b.text) and passage.same_page(a, b)


def _features(
    ctx: QuestionContext,
    cand: Candidate,
    text: str,
    own: frozenset[str],
    context: frozenset[str],
    *,
    lead: frozenset[str] = frozenset(),
    label: frozenset[str] = frozenset(),
) -> dict[str, float]:
    """The named features of a candidate (see :mod:`assistant.answer.scorer` for their weights)."""
    q = ctx.query
    kind = q.kind
    el = cand.element
    is_list = el.kind is ElementKind.LIST and cand.item is None
    is_table = el.kind is ElementKind.TABLE and cand.row is None
    is_cell = cand.row is not None
    structured = is_list or is_table
    n_items = len(el.items) if is_list else len(el.rows) if is_table else 0
    new_terms = len(own - ctx.qterms)
    f: dict[str, float] = {
        # Word starts count for running text; a table cell is found by its label's own words.
        "cov": ctx.coverage(own, ctx.prefixes(text) if el.kind is ElementKind.SENTENCE else frozenset()),
        "cov_ctx": ctx.coverage(context - own),
        "cov_lead": ctx.coverage(lead),
        "cov_label": ctx.coverage(label),
        "rank_inv": 1.0 / (1 + cand.rank),
        "words": min(cand.words, MAX_WORDS) / MAX_WORDS,
        "short": 1.0 if el.kind is ElementKind.SENTENCE and len(el.text) < 30 else 0.0,
        "is_item": float(cand.item is not None),
        "is_list": float(is_list),
        "is_table": float(is_table),
        "is_cell": float(is_cell),
        "with_next": float(bool(cand.after)),
        "with_before": float(cand.before is not None),
        "echo": 1.0 if len(own) >= 2 and new_terms <= 1 else 0.0,
        "new_terms": min(new_terms, 20) / 20,
        "anaphor_start": float(bool(signals.ANAPHOR.search(cand.stretch[0].text))),
        "first_in_passage": float(cand.passage.elements.index(cand.stretch[0]) == 0),
        # kind x shape
        "list_q_structured": float(kind is AnswerKind.LIST and structured),
        "list_q_enumeration": float(
            kind is AnswerKind.LIST and not structured and (text.count(",") >= 2 or ":" in text)
        ),
        "count_match": float(bool(q.expected_count) and n_items == q.expected_count),
        "count_mismatch": float(bool(q.expected_count) and structured and n_items != q.expected_count),
        "way_q_structured": float(kind is AnswerKind.WAY and structured),
        "other_q_structured": float(kind not in (AnswerKind.LIST, AnswerKind.WAY) and structured),
        "reason_q_reason": float(kind is AnswerKind.REASON and signals.states_reason(text)),
        # "Dat heeft alles te maken met ...": a reason that points back to what it explains.
        "reason_q_back": float(
            kind is AnswerKind.REASON and signals.states_reason(el.text) and bool(_POINTS_BACK.match(el.text))
        ),
        "def_q_defines": float(kind is AnswerKind.DEFINITION and signals.defines(text)),
        "def_q_other": float(
            kind is AnswerKind.DEFINITION and bool(ctx.defined) and signals.defines_other(text, ctx.defined)
        ),
        "def_q_term_defined": float(
            kind is AnswerKind.DEFINITION and bool(ctx.defined) and signals.defines_term(text, ctx.defined)
        ),
        "defines_quoted": float(
            kind is not AnswerKind.DEFINITION and bool(ctx.quoted) and signals.defines_term(text, ctx.quoted)
        ),
        "signpost": float(el.kind is ElementKind.SENTENCE and signals.signposts(cand.stretch[0].text)),
        "is_question": float(el.kind is ElementKind.SENTENCE and cand.text.rstrip().endswith("?")),
        "way_q_way": float(kind is AnswerKind.WAY and signals.describes_way(text)),
        "way_q_means": float(kind is AnswerKind.WAY and not structured and signals.states_means(text)),
        "way_q_advice": float(kind is AnswerKind.WAY and not structured and signals.advises(cand.stretch[0].text)),
        "person_q_name": float(kind is AnswerKind.PERSON and bool(signals.new_names(text, ctx.asked_words))),
        # "Welke onderzoekers ...?", "Welke organisaties ...?": a list of names is asked.
        "names_asked": float(kind is AnswerKind.LIST and ctx.names_asked),
        "names_given": float(len(signals.new_names(text, ctx.asked_words)) >= 2) if ctx.names_asked else 0.0,
        "person_q_role": float(kind is AnswerKind.PERSON and signals.states_role(text)),
        # "Martin De Loose, directeur van Neos vzw, ..." gives the role asked of Socius for another organisation.
        "person_q_elsewhere": float(ctx.role is not None and gives_role_elsewhere(text, ctx.role)),
        # A list or table of people: most items name someone the question does not ("Voorzitter | Stef ...").
        "person_q_roster": float(
            kind is AnswerKind.PERSON
            and structured
            and n_items > 0
            and 2 * sum(bool(signals.new_names(p, ctx.asked_words)) for p in _parts(el)) >= n_items
        ),
        # "Hoe beoordeelde de commissie ...?": the sentence with the verdict, not the one about the visit.
        "judgement_q": float(q.asks_judgement),
        "judgement_q_verdict": float(q.asks_judgement and signals.judges(text)),
        # A follow-up's own words ("screencasts") must be answered, not only the borrowed subject.
        "follow_up_own": ctx.own_share(cand.terms | own | context),
        "place_q_place": float(kind is AnswerKind.PLACE and signals.names_place(text)),
        # "In welk gebouw ...?": a name of the kind asked, a capitalised compound on it ("Teirlinckgebouw").
        "place_q_focus": float(kind is AnswerKind.PLACE and bool(q.focus) and _names_a(q.focus[-1], text)),
        "fact_q_name": float(kind in (AnswerKind.FACT, AnswerKind.YES_NO) and signals.names_someone(text)),
        "fact_q_title": signals.names_title(text) if kind is AnswerKind.FACT else 0.0,
        # "Met welke tool ...?", "Welk systeem ...?": a thing asked by its name.
        "fact_q_focus": float(kind is AnswerKind.FACT and bool(q.focus)),
        "figure_q_qualifier": qualifier_share(ctx.qualifier, text) if kind is AnswerKind.FIGURE else 0.0,
        "figure_q_next_to": float(
            kind is AnswerKind.FIGURE and bool(q.qualifier) and qualified_figure(text, ctx.qualifier)
        ),
        # Stricter: the figure counts the asked thing ("71 activiteiten", "deelnemers: 64"), not just near it.
        "figure_q_counts": float(
            kind is AnswerKind.FIGURE and bool(q.qualifier) and counts_qualifier(text, ctx.qualifier)
        ),
        "figure_q_percent": (1.0 if "%" in text or "procent" in text else -1.0) if ctx.shares else 0.0,
        # "Hoeveel activiteiten ...?" is a count: "een tevredenheidscijfer van 80% toe aan onze activiteiten" is no answer.
        "figure_q_only_percent": float(
            kind is AnswerKind.FIGURE and not ctx.shares and not is_cell and signals.only_percentages(text)
        ),
        "figure_q_cell": float(kind is AnswerKind.FIGURE and is_cell),
        "figure_q_has_qualifier": float(kind is AnswerKind.FIGURE and bool(q.qualifier)),
        "moment_q_day": float(kind is AnswerKind.MOMENT and signals.states_day(text)),
        f"q_{kind.name.lower()}": 1.0,
    }
    return f


def _names_a(noun: str, text: str) -> bool:
    return len(noun) >= 4 and bool(re.search(rf"\b[A-ZÀ-Ý]\w*{re.escape(noun)}\b", text))


def _parts(el: Element) -> tuple[str, ...]:
    """The items of a list or the rows of a table, as text."""
    return el.items if el.kind is ElementKind.LIST else tuple(" | ".join(r) for r in el.rows)
