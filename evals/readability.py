"""Readability checks on an answer's text: fragments and repeated sentences.

Both checks look only at the text a person reads (citation markers removed) and
are computed for answered items (route ``answer``).  They are deliberately
independent of the assistant's own sentence splitter, so that a change there
cannot hide its own fragments.

**Fragment** — an answer "starts or ends mid-sentence" when one of its prose
blocks does.  The text is cut into lines; a line that starts with a bullet
(``-``, ``•``, ``*``, ``–``, ``▪``) or a list number (``1.``, ``2)``) is a *list
item* and is never checked: a bulleted list after a lead-in is a complete answer.
Consecutive other lines form a *prose block*.  A prose block is a fragment when

1. it *starts* mid-sentence: its first character (after opening quotes) is a
   lower-case letter, or a continuation mark (``)``, ``,``, ``;``, ``:``, ``.``,
   ``…``, ``/``, ``-``, ``–``, ``—``, ``]``, ``%``);
2. it *ends* mid-sentence: after removing ``[n]`` markers and closing
   quotes/brackets, its last character is not ``.``, ``!`` or ``?`` — or ``:``
   when list items follow it (a lead-in).  An ellipsis (``…`` or ``...``) is a
   cut, not an end;
3. a sentence *inside* it starts mid-sentence: sentence-final punctuation
   followed by a space and a lower-case word ("… in onze communicatie.
   mailinglijsten abonnees"), unless the word before the full stop is a known
   abbreviation ("o.a.", "bv.", "p.") or a single letter;
4. a cited stretch inside it ends mid-sentence: a ``[n]`` marker followed by a
   new stretch (an upper-case letter or a digit, after opening quotes) closes
   the stretch before it, which must then end as in rule 2 ("… in Congres- en
   Erfgoedcentrum Lamot in [1] ‘Alles politiek’ was …").  A marker followed by a
   lower-case word sits inside a sentence and closes nothing.

**Repeat** — an answer repeats a sentence when two of its sentences (prose
sentences and list items, markers removed) are equal after normalisation to
lower-case letters and digits, counting only sentences of at least 12 such
characters (so "Ja." twice or two list items "2023" do not count).  A list item is
compared whole: two items that share a title ending in "?" are not a repeat.

**Too long** — the issue asks for "at most about 80 words unless it is a list": an
answer without list items whose text (markers removed, notes included: they are
read too) has more than :data:`MAX_WORDS` words (80 and a tenth for "about").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text.analysis import ABBREVIATIONS, normalise_for_match

#: ``[1]``, ``[1, 2]``, ``[1][2]`` with the space before them.
_MARKERS = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")
_LIST_ITEM = re.compile(r"^\s*(?:[-•*–▪·]|\d{1,2}[.)])\s+\S")
_OPENERS = "\"'“‘„«(["
_CLOSERS = "\"'”’»)]"
_CONTINUATION_START = set(")],;:.…/-–—%")
_FINAL = ".!?"
#: A marker that closes a cited stretch: a new stretch starts after it.
_CLOSING_MARKER = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\](?=\s*[\"'“‘„«(]?[A-ZÀ-Ý0-9])")
_INNER_BREAK = re.compile(r"(\S+)[.!?][\"”’)]?\s+([a-zà-ÿ])")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])[\"”’)]?\s+")
_MIN_REPEAT_CHARS = 12
#: "At most about 80 words unless it is a list" (issue #12): 80 and a tenth.
MAX_WORDS = 88


@dataclass(frozen=True)
class Readability:
    """The two checks for one answer text, with the reason when a check fails."""

    fragment: bool
    repeat: bool
    fragment_reason: str = ""
    repeated: str = ""
    #: Words of the text (markers removed) and whether that is too many for a non-list answer.
    words: int = 0
    too_long: bool = False


def strip_markers(text: str) -> str:
    """The answer text without ``[n]`` citation markers."""
    return _MARKERS.sub("", text)


def _blocks(text: str) -> list[tuple[str, bool]]:
    """Prose blocks of the text, each with "list items follow it"."""
    blocks: list[tuple[str, bool]] = []
    current: list[str] = []
    for line in text.splitlines():
        if _LIST_ITEM.match(line):
            if current:
                blocks.append((" ".join(current), True))
                current = []
            elif blocks and not blocks[-1][1]:
                blocks[-1] = (blocks[-1][0], True)
        elif not line.strip():
            if current:
                blocks.append((" ".join(current), False))
                current = []
        else:
            current.append(line.strip())
    if current:
        blocks.append((" ".join(current), False))
    return blocks


def _end_fragment(stretch: str, lead_in: bool) -> str:
    """Why this stretch does not end as a sentence ("" when it does)."""
    end = stretch.rstrip(_CLOSERS + " ")
    if end.endswith(("…", "...")):
        return f"eindigt afgebroken: {stretch[-40:]!r}"
    last = end[-1:]
    if last not in _FINAL and not (lead_in and last == ":"):
        return f"eindigt midden in een zin: {stretch[-40:]!r}"
    return ""


def _block_fragment(raw: str, lead_in: bool) -> str:
    """Why this prose block (still with its markers) is a fragment ("" when it is not)."""
    body = strip_markers(raw).strip()
    if not body:
        return ""
    first = body.lstrip(_OPENERS)[:1]
    if first and (first.islower() or first in _CONTINUATION_START):
        return f"begint midden in een zin: {body[:40]!r}"
    stretches = [strip_markers(s).strip() for s in _CLOSING_MARKER.split(raw)]
    for stretch in stretches[:-1]:
        reason = stretch and _end_fragment(stretch, lead_in=False)
        if reason:
            return reason.replace("eindigt", "bronstuk eindigt")
    reason = _end_fragment(body, lead_in)
    if reason:
        return reason
    for m in _INNER_BREAK.finditer(body):
        word = m.group(1).lstrip(_OPENERS).lower()
        if len(word) <= 1 or word in ABBREVIATIONS or word.rstrip(".") in ABBREVIATIONS:
            continue
        return f"zin begint midden in een zin: {body[max(0, m.start(2) - 20) : m.start(2) + 20]!r}"
    return ""


def sentences(text: str) -> list[str]:
    """Sentences and list items of an answer text (markers removed)."""
    out: list[str] = []
    for line in strip_markers(text).splitlines():
        if _LIST_ITEM.match(line):
            # A list item is one unit: two items that share a title ("Webinar 'Hoe pak ik ... aan?'
            # (grote organisaties)" and "... (kleine organisaties)") are different items.
            out.append(_LIST_ITEM.sub(lambda m: m.group(0)[-1], line).strip())
            continue
        out.extend(s.strip() for s in _SENTENCE_SPLIT.split(line.strip()) if s.strip())
    return out


def check(text: str) -> Readability:
    """Fragment and repeat checks for one answer text (see the module docstring)."""
    reason = ""
    for block, lead_in in _blocks(text):
        reason = _block_fragment(block, lead_in)
        if reason:
            break
    seen: set[str] = set()
    repeated = ""
    for s in sentences(text):
        key = normalise_for_match(s)
        if len(key) < _MIN_REPEAT_CHARS:
            continue
        if key in seen:
            repeated = s
            break
        seen.add(key)
    plain = strip_markers(text)
    n_words = len(plain.split())
    is_list = any(_LIST_ITEM.match(line) for line in plain.splitlines())
    return Readability(
        fragment=bool(reason),
        repeat=bool(repeated),
        fragment_reason=reason,
        repeated=repeated,
        words=n_words,
        too_long=not is_list and n_words > MAX_WORDS,
    )
