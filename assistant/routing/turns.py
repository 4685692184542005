"""The turn as the router reads it: a typed question for a caller with only the text, the turn before."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..query.model import Query, Role, Turn


def plain_query(question: str, history: Sequence[Mapping[str, Any] | Turn]) -> Query:
    """A typed question for a caller that has only the text (no index vocabulary, today's date)."""
    from datetime import date

    from ..query.analysis import analyse
    from ..text.analysis import Analyzer

    turns = [t for t in history if isinstance(t, Turn | Mapping)]
    return analyse(question, today=date.today(), analyzer=Analyzer(), history=turns)


def last_user_turn(history: Sequence[Turn]) -> str:
    for turn in reversed(history):
        if turn.role is Role.USER:
            return turn.content
    return ""
