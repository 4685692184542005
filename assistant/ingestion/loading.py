"""Loading: find documents in the corpus and parse PDF, HTML and Markdown.

Every parser returns a :class:`ParsedDocument`: document metadata plus an ordered
list of :class:`Block` records, each with its place in the source (section path
and, for PDFs, the 1-based page number of the PDF file).  Parsers raise
:class:`~assistant.errors.DocumentError` for unreadable input; the ingest step
catches it per file so one broken file never stops the rest.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DocumentError

DOC_TYPES = ("publicatie", "toolbox", "decreetgids")
SUPPORTED_SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}
_DEFAULT_TYPE = {"pdf": "publicatie", "html": "toolbox", "markdown": "decreetgids"}
MANIFEST_NAME = "manifest.json"


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
    """A run of text with one place in the source: a section path and a page."""

    text: str
    section: tuple[str, ...] = ()
    page: int | None = None


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


# --------------------------------------------------------------------------- corpus


def file_sha256(path: Path) -> str:
    """Content hash of a file (used by the incremental index manifest)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


def read_manifest(corpus_dir: Path) -> dict[str, DocumentMeta]:
    """Read ``corpus/manifest.json``; a missing manifest is an empty one.

    Raises DocumentError when the manifest exists but is not valid, because then
    every title and URL would silently be wrong.
    """
    path = corpus_dir / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["documents"]
        out: dict[str, DocumentMeta] = {}
        for e in entries:
            doc_type = e.get("doc_type") or _DEFAULT_TYPE.get(
                SUPPORTED_SUFFIXES.get(Path(e["path"]).suffix.lower(), ""), "publicatie"
            )
            if doc_type not in DOC_TYPES:
                raise ValueError(f"doc_type {doc_type!r} of {e['path']} is not one of {DOC_TYPES}")
            out[e["path"]] = DocumentMeta(
                path=e["path"],
                doc_id=e.get("doc_id") or _slug(Path(e["path"]).stem),
                title=e.get("title") or Path(e["path"]).stem,
                doc_type=doc_type,
                url=e.get("url", ""),
                date=str(e.get("date", "")),
            )
        return out
    except (ValueError, KeyError, TypeError) as err:
        raise DocumentError(
            str(path), f"manifest is not valid ({err}); fix the JSON: {{'documents': [{{'path': ...}}]}}"
        ) from err


def discover(corpus_dir: Path) -> Iterator[Path]:
    """All files under the corpus folder except the manifest and hidden/readme files."""
    for path in sorted(corpus_dir.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.name == MANIFEST_NAME or path.name.lower() == "readme.md":
            continue
        yield path


def meta_for(path: Path, corpus_dir: Path, manifest: dict[str, DocumentMeta]) -> DocumentMeta:
    """Metadata for a file: the manifest entry, or defaults derived from the file name."""
    rel = path.relative_to(corpus_dir).as_posix()
    if rel in manifest:
        return manifest[rel]
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower(), "")
    return DocumentMeta(
        path=rel,
        doc_id=_slug(Path(rel).with_suffix("").as_posix()),
        title=path.stem.replace("-", " ").replace("_", " ").strip().capitalize(),
        doc_type=_DEFAULT_TYPE.get(kind, "publicatie"),
    )


def parse_file(
    path: Path, meta: DocumentMeta, max_bytes: int | None = None, timeout_s: float | None = None
) -> ParsedDocument:
    """Parse one file by its extension.  Raises DocumentError for any unreadable input.

    With ``timeout_s`` the file is parsed in a child process that is killed when
    it takes longer: a small hostile file (a 30 KB PDF whose content stream
    inflates to 10 MB of text operators) can otherwise cost minutes of CPU.
    """
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise DocumentError(
            meta.path,
            f"unknown file type {path.suffix or '(none)'}; supported: "
            + ", ".join(sorted(SUPPORTED_SUFFIXES))
            + ". Convert it or move it out of the corpus folder.",
        )
    size = path.stat().st_size
    if size == 0:
        raise DocumentError(meta.path, "the file is empty; replace it with the real document.")
    if max_bytes is not None and size > max_bytes:
        raise DocumentError(
            meta.path,
            f"the file is {size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.1f} MB; "
            "split it or raise ASSISTANT_MAX_FILE_MB.",
        )
    doc = _parse_in_child(path, meta, timeout_s) if timeout_s is not None else _parse_kind(path, meta, kind)
    if not any(b.text.strip() for b in doc.blocks):
        raise DocumentError(meta.path, "no text found in the document; check that it has content.")
    return doc


