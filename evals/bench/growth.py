"""Growth: the corpus replicated x10 and x100, ingested and queried (surrogate vectors at x100)."""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.embedders import load_embedder
from assistant.ingestion.chunking import Chunk
from assistant.settings import Settings
from assistant.vraagbaak import Vraagbaak

from ..gold import GoldItem
from .baselines import PlainBM25, bm25_search, run_baseline
from .common import LEXICAL_ONLY, RSS_QUESTIONS, SurrogateEmbedder, TimedEmbedder, log, open_snapshot, release_chroma
from .runner import app_rss, ask_all, cpu_seconds, profile_section, run_ours, timed_ingest

# --------------------------------------------------------------------------- growth corpus


def _perturb(text: str, rng: random.Random, swaps: int = 3) -> str:
    """Swap a few adjacent word pairs (per line, so list and table rows stay rows)."""
    lines = text.split("\n")
    for _ in range(swaps):
        i = rng.randrange(len(lines))
        words = lines[i].split(" ")
        if len(words) >= 4:
            j = rng.randrange(len(words) - 1)
            words[j], words[j + 1] = words[j + 1], words[j]
            lines[i] = " ".join(words)
    return "\n".join(("\\" + ln) if ln.startswith("#") else ln for ln in lines)


def build_replica_corpus(src: Path, chunks: list[Chunk], factor: int, out: Path) -> int:
    """The sample corpus plus ``factor - 1`` Markdown replicas of its chunks; returns the file count.

    Every replica document keeps the source's type (so the type prior does not
    favour the originals), gets its own doc_id, the replica number in title and
    headings, and a few swapped words per chunk.
    """
    shutil.copytree(src, out)
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {"documents": []}
    by_doc: dict[str, list[tuple[int, Chunk]]] = {}
    for i, c in enumerate(chunks):
        by_doc.setdefault(c.doc_id, []).append((i, c))
    files = 0
    for r in range(1, factor):
        folder = out / "replica" / f"r{r:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        for doc_id, items in by_doc.items():
            first = items[0][1]
            title = f"{first.title} (kopie {r})"
            parts = [f"# {title}", ""]
            for i, c in items:
                heading = c.section.split(" > ")[-1] if c.section else "Tekst"
                rng = random.Random(r * 100_003 + i)
                parts += [f"## {heading} (kopie {r}, deel {i})", "", _perturb(c.text, rng), ""]
            rel = f"replica/r{r:03d}/{doc_id}.md"
            (out / rel).write_text("\n".join(parts), encoding="utf-8")
            manifest["documents"].append(
                {"path": rel, "doc_id": f"r{r:03d}-{doc_id}", "title": title, "doc_type": first.doc_type}
            )
            files += 1
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return files


# --------------------------------------------------------------------------- growth


def growth_point(
    factor: int,
    base: Settings,
    tmp: Path,
    sample: tuple[list[Chunk], np.ndarray],
    gold: list[GoldItem],
    embed_rate: float | None,
    profiles: list[str] | None = None,
) -> dict[str, Any]:
    """Ingest the corpus replicated ``factor`` times and measure queries and memory on it.

    With ``profiles``, also profiles a no-op re-ingest and the warm questions at this size.
    """
    chunks, vectors = sample
    corpus = tmp / f"corpus-x{factor}"
    files = build_replica_corpus(Path(base.corpus_dir), chunks, factor, corpus)
    s = base.replace(corpus_dir=corpus, index_dir=tmp / f"index-x{factor}")
    surrogate = factor >= 100
    embedder: Any = SurrogateEmbedder(chunks, vectors) if surrogate else TimedEmbedder(load_embedder(base.embedder))
    log(f"growth x{factor}: {files} replica files; ingest ({'surrogate vectors' if surrogate else base.embedder})")
    load = round(os.getloadavg()[0], 2)
    cpu = cpu_seconds()
    summary, wall, embed_s = timed_ingest(s, embedder)
    cpu = cpu_seconds() - cpu
    if surrogate:
        embed_s = 0.0  # surrogate cost is negligible and not part of the estimate
    other_s = wall - embed_s
    n_embedded = embedder.texts
    point: dict[str, Any] = {
        "factor": factor,
        "documents": summary.documents,
        "chunks": summary.chunks,
        "vectors": f"surrogate (real {base.embedder} vector of the source chunk + noise)"
        if surrogate
        else base.embedder,
        "ingest_measured_s": round(wall, 1),
        "ingest_cpu_s": round(cpu, 1),
        "loadavg_1min_before_ingest": load,
        "ingest_embed_s": round(embed_s, 1),
        "ingest_other_s": round(other_s, 1),
    }
    if surrogate and embed_rate:
        est = n_embedded / embed_rate
        point["ingest_embed_est_s"] = round(est, 1)
        point["ingest_total_s"] = round(other_s + est, 1)
        point["ingest_total_is_estimate"] = True
    else:
        point["ingest_total_s"] = round(wall, 1)
        point["ingest_total_is_estimate"] = False
        if embed_s:
            point["embed_chunks_per_s"] = round(n_embedded / embed_s, 2)
    log(f"growth x{factor}: {summary.chunks} chunks in {wall:.1f} s; no-op re-ingest")
    _, noop_wall, _ = timed_ingest(s, embedder)
    point["noop_s"] = round(noop_wall, 2)

    log(f"growth x{factor}: queries")
    runs = {}
    for label, settings in (("ask", s), ("ask_lexical", s.replace(**LEXICAL_ONLY))):
        runs[label] = run_ours(label, Vraagbaak(settings), gold).summary(gold)
    snap = open_snapshot(s)
    bm = PlainBM25(snap.chunks)
    runs["bm25_plain"] = run_baseline("bm25_plain", bm25_search(bm), gold).summary(gold)
    point["queries"] = runs
    if profiles is not None:
        log(f"growth x{factor}: profile")
        profiles.append(
            profile_section(f"no-op re-ingest, x{factor} ({summary.chunks} chunks)", lambda: timed_ingest(s, embedder))[
                0
            ]
        )
        profiles.append(
            profile_section(f"{len(gold)} warm questions, default settings, x{factor}", ask_all(Vraagbaak(s), gold))[0]
        )
    log(f"growth x{factor}: memory")
    questions = [g.question for g in gold[:RSS_QUESTIONS]]
    point["rss_app_mb"] = app_rss(s, tmp, questions)["peak_rss_mb"]
    point["rss_app_lexical_mb"] = app_rss(s.replace(**LEXICAL_ONLY), tmp, questions)["peak_rss_mb"]
    release_chroma()
    return point
