"""Where the question's named subject stands: the passage answered from must be about it.

"Hoeveel deelnemers had de Trefdag in Gent?" is not answered by the Trefdag in Mechelen although "Gent"
is somewhere in the retrieved hits: the names of the question must be in the document section of a
passage answered from (its text, heading and title) or in the chunk either side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..query.model import Query
from ..text.analysis import Analyzer, fold, words
from .forms import norm, word_set

if TYPE_CHECKING:
    from ..index.snapshots import Snapshot
    from ..ingestion.chunking import Chunk


def is_specific(entity: str) -> bool:
    """A name worth checking: not the organisation itself, a region or a generic capitalised word."""
    f = fold(entity)
    return f not in _GENERIC and len(f) >= 4 and "socius" not in f.split()


_GENERIC = frozenset(
    [
        "vlaanderen",
        "vlaams",
        "vlaamse",
        "brussel",
        "belgie",
        "europa",
        "europese",
        "nederland",
        "nederlands",
        "engels",
        "frans",
        "nl",
        "be",
        "covid",
        "corona",
        "decreet",
        "jaarverslag",
        "toolbox",
    ]
)


def named_subject(query: Query) -> list[str]:
    """The names of the question's subject worth finding where the answer stands."""
    return [e for e in query.entities if is_specific(e) and not _abbreviation(e)]


def subject_near(named: list[str], chunk: Chunk, snapshot: Snapshot) -> bool:
    """Are all the names in the chunk's document section (text, heading, title) or the chunk either side?"""
    sections, near = _section_texts(snapshot)
    texts = [sections[(chunk.doc_id, chunk.section)]]
    texts += [near[(chunk.doc_id, o)] for o in (chunk.ordinal - 1, chunk.ordinal + 1) if (chunk.doc_id, o) in near]
    folded = " ".join(t[0] for t in texts)
    seen = frozenset().union(*(t[1] for t in texts))
    return all(_named_in(e, folded, seen, snapshot.lexical.analyzer) for e in named)


Scope = tuple[str, frozenset[str]]


def _section_texts(snapshot: Snapshot) -> tuple[dict[tuple[str, str], Scope], dict[tuple[str, int], Scope]]:
    """Per document section, and per chunk by its position: the normalised text with section and title, and
    its words.  Built once per snapshot."""
    cached = snapshot.memo.get("section_texts")
    if not isinstance(cached, tuple):
        parts: dict[tuple[str, str], list[str]] = {}
        near: dict[tuple[str, int], Scope] = {}
        for chunk in snapshot.chunks:
            text = f"{chunk.text} {chunk.section} {chunk.title}"
            parts.setdefault((chunk.doc_id, chunk.section), []).append(text)
            near[(chunk.doc_id, chunk.ordinal)] = (norm(text), word_set(text))
        sections = {k: (norm(" ".join(v)), word_set(" ".join(v))) for k, v in parts.items()}
        cached = snapshot.memo["section_texts"] = (sections, near)
    return cached


def _named_in(entity: str, folded: str, seen: frozenset[str], analyzer: Analyzer) -> bool:
    """Is a name in a text: each of its words as a word ("Gent" is not in "agentschap"), a long word also inside
    a longer one ("Trefdagsite"), or the parts of a compound."""
    for word in words(entity):
        if word in seen or (len(word) >= 6 and word in folded):
            continue
        parts = analyzer.split_compound(word)
        if not parts or not all(p in seen or (len(p) >= 6 and p in folded) for p in parts):
            return False
    return True


def _abbreviation(entity: str) -> bool:
    """An abbreviation ("SCvW", "VTE"): the publications often write it out, so it is no name to look for."""
    return " " not in entity and len(entity) <= 6 and sum(ch.isupper() for ch in entity) >= 2


#: "Wie is de voorzitter van ...?", "wie was de coördinator": the role whose holder is asked.
ROLE_ASKED = re.compile(r"wie (?:is|was|zijn|waren) (?:nu |momenteel |eigenlijk )?(?:de|het) (\w{5,})")


@dataclass(frozen=True)
class RoleAsked:
    """A role asked of an organisation: "Wie is de directeur van Socius?" (Socius by default)."""

    #: The role, folded ("directeur", "coordinator").
    role: str
    #: The folded words of the organisation it is asked of ("socius"; "avansa", "oost", "brabant").
    of: frozenset[str]


