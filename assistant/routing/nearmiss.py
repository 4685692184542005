"""What the publications cannot hold, seen from the wording alone (questions for staff, not answers).

The publications are Socius' own: its annual report, its toolboxes and its guide to the decree.  They
report Socius' figures and the sector's, never the budget of another organisation, so a question for
one named organisation's money goes to staff whatever retrieval finds about that organisation.
They report on one year (2023) and were written the year after: what happened later, or what is
planned for a year beyond that, they cannot say.
"""

from __future__ import annotations

import re

from ..query.model import AnswerKind, Query
from .examples import normalise

#: Money asked about: a subsidy, an amount, a budget, wages.
_MONEY = re.compile(
    r"\b(\w*subsidie\w*|\w*bedrag\w*|werkingsmiddelen|euro|budget\w*|begroting\w*|lonen|loonkost\w*|omzet|winst\w*)\b"
)
#: An organisation's own file: its visit, assessment, recognition.
_FILE = re.compile(r"\b(visitatie\w*|beoordeling\w*|erkenning\w*|adviesrapport|subsidieaanvraag|dossier)\b")
#: How it turned out: "wat was de uitkomst", "welke score", "kreeg ... een positief advies".
_OUTCOME_ASKED = re.compile(
    r"\b(uitkomst|resultaat|score|scoorde|beslissing|besliste|oordeel|advies|goedgekeurd|afgewezen|erkend)\b"
)
#: A figure asked: "hoeveel", "welk bedrag", "hoe groot/hoog".
_FIGURE_ASKED = re.compile(
    r"\b(hoeveel|welk(e)? (\w+)?bedrag\w*|hoe (groot|hoog)|wat (is|was|bedraagt|bedroeg) (het|de) \w*(bedrag|subsidie|budget|begroting|omzet))\b"
)
#: A document of an organisation's own file: what it says is the organisation's and the administration's.
_FILE_DOCUMENT = re.compile(
    r"\b(visitatieverslag\w*|visitatierapport\w*|adviesrapport\w*|beoordelingsverslag\w*|aanvraagdossier\w*|"
    r"subsidieaanvraag|erkenningsaanvraag|erkenningsdossier)\b"
)
#: Names that are no other organisation: Socius itself, the government that subsidises, regions.
_NOT_THIRD_PARTY = re.compile(
    r"\b(socius|steunpunt|vlaams\w*|vlaanderen|brussel|belgi\w*|europ\w*|departement|minister\w*|overheid|gemeenschap|regering|"
    r"erasmus\w*|decreet|jaarverslag|toolbox|trefdag)\b"
)


def third_party_amount(query: Query) -> str | None:
    """The named organisation whose money or file a question asks about, when it is not Socius (else ``None``).

    "Hoeveel werkingssubsidie krijgt Avansa Citizenne per jaar?" -> "Avansa Citizenne"; its file is how
    its visit or assessment turned out, or a document of it ("het visitatieverslag van ...").  A name after
    "door", "via" or "uit" gives the money and does not count, nor does the government that subsidises.
    """
    norm = query.normalised
    money = _MONEY.search(norm) and (query.kind is AnswerKind.FIGURE or _FIGURE_ASKED.search(norm))
    # ... or its file: how its visit, assessment or recognition turned out.
    file = _FILE.search(norm) and (query.asks_outcome or _OUTCOME_ASKED.search(norm))
    # ... or a document of its file ("het visitatieverslag van <name>", "<name> in zijn subsidieaanvraag").
    document = _FILE_DOCUMENT.search(norm)
    if not (money or file or document):
        return None
    for entity in query.entities:
        name = normalise(entity)
        # "Vormingplus Vlaanderen" is another organisation; "Vlaamse Gemeenschap" is the government.
        if len(name) < 4 or _NOT_THIRD_PARTY.match(name):
            continue
        at = norm.find(name)
        if at < 0 or re.search(r"\b(door|via|uit)( de| het)?\s*$", norm[:at]):
            continue
        if money or file or (document and _owns(norm, document, name)):
            return entity
    return None


