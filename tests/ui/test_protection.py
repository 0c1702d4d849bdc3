"""Protection in the desktop reader, driven through its widgets: unlock, duress, failed-unlock
limit, lock now, idle lock, panic wipe, passphrase change, settings, window title."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QFileSystemWatcher, QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from factories import PASSPHRASE
from fieldreader import service
from fieldreader.fsutil import overwrite
from fieldreader.store import (
    DatabaseDamaged,
    LibraryPaths,
    attempt_limit,
    keyslots,
    wipe_library,
)
from fieldreader.store import library as library_module
from fieldreader.store.database import open_existing
from fieldreader.store.library import Library, open_library
from fieldreader.ui.main_window import MainWindow
from fieldreader.ui.panic_dialog import PanicDialog
from fieldreader.ui.theme import apply_theme
from ui.conftest import WAIT_MS, set_up, wait_idle

DURESS = "duress words for the checkpoint"
NEW_PASSPHRASE = "purple elephant morning tide"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def quits(window: MainWindow) -> list[str]:
    """Quit calls recorded instead of ending the test session; a fast countdown."""
    calls: list[str] = []
    window.protection.quit_app = lambda: calls.append("quit")
    window.protection.panic_tick_ms = 10
    return calls


@pytest.fixture(autouse=True)
def _system_theme(qapp: QApplication) -> Iterator[None]:
    yield
    apply_theme(qapp, "system")  # a test that picked dark leaves no trace in the next


def submit_unlock(win: MainWindow, passphrase: str) -> None:
    win.unlock_panel.passphrase.setText(passphrase)
    QTest.keyClick(win.unlock_panel.passphrase, Qt.Key.Key_Return)


def unlock(qtbot: QtBot, win: MainWindow, passphrase: str) -> None:
    with qtbot.waitSignal(win.unlocked, timeout=WAIT_MS):
        submit_unlock(win, passphrase)
    wait_idle(qtbot, win)


def fail_unlock(qtbot: QtBot, win: MainWindow, passphrase: str) -> None:
    submit_unlock(win, passphrase)
    wait_idle(qtbot, win)
    assert win.is_locked()


def lock(qtbot: QtBot, win: MainWindow) -> None:
    win.lock()
    wait_idle(qtbot, win)


def library_files(data_dir: Path) -> list[Path]:
    return LibraryPaths(data_dir).leftovers()


def slots(data_dir: Path) -> tuple[keyslots.KeySlot, ...]:
    return keyslots.decode(LibraryPaths(data_dir).keyslots.read_bytes())


def opens(data_dir: Path, passphrase: str) -> str | None:
    """What ``passphrase`` opens, read from the key slots without counting an attempt:
    "real", "duress" or None."""
    for slot in slots(data_dir):
        content = keyslots.try_open(slot, passphrase)
        if content is not None:
            return "duress" if keyslots.is_duress_marker(content) else "real"
    return None


def open_first(qtbot: QtBot, win: MainWindow) -> str:
    """Open the first row of the current list; returns its title."""
    index = win.model.index(0, 0)
    with qtbot.waitSignal(win.page_shown, timeout=WAIT_MS):
        win.item_list.setCurrentIndex(index)
    wait_idle(qtbot, win)
    return win.title_label.text()


def shown_texts(root: QWidget) -> list[str]:
    """Every text a widget under ``root`` shows or names."""
    texts = [root.windowTitle()]
    for widget in root.findChildren(QWidget):
        texts += [widget.toolTip(), widget.accessibleName(), widget.windowTitle()]
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            texts.append(widget.text())
        elif isinstance(widget, QTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
    return [t for t in texts if t]


def section_counts(win: MainWindow) -> list[str]:
    return [win.sidebar.item(i).text().split()[-1] for i in range(win.sidebar.count())]


# Unlock


def test_wrong_passphrase_says_so_and_the_library_stays(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window)
    lock(qtbot, window)
    before = sorted(library_files(data_dir))
    fail_unlock(qtbot, window, "not the passphrase at all")
    assert "not correct" in window.unlock_panel.message.text()
    assert window.stack.currentWidget() is window.unlock_panel
    assert window.unlock_panel.passphrase.text() == ""
    assert sorted(library_files(data_dir)) == before
    unlock(qtbot, window, PASSPHRASE)
    assert window.model.rowCount() > 5


def test_empty_passphrase_is_not_tried(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    lock(qtbot, window)
    window.unlock_panel.button.click()
    assert "Type your passphrase" in window.unlock_panel.message.text()
    assert not window.worker.busy()


def test_unlock_runs_off_the_ui_thread_with_a_busy_bar(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    lock(qtbot, window)
    gate = threading.Event()
    # Hold the worker: the unlock waits behind this, so it can only finish after the timer
    # below has run on the UI thread, which it can only do if the UI thread is free.
    window.worker.submit(lambda: gate.wait(WAIT_MS / 1000))
    seen: list[tuple[bool, bool, bool]] = []

    def during() -> None:
        panel = window.unlock_panel
        seen.append((panel.busy.isVisible(), panel.button.isEnabled(), window.is_locked()))
        gate.set()

    QTimer.singleShot(0, during)
    with qtbot.waitSignal(window.unlocked, timeout=WAIT_MS):
        submit_unlock(window, PASSPHRASE)
    assert seen == [(True, False, True)]
    assert not window.unlock_panel.busy.isVisible()


def test_duress_passphrase_opens_an_empty_library_and_the_old_one_is_gone(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window, duress=DURESS)
    assert window.model.rowCount() > 5
    old_key, _ = keyslots.unlock(slots(data_dir), PASSPHRASE)
    lock(qtbot, window)
    unlock(qtbot, window, DURESS)
    assert window.stack.currentWidget() is window.library_page
    assert window.model.rowCount() == 0
    assert set(section_counts(window)) == {"0"}
    assert "not correct" not in window.statusBar().currentMessage()
    # The real passphrase opens nothing now, and the old key does not open the database.
    assert opens(data_dir, PASSPHRASE) is None
    lock(qtbot, window)
    with pytest.raises(DatabaseDamaged):
        open_existing(LibraryPaths(data_dir).database, old_key).close()
    fail_unlock(qtbot, window, PASSPHRASE)
    assert "not correct" in window.unlock_panel.message.text()
    # The duress passphrase keeps opening the (empty) library, like a normal one.
    unlock(qtbot, window, DURESS)
    assert window.model.rowCount() == 0


def test_wipe_after_failed_unlocks_ends_on_the_first_run_screen(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window, wipe_after=3)
    assert attempt_limit(data_dir) == 3
    lock(qtbot, window)
    for attempt in range(2):
        fail_unlock(qtbot, window, f"wrong guess {attempt}")
        assert "not correct" in window.unlock_panel.message.text()
        assert LibraryPaths(data_dir).keyslots.exists()
    fail_unlock(qtbot, window, "wrong guess 2")
    assert window.stack.currentWidget() is window.first_run
    assert library_files(data_dir) == []


def test_a_right_passphrase_resets_the_failed_count(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window, wipe_after=3)
    lock(qtbot, window)
    fail_unlock(qtbot, window, "wrong guess 1")
    fail_unlock(qtbot, window, "wrong guess 2")
    unlock(qtbot, window, PASSPHRASE)
    lock(qtbot, window)
    fail_unlock(qtbot, window, "wrong guess 3")
    fail_unlock(qtbot, window, "wrong guess 4")
    assert window.stack.currentWidget() is window.unlock_panel
    assert LibraryPaths(data_dir).keyslots.exists()


# Lock now


def test_lock_now_hides_everything_at_once(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    article_title = open_first(qtbot, window)
    article_text = window.reader.toPlainText()[:40]
    assert article_title
    assert article_text
    with qtbot.waitSignal(window.results_shown, timeout=WAIT_MS):
        window.select_section("contact")
    wait_idle(qtbot, window)
    contact_title = open_first(qtbot, window)
    window.contact_card.copy_buttons[0].click()
    copied = QGuiApplication.clipboard().text()
    assert copied
    window.search_field.setText("civicus")
    qtbot.waitUntil(lambda: not window.search_hits_pending(), timeout=WAIT_MS)
    wait_idle(qtbot, window)

    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    # No waiting: everything is gone the moment the shortcut returns.
    assert window.is_locked()
    assert window.stack.currentWidget() is window.unlock_panel
    assert window.windowTitle() == "fieldreader"
    assert window.title_label.text() == ""
    assert window.meta_label.text() == ""
    assert window.model.rowCount() == 0
    assert window.sidebar.count() == 0
    assert window.reader.toPlainText() == ""
    assert window.contact_card.copy_buttons == []
    assert window.search_field.text() == ""
    assert QGuiApplication.clipboard().text() == ""
    texts = "\n".join(shown_texts(window))
    for secret in (article_title, article_text, contact_title, copied, "civicus"):
        assert secret not in texts
    assert not window.search_action.isEnabled()
    wait_idle(qtbot, window)
    assert window.model.rowCount() == 0  # nothing queued before the lock refills the list


def test_lock_closes_open_dialogs_and_forgets_what_was_typed(
    qtbot: QtBot, window: MainWindow
) -> None:
    set_up(qtbot, window)
    protection = window.protection
    protection.settings_action.trigger()
    dialog = protection.settings_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.current.setText(PASSPHRASE)
    dialog.duress.setText(DURESS)
    window.lock()
    assert not dialog.isVisible()
    assert dialog.current.text() == ""
    assert dialog.duress.text() == ""
    unlock(qtbot, window, PASSPHRASE)
    protection.change_passphrase_action.trigger()
    assert protection.passphrase_dialog.isVisible()
    protection.passphrase_dialog.current.setText(PASSPHRASE)
    window.lock()
    assert not protection.passphrase_dialog.isVisible()
    assert protection.passphrase_dialog.current.text() == ""


def test_lock_closes_the_external_link_question(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    questions: list[bool] = []

    def lock_while_asking() -> None:
        box = QApplication.activeModalWidget()
        questions.append(isinstance(box, QMessageBox) and box.isVisible())
        window.lock()

    QTimer.singleShot(50, lock_while_asking)
    assert window.confirm_external("https://example.org/a/report") is False
    assert questions == [True]
    assert window.is_locked()
    assert [d for d in window.findChildren(QDialog) if d.isVisible()] == []


# Idle lock


def test_idle_lock_fires_after_the_interval(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    idle = window.protection.idle
    assert idle.is_running()
    assert idle.interval_ms() == window.settings.idle_lock_minutes * 60_000
    with qtbot.waitSignal(window.locked, timeout=WAIT_MS):
        idle.set_interval_ms(30)
    assert window.is_locked()
    assert window.model.rowCount() == 0
    assert not idle.is_running()


def test_input_resets_the_idle_time(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    idle = window.protection.idle
    clock = Clock()
    idle.clock = clock
    idle.set_interval_ms(60_000)
    idle.start()
    clock.advance(45)
    assert not idle.check()
    inputs: list[Callable[[], None]] = [
        lambda: QTest.keyClick(window.search_field, Qt.Key.Key_A),
        lambda: QTest.mouseClick(window.item_list.viewport(), Qt.MouseButton.LeftButton),
        lambda: QTest.mouseMove(window.reader.viewport(), QPoint(5, 5)),
        lambda: QTest.keyClick(window.reader, Qt.Key.Key_PageDown),
    ]
    for send_input in inputs:
        send_input()
        clock.advance(45)  # 90 s since the previous input, 45 since this one
        assert not idle.check()
        assert not window.is_locked()
    clock.advance(15)
    assert idle.check()
    assert window.is_locked()


def test_first_input_after_a_long_sleep_locks_instead(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    idle = window.protection.idle
    clock = Clock()
    idle.clock = clock
    idle.set_interval_ms(60_000)
    idle.start()
    window.search_field.setFocus()
    clock.advance(3 * 3600)  # suspended for hours: Qt's own timers did not run meanwhile
    QTest.keyClick(window.search_field, Qt.Key.Key_X)
    assert window.is_locked()
    assert window.unlock_panel.passphrase.text() == ""


def test_idle_lock_runs_only_while_unlocked(qtbot: QtBot, window: MainWindow) -> None:
    idle = window.protection.idle
    assert not idle.is_running()  # first-run screen
    set_up(qtbot, window)
    assert idle.is_running()
    lock(qtbot, window)
    assert not idle.is_running()
    QTest.keyClick(window.unlock_panel.passphrase, Qt.Key.Key_A)
    assert not idle.is_running()
    unlock(qtbot, window, PASSPHRASE)
    assert idle.is_running()


def test_suspended_application_locks(qtbot: QtBot, window: MainWindow, qapp: QApplication) -> None:
    set_up(qtbot, window)
    qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationInactive)
    assert not window.is_locked()  # only switching to another window
    qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationSuspended)
    assert window.is_locked()
    assert window.model.rowCount() == 0


def test_a_clock_set_back_does_not_stop_the_idle_lock(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    idle = window.protection.idle
    clock = Clock()
    idle.clock = clock
    idle.set_interval_ms(60_000)
    idle.start()
    clock.advance(-7200)
    assert not idle.check()
    clock.advance(61)
    assert idle.check()
    assert window.is_locked()


# Panic wipe


def activate(qtbot: QtBot, win: MainWindow) -> None:
    """Window shortcuts need the window active; offscreen, closing a dialog does not give the
    activation back as a window manager would."""
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=WAIT_MS)


def open_panic(qtbot: QtBot, win: MainWindow) -> PanicDialog:
    activate(qtbot, win)
    QTest.keyClick(
        win,
        Qt.Key.Key_Delete,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = win.protection.panic_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return dialog


def test_panic_wipe_can_be_cancelled(
    qtbot: QtBot, window: MainWindow, data_dir: Path, quits: list[str]
) -> None:
    set_up(qtbot, window)
    window.protection.panic_tick_ms = 60_000  # the countdown must not end during this test
    before = sorted(library_files(data_dir))
    for cancel in (
        lambda d: d.cancel_button.click(),
        lambda d: QTest.keyClick(d, Qt.Key.Key_Escape),
        lambda d: QTest.keyClick(d.focusWidget(), Qt.Key.Key_Return),  # Cancel has the focus
    ):
        dialog = open_panic(qtbot, window)
        assert dialog.focusWidget() is dialog.cancel_button
        assert dialog.cancel_button.isDefault()
        assert dialog.seconds_left() == 5
        cancel(dialog)
        assert not dialog.isVisible()
        assert not dialog.counting()
        wait_idle(qtbot, window)
        assert sorted(library_files(data_dir)) == before
        assert not window.is_locked()
    assert quits == []


def test_panic_wipe_after_the_countdown_erases_and_quits(
    qtbot: QtBot, window: MainWindow, data_dir: Path, quits: list[str]
) -> None:
    set_up(qtbot, window)
    open_first(qtbot, window)
    ticks: list[int] = []
    dialog = open_panic(qtbot, window)
    dialog.bar.valueChanged.connect(ticks.append)
    qtbot.waitUntil(lambda: quits == ["quit"], timeout=WAIT_MS)
    assert ticks == [4, 3, 2, 1, 0]
    assert library_files(data_dir) == []
    assert not data_dir.exists()
    assert window.is_locked()
    assert window.title_label.text() == ""
    assert window.reader.toPlainText() == ""
    assert window.stack.currentWidget() is window.first_run


def test_erase_now_skips_the_wait(
    qtbot: QtBot, window: MainWindow, data_dir: Path, quits: list[str]
) -> None:
    set_up(qtbot, window)
    window.protection.panic_tick_ms = 60_000
    dialog = open_panic(qtbot, window)
    dialog.erase_button.click()
    qtbot.waitUntil(lambda: quits == ["quit"], timeout=WAIT_MS)
    assert library_files(data_dir) == []


def test_panic_wipe_from_the_locked_screen(
    qtbot: QtBot, window: MainWindow, data_dir: Path, quits: list[str]
) -> None:
    set_up(qtbot, window)
    lock(qtbot, window)
    assert window.protection.erase_action.isEnabled()
    assert window.unlock_panel.erase_button.isVisible()
    window.unlock_panel.passphrase.setText("half typed")
    window.unlock_panel.erase_button.click()
    dialog = window.protection.panic_dialog
    assert dialog is not None
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: quits == ["quit"], timeout=WAIT_MS)
    assert library_files(data_dir) == []
    assert window.unlock_panel.passphrase.text() == ""


def test_panic_wipe_while_an_unlock_is_running_never_shows_the_library(
    qtbot: QtBot, window: MainWindow, data_dir: Path, quits: list[str]
) -> None:
    set_up(qtbot, window)
    lock(qtbot, window)
    gate = threading.Event()
    window.worker.submit(lambda: gate.wait(WAIT_MS / 1000))
    submit_unlock(window, PASSPHRASE)
    shown: list[int] = []
    window.results_shown.connect(shown.append)
    window.protection.erase_now()
    gate.set()
    qtbot.waitUntil(lambda: quits == ["quit"], timeout=WAIT_MS)
    wait_idle(qtbot, window)
    assert window.is_locked()
    assert window.model.rowCount() == 0
    assert shown == []
    assert library_files(data_dir) == []


def test_a_failed_panic_wipe_is_reported_and_does_not_quit(
    qtbot: QtBot, window: MainWindow, data_dir: Path, quits: list[str]
) -> None:
    set_up(qtbot, window)
    lock(qtbot, window)
    (data_dir / "library.db-journal").mkdir()  # a file the wipe cannot remove
    window.protection.erase_now()
    protection = window.protection
    qtbot.waitUntil(lambda: protection.wipe_error is not None, timeout=WAIT_MS)
    assert protection.wipe_error is not None
    assert "library.db-journal" in protection.wipe_error.informativeText()
    assert quits == []
    assert not LibraryPaths(data_dir).keyslots.exists()  # the key went first
    assert window.stack.currentWidget() is window.first_run
    protection.wipe_error.close()


# Erased by something else


def desktop_key_wipe(data_dir: Path) -> subprocess.Popen[str]:
    """What a desktop keyboard shortcut bound to the command line's wipe starts; the window's
    event loop goes on meanwhile, as it does when a person presses the key."""
    return subprocess.Popen(
        [sys.executable, "-m", "fieldreader", "--data-dir", str(data_dir), "wipe", "--yes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(proc: subprocess.Popen[str]) -> None:
    _, errors = proc.communicate(timeout=WAIT_MS / 1000)
    assert proc.returncode == 0, errors


def watcher(win: MainWindow) -> QFileSystemWatcher:
    found = win.protection.watch.findChild(QFileSystemWatcher)
    assert found is not None
    return found


def notices_arrived(qtbot: QtBot, win: MainWindow, data_dir: Path) -> None:
    """Until the window has heard every change made to the folder so far: the system reports
    them in order, so a marker file's notice comes after all of them."""
    marker = data_dir / "marker"
    with qtbot.waitSignal(watcher(win).directoryChanged, timeout=WAIT_MS):
        marker.touch()
    marker.unlink()


