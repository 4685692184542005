"""What a question asks (#12) and the shape of source text that answers it.

Hand-written questions and passages: the kind and constraints read from the
question's wording, and which of a few candidate sentences the composer quotes
(a verdict, a source question that asks the same, the steps of a way, the
definition of the asked term rather than of another one).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import lexical_snapshot, report_chunk

from assistant.answer import Composition, ExtractiveAnswerer, signals
from assistant.answer.candidates import whole_sentence
from assistant.answer.subject import gives_role_elsewhere, role_asked
from assistant.ingestion.chunking import Chunk
from assistant.query.analysis import analyse
from assistant.query.model import AnswerKind, Role, Turn
from assistant.query.retrieval import Hit
from assistant.text.analysis import Analyzer

TODAY = date(2026, 12, 2)
AN = Analyzer()


def q(text: str, history: list[Turn] | None = None):  # type: ignore[no-untyped-def]
    return analyse(text, today=TODAY, analyzer=AN, history=history or [])


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        # Explicit wording about a meaning wins over the "waar" of a relative clause.
        ("Wat wordt er bedoeld met de 'digitale community' waar de sector om vraagt?", AnswerKind.DEFINITION),
        ("Wat wordt er in het decreet bedoeld met de sociaal-culturele rollen?", AnswerKind.DEFINITION),
        ("Wat zijn 'functies' in de zin van het decreet?", AnswerKind.DEFINITION),
        # A measure asked as advice is a way; the same measure asked as a fact is a figure.
        ("Hoe groot maak je best een eerste project?", AnswerKind.WAY),
        ("Hoe lang moet je het best vooraf plannen?", AnswerKind.WAY),
        ("Hoe groot was de groep deelnemers?", AnswerKind.FIGURE),
    ],
)
def test_the_kind_follows_the_wording(question: str, kind: AnswerKind) -> None:
    assert q(question).kind is kind


@pytest.mark.parametrize(
    ("question", "qualifier"),
    [
        ("Hoeveel gaf het steunpunt uit aan personeel?", ("personeel",)),
        ("Welk deel van het geld gaat bij Socius op aan lonen?", ("lonen",)),
        ("Hoeveel procent van de middelen ging naar communicatie?", ("communicatie",)),
        ("Hoeveel deelnemers aan de Trefdag waren er?", ("deelnemers",)),  # unchanged without a target
    ],
)
def test_money_spent_on_something_is_qualified_by_what_it_went_to(question: str, qualifier: tuple[str, ...]) -> None:
    assert q(question).qualifier == qualifier


@pytest.mark.parametrize(
    ("question", "qualifier"),
    [
        ("Hoeveel experten geven in video hun kijk op de toekomst?", ("experten",)),  # a present plural verb
        ("Hoeveel mensen bezoeken de site per maand?", ("mensen",)),
        ("Hoeveel bezoeken kreeg de site?", ("bezoeken",)),  # the same word as what is counted
        ("Hoeveel door Vlaanderen gesubsidieerde organisaties deden mee?", ("gesubsidieerde", "organisaties")),
    ],
)
def test_what_is_counted_ends_before_its_verb_and_leaves_out_the_agent(
    question: str, qualifier: tuple[str, ...]
) -> None:
    assert q(question).qualifier == qualifier


def test_money_spent_is_an_amount() -> None:
    assert q("Hoeveel gaf Socius in 2023 uit aan werking?").wants_amount
    assert not q("Hoeveel deelnemers had de Trefdag?").wants_amount


def test_a_filler_word_does_not_hide_the_focus() -> None:
    query = q("De visienota: wat zijn daar de strategische doelstellingen van?")
    assert query.focus == ("strategische", "doelstellingen")


@pytest.mark.parametrize(
    ("question", "judgement"),
    [
        ("Hoe beoordeelde de commissie de werking van het steunpunt?", True),
        ("Wat vonden de deelnemers van de studiedag?", True),
        ("Was de visitatiecommissie tevreden over Socius?", True),
        ("Wanneer kwam de visitatiecommissie langs?", False),
    ],
)
def test_a_verdict_asked_is_read_from_the_question(question: str, judgement: bool) -> None:
    assert q(question).asks_judgement is judgement


def test_source_shapes() -> None:
    assert signals.judges("De commissie was bijzonder opgetogen over de werking.")
    assert not signals.judges("De commissie bracht op 5 december een bezoek aan het steunpunt.")
    assert signals.states_means("Net als offline kan je met een afsprakenkader de grenzen aangeven.")
    assert signals.states_means("Op basis van de workshops kwamen ze tot vier werven.")
    assert not signals.states_means("Het steunpunt telt veertien medewerkers.")
    assert signals.next_step("Vervolgens kan je reacties modereren.")
    assert signals.next_step("Het jaar nadien beperken ze zich tot vier mails.")
    assert not signals.next_step("Het steunpunt telt veertien medewerkers.")
    assert signals.states_reason("De nakende beleidsplanning is daar niet vreemd aan.")
    assert signals.names_place("Je vindt de handleiding op de website ellavzw.be.")
    # "Wat is het verschil tussen X en Y?" asks to define X (and Y), not the word "verschil".
    assert signals.defined_term("Wat is het verschil tussen 'de politiek' en 'het politieke'?") == "politiek"
    # "Bij X gaat het over ..." defines X: not the community asked about.
    assert signals.defines_other("Bij verenigingsdemocratie gaat het over een wisselwerking.", "community")
    assert not signals.defines_other("Bij community gaat het over leden en vrijwilligers.", "community")


def test_an_unknown_dotted_abbreviation_is_a_sentence_end_for_the_reader() -> None:
    # The readability check reads "i.e. een" as a new sentence in lower case: never quote it.
    assert not whole_sentence("Er is vraag naar een community, i.e. een platform voor uitwisseling.")
    assert whole_sentence("Dat zijn o.a. de leden en de vrijwilligers.")
    assert whole_sentence("In 2023 waren het er 1.108, een record.")


# -- the composer on hand-written passages ---------------------------------------------------------


def _chunk(i: int, text: str) -> Chunk:
    return report_chunk(text, chunk_id=f"c{i}", doc_id=f"d{i}")


def _setup(passages: list[str], question: str, history: list[Turn] | None = None):  # type: ignore[no-untyped-def]
    chunks = [_chunk(i, t) for i, t in enumerate(passages)]
    snapshot = lexical_snapshot(chunks)
    query = analyse(question, today=TODAY, analyzer=snapshot.lexical.analyzer, history=history or [])
    scores = snapshot.lexical.scores(query.retrieval_text)
    order = sorted(range(len(chunks)), key=lambda i: -scores[i])
    hits = [Hit(chunks[i], float(scores[i]), lexical_rank=r) for r, i in enumerate(order) if scores[i] > 0]
    return query, hits, snapshot


def _compose(passages: list[str], question: str, history: list[Turn] | None = None) -> Composition:
    return ExtractiveAnswerer().compose(*_setup(passages, question, history))


def _best(passages: list[str], question: str) -> str:
    """The text of the best-scored candidate (the answer's first choice, whatever the reading order)."""
    found = ExtractiveAnswerer().candidates(*_setup(passages, question))
    assert not isinstance(found, Composition), found
    return found[0].text


def test_a_verdict_question_gets_the_verdict_not_the_visit() -> None:
    c = _compose(
        [
            "Op 5 december bracht de visitatiecommissie van de administratie een bezoek aan het steunpunt.",
            "Tot slot was de visitatiecommissie bijzonder opgetogen over de werking.",
        ],
        "Hoe beoordeelde de visitatiecommissie de werking van het steunpunt?",
    )
    assert c.text.startswith("Tot slot was de visitatiecommissie bijzonder opgetogen"), c.text


def test_a_source_question_that_asks_the_same_is_answered_by_what_follows_it() -> None:
    c = _compose(
        [
            "De leerreis ging door in april. Twaalf werkers van Socius gingen mee op leerreis.",
            "Waarom Kroatië? Een boek over civiele actie wees ons de weg naar Zagreb.",
        ],
        "Waarom koos Socius Kroatië voor de leerreis?",
    )
    assert "boek over civiele actie" in c.text, c.text


def test_a_way_told_in_steps_comes_with_its_next_step() -> None:
    c = _compose(
        [
            "Online reacties kunnen verglijden in haatreacties. Net als offline kan je met een afsprakenkader de "
            "grenzen van online reacties aangeven. Vervolgens kan je als moderator reacties verwijderen.",
            "Online reacties zijn vaak kort.",
        ],
        "Hoe hou je online reacties in goede banen?",
    )
    assert "afsprakenkader" in c.text and "moderator" in c.text, c.text


def test_a_follow_up_is_answered_on_its_own_words() -> None:
    history = [Turn(Role.USER, "Wat biedt de kennisomgeving rollen en functies over het decreet?")]
    c = _compose(
        [
            "De kennisomgeving rollen en functies bundelt teksten over het decreet, de rollen en de functies van "
            "het decreet voor organisaties.",
            "Over rollen en functies bestaan ook twee screencasts.",
        ],
        "Bestaan daar ook screencasts over?",
        history,
    )
    assert "screencasts" in c.text, c.text


def test_a_definition_of_another_term_does_not_answer() -> None:
    c = _compose(
        [
            "Bij verenigingsdemocratie gaat het over een wisselwerking tussen je community en je professionals.",
            "Onder community verstaan we leden, vrijwilligers en bestuursvrijwilligers.",
        ],
        "Wat verstaat Socius onder 'community'?",
    )
    assert c.text.startswith("Onder community verstaan we"), c.text


def test_a_who_question_gets_the_name_it_does_not_already_give() -> None:
    assert signals.new_names("De begeleiding was in handen van Pax Christi Vlaanderen.", frozenset(["wie"]))
    # A name the question gives, or a quoted title, answers no "wie".
    assert not signals.new_names("Het Dagelijks Bestuur vergaderde.", frozenset(["dagelijks", "bestuur"]))
    assert not signals.new_names("• Vorming ‘Omgaan met Polarisering’", frozenset())
    assert signals.states_role("De begeleiding was in handen van Pax Christi Vlaanderen.")
    c = _compose(
        [
            "Tijdens de vorming over participatief drama gingen de deelnemers zelf aan de slag met participatief "
            "drama. De begeleiding was in handen van Pax Christi Vlaanderen.",
            "Participatief drama is een verzamelterm voor methoden die theater inzetten voor de vorming.",
        ],
        "Wie begeleidde de vorming over participatief drama?",
    )
    assert "Pax Christi Vlaanderen" in c.text, c.text


def test_a_term_the_question_quotes_is_answered_by_its_definition() -> None:
    best = _best(
        [
            "Martin De Loose sprak op de studiedag over de community van een vereniging.",
            "Met community bedoelt Socius de leden en vrijwilligers van een vereniging.",
        ],
        "Wie valt er onder 'community' in een vereniging?",
    )
    assert best.startswith("Met community bedoelt Socius"), best


def test_an_item_said_for_an_earlier_part_is_not_said_again() -> None:
    from assistant.answer import merge_answers
    from assistant.answer.types import Citation

    def cite(n: int, quote: str) -> Citation:
        return Citation(n, f"c{n}", f"d{n}", "t", "publicatie", None, "", "", quote)

    # A cell line ends on its table's title; a name with a question mark ("WhoCares?") ends a sentence there.
    first = Composition(
        "Voorzitter: Stef Steyaert WhoCares? (Dagelijks Bestuur). [1]", (cite(1, "Voorzitter | Stef Steyaert"),)
    )
    second = Composition(
        "Dagelijks Bestuur:\n- Voorzitter: Stef Steyaert WhoCares?\n- Ondervoorzitter: Monique De Dobbeleer\n"
        "- Penningmeester: An Macharis [1]",
        (cite(1, "Dagelijks Bestuur ..."),),
    )
    text = merge_answers([first, second]).text
    assert text.count("Dagelijks Bestuur") == 1 and "Ondervoorzitter" in text, text


def test_the_parts_of_a_question_share_about_80_words() -> None:
    from assistant.answer import merge_answers

    def about(subject: str) -> str:
        return (
            f"De werking rond {subject} groeide in 2023 sterk, met meer deelnemers dan ooit in Brussel, Gent, "
            f"Antwerpen, Leuven, Brugge, Kortrijk, Mechelen en Hasselt, in kleine en grote groepen, overdag en "
            f"'s avonds. De {subject} kreeg daarbij ook online een plek in webinars, podcasts, nieuwsbrieven en "
            f"lerende netwerken met deelnemers uit heel Vlaanderen en Brussel. "
            f"Die groei rond {subject} vraagt wel extra tijd van de medewerkers van het steunpunt in elke regio. "
            f"Ook in 2024 blijft {subject} een speerpunt van de werking in alle provincies."
        )

    chunks = [_chunk(0, about("vorming")), _chunk(1, about("vrijwilligerswerk"))]
    snapshot = lexical_snapshot(chunks)
    query = analyse(
        "Hoe groeide de werking rond vorming, en hoe groeide de werking rond vrijwilligerswerk?",
        today=TODAY,
        analyzer=snapshot.lexical.analyzer,
    )
    assert len(query.parts) == 2 and all(p.parts_in_turn == 2 for p in query.parts)
    answers = []
    for part in query.parts:
        scores = snapshot.lexical.scores(part.retrieval_text)
        order = sorted(range(len(chunks)), key=lambda i: -scores[i])
        hits = [Hit(chunks[i], float(scores[i]), lexical_rank=r) for r, i in enumerate(order) if scores[i] > 0]
        answers.append(ExtractiveAnswerer().compose(part, hits, snapshot))
    text = merge_answers(answers).text
    words = len(re.sub(r"\s*\[\d+\]", "", text).split())
    assert "vorming" in text and "vrijwilligerswerk" in text and words <= 88, (words, text)


def test_a_list_of_people_asked_is_answered_by_the_sentence_that_names_them() -> None:
    best = _best(
        [
            "In het voorjaar bevroegen de onderzoekers diverse organisaties over de waarde van het onderzoek naar "
            "vrijwilligerswerk.",
            "Het onderzoek naar vrijwilligerswerk werd uitgevoerd door Lode Vermeersch, Pascal Gielen en Hanka Otte.",
        ],
        "Welke onderzoekers voerden het onderzoek naar vrijwilligerswerk uit?",
    )
    assert "Lode Vermeersch" in best, best


def test_a_heading_run_into_its_sentence_is_a_heading() -> None:
    from assistant.answer.passage import ElementKind, passage_of

    text = "Bestuurlijke inspraak Deze pijler komt overeen met de feedback van je leden op de algemene vergadering."
    kinds = [(e.kind, e.text) for e in passage_of(report_chunk(text)).elements]
    assert kinds == [
        (ElementKind.HEADING, "Bestuurlijke inspraak"),
        (ElementKind.SENTENCE, "Deze pijler komt overeen met de feedback van je leden op de algemene vergadering."),
    ]
    for whole in [
        "Socius en De Federatie kwamen tot vier focussen.",  # a name after "en"
        "Op 23 december keurde de regering de visienota ‘Naar een slagkrachtige sector’ goed.",  # a quoted title
        "Goed georganiseerd, veel variatie voor en na. deelnemer Trefdag De veelzijdigheid is groot.",  # a quote's signature
        # a clause before a title that starts like a sentence
        "De deelnemers stonden stil bij cultuur in hun praktijk en gingen aan de slag met de tool Je praktijk beschrijven.",
    ]:
        assert [e.text for e in passage_of(report_chunk(whole)).elements] == [whole]


def test_the_run_in_heading_is_said_as_the_label_of_its_sentence() -> None:
    c = _compose(
        [
            "Praktijkopbouw Zo maak je ruimte en tijd vrij voor kleine projecten die vertrekken vanuit interculturaliteit.",
            "Interculturaliteit vraagt tijd.",
        ],
        "Hoe begin je aan projecten vanuit interculturaliteit?",
    )
    # Not "Praktijkopbouw Zo maak je ...": the heading is no sentence that "Zo" points back to.
    assert c.text.startswith("Praktijkopbouw: Zo maak je ruimte en tijd vrij"), c.text


def test_a_way_is_not_answered_by_tips_that_each_share_a_word() -> None:
    tips = (
        "Praktische tips:\n• Geef mensen een plek.\n• Werk online met een afsprakenkader.\n• Kies een manier die past."
    )
    chunks = [
        report_chunk(tips, chunk_id="c0", doc_id="d0", elements=f"list:0:{len(tips)}"),
        report_chunk(
            "Heel laagdrempelig kan je mensen vragen je berichten online te delen.", chunk_id="c1", doc_id="d1"
        ),
    ]
    snapshot = lexical_snapshot(chunks)
    query = analyse(
        "Hoe kan je op een laagdrempelige manier mensen online laten meedoen?",
        today=TODAY,
        analyzer=snapshot.lexical.analyzer,
    )
    hits = [Hit(chunks[0], 2.0, lexical_rank=0), Hit(chunks[1], 1.0, lexical_rank=1)]
    c = ExtractiveAnswerer().compose(query, hits, snapshot)
    assert c.text.startswith("Heel laagdrempelig kan je mensen vragen"), c.text


def test_a_way_goes_on_with_the_same_subject_for_two_sentences() -> None:
    c = _compose(
        [
            "Tijdens de Vredesweek stuurt Pax Christi elke dag een mail. Ze merken dat steeds meer mensen afhaken. "
            "Het jaar nadien steken ze meer bewust een dramaturgie in hun mails. Ze beperken zich nu tot vier mails.",
            "De Vredesweek is jaarlijks.",
        ],
        "Hoe loste Pax Christi het probleem op dat mensen afhaakten bij de mails van de Vredesweek?",
    )
    assert "dramaturgie" in c.text and "vier mails" in c.text, c.text


def test_a_score_asked_is_answered_by_a_share() -> None:
    best = _best(
        [
            "Deelnemers aan ons vormingsaanbod kenden een gemiddeld tevredenheidscijfer van 80% toe aan onze vormingen.",
            "In 2023 volgden 500 deelnemers de vormingen van Socius in Gent en Brussel.",
        ],
        "Hoe goed scoorden de vormingen van Socius gemiddeld bij de deelnemers?",
    )
    assert "80%" in best, best


def test_a_reason_that_points_back_is_read_with_what_it_explains() -> None:
    best = _best(
        [
            "Veel vragen gingen in 2023 over het decreet. Dat heeft alles te maken met de opmaak van de "
            "voortgangsrapporten en het bezoek van de visitatiecommissie.",
            "Op 10 maart 2023 bekrachtigde de regering het nieuwe decreet over Socius.",
        ],
        "Waarom kreeg Socius in 2023 zoveel vragen over het decreet?",
    )
    assert "voortgangsrapporten" in best, best


def test_a_signpost_is_not_carried_on() -> None:
    c = _compose(
        [
            "Niet elke vraag past in een vorming. Daarom werkt Socius ook vraaggestuurd: organisaties kunnen bij het "
            "steunpunt aankloppen met een specifieke vraag. Op deze pagina lees je hoe dat verloopt en wie een vraag kan stellen.",
            "Socius stemt zijn werking af op vragen.",
        ],
        "Hoe gaat dat als ik met een specifieke vraag bij Socius aanklop?",
    )
    assert "aankloppen met een specifieke vraag" in c.text and "Op deze pagina" not in c.text, c.text


def test_a_sentence_is_about_the_heading_right_above_it() -> None:
    best = _best(
        [
            "Samenstelling personeelsploeg dd. 1 januari 2023\nVan 7 november tot 21 december werd de ploeg "
            "tijdelijk uitgebreid met Lucas Roefmans.",
            "In 2023 kreeg de personeelsploeg veel aandacht.",
        ],
        "Wie kwam er in 2023 bij de personeelsploeg?",
    )
    assert "Lucas Roefmans" in best, best


@pytest.mark.parametrize(
    ("question", "text", "elsewhere"),
    [
        ("Wie is de directeur van Socius?", "Jan Peeters, directeur van Vormingplus Oost, zei het zo.", True),
        (
            "Wie is jullie directeur?",
            "Volgens An Claes, coördinator bij Avansa, en Jan Peeters, directeur bij Ferm.",
            True,
        ),
        ("Wie is de coördinator?", "An Claes, coördinator bij Avansa Kempen, gaf de workshop.", True),
        # The role given for the organisation asked, or for one of its bodies, is no other organisation's.
        ("Wie is de directeur van Avansa Kempen?", "Jan Peeters, directeur van Avansa Kempen, zei het zo.", False),
        (
            "Wie is de directeur van Socius?",
            "Jan Peeters, directeur van Socius, en An Claes, directeur van Ferm.",
            False,
        ),
        ("Wie is voorzitter van Socius?", "Stef Peeters, voorzitter van het Dagelijks Bestuur, opende.", False),
        # Another role, or the role without an organisation named.
        ("Wie is de directeur van Socius?", "An Claes, coördinator bij Avansa Kempen, gaf de workshop.", False),
        ("Wie is de directeur van Socius?", "Personeelslid | Functie\nJan Peeters | directeur", False),
    ],
)
def test_a_role_given_for_another_organisation_is_told_apart(question: str, text: str, elsewhere: bool) -> None:
    asked = role_asked(q(question))
    assert asked is not None
    assert gives_role_elsewhere(text, asked) is elsewhere


@pytest.mark.parametrize(
    "question",
    [
        "Wie was de coördinator van het project?",  # of something that is no organisation
        "Wie noemde verenigingsdemocratie een zoektocht?",  # no role asked
        "Wie is verantwoordelijk voor de Trefdag?",  # no noun for a person
    ],
)
def test_no_role_of_an_organisation_is_asked(question: str) -> None:
    assert role_asked(q(question)) is None
