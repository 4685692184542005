"""Parsers on real files: the annual report, sample pages, generated and broken PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, REPORT

from assistant.errors import DocumentError
from assistant.ingestion.loading import (
    DocumentMeta,
    meta_for,
    parse_file,
    parse_html,
    parse_markdown,
    parse_pdf,
    read_manifest,
)


def _meta(path: str, doc_type: str = "publicatie") -> DocumentMeta:
    return DocumentMeta(path=path, doc_id=Path(path).stem, title="Test", doc_type=doc_type)


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return parse_pdf(REPORT, _meta("socius-jaarverslag-2023.pdf"))


def _page_text(doc, page: int) -> str:  # type: ignore[no-untyped-def]
    return " ".join(b.text for b in doc.blocks if b.page == page)


def test_report_has_every_page_in_order(report) -> None:  # type: ignore[no-untyped-def]
    assert report.pages == 72
    pages = [b.page for b in report.blocks]
    assert pages == sorted(pages)
    assert set(pages) >= set(range(1, 73)) - {25, 48}  # two full-page images without text


def test_report_known_passages_are_on_their_pdf_page(report) -> None:  # type: ignore[no-untyped-def]
    assert "In totaal ontvingen we 107 vragen naar ondersteuning" in _page_text(report, 32)
    assert "We namen 68 van die vragen op" in _page_text(report, 32)
    assert "Fred Dhont" in _page_text(report, 1)


def test_report_cleaning(report) -> None:  # type: ignore[no-untyped-def]
    text = report.text
    assert "Û" not in text and "â" not in text  # ligature glyph and arrow marks
    assert "off- en online" in text and "efficiënt" in text  # ligatures repaired
    assert "reflectief" in text and "refl ectief" not in text
    assert "sociaal-cultureel" in text  # real compounds keep their hyphen
    assert "vraag- gestuurde" not in text and "sociaal- cultureel" not in text
    assert "JAARVERSLAG 2023" not in text  # running header dropped
    assert "ONZE WERKING" not in text
    # the rotated one-letter diagram lines are gone
    assert not any(len(line) <= 3 and line.isalpha() for b in report.blocks for line in b.text.splitlines())


def test_report_sections(report) -> None:  # type: ignore[no-untyped-def]
    sections = {b.section[-1] for b in report.blocks if b.section}
    assert "3. Vraaggestuurde werking" in sections
    assert "9.1 Website" in sections
    p32 = [b for b in report.blocks if b.page == 32]
    assert p32 and p32[0].section[0] == "3. Vraaggestuurde werking"


def test_html_keeps_main_content_and_heading_path() -> None:
    path = CORPUS / "toolbox" / "beleidsplanning.html"
    doc = parse_html(path.read_text(encoding="utf-8"), _meta(str(path), "toolbox"))
    text = doc.text
    assert "Voorbeeldinhoud" in text
    assert "function" not in text and "cookie" not in text.lower()  # script and footer gone
    assert all(b.section for b in doc.blocks)
    assert any(len(b.section) >= 2 for b in doc.blocks)  # h1 > h2 path


def test_html_malformed_and_hostile() -> None:
    doc = parse_html("<html><body><main><h1>Titel<p>Tekst <b>vet<script>alert(1)</script>", _meta("x.html", "toolbox"))
    assert "Tekst" in doc.text and "alert" not in doc.text
    with pytest.raises(DocumentError):
        parse_file_from_text("not html at all \x00\x01", ".html")


def test_html_text_outside_paragraphs_is_indexed_where_it_stands() -> None:
    """Issue #15: text straight inside a <div> (older pages) was dropped ("no text found")."""
    source = (
        "<html><body><main><h1>Gids</h1><div>Tekst <b>direct</b> in een div.</div><p>Een alinea.</p>"
        "<section><div>Nog een <a href='#x'>losse</a> zin<br>over vorming</div><!-- geen tekst --></section>"
        "<ul> <li>een punt</li> </ul>Los in main</main></body></html>"
    )
    doc = parse_html(source, _meta("x.html", "toolbox"))
    text = doc.text
    order = ["Tekst direct in een div.", "Een alinea.", "Nog een losse zin over vorming", "• een punt", "Los in main"]
    assert [text.find(t) for t in order] == sorted(text.find(t) for t in order) and -1 not in [
        text.find(t) for t in order
    ]
    assert "geen tekst" not in text and text.count("losse") == 1 and text.count("een punt") == 1
    assert all(b.section == ("Gids",) for b in doc.blocks)
    only_divs = parse_file_from_text(
        "<html><body><div><div>Alleen tekst in een div over vorming.</div></div></body></html>", ".html"
    )
    assert "Alleen tekst in een div over vorming." in only_divs.text  # type: ignore[attr-defined]


def parse_file_from_text(content: str, suffix: str, tmp: Path | None = None) -> object:
    import tempfile

    d = Path(tempfile.mkdtemp())
    path = d / f"f{suffix}"
    path.write_text(content, encoding="utf-8")
    return parse_file(path, _meta(path.name))


