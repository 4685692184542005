"""Fast tests of the hardening pieces (issue #15): login throttle, sessions, cross-origin check,
body limit, event guard, log filter, surrogates.  Time is a fake clock where delays matter.

The same behaviour is tested against the real app over HTTP in tests/test_public_deployment.py.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import Headers

from assistant.errors import ConfigError, QuestionError
from assistant.inputs import UNREADABLE, check_readable
from assistant.settings import Settings, load_settings
from assistant.vraagbaak import clean_question
from assistant.web.auth import LoginThrottle, LoginThrottledError, StaffAccounts
from assistant.web.guard import EventGuard, EventLimit, WindowLimiter
from assistant.web.middleware import AccessLogFilter, CrossOriginGuard
from assistant.web.sessions import MAX_SESSIONS_PER_USER, StaffSessions

PASSWORD = "verharding-test-wachtwoord"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --------------------------------------------------------------------------- login throttle


def test_throttle_delays_grow_exponentially_per_account_and_client() -> None:
    clock = Clock()
    throttle = LoginThrottle(3, clock=clock)
    for _ in range(3):  # the free attempts
        throttle.attempt("anna", "10.0.0.1")
    waits = []
    for _ in range(6):
        with pytest.raises(LoginThrottledError) as refused:
            throttle.attempt("anna", "10.0.0.1")
        waits.append(refused.value.wait_s)
        clock.now += refused.value.wait_s
        throttle.attempt("anna", "10.0.0.1")  # allowed once the wait is over (and counted)
    assert waits == [1, 2, 4, 8, 16, 32]
    assert "Wacht 32 seconden" in str(LoginThrottledError(31.2))
    assert "Wacht 15 minuten" in str(LoginThrottledError(900))
    assert throttle.wait_s(100, 3) == 900  # capped
    throttle.attempt("anna", "10.0.0.2")  # another client: no wait
    throttle.attempt("bert", "10.0.0.1")  # another account from this client: no wait yet
    clock.now += 3600
    throttle.attempt("anna", "10.0.0.1")  # forgotten an hour after the last failure


def test_a_success_clears_this_clients_failures() -> None:
    clock = Clock()
    throttle = LoginThrottle(3, clock=clock)
    for _ in range(2):
        throttle.attempt("anna", "10.0.0.1")
    throttle.attempt("anna", "10.0.0.1")
    throttle.succeeded("anna", "10.0.0.1")  # the third was the right password
    for _ in range(3):
        throttle.attempt("anna", "10.0.0.1")


def test_many_addresses_slow_the_account_down_but_not_a_known_browser() -> None:
    """Guessing from many addresses: after 20 failures on the account every new browser waits;
    a browser that logged in to that account before (device token) does not."""
    clock = Clock()
    throttle = LoginThrottle(3, clock=clock)
    device = throttle.device_token("anna")
    for i in range(20):
        throttle.attempt("anna", f"203.0.113.{i}")
    with pytest.raises(LoginThrottledError):
        throttle.attempt("anna", "198.51.100.1")
    throttle.attempt("anna", "198.51.100.1", device)  # the real user's browser
    with pytest.raises(LoginThrottledError):
        throttle.attempt("anna", "198.51.100.2", throttle.device_token("bert"))  # another account's token


def test_client_spraying_many_names_is_slowed_down() -> None:
    throttle = LoginThrottle(3, clock=Clock())
    for i in range(10):
        throttle.attempt(f"naam{i}", "10.0.0.9")
    with pytest.raises(LoginThrottledError):
        throttle.attempt("nog-een-naam", "10.0.0.9")


# --------------------------------------------------------------------------- sessions


def test_sessions_end_after_idle_time_and_lifetime() -> None:
    clock = Clock()
    sessions = StaffSessions(lifetime_s=3600, idle_s=600, clock=clock)
    first = sessions.start("anna")
    assert sessions.get(first.token) is not None and sessions.get("geraden") is None
    clock.now += 599
    assert sessions.get(first.token) is not None  # a request restarts the idle clock
    clock.now += 599
    assert sessions.get(first.token) is not None
    clock.now += 600
    assert sessions.get(first.token) is None  # idle too long
    busy = sessions.start("anna")
    for _ in range(7):
        clock.now += 500
        assert sessions.get(busy.token) is not None
    clock.now += 500
    assert sessions.get(busy.token) is None  # lifetime over, however busy


def test_logout_ends_one_session_and_sessions_per_user_are_bounded() -> None:
    sessions = StaffSessions(3600, 600, clock=Clock())
    laptop, phone = sessions.start("anna"), sessions.start("anna")
    assert laptop.token != phone.token and laptop.csrf != phone.csrf
    assert sessions.end(laptop.token) and not sessions.end(laptop.token)
    assert sessions.get(phone.token) is not None  # the other session stays
    assert phone.csrf_matches(phone.csrf) and not phone.csrf_matches(laptop.csrf)
    assert not phone.csrf_matches("") and not phone.csrf_matches(None)
    for _ in range(MAX_SESSIONS_PER_USER + 5):
        sessions.start("anna")
    assert len(sessions) == MAX_SESSIONS_PER_USER
    assert phone.token not in repr(phone) and phone.csrf not in repr(phone)


def test_staff_session_expires_on_the_mounted_app(tmp_path: Path) -> None:
    """The idle timeout as the app applies it (a real, short timeout; no speed goal)."""
    from test_access import FakeAssistant

    from assistant.web.app import build_app

    StaffAccounts(tmp_path / "staff.txt").add("anna", PASSWORD)
    settings = Settings().replace(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        staff_file=tmp_path / "staff.txt",
        index_dir=tmp_path / "no-index",
        session_idle_minutes=1.5 / 60,
    )
    app = build_app(settings, assistant=FakeAssistant(), warm=False)  # type: ignore[arg-type]
    with TestClient(app) as http:
        assert http.post("/staff/login", data={"username": "anna", "password": PASSWORD}).status_code == 200
        assert http.get("/staff/config").status_code == 200
        time.sleep(2.0)
        assert http.get("/staff/config").status_code == 401
        home = http.get("/staff/", follow_redirects=False)
        assert home.status_code == 303 and home.headers["location"] == "/staff/login"


def test_no_mounted_page_lists_its_routes(tmp_path: Path) -> None:
    """``/openapi.json`` listed ~70 internal routes of a Gradio page; the Evaluatie page still served
    it, without a login.  Catches any of the five mounts (chat, staff, Bronnen, Kennislacunes,
    Evaluatie) serving a route list, before and after its login."""
    from test_access import FakeAssistant

    from assistant.web.app import build_app
    from assistant.web.auth import Role

    accounts = StaffAccounts(tmp_path / "staff.txt")
    accounts.add("anna", PASSWORD)
    accounts.add("eva", PASSWORD, [Role.EVALUATOR])
    settings = Settings().replace(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", staff_file=tmp_path / "staff.txt", index_dir=tmp_path / "x"
    )
    app = build_app(settings, assistant=FakeAssistant(), warm=False)  # type: ignore[arg-type]
    pages = ("", "/staff", "/staff/bronnen", "/staff/kennislacunes", "/evaluatie")
    listings = ("/openapi.json", "/docs", "/redoc", "/gradio_api/openapi.json")
    with TestClient(app) as http:
        for page in pages:
            for listing in listings:
                r = http.get(page + listing)
                assert r.status_code in (401, 404) and "/gradio_api/" not in r.text, (page + listing, r.status_code)
        for prefix, name in (("/staff", "anna"), ("/evaluatie", "eva")):
            login = http.post(f"{prefix}/login", data={"username": name, "password": PASSWORD})
            assert login.status_code == 200
        assert http.get("/evaluatie/config").status_code == 200 and http.get("/staff/config").status_code == 200
        for page in pages:
            for listing in listings:
                assert http.get(page + listing).status_code == 404, page + listing


def test_body_limits_per_path(tmp_path: Path) -> None:
    """Public pages 64 KB, staff pages 1 MB, staff uploads ASSISTANT_MAX_FILE_MB, refused (413) from
    Content-Length before a login is even looked at.  Catches: a staff or upload route without its
    limit, and the public limit applied to staff uploads (files could not be added)."""
    from test_access import FakeAssistant

    from assistant.web.app import build_app

    settings = Settings().replace(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        staff_file=tmp_path / "staff.txt",
        index_dir=tmp_path / "x",
        max_file_mb=3,
    )
    app = build_app(settings, assistant=FakeAssistant(), warm=False)  # type: ignore[arg-type]
    kb = 1024
    cases = [
        ("/gradio_api/queue/join", 64 * kb),
        ("/evaluatie/gradio_api/queue/join", 64 * kb),
        ("/staff/gradio_api/queue/join", 1024 * kb),
        ("/staff/kennislacunes/gradio_api/queue/join", 1024 * kb),
        ("/staff/gradio_api/upload", 3 * 1024 * kb),
        ("/staff/bronnen/gradio_api/upload", 3 * 1024 * kb),
    ]
    with TestClient(app) as http:
        for path, limit in cases:
            over = http.post(path, content=b"x" * (limit + 1), headers={"content-type": "application/json"})
            assert over.status_code == 413, (path, over.status_code)
            under = http.post(path, content=b"x" * limit, headers={"content-type": "application/json"})
            assert under.status_code != 413, (path, under.status_code)


# --------------------------------------------------------------------------- cross-origin check


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, True),  # a script: no browser, no cross-site request
        ({"sec-fetch-site": "same-origin", "origin": "http://app.test"}, True),
        ({"sec-fetch-site": "none"}, True),  # typed into the address bar, a bookmark
        ({"sec-fetch-site": "cross-site", "origin": "https://evil.example"}, False),
        ({"sec-fetch-site": "same-site", "origin": "https://sub.app.test"}, False),
        ({"sec-fetch-site": "cross-site", "origin": "https://vraagbaak.example"}, True),  # configured
        ({"origin": "https://evil.example", "host": "app.test"}, False),  # an older browser
        ({"origin": "http://app.test", "host": "app.test"}, True),
        ({"origin": "null", "host": "app.test"}, False),  # sandboxed frame, file://
        ({"origin": "https://vraagbaak.example", "host": "127.0.0.1:7860"}, True),
    ],
)
def test_cross_origin_decision(headers: dict[str, str], allowed: bool) -> None:
    guard = CrossOriginGuard(lambda *a: None, trusted_origins=("https://vraagbaak.example",))  # type: ignore[arg-type, return-value]
    assert guard.allowed(Headers(headers)) is allowed


# --------------------------------------------------------------------------- event guard and limits


def test_window_limiter_slides() -> None:
    clock = Clock()
    limiter = WindowLimiter(2, clock=clock)
    limiter.hit("a")
    clock.now += 30
    limiter.hit("a")
    assert limiter.full("a") and not limiter.full("b")
    clock.now += 30
    assert not limiter.full("a")  # the first hit is a minute old


def test_event_guard_refuses_limits_for_events_the_page_lacks() -> None:
    limit = EventLimit(1, 1, "x", "y")
    with pytest.raises(ConfigError, match="submit_request"):
        EventGuard(lambda *a: None, prefix="/", events={0: "ask"}, limits={"submit_request": limit})  # type: ignore[arg-type, return-value]


def test_chat_turns_and_ratings_are_limited_per_client_and_for_the_app(tmp_path: Path) -> None:
    """The chat's own limits (ASSISTANT_CHAT_TURNS_PER_MINUTE and _TOTAL, here 2 and 3) as the app
    wires them: per client address, then for everyone, for questions and ratings each, with the
    Dutch messages; refusals happen before Gradio sees the event.  Catches: the chat's events
    without their limits (a renamed handler), and one client's refusals counted against others."""
    from test_access import FakeAssistant

    from assistant.web.app import build_app

    settings = Settings().replace(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        staff_file=tmp_path / "staff.txt",
        index_dir=tmp_path / "x",
        chat_turns_per_minute=2,
        chat_turns_per_minute_total=3,
    )
    app = build_app(settings, assistant=FakeAssistant(), warm=False)  # type: ignore[arg-type]
    pages = [route.app.get_blocks() for route in app.routes if hasattr(getattr(route, "app", None), "get_blocks")]
    chat = next(page for page in pages if any(fn.name == "ask" for fn in page.fns.values()))
    index = {fn.name: i for i, fn in chat.fns.items()}

    def join(http: TestClient, name: str) -> tuple[int, str]:
        body = {"data": [], "fn_index": index[name], "session_hash": "s", "event_data": None}
        r = http.post("/gradio_api/queue/join", json=body)
        return r.status_code, str(r.json().get("detail", "")) if r.status_code != 200 else ""

    with TestClient(app, client=("10.0.0.1", 1)) as one, TestClient(app, client=("10.0.0.2", 1)) as two:
        for name in ("ask", "rate"):
            assert [join(one, name)[0] for _ in range(2)] == [200, 200]
            status, detail = join(one, name)
            assert status == 429 and "Je stelde de voorbije minuut erg veel vragen" in detail, (name, detail)
            assert join(two, name)[0] == 200  # another client: its own limit, the app's third
            status, detail = join(two, name)
            assert status == 429 and "erg veel vragen. Probeer het over een minuut" in detail, (name, detail)


