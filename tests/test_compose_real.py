"""Composition on the real corpus: forms normalised once per text, a figure part without its figure left out."""

from __future__ import annotations

from typing import Any

import pytest

from assistant import Vraagbaak
from assistant.answer import Unmet, forms
from assistant.text.analysis import fold, normalise_for_match, words


@pytest.mark.parametrize("text", ["Oriënteren op ‘Verenigingsdemocratie’", "1.541 deelnemers (93%)", ""])
def test_cached_forms_equal_the_text_analysis_ones(text: str) -> None:
    assert forms.norm(text) == normalise_for_match(text)
    assert forms.folded(text) == fold(text)
    assert forms.word_set(text) == frozenset(words(text))


def test_a_second_composition_normalises_no_text_again(va: Vraagbaak, monkeypatch: pytest.MonkeyPatch) -> None:
    # Profiled before: ~350 folds per question, half of the composition time.
    calls: list[str] = []

    def counting(text: str) -> str:
        calls.append(text)
        return normalise_for_match(text)

    monkeypatch.setattr(forms, "normalise_for_match", counting)
    forms.norm.cache_clear()
    snapshot = va.snapshot()
    query = va.analyse("Hoeveel vragen kwamen binnen via de vraaggestuurde werking?", snapshot=snapshot)
    hits = va.retrieve(query, snapshot=snapshot).hits
    answerer: Any = va._answerer
    first = answerer.compose(query, hits, snapshot)
    assert calls, "the composer compares normalised texts"
    calls.clear()
    second = answerer.compose(query, hits, snapshot)
    assert second == first
    assert calls == []


def test_a_figure_part_without_its_own_figure_is_left_out_not_answered_with_another(va: Vraagbaak) -> None:
    # The report counts 181 overlegmomenten with 55 actors ("beleidsactoren, onderzoeksactoren, ...") and gives
    # a share for beleidsactoren, but no figure for onderzoeksactoren: that part must not get a 43% about others.
    question = "Hoeveel overlegmomenten had Socius met beleidsactoren en hoeveel met onderzoeksactoren?"
    snapshot = va.snapshot()
    query = va.analyse(question, snapshot=snapshot)
    assert len(query.parts) == 2
    answerer: Any = va._answerer
    first, second = (answerer.compose(p, va.retrieve(p, snapshot=snapshot).hits, snapshot) for p in query.parts)
    assert "181 overlegmomenten" in first.text and first.unmet is None
    assert second.unmet is Unmet.FIGURE and second.citations == ()
    whole = va.ask(question)
    assert whole.route == "answer" and "181 overlegmomenten" in whole.text
    assert len(whole.citations) == len(first.citations), whole.text  # nothing quoted for the second part


def test_a_why_answer_keeps_the_sentence_that_carries_the_reason_on(va: Vraagbaak) -> None:
    # The best sentence warns against loading it onto one person; the reason is the next one. A further
    # sentence from elsewhere ("Dan vraagt dat om een transformatie ...") took its words before.
    answer = va.ask(
        "Waarom moet je de transformatie naar interculturaliteit niet aan één diversiteitsmedewerker overlaten?"
    )
    assert "niet bij één persoon terechtkomen" in answer.text, answer.text


def test_a_sentence_opening_with_dan_is_read_with_the_one_it_follows(va: Vraagbaak) -> None:
    # "Let ... op voor de valkuil van het ‘diversiteitsprojectje’." names the pitfall; "Dan blijft het een project
    # ... naast de kernwerking" says what it is.
    answer = va.ask("Waarin schuilt de valkuil van een diversiteitsprojectje?")
    assert "naast de kernwerking" in answer.text, answer.text
