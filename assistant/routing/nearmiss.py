"""What the publications cannot hold, seen from the wording alone (questions for staff, not answers).

The publications are Socius' own: its annual report, its toolboxes and its guide to the decree.  They
report Socius' figures and the sector's, never the budget of another organisation, so a question for
one named organisation's money goes to staff whatever retrieval finds about that organisation.
"""

from __future__ import annotations

import re

from ..query.model import AnswerKind, Query
from .examples import normalise

#: Money asked about: a subsidy, an amount, a budget, wages.
_MONEY = re.compile(
    r"\b(\w*subsidie\w*|\w*bedrag\w*|werkingsmiddelen|euro|budget\w*|begroting\w*|lonen|loonkost\w*|omzet|winst\w*)\b"
)
#: A figure asked: "hoeveel", "welk bedrag", "hoe groot/hoog".
_FIGURE_ASKED = re.compile(
    r"\b(hoeveel|welk(e)? (\w+)?bedrag\w*|hoe (groot|hoog)|wat (is|was|bedraagt|bedroeg) (het|de) \w*(bedrag|subsidie|budget|begroting|omzet))\b"
)
#: Names that are no other organisation: Socius itself, the government that subsidises, regions.
_NOT_THIRD_PARTY = re.compile(
    r"\b(socius|steunpunt|vlaams\w*|vlaanderen|brussel|belgi\w*|europ\w*|departement|minister\w*|overheid|gemeenschap|regering|"
    r"erasmus\w*|decreet|jaarverslag|toolbox|trefdag)\b"
)


def third_party_amount(query: Query) -> str | None:
    """The named organisation whose money a question asks about, when it is not Socius (else ``None``).

    "Hoeveel werkingssubsidie krijgt Avansa Citizenne per jaar?" -> "Avansa Citizenne".  A name after
    "door", "via" or "uit" gives the money and does not count, nor does the government that subsidises.
    """
    norm = query.normalised
    if not _MONEY.search(norm) or not (query.kind is AnswerKind.FIGURE or _FIGURE_ASKED.search(norm)):
        return None
    for entity in query.entities:
        name = normalise(entity)
        if len(name) < 4 or _NOT_THIRD_PARTY.search(name):
            continue
        at = norm.find(name)
        if at < 0 or re.search(r"\b(door|via|uit)( de| het)?\s*$", norm[:at]):
            continue
        return entity
    return None
