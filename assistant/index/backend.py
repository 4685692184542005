"""Where an index lives: the :class:`IndexBackend` protocol with :class:`LocalIndex` and :class:`ServerIndex`.

``LocalIndex`` keeps each generation's vectors in an embedded Chroma folder inside the
generation (:mod:`assistant.index.generations`).  ``ServerIndex`` keeps everything an app
needs on a Chroma server, so an app on another machine needs no index folder at all::

    <ns>-pointers                     one entry per embedder: the current generation, with
                                      its file manifest as the entry's document (one upsert
                                      moves both)
    <ns>-<embedder>-gen-<time>-<rand> one collection per generation: vectors, chunk texts
                                      and metadata (with ``position``)

``<ns>`` is the deployment namespace (``ASSISTANT_CHROMA_NAMESPACE``).  The local folder is
then only a cache: an app on the ingest machine reads chunks and BM25 from it, any other app
loads the chunks from the server and rebuilds BM25 in memory.  The ingest lock is a local
``flock``: run ingests for one namespace from one machine.

:func:`index_for` is the one place that chooses between them; ingest, the assistant and the
snapshots only talk to the protocol.  A new vector database is a third class with these methods.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import IndexUnavailableError
from ..ingestion.chunking import Chunk
from ..settings import Settings
from .chroma import ChromaStore, Deadline, VectorStore, embedded_client, http_client, is_not_found
from .embedders import slug
from .generations import Generation, IndexFolder

__all__ = ["DEFAULT_NAMESPACE", "IndexBackend", "LocalIndex", "ServerIndex", "index_for"]

#: Deployment namespace on a shared Chroma server (``ASSISTANT_CHROMA_NAMESPACE``).
DEFAULT_NAMESPACE = "vraagbaak"


class IndexBackend(Protocol):
    """One embedder's index: generations, the pointer to the current one, and their vectors."""

    #: The local folder (generations, ingest lock); a cache for a server backend.
    folder: IndexFolder

    @property
    def location(self) -> str:
        """Where the index lives, for messages (a folder, or a namespace on a server)."""
        ...

    def current(self) -> str | None:
        """The generation readers use, or None when nothing was published."""
        ...

    def load(self, generation: str, *, embeddings: bool = False, manifest: bool = False) -> Generation:
        """Chunks (in index order), BM25 and, when asked for, vectors and manifest of a generation."""
        ...

    def open_vectors(self, generation: str) -> VectorStore:
        """The vectors of a published generation, for queries."""
        ...

    def write_vectors(
        self, generation: str, previous: str | None, chunks: list[Chunk], embeddings: np.ndarray, reused: set[str]
    ) -> None:
        """Fill the new generation's vectors; ``reused`` chunk ids are in ``previous`` already."""
        ...

    def publish(self, generation: str, manifest: dict[str, Any]) -> None:
        """Atomically make ``generation`` the one readers use."""
        ...

    def cleanup(self, keep: int = 2) -> None:
        """Remove old and orphaned generations (under the ingest lock)."""
        ...

    def discard(self, generation: str) -> None:
        """Remove what a failed ingest wrote, unless readers already use it."""
        ...

    def reachable(self) -> bool:
        """False when the backing store does not answer (a damaged index is still reachable)."""
        ...


class LocalIndex:
    """An index in a local folder, with an embedded Chroma (``PersistentClient``) per generation."""

    def __init__(self, index_dir: Path, embedder_slug: str) -> None:
        self.folder = IndexFolder(index_dir, embedder_slug)
        self.slug = embedder_slug

    def __repr__(self) -> str:
        return f"LocalIndex({str(self.folder.root)!r})"

    @property
    def location(self) -> str:
        return str(self.folder.root)

    def collection_name(self, generation: str) -> str:
        """The embedded Chroma collection (one per embedder folder; the generation is the folder)."""
        return f"vraagbaak-{self.slug}"

    def current(self) -> str | None:
        return self.folder.current()

    def load(self, generation: str, *, embeddings: bool = False, manifest: bool = False) -> Generation:
        return self.folder.load(generation, embeddings=embeddings, manifest=manifest)

    def open_vectors(self, generation: str) -> VectorStore:
        client = embedded_client(self.folder.gen_dir(generation) / "chroma")
        return ChromaStore(client, self.collection_name(generation))

    def write_vectors(
        self, generation: str, previous: str | None, chunks: list[Chunk], embeddings: np.ndarray, reused: set[str]
    ) -> None:
        """Copy the previous generation's Chroma folder and apply the difference.

        Adding 30k vectors costs ~50 s here, copying the folder ~1 s.
        """
        prev_dir = self.folder.gen_dir(previous) / "chroma" if previous else None
        target = self.folder.gen_dir(generation) / "chroma"
        reuse = prev_dir is not None and prev_dir.is_dir() and bool(reused)
        if reuse:
            assert prev_dir is not None
            shutil.copytree(prev_dir, target)
        client = embedded_client(target)
        try:
            store = ChromaStore(client, self.collection_name(generation), create=True)
            ids = [c.chunk_id for c in chunks]
            wanted = set(ids)
            if reuse:
                store.delete([cid for cid in reused if cid not in wanted])
            add_idx = [i for i, c in enumerate(chunks) if not (reuse and c.chunk_id in reused)]
            if add_idx:
                store.add(
                    [ids[i] for i in add_idx],
                    embeddings[add_idx],
                    [chunks[i].text for i in add_idx],
                    [chunks[i].metadata() for i in add_idx],
                )
            check_count(store, len(chunks))
        finally:
            # Close only this writer's client (its files are then complete for a copy or a removal).
            # Clearing every cached Chroma system of the process broke a chat that was opening the
            # published generation at that moment (KeyError), as the web app ingests in its process.
            client.close()

    def publish(self, generation: str, manifest: dict[str, Any]) -> None:
        self.folder.publish(generation, self.folder.current())

    def cleanup(self, keep: int = 2) -> None:
        self.folder.cleanup(self.current(), keep)

    def discard(self, generation: str) -> None:
        shutil.rmtree(self.folder.gen_dir(generation), ignore_errors=True)

    def reachable(self) -> bool:
        return True


