"""A chat visitor over Gradio's queue protocol, as the browser speaks it (shared by load and fault tests).

The chat events are ``api_visibility="private"`` (see assistant/web_chat.py), so
``gradio_client`` refuses them; a session posts ``/gradio_api/queue/join`` with
the ``fn_index`` of the "Vraag stellen" click (looked up in ``/config``) and its
own ``session_hash``, then reads the server-sent events of
``/gradio_api/queue/data`` until its ``process_completed``.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

#: One turn (queue wait included) must finish within this.
TURN_TIMEOUT_S = 180


@dataclass(frozen=True)
class ChatEvent:
    """Where the "Vraag stellen" event lives in the app's ``/config``."""

    fn_index: int
    trigger_id: int
    inputs: tuple[int, ...]
    question_id: int
    chatbot_index: int
    notice_index: int


def chat_event(base: str) -> ChatEvent:
    """Find the chat's ask event by its trigger (the button ``#vb-send``), not by a hard-coded index."""
    config = httpx.get(f"{base}/config", timeout=30).raise_for_status().json()
    by_elem = {c.get("props", {}).get("elem_id"): c["id"] for c in config["components"] if c.get("props")}
    send, question, chatbot, notice = (by_elem[k] for k in ("vb-send", "vb-question", "vb-chat", "vb-notice"))
    for dep in config["dependencies"]:
        if [send, "click"] in [list(t) for t in dep["targets"]]:
            return ChatEvent(
                fn_index=int(dep["id"]),
                trigger_id=send,
                inputs=tuple(dep["inputs"]),
                question_id=question,
                chatbot_index=dep["outputs"].index(chatbot),
                notice_index=dep["outputs"].index(notice),
            )
    raise AssertionError("no event on the 'Vraag stellen' button in /config")


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


def plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def answer_body(answer_html: str) -> str:
    """The answer as plain text, without the source panels under it."""
    return plain(answer_html.split('<div class="vb-bronnen"', 1)[0])


@dataclass
class Turn:
    question: str
    answer_html: str = ""
    user_messages: list[str] = field(default_factory=list)
    n_messages: int = 0
    notice: str = ""
    latency_s: float = 0.0
    first_update_s: float | None = None
    max_rank: int | None = None


class ChatSession:
    """One visitor: own HTTP connection and cookies, own Gradio ``session_hash``."""

    def __init__(self, base: str, event: ChatEvent, source: str | None = None) -> None:
        """``source``: a local address to connect from (e.g. ``127.0.0.42``): the app then sees
        another client, with its own rate limits, as in a real crowd."""
        self.base = base
        self.event = event
        self.session_hash = secrets.token_hex(6)
        transport = httpx.HTTPTransport(local_address=source) if source else None
        self.http = httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0), transport=transport)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ChatSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ask(self, question: str) -> Turn:
        """Ask like the browser does and wait for the final answer (bounded by TURN_TIMEOUT_S)."""
        ev = self.event
        data = [question if i == ev.question_id else None for i in ev.inputs]  # gr.State stays on the server
        turn = Turn(question)
        t0 = time.perf_counter()
        deadline = time.monotonic() + TURN_TIMEOUT_S
        joined = self.http.post(
            f"{self.base}/gradio_api/queue/join",
            json={
                "data": data,
                "fn_index": ev.fn_index,
                "trigger_id": ev.trigger_id,
                "session_hash": self.session_hash,
                "event_data": None,
            },
        )
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        for msg in queue_messages(self.http, self.base, self.session_hash, event_id, deadline, f"{question!r}"):
            kind = msg.get("msg")
            if kind == "estimation" and isinstance(msg.get("rank"), int):
                turn.max_rank = max(turn.max_rank or 0, msg["rank"])
            elif kind == "process_generating" and turn.first_update_s is None:
                turn.first_update_s = time.perf_counter() - t0
            elif kind == "unexpected_error":
                raise RuntimeError(f"server error: {msg.get('message')}")
            elif kind == "close_stream":
                raise RuntimeError("the server closed the stream before the answer was complete")
            elif kind == "process_completed" and msg.get("event_id") == event_id:
                turn.latency_s = time.perf_counter() - t0
                if not msg.get("success"):
                    raise RuntimeError(f"the event failed: {msg.get('output')}")
                outputs = msg["output"]["data"]
                chat = outputs[ev.chatbot_index] or []
                turn.n_messages = len(chat)
                turn.answer_html = _message_text(chat[-1]) if chat else ""
                turn.user_messages = [plain(_message_text(m)) for m in chat if m.get("role") == "user"]
                notice = outputs[ev.notice_index]
                turn.notice = notice if isinstance(notice, str) else ""
                return turn
        raise AssertionError("unreachable: queue_messages ends with a final message or raises")


def queue_messages(
    http: httpx.Client, base: str, session_hash: str, event_id: str, deadline: float, what: str
) -> Iterator[dict[str, Any]]:
    """The session's server-sent messages up to and including the last one of ``event_id``.

    That is its ``process_completed``, or an ``unexpected_error``/``close_stream``;
    raises TimeoutError past ``deadline`` (``time.monotonic()``) and RuntimeError
    when the stream ends first.  ``what`` names the event in those messages.
    """
    with http.stream("GET", f"{base}/gradio_api/queue/data", params={"session_hash": session_hash}) as stream:
        stream.raise_for_status()
        for line in stream.iter_lines():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} did not finish in time")
            if not line.startswith("data:"):
                continue
            msg: dict[str, Any] = json.loads(line[5:])
            yield msg
            kind = msg.get("msg")
            if kind in ("unexpected_error", "close_stream") or (
                kind == "process_completed" and msg.get("event_id") == event_id
            ):
                return
    raise RuntimeError(f"the event stream ended before {what} was complete")
