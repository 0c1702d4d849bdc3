"""Exporting every note: to an encrypted notes file, or to a Markdown file anyone can read.

The encrypted file is the default and needs its own passphrase, typed twice (whoever imports the
file needs it, so a typo would lock the notes away). Choosing Markdown shows, before anything is
written, that the file will not be encrypted. The dialog only collects the choice; the window
writes the file on its worker and reports back here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from fieldreader.ui.file_dialogs import ask_save_path


class ExportFormat(Enum):
    ENCRYPTED = "encrypted"
    MARKDOWN = "markdown"


SUGGESTED_NAMES = {
    # A neutral name for the encrypted file: from outside it is "a fieldreader file", like a
    # content bundle, not visibly someone's notes.
    ExportFormat.ENCRYPTED: "fieldreader.frb",
    ExportFormat.MARKDOWN: "fieldreader-notes.md",
}


@dataclass(frozen=True)
class ExportRequest:
    format: ExportFormat
    path: Path
    overwrite: bool
    """The reader agreed to replace ``path`` (the file dialog asked)."""
    passphrase: str = field(default="", repr=False)


class ExportNotesDialog(QDialog):
    """Collects the format, the passphrase and the file; shows the outcome.

    Signals:
        export_requested: an :class:`ExportRequest` for the window to run.
    """

    export_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export notes"))
        self.setAccessibleName(self.tr("Export notes"))
        self.setModal(True)
        self.setMinimumWidth(460)
        self._busy = False
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr("Write every note to a file, to keep or to move to another computer."), self
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self._build_choices(layout)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Export message"))
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.message)
        self._build_buttons(layout)
        for control in (self.encrypted_choice, self.markdown_choice):
            control.toggled.connect(self._update)
        for edit in (self.passphrase, self.repeat):
            edit.textChanged.connect(self._update)
        self._update()

    def _build_choices(self, layout: QVBoxLayout) -> None:
        self.encrypted_choice = QRadioButton(self.tr("&Encrypted notes file (recommended)"), self)
        self.encrypted_choice.setAccessibleName(self.tr("Encrypted notes file"))
        self.markdown_choice = QRadioButton(self.tr("&Markdown file, not encrypted"), self)
        self.markdown_choice.setAccessibleName(self.tr("Markdown file, not encrypted"))
        group = QButtonGroup(self)
        group.addButton(self.encrypted_choice)
        group.addButton(self.markdown_choice)
        self.encrypted_choice.setChecked(True)
        layout.addWidget(self.encrypted_choice)

        self.passphrase_box = QWidget(self)
        form = QFormLayout(self.passphrase_box)
        form.setContentsMargins(24, 0, 0, 0)
        self.passphrase = self._password(self.tr("Passphrase for the notes file"))
        self.repeat = self._password(self.tr("Passphrase again"))
        for edit, label in (
            (self.passphrase, self.tr("&Passphrase")),
            (self.repeat, self.tr("&Again")),
        ):
            caption = QLabel(label, self.passphrase_box)
            caption.setBuddy(edit)
            form.addRow(caption, edit)
        hint = QLabel(
            self.tr(
                "Whoever imports the file will need this passphrase. It can differ from "
                "your library's."
            ),
            self.passphrase_box,
        )
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        form.addRow(hint)
        layout.addWidget(self.passphrase_box)

        layout.addWidget(self.markdown_choice)
        self.warning = QLabel(
            self.tr(
                "This file is not encrypted: anyone who gets this computer or the file can read "
                "your notes."
            ),
            self,
        )
        self.warning.setObjectName("warning")
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName(self.tr("Warning"))
        layout.addWidget(self.warning)

    def _build_buttons(self, layout: QVBoxLayout) -> None:
        self.buttons = QDialogButtonBox(self)
        self.export_button = QPushButton(self.tr("&Choose file and export…"), self)
        self.export_button.setAccessibleName(self.tr("Choose a file and export"))
        self.export_button.setDefault(True)
        self.buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button.setAccessibleName(self.tr("Close"))
        self.buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self._export)
        layout.addWidget(self.buttons)

    def _password(self, name: str) -> QLineEdit:
        edit = QLineEdit(self.passphrase_box)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setAccessibleName(name)
        return edit

    def chosen_format(self) -> ExportFormat:
        return ExportFormat.MARKDOWN if self.markdown_choice.isChecked() else ExportFormat.ENCRYPTED

    def choose_path(self, fmt: ExportFormat) -> Path | None:
        """Where to write (replaced in tests: a file dialog cannot be driven offscreen)."""
        name_filter = (
            self.tr("Markdown files (*.md)")
            if fmt is ExportFormat.MARKDOWN
            else self.tr("fieldreader files (*.frb)")
        )
        return ask_save_path(self, self.tr("Export notes to"), SUGGESTED_NAMES[fmt], name_filter)

    # Outcome, told by the window

    def exported(self, count: int, path: Path) -> None:
        self._set_busy(False)
        self._say(self.tr("%n note(s) exported to %1.", "", count).replace("%1", path.name))
        self.close_button.setText(self.tr("Close"))

    def failed(self, message: str) -> None:
        self._set_busy(False)
        self._say(self.tr("Nothing was exported: %1").replace("%1", message), error=True)

    def wipe(self) -> None:
        """Forget the passphrases typed (after handing them over, on close, on lock)."""
        self.passphrase.clear()
        self.repeat.clear()

    def done(self, result: int) -> None:
        self.wipe()
        super().done(result)

    # Inside

    def _update(self) -> None:
        encrypted = self.chosen_format() is ExportFormat.ENCRYPTED
        self.passphrase_box.setEnabled(encrypted and not self._busy)
        if self.warning.isVisibleTo(self) == encrypted:
            self.warning.setVisible(not encrypted)
            self.adjustSize()
        problem = ""
        if encrypted and self.repeat.text() and self.passphrase.text() != self.repeat.text():
            problem = self.tr("The two passphrases differ.")
        if not self._busy:
            self._say(problem, error=bool(problem))
        ready = not encrypted or (
            bool(self.passphrase.text()) and self.passphrase.text() == self.repeat.text()
        )
        self.export_button.setEnabled(ready and not self._busy)

    def _export(self) -> None:
        fmt = self.chosen_format()
        passphrase = self.passphrase.text() if fmt is ExportFormat.ENCRYPTED else ""
        if fmt is ExportFormat.ENCRYPTED and (not passphrase or passphrase != self.repeat.text()):
            return
        path = self.choose_path(fmt)
        if path is None:
            return
        overwrite = path.exists() or path.is_symlink()
        self.wipe()
        self._set_busy(True)
        self._say(self.tr("Exporting…"))
        self.export_requested.emit(ExportRequest(fmt, path, overwrite, passphrase))

    def _say(self, text: str, *, error: bool = False) -> None:
        name = "error" if error else ""
        if self.message.objectName() != name:
            self.message.setObjectName(name)
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)
        self.message.setText(text)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.encrypted_choice.setEnabled(not busy)
        self.markdown_choice.setEnabled(not busy)
        self._update()


__all__ = ["ExportFormat", "ExportNotesDialog", "ExportRequest"]
