"""What a piece of source text states: a figure, a moment, a name, a reason, a definition.

Answer composition asks these per kind of question: the answer to "hoeveel ...?"
must state a figure, to "wanneer ...?" a moment, to "waarom ...?" preferably a
reason.  The patterns describe Dutch sentence structure, not the corpus.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..text.analysis import fold

_NUMBER = re.compile(r"\d[\d.,]*")
_NUMBER_WORD = re.compile(
    r"\b(één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|zestien|"
    r"zeventien|achttien|negentien|helft|kwart|meerderheid|minderheid|niemand|geen enkele?|"
    # tens, hundreds and compounds: "vijfentwintig", "tweehonderd", "drieduizend", "twintigtal"
    r"\w*(?:twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig|honderd|duizend)\w*|"
    r"miljoen\w*|tientallen|dozijn)\b",
    re.IGNORECASE,
)
#: Numbers that label rather than count ("Actie 1", "stap 3").
_LABEL = re.compile(r"\b(?:actie|werf|stap|fase|deel|hoofdstuk|spoor|traject|pijler|bijlage)\s+\d+\b", re.IGNORECASE)
_DATE_WORD = re.compile(
    r"\b(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    r"maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|voorjaar|najaar|zomer|winter|lente|herfst|"
    r"begin|midden|eind|einde|jaarlijks|elk jaar)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_REASON = re.compile(
    r"\b(omdat|want|daarom|doordat|door de|omwille van|wegens|zodat|dankzij|waardoor|vanwege|reden|redenen|"
    r"doel|bedoeling|om (?:\w+ ){1,8}te|aanleiding|oorzaak|oorzaken|verklaring|verklaart|niet vreemd aan|"
    r"(?:heeft|hebben|had|hadden) (?:\w+ ){0,3}te maken met|het gevolg van|ingegeven door)\b",
    re.IGNORECASE,
)
_DEFINES = re.compile(
    r"\b(is een|zijn de|is de|is het|betekent|verwijst naar|staat voor|gaat (?:\w+ ){0,5}?over|noemen we|heet|omvat|houdt in|"
    r"wordt bedoeld|verstaan we|is wanneer|gaat om|verzamelterm|met andere woorden|dat wil zeggen|d\.w\.z|i\.e)\b|:",
    re.IGNORECASE,
)
_WAY = re.compile(
    r"\b(door|via|met behulp van|aan de hand van|stap|eerst|daarna|vervolgens|kan je|kun je|moet je|zorg|"
    r"begin|gebruik|werk|maak|betrek|vraag)\b",
    re.IGNORECASE,
)
_PLACE = re.compile(
    r"\b(in|naar|te|op|bij)\s+(?:het |de )?[A-Z][\w'-]+"
    # Where to find something: a website or address ("op de website ellavzw.be", "Surf naar https://...").
    r"|\b[\w-]+\.(?:be|com|org|nl|eu|net)\b|\bwww\.|https?://|\bop (?:de|onze|hun) (?:website|site)\b"
)
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-zà-ÿ]+(?:\s+(?:[A-Z][\w'-]+|van|de|der|den|vzw))*")
#: A sentence that leans on the one before it for its meaning.
ANAPHOR = re.compile(
    r"^(daarom|daardoor|hierdoor|dan|dat|die|deze|dit|zo|zij|ze|hij|het|hun|daar\w*|hier\w*|bovendien|tegelijk\w*|"
    r"ook|verder|daarnaast|concreet|namelijk|dankzij dat)\b",
    re.IGNORECASE,
)


#: A sentence that announces what a page or document tells ("Op deze pagina lees je hoe ...", "Deze gids legt
#: uit welke ...", "Hieronder vind je ..."): it names the subject of the question, never the answer.
_SIGNPOST = re.compile(
    r"^(?:op|in) (?:deze|dit|de volgende) (?:pagina|gids|hoofdstuk|jaarverslag|deel|tekst|publicatie|toolbox)\w*\b"
    r"|^deze (?:gids|pagina|toolbox|publicatie|tekst|brochure) (?:legt|zet|vat|beschrijft|geeft|bundelt|toont|bevat)\b"
    r"|\bhieronder\b",
    re.IGNORECASE,
)


def signposts(text: str) -> bool:
    """Does ``text`` announce what a page or document tells rather than tell it?"""
    return bool(_SIGNPOST.search(text.strip()))


#: A sentence that leans on the one before further in ("De overstap maakt *daarom* ... moeilijk."): its reason
#: or cause was said just before.
_LEANS = re.compile(
    r"^(?:[\w’'-]+[,]?\s+){1,6}?(?:daarom|daardoor|hierdoor|om die reden|dankzij (?:dat|die|deze|dit))\b",
    re.IGNORECASE,
)


def leans_back(text: str) -> bool:
    """Does ``text`` point back to the sentence before: at its start ("Daarom ...", "Dat ...") or further in
    ("De overstap maakt daarom ...")?"""
    return bool(ANAPHOR.search(text) or _LEANS.search(text))


@lru_cache(maxsize=32_768)
def states_figure(text: str, question_numbers: frozenset[str] = frozenset()) -> bool:
    """Does ``text`` state a figure other than the ones the question itself names?

    The day of a date ("Op 10 maart 2023 bekrachtigde ...") counts nothing, nor does a year.
    """
    text = _EXACT_DATE.sub(" ", _LABEL.sub(" ", text))
    if _NUMBER_WORD.search(text):
        return True
    return any(n.strip(".,") not in question_numbers and not _is_year(n) for n in _NUMBER.findall(text))


_PERCENTAGE = re.compile(r"\d[\d.,]*\s*(?:%|procent\b)", re.IGNORECASE)


def only_percentages(text: str) -> bool:
    """Are all the figures ``text`` states shares ("80%", "43 procent"), none of them a count?"""
    text = _LABEL.sub(" ", text)
    if not _PERCENTAGE.search(text) or _NUMBER_WORD.search(text):
        return False
    rest = _PERCENTAGE.sub(" ", text)
    return not any(not _is_year(n) for n in _NUMBER.findall(rest))


def states_moment(text: str, question_numbers: frozenset[str] = frozenset()) -> bool:
    """Does ``text`` name a moment (a month, a season, a year or date other than the question's)?"""
    if _DATE_WORD.search(text):
        return True
    return any(y not in question_numbers for y in _YEAR.findall(text)) or states_figure(
        _NUMBER_WORD.sub(" ", text), question_numbers
    )


_EXACT_DATE = re.compile(
    r"\b\d{1,2}\s+(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december)\b",
    re.IGNORECASE,
)


def states_day(text: str) -> bool:
    """Does ``text`` name a day ("5 december", "op 16 november 2023")?"""
    return bool(_EXACT_DATE.search(text))


def states_reason(text: str) -> bool:
    """Does ``text`` give a reason or purpose ("omdat", "daarom", "om ... te")?"""
    return bool(_REASON.search(text))


def defines(text: str) -> bool:
    """Does ``text`` read like a definition ("X is een ...", "betekent", ":")?"""
    return bool(_DEFINES.search(text))


#: The term a definition question asks about: "wat is (een) X", "wat betekent X", "wat bedoelt
#: Socius met X", "wat verstaat men onder X", "wat houdt X in".
_DEFINED = re.compile(
    r"\bwat (?:is|zijn|betekent|betekenen|was|waren) (?:een |de |het )?(?P<a>[^?,]+)"
    r"|\bbedoel\w* (?:\w+ ){0,2}met (?:een |de |het )?(?P<b>[^?,]+)"
    r"|\bversta\w* (?:\w+ ){0,2}onder (?:een |de |het )?(?P<c>[^?,]+)"
    r"|\bwat houdt (?:een |de |het )?(?P<d>[^?,]+?) in\b"
    r"|\bwaar (?:verwijst|verwijzen|staat|staan|slaat|slaan) (?:een |de |het )?(?P<e>[^?,]+?) (?:naar|voor|op)\b",
    re.IGNORECASE,
)
#: "Wat is het verschil tussen 'de politiek' en 'het politieke'?": the first term is defined (and the second).
_DIFFERENCE = re.compile(r"\bverschil tussen (?:een |de |het )?([^?,]+?) en ", re.IGNORECASE)


def defined_term(question: str) -> str:
    """The term a definition question asks about, folded ("verenigingsdemocratie"), or ''."""
    m = _DIFFERENCE.search(question) or _DEFINED.search(question)
    if m is None:
        return ""
    term = re.sub(r"[‘’'\"“”]", "", next(g for g in m.groups() if g))
    term = re.sub(r"^(?:een|de|het)\s+", "", term.strip(), flags=re.IGNORECASE)
    return " ".join(fold(term).split()[:4])


def defines_term(text: str, term: str) -> bool:
    """Does ``text`` define ``term``: the term followed closely by "is", "betekent", "staat voor",
    ":" ..., or "met <term> bedoelen we", "onder <term> verstaan"?"""
    folded = fold(text)
    head = re.escape(term.split()[0][:7])
    # The term is what the sentence is about: not after a preposition ("Een motivator *voor* citizen
    # science is ..." speaks of something else).
    subject = rf"(?<!\bvoor )(?<!\bvan )(?<!\bover )(?<!\bin )(?<!\bop )(?<!\baan )(?<!\bnaar )(?<!\buit )\b{head}"
    return bool(
        re.search(rf"{subject}\w*(?:\s+\w+){{0,3}}\s*(?:{_DEFINING})", folded)
        or re.search(rf"\b(?:met|onder)\s+(?:een |de |het )?{head}\w*(?:\s+\w+){{0,3}}\s+(?:bedoel|versta)", folded)
        or re.search(rf"\bbij\s+(?:een |de |het )?{head}\w*(?:\s+\w+){{0,2}}\s+gaat het\s+(?:over|om)\b", folded)
        # "Bij citizen science voeren burgerwetenschappers ... uit": what happens in it, said first.
        or re.match(rf"\W*bij\s+(?:een |de |het )?{head}\w*(?:\s+\w+){{0,2}}\s+(?!is\b|zijn\b)\w+", folded)
    )


def defines_other(text: str, term: str) -> bool:
    """Does ``text`` explicitly define another term than ``term`` ("Met community bedoelt Socius ...")?"""
    folded = fold(text)
    head = term.split()[0][:5]
    m = re.search(r"\b(?:met|onder)\s+(?:een |de |het )?(\w+)(?:\s+\w+){0,3}?\s+(?:bedoel|versta)", folded)
    if m is not None:
        return head not in m.group(0)
    # "Bij verenigingsdemocratie gaat het over ..." defines verenigingsdemocratie, not the community asked.
    m = re.match(r"\W*bij\s+(?:een |de |het )?([\w-]+)(?:\s+[\w-]+){0,2}?\s+gaat het\s+(?:over|om)\b", folded)
    return m is not None and head not in m.group(0)


_DEFINING = (
    r"\bis\b|\bzijn\b|\bbetekent\b|\bstaat voor\b|\bverwijst naar\b|\bomvat\b|\bhoudt in\b|"
    r"\bgaat (?:\w+ ){0,5}?(?:over|om)\b|\bwil zeggen\b|:|,\s+een\b|,\s+(?:i\.e\.|d\.w\.z\.|namelijk)"
)


#: Verbs whose imperative simplemma reads as a noun ("Zorg voor ...", "Werk met ...").
_IMPERATIVE_NOUNS = frozenset(
    ["wees", "zorg", "werk", "vraag", "gebruik", "begin", "plan", "denk", "test", "deel", "stel"]
)


#: A verdict: how something was judged ("concludeerde ... op een excellente wijze", "bijzonder opgetogen").
_VERDICT = re.compile(
    r"\b(?:conclu\w+|oordee?l\w*|beoordee?l\w*|opgetogen|tevreden\w*|ontevreden\w*|lovend\w*|excellent\w*|"
    r"uitstekend\w*|positie[fv]\w*|negatie[fv]\w*|kritisch\w*|kritiek|appreci\w+|waardering|waardeerde\w*|"
    r"gunstig\w*|ongunstig\w*|geslaagd\w*|succes\w*|sterk(?:e|er|ste)? punt\w*|verbeterpunt\w*|score\w*|scoorde\w*)\b",
    re.IGNORECASE,
)


def judges(text: str) -> bool:
    """Does ``text`` state a verdict: a conclusion, a judgement, praise or criticism?"""
    return bool(_VERDICT.search(text))


def advises(text: str) -> bool:
    """Is ``text`` advice in the imperative ("Verplaats de focus naar ...", "Betrek je leden ...")?

    The first word is a verb stem: its lemma is an infinitive other than the word itself (a plural
    noun such as "leden" ends on -en and is not a stem).
    """
    from ..text.lemmas import lemma

    m = re.match(r"\W*([A-Z][a-z]+)\b", text)
    if m is None or text.rstrip().endswith("?"):
        return False
    word = m.group(1).lower()
    if word.endswith("en") or len(word) < 3:
        return False
    if word in _IMPERATIVE_NOUNS:
        return True
    base = lemma(word)
    return base != word and base.endswith("en") and base.startswith(word[:2])


def describes_way(text: str) -> bool:
    """Does ``text`` describe a way of doing something?"""
    return bool(_WAY.search(text))


#: The means or the steps of a way, more strictly than :data:`_WAY`: "door ... te", "via", "aan de hand van",
#: "op basis van", "kan je", "je mag ... best", "het advies is", "zorg ervoor", "vervolgens".
_MEANS = re.compile(
    r"\b(?:door (?:[\w’'-]+ ){0,6}?te [\w-]+|via|met behulp van|aan de hand van|op basis van|door middel van|"
    r"stap(?:pen)?|eerst|daarna|vervolgens|kan je|kun je|moet je|je kan|je kunt|je moet|kan men|kunnen jullie|"
    r"best|het advies|tips?|zorg (?:ervoor|voor|dat)|probeer|raden (?:we|wij)|aanrade\w*|"
    r"het is (?:belangrijk|nuttig|goed|zinvol|aangewezen) (?:om|dat|te))\b"
    # "Dan mik je meer op ...", "Daarbij vertrek je ...": an adverb, the verb and "je" address the reader.
    r"|^\W*(?:dan|zo|daarbij|daarvoor|hierbij|hiervoor|daarna|eerst|ook|zeker|liefst)\s+[a-z]+\s+(?:je|jij)\b",
    re.IGNORECASE,
)
#: A sentence that takes a way one step further: "Vervolgens ...", "Het jaar nadien ...", "Tot slot ...".
_NEXT_STEP = re.compile(
    r"^(?:vervolgens|daarna|nadien|tot slot|ten slotte|ten eerste|ten tweede|ten derde|eerst|daarnaast|"
    r"(?:[\w’'-]+ ){1,2}nadien)\b",
    re.IGNORECASE,
)


def states_means(text: str) -> bool:
    """Does ``text`` state a means, a step or advice ("Via UTM-codes kan je zien ...", "Het advies is ...")?"""
    return bool(_MEANS.search(text))


def next_step(text: str) -> bool:
    """Does ``text`` take what was said one step further ("Vervolgens kan je ...", "Het jaar nadien ...")?"""
    return bool(_NEXT_STEP.search(text.strip()))


def names_someone(text: str) -> bool:
    """Does ``text`` name a person or organisation (a capitalised name inside the sentence)?"""
    return bool(_NAME.search(text))


#: A quoted title ("‘Omgaan met polarisering in groepen’"): its capitals name a work, not someone.
_QUOTED_TITLE = re.compile(r"[‘“\"][^’”\"]{2,120}[’”\"]")
#: Words around a name that say someone did or holds something: "in handen van", "begeleid", "voorzitter".
_ROLE = re.compile(
    r"\b(?:in handen van|onder leiding van|begeleid\w*|voorzit\w*|directeur\w*|coördinat\w*|coordinat\w*|"
    r"spreker\w*|moderat\w*|gastheer|gastvrouw|trekker|penningmeester|secretaris|bestuurder\w*|onderzoeker\w*|"
    r"medewerker\w*|stagiair\w*|partner\w*|uitgevoerd door|georganiseerd door|gemaakt door|ontwikkeld door|"
    r"in opdracht van|samen met|vertegenwoordig\w*|(?:werd|werden|wordt|worden) \w+ door)\b",
    re.IGNORECASE,
)


#: Plural nouns whose members have names: "welke onderzoekers", "welke organisaties".
NAMED_PLURALS = frozenset(
    [
        "onderzoekers",
        "experten",
        "experts",
        "sprekers",
        "partners",
        "deskundigen",
        "medewerkers",
        "stafmedewerkers",
        "bestuurders",
        "begeleiders",
        "trainers",
        "auteurs",
        "gasten",
        "organisaties",
        "instanties",
        "universiteiten",
        "hogescholen",
        "verenigingen",
        "panelleden",
        "moderatoren",
        "lesgevers",
    ]
)


def new_names(text: str, asked: frozenset[str]) -> list[str]:
    """The names ``text`` gives that the question does not ("Pax Christi Vlaanderen" for "Wie begeleidde
    ...?"): capitalised words inside a sentence or list item, not in a quoted title, not asked."""
    out: list[str] = []
    for line in _QUOTED_TITLE.sub(" ", text).split("\n"):
        line = line.lstrip("•-–·* ")
        for m in _NAME.finditer(line):
            name = m.group(0)
            if not all(fold(w) in asked for w in name.split()):
                out.append(name)
    return out


def states_role(text: str) -> bool:
    """Does ``text`` say who did or holds something ("De begeleiding was in handen van ...")?"""
    return bool(_ROLE.search(text))


_TITLE = re.compile(r"[‘“'\"][A-Z][^’”'\"]{2,60}[’”'\"]")
_NAMING = re.compile(r"\b(?:de naam|heet|heette|genaamd|noemt|noemen|noemden|doopten)\b", re.IGNORECASE)


def names_title(text: str) -> float:
    """Does ``text`` name something by its title: 2 when it says so ("kreeg de naam ‘Allemaal
    Politiek’"), 1 for a quoted title alone, else 0."""
    if not _TITLE.search(text):
        return 0.0
    return 2.0 if _NAMING.search(text) else 1.0


def names_place(text: str) -> bool:
    """Does ``text`` name a place ("in Kortrijk", "naar het Ellipsgebouw")?"""
    return bool(_PLACE.search(text))


def numbers_of(text: str) -> frozenset[str]:
    """The numbers a text names, as written without trailing punctuation."""
    return frozenset(n.strip(".,") for n in _NUMBER.findall(text))


def _is_year(token: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d\d", token.strip(".,")))
