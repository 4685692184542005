"""Run the gold set through the assistant and compute retrieval, answer and routing metrics."""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from assistant.settings import Settings
from assistant.text.analysis import normalise_for_match
from assistant.vraagbaak import Vraagbaak

from .gold import GoldItem, chunk_supports, fact_in, passage_in
from .metrics import aggregate
from .readability import check as check_readability


@dataclass
class ItemResult:
    """What happened to one gold item (for blind sets this stays in memory, never in a report)."""

    id: str
    category: str
    expected_route: str
    route: str
    first_hit: int | None  # 0-based rank of the first retrieved chunk holding gold evidence
    key_fact_recall: float | None
    citation_precision: float | None
    citation_recall: float | None
    faithfulness: float | None
    evidence: float
    latency_ms: float
    text: str = ""
    #: Which path answered: extractive, llm or extractive-fallback (the LLM path gave the extractive answer).
    mode: str = "extractive"
    question: str = ""
    source: str = ""
    blind: bool = False
    kind: str | None = None
    case_kind: str | None = None
    #: ``kind`` or ``category``: the row of the per-kind table.
    group: str = ""
    #: ``case_kind``, else the category of a routing item, else ``beantwoordbaar``.
    case_group: str = ""
    today: str | None = None
    history: list[dict[str, str]] = field(default_factory=list)
    key_facts: list[str] = field(default_factory=list)
    #: Documents of the gold evidence (for "per document" in the grading report).
    gold_docs: list[str] = field(default_factory=list)
    has_evidence: bool = False
    route_reason: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)
    #: Readability of answered items (``None`` when the item was not answered).
    fragment: bool | None = None
    repeat: bool | None = None
    fragment_reason: str = ""
    #: Answered items: more than about 80 words without being a list (``None`` when not answered).
    too_long: bool | None = None
    words: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (saved runs)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ItemResult:
        """Read back :meth:`to_dict` output (unknown keys ignored, so older runs still load)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass
class RunResult:
    """All item results of one configuration plus the aggregated metrics (overall and per gold file)."""

    name: str
    settings: dict[str, Any]
    items: list[ItemResult] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    #: Gold file name -> metrics of its items.
    per_file: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Names of the blind gold files among them.
    blind_files: list[str] = field(default_factory=list)
    #: Facts about the run itself (index generation ...), saved with it.
    meta: dict[str, Any] = field(default_factory=dict)

    def compute_metrics(self) -> None:
        """(Re)compute :attr:`metrics` and :attr:`per_file` from the items."""
        self.metrics = aggregate(self.items)
        files: dict[str, list[ItemResult]] = {}
        for r in self.items:
            files.setdefault(r.source, []).append(r)
        self.per_file = {name: aggregate(rs) for name, rs in files.items()}
        self.blind_files = sorted({r.source for r in self.items if r.blind})


def _accepts_today(va: Vraagbaak) -> bool:
    """Does this assistant's ``ask`` take ``today`` (the lead adds it; older versions do not)?"""
    try:
        return "today" in inspect.signature(va.ask).parameters
    except (TypeError, ValueError):
        return False