def _parse_kind(path: Path, meta: DocumentMeta, kind: str) -> ParsedDocument:
    if kind == "pdf":
        return parse_pdf(path, meta)
    if kind == "html":
        return parse_html(_read_text(path, meta), meta)
    return parse_markdown(_read_text(path, meta), meta)


def _parse_in_child(path: Path, meta: DocumentMeta, timeout_s: float) -> ParsedDocument:
    """Parse in a fresh interpreter that is killed after ``timeout_s`` seconds.

    A subprocess (not fork: the parent may run torch and Chroma threads), fed and
    read as JSON, so nothing but plain data crosses the process boundary.
    """
    import os
    import subprocess
    import sys

    package_root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)}
    request = json.dumps({"path": str(path), "meta": meta.__dict__})
    try:
        proc = subprocess.run(
            [sys.executable, "-c", "from assistant.ingestion.loading import _child_main; _child_main()"],
            input=request,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout_s,
            env=env,
        )
    except subprocess.TimeoutExpired as err:  # run() has killed the child
        raise DocumentError(
            meta.path,
            f"parsing took longer than {timeout_s:.0f} s and was stopped; the file is too complex or hostile. "
            "Re-export or split it, or raise ASSISTANT_PARSE_TIMEOUT_S.",
        ) from err
    try:
        reply = json.loads(proc.stdout)
    except ValueError as err:
        raise DocumentError(
            meta.path, f"the parser process failed (exit status {proc.returncode}); re-export or replace the file."
        ) from err
    if "error" in reply:
        raise DocumentError(meta.path, reply["error"])
    return ParsedDocument(
        meta=DocumentMeta(**reply["meta"]),
        blocks=[Block(text, tuple(section), page) for text, section, page in reply["blocks"]],
        pages=reply["pages"],
    )


def _child_main() -> None:
    """Entry point of the parser child process (see :func:`_parse_in_child`)."""
    import sys

    request = json.loads(sys.stdin.read())
    meta = DocumentMeta(**request["meta"])
    path = Path(request["path"])
    try:
        doc = _parse_kind(path, meta, SUPPORTED_SUFFIXES[path.suffix.lower()])
        reply: dict[str, object] = {
            "meta": doc.meta.__dict__,
            "blocks": [[b.text, list(b.section), b.page] for b in doc.blocks],
            "pages": doc.pages,
        }
    except DocumentError as err:
        reply = {"error": err.reason}
    except Exception as err:  # nothing may escape a parser
        reply = {"error": f"the file cannot be parsed ({type(err).__name__}); re-export or replace it."}
    sys.stdout.write(json.dumps(reply, ensure_ascii=True))


