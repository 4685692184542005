"""The feedback loop turns thumbs-down answers and escalations into candidate gold items."""

from __future__ import annotations

import json
from pathlib import Path

from assistant import load_settings
from assistant.db import Database
from assistant.triage import FeedbackStore, TriageStore
from evals.harvest import harvest


def test_harvest_candidates_without_personal_data(tmp_path: Path) -> None:
    s = load_settings(env={}, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    database = Database.from_settings(s)
    FeedbackStore(database).record(question="Wat kost een vorming?", answer="...", rating=-1, comment="fout bedrag")
    FeedbackStore(database).record(question="Goede vraag", answer="...", rating=1)
    TriageStore.from_settings(s, database).create_request(
        question="Kunnen jullie ons beleidsplan nalezen?",
        requester_name="An Peeters",
        email="an@example.org",
        org_type="erkend",
        consent=True,
        organisation="Vzw X",
        conversation=[{"role": "user", "content": "Kunnen jullie ons beleidsplan nalezen?"}],
    )
    out = tmp_path / "cand.jsonl"
    assert harvest(s, out, database=database) == 2
    database.dispose()
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["expected_route"] for r in rows} == {"answer", "escalate"}
    text = out.read_text(encoding="utf-8")
    assert "an@example.org" not in text and "An Peeters" not in text
