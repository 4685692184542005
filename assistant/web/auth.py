"""Staff accounts: argon2-hashed passwords in a file, login rate limiting.

Accounts are configured by the operator (``python -m assistant staff add NAME``);
there is no default account or password.  The file holds ``name:argon2hash``
lines and is created with mode 0600.
"""

from __future__ import annotations

import getpass
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import AccessDeniedError, ConfigError
from ..settings import Settings

_hasher = PasswordHasher()
MIN_PASSWORD = 10


def read_accounts(path: Path) -> dict[str, str]:
    """name -> argon2 hash; an absent file means no accounts (staff page stays locked)."""
    if not path.exists():
        return {}
    accounts: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, digest = line.strip().partition(":")
        if sep and name and digest.startswith("$argon2"):
            accounts[name] = digest
    return accounts


def add_account(path: Path, name: str, password: str) -> None:
    """Create or update an account; refuses weak passwords and odd names."""
    if not name or ":" in name or name.strip() != name:
        raise ConfigError("staff name must be non-empty without ':' or surrounding spaces.")
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"choose a password of at least {MIN_PASSWORD} characters.")
    accounts = read_accounts(path)
    accounts[name] = _hasher.hash(password)
    _write(path, accounts)


def remove_account(path: Path, name: str) -> bool:
    """Delete an account; True when it existed."""
    accounts = read_accounts(path)
    if accounts.pop(name, None) is None:
        return False
    _write(path, accounts)
    return True


def _write(path: Path, accounts: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.writelines(f"{n}:{h}\n" for n, h in sorted(accounts.items()))
    os.replace(tmp, path)


class LoginLimiter:
    """At most ``per_minute`` failed attempts per key (user name or client) per minute."""

    def __init__(self, per_minute: int = 5) -> None:
        self.per_minute = per_minute
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, now: float | None = None) -> None:
        """Raise AccessDeniedError while ``key`` is over its limit."""
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._failures.get(key)
            while q and now - q[0] > 60:
                q.popleft()
            if q and len(q) >= self.per_minute:
                raise AccessDeniedError("Te veel mislukte aanmeldpogingen. Probeer het over een minuut opnieuw.")

    def attempt(self, keys: Sequence[str], now: float | None = None) -> None:
        """Check every key and count this attempt as a failure, in one locked step.

        Checking and counting separately lets concurrent attempts all pass the check
        before any failure is recorded; so the attempt is counted up front and a
        successful login takes it back with :meth:`reset`.
        """
        now = time.monotonic() if now is None else now
        with self._lock:
            queues = [self._failures.setdefault(key, deque()) for key in keys]
            for q in queues:
                while q and now - q[0] > 60:
                    q.popleft()
            if any(len(q) >= self.per_minute for q in queues):
                raise AccessDeniedError("Te veel mislukte aanmeldpogingen. Probeer het over een minuut opnieuw.")
            for q in queues:
                q.append(now)

    def failed(self, key: str, now: float | None = None) -> None:
        """Record one failed attempt."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._failures.setdefault(key, deque()).append(now)

    def reset(self, key: str) -> None:
        """Forget failures after a successful login."""
        with self._lock:
            self._failures.pop(key, None)


def verify_login(path: Path, name: str, password: str, limiter: LoginLimiter | None = None, client: str = "") -> str:
    """Return the staff name when the password matches; AccessDeniedError otherwise.

    The same message for unknown user and wrong password, so names cannot be probed.
    """
    keys = [f"user:{name}"] + ([f"client:{client}"] if client else [])
    if limiter:
        limiter.attempt(keys)  # checks and counts atomically; reset below on success
    digest = read_accounts(path).get(name)
    try:
        if digest is None:
            _hasher.hash(password)  # same cost as a real check: no timing oracle for names
            raise VerifyMismatchError()
        _hasher.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError) as err:
        raise AccessDeniedError("Onbekende gebruiker of fout wachtwoord.") from err
    if limiter:
        for key in keys:
            limiter.reset(key)
    return name


def add_staff_parser(subparsers: Any) -> None:
    """``python -m assistant staff add|remove|list``."""
    p = subparsers.add_parser("staff", help="manage staff accounts for the triage page")
    ssub = p.add_subparsers(dest="staff_command", required=True)
    add = ssub.add_parser("add", help="add or change an account (password read from a prompt or --password-env)")
    add.add_argument("name")
    add.add_argument("--password-env", help="name of an environment variable holding the password (for scripts)")
    rm = ssub.add_parser("remove", help="remove an account")
    rm.add_argument("name")
    ssub.add_parser("list", help="list account names")


def run_staff(args: Any, settings: Settings) -> int:
    """Run a ``staff`` sub-command."""
    path = Path(settings.staff_file)
    if args.staff_command == "list":
        for name in sorted(read_accounts(path)):
            print(name)
        return 0
    if args.staff_command == "remove":
        if not remove_account(path, args.name):
            print(f"fout: geen account {args.name!r}", file=sys.stderr)
            return 2
        return 0
    if args.password_env:
        password = settings_env_secret(args.password_env)
    else:
        password = getpass.getpass(f"Wachtwoord voor {args.name}: ")
    add_account(path, args.name, password)
    print(f"account {args.name} bewaard in {path}")
    return 0


def settings_env_secret(var: str) -> str:
    """Read a secret by variable name (via Settings' single env reader)."""
    from ..settings import read_secret

    value = read_secret(var)
    if not value:
        raise ConfigError(f"environment variable {var} is empty or not set.")
    return value
