"""Retrieval on the real corpus: the passage with the fact reaches the passages the composer reads.

What the index holds (the report's pages of figures under their own section, a financial
statement's terse columns said in words, no page notice indexed) and Dutch morphology the
stems miss (separable verbs, irregular forms, negation).
"""

from __future__ import annotations

from assistant import Vraagbaak
from assistant.ingestion.document import is_page_notice
from assistant.ingestion.tables import table_gloss


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
