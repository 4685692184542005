"""What a parser produces: document metadata and typed blocks in reading order.

A block keeps the structure an answer needs: a list stays a list (with the
sentence that introduces it), a table stays a table (title, header, rows), and
captions, photo credits and "scan de code" lines are marked so that they are
indexed but never quoted as an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

#: Prefix of a list item line in block and chunk text.
BULLET = "• "
#: Separator of table cells in block and chunk text.
CELL = " | "


#: A notice about the page itself rather than its subject: "Voorbeeldinhoud: deze pagina is samengesteld uit
#: feiten in het Jaarverslag 2023 van Socius." A short label and a colon, then what "deze pagina" (this
#: document, this guide) is.  Every page that carries it would match "2023", "jaarverslag" and "Socius".
_PAGE_NOTICE = re.compile(
    r"^[A-ZÀ-Ý][\w-]{2,24}(?: [\w-]+){0,2}:\s+(?:[^.!?]*\s)?"
    r"(?:deze|dit) (?:pagina|webpagina|tekst|document|gids|site|overzicht)\b",
    re.IGNORECASE,
)


def is_page_notice(paragraph: str) -> bool:
    """Is ``paragraph`` a labelled notice about the page itself (boilerplate: not indexed, not quoted)?"""
    text = paragraph.strip()
    return len(text.split()) <= 40 and _PAGE_NOTICE.match(text) is not None


class BlockKind(StrEnum):
    """What a block is; chunk text keeps it as an element (see :mod:`assistant.ingestion.chunking`)."""

    TEXT = "text"
    #: Optional lead-in line, then one ``• item`` line per item.
    LIST = "list"
    #: Optional title line (no cell separator), then rows of cells joined by ``" | "``;
    #: with ``header`` the first row names the columns.
    TABLE = "table"
    #: Photo captions, credits, QR-code prompts: indexed, never quoted.
    CAPTION = "caption"


@dataclass(frozen=True)
class DocumentMeta:
    """What the manifest (or the file itself) says about one document."""

    path: str  # relative to the corpus folder, with forward slashes
    doc_id: str
    title: str
    doc_type: str
    url: str = ""
    date: str = ""


@dataclass(frozen=True)
class Block:
    """A run of text with one place in the source: a section path, a page and a kind.

    ``anchor`` is the HTML id of the nearest heading (for links to the section);
    ``header`` says that the first row of a table names its columns.
    """

    text: str
    section: tuple[str, ...] = ()
    page: int | None = None
    kind: BlockKind = BlockKind.TEXT
    header: bool = False
    anchor: str = ""

    def to_json(self) -> list[object]:
        """Plain data for the parser child process."""
        return [self.text, list(self.section), self.page, self.kind.value, self.header, self.anchor]

    @classmethod
    def from_json(cls, data: list[object]) -> Block:
        """Inverse of :meth:`to_json`."""
        text, section, page, kind, header, anchor = data
        return cls(str(text), tuple(section), page, BlockKind(kind), bool(header), str(anchor))  # type: ignore[arg-type]


@dataclass
class ParsedDocument:
    """A parsed document: its metadata and its blocks in reading order."""

    meta: DocumentMeta
    blocks: list[Block] = field(default_factory=list)
    pages: int = 0

    @property
    def text(self) -> str:
        """All text, blocks separated by blank lines (for tests and debugging)."""
        return "\n\n".join(b.text for b in self.blocks)
