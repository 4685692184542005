"""Load: 20 concurrent chat sessions against the real app, each keeping its own conversation.

One server (``python app.py``) is started for the module on 127.0.0.1 with a free
port, a temporary SQLite database and staff file, and the project's index
(``ASSISTANT_INDEX`` or ``index/``, built by ``make``).  Twenty sessions then ask
three questions each at the same time: a question on their own topic, an elliptic
follow-up ("Hoeveel dagen zijn ze daar gebleven?") that can only be answered from
that session's history, and an unrelated third question.

How the sessions talk to the app.  The chat events are ``api_visibility="private"``
(see assistant/web_chat.py): they are not in ``/gradio_api/info`` and
``gradio_client`` refuses them on the client side (``Client.predict(fn_index=1)``
raises ``ValueError: Invalid function index``; its ``Endpoint.is_valid`` is False
for private dependencies).  So each session speaks the same queue protocol as the
browser: ``POST /gradio_api/queue/join`` with the ``fn_index`` of the "Vraag
stellen" click (looked up in ``/config``) and its own ``session_hash``, then reads
the server-sent events of ``GET /gradio_api/queue/data`` until its
``process_completed``.  The conversation state (``gr.State``) stays on the server
per ``session_hash``, exactly as for a browser tab.

What is checked.  First every session's script runs alone, one session at a time
(the *solo* answers; it also warms the server up).  The answers are deterministic
(extractive, no LLM), so under load every turn must give exactly the solo answer
for the same history; the follow-up answers must name their own topic; the
conversation the server shows each session must hold only that session's
questions.  A follow-up answered with another session's history, a lost history,
an error or a turn that never finishes fails the test.  The figures (throughput,
latency p50/p95 per turn) land in ``test-output/load/report.json``.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import pytest
from chat_client import ChatEvent, ChatSession, Turn, answer_body, chat_event, plain
from conftest import app_env, free_port, running_app, tail_log

from assistant.index.embedders import slug
from assistant.settings import PROJECT_ROOT, load_settings

pytestmark = pytest.mark.load

OUT = PROJECT_ROOT / "test-output" / "load"
#: The whole load phase (20 sessions x 3 turns) must finish within this; not a speed target.
LOAD_TIMEOUT_S = 600
#: Of the 20 follow-ups, at least this many must get another answer without their history;
#: otherwise the script no longer tests history isolation and needs other follow-ups.
MIN_HISTORY_SENSITIVE = 15


@dataclass(frozen=True)
class Script:
    """One session: a question on its topic, an elliptic follow-up, an unrelated question."""

    topic: str
    first: str
    follow_up: str
    third: str
    #: Must appear (case-insensitive) in the first answer, and in the follow-up's answer unless
    #: ``follow_marker`` names what that one must say (the follow-up's own fact).
    marker: str
    follow_marker: str | None = None

    @property
    def questions(self) -> tuple[str, str, str]:
        return (self.first, self.follow_up, self.third)


SCRIPTS: tuple[Script, ...] = (
    Script(
        "trefdag",
        "Waar ging de Trefdag 2023 door?",
        "En hoeveel sprekers waren er die dag?",
        "Welk instrument van Unia wordt aangeraden om diverse medewerkers aan te trekken?",
        "Trefdag",
        "sprekers",
    ),
    Script(
        "leerreis",
        "Waar ging de internationale leerreis van Socius in 2023 naartoe?",
        "Hoeveel dagen zijn ze daar gebleven?",
        "Naar welk gebouw verhuist het team van Socius in maart 2024?",
        "Zagreb",
    ),
    Script(
        "website",
        "Hoeveel bezoekers had socius.be in 2023?",
        "En hoeveel bezoeken waren dat?",
        "In welke raad van de Vlaamse Onderwijsraad heeft Socius een zitje?",
        "150.075",
        "173.023",
    ),
    Script(
        "toolbox",
        "Wat is de Toolbox beleidsplanning van Socius?",
        "Uit hoeveel stappen bestaat die?",
        "Met welke tool volgt Socius sinds 2023 het bezoek aan zijn websites op?",
        "Toolbox",
    ),
    Script(
        "overleg",
        "Aan hoeveel overlegmomenten nam Socius deel in 2023?",
        "Met welk soort actoren was dat het vaakst?",
        "In welke Europese netwerken rond volwassenenleren is Socius actief?",
        "overlegmomenten",
    ),
    Script(
        "aanbod",
        "Hoeveel activiteiten telde het ondersteuningsaanbod in 2023?",
        "Hoeveel daarvan waren online?",
        "Op welke datum werd de publicatie over verenigingsdemocratie voorgesteld?",
        "ondersteuningsaanbod",
    ),
    Script(
        "arbeidsmarkt",
        "Welk nieuw onderzoek laat Socius in 2024 uitvoeren?",
        "En wie gaat dat uitvoeren?",
        "Binnen welk Vlaams platform trekt Socius het speerpunt rond politiserend werken?",
        "arbeidsmarkt",
    ),
    Script(
        "deelnemers",
        "Hoeveel unieke deelnemers haalde het vormingsaanbod in 2023?",
        "Hoeveel daarvan kwamen uit erkende organisaties?",
        "Wat zijn de vier decretale kernopdrachten van Socius als steunpunt?",
        "unieke deelnemers",
    ),
    Script(
        "mailinglijsten",
        "Hoeveel abonnees tellen de mailinglijsten van Socius samen?",
        "En hoeveel daarvan zijn er voor Diversiteit?",
        "Rond welke drie thema's lopen de meerjarige ontwikkeltrajecten van Socius?",
        "3.977",
        "1.997",
    ),
    Script(
        "tevredenheid",
        "Wat was het gemiddelde tevredenheidscijfer van het vormingsaanbod?",
        "En hoe hoog lag de net promotor score?",
        "Welke nieuwe themasites of kennisomgevingen kwamen er in 2023 bij op socius.be?",
        "tevredenheidscijfer",
    ),
    Script(
        "visitatie",
        "Wanneer kwam de visitatiecommissie langs bij Socius?",
        "Wie zat er in die commissie?",
        "Naar welke stad trok het Socius-team op 23 mei voor een inspiratiedag rond de cultuurfunctie?",
        "visitatiecommissie",
    ),
    Script(
        "decreet",
        "Wanneer werd het nieuwe decreet sociaal-cultureel volwassenenwerk bekrachtigd?",
        "Tegen wanneer moet de subsidieaanvraag binnen zijn?",
        "Welk percentage van de uitgaven ging naar overhead?",
        "decreet",
    ),
    Script(
        "wegwijs",
        "Welke Wegwijs had Socius al sinds 2022?",
        "Welke kwamen daar in 2023 bij?",
        "Met welk kenniscentrum werkte Socius samen voor het webinar over citizen science?",
        "Wegwijs",
    ),
    Script(
        "crm",
        "Welk CRM-systeem gebruikt Socius voor zijn klantopvolging?",
        "Sinds wanneer?",
        "Hoeveel bedroeg de tegemoetkoming van Socius voor het postgraduaat Politisering in het sociaal werk?",
        "CRM",
    ),
    Script(
        "digitalisering",
        "Hoeveel mensen en organisaties deden mee aan de workshops over digitalisering van Socius en De Federatie?",
        "Aan wie hebben ze hun voorstellen bezorgd?",
        "Waarom zijn er in 2023 een aantal vormingen van Socius niet doorgegaan?",
        "De Federatie",
    ),
    Script(
        "directeur",
        "Wie is de directeur van Socius?",
        "En wie is de voorzitter?",
        "Welke sessies over Europese financieringsprogramma's stonden er in 2023 op het programma?",
        "Fred Dhont",
        "Stef Steyaert",
    ),
    Script(
        "campagne",
        "Hoe heet de campagne waarmee Socius in januari 2024 van start ging?",
        "Waarover gaat die campagne?",
        "Hoeveel zelfstandige initiatieven van mensen met migratieroots worden door etnisch-culturele federaties "
        "ondersteund?",
        "campagne",
    ),
    Script(
        "sankaa",
        "Welke organisatie deed onderzoek naar discriminatie van mensen met Afrikaanse roots?",
        "Welke methode gebruikten ze?",
        "Wat is een burgerinitiatief?",
        "Sankaa",
    ),
    Script(
        "hulpvragen",
        "Hoeveel hulpvragen kreeg de vraaggestuurde werking van de secundaire doelgroep?",
        "En hoeveel daarvan werden opgenomen?",
        "Hoeveel deelnemers waren er op de Trefdag 2023?",
        "secundaire doelgroep",
    ),
    Script(
        "actorschap",
        "Wie deed het onderzoek naar de waarde en betekenis van civiel sociaal-cultureel actorschap?",
        "Wanneer hebben ze hun resultaten voorgesteld?",
        "Hoeveel verhalen verzamelde Sankaa met zijn luisteronderzoek?",
        "onderzoek",
    ),
)
TURNS = 3


# --------------------------------------------------------------------------- the server


@dataclass
class Server:
    base: str
    log: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``python app.py`` on 127.0.0.1:<free port>; terminated (then killed) when the module ends."""
    settings = load_settings()
    if not (Path(settings.index_dir) / slug(settings.embedder) / "CURRENT").exists():
        pytest.fail(f"no index at {settings.index_dir} ({settings.embedder}); build it with `make index`")
    tmp = tmp_path_factory.mktemp("load")
    log = tmp / "app.log"
    with running_app(app_env(tmp, free_port()), log) as base:
        yield Server(base=base, log=log)


