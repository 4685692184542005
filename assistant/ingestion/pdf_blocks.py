"""Block-level repairs of a PDF page's layout, once its blocks are built."""

from __future__ import annotations

import re

from .document import CELL, Block, BlockKind

__all__ = ["late_table_titles"]


def late_table_titles(blocks: list[Block]) -> list[Block]:
    """A table's title that pypdf emits after the rest of its page goes back on top of that table.

    "VTE % effectieve inzetbaarheid naar functie en kernopdrachten (9)" is printed above
    the rows that open page 69 but comes out as the page's last line; on its own it is a
    passage of nothing but question words.  It titles the page's first table when that
    table opens the page without a title.
    """
    out: list[Block | None] = list(blocks)
    for k, block in enumerate(blocks):
        last_of_page = k + 1 == len(blocks) or blocks[k + 1].page != block.page
        if (
            block.kind is not BlockKind.TEXT
            or block.page is None
            or not last_of_page
            or "\n" in block.text
            or len(block.text.split()) > 15
            or not block.text[:1].isupper()
            or re.search(r"[.!?:;]$", block.text)
        ):
            continue
        first = next(n for n, b in enumerate(blocks) if b.page == block.page)
        table = out[first]
        if first == k or table is None or table.kind is not BlockKind.TABLE:
            continue
        if CELL not in table.text.split("\n", 1)[0]:
            continue  # it has a title already
        out[first] = Block(
            f"{block.text}\n{table.text}", table.section, table.page, table.kind, table.header, table.anchor
        )
        out[k] = None
    return [b for b in out if b is not None]
