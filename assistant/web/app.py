"""The web app: a public chat for sector workers and a protected triage page for staff.

:func:`build_app` returns one FastAPI application with two Gradio pages:

* ``/`` — the chat (open to everyone): streaming answers whose ``[n]`` markers
  open the cited passage, example questions, follow-up questions, thumbs up/down
  with an optional comment, and a form to pass a question on to staff.
* ``/staff/`` — the triage page, behind the Dutch staff login of
  :class:`assistant.web.login.StaffLogin` (argon2, server-side sessions, failed
  attempts slowed down by :class:`assistant.web.auth.LoginThrottle`).  Without a
  session its config, queue, API and file routes answer 401; every staff handler
  checks the session's staff member and role again on the server.

Around both, as ASGI middleware (outermost first): client addresses from trusted
proxies only, security headers, a body-size limit per path, refusal of cross-site
state-changing requests, CORS for the configured public origins only, and per page
an :class:`assistant.web.guard.EventGuard` (no routes the UI does not use, no
unknown events, rate limits on chat turns and escalations).

``python app.py`` builds the settings, calls :func:`build_app` and serves it with
uvicorn on ``settings.host:settings.port``.  Per-user state lives in the Gradio
session (``gr.State``), the database and the index; nothing about a conversation
is kept in module globals.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from gradio.utils import get_upload_folder
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ..gaps.collect import GapSources, UnansweredLog
from ..settings import Settings
from ..sources import SourcesService
from ..triage.service import TriageService
from ..vraagbaak import Vraagbaak
from .auth import Role, read_accounts
from .chat import ChatHandlers, build_chat_blocks
from .evaluation import EVALUATION_STYLESHEET, EvaluationHandlers, build_evaluation_blocks, passages_of
from .gaps import GAPS_PATH, GapsHandlers, build_gaps_blocks
from .guard import EventGuard, EventLimit, event_names
from .lean import lighten
from .login import StaffLogin
from .middleware import AccessLogFilter, BodyLimit, CrossOriginGuard, RemoveAfterDownload, SecurityHeaders
from .render import STYLESHEET, chat_script
from .sources import SOURCES_PATH, SOURCES_STYLESHEET, SourcesHandlers, build_sources_blocks, sources_script
from .staff import StaffHandlers, build_staff_blocks

logger = logging.getLogger(__name__)

__all__ = ["STAFF_PATH", "ChatHandlers", "StaffHandlers", "build_app", "chat_limits"]

#: Where the staff page is mounted.
STAFF_PATH = "/staff"
#: Where the Evaluatie page is mounted (its own login: accounts with the evaluator role only).
EVALUATION_PATH = "/evaluatie"


_COMMON_MOUNT: dict[str, Any] = {
    "ssr_mode": False,
    "footer_links": [],
    "run_history": False,
    "mcp_server": False,
    "pwa": False,
    "enable_monitoring": False,
    "css_paths": [STYLESHEET],
}


def _no_route_list() -> dict[str, Any]:
    """Each Gradio app's FastAPI without ``/openapi.json`` (it listed ~70 internal routes, on the
    staff page without a login).  A new dict per mount: Gradio adds its lifespan to it."""
    return {"openapi_url": None, "docs_url": None, "redoc_url": None}


def chat_limits(settings: Settings) -> dict[str, EventLimit]:
    """Rate limits of the chat's events (handler name -> limit), with their Dutch messages."""
    busy = "De Vraagbaak krijgt op dit moment erg veel vragen. Probeer het over een minuut opnieuw."
    turns = EventLimit(
        settings.chat_turns_per_minute,
        settings.chat_turns_per_minute_total,
        "Je stelde de voorbije minuut erg veel vragen. Wacht een minuut en probeer het dan opnieuw.",
        busy,
    )
    return {
        "ask": turns,
        "rate": turns,
        "submit_request": EventLimit(
            settings.escalations_per_minute,
            settings.escalations_per_minute_total,
            "Je gaf de voorbije minuut al veel vragen door aan een medewerker. "
            "Wacht een minuut en probeer het dan opnieuw.",
            "Er worden op dit moment erg veel vragen doorgegeven. Probeer het over enkele minuten opnieuw.",
        ),
    }


