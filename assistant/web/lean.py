"""Work Gradio does for every event that these pages do not need, switched off.

Measured with ``python -m evals.capacity`` (concurrent chat sessions against the
real app) and py-spy; each piece names what it saved.  Both reach into Gradio's
internals: ``tests/test_hardening.py`` fails when a Gradio upgrade renames what
they rely on.

* :func:`lighten_queue`: the queue's analytics, its busy polling and its status message to
  every waiting event whenever one starts.
* :func:`skip_unchanged_outputs`: no component rebuilt for an output a handler
  leaves unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

import gradio as gr

__all__ = ["QUEUE_STATUS_EVERY_S", "lighten", "lighten_queue", "skip_unchanged_outputs"]

#: What Gradio sends the page for an output that does not change (``gr.skip()``).
_UNCHANGED: dict[str, str] = {"__type__": "update"}
#: How often a waiting event hears its place in the queue (besides when it joins).
QUEUE_STATUS_EVERY_S = 2.0


def lighten(blocks: gr.Blocks) -> None:
    """Everything below, for one page."""
    lighten_queue(blocks)
    skip_unchanged_outputs(blocks)


def lighten_queue(blocks: gr.Blocks) -> None:
    """Switch off the bookkeeping of Gradio's queue that this app does not use.

    After every event Gradio builds a pandas summary of up to 10,000 past events
    (each with its session hash) for its monitoring page, which is off here
    (``enable_monitoring=False``): 6% of the app's CPU time with 20 concurrent chat
    sessions, growing with the events kept.  Keeping one record and never
    recomputing removes that work and the stored hashes.  The attribute names are
    Gradio's (its own spelling).
    """
    queue = blocks._queue
    queue.ANALYTICS_MAX_EVENTS = 1
    queue.ANAYLTICS_CACHE_FREQUENCY = 2**62
    # The queue's loop looks for work every millisecond, also while every slot is busy:
    # 8% of a core with nothing to do (two pages), 8% of the GIL-holding time under 20
    # sessions.  Every 5 ms costs an event at most 5 ms before it starts.
    queue.sleep_when_free = 0.005
    queue.progress_update_sleep_when_free = 0.1  # progress bars (gr.Progress): none on these pages
    # Gradio's default ("auto" status updates) sends every waiting event its queue position each
    # time any event starts: with 50 chat sessions 37.7 messages per turn, each through the whole
    # response stack and a socket write, against 4 that carry the turn (O(n^2) in the waiting
    # events).  Gradio's own alternative (``queue(status_update_rate=...)``): the position when
    # an event joins and then every QUEUE_STATUS_EVERY_S to each waiting event.  Set here because
    # ``Blocks.queue()`` would replace the queue the mounted app already uses.
    queue.live_updates = False
    queue.update_intervals = QUEUE_STATUS_EVERY_S


def _unchanged(value: Any) -> bool:
    """``gr.skip()`` / ``gr.update()`` without properties: the output stays as it is."""
    return isinstance(value, dict) and value == _UNCHANGED


def skip_unchanged_outputs(blocks: gr.Blocks) -> None:
    """Post-process only the outputs a handler changes.

    A handler here returns a dict with the components it changes (the chat's ask
    event has 9 outputs; a turn changes 3 to 8 of them).  Gradio fills in
    ``gr.skip()`` for the others and then treats each as a property update: it
    builds a new component from the old one's arguments, its config twice and a
    signature inspection, on the event loop, only to send ``{"__type__": "update"}``.
    That was 12 ms of CPU per chat turn out of about 50 (tests/test_hardening.py
    measures it), and with 20 sessions a third of the event loop's busy time: every
    other request waited behind it.  This sends the same ``{"__type__": "update"}``
    (``None`` for a ``gr.State``, as Gradio does) and lets Gradio post-process the
    changed outputs as before.  Events that return lists, batch events and events
    with one output go through Gradio unchanged.
    """
    full = blocks.postprocess_data

    async def postprocess_data(block_fn: Any, predictions: Any, state: Any) -> list[Any]:
        outputs = list(block_fn.outputs)
        ids = {block._id for block in outputs}
        if (
            block_fn.batch
            or len(outputs) < 2
            or not isinstance(predictions, dict)
            or not predictions
            or not all(isinstance(key, gr.blocks.Block) and key._id in ids for key in predictions)
        ):
            return await full(block_fn, predictions, state)
        changed = {block: value for block, value in predictions.items() if not _unchanged(value)}
        if len(changed) == len(outputs):
            return await full(block_fn, predictions, state)
        changed_ids = {block._id for block in changed}
        done: list[Any] = []
        if changed:
            subset = copy.copy(block_fn)
            subset.outputs = [block for block in outputs if block._id in changed_ids]
            done = list(await full(subset, changed, state))
        results = iter(done)
        return [
            next(results) if block._id in changed_ids else (None if block.stateful else dict(_UNCHANGED))
            for block in outputs
        ]

    blocks.postprocess_data = postprocess_data  # type: ignore[method-assign]
