"""Vraagbaak: a Dutch knowledge assistant over Socius publications, with citations.

Public API::

    from assistant import Vraagbaak, ingest, load_settings
    settings = load_settings()
    ingest(settings)                       # build or update the index
    va = Vraagbaak(settings)               # owns the index snapshot and the models it loads
    answer = va.ask("Hoeveel vragen kwamen binnen via de vraaggestuurde werking?")
    print(answer.text, answer.citations)

Names are imported lazily (PEP 562): ``python -m assistant ingest`` on an
unchanged corpus must not pay for importing LangChain and Chroma.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    AccessDeniedError,
    ConfigError,
    DocumentError,
    IndexUnavailableError,
    QuestionError,
    SourceError,
    TriageError,
    VraagbaakError,
)
from .settings import Settings, load_settings

_LAZY = {
    "Answer": "answer",
    "Citation": "answer",
    "Query": "query.model",
    "AnswerKind": "query.model",
    "Route": "answer",
    "IngestSummary": "ingestion.pipeline",
    "ingest": "ingestion.pipeline",
    "Vraagbaak": "vraagbaak",
    "ask": "vraagbaak",
    "Filters": "query.retrieval",
    "HybridRetriever": "query.retrieval",
}

if TYPE_CHECKING:
    from .answer import Answer, Citation, Route
    from .ingestion.pipeline import IngestSummary, ingest
    from .query.model import AnswerKind, Query
    from .query.retrieval import Filters, HybridRetriever
    from .vraagbaak import Vraagbaak, ask


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


__all__ = [
    "AccessDeniedError",
    "Answer",
    "AnswerKind",
    "Citation",
    "ConfigError",
    "DocumentError",
    "Filters",
    "HybridRetriever",
    "IndexUnavailableError",
    "IngestSummary",
    "Query",
    "QuestionError",
    "Route",
    "Settings",
    "SourceError",
    "TriageError",
    "Vraagbaak",
    "VraagbaakError",
    "ask",
    "ingest",
    "load_settings",
]