def _body_limit(settings: Settings) -> Callable[[str], int]:
    public = settings.max_body_kb * 1024
    staff = max(public, 1024 * 1024)
    upload = max(staff, int(settings.max_file_mb * 1024 * 1024))

    def limit_for(path: str) -> int:
        if not path.startswith(f"{STAFF_PATH}/"):
            return public
        return (
            upload
            if path.startswith((f"{STAFF_PATH}/gradio_api/upload", f"{SOURCES_PATH}/gradio_api/upload"))
            else staff
        )

    return limit_for


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
    va = assistant if assistant is not None else Vraagbaak(settings)
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
    login = StaffLogin(settings, prefix=STAFF_PATH)
    app.include_router(login.router())  # before the mounts: these routes win over Gradio's /login and /logout
    triage = TriageService.from_settings(settings)
    exports = Path(tempfile.mkdtemp(prefix="vraagbaak-exports-"))  # mode 0700
    staff = build_staff_blocks(
        StaffHandlers(settings, export_dir=exports, desk=triage), logout_url=f"{STAFF_PATH}/logout"
    )
    gaps = UnansweredLog(triage.database)
    chat = build_chat_blocks(ChatHandlers(settings, va, intake=triage, gaps=gaps))
    evaluation_login = StaffLogin(
        settings, prefix=EVALUATION_PATH, role=Role.EVALUATOR, title="Aanmelden voor evaluatoren"
    )
    app.include_router(evaluation_login.router())
    evaluation = build_evaluation_blocks(
        EvaluationHandlers(settings, passages=passages_of(va)), logout_url=f"{EVALUATION_PATH}/logout"
    )
    gr.mount_gradio_app(
        app,
        evaluation,
        path=EVALUATION_PATH,
        auth_dependency=evaluation_login.user,
        js=chat_script(),  # opens a source panel when its [n] is clicked, as in the chat
        max_file_size="1mb",
        blocked_paths=[get_upload_folder()],
        app_kwargs=_no_route_list(),
        **{**_COMMON_MOUNT, "css_paths": [STYLESHEET, EVALUATION_STYLESHEET]},
    )
    # The Bronnen and Kennislacunes pages live under /staff (its login and session) and are
    # mounted before it: Starlette matches mounts in order, and "/staff" matches "/staff/bronnen".
    # The service publishes into the index the chat reads and embeds with its loaded model; an
    # assistant passed in that is no Vraagbaak (a test's fake) has neither: the settings' index then.
    own = isinstance(va, Vraagbaak)
    sources = SourcesService.open(
        settings, triage.database, index=va.index if own else None, embedder=va.embedder if own else None
    )
    bronnen = build_sources_blocks(SourcesHandlers(settings, sources), logout_url=f"{STAFF_PATH}/logout")
    lacunes = build_gaps_blocks(
        GapsHandlers(settings, GapSources(settings, triage.database)), logout_url=f"{STAFF_PATH}/logout"
    )
    for page, path, script in ((bronnen, SOURCES_PATH, sources_script()), (lacunes, GAPS_PATH, None)):
        gr.mount_gradio_app(
            app,
            page,
            path=path,
            auth_dependency=login.user,
            max_file_size=int(settings.max_file_mb * 1024 * 1024),
            js=script,
            app_kwargs=_no_route_list(),
            **{**_COMMON_MOUNT, "css_paths": [STYLESHEET, SOURCES_STYLESHEET]},
        )
    # The staff page next: "/" matches everything.
    gr.mount_gradio_app(
        app,
        staff,
        path=STAFF_PATH,
        auth_dependency=login.user,
        max_file_size=int(settings.max_file_mb * 1024 * 1024),
        app_kwargs=_no_route_list(),
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
        app_kwargs=_no_route_list(),
        **_COMMON_MOUNT,
    )
    for blocks in (staff, chat, evaluation, bronnen, lacunes):
        lighten(blocks)
    # Middleware: the last one added runs first.
    app.add_middleware(EventGuard, prefix=STAFF_PATH, events=event_names(staff), uploads=True)
    app.add_middleware(EventGuard, prefix=SOURCES_PATH, events=event_names(bronnen), uploads=True)
    app.add_middleware(EventGuard, prefix=GAPS_PATH, events=event_names(lacunes))
    app.add_middleware(EventGuard, prefix="/", events=event_names(chat), limits=chat_limits(settings))
    app.add_middleware(EventGuard, prefix=EVALUATION_PATH, events=event_names(evaluation))
    app.add_middleware(_Gate, login=login, pages=(SOURCES_PATH, GAPS_PATH))
    app.add_middleware(_Gate, login=evaluation_login)
    app.add_middleware(
        RemoveAfterDownload, prefix=STAFF_PATH, served_from=Path(get_upload_folder()), export_dir=exports
    )
    # Only the configured public origins get CORS allowances (never an echo of Origin); with
    # this middleware present Gradio adds no CORS headers of its own.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.public_urls),
        allow_credentials=True,
        allow_methods=["GET", "POST"],
        allow_headers=["content-type"],
    )
    app.add_middleware(CrossOriginGuard, trusted_origins=settings.public_urls)
    app.add_middleware(BodyLimit, limit_for=_body_limit(settings))
    app.add_middleware(SecurityHeaders)
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    AccessLogFilter.install()
    return app


class _Gate:
    """:meth:`StaffLogin.gate` as a middleware class (``add_middleware`` takes classes)."""

    def __init__(self, app: Callable[..., Awaitable[None]], login: StaffLogin, pages: tuple[str, ...] = ()) -> None:
        self._gated = login.gate(app, pages)

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        await self._gated(scope, receive, send)
