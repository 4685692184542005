"""The local index folder: atomic generations, the ``CURRENT`` pointer and the ingest lock.

Layout of ``index/`` (one folder per embedder, so each embedding model has its own
Chroma collection)::

    index/<embedder>/CURRENT            name of the generation readers use
    index/<embedder>/gen-<time>-<rand>/  one complete, immutable index
        chunks.jsonl   chunk texts and metadata (the source of truth)
        embeddings.npy one row per chunk, same order (re-used by the next ingest)
        manifest.json  content hash and chunk ids per corpus file
        lexical.pkl    BM25 model and the analyzer's vocabulary
        chroma/        Chroma PersistentClient folder (embedded mode)
    index/<embedder>/.lock               held by the one running ingest

An ingest writes a *new* generation and then replaces ``CURRENT`` with ``os.replace``
(atomic on POSIX), so a reader sees the old index or the new one, never a half-written
one; an ingest killed midway leaves only an orphan folder that the next ingest removes.
Both backends (:mod:`assistant.index.backend`) use this folder; with a Chroma server it
is a local cache.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pickle
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexUnavailableError
from ..ingestion.chunking import Chunk
from .lexical import LexicalIndex

__all__ = ["PUBLISHED_MARKER", "Generation", "IndexFolder", "read_chunks", "read_manifest"]

#: File in a generation folder that says it was published (see IndexFolder.cleanup).
PUBLISHED_MARKER = ".published"


@dataclass
class Generation:
    """What was loaded of one generation: chunks in index order and, when asked for, more.

    ``lexical`` is ``None`` when the chunks came from a Chroma server (the caller builds BM25).
    """

    chunks: list[Chunk]
    embeddings: np.ndarray | None = None
    lexical: LexicalIndex | None = None
    manifest: dict[str, Any] = field(default_factory=dict)


class IndexFolder:
    """One embedder's folder of generations under ``index_dir``."""

    def __init__(self, index_dir: Path, embedder_slug: str) -> None:
        self.root = Path(index_dir) / embedder_slug
        self.slug = embedder_slug

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> str | None:
        """Name of the generation in the local ``CURRENT``, or None when there is none."""
        try:
            name = self.current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise IndexUnavailableError(f"cannot read {self.current_file} ({err}); check permissions.") from err
        return name if name and (self.root / name).is_dir() else None

    @staticmethod
    def new_generation() -> str:
        """A fresh, unique generation name, sortable by time (UTC, so hosts in other zones agree)."""
        return f"gen-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"

    def gen_dir(self, generation: str) -> Path:
        return self.root / generation

    def has_files(self, generation: str) -> bool:
        """True when this folder holds the chunks and BM25 of ``generation``."""
        gen_dir = self.gen_dir(generation)
        return (gen_dir / "chunks.jsonl").is_file() and (gen_dir / "lexical.pkl").is_file()

    def publish(self, generation: str, previous: str | None) -> None:
        """Atomically point the local ``CURRENT`` at ``generation``.

        Published generations get a marker file, so :meth:`cleanup` can tell them from
        the orphan of an ingest that was killed before publishing.
        """
        for name in (previous, generation):
            if name and (self.root / name).is_dir():
                (self.root / name / PUBLISHED_MARKER).touch()
        tmp = self.root / f".CURRENT.{os.getpid()}.tmp"
        tmp.write_text(generation + "\n", encoding="utf-8")
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.current_file)

    def cleanup(self, current: str | None, keep: int = 2) -> None:
        """Remove old and orphaned generation folders, keeping the newest ``keep`` published ones.

        Runs under the ingest lock, so no generation is being written here: one without
        the published marker is the orphan of a killed ingest.
        """
        gens = sorted(p.name for p in self.root.glob("gen-*") if p.is_dir())
        published = [g for g in gens if (self.root / g / PUBLISHED_MARKER).exists()]
        keep_set = set(published[-keep:]) | ({current} if current else set())
        for name in gens:
            if name not in keep_set:
                shutil.rmtree(self.root / name, ignore_errors=True)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive ingest lock; a second ingest fails at once with a clear message.

        ``flock`` is released by the kernel when the holder dies, so a killed ingest
        never leaves a stale lock behind.
        """
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fh = (self.root / ".lock").open("a+")
        except OSError as err:
            raise IndexUnavailableError(
                f"cannot write to the index folder {self.root} ({err.strerror}); "
                "check free disk space and permissions, or set ASSISTANT_INDEX to a writable folder."
            ) from err
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            fh.close()
            raise IndexUnavailableError(
                f"another ingest is already running on {self.root}; wait for it to finish and try again."
            ) from err
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()

    def write(self, generation: str, chunks: list[Chunk], embeddings: np.ndarray, manifest: dict[str, Any]) -> None:
        """Write chunks, embeddings, manifest and BM25 of a new generation."""
        gen_dir = self.gen_dir(generation)
        gen_dir.mkdir(parents=True, exist_ok=True)
        with (gen_dir / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            for c in chunks:
                fh.write(json.dumps({"text": c.text, **c.metadata()}, ensure_ascii=False) + "\n")
        np.save(gen_dir / "embeddings.npy", embeddings.astype(np.float32))
        (gen_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        LexicalIndex.build([c.index_text for c in chunks]).save(gen_dir / "lexical.pkl")

    def load(self, generation: str, *, embeddings: bool = False, manifest: bool = False) -> Generation:
        """Chunks and BM25 (and, when asked for, vectors and manifest) of a generation folder."""
        gen_dir = self.gen_dir(generation)
        try:
            return Generation(
                chunks=_read_chunk_list(gen_dir),
                embeddings=np.load(gen_dir / "embeddings.npy") if embeddings else None,
                lexical=LexicalIndex.load(gen_dir / "lexical.pkl"),
                manifest=read_manifest(gen_dir) if manifest else {},
            )
        except (OSError, ValueError, KeyError, pickle.UnpicklingError, EOFError) as err:
            raise IndexUnavailableError(
                f"the index generation {gen_dir} is damaged ({type(err).__name__}); "
                "run `python -m assistant ingest` again."
            ) from err


def read_chunks(gen_dir: Path) -> tuple[list[Chunk], np.ndarray]:
    """Chunks and their embeddings from a generation folder."""
    return _read_chunk_list(gen_dir), np.load(gen_dir / "embeddings.npy")


def _read_chunk_list(gen_dir: Path) -> list[Chunk]:
    chunks = []
    with (gen_dir / "chunks.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            chunks.append(Chunk.from_record(rec.pop("text"), rec))
    return chunks


def read_manifest(gen_dir: Path) -> dict[str, Any]:
    """The file manifest of a generation ({} when absent)."""
    path = gen_dir / "manifest.json"
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
