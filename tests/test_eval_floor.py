"""CI guard: the default configuration must not drop below its recorded floors.

Floors in evals/floors.json are measured values rounded down; never lower them to
make a change pass.  They were measured on the non-blind gold files: blind sets
(``blind-*``) are go/no-go checks read in the report, not part of this gate.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.gold import gold_files, load_gold
from evals.runner import run_config

pytestmark = pytest.mark.slow
FLOORS = json.loads((Path(__file__).resolve().parent.parent / "evals" / "floors.json").read_text(encoding="utf-8"))


def test_default_configuration_meets_floors(real_settings) -> None:  # type: ignore[no-untyped-def]
    result = run_config("default", real_settings, load_gold(gold_files(include_blind=False)), progress=False)
    m = result.metrics
    got = {
        "hit@1": m["hit@1"],
        "hit@5": m["hit@5"],
        "mrr@10": m["mrr@10"],
        "key_fact_recall": m["key_fact_recall"],
        "citation_precision": m["citation_precision"],
        "faithfulness": m["faithfulness"],
        "route_answer_recall": m["routing"]["answer"]["recall"],
        "route_escalate_recall": m["routing"]["escalate"]["recall"],
        "route_decline_recall": m["routing"]["decline"]["recall"],
        "route_decline_precision": m["routing"]["decline"]["precision"],
    }
    below = {k: (round(got[k], 3), floor) for k, floor in FLOORS["floors"].items() if got[k] < floor}
    assert not below, f"metrics below their floors (got, floor): {below}"
