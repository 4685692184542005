"""Ingest: parse the corpus, chunk, embed and publish a new index generation.

Incremental by content hash: unchanged files keep their chunks and vectors,
changed files are replaced, removed files disappear from both indexes.  A file
that fails to parse is reported on one line and keeps the chunks it had in the
previous generation.  See :mod:`assistant.index.generations` for the atomic layout and
:mod:`assistant.index.backend` for where vectors go.

Dependencies are passed in: ``ingest(settings, embedder=..., index=...)``; without them
the configured embedder is loaded and :func:`~assistant.index.index_for` picks the backend.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DocumentError, IndexUnavailableError, VraagbaakError
from ..index.backend import IndexBackend, index_for
from ..index.embedders import Embedder, load_embedder, slug
from ..settings import Settings
from .chunking import Chunk, chunk_document, dedupe_chunks
from .loading import discover, file_sha256, meta_for, parse_file, read_manifest

#: Bump when parsing or chunking changes so every file is re-processed once.
PIPELINE_VERSION = 18  # 18: a label under a label is its own line too ("Zes pijlers" | "Bestuurlijke inspraak", "Personeel" | "Samenstelling personeelsploeg ..."), a line with an open quote or bracket is never a label; 17: person cards (name | role | "uit dienst") are rows of one table per page; 16: a short label line between a finished sentence and a capitalised line (an unnumbered subheading: "Visitatie", "Mailinglijsten") is its own line, not the first words of the sentence under it; 15: key-figure panels titled by a run of numbered headings carry that title, a page title over them stays text; 14: a financial statement's columns said in words in the index text, a page title over a key-figure panel is its section, a notice about the page itself ("Voorbeeldinhoud: deze pagina ...") is not indexed; 13: sentences over a page break kept whole, a table title printed last put back on its table, a page of photo credits under its own title, list items whose name runs on, no fragment chunks; 12: key-figure panels under their own headings, a chunk at a chapter boundary keeps its own section, "€" and "%" indexed as words; 11: a merged short section keeps its heading in the text; 10: chunks end at every page and at a heading once a third full; 8: HTML text outside <p> is indexed; 9: lists, tables and captions kept as elements


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


#: ``on_progress(stage, done, total)``: stages ``bestanden`` (per file), ``embedden``, ``schrijven``, ``gepubliceerd``.
ProgressCallback = Callable[[str, int, int], None]


def ingest(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    index: IndexBackend | None = None,
    progress: bool = True,
    log: Any = None,
    on_progress: ProgressCallback | None = None,
) -> IngestSummary:
    """Bring the index for ``settings.embedder`` up to date with ``settings.corpus_dir``.

    ``embedder`` embeds new chunks (default: the configured one, loaded only when
    something changed); ``index`` is where the generation goes (default:
    ``index_for(settings)``).  ``log`` receives one line per failed file (default:
    stderr); ``on_progress`` is told how far the ingest is (the Bronnen page's
    progress bar).  Raises IndexUnavailableError when the index folder is locked or
    not writable.
    """
    started = time.perf_counter()
    log = log or (lambda msg: print(msg, file=sys.stderr))
    report = on_progress or (lambda stage, done, total: None)
    indexed_at = datetime.now(UTC).isoformat(timespec="seconds")
    corpus = Path(settings.corpus_dir)
    if not corpus.is_dir():
        raise DocumentError(str(corpus), "the corpus folder does not exist; pass --corpus DIR.")
    index = index if index is not None else index_for(settings)
    summary = IngestSummary()
    with index.folder.lock():
        previous = index.current()
        prev_manifest: dict[str, Any] = {}
        prev_chunks: dict[str, tuple[Chunk, np.ndarray]] = {}
        if previous is not None:
            # In server mode this reads from the Chroma server when the generation
            # was ingested on another machine, so any host can ingest incrementally.
            try:
                loaded = index.load(previous, embeddings=True, manifest=True)
            except IndexUnavailableError as err:
                # A damaged generation (a missing or unreadable collection on a server
                # that answers) is exactly what a full ingest repairs; a server that
                # does not answer is not.
                if not index.reachable():
                    raise
                log(f"vorige index onleesbaar, alles wordt opnieuw opgebouwd: {err}")
                previous = None
            else:
                emb = loaded.embeddings
                assert emb is not None
                prev_manifest = loaded.manifest
                prev_chunks = {c.chunk_id: (c, emb[i]) for i, c in enumerate(loaded.chunks)}
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
        for number, path in enumerate(iterator):
            report("bestanden", number, len(files))
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
                "indexed_at": indexed_at,
            }
        report("bestanden", len(files), len(files))
        removed = set(prev_manifest.get("files", {})) - set(new_files)
        summary.removed = len([r for r in removed if r not in {f for f, _ in summary.failed}])
        summary.documents = len(new_files)

        all_chunks = dedupe_chunks(kept + fresh)
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

        embedder = embedder if embedder is not None else load_embedder(settings.embedder)
        to_embed = [c for c in all_chunks if c.chunk_id not in prev_chunks]
        report("embedden", 0, len(to_embed))
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

        report("schrijven", 0, 1)
        generation = index.folder.new_generation()
        try:
            manifest = {"config": config, "files": new_files, "generation": generation}
            index.folder.write(generation, all_chunks, embeddings, manifest)
            index.write_vectors(generation, previous, all_chunks, embeddings, set(prev_chunks))
            index.publish(generation, manifest)
        except OSError as err:
            index.discard(generation)
            raise IndexUnavailableError(
                f"could not write the new index under {index.folder.root} ({_os_reason(err)}); "
                "the previous index is still in use. Free disk space or fix permissions and run ingest again."
            ) from err
        except VraagbaakError:
            index.discard(generation)
            raise
        try:
            index.cleanup()
        except (VraagbaakError, OSError) as err:  # the new index is live; old ones go next time
            log(f"opruimen van oude indexen mislukt (volgende ingest probeert opnieuw): {err}")
        summary.generation = generation
        summary.changed = True
        report("gepubliceerd", 1, 1)
    summary.seconds = time.perf_counter() - started
    return summary


def _os_reason(err: OSError) -> str:
    """ "No space left on device" and the like; shutil.copytree's Error has no strerror of its own."""
    if err.strerror:
        return err.strerror
    first = err.args[0] if err.args else None
    if isinstance(err, shutil.Error) and isinstance(first, list) and first:
        why = str(first[0][-1])  # "[Errno 28] No space left on device: '/index/...'"
        return why.split(": '", 1)[0]
    return type(err).__name__