# --------------------------------------------------------------------------- logs and text


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/gradio_api/queue/data?session_hash=geheim123", "/gradio_api/queue/data?…"),
        ("/gradio_api/heartbeat/geheim123", "/gradio_api/heartbeat/…"),  # a browser's, while the chat has state
        ("/staff/gradio_api/heartbeat/geheim123?x=1", "/staff/gradio_api/heartbeat/…?…"),
        ("/gradio_api/stream/geheim123/run/3/playlist.m3u8", "/gradio_api/stream/…/run/3/playlist.m3u8"),
        ("/gradio_api/queue/join", "/gradio_api/queue/join"),
    ],
)
def test_access_log_lines_lose_session_hashes(path: str, logged: str) -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )
    assert AccessLogFilter().filter(record)
    line = record.getMessage()
    assert "geheim123" not in line and "session_hash" not in line and f"GET {logged} HTTP" in line, line


@pytest.mark.parametrize("text", ["\ud800", "vraag \udfff over subsidies", "\ud83d", "a" * 500 + "\udcff"])
def test_lone_surrogates_give_the_same_dutch_message_everywhere(text: str) -> None:
    with pytest.raises(QuestionError) as cleaned:
        clean_question(text, 1000)
    with pytest.raises(QuestionError) as checked:
        check_readable({"data": [None, {"comment": text}]})
    assert str(cleaned.value) == str(checked.value) == UNREADABLE
    check_readable({"data": ["gewone vraag 🙂", {"x": ["é"]}]})  # real text passes
    assert clean_question("Wat is een burgerinitiatief? 🙂", 1000).endswith("🙂")


