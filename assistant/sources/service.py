"""The sources service: list, add, replace and remove publications, and keep the index in step.

Both the Bronnen page and ``python -m assistant ingest`` go through
:class:`SourcesService`:

* :meth:`~SourcesService.add`, :meth:`~SourcesService.replace` and
  :meth:`~SourcesService.remove` check uploads first (:mod:`.checks`; a refused
  file changes nothing), record the change in the audit trail, and queue a job.
  The job (one background thread, :mod:`.jobs`) writes the corpus folder
  (:mod:`.corpus`), runs the incremental ingest with progress, and undoes the
  change of a file that the ingest could not index, so that file keeps its
  previous version.  The ingest publishes a new index generation atomically: the
  chat answers from the previous generation until then.
* :meth:`~SourcesService.ingest` is the CLI's ingest: the same ingest, with the
  files it found added, changed or removed written to the audit trail.
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import SourceError, VraagbaakError
from ..index.backend import IndexBackend, index_for
from ..index.embedders import Embedder
from ..ingestion.loading import DOC_TYPES, DocumentMeta, file_sha256
from ..ingestion.pipeline import IngestSummary, ProgressCallback
from ..settings import Settings
from .catalog import IndexState, SourceDocument, indexed_files, indexed_meta, list_documents
from .checks import CheckedUpload, UploadRejected, check_upload, dutch_reason
from .corpus import AppliedChange, Corpus, slugify
from .jobs import Job, JobView, Worker
from .model import ChangeAction, ChangeState, SourceChange

if TYPE_CHECKING:
    from ..db import Database

__all__ = ["AuditTrail", "IngestRunner", "SourcesService", "Submitted", "Upload", "cli_actor"]

logger = logging.getLogger(__name__)

_MAX_TITLE = 300
_MAX_URL = 1000


class AuditTrail(Protocol):
    """Where the service writes who changed what (:class:`~.audit.SourceAuditStore`)."""

    def record(self, change: SourceChange) -> SourceChange: ...

    def finish(
        self, change_id: int, state: ChangeState, *, detail: str | None = None, generation: str | None = None
    ) -> None: ...

    def list(self, *, path: str | None = None, limit: int | None = 200) -> list[SourceChange]: ...

    def last_errors(self) -> dict[str, str]: ...


class IngestRunner(Protocol):
    """The incremental ingest (:func:`assistant.ingestion.pipeline.ingest`)."""

    def __call__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = ...,
        index: IndexBackend | None = ...,
        progress: bool = ...,
        log: Any = ...,
        on_progress: ProgressCallback | None = ...,
    ) -> IngestSummary: ...


@dataclass(frozen=True)
class Upload:
    """An uploaded file: where it is now and the name it had on the uploader's computer."""

    path: Path
    filename: str


@dataclass(frozen=True)
class Submitted:
    """What became of a request: the job that carries the accepted files, and the refused ones."""

    job: JobView | None
    #: ``(file name, Dutch reason)`` per refused file; nothing of those was stored.
    rejected: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Planned:
    """One change of a job: what to write where, and its row in the audit trail."""

    record: SourceChange
    meta: DocumentMeta
    staged: Path | None = None
    replaces: str | None = None
    applied: AppliedChange | None = None


