"""The yearly figures of the staff page: a chart (matplotlib, no pyplot state) and its table."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..triage import Counts, Stats

__all__ = ["FIGURE_HEADERS", "figure_rows", "stats_figure"]

FIGURE_HEADERS = ["Groep", "Ontvangen", "Opgenomen", "Doorverwezen", "Afgewezen", "Open"]
_GROUP_NAMES = {"primair": "Primaire doelgroep", "secundair": "Secundaire doelgroep"}


def _count_row(name: str, c: Counts) -> list[Any]:
    return [name, c.received, c.taken_up, c.referred, c.declined, c.open]


def figure_rows(stats: Stats) -> list[list[Any]]:
    """The figures as a table (an accessible alternative to the chart)."""
    rows = [_count_row("Totaal", stats.total)]
    rows += [_count_row(_GROUP_NAMES.get(g, g), c) for g, c in stats.by_target_group.items()]
    rows += [_count_row(f"Thema: {t or '(geen)'}", c) for t, c in stats.by_topic.items()]
    return rows


def stats_figure(stats: Stats, year: int) -> Figure:
    """Received vs taken up: in total, per target group and per topic (matplotlib, no pyplot state)."""
    topics = list(stats.by_topic.items())
    fig = Figure(figsize=(7.5, 4.2 + 0.35 * max(len(topics), 1)), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[1, max(1.0, 0.3 * len(topics))])
    ax_total = fig.add_subplot(grid[0, 0])
    ax_group = fig.add_subplot(grid[0, 1])
    ax_topic = fig.add_subplot(grid[1, :])
    colours = ("#3b6ea8", "#e0a030")

    def bars(ax: Any, labels: list[str], counts: list[Counts], title: str) -> None:
        xs = range(len(labels))
        width = 0.38
        r1 = ax.bar(
            [x - width / 2 for x in xs], [c.received for c in counts], width, label="ontvangen", color=colours[0]
        )
        r2 = ax.bar(
            [x + width / 2 for x in xs], [c.taken_up for c in counts], width, label="opgenomen", color=colours[1]
        )
        ax.bar_label(r1, fontsize=8)
        ax.bar_label(r2, fontsize=8)
        ax.set_xticks(list(xs), labels)
        ax.set_xlim(-0.75, len(labels) - 0.25)
        ax.set_title(title, fontsize=10)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.margins(y=0.2)

    bars(ax_total, ["Totaal"], [stats.total], "Totaal")
    groups = list(stats.by_target_group.items())
    bars(
        ax_group,
        [_GROUP_NAMES.get(g, g).replace(" ", "\n", 1) for g, _ in groups],
        [c for _, c in groups],
        "Per doelgroep",
    )
    handles, labels = ax_total.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper right", fontsize=8, ncols=2)
    if topics:
        names = [t or "(geen thema)" for t, _ in topics]
        ys = range(len(names))
        height = 0.38
        r1 = ax_topic.barh(
            [y - height / 2 for y in ys], [c.received for _, c in topics], height, color=colours[0], label="ontvangen"
        )
        r2 = ax_topic.barh(
            [y + height / 2 for y in ys], [c.taken_up for _, c in topics], height, color=colours[1], label="opgenomen"
        )
        ax_topic.bar_label(r1, fontsize=8)
        ax_topic.bar_label(r2, fontsize=8)
        ax_topic.set_yticks(list(ys), names, fontsize=8)
        ax_topic.invert_yaxis()
        ax_topic.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax_topic.margins(x=0.15)
    else:
        ax_topic.text(0.5, 0.5, "Geen aanvragen in deze periode", ha="center", va="center")
        ax_topic.set_axis_off()
    ax_topic.set_title("Per thema", fontsize=10)
    fig.suptitle(f"Vraaggestuurde werking {year}: ontvangen en opgenomen vragen", fontsize=11, x=0.02, ha="left")
    return fig
