"""Loading the gold set and matching gold passages against chunks and answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.text.analysis import normalise_for_match

GOLD_DIR = Path(__file__).resolve().parent / "gold"
ANSWER_CATEGORIES = ("feit", "getal", "parafrase", "meerdelig", "vervolg")


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
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def answerable(self) -> bool:
        return self.expected_route == "answer" and bool(self.evidence)


def load_gold(paths: list[Path] | None = None) -> list[GoldItem]:
    """All gold items from ``evals/gold/*.jsonl`` (or the given files)."""
    files = paths or sorted(GOLD_DIR.glob("*.jsonl"))
    items: list[GoldItem] = []
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                items.append(
                    GoldItem(
                        id=d["id"],
                        question=d["question"],
                        category=d["category"],
                        expected_route=d["expected_route"],
                        history=tuple(d.get("history") or ()),
                        evidence=tuple(
                            Evidence(e["doc_id"], e["passage"], e.get("page"), e.get("section"))
                            for e in d.get("evidence") or ()
                        ),
                        key_facts=tuple(d.get("key_facts") or ()),
                        topic=d.get("topic") or "andere",
                    )
                )
            except (KeyError, ValueError) as err:
                raise ValueError(f"{path}:{n}: invalid gold item ({err})") from err
    return items


def passage_in(passage: str, text: str) -> bool:
    """True when a gold passage (or a large part of it) is in ``text``.

    Normalised to letters and digits, so hyphenation, punctuation and spacing
    differences between the gold file and the parser do not matter; a passage
    split over two chunks still counts when either half (30+ characters) is there.
    """
    p = normalise_for_match(passage)
    t = normalise_for_match(text)
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
    """Key-fact match: case-insensitive, tolerant of thousands separators and spacing."""
    f = normalise_for_match(fact)
    return bool(f) and f in normalise_for_match(text)
