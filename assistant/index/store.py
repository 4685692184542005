"""Index storage: Chroma for vectors, BM25 for words, in atomic generations.

Layout of ``index/`` (one folder per embedder, so each embedding model has its
own Chroma collection)::

    index/<embedder>/CURRENT            name of the generation readers use
    index/<embedder>/gen-<time>-<rand>/  one complete, immutable index
        chunks.jsonl   chunk texts and metadata (the source of truth)
        embeddings.npy one row per chunk, same order (re-used by the next ingest)
        manifest.json  content hash and chunk ids per corpus file
        lexical.pkl    BM25 model and the analyzer's vocabulary
        chroma/        Chroma PersistentClient folder (embedded mode)
    index/<embedder>/.lock               held by the one running ingest

An ingest writes a *new* generation and then replaces ``CURRENT`` with
``os.replace`` (atomic on POSIX), so a reader sees the old index or the new
one, never a half-written one; an ingest killed midway leaves only an orphan
folder that the next ingest removes.

Server mode (``ASSISTANT_CHROMA_URL``) keeps everything an app needs on the
Chroma server, so an app on another machine needs no index folder at all:

    <ns>-pointers                   one entry per embedder: the current
                                    generation, with its file manifest as the
                                    entry's document (one upsert moves both)
    <ns>-<embedder>-gen-<time>-<rand> one collection per generation: vectors,
                                    chunk texts and metadata (with ``position``)

``<ns>`` is the deployment namespace (``ASSISTANT_CHROMA_NAMESPACE``), so
several deployments can share one server.  The local folder is then only a
cache: an app on the ingest machine reads chunks and BM25 from it, any other
app loads the chunks from the server and rebuilds BM25 in memory.  The ingest
lock is a local ``flock``: run ingests for one namespace from one machine.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pickle
import secrets
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import numpy as np

from ..text.analysis import Analyzer, split_sentences, thesaurus, words
from ..ingestion.chunking import Chunk
from .embedders import slug
from ..errors import IndexUnavailableError
from ..settings import Settings

#: Deployment namespace on a shared Chroma server (``ASSISTANT_CHROMA_NAMESPACE``).
DEFAULT_NAMESPACE = "vraagbaak"
#: Page size when reading a generation back from the Chroma server.
_SERVER_PAGE = 2000
#: File in a generation folder that says it was published (see IndexLayout.cleanup).
PUBLISHED_MARKER = ".published"


# --------------------------------------------------------------------------- vectors


class VectorStore(Protocol):
    """The few operations retrieval and ingest need from a vector database."""

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


_HTTP_CLIENTS: dict[str, Any] = {}


def chroma_client(path: Path | None = None, url: str | None = None) -> Any:
    """A Chroma client: embedded on ``path`` or HTTP to ``url``; errors become IndexUnavailableError."""
    import chromadb

    try:
        if url:
            cached = _HTTP_CLIENTS.get(url)
            if cached is not None:
                return cached
            parsed = urlparse(url)
            _probe_server(url)
            client = chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 8000,
                ssl=parsed.scheme == "https",
                settings=_chroma_settings(),
            )
            _bound_http_timeouts(client)
            client.heartbeat()
            # Building an HttpClient costs 150-340 ms here: one per URL per process.
            _HTTP_CLIENTS[url] = client
            return client
        assert path is not None
        return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as err:  # chromadb raises ValueError, ConnectionError, httpx errors ...
        where = url or str(path)
        raise IndexUnavailableError(
            f"De vectordatabank is niet bereikbaar ({where}: {type(err).__name__}). "
            "Check that the Chroma server runs (chroma run --path DIR --port N) or that the index folder is readable."
        ) from err


#: Seconds to wait for the Chroma server: to connect, and for one request.
CHROMA_CONNECT_TIMEOUT_S = 10.0
CHROMA_REQUEST_TIMEOUT_S = 120.0


def _probe_server(url: str) -> None:
    """Fail within seconds when nothing answers at ``url``.

    chromadb's HTTP client has no timeout at all and talks to the server while
    it is being created, so a server that accepts connections but never answers
    (hung, or a wrong port behind a firewall) would block the app forever.
    """
    import httpx

    response = httpx.get(f"{url.rstrip('/')}/api/v2/heartbeat", timeout=CHROMA_CONNECT_TIMEOUT_S)
    response.raise_for_status()


def _bound_http_timeouts(client: Any) -> None:
    """Give the client's HTTP session a timeout (chromadb creates it with none)."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(CHROMA_REQUEST_TIMEOUT_S, connect=CHROMA_CONNECT_TIMEOUT_S)


