"""HTML for the web app: answers with clickable citations, source panels, request details.

The HTML lives in Jinja2 templates (``assistant/web/templates/``) rendered with
autoescape on: every piece of text that comes from a person or a document
(questions, answers, quotes, chunk text, titles, staff notes, names) is escaped
by Jinja, so ``<img src=x onerror=...>`` in a question renders as text.  Only
URLs with an ``http(s)`` scheme become links.  The functions here take plain
data and return HTML strings, so they are easy to test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..settings import Settings
from ..triage.local_time import dutch_datetime

__all__ = [
    "PENDING_TEXT",
    "STATIC",
    "STYLESHEET",
    "TEMPLATES",
    "chat_script",
    "highlight_quote",
    "render_answer",
    "render_notice",
    "render_request_detail",
    "render_template",
    "render_user",
    "safe_url",
    "source_location",
]

#: The Jinja2 templates of the web pages.
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Static files: the pages' stylesheet and scripts.
STATIC = Path(__file__).resolve().parent / "static"
#: The stylesheet of the chat and the staff page (Gradio's ``css_paths``).
STYLESHEET = STATIC / "vraagbaak.css"

_MARKER = re.compile(r"\[(\d{1,3})\]")

#: Shown in the assistant's bubble until the first piece of the answer arrives.
PENDING_TEXT = "Ik zoek in de publicaties van Socius…"

_ROLE_NAMES = {"user": "Vraagsteller", "assistant": "Vraagbaak"}
DEFAULT_TIMEZONE = Settings.timezone
_ROUTES = ("answer", "escalate", "decline")


class _CompactLoader(FileSystemLoader):
    """Templates are written one element a line; each line is stripped and the lines joined when loaded.

    Whitespace between tags is not harmless here: the chat shows the line breaks of
    a message's HTML, and a quoted passage is shown with ``white-space: pre-wrap``.
    Compacting the template *source* keeps templates readable without a
    whitespace-control marker on every tag; text from data is never touched.
    """

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        return "".join(line.strip() for line in source.splitlines()), filename, uptodate


def _blocks(text: Any) -> list[list[str]]:
    """Text -> blank-line separated blocks, each a list of its lines (``paragraphs`` macro)."""
    value = "" if text is None else str(text)
    return [b.strip().split("\n") for b in re.split(r"\n\s*\n", value) if b.strip()]


def _when(value: datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """``2 december 2026 14:05`` in local time (the ``when`` filter)."""
    return dutch_datetime(value, timezone)


def _environment() -> Environment:
    env = Environment(
        loader=_CompactLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        # Templates are part of the package: no stat() of the file on every render (a
        # system call per message of the conversation, each a GIL hand-over under load).
        auto_reload=False,
    )
    env.filters["blocks"] = _blocks
    env.filters["when"] = _when
    return env


_ENV = _environment()


def render_template(name: str, **context: Any) -> str:
    """Render ``templates/<name>`` with autoescape (for the pages' static pieces too)."""
    return _ENV.get_template(name).render(**context)


def chat_script() -> str:
    """The chat page's script (Gradio's ``js`` takes the code of one function, not a path)."""
    return (STATIC / "chat.js").read_text(encoding="utf-8")


def safe_url(url: Any) -> str | None:
    """The URL when it is an absolute http(s) URL, else ``None`` (no ``javascript:`` links)."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return text
    return None


def render_user(question: str) -> str:
    """The user's question as HTML (escaped, line breaks kept)."""
    return render_template("user.html", question=question)


def source_location(citation: Mapping[str, Any]) -> str:
    """'p. 32 · 3. Vraaggestuurde werking' (page and/or section), plain text."""
    parts: list[str] = []
    page = citation.get("page")
    if isinstance(page, int) and not isinstance(page, bool):
        parts.append(f"p. {page}")
    section = str(citation.get("section") or "").strip()
    if section:
        parts.append(section)
    return " · ".join(parts)


@dataclass(frozen=True)
class QuoteParts:
    """A passage split around its quoted sentence; ``quote`` empty means nothing to mark."""

    before: str
    quote: str
    after: str


def quote_parts(chunk_text: str, quote: str) -> QuoteParts:
    """Where the quote sits in the passage.

    When the quote is not found verbatim (or there is no passage), only the quote
    is shown, marked; without a quote the passage is shown unmarked.
    """
    quote = quote or ""
    text = chunk_text or ""
    if not quote:
        return QuoteParts(text, "", "")
    pos = text.find(quote)
    if pos < 0:
        # Whitespace may differ (a table row dump); try a normalised search.
        squashed = " ".join(text.split())
        qsquashed = " ".join(quote.split())
        spos = squashed.find(qsquashed)
        if spos < 0:
            return QuoteParts("", quote, "")
        text, quote, pos = squashed, qsquashed, spos
    return QuoteParts(text[:pos], quote, text[pos + len(quote) :])


def highlight_quote(chunk_text: str, quote: str) -> str:
    """The passage as HTML with the quoted sentence inside ``<mark>`` (all parts escaped)."""
    macro = _ENV.get_template("_macros.html").module.highlighted  # type: ignore[attr-defined]
    return str(macro(quote_parts(chunk_text, quote)))


@dataclass(frozen=True)
class _Source:
    """One source panel under an answer."""

    n: int
    panel_id: str
    label: str
    title: str
    location: str
    url: str | None
    passage: QuoteParts


@dataclass(frozen=True)
class _Part:
    """A piece of an answer line: text, or a marker linking to its source."""

    text: str
    source: _Source | None = None


def _sources(citations: Sequence[Mapping[str, Any]], chunks: Mapping[str, str], turn_no: int) -> list[_Source]:
    sources: list[_Source] = []
    for c in citations:
        n = c.get("n")
        if not isinstance(n, int):
            continue
        location = source_location(c)
        label = f"Bron {n}: {c.get('title') or 'document'}" + (f", {location}" if location else "")
        sources.append(
            _Source(
                n=n,
                panel_id=f"vb-bron-{turn_no}-{n}",
                label=label,
                title=str(c.get("title") or c.get("doc_id") or "Document"),
                location=location,
                url=safe_url(c.get("url")),
                passage=quote_parts(chunks.get(str(c.get("chunk_id") or ""), ""), str(c.get("quote") or "")),
            )
        )
    return sources


def _linked_lines(text: str, sources: Sequence[_Source]) -> list[list[list[_Part]]]:
    """Blocks of lines of parts: each ``[n]`` of a known source becomes a link part."""
    by_n = {s.n: s for s in sources}

    def parts(line: str) -> list[_Part]:
        out: list[_Part] = []
        last = 0
        for match in _MARKER.finditer(line):
            source = by_n.get(int(match.group(1)))
            if source is None:
                continue
            out.append(_Part(line[last : match.start()]))
            out.append(_Part(match.group(0), source))
            last = match.end()
        out.append(_Part(line[last:]))
        return out

    return [[parts(line) for line in block] for block in _blocks(text)]


def render_answer(
    text: str,
    citations: Sequence[Mapping[str, Any]] = (),
    chunks: Mapping[str, str] | None = None,
    turn_no: int = 0,
    *,
    streaming: bool = False,
    route: str = "answer",
) -> str:
    """An assistant answer as HTML.

    While ``streaming`` the text is shown as it grows (markers as plain text); the
    final form links each ``[n]`` to its source panel below the answer.
    """
    if streaming:
        return render_template("answer.html", streaming=True, text=text, pending_text=PENDING_TEXT)
    sources = _sources(citations, chunks or {}, turn_no)
    return render_template(
        "answer.html",
        streaming=False,
        blocks=_linked_lines(text, sources),
        sources=sources,
        route=route if route in _ROUTES else "",
    )


def render_notice(message: str, kind: str = "info") -> str:
    """A short status message (``info``, ``ok`` or ``error``) for an aria-live region."""
    return render_template("notice.html", message=message, kind=kind if kind in ("info", "ok", "error") else "info")


# --------------------------------------------------------------------------- staff


@dataclass(frozen=True)
class _CitationItem:
    """A citation in the staff view; ``raw`` is set for a value that is no mapping."""

    raw: str | None = None
    n: str = "?"
    title: str = ""
    location: str = ""
    url: str | None = None
    quote: str = ""


def _citation_items(citations: Sequence[Any]) -> list[_CitationItem]:
    items: list[_CitationItem] = []
    for c in citations:
        if not isinstance(c, Mapping):
            items.append(_CitationItem(raw=str(c)))
            continue
        items.append(
            _CitationItem(
                n=str(c.get("n", "?")),
                title=str(c.get("title") or c.get("doc_id") or "Document"),
                location=source_location(c),
                url=safe_url(c.get("url")),
                quote=str(c.get("quote") or ""),
            )
        )
    return items


def render_request_detail(
    request: Any,
    audit: Sequence[Any] = (),
    *,
    similar: Sequence[Any] = (),
    mails: Sequence[Any] = (),
    timezone: str = DEFAULT_TIMEZONE,
) -> str:
    """One triage request for staff: contact, transcript, sources shown, notes, history.

    ``similar`` are earlier requests like this one (with their outcome), ``mails``
    the mails sent to the requester; times are shown in ``timezone``.
    """
    r = request
    facts = [
        ("Ontvangen", _when(r.created_at, timezone)),
        ("Laatst gewijzigd", _when(r.updated_at, timezone)),
        ("Naam", r.requester_name),
        ("Organisatie", r.organisation),
        ("E-mail", r.email),
        ("Type organisatie", r.org_type),
        ("Thema", r.topic),
        ("Reden doorverwijzing door Vraagbaak", r.route_reason),
        ("Behandelaar", r.assignee),
        ("Doorverwezen naar", r.referred_to),
        ("Reden afwijzing", " ".join(p for p in (r.decline_reason or "", r.decline_detail or "") if p)),
    ]
    turns: list[tuple[str, str, str]] = []
    for m in r.conversation or []:
        role = str(m.get("role", "")) if isinstance(m, Mapping) else ""
        content = str(m.get("content", "")) if isinstance(m, Mapping) else str(m)
        turns.append((role, _ROLE_NAMES.get(role, role), content))
    last_reply = next((content for role, _, content in reversed(turns) if role == "assistant"), None)
    return render_template(
        "request_detail.html",
        r=r,
        facts=facts,
        turns=turns,
        answer_in_transcript=bool(r.answer) and r.answer == last_reply,
        sources=_citation_items(r.citations or []),
        sources_shown=not any(isinstance(c, Mapping) and c.get("shown") is False for c in r.citations or []),
        audit=audit,
        similar=similar,
        mails=mails,
        tz=timezone,
    )
