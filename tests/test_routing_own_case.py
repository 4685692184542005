"""Issue #13: the asker's own case goes to staff, a general question that mentions one does not; amounts.

The questions were written for these tests (not taken from the development, gold or blind sets).

- how a case turned out ("afgewezen", "teruggevorderd", "failliet") is the asker's own case only when
  the asker speaks of themselves ("onze", "mijn", "we"): "Waarom werden sommige aanvragen afgewezen?"
  asks about Socius' work;
- a question set in the asker's own file ("ons voortgangsrapport") that asks a fact holding for every
  organisation (a moment, a place) is settled once the publications were consulted: answered when the
  answer carries it, else staff look at the file; a figure of their own, how their case turned out or
  a request to staff go to staff on the wording;
- an amount of money asked ("Welk budget ...") that the answer quoted does not give (no euro, no share)
  is no answer: staff may know it, the publications do not; nor is an answer that carries none of the
  words of a question about a year after the report year;
- whom to vote for and an intimate relationship in trouble are personal matters, declined; voting and
  relations in the sector's work are not.
"""

from __future__ import annotations

from datetime import date

import pytest

from assistant import Vraagbaak
from assistant.query.analysis import analyse
from assistant.routing import Route, RouteDecision, Router, ScopeSignals
from assistant.routing.nearmiss import amount_missing, answer_lacks, asks_figure, asks_money
from assistant.routing.support import specific_support
from assistant.text.analysis import Analyzer

TODAY = date(2026, 12, 3)


@pytest.fixture(scope="module")
def router() -> Router:
    return Router()


def _decide(router: Router, question: str, evidence: float | None = None) -> tuple[str, dict[str, object]]:
    d = router.decide(analyse(question, today=TODAY, analyzer=Analyzer()), evidence=evidence)
    return str(d.route), d.signals


def _scope(**kw: object) -> ScopeSignals:
    base: dict[str, object] = {"task": False, "addresses": False, "domain": ("voortgangsrapport",), "foreign": ()}
    base.update(names=(), content=3, known=3, affinity=0.5)
    base.update(kw)
    return ScopeSignals(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "question",
    [
        "Waarom werden sommige aanvragen voor een vorming geweigerd?",
        "Hoeveel organisaties gingen failliet?",
        "Wat gebeurt er als een subsidie wordt teruggevorderd?",
    ],
)
def test_how_a_case_turned_out_is_no_own_case_without_the_asker(router: Router, question: str) -> None:
    route, signals = _decide(router, question)
    assert route == "answer" and "uitkomst" not in signals["escalate_groups"]


@pytest.mark.parametrize(
    "question",
    [
        "Waarom werd onze erkenningsaanvraag geweigerd?",
        "Mijn aanvraag werd afgewezen, wat kan ik nog doen?",
        "Onze werkingssubsidie wordt teruggevorderd. Wat nu?",
        "Onze vzw dreigt failliet te gaan. Kunnen jullie ons helpen?",
    ],
)
def test_how_the_askers_own_case_turned_out_goes_to_staff(router: Router, question: str) -> None:
    assert _decide(router, question, evidence=0.6)[0] == "escalate"


@pytest.mark.parametrize(
    "question",
    [
        "Wanneer moeten wij ons voortgangsrapport binnen hebben?",
        "Waar dienen we onze subsidieaanvraag in?",
    ],
)
def test_a_fact_asked_in_the_askers_own_file_is_settled_by_the_answer(router: Router, question: str) -> None:
    route, signals = _decide(router, question, evidence=0.6)
    assert route == "answer" and signals["staff_unless_answered"]
    decision = RouteDecision(Route.ANSWER, "", "andere", dict(signals))
    answered = router.settle(decision, scope=_scope(), support=0.8, content_support=0.8, unmet=None)
    assert (str(answered.route), answered.signals["rule"]) == ("answer", "eigen_dossier:beantwoord")
    weak = router.settle(decision, scope=_scope(), support=0.2, content_support=0.8, unmet=None)
    assert (str(weak.route), weak.signals["rule"]) == ("escalate", "patronen")
    unmet = router.settle(decision, scope=_scope(), support=0.8, content_support=0.8, unmet="ander_jaar")
    assert str(unmet.route) == "escalate"
    # Words the scope model finds outside do not decline a question about the asker's own file.
    outside = _scope(domain=(), foreign=("uitbetaald",), affinity=-1.0)
    assert str(router.settle(decision, scope=outside, support=0.1, content_support=0.0, unmet=None).route) == "escalate"
    # A task stays declined.
    assert str(router.settle(decision, scope=_scope(task=True), support=0.8, unmet=None).route) == "decline"


