"""A desktop reader for test_notes to kill: types a note, waits a second, types on, says so.

Run as ``python notes_child.py DATA_DIR TEXT MORE [PROFILE]``: creates an empty library in
DATA_DIR (with PROFILE, first chooses that sync profile and starts a sync, held still inside its
transaction with the library's write lock taken), starts a note about the library as a whole,
types TEXT into it key by key, lets a second pass with the event loop running (the editor saves
by itself; nothing here asks it to), types MORE, prints ``typed`` and then blocks without
returning to the event loop, so MORE is the "last second" that may be lost when the test kills
the process.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from factories import FAST_KDF, PASSPHRASE
from fieldreader.ui.main_window import MainWindow
from fieldreader.ui.unlock import FirstRunChoices, Start
from holdkit import ApplyHold, write_locked

#: The child gives up on its own rather than hang the test if the window never gets ready.
READY_WITHIN_S = 120


def wait_for(condition: object) -> None:
    deadline = time.monotonic() + READY_WITHIN_S
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            print("not ready", flush=True)
            sys.exit(2)
        QTest.qWait(20)


def main(argv: list[str]) -> int:
    data_dir, text, more = Path(argv[1]), argv[2], argv[3]
    profile = Path(argv[4]) if len(argv) > 4 else None
    app = QApplication([argv[0]])
    window = MainWindow(data_dir, kdf=FAST_KDF)
    window.show()
    window.start()
    window.first_run.create_requested.emit(
        FirstRunChoices(passphrase=PASSPHRASE, duress=None, wipe_after=None, start=Start.EMPTY)
    )
    wait_for(lambda: window.service is not None and not window.worker.busy())
    if profile is not None:
        start_sync(window, profile)
    window.notes.add_note_action.trigger()
    edit = window.notes.panel.editor.edit
    wait_for(edit.isVisible)
    QTest.keyClicks(edit, text)
    QTest.qWait(1000)
    # On a busy machine the save the editor made by itself may still be writing: a kill in
    # the middle of a transaction keeps the text from before it, which is not the point here.
    wait_for(lambda: not window.notes.panel.editor.pending())
    QTest.keyClicks(edit, more)
    if profile is not None:
        # The note was saved while the sync still held the library, not after it.
        print(f"still syncing, library locked: {locked(window)}", flush=True)
    print("typed", flush=True)
    time.sleep(3600)  # killed long before; the event loop never runs again
    app.quit()
    return 0


def start_sync(window: MainWindow, profile: Path) -> None:
    """Choose ``profile`` and start a sync; return once it wrote its first items and stopped
    there, inside its transaction, for good."""
    panel = window.sync_panel
    panel.set_profile(profile)
    wait_for(lambda: panel.status is not None and panel.status.configured)
    hold = ApplyHold().install()
    if not panel.start_sync():
        print("no sync", flush=True)
        sys.exit(2)
    wait_for(hold.reached.is_set)
    print(f"syncing, library locked: {locked(window)}", flush=True)


def locked(window: MainWindow) -> bool:
    return (
        window.sync_panel.running()
        and window.service is not None
        and (write_locked(window.service.library))
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv))
