"""What a question asks to be made: a task (a poem, a text, code, a sum) or a request for a thing.

The assistant quotes the publications; it does not compose texts, write code or calculate.  These
wording signals find the request and its object; :mod:`.scope` weighs the object against the
publications' vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.lemmas import lemma
from .vocabulary import general_zipf

#: Verbs that ask for something to be produced, at the start of the question or after "kun je".
_TASK_VERB = (
    r"geef (?:me|mij|ons)|schrijf(?! (?:me|mij|ons|hem|haar|jullie|u|mezelf|ons allemaal) in\b)|schrijven|maak|maken|bedenk|bedenken|verzin|verzinnen|genereer|genereren|vertaal|vertalen|"
    r"bereken|berekenen|componeer|dicht|programmeer|codeer|herschrijf|herschrijven|vat|samenvatten|"
    r"formuleer|formuleren|ontwerp|ontwerpen|teken|tekenen|rijm|rijmen|zing|zingen|los|oplossen"
)
#: A request to Socius' staff ("Kunnen jullie ...", "Kan iemand van Socius ..."): making a poem or a logo is
#: no more their job than the assistant's.
_TO_STAFF = r"(?:kunnen|kan|willen|wil|zouden|zou) (?:jullie|socius|iemand(?: van (?:jullie|socius|het steunpunt))?)"
_TASK = re.compile(
    rf"^(?:(?:mag ik|kan ik|kun(?:t)? (?:je|jij|u)|wil (?:je|jij|u)|zou (?:je|jij|u)|graag|{_TO_STAFF})\s+(?:\w+\s+){{0,12}}?)?"
    rf"(?:{_TASK_VERB})\b"
)
#: What is asked to be produced: texts for an occasion, creative forms, code, a translation.  ("programma" is
#: no product here: in the sector it is the programme of a day or a training that staff help to make.)
_PRODUCT = re.compile(
    r"\b(gedicht\w*|vers(?:je)?|lied(?:je)?|liedtekst|songtekst|rap|rijm\w*|limerick|haiku|sonnet|sprookje|verhaal(?:tje)?|"
    r"mop|moppen|grap(?:je|pen)?|speech|toespraak|afscheidsspeech|afscheidstoespraak|felicitatie\w*|"
    r"uitnodiging\w*|slogan\w*|naam voor|namen voor|logo|script|code|functie in|app|website|"
    r"formule|vergelijking|som|samenvatting van (?:het boek|de film)|boek\w*|film\w*|recept\w*|menu|"
    r"(?:naar|in) het (?:engels|frans|duits|spaans|italiaans|arabisch|turks|grieks|latijn))\b"
    r"|\d[\d.,]*\s*(?:%|procent|x|\*|\+|/|keer)\s*(?:van\s*)?\d"
)
#: Texts to be written: with a verb of making ("Schrijf een tekst ...", "Kun je een bericht opstellen"), the
#: assistant would compose, not quote.  ("Geef me de tekst van het decreet" asks for information.)
_WRITTEN = re.compile(
    r"\b(tekst(je)?|bericht(je)?|post|brief|briefje|e-?mail|mail(tje)?|artikel|blog\w*|nieuwsbrief|persbericht|column|"
    r"opstel|essay|tweet|review|recensie|reactie|motivatie|oproep|advertentie|flyer|affiche|getuigenis|testimonial)\b"
)
#: The verbs of making that :data:`_WRITTEN` needs ("geef me" asks for something that exists).
_MAKE_VERB = re.compile(
    rf"^(?:(?:mag ik|kan ik|kun(?:t)? (?:je|jij|u)|kan (?:je|jij|u)|wil (?:je|jij|u)|zou (?:je|jij|u)|graag|{_TO_STAFF})\s+"
    r"(?:\w+\s+){0,12}?)?"
    r"(?:schrijf|schrijven|maak|maken|bedenk|bedenken|verzin|verzinnen|genereer|genereren|herschrijf|herschrijven|formuleer|"
    r"formuleren|stel\b.{0,60}\bop|opstellen)\b"
)
#: Products that the publications never hold, whatever they are for ("een recept voor onze vergadering").
_CREATIVE = re.compile(
    r"gedicht\w*|versje|lied(?:je)?|liedtekst|songtekst|rap\w*|rijm\w*|limerick|haiku|sonnet|sprookje|mop|moppen|"
    r"grap(?:je|pen)?|speech|toespraak|\w+speech|\w+toespraak|recept\w*|quiz\w*"
)
#: A question that asks for a translation ("Hoe zeg je ... in het Frans?", "Wat is ... in het Engels?").
_TRANSLATION = re.compile(
    r"\b(?:hoe (?:zeg|schrijf|spel) je|wat is|wat betekent|hoe heet)\b.*\bin het "
    r"(?:engels|frans|duits|spaans|italiaans|arabisch|turks|grieks|latijn|pools|portugees|chinees)\b"
)
#: A request for something made, advised or solved, at the start of a sentence: "Maak een quiz ...",
#: "Ik zoek een goeie podcast", "Hoe maak ik een pasta ...", "Welke laptop raad je aan".  What follows
#: the request (its object) decides: a thing the publications are about is no task.
_REQUEST = re.compile(
    r"^(?:(?:mag ik|kan ik|kun(?:t)? (?:je|jij|u)|kan (?:je|jij|u)|wil (?:je|jij|u)|zou (?:je|jij|u)|graag|help me)\s+"
    r"(?:(?:me|mij|ons|even|eens|snel|aub|alsjeblieft|voor|een|nog)\s+)*?)?"
    r"(?:schrijf(?! (?:me|mij|ons|hem|haar|jullie|u|mezelf) in\b)|maak|bedenk|verzin|genereer|componeer|ontwerp|teken|programmeer|codeer|herschrijf|bereken|"
    r"vertel(?: (?:eens|me|ons|nog))*)\s+(?P<make>.+)"
    r"|^(?:kun(?:t)?|kan|wil|zou) (?:je|jij|u) (?:(?:me|mij|ons|even|eens|nog|alsjeblieft|aub) )*(?P<make2>.+?) "
    r"(?:schrijven|maken|bedenken|verzinnen|genereren|opstellen|componeren|ontwerpen|tekenen|vertalen|berekenen)\b"
    r"|^(?:geef (?:me|mij|ons)|raad (?:me|mij|ons) (?:een|het|de)|tips? voor)\s+(?P<obj>.+)"
    r"|^ik (?:wil|zou|had|zoek)(?: \w+){0,2}? (?:graag |nog )?(?:een|wat|enkele|ideeen voor)\s+(?P<obj2>.+)"
    r"|^hoe (?:maak|bak|kook|bereid|los|schrijf|repareer|installeer|kweek|verwijder|krijg|win|verlies)\w* "
    r"(?:ik|je|jij|we|u)\s+(?P<obj3>.+)"
    r"|^(?:welke|wat voor(?: een)?|welk)\s+(?P<obj4>.+?)\s+(?:raad|raden)\s+(?:je|jij|u|jullie)\b"
    r"|^(?:welke|welk|wat voor(?: een)?)\s+(?P<obj5>.+?)\s+(?:is|zijn) (?:het|de) (?:beste|goedkoopste|leukste|lekkerste)\b"
)
#: Where the object of a request ends: a preposition, a conjunction, a clause.
_OBJECT_END = frozenset(
    [
        "over",
        "voor",
        "van",
        "met",
        "om",
        "in",
        "op",
        "naar",
        "bij",
        "zonder",
        "zodat",
        "die",
        "dat",
        "en",
        "of",
        "tegen",
        "uit",
        "aan",
        "als",
        "waarmee",
        "waarin,",
        "?",
        ".",
    ]
)
_OBJECT_SKIP = frozenset(
    [
        "een",
        "de",
        "het",
        "deze",
        "dit",
        "die",
        "mijn",
        "onze",
        "ons",
        "je",
        "jouw",
        "uw",
        "zijn",
        "haar",
        "hun",
        "wat",
        "paar",
        "enkele",
        "goede",
        "goeie",
        "leuke",
        "mooie",
        "korte",
        "kort",
        "lange",
        "lang",
        "nieuwe",
        "nieuw",
        "pakkende",
        "grappige",
        "originele",
        "eenvoudige",
        "snelle",
        "lekkere",
        "goedkope",
    ]
)
#: Things the publications can give: asking for them is asking for information, not a task.
_INFO_OBJECTS = frozenset(
    [
        "overzicht",
        "samenvatting",
        "lijst",
        "lijstje",
        "opsomming",
        "uitleg",
        "toelichting",
        "definitie",
        "antwoord",
        "cijfer",
        "cijfers",
        "info",
        "informatie",
        "tabel",
        "stappen",
        "stappenplan",
        "voorbeeld",
        "voorbeelden",
        "link",
        "links",
        "bron",
        "bronnen",
        "document",
        "documenten",
        "publicatie",
        "publicaties",
        "checklist",
        "planning",
        "tijdlijn",
        "datum",
        "data",
        "adres",
        "contact",
        "tip",
        "tips",
        "idee",
        "ideeen",
        "advies",
        "vraag",
        "vragen",
        "hulp",
        "afspraak",
        "gesprek",
        "aanvraag",
        "workshop",
        "vorming",
        "opleiding",
        "training",
        "cursus",
        "les",
        "sessie",
        "traject",
        "begeleiding",
        "coaching",
        "ondersteuning",
        "offerte",
        "titel",
        "titels",
        "naam",
        "namen",
    ]
)
#: A sum or an equation ("3x + 7 = 22", "12 * 15").
_MATH = re.compile(r"\d\s*[a-z]?\s*[+*/×÷^]\s*\(?\d|[\dxyz)]\s*=\s*-?\d")
#: What the asker's own figures come to: "hoeveel is dat per persoon", "reken dat eens uit", "... met 21% btw".
_RECKON = re.compile(
    r"\bhoeveel (?:is|zijn|wordt|worden|kost|kosten|blijft|maakt|betaal \w+) (?:dat|dit|dat dan|dit dan)\b"
    r"|\breken\w*\b.{0,30}\b(?:uit|om)\b|\b(?:met|inclusief|exclusief|plus|zonder)\s+(?:\d+\s*%\s*)?btw\b"
)
#: A word that negates the object of a task verb ("verzin niks", "maak er geen ...").
_NEGATIONS = frozenset({"niks", "niets", "geen", "niet", "nooit"})


@dataclass(frozen=True)
class _Request:
    #: The head word of what is asked for ("een pakkende slogan en ..." -> "slogan").
    head: str
    #: Something to be made ("Maak ...", "Schrijf ..."), not found or advised.
    make: bool
    #: The words of the whole sentence ("... van het jaarverslag"), hyphenated ones split.
    rest: tuple[str, ...]
    #: The words of the object up to its head ("pasta", "carbonara").
    object_words: tuple[str, ...] = ()


def _request(sentence: str) -> _Request | None:
    """The request a sentence makes, if it makes one."""
    m = _REQUEST.search(sentence)
    if m is None:
        return None
    obj = next(g for g in m.groups() if g is not None)
    tokens = re.findall(r"[\w'-]+|[,?.]", obj)
    if tokens and tokens[0] in _NEGATIONS:
        return None  # "Verzin niks: wat concludeerde ...?" says how to answer, it asks nothing to be made
    head = None
    object_words: list[str] = []
    for w in tokens:
        if w in _OBJECT_END or (head is not None and _infinitive(w)):
            break  # "een afspraak maken": the verb ends the object
        if w not in _OBJECT_SKIP and not w.isdigit():
            head = w
            object_words.append(w)
    if head is None:
        return None
    # The whole sentence counts as context ("Welke werkvorm raad je aan voor een contextanalyse?"),
    # hyphenated words by their parts ("sociaal-cultureel").
    rest = tuple(re.findall(r"[a-zà-ÿ]+", sentence))
    return _Request(head, m.group("make") is not None or m.group("make2") is not None, rest, tuple(object_words))


def asks_to_make(text: str) -> bool:
    """Does a normalised question ask for something to be made (a text, a translation, a sum), on its wording?"""
    sentences = [t.strip() for t in re.split(r"(?<=[.!?:])\s+", text) if t.strip()]
    return any(_asks_product(t) for t in sentences) or bool(_TRANSLATION.search(text) or _MATH.search(text))


def reckons_own_figures(text: str) -> bool:
    """Does a normalised question give figures of its own and ask what they come to (a sum to be made)?

    "Ik heb 14 deelnemers en een budget van 3.500 euro. Hoeveel is dat per persoon?" asks for arithmetic on
    the asker's numbers, which no publication holds; "Hoeveel deelnemers waren er in 2023?" gives one number
    (a year) and asks for one of the publications'.
    """
    figures = [f for f in re.findall(r"\d[\d.,]*", text) if not re.fullmatch(r"(?:19|20)\d\d", f)]
    return len(figures) >= 2 and bool(_RECKON.search(text))


def _asks_product(sentence: str) -> bool:
    """A task verb with a product as its object: "Schrijf een speech ...", "Kun je een app maken?".

    The product must follow the verb closely (or lie within "kun je ... maken"): "Geef me de titels van de
    screencasts ... op de website" asks for titles, not for a website.
    """
    m = _TASK.search(sentence)
    if m is None:
        return False
    request = _request(sentence)
    if request is not None and (request.head in _INFO_OBJECTS or lemma(request.head) in _INFO_OBJECTS):
        return False  # "Geef me de titels van de filmpjes ...": information, whatever it is about
    products = [*_PRODUCT.finditer(sentence), *(_WRITTEN.finditer(sentence) if _MAKE_VERB.search(sentence) else ())]
    return any(p.start() < m.end() + _PRODUCT_REACH for p in products)


#: How far (in characters) after its task verb a product still is the verb's object.
_PRODUCT_REACH = 40


def _infinitive(word: str) -> bool:
    return len(word) > 4 and word.endswith("en") and lemma(word) == word and general_zipf(word) >= 3.0
