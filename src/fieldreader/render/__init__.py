"""Turning publisher content into HTML the reader can display safely.

Qt-free on purpose: the same code serves the desktop UI, the command-line preview and the tests,
and it can run in a worker without a GUI.
"""

from fieldreader.render.links import Link, LinkKind, classify_link
from fieldreader.render.markdown_html import (
    CHECKED_BOX,
    CHECKLIST_LINE,
    UNCHECKED_BOX,
    render_markdown,
)

__all__ = [
    "CHECKED_BOX",
    "CHECKLIST_LINE",
    "UNCHECKED_BOX",
    "Link",
    "LinkKind",
    "classify_link",
    "render_markdown",
]
