"""What a table's terse header means, said in words for the index (never shown, never quoted).

A table of figures is found by its words, and a financial statement has few: "Samenvatting
resultatenrekening 2023", a header "Uit % In %" and rows "Personeel | 1.366.224,06 € | ...".
People ask about "uitgaven", "kosten", "inkomsten", "een overschot" or "een tekort".  In Dutch
bookkeeping "Uit" and "In" over two columns of amounts are the expenses and the income, every row
of a statement of expenses and income is a cost item, and a statement's "Resultaat" is a surplus
when it is positive and a deficit when it is negative.  :func:`table_gloss` writes that out once
per table, for the index text of its chunk (:attr:`~assistant.ingestion.chunking.Chunk.index_text`).
"""

from __future__ import annotations

import re

from .document import CELL

__all__ = ["table_gloss"]

#: Column labels of an expenses/income statement ("Uit % In %", "Uitgaven Inkomsten", "Kosten Opbrengsten").
_OUT = re.compile(r"^(?:uit|uitgaven|kosten|lasten)$", re.IGNORECASE)
_IN = re.compile(r"^(?:in|inkomsten|opbrengsten|baten)$", re.IGNORECASE)
#: Titles of a financial statement.
_STATEMENT = re.compile(
    r"\b(?:resultatenrekening|jaarrekening|exploitatierekening|begroting|balans|staat van (?:baten|inkomsten))\b",
    re.IGNORECASE,
)
_RESULT_ROW = re.compile(r"^(?:resultaat|saldo|netto resultaat|resultaat van het boekjaar)$", re.IGNORECASE)
_AMOUNT = re.compile(r"(-)?\s?\d[\d.]*(?:,\d+)?\s?€|€\s?(-)?\s?\d")


def table_gloss(text: str, elements: str) -> str:
    """Words for the index that say what the tables in a chunk's ``text`` hold ("" when nothing to add).

    ``elements`` are the chunk's element spans (``kind:start:end[:h];...``).
    """
    out: list[str] = []
    for span in filter(None, elements.split(";")):
        kind, start, end, *_ = span.split(":")
        if kind != "table":
            continue
        gloss = _one_table(text[int(start) : int(end)].split("\n"))
        if gloss:
            out.append(gloss)
    return "\n".join(out)


def _one_table(lines: list[str]) -> str:
    heads = [ln for ln in lines if CELL not in ln]
    rows = [ln.split(CELL) for ln in lines if CELL in ln]
    labels = [w for ln in heads[:3] for w in ln.replace(CELL, " ").split() if w != "%"]
    columns: list[str] = []
    if rows and len(rows[0]) > 1 and not any(c.strip() and re.search(r"\d", c) for c in rows[0][1:]):
        columns = [c.strip() for c in rows[0] if c.strip() and c.strip() != "%"]  # a header row of column names
        labels += columns
    said = _spelled_out([*heads[:3], *columns])
    in_out = any(_OUT.match(w) for w in labels) and any(_IN.match(w) for w in labels)
    statement = any(_STATEMENT.search(h) for h in heads)
    if not (in_out or statement):
        return said
    items = [r[0].strip() for r in rows if not _RESULT_ROW.match(r[0].strip()) and r[0].strip().lower() != "totaal"]
    parts = [
        "uitgegeven bedragen (uitgaven, kosten) en ontvangen bedragen (inkomsten, opbrengsten)"
        + (" voor " + ", ".join(items) if items else "")
    ]
    for r in rows:
        if _RESULT_ROW.match(r[0].strip()):
            amount = _AMOUNT.search(CELL.join(r[1:]))
            if amount is not None:
                negative = bool(amount.group(1) or amount.group(2))
                said = "een tekort (verlies)" if negative else "een overschot (winst)"
                parts.append(f"resultaat (saldo, overschot of tekort): {said}")
    return "; ".join(parts) + "." + (f" {said}" if said else "")


def _spelled_out(names: list[str]) -> str:
    """Column names and titles with an abbreviated word, spelled out ("Gem. duurtijd: gemiddelde duurtijd")."""
    out: list[str] = []
    for name in names:
        full = _ABBREVIATED.sub(lambda m: _ABBREVIATIONS[m.group(0).lower().rstrip(".")], name)
        if full != name:
            out.append(f"{name}: {full}")
    return "; ".join(out) + "." if out else ""


#: Abbreviations in Dutch table headers.
_ABBREVIATIONS = {
    "gem": "gemiddelde",
    "gemidd": "gemiddelde",
    "tot": "totaal",
    "aant": "aantal",
    "vte": "voltijdse equivalenten",
    "fte": "voltijdse equivalenten",
    "nr": "nummer",
    "verh": "verhouding",
}
_ABBREVIATED = re.compile(r"\b(?:" + "|".join(rf"{a}\." for a in _ABBREVIATIONS) + r"|VTE\b|FTE\b)", re.IGNORECASE)
