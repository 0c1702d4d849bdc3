"""A whole first session of a portable trainer's build, run as its own process.

``python portable_session.py``, with ``$FIELDREADER_APP_DIR`` naming the app folder (profile,
preload and, for portable mode, the ``portable`` marker) and HOME an empty folder: starts as the
desktop entry point does (portable mode before Qt, the same choice of library folder), creates
the library from the preload on the first-run screen, reads, searches, bookmarks, locks, unlocks
and quits. Prints one JSON line with what it saw and where Python and Qt would put their files,
so the test can check both the session and the paths.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fieldreader.provisioning import prepare_process

PROVISIONING = prepare_process()

from PySide6.QtCore import QCoreApplication, QDir, QStandardPaths, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from factories import FAST_KDF  # noqa: E402
from fieldreader.paths import default_data_dir  # noqa: E402
from fieldreader.ui.app import make_application  # noqa: E402
from fieldreader.ui.main_window import MainWindow  # noqa: E402

LIMIT_S = 120
PASSPHRASE = "portable passphrase 4410"
LOCATIONS = (
    QStandardPaths.StandardLocation.CacheLocation,
    QStandardPaths.StandardLocation.GenericCacheLocation,
    QStandardPaths.StandardLocation.ConfigLocation,
    QStandardPaths.StandardLocation.GenericConfigLocation,
    QStandardPaths.StandardLocation.AppDataLocation,
    QStandardPaths.StandardLocation.GenericDataLocation,
    QStandardPaths.StandardLocation.TempLocation,
)


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


def main() -> int:
    if PROVISIONING is None:
        raise SystemExit("no app folder")
    data_dir = PROVISIONING.data_dir or default_data_dir()  # as app.main chooses
    app = make_application([sys.argv[0]])
    win = MainWindow(data_dir, kdf=FAST_KDF, provisioning=PROVISIONING)
    win.protection.quit_app = lambda: None
    win.show()
    win.start()
    panel = win.first_run
    seen: dict[str, object] = {"offered": panel.start_preloaded.isChecked()}
    QTest.keyClicks(panel.passphrase, PASSPHRASE)
    QTest.keyClicks(panel.repeat, PASSPHRASE)
    QTest.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    until(lambda: not win.is_locked() or bool(panel.message.text()))
    idle(win)
    seen["message"] = panel.message.text()
    seen["rows"] = win.model.rowCount()
    shown: list[str] = []
    win.page_shown.connect(shown.append)
    win.item_list.setCurrentIndex(win.model.index(0, 0))
    until(lambda: bool(shown))
    idle(win)
    win.toggle_bookmark()
    idle(win)
    win.search_field.setText("district")
    until(lambda: not win.search_hits_pending())
    idle(win)
    seen["hits"] = win.model.rowCount()
    win.lock()
    idle(win)
    win.unlock_panel.passphrase.setText(PASSPHRASE)
    win.unlock_panel.button.click()
    until(lambda: not win.is_locked())
    idle(win)
    seen["unlocked"] = not win.is_locked()
    seen["idle_minutes"] = win.settings.idle_lock_minutes
    seen["paths"] = [
        tempfile.gettempdir(),
        QDir.tempPath(),
        *(QStandardPaths.writableLocation(location) for location in LOCATIONS),
    ]
    seen["data_dir"] = str(data_dir)
    win.close()
    app.processEvents()
    print(json.dumps(seen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
