"""The middle column: items of a section or search results, three lines each.

A plain list model over small frozen rows; painting is done by a delegate so thousands of rows
cost no widgets. Search snippets arrive with ``<mark>`` around matches and are drawn highlighted.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPalette,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from fieldreader.model import is_rtl
from fieldreader.store import ItemSummary, SearchHit
from fieldreader.ui.theme import MATCH_TEXT, match_background

ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
NOTE_ID_ROLE = Qt.ItemDataRole.UserRole + 2


def _kind_label(kind: str) -> str:
    labels = {
        "article": QCoreApplication.translate("ItemList", "Article"),
        "guidance": QCoreApplication.translate("ItemList", "Guidance"),
        "contact": QCoreApplication.translate("ItemList", "Contact"),
    }
    return labels.get(kind, kind)


@dataclass(frozen=True)
class Row:
    item_id: str
    title: str
    meta: str
    detail_html: str
    """Summary (escaped) or search snippet (escaped, with ``<mark>``)."""
    rtl: bool
    note_id: int | None = None
    """Set on the rows of the Notes section: the note the row stands for."""

    @classmethod
    def from_summary(cls, s: ItemSummary) -> Row:
        meta = " · ".join(p for p in (s.date or "", s.lang.upper()) if p)
        return cls(s.id, s.title, meta, html.escape(s.summary), is_rtl(s.lang))

    @classmethod
    def from_hit(cls, hit: SearchHit) -> Row:
        meta = " · ".join((_kind_label(hit.kind), hit.lang.upper()))
        return cls(hit.id, hit.title, meta, hit.snippet_html(), is_rtl(hit.lang))


class ItemListModel(QAbstractListModel):
    """Rows shown so far. A section of a large library arrives a page at a time: the view asks
    for more (``fetchMore``) when it is scrolled near the end, so opening "Articles" on 100,000
    items reads one page, not the whole table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._more: Callable[[], None] | None = None
        self._fetching = False

    def set_rows(self, rows: list[Row], more: Callable[[], None] | None = None) -> None:
        """Replace every row; ``more`` asks for the next page (None: there is no more)."""
        self.beginResetModel()
        self._rows = rows
        self._more, self._fetching = more, False
        self.endResetModel()

    def append_rows(self, rows: list[Row], more: Callable[[], None] | None = None) -> None:
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._more, self._fetching = more, False

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        return not parent.isValid() and self._more is not None and not self._fetching

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        if self.canFetchMore(parent) and self._more is not None:
            self._fetching = True
            self._more()

    def row_at(self, index: int) -> Row:
        return self._rows[index]

    def rowCount(  # noqa: N802 - Qt's API
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:  # noqa: ANN401 - Qt's API
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.title}. {row.meta}"
        if role == ITEM_ID_ROLE:
            return row.item_id
        if role == NOTE_ID_ROLE:
            return row.note_id
        return None


class ItemDelegate(QStyledItemDelegate):
    """Title in bold, then date and language, then up to two lines of summary or snippet."""

    PADDING = 8

    def sizeHint(  # noqa: N802 - Qt's API
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        line = QFontMetrics(option.font).lineSpacing()
        return QSize(200, line * 4 + self.PADDING * 2)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        model = index.model()
        assert isinstance(model, ItemListModel)  # noqa: S101 - only ever used with this model
        row = model.row_at(index.row())
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem,
                option,
                painter,
                option.widget,
            )
        rect: QRect = option.rect.adjusted(self.PADDING, self.PADDING, -self.PADDING, -self.PADDING)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        base_font = QFont(option.font)
        metrics = QFontMetrics(base_font)
        line = metrics.lineSpacing()
        # Each row in its own text's direction, whatever the interface's: an English title
        # starts at the left in an Arabic interface, an Arabic one at the right in English.
        text_option = _line_option(row.rtl)

        painter.save()
        if not selected:
            painter.setPen(palette.color(QPalette.ColorRole.Window))
            bottom = option.rect.bottom()
            painter.drawLine(rect.left(), bottom, rect.right(), bottom)
        title_font = QFont(base_font)
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(palette.color(text_role))
        title = QFontMetrics(title_font).elidedText(
            row.title, Qt.TextElideMode.ElideRight, rect.width()
        )
        painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), line), title, text_option)

        meta_font = QFont(base_font)
        meta_font.setPointSizeF(base_font.pointSizeF() * 0.9)
        painter.setFont(meta_font)
        painter.setPen(
            palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)
            if not selected
            else palette.color(text_role)
        )
        painter.drawText(
            QRectF(rect.left(), rect.top() + line, rect.width(), line), row.meta, text_option
        )

        doc = detail_document(row, palette, base_font, palette.color(text_role), rect.width())
        painter.translate(rect.left(), rect.top() + line * 2)
        painter.setClipRect(QRect(0, 0, rect.width(), line * 2))
        doc.drawContents(painter)
        painter.restore()


def detail_document(
    row: Row, palette: QPalette, font: QFont, colour: QColor, width: int
) -> QTextDocument:
    """The row's summary or snippet laid out to ``width``, the matches of a search marked.

    Qt's rich text has no ``<mark>``: left as it is, the matched words would look like the
    rest. They get the background the reader gives the same words in the article.
    """
    mark = (
        f'<span style="background-color:{match_background(palette).name()}; '
        f'color:{MATCH_TEXT.name()}">'
    )
    detail = row.detail_html.replace("<mark>", mark).replace("</mark>", "</span>")
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    direction = "rtl" if row.rtl else "ltr"
    doc.setHtml(f'<div dir="{direction}" style="color:{colour.name()}">{detail}</div>')
    doc.setTextWidth(width)
    return doc


def _line_option(rtl: bool) -> QTextOption:
    """One unwrapped line laid out and aligned for ``rtl`` text, ignoring the painter's
    (the widget's) direction."""
    side = Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
    text_option = QTextOption(Qt.AlignmentFlag.AlignAbsolute | side | Qt.AlignmentFlag.AlignVCenter)
    text_option.setTextDirection(
        Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
    )
    text_option.setWrapMode(QTextOption.WrapMode.NoWrap)
    return text_option


class ItemListView(QListView):
    """The list, saying why it is empty when it is (no bookmarks yet, nothing found...)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._empty_text = ""

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.viewport().update()

    def empty_text(self) -> str:
        return self._empty_text

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's API
        super().paintEvent(event)
        model = self.model()
        if not self._empty_text or model is None or model.rowCount() > 0:
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        margin = ItemDelegate.PADDING * 2
        box = self.viewport().rect().adjusted(margin, margin * 2, -margin, -margin)
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        painter.drawText(box, int(flags), self._empty_text)
        painter.end()


def make_item_list(parent: QWidget) -> tuple[ItemListView, ItemListModel]:
    view = ItemListView(parent)
    model = ItemListModel(view)
    view.setModel(model)
    view.setItemDelegate(ItemDelegate(view))
    view.setUniformItemSizes(True)
    view.setAccessibleName(QCoreApplication.translate("ItemList", "Items"))
    view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
    return view, model
