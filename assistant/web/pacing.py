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

from ..answer.types import StreamEvent, TextDelta

__all__ = ["STREAM_INTERVAL_S", "paced"]

#: At most one streamed update per this many seconds.
STREAM_INTERVAL_S = 0.25


def paced(
    events: Iterable[StreamEvent], interval_s: float = STREAM_INTERVAL_S, *, clock: Callable[[], float] = time.monotonic
) -> Iterator[StreamEvent]:
    """Pass text pieces on merged, at most one per ``interval_s``; anything else (the final
    answer) at once.  Text still waiting when the final event comes is dropped: the final
    answer carries the whole text."""
    last = clock()
    pending = ""
    for event in events:
        if not isinstance(event, TextDelta):
            yield event
            pending = ""
            continue
        pending += event.text
        now = clock()
        if now - last >= interval_s:
            yield TextDelta(pending)
            pending, last = "", now
    if pending:
        yield TextDelta(pending)
