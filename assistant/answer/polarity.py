"""Yes or no: whether the quoted sentence confirms or denies what a yes/no question asks.

"Heeft er iemand gebruikgemaakt van de toelage?" answered with "Helaas heeft niemand
van dat aanbod gebruikgemaakt." starts "Nee, ...".  Said only when the sentence
reliably decides: it states every one of the question's own words (the predicate
asked with them), it is a statement, and it either carries no negation
or exactly one plain one ("niet", "geen", "niemand", "nooit", "niet langer").  A
question that offers alternatives ("... of niet?", "bijgekomen of opgestapt?"), asks
in the negative ("Is het niet ...?"), or a sentence that negates only part of it ("niet
alleen ... maar ook"), a condition ("als", "tenzij") or a hedge gets no prefix: the
quote speaks for itself.
"""

from __future__ import annotations

import re

from ..query.model import AnswerKind, Query
from ..text.analysis import STOPWORDS, Analyzer, fold

#: One plain negation word.
_NEGATION = re.compile(r"(?<![\w-])(?:niet|geen|niemand|nooit|niets|nergens|geenszins)(?![\w-])")
#: A negation of a part, not of the whole ("niet alleen ... maar ook", "niet enkel", "geen enkel probleem").
_PARTIAL = re.compile(
    r"\bniet (?:alleen|enkel|louter|uitsluitend|zomaar|per se|altijd|noodzakelijk\w*|meer dan|minder dan|"
    r"zozeer|helemaal|volledig|alle|elke|iedere|blindelings)\b|\bgeen (?:enkel\w* )?(?:probleem|bezwaar)\b|"
    r"\bmaar ook\b|\bniet of nauwelijks\b"
)
#: A condition or a hedge: the sentence decides only in some cases.
_CONDITION = re.compile(r"\b(?:als|indien|tenzij|mits|soms|misschien|mogelijk|eventueel|wellicht|deels|gedeeltelijk)\b")
#: Where a side clause starts: a negation after it denies that clause, not what was asked ("... voor
#: organisaties die nog geen lid waren", "..., en dat was niet eerder gebeurd").
_SIDE_CLAUSE = re.compile(
    r",|;|\b(?:die|dat|wat|wie|waar\w*|omdat|zodat|doordat|hoewel|terwijl|want|maar|zonder|behalve)\b"
)
#: A question that offers alternatives or asks in the negative.
_OPEN_QUESTION = re.compile(r"\bof\b|\bniet\b|\bgeen\b")


def yes_or_no(query: Query, sentence: str, analyzer: Analyzer) -> str:
    """'Ja' or 'Nee' when ``sentence`` (the best quoted stretch) decides the yes/no question, else ''.

    It must state every word the question itself asks with ("Moet ik betalen voor het rapport?" is not decided
    by "Je kan het rapport gratis downloaden": "betalen" is not said).
    """
    if query.kind is not AnswerKind.YES_NO or query.parts_in_turn > 1:
        return ""
    stated = set(analyzer.terms(sentence))
    own = [t for t in query.terms if not t.startswith("~")]
    if not own or not all(t in stated for t in own):
        return ""
    said = fold(sentence)
    if _OPEN_QUESTION.search(fold(query.text)) or said.rstrip().endswith("?") or _CONDITION.search(said):
        return ""
    if _PARTIAL.search(said):
        return ""
    negations = list(_NEGATION.finditer(said))
    if len(negations) > 1:
        return ""
    # Only the sentence that holds the negation: the quoted stretch may open with another one.
    before = re.split(r"[.!?]\s", said[: negations[0].start()])[-1] if negations else ""
    if negations and _SIDE_CLAUSE.search(before):
        return ""  # the negation may deny a side clause only: the quote speaks for itself
    return "Nee" if negations else "Ja"


def with_verdict(verdict: str, text: str) -> str:
    """``text`` opened with the verdict, the quote left as it is: "Ja, de ..." after a function word, which is
    never a name; "Nee. Helaas heeft niemand ...", "Ja. Socius maakt deel uit ..." otherwise."""
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and first.lower() in STOPWORDS:
        return f"{verdict}, {text[:1].lower()}{text[1:]}"
    return f"{verdict}. {text}"


def without_verdict(text: str) -> str:
    """``text`` without the verdict :func:`with_verdict` put before it (the quote as the source says it)."""
    m = _VERDICT.match(text)
    if m is None:
        return text
    rest = text[m.end() :]
    return rest[:1].upper() + rest[1:] if m.group(1) == "," else rest


_VERDICT = re.compile(r"(?:Ja|Nee)([.,]) ")

__all__ = ["with_verdict", "without_verdict", "yes_or_no"]
