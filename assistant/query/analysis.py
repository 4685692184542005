"""Analyse a question once: kind of answer wanted, constraints, follow-up context, parts.

Everything here reads folded text (lower case, no diacritics) so "Wanneer",
"wanneer" and "wanneér" are one word.  The patterns describe Dutch question
syntax (question words, word order, plural agreement), not the corpus: they were
written from grammar and checked on the gold set's labelled kinds, never on the
blind sets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from ..text.analysis import STOPWORDS, Analyzer, fold, normalise_text, stem, words
from ..text.lemmas import is_plural, lemma
from .model import AnswerKind, Query, Role, Turn
from .time import time_references

#: Dutch number words and their values ("de negen stappen").
NUMBER_WORDS = {
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
    "dertien": 13,
    "veertien": 14,
    "vijftien": 15,
}

_REASON = re.compile(
    r"\bwaarom\b|\bom welke reden(?:en)?\b|\bwat (?:is|was|zijn|waren) (?:\w+van )?(?:de|het) (?:reden|redenen|doel|bedoeling)\b"
    r"|\bhoe komt het\b|\bmet welk doel\b|\bwaartoe\b|\bwaarvoor dient\b|\bwelke reden(?:en)?\b"
)
#: Questions whose answer *is* a figure.  A topic word alone is not enough: "Hoe stel ik een
#: budget op?" asks for advice, and "een aantal vormingen" means "some".
_FIGURE = re.compile(
    r"\bhoe ?veel\b|\bhoe (?:groot|hoog|duur|lang|vaak|dik|zwaar|goed scoor\w*)\b|\bwat kost(?:te|en)?\b|\bgekost\b"
    r"|\b(?:welk|welke|het|de)\s+(?:[\w-]+\s+){0,2}(?:aantal|bedrag|budget|percentage|aandeel|totaal|prijs|score|cijfer)\b"
    r"(?!\s+\w+\s+(?:op|aan)\b)"
    r"|\bwelk (?:deel|stuk)\b|\bhoeveelste\b|\bwat (?:was|is|waren|zijn) (?:de|het|hun) (?:totale|gemiddelde) \w+"
    r"|\bwat (?:zijn|waren|was|is) (?:de|het) (?:totale )?"
    r"(?:uitgaven|inkomsten|kosten|resultaat|budget|omzet|subsidie)\b"
)
#: An amount of money: "hoeveel kost(te) ...", "welk bedrag", "hoeveel geld", "hoeveel euro", "de prijs".
_AMOUNT = re.compile(
    r"\bhoeveel (?:\w+ )?(?:kost|kostte|kosten|kostten|geld|euro|subsidie|budget|financiering|werkingsmiddelen)\b|\bwelk (?:\w+ )?bedrag\b"
    r"|\bwat (?:kost|kostte|kosten)\b|\b(?:de|een) prijs\b|\b(?:wat|hoeveel)\b.*\bgekost\b"
    r"|\bhoeveel (?:\w+ )?(?:gaf|gaven|geeft|geven)\b.*\buit\b|\bhoeveel\b.*\buitgegeven\b"
    r"|\b(?:inschrijvings|deelname|toegangs|ticket|kost|uur)?(?:prijs|prijzen|tarief|tarieven)\b"
)
#: The outcome of something: its results, conclusions, findings, what it yielded or showed.  "Wat levert
#: het op (voor onze vereniging)?" in the present asks what it brings, not a result.
_OUTCOME = re.compile(
    r"\b(?:resulta(?:at|ten)|conclusies?|bevindingen|uitkomsten?|vaststellingen)\b"
    r"|\bwat (?:kwam|komt|is) er (?:\w+ ){0,8}?uit\b|\bwat (?:bleek|blijkt|leverde|toonde|toont)\b"
    r"|\bwat (?:heeft|hebben) (?:\w+ ){0,6}?(?:opgeleverd|aangetoond|uitgewezen)\b"
)
#: The state of things today, not at the time of the publications; the next time something happens.
#: The next occurrence of something is asked: "de volgende leerreis", "het eerstvolgende jaarverslag".
_NEXT = re.compile(r"\b(?:de|het) (?:volgende|eerstvolgende|komende)\b")
_CURRENT = re.compile(
    r"\b(?:ondertussen|intussen|momenteel|op dit moment|tegenwoordig|nu al|vandaag de dag)\b"
    r"|\b(?:de|het) (?:volgende|eerstvolgende|komende) (?:\w+e )?(?:editie|trefdag|leerreis|beleidsperiode|deadline|"
    r"oproep|studiedag|verkiezingen|visitatie|campagne|jaarverslag)\b"
)
#: How something was judged or received: "hoe beoordeelden ...", "wat vond de commissie van ...", "hoe tevreden".
_JUDGEMENT = re.compile(
    r"\bhoe (?:beoordeel\w*|oordeel\w*|evalueer\w*|tevreden|positief|kritisch)\b|\bwat (?:vond|vonden|vindt|vinden)\b"
    r"|\b(?:oordeel|evaluatie|beoordeling|feedback|appreciatie|tevredenheid) (?:van|over)\b"
    r"|^(?:en )?(?:was|waren|is|zijn)\b.*\b(?:tevreden|ontevreden|positief|negatief|kritisch|enthousiast)\b"
)
_PERCENT = re.compile(r"\b(?:percentage|procent|aandeel|welk deel|hoeveel procent)\b|%")
_MOMENT = re.compile(
    r"\bwanneer\b|\bwelke (?:datum|dag|maand|periode|week|jaren|maanden)\b|\bin welk jaar\b|\bwelk jaar\b|\bhoe laat\b"
    r"|\bop welke (?:datum|dag)\b|\bin welke maand\b|\bsinds wanneer\b|\btegen wanneer\b"
)
_PLACE = re.compile(
    r"\bwaar\b(?!\s*(?:om|over|door|mee|voor|in|op|van|aan|bij|naar|uit)\b)|\bwaarheen\b"
    r"|\b(?:in|naar|op|uit) welke? (?:stad|gemeente|plaats|gebouw|land|provincie|zaal|locatie|regio|wijk|kantoor)\b"
    r"|\bwelke? (?:\w+ )?(?:stad|gemeente|plaats|gebouw|land|locatie|zaal)\b"
)
_PERSON = re.compile(
    r"\bwie\b|\bwelke? (?:\w+ )?\w*(?:centrum|platform|raad|netwerk|bureau|overheid|instelling|vzw)\b(?! \w+en\b)"
    r"|\bwelke? (?:organisatie|partner|persoon|instantie|dienst|vereniging|bedrijf|agentschap|universiteit|"
    r"hogeschool|minister|commissie|voorzitter|directeur|coordinator|spreker|gastorganisatie|onderzoeksinstelling)\b"
)
_DEFINITION = re.compile(
    r"^(?:en )?wat (?:is|zijn|was|waren) (?:nu )?(?:een|de|het)?\s*[\w'-]+(?:\s+[\w'-]+){0,4}\s*\??$"
    r"|\bwat (?:betekent|betekenen|houdt|houden|verstaat|verstaan|bedoel\w*|wordt bedoeld|is bedoeld)\b"
    r"|\bwat (?:is|zijn) het verschil\b|\bwat moet ik verstaan\b|\bwat (?:is|zijn) (?:er )?bedoeld\b"
    # A quoted term asked after "wat is/zijn" ("Wat zijn 'functies' in de zin van het decreet?") is a word asked.
    r"|\bwat (?:is|zijn|was|waren) (?:een |de |het )?[‘'\"“][^‘’'\"“”]{2,40}[’'\"”]"
)
#: Wording that only asks what something means: "wat wordt er (in het decreet) bedoeld met", "wat verstaat
#: men onder", "wat betekent", "wat houdt ... in".
_MEANING = re.compile(
    r"\bwat (?:wordt|werd|is|zijn|worden) (?:er )?(?:\w+ ){0,5}?bedoeld met\b|\bwat (?:bedoel\w*|versta\w*) (?:\w+ ){0,3}(?:met|onder)\b"
    r"|^(?:en )?wat (?:betekent|betekenen|betekende)\b|\bwat houdt (?:\w+ ){1,5}in\s*\??$"
)
#: "Waar verwijst/staat/slaat X naar/voor/op?": what a word means, not a place.
_REFERS = re.compile(r"\bwaar (?:verwijst|verwijzen|staat|staan|slaat|slaan) .*\b(?:naar|voor|op)\s*\??$")
#: "hoe groot/lang/vaak ... best", "hoe lang moet je ...": a measure asked as advice.
_ADVICE_ASKED = re.compile(
    r"^(?:en )?hoe (?:groot|lang|vaak|klein|breed|ver|snel) (?:\w+ )?(?:maak|houd|hou|plan|kies|neem)\w* (?:je|jij|ik|we|wij)\b"
    r"|^(?:en )?hoe (?:groot|lang|vaak|klein|breed|ver|snel) (?:\w+ ){0,4}(?:best|het best|het beste)\b"
)
#: A question that opens with "hoe" and a verb ("hoe kan ik ...", "hoe pakken we dat aan").
_WAY_FIRST = re.compile(r"^(?:en )?hoe (?!veel|lang|groot|hoog|vaak|duur|laat|oud|dik|zwaar|goed scoorde)\w+")
_NAMING = re.compile(r"\bhoe (?:heet|heette|heten|noem|noemt|noemen|beoordeel\w*|oordeel\w*|evalueer\w*)\b")
_WAY = re.compile(
    r"\bhoe\b(?!\s*(?:veel|lang|groot|hoog|vaak|duur|laat|oud|dik|zwaar|goed scoorde)\b)|\bop welke (?:manier|wijze)\b"
)
_LIST = re.compile(
    r"^(?:en )?(?:noem|som\b|geef (?:een )?(?:overzicht|lijst)|lijst)\b|\bwelke (?:\w+ ){0,3}zijn er\b"
    r"|\bwat (?:zijn|waren) (?:daar |er |hier |dan |nu |eigenlijk )?(?:de|alle)\b|\bwelke (?:zijn|waren) (?:de|die)\b|\bop een rij\b|\ballemaal\b"
)
_PLURAL_VERB = re.compile(
    r"\b(?:zijn|waren|hebben|hadden|bestaan|bestonden|kwamen|komen|vormen|vormden|krijgen|kregen|staan|stonden|"
    r"worden|werden|horen|hoorden|gaan|gingen|kunnen|konden|moeten|moesten|bezocht\w*|organiseerde\w*|"
    r"lanceerde\w*|publiceerde\w*|zitten|zaten|volgden|namen|maakten|telt|tellen)\b"
)
_YES_NO = re.compile(
    r"^(?:en )?(?:is|zijn|was|waren|kan|kun|kunt|kunnen|mag|mogen|moet|moeten|heeft|hebben|had|hadden|biedt|bieden|"
    r"organiseert|organiseerde|gaat|gaan|ging|komt|kwam|bestaat|werkt|werkte|doet|deed|wordt|werd|zal|zullen|geeft|"
    r"gaf|krijgt|kreeg|krijg|ben|gebruikt|gebruikte|staat|stond|telt|telde|hoort|helpt|hielp|neemt|nam|volgt|"
    r"ondersteunt|steunt|zit|zat|verandert|veranderde|speelt|zijn er|is er|waren er|was er)\b"
)
# Pointing words that need the previous turn.  Articles count too ("het", "die"): borrowing the
# previous question costs a standalone question little (its own words weigh double), missing a
# follow-up costs its answer.
_FOLLOW_UP = re.compile(
    r"^(?:en|maar|ook|of|dus|en wat|en hoe|en wie|en hoeveel|en waar|en waarom)\b"
    r"|\b(?:daarvan|hiervan|ervan|daarin|daarbij|daarmee|daaraan|daarover|die|dat|deze|dit|hun|ze|zij|hij|het|hem|"
    r"daar|toen|dezelfde|zelfde)\b"
)
# "..., en hoeveel ...", "... en wie ...", "... of welke ...", and a second question after "?".
_PART_BREAK = re.compile(
    r"(?:,\s*|\s+)(?:en|of|maar)\s+(?=(?:sinds |tegen |tot |in |op |met |voor |van )?"
    r"(?:wie|wat|welke?|hoeveel|hoe|waar(?:om|door|mee|voor|over|in|op|van|aan|bij|naar|uit)?|wanneer)\b)"
    r"|(?<=\?)\s+(?=[^?]+\?)",
    re.IGNORECASE,
)
#: Words that phrase a question but say nothing about its topic (not in STOPWORDS: they matter elsewhere).
QUESTION_NOISE = frozenset(
    [
        "socius",
        "steunpunt",
        "jaarverslag",
        "vraag",
        "vragen",
        "weten",
        "info",
        "informatie",
        "uitleg",
        "vertel",
        "leg",
        "uit",
        "noem",
        "geef",
        "welke",
        "wat",
        "hoe",
        "zeg",
        "eens",
        "kan",
        "kunnen",
        "jij",
        "je",
    ]
)
_FIGURE_HEAD = re.compile(
    r"\b(?:hoe ?veel|aantal|percentage|aandeel|deel|bedrag|totaal|procent)\s+((?:[\w'-]+\s*){1,6})"
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][\w'-]*[a-z][\w'-]*(?:\s+[A-Z][\w'-]+)*)")
_QUOTED = re.compile(r"[‘'\"“]([^‘'\"“”’]{3,80})[’'\"”]")


def analyse(
    question: str,
    *,
    today: date,
    analyzer: Analyzer,
    history: Sequence[Turn | Mapping[str, Any]] = (),
) -> Query:
    """The :class:`Query` of one cleaned question in its conversation."""
    turns = tuple(t for t in map(_turn, history) if t is not None)
    context = _follow_up_context(question, turns)
    whole = _single(question, today=today, analyzer=analyzer, turns=turns, context=context)
    pieces = split_question(question)
    if len(pieces) < 2:
        return whole
    part_context = f"{question} {context}".strip()
    parts = tuple(
        replace(
            _single(p, today=today, analyzer=analyzer, turns=turns, context=part_context, part=True),
            parts_in_turn=len(pieces),
        )
        for p in pieces
    )
    return Query(**{**whole.__dict__, "kind": parts[0].kind, "parts": parts})


def _single(
    text: str, *, today: date, analyzer: Analyzer, turns: tuple[Turn, ...], context: str, part: bool = False
) -> Query:
    folded = normalise_text(text)
    tokens = tuple(words(text))
    kind = answer_kind(_asking_sentence(folded), tokens)
    # A part that asks with a question word of its own ("..., en in welke koepel ...?") keeps its kind.
    if context and kind is AnswerKind.FACT and not (part and _OWN_QUESTION.match(folded)):
        # "En in 2022?" / "En wie nog?": an elliptic follow-up asks what the previous question asked.
        kind = answer_kind(" ".join(fold(context).split()), tuple(words(context)))
    return Query(
        text=text,
        today=today,
        kind=kind,
        history=turns,
        context=context,
        terms=tuple(dict.fromkeys(analyzer.terms(text))),
        context_terms=tuple(dict.fromkeys(t for t in analyzer.terms(context) if t not in analyzer.terms(text)))
        if context
        else (),
        words=tokens,
        normalised=folded,
        stems=content_stems(f"{text} {context}"),
        focus=_focus(_asking_sentence(folded)),
        expected_count=_expected_count(folded) if kind is AnswerKind.LIST else None,
        qualifier=_qualifier(folded) if kind is AnswerKind.FIGURE else (),
        wants_percentage=kind is AnswerKind.FIGURE and bool(_PERCENT.search(folded)),
        wants_amount=bool(_AMOUNT.search(folded)) and not _PERCENT.search(folded),
        # What the results were, not when they were presented or how results are measured.
        asks_outcome=bool(_OUTCOME.search(folded)) and kind in (AnswerKind.FACT, AnswerKind.LIST, AnswerKind.YES_NO),
        asks_current=bool(_CURRENT.search(folded)),
        asks_next=bool(_NEXT.search(folded)),
        asks_judgement=bool(_JUDGEMENT.search(folded)),
        time=time_references(folded, today),
        entities=_entities(text),
    )


#: A question that opens with its own question word (after a preposition): "in welke koepel ...", "wat ...".
_OWN_QUESTION = re.compile(
    r"^(?:(?:in|op|met|van|voor|bij|aan|uit|over|naar|door|rond|tot|sinds|tegen)\s+)?"
    r"(?:wie|wat|welke?|waar\w*|wanneer|hoe\w*|waarom)\b"
)


def answer_kind(folded: str, tokens: Sequence[str]) -> AnswerKind:
    """The kind of answer a (folded) question wants; the order is the precedence."""
    if _REASON.search(folded):
        return AnswerKind.REASON
    if _FIGURE.search(folded):
        if _ADVICE_ASKED.search(folded):
            return AnswerKind.WAY  # "Hoe groot maak je best een eerste project?" asks advice, not a figure
        return AnswerKind.FIGURE
    if _MOMENT.search(folded):
        return AnswerKind.MOMENT
    if _WAY_FIRST.match(folded) and not _NAMING.search(folded):
        return AnswerKind.WAY  # "hoe kan ik zien langs welke kanalen ...": the way is asked, the list is inside it
    if _MEANING.search(folded):
        return AnswerKind.DEFINITION  # "Wat wordt er bedoeld met de 'digitale community' waar ...?" asks a meaning
    if _asks_list(folded, tokens):
        return AnswerKind.LIST
    if _REFERS.search(folded):
        return AnswerKind.DEFINITION  # "Waar verwijst het 'super' in superdiversiteit naar?" asks a meaning
    if _PLACE.search(folded):
        return AnswerKind.PLACE
    if _PERSON.search(folded):
        return AnswerKind.PERSON
    if _DEFINITION.search(folded):
        return AnswerKind.DEFINITION
    if _WAY.search(folded) and not _NAMING.search(folded):
        return AnswerKind.WAY
    if _YES_NO.search(folded):
        return AnswerKind.YES_NO
    return AnswerKind.FACT


def _asking_sentence(folded: str) -> str:
    """The sentence that asks: "We moeten een plan schrijven. Heeft Socius iets ...?" -> the second."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", folded) if s]
    asking = [s for s in sentences if s.endswith("?")]
    return asking[0] if asking else folded


