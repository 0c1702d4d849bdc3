"""Notes in the window: the panel under the reader, "Add note", the Notes section, export.

:class:`NotesFeature` ties the :class:`~fieldreader.ui.notes_panel.NotesPanel` to the window:
it follows the page being read, turns the reader's selection into the quote a new note keeps,
underlines the passages the item's notes quote, lists every note of the library in the Notes
section, and runs the export. The window only tells it when to save and clear (close, lock).

Quotes are anchored in the reader's plain text. Qt counts positions in UTF-16 code units and
Python in code points; the two differ after any character outside the Basic Multilingual
Plane (an emoji in an article), so positions are converted both ways here.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import QMenu

from fieldreader.anchors import Quote, QuoteNotFound, locate, quote_at
from fieldreader.model import Contact, is_rtl
from fieldreader.render.links import classify_link
from fieldreader.service import ReaderService
from fieldreader.store import ItemFilter, Note
from fieldreader.ui.item_list import ITEM_ID_ROLE, NOTE_ID_ROLE, Row
from fieldreader.ui.note_editor import plain_message, starts_right_to_left
from fieldreader.ui.notes_export_dialog import ExportFormat, ExportNotesDialog, ExportRequest
from fieldreader.ui.notes_panel import NotesPanel

if TYPE_CHECKING:
    from PySide6.QtCore import QUrl

    from fieldreader.ui.main_window import MainWindow

_SNIPPET_CHARS = 200


@dataclass(frozen=True)
class ListedNote:
    """A note for the Notes section, with the language of its item when the item is here."""

    note: Note
    lang: str | None


def list_notes(service: ReaderService, filters: ItemFilter) -> list[ListedNote]:
    """Every note, most recently edited first (worker thread).

    With a language, country or topic filter set, only notes on items that pass it: a note not
    about any item has no language or country to match.
    """
    notes = service.notes()
    summaries = {s.id: s for s in service.list_items("notes", filters)}
    narrowed = dataclasses.replace(filters, kind=None) != ItemFilter()
    listed = []
    for note in notes:
        summary = summaries.get(note.item_id) if note.item_id is not None else None
        if narrowed and summary is None:
            continue
        listed.append(ListedNote(note, summary.lang if summary is not None else None))
    return listed


class NotesFeature(QObject):
    """Everything about notes in one :class:`MainWindow`."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.panel = NotesPanel(window.worker, window.reader_split)
        window.reader_split.addWidget(self.panel)
        window.reader_split.setStretchFactor(0, 3)
        window.reader_split.setStretchFactor(1, 1)
        self._pending: tuple[str, int] | None = None
        self._export_dialog: ExportNotesDialog | None = None

        self.add_note_action = QAction(self.tr("Add &note"), window)
        self.add_note_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.add_note_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.add_note_action.triggered.connect(lambda _=False: self.add_note())
        window.addAction(self.add_note_action)
        window.menus["item"].addAction(self.add_note_action)

        self.export_action = QAction(self.tr("E&xport notes…"), window)
        self.export_action.triggered.connect(lambda _=False: self.open_export())
        window.addAction(self.export_action)
        window.menus["library"].insertAction(window.library_menu_end, self.export_action)
        self._set_enabled(False)

        reader = window.reader
        reader.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        reader.customContextMenuRequested.connect(self._show_reader_menu)

        window.page_shown.connect(self._page_shown)
        window.unlocked.connect(self._unlocked)
        window.locked.connect(self._locked)
        window.results_shown.connect(self._results_shown)
        self.panel.add_requested.connect(self.add_note)
        self.panel.quote_chosen.connect(self.reveal)
        self.panel.notes_changed.connect(self._underline)
        self.panel.count_changed.connect(self._count_changed)
        self.panel.link_clicked.connect(self._link_clicked)
        self.panel.message.connect(lambda text: window.statusBar().showMessage(text, 8000))

    # Saving and clearing, called by the window

    def flush(self) -> None:
        """Hand the note being edited to the worker now (first thing when the window closes)."""
        self.panel.flush()

    def wait_for_saves(self) -> None:
        """Block until those saves ran: the window waits before the worker stops, since a
        stopping worker drops what it has not started."""
        self.panel.wait_for_saves()

    def clear(self, *, save: bool = True) -> None:
        """Save the note being edited (unless ``save`` is False), then empty the panel and close
        the export dialog."""
        self._pending = None
        self.panel.clear(save=save)
        if self._export_dialog is not None:
            self._export_dialog.reject()

    # Adding

    def add_note(self) -> None:
        """A new note on the page being read, quoting the selection if there is one; with no
        page open, a note about the library as a whole."""
        window = self.window
        if window.service is None:
            return
        page = window.current
        if page is None:
            if self.panel.item_id is not None:
                self.panel.show_nothing()
            self.panel.add_note(None, None)
            return
        quote = None if isinstance(page.item, Contact) else self.selected_quote()
        if self.panel.item_id != page.item.id:
            self.panel.show_item(page.item.id)
        self.panel.add_note(page.item.id, quote)

    def selected_quote(self) -> Quote | None:
        """The reader's selection as a quote with its context; None when nothing (or only
        spaces) is selected."""
        span = self.window.reader.selected_span()
        if span is None:
            return None
        text = self.window.reader.document().toPlainText()
        start, end = to_index(text, span[0]), to_index(text, span[1])
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        try:
            return quote_at(text, start, end)
        except QuoteNotFound:
            return None

    def reader_context_menu(self, pos: QPoint) -> QMenu:
        """The reader's own menu (copy, select all) plus "Add note"."""
        reader = self.window.reader
        contents = QPoint(
            pos.x() + reader.horizontalScrollBar().value(),
            pos.y() + reader.verticalScrollBar().value(),
        )
        menu = reader.createStandardContextMenu(contents)
        menu.addSeparator()
        menu.addAction(self.add_note_action)
        return menu

    def _show_reader_menu(self, pos: QPoint) -> None:
        menu = self.reader_context_menu(pos)
        menu.exec(self.window.reader.viewport().mapToGlobal(pos))
        menu.deleteLater()

    # Following the reader

    def _page_shown(self, item_id: str) -> None:
        pending, self._pending = self._pending, None
        select = pending[1] if pending is not None and pending[0] == item_id else None
        page = self.window.current
        notes = page.notes if page is not None and page.item.id == item_id else None
        self.panel.show_item(item_id, select_note=select, notes=notes)

    def _underline(self, notes: list[Note]) -> None:
        window = self.window
        page = window.current
        if page is None or isinstance(page.item, Contact) or page.item.id != self.panel.item_id:
            return
        text = window.reader.document().toPlainText()
        spans = []
        for note in notes:
            if note.quote is not None and (found := locate(text, note.quote)) is not None:
                spans.append((to_utf16(text, found[0]), to_utf16(text, found[1])))
        window.reader.mark_spans(spans)

    def reveal(self, quote: Quote) -> None:
        """Scroll the reader to the passage a note quotes, if it is still in the text."""
        window = self.window
        page = window.current
        if page is None or isinstance(page.item, Contact):
            return
        text = window.reader.document().toPlainText()
        found = locate(text, quote)
        if found is None:
            window.statusBar().showMessage(
                self.tr("The quoted passage is no longer in this item's text."), 5000
            )
            return
        cursor = QTextCursor(window.reader.document())
        cursor.setPosition(to_utf16(text, found[1]))
        window.reader.setTextCursor(cursor)
        cursor.setPosition(to_utf16(text, found[0]))
        window.reader.setTextCursor(cursor)
        window.reader.ensureCursorVisible()

    def _link_clicked(self, url: QUrl) -> None:
        link = classify_link(url.toString())
        if link is None:
            return
        if link.kind == "internal":
            self.window.open_item(link.target)
        elif link.kind == "external":
            self.window.confirm_external(link.target)

    # The Notes section

    def load_section(self, filters: ItemFilter, still_wanted: Callable[[], bool]) -> None:
        """Fill the middle list with every note (the window's Notes section)."""
        service = self.window.service
        if service is None:
            return

        def show(listed: list[ListedNote]) -> None:
            if still_wanted() and self.window.service is not None:
                self.window.model.set_rows([self.row(entry) for entry in listed])
                self.window.results_shown.emit(len(listed))

        self.window.worker.submit(lambda: list_notes(service, filters), show)

    def row(self, entry: ListedNote) -> Row:
        note = entry.note
        if note.item_id is None:
            title = self.tr("Note not about any item")
        elif not note.item_exists:
            title = self.tr("%1 (no longer in the library)").replace(
                "%1", note.item_title or note.item_id
            )
        else:
            title = note.item_title or note.item_id
        parts = []
        if note.quote is not None:
            parts.append(f"<i>“{html.escape(_snippet(note.quote.exact))}”</i>")
        parts.append(html.escape(_snippet(note.body)) or self.tr("(nothing written yet)"))
        meta = self.tr("Note · %1").replace("%1", _when(note.updated))
        rtl = is_rtl(entry.lang) if entry.lang else starts_right_to_left(note.body)
        item_id = note.item_id if note.item_id is not None and note.item_exists else ""
        return Row(item_id, title, meta, " ".join(parts), rtl, note_id=note.id)

    def open_row(self, index: QModelIndex) -> bool:
        """Open the note of a Notes-section row (with its item); False for any other row."""
        note_id = index.data(NOTE_ID_ROLE)
        if note_id is None:
            return False
        self.open_note(int(note_id), str(index.data(ITEM_ID_ROLE) or ""))
        return True

    def open_note(self, note_id: int, item_id: str) -> None:
        """Show ``item_id`` (when it is in the library) and open ``note_id`` in the panel."""
        window, service = self.window, self.window.service
        if service is None:
            return
        if item_id:
            page = window.current
            if page is not None and page.item.id == item_id and self.panel.item_id == item_id:
                if not self.panel.select_note(note_id):
                    self.panel.show_item(item_id, select_note=note_id)
                return
            self._pending = (item_id, note_id)
            window.open_item(item_id)
            return

        def show(note: Note | None) -> None:
            if note is None or self.window.service is not service:
                return
            title = note.item_title or self.tr("A note")
            window.show_blank(title)
            self.panel.show_note_alone(note)

        window.worker.submit(
            lambda: next((n for n in service.notes() if n.id == note_id), None), show
        )

    def _results_shown(self, _: int) -> None:
        """Keep the note being edited selected when the Notes section is listed again."""
        draft = self.panel.editor.draft
        if self.window.view != "notes" or draft is None or draft.note_id is None:
            return
        model, view = self.window.model, self.window.item_list
        for row in range(model.rowCount()):
            index = model.index(row, 0)
            if index.data(NOTE_ID_ROLE) == draft.note_id:
                selection = view.selectionModel()
                selection.blockSignals(True)
                view.setCurrentIndex(index)
                selection.blockSignals(False)
                view.viewport().update()
                return

    def _count_changed(self) -> None:
        self.window._refresh_overview()  # the Notes count in the sidebar

    # Export

    def open_export(self) -> ExportNotesDialog | None:
        if self.window.service is None:
            return None
        self.panel.flush()
        dialog = ExportNotesDialog(self.window)
        dialog.export_requested.connect(lambda request: self._export(dialog, request))
        dialog.finished.connect(lambda _: self._export_closed(dialog))
        self._export_dialog = dialog
        dialog.open()
        return dialog

    def _export_closed(self, dialog: ExportNotesDialog) -> None:
        if self._export_dialog is dialog:
            self._export_dialog = None
        dialog.deleteLater()

    def _export(self, dialog: ExportNotesDialog, request: ExportRequest) -> None:
        window = self.window
        service = window.service
        if service is None:
            dialog.reject()
            return
        self.panel.flush()  # queued before the export, so the file has the newest text
        library, kdf, now = service.library, window.kdf, datetime.now(UTC)
        from fieldreader.notes_export import (  # noqa: PLC0415 - only on export, not at start
            export_notes_encrypted,
            export_notes_markdown,
        )

        if request.format is ExportFormat.MARKDOWN:

            def run() -> int:
                return export_notes_markdown(
                    library, request.path, now, overwrite=request.overwrite
                )
        else:

            def run() -> int:
                return export_notes_encrypted(
                    library, request.path, request.passphrase, now, kdf, overwrite=request.overwrite
                )

        def done(count: int) -> None:
            if self._export_dialog is dialog:
                dialog.exported(count, request.path)

        def failed(exc: Exception) -> None:
            if self._export_dialog is dialog:
                dialog.failed(plain_message(exc))

        window.worker.submit(run, done, failed)

    # Lock and unlock

    def _unlocked(self) -> None:
        self.panel.set_service(self.window.service)
        self.panel.show_nothing()
        self._set_enabled(True)

    def _locked(self) -> None:
        self.clear()
        self._set_enabled(False)

    def _set_enabled(self, enabled: bool) -> None:
        self.add_note_action.setEnabled(enabled)
        self.export_action.setEnabled(enabled)


def to_index(text: str, utf16_position: int) -> int:
    """A Qt text position (UTF-16 code units) as an index into the Python string."""
    if text.isascii() or max(text) <= "\uffff":
        return min(utf16_position, len(text))
    units = text.encode("utf-16-le")[: 2 * utf16_position]
    return len(units.decode("utf-16-le", errors="ignore"))


def to_utf16(text: str, index: int) -> int:
    """An index into the Python string as a Qt text position (UTF-16 code units)."""
    prefix = text[:index]
    if prefix.isascii() or not prefix or max(prefix) <= "\uffff":
        return len(prefix)
    return len(prefix.encode("utf-16-le")) // 2


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _SNIPPET_CHARS else flat[: _SNIPPET_CHARS - 1] + "…"


def _when(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:16]
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


__all__ = ["ListedNote", "NotesFeature", "list_notes", "to_index", "to_utf16"]