class ChromaStore:
    """A :class:`VectorStore` on one Chroma collection with cosine distance."""

    def __init__(self, client: Any, name: str, create: bool = False) -> None:
        self.client = client
        self.name = name
        try:
            if create:
                self.collection = client.get_or_create_collection(
                    name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
                )
            else:
                self.collection = client.get_collection(name, embedding_function=None)
        except Exception as err:
            raise IndexUnavailableError(
                f"Chroma collection {name!r} cannot be opened ({type(err).__name__}); run `python -m assistant ingest`."
            ) from err

    def add(
        self, ids: list[str], embeddings: np.ndarray, documents: list[str], metadatas: list[dict[str, Any]]
    ) -> None:
        batch = 4000  # below Chroma's max batch size (5461 on this build)
        for i in range(0, len(ids), batch):
            self._call(
                self.collection.add,
                ids=ids[i : i + batch],
                embeddings=embeddings[i : i + batch],
                documents=documents[i : i + batch],
                metadatas=metadatas[i : i + batch],
            )

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 4000):
            self._call(self.collection.delete, ids=ids[i : i + 4000])

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
            return fn(**kwargs)
        except Exception as err:
            raise IndexUnavailableError(
                f"De vectordatabank gaf een fout ({type(err).__name__}: {str(err)[:200]}). "
                "Try again in a moment; if it persists, check the Chroma server or rebuild the index."
            ) from err


# --------------------------------------------------------------------------- words


class LexicalIndex:
    """BM25 over analysed chunk text (Dutch stems, stopwords, compound parts)."""

    def __init__(self, analyzer: Analyzer, bm25: Any, n_docs: int) -> None:
        self.analyzer = analyzer
        self.bm25 = bm25
        self.n_docs = n_docs
        self._sentences: dict[str, list[tuple[str, frozenset[str]]]] = {}

    def sentences(self, key: str, text: str) -> list[tuple[str, frozenset[str]]]:
        """The sentences of a passage with their index terms, memoised by ``key`` (a chunk id).

        Answer composition reads the sentences of the top passages for every
        question; analysing them again each time was 41% of a warm ``ask`` in
        the profile (evals/reports/bench.md).  The memo lives and dies with
        this index generation; a chunk id always names the same text.
        """
        cached = self._sentences.get(key)
        if cached is None:
            cached = [(s, frozenset(self.analyzer.terms(s))) for s in split_sentences(text)]
            self._sentences[key] = cached
        return cached

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        """Index texts; the analyzer's compound vocabulary comes from the same texts."""
        import bm25s

        vocab = {w for t in texts for w in words(t)}
        analyzer = Analyzer(vocab)
        corpus = [analyzer.terms(t) or ["_leeg_"] for t in texts]
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if texts:
            bm25.index(corpus, show_progress=False)
        return cls(analyzer, bm25, len(texts))

    def scores(self, query: str, mask: np.ndarray | None = None, synonym_weight: float = 0.0) -> np.ndarray:
        """BM25 score of every chunk (0 where ``mask`` is 0).

        With ``synonym_weight`` > 0 the thesaurus' related words of the query
        terms are scored as a second query and added at that weight, so the
        question's own words still decide between passages that have them.
        """
        if self.n_docs == 0:
            return np.zeros(0, dtype=np.float32)
        known = self.bm25.vocab_dict
        own = self.analyzer.terms(query)
        terms = [t for t in own if t in known]
        s = (
            np.asarray(self.bm25.get_scores(terms), dtype=np.float32)
            if terms
            else np.zeros(self.n_docs, dtype=np.float32)
        )
        if synonym_weight > 0:
            related = [t for t in thesaurus().expand(own) if t in known]
            if related:
                s = s + synonym_weight * np.asarray(self.bm25.get_scores(related), dtype=np.float32)
        return s * mask if mask is not None else s

    @property
    def idf(self) -> dict[str, float]:
        """IDF of every index term (document frequency from the BM25 matrix)."""
        cached: dict[str, float] | None = getattr(self, "_idf", None)
        if cached is None:
            cached = {}
            if self.n_docs:
                indptr = np.asarray(self.bm25.scores["indptr"])
                df = np.diff(indptr)
                for term, i in self.bm25.vocab_dict.items():
                    if i < len(df) and df[i] > 0:
                        cached[term] = float(np.log(1 + self.n_docs / df[i]))
            self._idf = cached
        return cached

    def save(self, path: Path) -> None:
        """Pickle to ``path`` (written to a temp file first)."""
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump({"vocab": sorted(self.analyzer.vocabulary), "bm25": self.bm25, "n": self.n_docs}, fh)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        """Inverse of :meth:`save`."""
        with path.open("rb") as fh:
            data = pickle.load(fh)
        return cls(Analyzer(data["vocab"]), data["bm25"], data["n"])


