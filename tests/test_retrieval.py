"""Retrieval re-orders its top passages by the best window of sentences: the answer beats an overview."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import HashEmbedder

from assistant import ingest, load_settings
from assistant.index.backend import LocalIndex
from assistant.index.embedders import slug
from assistant.index.snapshots import Snapshot, Snapshots
from assistant.ingestion.chunking import Chunk
from assistant.query.analysis import analyse
from assistant.query.retrieval import WINDOW_WEIGHT, retrieve, window_coverage

EMBEDDER = HashEmbedder()
QUESTION = "Welke vergoeding krijgen vrijwilligers per dag?"

# An overview that names each of the question's words more than once, every time in another part of the text.
OVERVIEW = """## Overzicht van de werking

Vrijwilligers zijn de motor van elke vereniging.
Een goed onthaal maakt het verschil voor wie nieuw begint.
Over de vergoeding maken bestuur en ploeg vooraf afspraken.
Die afspraken worden jaarlijks samen geëvalueerd.
Elke dag is er iemand die de deur van het lokaal opent.
Een verzekering dekt ongevallen tijdens de activiteiten.
Nieuwe leden krijgen een welkomstpakket met nuttige informatie.
Vraag de polis op bij je koepel als je twijfelt.
Het bestuur bespreekt de werking per kwartaal met de ploeg.
Zo groeit de band tussen leden en bestuur.
Vrijwilligers blijven het hart van het sociaal-cultureel werk.
Een peter of meter wijst nieuwkomers de weg.
Een vergoeding is geen loon, maar een tegemoetkoming in de kosten.
De planning hangt aan het prikbord in de gang.
Wie wil, kan krijgen wat nodig is om te starten.
Het lokaal is open voor iedereen uit de buurt.
Een vaste dag voor overleg maakt de planning eenvoudiger.
Er is koffie voor wie langskomt.
Vrijwilligers betalen geen lidgeld.
De sleutel van het lokaal ligt bij de voorzitter.
In de zomer zijn er minder activiteiten.
De jaarvergadering valt in maart.
De kas wordt elk jaar nagekeken.
"""

# The passage that answers: the question's words together in one sentence, in a longer text.
ANSWER = """## Kosten en regels

De regels voor een forfaitaire kostenvergoeding zijn streng en worden elk jaar geïndexeerd door de federale overheid.
Vrijwilligers krijgen een vergoeding van hoogstens 40,67 euro per dag. Meer kan alleen met bewijsstukken van elke kost.
Het jaarplafond ligt hoger voor sommige sectoren, zoals de sport en de zorg, waar langere prestaties gebruikelijk zijn.
Houd een register bij van wie wanneer welke prestatie leverde, zodat een controle geen verrassingen oplevert voor het bestuur.
Een organisatie die twijfelt, vraagt best advies aan haar koepel of aan het steunpunt voordat de afspraken vastliggen.
"""


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """A real index (BM25 and Chroma, hashed-word vectors) of one guide with both sections."""
    root = tmp_path_factory.mktemp("retrieval")
    corpus = root / "corpus" / "decreetgids"
    corpus.mkdir(parents=True)
    (corpus / "vrijwilligers.md").write_text(
        f"# Vrijwilligers in je vereniging\n\n{OVERVIEW}\n{ANSWER}", encoding="utf-8"
    )
    settings = load_settings(env={}, corpus_dir=corpus.parent, index_dir=root / "index", embedder=EMBEDDER.name)
    ingest(settings, embedder=EMBEDDER, progress=False)
    return Snapshots(LocalIndex(settings.index_dir, slug(settings.embedder))).current()


def _top(snapshot: Snapshot, window_weight: float) -> Chunk:
    query = analyse(QUESTION, today=date(2026, 12, 2), analyzer=snapshot.lexical.analyzer)
    result = retrieve(snapshot, EMBEDDER, query, k=5, window_weight=window_weight)
    return result.hits[0].chunk


def test_the_two_sections_are_two_passages(snapshot: Snapshot) -> None:
    sections = [c.section.split(" > ")[-1] for c in snapshot.chunks]
    assert sections.count("Overzicht van de werking") == 1 and sections.count("Kosten en regels") == 1


def test_the_passage_with_the_words_together_ranks_first(snapshot: Snapshot) -> None:
    # BM25 alone prefers the overview, which repeats the question's words in other sentences ...
    assert _top(snapshot, window_weight=0.0).section.endswith("Overzicht van de werking")
    # ... (the hashed-word vectors prefer the shorter answer, so the fused scores are close) ...
    # ... and the window re-ordering, at its default weight, puts the sentence that answers first.
    top = _top(snapshot, window_weight=WINDOW_WEIGHT)
    assert top.section.endswith("Kosten en regels") and "40,67 euro per dag" in top.text


def test_window_coverage_counts_only_words_that_sit_together(snapshot: Snapshot) -> None:
    query = analyse(QUESTION, today=date(2026, 12, 2), analyzer=snapshot.lexical.analyzer)
    stems = list(query.stems)
    by_section = {c.section.split(" > ")[-1]: c for c in snapshot.chunks}
    answer = window_coverage(stems, by_section["Kosten en regels"], snapshot)
    overview = window_coverage(stems, by_section["Overzicht van de werking"], snapshot)
    assert answer == pytest.approx(1.0)
    assert 0.0 < overview < 0.7
    assert window_coverage([], by_section["Kosten en regels"], snapshot) == 0.0


def test_a_short_query_word_also_finds_the_compounds_it_starts() -> None:
    from assistant.index.lexical import LexicalIndex

    texts = [
        "Van november tot december liep een student zijn stageopdracht in het team.",
        "Het team vergaderde in november over de planning van december.",
    ]
    index = LexicalIndex.build(texts)
    # A query word of five letters asks for "~stage"; indexed text keeps its own terms.
    assert "~stage" in index.analyzer.terms("Wie liep er stage?", query=True)
    assert "~stage" not in index.analyzer.terms("Wie liep er stage?")
    assert "~stage" in index.analyzer.terms(texts[0])
    scores = index.scores("Wie liep er stage in het team?")
    assert scores[0] > scores[1]


def test_a_definition_question_wants_a_window_that_defines() -> None:
    from assistant.query.model import AnswerKind
    from assistant.query.retrieval import _ANSWER_SHAPES

    shape = _ANSWER_SHAPES[AnswerKind.DEFINITION]
    assert shape.search("Bij participatie door deelhebben gaat het verder dan de relatie.")
    assert shape.search("Kruispuntdenken is een kader om meerdere perspectieven naast elkaar te leggen.")
    assert shape.search("Participatief drama is een verzamelterm voor verschillende methoden.")
    assert not shape.search("Socius organiseerde drie vormingen in Gent.")
