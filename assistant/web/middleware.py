"""HTTP-level protections of the web app, as pure ASGI middleware (no body is buffered here).

* :class:`BodyLimit` refuses a request whose body is over the limit of its path,
  from ``Content-Length`` alone before anything is read, or as soon as a body
  without a length passes the limit.
* :class:`CrossOriginGuard` refuses state-changing requests (POST, PUT, PATCH,
  DELETE) that a browser sent from another site: ``Sec-Fetch-Site`` when the browser
  sends it, otherwise ``Origin`` against the request's own host and the configured
  public origins.  Requests without either (scripts, ``curl``) are no cross-site
  requests and pass; the staff pages still need a session for anything.  This is
  the algorithm of Go's ``net/http.CrossOriginProtection``.
* :class:`SecurityHeaders` adds ``X-Frame-Options``, ``nosniff`` and a referrer policy.
* :class:`RemoveAfterDownload` deletes a CSV export (personal data) once it was
  downloaded: the copy Gradio served and the original in the export folder.
* :class:`AccessLogFilter` takes query strings (Gradio's ``session_hash``) out of
  uvicorn's access log.

Client addresses come from uvicorn's ``ProxyHeadersMiddleware`` with the trusted
proxies of the settings (see :func:`assistant.web.app.build_app`).
"""

from __future__ import annotations

import fnmatch
import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

logger = logging.getLogger(__name__)

#: A session hash (or event id) as a path segment of a Gradio route.
_HASH_IN_PATH = re.compile(r"(/gradio_api/(?:heartbeat|stream)/)[^/]+")

__all__ = ["AccessLogFilter", "BodyLimit", "CrossOriginGuard", "RemoveAfterDownload", "SecurityHeaders", "send_json"]

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

#: Sent with every response: no framing (clickjacking), no MIME sniffing, no full referrers.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
TOO_LARGE = "Dit verzoek is te groot en werd niet gelezen. Maak je vraag of bestand kleiner en probeer het opnieuw."
CROSS_SITE = "Dit verzoek kwam van een andere website en werd geweigerd. Gebruik de Vraagbaak rechtstreeks."
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def send_json(send: Any, status: int, detail: str, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    """A small JSON response ``{"detail": ...}`` (what Gradio's page shows as the error text)."""
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse bodies over ``limit_for(path)`` bytes with 413, without reading them."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(str(scope.get("path", "")))
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._refuse(scope, send, limit, length)
            return
        received = 0
        started = False

        async def counted_receive() -> MutableMapping[str, Any]:
            nonlocal received
            message: MutableMapping[str, Any] = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException: the route reading the body answers 413 with it.
                    raise HTTPException(413, TOO_LARGE)
            return message

        async def tracked_send(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            started = started or message.get("type") == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except HTTPException as err:
            if err.status_code != 413 or started:
                raise
            await self._refuse(scope, send, limit, "more")

    @staticmethod
    async def _refuse(scope: Scope, send: Any, limit: int, length: str) -> None:
        logger.warning(
            "request body over %d bytes refused: %s %s (%s bytes)",
            limit,
            scope.get("method"),
            scope.get("path"),
            length[:20],
        )
        await send_json(send, 413, TOO_LARGE, [(b"connection", b"close")])


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


class CrossOriginGuard:
    """Refuse state-changing requests a browser sent from another origin (403, Dutch message)."""

    def __init__(self, app: ASGIApp, trusted_origins: Sequence[str] = ()) -> None:
        self.app = app
        self.trusted = frozenset(o.lower().rstrip("/") for o in trusted_origins)

    def allowed(self, headers: Headers) -> bool:
        """The cross-origin decision for one request's headers."""
        origin = (headers.get("origin") or "").lower()
        site = headers.get("sec-fetch-site")
        if site is not None:
            return site in ("same-origin", "none") or origin in self.trusted
        if not origin:
            return True  # not a browser, or one that sends neither header: no cross-site request
        if origin in self.trusted:
            return True
        host = (headers.get("host") or "").lower()
        return bool(host) and urlsplit(origin).netloc == host

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and scope.get("method") in _UNSAFE:
            headers = Headers(scope=scope)
            if not self.allowed(headers):
                logger.warning(
                    "cross-site %s %s refused (origin %s)",
                    scope.get("method"),
                    str(scope.get("path"))[:100],
                    _origin_of(headers.get("origin") or "")[:100] or "-",
                )
                await send_json(send, 403, CROSS_SITE)
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Add :data:`SECURITY_HEADERS` to every response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RemoveAfterDownload:
    """After a complete ``200`` download of a file named like ``pattern`` from Gradio's file route
    under ``prefix``, delete that file (it must lie in ``served_from``, Gradio's cache) and the
    original of the same name in ``export_dir``: an export with personal data is fetched once
    and then gone, instead of waiting for the cache to expire.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        served_from: Path,
        export_dir: Path,
        pattern: str = "vraagbaak-aanvragen-*.csv",
    ) -> None:
        self.app = app
        self.route = f"{prefix.rstrip('/')}/gradio_api/file="
        self.served_from = served_from.resolve()
        self.export_dir = export_dir
        self.pattern = pattern

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = str(scope.get("path", ""))
        if scope.get("type") != "http" or scope.get("method") != "GET" or not path.startswith(self.route):
            await self.app(scope, receive, send)
            return
        target = Path(unquote(path[len(self.route) :]))
        if not fnmatch.fnmatch(target.name, self.pattern):
            await self.app(scope, receive, send)
            return
        status = 0

        async def watching_send(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message.get("type") == "http.response.start":
                status = int(message.get("status", 0))
            elif message.get("type") == "http.response.body" and not message.get("more_body", False) and status == 200:
                self._remove(target)  # read to the end: gone before the last bytes reach the browser
            await send(message)

        await self.app(scope, receive, watching_send)

    def _remove(self, target: Path) -> None:
        try:
            served = target.resolve()
        except OSError:
            return
        if not served.is_relative_to(self.served_from):
            return
        for path in (served, *self.export_dir.glob(f"*/{target.name}")):
            try:
                path.unlink(missing_ok=True)
                path.parent.rmdir()  # the per-file folder Gradio and the export made; fails when not empty
            except OSError:
                pass
        logger.info("export removed after its download")


class AccessLogFilter(logging.Filter):
    """Take Gradio session hashes out of uvicorn's access log lines: the query string
    (``queue/data?session_hash=…``) and the path segment after ``heartbeat/`` and
    ``stream/`` (a browser keeps ``GET /gradio_api/heartbeat/<session hash>`` open while
    the chat has state).

    uvicorn logs ``'%s - "%s %s HTTP/%s" %d'`` with the full path as the third argument.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, question_mark, _ = args[2].partition("?")
            cleaned = _HASH_IN_PATH.sub(r"\1…", path) + ("?…" if question_mark else "")
            if cleaned != args[2]:
                record.args = (*args[:2], cleaned, *args[3:])
        return True

    @classmethod
    def install(cls, logger_name: str = "uvicorn.access") -> None:
        """Add the filter to uvicorn's access logger (once)."""
        target = logging.getLogger(logger_name)
        if not any(isinstance(f, cls) for f in target.filters):
            target.addFilter(cls())
