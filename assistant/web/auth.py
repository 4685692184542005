"""Staff accounts: argon2-hashed passwords and roles in a file, login rate limiting.

Accounts are configured by the operator (``python -m assistant staff add NAME
[--role ROLE ...]``); there is no default account or password.  The file holds one
``name:argon2hash:role,role`` line per account and is written atomically with mode
0600.  A line without roles (files written before roles existed) is a
``medewerker``.

Pages check the logged-in member's roles with :class:`StaffAccounts`::

    accounts = StaffAccounts.from_settings(settings)
    member = accounts.require_role(request, Role.BEHEERDER)   # RoleRequiredError otherwise

The account file is read on every check, so a removed account or a withdrawn role
takes effect at once, also for sessions that are already open.
"""

from __future__ import annotations

import getpass
import logging
import os
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import AccessDeniedError, ConfigError, RoleRequiredError
from ..settings import Settings

logger = logging.getLogger(__name__)

_hasher = PasswordHasher()
MIN_PASSWORD = 10
NOT_LOGGED_IN = "Je bent niet aangemeld als medewerker. Meld je aan op de medewerkerspagina."


class Role(StrEnum):
    """What a staff account may do.  An account may have several roles."""

    #: The triage page: the queue, replies, exports, yearly figures.
    MEDEWERKER = "medewerker"
    #: Maintains the publications (sources page, issue #17).
    BEHEERDER = "beheerder"
    #: Grades answers and compares evaluation runs (issue #18).
    EVALUATOR = "evaluator"


#: Roles of an account created without ``--role`` and of a line that names none.
DEFAULT_ROLES: frozenset[Role] = frozenset({Role.MEDEWERKER})

_ROLE_NAMES_NL = {Role.MEDEWERKER: "medewerker", Role.BEHEERDER: "beheerder", Role.EVALUATOR: "evaluator"}


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    """Role names (as typed by an operator) -> roles; ConfigError names the unknown one."""
    roles = set()
    for raw in names:
        name = raw.strip().lower()
        try:
            roles.add(Role(name))
        except ValueError as err:
            known = ", ".join(r.value for r in Role)
            raise ConfigError(f"onbekende rol {raw!r}; kies uit: {known}.") from err
    return frozenset(roles)


@dataclass(frozen=True)
class StaffAccount:
    """One account of the staff file (the hash is left out of ``repr``)."""

    name: str
    roles: frozenset[Role] = DEFAULT_ROLES
    digest: str = field(default="", repr=False)

    def has(self, role: Role) -> bool:
        """True when the account holds ``role``."""
        return role in self.roles

    def line(self) -> str:
        """The account as a line of the staff file."""
        return f"{self.name}:{self.digest}:{','.join(sorted(r.value for r in self.roles))}"


class HasUsername(Protocol):
    """A request that carries the logged-in user's name (``gradio.Request`` does)."""

    @property
    def username(self) -> str | None: ...


def _parse_line(line: str) -> StaffAccount | None:
    name, sep, rest = line.strip().partition(":")
    digest, _, role_field = rest.partition(":")  # argon2 hashes hold no ':'
    if not sep or not name or not digest.startswith("$argon2"):
        return None
    roles: set[Role] = set()
    for raw in filter(None, (part.strip() for part in role_field.split(","))):
        try:
            roles.add(Role(raw))
        except ValueError:
            logger.warning("staff file: unknown role %r for account %r ignored", raw, name)
    return StaffAccount(name, frozenset(roles) or DEFAULT_ROLES, digest)


