"""The baselines every figure is compared with: plain BM25 (bm25s) and plain LangChain Chroma."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.index.embedders import Embedder
from assistant.index.langchain import LangChainEmbeddings
from assistant.ingestion.chunking import Chunk
from assistant.settings import Settings

from ..gold import GoldItem
from .common import WARMUP_QUESTIONS, UncachedQueries, first_hit, subprocess_env
from .runner import QueryRun, child_rss


class PlainBM25:
    """Baseline: bm25s with its default tokenizer (English stopwords, no stemming) over chunk texts."""

    def __init__(self, chunks: list[Chunk]) -> None:
        import bm25s

        self.bm25s = bm25s
        self.chunks = chunks
        t = time.perf_counter()
        tokens = bm25s.tokenize([c.text for c in chunks], show_progress=False)
        self.model = bm25s.BM25()
        self.model.index(tokens, show_progress=False)
        self.build_s = time.perf_counter() - t

    def search(self, query: str, k: int = 10) -> list[Chunk]:
        qtok = self.bm25s.tokenize([query], return_ids=False, show_progress=False)
        if not qtok or not qtok[0]:
            return []
        docs, scores = self.model.retrieve(qtok, k=min(k, len(self.chunks)), show_progress=False)
        return [self.chunks[int(i)] for i, s in zip(docs[0], scores[0], strict=True) if s > 0]


class PlainLangChainChroma:
    """Baseline: LangChain's Chroma vector store, ``similarity_search`` with the same embedder."""

    def __init__(self, chunks: list[Chunk], embedder: Embedder, folder: Path) -> None:
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        self.by_id = {c.chunk_id: c for c in chunks}
        self.store = Chroma(
            collection_name="baseline",
            embedding_function=LangChainEmbeddings(UncachedQueries(embedder)),
            persist_directory=str(folder),
            client_settings=ChromaSettings(anonymized_telemetry=False, is_persistent=True),
        )
        t = time.perf_counter()
        for i in range(0, len(chunks), 1000):
            part = chunks[i : i + 1000]
            self.store.add_texts(
                [c.text for c in part], metadatas=[{"doc_id": c.doc_id} for c in part], ids=[c.chunk_id for c in part]
            )
        self.build_s = time.perf_counter() - t

    def search(self, query: str, k: int = 10) -> list[tuple[str, str]]:
        docs = self.store.similarity_search(query, k=k)
        return [(str(d.metadata.get("doc_id", "")), d.page_content) for d in docs]


def run_baseline(name: str, search: Callable[[str], list[tuple[str, str]]], gold: list[GoldItem]) -> QueryRun:
    """Warm latency and first hits of a baseline (the question alone, no history)."""
    for g in gold[:WARMUP_QUESTIONS]:
        search(g.question)
    run = QueryRun(name, loadavg=[round(os.getloadavg()[0], 2)])
    for g in gold:
        c = time.process_time()
        t = time.perf_counter()
        ranked = search(g.question)
        run.total_ms.append((time.perf_counter() - t) * 1000)
        run.cpu_ms.append((time.process_time() - c) * 1000)
        if g.evidence:
            run.hits[g.id] = first_hit(g, ranked)
    run.loadavg.append(round(os.getloadavg()[0], 2))
    return run


def bm25_search(b: PlainBM25) -> Callable[[str], list[tuple[str, str]]]:
    """BM25 baseline hits as (doc_id, text)."""
    return lambda q: [(c.doc_id, c.text) for c in b.search(q)]


_BASELINE_CHILD = r"""
import json, resource, sys
import bm25s
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from assistant.index.embedders import load_embedder
from assistant.index.langchain import LangChainEmbeddings
args = json.loads(sys.argv[1])
texts = [json.loads(l)["text"] for l in open(args["chunks"], encoding="utf-8")]
bm = bm25s.BM25(); bm.index(bm25s.tokenize(texts, show_progress=False), show_progress=False)
store = Chroma(collection_name="baseline", embedding_function=LangChainEmbeddings(load_embedder(args["embedder"])),
               persist_directory=args["folder"], client_settings=ChromaSettings(anonymized_telemetry=False, is_persistent=True))
for q in args["questions"]:
    store.similarity_search(q, k=10)
    bm.retrieve(bm25s.tokenize([q], return_ids=False, show_progress=False), k=10, show_progress=False)
status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
print(json.dumps({"ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "vmhwm_kb": int(status["VmHWM"].split()[0])}))
"""


def baseline_rss(
    settings: Settings, tmp: Path, chunks_file: Path, folder: Path, questions: list[str]
) -> dict[str, Any]:
    """Peak RSS of a plain LangChain-Chroma + bm25s process answering the same questions."""
    arg = {"chunks": str(chunks_file), "folder": str(folder), "embedder": settings.embedder, "questions": questions}
    return child_rss(_BASELINE_CHILD, arg, subprocess_env(settings, tmp))
