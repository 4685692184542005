"""Capacity pieces (issue #15, item 11): questions embedded at the same moment share a pass.

The figures (latency with 20 and 50 concurrent sessions) are in evals/reports/bench.md,
made by ``python -m evals.capacity``; the load test in CI is tests/test_load.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant.index.batching import QueryBatcher


def _vector(text: str) -> np.ndarray:
    return np.array([len(text), sum(map(ord, text))], dtype=np.float32)


class Encoder:
    """A fake encoder (the seam): one row per text; the first call blocks until released,
    so the callers that come meanwhile pile up as they do under load."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.first_started = threading.Event()
        self.release = threading.Event()
        self.fail_on = fail_on

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            self.first_started.set()
            assert self.release.wait(10)
        if self.fail_on in texts:
            raise RuntimeError("model broke")
        return np.stack([_vector(t) for t in texts])


def _ask_together(batcher: QueryBatcher, encoder: Encoder, texts: list[str]) -> dict[str, object]:
    """The first text starts a pass; the others arrive while it runs; then the pass ends."""
    results: dict[str, object] = {}

    def ask(text: str) -> None:
        try:
            results[text] = batcher(text)
        except Exception as err:
            results[text] = err

    first = threading.Thread(target=ask, args=(texts[0],))
    first.start()
    assert encoder.first_started.wait(10)
    others = [threading.Thread(target=ask, args=(t,)) for t in texts[1:]]
    for t in others:
        t.start()
    _wait_until(lambda: len(batcher._waiting) == len(texts) - 1)
    encoder.release.set()
    for t in [first, *others]:
        t.join(10)
    return results


def _wait_until(condition: Callable[[], bool]) -> None:
    done = threading.Event()
    for _ in range(1000):
        if condition():
            return
        done.wait(0.01)
    raise AssertionError("condition not reached in 10 s")


def test_a_lone_question_is_embedded_at_once() -> None:
    encoder = Encoder()
    encoder.release.set()
    batcher = QueryBatcher(encoder)
    assert np.array_equal(batcher("Wat is een burgerinitiatief?"), _vector("Wat is een burgerinitiatief?"))
    assert encoder.calls == [["Wat is een burgerinitiatief?"]]


def test_questions_that_arrive_during_a_pass_share_the_next_one_and_each_gets_its_own_vector() -> None:
    """Catches: a caller getting another caller's vector, one pass per question under load,
    a batch over the limit, a caller left waiting."""
    encoder = Encoder()
    batcher = QueryBatcher(encoder, max_batch=4)
    texts = [f"vraag {i} {'x' * i}" for i in range(7)]
    results = _ask_together(batcher, encoder, texts)
    assert set(results) == set(texts)
    for text in texts:
        assert np.array_equal(results[text], _vector(text)), text  # type: ignore[arg-type]
    assert encoder.calls[0] == [texts[0]]
    assert [len(c) for c in encoder.calls[1:]] == [4, 2], encoder.calls  # 6 waited: two passes, not six
    assert sorted(t for c in encoder.calls for t in c) == sorted(texts)


def test_an_error_reaches_the_callers_of_that_pass_only_and_the_batcher_goes_on() -> None:
    encoder = Encoder(fail_on="kapot")
    batcher = QueryBatcher(encoder, max_batch=8)
    results = _ask_together(batcher, encoder, ["eerste", "kapot", "derde"])
    assert np.array_equal(results["eerste"], _vector("eerste"))  # type: ignore[arg-type]
    assert isinstance(results["kapot"], RuntimeError) and isinstance(results["derde"], RuntimeError)
    assert np.array_equal(batcher("daarna"), _vector("daarna"))
    assert not batcher._waiting and not batcher._running


def test_wrong_number_of_vectors_is_an_error_not_a_mix_up() -> None:
    batcher = QueryBatcher(lambda texts: np.zeros((len(texts) + 1, 2)))
    with pytest.raises(RuntimeError, match="2 vectors for 1 texts"):
        batcher("vraag")


