"""The corpus folder as the sources service changes it: files, ``manifest.json``, a lock, undo.

Every change is written so that a reader (an ingest, another process) sees the
old state or the new one: files and the manifest are written to a temporary name
in the same folder and moved into place with ``os.replace``.  A change can be
undone (:meth:`Corpus.undo`) until it is committed: the previous version of a
replaced or removed file waits in a hidden backup folder, which the ingest never
reads (it skips hidden paths).

One change at a time, across processes: :meth:`Corpus.lock` is an ``flock`` on
``corpus/.sources.lock`` (the web app's background ingests and a CLI ingest).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SourceError
from ..ingestion.loading import DOC_TYPES, MANIFEST_NAME, DocumentMeta, discover, meta_for, read_manifest

__all__ = ["TYPE_FOLDERS", "AppliedChange", "Corpus", "slugify"]

#: Where uploads of each document type are stored in the corpus folder.
TYPE_FOLDERS: dict[str, str] = {"publicatie": "publicaties", "toolbox": "toolbox", "decreetgids": "decreetgids"}
_LOCK_NAME = ".sources.lock"
_BACKUP_DIR = ".vorige-versies"
_STAGING_DIR = ".opgeladen"


def slugify(text: str) -> str:
    """A file-name-safe slug: lower case ASCII letters, digits and dashes."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "document"


@dataclass
class AppliedChange:
    """What one change did to the corpus, so that it can be undone."""

    path: str
    #: The file before the change (moved to the backup folder), or None when the file is new.
    backup: Path | None = None
    #: The file the change wrote (None for a removal).
    written: Path | None = None
    #: The manifest entry before the change (None: there was none).
    entry_before: DocumentMeta | None = None
    #: Other paths the change touched (a replacement with another extension removes the old file).
    also_removed: list[tuple[str, Path]] = field(default_factory=list)


