"""File checks before an upload is stored: size, type by content, encrypted and scanned PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, make_pdf
from sources_files import docx_like, encrypted_pdf, scanned_pdf, windows_exe

from assistant.sources.checks import FileKind, UploadRejected, check_upload, dutch_reason, sniff_kind

MB = 1_000_000


def _check(path: Path, name: str | None = None, max_bytes: int = 5 * MB):  # type: ignore[no-untyped-def]
    return check_upload(path, name or path.name, max_bytes=max_bytes, timeout_s=60)


def _refused(path: Path, name: str | None = None, **kw: int) -> str:
    with pytest.raises(UploadRejected) as info:
        _check(path, name, **kw)
    return info.value.reason


def test_a_text_pdf_passes_with_pages_hash_and_title(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "werkingsverslag-2025.pdf", ["1. Inleiding\nWe ontvingen 31 vragen.", "Pagina twee."])
    checked = _check(pdf)
    assert (checked.kind, checked.suffix, checked.pages) == (FileKind.PDF, ".pdf", 2)
    assert checked.title == "Werkingsverslag 2025"
    assert len(checked.sha256) == 64 and checked.size == pdf.stat().st_size


def test_html_and_markdown_pass_with_their_own_titles(tmp_path: Path) -> None:
    html = _check(CORPUS / "toolbox" / "beleidsplanning.html")
    assert html.kind == FileKind.HTML and html.title.startswith("Toolbox beleidsplanning")
    md = _check(CORPUS / "decreetgids" / "rollen-en-functies.md")
    assert md.kind == FileKind.MARKDOWN and md.suffix == ".md"
    inline = tmp_path / "gids.md"
    inline.write_text("# Gids\n\nTekst met <b>vet</b> en <div>een blok</div>.\n", encoding="utf-8")
    assert _check(inline).kind == FileKind.MARKDOWN  # Markdown with inline HTML stays Markdown


def test_a_program_renamed_to_pdf_is_refused_as_a_program(tmp_path: Path) -> None:
    reason = _refused(windows_exe(tmp_path / "jaarverslag.pdf"))
    assert "Windows-programma" in reason and "PDF, HTML of Markdown" in reason


def test_an_office_file_and_an_image_are_refused_by_content(tmp_path: Path) -> None:
    assert "Office-document" in _refused(docx_like(tmp_path / "nota.pdf"))
    png = tmp_path / "logo.md"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert "afbeelding" in _refused(png)


def test_an_encrypted_pdf_gets_a_dutch_message(tmp_path: Path) -> None:
    reason = _refused(encrypted_pdf(tmp_path / "beveiligd.pdf"))
    assert "wachtwoord" in reason and "zonder wachtwoord" in reason


def test_a_scanned_pdf_without_text_layer_gets_a_dutch_message(tmp_path: Path) -> None:
    reason = _refused(scanned_pdf(tmp_path / "scan.pdf"))
    assert "geen tekstlaag" in reason and "OCR" in reason


def test_size_limit_and_empty_file(tmp_path: Path) -> None:
    big = make_pdf(tmp_path / "groot.pdf", ["tekst " * 200])
    reason = _refused(big, max_bytes=big.stat().st_size - 1)
    assert "meer dan de limiet" in reason
    empty = tmp_path / "leeg.md"
    empty.write_bytes(b"")
    assert "leeg" in _refused(empty)


def test_extension_must_fit_the_content(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "x.pdf", ["Een PDF."])
    renamed = tmp_path / "gids.md"
    renamed.write_bytes(pdf.read_bytes())
    assert "is een PDF" in _refused(renamed) and ".pdf" in _refused(renamed)
    page = tmp_path / "pagina.md"
    page.write_text("<!DOCTYPE html><html><body><p>Hallo</p></body></html>", encoding="utf-8")
    assert "HTML-pagina" in _refused(page)
    plain = tmp_path / "tekst.html"
    plain.write_text("Gewone tekst zonder opmaak.", encoding="utf-8")
    assert "geen HTML-opmaak" in _refused(plain)
    other = tmp_path / "notities.txt"
    other.write_text("tekst", encoding="utf-8")
    assert "extensie '.txt'" in _refused(other)


def test_the_uploaded_name_decides_the_extension_not_the_temporary_path(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "upload-tmp-123", ["Een PDF zonder extensie op schijf."])
    checked = check_upload(pdf, "Verslag.pdf", max_bytes=5 * MB, timeout_s=60)
    assert checked.kind == FileKind.PDF and checked.pages == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["upload-tmp-123"]  # nothing written beside it


def test_sniffing_and_reason_translation() -> None:
    assert sniff_kind(b"\xef\xbb\xbf<!doctype html><p>x", "a.html") == FileKind.HTML
    assert sniff_kind(b"garbage %PDF-1.7", "a.pdf") == FileKind.PDF
    assert sniff_kind(b"# Titel\n\nTekst", "a.md") == FileKind.MARKDOWN
    with pytest.raises(UploadRejected):
        sniff_kind(b"abc\x00def", "a.md")
    # The parsers' English reasons map to Dutch ones; unknown reasons are kept inside a Dutch sentence.
    assert "tekstlaag" in dutch_reason("the PDF has no text layer (scanned images only); run OCR on it first")
    assert dutch_reason("weird thing").startswith("Dit bestand kan niet gelezen worden (weird thing)")
