"""What the passphrase and settings dialogs share: a secret typed in, work done on the worker.

While the worker derives keys nothing can be cancelled: the change either happens or not, and
the dialog stays open to say which. Every way out clears the secret fields first.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)


class SecretDialog(QDialog):
    """Subclasses create ``current`` (the passphrase that authorises) and ``message``, call
    :meth:`set_busy`, and say in :meth:`_clear_secrets` which fields to empty."""

    current: QLineEdit
    message: QLabel
    busy: QProgressBar
    cancel_button: QPushButton
    _busy = False

    def _add_footer(self, layout: QVBoxLayout, action: str, busy_name: str) -> QPushButton:
        """The message line, the busy bar and the buttons; returns the action button, which
        submits (``_submit``) as Enter does."""
        self.message = QLabel("", self)
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        # An explicit context: self.tr would look the text up under the subclass's name.
        self.message.setAccessibleName(QCoreApplication.translate("SecretDialog", "Problem"))
        layout.addWidget(self.message)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName(busy_name)
        self.busy.hide()
        layout.addWidget(self.busy)
        buttons = QDialogButtonBox(self)
        button = QPushButton(action, self)
        button.setDefault(True)
        buttons.addButton(button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        layout.addWidget(buttons)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        return button

    def set_busy(self, busy: bool) -> None:
        self._busy = busy

    def is_busy(self) -> bool:
        return self._busy

    def succeeded(self) -> None:
        self.set_busy(False)
        self.accept()

    def failed(self, message: str, *, wrong_current: bool = False) -> None:
        self.set_busy(False)
        self.message.setText(message)
        if wrong_current:
            self.current.clear()
            self.current.setFocus()

    def dismiss(self) -> None:
        """Close even while busy (the window locked): the result goes to the status bar."""
        self._busy = False
        self.reject()

    def reject(self) -> None:
        if self._busy:
            return  # Esc while the work runs: wait for its answer
        self._clear_secrets()
        super().reject()

    def accept(self) -> None:
        self._clear_secrets()
        super().accept()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's API
        if self._busy:
            event.ignore()
            return
        super().closeEvent(event)

    def _submit(self) -> None:
        raise NotImplementedError

    def _clear_secrets(self) -> None:
        raise NotImplementedError