class Corpus:
    """The corpus folder ``root`` with its manifest."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # ------------------------------------------------------------------ reading

    def manifest(self) -> dict[str, DocumentMeta]:
        """The manifest entries by path (empty when there is no manifest)."""
        return read_manifest(self.root)

    def documents(self) -> dict[str, DocumentMeta]:
        """Every file the ingest would index, with its metadata (manifest entry or defaults)."""
        if not self.root.is_dir():
            return {}
        entries = self.manifest()
        return {meta.path: meta for meta in (meta_for(p, self.root, entries) for p in discover(self.root))}

    def file(self, path: str) -> Path:
        """The absolute path of a corpus file; :class:`SourceError` for a path outside the corpus."""
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root.resolve()) or any(p.startswith(".") for p in Path(path).parts):
            raise SourceError(f"'{path}' is geen document in de bronnenmap.")
        return target

    # ------------------------------------------------------------------ locking

    @contextlib.contextmanager
    def lock(self, *, wait: bool = True) -> Iterator[None]:
        """Exclusive lock for changing the corpus and indexing it (released when the holder dies).

        ``wait=False`` raises :class:`SourceError` at once when another change runs.
        """
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = (self.root / _LOCK_NAME).open("a+")
        except OSError as err:
            if wait:  # a change needs a writable corpus folder anyway
                raise SourceError(
                    f"De bronnenmap {self.root} is niet schrijfbaar ({err.strerror}); controleer de rechten."
                ) from err
            # Indexing a read-only corpus (a CLI ingest): nobody can change it, so no lock is needed.
            yield
            return
        with handle as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError as err:
                raise SourceError(
                    "Er loopt al een wijziging of indexering van de bronnen; wacht tot die klaar is en probeer opnieuw."
                ) from err
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # ------------------------------------------------------------------ staging

    def stage(self, source: Path, suffix: str) -> Path:
        """Copy an upload into the hidden staging folder (the upload's temp file may vanish)."""
        folder = self.root / _STAGING_DIR
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{secrets.token_hex(8)}{suffix}"
        shutil.copyfile(source, target)
        return target

    def new_path(self, doc_type: str, filename: str, suffix: str) -> str:
        """A free corpus path for a new document of ``doc_type`` named after ``filename``."""
        if doc_type not in DOC_TYPES:
            raise SourceError(f"Onbekend type '{doc_type}'; kies uit: {', '.join(DOC_TYPES)}.")
        folder = TYPE_FOLDERS[doc_type]
        base = slugify(Path(filename).stem)
        taken = set(self.documents()) | set(self.manifest())
        candidate = f"{folder}/{base}{suffix}"
        number = 2
        while candidate in taken or (self.root / candidate).exists():
            candidate = f"{folder}/{base}-{number}{suffix}"
            number += 1
        return candidate

    # ------------------------------------------------------------------ changes

    def put(self, path: str, staged: Path | None, meta: DocumentMeta, *, replaces: str | None = None) -> AppliedChange:
        """Write a document (``staged`` is None: only its metadata changes) and its manifest entry.

        ``replaces`` names the document this one replaces when the path differs (another
        extension); that file and manifest entry go.  Undo with :meth:`undo`.
        """
        target = self.file(path)
        entries = self.manifest()
        change = AppliedChange(path=path, entry_before=entries.get(replaces or path))
        if staged is not None:
            if target.exists():
                change.backup = self._backup(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
            shutil.copyfile(staged, tmp)
            _fsync(tmp)
            os.replace(tmp, target)
            change.written = target
        if replaces and replaces != path:
            if self.file(replaces).exists():
                change.also_removed.append((replaces, self._backup(replaces)))
            entries.pop(replaces, None)
        entries[path] = meta
        self.write_manifest(entries.values())
        return change

    def delete(self, path: str) -> AppliedChange:
        """Remove a document and its manifest entry (undo with :meth:`undo`)."""
        target = self.file(path)
        if not target.exists():
            raise SourceError(f"Het document '{path}' bestaat niet (meer) in de bronnenmap; vernieuw de lijst.")
        entries = self.manifest()
        change = AppliedChange(path=path, entry_before=entries.pop(path, None))
        change.backup = self._backup(path)
        if change.entry_before is not None:
            self.write_manifest(entries.values())
        return change

    def undo(self, change: AppliedChange) -> None:
        """Put back what ``change`` replaced or removed, and its manifest entry."""
        entries = self.manifest()
        if change.written is not None and change.backup is None:
            change.written.unlink(missing_ok=True)
        if change.backup is not None:
            self._restore(change.path, change.backup)
        for other, backup in change.also_removed:
            self._restore(other, backup)
        entries.pop(change.path, None)
        if change.entry_before is not None:  # its own path: a replacement may have moved the document
            entries[change.entry_before.path] = change.entry_before
        self.write_manifest(entries.values())

    def commit(self, change: AppliedChange) -> None:
        """Forget the backups of a change that was indexed."""
        for backup in [change.backup, *(b for _, b in change.also_removed)]:
            if backup is not None:
                shutil.rmtree(backup.parent, ignore_errors=True)

    def discard_staged(self, staged: Path) -> None:
        """Remove a staged upload (after it was written, or when its job was dropped)."""
        staged.unlink(missing_ok=True)

    def write_manifest(self, entries: Iterable[DocumentMeta]) -> None:
        """Write ``manifest.json`` atomically, one document per line (as the hand-written one)."""
        lines = [json.dumps(_entry(m), ensure_ascii=False) for m in entries]
        body = '{"documents": [\n  ' + ",\n  ".join(lines) + "\n]}\n" if lines else '{"documents": []}\n'
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{MANIFEST_NAME}.{secrets.token_hex(4)}.tmp"
        tmp.write_text(body, encoding="utf-8")
        _fsync(tmp)
        os.replace(tmp, self.root / MANIFEST_NAME)

    def _backup(self, path: str) -> Path:
        folder = self.root / _BACKUP_DIR / secrets.token_hex(8)
        folder.mkdir(parents=True)
        backup = folder / Path(path).name
        os.replace(self.file(path), backup)
        return backup

    def _restore(self, path: str, backup: Path) -> None:
        target = self.file(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(backup, target)
        shutil.rmtree(backup.parent, ignore_errors=True)


def _entry(meta: DocumentMeta) -> dict[str, str]:
    entry = {"path": meta.path, "doc_id": meta.doc_id, "title": meta.title, "doc_type": meta.doc_type}
    if meta.url:
        entry["url"] = meta.url
    if meta.date:
        entry["date"] = meta.date
    return entry


def _fsync(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())