def test_a_wipe_from_a_desktop_key_hides_the_open_library(
    qtbot: QtBot, window: MainWindow, data_dir: Path, quits: list[str]
) -> None:
    set_up(qtbot, window)
    title = open_first(qtbot, window)
    window.protection.open_settings()
    wait_idle(qtbot, window)
    assert window.protection.settings_dialog.isVisible()
    assert window.protection.watch.watching()
    proc = desktop_key_wipe(data_dir)
    qtbot.waitUntil(window.is_locked, timeout=WAIT_MS)
    assert window.stack.currentWidget() is window.first_run
    assert not window.protection.settings_dialog.isVisible()
    assert title not in shown_texts(window)
    assert window.reader.toPlainText() == ""
    assert window.model.rowCount() == 0
    finished(proc)
    wait_idle(qtbot, window)
    assert not data_dir.exists()  # closing the library left no file behind
    assert quits == []
    # A new library can be made in its place, and it is watched in turn.
    set_up(qtbot, window)
    assert window.protection.watch.watching()


def test_the_wipes_first_step_is_enough_and_nothing_more_is_saved(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    """The wipe overwrites the key slots before it removes anything: the window reacts to that
    alone, shows the first-run screen although the files are still there, and writes neither
    the reading position nor the note being typed to a library being erased (the test puts
    the key slots back afterwards to look)."""
    set_up(qtbot, window)
    open_first(qtbot, window)
    assert window.current is not None
    item_id = window.current.item.id
    window.notes.add_note()
    editor = window.notes.panel.editor
    edit = editor.edit
    qtbot.waitUntil(edit.isVisible, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    # The editor's own saves must not come first, however slow the disk is today.
    for timer in (editor._quiet_timer, editor._max_wait_timer):
        timer.setInterval(10 * WAIT_MS)
    QTest.keyClicks(edit, "typed as the key was pressed")
    keys = LibraryPaths(data_dir).keyslots
    original = keys.read_bytes()
    with qtbot.waitSignal(window.locked, timeout=WAIT_MS):
        overwrite(keys)
    assert window.stack.currentWidget() is window.first_run
    assert edit.toPlainText() == ""
    wait_idle(qtbot, window)
    keys.write_bytes(original)
    library = open_library(data_dir, PASSPHRASE)
    try:
        assert [n for n in library.userdata.notes() if "typed as" in n.body] == []
        assert library.userdata.position(item_id) is None
    finally:
        library.close()


def test_a_wipe_from_outside_at_the_unlock_screen_shows_the_first_run_screen(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window)
    lock(qtbot, window)
    window.unlock_panel.passphrase.setText("half typed")
    wipe_library(data_dir)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.first_run, timeout=WAIT_MS)
    assert window.unlock_panel.passphrase.text() == ""


def test_a_wipe_from_outside_while_the_worker_is_busy_is_seen_when_it_is_done(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window)
    lock(qtbot, window)
    gate = threading.Event()
    window.worker.submit(lambda: gate.wait(WAIT_MS / 1000))
    with qtbot.waitSignal(window.protection.watch.erased, timeout=WAIT_MS):
        finished(desktop_key_wipe(data_dir))
    assert window.stack.currentWidget() is window.unlock_panel  # the worker has not answered
    gate.set()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.first_run, timeout=WAIT_MS)