@pytest.mark.parametrize(
    "question",
    [
        "Kunnen jullie onze begroting eens nakijken?",  # a request
        "Waarom werd onze subsidieaanvraag afgewezen?",  # how the case turned out
        "Komt onze vereniging in aanmerking voor een erkenning?",  # a judgement on the case
    ],
)
def test_requests_and_outcomes_in_the_own_file_are_not_left_to_the_answer(router: Router, question: str) -> None:
    route, signals = _decide(router, question, evidence=0.6)
    assert route == "escalate" and "staff_unless_answered" not in signals


# ------------------------------------------------------------------ on the real index
@pytest.mark.parametrize(
    "question",
    [
        "Waarom werden sommige aanvragen voor begeleiding afgewezen?",
        "Tegen wanneer moeten wij ons aanvraagdossier voor de beleidsperiode 2026-2030 indienen?",
    ],
)
def test_general_questions_that_mention_a_file_are_answered(va: Vraagbaak, question: str) -> None:
    answer = va.ask(question, today=TODAY)
    assert str(answer.route) == "answer", answer.route_signals.get("rule")


def test_a_fact_of_the_own_file_the_publications_do_not_hold_goes_to_staff(va: Vraagbaak) -> None:
    answer = va.ask("Wanneer krijgen we onze subsidie uitbetaald?", today=TODAY)
    assert str(answer.route) == "escalate", answer.route_signals.get("rule")


# ------------------------------------------------------------------ an amount of money the answer does not give
@pytest.mark.parametrize(
    ("question", "money"),
    [
        ("Welk budget krijgt het investeringsfonds?", True),
        ("Hoe groot wordt het budget van de campagne?", True),
        ("Hoeveel kostte de studiedag?", True),
        ("Welk deel van de uitgaven ging naar lonen?", True),
        ("Hoeveel organisaties kregen subsidie?", False),  # a number of organisations
        ("Hoeveel gesubsidieerde organisaties volgden een vorming?", False),
        ("Wat is een werkingssubsidie?", False),  # no figure asked
    ],
)
def test_an_amount_of_money_asked(question: str, money: bool) -> None:
    query = analyse(question, today=TODAY, analyzer=Analyzer())
    assert asks_money(query) is money
    assert amount_missing(query, ["Het fonds ondersteunt de digitale transitie van de sector."]) is money
    # Another figure asked (a number of organisations) that the answer does not hold is a missing figure.
    other = "getal" if asks_figure(query) else None
    assert answer_lacks(query, ["Het fonds ondersteunt de sector."]) == ("bedrag" if money else other)
    assert not amount_missing(query, ["Het fonds krijgt 2 miljoen euro."])
    assert not amount_missing(query, ["Personeel: 74,80% van de uitgaven."])
    assert not amount_missing(query, [])  # nothing quoted: the composer's unmet says why


def test_an_amount_the_publications_do_not_give_goes_to_staff(va: Vraagbaak) -> None:
    answer = va.ask("Welk budget krijgt het investeringsfonds voor de digitale transitie?", today=TODAY)
    assert (str(answer.route), answer.route_signals.get("rule")) == ("escalate", "geen_bron:bedrag")
    for question in (
        "Hoeveel subsidie kreeg Socius in 2023 van de Vlaamse Gemeenschap?",
        "Welk bedrag kregen werkers om het postgraduaat te volgen?",
    ):
        assert str(va.ask(question, today=TODAY).route) == "answer", question


# ------------------------------------------------------------------ what the answer lacks, a year after the report year
def test_what_the_answer_lacks_goes_to_staff(router: Router) -> None:
    decision = RouteDecision(Route.ANSWER, "", "andere", {})
    settled = router.settle(decision, scope=_scope(), support=0.6, content_support=0.6, unmet=None, lacks="bedrag")
    assert (str(settled.route), settled.signals["rule"]) == ("escalate", "geen_bron:bedrag")


def test_a_later_year_needs_an_answer_that_carries_the_question(router: Router) -> None:
    decision = RouteDecision(Route.ANSWER, "", "andere", {})
    later = _scope(beyond_years=(2024,))
    settled = router.settle(decision, scope=later, support=0.5, content_support=0.0, unmet=None)
    assert (str(settled.route), settled.signals["rule"]) == ("escalate", "niet_in_publicaties:later_jaar")
    assert str(router.settle(decision, scope=later, support=0.5, content_support=0.5, unmet=None).route) == "answer"


