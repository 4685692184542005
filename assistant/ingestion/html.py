"""HTML parsing: the page's main content as typed blocks under its heading path.

Uses ``<main>`` (or ``<article>``, or ``role=main``) when present, else the body
without navigation, header, footer, scripts and styles.  Lists (``ul``/``ol``)
keep their items and the sentence that introduces them, tables keep caption,
header and rows, ``figcaption`` is a caption, and text written straight into a
``div`` (older pages) is kept as text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import DocumentError
from .document import BULLET, CELL, Block, BlockKind, DocumentMeta, ParsedDocument

_TEXT_BLOCKS = frozenset(["p", "dd", "dt", "blockquote", "pre", "address"])
_DROP_TAGS = ("script", "style", "nav", "header", "footer", "aside", "noscript", "form", "template", "svg", "iframe")
_HEADING_TAG = re.compile(r"h[1-6]")
#: Elements that sit inside a line of text ("Tekst <b>direct</b> in een div").
_INLINE = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "br",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "label",
        "font",
    ]
)
#: Marks the end of a container in the walk (its loose text is then one paragraph).
_END = object()


def parse_html(source: str, meta: DocumentMeta) -> ParsedDocument:
    """Main content of an HTML page, with its heading hierarchy as section path."""
    import warnings

    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # XHTML exports are still pages
            soup = BeautifulSoup(source, "lxml")
    except Exception as err:  # lxml/bs4 raise assorted types on garbage; translate all
        raise DocumentError(meta.path, f"the HTML cannot be parsed ({type(err).__name__}); fix the markup.") from err
    if soup.find(["html", "body", "main", "article", "p", "h1", "div"]) is None:
        raise DocumentError(meta.path, "this does not look like HTML (no html/body/p elements); check the file.")
    title_tag = soup.find("title")
    root = soup.find("main") or soup.find("article") or soup.find(True, attrs={"role": "main"}) or soup.body or soup
    # A stray "<" glues a dropped tag to the word before it ("vorming<script>"): the parser names the
    # element "vorming<script" -- or, after a space, makes "vorming<script" an attribute of the element
    # ("<vorming vorming<script>") -- which must be dropped as a script all the same.
    for tag in root.find_all(_hides_dropped_tag):
        tag.decompose()
    blocks = _Walker().walk(root)
    title = meta.title
    if (not title or title == Path(meta.path).stem) and title_tag is not None:
        title = _clean_ws(title_tag.get_text())
    return ParsedDocument(meta=DocumentMeta(**{**meta.__dict__, "title": title}), blocks=blocks)


def _glued(name: str) -> bool:
    """Is ``name`` a dropped tag glued to a word by a stray "<" ("vorming<script")?"""
    return name.rsplit("<", 1)[-1].lower() in _DROP_TAGS


def _hides_dropped_tag(tag: Any) -> bool:
    """An element whose name or one of whose attribute names is a glued dropped tag."""
    return _glued(tag.name) or any("<" in str(a) and _glued(str(a)) for a in tag.attrs)


class _Walker:
    """One walk in document order (an explicit stack: no recursion limit on hostile nesting).

    An element inside one whose text was already taken (a paragraph, a list, a
    table, a heading) is not taken again, so nothing is said twice and nothing is
    looked up per element.
    """

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.path: tuple[str, ...] = ()
        self.anchor = ""
        self.buf: list[str] = []

    def flush(self) -> None:
        text = "\n".join(t for t in self.buf if t).strip()
        if text:
            self.blocks.append(Block(text, self.path, anchor=self.anchor))
        self.buf = []

    def emit(self, kind: BlockKind, lines: list[str], header: bool = False) -> None:
        self.flush()
        if any(line.strip() for line in lines):
            self.blocks.append(Block("\n".join(lines), self.path, kind=kind, header=header, anchor=self.anchor))

    def walk(self, root: Any) -> list[Block]:
        from bs4.element import NavigableString, Tag

        inline: list[str] = []

        def end_inline() -> None:
            text = _clean_ws(" ".join(inline))
            if text:
                self.buf.append(text)
            inline.clear()

        stack: list[Any] = [_END, *reversed(root.contents)]
        while stack:
            el = stack.pop()
            if el is _END:
                end_inline()  # a container ends: its loose text is one paragraph
                continue
            if type(el) is NavigableString:
                # Text straight inside a container (a div on an older page) is text too, read
                # together with the inline elements around it; comments, CDATA and declarations are not.
                inline.append(str(el))
                continue
            if not isinstance(el, Tag):
                continue
            name = el.name or ""
            if name in _INLINE:
                inline.append(" " if name == "br" else el.get_text(" "))
                continue
            end_inline()
            if _HEADING_TAG.fullmatch(name):
                self.flush()
                depth = int(name[1])
                heading = _clean_ws(el.get_text(" "))
                self.path = tuple(p for p in (*self.path[: depth - 1], heading) if p)
                self.anchor = str(el.get("id") or _section_id(el) or self.anchor)
                continue
            if name in ("ul", "ol"):
                self._list(el)
                continue
            if name == "table":
                self._table(el)
                continue
            if name == "figcaption":
                self.emit(BlockKind.CAPTION, [_clean_ws(el.get_text(" "))])
                continue
            if name in _TEXT_BLOCKS or name == "li":
                text = _clean_ws(el.get_text(" "))
                if text:
                    self.buf.append(BULLET + text if name == "li" else text)
                continue
            stack.append(_END)
            stack.extend(reversed(el.contents))
        end_inline()
        self.flush()
        return self.blocks

    def _list(self, el: Any) -> None:
        items = [_clean_ws(li.get_text(" ")) for li in el.find_all("li", recursive=False)]
        items = [it for it in items if it]
        if not items:
            return
        lead = self._take_lead()
        self.emit(BlockKind.LIST, ([lead] if lead else []) + [BULLET + it for it in items])

    def _take_lead(self) -> str:
        """The last sentence of the paragraph before a list, when it introduces it (ends with ':')."""
        if not self.buf or not self.buf[-1].rstrip().endswith(":"):
            return ""
        from ..text.analysis import split_sentences

        para = self.buf.pop()
        sentences = split_sentences(para)
        lead = sentences[-1] if sentences else para
        rest = para[: para.rfind(lead)].rstrip() if lead in para else ""
        if rest:
            self.buf.append(rest)
        return lead

    def _table(self, el: Any) -> None:
        caption_tag = el.find("caption")
        caption = _clean_ws(caption_tag.get_text(" ")) if caption_tag is not None else ""
        rows: list[list[str]] = []
        header = False
        # Only this table's own rows: a table nested in a cell is read as that cell's text.
        own_rows = [
            *el.find_all("tr", recursive=False),
            *(
                tr
                for sec in el.find_all(["thead", "tbody", "tfoot"], recursive=False)
                for tr in sec.find_all("tr", recursive=False)
            ),
        ]
        for i, tr in enumerate(own_rows):
            cells = tr.find_all(["th", "td"], recursive=False)
            texts = [_clean_ws(c.get_text(" ")) for c in cells]
            if not any(texts):
                continue
            if i == 0 and cells and all(c.name == "th" for c in cells):
                header = True
            rows.append(texts)
        if not rows:
            return
        self.emit(BlockKind.TABLE, ([caption] if caption else []) + [CELL.join(r) for r in rows], header=header)


def _section_id(el: Any) -> str:
    parent = el.parent
    while parent is not None and getattr(parent, "name", None) not in (None, "main", "body", "article"):
        if parent.name == "section" and parent.get("id"):
            return str(parent.get("id"))
        parent = parent.parent
    return ""


def _clean_ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