def client_address(script: Script) -> str:
    """Each session connects from its own loopback address, as each visitor of a crowd has its own
    (the app limits chat turns per client address)."""
    return f"127.0.0.{40 + SCRIPTS.index(script)}"


def run_script(base: str, event: ChatEvent, script: Script, start: threading.Barrier | None = None) -> list[Turn]:
    with ChatSession(base, event, client_address(script)) as session:
        if start is not None:
            start.wait(timeout=60)
        return [session.ask(q) for q in script.questions]


def turn_problems(script: Script, turns: list[Turn], solo: list[Turn] | None) -> list[str]:
    """Everything wrong with one session's turns (empty when all is well)."""
    problems: list[str] = []
    if len(turns) != TURNS:
        return [f"{script.topic}: {len(turns)} turns instead of {TURNS}"]
    for i, turn in enumerate(turns):
        where = f"{script.topic} turn {i + 1} ({turn.question!r})"
        if "vb-done" not in turn.answer_html:
            problems.append(f"{where}: no final answer: {turn.answer_html[:200]!r}")
        if "vb-error" in turn.notice:
            problems.append(f"{where}: error notice {plain(turn.notice)!r}")
        # The conversation the server keeps for this session holds only this session's questions.
        if turn.user_messages != list(script.questions[: i + 1]) or turn.n_messages != 2 * (i + 1):
            problems.append(f"{where}: the session's conversation is {turn.user_messages} ({turn.n_messages} messages)")
        if solo is not None and turn.answer_html != solo[i].answer_html:
            problems.append(
                f"{where}: answer differs from the answer alone:\n  under load: {answer_body(turn.answer_html)[:300]}"
                f"\n  alone:      {answer_body(solo[i].answer_html)[:300]}"
            )
    for i, marker in enumerate((script.marker, script.follow_marker or script.marker)):
        if marker.lower() not in answer_body(turns[i].answer_html).lower():
            problems.append(
                f"{script.topic} turn {i + 1}: answer does not mention {marker!r}: "
                f"{answer_body(turns[i].answer_html)[:300]}"
            )
    return problems


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _ms(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "p50": round(percentile(values, 50) * 1000, 1),
        "p95": round(percentile(values, 95) * 1000, 1),
        "max": round(max(values) * 1000, 1),
        "mean": round(statistics.fmean(values) * 1000, 1),
    }


