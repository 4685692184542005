"""Handlers of the Evaluatie page: pick a saved run, grade its answers, read the evaluators' report.

Every handler checks on the server that the session's staff member holds the
``evaluator`` role, returns a dict of updates keyed by the components it
changes (:class:`EvaluationView`), and turns problems into a Dutch notice
instead of raising to Gradio.  Saved runs are read from ``settings.eval_runs_dir``
(only files found there can be opened, whatever the browser sends); grades are
stored with the evaluator's name and the time (:class:`evals.grades.GradeStore`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.blocks import Block
from markupsafe import Markup

from evals import document
from evals.grades import GradeError, GradeStore
from evals.grading import Grade, Verdict, item_key
from evals.grading_report import run_report
from evals.runs import RunFileError, SavedRun, load_run, runs_below

from ..db import Database
from ..errors import AccessDeniedError, VraagbaakError
from ..settings import Settings
from .auth import Role, StaffAccounts
from .render import render_answer, render_notice, render_template

logger = logging.getLogger(__name__)

__all__ = ["SOURCE_CHOICES", "VERDICT_CHOICES", "EvaluationHandlers", "EvaluationView"]

VERDICT_CHOICES = tuple(v.value for v in Verdict)
SOURCE_CHOICES = ("bron klopt", "bron klopt niet", "niet te beoordelen")
_SOURCE_VALUE: dict[str, bool | None] = {"bron klopt": True, "bron klopt niet": False, "niet te beoordelen": None}
_SOURCE_LABEL = {v: k for k, v in _SOURCE_VALUE.items()}
NO_RUNS = (
    "Er zijn nog geen opgeslagen runs. Maak er een met `python -m evals run --gold JOUW_SET.csv --out {folder}` "
    "en laad deze pagina opnieuw."
)
PICK_RUN = "Kies eerst een run en klik op 'Open run'."

Updates = dict[Block, Any]
PassageLookup = Callable[[str], str | None]


@dataclass
class EvaluationView:
    """The page's components (attached by :func:`assistant.web.evaluation.build_evaluation_blocks`)."""

    who: Block
    run: Block
    progress: Block
    item: Block
    verdict: Block
    source: Block
    comment: Block
    notice: Block
    state: Block
    report: Block


