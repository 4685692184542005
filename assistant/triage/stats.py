"""The annual report's figures: requests received in a period, counted by their current status.

"In totaal ontvingen we 107 vragen ... We namen 68 van die vragen op: 62 uit onze
primaire doelgroep en 6 uit onze secundaire doelgroep."  :meth:`TriageStore.stats`
reads the rows; :func:`compute_stats` counts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from .model import (
    AFGEWEZEN,
    DECLINE_REASONS,
    DOORVERWEZEN,
    OPGENOMEN,
    ORG_TYPES,
    TARGET_GROUPS,
    target_group_of,
)

__all__ = ["Counts", "Stats", "compute_stats"]


@dataclass
class Counts:
    """Figures for one slice of the requests received in a period.

    ``taken_up``, ``referred``, ``declined`` and ``open`` count the *current*
    status of those requests, so they add up to ``received``.
    """

    received: int = 0
    taken_up: int = 0
    referred: int = 0
    declined: int = 0
    open: int = 0

    def add(self, status: str) -> None:
        """Count one request with the given status."""
        self.received += 1
        if status == OPGENOMEN:
            self.taken_up += 1
        elif status == DOORVERWEZEN:
            self.referred += 1
        elif status == AFGEWEZEN:
            self.declined += 1
        else:
            self.open += 1


@dataclass
class Stats:
    """Figures for the annual report; see :meth:`TriageStore.stats`."""

    since: datetime | None
    until: datetime | None
    total: Counts
    #: ``primair`` and ``secundair`` (always both present).
    by_target_group: dict[str, Counts]
    #: ``erkend``, ``niet-erkend`` and ``secundair`` (always all present).
    by_org_type: dict[str, Counts]
    #: Per topic; requests without a topic count under ``""``.
    by_topic: dict[str, Counts]
    #: Referred requests per referral target.
    referred_to: dict[str, int]
    #: Declined requests per reason (every reason present).
    declined_by_reason: dict[str, int]

    def summary_nl(self) -> str:
        """The annual report's sentences, e.g. "In totaal ontvingen we 107 vragen. ..."."""
        primary = self.by_target_group["primair"].taken_up
        secondary = self.by_target_group["secundair"].taken_up
        parts = [
            f"In totaal ontvingen we {_vragen(self.total.received)}.",
            (
                f"We namen {self.total.taken_up} van die vragen op: {primary} uit onze "
                f"primaire doelgroep en {secondary} uit onze secundaire doelgroep."
            ),
        ]
        if self.total.referred:
            parts.append(f"We verwezen {_vragen(self.total.referred)} door.")
        if self.total.declined:
            parts.append(f"We wezen {_vragen(self.total.declined)} af.")
        if self.total.open:
            parts.append(f"{_vragen(self.total.open)} {'is' if self.total.open == 1 else 'zijn'} nog open.")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of all figures."""
        data = asdict(self)
        data["since"] = self.since.isoformat() if self.since else None
        data["until"] = self.until.isoformat() if self.until else None
        return data


def _vragen(n: int) -> str:
    return f"{n} vraag" if n == 1 else f"{n} vragen"


def compute_stats(rows: Iterable[Any], since: datetime | None, until: datetime | None) -> Stats:
    """The figures of requests ``rows`` (each with ``status``, ``org_type``, ``topic``,
    ``referred_to`` and ``decline_reason``), received between ``since`` and ``until``."""
    total = Counts()
    groups = {group: Counts() for group in TARGET_GROUPS}
    org_types = {kind: Counts() for kind in ORG_TYPES}
    topics: dict[str, Counts] = {}
    topic_names: dict[str, str] = {}
    referred: dict[str, int] = {}
    referred_names: dict[str, str] = {}
    declined = dict.fromkeys(DECLINE_REASONS, 0)
    for row in rows:
        total.add(row.status)
        org_types.setdefault(row.org_type, Counts()).add(row.status)
        groups[target_group_of(row.org_type)].add(row.status)
        # Topics and referral targets are typed by people: group them
        # case-insensitively under the first spelling seen.
        topic = row.topic or ""
        topic_key = topic.lower()
        topics.setdefault(topic_names.setdefault(topic_key, topic), Counts()).add(row.status)
        if row.status == DOORVERWEZEN and row.referred_to:
            name = referred_names.setdefault(row.referred_to.lower(), row.referred_to)
            referred[name] = referred.get(name, 0) + 1
        if row.status == AFGEWEZEN and row.decline_reason:
            declined[row.decline_reason] = declined.get(row.decline_reason, 0) + 1
    return Stats(
        since=since,
        until=until,
        total=total,
        by_target_group=groups,
        by_org_type=org_types,
        by_topic=dict(sorted(topics.items(), key=lambda kv: (-kv[1].received, kv[0]))),
        referred_to=dict(sorted(referred.items(), key=lambda kv: (-kv[1], kv[0]))),
        declined_by_reason=declined,
    )
