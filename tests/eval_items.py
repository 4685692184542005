"""Item results for the evaluation tests: one answered gold item, everything right unless overridden."""

from __future__ import annotations

from typing import Any

from evals.runner import ItemResult


def item_result(i: int, **fields: Any) -> ItemResult:
    """Item ``q{i}`` of the set ``eigen`` (or ``source=``), answered and scored 1; any field can be overridden."""
    source = str(fields.get("source", "eigen"))
    base: dict[str, Any] = {
        "id": f"q{i}",
        "category": "getal",
        "expected_route": "answer",
        "route": "answer",
        "first_hit": 0,
        "key_fact_recall": 1.0,
        "citation_precision": 1.0,
        "citation_recall": 1.0,
        "faithfulness": 1.0,
        "evidence": 0.5,
        "latency_ms": 5.0,
        "text": f"Het antwoord op vraag {i} staat in het jaarverslag [1].",
        "question": f"Vraag nummer {i}?",
        "source": source,
        "blind": source.startswith("blind-"),
        "group": "getal",
        "case_group": "beantwoordbaar",
        "gold_docs": ["socius-jaarverslag-2023"],
        "has_evidence": True,
        "citations": [
            {"n": 1, "chunk_id": "c1", "doc_id": "socius-jaarverslag-2023", "title": "Jaarverslag 2023", "page": 4}
            | {"section": "", "url": "", "quote": "Een zin uit het jaarverslag."}
        ],
        "fragment": False,
        "repeat": False,
    }
    return ItemResult(**{**base, **fields})
