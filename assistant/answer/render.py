"""Rendering composed answers as readable Dutch: sentences, bulleted lists, table figures, notes."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from urllib.parse import quote as url_quote

from ..ingestion.chunking import Chunk
from ..query.model import AnswerKind, Query
from ..query.time import PERIOD_WORDS
from . import signals
from .passage import Element
from .types import QUOTE_GAP, Citation, TextDelta

_FUTURE = re.compile(
    r"\b(moeten|moet|zal|zullen|deadline|uiterlijk|tegen (?=\w+ \d{4}|\d{4})|gepland|plannen|plant|verwacht|komt|"
    r"(?<!te )komen|start|starten|verschijnt|verschijnen|is dan|nakende|volgende)\b",
    re.IGNORECASE,
)
_EXPECTED = re.compile(r"\b(kunnen|kan|zouden|zou|hopen|hopelijk|op schema|voorzien|beogen|willen)\b", re.IGNORECASE)
_DATED = re.compile(rf"\b((?:(?:{PERIOD_WORDS})\s+)?((?:19|20)\d\d))\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def sentence_line(quote: str) -> str:
    """A quoted stretch as an answer sentence: one line, no bullet or footnote number, a capital first letter."""
    s = re.sub(r"\s*\n\s*", " ", quote.strip())
    s = re.sub(r"^[•\-–·*]\s*", "", s)
    s = re.sub(r"^\d{1,2} (?=[A-ZÀ-Ý])", "", s)  # "3 De NPS ..." is footnote 3
    return s[:1].upper() + s[1:] if s else s


def list_lines(lead: str, items: Sequence[str]) -> str:
    """A lead-in and all items as a Dutch bulleted list."""
    lead = sentence_line(lead).rstrip()
    if lead and not lead.endswith((":", "?")):
        lead = lead.rstrip(".") + ":"
    body = "\n".join(f"- {item.strip().rstrip(';,')}" for item in items if item.strip())
    return f"{lead}\n{body}" if lead else body


def cell_line(table: Element, row: int) -> tuple[str, list[str]]:
    """The table row that holds a figure, as one sentence with its column headers, title and year.

    "Online | 17 | 49u30 | 2u54" under "Soort | Aantal | Totale duurtijd | Gem. duurtijd"
    becomes "Online: Aantal 17, Totale duurtijd 49u30, Gem. duurtijd 2u54 (title)." — the
    whole row, so the figure is read with its neighbours.
    Returns the line and the verbatim stretches it rests on (title, header row, row).
    """
    lines = table.text.split("\n")
    cells = table.rows[row]
    labelled = table.labelled
    label = cells[0] if labelled else ""
    values = list(cells[1:] if labelled else cells)
    names = list(table.header[1:] if labelled else table.header) if table.header else []
    if names and len(names) == len(values):
        parts = [f"{n}: {v}" if not labelled else f"{n} {v}" for n, v in zip(names, values, strict=True)]
    else:
        parts = values
    joined = "; ".join(parts) if not labelled else ", ".join(parts)
    line = f"{label}: {joined}" if label else joined
    # The table's title says what the figures are; the year of a yearly report goes in a note
    # after the answer (see :func:`time_notes`), so the cited line holds only quoted words.
    line += (f" ({table.title})" if table.title else "") + "."
    spans: list[str] = []
    if table.title:
        spans.append(lines[0])
    row_offset = (1 if table.title else 0) + (1 if table.header else 0)
    if table.header:
        spans.append(lines[row_offset - 1])
    spans.append(lines[row_offset + row])
    return sentence_line(line), spans


def citation_for(n: int, chunk: Chunk, spans: Sequence[str], offset: int) -> Citation:
    """The citation of quoted stretches of one chunk, with a link to the cited place."""
    page = chunk.page_of(spans[-1]) if spans else chunk.page_start
    if chunk.page_start is not None and page is None:
        page = chunk.page_at(offset)
    return Citation(
        n=n,
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        title=chunk.title,
        doc_type=chunk.doc_type,
        page=page,
        section=chunk.section,
        url=chunk.url,
        quote=QUOTE_GAP.join(spans),
        link=location_link(chunk.url, page, chunk.anchor, chunk.section.rsplit(" > ", 1)[-1] if chunk.section else ""),
    )


def location_link(url: str, page: int | None, anchor: str, heading: str = "") -> str:
    """The address of the cited place: a PDF at its page, an HTML page at its section.

    A section without an id is opened at its heading with a text fragment
    (``#:~:text=``, understood by current browsers; others open the page).
    """
    if not url:
        return ""
    base = url.split("#", 1)[0]
    if page is not None:
        return f"{base}#page={page}"
    if anchor:
        return f"{base}#{anchor}"
    return f"{base}#:~:text={url_quote(heading, safe='')}" if heading else base


def time_notes(query: Query, body: str, quotes: Sequence[str], titles: Sequence[str]) -> list[str]:
    """Notes that put dates and figures in time: a deadline that has passed, the year of a figure."""
    notes = [
        f"Let op: {moment} ligt intussen achter ons; die informatie kan dus verouderd zijn."
        for moment in passed_moments(quotes, query.today)
    ]
    if query.kind is AnswerKind.FIGURE and not query.years and signals.states_figure(body) and not _YEAR.search(body):
        dated = sorted({t for t in titles if _YEAR.search(t)})
        if dated:
            notes.append(f"Dit cijfer komt uit het {dated[0]}.")
    return notes


def passed_moments(quotes: Sequence[str], today: date, *, expected: bool = False) -> list[str]:
    """Moments that the quotes announce as still to come ("eind 2024" with "zullen") but lie before ``today``.

    ``expected`` also counts what the quotes expect or hope for ("kunnen we eind 2024 terug ...").
    """
    moments: list[str] = []
    for quote in quotes:
        if not (_FUTURE.search(quote) or (expected and _EXPECTED.search(quote))):
            continue
        for m in _DATED.finditer(quote):
            if int(m.group(2)) < today.year and m.group(1).lower() not in " ".join(moments).lower():
                moments.append(m.group(1))
                break
    return moments


def stream_text(text: str) -> Iterator[TextDelta]:
    """An answer text in pieces that end after a citation marker (the web chat streams them).

    The pieces add up to ``text`` exactly, line breaks included (a list, or the
    notes after an answer, are shown while streaming as they are at the end).
    """
    parts = re.split(r"(?:(?<=\])|(?<=\][.!?]))(\s+)", text)
    for i in range(0, len(parts), 2):
        piece = parts[i] + (parts[i + 1] if i + 1 < len(parts) else "")
        if piece:
            yield TextDelta(piece)


def found_passages(chunks: Sequence[Chunk], limit: int = 3) -> list[Citation]:
    """The passages retrieval found, as citations of their opening sentences (about 300 characters).

    For a turn that cites nothing (a decline or an escalation): staff who take up the request
    see what the publications do say about the subject, without the asker having been shown it.
    """
    out: list[Citation] = []
    for n, chunk in enumerate(chunks[:limit], start=1):
        end = chunk.text.find(". ", 250)
        excerpt = chunk.text[: end + 1 if 0 <= end < 400 else 300].strip()
        out.append(citation_for(n, chunk, [excerpt], 0))
    return out
