"""Change the passphrase: the current one, the new one twice, a strength hint.

The dialog only collects and checks what was typed; the window's worker runs the key
derivations (changing a passphrase derives twice: to open the slot and to seal the new one) and
reports back through :meth:`ChangePassphraseDialog.succeeded` or :meth:`~.failed`. The fields
keep their text (disabled) only until that answer: a wrong current passphrase clears it, and
closing the dialog clears them all.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from fieldreader.strength import passphrase_strength
from fieldreader.ui.secret_dialog import SecretDialog
from fieldreader.ui.unlock import MIN_PASSPHRASE_CHARS


def password_field(name: str, parent: QWidget) -> QLineEdit:
    """A masked field named for screen readers."""
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    return edit


def strength_text(text: str) -> str:
    """The strength hint for ``text`` in words ("" for nothing typed), in the first-run
    screen's words (and translations)."""
    if not text:
        return ""
    labels = [
        QCoreApplication.translate("FirstRunPanel", "Very weak"),
        QCoreApplication.translate("FirstRunPanel", "Weak"),
        QCoreApplication.translate("FirstRunPanel", "Fair"),
        QCoreApplication.translate("FirstRunPanel", "Good"),
        QCoreApplication.translate("FirstRunPanel", "Strong"),
    ]
    return QCoreApplication.translate("FirstRunPanel", "Strength: %1").replace(
        "%1", labels[passphrase_strength(text).score]
    )


class ChangePassphraseDialog(SecretDialog):
    """Signals:
    change_requested(str, str): the current and the new passphrase, checked for form only.
    """

    change_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAccessibleName(self.tr("Change passphrase"))
        self._busy = False
        layout = QVBoxLayout(self)
        heading = QLabel(self.tr("Change your passphrase"), self)
        heading.setObjectName("heading")
        layout.addWidget(heading)
        form = QFormLayout()
        self.current = password_field(self.tr("Current passphrase"), self)
        self.new = password_field(self.tr("New passphrase"), self)
        self.repeat = password_field(self.tr("Repeat the new passphrase"), self)
        for label, edit in (
            (self.tr("&Current passphrase:"), self.current),
            (self.tr("&New passphrase:"), self.new),
            (self.tr("&Repeat:"), self.repeat),
        ):
            caption = QLabel(label, self)
            caption.setBuddy(edit)
            form.addRow(caption, edit)
        self.strength = QLabel("", self)
        self.strength.setAccessibleName(self.tr("Passphrase strength"))
        form.addRow("", self.strength)
        layout.addLayout(form)
        note = QLabel(
            self.tr(
                "Only the key that unlocks the library is sealed again, so this takes a moment "
                "whatever the size of the library. The old passphrase stops working."
            ),
            self,
        )
        note.setWordWrap(True)
        note.setObjectName("muted")
        layout.addWidget(note)
        self.change_button = self._add_footer(
            layout, self.tr("C&hange passphrase"), self.tr("Changing the passphrase")
        )
        self.new.textChanged.connect(lambda text: self.strength.setText(strength_text(text)))

    def problem(self) -> str | None:
        """Why the form cannot be submitted yet, in plain words."""
        current, new = self.current.text(), self.new.text()
        if not current:
            return self.tr("Type your current passphrase.")
        if len(new) < MIN_PASSPHRASE_CHARS:
            return self.tr("The new passphrase needs at least %1 characters.").replace(
                "%1", str(MIN_PASSPHRASE_CHARS)
            )
        if new != self.repeat.text():
            return self.tr("The two new passphrases are not the same.")
        if new == current:
            return self.tr("The new passphrase is the same as the current one.")
        return None

    def reset(self) -> None:
        self._clear_secrets()
        self.message.setText("")
        self.set_busy(False)
        self.current.setFocus()

    def set_busy(self, busy: bool) -> None:
        """While the worker derives keys nothing can be edited or cancelled: the change either
        happens or not, and the dialog stays to say which."""
        self._busy = busy
        self.busy.setVisible(busy)
        for widget in (self.current, self.new, self.repeat, self.change_button, self.cancel_button):
            widget.setEnabled(not busy)

    def _submit(self) -> None:
        problem = self.problem()
        if problem:
            self.message.setText(problem)
            return
        current, new = self.current.text(), self.new.text()
        self.message.setText("")
        self.set_busy(True)
        self.change_requested.emit(current, new)

    def _clear_secrets(self) -> None:
        for edit in (self.current, self.new, self.repeat):
            edit.clear()
        self.strength.setText("")


__all__ = ["ChangePassphraseDialog", "password_field", "strength_text"]