def _owns(norm: str, document: re.Match[str], name: str) -> bool:
    """Is the ``document`` the named organisation's: "<document> van/over/bij <name>", "<name> ... zijn <document>"?

    "het aanbod van Socius en De Federatie rond voortgangsrapport, visitatie en subsidieaanvraag" names
    the kind of document, not one organisation's.
    """
    after = norm[document.end() :]
    if re.match(rf"\s+(van|over|bij)\s+(de |het )?{re.escape(name)}\b", after):
        return True
    before = norm[: document.start()]
    return name in before and bool(re.search(r"\b(zijn|haar|hun)\s+(\w+\s+)?$", before))


#: Words that place a time reference within a year: a month, a season, its start or end.
_WITHIN_YEAR = re.compile(
    r"\b(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    r"voorjaar|najaar|lente|zomer|herfst|winter|begin|eind|einde|midden|start|kwartaal|semester)\b"
)
#: A question about what happened or how much it was: a past tense, an outcome.
_HAPPENED = re.compile(
    r"\b(was|waren|werd|werden|had|hadden|kreeg|kregen|ontving|ontvingen|vond|vonden|ging|gingen|bereikte|"
    r"bereikten|telde|telden|lag|lagen|bedroeg|bedroegen|kwam|kwamen|verscheen|verschenen|haalde|haalden|gaf|"
    r"gaven|deed|deden|nam|namen|hield|hielden|organiseerde|organiseerden|bleek|bleken|startte|startten|liep|"
    r"liepen|volgde|volgden|bezocht|bezochten|stelde|stelden|diende|dienden|sloot|sloten|vroeg|vroegen|koos|kozen|"
    r"schreef|schreven|sprak|spraken|zag|zagen|stond|stonden|bleef|bleven|won|wonnen|zat|zaten|werkte|werkten|"
    r"stuurde|stuurden|gebeurde|kostte|kostten|bracht|brachten|kende|kenden|trok|trokken|leverde|leverden)\b"
)


def later_years(query: Query, report_year: int | None) -> tuple[int, ...]:
    """The years a question asks about that lie beyond what publications about ``report_year`` hold.

    Written in the year after the one they report on, the publications announce that year's plans
    ("in maart 2024 verhuist het team"), but cannot say what happened in it as a whole ("Wat was het
    thema van de Trefdag in 2024?", "Hoeveel vragen kwamen er vorig jaar binnen?") nor anything about
    the years after it ("Welk thema heeft de Trefdag volgend jaar?").  A period ("2026-2030") is a
    policy period the publications plan for and does not count; nor does a question that also names
    a year they cover.  ``()`` when nothing lies beyond them or the report year is unknown.
    """
    if report_year is None or not query.time:
        return ()
    norm = query.normalised
    happened = query.kind is AnswerKind.FIGURE or query.asks_outcome or bool(_HAPPENED.search(norm))
    later: list[int] = []
    for ref in query.time:
        if len(ref.years) != 1:
            return ()  # a period, or an expression of several years
        year = ref.years[0]
        if year <= report_year:
            return ()  # it also asks about a year the publications cover
        # "in het voorjaar van 2024": the words just before the year place it too.
        at = norm.find(str(year))
        before = norm[max(0, at - 25) : at] if at >= 0 else ""
        within = bool(_WITHIN_YEAR.search(f"{before} {normalise(ref.phrase)}"))
        if year > report_year + 1 or (happened and not within):
            later.append(year)
    return tuple(later) if len(later) == len(query.time) else ()


def years_beyond(query: Query, report_year: int | None) -> tuple[int, ...]:
    """The single years a question names after ``report_year`` (periods such as "2026-2030" aside)."""
    if report_year is None:
        return ()
    return tuple(ref.years[0] for ref in query.time if len(ref.years) == 1 and ref.years[0] > report_year)


#: Money as the figure asked: a subsidy, an amount, a budget, wages, a price (not "gesubsidieerde").
_MONEY_WORD = re.compile(
    r"^(\w*subsidie|\w*subsidies|\w*bedrag(en)?|werkingsmiddelen|\w*budget(ten)?|begroting(en)?|lonen|loonkost(en)?|"
    r"omzet|winst|geld|kost|kosten|kostte|kostten|prijs|prijzen|tarief|tarieven|euro)$"
)
#: "Hoe groot/hoog is het budget": the size of an amount of money, asked without "hoeveel".
_SIZE_OF_MONEY = re.compile(
    r"\bhoe (groot|hoog)\b.{0,30}\b(\w*subsidie|\w*bedrag|\w*budget|begroting|omzet|winst|kost(en)?|prijs)\b"
)
#: An amount of money or a share in a quoted answer.
_AMOUNT_GIVEN = re.compile(r"€|\beuro\b|\beur\b|%|\bprocent\b|\bmiljoen\b|\bmiljard\b", re.IGNORECASE)


