"""Chroma behind the small :class:`VectorStore` protocol, with errors translated at this boundary.

Only chromadb's public API is used: ``PersistentClient`` / ``HttpClient``, collections,
and :class:`chromadb.errors.NotFoundError`.  Every other failure of a Chroma call becomes an
:class:`~assistant.errors.IndexUnavailableError` with a message for a person.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import IndexUnavailableError

__all__ = [
    "CHROMA_CONNECT_TIMEOUT_S",
    "CHROMA_REQUEST_TIMEOUT_S",
    "ChromaStore",
    "VectorStore",
    "embedded_client",
    "http_client",
    "is_not_found",
    "release_embedded_clients",
]

#: Seconds to wait for the Chroma server: to connect, and for one request.
CHROMA_CONNECT_TIMEOUT_S = 10.0
CHROMA_REQUEST_TIMEOUT_S = 120.0
#: Page size when reading a generation back from the Chroma server.
_SERVER_PAGE = 2000
#: Below Chroma's max batch size (5461 on this build).
_BATCH = 4000


class VectorStore(Protocol):
    """The few operations retrieval and ingest need from a vector database."""

    name: str

    def add(
        self, ids: list[str], embeddings: np.ndarray, documents: list[str], metadatas: list[dict[str, Any]]
    ) -> None:
        """Insert vectors with their documents and metadata."""
        ...

    def delete(self, ids: list[str]) -> None:
        """Remove vectors by id (unknown ids are ignored)."""
        ...

    def query(self, embedding: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """The ``k`` nearest ids with cosine similarity, best first."""
        ...

    def count(self) -> int:
        """Number of stored vectors."""
        ...


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def unavailable(where: str, err: BaseException) -> IndexUnavailableError:
    """The error for a vector database that cannot be reached at ``where``."""
    return IndexUnavailableError(
        f"De vectordatabank is niet bereikbaar ({where}: {type(err).__name__}). "
        "Check that the Chroma server runs (chroma run --path DIR --port N) or that the index folder is readable."
    )


def embedded_client(path: Path) -> Any:
    """A ``PersistentClient`` on ``path``; errors become :class:`IndexUnavailableError`."""
    import chromadb

    try:
        return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as err:  # chromadb raises ValueError, OSError, its own errors ...
        raise unavailable(str(path), err) from err


def http_client(url: str) -> Any:
    """An ``HttpClient`` for ``url``, after checking within seconds that the server answers.

    chromadb's HTTP client has no timeout and talks to the server while it is being
    created, so a server that accepts connections but never answers (hung, or a wrong
    port behind a firewall) would block forever: the heartbeat is asked first with httpx.
    """
    from urllib.parse import urlparse

    import chromadb
    import httpx

    try:
        response = httpx.get(f"{url.rstrip('/')}/api/v2/heartbeat", timeout=CHROMA_CONNECT_TIMEOUT_S)
        response.raise_for_status()
        parsed = urlparse(url)
        client = chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=_chroma_settings(),
        )
        client.heartbeat()
        return client
    except Exception as err:  # httpx errors, ValueError, chromadb errors ...
        raise unavailable(url, err) from err


def is_not_found(err: BaseException) -> bool:
    """True for chromadb's public "collection does not exist" error."""
    from chromadb.errors import NotFoundError

    return isinstance(err, NotFoundError)


def release_embedded_clients() -> None:
    """Close Chroma's cached systems for embedded paths so their files can be copied or removed."""
    try:
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
    except Exception:  # best effort: an older/newer chromadb without this API
        pass


