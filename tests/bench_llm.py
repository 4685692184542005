"""Benchmark of the LLM path against tests/llm_server.py: latency added by the round-trip, fallback rates.

    .venv/bin/python tests/bench_llm.py [--questions 40] [--out evals/reports/llm-bench.md]

The local server answers at once, so the added latency is what Vraagbaak's LLM
path costs on this machine: the prompt, langchain-openai, HTTP over loopback,
server-sent events and the sentence checker (a real model adds its own
generation time on top).  Each answerable gold question is asked warm, first
extractively, then through the model (streaming and not); the fallback rate is
measured per canned case of the server.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from llm_server import SCENARIOS, LLMServer

from assistant import Vraagbaak, load_settings
from assistant.answer import Answer, AnswerDone
from evals.gold import load_gold

KEY_VAR = "VRAAGBAAK_BENCH_LLM_KEY"
#: The slow cases wait for the timeout on every question: fewer questions for them.
SLOW = ("slow", "stall")


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))]


def _timed(va: Vraagbaak, question: str, history: list[dict[str, str]]) -> tuple[float, float, Answer]:
    """(ms to the first piece of text, ms in all, the answer)."""
    t0 = time.perf_counter()
    first = None
    answer = None
    for item in va.stream(question, history):
        if isinstance(item, AnswerDone):
            answer = item.answer
        elif first is None and item.text.strip():
            first = time.perf_counter()
    total = time.perf_counter() - t0
    assert answer is not None
    return ((first or time.perf_counter()) - t0) * 1000, total * 1000, answer


class _Dropped(logging.Handler):
    """Counts the reply sentences the checker kept and left out, from the LLM path's log lines."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.sentences = 0
        self.dropped: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        m = re.search(r"(\d+) sentences, dropped: ([^;]*);", message)
        if m:
            self.sentences += int(m.group(1))
            for part in m.group(2).split(", "):
                if "=" in part:
                    k, v = part.split("=")
                    self.dropped[k] += int(v)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--questions", type=int, default=40)
    p.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "evals/reports/llm-bench.md"))
    args = p.parse_args()
    os.environ[KEY_VAR] = "sk-bench"
    gold = [g for g in load_gold() if g.expected_route == "answer"][: args.questions]
    base = load_settings(llm=None)
    lines: list[str] = []
    with LLMServer() as server:

        def llm_va(scenario: str, stream: bool = True, **changes: object) -> Vraagbaak:
            s = base.replace(
                llm=f"openai:{scenario}",
                llm_base_url=server.base_url,
                llm_api_key_env=KEY_VAR,
                llm_stream=stream,
                **changes,
            )
            va = Vraagbaak(s)
            va.warm()
            return va

        extractive = Vraagbaak(base)
        extractive.warm()
        runs = {"extractive": extractive, "llm stream": llm_va("valid"), "llm no-stream": llm_va("valid", False)}
        for va in runs.values():  # warm: first imports, connections, memoised sentences
            _timed(va, gold[0].question, list(gold[0].history))
        times: dict[str, list[tuple[float, float, Answer]]] = {k: [] for k in runs}
        for g in gold:
            for name, va in runs.items():
                times[name].append(_timed(va, g.question, list(g.history)))
        used = [i for i, (_, _, a) in enumerate(times["llm stream"]) if a.mode != "extractive"]
        lines += [
            "# LLM path: latency and fallbacks against the local OpenAI-compatible server",
            "",
            f"{time.strftime('%Y-%m-%d %H:%M')}, {platform.node()} ({os.cpu_count()} cores), Python "
            f"{platform.python_version()}; `{' '.join(['.venv/bin/python', 'tests/bench_llm.py', *sys.argv[1:]])}`.",
            f"{len(gold)} answerable gold questions, warm, one at a time; the server answers at once "
            "(a real model adds its own generation time).",
            "",
            "## Latency per turn (ms)",
            "",
            "| path | first text p50 | first text p95 | total p50 | total p95 |",
            "|---|---|---|---|---|",
        ]
        for name, rows in times.items():
            first = [rows[i][0] for i in used]
            total = [rows[i][1] for i in used]
            lines.append(
                f"| {name} | {statistics.median(first):.0f} | {_pct(first, 95):.0f} | "
                f"{statistics.median(total):.0f} | {_pct(total, 95):.0f} |"
            )
        for name in ("llm stream", "llm no-stream"):
            added = [times[name][i][1] - times["extractive"][i][1] for i in used]
            lines.append(
                f"\nAdded by the round-trip ({name}, same {len(used)} questions the LLM path was asked for): "
                f"p50 {statistics.median(added):.0f} ms, p95 {_pct(added, 95):.0f} ms."
            )
        lines += [
            "",
            "## Fallback rate per canned case",
            "",
            "Share of the turns the LLM path was asked for that got the extractive answer instead (timeout 2 s).",
            "",
            "| case | stream | questions | fallback | reasons | reply sentences | left out by the checker |",
            "|---|---|---|---|---|---|---|",
        ]
        counter = _Dropped()
        logging.getLogger("assistant.answer.llm").addHandler(counter)
        logging.getLogger("assistant.answer.llm").setLevel(logging.INFO)
        for scenario in SCENARIOS:
            for stream in (True, False):
                if scenario == "stall" and not stream:
                    continue
                va = llm_va(scenario, stream, llm_timeout_s=2.0)
                counter.sentences, counter.dropped = 0, Counter()
                qs = gold[:5] if scenario in SLOW else gold
                modes = [va.ask(g.question, list(g.history)) for g in qs]
                tried = [a for a in modes if a.mode != "extractive"]
                reasons = Counter(a.fallback_reason for a in tried if a.fallback_reason)
                share = sum(a.mode == "extractive-fallback" for a in tried) / max(1, len(tried))
                lines.append(
                    f"| {scenario} | {'yes' if stream else 'no'} | {len(tried)} | {share:.2f} | "
                    + (", ".join(f"{k} {v}" for k, v in reasons.most_common()) or "–")
                    + f" | {counter.sentences} | "
                    + (", ".join(f"{k} {v}" for k, v in sorted(counter.dropped.items())) or "–")
                    + " |"
                )
                print(lines[-1], file=sys.stderr)
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
