"""The composer normalises each source text once: repeated comparisons read a cached form."""

from __future__ import annotations

from typing import Any

import pytest

from assistant import Vraagbaak
from assistant.answer import forms
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
