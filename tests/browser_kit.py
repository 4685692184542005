"""Debian's chromium for the browser tests: where it is, how it is started, the axe-core scan (shared by the
browser test modules)."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import PROJECT_ROOT

#: axe-core from npm (``make test`` installs it: npm ci --prefix tests/a11y).
AXE = PROJECT_ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"

#: No sandbox (root in CI), no GPU, no background traffic, no updates: the browser talks to 127.0.0.1 only.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path() -> str:
    """Debian's chromium, or a skip saying how to install it (never a browser download)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); CI installs it")
    return path


@contextlib.contextmanager
def launched_chromium(path: str) -> Iterator[Any]:
    """A Playwright browser on that chromium, closed afterwards."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_problems(pg: Any, report: Path) -> list[str]:
    """Run axe-core in the page; write its report to ``report``; return the serious and critical violations."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing ({AXE}); `make test` installs it with npm ci --prefix tests/a11y")
    pg.add_script_tag(path=str(AXE))
    result = pg.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = result["violations"]
    report.write_text(json.dumps(violations, indent=2, ensure_ascii=False), encoding="utf-8")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
        if v.get("impact") in ("serious", "critical")
    ]
