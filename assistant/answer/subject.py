"""Where the question's named subject stands: the passage answered from must be about it.

"Hoeveel deelnemers had de Trefdag in Gent?" is not answered by the Trefdag in Mechelen although "Gent"
is somewhere in the retrieved hits: the names of the question must be in the document section of a
passage answered from (its text, heading and title) or in the chunk either side.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..query.model import Query
from ..text.analysis import Analyzer, fold, words
from .forms import norm, word_set

if TYPE_CHECKING:
    from ..index.snapshots import Snapshot
    from ..ingestion.chunking import Chunk


def is_specific(entity: str) -> bool:
    """A name worth checking: not the organisation itself, a region or a generic capitalised word."""
    f = fold(entity)
    return f not in _GENERIC and len(f) >= 4 and "socius" not in f.split()


_GENERIC = frozenset(
    [
        "vlaanderen",
        "vlaams",
        "vlaamse",
        "brussel",
        "belgie",
        "europa",
        "europese",
        "nederland",
        "nederlands",
        "engels",
        "frans",
        "nl",
        "be",
        "covid",
        "corona",
        "decreet",
        "jaarverslag",
        "toolbox",
    ]
)


def named_subject(query: Query) -> list[str]:
    """The names of the question's subject worth finding where the answer stands."""
    return [e for e in query.entities if is_specific(e) and not _abbreviation(e)]


def subject_near(named: list[str], chunk: Chunk, snapshot: Snapshot) -> bool:
    """Are all the names in the chunk's document section (text, heading, title) or the chunk either side?"""
    sections, near = _section_texts(snapshot)
    texts = [sections[(chunk.doc_id, chunk.section)]]
    texts += [near[(chunk.doc_id, o)] for o in (chunk.ordinal - 1, chunk.ordinal + 1) if (chunk.doc_id, o) in near]
    folded = " ".join(t[0] for t in texts)
    seen = frozenset().union(*(t[1] for t in texts))
    return all(_named_in(e, folded, seen, snapshot.lexical.analyzer) for e in named)


Scope = tuple[str, frozenset[str]]


def _section_texts(snapshot: Snapshot) -> tuple[dict[tuple[str, str], Scope], dict[tuple[str, int], Scope]]:
    """Per document section, and per chunk by its position: the normalised text with section and title, and
    its words.  Built once per snapshot."""
    cached = snapshot.memo.get("section_texts")
    if not isinstance(cached, tuple):
        parts: dict[tuple[str, str], list[str]] = {}
        near: dict[tuple[str, int], Scope] = {}
        for chunk in snapshot.chunks:
            text = f"{chunk.text} {chunk.section} {chunk.title}"
            parts.setdefault((chunk.doc_id, chunk.section), []).append(text)
            near[(chunk.doc_id, chunk.ordinal)] = (norm(text), word_set(text))
        sections = {k: (norm(" ".join(v)), word_set(" ".join(v))) for k, v in parts.items()}
        cached = snapshot.memo["section_texts"] = (sections, near)
    return cached


def _named_in(entity: str, folded: str, seen: frozenset[str], analyzer: Analyzer) -> bool:
    """Is a name in a text: each of its words as a word ("Gent" is not in "agentschap"), a long word also inside
    a longer one ("Trefdagsite"), or the parts of a compound."""
    for word in words(entity):
        if word in seen or (len(word) >= 6 and word in folded):
            continue
        parts = analyzer.split_compound(word)
        if not parts or not all(p in seen or (len(p) >= 6 and p in folded) for p in parts):
            return False
    return True


def _abbreviation(entity: str) -> bool:
    """An abbreviation ("SCvW", "VTE"): the publications often write it out, so it is no name to look for."""
    return " " not in entity and len(entity) <= 6 and sum(ch.isupper() for ch in entity) >= 2


#: "Wie is de voorzitter van ...?", "wie was de coördinator": the role whose holder is asked.
ROLE_ASKED = re.compile(r"wie (?:is|was|zijn|waren) (?:nu |momenteel |eigenlijk )?(?:de|het) (\w{5,})")


__all__ = ["ROLE_ASKED", "is_specific", "named_subject", "subject_near"]
