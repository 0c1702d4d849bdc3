"""The reader pane: a QTextBrowser that can show only what is in the encrypted library.

A remote image is enough to tell a third party that someone opened an article, and from where.
The HTML is sanitised before it gets here (see :mod:`fieldreader.render`); this widget is the
second wall: :meth:`ReaderView.loadResource` answers only ``res:`` addresses, from bytes that
the worker read out of the store before the page was shown, and never asks Qt to load
anything itself (no files, no network, no search paths). Every attempt is counted so tests can
prove it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QTextBrowser, QTextEdit, QWidget

from fieldreader.provisioning import outside_environment
from fieldreader.ui.theme import MATCH_TEXT, match_background

RESOURCE_SCHEME = "res"

MEASURE_CHARS = 80
"""Longest line, in average characters. Past about 80 the eye loses its way back to the start
of the next line; a wide window gets wider margins instead of longer lines."""
SIDE_MARGIN_PX = 20
"""Least space between the text and the pane's sides."""
END_MARGIN_PX = 16
"""Space above the first line and below the last."""
PAGE_STYLE = (
    "p, li, blockquote, dd, td { line-height: 140%; } "
    "h1, h2, h3, h4 { margin-top: 14px; margin-bottom: 6px; }"
)
"""Looser lines than Qt's default (set spacing suits dialogs, not pages of text)."""


