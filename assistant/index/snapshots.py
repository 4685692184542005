"""Loaded index generations: what retrieval reads, owned by one :class:`Snapshots` per index."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ..errors import IndexUnavailableError
from ..ingestion.chunking import Chunk
from .backend import IndexBackend
from .chroma import VectorStore
from .lexical import LexicalIndex

__all__ = ["Snapshot", "Snapshots"]


@dataclass
class Snapshot:
    """One loaded index generation: what retrieval reads."""

    generation: str
    embedder: str
    chunks: list[Chunk]
    lexical: LexicalIndex
    vectors: VectorStore
    position: dict[str, int] = field(default_factory=dict)
    #: Per-snapshot memo for derived data (term sets, priors); dies with the snapshot.
    memo: dict[Any, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.position = {c.chunk_id: i for i, c in enumerate(self.chunks)}


class Snapshots:
    """The current generation of ``index``, loaded once and re-loaded when an ingest publishes a new one.

    Keeps one generation (older ones may be deleted by the next ingest).  One loader at a
    time: after a publish every web worker would otherwise load (in server mode: download
    and re-index) the same generation at once.
    """

    def __init__(self, index: IndexBackend) -> None:
        self.index = index
        self._loaded: Snapshot | None = None
        self._lock = threading.Lock()

    def current(self) -> Snapshot:
        """The snapshot of the generation the index points at now."""
        generation = self.index.current()
        if generation is None:
            raise IndexUnavailableError(self._missing())
        loaded = self._loaded
        if loaded is not None and loaded.generation == generation:
            return loaded
        with self._lock:
            loaded = self._loaded
            if loaded is not None and loaded.generation == generation:
                return loaded
            self._loaded = loaded = self._load(generation)
        return loaded

    def _load(self, generation: str) -> Snapshot:
        data = self.index.load(generation)
        # From a server the chunks come without BM25: rebuilt here (deterministic from the texts).
        lexical = data.lexical or LexicalIndex.build([c.index_text for c in data.chunks])
        vectors = self.index.open_vectors(generation)
        return Snapshot(generation, self.index.folder.slug, data.chunks, lexical, vectors)

    def _missing(self) -> str:
        slug = self.index.folder.slug
        return (
            f"no index for embedder {slug!r} in {self.index.location}; "
            f"run `python -m assistant ingest --embedder {slug}` first."
        )
