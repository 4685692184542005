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
from dataclasses import dataclass
from pathlib import Path

from ..errors import DocumentError
from .document import BULLET, CELL, Block, BlockKind, DocumentMeta, ParsedDocument

# pypdf renders some ligatures of the report's font as a wrong glyph ("oÛ-" for
# "off-", "eÛiciënt" for "efficiënt"), and splits others with a space
# ("refl ectief").  The mapping was read off the annual report.
_LIGATURE_GLYPHS = {"Û": "ff", "ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
_SPLIT_LIGATURE = re.compile(r"(?<=[a-zà-ÿ])(ff|fi|fl) (?=[a-zà-ÿ])|(?<![A-Za-zÀ-ÿ])(fi|fl) (?=[a-zà-ÿ]{3,})")
# Glyphs that are decoration (arrows, bullets drawn from a symbol font).
_PRINTER_MARKS = re.compile(r"[â\uf0b7\uf0a7\uf0d8\u25aa\u25cf\u2192\u2794\ufffd]")
#: A line that holds only an arrow icon separates the labels of a key-figure panel.
_SEP = "\x1f"
_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+([A-ZÀ-Ý‘'\"].{2,90})$")
_WORD_RE = re.compile(r"[A-Za-zÀ-ÿ]+(?:-[A-Za-zÀ-ÿ]+)*")
_VALUE = r"(?:[+-]?\d[\d.,]*(?:\s?%|u\d\d)?(?:\s?€)?|\([+-]?\d+(?:[.,]\d+)?\s?%\))"
_VALUES_LINE = re.compile(rf"^{_VALUE}(?:\s+{_VALUE})*$")
_ROW_LINE = re.compile(
    rf"^(?P<label>(?:19|20)\d\d(?=:)|[^\d\s(•][^•]*?)\s*:?\s+(?P<values>{_VALUE}(?:\s+{_VALUE}){{0,5}})$"
)
#: "Voorzitter: Stef Steyaert WhoCares?": a label, a colon and a name.
_LABEL_LINE = re.compile(r"^(?P<label>[A-ZÀ-Ý][\w’'/-]*(?: [\w’'/-]+){0,3}): (?P<value>[A-ZÀ-Ý].{1,80})$")
#: A line of a people/organisation list: a few capitalised words, no sentence end.
_NAME_LINE = re.compile(r"^[A-ZÀ-Ý][^.!:;,%\d]*$")
_CREDIT = re.compile(r"^©\s?\S")
_PAGE_REF = re.compile(r"^(?:Cover(?: en pagina'?s?)?|Pagina'?s?)\b[\d ,en]*$", re.IGNORECASE)
_QR = re.compile(r"^Scan de (?:QR-)?code\b", re.IGNORECASE)
_BULLET_LINE = re.compile(r"^[•\-–·*]\s+\S")


def parse_pdf(path: Path, meta: DocumentMeta) -> ParsedDocument:
    """Parse a PDF with pypdf into typed blocks, each with its PDF page and section."""
    raw_pages = _read_pages(path, meta)
    pages = [[_SEP if _is_sep(ln) else ln for ln in _fix_glyphs(p).splitlines()] for p in raw_pages]
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
        _Line(ln, page_no)
        for page_no, page_lines in enumerate(cleaned, start=1)
        for i, ln in enumerate(page_lines)
        if ln not in furniture or (i and page_lines[i - 1].endswith("-"))
    ]
    blocks = _Builder(vocab, repeated).build(lines)
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


@dataclass(frozen=True)
class _Line:
    text: str
    page: int


class _Builder:
    """Walks the cleaned lines of a document once and emits typed blocks."""

    def __init__(self, vocab: Counter[str], repeated: set[str]) -> None:
        self.vocab = vocab
        self.repeated = repeated
        self.blocks: list[Block] = []
        self.section: tuple[str, ...] = ()
        self.text: list[_Line] = []
        #: Captions met inside running text, emitted after it.
        self.asides: list[Block] = []
        #: The column names of the last value table, its width and page (sub-tables reuse them).
        self.header: tuple[str, int, int] | None = None

    # -- output -------------------------------------------------------------
    def flush(self) -> None:
        """Emit the running text collected so far, one block per page."""
        by_page: list[list[str]] = []
        pages: list[int] = []
        for ln in self.text:
            if not pages or pages[-1] != ln.page:
                pages.append(ln.page)
                by_page.append([])
            by_page[-1].append(ln.text)
        out: list[Block] = []
        for page, lines in zip(pages, by_page, strict=True):
            text = _join_lines(lines, self.vocab)
            if text.strip():
                out.append(Block(text, self.section, page))
        # Captions after the text of their page: blocks stay in page order.
        out.extend(self.asides)
        out.sort(key=lambda b: b.page or 0)
        self.blocks.extend(out)
        self.text = []
        self.asides = []

    def emit(self, kind: BlockKind, lines: list[str], page: int, header: bool = False) -> None:
        self.flush()
        self.blocks.append(Block("\n".join(lines), self.section, page, kind, header))

    # -- walk ---------------------------------------------------------------
    def build(self, lines: list[_Line]) -> list[Block]:
        i = 0
        caps: list[str] = []
        while i < len(lines):
            ln = lines[i]
            s = ln.text
            following = lines[i + 1].text if i + 1 < len(lines) else ""
            if _is_caps_heading(s) and s not in self.repeated:
                # Feature articles ("Uitgelicht") have upper-case titles over 1-2 lines.
                caps.append(s)
                if not (_is_caps_heading(following) and following not in self.repeated):
                    self.flush()
                    title = re.sub(r"- ", "-", " ".join(caps)).capitalize()
                    self.section = (*self.section[:1], title)
                    self.text.append(_Line(title, ln.page))
                    caps = []
                i += 1
                continue
            heading = _heading_of(s)
            if heading is not None and _continues_sentence(following):
                heading = None  # a wrapped numbered list item, not a heading
            if heading is not None:
                self.flush()
                self.section = _nest(self.section, heading)
                self.text.append(ln)
                i += 1
                continue
            step = (
                self._caption(lines, i)
                or self._panel(lines, i)
                or self._value_table(lines, i)
                or self._bullets(lines, i)
                or self._label_table(lines, i)
                or self._name_list(lines, i)
            )
            if step:
                i += step
                continue
            if s != _SEP:
                self.text.append(ln)
            i += 1
        self.flush()
        return self.blocks

    # -- structures ---------------------------------------------------------
    def _caption(self, lines: list[_Line], i: int) -> int:
        """A QR prompt ("Scan de code om ... te bekijken.") or a photo credit with its caption."""
        s = lines[i].text
        if _QR.match(s):
            j = i
            while not lines[j].text.rstrip().endswith(".") and j + 1 < len(lines) and j - i < 4:
                j += 1
            self._aside([ln.text for ln in lines[i : j + 1]], lines[i].page)
            return j - i + 1
        if _CREDIT.match(s):
            caption = [s]
            # The caption's title and page reference are the one or two lines before it.
            while self.text and len(caption) < 3 and self.text[-1].page == lines[i].page:
                prev = self.text[-1].text
                if _PAGE_REF.match(prev) or (" – " in prev and not prev.endswith(".") and len(caption) >= 2):
                    caption.insert(0, self.text.pop().text)
                else:
                    break
            self._aside([" ".join(caption)], lines[i].page)
            return 1
        return 0

    def _aside(self, lines: list[str], page: int) -> None:
        """A caption that interrupts running text: kept apart (after that text), the text around it joins up."""
        self.asides.append(
            Block(_join_lines(lines, self.vocab).replace("\n", " "), self.section, page, BlockKind.CAPTION)
        )

    def _panel(self, lines: list[_Line], i: int) -> int:
        """A key-figure panel: label groups each closed by an arrow icon, then the figures.

        "Ontvangen vragen ▸ Goedgekeurde vragen ▸ 107 68" becomes a one-row table
        with a header; "Soort ▸ Aantal ▸ Totale duurtijd ▸" followed by "Offline 47
        419u30" rows becomes a table whose rows carry their own label.
        """
        groups: list[str] = []
        title: list[str] = []
        j = i
        while j < len(lines):
            label: list[str] = []
            while (
                j < len(lines)
                and lines[j].text != _SEP
                and len(label) < 5
                and not _VALUES_LINE.match(lines[j].text)
                and not (label and _ROW_LINE.match(lines[j].text))
                and not lines[j].text.endswith((".", "?", "!", ":"))
            ):
                label.append(lines[j].text)
                j += 1
            if j < len(lines) and lines[j].text == _SEP and label:
                # A label is one capitalised line and its lower-case continuations ("Totaal
                # aantal" + "deelnemers"); capitalised lines before it title the panel.
                start = max((k for k, ln in enumerate(label) if not ln[:1].islower()), default=0)
                if start and groups:
                    j -= len(label)
                    break
                if not groups:
                    title = label[:start]
                groups.append(_join_lines(label[start:], self.vocab).replace("\n", " "))
                j += 1
                continue
            j -= len(label)
            break
        if not groups:
            return 0
        page = lines[i].page
        head = [" ".join(title)] if title else []
        figures: list[str] = []
        k = j
        while k < len(lines) and _VALUES_LINE.match(lines[k].text):
            figures.append(lines[k].text)
            k += 1
        values = _values(" ".join(figures))
        if values and len(values) == len(groups):
            self.emit(BlockKind.TABLE, [*head, CELL.join(groups), CELL.join(values)], page, header=True)
            return k - i
        rows: list[str] = []
        k = j
        while k < len(lines) and (m := _ROW_LINE.match(lines[k].text)) and len(_values(m["values"])) == len(groups) - 1:
            rows.append(CELL.join([m["label"].strip(" :"), *_values(m["values"])]))
            k += 1
        if rows:
            self.emit(BlockKind.TABLE, [*head, CELL.join(groups), *rows], page, header=True)
            return k - i
        # Labels without figures we can pair: keep the labels as text, drop the icons.
        return 0

    def _value_table(self, lines: list[_Line], i: int) -> int:
        """Three or more "label  value" lines: a table, titled by the short line(s) before it."""
        rows: list[str] = []
        j = i
        while j < len(lines):
            s = lines[j].text
            m = _ROW_LINE.match(s)
            if m is None and j + 1 < len(lines) and len(rows) >= 1:
                # A label wrapped over two lines: "Office management," + "administratie ... 214,05%".
                nxt = _ROW_LINE.match(lines[j + 1].text)
                if nxt is not None and (s.endswith(",") or nxt["label"][:1].islower()) and len(s.split()) <= 6:
                    m = _ROW_LINE.match(f"{s} {lines[j + 1].text}")
                    if m is not None:
                        j += 1
            if m is None or len(m["label"].split()) > 9 or m["label"].rstrip().endswith((".", "?")):
                break
            rows.append(CELL.join([m["label"].strip(" :"), *_values(m["values"])]))
            j += 1
        if len(rows) < 3:
            return 0
        rows = _label_numbers(rows)
        title = self._take_title(lines[i].page)
        width = Counter(len(r.split(CELL)) for r in rows).most_common(1)[0][0]
        header = self._take_header(width, lines[i].page)
        self.emit(
            BlockKind.TABLE,
            ([title] if title else []) + ([header] if header else []) + rows,
            lines[i].page,
            bool(header),
        )
        return j - i

    def _take_header(self, width: int, page: int) -> str:
        """Column names in the line above a table ("Actoren Aantal unieke actoren Aantal overlegmomenten").

        The line splits into one capitalised phrase per column.  Sub-tables that
        follow within a page reuse it ("Beleidsactoren", then "Onderzoek" ...).
        """
        if self.text and self.text[-1].page in (page, page - 1):
            line = self.text[-1].text
            phrases = re.findall(r"[A-ZÀ-Ý%][^A-ZÀ-Ý]*", line)
            if len(phrases) == width and not line.endswith((".", ":", "?")) and len(line.split()) <= 12:
                self.text.pop()
                self.header = (CELL.join(p.strip() for p in phrases), width, page)
                return self.header[0]
        if self.header and self.header[1] == width and page - self.header[2] <= 2:
            return self.header[0]
        return ""

    def _take_title(self, page: int) -> str:
        """The short line(s) just before a table that name it ("Deelnemers secundaire doelgroep")."""
        taken: list[str] = []
        while self.text and len(taken) < 2:
            prev = self.text[-1].text
            if prev.endswith((".", ":", "?", "!")) or len(prev.split()) > 12 or _BULLET_LINE.match(prev):
                break
            if self.text[-1].page not in (page, page - 1):
                break
            taken.insert(0, self.text.pop().text)
            if taken[0][:1].isupper():
                break
        return " ".join(taken)

    def _label_table(self, lines: list[_Line], i: int) -> int:
        """Two or more "Voorzitter: Stef Steyaert ..." lines: a two-column table under its title."""
        rows: list[str] = []
        j = i
        while j < len(lines) and (m := _LABEL_LINE.match(lines[j].text)) and lines[j].page == lines[i].page:
            rows.append(CELL.join([m["label"], m["value"].strip()]))
            j += 1
        if len(rows) < 2:
            return 0
        title = self._take_title(lines[i].page)
        self.emit(BlockKind.TABLE, ([title] if title else []) + rows, lines[i].page)
        return j - i

    def _name_list(self, lines: list[_Line], i: int) -> int:
        """Four or more short capitalised lines without sentence ends: a list of people or organisations.

        "Personeelslid Functie" over "Fred Dhont directeur" lines is a table: the
        capitalised words are the name, the lower-case tail the function.
        """
        j = i
        while j < len(lines) and _is_name_line(lines[j].text) and lines[j].page == lines[i].page:
            j += 1
        if j - i < 4:
            return 0
        items = [ln.text for ln in lines[i:j]]
        head = items[0].split()
        rows: list[str] = []
        for it in items[1:]:
            pair = _name_and_role(it)
            if pair is None:
                break
            rows.append(CELL.join(pair))
        if len(head) == 2 and len(rows) >= 3:
            title = self._take_title(lines[i].page)
            self.emit(BlockKind.TABLE, ([title] if title else []) + [CELL.join(head), *rows], lines[i].page, True)
            return 1 + len(rows)
        lead = self._take_title(lines[i].page)
        self.emit(BlockKind.LIST, ([lead + ":"] if lead else []) + [BULLET + it for it in items], lines[i].page)
        return j - i

    def _bullets(self, lines: list[_Line], i: int) -> int:
        """Bullet lines ("• Webinar ...") with their wrapped continuations: a list."""
        if not lines[i].text.startswith("•"):
            return 0
        items: list[str] = []
        j = i
        while j < len(lines):
            s = lines[j].text
            if s.startswith("•"):
                items.append(re.sub(r"^•\s*", "", s))
            elif items and _continues_item(items[-1], s) and not _heading_of(s) and s != _SEP:
                items[-1] = _join_lines([items[-1], s], self.vocab)
            else:
                break
            j += 1
        lead = self._take_lead()
        page = lines[i].page
        self.emit(BlockKind.LIST, ([lead] if lead else []) + [BULLET + it for it in items if it], page)
        return j - i

    def _take_lead(self) -> str:
        """The sentence that introduces a list: the running text's last sentence when it ends with ':'."""
        if not self.text:
            return ""
        last = self.text[-1].text
        if len(last.split()) <= 8 and last[:1].isupper() and not last.endswith((".", "?", "!", ";", ",")):
            # A short title line right above the list ("Onze activiteiten in 2023").
            self.text.pop()
            return last.rstrip(":") + ":"
        page = self.text[-1].page
        keep = [ln for ln in self.text if ln.page != page]
        joined = _join_lines([ln.text for ln in self.text if ln.page == page], self.vocab)
        last_line = joined.rsplit("\n", 1)[-1]
        if not last_line.rstrip().endswith(":") and not (
            len(last_line.split()) <= 10 and not last_line.rstrip().endswith((".", "?", "!"))
        ):
            return ""
        from ..text.analysis import split_sentences

        sentences = split_sentences(last_line)
        lead = sentences[-1] if sentences else last_line
        # Take the lead-in out of the running text so that it is said once, with its list.
        at = joined.rfind(lead)
        if at < 0:
            return ""
        rest = joined[:at].rstrip()
        self.text = keep + ([_Line(rest, page)] if rest else [])
        return lead


def _label_numbers(rows: list[str]) -> list[str]:
    """A small whole number before amounts or percentages belongs to the label.

    "Strategische doelstelling | 1 | 44.412,44 € | 73.360,80 €" is
    "Strategische doelstelling 1 | 44.412,44 € | 73.360,80 €".
    """
    out: list[str] = []
    for row in rows:
        cells = row.split(CELL)
        others = cells[2:]
        if others and re.fullmatch(r"\d{1,2}", cells[1]) and all(re.search(r"[.,%€u]", c) for c in others):
            cells = [f"{cells[0]} {cells[1]}", *others]
        out.append(CELL.join(cells))
    return out


def _is_name_line(line: str) -> bool:
    n = len(line.split())
    return 2 <= n <= 7 and bool(_NAME_LINE.match(line)) and not _heading_of(line) and not _ROW_LINE.match(line)


def _name_and_role(line: str) -> tuple[str, str] | None:
    """ "Gie Van den Eeckhaut coördinator" -> ("Gie Van den Eeckhaut", "coördinator")."""
    m = re.match(r"^(.*?[A-ZÀ-Ý][\w’'-]*)\s+([a-zà-ÿ][a-zà-ÿ ]+)$", line)
    return (m.group(1), m.group(2)) if m else None


def _values(text: str) -> list[str]:
    """The figures of a values line, a percentage in brackets joined to the figure before it."""
    out: list[str] = []
    for tok in re.findall(_VALUE, text):
        tok = tok.strip()
        if tok.startswith("(") and out:
            out[-1] = f"{out[-1]} {tok}"
        else:
            out.append(tok)
    return out


def _continues_item(item: str, line: str) -> bool:
    """Does ``line`` continue a wrapped bullet item rather than start new running text?"""
    if _BULLET_LINE.match(line) or _VALUES_LINE.match(line):
        return False
    return line[:1].islower() or line[:1] in "(‘'\"" or item.rstrip().endswith((",", "-", "–", "‘", "(", "en", "of"))


def _is_sep(line: str) -> bool:
    return line.strip() == "â"


def _fix_glyphs(text: str) -> str:
    for bad, good in _LIGATURE_GLYPHS.items():
        text = text.replace(bad, good)
    # "treff en" (the glyph was followed by a space in the content stream) -> "treffen"
    text = re.sub(r"(?<=[a-zà-ÿ])ff (?=(?:en|e|er|ers|elijk|iciënt|ectief|ect|ecten)\b)", "ff", text)
    text = _SPLIT_LIGATURE.sub(lambda m: m.group(1) or m.group(2), text)
    # An arrow icon on a line of its own is structure (it closes a panel label); elsewhere decoration.
    text = re.sub(r"(?m)^\s*â\s*$", _SEP, text)
    return _PRINTER_MARKS.sub(" ", text)


def _header_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines near the top or bottom that recur on several pages: running headers/footers."""
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = [ln for ln in lines if ln.strip() and ln != _SEP]
        for ln in set(edge[:3] + edge[-3:]):
            counts[_header_key(ln)] += 1
    threshold = max(3, len(pages) // 10)
    return {key for key, n in counts.items() if n >= threshold and len(key) <= 60}


def _clean_page_lines(lines: list[str], running: set[str]) -> list[str]:
    out: list[str] = []
    nonblank = [i for i, ln in enumerate(lines) if ln.strip() and ln != _SEP]
    edge = set(nonblank[:3] + nonblank[-3:])
    # Rotated diagram text comes out as runs of 1-3 character lines ("w", "el", "ko").
    short_run = _short_line_runs(lines)
    for i, line in enumerate(lines):
        if line == _SEP:
            out.append(_SEP)
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
        if re.fullmatch(r"\d{1,3}", s) and i in edge:  # a bare page number
            continue
        out.append(s)
    return out


def _short_line_runs(lines: list[str], min_run: int = 4) -> set[int]:
    drop: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*lines, "a long line that ends the last run"]):
        if line != _SEP and 0 < len(line.strip()) <= 3 and not line.strip().isdigit():
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
