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
import math
import os
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
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
            raise ConfigError(
                "de naam van een medewerker mag niet leeg zijn, geen ':' bevatten en niet met een spatie beginnen of eindigen; kies een andere naam."
            )
        if len(password) < MIN_PASSWORD:
            raise ConfigError(f"kies een wachtwoord van minstens {MIN_PASSWORD} tekens.")
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


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


class LoginThrottle:
    """Failed logins slow further attempts down instead of locking the account.

    Failures are counted under three keys; each key lets ``free`` failures pass and
    then makes every further attempt wait ``base_s * 2**(n - free)`` seconds after
    the last failure (at most ``cap_s``):

    * the account *and* the client address (``free``): a guesser from one address is
      slowed down quickly, while the real user from another address is not;
    * the client address over all accounts (``free_client``): spraying many names;
    * the account over all addresses (``free_account``): guessing from many addresses.
      A browser that logged in to that account before (a device token, see
      :meth:`device_token`) passes this key, so the real user still gets in.

    A key is forgotten ``forget_s`` after its last failure; a successful login clears
    the first two keys.  An attempt is counted *before* the password is checked, in
    one locked step with the check, so a burst of concurrent attempts gets no more
    tries than a sequence does.  Kept per process, like the sessions.
    """

    def __init__(
        self,
        free: int = 3,
        *,
        free_client: int = 10,
        free_account: int = 20,
        base_s: float = 1.0,
        cap_s: float = 900.0,
        forget_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = {"pair": free, "client": free_client, "account": free_account}
        self.base_s = base_s
        self.cap_s = cap_s
        self.forget_s = forget_s
        self._clock = clock
        self._failures: dict[tuple[str, ...], _Failures] = {}
        self._devices: dict[str, str] = {}
        self._lock = threading.Lock()

    def wait_s(self, failures: int, free: int) -> float:
        """Seconds an attempt must wait after the last of ``failures`` failures."""
        if failures < free:
            return 0.0
        return min(self.cap_s, self.base_s * 2 ** (failures - free))

    def _keys(self, name: str, client: str, device: str | None) -> list[tuple[str, ...]]:
        keys: list[tuple[str, ...]] = [("pair", name, client), ("client", client)]
        if not (device and self._devices.get(device) == name):
            keys.append(("account", name))
        return keys

    def attempt(self, name: str, client: str, device: str | None = None) -> None:
        """Count one attempt, or raise :class:`LoginThrottledError` while a key must still wait."""
        now = self._clock()
        with self._lock:
            if len(self._failures) > 10_000:
                self._failures = {k: f for k, f in self._failures.items() if now - f.last < self.forget_s}
            keys = self._keys(name, client, device)
            wait = 0.0
            for key in keys:
                f = self._failures.get(key)
                if f is not None and now - f.last >= self.forget_s:
                    del self._failures[key]
                    f = None
                if f is not None:
                    wait = max(wait, f.last + self.wait_s(f.count, self.free[key[0]]) - now)
            if wait > 0:
                raise LoginThrottledError(wait)
            for key in keys:
                f = self._failures.setdefault(key, _Failures())
                f.count += 1
                f.last = now

    def succeeded(self, name: str, client: str, device: str | None = None) -> None:
        """Take back the attempt counted for a good password and clear this client's failures."""
        with self._lock:
            self._failures.pop(("pair", name, client), None)
            self._failures.pop(("client", client), None)
            account = self._failures.get(("account", name))
            if account is not None and ("account", name) in self._keys(name, client, device):
                account.count = max(0, account.count - 1)

    def device_token(self, name: str) -> str:
        """A token for the browser that just logged in as ``name`` (cookie); see the class doc."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            if len(self._devices) > 10_000:
                self._devices.clear()
            self._devices[token] = name
        return token


class LoginThrottledError(AccessDeniedError):
    """Too many failed logins: the next attempt must wait ``wait_s`` seconds."""

    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        seconds = max(1, math.ceil(wait_s))
        when = f"{seconds} seconden" if seconds < 120 else f"{math.ceil(seconds / 60)} minuten"
        super().__init__(f"Te veel mislukte aanmeldpogingen. Wacht {when} en probeer het dan opnieuw.")


WRONG_LOGIN = "Onbekende gebruiker of fout wachtwoord."


def verify_login(
    path: Path,
    name: str,
    password: str,
    throttle: LoginThrottle | None = None,
    client: str = "",
    device: str | None = None,
) -> str:
    """Return the staff name when the password matches; AccessDeniedError otherwise.

    The same message and the same argon2 work for an unknown user and a wrong
    password, so names cannot be probed; :class:`LoginThrottledError` (a subclass)
    when the attempt has to wait, without checking the password.
    """
    if throttle:
        throttle.attempt(name, client, device)  # counted up front; taken back below on success
    digest = read_accounts(path).get(name)
    try:
        if digest is None:
            _hasher.hash(password)  # same cost as a real check: no timing oracle for names
            raise VerifyMismatchError()
        _hasher.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError) as err:
        raise AccessDeniedError(WRONG_LOGIN) from err
    if throttle:
        throttle.succeeded(name, client, device)
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
        raise ConfigError(
            f"de omgevingsvariabele {var} is leeg of niet gezet; zet het wachtwoord erin of laat --password-env weg."
        )
    return value
