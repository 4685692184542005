"""Retrieval on the real corpus: the passage with the fact reaches the passages the composer reads.

What the index holds (the report's pages of figures under their own section, a financial
statement's terse columns said in words, no page notice indexed) and Dutch morphology the
stems miss (separable verbs, irregular forms, negation).
"""

from __future__ import annotations

from datetime import date

import pytest

from assistant import Vraagbaak
from assistant.ingestion.document import is_page_notice
from assistant.ingestion.tables import table_gloss
from assistant.query.retrieval import MORPH_WEIGHT, retrieve
from assistant.text.analysis import stem
from assistant.text.morphology import morph_terms

TODAY = date(2026, 12, 2)
#: The passages answer composition reads (``ExtractiveAnswerer(passages=7)``).
READ = 7


def _rank(va: Vraagbaak, question: str, needle: str, morph_weight: float = MORPH_WEIGHT) -> int | None:
    snapshot = va.snapshot()
    s = va.settings
    query = va.analyse(question, today=TODAY, snapshot=snapshot)
    hits = retrieve(
        snapshot,
        va.embedder(),
        query,
        k=10,
        lexical_weight=s.lexical_weight,
        dense_weight=s.dense_weight,
        rrf_k=s.rrf_k,
        type_prior=dict(s.type_prior),
        synonym_weight=s.synonym_weight,
        morph_weight=morph_weight,
    ).hits
    return next((r for r, h in enumerate(hits) if needle in h.chunk.text), None)


def test_negation_gives_one_term_for_niet_zonder_and_geen() -> None:
    said = morph_terms("De vragen van niet-erkende organisaties gingen over toetreding.")
    assert "!erken" in said
    assert "!erken" in morph_terms("Welke vragen hadden organisaties zonder erkenning?")
    assert "!erken" in morph_terms("Wij hebben geen erkenning.")
    assert "!erken" not in morph_terms("Erkende organisaties stelden de meeste vragen.")


def test_a_separable_verb_meets_its_participle_and_irregular_forms_their_lemma() -> None:
    asked = set(morph_terms("Hoeveel gaf het steunpunt uit aan communicatie?", query=True))
    said = set(morph_terms("Het steunpunt heeft 35.214 euro uitgegeven aan communicatie."))
    assert asked & said == {"@" + stem("uitgeven")}
    assert "@" + stem("opnemen") in set(morph_terms("We namen 68 vragen op.")) & set(
        morph_terms("68 vragen opgenomen.")
    )
    assert "@" + stem("aankloppen") in morph_terms("Organisaties klopten bij Socius aan met vragen.", query=True)
    # A question's words are not said again as lemmas ("scoorden", "liep"): only what its stems cannot say.
    assert morph_terms("Hoe scoorden de vormingen?", query=True) == []
    assert "@" + stem("scoren") in morph_terms("De vormingen scoorden goed.")
    # A preposition before its object is no particle: "in de sector" does not make "inzitten".
    assert morph_terms("Hoe zit het met jobs in de sector?", query=True) == []


def test_a_page_notice_is_boilerplate_and_not_indexed(va: Vraagbaak) -> None:
    assert is_page_notice("Voorbeeldinhoud: deze pagina is samengesteld uit feiten in het Jaarverslag 2023 van Socius.")
    assert not is_page_notice("Op deze pagina lees je hoe een vraag verloopt en wie een vraag kan stellen.")
    chunks = va.snapshot().chunks
    assert {c.doc_type for c in chunks} >= {"toolbox", "decreetgids"}
    assert not [c.chunk_id for c in chunks if "Voorbeeldinhoud" in c.index_text]


def test_the_pages_of_figures_have_their_own_section(va: Vraagbaak) -> None:
    chunks = va.snapshot().chunks
    figures = [c for c in chunks if c.doc_type == "publicatie" and c.page_start in (12, 13, 14, 15)]
    assert figures
    assert all(c.section.endswith("Ondersteuningsaanbod in cijfers") for c in figures), [c.section for c in figures]
    before = [c for c in chunks if c.page_start == 11]
    assert before and all(c.section.endswith("2.7 Verhouden op subsidiekaders") for c in before)


