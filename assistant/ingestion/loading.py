"""Loading: find documents in the corpus and parse each with the parser for its format.

Every parser (:mod:`.pdf`, :mod:`.html`, :mod:`.markdown`) returns a
:class:`ParsedDocument`: document metadata plus an ordered list of typed
:class:`Block` records, each with its place in the source (section path and, for
PDFs, the 1-based page number of the PDF file).  Parsers raise
:class:`~assistant.errors.DocumentError` for unreadable input; the ingest step
catches it per file so one broken file never stops the rest.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import DocumentError
from .document import Block, BlockKind, DocumentMeta, ParsedDocument
from .html import parse_html
from .markdown import parse_markdown
from .pdf import parse_pdf

__all__ = [
    "DOC_TYPES",
    "SUPPORTED_SUFFIXES",
    "Block",
    "BlockKind",
    "DocumentMeta",
    "ParsedDocument",
    "discover",
    "file_sha256",
    "meta_for",
    "parse_file",
    "parse_html",
    "parse_markdown",
    "parse_pdf",
    "read_manifest",
]

DOC_TYPES = ("publicatie", "toolbox", "decreetgids")
SUPPORTED_SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}
_DEFAULT_TYPE = {"pdf": "publicatie", "html": "toolbox", "markdown": "decreetgids"}
MANIFEST_NAME = "manifest.json"


# --------------------------------------------------------------------------- corpus


def file_sha256(path: Path) -> str:
    """Content hash of a file (used by the incremental index manifest)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


def read_manifest(corpus_dir: Path) -> dict[str, DocumentMeta]:
    """Read ``corpus/manifest.json``; a missing manifest is an empty one.

    Raises DocumentError when the manifest exists but is not valid, because then
    every title and URL would silently be wrong.
    """
    path = corpus_dir / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["documents"]
        out: dict[str, DocumentMeta] = {}
        for e in entries:
            doc_type = e.get("doc_type") or _DEFAULT_TYPE.get(
                SUPPORTED_SUFFIXES.get(Path(e["path"]).suffix.lower(), ""), "publicatie"
            )
            if doc_type not in DOC_TYPES:
                raise ValueError(f"doc_type {doc_type!r} of {e['path']} is not one of {DOC_TYPES}")
            out[e["path"]] = DocumentMeta(
                path=e["path"],
                doc_id=e.get("doc_id") or _slug(Path(e["path"]).stem),
                title=e.get("title") or Path(e["path"]).stem,
                doc_type=doc_type,
                url=e.get("url", ""),
                date=str(e.get("date", "")),
            )
        return out
    except (ValueError, KeyError, TypeError) as err:
        raise DocumentError(
            str(path), f"manifest is not valid ({err}); fix the JSON: {{'documents': [{{'path': ...}}]}}"
        ) from err


def discover(corpus_dir: Path) -> Iterator[Path]:
    """All files under the corpus folder except the manifest and hidden/readme files."""
    for path in sorted(corpus_dir.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.name == MANIFEST_NAME or path.name.lower() == "readme.md":
            continue
        yield path


def meta_for(path: Path, corpus_dir: Path, manifest: dict[str, DocumentMeta]) -> DocumentMeta:
    """Metadata for a file: the manifest entry, or defaults derived from the file name."""
    rel = path.relative_to(corpus_dir).as_posix()
    if rel in manifest:
        return manifest[rel]
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower(), "")
    return DocumentMeta(
        path=rel,
        doc_id=_slug(Path(rel).with_suffix("").as_posix()),
        title=path.stem.replace("-", " ").replace("_", " ").strip().capitalize(),
        doc_type=_DEFAULT_TYPE.get(kind, "publicatie"),
    )


