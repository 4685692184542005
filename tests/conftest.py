"""Shared fixtures: the real index built from corpus/, and generated PDFs."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant import Vraagbaak, ingest, load_settings
from assistant.index.lexical import LexicalIndex
from assistant.index.snapshots import Snapshot
from assistant.ingestion.chunking import Chunk
from assistant.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"
REPORT = CORPUS / "socius-jaarverslag-2023.pdf"


@pytest.fixture(scope="session")
def real_settings() -> Settings:
    """Settings on the project's own index (built by `make`; built here if missing)."""
    settings = load_settings(env={})
    ingest(settings, progress=False)  # a no-op when the index is current
    return settings


@pytest.fixture(scope="session")
def va(real_settings: Settings) -> Vraagbaak:
    """The assistant on the real index, models loaded once for the session."""
    return Vraagbaak(real_settings)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A two-document corpus (a toolbox page and a decree guide): ingests in seconds."""
    c = tmp_path / "corpus"
    (c / "toolbox").mkdir(parents=True)
    (c / "decreetgids").mkdir()
    shutil.copy(CORPUS / "toolbox" / "beleidsplanning.html", c / "toolbox")
    shutil.copy(CORPUS / "decreetgids" / "rollen-en-functies.md", c / "decreetgids")
    return c


def make_pdf(path: Path, pages: list[str]) -> Path:
    """A real text PDF (matplotlib's PDF backend), one string per page."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    with PdfPages(path) as pdf:
        for text in pages:
            fig = Figure(figsize=(8.27, 11.69))
            fig.text(0.08, 0.95, text, va="top", ha="left", fontsize=10, wrap=False)
            pdf.savefig(fig)
    return path


@pytest.fixture
def pdf_factory(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Call with (name, [page texts]) to get a generated PDF path."""

    def factory(name: str, pages: list[str]) -> Path:
        return make_pdf(tmp_path / name, pages)

    return factory


# --------------------------------------------------------------------------- the real app in a subprocess
# Shared by the browser, load and access tests: one way to start `python app.py`.

APP_START_TIMEOUT_S = 240


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tail_log(path: Path, lines: int = 40) -> str:
    """The last lines of a log file, for failure messages."""
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def app_env(tmp: Path, port: int, **extra: str) -> dict[str, str]:
    """Environment for an app on 127.0.0.1:port with its own database, staff file and Gradio temp dir."""
    import os

    return {
        **os.environ,
        "ASSISTANT_HOST": "127.0.0.1",
        "ASSISTANT_PORT": str(port),
        "ASSISTANT_DATABASE_URL": f"sqlite:///{tmp / 'vraagbaak.db'}",
        "ASSISTANT_STAFF_FILE": str(tmp / "staff.txt"),
        "ASSISTANT_OUTBOX": str(tmp / "outbox"),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "GRADIO_TEMP_DIR": str(tmp / "gradio"),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def add_staff(env: dict[str, str], name: str, role: str | None = None) -> str:
    """A staff account made the operator's way (the CLI, password by variable name); returns the password.

    ``role``: one role instead of the default ones (e.g. ``evaluator``).
    """
    import secrets
    import subprocess
    import sys

    password = f"{name}-{secrets.token_hex(8)}"
    subprocess.run(
        [sys.executable, "-m", "assistant", "staff", "add", name, "--password-env", "VB_TEST_PW"]
        + (["--role", role] if role else []),
        cwd=PROJECT_ROOT,
        env={**env, "VB_TEST_PW": password},
        check=True,
        capture_output=True,
        timeout=60,
    )
    return password


@contextlib.contextmanager
def running_app(env: dict[str, str], log: Path, *, wait_ready: bool = True) -> Iterator[str]:
    """Run ``python app.py`` with ``env``; yield its base URL; terminate (then kill) it afterwards.

    ``wait_ready`` waits until /healthz reports the index loaded; otherwise until it answers at all.
    """
    import json
    import subprocess
    import sys
    import time
    import urllib.request

    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{env['ASSISTANT_PORT']}"
    try:
        deadline = time.monotonic() + APP_START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"app.py exited with {proc.returncode}:\n{tail_log(log)}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200 and (not wait_ready or json.load(response).get("ready")):
                        break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"app.py did not become ready within {APP_START_TIMEOUT_S}s:\n{tail_log(log)}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def postgres_schema(admin_url: str) -> Iterator[str]:
    """A URL of a fresh PostgreSQL schema on the server of ``admin_url``; dropped afterwards.

    Dispose every :class:`~assistant.db.Database` on the URL before leaving (the test
    server has few connection slots).
    """
    import uuid

    from sqlalchemy.engine import make_url

    from assistant.db import Database

    schema = f"vb_test_{uuid.uuid4().hex[:12]}"
    with Database(admin_url) as admin, admin.write() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = (
        make_url(admin_url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        yield url
    finally:
        with Database(admin_url) as admin, admin.write() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


class HashEmbedder:
    """A small deterministic embedder for fast tests, at the :class:`~assistant.index.Embedder` seam.

    Hashed word counts in 64 dimensions, unit length: texts that share words are near,
    and nothing is loaded.  Real models stay in the slow tests.
    """

    name = "test-hash"
    dim = 64

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self.embed_query(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        vec[0] = 0.01  # never the zero vector (cosine distance needs a length)
        for word in re.findall(r"\w+", text.lower()):
            vec[zlib.crc32(word.encode("utf-8")) % self.dim] += 1.0
        return vec / np.linalg.norm(vec)


POSTGRES_URL = os.environ.get("VRAAGBAAK_TEST_POSTGRES_URL")


#: Fixture params for "each database": SQLite always, PostgreSQL when VRAAGBAAK_TEST_POSTGRES_URL is set.
DATABASES = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                not POSTGRES_URL,
                reason="set VRAAGBAAK_TEST_POSTGRES_URL (bash .ci/start-postgres.sh)",
            ),
        ],
    ),
]


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a fresh SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        # A sub folder that does not exist yet: the store must create it.
        yield f"sqlite:///{tmp_path / 'data' / 'vraagbaak.db'}"
        return
    assert POSTGRES_URL
    with postgres_schema(POSTGRES_URL) as url:
        yield url


# --------------------------------------------------------------------------- the OpenAI-compatible test server


@pytest.fixture(scope="session")
def llm_server():  # type: ignore[no-untyped-def]
    """tests/llm_server.py on a free port of 127.0.0.1, for the LLM path (one per session)."""
    from llm_server import LLMServer

    with LLMServer() as server:
        yield server


def report_chunk(text: str, **fields: Any) -> Chunk:
    """A chunk of the annual report holding ``text``; ``fields`` override the defaults."""
    defaults: dict[str, Any] = {
        "chunk_id": "c",
        "doc_id": "jv",
        "title": "Jaarverslag 2023",
        "doc_type": "publicatie",
        "url": "",
        "section": "",
        "page_start": None,
        "page_end": None,
    }
    return Chunk(text=text, **{**defaults, **fields})


def lexical_snapshot(chunks: list[Chunk]) -> Snapshot:
    """A real BM25 index over hand-written passages (no vectors: lexical retrieval only)."""
    return Snapshot("test", "none", chunks, LexicalIndex.build([c.index_text for c in chunks]), vectors=None)  # type: ignore[arg-type]
