"""Ingest: parse the corpus, chunk, embed and publish a new index generation.

Incremental by content hash: unchanged files keep their chunks and vectors,
changed files are replaced, removed files disappear from both indexes.  A file
that fails to parse is reported on one line and keeps the chunks it had in the
previous generation.  See :mod:`assistant.index.store` for the atomic layout.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DocumentError, IndexUnavailableError, VraagbaakError
from ..index.embedders import get_embedder, slug
from ..index.store import (
    ChromaStore,
    IndexLayout,
    chroma_client,
    layout_for,
    load_generation,
    write_generation_files,
)
from ..settings import Settings
from .chunking import Chunk, chunk_document
from .loading import discover, file_sha256, meta_for, parse_file, read_manifest

#: Bump when parsing or chunking changes so every file is re-processed once.
PIPELINE_VERSION = 8  # 8: HTML text outside <p> (straight in a <div>, table captions) is indexed


@dataclass
class IngestSummary:
    """What an ingest did; ``exit_code`` is 1 when any file failed."""

    documents: int = 0
    pages: int = 0
    chunks: int = 0
    parsed: int = 0
    skipped: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    generation: str | None = None
    changed: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def line(self) -> str:
        """The closing one-line summary printed by the CLI."""
        return (
            f"{self.documents} documenten, {self.pages} pagina's, {self.chunks} chunks; "
            f"{self.parsed} verwerkt, {self.skipped} ongewijzigd overgeslagen, {self.removed} verwijderd, "
            f"{len(self.failed)} mislukt; {self.seconds:.1f} s"
        )


def _config_signature(settings: Settings) -> dict[str, Any]:
    return {
        "pipeline": PIPELINE_VERSION,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "embedder": slug(settings.embedder),
    }


def ingest(settings: Settings, progress: bool = True, log: Any = None) -> IngestSummary:
    """Bring the index for ``settings.embedder`` up to date with ``settings.corpus_dir``.

    ``log`` receives one line per failed file (default: stderr).  Raises
    IndexUnavailableError when the index folder is locked or not writable.
    """
    started = time.perf_counter()
    log = log or (lambda msg: print(msg, file=sys.stderr))
    corpus = Path(settings.corpus_dir)
    if not corpus.is_dir():
        raise DocumentError(str(corpus), "the corpus folder does not exist; pass --corpus DIR.")
    layout = layout_for(settings)
    summary = IngestSummary()
    with layout.lock():
        previous = layout.current()
        prev_dir = layout.gen_dir(previous) if previous else None
        prev_manifest: dict[str, Any] = {}
        prev_chunks: dict[str, tuple[Chunk, np.ndarray]] = {}
        if previous is not None:
            # In server mode this reads from the Chroma server when the generation
            # was ingested on another machine, so any host can ingest incrementally.
            try:
                chunks, emb, _, prev_manifest = load_generation(layout, previous, embeddings=True, manifest=True)
            except IndexUnavailableError as err:
                # A damaged generation (a missing or unreadable collection on a server
                # that answers) is exactly what a full ingest repairs; a server that
                # does not answer is not.
                if settings.chroma_url and not _server_answers(settings.chroma_url):
                    raise
                log(f"vorige index onleesbaar, alles wordt opnieuw opgebouwd: {err}")
                previous, prev_dir = None, None
            else:
                assert emb is not None
                prev_chunks = {c.chunk_id: (c, emb[i]) for i, c in enumerate(chunks)}
        config = _config_signature(settings)
        same_config = prev_manifest.get("config") == config
        prev_files: dict[str, Any] = prev_manifest.get("files", {}) if same_config else {}

        manifest_meta = read_manifest(corpus)
        files = list(discover(corpus))
        new_files: dict[str, Any] = {}
        kept: list[Chunk] = []
        fresh: list[Chunk] = []
        iterator: Any = files
        if progress:
            from tqdm import tqdm

            iterator = tqdm(files, desc="ingest", unit="doc", file=sys.stderr, leave=False)
        max_bytes = int(settings.max_file_mb * 1_000_000)
        for path in iterator:
            meta = meta_for(path, corpus, manifest_meta)
            rel = meta.path
            try:
                sha = file_sha256(path)
            except OSError as err:
                summary.failed.append((rel, f"cannot be read ({err.strerror})"))
                log(f"MISLUKT {rel}: cannot be read ({err.strerror}); check permissions.")
                continue
            old = prev_files.get(rel)
            if old and old["sha256"] == sha and old.get("status") == "ok" and old.get("meta") == meta.__dict__:
                reused = [prev_chunks[cid][0] for cid in old["chunk_ids"] if cid in prev_chunks]
                if len(reused) == len(old["chunk_ids"]):
                    kept.extend(reused)
                    new_files[rel] = old
                    summary.skipped += 1
                    summary.pages += old.get("pages", 0)
                    continue
            try:
                doc = parse_file(path, meta, max_bytes=max_bytes, timeout_s=settings.parse_timeout_s)
                chunks = chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
            except DocumentError as err:
                summary.failed.append((rel, err.reason))
                log(f"MISLUKT {rel}: {err.reason}")
                # Keep what this file had before: a broken upload must not erase a good index.
                before = prev_manifest.get("files", {}).get(rel)
                if before and same_config:
                    reused = [prev_chunks[cid][0] for cid in before["chunk_ids"] if cid in prev_chunks]
                    kept.extend(reused)
                    new_files[rel] = {**before, "status": "ok", "last_error": err.reason}
                    summary.pages += before.get("pages", 0)
                continue
            summary.parsed += 1
            summary.pages += doc.pages
            fresh.extend(chunks)
            new_files[rel] = {
                "sha256": sha,
                "status": "ok",
                "meta": meta.__dict__,
                "doc_id": doc.meta.doc_id,
                "pages": doc.pages,
                "chunk_ids": [c.chunk_id for c in chunks],
            }
        removed = set(prev_manifest.get("files", {})) - set(new_files)
        summary.removed = len([r for r in removed if r not in {f for f, _ in summary.failed}])
        summary.documents = len(new_files)

        all_chunks = _ordered_unique(kept + fresh)
        summary.chunks = len(all_chunks)
        nothing_changed = (
            previous is not None
            and same_config
            and summary.parsed == 0
            and set(new_files) == set(prev_manifest.get("files", {}))
            and {c.chunk_id for c in all_chunks} == set(prev_chunks)
        )
        if nothing_changed:
            summary.generation = previous
            summary.seconds = time.perf_counter() - started
            return summary

        embedder = get_embedder(settings.embedder)
        to_embed = [c for c in all_chunks if c.chunk_id not in prev_chunks]
        new_vecs = embedder.embed_documents([c.index_text for c in to_embed]) if to_embed else None
        vec_of = {c.chunk_id: new_vecs[i] for i, c in enumerate(to_embed)} if new_vecs is not None else {}
        dim = (
            new_vecs.shape[1]
            if new_vecs is not None
            else (next(iter(prev_chunks.values()))[1].shape[0] if prev_chunks else 0)
        )
        embeddings = np.zeros((len(all_chunks), dim), dtype=np.float32)
        for i, c in enumerate(all_chunks):
            embeddings[i] = vec_of[c.chunk_id] if c.chunk_id in vec_of else prev_chunks[c.chunk_id][1]

        generation = layout.new_generation()
        gen_dir = layout.gen_dir(generation)
        try:
            manifest = {"config": config, "files": new_files, "generation": generation}
            write_generation_files(gen_dir, all_chunks, embeddings, manifest)
            _write_vectors(settings, layout, generation, prev_dir, all_chunks, embeddings, prev_chunks)
            layout.publish(generation, manifest)
        except OSError as err:
            _discard(layout, generation)
            raise IndexUnavailableError(
                f"could not write the new index under {layout.root} ({_os_reason(err)}); "
                "the previous index is still in use. Free disk space or fix permissions and run ingest again."
            ) from err
        except VraagbaakError:
            _discard(layout, generation)
            raise
        try:
            layout.cleanup()
        except (VraagbaakError, OSError) as err:  # the new index is live; old ones go next time
            log(f"opruimen van oude indexen mislukt (volgende ingest probeert opnieuw): {err}")
        summary.generation = generation
        summary.changed = True
    summary.seconds = time.perf_counter() - started
    return summary


def _server_answers(url: str) -> bool:
    try:
        chroma_client(url=url).heartbeat()
    except Exception:  # IndexUnavailableError, httpx errors ...
        return False
    return True


def _discard(layout: IndexLayout, generation: str) -> None:
    """Remove what a failed ingest wrote, unless readers already use it (the pointer moved)."""
    shutil.rmtree(layout.gen_dir(generation), ignore_errors=True)
    if layout.chroma_url:
        with contextlib.suppress(Exception):  # best effort: cleanup drops leftovers later
            if layout.current() != generation:
                chroma_client(url=layout.chroma_url).delete_collection(layout.collection_name(generation))


def _os_reason(err: OSError) -> str:
    """ "No space left on device" and the like; shutil.copytree's Error has no strerror of its own."""
    if err.strerror:
        return err.strerror
    first = err.args[0] if err.args else None
    if isinstance(err, shutil.Error) and isinstance(first, list) and first:
        why = str(first[0][-1])  # "[Errno 28] No space left on device: '/index/...'"
        return why.split(": '", 1)[0]
    return type(err).__name__