def role_asked(query: Query) -> RoleAsked | None:
    """The role a person question asks of an organisation: the one it names ("van Avansa Oost-Brabant", "in het
    Dagelijks Bestuur van Socius"), Socius when it names none ("Wie is jullie directeur?").  None when the role is
    asked of something that is no organisation's name ("de coördinator van het project") or of what an earlier
    turn was about (a follow-up without a name).

    Socius itself always counts as asked: the publications are its own, and a role "van Socius" is never that of
    another organisation for them (its bodies, "het Dagelijks Bestuur", are part of it).
    """
    m = _ROLE_QUESTION.match(query.text)
    if m is None or not (m.group("article") or _PERSON_NOUN.search(fold(m.group("role")))):
        return None
    of = m.group("of") or ""
    said = words(of)
    if of.strip():
        named = bool(_ORG_NAME.search(of)) or "socius" in said or bool(_OURS & set(said))
        if not named:
            return None
    elif query.is_follow_up:
        return None
    return RoleAsked(fold(m.group("role")), frozenset(said) - _NOT_NAMES - _OURS | {"socius"})


def gives_role_elsewhere(text: str, asked: RoleAsked) -> bool:
    """Does ``text`` give the asked role explicitly for another named organisation ("Martin De Loose, directeur
    van Neos vzw, ...", "coördinator bij Vormingplus ...") and never for the one asked?"""
    elsewhere = False
    for m in _ROLE_OF.finditer(text):
        role = fold(m.group("role"))
        if not role.startswith(asked.role[:_ROLE_PREFIX]):
            continue
        org = {fold(w) for w in words(m.group("org"))} - _NOT_NAMES
        if org & asked.of:
            return False  # the role is given for the organisation asked
        # "voorzitter van het Dagelijks Bestuur": a body of the organisation spoken of, not another one.
        elsewhere = elsewhere or bool(org - _BODIES)
    return elsewhere


#: "Wie is de directeur van Socius?", "Wie was voorzitter van het Dagelijks Bestuur?", "Wie is jullie directeur?"
_ROLE_QUESTION = re.compile(
    r"^\W*(?:en\s+)?wie\s+(?:is|was|zijn|waren)\s+(?:er\s+)?(?:(?:nu|momenteel|eigenlijk|vandaag|op dit moment)\s+)?"
    r"(?P<article>(?:de|het|jullie|uw|je|onze|hun)\s+)?(?P<role>[^\W\d_]{5,})"
    r"(?:\s+(?:van|bij|binnen|in)\s+(?P<of>[^?]+?))?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
#: A noun for a person by what they do ("voorzitter", "directeur", "coördinator", "secretaris", "penningmeester").
_PERSON_NOUN = re.compile(r"(?:er|eur|or|ster|ris|ant|ent|ist|ier|ice)s?$")
#: The capitalised words of a name ("Avansa Oost-Brabant", "het Dagelijks Bestuur van Socius").
_ORG_NAME = re.compile(r"\b[A-Z][\w'’&-]*")
#: A role given for a named organisation: "directeur van Neos vzw", "coördinator bij de vzw Vormingplus Oost".
_ROLE_OF = re.compile(
    r"\b(?P<role>[^\W\d_]{4,})\s+(?:van|bij|binnen)\s+(?:(?:de|het)\s+)?(?:vzw\s+)?"
    r"(?P<org>[A-Z][\w'’&-]*(?:\s+[A-Z0-9][\w'’&-]*)*)"
)
#: Roles match by their start: "directeur" / "directrice" / "directie", "coördinator" / "coördinatoren".
_ROLE_PREFIX = 6
#: Words in a name that do not tell one organisation from another.
_NOT_NAMES = frozenset(["vzw", "de", "het", "van", "bij", "in", "en"])
#: The words that name a body of an organisation ("Dagelijks Bestuur", "Algemene Vergadering"), not another one.
_BODIES = frozenset(
    [
        "dagelijks",
        "bestuur",
        "bestuursorgaan",
        "raad",
        "algemene",
        "vergadering",
        "commissie",
        "werkgroep",
        "stuurgroep",
    ]
)
#: "Wie is jullie directeur?", "... bij ons": Socius.
_OURS = frozenset(["jullie", "ons", "onze", "uw", "u"])


__all__ = [
    "ROLE_ASKED",
    "RoleAsked",
    "gives_role_elsewhere",
    "is_specific",
    "named_subject",
    "role_asked",
    "subject_near",
]
