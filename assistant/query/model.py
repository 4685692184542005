"""The typed question: what one turn asks, analysed once and passed to every layer.

Retrieval, answer composition, routing and the optional LLM path all read a
:class:`Query`; none of them tokenises the raw question again.  Build one with
:class:`assistant.query.analysis.QueryAnalyzer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class AnswerKind(StrEnum):
    """What kind of answer a question wants (the labels of the eval sets)."""

    LIST = "lijst"
    FIGURE = "getal"
    REASON = "waarom"
    DEFINITION = "definitie"
    WAY = "hoe"
    PERSON = "wie"
    PLACE = "waar"
    MOMENT = "wanneer"
    YES_NO = "ja_nee"
    FACT = "feit"


class Role(StrEnum):
    """Who said a turn of the conversation."""

    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True)
class Turn:
    """One earlier turn of the conversation."""

    role: Role
    content: str


@dataclass(frozen=True)
class TimeReference:
    """A time expression of the question and the years it points at.

    ``phrase`` is the wording ("vorig jaar", "najaar 2025", "2024"); ``years`` are
    the calendar years it means, resolved against the day the question is asked;
    ``relative`` is true for wording that depends on that day.
    """

    phrase: str
    years: tuple[int, ...]
    relative: bool = False


@dataclass(frozen=True)
class Query:
    """One analysed question.

    ``text`` is the cleaned question as asked; ``context`` holds the words of the
    previous question when this one is an elliptical follow-up ("En hoeveel
    daarvan ...?"), else "".  ``terms`` are the analysed index terms of ``text``,
    ``context_terms`` those borrowed from the previous turn.  ``words`` are the
    folded word tokens of ``text`` (for routing patterns).
    """

    text: str
    today: date
    kind: AnswerKind = AnswerKind.FACT
    history: tuple[Turn, ...] = ()
    context: str = ""
    terms: tuple[str, ...] = ()
    context_terms: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    normalised: str = ""
    #: Distinct Snowball stems of the content words of the question and its borrowed context
    #: (what retrieval evidence must cover).
    stems: tuple[str, ...] = ()
    #: What the answer is about: the noun(s) a "welke ...?"/"wat zijn de ...?" question asks for
    #: ("Welke functies ..." -> ("functies",)), folded.
    focus: tuple[str, ...] = ()
    #: The count a list question names ("de negen stappen" -> 9).
    expected_count: int | None = None
    #: For figure questions: the words that say which figure ("unieke deelnemers", "organisaties").
    qualifier: tuple[str, ...] = ()
    wants_percentage: bool = False
    #: An amount of money is asked ("Hoeveel kostte ...", "Welk bedrag ...", "Wat heeft ... gekost?").
    wants_amount: bool = False
    #: The outcome of something is asked: its results, conclusions or findings ("Wat kwam er uit ...?").
    asks_outcome: bool = False
    #: The state of things today is asked ("Zitten jullie ondertussen terug ...?", "Is dat momenteel ...?").
    asks_current: bool = False
    #: The next occurrence of something is asked ("de volgende leerreis", "het eerstvolgende jaarverslag").
    asks_next: bool = False
    #: A verdict is asked: how something was judged or received ("Hoe beoordeelde de commissie ...?").
    asks_judgement: bool = False
    time: tuple[TimeReference, ...] = ()
    #: Names and quoted titles in the question ("Trefdag", "Zagreb").
    entities: tuple[str, ...] = ()
    #: Parts of a multi-part question, each a Query of its own; () for a one-part question.
    parts: tuple[Query, ...] = field(default=())
    #: For a part: how many parts the whole question has (the answers share about 80 words).
    parts_in_turn: int = 1
    #: Typing errors repaired before analysis, as (typed, repaired) pairs ("Hoevel", "Hoeveel").
    corrections: tuple[tuple[str, str], ...] = ()

    @property
    def is_follow_up(self) -> bool:
        """True when the question borrowed words from the previous turn."""
        return bool(self.context)

    @property
    def years(self) -> tuple[int, ...]:
        """Every year the question is about (explicit or resolved), in order of mention."""
        out: list[int] = []
        for ref in self.time:
            out.extend(y for y in ref.years if y not in out)
        return tuple(out)

    @property
    def relative_time(self) -> tuple[TimeReference, ...]:
        """Time references that depend on the day the question is asked."""
        return tuple(t for t in self.time if t.relative)

    @property
    def retrieval_text(self) -> str:
        """The text to retrieve with: the question (its own words weigh double) plus borrowed context."""
        return f"{self.text} {self.text} {self.context}" if self.context else self.text

    @property
    def with_context(self) -> str:
        """The question followed by the borrowed context (what answers are scored against)."""
        return f"{self.text} {self.context}".strip()
