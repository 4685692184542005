"""The typed question: kind of answer, counts, qualifiers, time resolved against an injected day."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.query.analysis import analyse, split_question
from assistant.query.model import AnswerKind, Role, Turn
from assistant.query.time import time_references, years_in
from assistant.text.analysis import Analyzer

AN = Analyzer()
TODAY = date(2026, 12, 2)


def q(text: str, today: date = TODAY, history: list[Turn] | None = None):  # type: ignore[no-untyped-def]
    return analyse(text, today=today, analyzer=AN, history=history or [])


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Wat zijn de stappen van de toolbox beleidsplanning?", AnswerKind.LIST),
        ("Welke drie thema's staan centraal in de ontwikkeltrajecten?", AnswerKind.LIST),
        ("Noem de pijlers van verenigingsdemocratie.", AnswerKind.LIST),
        ("Hoeveel deelnemers had de Trefdag?", AnswerKind.FIGURE),
        ("Welk percentage van de uitgaven ging naar personeel?", AnswerKind.FIGURE),
        ("Waarom werkt Socius vraaggestuurd?", AnswerKind.REASON),
        ("Om welke reden stopte Socius met Mailchimp?", AnswerKind.REASON),
        ("Wat bedoelt Socius met civiel actorschap?", AnswerKind.DEFINITION),
        ("Wat is een lerend netwerk?", AnswerKind.DEFINITION),
        ("Hoe vraag ik ondersteuning op maat aan?", AnswerKind.WAY),
        ("Wie is de directeur van Socius?", AnswerKind.PERSON),
        ("Met welke partner organiseerde Socius het webinar?", AnswerKind.PERSON),
        ("Waar vond de Trefdag 2023 plaats?", AnswerKind.PLACE),
        ("Wanneer bekrachtigde de Vlaamse Regering het decreet?", AnswerKind.MOMENT),
        ("Biedt Socius langdurige coaching aan?", AnswerKind.YES_NO),
        ("Hoe heet de campagne van 2024?", AnswerKind.FACT),
        ("Waar verwijst het 'super' in superdiversiteit naar?", AnswerKind.DEFINITION),
        # A "hoe" question with a list inside it asks the way; "daarvan de reden" is a reason; a total is a figure.
        ("hoe kan ik zien langs welke kanalen mensen op ons verhaal terechtkomen?", AnswerKind.WAY),
        ("Sommige vormingen gingen niet door. Wat was daarvan de reden?", AnswerKind.REASON),
        ("Wat was de totale duurtijd van het aanbod?", AnswerKind.FIGURE),
        ("De visienota: wat zijn daar de strategische doelstellingen van?", AnswerKind.LIST),
        # The question sentence decides, not the context before it.
        ("We schrijven een nieuw plan. Heeft Socius daar iets voor?", AnswerKind.YES_NO),
        ("Welke nieuwe partners verwelkomde het bestuur?", AnswerKind.LIST),
    ],
)
def test_kind_of_answer(question: str, kind: AnswerKind) -> None:
    assert q(question).kind is kind


def test_a_named_count_and_the_focus_of_a_list_question() -> None:
    query = q("Welke negen stappen telt de toolbox beleidsplanning?")
    assert (query.kind, query.expected_count) == (AnswerKind.LIST, 9)
    assert query.focus == ("stappen",)
    assert q("Welke functies onderscheidt het decreet?").focus == ("functies",)
    assert q("Hoeveel stappen zijn er?").expected_count is None  # a figure question, not a list
    assert q("Welke 4 decretale kernopdrachten heeft het steunpunt?").expected_count == 4  # past the adjective


def test_the_next_occurrence_is_asked() -> None:
    assert q("Waar gaat de volgende leerreis naartoe?").asks_next
    assert not q("Met welk programma verstuurt Socius tegenwoordig zijn mailings?").asks_next


def test_the_qualifier_of_a_figure_question() -> None:
    query = q("Hoeveel unieke deelnemers had het vormingsaanbod?")
    assert query.qualifier[:2] == ("unieke", "deelnemers")
    assert q("Welk percentage ging naar overhead?").wants_percentage


def test_relative_time_resolves_against_the_injected_day() -> None:
    assert q("Hoeveel vragen kwamen er vorig jaar binnen?").years == (2025,)
    assert q("Hoeveel vragen kwamen er vorig jaar binnen?", today=date(2024, 3, 1)).years == (2023,)
    assert q("Wanneer is de Trefdag volgend jaar?").years == (2027,)
    assert q("Wat gebeurde er twee jaar geleden?").years == (2024,)
    assert q("Wat staat er in het plan voor dit jaar?").years == (2026,)
    relative = q("Hoeveel deelnemers waren er vorig jaar?").relative_time
    assert [r.phrase for r in relative] == ["vorig jaar"]


def test_explicit_years_periods_and_ranges() -> None:
    assert q("Wat gebeurde er in het najaar van 2025?").years == (2025,)
    assert q("Wat staat er in de beleidsperiode 2026-2030?").years == (2026, 2027, 2028, 2029, 2030)
    assert [r.relative for r in time_references("eind 2024 en vorig jaar", TODAY)] == [False, True]
    # Amounts are not years.
    assert q("Is 1.514.016 euro veel?").years == ()
    assert years_in("het plan 2021-2025 en 2023") == {2021, 2022, 2023, 2024, 2025}


def test_follow_up_borrows_the_previous_question() -> None:
    history = [
        Turn(Role.USER, "Hoeveel vragen kwamen binnen via de vraaggestuurde werking?"),
        Turn(Role.ASSISTANT, "107"),
    ]
    follow = q("En hoeveel daarvan werden opgenomen?", history=history)
    assert follow.is_follow_up and "vraaggestuurde" in follow.context
    assert follow.kind is AnswerKind.FIGURE
    # A self-contained question does not borrow.
    assert not q(
        "Welke vormingen organiseerde Socius in 2023 rond vrijwilligersbeleid voor kleine organisaties?",
        history=history,
    ).is_follow_up


def test_a_multi_part_question_has_typed_parts() -> None:
    query = q("Wanneer was de Trefdag, en hoeveel deelnemers waren er?")
    assert [p.kind for p in query.parts] == [AnswerKind.MOMENT, AnswerKind.FIGURE]
    assert query.kind is AnswerKind.MOMENT
    # A part with a question word of its own keeps its kind; it does not take the first part's.
    query = q("Hoeveel organisaties bezocht de delegatie in Zagreb, en in welke koepel neemt Socius een mandaat op?")
    assert [p.kind for p in query.parts] == [AnswerKind.FIGURE, AnswerKind.FACT]
    assert split_question("Hoeveel vrijwilligers en medewerkers telt Socius?") == [
        "Hoeveel vrijwilligers en medewerkers telt Socius?"
    ]


def test_names_and_quoted_titles_are_entities() -> None:
    query = q("Hoeveel deelnemers had ‘Alles Politiek’ van Vormingplus Limburg?")
    assert "Alles Politiek" in query.entities and "Vormingplus Limburg" in query.entities


@pytest.mark.parametrize(
    ("question", "qualifier"),
    [
        ("Hoeveel mensen woonden de studiedag bij?", ("mensen",)),  # the verb ends what is counted
        ("Hoeveel deelnemers aan de Trefdag waren er?", ("deelnemers",)),  # so does a preposition
        ("Hoeveel procent van de deelnemers was tevreden?", ("procent", "deelnemers")),  # not after a unit
        ("Hoeveel uur vorming en ondersteuning bood Socius?", ("uur", "vorming", "ondersteuning")),
        ("Welk deel van de gesubsidieerde organisaties volgde iets?", ("gesubsidieerde", "organisaties")),
        ("Hoeveel keer bezocht iemand de website?", ()),  # a unit alone says nothing
    ],
)
def test_the_figure_qualifier_is_what_is_counted(question: str, qualifier: tuple[str, ...]) -> None:
    assert analyse(question, today=TODAY, analyzer=Analyzer()).qualifier == qualifier


def test_outcome_and_current_state_are_read_from_the_question() -> None:
    q = analyse("Wat kwam er uit de bevraging van de leden?", today=TODAY, analyzer=Analyzer())
    assert q.asks_outcome and not q.asks_current
    # "Wat levert het op voor ons?" asks what it brings, not a result.
    assert not analyse("Wat levert die scan op voor onze vereniging?", today=TODAY, analyzer=Analyzer()).asks_outcome
    q = analyse("Zijn jullie intussen verhuisd?", today=TODAY, analyzer=Analyzer())
    assert q.asks_current and not q.asks_outcome
    assert analyse("Wat is de inschrijvingsprijs?", today=TODAY, analyzer=Analyzer()).wants_amount
