"""HTML for the web app: answers with clickable citations, source panels, request details.

Every piece of text that comes from a person or a document (questions, answers,
quotes, chunk text, titles, staff notes, names) goes through :func:`html.escape`
before it is put into HTML, so ``<img src=x onerror=...>`` in a question renders
as text.  Only URLs with an ``http(s)`` scheme become links.  The functions here
are pure: they take plain data and return strings, so they are easy to test.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "highlight_quote",
    "render_answer",
    "render_notice",
    "render_request_detail",
    "render_user",
    "safe_url",
    "source_location",
]

_MARKER = re.compile(r"\[(\d{1,3})\]")

#: Shown in the assistant's bubble until the first piece of the answer arrives.
PENDING_TEXT = "Ik zoek in de publicaties van Socius…"


def esc(value: Any) -> str:
    """``html.escape`` of any value (``None`` -> empty string)."""
    return html.escape("" if value is None else str(value), quote=True)


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


def _paragraphs(escaped: str) -> str:
    """Escaped text -> ``<p>`` per blank-line separated block, ``<br>`` for single newlines."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", escaped) if b.strip()]
    return "".join(f"<p>{b.replace(chr(10), '<br>')}</p>" for b in blocks)


def render_user(question: str) -> str:
    """The user's question as HTML (escaped, line breaks kept)."""
    return f'<div class="vb-question">{_paragraphs(esc(question))}</div>'


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


def highlight_quote(chunk_text: str, quote: str) -> str:
    """The passage as HTML with the quoted sentence inside ``<mark>`` (all parts escaped).

    When the quote is not found verbatim in the passage (or there is no passage),
    the quote alone is shown, marked.
    """
    quote = quote or ""
    text = chunk_text or ""
    pos = text.find(quote) if quote else -1
    if pos < 0 and quote:
        # Whitespace may differ (a table row dump); try a normalised search.
        squashed = " ".join(text.split())
        qsquashed = " ".join(quote.split())
        spos = squashed.find(qsquashed)
        if spos >= 0:
            text, quote, pos = squashed, qsquashed, spos
    if pos < 0:
        body = f"<mark>{esc(quote)}</mark>" if quote else esc(text)
        return body
    before, after = text[:pos], text[pos + len(quote) :]
    return f"{esc(before)}<mark>{esc(quote)}</mark>{esc(after)}"


def _citation_numbers(citations: Sequence[Mapping[str, Any]]) -> set[int]:
    return {int(c["n"]) for c in citations if isinstance(c.get("n"), int)}


def _panel_id(turn_no: int, n: int) -> str:
    return f"vb-bron-{turn_no}-{n}"


def _link_markers(escaped: str, citations: Sequence[Mapping[str, Any]], turn_no: int) -> str:
    """Replace ``[n]`` markers of known citations by links that open the source panel.

    The chat's HTML sanitizer keeps ``id``, ``class``, ``href``, ``role`` and
    ``title`` but drops ``data-*`` and ``aria-*`` attributes, so the link finds its
    panel through ``href="#id"`` (the page script opens it; see ``CITATION_JS``).
    """
    by_n = {int(c["n"]): c for c in citations if isinstance(c.get("n"), int)}

    def repl(match: re.Match[str]) -> str:
        n = int(match.group(1))
        citation = by_n.get(n)
        if citation is None:
            return match.group(0)
        pid = _panel_id(turn_no, n)
        label = f"Bron {n}: {citation.get('title') or 'document'}"
        location = source_location(citation)
        if location:
            label += f", {location}"
        return f'<a class="vb-cite" href="#{pid}" role="button" title="{esc(label)}">[{n}]</a>'

    return _MARKER.sub(repl, escaped)


def render_sources(citations: Sequence[Mapping[str, Any]], chunks: Mapping[str, str], turn_no: int) -> str:
    """The source panels of one answer: one closed ``<details>`` per citation."""
    if not citations:
        return ""
    items: list[str] = []
    for c in citations:
        n = c.get("n")
        if not isinstance(n, int):
            continue
        pid = _panel_id(turn_no, n)
        title = esc(c.get("title") or c.get("doc_id") or "Document")
        location = source_location(c)
        where = f' <span class="vb-where">— {esc(location)}</span>' if location else ""
        passage = highlight_quote(chunks.get(str(c.get("chunk_id") or ""), ""), str(c.get("quote") or ""))
        url = safe_url(c.get("url"))
        link = (
            f'<p class="vb-link"><a href="{esc(url)}" target="_blank" rel="noopener noreferrer">'
            f"Open de bron: {title}</a></p>"
            if url
            else ""
        )
        items.append(
            f'<details class="vb-bron" id="{pid}">'
            f'<summary><span class="vb-n">[{n}]</span> <strong>{title}</strong>{where}</summary>'
            f'<div class="vb-passage"><p class="vb-passage-label">Geciteerde passage:</p>'
            f'<blockquote class="vb-chunk">{passage}</blockquote>{link}</div></details>'
        )
    return (
        '<div class="vb-bronnen"><p class="vb-bronnen-kop">Bronnen (klik op een nummer om de passage te zien):</p>'
        + "".join(items)
        + "</div>"
    )


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
    state = "vb-streaming" if streaming else "vb-done"
    if streaming and not text.strip():
        return f'<div class="vb-answer {state}" aria-busy="true"><p class="vb-pending">{esc(PENDING_TEXT)}</p></div>'
    body = _paragraphs(esc(text))
    if streaming:
        return f'<div class="vb-answer {state}" aria-busy="true">{body}</div>'
    body = _link_markers(body, citations, turn_no)
    route_class = f" vb-route-{route}" if route in ("answer", "escalate", "decline") else ""
    return f'<div class="vb-answer {state}{route_class}">{body}{render_sources(citations, chunks or {}, turn_no)}</div>'


