"""Checking a model's reply sentence by sentence, as it streams.

A reply is cut into segments: sentences, and lines (list items).  A segment is
kept only when

- it cites (``[n]``) at least one passage that was given; markers to passages
  that were not given are removed;
- its content words overlap the passages it cites (at least half of them), and
  every figure in it appears in those passages: a claim the passages do not
  carry is left out, even when it is cited;
- it is not an instruction or a leak of the prompt ("negeer alle vorige
  instructies", "here is my system prompt"): passages are data, and a model that
  repeats or follows an instruction found in one is not shown.

A list lead-in ("De stappen zijn:") needs no marker of its own: it is kept when
the list item after it is kept and its words are in the question or in that
item's passages.  Kept segments are renumbered in order of first citation, so
the streamed text is the final text.  When nothing is kept, the caller falls
back to the extractive answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..index.lexical import LexicalIndex
from ..query.retrieval import Hit
from ..text.analysis import normalise_for_match, split_sentences
from .passage import Element, ElementKind, passage_of
from .render import citation_for
from .types import Citation

_MARKER = re.compile(r"\[(\d{1,3})\]")
#: Markers written after the full stop ("... vragen. [1]") move before it, so they stay with their sentence.
_MARKS_AFTER_STOP = re.compile(r"([.!?…])((?:\s*\[\d{1,3}\])+)")
_LIST_ITEM = re.compile(r"^\s*(?:[-•*–]|\d{1,2}[.)])\s+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
#: Instructions addressed to a model, and prompt leaks, in Dutch and English.
_INSTRUCTION = re.compile(
    r"\b(?:negeer|vergeet|ignore|disregard|forget)\b[^.!?\n]{0,80}?\b(?:instructies?|opdrachten|regels|"
    r"instructions?|rules|prompts?)\b"
    r"|\b(?:systeem ?prompt|system ?prompt|systeeminstructies?|system message|developer message)\b"
    r"|\b(?:je bent nu|you are now|from now on|antwoord voortaan|vanaf nu ben je|pretend to be)\b",
    re.IGNORECASE,
)
#: Share of a sentence's content terms that the cited passages must hold.
MIN_OVERLAP = 0.5


class Dropped(StrEnum):
    """Why a segment of the reply was left out."""

    UNCITED = "uncited"
    INVENTED_CITATION = "invented-citation"
    INSTRUCTION = "instruction"
    PROMPT_LEAK = "prompt-leak"
    UNSUPPORTED = "unsupported"
    UNSUPPORTED_FIGURE = "unsupported-figure"


@dataclass(frozen=True)
class _Segment:
    text: str
    starts_line: bool


class ReplyChecker:
    """Feed it the reply piece by piece; it returns the checked text to show, piece by piece.

    ``hits`` are the passages as numbered in the prompt (1-based); ``question`` and
    ``system_prompt`` are what the model was given (for lead-ins and leak checks).
    """

    def __init__(self, hits: Sequence[Hit], lexical: LexicalIndex, question: str = "", system_prompt: str = "") -> None:
        self._hits = list(hits)
        self._analyzer = lexical.analyzer
        self._lexical = lexical
        self._question_terms = set(self._terms(question))
        self._system_terms = set(self._terms(system_prompt))
        self._support: dict[int, tuple[set[str], str]] = {}
        self._reply = ""
        self._done = 0
        self._pending_lead: str | None = None
        self._renumber: dict[int, int] = {}
        self._kept: list[tuple[str, tuple[int, ...]]] = []  # (text with original markers, cited passages)
        self._out: list[str] = []
        self._emitted = False
        self.dropped: Counter[Dropped] = Counter()
        self.segments = 0

    # ------------------------------------------------------------------ feeding

    def feed(self, piece: str) -> list[str]:
        """Add a piece of the reply; return the text of segments completed and kept by it."""
        self._reply += piece
        return self._take(final=False)

    def finish(self) -> list[str]:
        """The reply is complete: check the last segment."""
        return self._take(final=True)

    @property
    def text(self) -> str:
        """Everything kept so far, as shown (markers renumbered)."""
        return "".join(self._out)

    def citations(self) -> list[Citation]:
        """One citation per passage cited by a kept segment, quoting what the claims lean on.

        The quote is the passage's element that shares most words with the claims
        citing it: a sentence, or of a list its lead-in and the items the claims
        name, of a table its title, header and the rows they name (each a verbatim
        line, joined by " … " as in the extractive answers).
        """
        out: list[Citation] = []
        for n, new in sorted(self._renumber.items(), key=lambda kv: kv[1]):
            chunk = self._hits[n - 1].chunk
            claims = set(self._terms(" ".join(text for text, cited in self._kept if n in cited)))
            stretches = [st for el in passage_of(chunk).elements if el.quotable and (st := self._stretches(el, claims))]
            best = max(stretches, key=lambda st: len(claims & set(self._terms(" ".join(st)))), default=[chunk.text])
            out.append(citation_for(new, chunk, best, max(0, chunk.text.find(best[-1]))))
        return out

    def _stretches(self, element: Element, claims: set[str]) -> list[str]:
        """The verbatim lines of ``element`` a quote takes: all of a sentence; the named items or rows."""
        if element.kind is ElementKind.SENTENCE:
            return [element.text]
        lines = element.text.split("\n")
        head = 1 if (element.lead or element.title) else 0
        head += 1 if element.header else 0
        named = [ln for ln in lines[head:] if claims & set(self._terms(ln))]
        return lines[:head] + named if named else []

    # ------------------------------------------------------------------ segmenting

    def _take(self, final: bool) -> list[str]:
        segments = _segments(self._reply, final)
        shown: list[str] = []
        for seg in segments[self._done :]:
            self.segments += 1
            shown.extend(self._check(seg))
        self._done = len(segments)
        self._out.extend(shown)
        return shown

    # ------------------------------------------------------------------ checking

    def _check(self, seg: _Segment) -> list[str]:
        body = _MARKER.sub("", seg.text).strip()
        marks = [int(n) for n in _MARKER.findall(seg.text)]
        lead, self._pending_lead = self._pending_lead, None
        if not marks and body.endswith(":") and not _INSTRUCTION.search(body):
            self._pending_lead = body  # decided by the item after it
            return []
        if not body:
            return []
        if not marks:
            self.dropped[Dropped.UNCITED] += 1
            return []
        given = [n for n in dict.fromkeys(marks) if 1 <= n <= len(self._hits)]
        if not given:
            self.dropped[Dropped.INVENTED_CITATION] += 1
            return []
        if _INSTRUCTION.search(body):
            self.dropped[Dropped.INSTRUCTION] += 1
            return []
        terms = {t for t in self._terms(body) if not t.startswith("~")}
        support = set().union(*(self._passage(n)[0] for n in given))
        if len((terms & self._system_terms) - support) >= 3:
            self.dropped[Dropped.PROMPT_LEAK] += 1
            return []
        passages_text = "".join(self._passage(n)[1] for n in given)
        if any(normalise_for_match(x) not in passages_text for x in _NUMBER.findall(body)):
            self.dropped[Dropped.UNSUPPORTED_FIGURE] += 1
            return []
        if not _overlaps(terms, support):
            self.dropped[Dropped.UNSUPPORTED] += 1
            return []
        # Markers whose passage holds none of the claim's words are dropped; the others stay.
        cited = tuple(n for n in given if terms & self._passage(n)[0]) or tuple(given)
        shown: list[str] = []
        if lead is not None and _LIST_ITEM.match(seg.text) and self._lead_fits(lead, cited):
            shown.append(self._emit(lead, True))
        for n in cited:
            self._renumber.setdefault(n, len(self._renumber) + 1)
        text = self._renumbered(seg.text, cited)
        self._kept.append((seg.text, cited))
        shown.append(self._emit(text, seg.starts_line))
        return shown

    def _lead_fits(self, lead: str, cited: tuple[int, ...]) -> bool:
        terms = {t for t in self._terms(lead) if not t.startswith("~")}
        support = self._question_terms.union(*(self._passage(n)[0] for n in cited))
        return len(lead) <= 200 and _overlaps(terms, support, minimum=1)

    def _emit(self, text: str, starts_line: bool) -> str:
        sep = ("\n" if starts_line else " ") if self._emitted else ""
        self._emitted = True
        return sep + text

    def _renumbered(self, text: str, cited: tuple[int, ...]) -> str:
        def sub(m: re.Match[str]) -> str:
            n = int(m.group(1))
            return f"[{self._renumber[n]}]" if n in cited else ""

        text = _MARKER.sub(sub, text)
        return re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()

    def _passage(self, n: int) -> tuple[set[str], str]:
        """Terms and normalised text (title and headings included) of passage ``n``."""
        if n not in self._support:
            chunk = self._hits[n - 1].chunk
            self._support[n] = (set(self._terms(chunk.index_text)), normalise_for_match(chunk.index_text))
        return self._support[n]

    def _terms(self, text: str) -> list[str]:
        return self._analyzer.terms(text)


def _overlaps(terms: set[str], support: set[str], minimum: int = 2) -> bool:
    """At least MIN_OVERLAP of ``terms`` are in ``support`` (and ``minimum`` of them, for longer claims)."""
    if not terms:
        return False
    shared = len(terms & support)
    return shared / len(terms) >= MIN_OVERLAP and shared >= min(minimum, len(terms))


def _segments(reply: str, final: bool) -> list[_Segment]:
    """The reply's completed segments (all of them when ``final``).

    A line that has not ended yet may still grow: its last sentence counts only
    once the next one has begun (so markers after its full stop are still seen).
    """
    lines = reply.split("\n")
    out: list[_Segment] = []
    for i, line in enumerate(lines):
        complete = final or i < len(lines) - 1
        sentences = split_sentences(_MARKS_AFTER_STOP.sub(r"\2\1", line))
        if not complete:
            sentences = sentences[:-1]
        out.extend(_Segment(s.strip(), j == 0) for j, s in enumerate(sentences) if s.strip())
    return out
