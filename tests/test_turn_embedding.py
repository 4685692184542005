"""A turn is embedded once: the parts of a multi-part question share the turn's vector."""

from __future__ import annotations

import numpy as np

from assistant.index import Embedder
from assistant.settings import Settings
from assistant.vraagbaak import Vraagbaak

MULTI_PART = "Wie verliet in 2023 het personeelsteam van Socius, en wie kwam er tijdelijk bij als stagiair?"


class _Counting:
    """The real query embedder, counting the texts it embeds."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.queries: list[str] = []

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return self.inner.embed_query(text)


def test_a_multi_part_question_is_embedded_once(va: Vraagbaak, real_settings: Settings) -> None:
    real = va.embedder()
    assert real is not None
    counting = _Counting(real)
    own = Vraagbaak(real_settings, embedder=counting, router=va.router())
    assert len(own.analyse(MULTI_PART, []).parts) == 2
    answer = own.ask(MULTI_PART)
    assert counting.queries == [MULTI_PART]
    assert answer.timings_ms["retrieve_embed"] > 0
    assert "Lucas Roefmans" in answer.text  # the second part is still answered
