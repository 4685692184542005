"""Issue #15 against the real app: ``python app.py`` on 127.0.0.1, real HTTP, as a public deployment
behind a reverse proxy would be attacked (a real hostname, a foreign Origin, floods, odd bytes).

The app runs with ``ASSISTANT_PUBLIC_URL=https://vraagbaak.example`` and trusts one proxy
address, 127.0.0.9.  Other loopback addresses (127.0.0.x) stand for other clients; a test that
needs them is skipped where the machine cannot bind them.  Each test says what it would catch.
SECURITY.md lists every item with the test here that proves it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from chat_client import queue_messages
from conftest import add_staff, app_env, free_port, running_app

from assistant.inputs import UNREADABLE
from assistant.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

PUBLIC = "https://vraagbaak.example"
EVIL = "https://evil.example"
PROXY = "127.0.0.9"
TIMEOUT_S = 120


@dataclass
class Deployment:
    base: str
    port: int
    env: dict[str, str]
    log: Path
    tmp: Path
    passwords: dict[str, str]

    def add_staff(self, name: str) -> str:
        self.passwords[name] = add_staff(self.env, name)
        return self.passwords[name]

    def pid(self) -> int:
        """The app's process (found by its port in /proc; no psutil here)."""
        marker = f"ASSISTANT_PORT={self.port}".encode()
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if b"app.py" in (proc / "cmdline").read_bytes() and marker in (proc / "environ").read_bytes():
                    return int(proc.name)
            except OSError:
                continue
        raise AssertionError("app process not found")

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.pid()}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]

    def log_text(self) -> str:
        time.sleep(0.3)  # let the log catch up
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp("deployment")
    port = free_port()
    env = app_env(
        tmp,
        port,
        ASSISTANT_PUBLIC_URL=PUBLIC,
        ASSISTANT_TRUSTED_PROXIES=PROXY,
        ASSISTANT_LOGIN_DELAY_S="60",  # no wait runs out during a test, however slow argon2 is here
    )
    log = tmp / "app.log"
    with running_app(env, log) as base:
        deployment = Deployment(base, port, env, log, tmp, {})
        deployment.add_staff("anna")
        yield deployment


def http(app: Deployment, source: str | None = None) -> httpx.Client:
    """A client from 127.0.0.1, or from another loopback address (another client to the app)."""

    def client() -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=source) if source else None
        return httpx.Client(base_url=app.base, timeout=httpx.Timeout(60.0, connect=10.0), transport=transport)

    if source:
        try:
            with client() as probe:
                probe.get("/healthz").raise_for_status()
        except (OSError, httpx.HTTPError) as err:
            pytest.skip(f"cannot connect from {source} ({err})")
    return client()


def staff_cookie(app: Deployment, client: httpx.Client, name: str = "anna") -> str:
    response = client.post("/staff/login", data={"username": name, "password": app.passwords[name]})
    assert response.status_code == 200, response.text
    return response.cookies["vb_staff"]


def set_cookie_header(response: httpx.Response, name: str) -> str:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")]
    assert found, response.headers
    return found[0]


def chat_deps(client: httpx.Client) -> dict[str, dict[str, Any]]:
    """The chat's events by what triggers them: ``ask``, ``submit_request`` and ``rate``."""
    config = client.get("/config").raise_for_status().json()
    ids = {c["props"].get("elem_id"): c["id"] for c in config["components"] if c.get("props")}
    found: dict[str, dict[str, Any]] = {"components": {c["id"]: c for c in config["components"]}}
    for dep in config["dependencies"]:
        targets = [list(t) for t in dep["targets"]]
        if [ids["vb-send"], "click"] in targets:
            found["ask"] = dep
        elif [ids["vb-f-submit"], "click"] in targets:
            found["submit_request"] = dep
        elif [ids["vb-chat"], "like"] in targets:
            found["rate"] = dep
    assert {"ask", "submit_request", "rate"} <= set(found), found.keys()
    return found


def form_data(deps: dict[str, dict[str, Any]], name: str, text: str) -> list[Any]:
    """Inputs for an event: ``text`` in every text box, the first choice, consent ticked."""
    values: list[Any] = []
    for i in deps[name]["inputs"]:
        comp = deps["components"][i]
        kind, props = comp.get("type"), comp.get("props", {})
        if kind == "textbox":
            values.append("an@example.org" if props.get("elem_id") == "vb-f-email" else text)
        elif kind == "radio":
            choice = props["choices"][0]
            values.append(choice[1] if isinstance(choice, list) else choice)
        elif kind == "checkbox":
            values.append(True)
        else:
            values.append(None)  # gr.State: kept on the server
    return values


