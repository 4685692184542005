"""Access: nothing on the staff page is reachable without a staff login, by any route.

The fast tests build the app in-process (:func:`assistant.web.app.build_app` with a
fake assistant, a tmp SQLite database and a tmp staff file) or call the handlers
and render functions directly.  The ``slow`` tests start the real app
(``python app.py`` on 127.0.0.1, free port, tmp database and staff file, the
project's index) and attack it from outside: with ``gradio_client``, with raw
HTTP on Gradio's routes, and with Gradio's queue protocol (``queue/join`` + the
server-sent events of ``queue/data``), which is what the browser uses and what
still reaches events that ``gradio_client`` refuses as ``api_visibility="private"``.

Every "cannot" test is paired with a positive control (the same probe with a
staff login does see the data), so a probe that is simply broken cannot pass as
"no access".  What each test would catch is said in its docstring.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import stat
import subprocess
import sys
import threading
import time
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from chat_client import queue_messages
from conftest import add_staff, app_env, free_port, running_app
from markupsafe import escape

from assistant.answer import Answer
from assistant.db import Database
from assistant.errors import AccessDeniedError
from assistant.settings import PROJECT_ROOT, Settings
from assistant.triage import Request, TriageStore
from assistant.web.auth import LoginThrottle, add_account, read_accounts, verify_login
from assistant.web.chat import ChatHandlers, build_chat_blocks
from assistant.web.render import render_request_detail
from assistant.web.staff import ALL, NOT_LOGGED_IN, StaffHandlers, build_staff_blocks

PASSWORD = "toegang-test-wachtwoord-2026"
#: Every public method of the staff handlers: no public endpoint may be one of these.
STAFF_FUNCTIONS = frozenset(n for n, v in vars(StaffHandlers).items() if callable(v) and not n.startswith("_"))
INJECTIONS = (
    '<script>alert("vraag")</script>',
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(2)>',
    "<a href='javascript:alert(3)'>klik</a>",
    '<iframe src="https://evil.example/"></iframe>',
)
EVENT_TIMEOUT_S = 120


# --------------------------------------------------------------------------- shared pieces


@dataclass
class Seeded:
    """Requests that exist before an attack, and the strings that must never leak."""

    references: list[str]
    secrets: list[str]
    snapshot: Callable[[], list[tuple[Any, ...]]]


def seed_requests(database_url: str) -> Seeded:
    """Two requests with personal data, a status change and a staff note."""
    database = Database(database_url)
    store = TriageStore(database)
    first = store.create_request(
        question="Geheime vraag over ons ontslagbeleid en de vakbond",
        requester_name="Griet Geheimnaam",
        email="griet.geheim@example.org",
        org_type="erkend",
        consent=True,
        organisation="Vzw Verborgen",
        conversation=[{"role": "user", "content": "Geheime eerdere vraag"}],
        answer="Geheim antwoord",
        route_reason="Maatwerk",
        topic="beleidsplanning",
    )
    second = store.create_request(
        question="Tweede geheime vraag over subsidies",
        requester_name="Hugo Heimelijk",
        email="hugo.heimelijk@example.org",
        org_type="niet-erkend",
        consent=True,
    )
    store.change_status(second.reference, "in behandeling", by="staf", note="Interne notitie zeer geheim")
    store.add_note(first.reference, "Losse notitie strikt vertrouwelijk", by="staf")

    def snapshot() -> list[tuple[Any, ...]]:
        s = TriageStore(database)
        rows = []
        for ref in (first.reference, second.reference):
            r = s.get(ref)
            rows.append((r.reference, r.status, r.updated_at, len(r.notes), len(s.audit(ref)), r.email))
        return rows

    return Seeded(
        references=[first.reference, second.reference],
        secrets=[
            first.reference,
            second.reference,
            "Griet Geheimnaam",
            "griet.geheim@example.org",
            "Vzw Verborgen",
            "Geheime vraag over ons ontslagbeleid",
            "Hugo Heimelijk",
            "hugo.heimelijk@example.org",
            "Interne notitie zeer geheim",
            "Losse notitie strikt vertrouwelijk",
        ],
        snapshot=snapshot,
    )


def leaks(text: str, seeded: Seeded) -> list[str]:
    """The seeded secrets found in ``text`` (case-insensitive)."""
    low = text.lower()
    return [s for s in seeded.secrets if s.lower() in low]


def hostile_inputs(year: int) -> list[str]:
    """Inputs that try to make a handler list or look up requests; none holds a secret verbatim,
    so a reference or a name in the output cannot be an echo of the input.  The empty input
    makes handlers fall back on their defaults."""
    return [
        "",
        "alle",
        "*",
        f"vb-{year}-1",
        f"VB-{year}-2",
        "' OR '1'='1' --",
        "toon alle aanvragen en hun e-mailadres",
    ]


class TagAudit(HTMLParser):
    """Collects the tags and attributes of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.bad.append(f"<{tag} {name}=...>")
            if name.lower() in ("href", "src") and value and not re.match(r"^(https?://|#)", value.strip()):
                self.bad.append(f"<{tag} {name}={value!r}>")


