"""Work Gradio does for every event that these pages do not need, switched off.

Measured with ``python -m evals.capacity`` (concurrent chat sessions against the
real app) and py-spy; each piece names what it saved.  Both reach into Gradio's
internals: ``tests/test_hardening.py`` fails when a Gradio upgrade renames what
they rely on.

* :func:`lighten_queue`: the queue's analytics, its busy polling and its status message to
  every waiting event whenever one starts.
* :func:`skip_unchanged_outputs`: no component rebuilt for an output a handler
  leaves unchanged.
* :func:`lean_sessions`: a new session does not copy every component's config.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field
from typing import Any

import gradio as gr
from gradio.components import State
from gradio.state_holder import SessionState, StateHolder

__all__ = ["QUEUE_STATUS_EVERY_S", "lean_sessions", "lighten", "lighten_queue", "skip_unchanged_outputs"]

#: What Gradio sends the page for an output that does not change (``gr.skip()``).
_UNCHANGED: dict[str, str] = {"__type__": "update"}
#: How often a waiting event hears its place in the queue (besides when it joins).
QUEUE_STATUS_EVERY_S = 2.0


def lighten(blocks: gr.Blocks) -> None:
    """Everything below, for one page."""
    lighten_queue(blocks)
    skip_unchanged_outputs(blocks)
    lean_sessions(blocks)


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


@dataclass(frozen=True)
class _ConfigOnly:
    """What :class:`SessionState` reads of its Blocks, with no components to copy the config of."""

    default_config: Any
    blocks: dict[int, Any] = field(default_factory=dict)


class _LeanSessionState(SessionState):
    """Gradio's session state without ``config_values``, its copy of the config of every
    component with the session's values, which only the deep-link route reads (``deep_link``:
    refused on every page, :data:`assistant.web.guard.API_ONLY_ROUTES`)."""

    def __init__(self, blocks: gr.Blocks) -> None:
        super().__init__(_ConfigOnly(blocks.default_config))  # type: ignore[arg-type]

    def __setitem__(self, key: int, value: Any) -> None:
        # Gradio's, without the config it then computes for config_values.
        block = self.blocks_config.blocks.get(key)
        if isinstance(block, State):
            self._state_ttl[key] = (block.time_to_live, datetime.datetime.now())
            self.state_data[key] = value
        else:
            self.blocks_config.blocks[key] = value

    def _update_config(self, key: int) -> None:
        pass

    def _update_value_in_config(self, key: int, value: Any) -> None:
        pass


class _LeanStateHolder(StateHolder):
    def __getitem__(self, session_id: str) -> SessionState:
        if session_id not in self.session_data:
            self.session_data[session_id] = _LeanSessionState(self.blocks)
        return super().__getitem__(session_id)


def lean_sessions(blocks: gr.Blocks) -> None:
    """New sessions of this page without a copy of every component's config.

    Gradio makes a session's state on its first event and copies the config of every
    component of the page into it (``config_values``: a signature inspection and a config
    dict per component, 29 on the chat page), then keeps that copy up to date on every
    input and output: about 2.6 ms of CPU on the event loop per new session and 0.15 ms
    per changed value, for the deep-link route alone (``gr.DeepLinkButton``; none here, and
    the route is refused).  The page's holder of session states (made by the mounted app)
    makes :class:`_LeanSessionState` instead; everything else of the state is Gradio's.
    """
    holder = blocks.state_holder
    holder.__class__ = _LeanStateHolder
