"""Which figure a figure question asks: its qualifier ("deelnemers", "organisaties") and the figures that count it.

"Hoeveel deelnemers ...?" is answered by a figure next to "deelnemers" (or "aanwezigen", "mensen"), not by
one next to "organisaties"; the qualifier words come from :attr:`assistant.query.model.Query.qualifier`.
"""

from __future__ import annotations

from ..text.analysis import stem, thesaurus
from . import signals
from .forms import folded


def qualifier_forms(qualifier: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    """Per qualifier word, the word starts that count as it: its own and its thesaurus neighbours'.

    "voltijdse jobs" is answered by a figure next to "VTE", "lonen" by the row "Personeel".
    """
    forms = []
    for word in qualifier:
        related = thesaurus().expand([stem(word)])
        people = _PEOPLE_FORMS if word in _PEOPLE else ()
        forms.append(frozenset([word[:5], *(r[:5] for r in related if len(r) >= 3), *people]))
    return tuple(forms)


#: "Hoeveel mensen ...?" counts people under whatever name the source gives them.
_PEOPLE = frozenset(["mensen", "personen", "man", "volk"])
_PEOPLE_FORMS = ("deeln", "aanwe", "bezoe", "parti", "inschr", "perso", "mense", "vrijw", "cursi", "leden")


def qualified_figure(text: str, qualifier: tuple[frozenset[str], ...]) -> bool:
    """Does a figure in ``text`` stand within a few words of a qualifier word ("33 deelnemers")?"""
    tokens = folded(text).split()
    for i, tok in enumerate(tokens):
        if signals.states_figure(tok):
            window = tokens[max(0, i - 3) : i + 5]
            if any(f in w for w in window for forms in qualifier for f in forms):
                return True
    return False


def counts_qualifier(text: str, qualifier: tuple[frozenset[str], ...]) -> bool:
    """Does a figure in ``text`` count what the question qualifies: a qualifier word right after it with at most
    one word between ("71 activiteiten", "33 unieke deelnemers"), or right before it ("deelnemers: 64")?

    "181 overlegmomenten met 55 verschillende actoren: beleidsactoren, onderzoeksactoren" counts
    overlegmomenten and actoren, not "onderzoeksactoren" (which :func:`qualified_figure` finds near 55).
    """
    tokens = folded(text).split()
    for i, tok in enumerate(tokens):
        if signals.states_figure(tok):
            window = [*tokens[i + 1 : i + 3], *tokens[max(0, i - 2) : i]]
            if any(f in w for w in window for forms in qualifier for f in forms):
                return True
    return False


def qualifier_share(qualifier: tuple[frozenset[str], ...], text: str) -> float:
    if not qualifier:
        return 0.0
    low = folded(text)
    return sum(1 for forms in qualifier if any(f in low for f in forms)) / len(qualifier)