def test_public_url_and_trusted_proxies_settings() -> None:
    s = load_settings(
        env={
            "ASSISTANT_PUBLIC_URL": "https://Vraagbaak.example/, https://www.vraagbaak.example",
            "ASSISTANT_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8",
        }
    )
    assert s.public_urls == ("https://vraagbaak.example", "https://www.vraagbaak.example")
    assert s.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    with pytest.raises(ConfigError, match="ASSISTANT_PUBLIC_URL"):
        load_settings(env={"ASSISTANT_PUBLIC_URL": "vraagbaak.example/pad"})
    with pytest.raises(ConfigError, match="ASSISTANT_TRUSTED_PROXIES"):
        load_settings(env={"ASSISTANT_TRUSTED_PROXIES": "proxy.local"})
    with pytest.raises(ConfigError):
        load_settings(env={"ASSISTANT_ESCALATIONS_PER_MINUTE": "0"})


# --------------------------------------------------------------------------- capacity: waits the work does not need


def test_questions_embed_side_by_side_and_a_batch_waits_for_them() -> None:
    """Catches the one lock around every embedding call that made concurrent questions queue
    (half of their embedding time under 20 sessions), and a batch that changes torch's
    process-wide thread count while questions run."""
    import threading

    from assistant.index.embedders import _ThreadCountLock

    counts: list[int] = []
    lock = _ThreadCountLock(counts.append)
    inside = threading.Barrier(2, timeout=10)
    order: list[str] = []

    def question(name: str) -> None:
        with lock.using(1):
            inside.wait()  # both questions are inside at the same time, or this times out
            order.append(name)
            time.sleep(0.1)

    def batch() -> None:
        time.sleep(0.03)
        with lock.using(2):
            order.append("batch")

    threads = [threading.Thread(target=question, args=(n,)) for n in ("q1", "q2")] + [threading.Thread(target=batch)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(order[:2]) == ["q1", "q2"] and order[2] == "batch"
    assert counts == [1, 2]
    with lock.using(2):  # same count again: no switch
        pass
    assert counts == [1, 2]


def test_gradio_queue_bookkeeping_is_switched_off(tmp_path: Path) -> None:
    """Gradio's queue rebuilds a pandas summary of up to 10,000 past events (with session hashes)
    after every event; the app switches that off.  Fails when Gradio renames the settings."""
    import inspect

    from gradio import queueing
    from test_access import FakeAssistant

    from assistant.web.app import build_app
    from assistant.web.lean import QUEUE_STATUS_EVERY_S

    source = inspect.getsource(queueing.Queue)
    for name in (
        "ANALYTICS_MAX_EVENTS",
        "ANAYLTICS_CACHE_FREQUENCY",
        "sleep_when_free",
        "progress_update_sleep_when_free",
        "live_updates",
        "update_intervals",
    ):
        assert f"self.{name}" in source, name
    StaffAccounts(tmp_path / "staff.txt").add("anna", PASSWORD)
    settings = Settings().replace(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", staff_file=tmp_path / "staff.txt", index_dir=tmp_path / "x"
    )
    app = build_app(settings, assistant=FakeAssistant(), warm=False)  # type: ignore[arg-type]
    queues = [
        route.app.get_blocks()._queue for route in app.routes if hasattr(getattr(route, "app", None), "get_blocks")
    ]
    assert len(queues) == 5  # chat, staff page, Evaluatie page, Bronnen, Kennislacunes
    assert all(q.ANALYTICS_MAX_EVENTS == 1 and q.ANAYLTICS_CACHE_FREQUENCY > 10**9 for q in queues)
    assert all(q.sleep_when_free == 0.005 for q in queues)
    # No queue position to every waiting event whenever one starts; periodically instead.
    assert all(q.live_updates is False and q.update_intervals == QUEUE_STATUS_EVERY_S for q in queues)


def test_unchanged_outputs_are_not_rebuilt(tmp_path: Path) -> None:
    """Gradio rebuilds a whole component (constructor, config, signature) for every output a
    handler leaves out, on the event loop: 12 ms of CPU per chat turn.  The app sends those as
    'unchanged' without rebuilding (assistant/web/lean.py).  Catches: the rebuild coming back
    (a Gradio upgrade that calls something else than ``self.postprocess_data``, the patch lost),
    and a changed output sent differently from how Gradio sends it."""
    import asyncio
    import inspect

    from gradio.blocks import Blocks
    from gradio.state_holder import SessionState
    from test_access import FakeAssistant

    from assistant.web.app import build_app

    assert "await self.postprocess_data(" in inspect.getsource(Blocks.process_api)
    settings = Settings().replace(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", staff_file=tmp_path / "staff.txt", index_dir=tmp_path / "x"
    )
    app = build_app(settings, assistant=FakeAssistant(), warm=False)  # type: ignore[arg-type]
    pages = [route.app.get_blocks() for route in app.routes if hasattr(getattr(route, "app", None), "get_blocks")]
    chat = next(page for page in pages if any(fn.name == "ask" for fn in page.fns.values()))
    ask = next(fn for fn in chat.fns.values() if fn.name == "ask")
    handlers = ask.fn.__self__
    first, final = list(handlers.ask("Wat is een burgerinitiatief?", []))
    assert 1 < len(final) < len(ask.outputs), "the final update must leave outputs out for this test"

    async def both(update: dict[Any, Any]) -> tuple[list[Any], list[Any], SessionState]:
        lean_state = SessionState(chat)
        lean = await chat.postprocess_data(ask, dict(update), lean_state)
        full = await Blocks.postprocess_data(chat, ask, dict(update), SessionState(chat))
        return lean, full, lean_state

    for update in (first, final):
        lean, full, state = asyncio.run(both(update))
        changed = {block._id for block in update}
        for block, mine, gradios in zip(ask.outputs, lean, full, strict=True):
            if block._id in changed:
                assert mine == gradios, block
            else:
                assert mine == (None if block.stateful else {"__type__": "update"}), (block, mine)
                rebuilt = state.blocks_config.blocks[block._id] is not block
                assert not rebuilt, f"{block} was rebuilt for an output that does not change"


class _TwoPieceAssistant:
    """Answers with two streamed pieces and the final answer (no index, no models)."""

    def stream(self, question: str, history: Any = None, filters: Any = None) -> Any:
        from assistant.answer import Answer, AnswerDone, TextDelta

        yield TextDelta("Een vast ")
        yield TextDelta(f"antwoord na {len(history or [])} berichten.")
        yield AnswerDone(Answer(question=question, text=f"Een vast antwoord na {len(history or [])} berichten."))


def test_sessions_keep_no_copy_of_every_components_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Gradio copied the config of every component of the page (29 on the chat) into each new
    session, 2.6 ms on the event loop, and kept it current with every value, for its deep-link
    route alone (refused).  Catches: the copy coming back (the lean state not installed, a Gradio
    upgrade that makes sessions another way), a session state that lacks something of Gradio's,
    and turns whose outputs or kept conversation differ from those with Gradio's own state."""
    import asyncio

    from gradio.blocks import BlocksConfig
    from gradio.state_holder import SessionState

    from assistant.web.app import build_app

    settings = Settings().replace(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", staff_file=tmp_path / "staff.txt", index_dir=tmp_path / "x"
    )
    app = build_app(settings, assistant=_TwoPieceAssistant(), warm=False)  # type: ignore[arg-type]
    pages = [route.app.get_blocks() for route in app.routes if hasattr(getattr(route, "app", None), "get_blocks")]
    chat = next(page for page in pages if any(fn.name == "ask" for fn in page.fns.values()))
    ask = next(fn for fn in chat.fns.values() if fn.name == "ask")
    questions = ("Wat is een burgerinitiatief?", "En wie helpt daarbij?")

    async def conversation(state: SessionState) -> list[list[Any]]:
        outputs = []
        for question in questions:
            iterator = None
            while True:
                result = await chat.process_api(ask, [question, None], state=state, iterator=iterator, event_id="e")
                outputs.append(result["data"])
                iterator = result.get("iterator")
                if not result.get("is_generating"):
                    break
        return outputs

    computed: list[int] = []
    config_for_block = BlocksConfig.config_for_block
    monkeypatch.setattr(
        BlocksConfig,
        "config_for_block",
        staticmethod(lambda *a, **k: computed.append(a[0]) or config_for_block(*a, **k)),
    )
    lean = chat.state_holder["sessie"]  # as Gradio gets a session's state on its first event
    assert all(type(page.state_holder[f"x{i}"]) is type(lean) for i, page in enumerate(pages))
    lean_outputs = asyncio.run(conversation(lean))
    assert computed == [], "a component's config was computed for the session"
    gradios = SessionState(chat)
    gradio_outputs = asyncio.run(conversation(gradios))
    assert computed, "the spy saw nothing: the test no longer measures the copy"
    assert lean_outputs == gradio_outputs
    assert "na 2 berichten" in str(lean_outputs)  # the second turn saw the first (the State kept it)
    assert lean.state_data == gradios.state_data
    assert set(vars(lean)) == set(vars(gradios))
    assert chat.state_holder["sessie"] is lean


def test_streamed_pieces_are_paced() -> None:
    """Pieces within one interval are merged; a slow stream still shows as it comes; the final item
    passes at once and makes the text still waiting unnecessary."""
    from assistant.web.pacing import paced

    clock = Clock()

    def stream(times_and_items: list[tuple[float, object]]):  # type: ignore[no-untyped-def]
        for t, item in times_and_items:
            clock.now = 1000.0 + t
            yield item

    from assistant.answer import Answer, AnswerDone, TextDelta

    done = AnswerDone(Answer(question="q", text="abc"))
    d = TextDelta
    fast = list(paced(stream([(0.01, d("a")), (0.02, d("b")), (0.03, d("c")), (0.03, done)]), 0.25, clock=clock))
    assert fast == [done]
    slow = list(paced(stream([(0.3, d("a")), (0.4, d("b")), (0.6, d("c")), (0.7, done)]), 0.25, clock=clock))
    assert slow == [d("a"), d("bc"), done]
    assert list(paced(stream([(0.1, d("a")), (0.2, d("b"))]), 0.25, clock=clock)) == [d("ab")]  # no final item: flushed


def test_cut_notice_only_for_questions_that_are_cut() -> None:
    from assistant.inputs import cut_notice

    assert cut_notice("kort " * 10, 1000) is None
    assert cut_notice("woord   " * 150, 1000) is None  # 899 once whitespace is collapsed
    long = "woord " * 200
    notice = cut_notice(long, 1000)
    assert notice is not None and "1000 tekens" in notice
    assert len(clean_question(long, 1000)) <= 1000


def test_a_new_database_is_private_whatever_the_umask(tmp_path: Path) -> None:
    """A command-line command may create the SQLite database with the default umask (022); it and
    its journal files must still be 0600."""
    import os

    from assistant.db import Database
    from assistant.triage import TriageStore

    old = os.umask(0o022)
    try:
        with Database(f"sqlite:///{tmp_path / 'nieuw' / 'vraagbaak.db'}") as database:
            TriageStore(database).create_request(
                question="Vraag", requester_name="An", email="an@example.org", org_type="erkend", consent=True
            )
            modes = {p.name: oct(p.stat().st_mode & 0o777) for p in (tmp_path / "nieuw").iterdir()}
    finally:
        os.umask(old)
    assert modes["vraagbaak.db"] == "0o600" and set(modes.values()) == {"0o600"}, modes
