"""Publications managed by staff: file checks, the corpus folder, background ingests, audit trail.

``checks`` (what an upload is, before it is stored), ``corpus`` (the folder and
its ``manifest.json``, written atomically), ``catalog`` (the list of documents:
corpus joined with the index), ``jobs`` (background ingests with progress),
``service`` (:class:`SourcesService`, used by the Bronnen page and the CLI) and
``audit`` (the audit trail table; imported on use, it needs the database layer).
"""

from __future__ import annotations

from .catalog import IndexState, SourceDocument
from .checks import CheckedUpload, FileKind, UploadRejected, check_upload
from .jobs import JobView
from .model import ChangeAction, ChangeState, SourceChange
from .service import SourcesService, Submitted, Upload, cli_actor

__all__ = [
    "ChangeAction",
    "ChangeState",
    "CheckedUpload",
    "FileKind",
    "IndexState",
    "JobView",
    "SourceChange",
    "SourceDocument",
    "SourcesService",
    "Submitted",
    "Upload",
    "UploadRejected",
    "check_upload",
    "cli_actor",
]
