"""The evaluators' report of one graded run: agreement, per kind and per document, worst answers, trend.

Built as :mod:`evals.document` blocks, so the Evaluatie page shows it as HTML and
``python -m evals grades RUN`` writes it as Markdown and HTML.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from . import document as doc
from .grading import (
    CORRECT_AT,
    Grade,
    MetricAgreement,
    TrendPoint,
    document_of,
    inter_rater,
    judge_metrics,
    metric_agreement,
    per_group,
    worst_first,
)
from .runs import SavedRun

#: How many answers "worst first" lists.
WORST = 20


@dataclass(frozen=True)
class Judgement:
    """The LLM judge's scores of the run (see :mod:`evals.judge`), when there are any."""

    model: str
    scores: dict[str, object]


def trend_chart(points: Sequence[TrendPoint]) -> bytes | None:
    """PNG: share judged correct (human) and key-fact recall per run date; None without points."""
    if not points:
        return None
    from matplotlib.dates import DateFormatter, date2num
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.5))
    ax = fig.subplots()
    kf = [(date2num(p.date), p.key_fact_recall) for p in points if p.key_fact_recall is not None]
    ax.plot([d for d, _ in kf], [v for _, v in kf], marker="o", label="key facts (automatisch)")
    human = [(date2num(p.date), p.correct) for p in points if p.correct is not None]
    if human:
        ax.plot([d for d, _ in human], [c for _, c in human], marker="s", label="juist (mens)")
    days = sorted({d for d, _ in kf + human})
    if days and days[-1] - days[0] < 7:  # runs within a week: a week around them instead of matplotlib's years
        ax.set_xlim(days[0] - 3.5, days[-1] + 3.5)
    ax.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))
    ax.set_ylim(0, 1)
    ax.set_title("Kwaliteit per run")
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _agreement_rows(rows: Sequence[MetricAgreement]) -> list[list[object]]:
    return [[m.metric, m.against, m.n, m.agreement, m.kappa, m.spearman] for m in rows]


def report_blocks(
    run: SavedRun,
    grades: Sequence[Grade],
    points: Sequence[TrendPoint] = (),
    judgement: Judgement | None = None,
) -> list[doc.Block]:
    """The evaluators' report of ``run`` with its grades (all evaluators)."""
    items = run.run.items
    evaluators = sorted({g.evaluator for g in grades})
    graded = {g.item_key for g in grades}
    blocks: list[doc.Block] = [
        doc.Heading(2, f"Rapport: {run.label}"),
        doc.Para(
            f"{len(graded)} van {len(items)} antwoorden beoordeeld door {len(evaluators)} beoordelaar(s)"
            + (f" ({', '.join(evaluators)})" if evaluators else "")
            + f". 'Juist (mens)': gemiddelde beoordeling ≥ {CORRECT_AT} (juist = 1, deels juist = 0,5, fout = 0)."
        ),
    ]
    pairs = inter_rater(grades)
    blocks += [doc.Heading(3, "Overeenstemming tussen beoordelaars (Cohen's kappa)")]
    if pairs:
        blocks.append(
            doc.Table(
                ["beoordelaar A", "beoordelaar B", "samen beoordeeld", "zelfde oordeel", "kappa", "kappa bron"],
                [[p.a, p.b, p.n, p.agreement, p.kappa, p.source_kappa] for p in pairs],
            )
        )
    else:
        blocks.append(doc.Para("Nog geen twee beoordelaars voor deze run."))
    extra = judge_metrics(judgement.scores) if judgement else ()
    blocks += [
        doc.Heading(3, "Automatische metrieken naast het menselijk oordeel"),
        doc.Table(
            ["metriek", "vergeleken met", "n", "zelfde uitkomst", "kappa", "Spearman"],
            _agreement_rows(metric_agreement(items, grades, extra)),
        ),
    ]
    if judgement:
        blocks.append(
            doc.Para(
                f"De LLM-rechter ({judgement.model}) staat hier als extra metriek naast het menselijk oordeel; "
                "hij vervangt geen beoordeling."
            )
        )
    for title, key in (("Per soort vraag", lambda r: r.group), ("Per document", document_of)):
        rows = per_group(items, grades, key)
        cols = list(rows[0]) if rows else ["groep"]
        blocks += [doc.Heading(3, title), doc.Table(cols, [[row[c] for c in cols] for row in rows])]
    worst = worst_first(items, grades)[:WORST]
    blocks.append(doc.Heading(3, "Slechtste antwoorden eerst"))
    blocks.append(
        doc.Table(
            ["vraag", "oordeel", "antwoord", "opmerkingen"],
            [
                [
                    f"{r.source}/{r.id} ({r.group})\n{r.question}",
                    f"{score:.2f}; " + ", ".join(f"{g.evaluator}: {g.verdict.value}" for g in gs),
                    f"route {r.route}\n{r.text[:500]}",
                    "\n".join(f"{g.evaluator}: {g.comment}" for g in gs if g.comment),
                ]
                for r, score, gs in worst
            ],
            side_by_side=True,
        )
        if worst
        else doc.Para("Nog niets beoordeeld.")
    )
    chart = trend_chart(points)
    blocks.append(doc.Heading(3, "Kwaliteit per run"))
    if chart:
        blocks += [
            doc.Image(alt="Kwaliteit per rundatum", data=chart),
            doc.Table(
                ["run", "datum", "beoordeeld", "juist (mens)", "key facts"],
                [[p.label, p.date.strftime("%Y-%m-%d %H:%M"), p.graded, p.correct, p.key_fact_recall] for p in points],
            ),
        ]
    else:
        blocks.append(doc.Para("Geen runs."))
    return blocks


def run_report(run: SavedRun, runs: Sequence[SavedRun], grades: Sequence[Grade]) -> list[doc.Block]:
    """The report of ``run``: ``grades`` of all runs (for the trend over ``runs``), the judge's scores if any."""
    from .grading import trend
    from .judge import load_judgement

    by_run: dict[str, list[Grade]] = {}
    for g in grades:
        by_run.setdefault(g.run_id, []).append(g)
    known = {r.run_id: r for r in (*runs, run)}
    points = trend([(r.run_id, r.label, r.date, r.run.items) for r in known.values()], by_run)
    judged = load_judgement(run)
    judgement = Judgement(judged[0], dict(judged[1])) if judged else None
    return report_blocks(run, by_run.get(run.run_id, []), points, judgement)