def _asks_list(folded: str, tokens: Sequence[str]) -> bool:
    """An enumeration: "noem ...", "wat zijn de ...", "welke <plural> ...", "de negen stappen"."""
    if _LIST.search(folded) or _expected_count(folded) is not None:
        return True
    m = re.search(r"\b(?:welke|wat voor|wat waren|wat zijn)\s+((?:[\w']+\s*){1,3})", folded)
    if m is None:
        return False
    phrase: list[str] = []
    for w in m.group(1).split():
        if w in STOPWORDS:
            break  # the noun phrase ends at the verb or article: "welke organisatie was de ..."
        phrase.append(w)
    return any(is_plural(w) for w in phrase)


_FOCUS = re.compile(
    r"\b(?:welke?|wat voor(?: een)?|wat (?:zijn|waren|is|was) (?:daar |er |hier |dan |nu |eigenlijk )?(?:de|het|alle)|"
    r"noem(?: de| alle)?|som (?:de|alle)|"
    r"hoeveel|uit welke|rond welke|in welke|met welke|over welke|aan welke|van welke|voor welke)\s+((?:[\w'-]+\s*){1,4})"
)


def _focus(folded: str) -> tuple[str, ...]:
    """The noun phrase a question asks about, up to the verb: "welke nieuwe kennisomgevingen kwamen ..."."""
    m = _FOCUS.search(folded)
    if m is None:
        return ()
    out: list[str] = []
    for w in m.group(1).split():
        w = w.strip("'?,.")
        if w in STOPWORDS or w in _QUALIFIER_STOP or w in NUMBER_WORDS or w.isdigit() or w in _POINTING:
            if out:
                break
            continue
        out.append(w)
        if is_plural(w):
            break  # the noun phrase ends at its (plural) head: "welke nieuwe kennisomgevingen"
    if out and not any(is_plural(w) for w in out):
        out = out[:1]  # "welk CRM-systeem gebruikt ..." -> the first word, not the verb after it
    return tuple(out[:3])