class ReaderView(QTextBrowser):
    """Shows one sanitised page; emits link clicks instead of following them."""

    link_clicked = Signal(QUrl)
    """Every activated link; the window decides (item:, check:, or confirm an external one)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])
        self.setReadOnly(True)
        # A scroll bar that comes and goes narrows the page under the reader's eyes, and each
        # time it does Qt lays the whole text out again: for a 50 KB article that was a fifth
        # of the time to open it.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setTextInteractionFlags(self.textInteractionFlags())
        self.anchorClicked.connect(self.link_clicked)
        self.setAccessibleName(self.tr("Article text"))
        self._resources: Mapping[str, bytes] = {}
        self.refused: list[str] = []
        """Addresses asked for that are not in the store (shown as nothing)."""
        self.served: list[str] = []
        self._base_point_size = self.font().pointSizeF()
        self._pending_position: float | None = None
        self.verticalScrollBar().rangeChanged.connect(self._apply_pending_position)
        self.verticalScrollBar().actionTriggered.connect(self._user_scrolled)
        self._empty_text = ""
        self.document().setDefaultStyleSheet(PAGE_STYLE)
        self._fit_measure()

    def set_empty_text(self, text: str) -> None:
        """What the pane says while it shows nothing (where the reader should look instead)."""
        self._empty_text = text
        self.viewport().update()

    def show_page(self, html: str, resources: Mapping[str, bytes], *, rtl: bool) -> None:
        self._resources = dict(resources)
        self._pending_position = None
        self.document().clear()
        self.document().setDefaultTextOption(self.document().defaultTextOption())
        self.setLayoutDirection(_direction(rtl))
        self.document().setDefaultStyleSheet(PAGE_STYLE)
        self.setHtml(html)
        self._fit_measure()
        self.verticalScrollBar().setValue(0)

    def clear_page(self) -> None:
        """Drop the text and the images it used (locking must leave nothing on screen)."""
        self._resources = {}
        self.setExtraSelections([])
        self.clear()
        self.document().clear()
        self._fit_measure()

    def loadResource(self, type_: int, name: QUrl | str) -> Any:  # noqa: N802, ANN401 - Qt's API
        url = QUrl(name) if isinstance(name, str) else name
        address = url.toString()
        image = type_ == QTextDocument.ResourceType.ImageResource.value
        if url.scheme() == RESOURCE_SCHEME and address in self._resources and image:
            self.served.append(address)
            return QImage.fromData(self._resources[address])
        self.refused.append(address)
        # An empty value, never None: on None, QTextDocument falls back to reading local files
        # (and Qt resources) itself. An empty image or byte array ends the lookup here.
        return QImage() if image else QByteArray()

    # Reading position and text size

    def position(self) -> float:
        bar = self.verticalScrollBar()
        return bar.value() / bar.maximum() if bar.maximum() > 0 else 0.0

    def set_position(self, fraction: float) -> None:
        """Scroll to ``fraction`` of the page, and keep it there while the layout of a long
        page is still growing the scroll range (until the reader scrolls or another page
        is shown)."""
        self._pending_position = fraction
        self._apply_pending_position()

    def _apply_pending_position(self) -> None:
        if self._pending_position is None:
            return
        bar = self.verticalScrollBar()
        bar.setValue(round(bar.maximum() * self._pending_position))

    def _user_scrolled(self, action: int) -> None:
        self._pending_position = None

    def set_text_scale(self, scale: float) -> None:
        size = max(6.0, self._base_point_size * scale)
        if self.document().defaultFont().pointSizeF() == size:
            return  # a new font lays out the whole page again, even the same size
        font = QFont(self.font())
        font.setPointSizeF(size)
        self.document().setDefaultFont(font)
        self.setFont(font)
        self._fit_measure()

    # Layout of the page

    def text_margins(self) -> tuple[float, float]:
        """The page's left and right margins, in pixels."""
        frame = self.document().rootFrame().frameFormat()
        return frame.leftMargin(), frame.rightMargin()

    def _fit_measure(self) -> None:
        """Centre a column of at most :data:`MEASURE_CHARS` characters, with at least
        :data:`SIDE_MARGIN_PX` on either side."""
        measure = QFontMetricsF(self.document().defaultFont()).averageCharWidth() * MEASURE_CHARS
        side = float(max(SIDE_MARGIN_PX, round((self.viewport().width() - measure) / 2)))
        frame = self.document().rootFrame()
        fmt = frame.frameFormat()
        if (fmt.leftMargin(), fmt.rightMargin(), fmt.topMargin()) == (side, side, END_MARGIN_PX):
            return
        fmt.setLeftMargin(side)
        fmt.setRightMargin(side)
        fmt.setTopMargin(END_MARGIN_PX)
        fmt.setBottomMargin(END_MARGIN_PX)
        frame.setFrameFormat(fmt)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's API
        super().resizeEvent(event)
        self._fit_measure()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's API
        super().paintEvent(event)
        if not self._empty_text or not self.document().isEmpty():
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        box = self.viewport().rect().adjusted(SIDE_MARGIN_PX, 0, -SIDE_MARGIN_PX, 0)
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        painter.drawText(box, int(flags), self._empty_text)
        painter.end()

    # Highlights

    def highlight_words(self, words: list[str]) -> int:
        """Mark every occurrence of ``words`` (``word*`` = any word starting so) and scroll to
        the first; returns how many were marked."""
        selections: list[QTextEdit.ExtraSelection] = []
        pattern = _words_pattern(words)
        if pattern is not None:
            text = self.document().toPlainText()
            for match in pattern.finditer(text):
                selections.append(self._selection(match.start(), match.end(), strong=True))
        self.setExtraSelections(selections)
        if selections:
            self.setTextCursor(selections[0].cursor)
            self.ensureCursorVisible()
            cursor = self.textCursor()
            cursor.clearSelection()
            self.setTextCursor(cursor)
        return len(selections)

    def mark_spans(self, spans: list[tuple[int, int]]) -> None:
        """Underline passages that notes quote (kept with the search marks)."""
        current = [s for s in self.extraSelections() if s.format.fontUnderline() is False]
        self.setExtraSelections(current + [self._selection(a, b, strong=False) for a, b in spans])

    def selected_span(self) -> tuple[int, int] | None:
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return cursor.selectionStart(), cursor.selectionEnd()

    def _selection(self, start: int, end: int, *, strong: bool) -> QTextEdit.ExtraSelection:
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        if strong:
            fmt.setBackground(match_background(self.palette()))
            fmt.setForeground(MATCH_TEXT)
        else:
            fmt.setFontUnderline(True)
            fmt.setUnderlineColor(self.palette().color(QPalette.ColorRole.Link))
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format = fmt
        return selection


def _direction(rtl: bool) -> Qt.LayoutDirection:
    return Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight


def _words_pattern(words: list[str]) -> re.Pattern[str] | None:
    parts = [
        re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w)
        for w in words
        if w.strip("*")
    ]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def open_externally(url: QUrl) -> bool:
    """Hand an address the user confirmed to the system's browser.

    Started with the person's own environment even in portable mode, so the browser keeps its
    profile and history where it always does, not on the stick beside the library.
    """
    with outside_environment():
        return QDesktopServices.openUrl(url)
