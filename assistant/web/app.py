"""The web app: a public chat for sector workers and a protected triage page for staff.

:func:`build_app` returns one FastAPI application with two Gradio pages:

* ``/`` — the chat (open to everyone): streaming answers whose ``[n]`` markers
  open the cited passage, example questions, follow-up questions, thumbs up/down
  with an optional comment, and a form to pass a question on to staff.
* ``/staff/`` — the triage page, behind Gradio's login with the accounts of
  ``settings.staff_file`` (argon2; failed attempts rate limited per user name and
  per client address with :class:`assistant.web.auth.LoginLimiter`).  Without a login
  its config, queue, API and file routes answer 401; every staff handler checks
  the session's staff member again on the server.

``python app.py`` builds the settings, calls :func:`build_app` and serves it with
uvicorn on ``settings.host:settings.port``.  Per-user state lives in the Gradio
session (``gr.State``), the database and the index; nothing about a conversation
is kept in module globals.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from gradio.utils import get_upload_folder

from ..errors import AccessDeniedError
from ..settings import Settings
from ..triage.service import TriageService
from ..vraagbaak import Vraagbaak, get_assistant
from .auth import LoginLimiter, read_accounts, verify_login
from .chat import ChatHandlers, build_chat_blocks
from .render import STYLESHEET, chat_script
from .staff import StaffHandlers, build_staff_blocks

logger = logging.getLogger(__name__)

__all__ = ["STAFF_PATH", "ChatHandlers", "StaffHandlers", "build_app", "make_staff_auth"]

#: Where the staff page is mounted.
STAFF_PATH = "/staff"

#: The client address of the HTTP request being handled (for the login rate limit).
_client_address: contextvars.ContextVar[str] = contextvars.ContextVar("vraagbaak_client_address", default="")

AUTH_MESSAGE = (
    "Deze pagina is enkel voor medewerkers van Socius. Meld je aan met je medewerkersaccount. "
    "Na vijf mislukte pogingen per minuut wordt aanmelden even geblokkeerd."
)

_COMMON_MOUNT: dict[str, Any] = {
    "ssr_mode": False,
    "footer_links": [],
    "run_history": False,
    "mcp_server": False,
    "pwa": False,
    "enable_monitoring": False,
    "css_paths": [STYLESHEET],
}


#: Sent with every response: no framing (clickjacking), no MIME sniffing, no full referrers.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


class _RequestContextMiddleware:
    """Pure ASGI middleware: remember the client address (login rate limit), add security headers."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        token = _client_address.set(str(client[0]) if client else "")

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            _client_address.reset(token)


def make_staff_auth(settings: Settings, limiter: LoginLimiter) -> Callable[[str, str], Awaitable[bool]]:
    """Gradio's ``auth`` callable: argon2 check of the staff file, rate limited.

    The check runs in a worker thread (argon2 is deliberately slow).  Unknown
    user, wrong password and "too many attempts" all answer ``False``: the login
    page shows the same message, so names cannot be probed.
    """

    async def staff_auth(username: str, password: str) -> bool:
        client = _client_address.get()
        try:
            await asyncio.to_thread(verify_login, Path(settings.staff_file), username, password, limiter, client)
        except AccessDeniedError as err:
            logger.warning("staff login refused (client %s): %s", client or "?", err)
            return False
        logger.info("staff login ok (client %s)", client or "?")
        return True

    return staff_auth


def _warm(assistant: Vraagbaak, ready: threading.Event) -> None:
    try:
        assistant.warm()
    except Exception as err:  # the chat shows the error per question; the page still loads
        logger.warning("could not load the index and models at start-up: %s", err)
    finally:
        ready.set()


def build_app(settings: Settings, *, assistant: Vraagbaak | None = None, warm: bool = True) -> FastAPI:
    """The FastAPI app with the chat at ``/`` and the staff page at ``/staff/``.

    ``warm`` loads the index and models in a background thread, so the server
    answers at once and the first question is fast; ``GET /healthz`` reports
    ``{"status": "ok", "ready": true}`` once that is done.
    """
    va = assistant if assistant is not None else get_assistant(settings)
    app = FastAPI(title="Vraagbaak", docs_url=None, redoc_url=None, openapi_url=None)
    ready = threading.Event()
    if warm:
        threading.Thread(target=_warm, args=(va, ready), name="vraagbaak-warm", daemon=True).start()
    else:
        ready.set()

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "ready": ready.is_set()})

    if not read_accounts(Path(settings.staff_file)):
        logger.warning(
            "no staff accounts in %s: the staff page stays locked; add one with `python -m assistant staff add NAME`",
            settings.staff_file,
        )
    limiter = LoginLimiter(settings.login_attempts_per_minute)
    triage = TriageService.from_settings(settings)
    staff = build_staff_blocks(StaffHandlers(settings, desk=triage), logout_url=f"{STAFF_PATH}/logout")
    chat = build_chat_blocks(ChatHandlers(settings, va, intake=triage))
    # The staff page first: Starlette matches mounts in order and "/" matches everything.
    gr.mount_gradio_app(
        app,
        staff,
        path=STAFF_PATH,
        auth=make_staff_auth(settings, limiter),
        auth_message=AUTH_MESSAGE,
        max_file_size="1mb",
        **_COMMON_MOUNT,
    )
    # The chat serves no files: block Gradio's shared upload/cache folder there, so
    # files made on the staff page (CSV exports) can only be fetched through /staff.
    gr.mount_gradio_app(
        app,
        chat,
        path="/",
        js=chat_script(),
        max_file_size="1mb",
        blocked_paths=[get_upload_folder()],
        **_COMMON_MOUNT,
    )
    app.add_middleware(_RequestContextMiddleware)
    return app
