"""The knowledge-gap report: the questions the publications did not answer, grouped by topic and similarity.

Three signals say a question was not answered well: the assistant gave its
not-found answer (an unanswered turn), the question was passed to staff as
"geen bron", or the visitor pressed thumbs-down.  One question may raise several
(a not-found answer, then a thumbs-down on it): signals with the same question
on the same day count as one ask.  Asks are grouped into clusters of
near-identical questions (:mod:`.clusters`), each counted once with its
frequency, the passages the assistant found and the outcome of the triage
requests about it; clusters are grouped by topic.  (Once the question text is
purged, signals of different kinds within 15 minutes of each other count as one ask.)

What is in a report is already free of personal data (the collectors copy no
requester fields and mask contact details in question text); an ask older than
the retention period has no question text any more and is only counted.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from .clusters import SIMILARITY, cluster_questions, content_key, similarity_matrix

__all__ = [
    "FoundPassage",
    "GapCluster",
    "GapReport",
    "GapSignal",
    "RelatedRequest",
    "SignalKind",
    "build_report",
]

#: The topic of asks that have none.
NO_TOPIC = "andere"
_TOP_PASSAGES = 5
#: Purged signals of different kinds this close together count as one ask.
_SAME_ASK_WINDOW = timedelta(minutes=15)


class SignalKind(StrEnum):
    """Why a question counts as not answered."""

    NIET_GEVONDEN = "niet gevonden"
    GEEN_BRON = "doorgegeven: geen bron"
    DUIM_OMLAAG = "duim omlaag"


@dataclass(frozen=True)
class FoundPassage:
    """A passage the assistant found for the question (document and place, no text)."""

    title: str
    where: str = ""
    doc_id: str = ""

    def label(self) -> str:
        return f"{self.title}, {self.where}" if self.where else self.title


@dataclass(frozen=True)
class GapSignal:
    """One signal of an unanswered question; ``question`` is None after the retention period."""

    at: datetime
    question: str | None
    topic: str
    kind: SignalKind
    passages: tuple[FoundPassage, ...] = ()


@dataclass(frozen=True)
class RelatedRequest:
    """A triage request of the period: its question (personal data masked) and where it stands."""

    at: datetime
    question: str | None
    status: str


@dataclass
class GapCluster:
    """Near-identical questions, counted once, with their frequency."""

    id: str
    topic: str
    question: str
    #: ``(question as asked, how often)``, most frequent first.
    variants: list[tuple[str, int]]
    frequency: int
    kinds: Counter[SignalKind]
    first: datetime
    last: datetime
    passages: list[tuple[FoundPassage, int]]
    #: Status of the triage requests about these questions -> how many.
    outcomes: Counter[str] = field(default_factory=Counter)


@dataclass
class GapReport:
    """Clusters by topic, asks per topic per month, and the counts of asks past the retention period."""

    since: date | None
    until: date | None
    clusters: list[GapCluster]
    #: ``(topic, "YYYY-MM") -> asks`` (purged ones included).
    per_month: dict[tuple[str, str], int]
    #: Asks per topic whose question text was purged (only counted).
    purged: dict[str, int]

    @property
    def total(self) -> int:
        """All asks of the period."""
        return sum(self.per_month.values())

    def by_topic(self) -> dict[str, list[GapCluster]]:
        """Clusters per topic; topics with most asks first, clusters by frequency."""
        groups: dict[str, list[GapCluster]] = {}
        for cluster in self.clusters:
            groups.setdefault(cluster.topic, []).append(cluster)
        totals = {t: sum(c.frequency for c in cs) for t, cs in groups.items()}
        return {t: groups[t] for t in sorted(groups, key=lambda t: (-totals[t], t))}

    def cluster(self, cluster_id: str) -> GapCluster | None:
        """The cluster with this id, if any."""
        return next((c for c in self.clusters if c.id == cluster_id), None)

    def months(self) -> list[str]:
        return sorted({m for _, m in self.per_month})

    def topics(self) -> list[str]:
        totals: Counter[str] = Counter()
        for (topic, _), n in self.per_month.items():
            totals[topic] += n
        return [t for t, _ in totals.most_common()]


@dataclass
class _Ask:
    at: datetime
    question: str | None
    topic: str
    kinds: set[SignalKind]
    passages: list[FoundPassage]


def _merge_purged(purged: list[_Ask], s: GapSignal) -> None:
    """A purged signal joins the purged ask of another kind from the minutes before it, if any.

    Without the question text, the not-found answer, the thumbs-down on it and the
    request passing it on can only be told to belong together by their time; so
    the counts stay (about) what they were before the purge.
    """
    for ask in reversed(purged):
        if s.at - ask.at > _SAME_ASK_WINDOW:
            break
        if s.kind not in ask.kinds and (ask.topic == s.topic or NO_TOPIC in (ask.topic, s.topic or NO_TOPIC)):
            ask.kinds.add(s.kind)
            if ask.topic == NO_TOPIC and s.topic:
                ask.topic = s.topic
            return
    purged.append(_Ask(s.at, None, s.topic or NO_TOPIC, {s.kind}, []))


def _merge(signals: Iterable[GapSignal]) -> list[_Ask]:
    """Signals with the same question on the same day are one ask (purged ones: see :func:`_merge_purged`)."""
    asks: dict[tuple[str, date], _Ask] = {}
    purged: list[_Ask] = []
    for s in sorted(signals, key=lambda s: s.at):
        if s.question is None:
            _merge_purged(purged, s)
            continue
        key = (content_key(s.question) or s.question.strip().lower(), s.at.date())
        ask = asks.get(key)
        if ask is None:
            asks[key] = _Ask(s.at, s.question, s.topic or NO_TOPIC, {s.kind}, list(s.passages))
            continue
        ask.kinds.add(s.kind)
        ask.passages.extend(p for p in s.passages if p not in ask.passages)
        if ask.topic == NO_TOPIC and s.topic:
            ask.topic = s.topic
    return [*asks.values(), *purged]


def _cluster_id(question: str) -> str:
    """A stable id: the same representative question gives the same id in every report."""
    key = content_key(question) or question.strip().lower()
    return "K-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]


def _make_cluster(members: Sequence[_Ask]) -> GapCluster:
    spelled: dict[str, str] = {}
    counts: Counter[str] = Counter()
    first_seen: dict[str, datetime] = {}
    for ask in members:
        assert ask.question is not None
        norm = " ".join(ask.question.lower().split()).rstrip("?!. ")
        spelled.setdefault(norm, ask.question.strip())
        counts[norm] += 1
        first_seen.setdefault(norm, ask.at)
    ordered = sorted(counts, key=lambda n: (-counts[n], first_seen[n]))
    representative = spelled[ordered[0]]
    topics = Counter(a.topic for a in members)
    topic = sorted(topics, key=lambda t: (-topics[t], t == NO_TOPIC, t))[0]
    kinds: Counter[SignalKind] = Counter(k for a in members for k in a.kinds)
    passages: Counter[FoundPassage] = Counter(p for a in members for p in a.passages)
    return GapCluster(
        id=_cluster_id(representative),
        topic=topic,
        question=representative,
        variants=[(spelled[n], counts[n]) for n in ordered],
        frequency=len(members),
        kinds=kinds,
        first=min(a.at for a in members),
        last=max(a.at for a in members),
        passages=passages.most_common(_TOP_PASSAGES),
    )


def _attach_outcomes(clusters: list[GapCluster], requests: Sequence[RelatedRequest], threshold: float) -> None:
    """Each triage request counts for the cluster whose questions it resembles most (if any)."""
    asked = [r for r in requests if r.question]
    if not clusters or not asked:
        return
    members = [(i, v) for i, c in enumerate(clusters) for v, _ in c.variants]
    sims = similarity_matrix([r.question or "" for r in asked], [v for _, v in members])
    for row, request in zip(sims, asked, strict=True):
        best = int(row.argmax())
        if row[best] >= threshold:
            clusters[members[best][0]].outcomes[request.status] += 1


def build_report(
    signals: Iterable[GapSignal],
    requests: Sequence[RelatedRequest] = (),
    *,
    since: date | None = None,
    until: date | None = None,
    threshold: float = SIMILARITY,
) -> GapReport:
    """The report of ``signals`` (of one period), with the outcome of the related ``requests``."""
    asks = _merge(signals)
    per_month: Counter[tuple[str, str]] = Counter((a.topic, a.at.strftime("%Y-%m")) for a in asks)
    purged: Counter[str] = Counter(a.topic for a in asks if a.question is None)
    texts = [a for a in asks if a.question is not None]
    groups = cluster_questions([a.question or "" for a in texts], threshold)
    clusters = [_make_cluster([texts[i] for i in group]) for group in groups]
    clusters.sort(key=lambda c: (-c.frequency, c.first))
    _attach_outcomes(clusters, requests, threshold)
    return GapReport(since=since, until=until, clusters=clusters, per_month=dict(per_month), purged=dict(purged))
