"""The sync panel: where the library syncs from, when it last did, and a sync with progress.

The sync itself runs on the worker's sync lane, on a connection of its own, so the reader can
go on reading and taking notes meanwhile. This panel only starts it, forwards its progress to
the screen through a queued signal, and cancels it through a
:class:`~fieldreader.sync.cancel.Cancellation`, which the engine reads between files and which
cuts a connection the sync waits on (a lock then frees the library at once, not after the
network's timeout). A cancelled or failed sync changes nothing in the library; what it
downloaded stays staged, so the next one resumes.

Automatic sync, when the person turns it on, starts a sync when a connection *appears*. The
check reads the operating system's routing state every half minute and sends nothing (see
:mod:`fieldreader.sync.connectivity`): the switch is consent to sync, not to being probed.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from fieldreader.service import SyncStatus
from fieldreader.sync.cancel import Cancellation
from fieldreader.sync.connectivity import ConnectionWatch
from fieldreader.sync.messages import (
    Problem,
    SyncMessage,
    Unit,
    describe_failure,
    fill,
    parse_time,
    size_text,
    time_since,
)
from fieldreader.ui.file_dialogs import keep_qt_settings_off_disk

if TYPE_CHECKING:
    from fieldreader.feed.update import Progress
    from fieldreader.sync.engine import SyncResult
    from fieldreader.ui.main_window import MainWindow

POLL_MS = 30_000
"""How often the routing state is read for automatic sync."""


STATUS_AFTER_LIST_MS = 100
"""After an unlock, how long after the first list is shown the sync status is read: importing
the sync code beside the list's first paint slowed it by a fifth."""
STATUS_AT_LATEST_MS = 2_000
"""After an unlock, how long the sync status waits for the library's first list at most."""


