"""Line-level helpers of the PDF parser: joining lines into text, recognising headings."""

from __future__ import annotations

import re
from collections import Counter

#: A line that holds only an arrow icon separates the labels of a key-figure panel.
SEP = "\x1f"
_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+([A-ZÀ-Ý‘'\"].{2,90})$")


def join_lines(lines: list[str], vocab: Counter[str], *, labels: bool = False) -> str:
    """Join PDF lines into running text, repairing line-break hyphenation.

    A line ending in "woord-" followed by a lower-case word is either a
    hyphenated line break ("vraag-" + "gestuurde") or a real compound that
    happens to break at its hyphen ("sociaal-" + "cultureel").  The document's
    own vocabulary decides: the form that occurs elsewhere in the document wins;
    when neither does, two known words keep their hyphen.
    """
    # With ``labels``: the lines that are a short label over the next paragraph.
    # A label may follow another ("Zes pijlers" | "Bestuurlijke inspraak" | "Deze pijler ...").
    label: list[bool] = []
    for k, line in enumerate(lines):
        before, after = lines[k - 1] if k else "", lines[k + 1] if k + 1 < len(lines) else ""
        label.append(labels and _is_label(line, before, after, after_label=bool(k) and label[k - 1]))
    text = ""
    for k, line in enumerate(lines):
        if not text:
            text = line
            continue
        if label[k - 1] or label[k]:
            # "Visitatie" | "In het kader van ...": a subheading, not the first word of the sentence,
            # nor the last words of the one before ("- bestuurslid Gezinsbond" | "Informele, alternatieve inspraak").
            text += "\n" + line
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
        if is_list_item(line) or heading_of(line) is not None or heading_of(previous_line) is not None:
            text += "\n" + line
        else:
            text += " " + line
    return text.strip()


_PRONOUN = re.compile(r"\b(?:ik|jij|we|wij|ze|zij|hij|u|jullie|men)\b", re.IGNORECASE)


def _is_label(line: str, before: str, after: str, *, after_label: bool = False) -> bool:
    """A short line between a finished sentence (or nothing) and a capitalised line: an unnumbered subheading.

    "Mailinglijsten" between "... in 2023." and "Socius beschikt over ...": the layout sets the
    subheading on its own line, and joined it would open the sentence under it.
    """
    if not after or not after[:1].isupper() or not line[:1].isupper():
        return False
    # Under another label a subtitle may be longer ("Personeel" | "Samenstelling personeelsploeg dd. 1 januari 2023").
    longest, most_words = (60, 8) if after_label else (40, 5)
    if len(line) > longest or len(line.split()) > most_words or re.search(r"[.!?:;,…\-]$", line):
        return False
    if line.count("‘") > line.count("’") or line.count("(") > line.count(")"):
        return False  # "organisatie ‘Theory Of" | "Change’ inzetten": a quote or bracket that goes on below
    if _PRONOUN.search(line):
        return False  # "Dit jaar bedankten we" | "Fred Dhont ...": a clause, not a title
    # Above it a finished sentence, another label, or a line that ends without a full stop by nature:
    # a list item or the attribution of a quote ("- bestuurslid Gezinsbond").
    finished = is_list_item(before) or bool(re.search(r"[.!?:…\"”’)]$", before) or _ATTRIBUTION.search(before))
    return not before or after_label or finished


#: A quote's attribution closing a line: "... gehoord hebt.” - bestuurslid Gezinsbond".
_ATTRIBUTION = re.compile(r"[\"”’]\s*[-–]\s*[^.!?\"”’]{3,50}$")


def is_list_item(line: str) -> bool:
    return bool(re.match(r"^(?:[•\-–·*]|\d{1,2}[.)])\s", line))


def heading_of(line: str) -> tuple[int, str] | None:
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


def is_caps_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 8 and line.isupper() and not line[:1].isdigit() and len(line) <= 80


def continues_sentence(next_line: str) -> bool:
    """True when the next line finishes a sentence started on this line."""
    if not next_line or not next_line[0].islower():
        return False
    return bool(re.search(r"[.:;,]\s|[.:;,]$", next_line))


def nest(path: tuple[str, ...], heading: tuple[int, str]) -> tuple[str, ...]:
    depth, text = heading
    return (*path[: depth - 1], text)