def cli_actor() -> str:
    """Who runs a CLI command: ``cli:<login name>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in a container
        return "cli"


def _own_embedder(name: str) -> Callable[[], Embedder]:
    """Loads the embedder on the first call and keeps it (a job's ingest needs it; listing does not)."""
    from ..index.embedders import Embedders

    embedders = Embedders()
    return lambda: embedders.get(name)


def _default_ingest() -> IngestRunner:
    from ..ingestion.pipeline import ingest

    return ingest


class SourcesService:
    """The publications of one configuration (corpus folder and index of ``settings``).

    ``open_audit`` opens the audit trail when it is first needed (a CLI ingest
    that changed nothing never opens the database); ``index`` is the index the
    chat reads (the settings' by default); ``embedder`` gives the embedder for a
    job's ingest (the web app passes the chat's ``Vraagbaak.embedder``); when it
    gives none, one is loaded on the first job and kept; ``run_ingest`` is the ingest (the pipeline's by
    default); ``worker`` runs the background jobs.
    """

    def __init__(
        self,
        settings: Settings,
        open_audit: Callable[[], AuditTrail],
        *,
        index: IndexBackend | None = None,
        embedder: Callable[[], Embedder | None] | None = None,
        run_ingest: IngestRunner | None = None,
        worker: Worker | None = None,
    ) -> None:
        self.settings = settings
        self.corpus = Corpus(Path(settings.corpus_dir))
        self.index = index if index is not None else index_for(settings)
        self._open_audit = open_audit
        self._audit: AuditTrail | None = None
        self._shared_embedder = embedder
        self._own_embedder = _own_embedder(settings.embedder)
        self._run_ingest = run_ingest or _default_ingest()
        self._worker = worker or Worker()

    @classmethod
    def open(
        cls,
        settings: Settings,
        database: Database | None = None,
        *,
        index: IndexBackend | None = None,
        embedder: Callable[[], Embedder | None] | None = None,
    ) -> SourcesService:
        """The service of ``settings``; its audit trail opens ``database`` (default: the settings') on first use.

        Nothing touches the database (or imports SQLAlchemy) before a change is
        recorded, so an ingest that finds nothing changed stays as fast as before.
        """

        def open_audit() -> AuditTrail:
            from ..db import Database
            from .audit import SourceAuditStore

            return SourceAuditStore(database if database is not None else Database.from_settings(settings))

        return cls(settings, open_audit, index=index, embedder=embedder)

    def _embedder(self) -> Embedder:
        shared = self._shared_embedder() if self._shared_embedder is not None else None
        return shared if shared is not None else self._own_embedder()

    @property
    def audit(self) -> AuditTrail:
        """The audit trail (opened on first use)."""
        if self._audit is None:
            self._audit = self._open_audit()
        return self._audit

    @property
    def max_bytes(self) -> int:
        """The upload size limit in bytes (``ASSISTANT_MAX_FILE_MB``)."""
        return int(self.settings.max_file_mb * 1_000_000)

    # ------------------------------------------------------------------ reading

    def documents(self, search: str = "", doc_type: str | None = None) -> list[SourceDocument]:
        """The publications, filtered by words in title/file/URL and by type."""
        return list_documents(
            self.corpus.documents(),
            indexed_files(self.index),
            self.audit.last_errors(),
            search=search,
            doc_type=doc_type or None,
        )

    def document(self, path: str) -> SourceDocument:
        """One publication by its path in the corpus folder; :class:`SourceError` when unknown."""
        for doc in self.documents():
            if doc.path == path:
                return doc
        raise SourceError(f"Er is geen document '{path}' in de bronnen; vernieuw de lijst en kies opnieuw.")

    def history(self, path: str | None = None, limit: int = 200) -> list[SourceChange]:
        """The audit trail, newest first (of one document with ``path``)."""
        return self.audit.list(path=path, limit=limit)

    def jobs(self) -> list[JobView]:
        """Jobs of this process, newest first."""
        return self._worker.views()

    def job(self, job_id: str) -> JobView:
        job = self._worker.get(job_id)
        if job is None:
            raise SourceError(f"Onbekende taak {job_id!r}.")
        return job.view()

    def wait(self, job_id: str, timeout: float | None = None) -> JobView:
        """Block until a job ended (tests, CLI)."""
        job = self._worker.get(job_id)
        if job is None:
            raise SourceError(f"Onbekende taak {job_id!r}.")
        return job.wait(timeout)

    def close(self) -> None:
        """Stop the background thread after the current job."""
        self._worker.stop()

    # ------------------------------------------------------------------ changes

    def check(self, upload: Upload) -> CheckedUpload:
        """The file checks of :mod:`.checks` on one upload (raises :class:`UploadRejected`)."""
        return check_upload(
            upload.path, upload.filename, max_bytes=self.max_bytes, timeout_s=self.settings.parse_timeout_s
        )

    def add(self, uploads: Sequence[Upload], *, by: str, doc_type: str, title: str = "", url: str = "") -> Submitted:
        """Check each upload, queue the accepted ones as new documents; refused ones are listed.

        ``title`` and ``url`` apply when one file is uploaded; with several, each
        document gets the title found in it (or made of its file name).
        """
        if not uploads:
            raise SourceError("Kies eerst een of meer bestanden (PDF, HTML of Markdown).")
        doc_type = _doc_type(doc_type)
        title, url = _title(title), _url(url)
        indexed = {e.get("sha256"): path for path, e in indexed_files(self.index).items()}
        current = self.corpus.documents()
        planned: list[_Planned] = []
        rejected: list[tuple[str, str]] = []
        seen: set[str] = set()
        for upload in uploads:
            try:
                checked = self.check(upload)
                duplicate = indexed.get(checked.sha256)
                if duplicate or checked.sha256 in seen:
                    where = current[duplicate].title if duplicate in current else duplicate
                    raise UploadRejected(
                        checked.filename,
                        f"Dit bestand staat al in de bronnen{f' als {where!r}' if where else ''}. "
                        "Kies 'Vervangen' om een document door een nieuwe versie te vervangen.",
                    )
            except UploadRejected as err:
                rejected.append((Path(upload.filename).name, err.reason))
                continue
            seen.add(checked.sha256)
            path = self.corpus.new_path(doc_type, checked.filename, checked.suffix)
            taken = {p.meta.path for p in planned}
            number = 2
            while path in taken:  # two uploads with the same name in one go
                path = self.corpus.new_path(doc_type, f"{Path(checked.filename).stem}-{number}", checked.suffix)
                number += 1
            meta = DocumentMeta(
                path=path,
                doc_id=slugify(Path(path).with_suffix("").as_posix()),
                title=(title if len(uploads) == 1 and title else checked.title)[:_MAX_TITLE],
                doc_type=doc_type,
                url=url if len(uploads) == 1 else "",
            )
            record = self._record(ChangeAction.TOEGEVOEGD, meta, by, old=None, new=checked.sha256)
            planned.append(_Planned(record, meta, staged=self.corpus.stage(checked.source, checked.suffix)))
        if not planned:
            return Submitted(None, rejected)
        label = planned[0].meta.title if len(planned) == 1 else f"{len(planned)} documenten toevoegen"
        return Submitted(self._submit(f"Toevoegen: {label}", by, planned), rejected)

    def replace(
        self,
        path: str,
        upload: Upload | None,
        *,
        by: str,
        title: str | None = None,
        doc_type: str | None = None,
        url: str | None = None,
    ) -> JobView:
        """Queue a new version of a document and/or new title, type or source URL.

        Raises :class:`UploadRejected` when the new file fails a check (the current
        version stays), :class:`SourceError` when nothing would change.
        """
        doc = self.document(path)
        if doc.state == IndexState.BESTAND_WEG:
            raise SourceError(f"Het bestand van '{doc.title}' is al verwijderd; voeg het opnieuw toe.")
        old_sha = doc.sha256 or _sha_or_none(self.corpus.file(path))
        meta = DocumentMeta(
            path=path,
            doc_id=doc.doc_id,
            title=_title(title) or doc.title if title is not None else doc.title,
            doc_type=_doc_type(doc_type) if doc_type else doc.doc_type,
            url=_url(url) if url is not None else doc.url,
            date=doc.date,
        )
        staged: Path | None = None
        new_sha = old_sha
        replaces: str | None = None
        if upload is not None:
            checked = self.check(upload)
            if checked.sha256 == old_sha:
                if (meta.title, meta.doc_type, meta.url) == (doc.title, doc.doc_type, doc.url):
                    raise SourceError(
                        "Het nieuwe bestand is identiek aan de huidige versie; er is niets gewijzigd. "
                        "Kies het bijgewerkte bestand."
                    )
            else:
                new_sha = checked.sha256
                if Path(path).suffix.lower() != checked.suffix:
                    replaces = path
                    meta = replace(meta, path=Path(path).with_suffix(checked.suffix).as_posix())
                staged = self.corpus.stage(checked.source, checked.suffix)
        elif (meta.title, meta.doc_type, meta.url) == (doc.title, doc.doc_type, doc.url):
            raise SourceError("Er is niets gewijzigd: kies een nieuw bestand of pas titel, type of bron-URL aan.")
        action = ChangeAction.VERVANGEN if staged is not None else ChangeAction.GEGEVENS
        record = self._record(action, meta, by, old=old_sha, new=new_sha)
        job = _Planned(record, meta, staged=staged, replaces=replaces)
        return self._submit(f"{action.value.capitalize()}: {meta.title}", by, [job])

    def remove(self, path: str, *, by: str) -> JobView:
        """Queue the removal of a document from the corpus folder and the index."""
        doc = self.document(path)
        meta = DocumentMeta(doc.path, doc.doc_id, doc.title, doc.doc_type, doc.url, doc.date)
        record = self._record(ChangeAction.VERWIJDERD, meta, by, old=doc.sha256, new=None)
        return self._submit(f"Verwijderen: {doc.title}", by, [_Planned(record, meta)])

    # ------------------------------------------------------------------ the CLI's ingest

    def ingest(self, *, by: str, progress: bool = True, log: Any = None) -> IngestSummary:
        """Run the incremental ingest now and record what it found changed (the CLI's ``ingest``).

        Raises :class:`SourceError` when a change from the Bronnen page is being indexed.
        """
        with self.corpus.lock(wait=False):
            before = _indexed_or_empty(self.index)
            # The pipeline loads the embedder itself, only when something changed.
            summary = self._run_ingest(self.settings, index=self.index, progress=progress, log=log)
            after = indexed_files(self.index) if summary.changed else before
            try:
                self._audit_ingest(before, after, summary, by)
            except VraagbaakError as err:  # the index is published; the trail is the part that failed
                logger.warning("the ingest's changes could not be written to the audit trail: %s", err)
                raise SourceError(
                    f"De index is bijgewerkt, maar de audit trail kon niet bewaard worden: {err}"
                ) from err
        return summary

    def _audit_ingest(self, before: dict[str, Any], after: dict[str, Any], summary: IngestSummary, by: str) -> None:
        failed = dict(summary.failed)
        for path in sorted(set(before) | set(after) | set(failed)):
            old, new = before.get(path), after.get(path)
            old_sha = old.get("sha256") if old else None
            if path in failed:
                meta = _meta_of(path, new or old, self.corpus)
                sha = _sha_or_none(self.corpus.root / path)
                if sha == old_sha and old and old.get("last_error") == failed[path]:
                    continue  # the same failure as last time
                action = ChangeAction.VERVANGEN if old else ChangeAction.TOEGEVOEGD
                record = self._record(action, meta, by, old=old_sha, new=sha)
                self.audit.finish(record.id, ChangeState.MISLUKT, detail=dutch_reason(failed[path]))
                continue
            if old == new:
                continue
            if new is None:
                action, new_sha = ChangeAction.VERWIJDERD, None
            elif old is None:
                action, new_sha = ChangeAction.TOEGEVOEGD, new.get("sha256")
            elif old.get("sha256") != new.get("sha256"):
                action, new_sha = ChangeAction.VERVANGEN, new.get("sha256")
            elif old.get("meta") != new.get("meta"):
                action, new_sha = ChangeAction.GEGEVENS, new.get("sha256")
            else:
                continue  # re-indexed with a new configuration, the document itself did not change
            record = self._record(action, _meta_of(path, new or old, self.corpus), by, old=old_sha, new=new_sha)
            self.audit.finish(record.id, ChangeState.KLAAR, generation=summary.generation)

    # ------------------------------------------------------------------ jobs

    def _record(
        self, action: ChangeAction, meta: DocumentMeta, by: str, *, old: str | None, new: str | None
    ) -> SourceChange:
        from datetime import UTC, datetime

        change = SourceChange(
            id=0,
            at=datetime.now(UTC),
            actor=by,
            action=action,
            path=meta.path,
            doc_id=meta.doc_id,
            title=meta.title,
            doc_type=meta.doc_type,
            url=meta.url,
            old_sha256=old,
            new_sha256=new,
            state=ChangeState.WACHTRIJ,
        )
        return self.audit.record(change)

    def _submit(self, label: str, by: str, planned: list[_Planned]) -> JobView:
        job = Job(label, by, lambda j: self._run(j, planned))
        return self._worker.submit(job).view()

    def _run(self, job: Job, planned: list[_Planned]) -> str:
        """The job: write the corpus, ingest, undo what could not be indexed."""
        job.report("wachten")
        with self.corpus.lock():
            job.report("toepassen")
            try:
                for item in planned:
                    item.applied = self._apply(item)
                    self.audit.finish(item.record.id, ChangeState.BEZIG)
                summary = self._run_ingest(
                    self.settings,
                    embedder=self._embedder(),
                    index=self.index,
                    progress=False,
                    log=_log_failure,
                    on_progress=job.report,
                )
            except (VraagbaakError, OSError) as err:
                for item in reversed(planned):
                    if item.applied is not None:
                        self.corpus.undo(item.applied)
                reason = _reason(err)
                for item in planned:
                    self._finish_quietly(item.record.id, ChangeState.MISLUKT, reason)
                job.fail(f"Niets gewijzigd: {reason}")
                return ""
            finally:
                for item in planned:
                    if item.staged is not None:
                        self.corpus.discard_staged(item.staged)
            failed = dict(summary.failed)
            problems: list[str] = []
            for item in planned:
                assert item.applied is not None
                failure = failed.get(item.meta.path)
                if failure is not None:
                    why = dutch_reason(failure)
                    self.corpus.undo(item.applied)
                    self._finish_quietly(item.record.id, ChangeState.MISLUKT, why)
                    problems.append(f"{Path(item.meta.path).name}: {why} (de vorige versie blijft in gebruik)")
                else:
                    self.corpus.commit(item.applied)
                    self._finish_quietly(item.record.id, ChangeState.KLAAR, None, summary.generation)
        if problems:
            job.fail("Niet alles kon geïndexeerd worden. " + " ".join(problems))
            return ""
        return f"Klaar: {len(planned)} {'wijziging' if len(planned) == 1 else 'wijzigingen'} in de index ({summary.line()})."

    def _apply(self, item: _Planned) -> AppliedChange:
        if item.record.action == ChangeAction.VERWIJDERD:
            return self.corpus.delete(item.meta.path)
        return self.corpus.put(item.meta.path, item.staged, item.meta, replaces=item.replaces)

    def _finish_quietly(
        self, change_id: int, state: ChangeState, detail: str | None, generation: str | None = None
    ) -> None:
        try:
            self.audit.finish(change_id, state, detail=detail, generation=generation)
        except VraagbaakError as err:  # the index is what counts; the page still shows the job's outcome
            logger.warning("audit trail row %d could not be updated: %s", change_id, err)


def _doc_type(value: str | None) -> str:
    text = (value or "").strip().lower()
    if text not in DOC_TYPES:
        raise SourceError(f"Kies het type van het document: {', '.join(DOC_TYPES)}.")
    return text


def _title(value: str | None) -> str:
    text = " ".join((value or "").split())
    if len(text) > _MAX_TITLE:
        raise SourceError(f"De titel is te lang (maximaal {_MAX_TITLE} tekens).")
    return text


def _url(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) > _MAX_URL or not text.startswith(("https://", "http://")) or any(c.isspace() for c in text):
        raise SourceError("De bron-URL moet een webadres zijn dat begint met https:// (of laat het veld leeg).")
    return text


def _sha_or_none(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


def _indexed_or_empty(index: IndexBackend) -> dict[str, Any]:
    try:
        return indexed_files(index)
    except VraagbaakError:
        return {}  # a damaged or missing index: the ingest rebuilds it, every file counts as new


def _meta_of(path: str, entry: dict[str, Any] | None, corpus: Corpus) -> DocumentMeta:
    return corpus.documents().get(path) or indexed_meta(path, entry)


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError):
        return f"de bronnenmap kon niet geschreven worden ({err.strerror or type(err).__name__})."
    return str(err)


def _log_failure(message: str) -> None:
    logger.warning("ingest: %s", message)
