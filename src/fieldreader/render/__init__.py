"""Turning publisher content into HTML the reader can display safely.

Qt-free on purpose: the same code serves the desktop UI, the command-line preview and the tests,
and it can run in a worker without a GUI.
"""

import importlib
from typing import TYPE_CHECKING

from fieldreader.render.links import Link, LinkKind, classify_link

if TYPE_CHECKING:
    from fieldreader.render.markdown_html import (
        CHECKED_BOX,
        CHECKLIST_LINE,
        UNCHECKED_BOX,
        render_markdown,
    )

# The Markdown parser is imported on first use: the reader's window opens without it.
_LAZY = frozenset({"CHECKED_BOX", "CHECKLIST_LINE", "UNCHECKED_BOX", "render_markdown"})


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module("fieldreader.render.markdown_html"), name)


__all__ = [
    "CHECKED_BOX",
    "CHECKLIST_LINE",
    "UNCHECKED_BOX",
    "Link",
    "LinkKind",
    "classify_link",
    "render_markdown",
]