def _read_text(path: Path, meta: DocumentMeta) -> str:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise DocumentError(meta.path, "this is a binary file, not text; check the file extension.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Older toolbox exports are Windows-1252; that decoding cannot fail on text.
        return raw.decode("cp1252", errors="replace")


# --------------------------------------------------------------------------- PDF

# pypdf renders some ligatures of the report's font as a wrong glyph ("oÛ-" for
# "off-", "eÛiciënt" for "efficiënt"), and splits others with a space
# ("refl ectief").  The mapping was read off the annual report.
_LIGATURE_GLYPHS = {"Û": "ff", "ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
_SPLIT_LIGATURE = re.compile(r"(?<=[a-zà-ÿ])(ff|fi|fl) (?=[a-zà-ÿ])|(?<![A-Za-zÀ-ÿ])(fi|fl) (?=[a-zà-ÿ]{3,})")
# Glyphs that are decoration (arrows, bullets drawn from a symbol font).
_PRINTER_MARKS = re.compile(r"[â\uf0b7\uf0a7\uf0d8\u25aa\u25cf\u2192\u2794\ufffd]")
_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+([A-ZÀ-Ý‘'\"].{2,90})$")
_WORD_RE = re.compile(r"[A-Za-zÀ-ÿ]+(?:-[A-Za-zÀ-ÿ]+)*")


def parse_pdf(path: Path, meta: DocumentMeta) -> ParsedDocument:
    """Parse a PDF with pypdf into one or more blocks per page.

    Cleans what pypdf gets wrong on real reports: running headers and footers,
    printer marks, wrong ligature glyphs, line-break hyphenation (real Dutch
    compounds such as "sociaal-cultureel" keep their hyphen) and the one-letter
    lines that rotated text in diagrams turns into.
    """
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
        title = meta.title
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
    pages = [_fix_glyphs(p).splitlines() for p in raw_pages]
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
    cleaned = [
        [ln for i, ln in enumerate(lines) if ln not in furniture or (i and lines[i - 1].endswith("-"))]
        for lines in cleaned
    ]
    blocks: list[Block] = []
    section: tuple[str, ...] = ()
    for page_no, lines in enumerate(cleaned, start=1):
        current: list[str] = []
        caps: list[str] = []
        for idx, line in enumerate(lines):
            if _is_caps_heading(line) and line not in repeated:
                # Feature articles ("Uitgelicht") have upper-case titles over 1-2 lines.
                caps.append(line)
                following = lines[idx + 1] if idx + 1 < len(lines) else ""
                if _is_caps_heading(following) and following not in repeated:
                    continue
                if current:
                    blocks.append(Block(_join_lines(current, vocab), section, page_no))
                    current = []
                title_text = re.sub(r"- ", "-", " ".join(caps)).capitalize()
                section = (*section[:1], title_text)
                current.append(title_text)
                caps = []
                continue
            heading = _heading_of(line)
            following = lines[idx + 1] if idx + 1 < len(lines) else ""
            if heading is not None and _continues_sentence(following):
                heading = None  # a wrapped numbered list item, not a heading
            if heading is not None:
                if current:
                    blocks.append(Block(_join_lines(current, vocab), section, page_no))
                    current = []
                section = _nest(section, heading)
                current.append(line)
            else:
                current.append(line)
        if current:
            blocks.append(Block(_join_lines(current, vocab), section, page_no))
    blocks = [b for b in blocks if b.text.strip()]
    return ParsedDocument(meta=DocumentMeta(**{**meta.__dict__, "title": title}), blocks=blocks, pages=len(raw_pages))


def _fix_glyphs(text: str) -> str:
    for bad, good in _LIGATURE_GLYPHS.items():
        text = text.replace(bad, good)
    # "treff en" (the glyph was followed by a space in the content stream) -> "treffen"
    text = re.sub(r"(?<=[a-zà-ÿ])ff (?=(?:en|e|er|ers|elijk|iciënt|ectief|ect|ecten)\b)", "ff", text)
    text = _SPLIT_LIGATURE.sub(lambda m: m.group(1) or m.group(2), text)
    return _PRINTER_MARKS.sub(" ", text)


def _header_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines near the top or bottom that recur on several pages: running headers/footers."""
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = [ln for ln in lines if ln.strip()]
        for ln in set(edge[:3] + edge[-3:]):
            counts[_header_key(ln)] += 1
    threshold = max(3, len(pages) // 10)
    return {key for key, n in counts.items() if n >= threshold and len(key) <= 60}


def _clean_page_lines(lines: list[str], running: set[str]) -> list[str]:
    out: list[str] = []
    nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
    edge = set(nonblank[:3] + nonblank[-3:])
    # Rotated diagram text comes out as runs of 1-3 character lines ("w", "el", "ko").
    short_run = _short_line_runs(lines)
    for i, line in enumerate(lines):
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
        if re.fullmatch(r"\d{1,3}", s) and i in edge:  # a bare page number
            continue
        out.append(s)
    return out


def _short_line_runs(lines: list[str], min_run: int = 4) -> set[int]:
    drop: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*lines, "a long line that ends the last run"]):
        if 0 < len(line.strip()) <= 3 and not line.strip().isdigit():
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


def _join_lines(lines: list[str], vocab: Counter[str]) -> str:
    """Join PDF lines into running text, repairing line-break hyphenation.

    A line ending in "woord-" followed by a lower-case word is either a
    hyphenated line break ("vraag-" + "gestuurde") or a real compound that
    happens to break at its hyphen ("sociaal-" + "cultureel").  The document's
    own vocabulary decides: the form that occurs elsewhere in the document wins;
    when neither does, two known words keep their hyphen.
    """
    text = ""
    for line in lines:
        if not text:
            text = line
            continue
        # Only the tail: searching the whole growing text for each line was quadratic.
        m = re.search(r"([A-Za-zÀ-ÿ]+)-$", text[-200:]) if text.endswith("-") else None
        n = re.match(r"([a-zà-ÿ]+)", line)
        if m and n:
            left, right = m.group(1).lower(), n.group(1).lower()
            joined, hyphened = left + right, f"{left}-{right}"
            if vocab[joined] > vocab[hyphened]:
                text = text[:-1] + line
            elif vocab[hyphened] > 0 or (vocab[left] > 0 and vocab[right] > 0):
                text = text + line
            else:
                text = text[:-1] + line
            continue
        previous_line = text.rsplit("\n", 1)[-1]
        if _is_list_item(line) or _heading_of(line) is not None or _heading_of(previous_line) is not None:
            text += "\n" + line
        else:
            text += " " + line
    return text.strip()


def _is_list_item(line: str) -> bool:
    return bool(re.match(r"^(?:[•\-–·*]|\d{1,2}[.)])\s", line))


def _heading_of(line: str) -> tuple[int, str] | None:
    """(depth, heading) when a line looks like a numbered heading ("2.1 Vorming")."""
    m = _HEADING.match(line)
    if not m:
        return None
    number, rest = m.group(1), m.group(2).strip()
    if rest.endswith((".", ":", ",", ";")) or len(rest.split()) > 12 or rest.isupper():
        return None
    if re.search(r"/|www\.|\.be\b|^Zie\b", rest):  # a footnote with a link
        return None
    if re.search(r"[.!?] [A-Z]", rest):  # a sentence, not a heading
        return None
    return number.count(".") + 1, f"{number}. {rest}" if "." not in number else f"{number} {rest}"


def _is_caps_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 8 and line.isupper() and not line[:1].isdigit() and len(line) <= 80


def _continues_sentence(next_line: str) -> bool:
    """True when the next line finishes a sentence started on this line."""
    if not next_line or not next_line[0].islower():
        return False
    return bool(re.search(r"[.:;,]\s|[.:;,]$", next_line))


def _nest(path: tuple[str, ...], heading: tuple[int, str]) -> tuple[str, ...]:
    depth, text = heading
    return (*path[: depth - 1], text)


# --------------------------------------------------------------------------- HTML

_TEXT_BLOCKS = ["p", "li", "dd", "dt", "blockquote", "figcaption", "pre"]
_DROP_TAGS = ("script", "style", "nav", "header", "footer", "aside", "noscript", "form", "template", "svg", "iframe")
_HEADING_TAG = re.compile(r"h[1-6]")


def parse_html(source: str, meta: DocumentMeta) -> ParsedDocument:
    """Main content of an HTML page, with its heading hierarchy as section path.

    Uses ``<main>`` (or ``<article>``, or ``role=main``) when present, else the
    body without navigation, header, footer, scripts and styles.
    """
    import warnings

    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
    from bs4.element import Tag

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
    for tag in root.find_all(_DROP_TAGS):
        tag.decompose()

    blocks: list[Block] = []
    path: tuple[str, ...] = ()
    buf: list[str] = []

    def flush() -> None:
        text = "\n".join(t for t in buf if t).strip()
        if text:
            blocks.append(Block(text, path))
        buf.clear()

    # One walk in document order that knows whether an element sits inside one
    # whose text was already taken (a text block or a table row; a heading for
    # headings).  Such an element is not taken again, and nothing is looked up
    # per element: ancestor checks cost a pass per nesting level, and a table row
    # inside a list item or a paragraph inside a table cell was said twice.
    stack: list[tuple[object, bool, bool]] = [(root, False, False)]
    while stack:
        el, in_text, in_heading = stack.pop()
        if isinstance(el, _Run):
            buf.append(str(el))
            continue
        if not isinstance(el, Tag):
            continue
        name = el.name or ""
        is_heading = _HEADING_TAG.fullmatch(name) is not None
        taken = False
        if is_heading:
            if not in_heading:
                flush()
                depth = int(name[1])
                heading = _clean_ws(el.get_text(" "))
                path = (*path[: depth - 1], heading)
                # Pad skipped levels so depth stays meaningful (h1 -> h3).
                path = tuple(p for p in path if p)
        elif name in _TEXT_BLOCKS and not in_text:
            # The outermost text block carries all text inside it: nested ones are skipped
            # so nothing is said twice (a <li> in a <blockquote>, a <p> in a <li>).
            text = _clean_ws(el.get_text(" "))
            buf.append(f"• {text}" if name == "li" and text else text)
            taken = True
        elif name == "tr" and not in_text:
            cells = [_clean_ws(c.get_text(" ")) for c in el.find_all(["th", "td"], recursive=False)]
            buf.append(" | ".join(c for c in cells if c))
            taken = True
        children: list[object] = list(el.contents)
        if not (in_text or taken or in_heading or is_heading or name in _NO_LOOSE_TEXT):
            children = _loose_text_runs(children)
        stack.extend((c, in_text or taken, in_heading or is_heading) for c in reversed(children))
    flush()
    title = meta.title
    if (not title or title == Path(meta.path).stem) and title_tag is not None:
        title = _clean_ws(title_tag.get_text())
    return ParsedDocument(meta=DocumentMeta(**{**meta.__dict__, "title": title}), blocks=blocks)


#: Inline elements: their text belongs to the run of text around them.
_INLINE_TAGS = frozenset(
    "a abbr b bdi bdo br cite code data dfn em i kbd mark q s samp small span strong sub sup time u var wbr".split()  # noqa: SIM905
)
#: Containers whose own loose text is markup whitespace, not content.
_NO_LOOSE_TEXT = frozenset({"table", "thead", "tbody", "tfoot", "tr", "ul", "ol", "dl", "select"})


class _Run(str):
    """Text straight inside a container (a ``<div>`` without ``<p>``), with its inline elements."""


def _loose_text_runs(children: list[object]) -> list[object]:
    """Children with each run of text and inline elements replaced by one :class:`_Run`.

    Older pages put text straight into ``<div>``s; it is indexed as a paragraph of its
    own, where it stands.  Comments, CDATA and declarations are not text.
    """
    from bs4.element import NavigableString, Tag

    out: list[object] = []
    run: list[str] = []

    def close() -> None:
        text = _clean_ws(" ".join(run))
        if text:
            out.append(_Run(text))
        run.clear()

    for child in children:
        if type(child) is NavigableString:
            run.append(str(child))
        elif isinstance(child, Tag) and child.name in _INLINE_TAGS:
            run.append(child.get_text(" "))
        else:
            close()
            out.append(child)
    close()
    return out


def _clean_ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------- Markdown


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
    row: list[str] = []
    i = 0
    in_heading = 0
    list_depth = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            text = "\n".join(buf).strip()
            if text:
                blocks.append(Block(text, path))
            buf = []
            in_heading = int(tok.tag[1])
        elif tok.type == "inline" and in_heading:
            path = (*path[: in_heading - 1], _clean_ws(tok.content))
        elif tok.type == "heading_close":
            in_heading = 0
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            buf.append(" | ".join(row))
        elif tok.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            row.append(_clean_ws(_strip_md(tok.content)))
        elif tok.type == "inline":
            text = _clean_ws(_strip_md(tok.content))
            buf.append(f"• {text}" if list_depth else text)
        elif tok.type in ("fence", "code_block"):
            buf.append(tok.content.strip())
        i += 1
    text = "\n".join(buf).strip()
    if text:
        blocks.append(Block(text, path))
    title = meta.title
    if blocks and blocks[0].section and title == Path(meta.path).stem:
        title = blocks[0].section[0]
    return ParsedDocument(meta=DocumentMeta(**{**meta.__dict__, "title": title}), blocks=blocks)


# A label or target never spans another opening bracket: each attempt stops at the
# next "[" or "(", so the patterns run in linear time ("[" * 40_000 took 20 s).
_MD_IMAGE = re.compile(r"!\[([^\[\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\((?:[^()]|\([^()]*\))*\)")


def _strip_md(text: str) -> str:
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    return re.sub(r"[*_`]{1,3}", "", text)