def test_minilm_vectors_are_the_same_in_a_shared_pass() -> None:
    """The packaged all-MiniLM-L6-v2: a question embedded together with others (padded to the
    longest) gets the vector it gets alone, so retrieval does not depend on the load."""
    from assistant.index.embedders import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder("minilm")
    questions = [
        "Waar ging de Trefdag 2023 door?",
        "Hoeveel vragen kwamen binnen via de vraaggestuurde werking van Socius in 2023?",
        "Wie?",
    ]
    alone = [embedder.embed_query(q) for q in questions]
    together = embedder._encode(questions, 1)
    for one, shared in zip(alone, together, strict=True):
        assert float(np.dot(one, shared)) > 0.9999
    results: dict[str, np.ndarray] = {}
    threads = [threading.Thread(target=lambda q=q: results.__setitem__(q, embedder.embed_query(q))) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for q, one in zip(questions, alone, strict=True):
        assert float(np.dot(results[q], one)) > 0.9999, q


def test_the_capacity_section_of_bench_md_is_replaced_in_place_and_kept(tmp_path: Path) -> None:
    """``python -m evals.capacity`` owns one marked section of bench.md; ``python -m evals bench``
    rewrites the rest and keeps it (evals/bench/report.py).  Catches: a second section appended
    on every run, the rest of the file lost, the section dropped by the bench."""
    from evals.capacity import capacity_section, write_report

    bench = tmp_path / "bench.md"
    bench.write_text("# Vraagbaak benchmark\n\nbench tables\n", encoding="utf-8")
    run = {
        "sessions": 20,
        "turns": 60,
        "errors": 0,
        "p50_s": 0.4,
        "p95_s": 0.8,
        "p95_s_every_run": [0.8, 0.9],
        "goal_p95_s": 1.0,
        "queue_wait_p95_s": 0.5,
        "running_p95_s": 0.3,
        "first_update_p95_s": 0.6,
        "updates_per_turn": 2.0,
        "server_cpu_ms_per_turn": 45.0,
        "wall_s": 5.0,
        "loadavg_1min_before_after": [1.0, 1.2],
    }
    machine = {"when": "2026-12-02 08:00", "cores": 2, "note": "test"}
    write_report([run], machine, out=tmp_path)
    write_report([{**run, "p95_s": 1.2, "p95_s_every_run": [1.2]}], machine, out=tmp_path)
    text = bench.read_text(encoding="utf-8")
    assert text.startswith("# Vraagbaak benchmark\n\nbench tables\n")
    assert text.count("<!-- capacity:start -->") == 1 and text.count("<!-- capacity:end -->") == 1
    section = capacity_section(bench)
    assert section is not None and "| 20 | 60 | 0 | 0.4 | 1.2 | 1.2 | 1.0 | no |" in section, section
    assert (tmp_path / "generated" / "capacity.json").exists()


def test_runs_keep_within_the_apps_limit_of_chat_turns_a_minute() -> None:
    """The app refuses chat turns past 600 a minute for everyone (issue #15); with the runs
    faster, the third 50-session run of ``--repeat 3`` got 45 refusals (429) and was measured
    anyway.  Catches: a run started before the turns of the last minute and its own fit, and a
    wait that never ends for a run larger than the limit."""
    from evals.capacity import TurnBudget

    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    budget = TurnBudget(600, clock=lambda: now[0], sleep=sleep)
    assert budget.wait_for(15) == 0
    budget.ran(15)  # the warm-up
    for _ in range(3):  # 20 sessions x 3 turns, 5 s apart
        now[0] += 5
        assert budget.wait_for(60) == 0
        budget.ran(60)
    now[0] += 5
    assert budget.wait_for(150) == 0  # 195 + 150
    budget.ran(150)
    now[0] += 5
    assert budget.wait_for(150) == 0  # 345 + 150
    budget.ran(150)
    now[0] += 5
    waited = budget.wait_for(150)  # 495 + 150 > 600: until the warm-up and the first 20-session run left the minute
    assert 65 <= now[0] < 66 and waited == sum(slept)
    budget.ran(150)
    slept.clear()
    now[0] += 1
    budget.wait_for(5000)  # more than the limit: once the minute is empty it runs (and shows the refusals)
    assert slept and now[0] - 60 >= 65  # the last run (ended at about 65.5 s) left the minute
    assert budget.wait_for(5000) == 0  # nothing in the last minute: at once


def test_the_reported_run_is_one_without_errors_if_there_is_one() -> None:
    from evals.capacity import _better

    clean = {"errors": 0, "p95_s": 2.4}
    refused = {"errors": 45, "p95_s": 1.9}
    assert _better(clean, refused) and not _better(refused, clean)
    assert _better({"errors": 0, "p95_s": 2.0}, clean)
