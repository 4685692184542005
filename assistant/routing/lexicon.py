"""The sector's lexicon: the router's sector terms and topic keywords, for words the small corpus never uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from ..text.analysis import stem
from .examples import Keyword, keyword

#: The router's vocabulary file: its sector terms and topic keywords are the sector's lexicon.
TOPICS_FILE = Path(__file__).resolve().parent / "data" / "topics.json"


@lru_cache(maxsize=4)
def _lexicon_keywords(path: Path) -> tuple[Keyword, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    raw = [*data["sector_terms"], *(k for kws in data["topics"].values() for k in kws)]
    return tuple(keyword(k) for k in raw)


def sector_lexicon(path: Path = TOPICS_FILE) -> Callable[[str], bool]:
    """Is a (folded) word one of the sector's words in the router's vocabulary ``path``?"""
    keywords = _lexicon_keywords(path)

    @lru_cache(maxsize=20_000)
    def lexical(word: str) -> bool:
        stems = frozenset([stem(word)])
        return any(k.hits((word,), stems, word) for k in keywords)

    return lexical
