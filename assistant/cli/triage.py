"""The ``triage`` subcommand: staff work the triage queue from a terminal.

Wiring (in the main CLI)::

    sub = parser.add_subparsers(dest="command", required=True)
    add_triage_parser(sub)
    ...
    if args.command == "triage":
        return run_triage(args, settings)

Sub-subcommands: ``list``, ``show``, ``status``, ``note``, ``assign``, ``export``,
``stats`` and ``purge``.  Output is plain text (or JSON with ``--json``); every
:class:`VraagbaakError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TextIO

from ..db import Database, parse_day
from ..errors import ConfigError, VraagbaakError
from ..settings import Settings
from ..triage import (
    DECLINE_REASONS,
    ORG_TYPES,
    STATUSES,
    Counts,
    Request,
    Stats,
    TriageStore,
    normalize_reference,
)

__all__ = ["add_triage_parser", "run_triage"]

EXIT_OK = 0
EXIT_ERROR = 2


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--status", help=f"only this status ({', '.join(STATUSES)})")
    parser.add_argument("--topic", help="only this topic (case-insensitive)")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="received on or after this day (UTC)")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="received on or before this day (UTC)")


def add_triage_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``triage`` subcommand (with its own sub-subcommands) to ``subparsers``.

    The chosen sub-subcommand is stored in ``args.triage_command``.
    """
    triage = subparsers.add_parser(
        "triage",
        help="work the triage queue (questions escalated to staff)",
        description="Work the triage queue: list, show and update escalated questions, "
        "export them and compute the figures for the annual report.",
    )
    sub = triage.add_subparsers(dest="triage_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", help="list requests")
    _add_filters(p)
    p.add_argument("--org-type", choices=tuple(ORG_TYPES), help="only this organisation type")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = sub.add_parser("show", help="show one request with notes and history")
    p.add_argument("ref", metavar="REF", help="reference, e.g. VB-2026-00042")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser(
        "status",
        help="change the status of a request",
        description="Change the status of a request.  'doorverwezen' needs --to; 'afgewezen' "
        f"needs --reason ({', '.join(DECLINE_REASONS)}; 'andere' with an explanation).",
    )
    p.add_argument("ref", metavar="REF")
    p.add_argument("new_status", metavar="NEW_STATUS", help=f"one of: {', '.join(STATUSES)}")
    p.add_argument("--reason", help="reason (required for afgewezen), e.g. 'geen tijd' or 'andere: ...'")
    p.add_argument("--reason-detail", help="explanation, required with --reason andere")
    p.add_argument("--to", dest="referred_to", help="referral target (required for doorverwezen)")
    p.add_argument("--note", help="note kept in the history")
    p.add_argument("--by", required=True, help="your name (kept in the history)")

    p = sub.add_parser("note", help="add a staff note to a request")
    p.add_argument("ref", metavar="REF")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--by", required=True, help="your name")

    p = sub.add_parser("assign", help="assign a request to a staff member (no NAME: unassign)")
    p.add_argument("ref", metavar="REF")
    p.add_argument("assignee", metavar="NAME", nargs="?")
    p.add_argument("--by", required=True, help="your name")

    p = sub.add_parser("export", help="export requests as CSV")
    _add_filters(p)
    p.add_argument("--out", required=True, metavar="FILE.csv", help="CSV file to write")
    p.add_argument(
        "--no-personal",
        action="store_true",
        help="leave out name, organisation, e-mail and question text",
    )
    p.add_argument("--delimiter", default=",", help="field separator (default ','; ';' for Excel nl-BE)")

    p = sub.add_parser("stats", help="figures for the annual report")
    p.add_argument("--year", type=int, metavar="YYYY", help="calendar year (UTC)")
    p.add_argument("--since", metavar="YYYY-MM-DD")
    p.add_argument("--until", metavar="YYYY-MM-DD")
    p.add_argument(
        "--by",
        dest="breakdown",
        choices=("target", "topic"),
        default="target",
        help="break down per target group (default) or per topic",
    )
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser(
        "purge",
        help="anonymise personal data older than the retention period, as `python -m assistant purge`",
    )
    p.add_argument("--dry-run", action="store_true", help="only count, change nothing")


