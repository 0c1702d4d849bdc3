"""The notes panel under the reader: the notes on the item being read, and the note editor.

The panel lists what the library held when it asked, but the text it opens is always the
newest the reader typed: every note opened in this session keeps its :class:`NoteDraft`, whose
``body`` is the text last handed to a save. So choosing a note again while an earlier save is
still queued never brings back older text (which the next keystroke would then save over the
newer one).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldreader.anchors import Quote
from fieldreader.service import ReaderService
from fieldreader.store import Note
from fieldreader.ui.note_editor import NoteDraft, NoteEditor, plain_message, starts_right_to_left
from fieldreader.ui.worker import Worker

_NOTE_ROLE = Qt.ItemDataRole.UserRole + 1
_SNIPPET_CHARS = 140


class NotesPanel(QWidget):
    """Notes on the current item (or one note not about any item) and the editor.

    Signals:
        add_requested: the reader asked for a new note (the owner knows the selection).
        quote_chosen: a note with a quoted passage was chosen (the :class:`Quote`), so the
            owner can bring that passage into view.
        notes_changed: the list of notes on screen changed (a list of :class:`Note`): a note
            was created, deleted or the list reloaded. The owner underlines their passages.
        count_changed: a note was created or deleted (the sidebar's counts are stale).
        link_clicked: a link in a note's preview was activated.
        message: something to tell the reader in the status bar.
    """

    add_requested = Signal()
    quote_chosen = Signal(object)
    notes_changed = Signal(list)
    count_changed = Signal()
    link_clicked = Signal(QUrl)
    message = Signal(str)

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self._service: ReaderService | None = None
        self._item_id: str | None = None
        self._single: Note | None = None
        self._notes: list[Note] = []
        self._drafts: dict[int, NoteDraft] = {}
        self._generation = 0
        self._pending_select: int | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        header = QHBoxLayout()
        self.heading = QLabel(self.tr("Notes"), self)
        self.heading.setAccessibleName(self.tr("Notes panel"))
        header.addWidget(self.heading, 1)
        self.add_button = QPushButton(self.tr("Add &note"), self)
        self.add_button.setAccessibleName(self.tr("Add a note"))
        self.add_button.setToolTip(self.tr("Add a note (Ctrl+Shift+N)"))
        self.add_button.clicked.connect(self.add_requested)
        header.addWidget(self.add_button)
        self.delete_button = QPushButton(self.tr("&Delete note"), self)
        self.delete_button.setAccessibleName(self.tr("Delete this note"))
        self.delete_button.clicked.connect(self.delete_current)
        header.addWidget(self.delete_button)
        layout.addLayout(header)

        self.list = QListWidget(self)
        self.list.setObjectName("notesList")
        self.list.setAccessibleName(self.tr("Notes on this item"))
        self.list.setWordWrap(True)
        self.list.setMaximumHeight(140)
        self.list.currentItemChanged.connect(self._current_changed)
        delete = QAction(self.tr("Delete note"), self.list)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(lambda _=False: self.delete_current())
        self.list.addAction(delete)
        layout.addWidget(self.list)

        self.editor = NoteEditor(worker, self)
        self.editor.saved.connect(self._saved)
        self.editor.save_failed.connect(self.message)
        self.editor.link_clicked.connect(self.link_clicked)
        layout.addWidget(self.editor, 1)
        self._update_controls()

    # What the panel shows

    @property
    def item_id(self) -> str | None:
        return self._item_id

    def notes(self) -> list[Note]:
        """The notes listed, each with its newest text."""
        return [self._newest(n) for n in self._notes]

    def set_service(self, service: ReaderService | None) -> None:
        self._service = service
        self._update_controls()

    def show_item(
        self, item_id: str, select_note: int | None = None, notes: list[Note] | None = None
    ) -> None:
        """List the notes on ``item_id``: ``notes`` when given (read with the item's page),
        else reloaded from the library after pending saves.

        ``notes`` is taken only when the panel showed another item and holds no draft on this
        one, so nothing it could still have to save is missing from them; that spares a
        second trip to the worker each time a page opens. The same item shown again (a ticked
        step redraws the page) keeps the note being edited.
        """
        draft = self.editor.draft
        same = item_id == self._item_id and self._single is None
        if not same:
            self.editor.close_note()
        self._item_id = item_id
        self._single = None
        self._pending_select = select_note
        if notes is not None and not same and (draft is None or draft.item_id != item_id):
            self._generation += 1
            self._show_listed(notes)
        else:
            self._reload()

    def show_note_alone(self, note: Note) -> None:
        """Show one note that is not about an item in the library (or whose item is gone)."""
        self.editor.close_note()
        self._generation += 1
        self._item_id = None
        self._single = note
        self._pending_select = None
        self._set_notes([note])
        self._select(note.id)

    def show_nothing(self) -> None:
        """No item: the panel can still start a note about the library as a whole."""
        self.editor.close_note()
        self._generation += 1
        self._item_id = None
        self._single = None
        self._set_notes([])

    def select_note(self, note_id: int) -> bool:
        """Open ``note_id`` if it is listed; False if it is not (yet)."""
        return self._select(note_id)

    def flush(self) -> None:
        """Save the note being edited now (before a close or a lock)."""
        self.editor.flush()

    def wait_for_saves(self) -> None:
        self.editor.wait_for_saves()

    def clear(self, *, save: bool = True) -> None:
        """Save (unless ``save`` is False), then forget everything: nothing of any note stays in
        a widget (lock)."""
        if save:
            self.editor.close_note()
        else:
            self.editor.discard()
        self._generation += 1
        self._service = None
        self._item_id = None
        self._single = None
        self._pending_select = None
        self._drafts.clear()
        self._set_notes([])

    # Adding, choosing, deleting

    def add_note(self, item_id: str | None, quote: Quote | None) -> None:
        """Start a new note (on ``item_id``, quoting ``quote``) and put the cursor in it."""
        service = self._service
        if service is None:
            return
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.clearSelection()
        self.list.blockSignals(False)
        self.editor.open_draft(NoteDraft(service, item_id, quote))
        self._update_controls()
        self.editor.focus_text()

    def delete_current(self) -> None:
        """Delete the note in the editor, after the reader confirms."""
        draft, service = self.editor.draft, self._service
        if draft is None or service is None:
            return
        stored = draft.note_id is not None or draft.quote is not None or draft.body.strip()
        if (stored or self.editor.text().strip()) and not self._confirm_delete():
            return
        if self.editor.draft is not draft:
            return  # locked or moved on while the question was open
        self.editor.discard()
        self._update_controls()
        note_id = draft.note_id

        def done(_: None) -> None:
            self._drafts = {k: d for k, d in self._drafts.items() if d is not draft}
            gone = draft.note_id if draft.note_id is not None else note_id
            self._set_notes([n for n in self._notes if n.id != gone])
            self.message.emit(self.tr("Note deleted."))
            self.count_changed.emit()

        self.worker.submit(draft.delete, done, self._failed)

    def _confirm_delete(self) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Delete note"))
        box.setText(self.tr("Delete this note? This cannot be undone."))
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText(self.tr("&Delete"))
        yes.setAccessibleName(self.tr("Delete the note"))
        return box.exec() == QMessageBox.StandardButton.Yes

    def _current_changed(self, current: QListWidgetItem | None, _: object) -> None:
        service = self._service
        if current is None or service is None:
            return
        note_id = current.data(_NOTE_ROLE)
        note = next((n for n in self._notes if n.id == note_id), None)
        if note is None:
            return
        draft = self.editor.draft
        if draft is None or draft.note_id != note.id:
            self.editor.open_draft(self._draft_for(service, note))
        self._update_controls()
        if note.quote is not None:
            self.quote_chosen.emit(note.quote)

    def _draft_for(self, service: ReaderService, note: Note) -> NoteDraft:
        draft = self._drafts.get(note.id)
        if draft is None or draft.service is not service:
            draft = NoteDraft(service, note.item_id, note.quote, note)
            self._drafts[note.id] = draft
        return draft

    # Results from the worker

    def _reload(self) -> None:
        service, item_id = self._service, self._item_id
        if service is None or item_id is None:
            self._set_notes([])
            return
        self._generation += 1
        generation = self._generation
        self.editor.flush()  # queued first, so the list read below includes it

        def show(notes: list[Note]) -> None:
            if generation == self._generation and self._service is service:
                self._show_listed(notes)

        self.worker.submit(lambda: service.notes(item_id), show, self._failed)

    def _show_listed(self, notes: list[Note]) -> None:
        self._set_notes(notes)
        wanted = self._pending_select
        self._pending_select = None
        draft = self.editor.draft
        if wanted is not None:
            self._select(wanted)
        elif draft is not None and draft.note_id is not None:
            self._select(draft.note_id, open_it=False)

    def _saved(self, draft: NoteDraft, note: Note) -> None:
        if self._service is None or self._drafts.get(note.id) is draft:
            self._replace(note)
            return
        # The first save of a new note created it.
        self._drafts[note.id] = draft
        self.count_changed.emit()
        if self._single is None and note.item_id is not None and note.item_id == self._item_id:
            self._set_notes([note, *(n for n in self._notes if n.id != note.id)])
            if self.editor.draft is draft:
                self._select(note.id, open_it=False)
        elif self._single is None and self._item_id is None and note.item_id is None:
            self._single = note
            self._set_notes([note])
            self._select(note.id, open_it=False)

    def _replace(self, note: Note) -> None:
        if any(n.id == note.id for n in self._notes):
            self._notes = [note if n.id == note.id else n for n in self._notes]
            self._refresh_row(note.id)

    def _failed(self, exc: Exception) -> None:
        self.message.emit(plain_message(exc))

    # The list widget

    def _set_notes(self, notes: list[Note]) -> None:
        self._notes = list(notes)
        current = self.editor.draft
        self.list.blockSignals(True)
        self.list.clear()
        for note in self._notes:
            item = QListWidgetItem(self.list)
            item.setData(_NOTE_ROLE, note.id)
            self._fill(item, self._newest(note))
        self.list.blockSignals(False)
        if current is not None and current.note_id is not None:
            self._select(current.note_id, open_it=False)
        self._update_heading()
        self._update_controls()
        self.notes_changed.emit(self.notes())

    def _refresh_row(self, note_id: int) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(_NOTE_ROLE) == note_id:
                note = next(n for n in self._notes if n.id == note_id)
                self._fill(item, self._newest(note))

    def _fill(self, item: QListWidgetItem, note: Note) -> None:
        lines = []
        if note.quote is not None:
            lines.append(f"“{_snippet(note.quote.exact)}”")
        body = _snippet(note.body)
        lines.append(body or self.tr("(nothing written yet)"))
        text = "\n".join(lines)
        item.setText(text)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
        if starts_right_to_left(note.body):
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight)

    def _select(self, note_id: int, *, open_it: bool = True) -> bool:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(_NOTE_ROLE) == note_id:
                if not open_it:
                    self.list.blockSignals(True)
                self.list.setCurrentItem(item)
                self.list.blockSignals(False)
                return True
        return False

    def _newest(self, note: Note) -> Note:
        draft = self._drafts.get(note.id)
        if draft is None or draft.body == note.body:
            return note
        return dataclasses.replace(note, body=draft.body)

    def _update_heading(self) -> None:
        if self._single is not None:
            text = self.tr("A note not about any item in the library")
        elif self._item_id is None:
            text = self.tr("Notes")
        else:
            text = self.tr("Notes on this item (%1)").replace("%1", str(len(self._notes)))
        self.heading.setText(text)

    def _update_controls(self) -> None:
        unlocked = self._service is not None
        self.add_button.setEnabled(unlocked)
        self.delete_button.setEnabled(unlocked and self.editor.draft is not None)
        self.editor.setVisible(self.editor.draft is not None)
        self.list.setVisible(bool(self._notes))


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _SNIPPET_CHARS else flat[: _SNIPPET_CHARS - 1] + "…"


__all__ = ["NotesPanel"]
