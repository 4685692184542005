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
from ..vraagbaak import Vraagbaak, get_assistant
from .auth import LoginLimiter, read_accounts, verify_login
from .chat import ChatHandlers, build_chat_blocks
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

# Opens the source panel of a clicked [n] marker.  Event delegation on the
# document, so it keeps working when the chat re-renders its messages.
CITATION_JS = """
() => {
  if (window.__vbCitations) { return; }
  window.__vbCitations = true;
  const openSource = (link) => {
    const id = (link.getAttribute('href') || '').replace(/^#/, '');
    if (!id) { return false; }
    const scope = link.closest('.vb-answer') || document;
    const panel = scope.querySelector('#' + CSS.escape(id)) || document.getElementById(id);
    if (!panel) { return false; }
    panel.open = true;
    panel.classList.add('vb-flash');
    setTimeout(() => panel.classList.remove('vb-flash'), 1200);
    panel.scrollIntoView({block: 'nearest'});
    const summary = panel.querySelector('summary');
    if (summary) { summary.focus({preventScroll: true}); }
    return true;
  };
  document.addEventListener('click', (event) => {
    const link = event.target && event.target.closest ? event.target.closest('a.vb-cite') : null;
    if (!link) { return; }
    event.preventDefault();
    event.stopPropagation();
    openSource(link);
  }, true);
  // Gradio labels each chat message with its raw content (our HTML source) in
  // aria-label; screen readers would read the tags.  Drop that label, so the
  // message's rendered text is read instead.
  const dropRawLabels = (root) => {
    root.querySelectorAll('[data-testid="bot"][aria-label], [data-testid="user"][aria-label]')
      .forEach((el) => el.removeAttribute('aria-label'));
  };
  new MutationObserver(() => dropRawLabels(document)).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label'],
  });
  dropRawLabels(document);
  document.addEventListener('keydown', (event) => {
    if (event.key !== ' ') { return; }
    const link = event.target && event.target.closest ? event.target.closest('a.vb-cite') : null;
    if (!link) { return; }
    event.preventDefault();
    openSource(link);
  }, true);
}
"""

CSS = """
.vb-header h1 { margin: 0 0 .25rem 0; font-size: 1.6rem; }
.vb-header p { margin: 0; max-width: 60rem; }
.vb-answer p, .vb-question p { margin: 0 0 .5rem 0; }
.vb-answer p:last-child, .vb-question p:last-child { margin-bottom: 0; }
.vb-pending { font-style: italic; opacity: .8; }
a.vb-cite { font-weight: 600; text-decoration: underline; padding: 0 .1rem; cursor: pointer; white-space: nowrap; }
a.vb-cite:focus-visible, .vb-bron summary:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.vb-bronnen { margin-top: .75rem; border-top: 1px solid var(--border-color-primary, #ddd); padding-top: .5rem; }
.vb-bronnen-kop { font-size: .85rem; opacity: .85; }
.vb-bron { margin: .35rem 0; border: 1px solid var(--border-color-primary, #ddd); border-radius: 6px;
  padding: .35rem .6rem; }
.vb-bron summary { cursor: pointer; }
.vb-bron[open] { background: var(--background-fill-secondary, #f7f7f7); }
.vb-bron.vb-flash { box-shadow: 0 0 0 3px #f5c04a; }
.vb-where { font-size: .9rem; }
.vb-passage-label { font-size: .8rem; margin: .4rem 0 .2rem 0; opacity: .85; }
.vb-chunk { margin: 0; padding: .4rem .6rem; border-left: 3px solid #b7c6e0; max-height: 16rem; overflow: auto;
  font-size: .9rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.vb-chunk mark { background: #ffe46b; color: #111; padding: 0 .1rem; }
.vb-link { margin: .4rem 0 0 0; overflow-wrap: anywhere; }
.vb-notice { padding: .5rem .75rem; border-radius: 6px; margin: .25rem 0; }
.vb-notice p { margin: 0; }
.vb-info { background: #eef4fb; color: #12345a; }
.vb-ok { background: #e7f6ea; color: #123d1d; }
.vb-error { background: #fdecec; color: #6b1111; }
.vb-question, .vb-answer { overflow-wrap: anywhere; }
.vb-request h3 { margin-top: .25rem; }
.vb-status { font-size: .85rem; padding: .1rem .5rem; border-radius: 999px; background: #eef; }
.vb-dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
.vb-dl dt { font-weight: 600; }
.vb-dl dd { margin: 0; overflow-wrap: anywhere; }
.vb-box, .vb-turn { border: 1px solid var(--border-color-primary, #ddd); border-radius: 6px; padding: .4rem .6rem;
  margin: .3rem 0; overflow-wrap: anywhere; }
.vb-turn-role { font-weight: 600; margin: 0 0 .2rem 0; }
.vb-turn-assistant { background: var(--background-fill-secondary, #f7f7f7); }
.vb-table-wrap { overflow-x: auto; }
.vb-audit { border-collapse: collapse; font-size: .85rem; }
.vb-audit th, .vb-audit td { border: 1px solid var(--border-color-primary, #ddd); padding: .2rem .4rem;
  text-align: left; }
@media (max-width: 480px) {
  .vb-header h1 { font-size: 1.3rem; }
  .vb-dl { grid-template-columns: 1fr; }
  .vb-dl dd { margin-bottom: .3rem; }
}
"""

_COMMON_MOUNT: dict[str, Any] = {
    "ssr_mode": False,
    "footer_links": [],
    "run_history": False,
    "mcp_server": False,
    "pwa": False,
    "enable_monitoring": False,
    "css": CSS,
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
    staff = build_staff_blocks(StaffHandlers(settings), logout_url=f"{STAFF_PATH}/logout")
    chat = build_chat_blocks(ChatHandlers(settings, va))
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
        js=CITATION_JS,
        max_file_size="1mb",
        blocked_paths=[get_upload_folder()],
        **_COMMON_MOUNT,
    )
    app.add_middleware(_RequestContextMiddleware)
    return app
