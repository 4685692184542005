"""File checks before an uploaded publication is stored: size, type by content, readable text.

:func:`check_upload` runs before anything reaches the corpus folder.  It looks at
what a file *is*, not at what its name says: a Windows program renamed to
``rapport.pdf`` is refused as a program, a PDF called ``gids.md`` is refused
with a hint to fix the extension.  A PDF that needs a password, or that holds
only scanned images, is refused with what to do about it.  Finally the file is
parsed exactly as the ingest will parse it (in a child process with the parse
time budget), so a file that passes the check does not fail in the ingest.

Every refusal is an :class:`UploadRejected` whose ``reason`` is a Dutch sentence
that says what is wrong and what to do; nothing has been stored at that point.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..errors import DocumentError
from ..ingestion.loading import SUPPORTED_SUFFIXES, DocumentMeta, ParsedDocument, parse_file

__all__ = [
    "ACCEPTED_SUFFIXES",
    "CheckedUpload",
    "FileKind",
    "UploadRejected",
    "check_upload",
    "default_title",
    "dutch_reason",
    "sniff_kind",
]


class FileKind(StrEnum):
    """What a file is, decided from its content."""

    PDF = "pdf"
    HTML = "html"
    MARKDOWN = "markdown"


#: The extensions an upload may have (the parsers' own list).
ACCEPTED_SUFFIXES: tuple[str, ...] = tuple(sorted(SUPPORTED_SUFFIXES))
#: The extension a stored file gets per kind, when its own is not one of that kind.
CANONICAL_SUFFIX: dict[FileKind, str] = {FileKind.PDF: ".pdf", FileKind.HTML: ".html", FileKind.MARKDOWN: ".md"}
_KIND_NAMES = {FileKind.PDF: "een PDF", FileKind.HTML: "een HTML-pagina", FileKind.MARKDOWN: "Markdown-tekst"}

# Well-known binary formats, by their first bytes: what the file is, and what to do.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "een Windows-programma (.exe/.dll)"),
    (b"\x7fELF", "een programma (ELF)"),
    (b"\xca\xfe\xba\xbe", "een programma (Mach-O/Java)"),
    (b"\xcf\xfa\xed\xfe", "een programma (Mach-O)"),
    (b"PK\x03\x04", "een ZIP-archief of Office-document (.docx, .xlsx, .pptx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "een oud Office-document (.doc, .xls, .ppt)"),
    (b"{\\rtf", "een RTF-document"),
    (b"\x89PNG", "een afbeelding (PNG)"),
    (b"\xff\xd8\xff", "een afbeelding (JPEG)"),
    (b"GIF8", "een afbeelding (GIF)"),
    (b"\x1f\x8b", "een gecomprimeerd bestand (gzip)"),
    (b"Rar!", "een RAR-archief"),
    (b"7z\xbc\xaf\x27\x1c", "een 7-Zip-archief"),
)
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_HTML_TAG = re.compile(rb"<(?:html|head|body|main|article|p|div|h[1-6]|ul|ol|table|section)\b", re.I)
_WHAT_TO_DO = "Sla het document op als PDF, HTML of Markdown en laad het opnieuw op."


class UploadRejected(DocumentError):
    """An upload failed a check; ``reason`` is a Dutch message for the person uploading."""


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, with what the checks learnt about it."""

    source: Path
    filename: str
    kind: FileKind
    #: The extension to store it with: its own when that fits the content, else the kind's usual one.
    suffix: str
    size: int
    sha256: str
    pages: int
    #: The title the parser found (HTML ``<title>``, first Markdown heading), else one made of the file name.
    title: str


def sniff_kind(head: bytes, filename: str) -> FileKind:
    """The kind of a file from its first bytes; :class:`UploadRejected` for anything else."""
    if b"%PDF-" in head[:1024]:
        return FileKind.PDF
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            raise UploadRejected(filename, f"Dit bestand is geen PDF, HTML of Markdown maar {what}. {_WHAT_TO_DO}")
    if b"\x00" in head:
        raise UploadRejected(filename, f"Dit bestand is geen tekst of PDF maar een binair bestand. {_WHAT_TO_DO}")
    text = head.removeprefix(b"\xef\xbb\xbf")
    if _HTML_START.search(text) or _HTML_TAG.search(text[:4096]):
        return FileKind.HTML
    return FileKind.MARKDOWN