def _expected_count(folded: str) -> int | None:
    """The count a list question names: "de negen stappen", "welke zes pijlers", "4 werven"."""
    for m in re.finditer(
        r"\b(twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|\d{1,2})\s+(?:[\w-]+e\s+)?(\w+(?:'s)?)", folded
    ):
        word, noun = m.group(1), m.group(2)
        if noun in STOPWORDS or noun.isdigit() or noun in {"jaar", "keer", "maal", "uur", "dagen", "weken"}:
            continue
        if is_plural(noun):
            return int(word) if word.isdigit() else NUMBER_WORDS[word]
    return None


def _qualifier(folded: str) -> tuple[str, ...]:
    """The words after "hoeveel"/"aantal" that say which figure is asked ("unieke deelnemers").

    Money or time spent on something is asked by what it went to: "Hoeveel gaf het steunpunt uit
    aan personeel?", "Welk deel van het geld gaat op aan lonen?" -> ("personeel",), ("lonen",).
    """
    spent = _SPENT_ON.search(folded)
    if spent is not None:
        target = [w.strip("'?,.") for w in spent.group(1).split()]
        target = [w for w in target[: next((i for i, w in enumerate(target) if w in STOPWORDS), len(target))] if w]
        if target:
            return tuple(target[:2])
    m = _FIGURE_HEAD.search(folded)
    if m is None:
        return ()
    out: list[str] = []
    agent = False
    for w in m.group(1).split():
        w = w.strip("'?,.")
        if w in _QUALIFIER_STOP or (out and _past_verb(w)):
            break
        if agent:
            agent = False
            continue  # "door Vlaanderen gesubsidieerde organisaties": the agent is not what is counted
        if w == "door" and not out:
            agent = True
            continue
        if w in STOPWORDS and w not in ("en", "of") and out and out[-1] not in _UNITS:
            break  # "hoeveel deelnemers aan de Trefdag": what is counted ends before the preposition
        if w and w not in STOPWORDS and w not in _POINTING:
            out.append(w)
    # A unit alone ("hoeveel keer ...") does not say what is counted.
    return tuple(out[:3]) if any(w not in _UNITS for w in out[:3]) else ()


