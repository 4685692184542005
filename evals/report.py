"""Markdown + HTML + JSON reports with plots, under evals/reports/."""

from __future__ import annotations

import base64
import html
import json
import platform
import time
from pathlib import Path
from typing import Any

from .runner import RunResult, summary_table


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}" if v < 10 else f"{v:.0f}"
    return str(v)


def _plots(runs: list[RunResult], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    rows = summary_table(runs)
    fig, ax = plt.subplots(figsize=(9, 4))
    keys = ["hit@5", "mrr@10", "key_fact_recall", "citation_precision", "faithfulness"]
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

    default = runs[0]
    cats = default.metrics["per_category"]
    fig, ax = plt.subplots(figsize=(9, 4))
    names = list(cats)
    ax.bar(names, [cats[c]["route_accuracy"] for c in names], label="route juist")
    ax.bar(names, [cats[c]["key_fact_recall"] or 0 for c in names], alpha=0.6, label="key facts")
    ax.set_ylim(0, 1)
    ax.legend()
    ax.set_title(f"Per categorie ({default.name})")
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    fig.tight_layout()
    paths.append(out / "categories.png")
    fig.savefig(paths[-1])
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist([r.latency_ms for r in default.items], bins=30)
    ax.set_xlabel("ms per vraag (warm)")
    ax.set_title(f"Latentie ({default.name})")
    fig.tight_layout()
    paths.append(out / "latency.png")
    fig.savefig(paths[-1])
    plt.close(fig)
    return paths


def write_report(runs: list[RunResult], out: Path) -> list[Path]:
    """Write report.md, report.html, metrics.json and plots; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    plots = _plots(runs, out)
    rows = summary_table(runs)
    machine = f"{platform.node()} {platform.machine()} {platform.processor() or ''} Python {platform.python_version()}"
    stamp = time.strftime("%Y-%m-%d %H:%M")
    cols = list(rows[0]) if rows else []
    md = [
        f"# Vraagbaak evaluatie — {stamp}",
        "",
        f"Machine: {machine}",
        "",
        f"Gold items: {runs[0].metrics['items'] if runs else 0}.",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "---|" * len(cols),
    ]
    md += ["| " + " | ".join(_fmt(r[c]) for c in cols) + " |" for r in rows]
    md += ["", "## Routing (default)", "", "| route | precision | recall | support |", "|---|---|---|---|"]
    for route, d in runs[0].metrics["routing"].items():
        md.append(f"| {route} | {d['precision']:.3f} | {d['recall']:.3f} | {d['support']} |")
    md += [
        "",
        "## Per categorie (default)",
        "",
        "| categorie | n | hit@5 | key facts | route juist |",
        "|---|---|---|---|---|",
    ]
    for cat, d in runs[0].metrics["per_category"].items():
        md.append(
            f"| {cat} | {d['n']} | {_fmt(d['hit@5'])} | {_fmt(d['key_fact_recall'])} | {_fmt(d['route_accuracy'])} |"
        )
    cal = runs[0].metrics.get("calibrated_evidence_threshold")
    if cal:
        md += [
            "",
            f"Calibrated evidence threshold: {cal['threshold']:.3f} (accuracy {cal['accuracy']:.3f} "
            "separating answerable from unanswerable items).",
        ]
    md += [
        "",
        "## How to read this",
        "",
        "- hit@k / MRR@10 / nDCG@10: is a chunk holding the gold passage among the retrieved ones, and how high.",
        "- key_fact_recall: share of the gold key facts (numbers, names) that appear in the answer text.",
        "- citation_precision: share of citations whose quote is (part of) a gold passage or holds a key fact.",
        "- citation_recall: share of gold passages that some citation quotes (or overlaps by 40+ characters).",
        "- faithfulness: share of answer sentences that are supported by the passage they cite.",
        "- route_*_f: F1 of the router per route; latency is warm, per question, on this machine.",
        "",
        *[f"![{p.stem}]({p.name})" for p in plots],
    ]
    md_path = out / "report.md"
    md_path.write_text("\n".join(md) + "\n", encoding="utf-8")
    imgs = "".join(
        f'<img alt="{p.stem}" src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}">' for p in plots
    )
    table = (
        "<table><tr>"
        + "".join(f"<th>{html.escape(c)}</th>" for c in cols)
        + "</tr>"
        + "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(r[c]))}</td>" for c in cols) + "</tr>" for r in rows)
        + "</table>"
    )
    html_path = out / "report.html"
    html_path.write_text(
        f"<!doctype html><meta charset=utf-8><title>Vraagbaak evaluatie</title>"
        f"<style>body{{font-family:sans-serif;max-width:70rem;margin:auto}}td,th{{border:1px solid #ccc;padding:3px 6px}}"
        f"table{{border-collapse:collapse}}img{{max-width:100%}}</style><h1>Vraagbaak evaluatie — {stamp}</h1>"
        f"<p>{html.escape(machine)}</p>{table}{imgs}",
        encoding="utf-8",
    )
    json_path = out / "metrics.json"
    json_path.write_text(
        json.dumps(
            {
                "generated": stamp,
                "machine": machine,
                "runs": [
                    {
                        "name": r.name,
                        "settings": r.settings,
                        "metrics": r.metrics,
                        "items": [i.__dict__ for i in r.items],
                    }
                    for r in runs
                ],
            },
            ensure_ascii=False,
            indent=1,
            default=str,
        ),
        encoding="utf-8",
    )
    return [md_path, html_path, json_path, *plots]
