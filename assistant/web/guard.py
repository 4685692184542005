"""What a Gradio page accepts over HTTP: only the routes and events its UI uses, at a bounded rate.

:class:`EventGuard` sits in front of one mounted Gradio app (ASGI middleware) and

* refuses the routes the page's UI never calls (``run``/``api``/``call`` by event
  name, ``openapi.json``, uploads when the page takes no files, ...) with a 404, so no
  event is reachable by name, whether or not it is marked private;
* reads a ``queue/join`` body (already bounded by :class:`~assistant.web.middleware.BodyLimit`)
  and refuses, before Gradio sees it: an event number the page does not have (404 and
  one short log line, instead of Gradio's 7 KB traceback), text with a lone surrogate
  (400, :data:`assistant.inputs.UNREADABLE`), and an event over its rate limit
  (429 with a Dutch message, per client address and for the whole app).

The page shows the ``detail`` of a refused join as its error message.  Client
addresses are the peer address unless a trusted proxy says otherwise (uvicorn's
``ProxyHeadersMiddleware``, configured in :func:`assistant.web.app.build_app`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, QuestionError
from ..inputs import check_readable
from .middleware import send_json

logger = logging.getLogger(__name__)

__all__ = ["EventGuard", "EventLimit", "WindowLimiter"]

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

#: Gradio routes (under ``gradio_api/``) that no page of ours calls from its UI.
API_ONLY_ROUTES: tuple[str, ...] = (
    "run/",
    "api/",
    "call/",
    "openapi.json",
    "mcp",
    "process_recording",
    "component_server",
    "profiling/",
    "deep_link",  # gr.DeepLinkButton's: writes the session's values to a file; no page has one
)
UPLOAD_ROUTES: tuple[str, ...] = ("upload", "upload_progress")
UNKNOWN_EVENT = "Deze actie bestaat niet op deze pagina. Laad de pagina opnieuw."


class WindowLimiter:
    """At most ``per_minute`` hits per key in any 60 seconds (sliding window, thread-safe)."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _window(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= 60:
            hits.popleft()
        return hits

    def full(self, key: str) -> bool:
        """True when ``key`` used its hits of the last minute."""
        with self._lock:
            return len(self._window(key, self._clock())) >= self.per_minute

    def hit(self, key: str) -> None:
        """Count one hit for ``key``."""
        with self._lock:
            now = self._clock()
            if len(self._hits) > 50_000:  # forget idle keys; bounded memory under a flood of addresses
                self._hits = {k: q for k, q in self._hits.items() if q and now - q[-1] < 60}
            self._window(key, now).append(now)


@dataclass(frozen=True)
class EventLimit:
    """Rate limits of one event: per client address and for the whole app, with their messages."""

    per_client: int
    total: int
    client_message: str
    total_message: str


class _Limiter:
    def __init__(self, limit: EventLimit) -> None:
        self.limit = limit
        self.clients = WindowLimiter(limit.per_client)
        self.everyone = WindowLimiter(limit.total)
        self._lock = threading.Lock()

    def refusal(self, client: str) -> str | None:
        """None and counted when allowed; the Dutch message otherwise (not counted)."""
        with self._lock:
            if self.clients.full(client):
                return self.limit.client_message
            if self.everyone.full("*"):
                return self.limit.total_message
            self.clients.hit(client)
            self.everyone.hit("*")
        return None


class _BoundedLog:
    """At most ``per_minute`` warnings a minute per message; the rest are counted and summed up
    in the next line of that message."""

    def __init__(self, per_minute: int = 10) -> None:
        self._window = WindowLimiter(per_minute)
        self._skipped: dict[str, int] = {}
        self._lock = threading.Lock()

    def warning(self, message: str, *args: Any) -> None:
        with self._lock:
            if self._window.full(message):
                self._skipped[message] = self._skipped.get(message, 0) + 1
                return
            self._window.hit(message)
            skipped = self._skipped.pop(message, 0)
        suffix = f" ({skipped} similar lines left out)" if skipped else ""
        logger.warning(message + suffix, *args)


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class EventGuard:
    """ASGI middleware in front of the Gradio app mounted at ``prefix`` (see the module doc)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        events: Mapping[int, str],
        limits: Mapping[str, EventLimit] | None = None,
        uploads: bool = False,
    ) -> None:
        """``events``: the page's event numbers and their handler names (:func:`event_names`);
        ``limits``: handler name -> limit; a name the page lacks is a :class:`ConfigError`."""
        self.app = app
        self.api = f"{prefix.rstrip('/')}/gradio_api/"
        self.events = dict(events)
        limits = dict(limits or {})
        missing = set(limits) - set(self.events.values())
        if missing:
            raise ConfigError(
                f"snelheidslimieten voor gebeurtenissen die de pagina niet heeft: {sorted(missing)}; verwijder ze of verbeter de naam."
            )
        self._limiters = {name: _Limiter(limit) for name, limit in limits.items()}
        refused = API_ONLY_ROUTES + (() if uploads else UPLOAD_ROUTES)
        self._refused = tuple(self.api + r for r in refused)
        self._log = _BoundedLog()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = str(scope.get("path", ""))
        if scope.get("type") != "http" or not path.startswith(self.api):
            await self.app(scope, receive, send)
            return
        if path.startswith(self._refused):
            self._log.warning("route refused: %s %s", scope.get("method"), _short(path[len(self.api) :], 60))
            await send_json(send, 404, "Not Found")
            return
        if path == f"{self.api}queue/join" and scope.get("method") == "POST":
            body = await _read(receive)
            refusal = self._check_join(body, _client(scope))
            if refusal is not None:
                status, detail = refusal
                await send_json(send, status, detail)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def _check_join(self, body: bytes, client: str) -> tuple[int, str] | None:
        try:
            payload = json.loads(body)
        except ValueError:
            return None  # not JSON: Gradio answers 422 itself
        if not isinstance(payload, dict):
            return None
        fn_index = payload.get("fn_index")
        name = self.events.get(fn_index) if isinstance(fn_index, int) and not isinstance(fn_index, bool) else None
        if name is None:
            self._log.warning("unknown event refused: fn_index=%s from %s", _short(fn_index), client or "?")
            return 404, UNKNOWN_EVENT
        try:
            check_readable([payload.get("data"), payload.get("event_data")])
        except QuestionError as err:
            return 400, str(err)
        limiter = self._limiters.get(name)
        message = limiter.refusal(client) if limiter else None
        if message is not None:
            self._log.warning("rate limit: %s refused for %s", name, client or "?")
            return 429, message
        return None


def event_names(blocks: Any, exclude_modules: Collection[str] = ("gradio.",)) -> dict[int, str]:
    """A Gradio Blocks' event numbers -> handler names (``ask``, ``submit_request`` ...); Gradio's own
    helpers (the examples loader) keep their number under the name ``gradio``."""
    names: dict[int, str] = {}
    for index, block_fn in blocks.fns.items():
        fn = getattr(block_fn, "fn", None)
        module = getattr(fn, "__module__", "") or ""
        own = fn is not None and not module.startswith(tuple(exclude_modules))
        names[int(index)] = getattr(fn, "__name__", "?") if own else "gradio"
    return names


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""


async def _read(receive: Any) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message.get("type") != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Any) -> Any:
    sent = False

    async def replayed() -> MutableMapping[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        message: MutableMapping[str, Any] = await receive()
        return message

    return replayed
