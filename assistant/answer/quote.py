"""The answer line for a chosen candidate and the verbatim stretches of source text it quotes.

A sentence is said as a sentence (with the subheading right above it), a list item under its
lead-in, a whole list or table as a bulleted list, a table row as one sentence with its headers.
"""

from __future__ import annotations

import re

from .candidates import Candidate, lead_of
from .passage import Element, ElementKind, Passage, label_over, whole_sentence
from .render import cell_line, list_lines, sentence_line


def quote_of(cand: Candidate) -> tuple[str, list[str]]:
    """The answer line for a candidate and the verbatim stretches it quotes."""
    el, passage = cand.element, cand.passage
    if cand.item is not None:
        lead = lead_of(passage, el)
        if not whole_sentence(cand.text) and lead and lead in passage.chunk.text:
            return list_lines(lead, [cand.text]), [lead, cand.text]  # an item read under its lead-in
        return sentence_line(cand.text), [cand.text]
    if cand.continues:
        return list_lines("", el.items), [el.text]  # its lead-in was said with the list it continues
    if el.kind in (ElementKind.LIST, ElementKind.TABLE) and cand.row is None:
        items = el.items if el.kind is ElementKind.LIST else tuple(_row_items(el))
        lead = lead_of(passage, el)
        if lead and not (el.lead or el.title):
            # The sentence before introduces the list: quote it with the list, one stretch.
            before = passage.before(el)
            if before is not None and passage.same_page(before, el):
                stretch = passage.chunk.text[before.start : el.end]
                return list_lines(lead, items), [stretch]
        if not lead:
            # The section heading introduces it, when the passage has it verbatim to quote.
            heading = _heading_lead(passage)
            at = passage.chunk.text.rfind(heading.rstrip(":"), 0, el.start)
            if at >= 0:
                return list_lines(heading, items), [heading.rstrip(":"), el.text]
        return list_lines(lead, items), [el.text]
    if el.kind is ElementKind.TABLE and cand.row is not None:
        return cell_line(el, cand.row)
    quote = cand.text
    label = label_over(passage, cand.stretch[0])
    if label:
        # One verbatim stretch: the subheading, its line break and the quote.
        at = passage.chunk.text.rfind(label, 0, cand.stretch[0].start)
        return f"{label}: {sentence_line(quote)}", [passage.chunk.text[at : cand.stretch[-1].end]]
    return sentence_line(quote), [quote]


def _row_items(table: Element) -> list[str]:
    """A table as list items: "1 | Plan van aanpak" -> "1. Plan van aanpak", else "label: values"."""
    out: list[str] = []
    for row in table.rows:
        cells = [c for c in row if c]
        if not cells:
            continue
        if len(cells) == 2 and cells[0].isdigit() and len(cells[0]) <= 2:
            out.append(f"{cells[0]}. {cells[1]}")
        elif len(cells) >= 2 and table.header and len(table.header) == len(row):
            out.append(f"{cells[0]}: " + ", ".join(f"{h} {v}" for h, v in zip(table.header[1:], row[1:], strict=False)))
        else:
            out.append(cells[0] + (": " + ", ".join(cells[1:]) if len(cells) > 1 else ""))
    return out


def _heading_lead(passage: Passage) -> str:
    section = passage.chunk.section.rsplit(" > ", 1)[-1] if passage.chunk.section else passage.chunk.title
    section = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", section).rstrip(":?")
    return f"{section}:"