def join(
    client: httpx.Client, dep: dict[str, Any], data: list[Any], *, session: str | None = None, event_data: Any = None
) -> tuple[int, dict[str, Any]]:
    """One event as the browser sends it: ``(join status, final message or the refusal's JSON)``."""
    session = session or secrets.token_hex(6)
    trigger = dep["targets"][0][0] if dep["targets"] else None
    body = {
        "data": data,
        "fn_index": dep["id"],
        "session_hash": session,
        "trigger_id": trigger,
        "event_data": event_data,
    }
    joined = client.post(
        "/gradio_api/queue/join", content=json.dumps(body), headers={"content-type": "application/json"}
    )
    if joined.status_code != 200:
        return joined.status_code, joined.json()
    event_id = joined.json()["event_id"]
    *_, last = queue_messages(client, "", session, event_id, time.monotonic() + TIMEOUT_S, dep.get("api_name", "?"))
    return 200, last


def count_requests(app: Deployment) -> int:
    import sqlite3

    path = app.env["ASSISTANT_DATABASE_URL"].removeprefix("sqlite:///")
    if not Path(path).exists():
        return 0
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
        return db.execute("select count(*) from triage_requests").fetchone()[0] if "triage_requests" in tables else 0


# --------------------------------------------------------------------------- cross-site access


def test_foreign_origin_gets_no_cors_allowance_under_a_real_hostname(app: Deployment) -> None:
    """The issue's reproduction: staff cookie, ``Host: vraagbaak.example``, ``Origin: evil``.
    Catches: Gradio's echo of any Origin into Access-Control-Allow-Origin, on either page, for
    simple and preflight requests; paired with the configured origin, which does get it."""
    with http(app) as client:
        cookie = staff_cookie(app, client)
        headers = {"host": "vraagbaak.example", "cookie": f"vb_staff={cookie}"}
        for path in ("/staff/config", "/staff/gradio_api/info", "/config", "/gradio_api/info"):
            foreign = client.get(path, headers={**headers, "origin": EVIL})
            assert foreign.status_code == 200, (path, foreign.status_code)
            assert "access-control-allow-origin" not in foreign.headers, (path, foreign.headers)
            own = client.get(path, headers={**headers, "origin": PUBLIC})
            assert own.headers.get("access-control-allow-origin") == PUBLIC, path
        preflight = client.options(
            "/staff/gradio_api/queue/join",
            headers={**headers, "origin": EVIL, "access-control-request-method": "POST"},
        )
        assert "access-control-allow-origin" not in preflight.headers
        assert EVIL not in json.dumps(dict(preflight.headers))
        # A cross-site queue call with the cookie does not even start.
        join_body = {"data": [], "fn_index": 0, "session_hash": "x", "event_data": None}
        refused = client.post("/staff/gradio_api/queue/join", json=join_body, headers={**headers, "origin": EVIL})
        assert refused.status_code == 403 and "andere website" in refused.json()["detail"]


def test_staff_cookie_is_samesite_strict_and_secure_over_https(app: Deployment) -> None:
    """Catches: Gradio's ``SameSite=None`` cookie, a session cookie readable by scripts or sent to the
    public chat, and ``Secure`` missing behind an HTTPS proxy or believed from an untrusted peer."""
    form = {"username": "anna", "password": app.passwords["anna"]}
    with http(app) as client:
        plain = set_cookie_header(client.post("/staff/login", data=form), "vb_staff").lower()
        assert "samesite=strict" in plain and "httponly" in plain and "path=/staff" in plain
        assert "secure" not in plain  # plain HTTP on 127.0.0.1: a Secure cookie would not come back
        by_host = set_cookie_header(
            client.post("/staff/login", data=form, headers={"host": "vraagbaak.example"}), "vb_staff"
        )
        assert "secure" in by_host.lower() and "samesite=strict" in by_host.lower()
        spoofed = client.post("/staff/login", data=form, headers={"x-forwarded-proto": "https"})
        assert "secure" not in set_cookie_header(spoofed, "vb_staff").lower(), (
            "X-Forwarded-Proto believed from any peer"
        )
    with http(app, PROXY) as proxy:
        behind = proxy.post(
            "/staff/login", data=form, headers={"x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.7"}
        )
        assert "secure" in set_cookie_header(behind, "vb_staff").lower()


