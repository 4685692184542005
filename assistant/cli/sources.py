"""``python -m assistant sources`` and ``gaps``: the publications and the knowledge-gap report from a terminal.

``sources list|add|replace|remove|history`` use the same service as the Bronnen
page (file checks, audit trail, the incremental ingest); here a change waits for
its ingest and prints the outcome.  ``gaps report`` prints the knowledge-gap
report of a period or writes it as CSV.  Every :class:`VraagbaakError` becomes
one ``fout:`` line and exit status 2; a change that could not be indexed exits 1.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from ..ingestion.loading import DOC_TYPES
from ..settings import Settings

__all__ = ["add_gaps_parser", "add_sources_parser", "run_gaps", "run_sources"]

#: How long a CLI change waits for its ingest.
_WAIT_S = 3600.0


def add_sources_parser(subparsers: Any) -> None:
    """``sources list|add|replace|remove|history``."""
    p = subparsers.add_parser("sources", help="list, add, replace or remove publications (with audit trail)")
    sub = p.add_subparsers(dest="sources_command", required=True)
    ls = sub.add_parser("list", help="the indexed documents")
    ls.add_argument("--search", default="", help="words in title, file or URL")
    ls.add_argument("--type", dest="doc_type", choices=DOC_TYPES)
    add = sub.add_parser("add", help="add one or more PDF/HTML/Markdown files")
    add.add_argument("files", nargs="+", type=Path)
    add.add_argument("--type", dest="doc_type", choices=DOC_TYPES, required=True)
    add.add_argument("--title", default="", help="title (one file only; else taken from the document)")
    add.add_argument("--url", default="", help="source URL (one file only)")
    rep = sub.add_parser("replace", help="a new version of a document and/or new title, type or URL")
    rep.add_argument("path", help="the document's file in the corpus folder (see `sources list`)")
    rep.add_argument("file", nargs="?", type=Path)
    rep.add_argument("--type", dest="doc_type", choices=DOC_TYPES)
    rep.add_argument("--title")
    rep.add_argument("--url")
    rm = sub.add_parser("remove", help="remove a document from the corpus and the index")
    rm.add_argument("path")
    hist = sub.add_parser("history", help="the audit trail (of one document)")
    hist.add_argument("path", nargs="?")
    hist.add_argument("--limit", type=int, default=50)


def add_gaps_parser(subparsers: Any) -> None:
    """``gaps report [--since] [--until] [--csv FILE]``."""
    p = subparsers.add_parser("gaps", help="knowledge-gap report: questions the publications do not answer")
    sub = p.add_subparsers(dest="gaps_command", required=True)
    rep = sub.add_parser("report", help="clusters of unanswered questions by topic (no personal data)")
    rep.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD")
    rep.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD")
    rep.add_argument("--csv", type=Path, help="write the report as CSV to this file")


def run_sources(args: argparse.Namespace, settings: Settings, out: TextIO | None = None) -> int:
    """Run a ``sources`` sub-command."""
    from ..sources import SourcesService, Upload, cli_actor

    out = out or sys.stdout
    service = SourcesService.open(settings)
    try:
        command = args.sources_command
        if command == "list":
            for d in service.documents(args.search, args.doc_type):
                when = d.indexed_at.strftime("%Y-%m-%d %H:%M") if d.indexed_at else "-"
                sha = (d.sha256 or "")[:12] or "-"
                print(
                    f"{d.path}\t{d.doc_type}\t{d.title}\t{d.pages or 0} p.\t{d.chunks or 0} chunks\t{when}\t{sha}\t"
                    f"{d.state.value}{': ' + d.last_error if d.last_error else ''}",
                    file=out,
                )
            return 0
        if command == "history":
            for c in service.history(args.path, args.limit):
                print(
                    f"{c.at:%Y-%m-%d %H:%M}\t{c.actor}\t{c.action.value}\t{c.path}\t"
                    f"{(c.old_sha256 or '-')[:12]} -> {(c.new_sha256 or '-')[:12]}\t{c.state.value}"
                    f"{': ' + c.detail if c.detail else ''}",
                    file=out,
                )
            return 0
        by = cli_actor()
        if command == "add":
            submitted = service.add(
                [Upload(f, f.name) for f in args.files], by=by, doc_type=args.doc_type, title=args.title, url=args.url
            )
            for name, reason in submitted.rejected:
                print(f"geweigerd {name}: {reason}", file=sys.stderr)
            if submitted.job is None:
                return 2
            return _wait(service, submitted.job.id, out) or (1 if submitted.rejected else 0)
        if command == "replace":
            upload = Upload(args.file, args.file.name) if args.file else None
            job = service.replace(args.path, upload, by=by, title=args.title, doc_type=args.doc_type, url=args.url)
            return _wait(service, job.id, out)
        if command == "remove":
            return _wait(service, service.remove(args.path, by=by).id, out)
    finally:
        service.close()
    return 2


def _wait(service: Any, job_id: str, out: TextIO) -> int:
    view = service.wait(job_id, _WAIT_S)
    if not view.done:
        print(f"fout: de indexering is na {_WAIT_S:.0f} s nog niet klaar; zie `sources history`.", file=sys.stderr)
        return 2
    if view.state.value == "klaar":
        print(view.message, file=out)
        return 0
    print(f"mislukt: {view.message}", file=sys.stderr)
    return 1


def run_gaps(args: argparse.Namespace, settings: Settings, out: TextIO | None = None) -> int:
    """Run a ``gaps`` sub-command."""
    from ..gaps.collect import GapSources
    from ..gaps.export import write_csv

    out = out or sys.stdout
    report = GapSources.open(settings).report(args.since, args.until)
    if args.csv:
        rows = write_csv(report, args.csv)
        print(f"{rows} rijen geschreven naar {args.csv}", file=out)
        return 0
    print(f"{report.total} onbeantwoorde vragen, {len(report.clusters)} groepen", file=out)
    for topic, clusters in report.by_topic().items():
        print(f"\n{topic}", file=out)
        for c in clusters:
            kinds = ", ".join(f"{k.value} {n}" for k, n in c.kinds.items())
            print(f"  {c.id}  {c.frequency}x  {c.question}  [{kinds}]", file=out)
    if report.purged:
        print(f"\nouder dan de bewaartermijn (enkel geteld): {sum(report.purged.values())}", file=out)
    return 0
