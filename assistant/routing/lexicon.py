"""The sector's lexicon: the router's sector terms and topic keywords, for words the small corpus never uses."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from ..text.analysis import stem
from .examples import Keyword


class SectorLexicon:
    """Is a (folded) word one of the sector's words?

    Built by the :class:`~assistant.routing.router.Router` from the sector terms and topic keywords
    of the vocabulary file it loaded, and passed to the scope (``Scope.from_texts(lexicon=...)``), so
    a router with its own ``topics_path`` judges scope by its own words.  Thread-safe; each lexicon
    remembers its own answers.
    """

    def __init__(self, sector: Iterable[Keyword], topics: Mapping[str, Iterable[Keyword]]) -> None:
        self.keywords: tuple[Keyword, ...] = (*sector, *(k for kws in topics.values() for k in kws))
        self._memo: Callable[[str], bool] = lru_cache(maxsize=20_000)(self._lookup)

    def __call__(self, word: str) -> bool:
        return self._memo(word)

    def _lookup(self, word: str) -> bool:
        stems = frozenset([stem(word)])
        return any(k.hits((word,), stems, word) for k in self.keywords)
