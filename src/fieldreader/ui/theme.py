"""Light and dark looks: the system's choice by default, or the reader's.

Colours are chosen for long reading on old screens: soft contrast in the background, strong
contrast for text, one accent for what can be clicked.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

Theme = Literal["system", "light", "dark"]

_LIGHT = {
    "window": "#f4f2ee",
    "base": "#ffffff",
    "alt": "#f7f6f3",
    "text": "#1f2328",
    "muted": "#6b6f76",
    "accent": "#1f6f8b",
    "accent_text": "#ffffff",
    "border": "#d8d4cc",
    "warning": "#8a4b00",
    "error": "#b3261e",
}
_DARK = {
    "window": "#1c1e21",
    "base": "#232629",
    "alt": "#2a2d31",
    "text": "#e6e4df",
    "muted": "#9aa0a6",
    "accent": "#6cb6d1",
    "accent_text": "#10181c",
    "border": "#3a3e44",
    "warning": "#f0b36a",
    "error": "#f28b82",
}


_APPLIED_PROPERTY = "fieldreader-style-sheet"
"""Where the application keeps the sheet :func:`apply_theme` last applied (colours included)."""


MATCH_TEXT = QColor("#1b1b1b")
"""Text where a search matched: dark on the light background below, in either look."""


def match_background(palette: QPalette) -> QColor:
    """Behind the words a search matched, in articles and in the results' snippets alike."""
    return palette.color(QPalette.ColorRole.Highlight).lighter(160)


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, theme: Theme) -> bool:
    """Apply ``theme``; returns True when the dark colours are in use.

    A look already in place is left alone: a new style sheet makes Qt polish every widget
    again, which took a fifth of the unlocked window's start when the settings read at unlock
    asked for the look the application already had.
    """
    dark = system_prefers_dark() if theme == "system" else theme == "dark"
    colours = _DARK if dark else _LIGHT
    sheet = _STYLE.format(**colours, **_font_sizes(app))
    if app.property(_APPLIED_PROPERTY) == sheet:
        return dark
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "window",
        QPalette.ColorRole.Base: "base",
        QPalette.ColorRole.AlternateBase: "alt",
        QPalette.ColorRole.Text: "text",
        QPalette.ColorRole.WindowText: "text",
        QPalette.ColorRole.ButtonText: "text",
        QPalette.ColorRole.Button: "alt",
        QPalette.ColorRole.ToolTipBase: "base",
        QPalette.ColorRole.ToolTipText: "text",
        QPalette.ColorRole.PlaceholderText: "muted",
        QPalette.ColorRole.Highlight: "accent",
        QPalette.ColorRole.HighlightedText: "accent_text",
        QPalette.ColorRole.Link: "accent",
        QPalette.ColorRole.LinkVisited: "accent",
    }
    for role, key in roles.items():
        palette.setColor(role, QColor(colours[key]))
    palette.setColor(
        QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(colours["muted"])
    )
    palette.setColor(
        QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(colours["muted"])
    )
    app.setPalette(palette)
    app.setStyleSheet(sheet)
    app.setProperty(_APPLIED_PROPERTY, sheet)
    return dark


def _font_sizes(app: QApplication) -> dict[str, str]:
    """Sizes relative to the interface font, in points: style sheets ignore percentages."""
    base = app.font().pointSizeF()
    if base <= 0:  # a font sized in pixels: leave the sizes to it
        base = 10.0
    return {name: f"{base * scale:.1f}pt" for name, scale in _SCALES.items()}


_SCALES = {"heading": 1.5, "title": 1.35, "sidebar": 1.05}


_STYLE = """
QFrame#card {{ background: {base}; border: 1px solid {border}; border-radius: 10px; }}
QLabel#heading {{ font-size: {heading}; font-weight: 600; }}
QLabel#itemTitle {{ font-size: {title}; font-weight: 600; }}
QLabel#muted {{ color: {muted}; }}
QLabel#warning {{ color: {warning}; }}
QLabel#error {{ color: {error}; font-weight: 600; }}
QListWidget#sidebar {{ background: {window}; border: none; font-size: {sidebar}; }}
QListWidget#sidebar::item {{ padding: 6px 10px; border-radius: 6px; }}
QListWidget#sidebar::item:selected {{ background: {accent}; color: {accent_text}; }}
QListView {{ border: none; }}
QTextBrowser {{ border: none; background: {base}; }}
QLineEdit#search {{ padding: 5px 10px; border: 1px solid {border}; border-radius: 14px;
    background: {base}; min-width: 280px; }}
QToolBar {{ border: none; spacing: 6px; padding: 4px; }}
QPushButton {{ padding: 5px 14px; }}
"""