class ServerIndex:
    """An index on a Chroma server (``ASSISTANT_CHROMA_URL``); owns its HTTP client."""

    def __init__(
        self, index_dir: Path, embedder_slug: str, url: str, namespace: str = DEFAULT_NAMESPACE
    ) -> None:
        self.folder = IndexFolder(index_dir, embedder_slug)
        self.slug = embedder_slug
        self.url = url
        self.namespace = namespace
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._deadline = Deadline()

    def __repr__(self) -> str:
        return f"ServerIndex({self.url!r}, namespace={self.namespace!r}, embedder={self.slug!r})"

    @property
    def location(self) -> str:
        return f"namespace {self.namespace!r} on {self.url}"

    @property
    def pointer_collection(self) -> str:
        """The collection that holds this deployment's index pointers."""
        return f"{self.namespace}-pointers"

    def collection_name(self, generation: str) -> str:
        return f"{self.namespace}-{self.slug}-{generation}"

    def client(self) -> Any:
        """The HTTP client (created on first use: building one costs 150-340 ms here)."""
        with self._client_lock:
            if self._client is None:
                self._client = http_client(self.url)
            return self._client

    def _store(self, generation: str, create: bool = False) -> ChromaStore:
        return ChromaStore(self.client(), self.collection_name(generation), create, deadline=self._deadline)

    # ---------------------------------------------------------------- reading

    def current(self) -> str | None:
        return self.pointer(with_manifest=False)[0]

    def load(self, generation: str, *, embeddings: bool = False, manifest: bool = False) -> Generation:
        """From the local folder when it holds the generation, otherwise from the server."""
        if self.folder.has_files(generation):
            return self.folder.load(generation, embeddings=embeddings, manifest=manifest)
        store = self._store(generation)
        ids, docs, metas, vecs = store.get_all(embeddings=embeddings)

        def _position(i: int) -> tuple[int, str]:
            return (int(metas[i]["position"]) if "position" in metas[i] else i, ids[i])

        try:
            order = sorted(range(len(ids)), key=_position)
            chunks = [Chunk.from_record(docs[i], metas[i]) for i in order]
        except (TypeError, ValueError, KeyError) as err:
            raise IndexUnavailableError(
                f"the Chroma collection {store.name!r} holds chunks this version cannot read ({err}); run ingest again."
            ) from err
        files: dict[str, Any] = {}
        if manifest:
            pointed, pointed_files, _ = self.pointer()
            # The pointer may have moved meanwhile: an empty manifest only costs a full re-ingest.
            if pointed == generation and pointed_files.get("generation") == generation:
                files = pointed_files
        return Generation(chunks, vecs[order] if vecs is not None else None, None, files)

    def open_vectors(self, generation: str) -> VectorStore:
        return self._store(generation)

    def generations(self) -> list[str]:
        """The generations that have a collection on the server, oldest first."""
        prefix = f"{self.namespace}-{self.slug}-"
        try:
            names = [str(getattr(c, "name", c)) for c in self._deadline(self.client().list_collections)]
        except IndexUnavailableError:
            raise
        except Exception as err:
            raise IndexUnavailableError(f"cannot list the Chroma server's collections ({type(err).__name__}).") from err
        return sorted(n[len(prefix) :] for n in names if n.startswith(prefix + "gen-"))

    def _pointers(self, create: bool = False) -> Any:
        """The pointer collection; None when it does not exist and ``create`` is False.

        Readers never create it, so a mistyped namespace does not leave an empty
        collection on a shared server.
        """
        client = self.client()
        try:
            if create:
                return self._deadline(
                    lambda: client.get_or_create_collection(self.pointer_collection, embedding_function=None)
                )
            return self._deadline(lambda: client.get_collection(self.pointer_collection, embedding_function=None))
        except IndexUnavailableError:
            raise
        except Exception as err:
            if not create and is_not_found(err):
                return None
            raise IndexUnavailableError(
                f"cannot open the index pointer collection {self.pointer_collection!r} on the Chroma server "
                f"({type(err).__name__}); check the server and ASSISTANT_CHROMA_NAMESPACE."
            ) from err

    def pointer(self, with_manifest: bool = True) -> tuple[str | None, dict[str, Any], str | None]:
        """The current generation, its manifest and the previous generation.

        ``(None, {}, None)`` when nothing was published.  The manifest (every chunk id:
        about 1 MB at 30k chunks) is only fetched when asked for; each question reads
        just the generation name.
        """
        try:
            pointers = self._pointers()
            if pointers is None:
                return None, {}, None
            include = ["metadatas", "documents"] if with_manifest else ["metadatas"]
            res = self._deadline(lambda: pointers.get(ids=[self.slug], include=include))
        except IndexUnavailableError:
            raise
        except Exception as err:
            raise IndexUnavailableError(f"cannot read the index pointer from Chroma ({type(err).__name__}).") from err
        if not res["ids"]:
            return None, {}, None
        meta = res["metadatas"][0] or {}
        if not isinstance(meta.get("generation"), str):
            raise IndexUnavailableError(
                f"the index pointer {self.slug!r} in {self.pointer_collection!r} is damaged; run ingest again."
            )
        manifest: Any = {}
        if with_manifest:
            try:
                manifest = json.loads(res["documents"][0] or "{}")
            except (TypeError, ValueError):
                manifest = {}  # only costs a full re-ingest; the chunks themselves are intact
        previous = meta.get("previous")
        return (
            meta["generation"],
            manifest if isinstance(manifest, dict) else {},
            previous if isinstance(previous, str) else None,
        )

    # ---------------------------------------------------------------- writing

    def write_vectors(
        self, generation: str, previous: str | None, chunks: list[Chunk], embeddings: np.ndarray, reused: set[str]
    ) -> None:
        """A fresh collection per generation; ``position`` lets another machine rebuild the order."""
        store = self._store(generation, create=True)
        metas = [{**c.metadata(), "position": i} for i, c in enumerate(chunks)]
        store.add([c.chunk_id for c in chunks], embeddings, [c.text for c in chunks], metas)
        check_count(store, len(chunks))

    def publish(self, generation: str, manifest: dict[str, Any]) -> None:
        """Move the server pointer (it carries the manifest, so both move together), then the local cache's."""
        previous = self.current()
        try:
            pointers = self._pointers(create=True)
            self._deadline(
                lambda: pointers.upsert(
                    ids=[self.slug],
                    embeddings=[[0.0, 0.0]],
                    metadatas=[{"generation": generation, "previous": previous or ""}],
                    documents=[json.dumps(manifest, ensure_ascii=False)],
                )
            )
        except IndexUnavailableError:
            raise
        except Exception as err:
            raise IndexUnavailableError(
                f"cannot move the index pointer on the Chroma server ({type(err).__name__}); "
                "the previous index is still in use. Check the server and run ingest again."
            ) from err
        self.folder.publish(generation, previous)

    def cleanup(self, keep: int = 2) -> None:
        """Local folders as :meth:`IndexFolder.cleanup`; on the server the current and the previous
        published generation (the pointer names both) are kept, and so is any newer collection
        (another machine may be writing one right now); older ones, published or orphaned, go."""
        current = self.current()
        self.folder.cleanup(current, keep)
        if not current:
            return
        # Only the pointer knows which older generation was really published: an
        # orphan of a failed ingest may be newer than it.
        previous = self.pointer(with_manifest=False)[2] if keep > 1 else None
        doomed = [g for g in self.generations() if g < current and g != previous]
        client = self.client()
        for name in doomed:
            with contextlib.suppress(Exception):  # already gone (another cleanup) is fine
                self._deadline(functools.partial(client.delete_collection, self.collection_name(name)))

    def discard(self, generation: str) -> None:
        shutil.rmtree(self.folder.gen_dir(generation), ignore_errors=True)
        with contextlib.suppress(Exception):  # best effort: cleanup drops leftovers later
            if self.current() != generation:
                self._deadline(lambda: self.client().delete_collection(self.collection_name(generation)))

    def reachable(self) -> bool:
        try:
            self._deadline(self.client().heartbeat)
        except Exception:  # IndexUnavailableError, httpx errors ...
            return False
        return True

    def close(self) -> None:
        """Stop waiting for calls that still run (tests, shutdown)."""
        self._deadline.close()


def check_count(store: VectorStore, expected: int) -> None:
    """A new generation's collection must hold one vector per chunk before it is published."""
    count = store.count()
    if count != expected:
        raise IndexUnavailableError(
            f"the new vector collection {store.name!r} has {count} vectors for {expected} chunks; run ingest again."
        )


def index_for(settings: Settings) -> LocalIndex | ServerIndex:
    """The index of a configuration: a Chroma server with ``chroma_url``, else the local folder."""
    embedder_slug = slug(settings.embedder)
    if settings.chroma_url:
        return ServerIndex(settings.index_dir, embedder_slug, settings.chroma_url, settings.chroma_namespace)
    return LocalIndex(settings.index_dir, embedder_slug)

