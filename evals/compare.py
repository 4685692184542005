"""``python -m evals compare RUN_A RUN_B``: metric deltas with bootstrap intervals and the changed questions.

Items are paired by (question set, id).  For every per-item metric the delta
``B - A`` of the means is computed on the paired items, with a 95% percentile
interval from a paired bootstrap over items (the same resampled items for both
runs, a fixed seed, so the report is reproducible).  A metric "drops beyond its
interval" when the whole interval lies on the worse side of zero: that is what
``--fail-on METRIC`` turns into exit status 1.

Blind sets have no saved items: their aggregates are compared without an
interval, and none of their questions is listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import document as doc
from .metrics import ITEM_METRICS
from .runner import ItemResult
from .runs import SavedRun

#: Resamples of the paired bootstrap and its seed (fixed: the same runs give the same report).
BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 20261202
#: Metrics where a lower value is better.
LOWER_IS_BETTER = frozenset({"fragment_share", "repeat_share", "long_share", "answerable_escalated_or_declined"})
#: Aggregates compared for blind sets (no items, so no interval).
BLIND_METRICS = ("key_fact_recall", "route_accuracy", "answerable_escalated_or_declined", "hit@5")


@dataclass(frozen=True)
class MetricDelta:
    """One metric in both runs, its delta and the bootstrap interval of the delta."""

    metric: str
    n: int
    a: float | None
    b: float | None
    delta: float | None
    low: float | None
    high: float | None

    @property
    def verdict(self) -> str:
        """``beter``, ``slechter`` (the interval excludes 0) or ``geen duidelijk verschil``."""
        if self.low is None or self.high is None:
            return "–"
        better_up = self.metric not in LOWER_IS_BETTER
        if self.low > 0:
            return "beter" if better_up else "slechter"
        if self.high < 0:
            return "slechter" if better_up else "beter"
        return "geen duidelijk verschil"


@dataclass(frozen=True)
class ChangedItem:
    """A question whose outcome changed between the runs."""

    key: str
    change: str  # beter | slechter | route gewijzigd
    a: ItemResult
    b: ItemResult


@dataclass
class Comparison:
    """Everything the comparison report shows."""

    a: SavedRun
    b: SavedRun
    deltas: list[MetricDelta] = field(default_factory=list)
    changed: list[ChangedItem] = field(default_factory=list)
    text_only: int = 0
    unchanged: int = 0
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    blind: list[tuple[str, str, float | None, float | None]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"beter": 0, "slechter": 0, "route gewijzigd": 0}
        for c in self.changed:
            out[c.change] += 1
        return {**out, "alleen tekst": self.text_only, "gelijk": self.unchanged}

    def delta(self, metric: str) -> MetricDelta:
        for d in self.deltas:
            if d.metric == metric:
                return d
        raise KeyError(metric)


def _key(r: ItemResult) -> str:
    return f"{r.source}/{r.id}"


def _values(items: list[ItemResult], metric: str) -> np.ndarray:
    fn = ITEM_METRICS[metric]
    return np.array([np.nan if (v := fn(r)) is None else v for r in items], dtype=float)


def _nanmean(x: np.ndarray, axis: int | None = None) -> Any:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nansum(x, axis=axis) / np.sum(~np.isnan(x), axis=axis)


def bootstrap_delta(
    a: np.ndarray, b: np.ndarray, *, samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED
) -> tuple[float | None, float | None, float | None]:
    """Delta of the means (NaN = no value) and its 95% paired-bootstrap interval."""
    present = ~(np.isnan(a) & np.isnan(b))
    a, b = a[present], b[present]
    if not len(a) or np.all(np.isnan(a)) or np.all(np.isnan(b)):
        return None, None, None
    delta = float(_nanmean(b) - _nanmean(a))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(samples, len(a)))
    diffs = _nanmean(b[idx], axis=1) - _nanmean(a[idx], axis=1)
    diffs = diffs[~np.isnan(diffs)]
    if not len(diffs):
        return delta, None, None
    low, high = np.percentile(diffs, [2.5, 97.5])
    return delta, float(low), float(high)


def _quality(r: ItemResult) -> tuple[float, float, float]:
    """Higher is better: route right, key facts, readable."""
    kf = r.key_fact_recall if r.key_fact_recall is not None else 0.0
    readable = 0.0 if (r.fragment or r.repeat) else 1.0
    return (float(r.route == r.expected_route), kf, readable)


def compare(a: SavedRun, b: SavedRun) -> Comparison:
    """Pair the items of two saved runs and compute deltas and changed questions."""
    cmp = Comparison(a, b)
    by_a = {_key(r): r for r in a.run.items}
    by_b = {_key(r): r for r in b.run.items}
    keys = [k for k in by_a if k in by_b]
    cmp.only_a = sorted(set(by_a) - set(by_b))
    cmp.only_b = sorted(set(by_b) - set(by_a))
    ia, ib = [by_a[k] for k in keys], [by_b[k] for k in keys]
    for metric in ITEM_METRICS:
        va, vb = _values(ia, metric), _values(ib, metric)
        delta, low, high = bootstrap_delta(va, vb)
        n = int(np.sum(~(np.isnan(va) & np.isnan(vb))))
        ma = float(_nanmean(va)) if n and not np.all(np.isnan(va)) else None
        mb = float(_nanmean(vb)) if n and not np.all(np.isnan(vb)) else None
        cmp.deltas.append(MetricDelta(metric, n, ma, mb, delta, low, high))
    for k, ra, rb in zip(keys, ia, ib, strict=True):
        qa, qb = _quality(ra), _quality(rb)
        if qb > qa:
            cmp.changed.append(ChangedItem(k, "beter", ra, rb))
        elif qb < qa:
            cmp.changed.append(ChangedItem(k, "slechter", ra, rb))
        elif ra.route != rb.route:
            cmp.changed.append(ChangedItem(k, "route gewijzigd", ra, rb))
        elif ra.text != rb.text:
            cmp.text_only += 1
        else:
            cmp.unchanged += 1
    for name in sorted(set(a.run.blind_files) | set(b.run.blind_files)):
        fa, fb = a.run.per_file.get(name, {}), b.run.per_file.get(name, {})
        for metric in BLIND_METRICS:
            cmp.blind.append((name, metric, fa.get(metric), fb.get(metric)))
    return cmp


def drops(cmp: Comparison, metric: str) -> bool:
    """Did ``metric`` get worse beyond its bootstrap interval (the whole interval on the worse side)?"""
    return cmp.delta(metric).verdict == "slechter"


def _answer_cell(r: ItemResult) -> str:
    sources = "; ".join(
        f"[{c.get('n')}] {c.get('doc_id')}" + (f" p. {c['page']}" if c.get("page") else "") for c in r.citations
    )
    kf = "–" if r.key_fact_recall is None else f"{r.key_fact_recall:.2f}"
    read = " · fragment" if r.fragment else ""
    read += " · herhaling" if r.repeat else ""
    return f"route {r.route} · key facts {kf}{read}\n\n{r.text}" + (f"\n\nBronnen: {sources}" if sources else "")


def report_blocks(cmp: Comparison) -> list[doc.Block]:
    """The comparison report as document blocks."""
    a, b = cmp.a, cmp.b
    blocks: list[doc.Block] = [
        doc.Heading(1, f"Vergelijking: {a.run.name} → {b.run.name}"),
        doc.Bullets(
            [
                f"A: {a.label} — {a.path}",
                f"B: {b.label} — {b.path}",
                *_differences(a, b),
                f"Niet gepaard: {len(cmp.only_a)} enkel in A, {len(cmp.only_b)} enkel in B."
                if cmp.only_a or cmp.only_b
                else f"Alle {len(cmp.changed) + cmp.text_only + cmp.unchanged} items gepaard.",
            ]
        ),
        doc.Heading(2, "Metrieken (B − A, 95%-interval uit een gepaarde bootstrap over de items)"),
        doc.Table(
            ["metriek", "n", "A", "B", "verschil", "interval", "oordeel"],
            [
                [
                    d.metric,
                    d.n,
                    d.a,
                    d.b,
                    None if d.delta is None else f"{d.delta:+.3f}",
                    "–" if d.low is None or d.high is None else f"[{d.low:+.3f}, {d.high:+.3f}]",
                    d.verdict,
                ]
                for d in cmp.deltas
            ],
        ),
        doc.Para(
            f"Interval: {BOOTSTRAP_SAMPLES} trekkingen met teruglegging over de gepaarde items (seed "
            f"{BOOTSTRAP_SEED}); 'beter'/'slechter' als het hele interval aan één kant van 0 ligt. "
            "Voor fragment_share, repeat_share, long_share en answerable_escalated_or_declined is lager beter."
        ),
    ]
    if cmp.blind:
        blocks += [
            doc.Heading(2, "Blinde sets (alleen totalen, geen interval)"),
            doc.Table(
                ["set", "metriek", "A", "B", "verschil"],
                [[s, m, va, vb, None if va is None or vb is None else f"{vb - va:+.3f}"] for s, m, va, vb in cmp.blind],
            ),
        ]
    counts = cmp.counts()
    blocks += [
        doc.Heading(2, "Gewijzigde vragen"),
        doc.Para(", ".join(f"{k}: {v}" for k, v in counts.items()) + "."),
    ]
    for change in ("slechter", "beter", "route gewijzigd"):
        items = [c for c in cmp.changed if c.change == change]
        if not items:
            continue
        blocks += [
            doc.Heading(3, f"{change.capitalize()} ({len(items)})"),
            doc.Table(
                ["vraag", f"A: {a.run.name}", f"B: {b.run.name}"],
                [[f"{c.key}\n{c.a.question}", _answer_cell(c.a), _answer_cell(c.b)] for c in items],
                side_by_side=True,
            ),
        ]
    return blocks


def _differences(a: SavedRun, b: SavedRun) -> list[str]:
    out = []
    sa, sb = a.meta.get("settings", {}), b.meta.get("settings", {})
    diff = [f"{k}: {sa.get(k)!r} → {sb.get(k)!r}" for k in sorted(set(sa) | set(sb)) if sa.get(k) != sb.get(k)]
    out.append("Instellingen verschillen: " + "; ".join(diff) if diff else "Zelfde instellingen.")
    if a.meta.get("code_version") != b.meta.get("code_version"):
        out.append(f"Code: {a.meta.get('code_version')} → {b.meta.get('code_version')}.")
    same_corpus = a.meta.get("corpus_manifest_hash") == b.meta.get("corpus_manifest_hash")
    out.append("Zelfde corpus." if same_corpus else "Ander corpus (andere corpus-hash).")
    ga = {g["name"]: g.get("sha256") for g in a.meta.get("gold_files", [])}
    gb = {g["name"]: g.get("sha256") for g in b.meta.get("gold_files", [])}
    changed = sorted(n for n in set(ga) & set(gb) if ga[n] != gb[n])
    if changed:
        out.append("Vraagsets gewijzigd tussen de runs: " + ", ".join(changed) + ".")
    return out


def summary_json(cmp: Comparison) -> dict[str, Any]:
    """compare.json: deltas, intervals and the keys of the changed items (no blind items exist here)."""
    return {
        "a": str(cmp.a.path),
        "b": str(cmp.b.path),
        "bootstrap": {"samples": BOOTSTRAP_SAMPLES, "seed": BOOTSTRAP_SEED},
        "metrics": {
            d.metric: {"n": d.n, "a": d.a, "b": d.b, "delta": d.delta, "low": d.low, "high": d.high}
            | {"verdict": d.verdict}
            for d in cmp.deltas
        },
        "counts": cmp.counts(),
        "changed": [{"key": c.key, "change": c.change} for c in cmp.changed],
    }


def write_comparison(cmp: Comparison, out: Path) -> list[Path]:
    """Write compare.md, compare.html and compare.json into ``out``."""
    paths = doc.write(report_blocks(cmp), out, "compare", f"Vergelijking {cmp.a.run.name} → {cmp.b.run.name}")
    js = out / "compare.json"
    js.write_text(json.dumps(summary_json(cmp), ensure_ascii=False, indent=1), encoding="utf-8")
    return [*paths, js]
