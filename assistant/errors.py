"""The exception hierarchy of Vraagbaak.

Every error the project raises on purpose derives from :class:`VraagbaakError`, so
callers (the CLI, the web app) can catch one type and show ``str(err)``: each
message says what went wrong *and what to do next*.  Errors of third-party
libraries (pypdf, Chroma, SQLAlchemy) are translated at the boundary with
``raise ... from err`` so the original traceback stays available for debugging.
"""

from __future__ import annotations


class VraagbaakError(Exception):
    """Root of all Vraagbaak errors; ``str(err)`` is a message for a person."""


class ConfigError(VraagbaakError):
    """A setting, flag or environment variable has an invalid value."""


class DocumentError(VraagbaakError):
    """One input document cannot be read (corrupt, encrypted, empty, too big ...)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class IndexUnavailableError(VraagbaakError):
    """The index is missing, locked, unreadable or the vector server is unreachable."""


class QuestionError(VraagbaakError):
    """A question cannot be processed as given (empty, too long, binary)."""


class TriageError(VraagbaakError):
    """A triage operation was refused (unknown request, invalid transition, no consent)."""


class SourceError(VraagbaakError):
    """A change to the publications (upload, replacement, removal) was refused or failed."""


class AccessDeniedError(VraagbaakError):
    """A staff-only operation was attempted without a valid login."""


class RoleRequiredError(AccessDeniedError):
    """A logged-in staff member lacks the role a page or action needs."""

    def __init__(self, role: str, message: str) -> None:
        self.role = role
        super().__init__(message)


class MailError(VraagbaakError):
    """A mail to a requester could not be sent or written (server down, refused, outbox unwritable)."""
