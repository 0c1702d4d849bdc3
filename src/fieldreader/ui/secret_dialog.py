"""What the passphrase and settings dialogs share: a secret typed in, work done on the worker.

While the worker derives keys nothing can be cancelled: the change either happens or not, and
the dialog stays open to say which. Every way out clears the secret fields first.
"""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit


class SecretDialog(QDialog):
    """Subclasses create ``current`` (the passphrase that authorises) and ``message``, call
    :meth:`set_busy`, and say in :meth:`_clear_secrets` which fields to empty."""

    current: QLineEdit
    message: QLabel
    _busy = False

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

    def _clear_secrets(self) -> None:
        raise NotImplementedError