def test_a_financial_statement_says_what_its_columns_are() -> None:
    text = "Samenvatting resultatenrekening\nUit % In %\nPersoneel | 100,00 € | 80% | 10,00 € | 5%\nResultaat | -5,00 €"
    start = text.index("Uit")
    gloss = table_gloss(text, f"table:{start}:{len(text)}")
    assert "uitgaven" in gloss and "inkomsten" in gloss and "Personeel" in gloss and "tekort" in gloss
    assert table_gloss("Soort | Aantal\nOnline | 17", "table:0:27") == ""


def test_the_financial_statement_is_indexed_with_its_meaning(va: Vraagbaak) -> None:
    statement = [c for c in va.snapshot().chunks if "Resultaat | 22.545,25 €" in c.text]
    assert len(statement) == 1
    indexed = statement[0].index_text
    assert "uitgaven" in indexed and "inkomsten" in indexed and "overschot" in indexed
    assert "uitgaven" not in statement[0].text  # index only: the table as printed is what is quoted


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("Hoeveel gaf Socius uit aan communicatie?", "Communicatie | 35.214,66 €"),
        ("Sloot het boekjaar 2023 van Socius af met een tekort?", "Resultaat | 22.545,25 €"),
        (
            "Waarover gingen de vragen van organisaties zonder erkenning?",
            "vragen van de niet-erkende organisaties",
        ),
    ],
)
def test_paraphrased_questions_find_the_passage(va: Vraagbaak, question: str, needle: str) -> None:
    rank = _rank(va, question, needle)
    assert rank is not None and rank < READ, (question, rank)


def test_the_morphology_field_brings_a_separable_verb_up(va: Vraagbaak) -> None:
    """ "gaf ... uit" is "uitgeven": without the field the statement is not in the top ten."""
    question, needle = "Hoeveel gaf Socius uit aan communicatie?", "Communicatie | 35.214,66 €"
    with_field, without = _rank(va, question, needle), _rank(va, question, needle, morph_weight=0)
    assert with_field is not None and with_field < READ
    assert without is None or without >= READ


def test_a_precomputed_query_vector_replaces_the_embed_call(va: Vraagbaak) -> None:
    """The parts of a question can be embedded in one batch: retrieve takes the vector and calls no embedder."""
    snapshot, s = va.snapshot(), va.settings
    query = va.analyse("Hoeveel vragen kwamen binnen via de vraaggestuurde werking?", today=TODAY, snapshot=snapshot)
    embedder = va.embedder()
    assert embedder is not None
    prior = dict(s.type_prior)
    called = retrieve(snapshot, embedder, query, k=10, dense_weight=s.dense_weight, type_prior=prior)
    vector = embedder.embed_query(query.retrieval_text)
    given = retrieve(snapshot, None, query, k=10, dense_weight=s.dense_weight, type_prior=prior, query_vector=vector)
    assert [h.chunk.chunk_id for h in given.hits] == [h.chunk.chunk_id for h in called.hits]
    assert any(h.dense_rank for h in given.hits) and "embed" not in given.timings_ms


def test_a_panel_titled_by_a_run_of_headings_carries_that_title(va: Vraagbaak) -> None:
    # p.4 titles its four panels "1.1. Activiteiten ondersteuningsaanbod" ... above them and
    # "2023 in cijfers" over the first: a figure read from the panel names what it counts.
    chunks = [c for c in va.snapshot().chunks if c.doc_type == "publicatie" and c.page_start == 4]
    text = "\n".join(c.text for c in chunks)
    assert "Activiteiten ondersteuningsaanbod\nSoort | Aantal" in text
    assert "2023 in cijfers\nSoort" not in text


def test_an_unnumbered_subheading_is_its_own_line(va: Vraagbaak) -> None:
    # "Mailinglijsten" | "Socius beschikt over ...": the label stays a line of its own, so it is
    # never quoted as the first word of the sentence under it.
    text = "\n".join(c.text for c in va.snapshot().chunks if c.doc_type == "publicatie")
    assert "Mailinglijsten\nSocius beschikt" in text
    assert "Visitatie\nIn het kader van onze beheersovereenkomst" in text
    assert "Visitatie In het kader" not in text
    # Labels in a row each keep their line: "Zes pijlers" | "Bestuurlijke inspraak" | "Deze pijler ...".
    assert "Bestuurlijke inspraak\nDeze pijler" in text
    assert "Samenstelling personeelsploeg dd. 1 januari 2023\nVan 7 november" in text
