"""Pace a streamed answer for the web chat: one page update per interval, not one per piece.

Every update of the chat is a full Gradio round (post-processing all outputs, a
server-sent message, the browser re-rendering the conversation).  An extractive
answer is complete before its first piece is yielded, so its pieces arrive together
and were 4 updates a turn for nothing; a chat model's tokens arrive over seconds
and still show as they come, at most every ``interval_s``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["STREAM_INTERVAL_S", "paced"]

#: At most one streamed update per this many seconds.
STREAM_INTERVAL_S = 0.25

T = TypeVar("T")


def paced(
    items: Iterable[str | T], interval_s: float = STREAM_INTERVAL_S, *, clock: Callable[[], float] = time.monotonic
) -> Iterator[str | T]:
    """Pass text pieces on merged, at most one per ``interval_s``; anything else (the final
    answer) at once.  Text still waiting when the final item comes is dropped: the final
    item carries the whole answer."""
    last = clock()
    pending = ""
    for item in items:
        if not isinstance(item, str):
            yield item
            pending = ""
            continue
        pending += item
        now = clock()
        if now - last >= interval_s:
            yield pending
            pending, last = "", now
    if pending:
        yield pending
