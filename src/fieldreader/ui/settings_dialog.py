"""The reader's settings: auto-lock, appearance, automatic sync, and the two protections
against someone forcing the library open (a failed-unlock limit and a duress passphrase).

Everything here is saved inside the encrypted library (or, for the limit, in its counter file
beside it), never in the system's settings store. The dialog only collects and checks input;
the window's worker saves it. A duress passphrase cannot be read back (its slot looks like any
other), so the dialog can only add one, replace one the reader names, or remove one; each needs
the reader's real passphrase.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fieldreader.service import Settings
from fieldreader.store.attempts import MAX_LIMIT, MIN_LIMIT
from fieldreader.ui.passphrase_dialog import password_field
from fieldreader.ui.secret_dialog import SecretDialog
from fieldreader.ui.unlock import MIN_PASSPHRASE_CHARS

MAX_IDLE_MINUTES = 240
DEFAULT_LIMIT = 10


@dataclass(frozen=True)
class SettingsChoices:
    """What the reader asked to save."""

    settings: Settings
    attempt_limit: int | None
    """Failed unlocks before the library is erased; None for no limit."""
    limit_changed: bool
    """Only a change is written: setting the limit again would restart the count."""
    duress: str | None = None
    """A duress passphrase to add (or to put in place of :attr:`previous_duress`)."""
    previous_duress: str | None = None
    """A duress passphrase to remove."""
    current: str | None = None
    """The reader's passphrase, needed for any duress change."""

    def __repr__(self) -> str:
        return (
            f"SettingsChoices(settings={self.settings}, attempt_limit={self.attempt_limit}, "
            f"duress={'set' if self.duress else None}, "
            f"previous_duress={'set' if self.previous_duress else None}, ...)"
        )

    @property
    def changes_duress(self) -> bool:
        return bool(self.duress or self.previous_duress)


