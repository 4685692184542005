"""``python -m evals bench``: ingest, latency, memory and growth benchmarks against baselines.

``main`` (the run and its options), ``runner`` (our own system: ingest timing, query runs,
fresh processes, profiles), ``baselines`` (plain BM25, plain LangChain Chroma), ``growth``
(the corpus x10 and x100), ``report`` (bench.md and the plot), ``common`` (goals, helpers,
the embedders the bench wraps).  Only ``evals/reports/bench.md`` is committed; bench.json,
the plot and the profile go to ``evals/reports/generated/`` (git-ignored).
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
