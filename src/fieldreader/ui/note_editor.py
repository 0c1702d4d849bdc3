"""Writing one note: a plain-text Markdown editor with a preview, saved as the reader types.

A forced close (a crash, the battery, someone pulling the plug at a checkpoint) must lose at
most the last second of typing, and nobody should ever have to press "Save". So the text is
handed to the worker :data:`SAVE_DELAY_MS` after the last keystroke, at least every
:data:`SAVE_MAX_WAIT_MS` while typing goes on without a pause, whenever the editor loses focus,
and when the note is closed (another note chosen, the window locked or closed).

Every save carries the whole text. The worker runs calls one after another, so saves reach the
library in the order they were made and the last one wins; a keystroke that arrives while a
save is running is simply part of the next save. The first save of a new note creates it: the
id it gets is kept in the :class:`NoteDraft`, on the worker thread, so the saves queued behind
it update that note instead of creating more.
"""

from __future__ import annotations

import logging
import unicodedata
from concurrent.futures import Future

from PySide6.QtCore import QCoreApplication, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QFocusEvent, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fieldreader.anchors import Quote
from fieldreader.errors import FieldreaderError
from fieldreader.service import ReaderService
from fieldreader.store import Note
from fieldreader.ui.reader_view import ReaderView
from fieldreader.ui.worker import Worker

SAVE_DELAY_MS = 500
"""Quiet time after a keystroke before the text is saved."""
SAVE_MAX_WAIT_MS = 800
"""Longest time typed text waits for a save while typing goes on without a pause."""
log = logging.getLogger(__name__)

PREVIEW_LANG = "und"
"""A note's language is not known: the preview is laid out by its first letters instead."""


class NoteDraft:
    """A note as the editor knows it, shared with the save calls queued on the worker.

    ``note_id`` is None until the first save has created the note. It is written only by
    :meth:`save` on the worker thread; the UI thread reads it only in callbacks that run after
    that save (a queued signal orders them), or treats None as "not created yet".
    """

    def __init__(
        self,
        service: ReaderService,
        item_id: str | None,
        quote: Quote | None = None,
        note: Note | None = None,
    ) -> None:
        self.service = service
        self.item_id = item_id
        self.quote = quote
        self.note_id: int | None = note.id if note is not None else None
        self.deleted = False
        self.body = note.body if note is not None else ""
        """The newest text handed to a save, or loaded (UI thread only): what to show when the
        note is opened again, whatever the saves still queued."""

    def save(self, body: str) -> Note | None:
        """Create the note or update it (worker thread). None if it was deleted meanwhile."""
        if self.deleted:
            return None
        if self.note_id is None:
            note = self.service.add_note(body, self.item_id, self.quote)
            self.note_id = note.id
            return note
        return self.service.save_note(self.note_id, body)

    def delete(self) -> None:
        """Delete the note if a save created it (worker thread); later saves do nothing."""
        if self.note_id is not None and not self.deleted:
            self.service.delete_note(self.note_id)
        self.deleted = True


class _MarkdownEdit(QPlainTextEdit):
    """The text field; tells when it loses focus so the note is saved at once."""

    focus_lost = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's API
        super().focusOutEvent(event)
        self.focus_lost.emit()