def test_cross_site_logout_fails_and_logout_ends_only_this_session(app: Deployment) -> None:
    """Catches: logout by GET (an <img> on any site logs staff out), a logout without the session's
    form token, a cross-site POST that passes, and a logout that ends the user's other sessions."""
    with http(app) as laptop, http(app) as phone:
        staff_cookie(app, laptop)
        staff_cookie(app, phone)
        page = laptop.get("/staff/logout")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        assert laptop.get("/staff/config").status_code == 200  # the GET changed nothing
        cross = laptop.post(
            "/staff/logout", data={"csrf": token}, headers={"origin": EVIL, "sec-fetch-site": "cross-site"}
        )
        assert cross.status_code == 403 and laptop.get("/staff/config").status_code == 200
        for bad in ({}, {"csrf": "geraden"}, {"csrf": token[:-1]}):
            assert laptop.post("/staff/logout", data=bad).status_code == 403
        assert laptop.get("/staff/config").status_code == 200
        done = laptop.post("/staff/logout", data={"csrf": token}, headers={"origin": app.base}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/staff/login?afgemeld=1"
        assert laptop.get("/staff/config").status_code == 401
        assert phone.get("/staff/config").status_code == 200, "logout ended the user's other session too"
        assert "Je bent afgemeld." in laptop.get("/staff/login?afgemeld=1").text


# --------------------------------------------------------------------------- anonymous abuse


def test_upload_and_named_api_routes_are_refused_on_the_public_app(app: Deployment) -> None:
    """The issue's 30 x 1 MB uploads, ``/run/submit_request`` spam and ``/openapi.json``.  Catches:
    a public upload route that stores files, any event reachable by name, private or not, and a
    list of the internal routes (Gradio's apps served one at /openapi.json and, without a login,
    at /staff/openapi.json and /evaluatie/openapi.json)."""
    before = count_requests(app)
    upload_dir = app.tmp / "gradio"
    files_before = sorted(upload_dir.rglob("*")) if upload_dir.exists() else []
    with http(app) as client:
        deps = chat_deps(client)
        data = form_data(deps, "submit_request", "Spam")
        for _ in range(3):
            r = client.post("/gradio_api/upload", files={"files": ("a.txt", b"x" * 1000)})
            assert r.status_code == 404, r.text
        for route in ("run", "api", "call", "call/v2"):
            for name in ("submit_request", "ask", "rate", "predict"):
                r = client.post(f"/gradio_api/{route}/{name}", json={"data": data})
                assert r.status_code == 404, (route, name, r.status_code, r.text[:100])
        # gr.DeepLinkButton's route wrote a session's values to a file; no page has that button.
        r = client.get("/gradio_api/deep_link", params={"session_hash": "x"})
        assert r.status_code == 404, r.text
        for listing in ("openapi.json", "docs", "redoc", "gradio_api/openapi.json"):  # the issue's internal routes
            for page in ("/", "/staff/", "/staff/bronnen/", "/staff/kennislacunes/", "/evaluatie/"):
                r = client.get(f"{page}{listing}")
                assert r.status_code in (401, 404) and "/gradio_api/" not in r.text, (page, listing, r.status_code)
    assert count_requests(app) == before
    assert (sorted(upload_dir.rglob("*")) if upload_dir.exists() else []) == files_before


def test_oversized_body_is_refused_without_the_process_growing(app: Deployment) -> None:
    """The issue's 50 MB question (869 -> 1,579 MB).  Catches: a body read or parsed before the size
    check, with or without a Content-Length (a chunked body is cut off as it passes the limit)."""
    size = 200 * 1024 * 1024
    rss_before = app.rss_mb()

    def body(total: int) -> Iterator[bytes]:
        yield b'{"data": ["'
        chunk = b"a" * (1024 * 1024)
        for _ in range(total // len(chunk)):
            yield chunk
        yield b'"], "fn_index": 0, "session_hash": "groot"}'

    started = time.monotonic()
    for headers in ({"content-length": str(size + 43)}, {}):  # announced, and chunked
        with http(app) as client:
            try:
                r = client.post(
                    "/gradio_api/queue/join",
                    content=body(size),
                    headers={"content-type": "application/json", **headers},
                )
                assert r.status_code == 413 and "te groot" in r.json()["detail"], r.text[:200]
            except httpx.TransportError:
                pass  # the server answered 413 and closed while the client was still sending
    with http(app) as client:  # an ordinary question over the limit of the public app (64 KB)
        r = client.post(
            "/gradio_api/queue/join", json={"data": ["vraag " * 20_000], "fn_index": 0, "session_hash": "s"}
        )
        assert r.status_code == 413
        assert client.get("/healthz").status_code == 200
    growth = app.rss_mb() - rss_before
    assert growth < 50, f"the app grew by {growth:.0f} MB on refused bodies"
    assert time.monotonic() - started < TIMEOUT_S
    assert app.log_text().count("request body over") >= 3


def test_a_question_over_the_limit_is_cut_with_a_message(app: Deployment) -> None:
    """A pasted e-mail (under the body limit, over the 1000-character question limit) is answered from
    its beginning, and the visitor is told so.  Catches: a silent cut, and a refusal of the question."""
    question = "Hoeveel vragen kwamen binnen via de vraaggestuurde werking? " + "Meer uitleg bij onze vraag. " * 120
    assert 1000 < len(question) < 64 * 1024
    with http(app) as client:
        deps = chat_deps(client)
        status, msg = join(client, deps["ask"], form_data(deps, "ask", question))
    assert status == 200 and msg.get("success"), msg
    shown = json.dumps(msg["output"], ensure_ascii=False)
    assert "langer dan 1000 tekens" in shown and "enkel het begin" in shown


def test_escalation_route_refuses_the_11th_request_a_minute_from_one_client(app: Deployment) -> None:
    """The issue's 100 requests in 5.5 s.  Catches: no limit, a limit that counts refused calls, a
    global limit that one client can exhaust for everyone (another client still gets through)."""
    before = count_requests(app)
    with http(app, "127.0.0.21") as one, http(app, "127.0.0.22") as two:
        deps = chat_deps(one)
        data = form_data(deps, "submit_request", "Kan een medewerker ons beleidsplan nalezen?")
        results = [join(one, deps["submit_request"], data) for _ in range(11)]
        assert [status for status, _ in results[:10]] == [200] * 10
        assert all(msg.get("success") for _, msg in results[:10]), results[0]
        status, refusal = results[10]
        assert status == 429 and "Wacht een minuut" in refusal["detail"], refusal
        assert join(one, deps["submit_request"], data)[0] == 429  # still refused: refusals are not requests
        status, other = join(two, deps["submit_request"], data)
        assert status == 200 and other.get("success"), other
    assert count_requests(app) == before + 11


def test_trusted_proxy_decides_the_client_address(app: Deployment) -> None:
    """Catches: X-Forwarded-For believed from any peer (the issue's per-client limit dodged by
    rotating the header), and a trusted proxy's clients all sharing one limit."""
    password = app.add_staff("olga")
    with http(app) as direct:
        for i in range(3):
            r = direct.post(
                "/staff/login",
                data={"username": "olga", "password": "fout"},
                headers={"x-forwarded-for": f"198.51.100.{i}"},
            )
            assert r.status_code == 401
        rotated = direct.post(
            "/staff/login", data={"username": "olga", "password": "fout"}, headers={"x-forwarded-for": "198.51.100.99"}
        )
        assert rotated.status_code == 429, "a new X-Forwarded-For from an untrusted peer counted as a new client"
    with http(app, PROXY) as proxy:
        for _ in range(3):
            r = proxy.post(
                "/staff/login",
                data={"username": "olga", "password": "fout"},
                headers={"x-forwarded-for": "203.0.113.1"},
            )
            assert r.status_code == 401
        r = proxy.post(
            "/staff/login", data={"username": "olga", "password": password}, headers={"x-forwarded-for": "203.0.113.1"}
        )
        assert r.status_code == 429  # the guessing client behind the proxy waits
        r = proxy.post(
            "/staff/login", data={"username": "olga", "password": password}, headers={"x-forwarded-for": "203.0.113.2"}
        )
        assert r.status_code == 200, "the proxy's other clients were locked out with the guesser"
    assert "client 203.0.113.1" in app.log_text()


# --------------------------------------------------------------------------- logs and odd text


def test_access_log_holds_no_session_hash(app: Deployment) -> None:
    """The issue's session hashes in the access log (a logged hash returned another visitor's
    question).  Catches: a session hash in the access log, in a query string (queue/data) or in
    the path (the browser's heartbeat); positive control: the lines are there."""
    session = secrets.token_hex(8)
    with http(app) as client:
        deps = chat_deps(client)
        status, msg = join(client, deps["ask"], form_data(deps, "ask", "Wat is een burgerinitiatief?"), session=session)
        assert status == 200 and msg.get("success"), msg
        # A browser also keeps GET heartbeat/<session hash> open while the chat has state (gr.State).
        assert client.get("/config").json().get("connect_heartbeat") is True
        with client.stream("GET", f"/gradio_api/heartbeat/{session}", timeout=30) as beat:
            assert beat.status_code == 200
    text = app.log_text()
    assert "/gradio_api/queue/data?…" in text and "/gradio_api/queue/join" in text  # the access log is on
    assert "/gradio_api/heartbeat/…" in text
    assert session not in text
    assert "session_hash" not in text


def test_lone_surrogate_gets_the_dutch_message_on_every_path(app: Deployment) -> None:
    """The issue's ``\\ud800`` that aborted the event stream.  Catches: a path (question, escalation
    form, feedback comment, command line, batch file) that crashes or answers differently."""
    with http(app) as client:
        deps = chat_deps(client)
        for name in ("ask", "submit_request", "rate"):
            event_data = {"index": [1, 0], "value": "x", "liked": True} if name == "rate" else None
            status, refusal = join(
                client, deps[name], form_data(deps, name, "vraag \ud800 over subsidies"), event_data=event_data
            )
            assert (status, refusal.get("detail")) == (400, UNREADABLE), (name, status, refusal)
        status, msg = join(client, deps["ask"], form_data(deps, "ask", "Wat is een burgerinitiatief? 🙂"))
        assert status == 200 and msg.get("success")  # real text, an emoji (a surrogate pair in JSON) passes
    assert "surrogates not allowed" not in app.log_text()
    cli = subprocess.run(
        [sys.executable.encode(), b"-m", b"assistant", b"ask", b"vraag \xff over subsidies"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **app.env},
        capture_output=True,
        timeout=120,
    )
    assert cli.returncode == 2 and UNREADABLE in cli.stderr.decode(), cli.stderr
    batch = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", "--batch", "-"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **app.env},
        input='{"id": 1, "question": "vraag \\ud800"}\n',
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert json.loads(batch.stdout.splitlines()[0]) == {"id": 1, "error": UNREADABLE}, batch.stderr[-500:]


def test_unknown_events_give_one_short_line_each_at_most(app: Deployment) -> None:
    """The issue's 7 KB traceback per unknown event (144 KB from 20 requests).  Catches: unknown
    events reaching Gradio, and a log that grows with the flood instead of staying bounded."""
    size_before = app.log.stat().st_size
    with http(app) as client:
        for i in range(60):
            r = client.post("/gradio_api/queue/join", json={"data": [], "fn_index": 900 + i, "session_hash": "s"})
            assert r.status_code == 404 and "bestaat niet" in r.json()["detail"]
    grown = app.log_text()[size_before:]
    assert "Traceback" not in grown
    refusals = [line for line in grown.splitlines() if "unknown event refused" in line]
    assert 1 <= len(refusals) <= 10 and all(len(line) < 300 for line in refusals), refusals
    assert len(grown) < 60 * 200, f"{len(grown)} bytes of log for 60 refused events"


# --------------------------------------------------------------------------- files with personal data


def _modes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): oct(p.stat().st_mode & 0o777) for p in sorted(root.rglob("*"))}


