"""Markdown parsing (markdown-it): ``#`` headings as section path, lists and tables kept whole."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import DocumentError
from .document import BULLET, CELL, Block, BlockKind, DocumentMeta, ParsedDocument

# A label or target never spans another opening bracket: each attempt stops at the
# next "[" or "(", so the patterns run in linear time ("[" * 40_000 took 20 s).
_MD_IMAGE = re.compile(r"!\[([^\[\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\((?:[^()]|\([^()]*\))*\)")


def parse_markdown(source: str, meta: DocumentMeta) -> ParsedDocument:
    """Markdown with its ``#`` headings as section path (front matter is skipped)."""
    from markdown_it import MarkdownIt

    body = re.sub(r"\A---\n.*?\n---\n", "", source, flags=re.S)
    try:
        tokens = MarkdownIt("commonmark").enable("table").parse(body)
    except Exception as err:  # markdown-it is lenient; this is a safety net
        raise DocumentError(meta.path, f"the Markdown cannot be parsed ({type(err).__name__}).") from err
    blocks: list[Block] = []
    path: tuple[str, ...] = ()
    buf: list[str] = []
    items: list[str] = []
    rows: list[str] = []
    header = False
    in_heading = 0
    list_depth = 0
    row: list[str] = []

    def flush() -> None:
        text = "\n".join(buf).strip()
        if text:
            blocks.append(Block(text, path))
        buf.clear()

    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            flush()
            in_heading = int(tok.tag[1])
        elif tok.type == "inline" and in_heading:
            path = (*path[: in_heading - 1], _clean_ws(tok.content))
        elif tok.type == "heading_close":
            in_heading = 0
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
            if list_depth == 0 and items:
                lead = _take_lead(buf)
                flush()
                blocks.append(Block("\n".join(([lead] if lead else []) + items), path, kind=BlockKind.LIST))
                items = []
        elif tok.type == "table_open":
            flush()
            rows, header = [], False
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            rows.append(CELL.join(row))
        elif tok.type == "th_open":
            header = True
        elif tok.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            row.append(_clean_ws(_strip_md(tok.content)))
        elif tok.type == "table_close":
            if rows:
                blocks.append(Block("\n".join(rows), path, kind=BlockKind.TABLE, header=header))
            rows = []
        elif tok.type == "inline":
            text = _clean_ws(_strip_md(tok.content))
            if list_depth:
                # A nested item or a second paragraph of an item belongs to its item.
                if tokens[i - 2].type == "list_item_open" and (list_depth == 1 or not items):
                    items.append(BULLET + text)
                elif items:
                    items[-1] = f"{items[-1]} {text}"
            else:
                buf.append(text)
        elif tok.type in ("fence", "code_block"):
            buf.append(tok.content.strip())
    flush()
    title = meta.title
    if blocks and blocks[0].section and title == Path(meta.path).stem:
        title = blocks[0].section[0]
    return ParsedDocument(meta=DocumentMeta(**{**meta.__dict__, "title": title}), blocks=blocks)


def _take_lead(buf: list[str]) -> str:
    """The paragraph before a list introduces it when it ends with ':' (taken out of the text)."""
    if not buf or not buf[-1].rstrip().endswith(":"):
        return ""
    from ..text.analysis import split_sentences

    para = buf.pop()
    sentences = split_sentences(para)
    lead = sentences[-1] if sentences else para
    rest = para[: para.rfind(lead)].rstrip() if lead in para else ""
    if rest:
        buf.append(rest)
    return lead


def _clean_ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _strip_md(text: str) -> str:
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    return re.sub(r"[*_`]{1,3}", "", text)
