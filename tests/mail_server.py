"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), shared by the mail and browser tests.

It accepts every mail and keeps it, parsed, in ``messages``; with ``users`` it
requires a login (AUTH PLAIN/LOGIN without TLS, as on a local test relay).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class MailServer:
    """The running server: where it listens and what it received."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout_s: float = 30.0) -> list[EmailMessage]:
        """The first ``count`` messages, waiting (bounded) until they have arrived."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages[:count])
            time.sleep(0.05)
        raise AssertionError(f"the SMTP server received {len(self.messages)} of {count} mails in {timeout_s}s")


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.server._lock:
            self.server.messages.append(parsed)
        return "250 OK"


@contextlib.contextmanager
def running_smtp(port: int, users: dict[str, str] | None = None) -> Iterator[MailServer]:
    """Start aiosmtpd on 127.0.0.1:port; stop it afterwards."""
    server = MailServer(port=port)

    def authenticator(_server: Any, _session: Any, _envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and users is not None:
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if users.get(user) == password:
                server.logins.append(user)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    kwargs: dict[str, Any] = {}
    if users is not None:
        kwargs = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
    controller = Controller(_Handler(server), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def body_of(message: EmailMessage) -> str:
    """The text of a received mail with plain newlines (SMTP carries CRLF)."""
    return str(message.get_content()).replace("\r\n", "\n")
