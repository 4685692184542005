"""What the assistant says when it declines or hands a question to staff."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from .decision import ANSWER, DECLINE, ESCALATE, Route, RouteDecision

#: What the assistant does; every decline reason starts with it.
SCOPE_SENTENCE: Final = (
    "Ik beantwoord vragen over sociaal-cultureel volwassenenwerk, het decreet, "
    "beleidsplanning en de publicaties van Socius."
)
_SCOPE: Final = SCOPE_SENTENCE.rstrip(".")
#: Reason of an escalation because retrieval found no good evidence.
NO_EVIDENCE_REASON: Final = "De publicaties geven hier geen duidelijk antwoord op; een medewerker kan verder helpen."

# One sentence per decline kind: what the assistant can do, then why not this.
DECLINE_REASONS: Final[Mapping[str, str]] = {
    "buiten_sector": f"{_SCOPE}, en deze vraag valt daarbuiten.",
    "prompt_injectie": f"{_SCOPE}, maar ik deel of wijzig mijn instructies en instellingen niet.",
    "misleiding": f"{_SCOPE}, maar ik schrijf niets in naam van anderen en verzin geen gegevens.",
    "privacy": f"{_SCOPE}, maar ik deel geen contactgegevens of vragen van andere mensen en organisaties.",
    "misbruik": f"{_SCOPE}, maar ik reageer niet op beledigende berichten.",
    "oordeel": f"{_SCOPE}, maar ik beoordeel of rangschik geen mensen of organisaties.",
}

# One sentence per escalation kind, for the user and for staff in the triage queue.
ESCALATE_REASONS: Final[Mapping[str, str]] = {
    "contact": "Je vraagt om contact met een medewerker van Socius; ik kan je vraag aan hen doorgeven.",
    "praktisch": (
        "Praktische gegevens van Socius (telefoon, e-mail, openingsuren, bereikbaarheid) staan niet in de "
        "publicaties; een medewerker kan ze je bezorgen."
    ),
    "afspraak": "Een afspraak of gesprek regelt een medewerker van Socius; ik kan je vraag aan hen doorgeven.",
    "inschrijving": (
        "Inschrijven of een plaats reserveren regelt een medewerker van Socius; ik kan je vraag aan hen doorgeven."
    ),
    "document": (
        "Ik citeer uit de publicaties, maar een volledig document opsturen doet een medewerker van Socius; "
        "ik kan je vraag aan hen doorgeven."
    ),
    "plan_nalezen": (
        "Feedback op een plan of tekst van je eigen organisatie is maatwerk dat een medewerker van Socius "
        "met je kan bekijken."
    ),
    "vorming_op_maat": "Een vorming op maat of bij jullie ter plaatse vraagt overleg met een medewerker van Socius.",
    "coaching": (
        "Voor coaching op maat van je organisatie bekijkt een medewerker van Socius wat mogelijk is "
        "of bij wie je terechtkunt."
    ),
    "begeleiding": (
        "Begeleiding van je eigen organisatie is maatwerk waarover een medewerker van Socius met je kan overleggen."
    ),
    "bemiddeling": (
        "Bemiddelen in een situatie binnen je organisatie kan ik niet, maar een medewerker van Socius "
        "bekijkt graag hoe je geholpen kunt worden."
    ),
    "eigen_dossier": (
        "Dit gaat over het dossier of de situatie van je eigen organisatie, en dat kan alleen een medewerker "
        "van Socius bekijken."
    ),
    "eigen_financien": (
        "Vragen over de financiën van je eigen organisatie bekijkt een medewerker van Socius het best "
        "persoonlijk met je."
    ),
    "eigen_situatie": (
        "Dit gaat over de eigen situatie van je organisatie, en daarover denkt een medewerker van Socius "
        "graag met je mee."
    ),
    "maatwerk": (
        "Deze vraag vraagt een antwoord op maat van je situatie; een medewerker van Socius bekijkt graag "
        "hoe je geholpen kunt worden."
    ),
    "geen_bron": NO_EVIDENCE_REASON,
    "niet_in_publicaties": (
        "De publicaties van Socius gaan niet over die periode of die organisatie; "
        "een medewerker kan je de gegevens bezorgen die er wel zijn."
    ),
    "verouderd": (
        "De publicaties beschrijven hoe het toen was; hoe het er vandaag voor staat, vermelden ze niet. "
        "Een medewerker van Socius kan je de actuele stand van zaken geven."
    ),
}


def decline_message(decision: RouteDecision) -> str:
    """The polite Dutch text shown when a turn is declined: reason, scope and an example.

    Raises :class:`ValueError` when ``decision`` is not a decline.
    """
    if decision.route != DECLINE:
        raise ValueError(f"decline_message needs a decline decision, not {decision.route!r}")
    extra = {
        "privacy": " Wil je Socius zelf bereiken, dan vind je de algemene contactgegevens op socius.be.",
        "misbruik": " Wil je het opnieuw proberen met een vraag over je werking? Dan help ik je graag.",
    }.get(decision.kind, "")
    return (
        f"Sorry, daar kan ik je niet mee helpen. {decision.reason}{extra} "
        "Je kunt me bijvoorbeeld vragen wat het decreet verwacht van een beleidsplan, "
        "hoe je vrijwilligers meer inspraak geeft of welke vormingen Socius aanbiedt."
    )


#: The kind of an escalation that no wording names more precisely.
DEFAULT_ESCALATE_KIND: Final = "begeleiding"


def reason_for(route: Route, kind: str) -> str:
    """The one-sentence Dutch reason of a decision."""
    if route is DECLINE:
        return DECLINE_REASONS[kind]
    if route is ESCALATE:
        return ESCALATE_REASONS.get(kind, ESCALATE_REASONS[DEFAULT_ESCALATE_KIND])
    return "De publicaties van Socius gaan hierover; ik zoek het antwoord voor je op."


def escalation_offer(decision: RouteDecision) -> str:
    """The Dutch offer of a staff contact that follows an escalated turn's answer.

    It says why, what happens with the user's details (only with consent) and
    that Socius decides which requests it takes up, so the assistant does not
    promise what staff may not be able to give.  Raises :class:`ValueError` when
    ``decision`` is not an escalation.
    """
    if decision.route != ESCALATE:
        raise ValueError(f"escalation_offer needs an escalate decision, not {decision.route!r}")
    market = ""
    if decision.kind in {"coaching", "begeleiding"}:
        market = (
            " Langdurige coaching of trajectbegeleiding laat Socius meestal over aan externe "
            "begeleiders; een medewerker kan je dan wel op weg zetten."
        )
    return (
        f"{decision.reason} Wil je dat ik je vraag doorgeef aan een medewerker van Socius? "
        "Met je toestemming bewaren we daarvoor je naam, je organisatie en je e-mailadres, "
        "zodat iemand contact met je kan opnemen. Socius bekijkt elke vraag: wat binnen zijn "
        f"opdracht past, neemt het zelf op, en anders verwijst het je door.{market}"
    )


#: The kind of an escalation that only resembles example requests (no wording of its own says why).
_NEUTRAL_ESCALATE_KIND: Final = "maatwerk"

# Kinds whose wording is specific enough to name the escalation; the generic
# "begeleiding" of a weak cue ("helpen", "advies") loses against any of these.
_KIND_PRIORITY: Final = (
    "praktisch",
    "contact",
    "afspraak",
    "inschrijving",
    "document",
    "eigen_financien",
    "eigen_dossier",
    "bemiddeling",
    "coaching",
    "plan_nalezen",
    "vorming_op_maat",
    "begeleiding",
    "eigen_situatie",
)


def escalate_kind(kinds: Sequence[str], knn: Mapping[str, Any]) -> str:
    """The kind of an escalation: the most specific kind its wording names, else what the examples say."""
    for kind in _KIND_PRIORITY:
        if kind in kinds and kind != DEFAULT_ESCALATE_KIND:
            return kind
    if kinds:
        return kinds[0]
    # Only the nearest example requests point to staff: their kind describes *them*, not this
    # question (a question about a general deadline was told it was about "the finances of your
    # organisation"), so the reason stays neutral.
    return _NEUTRAL_ESCALATE_KIND if knn["top_route"] == ESCALATE else DEFAULT_ESCALATE_KIND


def unanswered(decision: RouteDecision) -> RouteDecision:
    """Turn an *answer* decision into an escalation when no source passage answers the question.

    Retrieval may find passages on the subject ("de Trefdag") that do not hold
    what is asked ("hoeveel deelnemers in 2022"): the answerer then finds no
    figure or no passage for that year.  Staff can still help, as with weak
    evidence.
    """
    if decision.route != ANSWER:
        return decision
    signals = {**decision.signals, "kind": "geen_bron", "rule": "geen_antwoord_in_bron"}
    return RouteDecision(ESCALATE, ESCALATE_REASONS["geen_bron"], decision.topic, signals)