# --------------------------------------------------------------------------- generations


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


class IndexLayout:
    """Where one embedder's index generations live, and how they are swapped."""

    def __init__(
        self,
        index_dir: Path,
        embedder_slug: str,
        chroma_url: str | None = None,
        namespace: str = DEFAULT_NAMESPACE,
    ) -> None:
        self.root = Path(index_dir) / embedder_slug
        self.slug = embedder_slug
        self.chroma_url = chroma_url
        self.namespace = namespace

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    @property
    def pointer_collection(self) -> str:
        """Server mode: the collection that holds this deployment's index pointers."""
        return f"{self.namespace}-pointers"

    def current(self) -> str | None:
        """Name of the generation in use, or None when no index was built."""
        if self.chroma_url:
            return self.server_pointer(with_manifest=False)[0]
        try:
            name = self.current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise IndexUnavailableError(f"cannot read {self.current_file} ({err}); check permissions.") from err
        return name if name and (self.root / name).is_dir() else None

    def new_generation(self) -> str:
        """A fresh, unique generation name, sortable by time (UTC, so hosts in other zones agree)."""
        return f"gen-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"

    def gen_dir(self, generation: str) -> Path:
        return self.root / generation

    def collection_name(self, generation: str) -> str:
        """Chroma collection of a generation: one per embedder (and generation on a server)."""
        if self.chroma_url:
            return f"{self.namespace}-{self.slug}-{generation}"
        return f"vraagbaak-{self.slug}"

    def publish(self, generation: str, manifest: dict[str, Any] | None = None) -> None:
        """Atomically make ``generation`` the one readers use.

        Published generations get a marker file, so :meth:`cleanup` can tell
        them from the orphan of an ingest that was killed before publishing.
        On a server the pointer entry carries the manifest, so both move together.
        """
        previous = self.current()
        for name in (previous, generation):
            if name and (self.root / name).is_dir():
                (self.root / name / PUBLISHED_MARKER).touch()
        if self.chroma_url:
            self._set_server_pointer(generation, manifest or {}, previous)
        tmp = self.root / f".CURRENT.{os.getpid()}.tmp"
        tmp.write_text(generation + "\n", encoding="utf-8")
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.current_file)

    def cleanup(self, keep: int = 2) -> None:
        """Remove old and orphaned generations, keeping the newest ``keep`` published ones.

        Runs under the ingest lock, so no generation is being written here: one
        without the published marker is the orphan of a killed ingest.  On a
        server the current and the previous published generation (the pointer
        names both) are kept, and so is any newer collection (another machine may
        be writing one right now); older ones, published or orphaned, are dropped.
        """
        current = self.current()
        gens = sorted(p.name for p in self.root.glob("gen-*") if p.is_dir())
        published = [g for g in gens if (self.root / g / PUBLISHED_MARKER).exists()]
        keep_set = set(published[-keep:]) | ({current} if current else set())
        for name in gens:
            if name not in keep_set:
                shutil.rmtree(self.root / name, ignore_errors=True)
        if self.chroma_url and current:
            self._cleanup_server(current, keep)

    def server_generations(self) -> list[str]:
        """Server mode: the generations that have a collection on the server, oldest first."""
        client = chroma_client(url=self.chroma_url)
        prefix = f"{self.namespace}-{self.slug}-"
        try:
            names = [str(getattr(c, "name", c)) for c in client.list_collections()]
        except Exception as err:
            raise IndexUnavailableError(f"cannot list the Chroma server's collections ({type(err).__name__}).") from err
        return sorted(n[len(prefix) :] for n in names if n.startswith(prefix + "gen-"))

    def _cleanup_server(self, current: str, keep: int) -> None:
        # Only the pointer knows which older generation was really published: an
        # orphan of a failed ingest may be newer than it.
        previous = self.server_pointer(with_manifest=False)[2] if keep > 1 else None
        gens = self.server_generations()
        doomed = [g for g in gens if g < current and g != previous]
        client = chroma_client(url=self.chroma_url)
        for name in doomed:
            with contextlib.suppress(Exception):  # already gone (another cleanup) is fine
                client.delete_collection(self.collection_name(name))

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive ingest lock; a second ingest fails at once with a clear message.

        ``flock`` is released by the kernel when the holder dies, so a killed
        ingest never leaves a stale lock behind.
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

    # Server mode keeps the pointer in Chroma itself, so all app processes agree.
    def _pointers(self, create: bool = False) -> Any:
        """The pointer collection; None when it does not exist and ``create`` is False.

        Readers never create it, so a mistyped namespace does not leave an empty
        collection on a shared server.
        """
        client = chroma_client(url=self.chroma_url)
        try:
            if create:
                return client.get_or_create_collection(self.pointer_collection, embedding_function=None)
            return client.get_collection(self.pointer_collection, embedding_function=None)
        except Exception as err:
            if not create and type(err).__name__ == "NotFoundError":  # chromadb.errors.NotFoundError
                return None
            raise IndexUnavailableError(
                f"cannot open the index pointer collection {self.pointer_collection!r} on the Chroma server "
                f"({type(err).__name__}); check the server and ASSISTANT_CHROMA_NAMESPACE."
            ) from err

    def server_pointer(self, with_manifest: bool = True) -> tuple[str | None, dict[str, Any], str | None]:
        """Server mode: the current generation, its manifest and the previous generation.

        ``(None, {}, None)`` when nothing was published.  The manifest (every chunk
        id: about 1 MB at 30k chunks) is only fetched when asked for; each question
        reads just the generation name.
        """
        try:
            pointers = self._pointers()
            if pointers is None:
                return None, {}, None
            include = ["metadatas", "documents"] if with_manifest else ["metadatas"]
            res = pointers.get(ids=[self.slug], include=include)
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

    def _set_server_pointer(self, generation: str, manifest: dict[str, Any], previous: str | None) -> None:
        try:
            self._pointers(create=True).upsert(
                ids=[self.slug],
                embeddings=[[0.0, 0.0]],
                metadatas=[{"generation": generation, "previous": previous or ""}],
                documents=[json.dumps(manifest, ensure_ascii=False)],
            )
        except IndexUnavailableError:
            raise
        except Exception as err:
            raise IndexUnavailableError(
                f"cannot move the index pointer on the Chroma server ({type(err).__name__}); "
                "the previous index is still in use. Check the server and run ingest again."
            ) from err


