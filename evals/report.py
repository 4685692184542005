"""The run report (Markdown + HTML + metrics.json + plots) of ``python -m evals run``.

Layout: one summary row per configuration over all question sets; one row per
configuration and set; then, for the first configuration, the detail tables
(per question kind, per route, per routing case, readability) for all sets
together and for each set separately; the worst answers; skipped rows.

Blind sets (``blind-*`` files) are go/no-go checks: they appear only in the
aggregate tables.  Their items are never listed (no worst answers, no per-item
rows in metrics.json), so nobody tunes the assistant to their wording.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import document as doc
from .goldfile import GoldFile
from .runner import ItemResult, RunResult

#: How many answers the "worst answers" section lists.
WORST_ANSWERS = 15


def summary_row(name: str, m: dict[str, Any]) -> dict[str, Any]:
    """One flat row of headline metrics (for a configuration or a set)."""
    rt, rd = m["routing"], m["readability"]
    return {
        "config": name,
        "n": m["items"],
        "hit@1": m["hit@1"],
        "hit@5": m["hit@5"],
        "mrr@10": m["mrr@10"],
        "ndcg@10": m["ndcg@10"],
        "key_fact_recall": m["key_fact_recall"],
        "citation_precision": m["citation_precision"],
        "citation_recall": m["citation_recall"],
        "faithfulness": m["faithfulness"],
        "route_accuracy": m["route_accuracy"],
        "route_answer_f": rt["answer"]["f1"],
        "route_escalate_f": rt["escalate"]["f1"],
        "route_decline_f": rt["decline"]["f1"],
        "answerable_escalated_or_declined": m["answerable_escalated_or_declined"],
        "fragment_share": rd["fragment_share"],
        "repeat_share": rd["repeat_share"],
        "long_share": rd.get("long_share"),
        "p50_ms": m["latency_p50_ms"],
        "p95_ms": m["latency_p95_ms"],
        "fallback_share": m.get("fallback_share"),
    }


def summary_table(runs: list[RunResult]) -> list[dict[str, Any]]:
    """One flat row per configuration (all sets together)."""
    return [summary_row(r.name, r.metrics) for r in runs]


def detail_blocks(m: dict[str, Any], level: int) -> list[doc.Block]:
    """Per-kind, per-route, per-case and readability tables of one metrics dict (aggregates only)."""
    rd = m["readability"]
    kind_rows = [{**d, "soort": k} for k, d in m["per_kind"].items()]
    kind_rows.append(
        {**rd, "soort": "alle", "n": m["items"], "hit@5": m["hit@5"]}
        | {"key_fact_recall": m["key_fact_recall"], "route_accuracy": m["route_accuracy"]}
    )
    kind_cols = [
        "soort",
        "n",
        "hit@5",
        "key_fact_recall",
        "route_accuracy",
        "answered",
        "fragment_share",
        "repeat_share",
        "long_share",
    ]
    blocks: list[doc.Block] = [
        doc.Heading(level, "Per soort vraag"),
        doc.Table(
            ["soort", "n", "hit@5", "key facts", "route juist", "beantwoord", "fragmenten", "herhalingen", "te lang"],
            [[row[c] for c in kind_cols] for row in kind_rows],
        ),
        doc.Heading(level, "Routes"),
        doc.Table(
            ["route", "precision", "recall", "F1", "support"],
            [[r, d["precision"], d["recall"], d["f1"], d["support"]] for r, d in m["routing"].items()],
        ),
        doc.Para(
            f"Beantwoordbare vragen doorverwezen of geweigerd: {doc.fmt(m['answerable_escalated_or_declined'])} "
            f"(route juist over alles: {doc.fmt(m['route_accuracy'])})."
        ),
        doc.Heading(level, "Route juist per soort geval"),
        doc.Table(
            ["geval", "n", "route juist"],
            [[k, d["n"], d["route_accuracy"]] for k, d in m["per_case_kind"].items()],
        ),
        doc.Para(
            f"Leesbaarheid over {rd['answered']} beantwoorde vragen: {rd['fragments']} fragment(en), "
            f"{rd['repeats']} met een herhaalde zin, {rd.get('long', 0)} langer dan ongeveer 80 woorden "
            "zonder een lijst te zijn."
        ),
    ]
    return blocks


def _worst(items: Sequence[ItemResult]) -> list[ItemResult]:
    """Non-blind items, worst first: wrong route, then fewest key facts, then unreadable."""
    visible = [r for r in items if not r.blind]

    def badness(r: ItemResult) -> tuple[float, ...]:
        kf = 1.0 if r.key_fact_recall is None else r.key_fact_recall
        return (float(r.route == r.expected_route), kf, float(not r.fragment), float(not r.repeat))

    bad = [r for r in visible if badness(r) < (1.0, 1.0, 1.0, 1.0)]
    return sorted(bad, key=badness)[:WORST_ANSWERS]


def _worst_blocks(run: RunResult) -> list[doc.Block]:
    worst = _worst(run.items)
    rows = []
    for r in worst:
        problems = []
        if r.route != r.expected_route:
            problems.append(f"route {r.route}, verwacht {r.expected_route}")
        if r.key_fact_recall is not None and r.key_fact_recall < 1:
            problems.append(f"key facts {r.key_fact_recall:.2f} ({'; '.join(r.key_facts)})")
        if r.fragment:
            problems.append(f"fragment: {r.fragment_reason}")
        if r.repeat:
            problems.append("herhaalde zin")
        rows.append([f"{r.source}/{r.id}", r.group, r.question, " · ".join(problems), r.text[:600]])
    return [
        doc.Heading(2, f"Slechtste antwoorden ({run.name}; zonder blinde sets)"),
        doc.Table(["item", "soort", "vraag", "probleem", "antwoord"], rows) if rows else doc.Para("Geen."),
    ]


def _header(meta: dict[str, Any]) -> list[str]:
    if not meta:
        return []
    return [
        f"Code: {meta.get('code_version', '?')}; corpus {meta.get('corpus_dir', '?')} "
        f"(hash {str(meta.get('corpus_manifest_hash', '?'))[:12]}); index {meta.get('index_dir', '?')}; "
        f"datum {meta.get('date', '?')}."
    ]


def _machine() -> str:
    return f"{platform.node()} {platform.machine()} {platform.processor() or ''} Python {platform.python_version()}"


def _plots(runs: list[RunResult], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    rows = summary_table(runs)
    fig, ax = plt.subplots(figsize=(9, 4))
    keys = ["hit@5", "mrr@10", "key_fact_recall", "citation_precision", "faithfulness", "route_accuracy"]
    width = 0.8 / max(1, len(rows))
    for i, r in enumerate(rows):
        ax.bar([k + i * width for k in range(len(keys))], [r[k] or 0 for k in keys], width, label=r["config"])
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(keys))], keys)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7)
    ax.set_title("Configuraties vergeleken")
    fig.tight_layout()
    paths.append(out / "configs.png")
    fig.savefig(paths[-1])
    plt.close(fig)

    first = runs[0]
    kinds = first.metrics["per_kind"]
    fig, ax = plt.subplots(figsize=(9, 4))
    names = list(kinds)
    ax.bar(names, [kinds[c]["route_accuracy"] or 0 for c in names], label="route juist")
    ax.bar(names, [kinds[c]["key_fact_recall"] or 0 for c in names], alpha=0.6, label="key facts")
    ax.set_ylim(0, 1)
    ax.legend()
    ax.set_title(f"Per soort vraag ({first.name}, alle sets)")
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    fig.tight_layout()
    paths.append(out / "kinds.png")
    fig.savefig(paths[-1])
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist([r.latency_ms for r in first.items], bins=30)
    ax.set_xlabel("ms per vraag (warm)")
    ax.set_title(f"Latentie ({first.name})")
    fig.tight_layout()
    paths.append(out / "latency.png")
    fig.savefig(paths[-1])
    plt.close(fig)
    return paths


_HOW_TO_READ = [
    "hit@k / MRR@10 / nDCG@10: is a chunk holding the gold passage among the retrieved ones, and how high.",
    "key_fact_recall: share of the gold key facts (numbers, names) that appear in the answer text.",
    "citation_precision: share of citations whose quote is (part of) a gold passage or holds a key fact.",
    "citation_recall: share of gold passages that some citation quotes (or overlaps by 40+ characters).",
    "faithfulness: share of answer sentences that are supported by the passage they cite.",
    "route_accuracy: share of items routed as expected; route_*_f: F1 of the router per route; "
    "answerable_escalated_or_declined: share of answerable items that were not answered.",
    "fragment_share / repeat_share: share of answered items that start or end mid-sentence, or repeat a "
    "sentence (definitions in evals/readability.py); bulleted lists after a lead-in are not fragments; "
    "long_share: answers without a list longer than about 80 words (88).",
    "'soort' is the item's kind (lijst, getal, waarom ...) or its category when it has none; 'geval' is the "
    "routing case (case_kind), or the category of a routing item, or 'beantwoordbaar'.",
    "latency is warm, per question, on this machine.",
]


def report_blocks(
    runs: list[RunResult], files: Sequence[GoldFile], plots: Sequence[Path], header: Sequence[str] = ()
) -> list[doc.Block]:
    """The whole run report as document blocks."""
    first = runs[0]
    blind = {f.name for f in files if f.blind}
    rows = summary_table(runs)
    cols = list(rows[0])
    blocks: list[doc.Block] = [doc.Heading(1, f"Vraagbaak evaluatie — {time.strftime('%Y-%m-%d %H:%M')}")]
    blocks += [doc.Para(line) for line in (f"Machine: {_machine()}", *header)]
    blocks += [
        doc.Heading(2, "Vraagsets"),
        doc.Table(
            ["set", "vragen", "blind", "overgeslagen rijen"],
            [[f.name, len(f.items), f.name in blind, len(f.problems)] for f in files],
        ),
        doc.Heading(2, "Configuraties (alle sets samen)"),
        doc.Table(cols, [[r[c] for c in cols] for r in rows]),
    ]
    if len(files) > 1:
        per_set_cols = [
            "config",
            "set",
            "n",
            "key_fact_recall",
            "route_accuracy",
            "answerable_escalated_or_declined",
            "fragment_share",
            "repeat_share",
            "long_share",
        ]
        per_set = [{**summary_row(r.name, m), "set": name} for r in runs for name, m in sorted(r.per_file.items())]
        blocks += [
            doc.Heading(2, "Per set en configuratie"),
            doc.Table(per_set_cols, [[row[c] for c in per_set_cols] for row in per_set]),
        ]
    blocks += [doc.Heading(2, f"{first.name}: alle sets samen"), *detail_blocks(first.metrics, 3)]
    if len(files) > 1:
        for name, m in sorted(first.per_file.items()):
            label = " (blind: alleen totalen)" if name in blind else ""
            blocks += [doc.Heading(2, f"{first.name}: set {name}{label}"), *detail_blocks(m, 3)]
    cal = first.metrics.get("calibrated_evidence_threshold")
    if cal:
        blocks.append(
            doc.Para(
                f"Calibrated evidence threshold: {cal['threshold']:.3f} (accuracy {cal['accuracy']:.3f} "
                "separating answerable from unanswerable items)."
            )
        )
    blocks += _worst_blocks(first)
    problems = [p for f in files for p in f.problems]
    if problems:
        blocks += [
            doc.Heading(2, "Overgeslagen rijen"),
            doc.Table(["rij", "probleem"], [[str(p.path.name) + f":{p.line}", p.message] for p in problems]),
        ]
    blocks += [doc.Heading(2, "How to read this"), doc.Bullets(_HOW_TO_READ)]
    blocks += [doc.Image(p, p.stem) for p in plots]
    return blocks


def metrics_json(runs: list[RunResult], header: dict[str, Any] | None = None) -> dict[str, Any]:
    """metrics.json: all aggregates; per-item results only for items of non-blind sets."""
    return {
        "generated": time.strftime("%Y-%m-%d %H:%M"),
        "machine": _machine(),
        **(header or {}),
        "runs": [
            {
                "name": r.name,
                "settings": r.settings,
                "metrics": r.metrics,
                "per_file": r.per_file,
                "blind_files": r.blind_files,
                "meta": r.meta,
                "items": [i.to_dict() for i in r.items if not i.blind],
            }
            for r in runs
        ],
    }


#: Sub-folder of the report folder for everything but report.md (git-ignored: metrics.json is
#: 1.4 MB and the HTML carries base64 images, both rewritten by every run).
GENERATED_DIR = "generated"


def write_report(
    runs: list[RunResult], out: Path, files: Sequence[GoldFile] = (), meta: dict[str, Any] | None = None
) -> list[Path]:
    """Write report.md into ``out``, and report.html, metrics.json and plots into ``out/generated``."""
    generated = out / GENERATED_DIR
    generated.mkdir(parents=True, exist_ok=True)
    plots = _plots(runs, generated)
    header = _header(meta or {})
    paths = doc.write(
        report_blocks(runs, files, plots, header), out, "report", "Vraagbaak evaluatie", html_dir=generated
    )
    json_path = generated / "metrics.json"
    json_path.write_text(
        json.dumps(metrics_json(runs, meta), ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    return [*paths, json_path, *plots]