def asks_money(query: Query) -> bool:
    """Is the figure a question asks an amount of money ("Welk budget ...", "Hoe groot wordt het budget ...")?

    Money as the setting of another figure does not count: "Hoeveel organisaties kregen subsidie?" asks
    a number of organisations.
    """
    if query.kind is not AnswerKind.FIGURE:
        return False
    if query.wants_amount or _SIZE_OF_MONEY.search(query.normalised):
        return True
    return any(_MONEY_WORD.match(normalise(w)) for w in (*query.focus, *query.qualifier))


def amount_missing(query: Query, quotes: list[str]) -> bool:
    """An amount of money is asked and the answer quoted holds none (no euro, no share): no answer to it.

    "Welk budget wordt er voorzien voor het investeringsfonds?" answered with what the fund will do
    says nothing about its budget: staff may know it, the publications do not ("geen bron").
    """
    return bool(quotes) and asks_money(query) and not any(_AMOUNT_GIVEN.search(q) for q in quotes)


#: A figure in a quoted answer: digits that are no year, a number word, a share.
_FIGURE_GIVEN = re.compile(
    r"\d+(?:[.,]\d+)+|\b(?!(?:19|20)\d\d\b)\d+\b|%|\b(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|"
    r"\w+tien|\w*twintig|\w*dertig|\w*veertig|\w*vijftig|\w*zestig|\w*zeventig|\w*tachtig|\w*negentig|\w*honderd\w*|"
    r"\w*duizend\w*|miljoen|miljard|helft|derde|kwart|meerderheid|minderheid|procent|dubbel|verdubbeld)(?:tal|tallen)?\b",
    re.IGNORECASE,
)


def figure_missing(query: Query, quotes: list[str]) -> bool:
    """A figure is asked ("Hoeveel mensen kwamen er naar ...?") and the answer quoted holds none: no year
    or heading number aside, not one number, number word (from two) or share.  An answer in words
    ("iedereen die zich betrokken voelt") does not say how many: the publications do not hold it, staff may
    ("geen bron").
    """
    if not quotes or not asks_figure(query) or _SECOND_ASK.search(query.normalised):
        return False  # with a second question ("..., en waarom?") the answer may be to that one
    return not any(_FIGURE_GIVEN.search(_HEADING_NUMBER.sub(" ", q)) for q in quotes)


#: A second question joined to the first ("Hoeveel ... en hoe lang duurden die?"), or a second question mark.
_SECOND_ASK = re.compile(r"\b(?:en|of) (?:hoe|hoeveel|waarom|wat|wie|welke|welk|waar|wanneer|met welke)\b|\?.*\?")
#: A word that names a figure as what is asked ("Wat was het tevredenheidscijfer ...?", "het aantal ...").
_FIGURE_WORD = re.compile(r"^\w*(cijfer|cijfers|aantal|aantallen|percentage|score|scores)$")
#: The number of a heading ("4. Evenementen", "2.5 Inzetten op ..."): no figure of the answer.
_HEADING_NUMBER = re.compile(r"(?<![\d.,])\d+(?:\.\d+)*\.?(?=\s+[A-Z])")


def asks_figure(query: Query) -> bool:
    """Does a question ask for a figure: a "hoeveel" question, or one whose object is a figure word?"""
    if query.kind is AnswerKind.FIGURE:
        return True
    return query.kind is AnswerKind.FACT and any(_FIGURE_WORD.match(normalise(w)) for w in query.focus)


def answer_lacks(query: Query, quotes: list[str]) -> str | None:
    """What the answer quoted lacks that the question asks: an amount of money ("bedrag"), a figure ("getal"),
    or nothing."""
    if amount_missing(query, quotes):
        return "bedrag"
    return "getal" if figure_missing(query, quotes) else None