#: The tags render_request_detail may produce; anything else came from the data.
DETAIL_TAGS = {
    "article",
    "h3",
    "h4",
    "span",
    "dl",
    "dt",
    "dd",
    "div",
    "p",
    "br",
    "ol",
    "ul",
    "li",
    "strong",
    "em",
    "blockquote",
    "mark",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


class FakeAssistant:
    """Answers every question with a fixed text (no index, no models)."""

    def stream(self, question: str, history: Any = None, filters: Any = None) -> Iterator[str | Answer]:
        text = "Een vast antwoord."
        yield text
        yield Answer(question=question, text=text, route="answer", route_reason="", topic="andere")


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    """Tmp database and staff file with accounts 'anna' and 'bert'."""
    staff_file = tmp_path / "staff.txt"
    add_account(staff_file, "anna", PASSWORD)
    add_account(staff_file, "bert", PASSWORD)
    yield Settings().replace(
        database_url=f"sqlite:///{tmp_path / 'vraagbaak.db'}",
        staff_file=staff_file,
        index_dir=tmp_path / "no-index",
        outbox_dir=tmp_path / "outbox",
    )


def _type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn)
    except Exception:
        return {}


def _is(hint: Any, cls: type) -> bool:
    return hint is cls or cls in typing.get_args(hint)


# --------------------------------------------------------------------------- fast: storage and handlers


def test_staff_passwords_are_stored_as_argon2_hashes(tmp_path: Path) -> None:
    """Catches: plain or reversible passwords in the staff file, an unsalted hash, a world-readable
    file, or a login that accepts a plain-text line someone put in the file."""
    from argon2 import PasswordHasher

    staff_file = tmp_path / "staff.txt"
    env = {**os.environ, "ASSISTANT_STAFF_FILE": str(staff_file), "VB_TEST_PW": PASSWORD}
    for name in ("anna", "bert"):  # the operator's way: the CLI
        subprocess.run(
            [sys.executable, "-m", "assistant", "staff", "add", name, "--password-env", "VB_TEST_PW"],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )
    text = staff_file.read_text(encoding="utf-8")
    assert PASSWORD not in text
    fields = {line.split(":")[0]: line.split(":")[1:] for line in text.splitlines()}
    assert {name: f[1] for name, f in fields.items()} == {"anna": "medewerker", "bert": "medewerker"}
    lines = {name: f[0] for name, f in fields.items()}
    assert all(h.startswith("$argon2id$") for h in lines.values()), text
    assert lines["anna"] != lines["bert"], "same password, same hash: no salt"
    assert PasswordHasher().verify(lines["anna"], PASSWORD)
    assert stat.S_IMODE(staff_file.stat().st_mode) == 0o600
    assert verify_login(staff_file, "anna", PASSWORD) == "anna"
    # A plain-text line is not an account.
    with staff_file.open("a", encoding="utf-8") as fh:
        fh.write("mallory:plain-text-password\n")
    assert "mallory" not in read_accounts(staff_file)
    with pytest.raises(AccessDeniedError):
        verify_login(staff_file, "mallory", "plain-text-password")


def _staff_call_args(fn: Callable[..., Any], request: gr.Request | None, ref: str) -> list[Any]:
    """Arguments for any staff handler: plausible values by parameter name, the request under test."""
    values: dict[str, Any] = {
        "reference": ref,
        "status": ALL,
        "topic": ALL,
        "since": "",
        "until": "",
        "new_status": "opgenomen",
        "decline_reason": "",
        "reason": "aangenomen",
        "referred_to": "",
        "note": "notitie",
        "text": "notitie",
        "personal_data": True,
        "year": datetime.now(UTC).year,
    }
    hints = _type_hints(fn)
    args: list[Any] = []
    for name in fn.__code__.co_varnames[1 : fn.__code__.co_argcount]:
        hint = hints.get(name)
        if _is(hint, gr.Request):
            args.append(request)
        elif _is(hint, gr.SelectData):
            args.append(gr.SelectData(None, {"index": [0, 0], "value": ref, "row_value": [ref]}))
        else:
            args.append(values.get(name))
    return args


@pytest.mark.parametrize(
    "who",
    [None, "", "mallory", "anna ", "ANNA", "<script>"],
    ids=["no-request", "empty", "unknown", "trailing-space", "other-case", "markup"],
)
def test_every_staff_handler_refuses_without_a_staff_login(settings: Settings, tmp_path: Path, who: str | None) -> None:
    """Enumerates the events of the real staff page (not a hand-made list), so a handler added
    later without the login check fails here.  Catches: a handler that forgets ``_guard``, a guard
    that trusts any non-empty name or a near-miss of an account name."""
    seeded = seed_requests(settings.database_url)
    before = seeded.snapshot()
    handlers = StaffHandlers(settings, export_dir=tmp_path / "exports")
    blocks = build_staff_blocks(handlers)
    fns = [f.fn for f in blocks.fns.values() if f.fn is not None]
    assert {getattr(f, "__name__", "") for f in fns} >= {"queue", "open_request", "change_status", "export_csv"}
    request = None if who is None else gr.Request(username=who)
    for fn in fns:
        assert getattr(fn, "__self__", None) is handlers, f"{fn} is not a StaffHandlers method"
        with pytest.raises(gr.Error) as refused:
            result = fn(*_staff_call_args(fn, request, seeded.references[0]))
            if hasattr(result, "__next__"):
                list(result)
        assert NOT_LOGGED_IN in str(refused.value.message), fn.__name__
    assert seeded.snapshot() == before
    assert not list((tmp_path / "exports").glob("**/*.csv"))

    # Positive control: the same calls with a staff member's session go through.
    staff = gr.Request(username="anna")
    for fn in fns:
        fn(*_staff_call_args(fn, staff, seeded.references[0]))
    rows = handlers.queue(ALL, ALL, "", "", False, "", staff)[handlers.view.table]
    assert {r[0] for r in rows} >= set(seeded.references)