class SyncPanel(QDialog):
    """Sync settings, status and progress, opened from Library > Sync… (Ctrl+Shift+S).

    Signals:
        status_shown: a :class:`~fieldreader.service.SyncStatus` is on screen.
        sync_started: a sync was handed to the worker (by a click or automatically).
        progress_shown: a :class:`~fieldreader.feed.update.Progress` is on screen.
        sync_finished: a sync completed; its :class:`~fieldreader.sync.engine.SyncResult`.
        sync_failed: a sync or a profile choice failed (or was cancelled); the
            :class:`~fieldreader.sync.messages.SyncMessage` shown.
    """

    status_shown = Signal(object)
    sync_started = Signal()
    progress_shown = Signal(object)
    sync_finished = Signal(object)
    sync_failed = Signal(object)
    _progress = Signal(object)
    """``(run, Progress)`` emitted on the worker thread, delivered on this one."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle(self.tr("Sync"))
        self.setAccessibleName(self.tr("Sync"))
        self.setMinimumWidth(520)
        self.status: SyncStatus | None = None
        self.watch = ConnectionWatch()
        self._session = 0
        """Bumped by :meth:`stop`: answers from before a lock are dropped."""
        self._cancel: Cancellation | None = None
        """The running sync's cancel flag; None when no sync runs. Also names the run: an
        answer or a progress report from another run is dropped."""
        self._last_sync: datetime | None = None
        self._status_after_list = False
        """Unlocked, and the library's first list not shown yet (the status waits for it)."""
        self._build()
        self._progress.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.check_connection)
        window.unlocked.connect(self._on_unlocked)
        window.results_shown.connect(self._on_results_shown)
        window.locked.connect(self.stop)
        # The settings dialog has the same switch: both show what was saved last.
        window.settings_changed.connect(lambda _settings: self._show_auto_sync())

    # Building

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        heading = QLabel(self.tr("Sync"), self)
        heading.setObjectName("heading")
        layout.addWidget(heading)
        self.pages = QStackedWidget(self)
        self.not_set_up_page = self._build_not_set_up()
        self.set_up_page = self._build_set_up()
        self.pages.addWidget(self.not_set_up_page)
        self.pages.addWidget(self.set_up_page)
        layout.addWidget(self.pages, 1)

        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Sync result"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.details = QLabel("", self)
        self.details.setObjectName("muted")
        self.details.setWordWrap(True)
        self.details.setAccessibleName(self.tr("Sync details"))
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.hide()
        layout.addWidget(self.details)

        buttons = QHBoxLayout()
        self.choose_button = QPushButton(self.tr("C&hoose another profile…"), self)
        self.choose_button.setAccessibleName(self.tr("Choose another sync profile"))
        self.choose_button.clicked.connect(self.choose_profile)
        buttons.addWidget(self.choose_button)
        buttons.addStretch(1)
        self.close_button = QPushButton(self.tr("&Close"), self)
        self.close_button.setAccessibleName(self.tr("Close the sync panel"))
        self.close_button.clicked.connect(self.hide)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

    def _build_not_set_up(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        self.not_set_up_label = QLabel(self.tr("Sync is not set up on this computer."), page)
        self.not_set_up_label.setWordWrap(True)
        box.addWidget(self.not_set_up_label)
        explain = QLabel(
            self.tr(
                "Your organisation's trainer gives you a sync profile (a .toml file, often on a "
                "USB stick) that says where to sync from and which publisher keys to trust."
            ),
            page,
        )
        explain.setObjectName("muted")
        explain.setWordWrap(True)
        box.addWidget(explain)
        self.first_choose_button = QPushButton(self.tr("Choose &profile…"), page)
        self.first_choose_button.setAccessibleName(self.tr("Choose a sync profile"))
        self.first_choose_button.clicked.connect(self.choose_profile)
        row = QHBoxLayout()
        row.addWidget(self.first_choose_button)
        row.addStretch(1)
        box.addLayout(row)
        box.addStretch(1)
        return page

    def _build_set_up(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.mirrors_label = QLabel("", page)
        self.route_label = QLabel("", page)
        self.channels_label = QLabel("", page)
        self.last_sync_label = QLabel("", page)
        for label, caption, name in (
            (self.mirrors_label, self.tr("From:"), self.tr("Mirrors")),
            (self.route_label, self.tr("Connection:"), self.tr("Connection")),
            (self.channels_label, self.tr("Channels:"), self.tr("Channels")),
            (self.last_sync_label, self.tr("Last sync:"), self.tr("Last sync")),
        ):
            label.setWordWrap(True)
            label.setAccessibleName(name)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(caption, label)
        box.addLayout(form)

        self.progress = QProgressBar(page)
        self.progress.setAccessibleName(self.tr("Sync progress"))
        self.progress.hide()
        box.addWidget(self.progress)
        self.progress_label = QLabel("", page)
        self.progress_label.setObjectName("muted")
        self.progress_label.setAccessibleName(self.tr("Sync progress details"))
        box.addWidget(self.progress_label)

        row = QHBoxLayout()
        self.sync_button = QPushButton(self.tr("&Sync now"), page)
        self.sync_button.setAccessibleName(self.tr("Sync now"))
        self.sync_button.setDefault(True)
        self.sync_button.clicked.connect(lambda _=False: self.start_sync())
        self.cancel_button = QPushButton(self.tr("C&ancel sync"), page)
        self.cancel_button.setAccessibleName(self.tr("Cancel the sync"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_sync)
        row.addWidget(self.sync_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        box.addLayout(row)

        self.auto_sync = QCheckBox(self.tr("Sync &automatically when a connection appears"), page)
        self.auto_sync.setAccessibleName(self.tr("Sync automatically when a connection appears"))
        self.auto_sync.toggled.connect(self._auto_sync_toggled)
        box.addWidget(self.auto_sync)
        self.auto_note = QLabel("", page)
        self.auto_note.setObjectName("muted")
        self.auto_note.setWordWrap(True)
        self.auto_note.setAccessibleName(self.tr("About automatic sync"))
        box.addWidget(self.auto_note)
        return page

    # Opening, status

    def open_panel(self) -> None:
        if self.window_.service is None:
            return
        lock = self.window_.lock_action
        if lock not in self.actions():
            # The panel is a window of its own: "Lock now" must work from here too.
            self.addAction(lock)
        self.show()
        self.raise_()
        self.activateWindow()
        self.refresh_status()

    def refresh_status(self) -> None:
        service = self.window_.service
        if service is None:
            return
        session = self._session
        self.window_.worker.submit(
            service.sync_status, lambda status: self._show_status(session, status)
        )

    def _show_status(self, session: int, status: Any) -> None:  # noqa: ANN401 - SyncStatus
        if session != self._session or self.window_.service is None:
            return
        self.status = status
        self._last_sync = parse_time(status.last_sync)
        if not status.configured:
            self.pages.setCurrentWidget(self.not_set_up_page)
            self.choose_button.hide()
            if status.problem:
                self.not_set_up_label.setText(
                    self.tr("The sync profile chosen earlier cannot be used: %1").replace(
                        "%1", status.problem
                    )
                )
            else:
                self.not_set_up_label.setText(self.tr("Sync is not set up on this computer."))
        else:
            self.pages.setCurrentWidget(self.set_up_page)
            self.choose_button.show()
            self.mirrors_label.setText("\n".join(status.mirrors))
            self.route_label.setText(self._route_text(status.proxy))
            self.channels_label.setText(self._channels_text(status))
            self._show_last_sync()
        self._show_auto_sync()
        self._fit()
        self.status_shown.emit(status)

    def _route_text(self, proxy: str | None) -> str:
        if proxy == "tor":
            return self.tr("Through Tor")
        if proxy == "tor-browser":
            return self.tr("Through the Tor Browser's Tor")
        if proxy:
            return self.tr("Through the proxy %1").replace("%1", proxy)
        return self.tr("Direct (HTTPS)")

    def _channels_text(self, status: SyncStatus) -> str:
        if status.channels is not None:
            text = ", ".join(status.channels)
        elif status.keyed_channels:
            text = self.tr("All public channels, and restricted: %1").replace(
                "%1", ", ".join(status.keyed_channels)
            )
        else:
            text = self.tr("All public channels")
        return text

    def _show_last_sync(self) -> None:
        then = self._last_sync
        if then is None:
            self.last_sync_label.setText(self.tr("Never"))
            return
        since = time_since(then, datetime.now(UTC))
        if since.unit is Unit.JUST_NOW:
            text = self.tr("Just now")
        elif since.unit is Unit.MINUTES:
            text = self.tr("%n minute(s) ago", "", since.count)
        elif since.unit is Unit.HOURS:
            text = self.tr("%n hour(s) ago", "", since.count)
        else:
            text = self.tr("%n day(s) ago", "", since.count)
        self.last_sync_label.setText(text)
        self.last_sync_label.setToolTip(then.astimezone().strftime("%Y-%m-%d %H:%M"))

    def _show_auto_sync(self) -> None:
        self.auto_sync.blockSignals(True)
        self.auto_sync.setChecked(self.window_.settings.auto_sync)
        self.auto_sync.blockSignals(False)
        if self.watch.state == "unknown":
            self.auto_note.setText(
                self.tr(
                    "This computer does not tell fieldreader when a connection appears, so "
                    "automatic sync cannot start here. Sync now when you are connected."
                )
            )
        else:
            self.auto_note.setText(
                self.tr(
                    "fieldreader watches this computer's own network settings and sends "
                    "nothing until a connection appears."
                )
            )

    # Choosing a profile

    def choose_profile(self) -> None:
        if self.window_.service is None or self.running():
            return
        start = Path(self.status.profile).parent if self.status and self.status.profile else None
        chosen = ask_profile_path(self, self.tr("Choose your sync profile"), start)
        if chosen is not None:
            self.set_profile(chosen)

    def set_profile(self, path: Path) -> None:
        """Check and remember ``path``; a profile that does not load is refused with the
        reason and the previous one stays."""
        service = self.window_.service
        if service is None:
            return
        session = self._session

        def done(status: Any) -> None:  # noqa: ANN401 - SyncStatus
            if session == self._session:
                self._set_message("")
                self._show_status(session, status)

        def failed(exc: Exception) -> None:
            if session == self._session:
                self._show_failure(describe_failure(exc))

        self.window_.worker.submit(lambda: service.set_sync_profile(path), done, failed)

    # Syncing

    def running(self) -> bool:
        return self._cancel is not None

    def start_sync(self) -> bool:
        """Hand one sync to the worker; False when one is running or sync is not set up."""
        service, status = self.window_.service, self.status
        if service is None or self.running() or status is None or not status.configured:
            return False
        cancel = self._cancel = Cancellation()
        proxy = status.proxy

        def progress(step: Progress) -> None:  # on the worker thread: no widget here
            self._progress.emit((cancel, step))

        def done(result: Any) -> None:  # noqa: ANN401 - SyncResult
            if self._cancel is cancel:
                self._finished(result)

        def failed(exc: Exception) -> None:
            if self._cancel is cancel:
                self._cancel = None
                self._set_running(False)
                self._show_failure(describe_failure(exc, proxy))
                self.refresh_status()

        self._set_running(True)
        self._set_message("")
        self.progress_label.setText(self.tr("Checking for news…"))
        self.window_.worker.submit(
            lambda: service.sync(progress, cancel), done, failed, lane="sync"
        )
        self.sync_started.emit()
        return True

    def cancel_sync(self) -> None:
        """Stop the running sync at its next file, or at once if it waits on the network; the
        library stays as it was."""
        if self._cancel is None:
            return
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText(self.tr("Cancelling…"))

    def stop(self) -> None:
        """Locking or closing: cancel a running sync, forget everything shown, and hide.

        The sync's own answer is ignored when it comes (the window is locked by then); the
        library is closed once the sync has let go of it (:meth:`ReaderService.close`).
        """
        if self._cancel is not None:
            self._cancel.set()
        self._cancel = None
        self._session += 1
        self._status_after_list = False
        self.timer.stop()
        self.status = None
        self._last_sync = None
        self._set_running(False)
        self._set_message("")
        for label in (
            self.mirrors_label,
            self.route_label,
            self.channels_label,
            self.last_sync_label,
            self.progress_label,
            self.auto_note,
        ):
            label.setText("")
            label.setToolTip("")
        self.not_set_up_label.setText("")
        self.pages.setCurrentWidget(self.not_set_up_page)
        self.hide()

    def _set_running(self, running: bool) -> None:
        self.sync_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.choose_button.setEnabled(not running)
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, 0)
            self.progress.setValue(0)
        else:
            self.progress_label.setText("")

    def _show_progress(self, packet: tuple[Cancellation, Progress]) -> None:
        run, step = packet
        if run is not self._cancel or run.is_set():
            return  # another run's, or "Cancelling…" stays until the sync has stopped
        size = size_text(step.bytes_fetched)
        if step.phase == "objects" and step.total:
            self.progress.setRange(0, step.total)
            self.progress.setValue(step.done)
            self.progress.setFormat(self.tr("%v of %m items"))
            text = (
                self.tr("Downloading items: %1 of %2 (%3)")
                .replace("%1", str(step.done))
                .replace("%2", str(step.total))
                .replace("%3", size)
            )
        elif step.phase == "index" and step.total:
            self.progress.setRange(0, 0)
            text = self.tr("Reading what is new (%1)").replace("%1", size)
        elif step.phase == "applying":
            self.progress.setRange(0, 0)
            text = self.tr("Saving to your library…")
        else:
            text = self.tr("Checking for news…")
        self.progress_label.setText(text)
        self.progress_shown.emit(step)

    def _finished(self, outcome: SyncResult) -> None:
        self._cancel = None
        self._set_running(False)
        update = outcome.update
        changed = not update.nothing_new
        if update.nothing_new:
            text = self.tr("Already up to date: nothing new.")
        else:
            parts = [
                label
                for count, label in (
                    (update.added, self.tr("%n added", "", update.added)),
                    (update.updated, self.tr("%n updated", "", update.updated)),
                    (update.removed, self.tr("%n removed", "", update.removed)),
                )
                if count
            ]
            text = (
                self.tr("Sync complete: %1.").replace("%1", ", ".join(parts))
                if parts
                else self.tr("Sync complete: no item changed.")
            )
        text += " " + (
            self.tr("%1 downloaded from %2.")
            .replace("%1", size_text(outcome.bytes_received))
            .replace("%2", outcome.mirror)
        )
        self._set_message(text)
        skipped = [f"{f.mirror}: {f.reason}" for f in outcome.skipped]
        if skipped:
            self._set_details(
                [self.tr("Mirrors that could not be used first:"), *skipped],
            )
        if not self.isVisible():
            self.window_.statusBar().showMessage(text, 10_000)
        if changed:
            self.window_._refresh_overview()
        self.refresh_status()
        self.sync_finished.emit(outcome)

    def _show_failure(self, message: SyncMessage) -> None:
        text = self.message_text(message)
        self._set_message(text, error=message.problem is not Problem.CANCELLED)
        self._set_details(list(message.details))
        if not self.isVisible():
            self.window_.statusBar().showMessage(text, 10_000)
        self.sync_failed.emit(message)

    def _set_message(self, text: str, *, error: bool = False) -> None:
        self.message.setObjectName("error" if error else "")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self._set_details([])

    def _set_details(self, lines: list[str]) -> None:
        self.details.setText("\n".join(lines))
        self.details.setVisible(bool(lines))
        self._fit()

    def _fit(self) -> None:
        """Grow to show what is there now (several mirrors, a long message) rather than clip
        it; never shrink under the person's own resizing."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def message_text(self, message: SyncMessage) -> str:
        """``message`` in the interface's language (the English is
        :data:`fieldreader.sync.messages.SENTENCES`; the tests keep both the same)."""
        return fill(self._sentences()[message.problem], message.args)

    def _sentences(self) -> dict[Problem, str]:
        return {
            Problem.CANCELLED: self.tr(
                "Sync cancelled. Your library was not changed; what already arrived is kept, so "
                "the next sync continues from there."
            ),
            Problem.INTERCEPTED: self.tr(
                "The connection is being intercepted: the server's certificate is not the "
                "expected one. Nothing was changed."
            ),
            Problem.TOR_NOT_RUNNING: self.tr(
                "Tor is not running, and this profile syncs only through Tor: nothing was sent. "
                "Start Tor (or the Tor Browser) and sync again."
            ),
            Problem.PROXY_UNREACHABLE: self.tr(
                "The proxy this profile uses is not reachable: nothing was sent without it. "
                "Nothing was changed."
            ),
            Problem.NO_SECURE_CONNECTION: self.tr(
                "No secure connection could be set up with the mirror; the network may be "
                "interfering. Nothing was changed."
            ),
            Problem.UNREACHABLE: self.tr(
                "No mirror could be reached. Check your connection and try again later; nothing "
                "was changed."
            ),
            Problem.OLDER_CONTENT: self.tr(
                "A mirror offered older content than you have (it may be out of date, or someone "
                "may be holding back updates). It was refused; nothing was changed."
            ),
            Problem.REFUSED: self.tr(
                "The content offered does not match its publisher's signatures, so it was "
                "refused. Nothing was changed."
            ),
            Problem.NOT_ON_MIRROR: self.tr(
                "The mirror does not hold the feed at the address in your profile. Nothing was "
                "changed."
            ),
            Problem.WRONG_FEED: self.tr(
                "The mirror serves a different feed from the one this library follows. Nothing "
                "was changed."
            ),
            Problem.NEWER_FORMAT: self.tr(
                "The feed uses a format this version of fieldreader does not know. Nothing was "
                "changed; ask your trainer for a newer version."
            ),
            Problem.NOT_TRUSTED: self.tr(
                "Your profile does not say which publisher keys to trust for this feed. Nothing "
                "was changed; ask your trainer for a complete profile."
            ),
            Problem.CHANNEL_KEY: self.tr(
                "A channel key in your profile does not open the restricted content it is for. "
                "Nothing was changed; ask your trainer for the right key."
            ),
            Problem.PROFILE: self.tr("The sync profile cannot be used: %1"),
            Problem.DISK_FULL: self.tr(
                "The disk is full, so the update could not be saved. Nothing was changed; free "
                "some space and sync again."
            ),
            Problem.LIBRARY: self.tr(
                "The library could not take the update: %1 Nothing was changed."
            ),
            Problem.UNEXPECTED: self.tr(
                "The sync stopped because of an unexpected error (%1). Nothing was changed."
            ),
        }

    # Automatic sync

    def _on_unlocked(self) -> None:
        self.watch.reset()
        self.timer.start()
        # Reading the status loads the sync code (verification, TLS, proxies): done beside
        # the unlocked window's first list, it slowed that list down, for a line the reader
        # sees only later. Should no list come (it failed), the status is read all the same.
        self._status_after_list = True
        session = self._session
        QTimer.singleShot(STATUS_AT_LATEST_MS, self, lambda: self._status_at_latest(session))

    def _status_at_latest(self, session: int) -> None:
        if session == self._session:  # not locked (and unlocked again) since
            self._on_results_shown(0)

    def _on_results_shown(self, _count: int) -> None:
        if self._status_after_list and self.window_.service is not None:
            self._status_after_list = False
            # After the list is painted (Qt paints on a timer of its own), not beside it.
            QTimer.singleShot(STATUS_AFTER_LIST_MS, self, self.refresh_status)

    def _auto_sync_toggled(self, on: bool) -> None:
        window = self.window_
        if window.service is None:
            return
        window.settings = dataclasses.replace(window.settings, auto_sync=on)
        window._save_settings()

    def check_connection(self) -> bool:
        """One look at the routing state; starts a sync if a connection just appeared, the
        person turned automatic sync on, and a profile is set. Returns whether it started."""
        if self.window_.service is None:
            return False
        appeared = self.watch.appeared()
        if self.status is not None and self.status.configured and not self.running():
            self._show_last_sync()
        if appeared and self.window_.settings.auto_sync:
            return self.start_sync()
        return False


def ask_profile_path(parent: QWidget, caption: str, start: Path | None) -> Path | None:
    """Ask for an existing profile file; None if the reader cancelled.

    Qt's own dialog, with nowhere to write its history of folders (see
    :mod:`fieldreader.ui.file_dialogs`).
    """
    keep_qt_settings_off_disk()
    dialog = QFileDialog(parent, caption, str(start or Path.home()))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setNameFilters(
        [
            QCoreApplication.translate("SyncPanel", "Sync profiles (*.toml)"),
            QCoreApplication.translate("SyncPanel", "All files (*)"),
        ]
    )
    dialog.setAccessibleName(caption)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted.value:
            return None
        chosen = dialog.selectedFiles()
        return Path(chosen[0]) if chosen else None
    finally:
        dialog.deleteLater()


__all__ = ["POLL_MS", "SyncPanel", "ask_profile_path"]
