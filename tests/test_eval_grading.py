"""Human grading computations: Cohen's kappa on fixtures with known agreement, metric agreement, groups."""

from __future__ import annotations

import datetime as dt

import pytest
from eval_items import item_result

from evals.grading import (
    Grade,
    Verdict,
    document_of,
    inter_rater,
    kappa,
    metric_agreement,
    per_group,
    trend,
    worst_first,
)
from evals.runner import ItemResult

J, D, F = Verdict.JUIST, Verdict.DEELS, Verdict.FOUT


def _grades(rater: str, verdicts: list[Verdict], sources: list[bool | None] | None = None) -> list[Grade]:
    sources = sources or [None] * len(verdicts)
    return [Grade("run1", f"set/q{i}", rater, v, s) for i, (v, s) in enumerate(zip(verdicts, sources, strict=True))]


def _table(cells: dict[tuple[Verdict, Verdict], int]) -> tuple[list[Verdict], list[Verdict]]:
    a: list[Verdict] = []
    b: list[Verdict] = []
    for (x, y), n in cells.items():
        a += [x] * n
        b += [y] * n
    return a, b


def test_kappa_two_labels_known_value() -> None:
    # 50 answers: both "juist" 20, A juist/B fout 5, A fout/B juist 10, both fout 15.
    # p_o = 0.7, p_e = 0.5*0.6 + 0.5*0.4 = 0.5, kappa = 0.4.
    a, b = _table({(J, J): 20, (J, F): 5, (F, J): 10, (F, F): 15})
    assert kappa(a, b) == pytest.approx(0.4)
    pair = inter_rater(_grades("anna", a) + _grades("bert", b))[0]
    assert (pair.a, pair.b, pair.n) == ("anna", "bert", 50)
    assert pair.agreement == pytest.approx(0.7) and pair.kappa == pytest.approx(0.4)


def test_kappa_three_labels_known_value() -> None:
    # p_o = 24/30 = 0.8; marginals A 12/8/10, B 11/8/11: p_e = 306/900 = 0.34; kappa = 0.46/0.66.
    a, b = _table(
        {(J, J): 10, (J, D): 2, (D, J): 1, (D, D): 5, (D, F): 2, (F, D): 1, (F, F): 9},
    )
    assert kappa(a, b) == pytest.approx(0.46 / 0.66)


def test_kappa_perfect_undefined_and_source_pairs() -> None:
    assert kappa([J, F, D], [J, F, D]) == pytest.approx(1.0)
    assert kappa([J, J], [J, J]) is None  # one label only: undefined, not 1
    assert kappa([J], [F]) is None
    a = _grades("a", [J, J, F, F], [True, False, True, None])
    b = _grades("b", [J, F, F, F], [True, False, False, True])
    pair = inter_rater(a + b)[0]
    assert pair.n == 4 and pair.source_n == 3 and pair.agreement == pytest.approx(0.75)


def _item(i: int, kf: float, *, kind: str = "getal", doc: str = "jaarverslag", fragment: bool = False) -> ItemResult:
    return item_result(
        i,
        source="set",
        key_fact_recall=kf,
        citation_precision=1.0 if kf else 0.0,
        group=kind,
        gold_docs=[doc],
        fragment=fragment,
        text="Antwoord.",
    )


def test_metric_agreement_groups_and_worst_first() -> None:
    items = [_item(0, 1.0), _item(1, 1.0), _item(2, 0.0, kind="lijst", doc="toolbox"), _item(3, 0.0, fragment=True)]
    grades = _grades("anna", [J, F, F, D], [True, True, False, None]) + _grades("bert", [J, J, F, F])
    by_metric = {m.metric: m for m in metric_agreement(items, grades)}
    kf = by_metric["key_fact_recall"]
    # human correct (mean >= 0.75): q0 only (q1 = 0.5, q2 = 0, q3 = 0.25); automatic pass: q0, q1.
    assert kf.n == 4 and kf.agreement == pytest.approx(0.75) and kf.kappa == pytest.approx(0.5)
    assert kf.spearman is not None and kf.spearman > 0
    src = by_metric["citation_precision"]
    assert src.against == "bron" and src.n == 3 and src.agreement == pytest.approx(1.0)
    kinds = {row["groep"]: row for row in per_group(items, grades, lambda r: r.group)}
    assert kinds["getal"]["beoordeeld"] == 3 and kinds["getal"]["juist (mens)"] == pytest.approx(1 / 3)
    assert kinds["lijst"]["juist (mens)"] == 0.0 and kinds["lijst"]["key facts"] == 0.0
    docs = {row["groep"] for row in per_group(items, grades, document_of)}
    assert docs == {"jaarverslag", "toolbox"}
    order = [r.id for r, _, _ in worst_first(items, grades)]
    assert order == ["q2", "q3", "q1", "q0"]


