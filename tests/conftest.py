"""Shared fixtures: the real index built from corpus/, and generated PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Vraagbaak, ingest, load_settings
from assistant.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"
REPORT = CORPUS / "socius-jaarverslag-2023.pdf"


@pytest.fixture(scope="session")
def real_settings() -> Settings:
    """Settings on the project's own index (built by `make`; built here if missing)."""
    settings = load_settings(env={})
    ingest(settings, progress=False)  # a no-op when the index is current
    return settings


@pytest.fixture(scope="session")
def va(real_settings: Settings) -> Vraagbaak:
    """The assistant on the real index, models loaded once for the session."""
    return Vraagbaak(real_settings)


def make_pdf(path: Path, pages: list[str]) -> Path:
    """A real text PDF (matplotlib's PDF backend), one string per page."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    with PdfPages(path) as pdf:
        for text in pages:
            fig = Figure(figsize=(8.27, 11.69))
            fig.text(0.08, 0.95, text, va="top", ha="left", fontsize=10, wrap=False)
            pdf.savefig(fig)
    return path


@pytest.fixture
def pdf_factory(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Call with (name, [page texts]) to get a generated PDF path."""

    def factory(name: str, pages: list[str]) -> Path:
        return make_pdf(tmp_path / name, pages)

    return factory
