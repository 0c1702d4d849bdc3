"""Notes in the desktop reader, driven through the real window: quoting a selection, saving as
one types (and surviving a killed process), the preview, the Notes section, export and lock."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from factories import PASSPHRASE
from fieldreader.anchors import Quote
from fieldreader.notes_export import NotesDecryptionFailed, read_notes_encrypted
from fieldreader.store import Note, open_library
from fieldreader.ui.item_list import NOTE_ID_ROLE
from fieldreader.ui.main_window import MainWindow
from fieldreader.ui.note_editor import SAVE_MAX_WAIT_MS
from fieldreader.ui.notes import to_index, to_utf16
from fieldreader.ui.notes_export_dialog import ExportFormat, ExportNotesDialog
from ui.conftest import WAIT_MS, set_up, wait_idle
from ui.test_reader import Listener

ARTICLE = "civicus-jerusalem-statement-en"
OTHER_ARTICLE = "civicus-nicaragua-mission-en"
PASSAGE = "CIVICUS stands with the Palestinian people"
WARNING = (
    "This file is not encrypted: anyone who gets this computer or the file can read your notes."
)
CHILD = Path(__file__).with_name("notes_child.py")


# Helpers


def open_item(qtbot: QtBot, win: MainWindow, item_id: str) -> None:
    with qtbot.waitSignal(win.page_shown, timeout=WAIT_MS):
        win.open_item(item_id)
    wait_idle(qtbot, win)


def select_passage(win: MainWindow, words: str) -> tuple[int, int]:
    """Select ``words`` in the reader as a mouse would; returns the span in Qt positions."""
    text = win.reader.document().toPlainText()
    start = text.index(words)
    end = start + len(words)
    cursor = QTextCursor(win.reader.document())
    cursor.setPosition(to_utf16(text, start))
    cursor.setPosition(to_utf16(text, end), QTextCursor.MoveMode.KeepAnchor)
    win.reader.setTextCursor(cursor)
    return to_utf16(text, start), to_utf16(text, end)


def stored_notes(data_dir: Path) -> list[Note]:
    """What a fresh unlock of the library finds (the window keeps its own connection open)."""
    library = open_library(data_dir, PASSPHRASE)
    try:
        return library.userdata.notes()
    finally:
        library.close()


def settle(qtbot: QtBot, win: MainWindow) -> None:
    """Until typed text is saved (the debounce fired) and every result came back."""
    qtbot.waitUntil(lambda: not win.notes.panel.editor.pending(), timeout=WAIT_MS)
    wait_idle(qtbot, win)


def underlined(win: MainWindow) -> list[tuple[int, int]]:
    return [
        (s.cursor.selectionStart(), s.cursor.selectionEnd())
        for s in win.reader.extraSelections()
        if s.format.fontUnderline()
    ]


def answer_next_box(button: QMessageBox.StandardButton) -> None:
    """Click ``button`` in the next message box as soon as it is shown."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        else:
            QTimer.singleShot(10, click)

    QTimer.singleShot(0, click)


def type_into(widget: QWidget, text: str) -> None:
    """Key by key; QTest types printable ASCII only, so line breaks are Return presses."""
    for number, line in enumerate(text.split("\n")):
        if number:
            QTest.keyClick(widget, Qt.Key.Key_Return)
        QTest.keyClicks(widget, line)


def type_note(qtbot: QtBot, win: MainWindow, text: str) -> None:
    edit = win.notes.panel.editor.edit
    qtbot.waitUntil(edit.isVisible, timeout=WAIT_MS)
    type_into(edit, text)


# Adding and saving