def test_a_wipe_while_an_unlock_finishes_locks_again(
    qtbot: QtBot, window: MainWindow, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unlock had read the key slots when they were erased: it must not leave the library
    open, nor the watch off."""
    set_up(qtbot, window)
    lock(qtbot, window)
    unlock_reader = service.unlock_reader

    def erased_as_it_returns(folder: Path, passphrase: str) -> object:
        opened = unlock_reader(folder, passphrase)
        overwrite(LibraryPaths(folder).keyslots)
        return opened

    monkeypatch.setattr("fieldreader.ui.main_window.unlock_reader", erased_as_it_returns)
    shown: list[int] = []
    window.results_shown.connect(shown.append)
    submit_unlock(window, PASSPHRASE)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.first_run, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    assert window.is_locked()
    assert window.model.rowCount() == 0
    assert shown == []


def test_the_windows_own_changes_to_the_key_slots_are_not_an_erase(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window, duress=DURESS)
    protection = window.protection
    erased: list[bool] = []
    protection.watch.erased.connect(lambda: erased.append(True))
    protection.open_change_passphrase()
    dialog = protection.passphrase_dialog
    dialog.current.setText(PASSPHRASE)
    dialog.new.setText(NEW_PASSPHRASE)
    dialog.repeat.setText(NEW_PASSPHRASE)
    dialog.change_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    open_settings(qtbot, window)
    protection.settings_dialog.use_limit.setChecked(True)
    save_settings(qtbot, window)
    assert attempt_limit(data_dir) is not None
    lock(qtbot, window)
    fail_unlock(qtbot, window, "a wrong guess")  # the failed-unlock counter is written
    notices_arrived(qtbot, window, data_dir)
    assert erased == []
    assert window.stack.currentWidget() is window.unlock_panel
    unlock(qtbot, window, NEW_PASSPHRASE)
    notices_arrived(qtbot, window, data_dir)
    assert erased == []
    assert protection.watch.watching()
    assert window.model.rowCount() > 5


def test_a_duress_unlock_never_shows_the_first_run_screen(
    qtbot: QtBot, window: MainWindow, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A duress unlock erases the library and makes a new one: the window hears the erase
    (the new library waits for that here) but must look exactly as after any unlock."""
    set_up(qtbot, window, duress=DURESS)
    lock(qtbot, window)
    heard = threading.Event()
    window.protection.watch.erased.connect(heard.set)
    create_library = library_module.create_library

    def after_the_notice(*args: Any, **kwargs: Any) -> Library:
        heard.wait(WAIT_MS / 1000)
        return create_library(*args, **kwargs)

    monkeypatch.setattr(library_module, "create_library", after_the_notice)
    screens: list[QWidget | None] = []
    window.stack.currentChanged.connect(lambda _: screens.append(window.stack.currentWidget()))
    unlock(qtbot, window, DURESS)
    assert heard.is_set()
    assert screens == [window.library_page]
    assert not window.is_locked()
    assert window.model.rowCount() == 0
    assert window.protection.watch.watching()


# Passphrase


def test_change_passphrase(qtbot: QtBot, window: MainWindow, data_dir: Path) -> None:
    set_up(qtbot, window)
    protection = window.protection
    protection.change_passphrase_action.trigger()
    dialog = protection.passphrase_dialog
    assert dialog.isVisible()
    assert dialog.windowTitle() == "fieldreader"

    dialog.current.setText("not my passphrase")
    dialog.new.setText(NEW_PASSPHRASE)
    dialog.repeat.setText(NEW_PASSPHRASE)
    assert dialog.strength.text().startswith("Strength:")
    gate = threading.Event()
    window.worker.submit(lambda: gate.wait(WAIT_MS / 1000))
    dialog.change_button.click()
    assert dialog.busy.isVisible()
    assert not dialog.change_button.isEnabled()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()  # the answer is awaited, not abandoned
    gate.set()
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=WAIT_MS)
    assert dialog.message.text() == "That is not your current passphrase. Nothing was changed."
    assert dialog.isVisible()
    assert dialog.current.text() == ""
    assert opens(data_dir, PASSPHRASE) == "real"

    dialog.current.setText(PASSPHRASE)
    dialog.change_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert "Passphrase changed" in window.statusBar().currentMessage()
    assert dialog.new.text() == ""
    assert opens(data_dir, NEW_PASSPHRASE) == "real"
    lock(qtbot, window)
    fail_unlock(qtbot, window, PASSPHRASE)
    assert "not correct" in window.unlock_panel.message.text()
    unlock(qtbot, window, NEW_PASSPHRASE)
    assert window.model.rowCount() > 5