def parse_file(
    path: Path, meta: DocumentMeta, max_bytes: int | None = None, timeout_s: float | None = None
) -> ParsedDocument:
    """Parse one file by its extension.  Raises DocumentError for any unreadable input.

    With ``timeout_s`` the file is parsed in a child process that is killed when
    it takes longer: a small hostile file (a 30 KB PDF whose content stream
    inflates to 10 MB of text operators) can otherwise cost minutes of CPU.
    """
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise DocumentError(
            meta.path,
            f"unknown file type {path.suffix or '(none)'}; supported: "
            + ", ".join(sorted(SUPPORTED_SUFFIXES))
            + ". Convert it or move it out of the corpus folder.",
        )
    size = path.stat().st_size
    if size == 0:
        raise DocumentError(meta.path, "the file is empty; replace it with the real document.")
    if max_bytes is not None and size > max_bytes:
        raise DocumentError(
            meta.path,
            f"the file is {size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.1f} MB; "
            "split it or raise ASSISTANT_MAX_FILE_MB.",
        )
    doc = _parse_in_child(path, meta, timeout_s) if timeout_s is not None else _parse_kind(path, meta, kind)
    if not any(b.text.strip() for b in doc.blocks):
        raise DocumentError(meta.path, "no text found in the document; check that it has content.")
    return doc


def _parse_kind(path: Path, meta: DocumentMeta, kind: str) -> ParsedDocument:
    if kind == "pdf":
        return parse_pdf(path, meta)
    if kind == "html":
        return parse_html(_read_text(path, meta), meta)
    return parse_markdown(_read_text(path, meta), meta)


def _parse_in_child(path: Path, meta: DocumentMeta, timeout_s: float) -> ParsedDocument:
    """Parse in a fresh interpreter that is killed after ``timeout_s`` seconds.

    A subprocess (not fork: the parent may run torch and Chroma threads), fed and
    read as JSON, so nothing but plain data crosses the process boundary.
    """
    import os
    import subprocess
    import sys

    package_root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)}
    request = json.dumps({"path": str(path), "meta": meta.__dict__})
    try:
        proc = subprocess.run(
            [sys.executable, "-c", "from assistant.ingestion.loading import _child_main; _child_main()"],
            input=request,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout_s,
            env=env,
        )
    except subprocess.TimeoutExpired as err:  # run() has killed the child
        raise DocumentError(
            meta.path,
            f"parsing took longer than {timeout_s:.0f} s and was stopped; the file is too complex or hostile. "
            "Re-export or split it, or raise ASSISTANT_PARSE_TIMEOUT_S.",
        ) from err
    try:
        reply = json.loads(proc.stdout)
    except ValueError as err:
        raise DocumentError(
            meta.path, f"the parser process failed (exit status {proc.returncode}); re-export or replace the file."
        ) from err
    if "error" in reply:
        raise DocumentError(meta.path, reply["error"])
    return ParsedDocument(
        meta=DocumentMeta(**reply["meta"]),
        blocks=[Block.from_json(b) for b in reply["blocks"]],
        pages=reply["pages"],
    )


def _child_main() -> None:
    """Entry point of the parser child process (see :func:`_parse_in_child`)."""
    import sys

    request = json.loads(sys.stdin.read())
    meta = DocumentMeta(**request["meta"])
    path = Path(request["path"])
    try:
        doc = _parse_kind(path, meta, SUPPORTED_SUFFIXES[path.suffix.lower()])
        reply: dict[str, object] = {
            "meta": doc.meta.__dict__,
            "blocks": [b.to_json() for b in doc.blocks],
            "pages": doc.pages,
        }
    except DocumentError as err:
        reply = {"error": err.reason}
    except Exception as err:  # nothing may escape a parser
        reply = {"error": f"the file cannot be parsed ({type(err).__name__}); re-export or replace it."}
    sys.stdout.write(json.dumps(reply, ensure_ascii=True))


def _read_text(path: Path, meta: DocumentMeta) -> str:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise DocumentError(meta.path, "this is a binary file, not text; check the file extension.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Older toolbox exports are Windows-1252; that decoding cannot fail on text.
        return raw.decode("cp1252", errors="replace")
