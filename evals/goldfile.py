"""Reading a question set (JSONL or CSV) row by row: a bad row is named and skipped.

JSONL: one JSON object per line with the fields of ``evals/gold/README.md``.
CSV (comma or semicolon separated, UTF-8, a header row): one question per row,
columns by name (English or Dutch):

==================  ==========================  ============================================
column              also accepted               value
==================  ==========================  ============================================
``question``        ``vraag``                   the question (required)
``expected_route``  ``route``, ``verwachte_route``  ``answer``/``escalate``/``decline`` or
                                                ``antwoord``/``doorverwijzen``/``weigeren`` (required)
``key_facts``       ``kernfeiten``              facts the answer must contain, separated by ``;``
``id``                                          unique id (default: file name + line number)
``kind``            ``soort``                   question kind (``lijst``, ``getal``, ``waarom`` ...)
``case_kind``       ``geval``                   routing case (``buiten_scope``, ``near_miss`` ...)
``today``           ``datum``                   date the question is asked (``2026-12-01``)
``category``        ``categorie``               free label (default: the kind, or ``vraag``)
``topic``           ``onderwerp``               free label
``history``         ``voorgeschiedenis``        earlier turns as JSON, or one earlier question as text
``evidence``        ``bewijs``                  JSON list of ``{doc_id, passage, page?}``
``evidence_doc_id``, ``evidence_page``,
``evidence_passage``                            one evidence passage in three plain columns
==================  ==========================  ============================================

Every problem is reported as a :class:`GoldProblem` with the line number and a
Dutch sentence saying what to fix; the other rows are read as usual.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .gold import ROUTES, Evidence, GoldItem, is_blind


class _RowError(ValueError):
    """A row that cannot become a gold item; the message is Dutch and says what to fix."""


@dataclass(frozen=True)
class GoldProblem:
    """One row that was skipped."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path.name}, regel {self.line}: {self.message}"


