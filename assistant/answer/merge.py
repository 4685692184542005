"""One answer from the answers to the parts of a multi-part question."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import partial

from ..text.analysis import normalise_for_match
from .compose import NOT_FOUND_TEXT, Composition, Unmet
from .types import Citation


def merge_answers(parts: Sequence[Composition]) -> Composition:
    """Join the answers to the parts of a question into one, citations renumbered.

    Parts without citations (not found) are left out; a passage quoted by two
    parts is cited once, and a sentence already said for an earlier part is not
    repeated.  Works for any answerer that marks its citations as ``[n]``.
    """
    texts: list[str] = []
    notes: list[str] = []
    citations: list[Citation] = []
    # Keyed by document and normalised quote: neighbouring chunks overlap, so two
    # parts may quote the same sentence from two chunks.
    seen: dict[tuple[str, str], int] = {}
    # Sentences said for an earlier part (a page that repeats the report says them again).
    said: set[str] = set()
    # A part that asks what the publications do not hold (another year, another organisation, results,
    # today's state) makes the whole question one for staff: half an answer would pass for the whole.
    beyond = next((p.unmet for p in parts if p.unmet in _BEYOND_SOURCES), None)
    if beyond is not None:
        return next(p for p in parts if p.unmet is beyond)
    for part in parts:
        if not part.citations:
            continue
        body, _, note = part.text.partition("\n\n")
        by_n = {c.n: c for c in part.citations}
        renumber: dict[int, int] = {}
        kept: list[str] = []
        for segment in re.findall(r".*?\[\d+\](?:\s*\[\d+\])*|.+$", body, flags=re.DOTALL):
            numbers = [int(n) for n in re.findall(r"\[(\d+)\]", segment)]
            cited = [(n, by_n[n], (by_n[n].doc_id, normalise_for_match(by_n[n].quote))) for n in numbers if n in by_n]
            if cited and all(key in seen for _, _, key in cited) and not any(n in renumber for n in numbers):
                continue
            segment = _unsaid(segment, said)
            if not re.sub(r"\[\d+\]", "", segment).strip():
                continue
            for n, c, key in cited:
                if key not in seen:
                    seen[key] = len(citations) + 1
                    citations.append(replace(c, n=seen[key]))
                renumber[n] = seen[key]
            kept.append(re.sub(r"\[(\d+)\]", partial(_renumbered, renumber), segment).strip())
        if kept:
            texts.append(" ".join(k for k in kept if k))
        if note and note not in notes:
            notes.append(note)
    if not citations:
        unmet = next((p.unmet for p in parts if p.unmet), Unmet.NOTHING)
        return Composition(NOT_FOUND_TEXT, unmet=unmet)
    joiner = "\n" if any("\n" in t for t in texts) else " "
    text = joiner.join(texts) + ("\n\n" + " ".join(notes) if notes else "")
    # A multi-part answer is as well supported as its parts are on average.
    support = sum(p.support for p in parts) / len(parts)
    return Composition(text, tuple(citations), support=support)


_BEYOND_SOURCES = frozenset([Unmet.YEAR, Unmet.ENTITY, Unmet.OUTCOME, Unmet.STALE, Unmet.NAMES])


def _unsaid(segment: str, said: set[str]) -> str:
    """``segment`` without the sentences already said; remembers the rest as said."""
    if "\n- " in segment or segment.lstrip().startswith("- "):
        # A list is said whole, but for an item an earlier part already said ("Voorzitter: Stef Steyaert ...").
        lines = segment.split("\n")
        # Its lead-in too, when an earlier part said it ("Dagelijks Bestuur:" after "(Dagelijks Bestuur).").
        lead = normalise_for_match(lines[0]) if not lines[0].startswith("- ") else ""
        if len(lead) >= 12 and lead in said:
            lines = lines[1:]
        kept_lines = [
            ln
            for ln in lines
            if not ln.startswith("- ")
            or not (key := normalise_for_match(re.sub(r"\[\d+\]", "", ln[2:])))
            or len(key) <= 20
            or not any(key in earlier for earlier in said)
        ]
        if sum(ln.startswith("- ") for ln in kept_lines) < 2:
            return segment
        if not re.search(r"\[\d+\]", kept_lines[-1]):
            kept_lines[-1] += " " + " ".join(re.findall(r"\[\d+\]", segment))
        return "\n".join(kept_lines)
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý0-9‘'\"“(])", segment.strip())
    kept = []
    for sentence in sentences:
        key = normalise_for_match(re.sub(r"\[\d+\]", "", sentence))
        if len(key) > 20 and key in said:
            continue
        said.add(key)
        kept.append(sentence)
    if kept and not re.search(r"\[\d+\]", kept[-1]):
        kept[-1] += " " + " ".join(re.findall(r"\[\d+\]", segment))  # keep the markers
    return " ".join(kept)


def _renumbered(renumber: dict[int, int], m: re.Match[str]) -> str:
    n = int(m.group(1))
    return f"[{renumber.get(n, n)}]"