def test_add_note_quotes_the_selection_and_underlines_it(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window)
    assert window.notes.add_note_action.isEnabled()
    open_item(qtbot, window, ARTICLE)
    span = select_passage(window, PASSAGE)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    QTest.keyClick(
        window,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    panel = window.notes.panel
    assert panel.editor.isVisible()
    assert panel.editor.edit.hasFocus()
    assert "CIVICUS stands with the Palestinian people" in panel.editor.quote_label.text()
    wait_idle(qtbot, window)

    # A passage is worth keeping before a word is written: the note exists already.
    (note,) = stored_notes(data_dir)
    assert note.item_id == ARTICLE
    assert note.quote is not None
    assert note.quote.exact == PASSAGE
    assert note.quote.prefix.endswith("activists, ")
    assert note.body == ""
    assert underlined(window) == [span]
    assert panel.list.count() == 1
    assert "CIVICUS stands with the Palestinian people" in panel.list.item(0).text()
    assert panel.heading.text() == "Notes on this item (1)"

    # Shown again later, the passage is underlined again.
    open_item(qtbot, window, OTHER_ARTICLE)
    assert underlined(window) == []
    assert panel.list.count() == 0
    assert not panel.editor.isVisible()
    open_item(qtbot, window, ARTICLE)
    assert underlined(window) == [span]
    assert panel.list.count() == 1


def test_typing_is_saved_without_asking(qtbot: QtBot, window: MainWindow, data_dir: Path) -> None:
    set_up(qtbot, window)
    open_item(qtbot, window, ARTICLE)
    window.notes.add_note_action.trigger()
    type_note(qtbot, window, "Ask the Suva delegates for the full text.")
    editor = window.notes.panel.editor
    assert editor.pending()
    settle(qtbot, window)
    assert editor.status.text() == "Saved."
    (note,) = stored_notes(data_dir)
    assert note.body == "Ask the Suva delegates for the full text."
    assert note.item_id == ARTICLE
    assert note.quote is None
    assert window.notes.panel.list.count() == 1

    # Later saves update the same note.
    QTest.keyClicks(editor.edit, " Then call Johannesburg.")
    settle(qtbot, window)
    (note,) = stored_notes(data_dir)
    assert note.body == "Ask the Suva delegates for the full text. Then call Johannesburg."
    assert "Then call Johannesburg." in window.notes.panel.list.item(0).text()


def test_a_note_is_saved_while_typing_goes_on(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    """No pause long enough for the quiet-time save: the text is saved anyway, at least every
    SAVE_MAX_WAIT_MS."""
    set_up(qtbot, window)
    window.notes.add_note_action.trigger()
    edit = window.notes.panel.editor.edit
    qtbot.waitUntil(edit.isVisible, timeout=WAIT_MS)
    service = window.service
    assert service is not None
    for _ in range(2 * SAVE_MAX_WAIT_MS // 100 + 1):
        QTest.keyClicks(edit, "ab")
        qtbot.wait(100)
    # Asked before the quiet-time save can fire; the worker answers in order.
    with qtbot.waitCallback(timeout=WAIT_MS) as seen:
        window.worker.submit(lambda: service.notes(None), seen)
    (note,) = seen.args[0]
    assert note.body
    assert edit.toPlainText().startswith(note.body)


def test_focus_leaving_the_editor_saves_at_once(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window)
    window.notes.add_note_action.trigger()
    type_note(qtbot, window, "Leaving now")
    editor = window.notes.panel.editor
    editor.edit.clearFocus()
    assert not editor.pending() or window.worker.busy()
    wait_idle(qtbot, window)
    assert [n.body for n in stored_notes(data_dir)] == ["Leaving now"]


def test_an_empty_new_note_is_not_stored(qtbot: QtBot, window: MainWindow, data_dir: Path) -> None:
    set_up(qtbot, window)
    window.notes.add_note_action.trigger()
    type_note(qtbot, window, "   ")
    settle(qtbot, window)
    open_item(qtbot, window, ARTICLE)
    assert stored_notes(data_dir) == []


def test_notes_come_with_the_page_and_include_one_typed_just_before(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening another item lists its notes from the page itself (no second read), and a note
    still being typed when the reader moved away is listed when they come back."""
    set_up(qtbot, window)
    service = window.service
    assert service is not None
    open_item(qtbot, window, ARTICLE)
    window.notes.add_note_action.trigger()
    type_note(qtbot, window, "Check the date of the statement")
    asked: list[str | None] = []
    real_notes = service.notes

    def counted(item_id: str | None = None) -> list[Note]:
        asked.append(item_id)
        return real_notes(item_id)

    monkeypatch.setattr(service, "notes", counted)
    # Moved on before the typing pause saved anything, and straight back.
    window.open_item(OTHER_ARTICLE)
    window.open_item(ARTICLE)
    qtbot.waitUntil(
        lambda: window.current is not None and window.current.item.id == ARTICLE, timeout=WAIT_MS
    )
    settle(qtbot, window)
    panel = window.notes.panel
    assert panel.item_id == ARTICLE
    assert [n.body for n in panel.notes()] == ["Check the date of the statement"]
    # That page came back to the item the panel held a draft of: its list was read again.
    assert asked == [ARTICLE]
    asked.clear()
    open_item(qtbot, window, OTHER_ARTICLE)
    assert panel.item_id == OTHER_ARTICLE
    assert panel.list.count() == 0
    open_item(qtbot, window, ARTICLE)
    assert [panel.list.item(r).text() for r in range(panel.list.count())] == [
        "Check the date of the statement"
    ]
    assert asked == []


def test_choosing_a_note_again_shows_its_newest_text(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window)
    open_item(qtbot, window, ARTICLE)
    panel = window.notes.panel
    for text in ("first", "second"):
        window.notes.add_note_action.trigger()
        type_note(qtbot, window, text)
        settle(qtbot, window)
    assert panel.list.count() == 2
    rows = {panel.list.item(r).text(): r for r in range(2)}
    panel.list.setCurrentRow(rows["first"])
    assert panel.editor.text() == "first"
    QTest.keyClicks(panel.editor.edit, " edited")
    # Away and straight back, before any save has come back from the worker.
    panel.list.setCurrentRow(rows["second"])
    assert panel.editor.text() == "second"
    panel.list.setCurrentRow(rows["first"])
    assert panel.editor.text() == "first edited"
    QTest.keyClicks(panel.editor.edit, "!")
    settle(qtbot, window)
    assert sorted(n.body for n in stored_notes(data_dir)) == ["first edited!", "second"]


def test_a_save_that_fails_keeps_the_text_and_says_so(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window)
    window.notes.add_note_action.trigger()
    type_note(qtbot, window, "kept")
    settle(qtbot, window)
    editor = window.notes.panel.editor
    draft = editor.draft
    assert draft is not None
    assert draft.note_id is not None
    service = window.service
    assert service is not None
    note_id = draft.note_id
    window.worker.submit(lambda: service.delete_note(note_id))  # gone behind the editor's back
    QTest.keyClicks(editor.edit, " and more")
    settle(qtbot, window)
    assert editor.text() == "kept and more"
    assert editor.status.text().startswith("Not saved: ")
    assert f"{note_id}" in editor.status.text()
    assert stored_notes(data_dir) == []


def test_reader_context_menu_offers_add_note(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    open_item(qtbot, window, ARTICLE)
    menu = window.notes.reader_context_menu(QPoint(10, 10))
    assert window.notes.add_note_action in menu.actions()
    assert window.notes.add_note_action in window.menus["item"].actions()
    assert window.notes.export_action in window.menus["library"].actions()
    menu.deleteLater()


def test_a_quote_no_longer_in_the_text_is_not_underlined(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    service = window.service
    assert service is not None
    gone = Quote("a sentence the publisher has since removed", "before ", " after")
    window.worker.submit(lambda: service.add_note("about the old text", ARTICLE, gone))
    open_item(qtbot, window, ARTICLE)
    panel = window.notes.panel
    assert panel.list.count() == 1
    assert underlined(window) == []
    panel.list.setCurrentRow(0)
    assert window.statusBar().currentMessage() == (
        "The quoted passage is no longer in this item's text."
    )
    assert panel.editor.text() == "about the old text"


# Preview


def test_preview_renders_markdown_and_loads_nothing(qtbot: QtBot, window: MainWindow) -> None:
    listener = Listener()
    try:
        set_up(qtbot, window)
        window.notes.add_note_action.trigger()
        type_note(
            qtbot,
            window,
            "# Heading\n\nSome *emphasis*.\n\n"
            "![x](http://example.org/x.png)\n\n"
            f"![y](http://127.0.0.1:{listener.port}/y.png)\n\n"
            f'<img src="http://127.0.0.1:{listener.port}/z.png"> '
            '<script>alert(1)</script><a href="javascript:alert(2)">js</a>\n',
        )
        editor = window.notes.panel.editor
        editor.tabs.setCurrentIndex(editor.PREVIEW_TAB)
        wait_idle(qtbot, window)
        preview = editor.preview
        html = preview.toHtml()
        text = preview.toPlainText()
        assert "Heading" in text
        assert "emphasis" in text
        assert "# Heading" not in text
        assert "font-style:italic" in html
        assert preview.served == []
        assert not [a for a in preview.refused if "example.org" in a or "127.0.0.1" in a]
        assert "<img" not in html
        assert 'href="javascript' not in html
        assert listener.connections == 0
        # The raw HTML is shown as the text it is, not obeyed.
        assert "<script>alert(1)</script>" in text
    finally:
        listener.close()


def test_preview_of_a_right_to_left_note(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    window.notes.add_note_action.trigger()
    window.notes.panel.editor.edit.setPlainText("ملاحظة عن **البيان**")
    editor = window.notes.panel.editor
    editor.tabs.setCurrentIndex(editor.PREVIEW_TAB)
    wait_idle(qtbot, window)
    block = editor.preview.document().firstBlock()
    assert block.textDirection() == Qt.LayoutDirection.RightToLeft
    assert "البيان" in editor.preview.toPlainText()


# The Notes section


def test_notes_section_lists_every_note_newest_first(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window)
    # With nothing open, a new note is about the library as a whole.
    window.notes.add_note_action.trigger()
    type_note(qtbot, window, "Renew the visa before March")
    settle(qtbot, window)
    open_item(qtbot, window, ARTICLE)
    select_passage(window, PASSAGE)
    window.notes.add_note_action.trigger()
    type_note(qtbot, window, "Quote this in the report")
    settle(qtbot, window)
    assert [(n.item_id, n.body) for n in stored_notes(data_dir)] == [
        (ARTICLE, "Quote this in the report"),
        (None, "Renew the visa before March"),
    ]

    with qtbot.waitSignal(window.results_shown, timeout=WAIT_MS):
        window.select_section("notes")
    wait_idle(qtbot, window)
    model = window.model
    assert model.rowCount() == 2
    first, second = model.row_at(0), model.row_at(1)
    assert first.item_id == ARTICLE
    assert first.title.startswith("Statement: CIVICUS stands")
    assert "CIVICUS stands with the Palestinian people" in first.detail_html
    assert "Quote this in the report" in first.detail_html
    assert first.meta.startswith("Note · ")
    assert second.item_id == ""
    assert second.title == "Note not about any item"
    assert "Renew the visa" in second.detail_html
    assert window.sidebar.item(4).text().endswith("2")

    # The library-wide note opens alone.
    window.open_item(OTHER_ARTICLE)
    wait_idle(qtbot, window)
    window.item_list.setCurrentIndex(model.index(1, 0))
    wait_idle(qtbot, window)
    panel = window.notes.panel
    assert window.current is None
    assert window.reader.toPlainText() == ""
    assert panel.editor.text() == "Renew the visa before March"
    assert panel.heading.text() == "A note not about any item in the library"

    # A note on an item opens the item with the note.
    window.item_list.setCurrentIndex(model.index(0, 0))
    wait_idle(qtbot, window)
    assert window.current is not None
    assert window.current.item.id == ARTICLE
    assert panel.editor.text() == "Quote this in the report"
    assert panel.list.currentRow() == 0
    assert len(underlined(window)) == 1

    # Editing there keeps the row selected when the list comes back.
    QTest.keyClicks(panel.editor.edit, ".")
    settle(qtbot, window)
    draft = panel.editor.draft
    assert draft is not None
    assert window.item_list.currentIndex().data(NOTE_ID_ROLE) == draft.note_id


def test_notes_section_follows_the_filters(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    service = window.service
    assert service is not None
    window.worker.submit(lambda: service.add_note("general", None))
    window.worker.submit(lambda: service.add_note("on the statement", ARTICLE))
    wait_idle(qtbot, window)
    window.select_section("notes")
    wait_idle(qtbot, window)
    window._refresh_overview()
    wait_idle(qtbot, window)
    assert window.model.rowCount() == 2
    english = window.lang_filter.findData("en")
    arabic = window.lang_filter.findData("ar")
    window.lang_filter.setCurrentIndex(english)
    wait_idle(qtbot, window)
    assert [window.model.row_at(r).item_id for r in range(window.model.rowCount())] == [ARTICLE]
    window.lang_filter.setCurrentIndex(arabic)
    wait_idle(qtbot, window)
    assert window.model.rowCount() == 0


# Deleting


def test_delete_asks_first(qtbot: QtBot, window: MainWindow, data_dir: Path) -> None:
    set_up(qtbot, window)
    open_item(qtbot, window, ARTICLE)
    select_passage(window, PASSAGE)
    window.notes.add_note_action.trigger()
    type_note(qtbot, window, "to be deleted")
    settle(qtbot, window)
    panel = window.notes.panel

    answer_next_box(QMessageBox.StandardButton.Cancel)
    panel.delete_button.click()
    wait_idle(qtbot, window)
    assert len(stored_notes(data_dir)) == 1
    assert panel.editor.text() == "to be deleted"

    answer_next_box(QMessageBox.StandardButton.Yes)
    panel.delete_button.click()
    wait_idle(qtbot, window)
    assert stored_notes(data_dir) == []
    assert panel.list.count() == 0
    assert not panel.editor.isVisible()
    assert underlined(window) == []
    assert window.statusBar().currentMessage() == "Note deleted."


# Export


def export_dialog(qtbot: QtBot, win: MainWindow, target: Path) -> ExportNotesDialog:
    dialog = win.notes.open_export()
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.choose_path = lambda fmt: target  # type: ignore[method-assign]
    return dialog


def with_notes(qtbot: QtBot, win: MainWindow) -> None:
    set_up(qtbot, win)
    open_item(qtbot, win, ARTICLE)
    select_passage(win, PASSAGE)
    win.notes.add_note_action.trigger()
    type_note(qtbot, win, "A **bold** remark")
    settle(qtbot, win)


def test_export_markdown_warns_then_writes(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    with_notes(qtbot, window)
    target = tmp_path / "out" / "notes.md"
    target.parent.mkdir()
    dialog = export_dialog(qtbot, window, target)
    assert not dialog.warning.isVisible()
    dialog.markdown_choice.setChecked(True)
    assert dialog.warning.isVisible()
    assert dialog.warning.text() == WARNING
    assert not dialog.passphrase_box.isEnabled()
    # Typed, not yet saved: the export still has it.
    QTest.keyClicks(window.notes.panel.editor.edit, " and more")
    dialog.export_button.click()
    wait_idle(qtbot, window)
    assert dialog.message.text() == "1 note(s) exported to notes.md."
    text = target.read_text(encoding="utf-8")
    assert "A **bold** remark and more" in text
    assert "> CIVICUS stands with the Palestinian people" in text
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["notes.md"]


def test_export_reports_a_plain_error(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    with_notes(qtbot, window)
    dialog = export_dialog(qtbot, window, tmp_path / "missing-folder" / "notes.md")
    dialog.markdown_choice.setChecked(True)
    dialog.export_button.click()
    wait_idle(qtbot, window)
    assert dialog.message.text().startswith("Nothing was exported: Cannot write ")
    assert dialog.export_button.isEnabled()
    assert not (tmp_path / "missing-folder").exists()


def test_export_cancelled_at_the_file_writes_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    with_notes(qtbot, window)
    dialog = export_dialog(qtbot, window, tmp_path / "unused.md")
    dialog.choose_path = lambda fmt: None  # type: ignore[method-assign]
    dialog.markdown_choice.setChecked(True)
    dialog.export_button.click()
    wait_idle(qtbot, window)
    assert list(tmp_path.glob("*.md")) == []
    assert dialog.message.text() == ""


def test_export_encrypted_round_trips(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    with_notes(qtbot, window)
    target = tmp_path / "notes.frb"
    dialog = export_dialog(qtbot, window, target)
    chosen: list[ExportFormat] = []
    dialog.choose_path = lambda fmt: chosen.append(fmt) or target  # type: ignore[method-assign, func-returns-value]
    assert dialog.encrypted_choice.isChecked()
    assert not dialog.export_button.isEnabled()
    QTest.keyClicks(dialog.passphrase, "notes file pass")
    QTest.keyClicks(dialog.repeat, "notes file pas")
    assert not dialog.export_button.isEnabled()
    assert dialog.message.text() == "The two passphrases differ."
    QTest.keyClicks(dialog.repeat, "s")
    assert dialog.export_button.isEnabled()
    dialog.export_button.click()
    assert dialog.passphrase.text() == dialog.repeat.text() == ""
    wait_idle(qtbot, window)
    assert chosen == [ExportFormat.ENCRYPTED]
    assert dialog.message.text() == "1 note(s) exported to notes.frb."
    assert b"bold" not in target.read_bytes()
    (note,) = read_notes_encrypted(target, "notes file pass")
    assert note.body == "A **bold** remark"
    assert note.item_id == ARTICLE
    assert note.quote is not None
    assert note.quote.exact == PASSAGE
    with pytest.raises(NotesDecryptionFailed):
        read_notes_encrypted(target, "notes file pas")


def test_lock_closes_the_export_dialog_and_forgets_the_passphrase(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    with_notes(qtbot, window)
    dialog = export_dialog(qtbot, window, tmp_path / "x.frb")
    QTest.keyClicks(dialog.passphrase, "typed")
    window.lock()
    assert not dialog.isVisible()
    assert dialog.passphrase.text() == ""
    assert not window.notes.export_action.isEnabled()
    assert not window.notes.add_note_action.isEnabled()


# Lock


def test_lock_saves_then_clears_the_panel(qtbot: QtBot, window: MainWindow, data_dir: Path) -> None:
    set_up(qtbot, window)
    open_item(qtbot, window, ARTICLE)
    select_passage(window, PASSAGE)
    window.notes.add_note_action.trigger()
    type_note(qtbot, window, "typed just before the lock")
    panel = window.notes.panel
    assert panel.editor.pending()
    window.lock()
    assert panel.editor.text() == ""
    assert panel.editor.draft is None
    assert panel.editor.quote_label.text() == ""
    assert panel.editor.edit.document().isUndoAvailable() is False
    assert panel.list.count() == 0
    assert panel.notes() == []
    assert not panel.editor.isVisible()
    assert not panel.add_button.isEnabled()
    wait_idle(qtbot, window)
    (note,) = stored_notes(data_dir)
    assert note.body == "typed just before the lock"

    with qtbot.waitSignal(window.unlocked, timeout=WAIT_MS):
        window.unlock_panel.unlock_requested.emit(PASSPHRASE)
    wait_idle(qtbot, window)
    assert panel.add_button.isEnabled()
    assert panel.list.count() == 0
    open_item(qtbot, window, ARTICLE)
    assert panel.list.count() == 1
    panel.list.setCurrentRow(0)
    assert panel.editor.text() == "typed just before the lock"


def test_close_saves_what_was_typed(qtbot: QtBot, window: MainWindow, data_dir: Path) -> None:
    set_up(qtbot, window)
    window.notes.add_note_action.trigger()
    type_note(qtbot, window, "typed just before closing")
    window.close()
    assert [n.body for n in stored_notes(data_dir)] == ["typed just before closing"]


# A killed process


def child_env(tmp_path: Path) -> dict[str, str]:
    home, tmp, run = tmp_path / "home", tmp_path / "tmp", tmp_path / "run"
    for folder in (home, tmp, run):
        folder.mkdir()
    run.chmod(0o700)
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_RUNTIME_DIR": str(run),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(Path(__file__).parents[1]),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def run_until(proc: subprocess.Popen[str], line: str) -> list[str]:
    assert proc.stdout is not None
    seen = []
    for got in proc.stdout:
        seen.append(got.rstrip("\n"))
        if seen[-1] == line:
            return seen
    pytest.fail(f"the child ended before {line!r}: {seen}, {proc.wait()}")


def files_containing(root: Path, needle: bytes, skip: Callable[[Path], bool]) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and not skip(p) and needle in p.read_bytes()]


@pytest.mark.slow
def test_a_note_survives_a_forced_close(tmp_path: Path) -> None:
    data_dir = tmp_path / "library"
    saved_part = "Met the lawyer at the Suva office; she has the list"
    last_second = " and the phone numbers of"
    with subprocess.Popen(
        [sys.executable, str(CHILD), str(data_dir), saved_part, last_second],
        env=child_env(tmp_path),
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            run_until(proc, "typed")
        finally:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    (note,) = stored_notes(data_dir)
    # Everything typed up to a second before the kill; what came after may be lost.
    assert note.body.startswith(saved_part)
    assert (saved_part + last_second).startswith(note.body)
    assert note.item_id is None
    # Nothing of it anywhere else the process could write.
    leaked = files_containing(tmp_path, b"Suva office", lambda p: data_dir in p.parents)
    assert leaked == []


# Positions


@pytest.mark.parametrize(
    "text",
    ["plain ascii", "café au lait", "emoji 🙂 before ✓ and 𝄞 after", "🙂🙂", ""],
)
def test_positions_convert_between_qt_and_python(text: str) -> None:
    for index in range(len(text) + 1):
        assert to_index(text, to_utf16(text, index)) == index
    assert to_utf16(text, len(text)) == len(text.encode("utf-16-le")) // 2
