"""The staff login: a Dutch login page, server-side sessions, logout by POST with a CSRF token.

Gradio's own login (English, tokens that never expire, a ``SameSite=None`` cookie and
a logout by GET that ends every session of the user) is not used.  Instead:

* ``GET /staff/login`` shows the Dutch page; ``POST /staff/login`` checks the
  password (argon2, :class:`~assistant.web.auth.LoginThrottle`) and starts a
  :class:`~assistant.web.sessions.Session`.  The session cookie is ``HttpOnly``,
  ``SameSite=Strict``, limited to ``/staff`` and ``Secure`` when the app is served
  over HTTPS.  A browser form gets a redirect to the staff page; a script (no
  ``text/html`` in ``Accept``) gets ``{"success": true}`` as from Gradio's login.
* ``GET /staff/logout`` shows a page with a logout button; ``POST /staff/logout``
  ends this session only, and only with the session's CSRF token.
* :meth:`StaffLogin.user` is the staff app's ``auth_dependency``: Gradio asks it on
  every route which staff member a request belongs to (``None`` = 401).
* :meth:`StaffLogin.gate` sends an anonymous browser from ``/staff/`` to the login page.

Cross-site POSTs to any of this are refused earlier, by
:class:`assistant.web.middleware.CrossOriginGuard`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader

from ..errors import AccessDeniedError
from ..settings import Settings
from .auth import WRONG_LOGIN, LoginThrottle, LoginThrottledError, Role, StaffAccounts, verify_login
from .sessions import Session, StaffSessions

logger = logging.getLogger(__name__)

__all__ = ["DEVICE_COOKIE", "SESSION_COOKIE", "StaffLogin"]

SESSION_COOKIE = "vb_staff"
#: Marks a browser that logged in to an account before (see LoginThrottle): it passes the account-wide delay.
DEVICE_COOKIE = "vb_device"
_DEVICE_DAYS = 180
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True, auto_reload=False
)

ASGIApp = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]


class StaffLogin:
    """Login page, sessions and logout of the staff app mounted at ``prefix``."""

    def __init__(
        self,
        settings: Settings,
        *,
        prefix: str = "/staff",
        accounts: StaffAccounts | None = None,
        sessions: StaffSessions | None = None,
        throttle: LoginThrottle | None = None,
        role: Role | None = None,
        title: str = "Aanmelden voor medewerkers",
    ) -> None:
        self.settings = settings
        self.prefix = prefix.rstrip("/")
        #: Only accounts with this role may log in here and use the app (e.g. the Evaluatie page).
        self.role = role
        self.title = title
        self.accounts = accounts or StaffAccounts.from_settings(settings)
        self.sessions = sessions or StaffSessions.from_settings(settings)
        self.throttle = throttle or LoginThrottle(settings.login_free_attempts, base_s=settings.login_delay_s)

    # ------------------------------------------------------------------ who is this

    def session(self, request: Request) -> Session | None:
        """The live session of the request's cookie whose account still exists (else None)."""
        session = self.sessions.get(request.cookies.get(SESSION_COOKIE))
        account = self.accounts.get(session.name) if session is not None else None
        if session is not None and (account is None or (self.role is not None and not account.has(self.role))):
            self.sessions.end(session.token)  # the account was removed or lost the role: its sessions end
            return None
        return session

    def user(self, request: Request) -> str | None:
        """Gradio's ``auth_dependency``: the staff member's name, or None (Gradio answers 401)."""
        session = self.session(request)
        return session.name if session else None

    # ------------------------------------------------------------------ routes

    def router(self) -> APIRouter:
        """The login and logout routes; include them before the staff app is mounted."""
        router = APIRouter()
        router.add_api_route(f"{self.prefix}/login", self.login_page, methods=["GET"], include_in_schema=False)
        router.add_api_route(f"{self.prefix}/login", self.login, methods=["POST"], include_in_schema=False)
        router.add_api_route(f"{self.prefix}/logout", self.logout_page, methods=["GET"], include_in_schema=False)
        router.add_api_route(f"{self.prefix}/logout", self.logout, methods=["POST"], include_in_schema=False)
        return router

    async def login_page(self, request: Request) -> Response:
        """The Dutch login page (or the staff page, for a staff member who is logged in)."""
        if self.session(request) is not None:
            return RedirectResponse(f"{self.prefix}/", status_code=303)
        notice = "Je bent afgemeld." if request.query_params.get("afgemeld") == "1" else ""
        return self._page(notice=notice, kind="ok")

    async def login(self, request: Request) -> Response:
        """Check the password; start a session and set its cookie."""
        form = await request.form()
        name = str(form.get("username") or "").strip()[:200]
        password = str(form.get("password") or "")[:1000]
        client = request.client.host if request.client else ""
        device = request.cookies.get(DEVICE_COOKIE)
        wants_html = "text/html" in request.headers.get("accept", "")
        try:
            await asyncio.to_thread(verify_login, self.accounts.path, name, password, self.throttle, client, device)
        except LoginThrottledError as err:
            logger.warning("staff login refused (client %s): %s", client or "?", err)
            retry = {"Retry-After": str(max(1, round(err.wait_s)))}
            if wants_html:
                return self._page(notice=str(err), username=name, status=429, headers=retry)
            return JSONResponse({"detail": str(err)}, status_code=429, headers=retry)
        except AccessDeniedError as err:
            logger.warning("staff login refused (client %s): %s", client or "?", err)
            if wants_html:
                return self._page(notice=WRONG_LOGIN, username=name, status=401)
            return JSONResponse({"detail": WRONG_LOGIN}, status_code=401)
        if self.role is not None:
            try:
                self.accounts.require_role(SimpleNamespace(username=name), self.role)
            except AccessDeniedError as err:  # the right password, without the role this page needs
                logger.warning("staff login refused (client %s): role %s missing", client or "?", self.role.value)
                if wants_html:
                    return self._page(notice=str(err), username=name, status=403)
                return JSONResponse({"detail": str(err)}, status_code=403)
        self.sessions.end(request.cookies.get(SESSION_COOKIE))  # a browser holds one session at a time
        session = self.sessions.start(name)
        logger.info("staff login ok (client %s)", client or "?")
        response: Response = (
            RedirectResponse(f"{self.prefix}/", status_code=303) if wants_html else JSONResponse({"success": True})
        )
        secure = self._https(request)
        response.set_cookie(
            SESSION_COOKIE, session.token, path=self.prefix, httponly=True, samesite="strict", secure=secure
        )
        response.set_cookie(
            DEVICE_COOKIE,
            self.throttle.device_token(name),
            max_age=_DEVICE_DAYS * 86400,
            path=f"{self.prefix}/login",
            httponly=True,
            samesite="strict",
            secure=secure,
        )
        return response

    async def logout_page(self, request: Request) -> Response:
        """A page with the logout button (a GET changes nothing)."""
        session = self.session(request)
        if session is None:
            return RedirectResponse(f"{self.prefix}/login", status_code=303)
        return self._page(title="Afmelden", logout=True, username=session.name, csrf=session.csrf, notice="", kind="ok")

    async def logout(self, request: Request) -> Response:
        """End this session when the form carries its CSRF token; other sessions stay open."""
        session = self.session(request)
        form = await request.form()
        if session is None:
            return RedirectResponse(f"{self.prefix}/login", status_code=303)
        if not session.csrf_matches(str(form.get("csrf") or "")):
            logger.warning("staff logout refused: missing or wrong form token")
            return self._page(
                title="Afmelden",
                logout=True,
                username=session.name,
                csrf=session.csrf,
                notice="Afmelden is niet gelukt: het formulier was verlopen. Klik nog eens op 'Afmelden'.",
                status=403,
            )
        self.sessions.end(session.token)
        response = RedirectResponse(f"{self.prefix}/login?afgemeld=1", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=self.prefix, httponly=True, samesite="strict")
        return response

    # ------------------------------------------------------------------ the gate in front of /staff/

    def gate(self, app: ASGIApp, pages: Collection[str] = ()) -> ASGIApp:
        """ASGI middleware: an anonymous ``GET /staff/`` (or of another staff ``page``) goes to the login page
        instead of a 401."""
        home = {p for page in (self.prefix, *pages) for p in (page.rstrip("/"), f"{page.rstrip('/')}/")}

        async def gated(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
            anonymous_home = (
                scope.get("type") == "http"
                and scope.get("method") in ("GET", "HEAD")
                and scope.get("path") in home
                and self.session(Request(scope)) is None
            )
            if anonymous_home:
                await RedirectResponse(f"{self.prefix}/login", status_code=303)(scope, receive, send)
                return
            await app(scope, receive, send)

        return gated

    # ------------------------------------------------------------------ helpers

    def _https(self, request: Request) -> bool:
        """Served over HTTPS: the request says so (a trusted proxy's X-Forwarded-Proto), or it came
        in under a configured ``https://`` public origin."""
        if request.url.scheme == "https":
            return True
        host = request.headers.get("host", "").lower()
        return any(url == f"https://{host}" for url in self.settings.public_urls)

    def _page(
        self,
        *,
        title: str = "",
        notice: str = "",
        kind: str = "error",
        username: str = "",
        logout: bool = False,
        csrf: str = "",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        html = _TEMPLATES.get_template("login.html").render(
            title=title or self.title,
            notice=notice,
            kind=kind,
            username=username,
            logout=logout,
            csrf=csrf,
            login_action=f"{self.prefix}/login",
            logout_action=f"{self.prefix}/logout",
            staff_home=f"{self.prefix}/",
        )
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})
