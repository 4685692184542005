"""Checks on untrusted text that every entry point shares (web, CLI, the turn itself).

A lone surrogate (``"\\ud800"``, possible in JSON and in Python strings, never in
UTF-8) cannot be stored, logged or sent back as UTF-8; wherever it arrives, the
person gets the same Dutch message, :data:`UNREADABLE`, before anything else runs.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import QuestionError

__all__ = ["UNREADABLE", "check_readable", "cut_notice", "has_surrogate"]

UNREADABLE = "Je vraag bevat onleesbare tekens. Typ je vraag opnieuw in gewone tekst."

# In a Python str every surrogate is unpaired: JSON's escaped pairs are joined when decoded.
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(text: str) -> bool:
    """True when ``text`` holds a surrogate code point."""
    return _SURROGATE.search(text) is not None


def check_readable(value: Any) -> None:
    """Raise :class:`QuestionError` (:data:`UNREADABLE`) when a string anywhere in ``value``
    (strings, lists, dicts, as decoded from JSON; any depth) holds a surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_surrogate(item):
                raise QuestionError(UNREADABLE)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def cut_notice(text: str, max_chars: int) -> str | None:
    """The Dutch notice for a question that ``clean_question`` cuts to ``max_chars``, else None."""
    if len(" ".join(text.split())) <= max_chars:
        return None
    return (
        f"Je vraag was langer dan {max_chars} tekens. De Vraagbaak las enkel het begin; "
        "stel wat er nog volgt als aparte vraag."
    )