def test_data_files_are_private_and_an_export_is_gone_after_its_download(app: Deployment) -> None:
    """The issue's world-readable database (644) and Gradio's copy of the personal-data CSV.
    Catches: a database, journal, export or cached copy readable by other local accounts, and an
    export with personal data that stays on disk after it was downloaded."""
    with http(app, "127.0.0.31") as client:  # its own address: the escalation limit of other tests
        deps = chat_deps(client)
        before = count_requests(app)
        status, msg = join(client, deps["submit_request"], form_data(deps, "submit_request", "Vraag voor de export"))
        assert status == 200 and msg.get("success") and count_requests(app) == before + 1, msg
        cookie = staff_cookie(app, client)
        config = client.get("/staff/config").json()
        ids = {c["props"].get("elem_id"): c for c in config["components"] if c.get("props")}
        export = next(
            d for d in config["dependencies"] if [ids["vb-export"]["id"], "click"] in [list(t) for t in d["targets"]]
        )
        components = {c["id"]: c for c in config["components"]}
        data: list[Any] = []
        for i in export["inputs"]:
            props = components[i].get("props", {})
            data.append(True if props.get("elem_id") == "vb-personal" else props.get("value"))  # the page's filters
        session = secrets.token_hex(6)
        body = {"data": data, "fn_index": export["id"], "session_hash": session, "trigger_id": export["targets"][0][0]}
        joined = client.post("/staff/gradio_api/queue/join", json=body)
        assert joined.status_code == 200, joined.text
        *_, done = queue_messages(
            client, "/staff", session, joined.json()["event_id"], time.monotonic() + TIMEOUT_S, "export"
        )
        assert done.get("success"), done
        file_value = next(
            v["value"] for v in done["output"]["data"] if isinstance(v, dict) and isinstance(v.get("value"), dict)
        )
        served = Path(file_value["path"])
        assert served.exists() and oct(served.stat().st_mode & 0o777) == "0o600"
        download = client.get(f"/staff/gradio_api/file={served}")
        assert download.status_code == 200 and "an@example.org" in download.text
        assert not served.exists(), "the export with personal data stayed on disk after its download"
        assert client.get(f"/staff/gradio_api/file={served}").status_code in (403, 404)
        assert cookie
    data_files = {name: mode for name, mode in _modes(app.tmp).items() if name != "app.log"}
    database = Path(app.env["ASSISTANT_DATABASE_URL"].removeprefix("sqlite:///")).name
    assert database in data_files
    open_to_others = {name: mode for name, mode in data_files.items() if int(mode, 8) & 0o077}
    assert not open_to_others, f"readable by other accounts: {open_to_others}"
    assert not [n for n in data_files if n.endswith(".csv")], "an export copy is left behind"