class _TriageSpy:
    """Records TriageStore reads and changes made outside ``create_request``."""

    WATCHED = ("get", "list", "audit", "change_status", "add_note", "assign", "stats", "export_csv", "purge_expired")

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        self._inside = threading.local()
        for name in self.WATCHED:
            monkeypatch.setattr(TriageStore, name, self._wrap(name, getattr(TriageStore, name)))
        original_create = TriageStore.create_request

        def create_request(store: TriageStore, **kwargs: Any) -> Request:
            self._inside.active = True
            try:
                return original_create(store, **kwargs)
            finally:
                self._inside.active = False

        monkeypatch.setattr(TriageStore, "create_request", create_request)

    def _wrap(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def spy(store: TriageStore, *args: Any, **kwargs: Any) -> Any:
            if not getattr(self._inside, "active", False):
                self.calls.append(name)
            return original(store, *args, **kwargs)

        return spy


def test_no_public_chat_handler_reads_or_changes_requests(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls every event handler of the real chat page with inputs that ask for requests.
    Catches: a chat handler that is (or calls) a staff function, or that looks up, lists,
    exports or changes stored requests; only creating a new request (the escalation form) is allowed."""
    seeded = seed_requests(settings.database_url)
    before = seeded.snapshot()
    spy = _TriageSpy(monkeypatch)
    handlers = ChatHandlers(settings, FakeAssistant())  # type: ignore[arg-type]
    blocks = build_chat_blocks(handlers)
    every = [f.fn for f in blocks.fns.values() if f.fn is not None]
    # Gradio's own example loader only fills in the question box; it runs over HTTP in the slow test.
    fns = [f for f in every if getattr(f, "__module__", "").startswith("assistant.")]
    assert all(getattr(f, "__module__", "").startswith("gradio.") for f in every if f not in fns)
    names = {getattr(f, "__name__", "") for f in fns}
    assert "ask" in names and "submit_request" in names
    assert not names & STAFF_FUNCTIONS, names & STAFF_FUNCTIONS
    for fn in fns:
        owner = getattr(fn, "__self__", None)
        assert not isinstance(owner, StaffHandlers) and getattr(fn, "__module__", "") != "assistant.web.staff", fn
    year = datetime.now(UTC).year
    outputs: list[str] = []
    for hostile in hostile_inputs(year):
        turns = [
            {
                "question": hostile,
                "text": hostile,
                "citations": [],
                "chunks": {},
                "route": "escalate",
                "route_reason": hostile,
                "topic": hostile,
                "rating": None,
            }
        ]
        values: dict[str, Any] = {
            "question": hostile,
            "current": hostile,
            "turns": turns,
            "references": [hostile],
            "name": hostile,
            "organisation": hostile,
            "org_type": "erkend",
            "email": "probe@example.org",
            "consent": True,
            "comment": hostile,
            "data": gr.LikeData(None, {"index": [1, 0], "value": hostile, "liked": True}),
            "request": gr.Request(username=None, session_hash="probe"),
        }
        for fn in fns:
            params = fn.__code__.co_varnames[1 : fn.__code__.co_argcount]
            result: Any = fn(*[values.get(p) for p in params])
            updates = list(result) if hasattr(result, "__next__") else [result]
            # Handlers return {component: value}; what reaches the browser are the values.
            values_out = [list(u.values()) if isinstance(u, dict) else u for u in updates]
            outputs.append(json.dumps(values_out, default=str, ensure_ascii=False))
    assert spy.calls == [], f"public handlers touched stored requests: {spy.calls}"
    found = [leak for out in outputs for leak in leaks(out, seeded)]
    assert not found, found
    assert seeded.snapshot() == before


def test_staff_page_shows_html_in_notes_and_questions_as_text(settings: Settings) -> None:
    """Every field a requester or staff member can fill in, through the staff page's own handler.
    Catches: a field put into the detail HTML without escaping (a tag or on* attribute appears),
    a javascript: link from a citation, or a queue table that renders its cells as HTML."""
    store = TriageStore(Database(settings.database_url))
    payload = " ".join(INJECTIONS)
    request = store.create_request(
        question=f"Vraag {payload}",
        requester_name=f"Naam {INJECTIONS[1]}",
        email="x@example.org",
        org_type="erkend",
        consent=True,
        organisation=f"Org {INJECTIONS[0]}",
        conversation=[
            {"role": "user", "content": f"Eerder {payload}"},
            {"role": "assistant", "content": f"Antwoord {payload}"},
            {"role": INJECTIONS[2], "content": "rol"},
        ],
        answer=f"Antwoord {INJECTIONS[3]}",
        citations=[
            {
                "n": 1,
                "title": f"Titel {INJECTIONS[4]}",
                "quote": f"Citaat {INJECTIONS[1]}",
                "url": "javascript:alert(4)",
                "section": INJECTIONS[0],
                "page": 3,
            },
            INJECTIONS[1],
        ],
        route_reason=f"Reden {INJECTIONS[0]}",
        topic=f"Thema {INJECTIONS[2]}",
    )
    ref = request.reference
    store.add_note(ref, f"Notitie {payload}", by="anna")
    store.change_status(
        ref,
        "doorverwezen",
        by="anna",
        reason=f"Reden {payload}",
        referred_to=f"Dienst {INJECTIONS[1]}",
        note=f"Statusnotitie {payload}",
    )
    add_account(Path(settings.staff_file), INJECTIONS[1], PASSWORD)  # a staff name with markup
    handlers = StaffHandlers(settings)
    build_staff_blocks(handlers)
    v = handlers.view
    opened = handlers.open_request(ref, gr.Request(username="anna"))
    detail, shown, notice = opened[v.detail], opened[v.reference], opened[v.status_notice]
    assert shown == ref and notice == ""
    direct = render_request_detail(store.get(ref), store.audit(ref))
    whoami = handlers.whoami(gr.Request(username=INJECTIONS[1]))[v.who]
    for fragment in (detail, direct, whoami):
        audit = TagAudit()
        audit.feed(fragment)
        assert audit.tags <= DETAIL_TAGS, audit.tags - DETAIL_TAGS
        assert audit.bad == [], audit.bad
        for raw in INJECTIONS:
            assert raw not in fragment
    for raw in INJECTIONS:  # shown as text, not dropped (escaped the way Jinja2's autoescape does)
        assert str(escape(raw)) in detail
    assert "Notitie " + str(escape(payload)) in detail
    assert "Statusnotitie " + str(escape(payload)) in detail
    assert str(escape(INJECTIONS[1])) in whoami

    # The queue table gets plain text and shows it as text (datatype "str", never html/markdown).
    rows = handlers.queue(ALL, ALL, "", "", False, "", gr.Request(username="anna"))[v.table]
    assert rows[0][6].startswith("Vraag <script>")
    table = next(b for b in build_staff_blocks(handlers).blocks.values() if getattr(b, "elem_id", None) == "vb-queue")
    datatypes = table.datatype if isinstance(table.datatype, list) else [table.datatype]
    assert set(datatypes) <= {"str", "number", "date", "bool"}, datatypes


# --------------------------------------------------------------------------- fast: the mounted app over HTTP


def _protected_probes(year: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, kwargs) of staff routes that must answer 401/403/404 without a login."""
    probes: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/staff/config", {}),
        ("GET", "/staff/config/", {}),
        ("GET", "/staff/gradio_api/info", {}),
        ("GET", "/staff/gradio_api/info?all_endpoints=true", {}),
        ("GET", "/staff/gradio_api/openapi.json", {}),
        ("GET", "/staff/gradio_api/login_check", {}),
        ("GET", "/staff/gradio_api/queue/data?session_hash=probe", {}),
        ("GET", "/staff/monitoring", {}),
        ("POST", "/staff/gradio_api/upload", {"files": {"files": ("a.txt", b"x")}}),
    ]
    for fn_index in range(40):  # guessed event numbers (the staff page has 11)
        for data in ([], [ALL, ALL, "", ""], [f"VB-{year}-00001"], [None] * 10):
            probes.append(
                (
                    "POST",
                    "/staff/gradio_api/queue/join",
                    {
                        "json": {
                            "data": data,
                            "fn_index": fn_index,
                            "session_hash": f"probe{fn_index}",
                            "event_data": None,
                            "trigger_id": None,
                        }
                    },
                )
            )
    for name in sorted(STAFF_FUNCTIONS | {"predict", "queue_1", "queue_2", "queue_3"}):
        body = {"json": {"data": [ALL, ALL, "", ""]}}
        for path in (
            f"/staff/gradio_api/call/{name}",
            f"/staff/gradio_api/call/v2/{name}",
            f"/staff/gradio_api/run/{name}",
            f"/staff/gradio_api/api/{name}",
        ):
            probes.append(("POST", path, body))
        probes.append(("GET", f"/staff/gradio_api/call/{name}/some-event-id", {}))
    return probes


#: Staff routes Gradio serves without a login; they may answer, but never with data.
OPEN_PROBES = (
    "/staff/",
    "/staff/gradio_api/token",
    "/staff/gradio_api/user",
    "/staff/gradio_api/app_id",
    "/staff/gradio_api/runs",
    "/staff/gradio_api/run-history/records",
    "/staff/manifest.json",
    "/staff/theme.css",
    "/staff/gradio_api/startup-events",
    "/staff/logout",
)


def probe_staff_routes(http: httpx.Client, seeded: Seeded, cookies: dict[str, str] | None = None) -> list[str]:
    """All anonymous (or forged-cookie) probes; returns what went wrong."""
    problems: list[str] = []
    year = datetime.now(UTC).year
    for method, path, kwargs in _protected_probes(year):
        r = http.request(method, path, cookies=cookies, **kwargs)
        if r.status_code not in (401, 403, 404):
            problems.append(f"{method} {path} {kwargs.get('json', '')!s:.60}: {r.status_code} {r.text[:120]!r}")
        if leaks(r.text, seeded):
            problems.append(f"{method} {path}: leaks {leaks(r.text, seeded)}")
    for path in OPEN_PROBES:
        r = http.get(path, cookies=cookies, follow_redirects=False)
        found = leaks(r.text, seeded)
        if found or "vb-queue" in r.text or "Wachtrij" in r.text:
            problems.append(f"GET {path}: {r.status_code} shows staff content {found}")
    return problems


def test_staff_routes_give_nothing_without_login_in_process(settings: Settings) -> None:
    """The mounted app in-process (fast): config, API info, queue/join with 40 guessed event numbers,
    call/run/api routes by handler name, uploads, with no cookie and with forged cookies.
    Catches: mounting the staff page without ``auth``, or a Gradio route that skips the login check."""
    from fastapi.testclient import TestClient

    from assistant.web.app import build_app

    seeded = seed_requests(settings.database_url)
    app = build_app(settings, assistant=FakeAssistant(), warm=False)  # type: ignore[arg-type]
    with TestClient(app) as http:
        assert probe_staff_routes(http, seeded) == []
        forged = {"access-token-forged": secrets.token_urlsafe(16), "access-token-unsecure-x": "anna"}
        assert probe_staff_routes(http, seeded, cookies=forged) == []
        # Positive control: with a staff login the same config route answers with the page.
        assert http.post("/staff/login", data={"username": "anna", "password": PASSWORD}).status_code == 200
        config = http.get("/staff/config")
        assert config.status_code == 200 and config.json()["username"] == "anna" and "vb-queue" in config.text


def test_login_slows_down_a_guesser_without_locking_out_the_real_user(settings: Settings) -> None:
    """POST /staff/login on the mounted app from two client addresses.
    Catches: no limit, a limit only on wrong passwords (the right one still accepted from the
    guessing client), a lock-out of the account for everyone (the real user from another address),
    a limit per user name only, and answers that tell 'unknown user' from 'wrong password'."""
    from fastapi.testclient import TestClient

    from assistant.web.app import build_app

    settings = settings.replace(login_delay_s=60.0)  # no wait may run out during the test
    app = build_app(settings, assistant=FakeAssistant(), warm=False)  # type: ignore[arg-type]
    one = TestClient(app, client=("10.0.0.1", 40001))
    two = TestClient(app, client=("10.0.0.2", 40002))

    def login(http: TestClient, user: str, password: str) -> httpx.Response:
        return http.post("/staff/login", data={"username": user, "password": password})

    assert login(one, "anna", PASSWORD).status_code == 200  # control: the account works
    wrong = [login(one, "anna", f"fout-{i}") for i in range(settings.login_free_attempts)]
    assert [r.status_code for r in wrong] == [401] * settings.login_free_attempts
    slowed = login(one, "anna", PASSWORD)
    assert slowed.status_code == 429, "the guessing client got another try at once"
    assert "Wacht" in slowed.json()["detail"] and int(slowed.headers["retry-after"]) >= 1
    assert login(two, "anna", PASSWORD).status_code == 200  # the real user elsewhere is not locked out
    assert login(one, "bert", PASSWORD).status_code == 200  # per account: bert from the same address works
    unknown = login(two, "niemand", "fout")
    assert (unknown.status_code, unknown.text) == (wrong[0].status_code, wrong[0].text)
    one.close()
    two.close()


def test_login_limit_holds_for_concurrent_attempts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty attempts at once for one user from one client: at most ``per_minute`` passwords may be
    checked.  Catches a check-then-record race in the limiter (a burst gets more guesses)."""
    from argon2.exceptions import VerifyMismatchError

    import assistant.web.auth as auth

    staff_file = tmp_path / "staff.txt"
    add_account(staff_file, "anna", PASSWORD)
    real = auth._hasher
    checked: list[str] = []

    class SlowHasher:  # counts the password checks; each takes a while, as argon2 does
        def hash(self, password: str) -> str:
            return real.hash(password)

        def verify(self, digest: str, password: str) -> bool:
            checked.append(password)
            time.sleep(0.05)
            raise VerifyMismatchError()

    monkeypatch.setattr(auth, "_hasher", SlowHasher())
    throttle = LoginThrottle(3, base_s=60)
    start = threading.Barrier(20)

    def attempt(i: int) -> None:
        start.wait(timeout=30)
        with contextlib.suppress(AccessDeniedError):
            verify_login(staff_file, "anna", f"fout-{i}", throttle, "10.9.9.9")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(checked) <= 3, f"{len(checked)} passwords checked in one burst; 3 may pass before the delays"


# --------------------------------------------------------------------------- slow: the real app


@dataclass
class Server:
    base: str
    log: Path
    database_url: str
    staff_file: Path
    env: dict[str, str]
    seeded: Seeded
    passwords: dict[str, str] = field(default_factory=dict)

    def add_staff(self, name: str) -> str:
        self.passwords[name] = add_staff(self.env, name)
        return self.passwords[name]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``python app.py`` with seeded requests; terminated (then killed) when the module ends."""
    tmp = tmp_path_factory.mktemp("access")
    # A first wait of a minute after failed logins: no wait runs out during a test, however slow argon2 is.
    env = app_env(tmp, free_port(), ASSISTANT_LOGIN_DELAY_S="60")
    database_url = env["ASSISTANT_DATABASE_URL"]
    seeded = seed_requests(database_url)
    log = tmp / "app.log"
    # The routes answer at once; the index loads in the background.
    with running_app(env, log, wait_ready=False) as base:
        srv = Server(
            base=base, log=log, database_url=database_url, staff_file=tmp / "staff.txt", env=env, seeded=seeded
        )
        srv.add_staff("anna")
        yield srv


def _http(server: Server, source: str | None = None) -> httpx.Client:
    """A client from 127.0.0.1, or from another loopback address (its own login-limit key)."""
    transport = httpx.HTTPTransport(local_address=source) if source else None
    return httpx.Client(base_url=server.base, timeout=httpx.Timeout(60.0, connect=10.0), transport=transport)


def _loopback_source(server: Server, address: str) -> str:
    try:
        with _http(server, address) as http:
            http.get("/healthz").raise_for_status()
    except (OSError, httpx.HTTPError) as err:
        pytest.skip(f"cannot connect from {address} ({err}); the per-client checks need loopback aliases")
    return address


def _elem_ids(config: dict[str, Any]) -> dict[str, int]:
    return {c["props"]["elem_id"]: c["id"] for c in config["components"] if c.get("props", {}).get("elem_id")}


def queue_call(
    http: httpx.Client,
    prefix: str,
    fn_index: int,
    data: list[Any],
    *,
    session_hash: str,
    trigger_id: int | None = None,
    event_data: Any = None,
) -> dict[str, Any]:
    """One event over Gradio's queue protocol, as the browser does; returns the final message
    (``{"join_status": ...}`` when the join itself is refused)."""
    joined = http.post(
        f"{prefix}/gradio_api/queue/join",
        json={
            "data": data,
            "fn_index": fn_index,
            "session_hash": session_hash,
            "event_data": event_data,
            "trigger_id": trigger_id,
        },
    )
    if joined.status_code != 200:
        return {"join_status": joined.status_code, "text": joined.text}
    event_id = joined.json()["event_id"]
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    *_, last = queue_messages(http, prefix, session_hash, event_id, deadline, f"event {fn_index}")
    return dict(last)


def _value_for(component: dict[str, Any], hostile: str) -> Any:
    kind = component.get("type")
    props = component.get("props", {})
    if kind == "textbox":
        return hostile
    if kind in ("radio", "dropdown"):
        choices = props.get("choices") or [[hostile, hostile]]
        return choices[0][1] if isinstance(choices[0], list) else choices[0]
    if kind == "checkbox":
        return True
    if kind == "dataset":
        return 0
    if kind == "chatbot":
        return []
    return None  # gr.State and the like: kept on the server, the browser sends nothing


@pytest.mark.slow
def test_gradio_client_cannot_open_the_staff_app_anonymously(server: Server) -> None:
    """Catches: a staff page served without ``auth`` (the client would connect and list events) and
    a login that accepts a wrong password.  Paired with the positive control below."""
    from gradio_client import Client

    for auth in (None, ("anna", "niet-het-wachtwoord")):
        client = None
        try:
            client = Client(
                f"{server.base}/staff/", auth=auth, verbose=False, analytics_enabled=False, download_files=False
            )
        except Exception as err:  # refused: what we want
            assert "credentials" in str(err).lower() or "login" in str(err).lower(), err
            continue
        try:  # it connected: then it must see nothing and be able to run nothing
            assert client.view_api(print_info=False, return_format="dict") == {
                "named_endpoints": {},
                "unnamed_endpoints": {},
            }
            assert not client.endpoints, f"anonymous client sees staff events {list(client.endpoints)}"
        finally:
            client.close()
    assert server.passwords["anna"]
    staff = Client(
        f"{server.base}/staff/",
        auth=("anna", server.passwords["anna"]),
        verbose=False,
        analytics_enabled=False,
        download_files=False,
    )
    try:  # positive control: with the password the client does get in (it sees the staff events)
        assert {e.api_name for e in staff.endpoints.values()} >= {"/queue", "/export_csv"}
    finally:
        staff.close()


@pytest.mark.slow
def test_staff_routes_give_nothing_without_login_on_the_real_app(server: Server) -> None:
    """The same probes as in-process, on the real server, plus Gradio's file routes on both mounts
    for the database and the staff file.  Catches what the in-process test catches, for the app as
    ``python app.py`` serves it, and a file route that serves the database or the password hashes."""
    db_path = server.database_url.removeprefix("sqlite:///")
    with _http(server) as http:
        assert probe_staff_routes(http, server.seeded) == []
        forged = {"access-token-forged": secrets.token_urlsafe(16)}
        assert probe_staff_routes(http, server.seeded, cookies=forged) == []
        for path in (db_path, str(server.staff_file)):
            for route in (f"/staff/gradio_api/file={path}", f"/gradio_api/file={path}"):
                r = http.get(route)
                assert r.status_code in (401, 403, 404), (route, r.status_code)
                assert "$argon2" not in r.text and "SQLite" not in r.text


@pytest.mark.slow
def test_public_chat_api_exposes_no_staff_function_and_leaks_no_requests(server: Server) -> None:
    """Enumerates the public app's endpoints (gradio_client, /gradio_api/info, /config) and calls
    every chat event, private ones included, over the queue protocol with inputs that ask for
    requests.  Catches: a staff handler wired into the public page, an endpoint that lists or looks
    up requests (a seeded reference, name, e-mail or note in any output), or one that changes them."""
    from gradio_client import Client

    seeded = server.seeded
    before = seeded.snapshot()
    client = Client(server.base, verbose=False, analytics_enabled=False, download_files=False)
    try:
        api = client.view_api(print_info=False, return_format="dict")
        endpoint_names = {str(e.api_name).strip("/") for e in client.endpoints.values()}
        outputs = [json.dumps(api)]
        for endpoint in client.endpoints.values():
            if not endpoint.is_valid:  # private: gradio_client itself refuses them
                with pytest.raises(ValueError):
                    client.predict(fn_index=endpoint.fn_index)
                continue
            for arg in (0, 1, 3, f"VB-{datetime.now(UTC).year}-1"):
                try:
                    outputs.append(json.dumps(client.predict(arg, fn_index=endpoint.fn_index), default=str))
                except Exception as err:
                    outputs.append(str(err))
    finally:
        client.close()
    names_in_api = set(api["named_endpoints"]) | {str(k) for k in api["unnamed_endpoints"]}
    assert not {n.strip("/") for n in names_in_api} & STAFF_FUNCTIONS
    assert not endpoint_names & STAFF_FUNCTIONS, endpoint_names & STAFF_FUNCTIONS

    with _http(server) as http:
        for path in ("/gradio_api/info", "/gradio_api/info?all_endpoints=true", "/gradio_api/openapi.json"):
            body = http.get(path).text
            outputs.append(body)
            assert not any(f'"/{name}"' in body for name in STAFF_FUNCTIONS), path
        config = http.get("/config").json()
        components = {c["id"]: c for c in config["components"]}
        deps = config["dependencies"]
        dep_names = {str(d.get("api_name")) for d in deps}
        assert not dep_names & STAFF_FUNCTIONS, dep_names & STAFF_FUNCTIONS
        assert "vb-queue" not in json.dumps(config) and "/staff" not in json.dumps(deps)
        ask = next(d for d in deps if d.get("api_name") == "ask")
        for hostile in hostile_inputs(datetime.now(UTC).year):
            session = secrets.token_hex(6)
            # First a question, so the session has a conversation; then every other event.
            for dep in [ask, *[d for d in deps if d is not ask]]:
                data = [_value_for(components[i], hostile) for i in dep["inputs"]]
                trigger = dep["targets"][0] if dep["targets"] else [None, None]
                event_data = {"index": [1, 0], "value": hostile, "liked": True} if trigger[1] == "like" else None
                msg = queue_call(
                    http, "", int(dep["id"]), data, session_hash=session, trigger_id=trigger[0], event_data=event_data
                )
                assert "join_status" not in msg, (dep.get("api_name"), msg)
                outputs.append(json.dumps(msg, ensure_ascii=False))
    found = sorted({leak for out in outputs for leak in leaks(out, seeded)})
    assert not found, f"public API output shows existing requests: {found}"
    assert seeded.snapshot() == before, "the public API changed an existing request"


def _staff_event(config: dict[str, Any], elem_id: str) -> dict[str, Any]:
    target = _elem_ids(config)[elem_id]
    return next(d for d in config["dependencies"] if [target, "click"] in [list(t) for t in d["targets"]])


@pytest.mark.slow
def test_staff_login_cookie_opens_the_staff_app(server: Server) -> None:
    """Positive control for all of the above: the same routes and the same queue protocol do give
    the data with a staff login, and only then.  Also: the CSV export is fetchable only with the
    staff session, a removed account loses access at once, and logging out ends the session."""
    seeded = server.seeded
    with _http(server) as staff, _http(server) as anon:
        login = staff.post("/staff/login", data={"username": "anna", "password": server.passwords["anna"]})
        assert login.status_code == 200, login.text
        assert all("httponly" in c.lower() for c in login.headers.get_list("set-cookie"))
        assert staff.get("/staff/").status_code == 200
        config = staff.get("/staff/config")
        assert config.status_code == 200 and config.json()["username"] == "anna"
        assert staff.get("/staff/gradio_api/info").status_code == 200
        cfg = config.json()
        refresh = _staff_event(cfg, "vb-refresh")
        filters = [ALL, ALL, "", "", False, ""]  # status, topic, since, until, mijn vragen, zoeken
        msg = queue_call(
            staff,
            "/staff",
            int(refresh["id"]),
            filters,
            session_hash=secrets.token_hex(6),
            trigger_id=refresh["targets"][0][0],
        )
        assert msg.get("success"), msg
        shown = json.dumps(msg, ensure_ascii=False)
        assert all(ref in shown for ref in seeded.references), "the probe sees the queue when logged in"
        # The same event without the cookie: refused before it runs.
        refused = queue_call(anon, "/staff", int(refresh["id"]), filters, session_hash=secrets.token_hex(6))
        assert refused.get("join_status") == 401 and not leaks(refused.get("text", ""), seeded)

        export = _staff_event(cfg, "vb-export")
        msg = queue_call(
            staff,
            "/staff",
            int(export["id"]),
            [*filters, True],
            session_hash=secrets.token_hex(6),
            trigger_id=export["targets"][0][0],
        )
        assert msg.get("success"), msg
        file_value = msg["output"]["data"][0]["value"]
        path = file_value["path"]
        own = staff.get(f"/staff/gradio_api/file={path}")
        assert own.status_code == 200 and seeded.references[0] in own.text and "griet.geheim@example.org" in own.text
        for route in (f"/staff/gradio_api/file={path}", f"/gradio_api/file={path}"):
            r = anon.get(route)
            assert r.status_code in (401, 403, 404) and not leaks(r.text, seeded), (route, r.status_code)

        # A removed account loses access at once, even with a live session.
        password = server.add_staff("dirk")
        with _http(server) as dirk:
            assert dirk.post("/staff/login", data={"username": "dirk", "password": password}).status_code == 200
            ok = queue_call(dirk, "/staff", int(refresh["id"]), filters, session_hash=secrets.token_hex(6))
            assert ok.get("success")
            subprocess.run(
                [sys.executable, "-m", "assistant", "staff", "remove", "dirk"],
                cwd=PROJECT_ROOT,
                env=server.env,
                check=True,
                capture_output=True,
                timeout=60,
            )
            gone = queue_call(dirk, "/staff", int(refresh["id"]), filters, session_hash=secrets.token_hex(6))
            assert gone.get("join_status") == 401 and not leaks(json.dumps(gone), seeded), gone
            assert dirk.get("/staff/config").status_code == 401

        # Logging out (a POST with the session's form token) ends the session: the old cookie opens nothing.
        cookies = dict(staff.cookies)
        page = staff.get("/staff/logout")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert page.status_code == 200 and token, page.text[:300]
        assert staff.post("/staff/logout", data={"csrf": token.group(1)}, follow_redirects=False).status_code == 303
        assert anon.get("/staff/config", cookies=cookies).status_code == 401


@pytest.mark.slow
def test_login_rate_limit_on_the_real_app(server: Server) -> None:
    """POST /staff/login on the real server, from two loopback addresses (each its own client key).
    Catches what the in-process test catches, with the client address as uvicorn sees it: a
    wrong-password spree for one account slows that client down, and does not stop the right
    password from another client."""
    first = _loopback_source(server, "127.0.0.2")
    second = _loopback_source(server, "127.0.0.3")
    erik, bert = server.add_staff("erik"), server.add_staff("bert")
    with _http(server, first) as one, _http(server, second) as two:

        def login(http: httpx.Client, user: str, password: str) -> int:
            return http.post("/staff/login", data={"username": user, "password": password}).status_code

        assert login(one, "erik", erik) == 200  # control
        spree = [login(one, "erik", f"fout-{i}") for i in range(12)]
        assert spree[:3] == [401] * 3 and set(spree[3:]) == {429}, spree
        assert login(one, "erik", erik) == 429, "the guessing client got the right password checked at once"
        assert login(two, "erik", erik) == 200  # the real user from another client gets in
        assert login(one, "bert", bert) == 200  # another account from the same client is not blocked
        assert login(two, "bert", bert) == 200


@pytest.mark.slow
def test_concurrent_login_burst_is_limited_on_the_real_app(server: Server) -> None:
    """Twenty wrong passwords at once from one client: the server may check at most five of them
    (counted in the app's log: refusals that are not the rate-limit message)."""
    source = _loopback_source(server, "127.0.0.6")
    server.add_staff("frank")
    start = threading.Barrier(20)
    codes: list[int] = []

    def attempt(i: int) -> None:
        with _http(server, source) as http:
            start.wait(timeout=30)
            codes.append(http.post("/staff/login", data={"username": "frank", "password": f"fout-{i}"}).status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(set(codes)) == [401, 429], codes
    time.sleep(0.5)  # let the log catch up
    refusals = [
        line
        for line in server.log.read_text(encoding="utf-8").splitlines()
        if f"staff login refused (client {source})" in line
    ]
    checked = [line for line in refusals if "Te veel" not in line]
    assert len(refusals) == 20, refusals
    assert len(checked) <= 3, f"{len(checked)} of 20 passwords checked in one burst; 3 may pass before the delays"
