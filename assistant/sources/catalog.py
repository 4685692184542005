"""The list of publications: what is in the corpus folder joined with what the index holds.

The index's own manifest (of the generation readers use now) says, per file, the
content hash, pages and chunks that were indexed and when; the corpus folder says
which files exist and with which title, type and source URL.  A document shows up
when it is in either: a file that is not indexed yet, or an indexed one whose file
is gone, is visible as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from ..errors import IndexUnavailableError
from ..index.backend import IndexBackend, ServerIndex
from ..index.generations import read_manifest
from ..ingestion.loading import DocumentMeta

__all__ = ["IndexState", "SourceDocument", "indexed_files", "indexed_meta", "list_documents"]


class IndexState(StrEnum):
    """Where a document stands between the corpus folder and the index."""

    GEINDEXEERD = "geïndexeerd"
    NIET_GEINDEXEERD = "nog niet geïndexeerd"
    BESTAND_WEG = "bestand verwijderd, nog in de index"
    FOUT = "fout bij indexeren"


@dataclass(frozen=True)
class SourceDocument:
    """One publication as the Bronnen page and ``sources list`` show it."""

    path: str
    doc_id: str
    title: str
    doc_type: str
    url: str
    date: str
    state: IndexState
    pages: int | None = None
    chunks: int | None = None
    indexed_at: datetime | None = None
    #: SHA-256 of the indexed version of the file.
    sha256: str | None = None
    last_error: str | None = None

    def matches(self, search: str) -> bool:
        """Case-insensitive match of every word of ``search`` in title, path, URL or type."""
        haystack = f"{self.title} {self.path} {self.url} {self.doc_type} {self.doc_id}".lower()
        return all(word in haystack for word in search.lower().split())


def indexed_files(index: IndexBackend) -> dict[str, dict[str, Any]]:
    """The file manifest of the generation readers use now (``{}`` when there is no index).

    Read from the local generation folder, or in server mode from the pointer when
    this machine has no copy of that generation.
    """
    generation = index.current()
    if generation is None:
        return {}
    manifest: dict[str, Any] = {}
    if index.folder.has_files(generation):
        try:
            manifest = read_manifest(index.folder.gen_dir(generation))
        except (OSError, ValueError) as err:
            raise IndexUnavailableError(
                f"the manifest of index generation {generation} cannot be read ({type(err).__name__}); run ingest."
            ) from err
    elif isinstance(index, ServerIndex):
        pointed, manifest, _ = index.pointer()
        if pointed != generation:  # moved meanwhile: the newer one counts
            manifest = manifest if pointed else {}
    files = manifest.get("files", {})
    return files if isinstance(files, dict) else {}


def indexed_meta(path: str, entry: Mapping[str, Any] | None) -> DocumentMeta:
    """The metadata the index recorded for ``path`` (for a document whose file is gone)."""
    old = (entry or {}).get("meta") or {}
    return DocumentMeta(
        path=path,
        doc_id=str(old.get("doc_id") or (entry or {}).get("doc_id") or ""),
        title=str(old.get("title") or path),
        doc_type=str(old.get("doc_type") or "publicatie"),
        url=str(old.get("url") or ""),
        date=str(old.get("date") or ""),
    )


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def list_documents(
    corpus: Mapping[str, DocumentMeta],
    indexed: Mapping[str, Mapping[str, Any]],
    errors: Mapping[str, str] | None = None,
    *,
    search: str = "",
    doc_type: str | None = None,
) -> list[SourceDocument]:
    """Corpus files and indexed files joined by path, filtered, sorted by type and title.

    ``errors`` are the last failures per path that the index does not know of (a
    refused replacement, recorded in the audit trail).
    """
    errors = errors or {}
    out: list[SourceDocument] = []
    for path in sorted(set(corpus) | set(indexed)):
        entry = indexed.get(path)
        meta = corpus.get(path) or indexed_meta(path, entry)
        error = (entry or {}).get("last_error") or errors.get(path)
        if entry is None:
            state = IndexState.FOUT if error else IndexState.NIET_GEINDEXEERD
        elif path not in corpus:
            state = IndexState.BESTAND_WEG
        else:
            state = IndexState.FOUT if error else IndexState.GEINDEXEERD
        doc = SourceDocument(
            path=path,
            doc_id=meta.doc_id,
            title=meta.title,
            doc_type=meta.doc_type,
            url=meta.url,
            date=meta.date,
            state=state,
            pages=entry.get("pages") if entry else None,
            chunks=len(entry.get("chunk_ids", [])) if entry else None,
            indexed_at=_when(entry.get("indexed_at")) if entry else None,
            sha256=entry.get("sha256") if entry else None,
            last_error=str(error) if error else None,
        )
        if doc_type and doc.doc_type != doc_type:
            continue
        if search.strip() and not doc.matches(search):
            continue
        out.append(doc)
    order = {"publicatie": 0, "toolbox": 1, "decreetgids": 2}
    return sorted(out, key=lambda d: (order.get(d.doc_type, 9), d.title.lower(), d.path))