# --------------------------------------------------------------------------- retention


def test_purge_removes_feedback_and_requests_older_than_the_retention_period(app: Deployment) -> None:
    """The issue's feedback that was never purged.  A visitor rates an answer with a comment and
    passes a question on, through the real app; both are then dated back past the retention
    period (SQL on the test's own database: the seam), and ``python -m assistant purge`` is the
    one command that clears both.  Catches: a store left out of the purge, a purge that leaves
    the text in the database files, and a dry run that changes something."""
    import sqlite3

    secret_comment = "Bel me op 0470 12 34 56, Griet Purgetest"
    with http(app, "127.0.0.41") as client:
        deps = chat_deps(client)
        session = secrets.token_hex(8)
        status, msg = join(client, deps["ask"], form_data(deps, "ask", "Wat is een burgerinitiatief?"), session=session)
        assert status == 200 and msg.get("success"), msg
        liked = {"index": [1, 0], "value": "", "liked": False}
        status, msg = join(
            client, deps["rate"], form_data(deps, "rate", secret_comment), session=session, event_data=liked
        )
        assert status == 200 and msg.get("success"), msg
        status, msg = join(
            client, deps["submit_request"], form_data(deps, "submit_request", secret_comment), session=session
        )
        assert status == 200 and msg.get("success"), msg
    path = app.env["ASSISTANT_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        assert db.execute("select count(*) from feedback where comment = ?", (secret_comment,)).fetchone() == (1,)
        db.execute("update feedback set created_at = datetime('now', '-400 days') where comment = ?", (secret_comment,))
        db.execute(
            "update triage_requests set created_at = datetime('now', '-400 days') where question = ?", (secret_comment,)
        )

    def purge(*flags: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "assistant", "purge", *flags],
            cwd=PROJECT_ROOT,
            env=app.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert secret_comment not in done.stdout + done.stderr
        return done.stdout

    outbox = sorted(Path(app.env["ASSISTANT_OUTBOX"]).glob("*.eml"))
    mail = next(p for p in outbox if "Purgetest" in p.read_text(encoding="utf-8", errors="replace"))
    long_ago = time.time() - 400 * 86400
    os.utime(mail, (long_ago, long_ago))  # the confirmation mail in the outbox, dated back too
    assert "zou anonimiseren: 1 aanvragen, 1 beoordelingen, 1 mails in de outbox" in purge("--dry-run")
    assert secret_comment.encode() in Path(path).read_bytes() + Path(path + "-wal").read_bytes()
    assert "geanonimiseerd: 1 aanvragen, 1 beoordelingen, 1 mails in de outbox" in purge()
    assert not mail.exists()
    with sqlite3.connect(path) as db:
        purged = db.execute("select question, answer, comment, session_id from feedback where purged_at is not null")
        assert purged.fetchall() == [("[verwijderd]", "[verwijderd]", None, None)]
    on_disk = b"".join(Path(p).read_bytes() for p in (path, path + "-wal", path + "-shm") if Path(p).exists())
    assert secret_comment.encode() not in on_disk, "the purged text is still in the database files"
    assert "geanonimiseerd: 0 aanvragen, 0 beoordelingen, 0 mails in de outbox" in purge()
