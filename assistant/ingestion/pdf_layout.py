"""Layout of a PDF's lines: running text, lists, tables and captions as typed blocks.

Recovers the structure an answer needs from the cleaned lines of a report:

- bullet lines become a list, with the sentence that introduces it;
- key-figure panels (labels separated by an arrow icon, then a row of numbers),
  runs of "label  value" lines and "Voorzitter: naam" lines become tables with
  their title and header;
- short runs of names become lists; person cards ("name" / "role" / "uit dienst") rows of one table;
- photo captions with their credit ("Pagina 4", "© ...") and "Scan de code ..."
  prompts become captions, taken out of the sentences they interrupt.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from ..text.analysis import split_sentences
from .document import BULLET, CELL, Block, BlockKind
from .pdf_blocks import late_table_titles
from .pdf_lines import SEP, continues_sentence, heading_of, is_caps_heading, join_lines, nest

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
#: The status line of a person card: "uit dienst", "in dienst", "nieuw".
_CARD_STATUS = re.compile(r"^(?:uit|in) dienst$|^nieuw$", re.IGNORECASE)
_PAGE_REF = re.compile(r"^(?:Cover(?: en pagina'?s?)?|Pagina'?s?)\b[\d ,en]*$", re.IGNORECASE)
_QR = re.compile(r"^Scan de (?:QR-)?code\b", re.IGNORECASE)
_BULLET_LINE = re.compile(r"^[•\-–·*]\s+\S")
#: Running text that ends here ends a sentence (or a quote, a lead-in ...).
_ENDS_SENTENCE = re.compile(r"[.!?…:;\"”’)]\s*$")
#: A line as wide as the report's text column: what follows it is the same paragraph or item.
_FULL_LINE = 55


@dataclass(frozen=True)
class Line:
    text: str
    page: int


class Builder:
    """Walks the cleaned lines of a document once and emits typed blocks."""

    def __init__(self, vocab: Counter[str], repeated: set[str]) -> None:
        self.vocab = vocab
        self.repeated = repeated
        self.blocks: list[Block] = []
        self.section: tuple[str, ...] = ()
        self.text: list[Line] = []
        #: Captions met inside running text, emitted after it.
        self.asides: list[Block] = []
        #: The column names of the last value table, its width and page (sub-tables reuse them).
        self.header: tuple[str, int, int] | None = None
        #: Headings of a key-figure page listed together before their panels: (page, heading, line),
        #: in number order; each titles the next table on that page.
        self.panel_titles: list[tuple[int, tuple[int, str], str]] = []

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
        carry = ""
        for k, (page, lines) in enumerate(zip(pages, by_page, strict=True)):
            text = join_lines([carry, *lines] if carry else lines, self.vocab, labels=True)
            carry = ""
            following = by_page[k + 1] if k + 1 < len(by_page) and pages[k + 1] == page + 1 else []
            if (
                following
                and following[0][:1].islower()
                and len(following[0].split()) >= 3  # a lower-case label ("inleiding") starts nothing
                and not _ENDS_SENTENCE.search(text)
            ):
                # A sentence that runs over the page break ("De deelnemende" | "burgerwetenschappers
                # nemen ..."): it goes whole to the next page rather than as a fragment on this one.
                tail = (split_sentences(text) or [text])[-1]
                at = text.rfind(tail)
                if at >= 0:
                    carry, text = tail, text[:at].rstrip()
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
        if kind is BlockKind.TABLE and self.panel_titles and self.panel_titles[0][0] == page:
            _, heading, line = self.panel_titles.pop(0)
            self.section = nest(self.section, heading)
            self.blocks.append(Block(line, self.section, page))
        self.blocks.append(Block("\n".join(lines), self.section, page, kind, header))

    def _heading_run(self, lines: list[Line], i: int) -> list[tuple[int, str]]:
        """Numbered headings of one depth on consecutive lines of one page, from ``i`` on.

        A key-figure page lists its panel titles together ("1.2 Deelnemers", "1.1
        Activiteiten", "1.4 ...", "1.3 ...") and the panels after them.
        """
        run: list[tuple[int, str]] = []
        j = i
        while j < len(lines) and lines[j].page == lines[i].page:
            heading = heading_of(lines[j].text)
            following = lines[j + 1].text if j + 1 < len(lines) else ""
            if heading is None or continues_sentence(following) or (run and heading[0] != run[0][0]):
                break
            run.append(heading)
            j += 1
        return run

    def _restore_panel_titles(self) -> None:
        """Panel titles that found no table on their page stay in the text as headings."""
        for page, _, line in self.panel_titles:
            self.text.append(Line(line, page))
        self.panel_titles = []

    # -- walk ---------------------------------------------------------------
    def build(self, lines: list[Line]) -> list[Block]:
        i = 0
        caps: list[str] = []
        credits = Counter(ln.page for ln in lines if _CREDIT.match(ln.text))
        while i < len(lines):
            ln = lines[i]
            s = ln.text
            following = lines[i + 1].text if i + 1 < len(lines) else ""
            if self.panel_titles and self.panel_titles[0][0] != ln.page:
                self._restore_panel_titles()
            if (i == 0 or lines[i - 1].page != ln.page) and credits[ln.page] >= 3 and _is_page_title(s, following):
                # "Over de foto’s in dit jaarverslag": a page of photo credits is an appendix
                # under its own title, not part of the chapter before it.
                self.flush()
                self.section = (s,)
                self.text.append(ln)
                i += 1
                continue
            if is_caps_heading(s) and s not in self.repeated:
                # Feature articles ("Uitgelicht") have upper-case titles over 1-2 lines.
                caps.append(s)
                if not (is_caps_heading(following) and following not in self.repeated):
                    self.flush()
                    title = re.sub(r"- ", "-", " ".join(caps)).capitalize()
                    self.section = (*self.section[:1], title)
                    self.text.append(Line(title, ln.page))
                    caps = []
                i += 1
                continue
            heading = heading_of(s)
            if heading is not None and continues_sentence(following):
                heading = None  # a wrapped numbered list item, not a heading
            run = self._heading_run(lines, i) if heading is not None else []
            if len(run) >= 2:
                # Titles of the panels below: each goes to its table, in number order.
                self.flush()
                self.section = self.section[: run[0][0] - 1]
                titled = zip(run, (lines[k].text for k in range(i, i + len(run))), strict=True)
                self.panel_titles = [(ln.page, h, text) for h, text in sorted(titled, key=lambda t: _number(t[0][1]))]
                i += len(run)
                continue
            if heading is not None:
                self.flush()
                self.section = nest(self.section, heading)
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
                or self._person_card(lines, i)
            )
            if step:
                i += step
                continue
            if s != SEP:
                self.text.append(ln)
            i += 1
        self._restore_panel_titles()
        self.flush()
        return late_table_titles(self.blocks)

    # -- structures ---------------------------------------------------------
    def _caption(self, lines: list[Line], i: int) -> int:
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
            # The caption's title and page reference are the lines before it.
            while self.text and len(caption) < 3 and self.text[-1].page == lines[i].page:
                prev = self.text[-1].text
                if _PAGE_REF.match(prev) or (" – " in prev and not prev.endswith(".") and len(caption) >= 2):
                    caption.insert(0, self.text.pop().text)
                else:
                    break
            # A title wrapped over two lines ("Reportage over ... voor ‘Inspiratiemoment" |
            # "Burgerinitatieven’ – Socius"): its first line follows a finished sentence.
            if len(caption) == 3 and " – " in caption[0] and self.text and self.text[-1].page == lines[i].page:
                prev = self.text[-1].text
                before = self.text[-2].text if len(self.text) > 1 else ""
                if (
                    prev not in self.section
                    and not _ENDS_SENTENCE.search(prev)
                    and len(prev.split()) <= 10
                    and (not before or _ENDS_SENTENCE.search(before) or self.text[-2].page != lines[i].page)
                ):
                    caption.insert(0, self.text.pop().text)
            self._aside([" ".join(caption)], lines[i].page)
            return 1
        return 0

    def _aside(self, lines: list[str], page: int) -> None:
        """A caption that interrupts running text: kept apart (after that text), the text around it joins up."""
        self.asides.append(
            Block(join_lines(lines, self.vocab).replace("\n", " "), self.section, page, BlockKind.CAPTION)
        )

    def _panel(self, lines: list[Line], i: int) -> int:
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
                and lines[j].text != SEP
                and len(label) < 5
                and not _VALUES_LINE.match(lines[j].text)
                and not (label and _ROW_LINE.match(lines[j].text))
                and not lines[j].text.endswith((".", "?", "!", ":"))
            ):
                label.append(lines[j].text)
                j += 1
            if j < len(lines) and lines[j].text == SEP and label:
                # A label is one capitalised line and its lower-case continuations ("Totaal
                # aantal" + "deelnemers"); capitalised lines before it title the panel.
                start = max((k for k, ln in enumerate(label) if not ln[:1].islower()), default=0)
                if start and groups:
                    j -= len(label)
                    break
                if not groups:
                    title = label[:start]
                groups.append(join_lines(label[start:], self.vocab).replace("\n", " "))
                j += 1
                continue
            j -= len(label)
            break
        if not groups:
            return 0
        page = lines[i].page
        at_top = i == 0 or lines[i - 1].page != page
        head = [" ".join(title)] if title else []
        if self.panel_titles and self.panel_titles[0][0] == page:
            # The panels of this page were titled in a run of numbered headings ("1.1.
            # Activiteiten ondersteuningsaanbod"): that title is the table's, and a title
            # line over the first panel ("2023 in cijfers") is the page's, kept as text.
            if title:
                self.text.append(Line(" ".join(title), page))
            head = [re.sub(r"^[\d.]+\s*", "", self.panel_titles[0][1][1])]
            title, at_top = [], False
        figures: list[str] = []
        k = j
        while k < len(lines) and _VALUES_LINE.match(lines[k].text):
            figures.append(lines[k].text)
            k += 1
        values = _values(" ".join(figures))
        if values and len(values) == len(groups):
            head = self._page_title(title, page) if at_top else head
            self.emit(BlockKind.TABLE, [*head, CELL.join(groups), CELL.join(values)], page, header=True)
            return k - i
        rows: list[str] = []
        k = j
        while k < len(lines) and (m := _ROW_LINE.match(lines[k].text)) and len(_values(m["values"])) == len(groups) - 1:
            rows.append(CELL.join([m["label"].strip(" :"), *_values(m["values"])]))
            k += 1
        if rows:
            head = self._page_title(title, page) if at_top else head
            self.emit(BlockKind.TABLE, [*head, CELL.join(groups), *rows], page, header=True)
            return k - i
        # Labels without figures we can pair: keep the labels as text, drop the icons.
        return 0

    def _page_title(self, title: list[str], page: int) -> list[str]:
        """The table title of a panel at the top of a page, after taking a page title off it.

        Two title lines over the panel's labels: the first titles the pages of figures
        that start here ("Ondersteuningsaanbod in cijfers") and becomes their section
        (under the chapter), the second titles this panel ("Activiteiten
        ondersteuningsaanbod").  The figures are not part of the numbered section before
        them ("2.7 Verhouden op subsidiekaders").
        """
        if len(title) < 2 or heading_of(title[0]) is not None:
            return [" ".join(title)] if title else []
        self.flush()
        self.section = (*self.section[:1], title[0])
        self.text.append(Line(title[0], page))
        return [" ".join(title[1:])]

    def _value_table(self, lines: list[Line], i: int) -> int:
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

    def _label_table(self, lines: list[Line], i: int) -> int:
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

    def _name_list(self, lines: list[Line], i: int) -> int:
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

    def _person_card(self, lines: list[Line], i: int) -> int:
        """A name, a role and a status on three short lines ("Zita De Pauw" | "stafmedewerker" | "uit dienst").

        A row of a table titled by the short line before it ("In- en uitdiensttredingen in 2023");
        a later card on the same page joins that table, wherever the layout printed it.  Left as
        text, the cards ran into the next heading and caption as one "sentence".
        """
        if i + 2 >= len(lines) or len({ln.page for ln in lines[i : i + 3]}) > 1:
            return 0
        name, role, status = (ln.text for ln in lines[i : i + 3])
        if not (_is_name_line(name) and len(name.split()) <= 5 and _CARD_STATUS.match(status)):
            return 0
        if not (role[:1].islower() and len(role.split()) <= 3 and not _ENDS_SENTENCE.search(role)):
            return 0
        page = lines[i].page
        row = CELL.join([name, role, status])
        for k in range(len(self.blocks) - 1, -1, -1):
            block = self.blocks[k]
            if block.page != page:
                break
            if block.kind is BlockKind.TABLE and _CARD_STATUS.match(block.text.rsplit(CELL, 1)[-1]):
                self.flush()
                self.blocks[k] = replace(block, text=f"{block.text}\n{row}")
                return 3
        title = self._take_title(page)
        self.emit(BlockKind.TABLE, ([title] if title else []) + [row], page)
        return 3

    def _bullets(self, lines: list[Line], i: int) -> int:
        """Bullet lines ("• Webinar ...") with their wrapped continuations: a list."""
        if not lines[i].text.startswith("•"):
            return 0
        items: list[str] = []
        j = i
        while j < len(lines):
            s = lines[j].text
            if s.startswith("•"):
                items.append(re.sub(r"^•\s*", "", s))
            elif (
                items
                and (_continues_item(items[-1], s) or _runs_on(lines[j - 1].text, s))
                and not heading_of(s)
                and s != SEP
            ):
                items[-1] = join_lines([items[-1], s], self.vocab)
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
        joined = join_lines([ln.text for ln in self.text if ln.page == page], self.vocab)
        last_line = joined.rsplit("\n", 1)[-1]
        if not last_line.rstrip().endswith(":") and not (
            len(last_line.split()) <= 10 and not last_line.rstrip().endswith((".", "?", "!"))
        ):
            return ""

        sentences = split_sentences(last_line)
        lead = sentences[-1] if sentences else last_line
        # Take the lead-in out of the running text so that it is said once, with its list.
        at = joined.rfind(lead)
        if at < 0:
            return ""
        rest = joined[:at].rstrip()
        self.text = keep + ([Line(rest, page)] if rest else [])
        return lead


def _is_page_title(line: str, following: str) -> bool:
    """A short unnumbered title line at the top of a page (not a caption's title, not a sentence)."""
    return (
        len(line.split()) <= 8
        and line[:1].isupper()
        and not re.search(r"[.!?:;,]$", line)
        and heading_of(line) is None
        and not following[:1].islower()
        and not _PAGE_REF.match(following)
        and not _CREDIT.match(following)
    )


def _number(heading: str) -> tuple[int, ...]:
    """The number of a heading ("1.3 Bereikte organisaties" -> (1, 3)) for ordering."""
    m = re.match(r"[\d.]+", heading)
    return tuple(int(n) for n in m.group(0).split(".") if n) if m else ()


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
    return 2 <= n <= 7 and bool(_NAME_LINE.match(line)) and not heading_of(line) and not _ROW_LINE.match(line)


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


def _runs_on(previous: str, line: str) -> bool:
    """Does ``line`` go on with a name cut at the end of a full-width ``previous`` line?

    "• zes video’s waarin experten hun visie op de toekomst geven: Dave" | "Sinardet
    (VUB), Tuba Bircan ...": an item that ends in a capitalised word at the column's
    edge is not finished, even though the next line starts with a capital.
    """
    last = previous.rsplit(" ", 1)[-1]
    return (
        len(previous) >= _FULL_LINE
        and last[:1].isupper()
        and not _ENDS_SENTENCE.search(previous)
        and not _BULLET_LINE.match(line)
        and not _VALUES_LINE.match(line)
    )


def _continues_item(item: str, line: str) -> bool:
    """Does ``line`` continue a wrapped bullet item rather than start new running text?"""
    if _BULLET_LINE.match(line) or _VALUES_LINE.match(line):
        return False
    return line[:1].islower() or line[:1] in "(‘'\"" or item.rstrip().endswith((",", "-", "–", "‘", "(", "en", "of"))
