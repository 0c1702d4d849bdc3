"""A contact as a card: who they are, then every way to reach them, each with a Copy button.

Phone numbers and secure-channel handles are exactly what must not linger: a copied value is
taken off the clipboard again after :data:`CLIPBOARD_SECONDS`, unless something else was copied
in between (then the reader's own copy is no longer there to clear).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, QTimer, QUrl, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldreader.model import Contact, is_rtl
from fieldreader.service import contact_fields
from fieldreader.ui.reader_view import ReaderView

CLIPBOARD_SECONDS = 30


class ClipboardGuard:
    """Copies text and clears it after a delay if it is still what we put there."""

    def __init__(self, seconds: float = CLIPBOARD_SECONDS) -> None:
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setInterval(round(seconds * 1000))
        self._timer.timeout.connect(self.clear)
        self._copied: str | None = None

    def copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self._copied = text
        self._timer.start()

    def clear(self) -> None:
        """Clear now (also called on lock and quit) if the clipboard still holds our copy."""
        self._timer.stop()
        clipboard = QGuiApplication.clipboard()
        if self._copied is not None and clipboard.text() == self._copied:
            clipboard.clear()
        self._copied = None

    def pending(self) -> bool:
        return self._timer.isActive()


def _labels() -> dict[str, str]:
    return {
        "phone": QCoreApplication.translate("ContactCard", "Phone"),
        "email": QCoreApplication.translate("ContactCard", "E-mail"),
        "address": QCoreApplication.translate("ContactCard", "Address"),
        "signal": "Signal",
        "whatsapp": "WhatsApp",
        "telegram": "Telegram",
        "matrix": "Matrix",
        "wire": "Wire",
        "threema": "Threema",
        "pgp": "PGP",
    }


class ContactCard(QScrollArea):
    link_clicked = Signal(QUrl)
    copied = Signal(str)
    """The label of what was copied (never the value), for the status bar."""

    def __init__(self, clipboard: ClipboardGuard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName(self.tr("Contact card"))
        self._clipboard = clipboard
        self.copy_buttons: list[QPushButton] = []
        self._body = QWidget()
        self.setWidget(self._body)
        self.notes: ReaderView | None = None

    def show_contact(
        self, contact: Contact, page_html: str, resources: Mapping[str, bytes]
    ) -> None:
        self.clear_card()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 16, 24, 16)
        kind = (
            self.tr("Organisation") if contact.contact_type == "organisation" else self.tr("Person")
        )
        who = " · ".join(p for p in (kind, contact.role, contact.organisation, contact.region) if p)
        subtitle = QLabel(who, body)
        subtitle.setObjectName("muted")
        subtitle.setWordWrap(True)
        layout.addWidget(subtitle)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        labels = _labels()
        for row, (kind_key, value) in enumerate(contact_fields(contact)):
            label = QLabel(labels.get(kind_key, kind_key.capitalize()), body)
            label.setObjectName("muted")
            shown = QLabel(value, body)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(shown.textInteractionFlags())
            button = QPushButton(self.tr("Copy"), body)
            button.setAccessibleName(self.tr("Copy %1").replace("%1", label.text()))
            name = label.text()
            button.clicked.connect(lambda _=False, v=value, n=name: self._copy(v, n))
            self.copy_buttons.append(button)
            grid.addWidget(label, row, 0)
            grid.addWidget(shown, row, 1)
            grid.addWidget(button, row, 2)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        self.notes = ReaderView(body)
        self.notes.setMinimumHeight(160)
        self.notes.link_clicked.connect(self.link_clicked)
        if page_html:
            # Free notes go through the same guarded view as articles: no loads from outside.
            self.notes.show_page(page_html, resources, rtl=is_rtl(contact.lang))
            layout.addWidget(self.notes, 1)
        else:
            layout.addStretch(1)
        self._body = body
        self.setWidget(body)

    def clear_card(self) -> None:
        self.copy_buttons = []
        self.notes = None
        self._body = QWidget()
        self.setWidget(self._body)

    def _copy(self, value: str, label: str) -> None:
        self._clipboard.copy(value)
        self.copied.emit(label)