# --------------------------------------------------------------------------- the test


def test_twenty_concurrent_sessions_each_get_their_own_answers(server: Server) -> None:
    assert len(SCRIPTS) == 20 and len({s.topic for s in SCRIPTS}) == 20
    assert len({q for s in SCRIPTS for q in s.questions}) == 20 * TURNS, "every question must be unique"
    event = chat_event(server.base)

    # 1. Each script alone, one session at a time: the reference answers (and a warm server).
    t_solo = time.perf_counter()
    solo = {s.topic: run_script(server.base, event, s) for s in SCRIPTS}
    without_history = {}
    for s in SCRIPTS:
        with ChatSession(server.base, event, client_address(s)) as fresh:
            without_history[s.topic] = fresh.ask(s.follow_up).answer_html
    solo_wall = time.perf_counter() - t_solo
    solo_problems = [p for s in SCRIPTS for p in turn_problems(s, solo[s.topic], None)]
    assert not solo_problems, (
        "already wrong with one session at a time (a lost or shared history, or the scripts no longer fit "
        "the corpus):\n" + "\n".join(solo_problems)
    )
    firsts = [solo[s.topic][0].answer_html for s in SCRIPTS]
    follow_ups = [solo[s.topic][1].answer_html for s in SCRIPTS]
    assert len(set(firsts)) == len(SCRIPTS), "two topics get the same first answer: a mix-up would go unnoticed"
    assert len(set(follow_ups)) == len(SCRIPTS), "two follow-ups get the same answer: a mix-up would go unnoticed"
    sensitive = [s.topic for s in SCRIPTS if without_history[s.topic] != solo[s.topic][1].answer_html]
    assert len(sensitive) >= MIN_HISTORY_SENSITIVE, (
        f"only {sensitive} follow-ups depend on their history; pick follow-ups that do"
    )

    # 2. All twenty at once, each in its own thread with its own session.
    start = threading.Barrier(len(SCRIPTS))
    results: dict[str, list[Turn]] = {}
    errors: dict[str, str] = {}
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(SCRIPTS), thread_name_prefix="vb-load") as pool:
        futures = {pool.submit(run_script, server.base, event, s, start): s for s in SCRIPTS}
        done, not_done = wait(futures, timeout=LOAD_TIMEOUT_S)
        for future in not_done:
            future.cancel()
            errors[futures[future].topic] = f"not finished within {LOAD_TIMEOUT_S}s"
        for future in done:
            topic = futures[future].topic
            try:
                results[topic] = future.result()
            except Exception as err:  # recorded, then asserted below
                errors[topic] = f"{type(err).__name__}: {err}"
    wall = time.perf_counter() - t0

    problems = [p for s in SCRIPTS if s.topic in results for p in turn_problems(s, results[s.topic], solo[s.topic])]
    turns = [t for ts in results.values() for t in ts]
    latencies = [t.latency_s for t in turns]
    report = {
        "sessions": len(SCRIPTS),
        "turns_per_session": TURNS,
        "turns": len(turns),
        "errors": len(errors),
        "error_details": errors,
        "wrong_answers": len(problems),
        "wall_time_s": round(wall, 2),
        "throughput_turns_per_s": round(len(turns) / wall, 2) if wall > 0 else None,
        "latency_ms_per_turn": _ms(latencies),
        "first_update_ms": _ms([t.first_update_s for t in turns if t.first_update_s is not None]),
        "latency_ms_by_turn": {
            f"turn_{i + 1}": _ms([ts[i].latency_s for ts in results.values() if len(ts) > i]) for i in range(TURNS)
        },
        "max_queue_position": max((t.max_rank for t in turns if t.max_rank is not None), default=None),
        "alone": {
            "latency_ms_per_turn": _ms([t.latency_s for ts in solo.values() for t in ts]),
            "history_sensitive_follow_ups": len(sensitive),
            "wall_time_s": round(solo_wall, 2),
        },
        "measured": "ms from POST /gradio_api/queue/join until process_completed on the session's SSE stream "
        "(queue wait included); the app answers at most 4 questions at a time (CHAT_CONCURRENCY)",
        "cpu_count": os.cpu_count(),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))

    assert not errors, f"sessions failed: {errors}\n{tail_log(server.log)}"
    assert not problems, "\n".join(problems)
    assert len(turns) == len(SCRIPTS) * TURNS
    assert wall < LOAD_TIMEOUT_S