@dataclass
class GoldFile:
    """The valid items of one question set and the rows that were skipped."""

    path: Path
    items: list[GoldItem] = field(default_factory=list)
    problems: list[GoldProblem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def blind(self) -> bool:
        return is_blind(self.path)


_ALIASES = {
    "vraag": "question",
    "route": "expected_route",
    "verwachte_route": "expected_route",
    "kernfeiten": "key_facts",
    "soort": "kind",
    "geval": "case_kind",
    "datum": "today",
    "categorie": "category",
    "onderwerp": "topic",
    "voorgeschiedenis": "history",
    "bewijs": "evidence",
}
_DUTCH_ROUTES = {"antwoord": "answer", "doorverwijzen": "escalate", "weigeren": "decline"}


def read_gold(path: Path) -> GoldFile:
    """Read a JSONL or CSV question set; never raises for a bad row (see :class:`GoldFile`)."""
    gf = GoldFile(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        gf.problems.append(GoldProblem(path, 0, f"het bestand kan niet gelezen worden ({err.strerror})."))
        return gf
    except UnicodeDecodeError:
        gf.problems.append(GoldProblem(path, 0, "het bestand is geen UTF-8; sla het op als UTF-8 en probeer opnieuw."))
        return gf
    rows = _csv_rows(text) if path.suffix.lower() == ".csv" else _jsonl_rows(text)
    seen: set[str] = set()
    for line, row in rows:
        try:
            if isinstance(row, str):
                raise _RowError(row)
            item = _item(row, path, line)
            if item.id in seen:
                raise _RowError(f"de id {item.id!r} komt al eerder voor; geef elke vraag een eigen id.")
            seen.add(item.id)
            gf.items.append(item)
        except _RowError as err:
            gf.problems.append(GoldProblem(path, line, str(err)))
    if not rows:
        gf.problems.append(GoldProblem(path, 0, "het bestand bevat geen vragen."))
    return gf


def _jsonl_rows(text: str) -> list[tuple[int, dict[str, Any] | str]]:
    rows: list[tuple[int, dict[str, Any] | str]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as err:
            rows.append((n, f"geen geldige JSON ({err.msg}, kolom {err.colno}); één JSON-object per regel."))
            continue
        rows.append((n, d if isinstance(d, dict) else 'geen JSON-object; schrijf {"question": ..., ...}.'))
    return rows


def _csv_rows(text: str) -> list[tuple[int, dict[str, Any] | str]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in next(reader)]
    except StopIteration:
        return []
    rows: list[tuple[int, dict[str, Any] | str]] = []
    line = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            rows.append((line, f"onleesbare CSV ({err}); controleer de aanhalingstekens."))
            line = reader.line_num + 1
            continue
        if any(v.strip() for v in values):
            if len(values) > len(header):
                rows.append((line, f"{len(values)} kolommen, maar de kopregel heeft er {len(header)}."))
            else:
                rows.append((line, {h: v for h, v in zip(header, values, strict=False) if v.strip()}))
        line = reader.line_num + 1
    return rows


def _item(d: dict[str, Any], path: Path, line: int) -> GoldItem:
    d = {_ALIASES.get(k, k): v for k, v in d.items()}
    question = d.get("question")
    if not isinstance(question, str) or not question.strip():
        raise _RowError("de vraag ontbreekt; vul de kolom 'question' (of 'vraag') in.")
    route = str(d.get("expected_route") or "").strip().lower()
    route = _DUTCH_ROUTES.get(route, route)
    if route not in ROUTES:
        raise _RowError(
            f"verwachte route {d.get('expected_route')!r} is ongeldig; kies answer, escalate of decline "
            "(of antwoord, doorverwijzen, weigeren)."
        )
    kind = _optional_str(d, "kind")
    return GoldItem(
        id=str(d.get("id") or f"{path.stem}-{line}"),
        question=question.strip(),
        category=_optional_str(d, "category") or kind or "vraag",
        expected_route=route,
        history=_history(d.get("history")),
        evidence=_evidence(d),
        key_facts=_key_facts(d.get("key_facts")),
        topic=_optional_str(d, "topic") or "andere",
        kind=kind,
        case_kind=_optional_str(d, "case_kind"),
        today=_today(d.get("today")),
        source=path.stem,
        blind=is_blind(path),
    )


def _optional_str(d: dict[str, Any], key: str) -> str | None:
    v = d.get(key)
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise _RowError(f"'{key}' moet tekst zijn, niet {type(v).__name__}.")
    return v.strip() or None


def _key_facts(v: Any) -> tuple[str, ...]:
    if v is None or v == "":
        return ()
    if isinstance(v, str):
        return tuple(f.strip() for f in v.split(";") if f.strip())
    if isinstance(v, list) and all(isinstance(f, str) for f in v):
        return tuple(f for f in v if f.strip())
    raise _RowError("'key_facts' moet een lijst van teksten zijn (in CSV: gescheiden door ';').")


def _history(v: Any) -> tuple[dict[str, str], ...]:
    if v is None or v == "" or v == []:
        return ()
    if isinstance(v, str):
        stripped = v.strip()
        if not stripped.startswith("["):
            return ({"role": "user", "content": stripped},)
        try:
            v = json.loads(stripped)
        except ValueError as err:
            raise _RowError(f"'history' is geen geldige JSON ({err}).") from err
    if not isinstance(v, list) or not all(
        isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str) for m in v
    ):
        raise _RowError('\'history\' moet een lijst zijn van {"role": "user"|"assistant", "content": ...}.')
    return tuple({"role": m["role"], "content": m["content"]} for m in v)


def _evidence(d: dict[str, Any]) -> tuple[Evidence, ...]:
    v = d.get("evidence")
    if isinstance(v, str) and v.strip():
        try:
            v = json.loads(v)
        except ValueError as err:
            raise _RowError(f"'evidence' is geen geldige JSON ({err}).") from err
    out: list[Evidence] = []
    for e in v or ():
        if not isinstance(e, dict) or not isinstance(e.get("doc_id"), str) or not isinstance(e.get("passage"), str):
            raise _RowError("elk 'evidence'-element heeft een 'doc_id' en een 'passage' (tekst).")
        out.append(Evidence(e["doc_id"], e["passage"], _page(e.get("page")), e.get("section")))
    if d.get("evidence_doc_id") or d.get("evidence_passage"):
        if not (d.get("evidence_doc_id") and d.get("evidence_passage")):
            raise _RowError("vul 'evidence_doc_id' en 'evidence_passage' allebei in, of geen van beide.")
        out.append(Evidence(str(d["evidence_doc_id"]), str(d["evidence_passage"]), _page(d.get("evidence_page"))))
    return tuple(out)


def _page(v: Any) -> int | None:
    if v is None or v == "":
        return None
    try:
        return int(v)
    except (TypeError, ValueError) as err:
        raise _RowError(f"paginanummer {v!r} is geen getal.") from err


def _today(v: Any) -> dt.date | None:
    if v is None or v == "":
        return None
    try:
        return dt.date.fromisoformat(str(v).strip())
    except ValueError as err:
        raise _RowError(f"datum {v!r} is ongeldig; schrijf ze als JJJJ-MM-DD, bv. 2026-12-01.") from err
