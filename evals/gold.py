"""Gold question sets: the item type, and matching gold passages against chunks and answers.

Reading the files (JSONL and CSV, row by row with Dutch messages) is in
:mod:`evals.goldfile`; :func:`load_gold` is the short way to get the items.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.text.analysis import normalise_for_match

GOLD_DIR = Path(__file__).resolve().parent / "gold"
ANSWER_CATEGORIES = ("feit", "getal", "parafrase", "meerdelig", "vervolg")
ROUTES = ("answer", "escalate", "decline")
#: Question kinds of the ``kind`` field (issue #12); other values are allowed and reported as given.
KINDS = (
    "lijst",
    "getal",
    "waarom",
    "definitie",
    "hoe",
    "wie",
    "waar",
    "wanneer",
    "vervolg",
    "relatieve_tijd",
    "ja_nee",
    "feit",
)
#: A gold file whose name starts with this is a blind go/no-go set: reports show only aggregates.
BLIND_PREFIX = "blind-"


@dataclass(frozen=True)
class Evidence:
    """One gold supporting passage."""

    doc_id: str
    passage: str
    page: int | None = None
    section: str | None = None


@dataclass(frozen=True)
class GoldItem:
    """One gold question with what a good answer must show."""

    id: str
    question: str
    category: str
    expected_route: str
    history: tuple[dict[str, str], ...] = ()
    evidence: tuple[Evidence, ...] = ()
    key_facts: tuple[str, ...] = ()
    topic: str = "andere"
    #: Question kind (``lijst``, ``getal``, ``waarom`` ...); ``None``: reported under ``category``.
    kind: str | None = None
    #: Routing case (``buiten_scope``, ``manipulatie``, ``maatwerk``, ``near_miss`` ...).
    case_kind: str | None = None
    #: The date the question is asked; relative time ("vorig jaar") resolves against it.
    today: dt.date | None = None
    #: Name of the gold file (without extension) the item comes from.
    source: str = ""
    #: From a blind set: never listed individually in a report or log.
    blind: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def answerable(self) -> bool:
        return self.expected_route == "answer" and bool(self.evidence)

    @property
    def group(self) -> str:
        """The question kind, or the category for items without one."""
        return self.kind or self.category

    @property
    def case_group(self) -> str:
        """The routing case; items without one: their category, or ``beantwoordbaar``."""
        if self.case_kind:
            return self.case_kind
        return "beantwoordbaar" if self.expected_route == "answer" else self.category


def is_blind(path: Path) -> bool:
    """Is this gold file a blind (go/no-go) set?"""
    return path.name.startswith(BLIND_PREFIX)


def gold_files(include_blind: bool = True) -> list[Path]:
    """The gold files in ``evals/gold/`` (JSONL and CSV), sorted by name."""
    files = sorted([*GOLD_DIR.glob("*.jsonl"), *GOLD_DIR.glob("*.csv")])
    return [f for f in files if include_blind or not is_blind(f)]


def load_gold(paths: list[Path] | None = None) -> list[GoldItem]:
    """The valid gold items of the given files, or of ``evals/gold/`` without the blind sets.

    Blind sets are go/no-go checks, run only when named (``--gold``, ``--all-sets``).
    Rows with problems are skipped here; :func:`evals.goldfile.read_gold` names them.
    """
    from .goldfile import read_gold

    files = paths or gold_files(include_blind=False)
    return [item for gf in (read_gold(p) for p in files) for item in gf.items]


def passage_in(passage: str, text: str) -> bool:
    """True when a gold passage (or a large part of it) is in ``text``.

    Normalised to letters and digits, so hyphenation, punctuation and spacing
    differences between the gold file and the parser do not matter; a passage
    split over two chunks still counts when either half (30+ characters) is there.
    """
    # "â" is the arrow icon of the report's key-figure panels in pypdf's extraction; the
    # parser keeps it as structure, not text (see evals/gold/README.md, "Known quirk").
    p = normalise_for_match(passage.replace("â", " "))
    t = normalise_for_match(text.replace("â", " "))
    if not p:
        return False
    if p in t:
        return True
    half = len(p) // 2
    return half >= 30 and (p[:half] in t or p[half:] in t)


def chunk_supports(ev: Evidence, doc_id: str, text: str) -> bool:
    """Does a chunk (doc and text) contain this gold evidence?"""
    return doc_id == ev.doc_id and passage_in(ev.passage, text)


def fact_in(fact: str, text: str) -> bool:
    """Key-fact match: case-insensitive, tolerant of thousands separators and spacing.

    Citation markers are left out first: matched across them, the fact "71" was found in "+27. [1]".
    """
    f = normalise_for_match(fact)
    return bool(f) and f in normalise_for_match(_CITATION_MARKER.sub(" ", text))


_CITATION_MARKER = re.compile(r"\s*\[\d+\]\s*")
