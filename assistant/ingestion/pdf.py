"""PDF parsing (pypdf) into typed blocks: running text, lists, tables and captions.

Cleans what pypdf gets wrong on real reports (running headers and footers,
printer marks, wrong ligature glyphs, line-break hyphenation, one-letter lines of
rotated diagram text) and recovers the structure an answer needs:

- bullet lines become a list, with the sentence that introduces it;
- key-figure panels (labels separated by an arrow icon, then a row of numbers)
  and runs of "label  value" lines become tables with their title and header;
- photo captions with their credit ("Pagina 4", "© ...") and "Scan de code ..."
  prompts become captions, taken out of the sentences they interrupt.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from ..errors import DocumentError
from .document import DocumentMeta, ParsedDocument
from .pdf_layout import Builder, Line
from .pdf_lines import SEP, heading_of

# pypdf renders some ligatures of the report's font as a wrong glyph ("oÛ-" for
# "off-", "eÛiciënt" for "efficiënt"), and splits others with a space
# ("refl ectief").  The mapping was read off the annual report.
_LIGATURE_GLYPHS = {"Û": "ff", "ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
_SPLIT_LIGATURE = re.compile(r"(?<=[a-zà-ÿ])(ff|fi|fl) (?=[a-zà-ÿ])|(?<![A-Za-zÀ-ÿ])(fi|fl) (?=[a-zà-ÿ]{3,})")
# Glyphs that are decoration (arrows, bullets drawn from a symbol font).
_PRINTER_MARKS = re.compile(r"[â\uf0b7\uf0a7\uf0d8\u25aa\u25cf\u2192\u2794\ufffd]")
_WORD_RE = re.compile(r"[A-Za-zÀ-ÿ]+(?:-[A-Za-zÀ-ÿ]+)*")


def parse_pdf(path: Path, meta: DocumentMeta) -> ParsedDocument:
    """Parse a PDF with pypdf into typed blocks, each with its PDF page and section."""
    raw_pages = _read_pages(path, meta)
    pages = [[SEP if _is_sep(ln) else ln for ln in _fix_glyphs(p).splitlines()] for p in raw_pages]
    running = _running_lines(pages)
    cleaned = [_clean_page_lines(lines, running) for lines in pages]
    vocab = _vocabulary(line for lines in cleaned for line in lines)
    # An upper-case line that recurs ("ONZE WERKING") is a chapter label, not a title.
    line_counts = Counter(line for lines in cleaned for line in lines)
    repeated = {line for line, n in line_counts.items() if n >= 3}
    # Repeated bare labels ("onze werking", "ONZE WERKING") are page furniture.
    # Lower-case ones count only where they sit at a page edge, because a
    # wrapped line ("cultureel werk") can repeat too.
    edge_counts = Counter(ln for lines in cleaned for ln in set(lines[:2] + lines[-2:]))
    furniture = {
        ln
        for ln in repeated
        if len(ln.split()) <= 4
        and not any(c.isdigit() for c in ln)
        and (ln.isupper() or (ln.islower() and edge_counts[ln] >= 2))
    }
    lines = [
        Line(ln, page_no)
        for page_no, page_lines in enumerate(cleaned, start=1)
        for i, ln in enumerate(page_lines)
        if ln not in furniture or (i and page_lines[i - 1].endswith("-"))
    ]
    blocks = Builder(vocab, repeated).build(lines)
    return ParsedDocument(meta=meta, blocks=[b for b in blocks if b.text.strip()], pages=len(raw_pages))


def _read_pages(path: Path, meta: DocumentMeta) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as err:  # pypdf raises several types for unsupported crypto
                raise DocumentError(meta.path, "the PDF is encrypted; save an unprotected copy.") from err
            if not ok:
                raise DocumentError(meta.path, "the PDF is password-protected; save an unprotected copy.")
        raw_pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError, IndexError) as err:
        raise DocumentError(
            meta.path, f"the PDF cannot be read ({type(err).__name__}: {err}); re-export or replace it."
        ) from err
    except Exception as err:  # pypdf has no single error root; nothing else may escape a parser
        raise DocumentError(
            meta.path, f"the PDF cannot be read ({type(err).__name__}); re-export or replace it."
        ) from err
    if not raw_pages:
        raise DocumentError(meta.path, "the PDF has no pages; replace it with the real document.")
    if not any(p.strip() for p in raw_pages):
        raise DocumentError(
            meta.path,
            "the PDF has no text layer (scanned images only); run OCR on it first and re-ingest.",
        )
    return raw_pages


def _is_sep(line: str) -> bool:
    return line.strip() == "â"


def _fix_glyphs(text: str) -> str:
    for bad, good in _LIGATURE_GLYPHS.items():
        text = text.replace(bad, good)
    # "treff en" (the glyph was followed by a space in the content stream) -> "treffen"
    text = re.sub(r"(?<=[a-zà-ÿ])ff (?=(?:en|e|er|ers|elijk|iciënt|ectief|ect|ecten)\b)", "ff", text)
    text = _SPLIT_LIGATURE.sub(lambda m: m.group(1) or m.group(2), text)
    # An arrow icon on a line of its own is structure (it closes a panel label); elsewhere decoration.
    text = re.sub(r"(?m)^\s*â\s*$", SEP, text)
    return _PRINTER_MARKS.sub(" ", text)


def _header_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines near the top or bottom that recur on several pages: running headers/footers."""
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = [ln for ln in lines if ln.strip() and ln != SEP]
        for ln in set(edge[:3] + edge[-3:]):
            counts[_header_key(ln)] += 1
    threshold = max(3, len(pages) // 10)
    return {key for key, n in counts.items() if n >= threshold and len(key) <= 60}


def _clean_page_lines(lines: list[str], running: set[str]) -> list[str]:
    out: list[str] = []
    nonblank = [i for i, ln in enumerate(lines) if ln.strip() and ln != SEP]
    edge = set(nonblank[:3] + nonblank[-3:])
    # Rotated diagram text comes out as runs of 1-3 character lines ("w", "el", "ko").
    short_run = _short_line_runs(lines)
    for i, line in enumerate(lines):
        if line == SEP:
            out.append(SEP)
            continue
        s = re.sub(r"[ \t]+", " ", line).strip()
        if not s:
            continue
        if i in short_run:
            continue
        key = _header_key(s)
        if i in edge and key in running:
            continue
        # A page number beside an upper-case label, anywhere: pypdf may emit the
        # running header mid-page ("27 ONZE WERKING").
        if re.fullmatch(r"\d{1,3} (?=[A-Z0-9 ]*[A-Z]{3})[A-Z0-9 ]{4,40}", s):
            continue
        if re.fullmatch(r"\d{1,3}", s) and (i in edge or _before_heading(lines, i)):  # a bare page number
            continue
        out.append(s)
    return out


def _before_heading(lines: list[str], i: int) -> bool:
    """Is line ``i`` followed by a numbered chapter heading (a page number between two printed pages)?"""
    following = next((ln.strip() for ln in lines[i + 1 :] if ln.strip() and ln != SEP), "")
    return heading_of(following) is not None


def _short_line_runs(lines: list[str], min_run: int = 4) -> set[int]:
    drop: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*lines, "a long line that ends the last run"]):
        if line != SEP and 0 < len(line.strip()) <= 3 and not line.strip().isdigit():
            run.append(i)
            continue
        if len(run) >= min_run:
            drop.update(run)
        run = []
    return drop


def _vocabulary(lines: Iterable[str]) -> Counter[str]:
    vocab: Counter[str] = Counter()
    for line in lines:
        for w in _WORD_RE.findall(line):
            vocab[w.lower()] += 1
    return vocab