def _expected_kind(filename: str) -> FileKind:
    suffix = Path(filename).suffix.lower()
    kind = SUPPORTED_SUFFIXES.get(suffix)
    if kind is None:
        raise UploadRejected(
            filename,
            f"Bestanden met de extensie '{suffix or '(geen)'}' worden niet aanvaard; enkel PDF, HTML en Markdown "
            f"({', '.join(ACCEPTED_SUFFIXES)}). {_WHAT_TO_DO}",
        )
    return FileKind(kind)


def _agree(expected: FileKind, found: FileKind, head: bytes, filename: str) -> None:
    """The extension must fit the content (HTML inside a Markdown file is still Markdown)."""
    if expected == found:
        return
    if expected == FileKind.MARKDOWN and found == FileKind.HTML and not _HTML_START.search(head):
        return  # Markdown with some inline HTML
    if expected == FileKind.HTML and found == FileKind.MARKDOWN:
        raise UploadRejected(
            filename,
            "De naam eindigt op .html, maar het bestand bevat geen HTML-opmaak. Is het Markdown of gewone tekst? "
            "Geef het dan de extensie .md.",
        )
    raise UploadRejected(
        filename,
        f"De naam eindigt op {Path(filename).suffix.lower()}, maar het bestand is {_KIND_NAMES[found]}. "
        f"Geef het de juiste extensie ({CANONICAL_SUFFIX[found]}) en laad het opnieuw op.",
    )


def _check_pdf_opens(path: Path, filename: str) -> None:
    """A PDF that needs a password is refused before it is parsed."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        locked = reader.is_encrypted and not reader.decrypt("")
    except Exception as err:  # pypdf has no single error root; a broken PDF is refused below
        if "crypt" in type(err).__name__.lower() or "crypt" in str(err).lower():
            locked = True
        else:
            raise UploadRejected(
                filename,
                f"Deze PDF is beschadigd en kan niet gelezen worden ({type(err).__name__}). "
                "Exporteer hem opnieuw vanuit het originele document en laad hem opnieuw op.",
            ) from err
    if locked:
        raise UploadRejected(
            filename,
            "Deze PDF is versleuteld of met een wachtwoord beveiligd, zodat de tekst niet gelezen kan worden. "
            "Sla een kopie zonder wachtwoord of beveiliging op (bv. 'Opslaan als' of 'Afdrukken naar PDF') "
            "en laad die op.",
        )


# Parser reasons (English, for the operator's log) that have their own Dutch explanation.
_PARSE_REASONS: tuple[tuple[str, str], ...] = (
    (
        "no text layer",
        "Deze PDF heeft geen tekstlaag: hij bevat enkel gescande afbeeldingen, zodat er geen tekst te lezen valt. "
        "Laat er eerst tekstherkenning (OCR) op lopen, bv. in Acrobat of met ocrmypdf, en laad hem dan opnieuw op.",
    ),
    (
        "encrypted",
        "Deze PDF is versleuteld, zodat de tekst niet gelezen kan worden. Sla een kopie zonder beveiliging op "
        "en laad die op.",
    ),
    (
        "password",
        "Deze PDF is met een wachtwoord beveiligd. Sla een kopie zonder wachtwoord op en laad die op.",
    ),
    (
        "no text found",
        "In dit bestand staat geen leesbare tekst. Controleer of je het juiste bestand koos.",
    ),
    (
        "took longer than",
        "Het lezen van dit bestand duurde te lang en werd gestopt: het is te groot of te ingewikkeld. "
        "Splits het in kleinere delen of exporteer het opnieuw.",
    ),
    (
        "does not look like html",
        "Dit bestand lijkt geen HTML-pagina te zijn. Controleer het bestand of geef het de juiste extensie.",
    ),
)


def dutch_reason(reason: str) -> str:
    """A Dutch message for a parser's reason (the ingest's and the parsers' are English, for operators)."""
    lowered = reason.lower()
    for needle, message in _PARSE_REASONS:
        if needle in lowered:
            return message
    return (
        f"Dit bestand kan niet gelezen worden ({reason}). Exporteer het opnieuw vanuit het originele document "
        "en laad het opnieuw op."
    )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def default_title(filename: str) -> str:
    """A readable title from a file name: ``jaarverslag-2024_def.pdf`` -> ``Jaarverslag 2024 def``."""
    stem = Path(filename).stem
    words = re.sub(r"[-_.]+", " ", stem).strip()
    return (words[:1].upper() + words[1:]) if words else "Document"