class StaffAccounts:
    """The staff file: read, change and check accounts and their roles."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def from_settings(cls, settings: Settings) -> StaffAccounts:
        """The accounts of ``settings.staff_file``."""
        return cls(Path(settings.staff_file))

    # ------------------------------------------------------------------ reading

    def all(self) -> dict[str, StaffAccount]:
        """name -> account; an absent file means no accounts (the staff pages stay locked)."""
        if not self.path.exists():
            return {}
        accounts: dict[str, StaffAccount] = {}
        for line in self.path.read_text(encoding="utf-8").splitlines():
            account = _parse_line(line)
            if account is not None:
                accounts[account.name] = account
        return accounts

    def get(self, name: str) -> StaffAccount | None:
        """The account called ``name``, or None."""
        return self.all().get(name)

    # ------------------------------------------------------------------ checking a request

    def user(self, request: HasUsername | None) -> StaffAccount:
        """The logged-in staff member of ``request``; :class:`AccessDeniedError` when there is none.

        The name is the one the login bound to the session on the server, never
        something the browser sends; it must still be an account in the file.
        """
        name = getattr(request, "username", None) if request is not None else None
        account = self.get(name) if isinstance(name, str) and name else None
        if account is None:
            raise AccessDeniedError(NOT_LOGGED_IN)
        return account

    def require_role(self, request: HasUsername | None, role: Role) -> StaffAccount:
        """The logged-in member when they hold ``role``.

        Raises :class:`AccessDeniedError` (not logged in) or :class:`RoleRequiredError`
        (logged in, without the role), both with a Dutch message for the page.
        """
        account = self.user(request)
        if not account.has(role):
            raise RoleRequiredError(
                role.value,
                f"Dit onderdeel is enkel voor medewerkers met de rol '{_ROLE_NAMES_NL[role]}'. "
                "Vraag de beheerder van de Vraagbaak om je die rol te geven.",
            )
        return account

    def roles(self, request: HasUsername | None) -> frozenset[Role]:
        """The roles of the logged-in member; empty when nobody is logged in (to hide what they may not use)."""
        try:
            return self.user(request).roles
        except AccessDeniedError:
            return frozenset()

    # ------------------------------------------------------------------ changing

    def add(self, name: str, password: str, roles: Iterable[Role] | None = None) -> StaffAccount:
        """Create an account or change its password.

        ``roles=None`` keeps the roles of an existing account (a new one gets
        :data:`DEFAULT_ROLES`); otherwise the account gets exactly ``roles``.
        """
        if not name or ":" in name or name.strip() != name or "\n" in name:
            raise ConfigError("staff name must be non-empty without ':' or surrounding spaces.")
        if len(password) < MIN_PASSWORD:
            raise ConfigError(f"choose a password of at least {MIN_PASSWORD} characters.")
        accounts = self.all()
        old = accounts.get(name)
        chosen = _checked_roles(roles) if roles is not None else (old.roles if old else DEFAULT_ROLES)
        accounts[name] = StaffAccount(name, chosen, _hasher.hash(password))
        self._write(accounts)
        return accounts[name]

    def set_roles(self, name: str, roles: Iterable[Role]) -> StaffAccount:
        """Give an existing account exactly ``roles``."""
        accounts = self.all()
        old = accounts.get(name)
        if old is None:
            raise ConfigError(f"geen account {name!r}; maak het eerst met `python -m assistant staff add {name}`.")
        accounts[name] = StaffAccount(name, _checked_roles(roles), old.digest)
        self._write(accounts)
        return accounts[name]

    def remove(self, name: str) -> bool:
        """Delete an account; True when it existed."""
        accounts = self.all()
        if accounts.pop(name, None) is None:
            return False
        self._write(accounts)
        return True

    def _write(self, accounts: dict[str, StaffAccount]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".staff-", dir=self.path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.writelines(f"{a.line()}\n" for _, a in sorted(accounts.items()))
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _checked_roles(roles: Iterable[Role]) -> frozenset[Role]:
    chosen = frozenset(Role(r) for r in roles)
    if not chosen:
        raise ConfigError("geef een account minstens één rol (medewerker, beheerder of evaluator).")
    return chosen


def read_accounts(path: Path) -> dict[str, str]:
    """name -> argon2 hash (see :class:`StaffAccounts` for roles)."""
    return {name: a.digest for name, a in StaffAccounts(path).all().items()}


def add_account(path: Path, name: str, password: str, roles: Iterable[Role] | None = None) -> None:
    """Create or update an account; refuses weak passwords and odd names."""
    StaffAccounts(path).add(name, password, roles)


def remove_account(path: Path, name: str) -> bool:
    """Delete an account; True when it existed."""
    return StaffAccounts(path).remove(name)


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
    """``python -m assistant staff add|roles|remove|list``."""
    roles = ", ".join(r.value for r in Role)
    p = subparsers.add_parser("staff", help="manage staff accounts and their roles")
    ssub = p.add_subparsers(dest="staff_command", required=True)
    add = ssub.add_parser(
        "add",
        help="add an account or change its password (read from a prompt or --password-env)",
        description=f"Roles: {roles}. A new account without --role is a medewerker; "
        "for an existing account, --role replaces its roles and no --role keeps them.",
    )
    add.add_argument("name")
    add.add_argument("--password-env", help="name of an environment variable holding the password (for scripts)")
    add.add_argument("--role", dest="roles", action="append", metavar="ROLE", help=f"one of: {roles} (repeatable)")
    rl = ssub.add_parser(
        "roles", help="show an account's roles, or give it exactly the roles listed", description=f"Roles: {roles}."
    )
    rl.add_argument("name")
    rl.add_argument("roles", nargs="*", metavar="ROLE")
    rm = ssub.add_parser("remove", help="remove an account")
    rm.add_argument("name")
    ssub.add_parser("list", help="list accounts and their roles")


def _role_list(account: StaffAccount) -> str:
    return ", ".join(sorted(r.value for r in account.roles))


def run_staff(args: Any, settings: Settings) -> int:
    """Run a ``staff`` sub-command."""
    accounts = StaffAccounts.from_settings(settings)
    if args.staff_command == "list":
        for name, account in sorted(accounts.all().items()):
            print(f"{name}\t{_role_list(account)}")
        return 0
    if args.staff_command == "remove":
        if not accounts.remove(args.name):
            print(f"fout: geen account {args.name!r}", file=sys.stderr)
            return 2
        return 0
    if args.staff_command == "roles":
        if args.roles:
            account = accounts.set_roles(args.name, parse_roles(args.roles))
        else:
            found = accounts.get(args.name)
            if found is None:
                print(f"fout: geen account {args.name!r}", file=sys.stderr)
                return 2
            account = found
        print(f"{account.name}: {_role_list(account)}")
        return 0
    roles = parse_roles(args.roles) if args.roles else None
    if args.password_env:
        password = settings_env_secret(args.password_env)
    else:
        password = getpass.getpass(f"Wachtwoord voor {args.name}: ")
    account = accounts.add(args.name, password, roles)
    print(f"account {account.name} ({_role_list(account)}) bewaard in {accounts.path}")
    return 0


def settings_env_secret(var: str) -> str:
    """Read a secret by variable name (via Settings' single env reader)."""
    from ..settings import read_secret

    value = read_secret(var)
    if not value:
        raise ConfigError(f"environment variable {var} is empty or not set.")
    return value
