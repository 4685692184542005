"""The knowledge-gap report's logic on seeded signals: clusters, counts, outcomes, CSV, chart, masking."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from assistant.gaps.clusters import cluster_questions
from assistant.gaps.export import PURGED_LABEL, gap_figure, write_csv
from assistant.gaps.privacy import redact
from assistant.gaps.report import FoundPassage, GapSignal, RelatedRequest, SignalKind, build_report

NG, GB, DOWN = SignalKind.NIET_GEVONDEN, SignalKind.GEEN_BRON, SignalKind.DUIM_OMLAAG
P1 = FoundPassage("Jaarverslag 2023", "p. 12", "socius-jaarverslag-2023")


def _at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _seed() -> list[GapSignal]:
    return [
        # Three rewordings of one question on different days; one got a thumbs-down as well (same day: one ask).
        GapSignal(_at(1, 5), "Hoeveel subsidie krijgt een Vormingplus?", "decreet & subsidies", NG, (P1,)),
        GapSignal(_at(1, 5, 11), "Hoeveel subsidie krijgt een Vormingplus?", "decreet & subsidies", DOWN, (P1,)),
        GapSignal(_at(1, 20), "hoeveel subsidie krijgen vormingpluscentra", "decreet & subsidies", NG),
        GapSignal(_at(2, 3), "Hoeveel subsidie krijgt een vormingplus in 2026?", "decreet & subsidies", GB, (P1,)),
        # A second cluster in another topic.
        GapSignal(_at(2, 4), "Hoe organiseer ik een algemene vergadering online?", "organisatie & goed bestuur", NG),
        GapSignal(_at(2, 9), "Hoe organiseren we een online algemene vergadering?", "organisatie & goed bestuur", DOWN),
        # A question on the same subject as the first cluster, but a different question.
        GapSignal(_at(2, 10), "Hoe lang mag een beleidsplan zijn?", "beleidsplanning", NG),
        # Past the retention period: only counted.
        GapSignal(_at(1, 2), None, "beleidsplanning", NG),
        GapSignal(_at(1, 3), None, "beleidsplanning", DOWN),
    ]


def test_seeded_signals_give_the_expected_clusters_and_counts() -> None:
    report = build_report(_seed())
    sizes = [(c.topic, c.frequency) for c in report.clusters]
    assert sizes == [("decreet & subsidies", 3), ("organisatie & goed bestuur", 2), ("beleidsplanning", 1)]
    subsidy = report.clusters[0]
    assert subsidy.question == "Hoeveel subsidie krijgt een Vormingplus?"
    assert subsidy.kinds == {NG: 2, DOWN: 1, GB: 1}
    assert subsidy.variants[0] == ("Hoeveel subsidie krijgt een Vormingplus?", 1) and len(subsidy.variants) == 3
    assert subsidy.passages == [(P1, 2)]
    assert (subsidy.first, subsidy.last) == (_at(1, 5), _at(2, 3))
    assert report.purged == {"beleidsplanning": 2}
    assert report.total == 8
    assert report.per_month[("decreet & subsidies", "2026-01")] == 2
    assert report.per_month[("beleidsplanning", "2026-01")] == 2
    assert list(report.by_topic()) == ["decreet & subsidies", "organisatie & goed bestuur", "beleidsplanning"]
    # The id is stable: the same representative question gives the same id in another report.
    assert build_report(_seed()[:4]).clusters[0].id == subsidy.id


def test_outcomes_of_related_triage_requests_are_attached_to_the_nearest_cluster() -> None:
    requests = [
        RelatedRequest(_at(2, 3), "Hoeveel subsidie krijgt een vormingplus in 2026?", "opgenomen"),
        RelatedRequest(_at(2, 5), "Hoeveel subsidie krijgen de Vormingpluscentra?", "doorverwezen"),
        RelatedRequest(_at(2, 6), "Kunnen jullie ons beleidsplan nalezen?", "nieuw"),  # resembles no cluster
        RelatedRequest(_at(2, 7), None, "afgewezen"),  # purged
    ]
    report = build_report(_seed(), requests)
    assert report.clusters[0].outcomes == {"opgenomen": 1, "doorverwezen": 1}
    assert sum(sum(c.outcomes.values()) for c in report.clusters) == 2


def test_csv_has_a_row_per_cluster_and_only_counts_for_purged_questions() -> None:
    report = build_report(_seed())
    buffer = io.StringIO()
    assert write_csv(report, buffer) == 4
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue()), delimiter=";"))
    assert [r["frequentie"] for r in rows] == ["3", "2", "1", "2"]
    assert rows[0]["niet gevonden"] == "2" and rows[0]["duim omlaag"] == "1"
    assert "Jaarverslag 2023, p. 12 (2x)" in rows[0]["gevonden passages"]
    assert rows[-1]["cluster"] == PURGED_LABEL and rows[-1]["vraag"] == ""


def test_formulas_in_questions_are_defused_in_the_csv() -> None:
    report = build_report([GapSignal(_at(3, 1), "=HYPERLINK('http://x')", "andere", NG)])
    buffer = io.StringIO()
    write_csv(report, buffer)
    assert "'=HYPERLINK" in buffer.getvalue()


def test_chart_has_one_bar_series_per_topic() -> None:
    fig = gap_figure(build_report(_seed()))
    ax = fig.axes[0]
    assert len(ax.containers) == 3 and ax.get_legend().get_texts()[0].get_text() == "decreet & subsidies"
    empty = gap_figure(build_report([]))
    assert "Geen onbeantwoorde vragen" in empty.axes[0].texts[0].get_text()


def test_contact_details_and_known_names_are_masked() -> None:
    text = "Ik ben An Peeters van Vormingplus Testregio, mail an.peeters@example.org of bel 0470 12 34 56."
    masked = redact(text, ["An Peeters", "Vormingplus Testregio", None])
    assert "Peeters" not in masked and "example.org" not in masked and "0470" not in masked
    assert "Testregio" not in masked and "[e-mail]" in masked and "[telefoon]" in masked
    # Years and amounts are not phone numbers.
    assert redact("In 2023 kregen we 1.541 vragen en 12 500 euro.") == "In 2023 kregen we 1.541 vragen en 12 500 euro."


def test_clusters_keep_different_questions_on_one_subject_apart() -> None:
    questions = [
        "Wanneer moet het beleidsplan 2026 ingediend worden?",
        "Tegen wanneer moeten we ons beleidsplan indienen?",
        "Hoe lang mag een beleidsplan zijn?",
        "Hoeveel pagina's mag ons beleidsplan tellen?",
    ]
    assert cluster_questions(questions) == [[0, 1], [2], [3]]
