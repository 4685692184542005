"""Staff sessions kept on the server: a lifetime, an idle timeout and a CSRF token each.

The browser holds only a random token (cookie ``HttpOnly; SameSite=Strict``); the
server maps it to the staff member, so a session ends for real at logout, after
``settings.session_hours`` and after ``settings.session_idle_minutes`` without a
request, whatever the browser keeps.  Sessions live in the process's memory: a
restart logs everyone out, and with several app processes the reverse proxy must
keep a browser on one process (sticky sessions, as the Gradio queue needs anyway).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..settings import Settings

__all__ = ["Session", "StaffSessions"]

#: Open sessions per staff member; the oldest goes when a new login passes this.
MAX_SESSIONS_PER_USER = 10


@dataclass(frozen=True)
class Session:
    """One login.  ``token`` is the cookie value, ``csrf`` goes into forms (logout)."""

    name: str
    token: str = field(repr=False)
    csrf: str = field(repr=False)
    started: float
    seen: float

    def csrf_matches(self, candidate: str | None) -> bool:
        """Constant-time comparison of a submitted form token."""
        return bool(candidate) and hmac.compare_digest(self.csrf, str(candidate))


class StaffSessions:
    """The open staff sessions of this process (thread-safe)."""

    def __init__(self, lifetime_s: float, idle_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.lifetime_s = lifetime_s
        self.idle_s = idle_s
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> StaffSessions:
        """Lifetime and idle timeout from the settings."""
        return cls(settings.session_hours * 3600, settings.session_idle_minutes * 60)

    def start(self, name: str) -> Session:
        """A new session for ``name`` (a fresh token: no session fixation)."""
        now = self._clock()
        session = Session(name, secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now)
        with self._lock:
            self._drop_expired(now)
            own = sorted((s for s in self._sessions.values() if s.name == name), key=lambda s: s.seen)
            for old in own[: max(0, len(own) - MAX_SESSIONS_PER_USER + 1)]:
                del self._sessions[old.token]
            self._sessions[session.token] = session
        return session

    def get(self, token: str | None) -> Session | None:
        """The live session of ``token`` (its idle clock restarts), or None when unknown or expired."""
        if not token:
            return None
        now = self._clock()
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None
            if self._expired(session, now):
                del self._sessions[token]
                return None
            session = replace(session, seen=now)
            self._sessions[token] = session
            return session

    def end(self, token: str | None) -> bool:
        """End one session (logout); True when it was open."""
        with self._lock:
            return self._sessions.pop(token or "", None) is not None

    def __len__(self) -> int:
        with self._lock:
            self._drop_expired(self._clock())
            return len(self._sessions)

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.started >= self.lifetime_s or now - session.seen >= self.idle_s

    def _drop_expired(self, now: float) -> None:
        for token in [t for t, s in self._sessions.items() if self._expired(s, now)]:
            del self._sessions[token]