def run_triage(args: argparse.Namespace, settings: Settings, *, out: TextIO | None = None) -> int:
    """Run the parsed ``triage`` command; returns the process exit code (0 or 2).

    Errors (:class:`VraagbaakError`) are printed as one line to stderr.
    """
    stdout = out if out is not None else sys.stdout
    try:
        command = getattr(args, "triage_command", None)
        handler = _HANDLERS.get(command or "")
        if handler is None and command != "purge":
            raise ConfigError(f"Onbekende triage-actie {command!r}; gebruik een van: {', '.join(_HANDLERS)}, purge.")
        with Database.from_settings(settings) as database:
            if handler is None:  # purge: the one purge of every store, as `python -m assistant purge`
                _purge(settings, database, args, stdout)
            else:
                handler(TriageStore.from_settings(settings, database), args, stdout)
    except VraagbaakError as err:
        print(f"error: {' '.join(str(err).split())}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


# --------------------------------------------------------------------------- handlers


def _period(args: argparse.Namespace) -> tuple[date | None, date | None]:
    since = parse_day(args.since, "--since")
    until = parse_day(args.until, "--until")
    year: int | None = getattr(args, "year", None)
    if year is not None:
        if since is not None or until is not None:
            raise ConfigError("Gebruik --year of --since/--until, niet allebei.")
        if not 1900 <= year <= 9999:
            raise ConfigError(f"--year {year} is geen geldig jaar; gebruik een jaar van 1900 tot 9999.")
        return date(year, 1, 1), date(year, 12, 31)
    if since is not None and until is not None and since > until:
        raise ConfigError(f"--since {since} ligt na --until {until}; verwissel de twee datums.")
    return since, until


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, right: int = 0) -> str:
    """A plain text table; the last ``right`` columns are right-aligned (numbers)."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    first_right = len(headers) - right

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(widths[i]) if i >= first_right else v.ljust(widths[i]) for i, v in enumerate(values)]
        return "  ".join(parts).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def _print_json(data: Any, out: TextIO) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2), file=out)


def _list(store: TriageStore, args: argparse.Namespace, out: TextIO) -> None:
    since, until = _period(args)
    requests = store.list(status=args.status, topic=args.topic, since=since, until=until, org_type=args.org_type)
    if args.json:
        _print_json([r.to_dict(personal_data=False) for r in requests], out)
        return
    if not requests:
        print("(no requests / geen aanvragen)", file=out)
        return
    rows = [
        (
            r.reference,
            r.created_at.strftime("%Y-%m-%d"),
            r.status,
            r.org_type,
            r.topic or "-",
            r.assignee or "-",
            r.referred_to or r.decline_reason or "",
        )
        for r in requests
    ]
    print(_table(("ref", "date", "status", "type", "topic", "assignee", "outcome"), rows), file=out)
    print(f"\n{len(requests)} request(s)", file=out)


def _show(store: TriageStore, args: argparse.Namespace, out: TextIO) -> None:
    request = store.get(args.ref)
    history = store.audit(request.reference)
    if args.json:
        data = request.to_dict()
        data["history"] = [
            {
                "at": h.at.isoformat(),
                "by": h.by,
                "from_status": h.from_status,
                "to_status": h.to_status,
                "reason": h.reason,
                "referred_to": h.referred_to,
                "note": h.note,
            }
            for h in history
        ]
        _print_json(data, out)
        return
    print(_describe(request), file=out)
    print("\nhistory:", file=out)
    for h in history:
        change = f"{h.from_status or '-'} -> {h.to_status}"
        extra = "; ".join(
            part
            for part in (
                "reopened" if h.is_reopen else "",
                f"reason: {h.reason}" if h.reason else "",
                f"to: {h.referred_to}" if h.referred_to else "",
                f"note: {h.note}" if h.note else "",
            )
            if part
        )
        print(f"  {_when(h.at)}  {h.by}: {change}{'  (' + extra + ')' if extra else ''}", file=out)


def _describe(r: Request) -> str:
    fields = [
        ("ref", r.reference),
        ("status", r.status),
        ("created", _when(r.created_at)),
        ("updated", _when(r.updated_at)),
        ("type", f"{r.org_type} ({ORG_TYPES.get(r.org_type, '?')}; {r.target_group})"),
        ("topic", r.topic or "-"),
        ("route reason", r.route_reason or "-"),
        ("assignee", r.assignee or "-"),
        ("name", r.requester_name or "-"),
        ("organisation", r.organisation or "-"),
        ("e-mail", r.email or "-"),
        ("consent", f"yes ({_when(r.consent_at)})" if r.consent else "no"),
    ]
    if r.referred_to:
        fields.append(("referred to", r.referred_to))
    if r.decline_reason:
        detail = f": {r.decline_detail}" if r.decline_detail else ""
        fields.append(("decline reason", f"{r.decline_reason}{detail}"))
    if r.purged_at:
        fields.append(("anonymised", _when(r.purged_at)))
    width = max(len(k) for k, _ in fields)
    lines = [f"{k.ljust(width)}  {v}" for k, v in fields]
    lines += ["", "question:", _indent(r.question)]
    if r.conversation:
        lines += ["", "conversation:"]
        lines += [_indent(f"[{m.get('role', '?')}] {m.get('content', '')}") for m in r.conversation]
    if r.answer:
        lines += ["", "answer:", _indent(r.answer)]
    if r.citations:
        lines += ["", "citations:"]
        lines += [_indent(json.dumps(c, ensure_ascii=False) if not isinstance(c, str) else c) for c in r.citations]
    if r.notes:
        lines += ["", "notes:"]
        lines += [_indent(f"{_when(n.created_at)}  {n.author}: {n.text}") for n in r.notes]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in (text.splitlines() or [""]))


def _status(store: TriageStore, args: argparse.Namespace, out: TextIO) -> None:
    request = store.change_status(
        args.ref,
        args.new_status,
        by=args.by,
        reason=args.reason,
        reason_detail=args.reason_detail,
        referred_to=args.referred_to,
        note=args.note,
    )
    print(f"{request.reference}: {request.status}", file=out)


def _note(store: TriageStore, args: argparse.Namespace, out: TextIO) -> None:
    store.add_note(args.ref, args.text, by=args.by)
    print(f"{normalize_reference(args.ref)}: note added", file=out)


def _assign(store: TriageStore, args: argparse.Namespace, out: TextIO) -> None:
    request = store.assign(args.ref, args.assignee, by=args.by)
    print(f"{request.reference}: assignee {request.assignee or '-'}", file=out)


def _export(store: TriageStore, args: argparse.Namespace, out: TextIO) -> None:
    since, until = _period(args)
    if len(args.delimiter) != 1:
        raise ConfigError(f"--delimiter moet één teken zijn, niet {args.delimiter!r}.")
    count = store.export_csv(
        args.out,
        status=args.status,
        topic=args.topic,
        since=since,
        until=until,
        personal_data=not args.no_personal,
        delimiter=args.delimiter,
    )
    print(f"{count} request(s) written to {args.out}", file=out)


def _counts_row(label: str, c: Counts) -> tuple[Any, ...]:
    return (label, c.received, c.taken_up, c.referred, c.declined, c.open)


_COUNT_HEADERS = ("", "received", "taken up", "referred", "declined", "open")


def _stats(store: TriageStore, args: argparse.Namespace, out: TextIO) -> None:
    since, until = _period(args)
    stats = store.stats(since, until)
    if args.json:
        _print_json(stats.to_dict(), out)
        return
    print(_format_stats(stats, since, until, args.breakdown), file=out)


def _format_stats(stats: Stats, since: date | None, until: date | None, breakdown: str) -> str:
    period = f"{since or '...'} - {until or '...'}" if since or until else "all"
    parts = [f"period: {period} (UTC, by date received)", "", stats.summary_nl(), ""]
    rows: list[tuple[Any, ...]] = [_counts_row("total", stats.total)]
    if breakdown == "topic":
        rows += [_counts_row(topic or "(no topic)", c) for topic, c in stats.by_topic.items()]
    else:
        for group, members in (("primair", ("erkend", "niet-erkend")), ("secundair", ())):
            rows.append(_counts_row(group, stats.by_target_group[group]))
            rows += [_counts_row(f"  {kind}", stats.by_org_type[kind]) for kind in members]
    parts.append(_table(_COUNT_HEADERS, rows, right=5))
    if stats.referred_to:
        parts += ["", _table(("referred to", "count"), list(stats.referred_to.items()), right=1)]
    if any(stats.declined_by_reason.values()):
        parts += [
            "",
            _table(("declined: reason", "count"), list(stats.declined_by_reason.items()), right=1),
        ]
    return "\n".join(parts)


def _purge(settings: Settings, database: Database, args: argparse.Namespace, out: TextIO) -> None:
    """The same purge as ``python -m assistant purge``: every store with personal data."""
    from ..retention import purge_personal_data

    report = purge_personal_data(settings, database, dry_run=args.dry_run)
    verb = "would be anonymised" if args.dry_run else "anonymised"
    counts = f"{report.count('requests')} request(s) and {report.count('feedback')} rating(s)"
    print(f"{counts} older than {settings.retention_days} days {verb}", file=out)


_HANDLERS = {
    "list": _list,
    "show": _show,
    "status": _status,
    "note": _note,
    "assign": _assign,
    "export": _export,
    "stats": _stats,
}