@pytest.mark.parametrize(
    ("current", "new", "repeat", "problem"),
    [
        ("", NEW_PASSPHRASE, NEW_PASSPHRASE, "Type your current passphrase."),
        (PASSPHRASE, "short", "short", "The new passphrase needs at least 8 characters."),
        (PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE + "!", "The two new passphrases are not"),
        (PASSPHRASE, PASSPHRASE, PASSPHRASE, "The new passphrase is the same"),
    ],
)
def test_change_passphrase_form_problems(
    qtbot: QtBot,
    window: MainWindow,
    *,
    data_dir: Path,
    current: str,
    new: str,
    repeat: str,
    problem: str,
) -> None:
    set_up(qtbot, window)
    window.protection.open_change_passphrase()
    dialog = window.protection.passphrase_dialog
    dialog.current.setText(current)
    dialog.new.setText(new)
    dialog.repeat.setText(repeat)
    before = LibraryPaths(data_dir).keyslots.read_bytes()
    QTest.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert dialog.message.text().startswith(problem)
    assert not window.worker.busy()
    assert LibraryPaths(data_dir).keyslots.read_bytes() == before


def test_wrong_passphrases_in_the_change_dialog_count_towards_the_limit(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window, wipe_after=3)
    dialog = window.protection.passphrase_dialog
    window.protection.open_change_passphrase()
    for attempt in range(3):
        dialog.current.setText(f"guess number {attempt}")
        dialog.new.setText(NEW_PASSPHRASE)
        dialog.repeat.setText(NEW_PASSPHRASE)
        dialog.change_button.click()
        wait_idle(qtbot, window)
    assert library_files(data_dir) == []
    assert not dialog.isVisible()
    assert window.is_locked()
    assert window.stack.currentWidget() is window.first_run


