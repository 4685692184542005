"""Saved runs: one JSON file per configuration and run, for comparison and human grading.

``python -m evals run --out DIR`` writes ``DIR/runs/<config>.json`` next to the
report.  Each file records what is needed to reproduce and compare the run: the
code version (``git describe``, else the package version), the settings, a hash
of the corpus files, the index generation, the date, and the question sets
(name, number of items, content hash).  Items of blind sets are not saved, only
their aggregates (``per_file``), so a saved run can be shared and read freely.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import VraagbaakError
from assistant.settings import PROJECT_ROOT, Settings

from .goldfile import GoldFile
from .runner import ItemResult, RunResult

FORMAT = "vraagbaak-eval-run/1"


class RunFileError(VraagbaakError):
    """A saved run cannot be found or read; the message says which file and what to do."""


@dataclass
class SavedRun:
    """A run read back from disk: its metadata, metrics and the items of non-blind sets."""

    path: Path
    run: RunResult
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def run_id(self) -> str:
        """Stable name of this run (grades refer to it): ``<date>_<config>``."""
        return str(self.meta.get("run_id") or f"{self.meta.get('date', '')}_{self.run.name}")

    @property
    def date(self) -> dt.datetime:
        """When the run was made (the file's time when it does not say)."""
        try:
            return dt.datetime.fromisoformat(str(self.meta["date"]))
        except (KeyError, ValueError):
            return dt.datetime.fromtimestamp(self.path.stat().st_mtime, dt.UTC)

    @property
    def label(self) -> str:
        """Short name for reports: config, question sets, date and code version."""
        date = str(self.meta.get("date", ""))[:16].replace("T", " ")
        sets = ", ".join(str(g.get("name")) for g in self.meta.get("gold_files", []))
        return f"{self.run.name}{f' · {sets}' if sets else ''} ({date}, {self.meta.get('code_version', '?')})"


def code_version(root: Path = PROJECT_ROOT) -> str:
    """``git describe --always --dirty`` of the checkout, else the installed package version."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        if out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"vraagbaak {version('vraagbaak')}"
    except PackageNotFoundError:
        return "onbekend"


def corpus_hash(corpus_dir: Path) -> str:
    """SHA-256 over the sorted (relative path, content hash) pairs of the corpus files, incl. its manifest."""
    from assistant.ingestion.loading import file_sha256

    h = hashlib.sha256()
    if corpus_dir.is_dir():
        for path in sorted(p for p in corpus_dir.rglob("*") if p.is_file() and not p.name.startswith(".")):
            h.update(f"{path.relative_to(corpus_dir).as_posix()}\0{file_sha256(path)}\n".encode())
    return h.hexdigest()


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def run_meta(settings: Settings, files: Sequence[GoldFile], *, today: dt.datetime | None = None) -> dict[str, Any]:
    """Metadata shared by the runs of one ``evals run`` invocation."""
    when = today or dt.datetime.now(dt.UTC)
    return {
        "date": when.isoformat(timespec="seconds"),
        "code_version": code_version(),
        "corpus_dir": str(settings.corpus_dir),
        "corpus_manifest_hash": corpus_hash(settings.corpus_dir),
        "index_dir": str(settings.index_dir),
        "gold_files": [
            {
                "name": f.name,
                "path": str(f.path),
                "blind": f.blind,
                "items": len(f.items),
                "skipped_rows": len(f.problems),
                "sha256": _file_hash(f.path),
            }
            for f in files
        ],
    }


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "run"


def save_run(run: RunResult, meta: dict[str, Any], out_dir: Path) -> Path:
    """Write ``out_dir/runs/<config>.json``; items of blind sets are left out."""
    folder = out_dir / "runs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_safe_name(run.name)}.json"
    data = {
        "format": FORMAT,
        "name": run.name,
        "meta": {**meta, "run_id": f"{meta.get('date', '')}_{run.name}", "settings": run.settings, **run.meta},
        "metrics": run.metrics,
        "per_file": run.per_file,
        "blind_files": run.blind_files,
        "items": [i.to_dict() for i in run.items if not i.blind],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    tmp.replace(path)
    return path


def find_runs(folder: Path) -> list[Path]:
    """Saved run files in a folder (``folder/runs/*.json`` or ``folder/*.json``), newest first."""
    candidates = [*folder.glob("runs/*.json"), *folder.glob("*.json")]
    runs = [p for p in candidates if _is_run(p)]
    return sorted(runs, key=lambda p: p.stat().st_mtime, reverse=True)


def runs_below(folder: Path) -> list[Path]:
    """Every saved run in ``folder`` and its sub-folders, newest first (the Evaluatie page's list)."""
    if not folder.is_dir():
        return []
    found = {p for d in {f.parent for f in folder.rglob("*.json")} for p in find_runs(d)}
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _is_run(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as fh:
            return f'"format": "{FORMAT}"' in fh.read(200)
    except (OSError, UnicodeDecodeError):
        return False


def resolve_run(path: Path) -> Path:
    """A run file from a file or a folder holding exactly one run; RunFileError otherwise."""
    if path.is_file():
        return path
    if not path.exists():
        raise RunFileError(f"{path} bestaat niet; geef het pad van een run (bv. evals/reports/runs/default.json).")
    runs = find_runs(path)
    if len(runs) == 1:
        return runs[0]
    if not runs:
        raise RunFileError(f"in {path} staat geen opgeslagen run; maak er een met `python -m evals run --out {path}`.")
    names = ", ".join(p.name for p in runs)
    raise RunFileError(f"in {path} staan meerdere runs ({names}); geef het bestand, bv. {runs[0]}.")


def load_run(path: Path) -> SavedRun:
    """Read a saved run (a file, or a folder with one run)."""
    file = resolve_run(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise RunFileError(f"{file} is geen leesbare run ({err}); maak de run opnieuw.") from err
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RunFileError(f"{file} is geen opgeslagen run van `python -m evals run` (formaat {FORMAT}).")
    run = RunResult(
        name=data["name"],
        settings=data.get("meta", {}).get("settings", {}),
        items=[ItemResult.from_dict(d) for d in data.get("items", [])],
        metrics=data.get("metrics", {}),
        per_file=data.get("per_file", {}),
        blind_files=data.get("blind_files", []),
    )
    return SavedRun(file, run, data.get("meta", {}))