def test_markdown_headings_as_sections() -> None:
    md = "# Gids\n\nIntro.\n\n## Deel A\n\nTekst A.\n\n### Sub\n\n- punt een\n- punt twee\n\n## Deel B\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    doc = parse_markdown(md, _meta("g.md", "decreetgids"))
    by = {b.section: b.text for b in doc.blocks}
    assert by[("Gids", "Deel A")] == "Tekst A."
    assert "• punt een" in by[("Gids", "Deel A", "Sub")]
    assert "1 | 2" in by[("Gids", "Deel B")]


def test_generated_pdf_pages_and_hyphenation(pdf_factory) -> None:  # type: ignore[no-untyped-def]
    path = pdf_factory(
        "gen.pdf", ["1. Inleiding\nHet sociaal-\ncultureel werk groeit.", "2. Cijfers\nWe ontvingen 42 vragen."]
    )
    doc = parse_pdf(path, _meta("gen.pdf"))
    assert doc.pages == 2
    assert "sociaal-cultureel werk groeit" in doc.text
    assert [b.page for b in doc.blocks if "42 vragen" in b.text] == [2]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leeg.pdf", b"", "empty"),
        ("kapot.pdf", b"%PDF-1.4\n1 0 obj garbage\n%%EOF", "cannot be read"),
        ("notes.docx", b"PK\x03\x04 word", "unknown file type"),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError) as err:
        parse_file(path, _meta(name))
    assert message in str(err.value) or "no text" in str(err.value)


def test_encrypted_and_image_only_pdf(tmp_path: Path, pdf_factory) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader, PdfWriter

    src = pdf_factory("src.pdf", ["Geheime tekst"])
    writer = PdfWriter(clone_from=PdfReader(src))
    writer.encrypt(user_password="geheim", owner_password="eigenaar")
    enc = tmp_path / "enc.pdf"
    with enc.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(DocumentError, match=r"password|encrypted"):
        parse_file(enc, _meta("enc.pdf"))
    blank = PdfWriter()
    blank.add_blank_page(width=595, height=842)
    img = tmp_path / "scan.pdf"
    with img.open("wb") as fh:
        blank.write(fh)
    with pytest.raises(DocumentError, match="OCR"):
        parse_file(img, _meta("scan.pdf"))


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "groot.md"
    path.write_text("# T\n\n" + "woord " * 5000, encoding="utf-8")
    with pytest.raises(DocumentError, match="over the limit"):
        parse_file(path, _meta("groot.md"), max_bytes=1000)


def test_manifest_gives_titles_and_types() -> None:
    manifest = read_manifest(CORPUS)
    meta = meta_for(REPORT, CORPUS, manifest)
    assert meta.doc_type == "publicatie" and meta.title == "Jaarverslag 2023" and meta.url
    assert {m.doc_type for m in manifest.values()} == {"publicatie", "toolbox", "decreetgids"}


# --------------------------------------------------------------------------- structure (issue #12)
def test_report_keeps_key_figure_panels_and_value_tables_as_tables(report) -> None:  # type: ignore[no-untyped-def]
    from assistant.ingestion.document import BlockKind

    tables = [b for b in report.blocks if b.kind is BlockKind.TABLE]
    panel = next(b for b in tables if "Ontvangen vragen | Goedgekeurde vragen" in b.text)
    assert panel.header and panel.page == 5 and "107 | 68" in panel.text
    unique = next(b for b in tables if "Totaal aantal unieke deelnemers |" in b.text)
    assert "1.108 | 609 (55%) | 449 (45%)" in unique.text
    jobs = next(b for b in tables if "naar beroepscategorie" in b.text)
    assert jobs.text.splitlines()[0].startswith("Unieke deelnemers erkende organisaties")
    assert "Sociaal-cultureel werker | 369" in jobs.text
    # A header line above the rows names the columns; sub-tables under it reuse them.
    actors = [b for b in tables if b.header and "Aantal overlegmomenten" in b.text]
    assert len(actors) >= 3 and any("Vlaamse overheid | 7 | 59" in b.text for b in actors)


def test_report_keeps_bullet_lists_with_their_lead_in_and_marks_captions(report) -> None:  # type: ignore[no-untyped-def]
    from assistant.ingestion.document import BlockKind

    lists = [b for b in report.blocks if b.kind is BlockKind.LIST]
    publications = next(b for b in lists if "• Jaarverslag 2022" in b.text)
    assert publications.text.count("• ") == 11
    activities = next(b for b in lists if "Basisvorming ‘Politiserend werken’" in b.text)
    assert "(Leuven)" in activities.text  # the wrapped last item stays whole
    captions = [b.text for b in report.blocks if b.kind is BlockKind.CAPTION]
    assert any(c.startswith("Scan de code") for c in captions)
    assert any("©" in c for c in captions)
    text_blocks = " ".join(b.text for b in report.blocks if b.kind is BlockKind.TEXT)
    assert "Scan de code" not in text_blocks and "©" not in text_blocks
    # The sentence a QR prompt interrupted is whole again.
    assert "de ondersteuning die je als organisatie biedt aan je communityleden" in text_blocks