# Settings


def open_settings(qtbot: QtBot, win: MainWindow) -> None:
    activate(qtbot, win)
    QTest.keyClick(win, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(win.protection.settings_dialog.isVisible, timeout=WAIT_MS)


def save_settings(qtbot: QtBot, win: MainWindow) -> None:
    dialog = win.protection.settings_dialog
    dialog.save_button.click()
    wait_idle(qtbot, win)


def test_settings_are_saved_in_the_library(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window)
    open_settings(qtbot, window)
    dialog = window.protection.settings_dialog
    assert dialog.idle_minutes.value() == 5
    assert (dialog.idle_minutes.minimum(), dialog.idle_minutes.maximum()) == (1, 240)
    assert dialog.theme.currentData() == "system"
    assert not dialog.use_limit.isChecked()
    assert not dialog.limit.isEnabled()
    dialog.idle_minutes.setValue(17)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.auto_sync.setChecked(True)
    dialog.use_limit.setChecked(True)
    dialog.limit.setValue(4)
    changed: list[object] = []
    window.settings_changed.connect(changed.append)
    save_settings(qtbot, window)
    assert not dialog.isVisible()
    assert window.settings.idle_lock_minutes == 17
    assert window.settings.theme == "dark"
    assert window.settings.auto_sync
    assert changed == [window.settings]
    assert window.theme_actions["dark"].isChecked()
    assert window.protection.idle.interval_ms() == 17 * 60_000
    assert attempt_limit(data_dir) == 4

    lock(qtbot, window)
    unlock(qtbot, window, PASSPHRASE)
    assert (window.settings.idle_lock_minutes, window.settings.theme) == (17, "dark")
    assert window.settings.auto_sync
    open_settings(qtbot, window)
    assert dialog.use_limit.isChecked()
    assert dialog.limit.value() == 4
    dialog.use_limit.setChecked(False)
    save_settings(qtbot, window)
    assert attempt_limit(data_dir) is None


def test_cancelled_settings_change_nothing(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    open_settings(qtbot, window)
    dialog = window.protection.settings_dialog
    dialog.idle_minutes.setValue(99)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    wait_idle(qtbot, window)
    assert window.settings.idle_lock_minutes == 5
    lock(qtbot, window)
    unlock(qtbot, window, PASSPHRASE)
    assert window.settings.idle_lock_minutes == 5


def test_add_replace_and_remove_a_duress_passphrase(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window)
    dialog = window.protection.settings_dialog

    open_settings(qtbot, window)
    dialog.duress.setText(DURESS)
    dialog.current.setText("not my passphrase")
    dialog.idle_minutes.setValue(9)
    save_settings(qtbot, window)
    assert dialog.isVisible()
    assert dialog.message.text() == "That is not your passphrase. Nothing was changed."
    assert opens(data_dir, DURESS) is None
    assert window.settings.idle_lock_minutes == 5  # nothing else was saved either

    dialog.current.setText(PASSPHRASE)
    save_settings(qtbot, window)
    assert not dialog.isVisible()
    assert opens(data_dir, DURESS) == "duress"
    assert window.settings.idle_lock_minutes == 9

    replacement = "another duress phrase"
    open_settings(qtbot, window)
    dialog.duress.setText(replacement)
    dialog.previous_duress.setText(DURESS)
    dialog.current.setText(PASSPHRASE)
    save_settings(qtbot, window)
    assert not dialog.isVisible()
    assert opens(data_dir, DURESS) is None
    assert opens(data_dir, replacement) == "duress"
    assert opens(data_dir, PASSPHRASE) == "real"

    open_settings(qtbot, window)
    dialog.previous_duress.setText(replacement)
    dialog.current.setText(PASSPHRASE)
    save_settings(qtbot, window)
    assert not dialog.isVisible()
    assert opens(data_dir, replacement) is None
    assert len(slots(data_dir)) == 1


def test_replacing_an_unknown_duress_passphrase_keeps_both_and_says_so(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window, duress=DURESS)
    dialog = window.protection.settings_dialog
    open_settings(qtbot, window)
    dialog.duress.setText("another duress phrase")
    dialog.previous_duress.setText("mistyped duress phrase")
    dialog.current.setText(PASSPHRASE)
    dialog.idle_minutes.setValue(12)
    save_settings(qtbot, window)
    assert dialog.isVisible()
    assert "new duress passphrase added" in dialog.message.text()
    assert opens(data_dir, DURESS) == "duress"
    assert opens(data_dir, "another duress phrase") == "duress"
    assert window.settings.idle_lock_minutes == 12
    dialog.reject()


@pytest.mark.parametrize(
    ("duress", "previous", "current", "problem"),
    [
        (DURESS, "", "", "Type your passphrase to change the duress passphrase."),
        ("short", "", PASSPHRASE, "The duress passphrase needs at least 8 characters."),
        (PASSPHRASE, "", PASSPHRASE, "The duress passphrase must differ from your passphrase."),
        (DURESS, DURESS, PASSPHRASE, "The new duress passphrase is the same as the previous"),
    ],
)
def test_duress_form_problems(
    qtbot: QtBot,
    window: MainWindow,
    *,
    data_dir: Path,
    duress: str,
    previous: str,
    current: str,
    problem: str,
) -> None:
    set_up(qtbot, window)
    open_settings(qtbot, window)
    dialog = window.protection.settings_dialog
    dialog.duress.setText(duress)
    dialog.previous_duress.setText(previous)
    dialog.current.setText(current)
    before = LibraryPaths(data_dir).keyslots.read_bytes()
    dialog.save_button.click()
    assert dialog.message.text().startswith(problem)
    assert dialog.isVisible()
    assert not window.worker.busy()
    assert LibraryPaths(data_dir).keyslots.read_bytes() == before


def test_a_duress_passphrase_set_in_settings_wipes_at_the_unlock_screen(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    set_up(qtbot, window)
    open_settings(qtbot, window)
    dialog = window.protection.settings_dialog
    dialog.duress.setText(DURESS)
    dialog.current.setText(PASSPHRASE)
    save_settings(qtbot, window)
    lock(qtbot, window)
    unlock(qtbot, window, DURESS)
    assert window.model.rowCount() == 0
    assert opens(data_dir, PASSPHRASE) is None


# Menus, shortcuts, names, title


def test_protection_actions_follow_the_lock(qtbot: QtBot, window: MainWindow) -> None:
    protection = window.protection
    library_menu = window.menus["library"].actions()
    for action in (
        protection.change_passphrase_action,
        protection.settings_action,
        protection.erase_action,
    ):
        assert action in library_menu
    assert protection.erase_action.shortcut().toString() == "Ctrl+Shift+Del"
    assert not protection.settings_action.isEnabled()
    set_up(qtbot, window)
    assert protection.settings_action.isEnabled()
    assert protection.change_passphrase_action.isEnabled()
    lock(qtbot, window)
    assert not protection.settings_action.isEnabled()
    assert not protection.change_passphrase_action.isEnabled()
    assert protection.erase_action.isEnabled()
    protection.open_settings()
    protection.open_change_passphrase()
    wait_idle(qtbot, window)
    assert not protection.settings_dialog.isVisible()
    assert not protection.passphrase_dialog.isVisible()


def _unnamed_controls(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or isinstance(widget.parent(), QAbstractSpinBox):
            continue  # a spin box's own text field: the spin box carries the name
        if isinstance(widget, QAbstractButton):
            named = bool(widget.accessibleName() or widget.text())
        elif isinstance(widget, QLineEdit | QComboBox | QSpinBox):
            named = bool(widget.accessibleName())
        else:
            continue
        if not named:
            missing.append(f"{type(widget).__name__} {widget.objectName()}")
    return missing


def test_dialogs_name_every_control(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    window.protection.panic_tick_ms = 60_000
    open_settings(qtbot, window)
    assert _unnamed_controls(window.protection.settings_dialog) == []
    window.protection.settings_dialog.reject()
    window.protection.open_change_passphrase()
    assert _unnamed_controls(window.protection.passphrase_dialog) == []
    window.protection.passphrase_dialog.reject()
    dialog = open_panic(qtbot, window)
    assert _unnamed_controls(dialog) == []
    dialog.reject()
    lock(qtbot, window)
    assert _unnamed_controls(window.unlock_panel) == []


def test_window_title_never_changes_through_a_session(
    qtbot: QtBot, window: MainWindow, quits: list[str]
) -> None:
    changes: list[str] = []
    window.windowTitleChanged.connect(changes.append)
    set_up(qtbot, window)
    open_first(qtbot, window)
    window.search_field.setText("civicus")
    qtbot.waitUntil(lambda: not window.search_hits_pending(), timeout=WAIT_MS)
    wait_idle(qtbot, window)
    open_settings(qtbot, window)
    titles = [window.protection.settings_dialog.windowTitle()]
    window.protection.settings_dialog.reject()
    window.protection.open_change_passphrase()
    titles.append(window.protection.passphrase_dialog.windowTitle())
    window.protection.passphrase_dialog.reject()
    lock(qtbot, window)
    unlock(qtbot, window, PASSPHRASE)
    window.item_list.setCurrentIndex(window.model.index(1, 0))
    wait_idle(qtbot, window)
    dialog = open_panic(qtbot, window)
    titles.append(dialog.windowTitle())
    qtbot.waitUntil(lambda: quits == ["quit"], timeout=WAIT_MS)
    assert changes == []
    assert window.windowTitle() == "fieldreader"
    assert titles == ["fieldreader"] * 3
