"""How a chosen sentence grows into the stretch that is quoted.

The best sentence often needs the one after it: the key fact (a name, a number, a
verdict) follows in the next sentence, a way goes on with its next step, a list
told in running text continues in sentences that each carry one item.  Every
stretch stays one contiguous piece of one page, within about 80 words.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..query.model import AnswerKind, Query
from . import signals
from .candidates import MAX_WORDS, Candidate
from .forms import norm
from .passage import Element, ElementKind, boilerplate, whole_sentence

if TYPE_CHECKING:
    from ..index.snapshots import Snapshot


def follow_on(query: Query, chosen: list[Candidate], snapshot: Snapshot, budget: int = MAX_WORDS) -> None:
    """Extend the best sentences with the next one when that one carries the answer on.

    Measured on the gold set: the key fact (a name, a number, a verdict) sits in the
    sentence after the best-matching one in a quarter of the misses ("... ons
    CRM-systeem." + "Tegelijkertijd ... ODOO (CRM).").  The quote stays one
    contiguous stretch of one page and the answer within about 80 words.
    """
    words = sum(c.words for c in chosen)
    analyzer = snapshot.lexical.analyzer
    if query.kind is AnswerKind.LIST:
        for cand in chosen:
            if cand.element.kind is ElementKind.SENTENCE and _prose_enumeration(cand, query):
                chosen[:] = [cand]  # the enumeration is the answer
                return
    # A way is often told in steps ("Net als ... kan je met een afsprakenkader ..." + "Vervolgens kan je ..."):
    # for "hoe" the stretch may go on by up to two sentences that take it further ("Het jaar nadien steken ze
    # meer bewust een dramaturgie in ..." + "Ze beperken zich nu tot vier mails ...").
    steps = 3 if query.kind is AnswerKind.WAY else 1
    for cand in chosen[:2]:
        if cand.element.kind is not ElementKind.SENTENCE:
            continue
        for step in range(steps):
            last = cand.stretch[-1]
            nxt = cand.passage.after(last)
            if nxt is None or nxt.kind is not ElementKind.SENTENCE or not whole_sentence(nxt.text):
                break
            said = [norm(c.text) for c in chosen]
            if any(norm(nxt.text) in t for t in said) or norm(nxt.text) in boilerplate(snapshot.memo, snapshot.chunks):
                break
            if signals.signposts(nxt.text):
                break  # "Op deze pagina lees je hoe dat verloopt ...": announces, tells nothing
            n = len(nxt.text.split())
            if words + n > budget or not cand.passage.same_page(cand.element, nxt):
                break
            shares = bool(set(analyzer.terms(nxt.text)) & set(query.terms))
            way = steps > 1 and (signals.states_means(nxt.text) or signals.advises(nxt.text))
            if step == 0:
                carries = signals.leans_back(nxt.text) or shares or bool(_TURN.search(nxt.text)) or way
            else:
                carries = signals.next_step(nxt.text) or way or bool(_SAME_SUBJECT.search(nxt.text))
            if not carries:
                break
            cand.after = (*cand.after, nxt)
            words += n


#: A sentence that says how what was just said turned out ("Helaas heeft niemand ...", "Na grondig nadenken,
#: besloten we ...").
_TURN = re.compile(
    r"^(?:helaas|jammer genoeg|uiteindelijk|toch|maar|niettemin|desondanks|nadien|achteraf|"
    r"na (?:grondig|lang|rijp|veel) \w+|tot (?:onze )?(?:spijt|verrassing))\b",
    re.IGNORECASE,
)
#: A sentence whose subject is the one of the sentence before ("Ze beperken zich nu tot vier mails ..."): the
#: same story goes on.
_SAME_SUBJECT = re.compile(r"^(?:ze|zij|hij)\b", re.IGNORECASE)
#: A sentence that carries one item of an enumeration in running text ("In een eerste traject ...",
#: "Met een tweede ...", "Ten slotte ...").
_ORDINAL = re.compile(
    r"^(?:(?:in|met|via|als|voor|bij|op)\s+)?(?:een|het|de)?\s*"
    r"(?:eerste|tweede|derde|vierde|vijfde|zesde|laatste|volgende)\b|^ten\s+(?:eerste|tweede|derde|slotte)\b",
    re.IGNORECASE,
)


def _prose_enumeration(cand: Candidate, query: Query) -> bool:
    """A list asked, a sentence found that announces it: add the sentences that enumerate it.

    Reports often enumerate in running text ("We kiezen voor drie trajecten. In een eerste
    traject ... Met een tweede traject ... In een laatste traject ..."); the list is those
    sentences, as many as the question or the sentence counts, all from the same page.
    """
    limit = query.expected_count or 6
    last = cand.stretch[-1]
    found: list[Element] = []
    while len(found) < limit:
        nxt = cand.passage.after(last)
        if nxt is None or nxt.kind is not ElementKind.SENTENCE or not cand.passage.same_page(cand.element, nxt):
            break
        if not _ORDINAL.search(nxt.text.strip()):
            break
        found.append(nxt)
        last = nxt
    if len(found) < 2:
        return False
    cand.after = (*cand.after, *found)
    return True
