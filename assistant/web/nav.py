"""The links between the staff pages (Wachtrij, Bronnen, Kennislacunes), shown at the top of each.

The pages are separate Gradio apps mounted under ``/staff`` (one login and session);
without these links a colleague would have to know their addresses.
"""

from __future__ import annotations

from html import escape

__all__ = ["GAPS_PATH", "SOURCES_PATH", "STAFF_PAGES", "staff_nav"]

#: Where the Bronnen page is mounted (under the staff login's path, so its session counts).
SOURCES_PATH = "/staff/bronnen"
#: Where the Kennislacunes page is mounted.
GAPS_PATH = "/staff/kennislacunes"
#: ``(path, name)`` of each staff page, in the order of the links.
STAFF_PAGES: tuple[tuple[str, str], ...] = (
    ("/staff", "Wachtrij"),
    (SOURCES_PATH, "Bronnen"),
    (GAPS_PATH, "Kennislacunes"),
)


def staff_nav(current: str) -> str:
    """The links as HTML; the page at ``current`` (one of the paths) is marked, not linked."""
    items = [
        f'<span aria-current="page">{escape(name)}</span>'
        if path == current
        else f'<a href="{escape(path)}/">{escape(name)}</a>'
        for path, name in STAFF_PAGES
    ]
    return f'<nav class="vb-staff-nav" aria-label="Medewerkerspagina\'s">{" · ".join(items)}</nav>'