def render_notice(message: str, kind: str = "info") -> str:
    """A short status message (``info``, ``ok`` or ``error``) for an aria-live region."""
    kind = kind if kind in ("info", "ok", "error") else "info"
    role = "alert" if kind == "error" else "status"
    return f'<div class="vb-notice vb-{kind}" role="{role}">{_paragraphs(esc(message))}</div>'


# --------------------------------------------------------------------------- staff


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _definition_list(rows: Sequence[tuple[str, Any]]) -> str:
    cells = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v) if v not in (None, '') else '—'}</dd>" for k, v in rows)
    return f'<dl class="vb-dl">{cells}</dl>'


def _citation_list(citations: Sequence[Any]) -> str:
    items: list[str] = []
    for c in citations:
        if not isinstance(c, Mapping):
            items.append(f"<li>{esc(c)}</li>")
            continue
        title = esc(c.get("title") or c.get("doc_id") or "Document")
        location = source_location(c)
        where = f" — {esc(location)}" if location else ""
        url = safe_url(c.get("url"))
        link = f' <a href="{esc(url)}" target="_blank" rel="noopener noreferrer">open de bron</a>' if url else ""
        quote = c.get("quote")
        quoted = f'<blockquote class="vb-chunk"><mark>{esc(quote)}</mark></blockquote>' if quote else ""
        items.append(f"<li><strong>[{esc(c.get('n', '?'))}] {title}</strong>{where}{link}{quoted}</li>")
    if not items:
        return "<p>Geen bronnen getoond.</p>"
    return f'<ol class="vb-sources-list">{"".join(items)}</ol>'


_ROLE_NAMES = {"user": "Vraagsteller", "assistant": "Vraagbaak"}


def render_request_detail(request: Any, audit: Sequence[Any] = ()) -> str:
    """One triage request for staff: contact, transcript, sources shown, notes, history."""
    r = request
    header = (
        f'<h3 class="vb-ref">{esc(r.reference)} <span class="vb-status vb-status-{esc(r.status.replace(" ", "-"))}">'
        f"{esc(r.status)}</span></h3>"
    )
    facts = _definition_list(
        [
            ("Ontvangen", _when(r.created_at)),
            ("Laatst gewijzigd", _when(r.updated_at)),
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
    )
    question = f'<h4>Vraag</h4><div class="vb-box">{_paragraphs(esc(r.question))}</div>'
    turns: list[str] = []
    for m in r.conversation or []:
        role = str(m.get("role", "")) if isinstance(m, Mapping) else ""
        content = str(m.get("content", "")) if isinstance(m, Mapping) else str(m)
        turns.append(
            f'<div class="vb-turn vb-turn-{esc(role)}"><p class="vb-turn-role">{esc(_ROLE_NAMES.get(role, role))}</p>'
            f"{_paragraphs(esc(content))}</div>"
        )
    transcript = "<h4>Gesprek</h4>" + ("".join(turns) if turns else "<p>Geen eerder gesprek.</p>")
    last_reply = next(
        (
            str(m.get("content", ""))
            for m in reversed(r.conversation or [])
            if isinstance(m, Mapping) and m.get("role") == "assistant"
        ),
        None,
    )
    if r.answer and r.answer == last_reply:
        answer = "<p><em>Het laatste antwoord van de Vraagbaak staat hierboven in het gesprek.</em></p>"
    else:
        answer = f'<h4>Antwoord van de Vraagbaak</h4><div class="vb-box">{_paragraphs(esc(r.answer)) or "—"}</div>'
    sources = "<h4>Bronnen die de Vraagbaak toonde</h4>" + _citation_list(r.citations or [])
    notes = "".join(
        f"<li><strong>{esc(n.author)}</strong> ({esc(_when(n.created_at))}): {esc(n.text)}</li>" for n in r.notes
    )
    notes_html = "<h4>Notities</h4>" + (f"<ul>{notes}</ul>" if notes else "<p>Nog geen notities.</p>")
    history_rows = "".join(
        "<tr>"
        f"<td>{esc(_when(a.at))}</td><td>{esc(a.by)}</td><td>{esc(a.from_status or '—')}</td>"
        f"<td>{esc(a.to_status)}</td><td>{esc(a.reason or '')}</td><td>{esc(a.referred_to or '')}</td>"
        f"<td>{esc(a.note or '')}</td>"
        "</tr>"
        for a in audit
    )
    history = (
        '<h4>Historiek</h4><div class="vb-table-wrap"><table class="vb-audit"><thead><tr><th scope="col">Wanneer</th>'
        '<th scope="col">Door</th><th scope="col">Van</th><th scope="col">Naar</th><th scope="col">Reden</th>'
        '<th scope="col">Doorverwezen naar</th><th scope="col">Notitie</th></tr></thead>'
        f"<tbody>{history_rows}</tbody></table></div>"
    )
    return (
        f'<article class="vb-request" aria-label="Aanvraag {esc(r.reference)}">{header}{facts}{question}'
        f"{transcript}{answer}{sources}{notes_html}{history}</article>"
    )
