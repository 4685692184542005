"""Words that say nothing about what a question is about: function words and the frame of a question."""

from __future__ import annotations

from functools import lru_cache

#: Above this Zipf frequency a word is a function word of general Dutch ("heeft" 6.6, "wordt" 6.4).
FUNCTION_ZIPF = 5.9
#: Conjunctions and adverbs that the stopword list leaves in but that say nothing about a topic.
FUNCTION_WORDS = frozenset(
    # ... and interjections that open a chat turn ("Oké. En wanneer ...?"): they say nothing about a topic.
    [
        "aangezien",
        "terwijl",
        "hoewel",
        "zodat",
        "indien",
        "nadat",
        "voordat",
        "doordat",
        "alsof",
        "tenzij",
        "zoals",
        "ofwel",
        "noch",
        "echter",
        "daarom",
        "daarna",
        "eerst",
        "vooral",
        "gewoon",
        "eigenlijk",
        "misschien",
        "ongeveer",
        "ergens",
        "iets",
        "altijd",
        "vaak",
        "soms",
        "oke",
        "okay",
        "oké",
        "per",
        "bedankt",
        "merci",
        "hallo",
        "goeiedag",
        "goedendag",
        "dankjewel",
        "dankuwel",
    ]
)


#: Words that frame what kind of answer is asked ("Om welke *reden* ...", "op welke *datum*", "welk
#: *document*"), not its subject: the publications may never use them and still answer the question.
FRAME_WORDS = frozenset(
    [
        "reden",
        "redenen",
        "manier",
        "manieren",
        "wijze",
        "datum",
        "data",
        "document",
        "documenten",
        "soort",
        "soorten",
        "type",
        "types",
        "aantal",
        "bedrag",
        "naam",
        "namen",
        "titel",
        "voorbeeld",
        "voorbeelden",
        "overzicht",
        "lijst",
        "stuk",
        "deel",
        "onderdeel",
        "onderdelen",
        "vorm",
        "vormen",
    ]
)


@lru_cache(maxsize=20_000)
def general_zipf(word: str) -> float:
    """Zipf frequency of a (folded) word in general Dutch, per ``wordfreq`` (0 = unknown, 7 = most common)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "nl"))