#: What money or time went to: "uit aan X", "op aan X", "besteed aan X", "ging naar X".
_SPENT_ON = re.compile(
    r"\b(?:(?:uit|op)\s+aan|besteed\w*\s+aan|(?:ging|gingen|gaat|gaan)\s+(?:er\s+)?naar)\s+"
    r"(?:de |het |hun |zijn |haar )?((?:[\w'-]+\s*){1,3})"
)
#: Units before what is counted ("hoeveel procent van de deelnemers").
_UNITS = frozenset(["procent", "percent", "euro", "keer", "maal", "stuks"])


def _past_verb(word: str) -> bool:
    """A verb after what is counted ("hoeveel mensen *woonden* ... bij", "experten *geven*"): its lemma is an infinitive."""
    if len(word) <= 4 or is_plural(word):
        return False  # "wagens": a noun
    base = lemma(word)
    if base == word:
        # "hoeveel experten *geven* ...": a present plural is its own infinitive.
        return word.endswith("en")
    # "gesubsidieerde": a participle before the noun counted.
    return base.endswith("en") and not word.startswith("ge")


#: Words that point back to the previous turn ("hoeveel daarvan ..."): never what is counted.
_POINTING = frozenset(
    ["daarvan", "hiervan", "ervan", "waarvan", "daarbij", "daarin", "daarop", "daaraan", "daarvoor", "daaronder"]
)
_QUALIFIER_STOP = frozenset(
    [
        "zijn",
        "waren",
        "is",
        "was",
        "hebben",
        "heeft",
        "had",
        "hadden",
        "werden",
        "werd",
        "kwamen",
        "kwam",
        "namen",
        "nam",
        "bereikte",
        "bereikten",
        "telde",
        "telden",
        "volgden",
        "gingen",
        "ging",
        "deden",
        "deed",
        "kreeg",
        "kregen",
    ]
)