def test_trend_is_in_date_order() -> None:
    day = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    runs = [
        ("r2", "later", day + dt.timedelta(days=3), [_item(0, 1.0)]),
        ("r1", "eerst", day, [_item(0, 0.0)]),
    ]
    points = trend(runs, {"r1": _grades("anna", [F]), "r2": _grades("anna", [J])})
    assert [p.run_id for p in points] == ["r1", "r2"]
    assert [p.correct for p in points] == [0.0, 1.0] and points[0].key_fact_recall == 0.0


def test_llm_judge_scores_answers_and_sits_next_to_the_human_grades(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from evals.grading import judge_metrics
    from evals.judge import judge_items, load_judgement, parse_reply, save_judgement
    from evals.runs import SavedRun

    assert parse_reply('Zeker: {"getrouw": 5, "relevant": 3, "uitleg": "ok"}') == parse_reply(
        '{"getrouw": 5, "relevant": 3, "uitleg": "ok"}'
    )
    assert parse_reply("geen json") is None and parse_reply('{"getrouw": 9, "relevant": 1}') is None
    items = [_item(0, 1.0), _item(1, 0.0), _item(2, 1.0)]
    items[2].route = "escalate"  # not answered: not sent to the judge
    model = FakeListChatModel(responses=['{"getrouw": 5, "relevant": 5, "uitleg": "goed"}', "onzin"])
    scores = judge_items(model, items)
    assert list(scores) == ["set/q0"] and scores["set/q0"].relevance == 1.0
    from evals.runner import RunResult

    run = SavedRun(tmp_path / "default.json", RunResult("default", {}, items), {"run_id": "r1"})
    save_judgement(run, "fake:model", scores)
    loaded = load_judgement(run)
    assert loaded is not None and loaded[0] == "fake:model" and loaded[1] == scores
    agreement = {m.metric: m for m in metric_agreement(items, _grades("anna", [J, F, F]), judge_metrics(scores))}
    assert agreement["LLM-rechter: relevant"].n == 1 and agreement["LLM-rechter: relevant"].agreement == 1.0
    assert agreement["key_fact_recall"].n == 3  # the human grades and the other metrics are unchanged


def test_grading_report_shows_agreement_groups_worst_and_trend(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from evals import document as doc
    from evals.grading_report import report_blocks
    from evals.runner import RunResult
    from evals.runs import SavedRun

    items = [_item(0, 1.0), _item(1, 0.0, kind="lijst", doc="toolbox")]
    items[1].question = "Welke <b>stappen</b> zijn er?"
    run = SavedRun(tmp_path / "default.json", RunResult("default", {}, items), {"run_id": "run1", "date": "2026-12-01"})
    grades = [*_grades("anna", [J, F]), Grade("run1", "set/q1", "bert", F, False, "mist stap 3")]
    day = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    points = trend([("run0", "oud", day - dt.timedelta(days=7), items), ("run1", "nu", day, items)], {"run1": grades})
    blocks = report_blocks(run, grades, points)
    md = doc.to_markdown(blocks)
    assert "2 van 2 antwoorden beoordeeld door 2 beoordelaar(s) (anna, bert)" in md
    assert "| anna | bert | 1 | 1.000 | – |" in md  # one common item: kappa undefined
    assert "### Per soort vraag" in md and "| lijst | 1 | 1 | 0.000 |" in md
    assert "### Per document" in md and "| toolbox |" in md
    worst = md.index("### Slechtste antwoorden eerst")
    assert md.index("set/q1", worst) < md.index("set/q0", worst) and "bert: mist stap 3" in md
    html = doc.to_html_fragment(blocks)
    assert "&lt;b&gt;stappen&lt;/b&gt;" in html and "<b>stappen" not in html
    assert 'src="data:image/png;base64,' in html
    paths = doc.write(blocks, tmp_path / "out", "beoordeling", "Beoordeling")
    assert [p.suffix for p in (tmp_path / "out").iterdir()].count(".png") == 1
    assert paths[0].read_text(encoding="utf-8").count("![Kwaliteit per rundatum](beoordeling-") == 1
