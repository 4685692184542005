"""The sources service on a real small corpus and index: add, replace, remove, failures, audit trail, CLI ingest."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from conftest import make_pdf
from sources_files import encrypted_pdf, windows_exe

from assistant import Vraagbaak, load_settings
from assistant.db import Database
from assistant.errors import IndexUnavailableError, SourceError
from assistant.index.embedders import slug
from assistant.ingestion.pipeline import IngestSummary
from assistant.settings import PROJECT_ROOT, Settings
from assistant.sources import ChangeAction, ChangeState, IndexState, SourcesService, Upload, UploadRejected
from assistant.sources.audit import SourceAuditStore

pytestmark = pytest.mark.slow

TREFDAG = "1. Werking\nDe Trefdag voor zwaluwvrijwilligers telde 873 deelnemers in Gent."
TREFDAG_V2 = "1. Werking\nDe Trefdag voor zwaluwvrijwilligers telde 912 deelnemers in Brugge."
QUESTION = "Hoeveel deelnemers telde de Trefdag voor zwaluwvrijwilligers?"


@pytest.fixture
def settings(small_corpus: Path, tmp_path: Path) -> Settings:
    return load_settings(
        env={},
        corpus_dir=small_corpus,
        index_dir=tmp_path / "index",
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
    )


@pytest.fixture
def service(settings: Settings) -> Iterator[SourcesService]:
    with Database.from_settings(settings) as database:
        svc = SourcesService(settings, partial(SourceAuditStore, database))
        svc.ingest(by="cli:test", progress=False)
        try:
            yield svc
        finally:
            svc.close()


def _upload(tmp_path: Path, name: str, pages: list[str]) -> Upload:
    return Upload(make_pdf(tmp_path / f"upload-{name}", pages), name)


def _done(service: SourcesService, job_id: str) -> str:
    view = service.wait(job_id, 300)
    assert view.done, view
    return view.state.value


def test_add_replace_remove_with_audit_trail_and_answers(service: SourcesService, tmp_path: Path) -> None:
    va = Vraagbaak(service.settings, index=service.index)
    submitted = service.add(
        [_upload(tmp_path, "Trefdag verslag.pdf", [TREFDAG])],
        by="beheerder-an",
        doc_type="publicatie",
        title="Verslag Trefdag",
        url="https://www.socius.be/trefdag",
    )
    assert submitted.rejected == [] and submitted.job is not None
    assert _done(service, submitted.job.id) == "klaar"
    doc = next(d for d in service.documents() if d.title == "Verslag Trefdag")
    assert (doc.path, doc.doc_type, doc.state, doc.pages, doc.chunks) == (
        "publicaties/trefdag-verslag.pdf",
        "publicatie",
        IndexState.GEINDEXEERD,
        1,
        1,
    )
    assert doc.indexed_at is not None and doc.sha256 and doc.url == "https://www.socius.be/trefdag"
    manifest = json.loads((service.corpus.root / "manifest.json").read_text(encoding="utf-8"))
    assert {"path": doc.path, "doc_id": doc.doc_id, "title": "Verslag Trefdag", "doc_type": "publicatie",
            "url": "https://www.socius.be/trefdag"} in manifest["documents"]  # fmt: skip
    answer = va.ask(QUESTION)
    assert "873" in answer.text and answer.citations[0].title == "Verslag Trefdag"

    first_sha = doc.sha256
    job = service.replace(doc.path, _upload(tmp_path, "v2.pdf", [TREFDAG_V2]), by="beheerder-an")
    assert _done(service, job.id) == "klaar"
    answer = va.ask(QUESTION)
    assert "912" in answer.text and "873" not in answer.text
    assert all("873" not in c.quote for c in answer.citations)

    job = service.remove(doc.path, by="beheerder-bert")
    assert _done(service, job.id) == "klaar"
    assert all(d.path != doc.path for d in service.documents())
    assert not (service.corpus.root / doc.path).exists()
    assert "912" not in va.ask(QUESTION).text

    history = service.history(doc.path)
    second_sha = history[1].new_sha256
    assert second_sha and second_sha != first_sha
    trail = [(c.actor, c.action, c.old_sha256, c.state) for c in history]
    assert trail == [
        ("beheerder-bert", ChangeAction.VERWIJDERD, second_sha, ChangeState.KLAAR),
        ("beheerder-an", ChangeAction.VERVANGEN, first_sha, ChangeState.KLAAR),
        ("beheerder-an", ChangeAction.TOEGEVOEGD, None, ChangeState.KLAAR),
    ]
    assert history[2].new_sha256 == first_sha and history[1].generation and history[0].new_sha256 is None


def test_refused_uploads_change_nothing(service: SourcesService, tmp_path: Path) -> None:
    corpus = service.corpus.root
    before = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if not p.name.startswith("."))
    generation = service.index.current()
    submitted = service.add(
        [
            Upload(encrypted_pdf(tmp_path / "x.pdf"), "beveiligd.pdf"),
            Upload(windows_exe(tmp_path / "y"), "jaarverslag.pdf"),
        ],
        by="beheerder",
        doc_type="publicatie",
    )
    assert submitted.job is None
    reasons = dict(submitted.rejected)
    assert "wachtwoord" in reasons["beveiligd.pdf"] and "Windows-programma" in reasons["jaarverslag.pdf"]
    after = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if not p.name.startswith("."))
    assert after == before and service.index.current() == generation
    assert not list((corpus / ".opgeladen").glob("*")) if (corpus / ".opgeladen").exists() else True
    assert service.history() and all(c.actor == "cli:test" for c in service.history())  # nothing recorded

    doc = service.documents()[0]
    with pytest.raises(UploadRejected, match="Windows-programma"):
        service.replace(doc.path, Upload(windows_exe(tmp_path / "z"), "nieuw.pdf"), by="beheerder")
    assert service.document(doc.path).sha256 == doc.sha256


def test_duplicate_upload_and_no_change_are_refused(service: SourcesService, tmp_path: Path) -> None:
    html = service.corpus.root / "toolbox" / "beleidsplanning.html"
    submitted = service.add([Upload(html, "kopie.html")], by="beheerder", doc_type="toolbox")
    assert submitted.job is None and "staat al in de bronnen" in submitted.rejected[0][1]
    doc = service.document("toolbox/beleidsplanning.html")
    with pytest.raises(SourceError, match="niets gewijzigd"):
        service.replace(doc.path, None, by="beheerder", title=doc.title, url=doc.url)
    with pytest.raises(SourceError, match="type"):
        service.add([_upload(tmp_path, "a.pdf", ["tekst"])], by="b", doc_type="roman")
    with pytest.raises(SourceError, match="https://"):
        service.add([_upload(tmp_path, "a.pdf", ["tekst"])], by="b", doc_type="publicatie", url="javascript:x")


def test_a_file_the_ingest_cannot_index_keeps_its_previous_version(
    service: SourcesService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parse budget is lower in the ingest than in the check here: the ingest fails on the new version."""
    submitted = service.add([_upload(tmp_path, "rapport.pdf", [TREFDAG])], by="b", doc_type="publicatie")
    assert submitted.job is not None and _done(service, submitted.job.id) == "klaar"
    doc = next(d for d in service.documents() if d.path.endswith("rapport.pdf"))
    real_ingest = service._run_ingest

    def failing_file(settings: Settings, **kw: object) -> IngestSummary:
        # The new version turns unreadable between the check and the ingest (a disk fault, a race).
        (Path(settings.corpus_dir) / doc.path).write_bytes(b"%PDF-1.4 kapot")
        return real_ingest(settings, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "_run_ingest", failing_file)
    job = service.replace(doc.path, _upload(tmp_path, "v2.pdf", [TREFDAG_V2]), by="b")
    view = service.wait(job.id, 300)
    assert view.state == ChangeState.MISLUKT and "vorige versie blijft in gebruik" in view.message
    # The previous file is back in the corpus folder, and the index still answers from it.
    from assistant.ingestion.loading import file_sha256

    assert file_sha256(service.corpus.root / doc.path) == doc.sha256
    assert "873" in Vraagbaak(service.settings, index=service.index).ask(QUESTION).text
    latest = service.history(doc.path)[0]
    assert latest.state == ChangeState.MISLUKT and latest.detail
    assert service.document(doc.path).last_error == latest.detail


