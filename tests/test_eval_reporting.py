"""Evaluation reporting: readability checks, question-set reading, per-kind/per-set tables, blind sets."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from eval_items import item_result

from evals.gold import fact_in, gold_files
from evals.goldfile import read_gold
from evals.metrics import aggregate
from evals.readability import check
from evals.report import write_report
from evals.runner import ItemResult, RunResult


# --------------------------------------------------------------------------- key facts
@pytest.mark.parametrize(
    ("fact", "text", "found"),
    [
        ("71", "De net promotor score bedroeg +27. [1]", False),  # not across the marker
        ("271", "De score bedroeg +27 [1] en 1 jaar later ...", False),
        ("1.108", "Er kwamen 1108 deelnemers [1].", True),
        ("71", "Er waren 71 activiteiten [2].", True),
        ("64 deelnemers", "Deelnemers: 64 [1] ... 64 deelnemers [2]", True),
    ],
)
def test_key_facts_are_matched_without_the_citation_markers(fact: str, text: str, found: bool) -> None:
    assert fact_in(fact, text) is found


# --------------------------------------------------------------------------- readability
@pytest.mark.parametrize(
    "text",
    [
        "Socius kreeg 1.108 vragen [1].",
        "Volgens het jaarverslag 2023 waren er 64 deelnemers [1]. Dat is meer dan in 2022 [2].",
        "De negen stappen van de toolbox zijn [1]:\n- visie\n- missie\n- plan van aanpak",
        "De stappen zijn:\n\n- visie [1]\n- missie [1]",
        "1. Eerste stap\n2. tweede stap",
        "Het bezoek van o.a. de visitatiecommissie was op 5 december [1].",
        "Zie p. 4 voor de cijfers [1]!",
        "„Samen sterk” is het motto [2].",
        "Waarom? Omdat de sector groeit [1].",
        "Volgens het jaarverslag [1] kwamen er 1.108 deelnemers [2].",
        "Er kwamen 1.108 deelnemers. [1] Twaalf werkers trokken naar Zagreb. [2]",
    ],
)
def test_complete_answers_are_not_fragments(text: str) -> None:
    r = check(text)
    assert not r.fragment, r.fragment_reason
    assert not r.repeat


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Twitter) in onze communicatie. mailinglijsten abonnees [1].", "begint"),
        ("en daarom kwamen er meer vragen [1].", "begint"),
        ("1 januari 2023 Van 7 november… [1]", "afgebroken"),
        ("KULeuven/VUB VTE % effectieve inzetbaarheid naar functie en kernopdrachten (9) [1]", "eindigt"),
        ("Het aantal steeg sterk [1]. mailinglijsten abonnees groeiden [2].", "zin begint"),
        ("De stappen zijn\n- visie\n- missie", "eindigt"),
        ("Dit is een volledige zin [1].\n\nen dit niet [2].", "begint"),
        ("Er kwamen 230 deelnemers in Lamot in [1] ‘Alles politiek’ was het thema [2].", "bronstuk eindigt"),
        ("Diversiteit 1.997 618 [1] Ten slotte kwam er een toelage [2].", "bronstuk eindigt"),
    ],
)
def test_fragments_are_found_with_a_reason(text: str, why: str) -> None:
    r = check(text)
    assert r.fragment
    assert why in r.fragment_reason


def test_repeated_sentence_is_found_after_normalisation() -> None:
    r = check("De Trefdag was in Mechelen [1]. Er kwamen 600 mensen [2]. De trefdag was in Mechelen! [3]")
    assert r.repeat and "Mechelen" in r.repeated
    assert not check("Ja [1]. Ja [2].").repeat  # too short to count
    assert check("Stappen:\n- een plan van aanpak opstellen\n- een plan van aanpak opstellen").repeat
    # Two list items that share a title ending in "?" are two items, not a repeat.
    webinars = "Activiteiten:\n- Webinar 'Hoe pak ik het aan?' (grote organisaties)\n- Webinar 'Hoe pak ik het aan?' (kleine organisaties)"
    assert not check(webinars).repeat


def test_a_long_answer_is_too_long_unless_it_is_a_list() -> None:
    sentence = "De Trefdag sociaal-cultureel werk vond plaats in Mechelen met als thema alles politiek [1]. "
    long_prose = sentence * 7  # 7 x 13 = 91 words
    r = check(long_prose)
    assert r.too_long and r.words == 91
    assert not check(sentence * 6).too_long  # 78 words: about 80 is fine
    items = "\n".join(f"- item {i} met een paar woorden erbij" for i in range(20))
    assert not check("De activiteiten:\n" + items).too_long  # a list may be long


# --------------------------------------------------------------------------- question sets
def test_csv_with_bad_rows_reads_the_rest_and_names_each_row(tmp_path: Path) -> None:
    f = tmp_path / "mijnset.csv"
    f.write_text(
        "vraag;route;kernfeiten;soort;datum\n"
        "Wie is de directeur van Socius?;answer;Fred Dhont;wie;\n"
        "Hoeveel vragen kwamen vorig jaar binnen?;antwoord;1.108;relatieve_tijd;2024-03-01\n"
        "Schrijf een gedicht;misschien;;;\n"
        ";answer;iets;;\n"
        "Wanneer was de Trefdag?;answer;;wanneer;1 maart\n",
        encoding="utf-8",
    )
    gf = read_gold(f)
    assert [i.question for i in gf.items] == [
        "Wie is de directeur van Socius?",
        "Hoeveel vragen kwamen vorig jaar binnen?",
    ]
    assert gf.items[0].kind == "wie" and gf.items[0].key_facts == ("Fred Dhont",)
    assert gf.items[1].expected_route == "answer" and gf.items[1].today == dt.date(2024, 3, 1)
    assert [p.line for p in gf.problems] == [4, 5, 6]
    messages = [str(p) for p in gf.problems]
    assert "mijnset.csv, regel 4" in messages[0] and "answer, escalate of decline" in messages[0]
    assert "vraag ontbreekt" in messages[1]
    assert "JJJJ-MM-DD" in messages[2]


def test_jsonl_bad_lines_and_duplicate_ids(tmp_path: Path) -> None:
    f = tmp_path / "set.jsonl"
    rows = [
        {"id": "a", "question": "Wie?", "expected_route": "answer", "history": "Wie leidt Socius?"},
        "{niet json",
        {"id": "a", "question": "Nog eens", "expected_route": "answer"},
        {"id": "b", "question": "Waar?", "expected_route": "decline", "evidence": [{"doc_id": "x"}]},
        {"id": "c", "question": "Wat?", "expected_route": "escalate", "case_kind": "near_miss"},
    ]
    f.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    gf = read_gold(f)
    assert [i.id for i in gf.items] == ["a", "c"]
    assert gf.items[0].history == ({"role": "user", "content": "Wie leidt Socius?"},)
    assert gf.items[1].case_group == "near_miss" and gf.items[1].group == "vraag"
    assert [(p.line, p.message.split(" ")[0]) for p in gf.problems] == [(2, "geen"), (3, "de"), (4, "elk")]


def test_the_repository_gold_files_read_without_problems() -> None:
    for path in gold_files():
        gf = read_gold(path)
        assert not gf.problems, [str(p) for p in gf.problems]
        assert gf.items


# --------------------------------------------------------------------------- aggregates and the report
def _item(
    i: int, source: str, *, kind: str | None, route: str = "answer", expected: str = "answer", **kw: object
) -> ItemResult:
    text = str(kw.pop("text", f"Antwoord nummer {i} staat in het jaarverslag [1]."))
    r = item_result(
        i,
        id=f"{source}-{i}",
        category="feit",
        expected_route=expected,
        route=route,
        key_fact_recall=float(kw.pop("kf", 1.0)) if expected == "answer" else None,
        text=text,
        question=f"GEHEIME VRAAG {source} {i}" if source.startswith("blind-") else f"Vraag {i}?",
        source=source,
        kind=kind,
        group=kind or "feit",
        case_group=str(kw.pop("case", "beantwoordbaar")),
        has_evidence=expected == "answer",
        fragment=None,
        repeat=None,
    )
    if route == "answer":
        c = check(text)
        r.fragment, r.repeat, r.fragment_reason = c.fragment, c.repeat, c.fragment_reason
    return r


def _run() -> RunResult:
    items = [
        _item(1, "jaarverslag", kind="lijst", kf=0.5),
        _item(2, "jaarverslag", kind="lijst", text="en dan nog iets [1]"),
        _item(3, "jaarverslag", kind=None, route="escalate"),
        _item(4, "jaarverslag", kind=None, route="decline", expected="decline", case="buiten_scope"),
        _item(5, "blind-vragen", kind="getal", text="GEHEIM ANTWOORD zonder punt [1]"),
        _item(6, "blind-vragen", kind="getal", route="answer", expected="decline", case="buiten_scope"),
    ]
    run = RunResult("default", {"dense_weight": 0.2}, items)
    run.compute_metrics()
    return run


def test_aggregates_per_kind_route_case_and_readability() -> None:
    m = aggregate(_run().items)
    assert m["per_kind"]["lijst"]["n"] == 2 and m["per_kind"]["lijst"]["key_fact_recall"] == 0.75
    assert m["per_kind"]["lijst"]["fragment_share"] == 0.5
    assert m["per_kind"]["feit"]["n"] == 2  # no kind: grouped under the category
    assert m["readability"]["answered"] == 4 and m["readability"]["fragments"] == 2
    assert m["routing"]["decline"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert m["per_case_kind"]["buiten_scope"] == {"n": 2, "route_accuracy": 0.5}
    assert m["answerable_escalated_or_declined"] == pytest.approx(1 / 4)


def test_report_has_a_section_per_set_and_never_shows_blind_items(tmp_path: Path) -> None:
    run = _run()
    files = [read_gold(p) for p in _gold_files(tmp_path)]
    paths = write_report([run], tmp_path / "out", files)
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "## default: set jaarverslag" in md and "## default: set blind-vragen (blind: alleen totalen)" in md
    assert "Vraag 2?" in md  # a worst answer of a visible set
    for path in paths:
        if path.suffix in (".md", ".html", ".json"):
            text = path.read_text(encoding="utf-8")
            assert "GEHEIM" not in text and "blind-vragen-5" not in text, path.name
    saved = json.loads((tmp_path / "out" / "generated" / "metrics.json").read_text(encoding="utf-8"))
    assert {i["source"] for i in saved["runs"][0]["items"]} == {"jaarverslag"}
    assert saved["runs"][0]["per_file"]["blind-vragen"]["per_kind"]["getal"]["n"] == 2


def _gold_files(tmp_path: Path) -> list[Path]:
    out = []
    for name in ("jaarverslag", "blind-vragen"):
        p = tmp_path / f"{name}.jsonl"
        p.write_text(json.dumps({"question": "x", "expected_route": "answer"}) + "\n", encoding="utf-8")
        out.append(p)
    return out
