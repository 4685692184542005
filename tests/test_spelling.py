"""Typing errors repaired before a question is analysed (issue #12: questions as people type them)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from assistant.query.spelling import Speller, word_counts

VOCABULARY = word_counts(
    [
        "Hoeveel organisaties namen deel aan de visitatie? Hoewel het decreet ... citizen science.",
        "De verenigingsdemocratie van een organisatie. Pogon in Zagreb.",
    ]
)
# Relative frequencies as wordfreq gives them (zipf = log10(f) + 9).
FREQUENCIES = {
    "hoeveel": 1.4e-4,
    "hoewel": 1.6e-4,
    "wanneer": 4.6e-4,
    "wanner": 6.2e-7,
    "organisatie": 1.6e-4,
    "deelnames": 3e-8,
    "deelname": 2e-6,
    "herwerking": 2e-9,
    "verwerking": 2e-6,
    **{w: 1e-4 for w in ("deed", "naar", "mail", "betekent", "waren", "staat", "onze", "waarom", "naam")},
}


@pytest.fixture
def speller() -> Speller:
    return Speller(frequencies=FREQUENCIES)


def test_a_one_letter_typo_is_repaired_to_a_word_of_the_publications(speller: Speller) -> None:
    text, fixes = speller.correct("Hoe staat het met de verenigingsdemocartie in onze orgnisatie?", VOCABULARY)
    assert text == "Hoe staat het met de verenigingsdemocratie in onze organisatie?"
    assert fixes == (("verenigingsdemocartie", "verenigingsdemocratie"), ("orgnisatie", "organisatie"))
    assert speller.correct("Waarom citizen sience-projecten?", VOCABULARY)[0] == "Waarom citizen science-projecten?"


def test_the_first_word_of_a_question_is_read_as_a_question_word(speller: Speller) -> None:
    # "Hoewel" is one edit from "Hoevel" too, and as frequent; "wanner" is a (rare) Dutch word.
    assert speller.correct("Hoevel organisaties?", VOCABULARY)[0] == "Hoeveel organisaties?"
    assert speller.correct("Wanner is de visitatie?", VOCABULARY)[0] == "Wanneer is de visitatie?"
    # Not at the start of a question: a statement keeps its words.
    assert speller.correct("Wanner is een naam.", VOCABULARY)[1] == ()


def test_names_forms_of_words_and_unknown_words_stay_as_typed(speller: Speller) -> None:
    for text in (
        "Wat deed Pogan in Zagreb?",  # a name inside the sentence
        "Hoeveel deelnames waren er?",  # a form of a known word, not a typo of "deelname"
        "Wat is de herwerking van het decreet?",  # a word of its own; a typo rarely hits the first letter
        "Mail naar info@socuis.be of bel 09-123.",  # an address
        "Wat is een VTE?",  # an abbreviation
        "Wat betekent xqzt?",  # nothing one edit away
    ):
        assert speller.correct(text, VOCABULARY) == (text, ()), text


def test_the_packaged_dutch_frequencies_are_used_by_default() -> None:
    speller = Speller()
    text, _ = speller.correct("Hoevel deelnmers had de trefdag?", Counter({"deelnemers": 5, "trefdag": 3}))
    assert text == "Hoeveel deelnemers had de trefdag?"
    # Ordinary Dutch forms are no typos.
    for text in ("Hoeveel deelnames klopten er?", "Welke richtinggevende keuzes?", "Zijn er infosessies?"):
        assert speller.correct(text, Counter())[1] == (), text


def test_the_analysed_question_carries_its_repairs(va) -> None:  # type: ignore[no-untyped-def]
    query = va.analyse("Hoevel abonnees tellen de mailinglijsten van Socius samen?", today=date(2026, 12, 2))
    assert query.kind == "getal" and query.text.startswith("Hoeveel ")
    assert query.corrections == (("Hoevel", "Hoeveel"),)
    answer = va.ask("Hoevel abonnees tellen de mailinglijsten van Socius samen?", [], today=date(2026, 12, 2))
    assert "3.977" in answer.text, answer.text