def test_a_year_after_the_report_year_on_the_real_index(va: Vraagbaak) -> None:
    answer = va.ask("Welk thema krijgt de Trefdag van 2024?", today=TODAY)
    assert str(answer.route) == "escalate", answer.route_signals.get("rule")
    # What the publications announce for that year is still answered.
    answer = va.ask("Waar werkt het team van Socius vanaf maart 2024?", today=TODAY)
    assert str(answer.route) == "answer", answer.route_signals.get("rule")


# ------------------------------------------------------------------ personal matters: a vote, a relationship
@pytest.mark.parametrize(
    "question",
    [
        "Voor wie moet ik stemmen bij de gemeenteraadsverkiezingen?",
        "Welke partij kies ik best als sociaal-cultureel werker?",
        "Mijn vriendin wil scheiden en ze is voorzitter van onze vereniging. Hoe pak ik dat aan?",
        "Ik heb liefdesverdriet sinds het teamweekend. Wat helpt?",
    ],
)
def test_personal_choices_and_relationships_are_declined(router: Router, question: str) -> None:
    route, signals = _decide(router, question, evidence=0.6)
    assert (route, signals["kind"]) == ("decline", "buiten_sector")


@pytest.mark.parametrize(
    "question",
    [
        "Waarom moeten jongeren gaan stemmen volgens de campagne Allemaal Politiek?",
        "Wegen alle stemmen evenveel door volgens Socius?",
        "Wat doen we als twee vrijwilligers van onze vereniging uit elkaar gaan?",
    ],
)
def test_voting_and_relations_in_the_sector_are_no_personal_matter(router: Router, question: str) -> None:
    assert _decide(router, question, evidence=0.6)[0] == "answer"


def test_a_working_relationship_in_trouble_still_goes_to_staff(router: Router) -> None:
    assert (
        _decide(router, "Mijn relatie met de voorzitter loopt op de klippen. Kunnen jullie bemiddelen?")[0]
        == "escalate"
    )


# ------------------------------------------------------------------ a request to staff to make something
def test_a_request_to_staff_to_make_something_is_settled_by_the_scope(router: Router) -> None:
    question = "Kunnen jullie een liedje op maat schrijven voor de vrijwilligers van onze vereniging?"
    route, signals = _decide(router, question, evidence=0.6)
    assert route == "answer" and signals["staff_unless_task"]
    decision = RouteDecision(Route.ANSWER, "", "andere", dict(signals))
    declined = router.settle(decision, scope=_scope(task=True), support=0.3, unmet=None)
    assert (str(declined.route), declined.signals["rule"]) == ("decline", "opdracht")
    # Whatever else the scope says, a request to staff that is no task goes to staff.
    outside = _scope(domain=(), foreign=("liedje",), affinity=-1.0)
    kept = router.settle(decision, scope=outside, support=0.1, content_support=0.0, unmet=None)
    assert (str(kept.route), kept.signals["rule"]) == ("escalate", "patronen")


@pytest.mark.parametrize(
    "question",
    [
        "Kunnen jullie bij ons een programma op maat uitwerken voor de vormingsdag van onze vrijwilligers?",
        "Kunnen jullie onze beleidsnota nalezen en feedback geven?",
    ],
)
def test_requests_for_support_are_no_task(router: Router, question: str) -> None:
    route, signals = _decide(router, question, evidence=0.6)
    assert route == "escalate" and "staff_unless_task" not in signals


# ------------------------------------------------------------------ the specific terms of a question
def test_a_verb_is_no_specific_term(va: Vraagbaak) -> None:
    snapshot = va.snapshot()
    idf, analyzer = snapshot.lexical.idf, snapshot.lexical.analyzer
    query = va.analyse("Welke vragen kreeg het steunpunt over het decreet?", [], today=TODAY, snapshot=snapshot)
    assert any(t in idf for w in ("kreeg",) for t in analyzer.terms(w))  # a term the corpus knows, with a high IDF
    assert specific_support(query, ["Het steunpunt beantwoordde vragen over het decreet."], idf, analyzer) == 1.0
    assert specific_support(query, ["Het steunpunt kreeg vragen over de Trefdag."], idf, analyzer) < 1.0
