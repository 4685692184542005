"""Questions embedded at the same moment share one forward pass.

A chat answers several questions at once (``CHAT_CONCURRENCY`` in the web chat);
each embeds its question.  For short texts a transformer's forward pass is mostly
fixed cost: all-MiniLM-L6-v2 on one thread takes 22 ms of CPU for one question,
28 ms for two and 41 ms for four (10 ms each).  :class:`QueryBatcher` gathers the
questions that arrive while a pass is running and embeds them together in the next
one ("group commit"): no timer and no extra thread, a question that comes alone
is embedded at once, exactly as before.

Measured with ``python -m evals.capacity`` (20 concurrent chat sessions); see
``evals/reports/bench.md``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

__all__ = ["QueryBatcher"]


class _Slot:
    __slots__ = ("done", "error", "text", "vector")

    def __init__(self, text: str) -> None:
        self.text = text
        self.done = False
        self.vector: np.ndarray | None = None
        self.error: BaseException | None = None


class QueryBatcher:
    """Calls ``encode(texts) -> one row per text`` for concurrent callers, at most
    ``max_batch`` texts a call and one call at a time; each caller gets its own row
    (or the error of the call that had its text)."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], max_batch: int = 8) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._encode = encode
        self._max_batch = max_batch
        self._cond = threading.Condition(threading.Lock())
        self._waiting: list[_Slot] = []
        self._running = False

    def __call__(self, text: str) -> np.ndarray:
        slot = _Slot(text)
        with self._cond:
            self._waiting.append(slot)
            while not slot.done:
                if self._running:
                    self._cond.wait()
                    continue
                # Nothing running: this caller runs the next pass for everyone waiting
                # (oldest first; its own text may have to wait for the pass after).
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                self._running = True
                self._cond.release()
                try:
                    self._run(batch)
                finally:
                    self._cond.acquire()
                    for s in batch:
                        s.done = True
                    self._running = False
                    self._cond.notify_all()
        if slot.error is not None:
            raise slot.error
        assert slot.vector is not None
        return slot.vector

    def _run(self, batch: list[_Slot]) -> None:
        try:
            vectors = np.asarray(self._encode([s.text for s in batch]))
            if len(vectors) != len(batch):
                raise RuntimeError(f"the encoder gave {len(vectors)} vectors for {len(batch)} texts")
        except BaseException as err:  # every caller in this pass gets the error
            for s in batch:
                s.error = err
            return
        for s, vector in zip(batch, vectors, strict=True):
            s.vector = vector