def test_html_lists_tables_and_text_outside_paragraphs() -> None:
    from assistant.ingestion.document import BlockKind

    path = CORPUS / "toolbox" / "beleidsplanning.html"
    doc = parse_html(path.read_text(encoding="utf-8"), _meta(str(path), "toolbox"))
    table = next(b for b in doc.blocks if b.kind is BlockKind.TABLE)
    lines = table.text.splitlines()
    assert lines[0] == "De stappen van de Toolbox beleidsplanning" and table.header
    assert lines[1] == "Stap | Onderdeel van het beleidsplanningsproces" and len(lines) == 11
    lst = next(b for b in doc.blocks if b.kind is BlockKind.LIST and "zoekrobots" in b.text)
    assert lst.text.splitlines()[0].endswith("tools op maat:")  # the lead-in sentence
    assert lst.text.count("• ") == 5
    stray = parse_html(
        "<html><body><main><div>Tekst zonder alinea over vrijwilligers.</div></main></body></html>",
        _meta("d.html", "toolbox"),
    )
    assert "Tekst zonder alinea over vrijwilligers." in stray.text


def test_markdown_lists_and_tables_are_whole_blocks() -> None:
    from assistant.ingestion.document import BlockKind

    md = "# G\n\nDrie plekken:\n\n- een\n- twee\n- drie\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    doc = parse_markdown(md, _meta("g.md", "decreetgids"))
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert (BlockKind.LIST, "Drie plekken:\n• een\n• twee\n• drie") in kinds
    assert (BlockKind.TABLE, "a | b\n1 | 2") in kinds


def test_report_table_titles_page_breaks_and_photo_credits(report) -> None:  # type: ignore[no-untyped-def]
    from assistant.ingestion.document import BlockKind

    # A table title that pypdf emits after the rest of page 69 titles the table that opens the page.
    vte = next(b for b in report.blocks if b.kind is BlockKind.TABLE and "Werking | 638,98%" in b.text)
    assert vte.page == 69
    assert vte.text.splitlines()[0] == "VTE % effectieve inzetbaarheid naar functie en kernopdrachten (9)"
    assert not any(b.kind is BlockKind.TEXT and b.text.startswith("VTE % effectieve") for b in report.blocks)
    # A sentence that runs over a page break is whole, on the page where it ends.
    assert "De deelnemende burgerwetenschappers nemen een staal" in _page_text(report, 17)
    assert "De deelnemende" not in _page_text(report, 16)
    assert "Wie als individu of als organisatie bewust inzet" in _page_text(report, 19)
    # The photo-credit pages at the end have their own title, not the last chapter's.
    photos = [b for b in report.blocks if b.page in (71, 72)]
    assert photos and all(b.section == ("Over de foto’s in dit jaarverslag",) for b in photos)
    captions = [b.text for b in photos if b.kind is BlockKind.CAPTION]
    # A caption title wrapped over two lines stays whole, out of the running text.
    assert any(
        c.startswith("Reportage over Untold Asian Stories voor ‘Inspiratiemoment Burgerinitatieven’") for c in captions
    )
    assert "Reportage over" not in " ".join(b.text for b in photos if b.kind is BlockKind.TEXT)
    # A list item whose names run on at a line ending in a capitalised word stays one item.
    experts = next(b for b in report.blocks if b.kind is BlockKind.LIST and "zes video’s" in b.text)
    item = next(line for line in experts.text.splitlines() if "zes video’s" in line)
    assert "Dave Sinardet (VUB)" in item and item.endswith("Margot Cloet (Zorgnet-Icuro)")
    assert experts.text.count("• ") == 5


def test_report_keeps_person_cards_as_rows_of_one_titled_table(report) -> None:  # type: ignore[no-untyped-def]
    from assistant.ingestion.document import BlockKind

    # Page 68 prints two cards ("name" / "stafmedewerker" / "uit dienst"), one of them away from the
    # other; both are rows of the table under "In- en uitdiensttredingen in 2023", not running text.
    cards = [b for b in report.blocks if b.page == 68 and b.kind is BlockKind.TABLE and "uit dienst" in b.text]
    assert len(cards) == 1, [b.text for b in cards]
    lines = cards[0].text.splitlines()
    assert lines[0] == "In- en uitdiensttredingen in 2023"
    assert len(lines) == 3 and all(line.endswith(" | stafmedewerker | uit dienst") for line in lines[1:])
    text = " ".join(b.text for b in report.blocks if b.page == 68 and b.kind is BlockKind.TEXT)
    assert "uit dienst" not in text and "stafmedewerker uit dienst Personeel" not in text