def _ordered_unique(chunks: list[Chunk]) -> list[Chunk]:
    seen: set[str] = set()
    out = []
    for c in chunks:
        if c.chunk_id not in seen:
            seen.add(c.chunk_id)
            out.append(c)
    return out


def _write_vectors(
    settings: Settings,
    layout: IndexLayout,
    generation: str,
    prev_dir: Path | None,
    chunks: list[Chunk],
    embeddings: np.ndarray,
    prev_chunks: dict[str, Any],
) -> None:
    """Fill the new generation's Chroma collection.

    Embedded mode copies the previous generation's Chroma folder and applies
    the difference (adding 30k vectors costs ~50 s here, copying the folder
    ~1 s); server mode fills a fresh collection per generation.
    """
    name = layout.collection_name(generation)
    if settings.chroma_url:
        client = chroma_client(url=settings.chroma_url)
        store = ChromaStore(client, name, create=True)
        # ``position`` lets another machine rebuild the chunk list in index order.
        metas = [{**c.metadata(), "position": i} for i, c in enumerate(chunks)]
        store.add([c.chunk_id for c in chunks], embeddings, [c.text for c in chunks], metas)
        _check_count(store, len(chunks))
        return
    target = layout.gen_dir(generation) / "chroma"
    reuse = prev_dir is not None and (prev_dir / "chroma").is_dir() and bool(prev_chunks)
    if reuse:
        assert prev_dir is not None
        shutil.copytree(prev_dir / "chroma", target)
    client = chroma_client(path=target)
    try:
        store = ChromaStore(client, name, create=True)
        ids = [c.chunk_id for c in chunks]
        wanted = set(ids)
        if reuse:
            store.delete([cid for cid in prev_chunks if cid not in wanted])
        add_idx = [i for i, c in enumerate(chunks) if not (reuse and c.chunk_id in prev_chunks)]
        if add_idx:
            store.add(
                [ids[i] for i in add_idx],
                embeddings[add_idx],
                [chunks[i].text for i in add_idx],
                [chunks[i].metadata() for i in add_idx],
            )
        _check_count(store, len(chunks))
    finally:
        _release(client)


def _check_count(store: ChromaStore, expected: int) -> None:
    """A new generation's collection must hold one vector per chunk before it is published."""
    count = store.count()
    if count != expected:
        raise IndexUnavailableError(
            f"the new vector collection {store.name!r} has {count} vectors for {expected} chunks; run ingest again."
        )


def _release(client: Any) -> None:
    """Close Chroma's cached system for a path so its files can be copied or removed."""
    try:
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
    except Exception:  # best effort: an older/newer chromadb without this API
        pass
