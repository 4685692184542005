"""Structure-aware chunking.

Blocks of one section are packed into chunks of about ``size`` characters on
sentence boundaries, with about ``overlap`` characters of trailing sentences
repeated in the next chunk.  Chunks never cross a section boundary unless a
section is too short to stand alone (under ``min_section`` characters: a
heading-only section, a one-line figure), in which case it joins the next
section.  The text that is embedded and indexed lexically starts with the
document title and section heading, so "Vraaggestuurde werking" in a heading
helps find a passage that only says "we ontvingen 107 vragen".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from ..settings import Settings
from ..text.analysis import split_sentences
from .loading import Block, ParsedDocument

SECTION_SEP = " > "


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage with everything needed to cite it."""

    chunk_id: str
    doc_id: str
    title: str
    doc_type: str
    url: str
    section: str
    page_start: int | None
    page_end: int | None
    text: str
    ordinal: int = 0
    #: "offset:page;offset:page" where the page changes inside the text (PDFs).
    page_offsets: str = ""

    @property
    def header(self) -> str:
        """Title and section heading, prepended to the text for indexing."""
        return f"{self.title} — {self.section}" if self.section else self.title

    @property
    def index_text(self) -> str:
        """The text that is embedded and lexically indexed."""
        return f"{self.header}\n{self.text}"

    def page_at(self, offset: int) -> int | None:
        """The PDF page of the character at ``offset`` in :attr:`text`."""
        page = self.page_start
        for part in filter(None, self.page_offsets.split(";")):
            off, _, p = part.partition(":")
            if int(off) <= offset:
                page = int(p)
        return page

    def page_of(self, quote: str) -> int | None:
        """The page a quoted passage starts on (chunks may span two pages)."""
        pos = self.text.find(quote)
        return self.page_at(pos) if pos >= 0 else self.page_start

    @property
    def page_label(self) -> str:
        """'p. 5' or 'p. 5-6' or '' for documents without pages."""
        if self.page_start is None:
            return ""
        if self.page_end and self.page_end != self.page_start:
            return f"p. {self.page_start}-{self.page_end}"
        return f"p. {self.page_start}"

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (Chroma accepts no None values)."""
        d = asdict(self)
        d.pop("text")
        d["page_start"] = self.page_start or 0
        d["page_end"] = self.page_end or 0
        return d

    @classmethod
    def from_record(cls, text: str, meta: dict[str, Any]) -> Chunk:
        """Inverse of :meth:`metadata` plus the text."""
        fields = {k: meta[k] for k in cls.__dataclass_fields__ if k in meta and k != "text"}
        fields["page_start"] = fields.get("page_start") or None
        fields["page_end"] = fields.get("page_end") or None
        return cls(text=text, **fields)


@dataclass
class _Unit:
    section: tuple[str, ...]
    sentences: list[tuple[str, int | None]]

    @property
    def size(self) -> int:
        return sum(len(s) + 1 for s, _ in self.sentences)


def chunk_document(
    doc: ParsedDocument, size: int = Settings.chunk_size, overlap: int = Settings.chunk_overlap, min_section: int = 300
) -> list[Chunk]:
    """Split a parsed document into chunks with full citation metadata."""
    units = _merge_short(list(_units(doc.blocks)), min_section)
    chunks: list[Chunk] = []
    for unit in units:
        for sentences in _windows(unit.sentences, size, overlap):
            # Lines without a sentence end (headings, list items, table rows) keep
            # their line break, so answering can split them off again; so does the
            # last sentence of a page ("... te bezoeken." + "socius.be 2023 ..."), so
            # no quote runs over a page break and every citation names one page.
            text = "".join(
                s + (" " if re.search(r"[.!?…:;\"”’)]$", s) and page == next_page else "\n")
                for (s, page), next_page in zip(sentences, [p for _, p in sentences[1:]] + [None], strict=True)
            ).strip()
            pages = [p for _, p in sentences if p is not None]
            offsets, pos, last = [], 0, None
            for sentence, page in sentences:
                if page is not None and page != last:
                    if last is not None:
                        offsets.append(f"{pos}:{page}")
                    last = page
                pos += len(sentence) + 1
            section = SECTION_SEP.join(unit.section)
            digest = hashlib.sha256(f"{doc.meta.doc_id}\n{section}\n{text}".encode()).hexdigest()[:20]
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.meta.doc_id}:{digest}",
                    doc_id=doc.meta.doc_id,
                    title=doc.meta.title,
                    doc_type=doc.meta.doc_type,
                    url=doc.meta.url,
                    section=section,
                    page_start=min(pages) if pages else None,
                    page_end=max(pages) if pages else None,
                    text=text,
                    ordinal=len(chunks),
                    page_offsets=";".join(offsets),
                )
            )
    return dedupe_chunks(chunks)


def _units(blocks: list[Block]) -> Iterator[_Unit]:
    current: _Unit | None = None
    for block in blocks:
        sentences = [(s, block.page) for s in split_sentences(block.text)]
        if current is not None and current.section == block.section:
            current.sentences.extend(sentences)
            continue
        if current is not None and current.sentences:
            yield current
        current = _Unit(block.section, sentences)
    if current is not None and current.sentences:
        yield current


def _merge_short(units: list[_Unit], min_section: int) -> list[_Unit]:
    """Join sections shorter than ``min_section`` with the following section."""
    out: list[_Unit] = []
    pending: _Unit | None = None
    for unit in units:
        if pending is not None:
            common = _common_prefix(pending.section, unit.section) or unit.section
            unit = _Unit(common, pending.sentences + unit.sentences)
            pending = None
        if unit.size < min_section:
            pending = unit
        else:
            out.append(unit)
    if pending is not None:
        if out:
            last = out[-1]
            out[-1] = _Unit(
                _common_prefix(last.section, pending.section) or last.section, last.sentences + pending.sentences
            )
        else:
            out.append(pending)
    return out


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _windows(
    sentences: list[tuple[str, int | None]], size: int, overlap: int
) -> Iterator[list[tuple[str, int | None]]]:
    """Greedy sentence packing with a sentence-aligned overlap."""
    start = 0
    n = len(sentences)
    while start < n:
        length = 0
        end = start
        while end < n and (end == start or length + len(sentences[end][0]) + 1 <= size):
            length += len(sentences[end][0]) + 1
            end += 1
        yield sentences[start:end]
        if end >= n:
            break
        # Step back over trailing sentences worth about ``overlap`` characters.
        back = end
        carried = 0
        while back - 1 > start and carried + len(sentences[back - 1][0]) <= overlap:
            back -= 1
            carried += len(sentences[back][0]) + 1
        start = back


def dedupe_chunks(chunks: list[Chunk]) -> list[Chunk]:
    """``chunks`` without repeated chunk ids, first occurrence kept, order kept."""
    seen: set[str] = set()
    out: list[Chunk] = []
    for c in chunks:
        if c.chunk_id not in seen:
            seen.add(c.chunk_id)
            out.append(c)
    return out