def layout_for(settings: Settings) -> IndexLayout:
    """The index layout of a configuration (embedder, folder, Chroma server and namespace)."""
    return IndexLayout(settings.index_dir, slug(settings.embedder), settings.chroma_url, settings.chroma_namespace)


def write_generation_files(
    gen_dir: Path, chunks: list[Chunk], embeddings: np.ndarray, manifest: dict[str, Any]
) -> LexicalIndex:
    """Write chunks, embeddings, manifest and BM25 of a new generation; returns the BM25 index."""
    gen_dir.mkdir(parents=True, exist_ok=True)
    with (gen_dir / "chunks.jsonl").open("w", encoding="utf-8") as fh:
        for c in chunks:
            fh.write(json.dumps({"text": c.text, **c.metadata()}, ensure_ascii=False) + "\n")
    np.save(gen_dir / "embeddings.npy", embeddings.astype(np.float32))
    (gen_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    lexical = LexicalIndex.build([c.index_text for c in chunks])
    lexical.save(gen_dir / "lexical.pkl")
    return lexical


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


def load_generation(
    layout: IndexLayout, generation: str, embeddings: bool = False, manifest: bool = False
) -> tuple[list[Chunk], np.ndarray | None, LexicalIndex | None, dict[str, Any]]:
    """Chunks (in index order), BM25 and, when asked for, the vectors and manifest of a generation.

    Read from the local folder when it holds the generation; in server mode
    otherwise from the Chroma server (BM25 is then ``None``: the caller builds it).
    Only ingest needs vectors and manifest; an app loading a snapshot skips both
    (33 MB of vectors at x100; on a server the manifest is another request).
    """
    gen_dir = layout.gen_dir(generation)
    local = (gen_dir / "chunks.jsonl").is_file() and (gen_dir / "lexical.pkl").is_file()
    if local or not layout.chroma_url:
        try:
            chunks = _read_chunk_list(gen_dir)
            emb = np.load(gen_dir / "embeddings.npy") if embeddings else None
            lexical = LexicalIndex.load(gen_dir / "lexical.pkl")
            files = read_manifest(gen_dir) if manifest else {}
        except (OSError, ValueError, KeyError, pickle.UnpicklingError, EOFError) as err:
            raise IndexUnavailableError(
                f"the index generation {gen_dir} is damaged ({type(err).__name__}); "
                "run `python -m assistant ingest` again."
            ) from err
        return chunks, emb, lexical, files
    store = ChromaStore(chroma_client(url=layout.chroma_url), layout.collection_name(generation))
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
    files = {}
    if manifest:
        pointed, pointed_files, _ = layout.server_pointer()
        # The pointer may have moved meanwhile: an empty manifest only costs a full re-ingest.
        if pointed == generation and pointed_files.get("generation") == generation:
            files = pointed_files
    return chunks, (vecs[order] if vecs is not None else None), None, files


#: (index identity, generation) -> loaded snapshot; one generation per index.
_SNAPSHOTS: dict[tuple[str, str], Snapshot] = {}
_SNAPSHOTS_LOCK = threading.Lock()


def snapshot_for(settings: Settings) -> Snapshot:
    """:func:`open_snapshot` for a configuration."""
    return _open(layout_for(settings))


def open_snapshot(
    index_dir: Path, embedder_slug: str, chroma_url: str | None = None, namespace: str = DEFAULT_NAMESPACE
) -> Snapshot:
    """Load the current generation (cached: re-opened only when the pointer changes)."""
    return _open(IndexLayout(index_dir, embedder_slug, chroma_url, namespace))


def _open(layout: IndexLayout) -> Snapshot:
    generation = layout.current()
    if generation is None:
        url = layout.chroma_url
        where = f"namespace {layout.namespace!r} on {url}" if url else str(layout.root)
        raise IndexUnavailableError(
            f"no index for embedder {layout.slug!r} in {where}; "
            f"run `python -m assistant ingest --embedder {layout.slug}` first."
        )
    index = f"{layout.chroma_url}#{layout.namespace}/{layout.slug}" if layout.chroma_url else str(layout.root)
    key = (index, generation)
    cached = _SNAPSHOTS.get(key)
    if cached is not None:
        return cached
    # One loader at a time: after a publish every web worker would otherwise load
    # (in server mode: download and re-index) the same generation at once.
    with _SNAPSHOTS_LOCK:
        cached = _SNAPSHOTS.get(key)
        if cached is not None:
            return cached
        snap = _load_snapshot(layout, generation)
        for k in [k for k in _SNAPSHOTS if k[0] == key[0]]:  # old generations may be deleted
            del _SNAPSHOTS[k]
        _SNAPSHOTS[key] = snap
    return snap


def _load_snapshot(layout: IndexLayout, generation: str) -> Snapshot:
    chunks, _, lexical, _ = load_generation(layout, generation)
    if lexical is None:
        # From the server: BM25 is rebuilt here (deterministic from the chunk texts).
        lexical = LexicalIndex.build([c.index_text for c in chunks])
    gen_dir = layout.gen_dir(generation)
    url = layout.chroma_url
    client = chroma_client(url=url) if url else chroma_client(path=gen_dir / "chroma")
    vectors = ChromaStore(client, layout.collection_name(generation))
    return Snapshot(generation, layout.slug, chunks, lexical, vectors)
