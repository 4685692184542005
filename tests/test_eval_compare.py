"""Saved runs and ``python -m evals compare``: metadata, paired bootstrap, changed items, exit status."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from eval_items import item_result

from assistant.settings import load_settings
from evals.__main__ import main
from evals.compare import bootstrap_delta, compare, drops
from evals.goldfile import read_gold
from evals.runner import ItemResult, RunResult
from evals.runs import RunFileError, load_run, run_meta, save_run


def _item(i: int, kf: float, *, source: str = "eigen", route: str = "answer", text: str | None = None) -> ItemResult:
    return item_result(
        i,
        key_fact_recall=kf,
        route=route,
        source=source,
        text=text or f"Het antwoord op vraag {i} is {kf} [1].",
        question=f"BLINDE VRAAG {i}" if source.startswith("blind-") else f"Vraag nummer {i}?",
    )


def _save(tmp_path: Path, name: str, items: list[ItemResult], settings: dict[str, object]) -> Path:
    run = RunResult(name, settings, items)
    run.compute_metrics()
    gold = tmp_path / "eigen.jsonl"
    gold.write_text(json.dumps({"question": "x", "expected_route": "answer"}) + "\n", encoding="utf-8")
    meta = run_meta(load_settings(env={}, corpus_dir=tmp_path), [read_gold(gold)])
    return save_run(run, meta, tmp_path / name)


def _runs(tmp_path: Path) -> tuple[Path, Path]:
    """A: 40 items all right; B: 12 lose their key facts, one gets better, one changes route only."""
    a = [_item(i, 1.0 if i != 0 else 0.0) for i in range(40)] + [_item(99, 0.0, source="blind-x")]
    b = [_item(i, 0.0 if 1 <= i <= 12 else 1.0) for i in range(40)] + [_item(99, 1.0, source="blind-x")]
    b[0] = _item(0, 1.0)
    a[39], b[39] = _item(39, 1.0, route="decline"), _item(39, 1.0, route="escalate")  # both wrong
    b[20] = _item(20, 1.0, text="Een andere formulering met hetzelfde feit 1.0 [1].")
    return (
        _save(tmp_path, "default", a, {"dense_weight": 0.2}),
        _save(tmp_path, "lexical-only", b, {"dense_weight": 0.0}),
    )


def test_saved_run_keeps_metadata_and_no_blind_items(tmp_path: Path) -> None:
    path_a, _ = _runs(tmp_path)
    data = json.loads(path_a.read_text(encoding="utf-8"))
    meta = data["meta"]
    assert meta["code_version"] and meta["date"][:2] == "20" and len(meta["corpus_manifest_hash"]) == 64
    assert meta["settings"] == {"dense_weight": 0.2}
    assert meta["gold_files"][0]["name"] == "eigen" and meta["gold_files"][0]["items"] == 1
    assert "BLINDE VRAAG" not in path_a.read_text(encoding="utf-8")
    assert data["per_file"]["blind-x"]["items"] == 1
    saved = load_run(path_a.parent.parent)  # a folder with one run
    assert saved.run.name == "default" and len(saved.run.items) == 40
    with pytest.raises(RunFileError, match="bestaat niet"):
        load_run(tmp_path / "nergens")


def test_compare_lists_changed_items_and_flags_the_drop(tmp_path: Path) -> None:
    cmp = compare(load_run(_runs(tmp_path)[0]), load_run(_runs(tmp_path)[1]))
    counts = cmp.counts()
    assert counts["slechter"] == 12 and counts["beter"] == 1 and counts["route gewijzigd"] == 1
    assert counts["alleen tekst"] == 1 and counts["gelijk"] == 25
    assert {c.key for c in cmp.changed if c.change == "beter"} == {"eigen/q0"}
    kf = cmp.delta("key_fact_recall")
    assert kf.a == pytest.approx(39 / 40) and kf.b == pytest.approx(28 / 40)
    assert kf.high is not None and kf.high < 0 and drops(cmp, "key_fact_recall")
    assert not drops(cmp, "faithfulness")
    assert cmp.blind and cmp.blind[0][0] == "blind-x"


def test_compare_cli_writes_both_reports_and_fails_on_the_metric(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    a, b = _runs(tmp_path)
    out = tmp_path / "cmp"
    assert main(["compare", str(a), str(b), "--out", str(out)]) == 0
    assert main(["compare", str(a), str(b), "--out", str(out), "--fail-on", "key_fact_recall"]) == 1
    assert "key_fact_recall is slechter geworden" in capsys.readouterr().err
    assert main(["compare", str(b), str(a), "--out", str(out), "--fail-on", "key_fact_recall"]) == 0
    md = (out / "compare.md").read_text(encoding="utf-8")
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert "### Beter (12)" in md and "Vraag nummer 5?" in md and "dense_weight: 0.0 → 0.2" in md
    assert "Vraag nummer 5?" in html and '<table class="side">' in html
    assert "BLINDE VRAAG" not in md + html
    assert main(["compare", str(a), str(b), "--fail-on", "onzin"]) == 2


def test_bootstrap_is_reproducible_and_covers_zero_without_a_change() -> None:
    rng = np.random.default_rng(1)
    a = rng.random(50)
    assert bootstrap_delta(a, a) == (0.0, 0.0, 0.0)
    b = a + rng.normal(0, 0.01, 50)
    first, second = bootstrap_delta(a, b), bootstrap_delta(a, b)
    assert first == second
    assert first[1] is not None and first[2] is not None and first[1] < first[0] < first[2]


@pytest.mark.slow
def test_run_on_a_csv_with_a_bad_row_runs_the_rest_and_saves_the_run(real_settings, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    csv_file = tmp_path / "mijn-vragen.csv"
    csv_file.write_text(
        "question,expected_route,key_facts,kind,today\n"
        "Wie is de directeur van Socius?,answer,Fred Dhont,wie,2026-12-01\n"
        "Wat is het recept voor stoofvlees?,decline,,,\n"
        "Waar ging de Trefdag 2023 door?,antwoord,Mechelen;Lamot,waar,\n"
        "Hoeveel vragen kwamen binnen?,answer,,getal,gisteren\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    index = str(real_settings.index_dir)
    status = main(["run", "--config", "lexical-only", "--gold", str(csv_file), "--index", index, "--out", str(out)])
    assert status == 0
    err = capsys.readouterr().err
    assert "mijn-vragen.csv, regel 5: datum 'gisteren' is ongeldig" in err
    saved = load_run(out / "runs" / "lexical-only.json")
    assert [i.id for i in saved.run.items] == ["mijn-vragen-2", "mijn-vragen-3", "mijn-vragen-4"]
    assert saved.run.items[1].route == "decline" and saved.run.items[0].today == "2026-12-01"
    assert saved.meta["index_generation"] and saved.meta["gold_files"][0]["skipped_rows"] == 1
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| mijn-vragen | 3 | nee | 1 |" in md and "mijn-vragen.csv:5" in md


@pytest.mark.slow
def test_a_run_on_another_corpus_never_touches_the_apps_index(  # type: ignore[no-untyped-def]
    small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    app_index = tmp_path / "app-index"  # stands in for the app's index/ (ASSISTANT_INDEX)
    monkeypatch.setenv("ASSISTANT_INDEX", str(app_index))
    csv_file = tmp_path / "rollen.csv"
    csv_file.write_text(
        "question,expected_route,key_facts\nWelke drie soorten plekken creëren sociaal-culturele organisaties?,answer,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    argv = ["run", "--config", "lexical-only", "--gold", str(csv_file), "--corpus", str(small_corpus)]
    assert main([*argv, "--out", str(out)]) == 0
    assert "eigen index voor" in capsys.readouterr().err
    saved = load_run(out / "runs" / "lexical-only.json")
    own = Path(saved.meta["index_dir"])
    assert own.parent == app_index / "eval-corpus" and own.name.startswith("corpus-")
    assert sorted(p.name for p in app_index.iterdir()) == ["eval-corpus"]  # nothing indexed in the app's folder
    assert saved.meta["corpus_dir"] == str(small_corpus)
    cited = {c["doc_id"] for c in saved.run.items[0].citations}
    assert cited and all("rollen-en-functies" in d or "beleidsplanning" in d for d in cited)
