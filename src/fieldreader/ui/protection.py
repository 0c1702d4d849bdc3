"""Protecting the reader in the desktop app: auto-lock, panic wipe, passphrase and settings.

:class:`Protection` wires these into the main window: the Library menu's "Change passphrase…",
"Settings…" and "Erase everything now…", the erase link of the unlock screen, and the idle
lock (:mod:`fieldreader.ui.idle_lock`). Every core call runs on the window's worker.

The panic wipe (menu, Ctrl+Shift+Del, or the unlock screen, so no passphrase is needed) shows
a short countdown with Cancel in front, then hides everything, closes the library, wipes it
(:func:`fieldreader.store.wipe_library`: the key slots are overwritten first, which alone
makes the database unreadable) and quits. If the wipe could not remove every file the app
stays and says so: quitting would hide that something may be left to destroy by other means.

There is no system-wide panic shortcut. Qt has no API for global hotkeys: it would take
``RegisterHotKey`` on Windows, Carbon's ``RegisterEventHotKey`` on macOS and ``XGrabKey`` on
X11, and Wayland deliberately lets no application grab keys while another has the focus. A
half-working shortcut is worse than none for someone who relies on it, so the shortcut works
while fieldreader's window is active. Anyone who wants a desktop-wide key can bind one in their
desktop's keyboard settings to the command line's ``fieldreader wipe --yes``. That destroys the
library on disk at once, and a window open on it notices (:mod:`fieldreader.ui.library_watch`):
it hides everything and closes the library as Lock now does, without saving the reading position
or the note being edited, then shows the first-run screen, as after an erase by too many wrong
passphrases.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMessageBox

from fieldreader.errors import FieldreaderError
from fieldreader.service import ReaderService
from fieldreader.store import (
    KdfParams,
    LibraryPaths,
    StoreError,
    WrongPassphrase,
    attempt_limit,
    change_passphrase,
    remove_duress_passphrase,
    set_attempt_limit,
    set_duress_passphrase,
    wipe_library,
)
from fieldreader.store.library import library_exists
from fieldreader.ui.idle_lock import IdleLock
from fieldreader.ui.library_watch import LibraryWatch
from fieldreader.ui.panic_dialog import PANIC_SECONDS, PanicDialog
from fieldreader.ui.passphrase_dialog import ChangePassphraseDialog
from fieldreader.ui.settings_dialog import SettingsChoices, SettingsDialog

if TYPE_CHECKING:
    from fieldreader.ui.main_window import MainWindow


class DuressPartlyChanged(FieldreaderError):
    """The new duress passphrase was added but the previous one was not found to remove."""


def save_choices(
    service: ReaderService, data_dir: Path, choices: SettingsChoices, kdf: KdfParams
) -> None:
    """Apply what the settings dialog asked for. Runs on the worker.

    The duress change goes first because it is the part that can be refused (a wrong
    passphrase): a refusal then changes nothing. A replacement adds the new duress passphrase
    before removing the previous one, so a mistyped previous one leaves two that wipe rather
    than none; that case saves the rest and raises :class:`DuressPartlyChanged`.

    Raises:
        WrongPassphrase: ``choices.current`` is not the library's passphrase.
        StoreError: the duress passphrase was refused, or the files could not be written.
        DuressPartlyChanged: see above.
    """
    partly: DuressPartlyChanged | None = None
    if choices.changes_duress:
        current = choices.current or ""
        if choices.duress:
            set_duress_passphrase(data_dir, current, choices.duress, kdf)
        if choices.previous_duress:
            try:
                remove_duress_passphrase(data_dir, current, choices.previous_duress)
            except StoreError as exc:
                if isinstance(exc, WrongPassphrase) or not choices.duress:
                    raise
                partly = DuressPartlyChanged(
                    "The new duress passphrase was added; the previous one was not found."
                )
    if choices.limit_changed:
        set_attempt_limit(data_dir, choices.attempt_limit)
    service.save_settings(choices.settings)
    if partly is not None:
        raise partly


class Protection(QObject):
    """The window's protections. Created by the window; tests reach it as ``window.protection``.

    ``quit_app`` ends the application after a panic wipe (tests pass their own so the test
    session goes on); ``panic_seconds`` and ``panic_tick_ms`` set the countdown.

    Signals:
        wipe_started: the panic wipe is about to run; long background work should stop.
    """

    wipe_started = Signal()

    def __init__(
        self,
        window: MainWindow,
        *,
        quit_app: Callable[[], None] = QCoreApplication.quit,
        idle_interval_ms: int | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.quit_app = quit_app
        self.panic_seconds = PANIC_SECONDS
        self.panic_tick_ms = 1000
        self.idle = IdleLock(window, self, interval_ms=idle_interval_ms)
        self.wiping = False
        self.panic_dialog: PanicDialog | None = None
        self.wipe_error: QMessageBox | None = None
        self._passphrase_dialog: ChangePassphraseDialog | None = None
        self._settings_dialog: SettingsDialog | None = None
        self._generation = 0
        self._build_actions()
        window.unlocked.connect(self._unlocked)
        window.locked.connect(self._locked)
        window.unlock_panel.wipe_requested.connect(self.ask_to_erase)
        self.watch = LibraryWatch(LibraryPaths(window.data_dir), self)
        self.watch.erased.connect(self._erased_elsewhere)
        self._erased_while_busy = False
        window.worker.busy_changed.connect(self._worker_busy)
        self.watch.rearm()

    # The dialogs are built the first time they are needed: together they were a tenth of the
    # time to the first screen, and most starts never open them.

    @property
    def passphrase_dialog(self) -> ChangePassphraseDialog:
        if self._passphrase_dialog is None:
            dialog = self._passphrase_dialog = ChangePassphraseDialog(self.window)
            dialog.setWindowTitle(self.window.windowTitle())
            dialog.change_requested.connect(self._change_passphrase)
        return self._passphrase_dialog

    @property
    def settings_dialog(self) -> SettingsDialog:
        if self._settings_dialog is None:
            dialog = self._settings_dialog = SettingsDialog(self.window)
            dialog.setWindowTitle(self.window.windowTitle())
            dialog.save_requested.connect(self._save_settings)
        return self._settings_dialog

    def _build_actions(self) -> None:
        window = self.window
        self.change_passphrase_action = self._action(
            self.tr("Change &passphrase…"), self.open_change_passphrase, []
        )
        self.settings_action = self._action(
            self.tr("Se&ttings…"),
            self.open_settings,
            [QKeySequence.StandardKey.Preferences, "Ctrl+,"],
        )
        self.erase_action = self._action(
            self.tr("&Erase everything now…"), self.ask_to_erase, ["Ctrl+Shift+Del"]
        )
        menu = window.menus["library"]
        end = window.library_menu_end
        menu.insertAction(end, self.change_passphrase_action)
        menu.insertAction(end, self.settings_action)
        menu.insertSeparator(end)
        menu.insertAction(end, self.erase_action)
        self._set_unlocked_actions(False)

    def _action(
        self, text: str, slot: Callable[[], object], keys: list[QKeySequence.StandardKey | str]
    ) -> QAction:
        action = QAction(text, self.window)
        shortcuts: list[QKeySequence] = []
        for key in keys:
            shortcuts += [s for s in _sequences(key) if not s.isEmpty()]
        action.setShortcuts(list(dict.fromkeys(shortcuts)))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _=False: slot())
        self.window.addAction(action)
        return action

    def _set_unlocked_actions(self, enabled: bool) -> None:
        self.change_passphrase_action.setEnabled(enabled)
        self.settings_action.setEnabled(enabled)

    # Lock and unlock

    def _unlocked(self) -> None:
        if self.wiping:
            self.window.lock()  # an unlock that finished while the wipe was queued
            return
        # Watching first, then looking: an erase at any moment is either seen now or heard.
        self.watch.rearm()
        if not self.watch.watching():
            self._erased_elsewhere()  # while the unlock ran, after it had read the key slots
            return
        self.idle.set_minutes(self.window.settings.idle_lock_minutes)
        self.idle.start()
        self._set_unlocked_actions(True)

    def _locked(self) -> None:
        self.idle.stop()
        self._set_unlocked_actions(False)
        self._dismiss_dialogs()

    def _dismiss_dialogs(self) -> None:
        """Close every dialog over the window but the panic wipe's (an external link's address
        is content too)."""
        self._generation += 1
        for dialog in (self._passphrase_dialog, self._settings_dialog):
            if dialog is not None and dialog.isVisible():
                dialog.dismiss()
        for other in self.window.findChildren(QDialog):
            if other.isVisible() and not isinstance(
                other, PanicDialog | ChangePassphraseDialog | SettingsDialog
            ):
                other.reject()

    # Erased by something else

    def _erased_elsewhere(self) -> None:
        """The key slots went while the window had the library: a desktop-wide panic key, or
        another copy of fieldreader, erased it. Hide everything at once, as the panic wipe does,
        and show what is left, the first-run screen (at once: the wipe overwrites the key slots
        first and removes the files after, so they may still be there)."""
        window = self.window
        if self.wiping:
            return  # our own panic wipe: it ends the way it chose
        if window.is_locked() and window.worker.busy():
            # An unlock on its way may be what erased it (too many wrong passphrases, a duress
            # passphrase, which then makes a new library): its result decides what to show,
            # and the first-run screen must not flash up before a duress unlock's library.
            self._erased_while_busy = True
            return
        self._dismiss_dialogs()
        window.lock(save=False)
        window.unlock_panel.reset()
        window.show_first_run()

    def _worker_busy(self, busy: bool) -> None:
        if not busy and self._erased_while_busy:
            # The worker reports idle just before it hands over its result: look once it has.
            QTimer.singleShot(0, self._after_busy_erase)

    def _after_busy_erase(self) -> None:
        window = self.window
        if not self._erased_while_busy or window.worker.busy():
            return
        self._erased_while_busy = False
        self.watch.rearm()
        if not self.watch.watching():
            self._erased_elsewhere()

    # Panic wipe

    def ask_to_erase(self) -> None:
        """Show the countdown; erase when it ends unless cancelled."""
        if self.wiping:
            return
        if self.panic_dialog is not None and self.panic_dialog.isVisible():
            self.panic_dialog.raise_()
            self.panic_dialog.activateWindow()
            return
        if self.panic_dialog is not None:
            self.panic_dialog.deleteLater()
        dialog = PanicDialog(self.panic_seconds, self.panic_tick_ms, self.window)
        dialog.setWindowTitle(self.window.windowTitle())
        dialog.accepted.connect(self.erase_now)
        self.panic_dialog = dialog
        dialog.open()

    def erase_now(self) -> None:
        """Hide everything, close the library and wipe it; then quit."""
        if self.wiping:
            return
        self.wiping = True
        self.idle.stop()
        self.wipe_started.emit()
        window = self.window
        self._dismiss_dialogs()
        window.lock(save=False)  # nothing more is written to what is about to be wiped
        window.unlock_panel.reset()
        for panel in (window.unlock_panel, window.first_run):
            panel.setEnabled(False)
        data_dir = window.data_dir
        # Queued behind the library's close, which lock() has just asked for.
        window.worker.submit(lambda: wipe_library(data_dir), self._wiped, self._wipe_failed)

    def _wiped(self, _removed: int) -> None:
        self._after_wipe()
        self.quit_app()

    def _wipe_failed(self, exc: Exception) -> None:
        self._after_wipe()
        self.wiping = False
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(self.window.windowTitle())
        box.setText(self.tr("Erasing did not finish."))
        box.setInformativeText(
            self.tr(
                "%1\n\nWhat is left is encrypted, and the key that opened it was destroyed "
                "first if it could be. Try again, or remove the library folder by other means."
            ).replace("%1", _plain(exc))
        )
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.wipe_error = box
        box.open()

    def _after_wipe(self) -> None:
        for panel in (self.window.unlock_panel, self.window.first_run):
            panel.setEnabled(True)
        self.window.start()

    # Passphrase

    def open_change_passphrase(self) -> None:
        if self.window.is_locked():
            return
        self.passphrase_dialog.reset()
        self.passphrase_dialog.open()

    def _change_passphrase(self, current: str, new: str) -> None:
        window, dialog = self.window, self.passphrase_dialog
        data_dir, kdf = window.data_dir, window.kdf
        generation = self._generation

        def done(_: None) -> None:
            if generation == self._generation:
                dialog.succeeded()
            window.statusBar().showMessage(
                self.tr("Passphrase changed. Use the new one from now on."), 8000
            )

        def failed(exc: Exception) -> None:
            if not library_exists(data_dir):
                self._erased_by_limit()
            elif generation != self._generation:
                window.statusBar().showMessage(self.tr("The passphrase was not changed."), 8000)
            elif isinstance(exc, WrongPassphrase):
                dialog.failed(
                    self.tr("That is not your current passphrase. Nothing was changed."),
                    wrong_current=True,
                )
            else:
                dialog.failed(_plain(exc))

        window.worker.submit(lambda: change_passphrase(data_dir, current, new, kdf), done, failed)

    def _erased_by_limit(self) -> None:
        """Too many wrong passphrases in a dialog: the core erased the library, as it would
        at the unlock screen. Show what is left: the first-run screen."""
        self._dismiss_dialogs()
        self.window.lock(save=False)
        self.window.start()

    # Settings

    def open_settings(self) -> None:
        window = self.window
        if window.is_locked():
            return
        data_dir = window.data_dir
        generation = self._generation

        def show(limit: int | None) -> None:
            if generation == self._generation and not window.is_locked():
                self.settings_dialog.load(window.settings, limit)
                self.settings_dialog.open()

        window.worker.submit(lambda: attempt_limit(data_dir), show, self._report)

    def _save_settings(self, choices: SettingsChoices) -> None:
        window, dialog = self.window, self.settings_dialog
        service = window.service
        if service is None:
            dialog.dismiss()
            return
        data_dir, kdf = window.data_dir, window.kdf
        generation = self._generation

        def done(_: None) -> None:
            if window.is_locked():
                return  # saved; the next unlock reads it from the library
            window.use_settings(choices.settings)
            self.idle.set_minutes(choices.settings.idle_lock_minutes)
            if generation == self._generation:
                dialog.succeeded()
            window.statusBar().showMessage(self.tr("Settings saved."), 5000)

        def failed(exc: Exception) -> None:
            if not library_exists(data_dir):
                self._erased_by_limit()
                return
            if isinstance(exc, DuressPartlyChanged) and not window.is_locked():
                window.use_settings(choices.settings)
                self.idle.set_minutes(choices.settings.idle_lock_minutes)
            if generation != self._generation:
                window.statusBar().showMessage(self.tr("The settings were not all saved."), 8000)
            elif isinstance(exc, WrongPassphrase):
                dialog.failed(
                    self.tr("That is not your passphrase. Nothing was changed."),
                    wrong_current=True,
                )
            elif isinstance(exc, DuressPartlyChanged):
                dialog.duress.clear()
                dialog.failed(
                    self.tr(
                        "Settings saved and the new duress passphrase added, but the previous "
                        "one is not a duress passphrase of this library: if it was one, it "
                        "still works."
                    )
                )
            else:
                dialog.failed(_plain(exc))

        window.worker.submit(lambda: save_choices(service, data_dir, choices, kdf), done, failed)

    def _report(self, exc: Exception) -> None:
        self.window.statusBar().showMessage(_plain(exc), 8000)


def _sequences(key: QKeySequence.StandardKey | str) -> list[QKeySequence]:
    if isinstance(key, str):
        return [QKeySequence(key)]
    return QKeySequence.keyBindings(key)


def _plain(exc: Exception) -> str:
    """Our own errors say what happened; anything else is named only by its kind (its text
    could hold content or paths)."""
    if isinstance(exc, FieldreaderError):
        return str(exc)
    # The window's wording, so one translation serves both.
    return QCoreApplication.translate("MainWindow", "Something went wrong (%1).").replace(
        "%1", type(exc).__name__
    )


__all__ = ["DuressPartlyChanged", "Protection", "save_choices"]
