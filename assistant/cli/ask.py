"""The ``ask`` sub-command: answer one question, or a JSONL batch, as text or JSON."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from ..errors import VraagbaakError
from ..settings import Settings

__all__ = ["add_ask_parser", "run_ask"]


def add_ask_parser(sub: Any) -> None:
    """Add ``ask`` to the sub-command parsers ``sub``."""
    ask = sub.add_parser("ask", help="answer a question (or a JSONL batch)")
    ask.add_argument("question", nargs="?", help="the question, in Dutch")
    ask.add_argument("--json", action="store_true", help="print JSON instead of text")
    ask.add_argument(
        "--batch", type=Path, help="JSONL file with {id, question, history?, today?} per line ('-' = stdin)"
    )
    ask.add_argument(
        "--today",
        type=date.fromisoformat,
        help="the day the question is asked, YYYY-MM-DD (default: today); 'vorig jaar' is read against it",
    )
    ask.add_argument("--index", dest="index_dir", default=argparse.SUPPRESS)
    ask.add_argument("--embedder", default=argparse.SUPPRESS)
    ask.add_argument("--type", dest="doc_types", action="append", help="only this document type (repeatable)")
    ask.add_argument("--doc", dest="doc_ids", action="append", help="only this document id (repeatable)")


def run_ask(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Answer ``args.question`` (or every line of ``args.batch``); returns the exit status."""
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
    answer = va.ask(args.question, filters=filters, today=args.today)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False), file=out)
    else:
        print(answer.text, file=out)
        if answer.citations:
            print("\nBronnen:", file=out)
            for c in answer.citations:
                where = f"p. {c.page}" if c.page else c.section
                print(f"[{c.n}] {c.title}, {where} — “{c.quote}”", file=out)
                if c.link or c.url:
                    print(f"    {c.link or c.url}", file=out)
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
                today = date.fromisoformat(item["today"]) if item.get("today") else None
                answer = va.ask(item["question"], item.get("history"), filters=filters, today=today)
                record = {"id": item_id, **answer.to_dict()}
            except (ValueError, KeyError, TypeError, AttributeError) as err:
                record = {"id": item_id if item_id is not None else n, "error": f"line {n}: invalid input ({err})"}
                status = 1
            except VraagbaakError as err:
                record = {"id": item_id, "error": str(err)}
                status = 1
            print(json.dumps(record, ensure_ascii=False), file=out, flush=True)
    return status