class ChromaStore:
    """A :class:`VectorStore` on one Chroma collection with cosine distance.

    ``deadline`` (server mode) runs each call in a worker thread and gives up after that
    many seconds: chromadb's public HTTP client has no request timeout, and a web worker
    must not wait forever for a hung server.
    """

    def __init__(
        self,
        client: Any,
        name: str,
        create: bool = False,
        *,
        deadline: Callable[[Callable[[], Any]], Any] | None = None,
    ) -> None:
        self.client = client
        self.name = name
        self._deadline = deadline
        try:
            if create:
                self.collection = self._run(
                    lambda: client.get_or_create_collection(
                        name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
                    )
                )
            else:
                self.collection = self._run(lambda: client.get_collection(name, embedding_function=None))
        except IndexUnavailableError:
            raise
        except Exception as err:
            raise IndexUnavailableError(
                f"Chroma collection {name!r} cannot be opened ({type(err).__name__}); run `python -m assistant ingest`."
            ) from err

    def _run(self, fn: Callable[[], Any]) -> Any:
        return self._deadline(fn) if self._deadline is not None else fn()

    def add(
        self, ids: list[str], embeddings: np.ndarray, documents: list[str], metadatas: list[dict[str, Any]]
    ) -> None:
        for i in range(0, len(ids), _BATCH):
            self._call(
                self.collection.add,
                ids=ids[i : i + _BATCH],
                embeddings=embeddings[i : i + _BATCH],
                documents=documents[i : i + _BATCH],
                metadatas=metadatas[i : i + _BATCH],
            )

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), _BATCH):
            self._call(self.collection.delete, ids=ids[i : i + _BATCH])

    def query(self, embedding: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        res = self._call(
            self.collection.query,
            query_embeddings=[np.asarray(embedding, dtype=np.float32)],
            n_results=k,
            where=where or None,
            include=["distances"],
        )
        ids = res["ids"][0]
        dists = res["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]

    def count(self) -> int:
        return int(self._call(self.collection.count))

    def get_all(
        self, embeddings: bool = False
    ) -> tuple[list[str], list[str], list[dict[str, Any]], np.ndarray | None]:
        """Everything in the collection, read in pages (server mode loads chunks from here)."""
        include = ["documents", "metadatas"] + (["embeddings"] if embeddings else [])
        ids: list[str] = []
        docs: list[str] = []
        metas: list[dict[str, Any]] = []
        vecs: list[Any] = []
        total = self.count()
        for offset in range(0, total, _SERVER_PAGE):
            res = self._call(self.collection.get, include=include, limit=_SERVER_PAGE, offset=offset)
            ids += res["ids"]
            docs += res["documents"]
            metas += [dict(m or {}) for m in res["metadatas"]]
            if embeddings:
                vecs += list(res["embeddings"])
        if len(ids) != total or len(set(ids)) != total:
            raise IndexUnavailableError(
                f"Chroma collection {self.name!r} changed while it was read; try again in a moment."
            )
        return ids, docs, metas, (np.asarray(vecs, dtype=np.float32) if embeddings else None)

    def _call(self, fn: Any, **kwargs: Any) -> Any:
        try:
            return self._run(lambda: fn(**kwargs))
        except IndexUnavailableError:
            raise
        except Exception as err:
            raise IndexUnavailableError(
                f"De vectordatabank gaf een fout ({type(err).__name__}: {str(err)[:200]}). "
                "Try again in a moment; if it persists, check the Chroma server or rebuild the index."
            ) from err


class Deadline:
    """Runs calls in a small thread pool and stops waiting after ``seconds`` (owned by a ServerIndex)."""

    def __init__(self, seconds: float = CHROMA_REQUEST_TIMEOUT_S, workers: int = 8) -> None:
        self.seconds = seconds
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chroma-call")

    def __call__(self, fn: Callable[[], Any]) -> Any:
        future = self._pool.submit(fn)
        try:
            return future.result(timeout=self.seconds)
        except FutureTimeout as err:
            raise IndexUnavailableError(
                f"De vectordatabank antwoordde niet binnen {self.seconds:.0f} s; "
                "check the Chroma server and try again."
            ) from err

    def close(self) -> None:
        """Stop the pool (calls that still hang are left to finish on their own)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
