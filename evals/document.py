"""A tiny report document (headings, paragraphs, tables, images) rendered as Markdown and HTML.

The run report and the comparison report are built once as a list of blocks and
written in both formats, so the two never drift apart.  HTML is escaped (all text
comes from answers and question sets); images are embedded as data URIs so the
HTML file can be mailed on its own.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_STYLE = (
    "body{font-family:sans-serif;max-width:75rem;margin:auto;padding:0 1rem}"
    "td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}"
    "table{border-collapse:collapse;margin:.5rem 0}img{max-width:100%}"
    ".side td{width:50%;white-space:pre-wrap}"
)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: Sequence[str]


@dataclass(frozen=True)
class Table:
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    #: Wide text cells side by side (answers): HTML keeps line breaks.
    side_by_side: bool = False


@dataclass(frozen=True)
class Image:
    """A PNG: a file (``path``) or bytes (``data``; :func:`write` saves them beside the Markdown)."""

    path: Path | None = None
    alt: str = ""
    data: bytes | None = None

    def png(self) -> bytes:
        return self.data if self.data is not None else (self.path.read_bytes() if self.path else b"")


Block = Heading | Para | Bullets | Table | Image


def fmt(v: Any) -> str:
    """One cell: 3 decimals for shares, whole numbers for large values, '–' for none."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "ja" if v else "nee"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:.0f}"
    return str(v)


def _md_cell(v: Any) -> str:
    return fmt(v).replace("|", "\\|").replace("\n", "<br>")


def to_markdown(blocks: Sequence[Block], base: Path | None = None) -> str:
    """The document as GitHub-flavoured Markdown; images are linked relative to ``base`` (the Markdown's folder)."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out += ["#" * b.level + " " + b.text, ""]
        elif isinstance(b, Para):
            out += [b.text, ""]
        elif isinstance(b, Bullets):
            out += [f"- {item}" for item in b.items] + [""]
        elif isinstance(b, Table):
            out.append("| " + " | ".join(b.columns) + " |")
            out.append("|" + "---|" * len(b.columns))
            out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in b.rows]
            out.append("")
        else:
            path = b.path or Path()
            link = path.relative_to(base).as_posix() if base is not None and path.is_relative_to(base) else path.name
            out += [f"![{b.alt}]({link})", ""]
    return "\n".join(out)


def to_html(blocks: Sequence[Block], title: str) -> str:
    """The document as one self-contained HTML page."""
    e = html.escape
    head = f"<!doctype html><html lang=nl><meta charset=utf-8><title>{e(title)}</title><style>{_STYLE}</style>"
    return head + to_html_fragment(blocks) + "</html>"


def to_html_fragment(blocks: Sequence[Block]) -> str:
    """The blocks as HTML elements (for a page that has its own head and style); all text escaped."""
    e = html.escape
    parts: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            parts.append(f"<h{b.level}>{e(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            parts.append(f"<p>{e(b.text)}</p>")
        elif isinstance(b, Bullets):
            parts.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in b.items) + "</ul>")
        elif isinstance(b, Table):
            cls = ' class="side"' if b.side_by_side else ""
            head = "".join(f"<th>{e(c)}</th>" for c in b.columns)
            body = "".join("<tr>" + "".join(f"<td>{e(fmt(v))}</td>" for v in row) + "</tr>" for row in b.rows)
            parts.append(f"<table{cls}><tr>{head}</tr>{body}</table>")
        else:
            data = base64.b64encode(b.png()).decode()
            parts.append(f'<img alt="{e(b.alt)}" src="data:image/png;base64,{data}">')
    return "".join(parts)


def _saved(image: Image, path: Path) -> Image:
    """An in-memory image written to ``path`` (file images stay as they are)."""
    if image.data is None:
        return image
    path.write_bytes(image.data)
    return Image(path=path, alt=image.alt)


def write(blocks: Sequence[Block], out: Path, stem: str, title: str, html_dir: Path | None = None) -> list[Path]:
    """Write ``stem.md`` into ``out`` and ``stem.html`` into ``html_dir`` (default ``out``); return both paths."""
    out.mkdir(parents=True, exist_ok=True)
    blocks = [_saved(b, out / f"{stem}-{i}.png") if isinstance(b, Image) else b for i, b in enumerate(blocks)]
    md, page = out / f"{stem}.md", (html_dir or out) / f"{stem}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    md.write_text(to_markdown(blocks, out), encoding="utf-8")
    page.write_text(to_html(blocks, title), encoding="utf-8")
    return [md, page]