def check_upload(path: Path, filename: str, *, max_bytes: int, timeout_s: float) -> CheckedUpload:
    """Check the uploaded file at ``path`` (its name as uploaded: ``filename``) before it is stored.

    Raises :class:`UploadRejected` with a Dutch reason when the file is empty or too
    large, is not a PDF, HTML or Markdown file by content, has an extension that does
    not fit its content, is a PDF that needs a password or has no text layer, or
    cannot be parsed within ``timeout_s`` seconds.
    """
    name = Path(filename).name or "bestand"
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError as err:
        raise UploadRejected(name, "Het opgeladen bestand kon niet gelezen worden; laad het opnieuw op.") from err
    if size == 0:
        raise UploadRejected(name, "Het bestand is leeg. Kies het juiste bestand en laad het opnieuw op.")
    if size > max_bytes:
        raise UploadRejected(
            name,
            f"Het bestand is {size / 1e6:.1f} MB, meer dan de limiet van {max_bytes / 1e6:.0f} MB. "
            "Splits het document of verklein de afbeeldingen erin (bv. 'PDF verkleinen') en laad het opnieuw op.",
        )
    found = sniff_kind(head, name)
    expected = _expected_kind(name)
    _agree(expected, found, head, name)
    kind = expected  # equal to ``found``, except Markdown with inline HTML, which stays Markdown
    suffix = Path(name).suffix.lower()
    if found == FileKind.PDF:
        _check_pdf_opens(path, name)
    meta = DocumentMeta(path=name, doc_id="upload", title=Path(name).stem, doc_type="publicatie")
    # Parsed by extension: give the child a file whose suffix is the kind's.
    doc = _parse(path, meta, kind, max_bytes=max_bytes, timeout_s=timeout_s)
    title = doc.meta.title if doc.meta.title and doc.meta.title != Path(name).stem else default_title(name)
    return CheckedUpload(
        source=path,
        filename=name,
        kind=kind,
        suffix=suffix,
        size=size,
        sha256=_sha256(path),
        pages=doc.pages,
        title=title,
    )


def _parse(path: Path, meta: DocumentMeta, kind: FileKind, *, max_bytes: int, timeout_s: float) -> ParsedDocument:
    """Parse as the ingest will; the parser picks its format by the file's suffix."""
    if SUPPORTED_SUFFIXES.get(path.suffix.lower()) == kind.value:
        return _parse_named(path, meta, max_bytes=max_bytes, timeout_s=timeout_s)
    # Gradio keeps the uploaded name, but a caller may hand over any temporary path.
    with tempfile.TemporaryDirectory(prefix="vraagbaak-check-") as folder:
        target = Path(folder) / f"upload{CANONICAL_SUFFIX[kind]}"
        target.symlink_to(path.resolve())
        return _parse_named(target, meta, max_bytes=max_bytes, timeout_s=timeout_s)


def _parse_named(path: Path, meta: DocumentMeta, *, max_bytes: int, timeout_s: float) -> ParsedDocument:
    try:
        return parse_file(path, meta, max_bytes=max_bytes, timeout_s=timeout_s)
    except DocumentError as err:
        raise UploadRejected(meta.path, dutch_reason(err.reason)) from err
