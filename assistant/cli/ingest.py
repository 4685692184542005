"""The ``ingest`` sub-command: bring the index up to date with the corpus (incremental)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from ..settings import Settings

__all__ = ["add_ingest_parser", "run_ingest"]


def add_ingest_parser(sub: Any) -> None:
    """Add ``ingest`` to the sub-command parsers ``sub``."""
    ing = sub.add_parser("ingest", help="parse, chunk and index the corpus (incremental)")
    ing.add_argument("--corpus", dest="corpus_dir", help="corpus folder (default: corpus/)")
    ing.add_argument("--index", dest="index_dir", default=argparse.SUPPRESS)
    ing.add_argument("--embedder", default=argparse.SUPPRESS)
    ing.add_argument("--no-progress", action="store_true", help="no progress bar")


def run_ingest(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Run the ingest and print its one-line summary; 1 when a file failed.

    Through the sources service, as the Bronnen page: the files it finds added,
    changed or removed go into the audit trail (which is only opened then).
    """
    from ..sources import SourcesService, cli_actor

    summary = SourcesService.open(settings).ingest(by=cli_actor(), progress=not args.no_progress)
    print(summary.line(), file=out)
    return summary.exit_code
