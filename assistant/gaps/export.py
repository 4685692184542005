"""The knowledge-gap report as CSV and as a chart of unanswered questions per topic per month."""

from __future__ import annotations

import csv
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TextIO

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .report import GapReport, SignalKind

__all__ = ["CSV_COLUMNS", "gap_figure", "write_csv"]

CSV_COLUMNS: Final[tuple[str, ...]] = (
    "cluster",
    "thema",
    "vraag",
    "frequentie",
    "varianten",
    *(kind.value for kind in SignalKind),
    "eerste",
    "laatste",
    "gevonden passages",
    "uitkomst aanvragen",
)
#: The cluster column of the rows that only count questions past the retention period.
PURGED_LABEL: Final = "(ouder dan de bewaartermijn: enkel geteld)"


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is defused with a quote."""
    if value is None:
        return ""
    text = value.strftime("%Y-%m-%d") if isinstance(value, datetime) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(report: GapReport, out: Path | TextIO, *, delimiter: str = ";") -> int:
    """Write one row per cluster (and one count row per topic for purged questions); returns the rows."""
    if isinstance(out, Path):
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            return write_csv(report, handle, delimiter=delimiter)
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for topic, clusters in report.by_topic().items():
        for c in clusters:
            writer.writerow(
                _cell(v)
                for v in (
                    c.id,
                    topic,
                    c.question,
                    c.frequency,
                    " | ".join(f"{q} ({n}x)" for q, n in c.variants),
                    *(c.kinds.get(kind, 0) for kind in SignalKind),
                    c.first,
                    c.last,
                    " | ".join(f"{p.label()} ({n}x)" for p, n in c.passages),
                    ", ".join(f"{status}: {n}" for status, n in sorted(c.outcomes.items())),
                )
            )
            rows += 1
    for topic, n in sorted(report.purged.items()):
        writer.writerow(_cell(v) for v in (PURGED_LABEL, topic, "", n, "", *("" for _ in SignalKind), "", "", "", ""))
        rows += 1
    return rows


def gap_figure(report: GapReport) -> Figure:
    """Stacked bars: unanswered questions per month, one colour per topic (matplotlib, no pyplot state)."""
    months = report.months()
    topics = report.topics()
    fig = Figure(figsize=(8.0, 4.4), layout="constrained")
    ax = fig.add_subplot()
    if not months:
        ax.text(0.5, 0.5, "Geen onbeantwoorde vragen in deze periode", ha="center", va="center")
        ax.set_axis_off()
        return fig
    bottoms = [0] * len(months)
    colours = [
        "#3b6ea8",
        "#e0a030",
        "#5a9e6f",
        "#b8534a",
        "#7d62a8",
        "#4fa3b5",
        "#a67c52",
        "#c9699a",
        "#7f7f7f",
    ]
    for i, topic in enumerate(topics):
        counts = [report.per_month.get((topic, m), 0) for m in months]
        ax.bar(months, counts, bottom=bottoms, label=topic, color=colours[i % len(colours)])
        bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
    for x, total in enumerate(bottoms):
        ax.annotate(str(total), (x, total), ha="center", va="bottom", fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("onbeantwoorde vragen")
    ax.margins(y=0.15)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="thema", title_fontsize=8)
    fig.suptitle("Onbeantwoorde vragen per thema per maand", fontsize=11, x=0.02, ha="left")
    return fig
