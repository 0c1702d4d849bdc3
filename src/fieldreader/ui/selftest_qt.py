"""The Qt steps of ``fieldreader --self-test`` (see :mod:`fieldreader.selftest`).

They use the real reader widget and the real translation loader, so a packaged build that left
out a platform plugin, a font or image library Qt needs, or a translation file fails here, not
in a reader's hands. Nothing is shown on screen: the widget is painted into an image.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QLocale, Qt, qVersion
from PySide6.QtWidgets import QApplication

from fieldreader.service import Page
from fieldreader.ui.i18n import install_translator, remove_translators
from fieldreader.ui.reader_view import ReaderView

PANE_SIZE = (800, 600)


@dataclass(frozen=True)
class RenderReport:
    text: str
    """What the reader pane holds, as plain text."""
    right_to_left: bool
    width: int
    height: int
    """Size of the painted image in pixels (0 when nothing was painted)."""
    refused: int
    """Loads the pane refused (a sanitised sample page asks for none)."""
    platform: str
    qt_version: str


def application() -> QApplication:
    """The running QApplication, or a new one (without a window it quits with nothing)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    return QApplication(["fieldreader"])


def show_page(page: Page) -> RenderReport:
    """Lay out and paint ``page`` in a :class:`ReaderView` the way the window shows it."""
    app = application()
    view = ReaderView()
    try:
        view.resize(*PANE_SIZE)
        view.show_page(page.html, page.resources, rtl=page.rtl)
        image = view.grab().toImage()
        return RenderReport(
            text=view.toPlainText(),
            right_to_left=view.layoutDirection() == Qt.LayoutDirection.RightToLeft,
            width=0 if image.isNull() else image.width(),
            height=0 if image.isNull() else image.height(),
            refused=len(view.refused),
            platform=app.platformName(),
            qt_version=qVersion(),
        )
    finally:
        view.clear_page()
        view.deleteLater()


def load_translations(language: str) -> list[str]:
    """Install the interface translation for ``language`` as the app does, then remove it again;
    returns which catalogues loaded ("fieldreader", and "qtbase" for Qt's own strings)."""
    app = application()
    translators = install_translator(app, QLocale(language))
    try:
        return [
            "fieldreader" if t.filePath().endswith(f"fieldreader_{language}.qm") else "qtbase"
            for t in translators
        ]
    finally:
        remove_translators(app, translators)
