"""Vraagbaak: a Dutch knowledge assistant over Socius publications, with citations.

Public API::

    from assistant import load_settings, ingest, get_assistant, ask
    settings = load_settings()
    ingest(settings)                       # build or update the index
    answer = ask("Hoeveel vragen kwamen binnen via de vraaggestuurde werking?")
    print(answer.text, answer.citations)
"""

from .answering import Answer, Citation
from .chain import Vraagbaak, ask, get_assistant
from .errors import (
    AccessDeniedError,
    ConfigError,
    DocumentError,
    IndexUnavailableError,
    QuestionError,
    TriageError,
    VraagbaakError,
)
from .ingest import IngestSummary, ingest
from .retrieval import Filters, HybridRetriever
from .settings import Settings, load_settings

__all__ = [
    "AccessDeniedError",
    "Answer",
    "Citation",
    "ConfigError",
    "DocumentError",
    "Filters",
    "HybridRetriever",
    "IndexUnavailableError",
    "IngestSummary",
    "QuestionError",
    "Settings",
    "TriageError",
    "Vraagbaak",
    "VraagbaakError",
    "ask",
    "get_assistant",
    "ingest",
    "load_settings",
]
