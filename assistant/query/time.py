"""Time in a question: years, periods and relative time resolved against the day it is asked.

"vorig jaar" asked on 2 December 2026 means 2025; "najaar 2025" means 2025;
"de beleidsperiode 2026-2030" means 2026 to 2030.  The answer layer compares these
years with the years the cited passages are about.
"""

from __future__ import annotations

import re
from datetime import date

from .model import TimeReference

_NUMBER_WORDS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "tien": 10}

# Relative wording (folded text) -> offset in years from the year the question is asked.
_RELATIVE = re.compile(
    r"\b(?P<prev>vorig|verleden|vorige|afgelopen)\s+(?:werk|kalender)?jaar\b"
    r"|\b(?P<this>dit|deze|huidige?)\s+(?:werk|kalender)?jaar\b|\bdit jaar\b"
    r"|\b(?P<next>volgend|volgende|komend|komende)\s+(?:werk|kalender)?jaar\b"
    r"|\b(?P<ago>een|één|twee|drie|vier|vijf|zes|zeven|tien|\d{1,2})\s+jaar\s+geleden\b"
    r"|\bover\s+(?P<ahead>een|één|twee|drie|vier|vijf|zes|zeven|tien|\d{1,2})\s+jaar\b"
    r"|\b(?P<season>(?:dit|vorig|volgend|komend|afgelopen)\w*)\s+(?P<part>voorjaar|najaar|zomer|winter|lente|herfst)\b",
    re.IGNORECASE,
)
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:-|–|tot(?: en met)?|t/m)\s*((?:19|20)\d\d)\b")
_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d.,]\d)")
#: An open bound ("sinds 2013", "vanaf 2020", "na 2015"): the question spans the years after it,
#: it is not about that year ("In welk jaar sinds 2013 ... het grootste ...?").
_OPEN_BOUND = re.compile(r"\b(?:sinds|vanaf|na)\s+(?:(?:begin|midden|eind)\s+)?((?:19|20)\d\d)\b", re.IGNORECASE)
#: Words that name a part of a year before it ("eind 2024", "najaar 2025", "november 2023").
PERIOD_WORDS = (
    r"begin|midden|eind|einde|voorjaar|najaar|zomer|winter|lente|herfst|januari|februari|maart|april|mei|"
    r"juni|juli|augustus|september|oktober|november|december"
)
_PERIOD = re.compile(rf"\b(?:{PERIOD_WORDS})\s+((?:19|20)\d\d)\b", re.IGNORECASE)


def time_references(text: str, today: date) -> tuple[TimeReference, ...]:
    """The time references of a question, relative ones resolved against ``today``."""
    refs: list[TimeReference] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], years: tuple[int, ...], relative: bool) -> None:
        if any(m.start() < e and s < m.end() for s, e in taken):
            return
        taken.append((m.start(), m.end()))
        refs.append(TimeReference(m.group(0), years, relative))

    for m in _RELATIVE.finditer(text):
        add(m, (_relative_year(m, today),), True)
    for m in _YEAR_RANGE.finditer(text):
        a, b = int(m.group(1)), int(m.group(2))
        if a <= b <= a + 10:
            add(m, tuple(range(a, b + 1)), False)
    for m in _OPEN_BOUND.finditer(text):
        add(m, (), False)
    for m in _PERIOD.finditer(text):
        add(m, (int(m.group(1)),), False)
    for m in _YEAR.finditer(text):
        add(m, (int(m.group(1)),), False)
    refs.sort(key=lambda r: text.find(r.phrase))
    return tuple(refs)


def _relative_year(m: re.Match[str], today: date) -> int:
    if m.group("prev"):
        return today.year - 1
    if m.group("next"):
        return today.year + 1
    if m.group("ago"):
        return today.year - _count(m.group("ago"))
    if m.group("ahead"):
        return today.year + _count(m.group("ahead"))
    if m.group("season"):
        word = m.group("season").lower()
        if word.startswith(("vorig", "afgelopen")):
            return today.year - 1
        if word.startswith(("volgend", "komend")):
            return today.year + 1
    return today.year


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word.lower(), 1)


def years_in(text: str) -> set[int]:
    """Every four-digit year a passage mentions (plain years and the ends of ranges)."""
    years = {int(y) for y in _YEAR.findall(text)}
    for a, b in _YEAR_RANGE.findall(text):
        years.update(range(int(a), int(b) + 1))
    return years