def _entities(text: str) -> tuple[str, ...]:
    # "VTE-procent", "CRM-systeem": an abbreviation in a compound is a term, not a name.
    names = [
        m.group(1)
        for m in _NAME.finditer(text)
        if fold(m.group(1)) not in QUESTION_NOISE and not re.match(r"[A-Z]{2,}-[a-z]", m.group(1))
    ]
    quoted = [m.group(1).strip() for m in _QUOTED.finditer(text)]
    return tuple(dict.fromkeys(quoted + names))


def _turn(t: Turn | Mapping[str, Any]) -> Turn | None:
    if isinstance(t, Turn):
        return t
    role, content = t.get("role"), t.get("content")
    if role in (Role.USER, Role.ASSISTANT) and isinstance(content, str) and content.strip():
        return Turn(Role(role), content)
    return None


def content_words(text: str) -> list[str]:
    """Folded content words of ``text`` (no stopwords, no question phrasing)."""
    return [w for w in words(text) if w not in STOPWORDS and w not in QUESTION_NOISE and len(w) >= 2]


def content_stems(text: str) -> tuple[str, ...]:
    """Distinct stems of the content words of ``text``, in order."""
    return tuple(dict.fromkeys(stem(w) for w in content_words(text)))


def _follow_up_context(question: str, turns: Iterable[Turn]) -> str:
    """The previous user question when ``question`` is an elliptical follow-up, else "".

    Without an LLM we cannot rewrite "en hoeveel daarvan werden opgenomen?" into a
    full question, but retrieval and answer scoring do well on the previous
    question's words next to the new ones.  A self-contained question (many
    content words, no pointing words) stands on its own.
    """
    previous = [t.content for t in turns if t.role is Role.USER]
    if not previous:
        return ""
    folded = " ".join(fold(question).split())
    elliptic = bool(_FOLLOW_UP.search(folded)) or len(content_words(question)) <= 3
    elliptic = elliptic or (
        len(content_words(question)) <= 4
        and bool(
            re.search(r"\b(?:dat|dit|die|deze|het)\W*$|\b(?:dat|dit|die|deze)\b(?! \w+(?:en|ing|heid|s)\b)", folded)
        )
    )
    return previous[-1] if elliptic else ""


def split_question(question: str) -> list[str]:
    """The parts of a multi-part question ("Wanneer ..., en wie ...?"), or ``[question]``.

    Each part is retrieved and answered on its own (with the whole question as
    context), so the second part does not go unanswered because the passages of
    the first part win every slot.  A part needs a content word of its own.
    """
    parts = [p.strip(" ,;") for p in _PART_BREAK.split(question)]
    parts = [p for p in parts if p]
    if len(parts) < 2 or any(not content_words(p) for p in parts):
        return [question]
    return parts