class SettingsDialog(SecretDialog):
    """Signals:
    save_requested(object): a :class:`SettingsChoices`, checked for form only.
    """

    save_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAccessibleName(self.tr("Settings"))
        self._busy = False
        self._loaded = Settings()
        self._loaded_limit: int | None = None
        layout = QVBoxLayout(self)
        heading = QLabel(self.tr("Settings"), self)
        heading.setObjectName("heading")
        layout.addWidget(heading)
        layout.addLayout(self._build_general())
        layout.addWidget(self._build_limit())
        layout.addWidget(self._build_duress())
        self.save_button = self._add_footer(layout, self.tr("&Save"), self.tr("Saving"))

    def _build_general(self) -> QFormLayout:
        form = QFormLayout()
        self.idle_minutes = QSpinBox(self)
        self.idle_minutes.setRange(1, MAX_IDLE_MINUTES)
        self.idle_minutes.setSuffix(self.tr(" min"))
        self.idle_minutes.setAccessibleName(self.tr("Minutes without use before locking"))
        self.theme = QComboBox(self)
        self.theme.setAccessibleName(self.tr("Appearance"))
        for key, label in (
            ("system", self.tr("Follow the system")),
            ("light", self.tr("Light")),
            ("dark", self.tr("Dark")),
        ):
            self.theme.addItem(label, key)
        self.auto_sync = QCheckBox(self.tr("Sync &automatically when a connection appears"), self)
        self.auto_sync.setAccessibleName(self.tr("Sync automatically"))
        for text, field in (
            (self.tr("&Lock after:"), self.idle_minutes),
            (self.tr("A&ppearance:"), self.theme),
        ):
            caption = QLabel(text, self)
            caption.setBuddy(field)
            form.addRow(caption, field)
        form.addRow("", self.auto_sync)
        return form

    def _build_limit(self) -> QGroupBox:
        box = QGroupBox(self.tr("Failed unlocks"), self)
        row = QHBoxLayout(box)
        self.use_limit = QCheckBox(self.tr("&Erase the library after"), box)
        self.use_limit.setAccessibleName(self.tr("Erase the library after failed unlocks"))
        self.limit = QSpinBox(box)
        self.limit.setRange(MIN_LIMIT, MAX_LIMIT)
        self.limit.setValue(DEFAULT_LIMIT)
        self.limit.setSuffix(self.tr(" failed unlocks"))
        self.limit.setAccessibleName(self.tr("Failed unlocks before erasing"))
        self.limit.setEnabled(False)
        self.use_limit.toggled.connect(self.limit.setEnabled)
        row.addWidget(self.use_limit)
        row.addWidget(self.limit)
        row.addStretch(1)
        return box

    def _build_duress(self) -> QGroupBox:
        box = QGroupBox(self.tr("Duress passphrase"), self)
        layout = QVBoxLayout(box)
        about = QLabel(
            self.tr(
                "If you are forced to unlock, type a duress passphrase instead of yours: it "
                "silently erases the library and opens an empty one. To replace one, also "
                "type the previous duress passphrase; to remove one, type only the previous."
            ),
            box,
        )
        about.setWordWrap(True)
        about.setObjectName("muted")
        layout.addWidget(about)
        form = QFormLayout()
        self.duress = password_field(self.tr("New duress passphrase"), box)
        self.previous_duress = password_field(self.tr("Previous duress passphrase"), box)
        self.current = password_field(self.tr("Your passphrase"), box)
        for text, field in (
            (self.tr("&New duress passphrase:"), self.duress),
            (self.tr("P&revious duress passphrase:"), self.previous_duress),
            (self.tr("&Your passphrase:"), self.current),
        ):
            caption = QLabel(text, box)
            caption.setBuddy(field)
            form.addRow(caption, field)
        layout.addLayout(form)
        return box

    # Filling and reading

    def load(self, settings: Settings, attempt_limit: int | None) -> None:
        """Show the saved values; passphrase fields start empty."""
        self._loaded = settings
        self._loaded_limit = attempt_limit
        self.idle_minutes.setValue(settings.idle_lock_minutes)
        self.theme.setCurrentIndex(max(self.theme.findData(settings.theme), 0))
        self.auto_sync.setChecked(settings.auto_sync)
        self.use_limit.setChecked(attempt_limit is not None)
        self.limit.setValue(attempt_limit if attempt_limit is not None else DEFAULT_LIMIT)
        self.limit.setEnabled(attempt_limit is not None)
        self._clear_secrets()
        self.message.setText("")
        self.set_busy(False)

    def choices(self) -> SettingsChoices:
        settings = dataclasses.replace(
            self._loaded,
            idle_lock_minutes=self.idle_minutes.value(),
            theme=self.theme.currentData(),
            auto_sync=self.auto_sync.isChecked(),
        )
        limit = self.limit.value() if self.use_limit.isChecked() else None
        return SettingsChoices(
            settings=settings,
            attempt_limit=limit,
            limit_changed=limit != self._loaded_limit,
            duress=self.duress.text() or None,
            previous_duress=self.previous_duress.text() or None,
            current=self.current.text() or None,
        )

    def problem(self) -> str | None:
        """Why the form cannot be saved yet, in plain words."""
        duress, previous, current = (
            self.duress.text(),
            self.previous_duress.text(),
            self.current.text(),
        )
        if not (duress or previous):
            return None
        if not current:
            return self.tr("Type your passphrase to change the duress passphrase.")
        if duress and len(duress) < MIN_PASSPHRASE_CHARS:
            return self.tr("The duress passphrase needs at least %1 characters.").replace(
                "%1", str(MIN_PASSPHRASE_CHARS)
            )
        if duress == current:
            return self.tr("The duress passphrase must differ from your passphrase.")
        if duress and duress == previous:
            return self.tr("The new duress passphrase is the same as the previous one.")
        return None

    # Answers from the worker

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for widget in self.findChildren(QWidget):
            if widget is not self.busy and widget is not self.message:
                widget.setEnabled(not busy)
        if not busy:
            self.limit.setEnabled(self.use_limit.isChecked())

    def _submit(self) -> None:
        problem = self.problem()
        if problem:
            self.message.setText(problem)
            return
        self.message.setText("")
        self.set_busy(True)
        self.save_requested.emit(self.choices())

    def _clear_secrets(self) -> None:
        for edit in (self.duress, self.previous_duress, self.current):
            edit.clear()


__all__ = ["SettingsChoices", "SettingsDialog"]
