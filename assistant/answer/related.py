"""Related questions under an answer: neighbouring sections of the cited document."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..ingestion.chunking import SECTION_SEP, Chunk
from .types import Citation


def related_questions(citations: Sequence[Citation], chunks: Sequence[Chunk], limit: int = 3) -> list[str]:
    """Up to ``limit`` questions about the sections next to the first cited passage.

    Each names a section heading of the same document, so the publications answer it
    by construction ("Wat zeggen de publicaties over ‘De vier functies’?").
    """
    if not citations:
        return []
    first = citations[0]
    cited = next((c for c in chunks if c.chunk_id == first.chunk_id), None)
    if cited is None:
        return []
    same_doc = [c for c in chunks if c.doc_id == cited.doc_id]
    same_doc.sort(key=lambda c: abs(c.ordinal - cited.ordinal))
    seen = {_heading(cited)} | {_heading(c) for c in chunks if c.chunk_id in {x.chunk_id for x in citations}}
    out: list[str] = []
    for c in same_doc:
        heading = _heading(c)
        if not heading or heading in seen or len(heading) < 6:
            continue
        seen.add(heading)
        out.append(f"Wat zeggen de publicaties over ‘{heading}’?")
        if len(out) >= limit:
            break
    return out


def _heading(chunk: Chunk) -> str:
    last = chunk.section.rsplit(SECTION_SEP, 1)[-1] if chunk.section else ""
    return re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", last).strip()