def evaluate_item(va: Vraagbaak, g: GoldItem, *, pass_today: bool | None = None) -> ItemResult:
    """Ask one gold question (on its ``today`` when the assistant takes it) and score the answer."""
    if pass_today is None:
        pass_today = _accepts_today(va)
    kwargs: dict[str, Any] = {"today": g.today} if pass_today and g.today is not None else {}
    answer = va.ask(g.question, list(g.history), **kwargs)
    first_hit = None
    if g.evidence:
        for rank, h in enumerate(answer.retrieved[:10]):
            if any(chunk_supports(ev, h.chunk.doc_id, h.chunk.text) for ev in g.evidence):
                first_hit = rank
                break
    kf = None
    if g.key_facts and g.expected_route == "answer":
        kf = sum(fact_in(f, answer.text) for f in g.key_facts) / len(g.key_facts)
    cp = cr = faith = None
    if answer.citations and g.expected_route == "answer":
        supports = [
            any(passage_in(ev.passage, c.quote) or passage_in(c.quote, ev.passage) for ev in g.evidence)
            or any(fact_in(f, c.quote) for f in g.key_facts)
            for c in answer.citations
        ]
        cp = sum(supports) / len(supports)
        if g.evidence:
            cr = sum(
                any(
                    passage_in(ev.passage, c.quote) or passage_in(c.quote, ev.passage) or _overlap(ev.passage, c.quote)
                    for c in answer.citations
                )
                for ev in g.evidence
            ) / len(g.evidence)
        faith = _faithfulness(answer.text, {c.n: c.quote for c in answer.citations})
    read = check_readability(answer.text) if answer.route == "answer" and answer.text.strip() else None
    return ItemResult(
        id=g.id,
        category=g.category,
        expected_route=g.expected_route,
        route=answer.route,
        first_hit=first_hit,
        key_fact_recall=kf,
        citation_precision=cp,
        citation_recall=cr,
        faithfulness=faith,
        evidence=answer.evidence,
        latency_ms=answer.timings_ms.get("total", 0.0),
        text=answer.text,
        mode=answer.mode,
        question=g.question,
        source=g.source,
        blind=g.blind,
        kind=g.kind,
        case_kind=g.case_kind,
        group=g.group,
        case_group=g.case_group,
        today=g.today.isoformat() if g.today else None,
        history=[dict(m) for m in g.history],
        key_facts=list(g.key_facts),
        gold_docs=sorted({ev.doc_id for ev in g.evidence}),
        has_evidence=bool(g.evidence),
        route_reason=answer.route_reason,
        citations=[
            {
                k: getattr(c, k)
                for k in ("n", "chunk_id", "doc_id", "title", "doc_type", "page", "section", "url", "quote")
            }
            for c in answer.citations
        ],
        fragment=read.fragment if read else None,
        repeat=read.repeat if read else None,
        fragment_reason=read.fragment_reason if read else "",
        too_long=read.too_long if read else None,
        words=read.words if read else None,
    )


def _overlap(a: str, b: str) -> bool:
    """Quote and gold passage share a long stretch (>= 40 normalised characters)."""
    na, nb = normalise_for_match(a), normalise_for_match(b)
    return any(nb[i : i + 40] in na for i in range(0, max(1, len(nb) - 39), 10)) if len(nb) >= 40 else False


def _faithfulness(text: str, quotes: dict[int, str]) -> float:
    """Share of answer sentences whose content words all appear in the passage they cite."""
    sentences = [s for s in re.split(r"(?<=\])\s+", text.split("\n\n")[0]) if s.strip()]
    if not sentences:
        return 0.0
    ok = 0
    for s in sentences:
        marks = [int(n) for n in re.findall(r"\[(\d+)\]", s)]
        body = normalise_for_match(re.sub(r"\[\d+\]", "", s))
        if marks and any(body and body in normalise_for_match(quotes.get(n, "")) for n in marks):
            ok += 1
        elif marks:
            words = set(normalise_for_match(w) for w in re.sub(r"\[\d+\]", "", s).split())
            src = " ".join(quotes.get(n, "") for n in marks)
            srcw = set(normalise_for_match(w) for w in src.split())
            ok += len(words - srcw) <= max(1, len(words) // 10)
    return ok / len(sentences)


#: Settings fields recorded with every run (what distinguishes the configurations).
RUN_SETTINGS = (
    "embedder",
    "lexical_weight",
    "dense_weight",
    "rrf_k",
    "fusion",
    "synonym_weight",
    "type_prior",
    "chunk_size",
    "chunk_overlap",
    "top_k",
    "min_evidence",
    "llm",
)


def run_config(name: str, settings: Settings, gold: list[GoldItem], progress: bool = True) -> RunResult:
    """Evaluate one configuration on the gold set (the progress bar counts items, it names none)."""
    va = Vraagbaak(settings)
    va.warm()
    pass_today = _accepts_today(va)
    result = RunResult(name, {k: getattr(settings, k) for k in RUN_SETTINGS})
    result.meta["index_generation"] = va.snapshot().generation
    iterator: Any = gold
    if progress:
        from tqdm import tqdm

        iterator = tqdm(gold, desc=name, unit="q", file=sys.stderr, leave=False)
    for g in iterator:
        result.items.append(evaluate_item(va, g, pass_today=pass_today))
    result.compute_metrics()
    return result


def calibrate_threshold(items: list[ItemResult]) -> tuple[float, float]:
    """Evidence threshold that best separates answerable from unanswerable items (accuracy)."""
    pos = [r.evidence for r in items if r.expected_route == "answer"]
    neg = [r.evidence for r in items if r.category == "onbeantwoordbaar" or r.case_kind == "near_miss"]
    best, best_acc = 0.0, 0.0
    for t in sorted(set(pos + neg)):
        acc = (sum(e >= t for e in pos) + sum(e < t for e in neg)) / max(1, len(pos) + len(neg))
        if acc > best_acc:
            best, best_acc = t, acc
    return best, best_acc
