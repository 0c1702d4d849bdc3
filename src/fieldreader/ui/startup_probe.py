"""``fieldreader --startup-probe``: start the desktop reader as a reader would, and quit once its
first screen is on screen (and, given a passphrase, once the library is unlocked and shown).

How fast the packaged app starts is measured from outside (the bench times the process from
its start to each line printed here), so the figures include what the build's loader does
before Python runs. The probe prints only events and times, never content.

Lines printed, each flushed at once:
  ``shown <seconds>``     the first screen (first run or unlock) has been painted
  ``unlocked <seconds>``  the library's list has been painted after the unlock
``<seconds>`` counts from the moment the window is created (Python, Qt and the reader's code
are loaded by then), so the difference from the outside figure is the loading.

The unlock goes through the unlock screen as a person's would: a wrong passphrase counts as a
failed unlock, with the library's own limit on those.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from fieldreader.paths import default_data_dir
from fieldreader.process import forbid_core_dumps
from fieldreader.provisioning import Provisioning, prepare_process
from fieldreader.ui.app import make_application
from fieldreader.ui.main_window import MainWindow

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
IDLE_POLL_MS = 5


class _FirstPaint(QObject):
    """Calls ``then`` once, after ``widget`` has finished its first paint."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then = then
        self._widget = widget
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's API
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            # The filter sees the paint before it happens: report after it, once the event
            # loop is back (the frame has been drawn and handed to the screen).
            QTimer.singleShot(0, self._then)
        return False


class Probe(QObject):
    """Drives one start of the window and reports when each screen was first painted."""

    def __init__(self, window: MainWindow, passphrase: str | None, started: float) -> None:
        super().__init__(window)
        self.window = window
        self.passphrase = passphrase
        self.started = started
        self.exit_code = EXIT_OK

    def start(self) -> None:
        """Show the window and watch for the first screen it chose to be painted."""
        self.window.show()
        self.window.start()
        # The window's own paint: the screen inside it is drawn in the same pass.
        _FirstPaint(self.window, self._shown)

    def _shown(self) -> None:
        self._say("shown")
        if self.passphrase is None:
            self._finish(EXIT_OK)
            return
        if self.window.stack.currentWidget() is not self.window.unlock_panel:
            self._say("no library to unlock in this folder")
            self._finish(EXIT_FAILED)
            return
        self.window.unlocked.connect(self._unlocked)
        self.window.worker.busy_changed.connect(self._worker_idle)
        self.window.unlock_panel.passphrase.setText(self.passphrase)
        self.window.unlock_panel.button.click()
        if not self.window.worker.busy():
            self.window.worker.busy_changed.disconnect(self._worker_idle)
            self._say("the unlock screen did not take the passphrase")
            self._finish(EXIT_FAILED)

    def _worker_idle(self, busy: bool) -> None:
        # The worker reports idle just before it hands over the result: look once it has.
        if not busy:
            QTimer.singleShot(0, self._check_failed)

    def _check_failed(self) -> None:
        if self.window.is_locked() and not self.window.worker.busy():
            self.window.worker.busy_changed.disconnect(self._worker_idle)
            self._say("the unlock failed")
            self._finish(EXIT_FAILED)

    def _unlocked(self) -> None:
        self.window.worker.busy_changed.disconnect(self._worker_idle)
        _FirstPaint(self.window.item_list.viewport(), self._listed)

    def _listed(self) -> None:
        self._say("unlocked")
        self._finish(EXIT_OK)

    def _say(self, event: str) -> None:
        print(f"{event} {time.perf_counter() - self.started:.3f}", flush=True)

    def _finish(self, code: int) -> None:
        """Quit once the window has nothing in flight: work the unlock started (the sidebar's
        counts, the first list) must reach the window before it closes and stops its worker."""
        self.exit_code = code
        if self.window.worker.busy() or self.window.search_hits_pending():
            QTimer.singleShot(IDLE_POLL_MS, lambda: self._finish(code))
            return
        # Leave the event loop only: quit() would also post a request to close every window,
        # which a later event loop in the same process would carry out.
        QApplication.exit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="fieldreader --startup-probe",
        description="Open the desktop reader, report when its first screen is painted, quit.",
    )
    parser.add_argument("--data-dir", type=Path, help="the library's folder")
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        help="also unlock the library with the first line of this file and report when its "
        "list is painted (a wrong passphrase counts as a failed unlock)",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    passphrase = None
    if args.passphrase_file is not None:
        try:
            lines = args.passphrase_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            print(f"fieldreader: cannot read the passphrase file: {exc}", file=sys.stderr)
            return EXIT_USAGE
        passphrase = lines[0] if lines else ""
        if not passphrase:
            print("fieldreader: the passphrase file is empty", file=sys.stderr)
            return EXIT_USAGE
    forbid_core_dumps()
    provisioning = prepare_process()  # as the app does: a trainer's build is probed as it runs
    os.environ.setdefault("QT_LOGGING_RULES", "*.debug=false")
    portable = provisioning.data_dir if provisioning is not None else None
    data_dir = args.data_dir or portable or default_data_dir()
    return run_probe(data_dir, passphrase, provisioning)


def run_probe(
    data_dir: Path, passphrase: str | None, provisioning: Provisioning | None = None
) -> int:
    """Start the window on ``data_dir`` as the app does, run the probe, return its exit code."""
    started = time.perf_counter()
    app = make_application([sys.argv[0]])
    window = MainWindow(data_dir, provisioning=provisioning)
    probe = Probe(window, passphrase, started)
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    try:
        probe.start()
        app.exec()
    finally:
        window.close()
        app.setQuitOnLastWindowClosed(quit_on_close)
        window.deleteLater()
    return probe.exit_code
