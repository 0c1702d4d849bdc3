"""A whole desktop session, run as its own process by ``test_no_traces.py``.

``python ui_session.py <data dir> <passphrase> <new passphrase>``: sets up the sample library
through the first-run screen, reads, searches, opens and copies from a contact card, bookmarks,
changes settings and the passphrase, locks and unlocks, then quits the way a user does. Prints
one JSON line saying what it saw, so the test knows the session really happened.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from factories import FAST_KDF
from fieldreader.ui.app import make_application
from fieldreader.ui.main_window import MainWindow
from fieldreader.ui.unlock import FirstRunChoices, Start

LIMIT_S = 120


def until(condition: Callable[[], bool]) -> None:
    """Run the event loop until ``condition`` holds (a hang guard, not a time check)."""
    deadline = time.monotonic() + LIMIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("the session did not get there")
        QCoreApplication.processEvents()
        time.sleep(0.005)


def idle(win: MainWindow) -> None:
    until(lambda: not win.worker.busy() and not win.search_hits_pending())


def open_row(win: MainWindow, row: int) -> str:
    shown: list[str] = []
    win.page_shown.connect(shown.append)
    win.item_list.setCurrentIndex(win.model.index(row, 0))
    until(lambda: bool(shown))
    idle(win)
    win.page_shown.disconnect(shown.append)
    return win.title_label.text()


def unlock(win: MainWindow, passphrase: str) -> None:
    win.unlock_panel.passphrase.setText(passphrase)
    win.unlock_panel.button.click()
    until(lambda: not win.is_locked() or bool(win.unlock_panel.message.text()))
    idle(win)


def main(data_dir: Path, passphrase: str, new_passphrase: str) -> int:
    app = make_application([sys.argv[0]])
    win = MainWindow(data_dir, kdf=FAST_KDF)
    quit_calls: list[int] = []
    win.protection.quit_app = lambda: quit_calls.append(1)
    win.show()
    win.start()
    win.first_run.create_requested.emit(
        FirstRunChoices(passphrase=passphrase, duress=None, wipe_after=None, start=Start.SAMPLE)
    )
    until(lambda: not win.is_locked())
    idle(win)
    seen: dict[str, object] = {"rows": win.model.rowCount()}
    titles = [open_row(win, row) for row in range(3)]
    win.toggle_bookmark()
    idle(win)

    win.search_field.setText("Johannesburg")
    until(lambda: not win.search_hits_pending())
    idle(win)
    seen["hits"] = win.model.rowCount()
    win.search_field.clear()
    idle(win)
    win.select_section("contact")
    idle(win)
    titles.append(open_row(win, 0))
    win.contact_card.copy_buttons[0].click()
    seen["copied"] = bool(QGuiApplication.clipboard().text())

    protection = win.protection
    protection.open_settings()
    dialog = protection.settings_dialog
    until(dialog.isVisible)
    dialog.idle_minutes.setValue(7)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.save_button.click()
    until(lambda: not dialog.isVisible())

    protection.open_change_passphrase()
    change = protection.passphrase_dialog
    change.current.setText(passphrase)
    change.new.setText(new_passphrase)
    change.repeat.setText(new_passphrase)
    QTest.keyClick(change.repeat, Qt.Key.Key_Return)
    until(lambda: not change.isVisible())

    win.lock()
    idle(win)
    unlock(win, passphrase)
    seen["old_refused"] = win.is_locked()
    unlock(win, new_passphrase)
    seen["unlocked"] = not win.is_locked()
    seen["idle_minutes"] = win.settings.idle_lock_minutes
    titles.append(open_row(win, 1))
    seen["titles"] = titles
    seen["title"] = win.windowTitle()
    win.close()
    app.processEvents()
    print(json.dumps(seen))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