class EvaluationHandlers:
    """What the Evaluatie page does; plain methods, so tests call them directly."""

    def __init__(
        self,
        settings: Settings,
        *,
        database: Database | None = None,
        accounts: StaffAccounts | None = None,
        passages: PassageLookup | None = None,
    ) -> None:
        self.settings = settings
        self.runs_dir = Path(settings.eval_runs_dir)
        self.accounts = accounts or StaffAccounts.from_settings(settings)
        self._database = database
        self._store: GradeStore | None = None
        self._passages = passages or (lambda _chunk_id: None)
        self._runs: dict[Path, tuple[float, SavedRun]] = {}
        self._lock = threading.Lock()
        self.view: EvaluationView | None = None

    # ------------------------------------------------------------------ parts
    @property
    def store(self) -> GradeStore:
        """The grade store (the schema is upgraded on first use)."""
        with self._lock:
            if self._store is None:
                self._store = GradeStore(self._database or Database.from_settings(self.settings))
            return self._store

    def _v(self) -> EvaluationView:
        assert self.view is not None, "build_evaluation_blocks attaches the view"
        return self.view

    def evaluator(self, request: Any) -> str:
        """The logged-in evaluator's name; AccessDeniedError/RoleRequiredError otherwise."""
        return self.accounts.require_role(request, Role.EVALUATOR).name

    def run_paths(self) -> list[Path]:
        """Saved runs below the runs folder, newest first."""
        return runs_below(self.runs_dir)

    def _run(self, path: Path) -> SavedRun:
        """A saved run (cached per file and modification time)."""
        mtime = path.stat().st_mtime
        with self._lock:
            cached = self._runs.get(path)
            if cached and cached[0] == mtime:
                return cached[1]
        run = load_run(path)
        with self._lock:
            self._runs[path] = (mtime, run)
        return run

    def _checked_path(self, value: Any) -> Path:
        """The run the browser names, only when it is one of the runs found here (never any other file)."""
        if not isinstance(value, str) or not value:
            raise RunFileError(PICK_RUN)
        path = Path(value)
        if path not in self.run_paths():
            raise RunFileError("Deze run bestaat niet (meer). Laad de pagina opnieuw en kies een run uit de lijst.")
        return path

    def _state(self, state: Any) -> tuple[dict[str, Any], SavedRun]:
        """The session's position and its run, checked again (the state comes back from the browser)."""
        if not isinstance(state, dict) or "path" not in state:
            raise RunFileError(PICK_RUN)
        path = self._checked_path(state["path"])
        index = state.get("index")
        return {"path": str(path), "index": index if isinstance(index, int) else 0}, self._run(path)

    # ------------------------------------------------------------------ handlers
    def load(self, request: gr.Request) -> Updates:
        """Page load: who is logged in and which runs there are."""
        v = self._v()
        try:
            name = self.evaluator(request)
        except VraagbaakError as err:
            return {v.who: render_notice(str(err), "error"), v.run: gr.update(choices=[], value=None)}
        choices = [(self._run(p).label, str(p)) for p in self.run_paths()]
        notice = "" if choices else render_notice(NO_RUNS.format(folder=self.runs_dir), "info")
        return {
            v.who: render_template("evaluation_who.html", evaluator=name),
            v.run: gr.update(choices=choices, value=choices[0][1] if choices else None),
            v.notice: notice,
        }

    def open_run(self, run_value: Any, request: gr.Request) -> Updates:
        """Open a run at the first answer this evaluator has not graded."""
        return self._guard(request, lambda name: self._open(run_value, name))

    def _open(self, run_value: Any, name: str) -> Updates:
        path = self._checked_path(run_value)
        run = self._run(path)
        mine = self._mine(run, name)
        keys = [item_key(r) for r in run.run.items]
        first = next((i for i, k in enumerate(keys) if k not in mine), 0)
        return self._show({"path": str(path), "index": first}, name, notice="")

    def show(self, state: dict[str, Any] | None, number: Any, request: gr.Request) -> Updates:
        """Go to answer ``number`` (1-based)."""

        def go(name: str) -> Updates:
            st, _ = self._state(state)
            try:
                index = int(number) - 1
            except (TypeError, ValueError, OverflowError):
                index = st["index"]
            return self._show({**st, "index": index}, name)

        return self._guard(request, go)

    def skip(self, state: dict[str, Any] | None, request: gr.Request) -> Updates:
        """The next answer; this one stays open and comes back with 'Volgende open vraag'."""
        return self._guard(request, lambda name: self._step(state, name, +1, open_only=False))

    def previous(self, state: dict[str, Any] | None, request: gr.Request) -> Updates:
        """The answer before this one."""
        return self._guard(request, lambda name: self._step(state, name, -1, open_only=False))

    def next_open(self, state: dict[str, Any] | None, request: gr.Request) -> Updates:
        """The next answer this evaluator has not graded (wrapping round, so skipped ones come back)."""
        return self._guard(request, lambda name: self._step(state, name, +1, open_only=True))

    def save(
        self, state: dict[str, Any] | None, verdict: Any, source: Any, comment: Any, request: gr.Request
    ) -> Updates:
        """Store this evaluator's grade of the shown answer, then show the next open one."""

        def store(name: str) -> Updates:
            st, run = self._state(state)
            if verdict not in VERDICT_CHOICES:
                return {self._v().notice: render_notice("Kies juist, deels juist of fout.", "error")}
            if not 0 <= st["index"] < len(run.run.items):
                raise RunFileError(PICK_RUN)
            item = run.run.items[st["index"]]
            self.store.save(
                run_id=run.run_id,
                item_key=item_key(item),
                evaluator=name,
                verdict=str(verdict),
                source_ok=_SOURCE_VALUE.get(str(source)) if source else None,
                comment=str(comment or ""),
            )
            n = st["index"] + 1
            updates = self._step(st, name, +1, open_only=True)
            done = render_notice(f"Beoordeling van vraag {n} bewaard.", "ok")
            return {**updates, self._v().notice: done}

        return self._guard(request, store)

    def report(self, state: dict[str, Any] | None, request: gr.Request) -> Updates:
        """The evaluators' report of the open run (all evaluators' grades)."""

        def build(name: str) -> Updates:
            _, run = self._state(state)
            blocks = run_report(run, [self._run(p) for p in self.run_paths()], self.store.list())
            body = Markup(document.to_html_fragment(blocks))  # every text escaped by evals.document
            return {self._v().report: render_template("evaluation_report.html", body=body)}

        return self._guard(request, build, target="report")

    # ------------------------------------------------------------------ helpers
    def _guard(self, request: Any, action: Callable[[str], Updates], target: str = "notice") -> Updates:
        v = self._v()
        out = v.report if target == "report" else v.notice
        try:
            return action(self.evaluator(request))
        except (AccessDeniedError, RunFileError, GradeError) as err:
            return {out: render_notice(str(err), "error")}
        except VraagbaakError as err:
            logger.warning("evaluation page: %s", err)
            return {out: render_notice(str(err), "error")}

    def _mine(self, run: SavedRun, name: str) -> dict[str, Grade]:
        return {g.item_key: g for g in self.store.list([run.run_id], evaluator=name)}

    def _step(self, state: Any, name: str, direction: int, *, open_only: bool) -> Updates:
        st, run = self._state(state)
        total = len(run.run.items)
        if not total:
            return self._show(st, name)
        index = st["index"]
        if not open_only:
            return self._show({**st, "index": (index + direction) % total}, name)
        mine = self._mine(run, name)
        for step in range(1, total + 1):
            candidate = (index + step) % total
            if item_key(run.run.items[candidate]) not in mine:
                return self._show({**st, "index": candidate}, name)
        return self._show(st, name, notice=render_notice("Je hebt alle antwoorden van deze run beoordeeld.", "ok"))

    def _show(self, state: dict[str, Any], name: str, notice: str | None = None) -> Updates:
        v = self._v()
        run = self._run(Path(state["path"]))
        items = run.run.items
        if not items:
            return {v.state: state, v.item: render_notice("Deze run heeft geen vragen om te beoordelen.", "info")}
        index = min(max(0, int(state["index"])), len(items) - 1)
        state = {**state, "index": index}
        item = items[index]
        mine = self._mine(run, name)
        grade = mine.get(item_key(item))
        chunks = {str(c.get("chunk_id")): t for c in item.citations if (t := self._passages(str(c.get("chunk_id"))))}
        answer = render_answer(item.text, item.citations, chunks, turn_no=index, route=item.route)
        updates: Updates = {
            v.state: state,
            v.progress: render_template(
                "evaluation_progress.html", number=index + 1, total=len(items), graded=len(mine)
            ),
            v.item: render_template("evaluation_item.html", item=item, key=item_key(item), answer=Markup(answer)),
            v.verdict: grade.verdict.value if grade else None,
            v.source: _SOURCE_LABEL[grade.source_ok] if grade else None,
            v.comment: grade.comment if grade else "",
        }
        if notice is not None:
            updates[v.notice] = notice
        return updates
