"""Scoring answer candidates from their named features.

Two scorers: the hand-set rules (:class:`HandScorer`) and, per kind of question, a
learned correction of them (:class:`KindScorer`, ``data/scorer.json``, written by
``python -m evals train-scorer`` only for the kinds where it beats the hand-set rules
on question sets it was not trained on; never trained on the blind sets).
:func:`default_scorer` takes the learned one when it exists.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from ..errors import ConfigError

SCORER_FILE = Path(__file__).resolve().parent / "data" / "scorer.json"


class Scorer(Protocol):
    """Scores one answer candidate from its named features (higher is better)."""

    def score(self, features: Mapping[str, float]) -> float: ...


class HandScorer:
    """The hand-set rules: coverage of the question, times how well the shape fits the kind asked.

    A factor, not a bonus: an element of the right shape that covers little of the
    question (another list on the same page) must not beat the sentence that
    answers it.  The default: learned corrections per kind (hoe, waarom, definitie) did not
    beat it on held-out question sets (``python -m evals train-scorer``, leave one set out,
    2026-12-03: hoe 0.586 -> 0.605, waarom 0.838 -> 0.811, definitie 0.886 -> 0.862; the hoe
    model, trained on all sets, lost on both blind sets).
    """

    def score(self, features: Mapping[str, float]) -> float:
        f = features.get
        # A table cell reads with its title (0.6); a sentence with its section heading (0.5).
        base = f("cov", 0.0) + (0.6 if f("is_cell") else 0.5) * f("cov_ctx", 0.0) + 0.25 * f("cov_label", 0.0)
        fit = 1.0
        structured = f("is_list", 0.0) or f("is_table", 0.0)
        if f("q_list"):
            if structured and f("n_items", 1.0) * 20 < 2:
                fit = 1.0  # one bullet is no list ("• Krachtlijn 1: digitale community" cut from the rest)
            elif structured:
                fit = 1.9 if f("count_match") else 0.9 if f("count_mismatch") else 1.6
                # What the list is, said in its lead-in or heading, counts next to its items.
                base += 0.25 * f("cov_lead", 0.0)
                if f("cov_lead", 0.0) < 0.15 and f("item_cov", 0.0) >= 0.8 * f("cov", 0.0) > 0:
                    fit *= 0.7  # one item names the subject: a list of something else
                if f("focus_in_lead"):
                    fit *= 1.3  # the list of the things asked for ("Welke functies ..." under "De vier functies")
                elif f("focus_known"):
                    fit *= 0.75  # a list of something else ("twee activiteiten" for "welke organisaties")
            elif f("list_q_enumeration"):
                fit = 1.25
        elif structured:
            if f("q_definition"):
                fit = 1.3 if f("focus_in_lead") or f("def_q_term_defined") else 0.7  # not any list on the page
            elif f("q_way"):
                fit = 1.7 if f("way_q_procedure") else 1.1  # the steps, not any list on the subject
                # One way is asked: a list answers by one of its items or by what its lead-in names ("De
                # stappen van de toolbox"), not by words scattered over its items ("mensen" in one tip,
                # "online" in another); never by more than the list itself says (its section heading counts
                # once, as its context).
                own = min(f("cov", 0.0), max(f("item_cov", 0.0), f("cov_lead", 0.0)))
                base = own + 0.5 * f("cov_ctx", 0.0)
            elif f("q_person"):
                # A list of people (with their roles: "Voorzitter | Stef Steyaert"), not a list of titles.
                fit = (1.1 + 0.1 * f("person_q_role", 0.0)) if f("person_q_roster") else 0.6
                if f("person_q_roster") and f("person_q_titled"):
                    # Its title says what is asked ("In- en uitdiensttredingen" for "Wie verliet ...?"): the title
                    # counts once more, as a list's lead-in does, and the people under it are the answer.
                    base += f("cov_lead", 0.0)
                    fit *= 1.5
            else:
                fit = 0.8
        elif f("q_reason"):
            fit = 1.3 if f("reason_q_reason") else 1.0
            if f("reason_q_back"):
                # A reason that points back ("Dat heeft alles te maken met ...") is read with what it explains:
                # the question's words are in the sentence before it.
                base = max(base, f("cov_window", 0.0) + 0.5 * f("cov_ctx", 0.0))
        elif f("q_definition"):
            if f("def_q_other") and not f("def_q_term_defined"):
                fit = 0.7  # "Met community bedoelt Socius ..." defines something else than asked
            else:
                fit = 1.7 if f("def_q_term_defined") else 1.3 if f("def_q_defines") else 1.0
        elif f("q_way"):
            # Advice in the imperative, then a means or step ("via", "door ... te", "kan je"), then any sentence.
            fit = 1.3 if f("way_q_advice") else 1.2 if f("way_q_means") else 1.05 if f("way_q_way") else 0.95
            if f("way_q_advice") or f("way_q_means"):
                # The advice after the sentence that states the problem is read with it.
                base = max(base, 0.8 * f("cov_window", 0.0) + 0.5 * f("cov_ctx", 0.0))
        elif f("q_person"):
            # A name the question does not give, better still with what that one did ("in handen van").
            fit = (1.15 + 0.15 * f("person_q_role", 0.0)) if f("person_q_name") else 0.85
        elif f("q_place"):
            fit = (1.15 + 0.1 * f("place_q_focus", 0.0)) if f("place_q_place") else 0.9
        elif f("q_fact") and f("fact_q_title"):
            fit = 1.3  # "Hoe heet de campagne?": the sentence that gives the name
        elif f("q_fact") and f("fact_q_focus"):
            fit = 1.15 if f("fact_q_name") else 1.0  # "Met welke tool ...?" is answered by a name, not a figure
        elif f("q_moment"):
            fit = 1.25 if f("moment_q_day") else 1.0  # "5 december" answers "wanneer" better than "eind 2023"
        elif f("q_figure"):
            fit = (
                (1.15 if f("is_cell") else 1.0) + 0.3 * f("figure_q_qualifier", 0.0) + 0.6 * f("figure_q_next_to", 0.0)
            )
            if f("figure_q_has_qualifier") and not f("figure_q_next_to") and not f("is_cell"):
                fit *= 0.75  # a figure that counts something else than asked ("twee sporen" for "hoeveel vragen")
            if f("figure_q_percent"):
                fit *= 1.2 if f("figure_q_percent", 0.0) > 0 else 0.8
        if f("person_q_elsewhere"):
            fit *= 0.5  # "directeur van Neos vzw" names the director of another organisation than the one asked
        if structured and f("long_items") and not f("q_list"):
            fit *= 0.6  # a list of paragraphs is a long text, not the short answer to one question
        if f("names_asked") and not structured:
            fit *= 1.3 if f("names_given") else 0.8  # "Welke onderzoekers ...?": the sentence that names them
        if f("defines_quoted"):
            fit *= 1.25  # "Wie valt er onder 'community'?": "Met community bedoelt Socius leden, ..."
        if f("judgement_q"):
            fit *= 1.25 if f("judgement_q_verdict") else 0.9  # the verdict, not the visit it was given on
        if f("answers_echo"):
            fit *= 1.3  # the source asks itself the question ("Waarom Kroatië? Het boek ...")
        if f("follow_up_own", 1.0) < 0.25:
            fit *= 0.7  # a follow-up's own words ("Bestaan daar ook screencasts over?") go unanswered
        if f("figure_q_total"):
            fit *= 1.4  # "Hoeveel abonnees samen?": the row "Totaal"
        elif f("figure_q_unnamed_total"):
            fit *= 1.25  # no row named by the question: its total
        if f("figure_q_only_percent"):
            fit *= 0.65  # a share answers no "hoeveel" count
        if f("extreme"):
            fit *= 1.6  # "het grootste ...", "in welk jaar het meest": the largest figure of its column
        score = base * fit + 0.12 * f("rank_inv", 0.0)
        if f("short"):
            score *= 0.5  # headings and fragments say little on their own
        if f("is_question"):
            score *= 0.4  # a question in the source ("Op welke pijlers zet jouw organisatie in?") answers nothing
        if f("signpost"):
            score *= 0.6  # "Op deze pagina lees je hoe ...": announces the answer, does not give it
        if f("echo") and not f("is_cell"):
            score *= 0.6  # a sentence that only repeats the question's words answers nothing
        return score


@dataclass(frozen=True)
class LinearScorer:
    """``score = bias + sum(weight[f] * value[f])``; unknown features weigh 0."""

    weights: Mapping[str, float]
    bias: float = 0.0
    about: Mapping[str, Any] = field(default_factory=dict)

    def score(self, features: Mapping[str, float]) -> float:
        return self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())


#: The features a learned model may correct the hand-set score by (``python -m evals train-scorer``).
LEARNED_FEATURES: tuple[str, ...] = (
    "cov",
    "cov_ctx",
    "cov_gap",
    "all_gap",
    "best_cov",
    "cov_window",
    "cov_lead",
    "item_cov",
    "rank_inv",
    "words",
    "short",
    "echo",
    "new_terms",
    "anaphor_start",
    "first_in_passage",
    "with_next",
    "with_before",
    "is_list",
    "is_table",
    "is_question",
    "signpost",
    "answers_echo",
    "focus_in_lead",
    "reason_q_reason",
    "reason_q_back",
    "def_q_defines",
    "def_q_other",
    "def_q_term_defined",
    "way_q_way",
    "way_q_means",
    "way_q_advice",
    "way_q_procedure",
)


@dataclass(frozen=True)
class KindScorer:
    """Per kind of question a learned correction of the hand-set score; the hand-set rules for the others.

    For a candidate of a kind with a model (its ``q_<kind>`` feature set): ``score = hand ** a *
    exp(sum(w[f] * value[f]))``, ``a`` the weight named ``hand``.  Multiplying keeps the scale of the
    hand-set scores, which the composer compares further candidates against (``0.75 * best``).
    Tiny by design: a few weights per kind, loaded once by the answerer that owns it.
    """

    models: Mapping[str, LinearScorer]
    hand: HandScorer = field(default_factory=HandScorer)
    about: Mapping[str, Any] = field(default_factory=dict)

    #: Hand-set scores below this count as this (the log of a score).
    FLOOR: ClassVar[float] = 1e-3

    def score(self, features: Mapping[str, float]) -> float:
        hand = self.hand.score(features)
        for kind, model in self.models.items():
            if features.get(kind):
                w = model.weights
                z = w.get("hand", 1.0) * math.log(max(hand, self.FLOOR)) + model.bias
                z += sum(weight * features.get(name, 0.0) for name, weight in w.items() if name != "hand")
                return math.exp(max(-30.0, min(30.0, z)))
        return hand

    @classmethod
    def load(cls, path: Path = SCORER_FILE) -> KindScorer:
        """The learned models of ``path``."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            models = {
                kind: LinearScorer({str(n): float(v) for n, v in m["weights"].items()}, float(m.get("bias", 0.0)))
                for kind, m in data["models"].items()
            }
            return cls(models, about=dict(data.get("about", {})))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise ConfigError(
                f"de antwoordscorer {path} is onleesbaar ({type(err).__name__}); "
                "train hem opnieuw met `python -m evals train-scorer` of verwijder hem om de vaste gewichten te gebruiken."
            ) from err

    def save(self, path: Path = SCORER_FILE) -> None:
        """Write the models (weights sorted, rounded, for readable diffs)."""
        models = {
            kind: {"bias": round(m.bias, 4), "weights": {n: round(v, 4) for n, v in sorted(m.weights.items())}}
            for kind, m in sorted(self.models.items())
        }
        data = {"about": dict(self.about), "models": models}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def default_scorer(path: Path = SCORER_FILE) -> Scorer:
    """The learned per-kind scorer when training kept one, else the hand-set rules."""
    return KindScorer.load(path) if path.exists() else HandScorer()