class NoteEditor(QWidget):
    """Edit and Preview tabs over one :class:`NoteDraft`, saved without being asked.

    Signals:
        saved: a save reached the library: the :class:`NoteDraft` and the :class:`Note` as
            stored then. Emitted for every save, in order; the newest text is the draft's.
        save_failed: a save failed, with a message fit for the screen. The text stays in the
            editor and is saved again with the next change or when focus leaves.
        link_clicked: a link in the preview was activated (the owner decides what to do).
    """

    saved = Signal(object, object)
    save_failed = Signal(str)
    link_clicked = Signal(QUrl)

    WRITE_TAB, PREVIEW_TAB = 0, 1

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self._draft: NoteDraft | None = None
        self._submitted: str | None = None
        """The text last handed to the worker (or loaded); None forces the next save."""
        self._any_save = False
        self._saves = 0
        self._saves_done = 0
        self._preview_generation = 0
        self._loading = False
        self._last_save: Future[Note | None] | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.quote_label = QLabel("", self)
        self.quote_label.setObjectName("muted")
        self.quote_label.setWordWrap(True)
        self.quote_label.setAccessibleName(self.tr("Quoted passage"))
        self.quote_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.quote_label)

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Note editor"))
        self.tabs.setDocumentMode(True)
        self.edit = _MarkdownEdit(self.tabs)
        self.edit.setAccessibleName(self.tr("Note text (Markdown)"))
        self.edit.setPlaceholderText(self.tr("Write your note. Markdown works: *emphasis*, lists…"))
        self.edit.setTabChangesFocus(True)
        self.edit.textChanged.connect(self._text_changed)
        self.edit.focus_lost.connect(self.flush)
        self.preview = ReaderView(self.tabs)
        self.preview.setAccessibleName(self.tr("Note preview"))
        self.preview.link_clicked.connect(self.link_clicked)
        self.tabs.addTab(self.edit, self.tr("&Write"))
        self.tabs.addTab(self.preview, self.tr("P&review"))
        self.tabs.currentChanged.connect(self._tab_changed)
        layout.addWidget(self.tabs, 1)

        status_row = QHBoxLayout()
        self.status = QLabel("", self)
        self.status.setObjectName("muted")
        self.status.setAccessibleName(self.tr("Note save status"))
        status_row.addWidget(self.status, 1)
        layout.addLayout(status_row)

        self._quiet_timer = QTimer(self)
        self._quiet_timer.setSingleShot(True)
        self._quiet_timer.setInterval(SAVE_DELAY_MS)
        self._quiet_timer.timeout.connect(self.flush)
        self._max_wait_timer = QTimer(self)
        self._max_wait_timer.setSingleShot(True)
        self._max_wait_timer.setInterval(SAVE_MAX_WAIT_MS)
        self._max_wait_timer.timeout.connect(self.flush)

    # The note being edited

    @property
    def draft(self) -> NoteDraft | None:
        return self._draft

    def text(self) -> str:
        return self.edit.toPlainText()

    def open_draft(self, draft: NoteDraft) -> None:
        """Show ``draft`` with its newest text; the note on screen before is saved first.

        A new note with a quoted passage is stored at once (the passage is worth keeping even
        before a word is written); a new note without one only once it has text.
        """
        self.close_note()
        self._draft = draft
        self._set_text(draft.body)
        self.edit.moveCursor(QTextCursor.MoveOperation.End)
        self._any_save = draft.note_id is not None
        self._submitted = None if draft.note_id is None and draft.quote is not None else draft.body
        self.quote_label.setText(_quote_line(draft.quote) if draft.quote else "")
        self.quote_label.setVisible(draft.quote is not None)
        self.tabs.setCurrentIndex(self.WRITE_TAB)
        self.status.setText("")
        if self._submitted is None:
            self.flush()

    def close_note(self) -> None:
        """Save what is unsaved, then empty the editor (on switching notes and on lock)."""
        self.flush()
        self.discard()

    def discard(self) -> None:
        """Forget the note without saving (it is being deleted)."""
        self._stop_timers()
        self._draft = None
        self._submitted = None
        self._set_text("")
        self.quote_label.setText("")
        self.preview.clear_page()
        self.status.setText("")

    def focus_text(self) -> None:
        self.tabs.setCurrentIndex(self.WRITE_TAB)
        self.edit.setFocus()

    # Saving

    def flush(self) -> None:
        """Hand the text to the worker now if it changed since the last save."""
        self._stop_timers()
        draft = self._draft
        if draft is None or draft.deleted:
            return
        body = self.text()
        if body == self._submitted:
            return
        if not self._any_save and self._submitted is not None and not body.strip():
            return  # a new note with nothing in it yet is not worth a row
        self._submitted = body
        self._any_save = True
        draft.body = body
        self._saves += 1
        self.status.setText(self.tr("Saving…"))
        self._last_save = self.worker.submit(
            lambda: draft.save(body),
            lambda note: self._saved(draft, note),
            lambda exc: self._failed(draft, exc),
        )

    def wait_for_saves(self) -> None:
        """Block until the saves handed to the worker have run (the window is closing, and
        the worker drops what it has not started when it stops)."""
        last, self._last_save = self._last_save, None
        if last is None:
            return
        try:
            last.result()
        except Exception as exc:  # reported by the save's own callback
            log.warning("note save before closing failed: %s", type(exc).__name__)

    def pending(self) -> bool:
        """Whether typed text is waiting for a save or a save is under way."""
        return (
            self._quiet_timer.isActive()
            or self._max_wait_timer.isActive()
            or self._saves_done < self._saves
        )

    def _text_changed(self) -> None:
        if self._loading or self._draft is None:
            return
        self._quiet_timer.start()
        if not self._max_wait_timer.isActive():
            self._max_wait_timer.start()

    def _saved(self, draft: NoteDraft, note: Note | None) -> None:
        self._saves_done += 1
        if draft is self._draft and self._saves_done >= self._saves:
            self.status.setText(self.tr("Saved."))
        if note is not None:
            self.saved.emit(draft, note)

    def _failed(self, draft: NoteDraft, exc: Exception) -> None:
        self._saves_done += 1
        message = plain_message(exc)
        if draft is self._draft:
            self._submitted = None  # try again with the next change or focus change
            self.status.setText(self.tr("Not saved: %1").replace("%1", message))
        self.save_failed.emit(message)

    def _stop_timers(self) -> None:
        self._quiet_timer.stop()
        self._max_wait_timer.stop()

    def _set_text(self, text: str) -> None:
        self._loading = True
        try:
            self.edit.setPlainText(text)
            self.edit.document().clearUndoRedoStacks()
        finally:
            self._loading = False

    # Preview

    def _tab_changed(self, index: int) -> None:
        if index == self.PREVIEW_TAB:
            self.show_preview()

    def show_preview(self) -> None:
        """Render the text as the reader renders articles: sanitised, nothing remote."""
        self._preview_generation += 1
        generation = self._preview_generation
        body = self.text()
        rtl = starts_right_to_left(body)

        def show(html: str) -> None:
            if generation == self._preview_generation and self._draft is not None:
                self.preview.show_page(_with_direction(html, rtl), {}, rtl=rtl)

        def failed(exc: Exception) -> None:
            if generation == self._preview_generation:
                self.preview.clear_page()
                self.preview.setPlainText(
                    str(exc)
                    if isinstance(exc, FieldreaderError)
                    else self.tr("This note cannot be shown as a preview.")
                )

        from fieldreader.render import render_markdown  # noqa: PLC0415 - first preview, not start

        self.worker.submit(lambda: render_markdown(body, PREVIEW_LANG), show, failed)


def plain_message(exc: Exception) -> str:
    """An error fit for the screen: our own errors say what happened; anything else is named
    only by its kind (its text could hold a note's words)."""
    if isinstance(exc, FieldreaderError):
        return str(exc)
    return QCoreApplication.translate("NoteEditor", "Something went wrong (%1).").replace(
        "%1", type(exc).__name__
    )


def starts_right_to_left(text: str) -> bool:
    """Whether the first letter with a direction is right-to-left (Arabic, Persian, Pashto)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


_LTR_WRAPPER = '<div dir="ltr"'


def _with_direction(html: str, rtl: bool) -> str:
    """The renderer's wrapper turned right-to-left for a note written that way."""
    if rtl and html.startswith(_LTR_WRAPPER):
        return '<div dir="rtl"' + html[len(_LTR_WRAPPER) :]
    return html


def _quote_line(quote: Quote) -> str:
    text = " ".join(quote.exact.split())
    if len(text) > 280:
        text = text[:279] + "…"
    return f"“{text}”"


__all__ = [
    "SAVE_DELAY_MS",
    "SAVE_MAX_WAIT_MS",
    "NoteDraft",
    "NoteEditor",
    "plain_message",
    "starts_right_to_left",
]
