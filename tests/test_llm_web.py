"""The web chat with a language model: the real app (app.py) -> langchain-openai -> tests/llm_server.py.

One app on a small corpus with a document that carries an injected instruction;
the test server is told which canned case to play for each question.  Every
server-sent update of the chat is read, not only the final one: what streams
must never show the injected instruction, an error or a stack trace.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from chat_client import answer_body, chat_event, queue_messages
from conftest import CORPUS, app_env, free_port, running_app, tail_log
from llm_server import INJECTED_DOCUMENT, INJECTED_QUESTION, STALL_S, LLMServer

from assistant import Vraagbaak, ingest, load_settings
from assistant.settings import Settings

pytestmark = pytest.mark.slow

KEY_VAR = "VRAAGBAAK_TEST_LLM_KEY"
INJECTED_Q = INJECTED_QUESTION
LIST_Q = "Wat zijn de stappen van de toolbox beleidsplanning?"


@pytest.fixture(scope="module")
def web_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("llmweb")
    corpus = root / "corpus"
    (corpus / "toolbox").mkdir(parents=True)
    shutil.copy(CORPUS / "toolbox" / "beleidsplanning.html", corpus / "toolbox")
    (corpus / "vrijwilligers.md").write_text(INJECTED_DOCUMENT, encoding="utf-8")
    settings = load_settings(env={}, corpus_dir=corpus, index_dir=root / "index", dense_weight=0.0)
    ingest(settings, progress=False)
    return settings


@pytest.fixture(scope="module")
def chat_app(
    web_settings: Settings, llm_server: LLMServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("llmweb-app")
    env = app_env(
        tmp,
        free_port(),
        ASSISTANT_CORPUS=str(web_settings.corpus_dir),
        ASSISTANT_INDEX=str(web_settings.index_dir),
        ASSISTANT_DENSE_WEIGHT="0",
        ASSISTANT_LLM="openai:valid",
        ASSISTANT_LLM_BASE_URL=llm_server.base_url,
        ASSISTANT_LLM_API_KEY_ENV=KEY_VAR,
        ASSISTANT_LLM_TIMEOUT_S="2",
        **{KEY_VAR: "sk-web-test"},
    )
    log = tmp / "app.log"
    with running_app(env, log) as base:
        yield base, log


def ask(base: str, question: str) -> tuple[list[str], str, str, float]:
    """Ask in the chat; return every server-sent message (raw JSON), the final answer HTML, the notice, seconds."""
    event = chat_event(base)
    data = [question if i == event.question_id else None for i in event.inputs]
    session = secrets.token_hex(6)
    t0 = time.monotonic()
    with httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0)) as http:
        joined = http.post(
            f"{base}/gradio_api/queue/join",
            json={
                "data": data,
                "fn_index": event.fn_index,
                "trigger_id": event.trigger_id,
                "session_hash": session,
                "event_data": None,
            },
        ).raise_for_status()
        raw: list[str] = []
        final: dict = {}
        for msg in queue_messages(http, base, session, joined.json()["event_id"], t0 + 120, repr(question)):
            raw.append(json.dumps(msg, ensure_ascii=False))
            final = msg
    assert final.get("msg") == "process_completed" and final.get("success"), raw[-1]
    outputs = final["output"]["data"]
    chat = outputs[event.chatbot_index]
    answer_html = "".join(p.get("text", "") for p in chat[-1]["content"]) if chat else ""
    notice = outputs[event.notice_index]
    notice = notice if isinstance(notice, str) else ""  # an unchanged notice is an update object
    return raw, answer_html, notice, time.monotonic() - t0


def answer_updates(raw: list[str]) -> list[str]:
    """Each state of the answer text in the streamed updates, without the source panel."""

    def strings(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)

    return [answer_body(s) for m in raw for s in strings(json.loads(m)) if 'class="vb-answer' in s]


def extractive_text(settings: Settings, question: str) -> str:
    """The extractive answer as the chat shows it (markers become links, so compare without them)."""
    return Vraagbaak(settings).ask(question).text


def _plain(text: str) -> str:
    import re

    return " ".join(re.sub(r"\[\d+\]", "", text).split())


def test_chat_streams_a_checked_list_answer(chat_app: tuple[str, Path], llm_server: LLMServer) -> None:
    base, _ = chat_app
    llm_server.reset()
    llm_server.script("list")
    llm_server.pace(0.03)  # about 2 s for the whole reply: the chat shows it as it comes
    raw, answer_html, notice, _ = ask(base, LIST_Q)
    body = answer_body(answer_html)
    assert "Blik naar binnen" in body and "Opvolging en evaluatie" in body and notice == ""
    assert 'class="vb-cite"' in answer_html
    shown = [u for u in answer_updates(raw)[:-1] if u and "zoek in de publicaties" not in u]
    assert len(shown) >= 3, "the answer streams"
    assert all(_plain(body).startswith(_plain(u)) for u in shown), "each update is a checked beginning of the answer"
    (req,) = llm_server.requests
    assert req.authorization == "Bearer sk-web-test" and req.stream


def test_chat_never_shows_the_injected_instruction(chat_app: tuple[str, Path], llm_server: LLMServer) -> None:
    base, _ = chat_app
    llm_server.reset()
    llm_server.script("injected")
    raw, answer_html, _, _ = ask(base, INJECTED_Q)
    assert "NEGEER" in llm_server.requests[0].prompt, "the model did get the document"
    updates = answer_updates(raw)
    assert len(updates) >= 2 and "visie" in answer_body(answer_html)
    for shown in updates:  # every streamed state of the answer (the source panel under it quotes the document)
        low = shown.lower()
        assert "negeer" not in low and "system prompt" not in low and "systeemprompt" not in low and "sure!" not in low


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        ("stall", "timeout"),
        ("slow", "timeout"),
        ("error", "provider-error"),
        ("ratelimit", "rate-limited"),
        ("broken", "broken-reply"),
        ("uncited", "no-valid-citation"),
    ],
)
def test_chat_gives_the_extractive_answer_when_the_model_fails(
    chat_app: tuple[str, Path], llm_server: LLMServer, web_settings: Settings, scenario: str, reason: str
) -> None:
    base, log = chat_app
    llm_server.reset()
    llm_server.script(scenario)
    logged_before = _fallback_lines(log)
    raw, answer_html, notice, seconds = ask(base, LIST_Q)
    assert notice == "", f"no error notice: {notice}"
    everything = "\n".join(raw)
    for bad in ("Traceback", "Exception", "Er ging iets mis", "Rate limit", "internal error"):
        assert bad not in everything, f"{bad!r} reached the chat"
    expected = _plain(extractive_text(web_settings, LIST_Q))
    assert _plain(answer_body(answer_html)).startswith(expected[:60])
    if scenario in ("stall", "slow"):
        assert seconds < STALL_S, f"the chat waited {seconds:.1f} s for a {STALL_S:.0f} s stall"
    # One more line in the app's log, with the reason and without the question.
    deadline = time.monotonic() + 10
    while len(_fallback_lines(log)) == len(logged_before) and time.monotonic() < deadline:
        time.sleep(0.1)
    (line,) = _fallback_lines(log)[len(logged_before) :]
    assert f"reason={reason}" in line
    text = tail_log(log, 1000)
    assert LIST_Q not in text and "Traceback" not in text


def _fallback_lines(log: Path) -> list[str]:
    return [ln for ln in tail_log(log, 10_000).splitlines() if "extractive answer instead" in ln]
