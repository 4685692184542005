"""The router's scope model never learns from a blind or held-out set."""

from __future__ import annotations

from evals.gold import is_blind
from evals.train_router import DEV_DIR, HELD_OUT, training_files


def test_training_files_leave_out_blind_and_held_out_sets() -> None:
    files = training_files()
    assert files, "no training files"
    assert not [p for p in files if is_blind(p)]
    assert not [p for p in files if p.name in HELD_OUT]
    # The dev folder does hold blind held-out sets: the filter above is what keeps them out.
    assert [p for p in DEV_DIR.glob("*.jsonl") if is_blind(p)]