def test_an_unavailable_index_undoes_the_change(
    service: SourcesService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(settings: Settings, **kw: object) -> IngestSummary:
        raise IndexUnavailableError("another ingest is already running on /index; wait for it to finish")

    monkeypatch.setattr(service, "_run_ingest", locked)
    before = (
        (service.corpus.root / "manifest.json").read_bytes()
        if (service.corpus.root / "manifest.json").exists()
        else b""
    )
    submitted = service.add([_upload(tmp_path, "nieuw.pdf", [TREFDAG])], by="b", doc_type="publicatie")
    assert submitted.job is not None
    view = service.wait(submitted.job.id, 60)
    assert view.state == ChangeState.MISLUKT and view.message.startswith("Niets gewijzigd")
    assert not (service.corpus.root / "publicaties" / "nieuw.pdf").exists()
    after = (
        (service.corpus.root / "manifest.json").read_bytes()
        if (service.corpus.root / "manifest.json").exists()
        else b""
    )
    assert json.loads(after or b'{"documents": []}') == json.loads(before or b'{"documents": []}')


def test_cli_ingest_records_what_it_found_changed(service: SourcesService) -> None:
    corpus = service.corpus.root
    md = corpus / "decreetgids" / "rollen-en-functies.md"
    old = service.document("decreetgids/rollen-en-functies.md").sha256
    md.write_text(md.read_text(encoding="utf-8") + "\n\n## Nieuw\n\nEen extra zin.\n", encoding="utf-8")
    shutil.copy(md, corpus / "decreetgids" / "kopie.md")
    (corpus / "toolbox" / "beleidsplanning.html").unlink()
    summary = service.ingest(by="cli:marie", progress=False)
    assert (summary.parsed, summary.removed) == (2, 1)
    rows = {(c.path, c.action, c.actor) for c in service.history() if c.actor == "cli:marie"}
    assert rows == {
        ("decreetgids/rollen-en-functies.md", ChangeAction.VERVANGEN, "cli:marie"),
        ("decreetgids/kopie.md", ChangeAction.TOEGEVOEGD, "cli:marie"),
        ("toolbox/beleidsplanning.html", ChangeAction.VERWIJDERD, "cli:marie"),
    }
    changed = service.history("decreetgids/rollen-en-functies.md")[0]
    assert changed.old_sha256 == old and changed.new_sha256 != old
    # Nothing changed: nothing recorded.
    n = len(service.history())
    service.ingest(by="cli:marie", progress=False)
    assert len(service.history()) == n


def test_the_sources_command_adds_replaces_and_removes(
    service: SourcesService, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m assistant sources ...``: the same service, waiting for each change's ingest."""
    from assistant.cli.main import main as cli_main

    s = service.settings
    for name, value in (("CORPUS", s.corpus_dir), ("INDEX", s.index_dir), ("DATABASE_URL", s.database_url)):
        monkeypatch.setenv(f"ASSISTANT_{name}", str(value))
    v1 = make_pdf(tmp_path / "trefdag.pdf", [TREFDAG])
    assert cli_main(["sources", "add", str(v1), "--type", "publicatie", "--title", "Verslag Trefdag"]) == 0
    assert "Klaar: 1 wijziging" in capsys.readouterr().out
    assert cli_main(["sources", "add", str(windows_exe(tmp_path / "jaarverslag.pdf")), "--type", "publicatie"]) == 2
    assert "Windows-programma" in capsys.readouterr().err  # a refusal goes to stderr, as errors do
    assert (
        cli_main(["sources", "replace", "publicaties/trefdag.pdf", str(make_pdf(tmp_path / "v2.pdf", [TREFDAG_V2]))])
        == 0
    )
    assert "912" in Vraagbaak(s, index=service.index).ask(QUESTION).text
    assert cli_main(["sources", "list", "--search", "trefdag"]) == 0
    assert "Verslag Trefdag" in capsys.readouterr().out
    assert cli_main(["sources", "remove", "publicaties/trefdag.pdf"]) == 0
    assert cli_main(["sources", "history"]) == 0
    history = capsys.readouterr().out
    assert "verwijderd\tpublicaties/trefdag.pdf" in history and "vervangen\tpublicaties/trefdag.pdf" in history
    assert "publicaties/trefdag.pdf" not in {d.path for d in service.documents()}


def test_a_chat_session_keeps_answering_during_uploads(service: SourcesService, tmp_path: Path) -> None:
    """Every answer during add/replace/remove comes from a complete published generation, without errors."""
    va = Vraagbaak(service.settings, index=service.index)
    layout = service.index
    published = {layout.current()}
    answers: list[tuple[str, bool]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def chat() -> None:
        while not stop.is_set():
            try:
                snap = va.snapshot()
                assert snap.vectors.count() == len(snap.chunks)
                answer = va.ask("Wat verwacht het decreet van een beleidsplan?")
                answers.append((snap.generation, bool(answer.citations)))
            except BaseException as err:
                errors.append(err)
                return

    reader = threading.Thread(target=chat, daemon=True)
    reader.start()
    try:
        submitted = service.add([_upload(tmp_path, "trefdag.pdf", [TREFDAG])], by="b", doc_type="publicatie")
        assert submitted.job is not None and _done(service, submitted.job.id) == "klaar"
        published.add(layout.current())
        path = next(d.path for d in service.documents() if d.path.endswith("trefdag.pdf"))
        assert _done(service, service.replace(path, _upload(tmp_path, "v2.pdf", [TREFDAG_V2]), by="b").id) == "klaar"
        published.add(layout.current())
        assert _done(service, service.remove(path, by="b").id) == "klaar"
        published.add(layout.current())
        time.sleep(0.5)
    finally:
        stop.set()
        reader.join(60)
    assert errors == []
    assert len(answers) >= 10 and all(cited for _, cited in answers)
    seen = {generation for generation, _ in answers}
    assert seen <= published and len(seen) >= 2


def test_writing_a_generation_does_not_break_the_chat_opening_the_published_one(service: SourcesService) -> None:
    """The web app ingests in the chat's own process.  A chat that opens the published generation's
    vectors while the next generation is written must not fail (it did, once in CI: KeyError from
    Chroma, when the writer dropped every cached Chroma client of the process, the reader's too)."""
    index = service.index
    published = index.current()
    assert published is not None
    errors: list[BaseException] = []
    stop = threading.Event()

    def chat() -> None:
        while not stop.is_set():
            try:
                index.open_vectors(published).count()
            except BaseException as err:
                errors.append(err)
                return

    reader = threading.Thread(target=chat, daemon=True)
    reader.start()
    try:
        for _ in range(30):
            generation = index.folder.new_generation()
            try:
                index.write_vectors(generation, published, [], np.zeros((0, 384), dtype=np.float32), set())
            finally:
                index.discard(generation)  # never published: the chat stays on ``published``
            if errors:
                break
    finally:
        stop.set()
        reader.join(30)
    assert errors == []


SAMPLE_PAGES = [
    "Werkingsverslag Vormingplus Kempenland 2025\n\n1. Inleiding\n"
    "In 2025 organiseerde Vormingplus Kempenland 214 vormingen voor 3.480 deelnemers.\n"
    "De helft van de vormingen vond plaats in bibliotheken en buurthuizen.",
    "2. Vrijwilligers\nHet project Buurtkompas telde 61 vrijwillige gidsen.\n"
    "Elke gids kreeg een basisopleiding van drie avonden over gespreksvoering.",
    "3. Financiering\nDe werking kostte 1,2 miljoen euro, waarvan 78 procent subsidie van de Vlaamse overheid.\n"
    "De gemeente Geel droeg 45.000 euro bij aan de nieuwe ontmoetingsruimte.",
]


def test_time_from_upload_to_answerable(tmp_path: Path, real_settings: Settings) -> None:
    """The project corpus and a copy of its index; a 3-page PDF goes through the service like on the page.

    Writes the times to test-output/sources/upload-timing.json (no time limit here: see the report).
    """
    corpus = tmp_path / "corpus"
    shutil.copytree(real_settings.corpus_dir, corpus)
    shutil.copytree(
        real_settings.index_dir / slug(real_settings.embedder), tmp_path / "index" / slug(real_settings.embedder)
    )
    s = real_settings.replace(
        corpus_dir=corpus, index_dir=tmp_path / "index", database_url=f"sqlite:///{tmp_path / 'db.sqlite'}"
    )
    va = Vraagbaak(s)
    va.warm()
    with Database.from_settings(s) as database:
        # Shared with the chat, as in the web app: the index object and the loaded embedder.
        service = SourcesService(s, partial(SourceAuditStore, database), index=va.index, embedder=va.embedder)
        try:
            documents = len(service.documents())
            pdf = make_pdf(tmp_path / "werkingsverslag-2025.pdf", SAMPLE_PAGES)
            started = time.perf_counter()
            submitted = service.add([Upload(pdf, pdf.name)], by="bench", doc_type="publicatie")
            checked = time.perf_counter()
            assert submitted.job is not None
            assert service.wait(submitted.job.id, 600).state == ChangeState.KLAAR
            published = time.perf_counter()
            answer = va.ask("Hoeveel vrijwillige gidsen telde het project Buurtkompas?")
            answered = time.perf_counter()
        finally:
            service.close()
    assert "61" in answer.text and answer.citations[0].doc_id == "publicaties-werkingsverslag-2025"
    out = PROJECT_ROOT / "test-output" / "sources"
    out.mkdir(parents=True, exist_ok=True)
    timing = {
        "corpus": f"the project corpus ({documents} documents before the upload)",
        "pdf_pages": len(SAMPLE_PAGES),
        "pdf_bytes": pdf.stat().st_size,
        "checks_s": round(checked - started, 2),
        "ingest_and_publish_s": round(published - checked, 2),
        "first_answer_s": round(answered - published, 2),
        "upload_to_answerable_s": round(answered - started, 2),
    }
    (out / "upload-timing.json").write_text(json.dumps(timing, indent=2) + "\n", encoding="utf-8")
