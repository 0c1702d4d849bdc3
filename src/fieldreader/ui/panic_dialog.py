"""The panic wipe's last chance to change one's mind: a short countdown, Cancel in front.

Cancel is the default and focused button, so Enter and Esc both stop the wipe: a stray key
press must never erase the library. "Erase now" skips the rest of the wait. The dialog only
decides; the caller erases when it is accepted, and gives it the window's title (which names
nothing).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

PANIC_SECONDS = 5


class PanicDialog(QDialog):
    """Counts ``seconds`` down (one step every ``tick_ms``), then accepts itself.

    Signals:
        accepted: erase now (the countdown ended or "Erase now" was pressed).
        rejected: Cancel, Esc or the window closed: nothing is erased.
    """

    def __init__(
        self, seconds: int = PANIC_SECONDS, tick_ms: int = 1000, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAccessibleName(self.tr("Erase everything"))
        self._seconds = seconds
        self._left = seconds
        layout = QVBoxLayout(self)
        heading = QLabel(self.tr("Erase everything now?"), self)
        heading.setObjectName("heading")
        layout.addWidget(heading)
        explanation = QLabel(
            self.tr(
                "Every article, contact, note and bookmark in this library will be destroyed. "
                "Nobody can recover it afterwards, not even with your passphrase. Then "
                "fieldreader closes."
            ),
            self,
        )
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        self.countdown = QLabel("", self)
        self.countdown.setObjectName("warning")
        self.countdown.setAccessibleName(self.tr("Time left before erasing"))
        layout.addWidget(self.countdown)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, max(seconds, 1))
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(self.tr("Time left before erasing"))
        layout.addWidget(self.bar)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.erase_button = QPushButton(self.tr("&Erase now"), self)
        self.erase_button.setAutoDefault(False)
        self.erase_button.setAccessibleName(self.tr("Erase now"))
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setDefault(True)
        self.cancel_button.setAccessibleName(self.tr("Cancel, erase nothing"))
        buttons.addWidget(self.erase_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.erase_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)

        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self._tick)
        self.finished.connect(self._timer.stop)
        self._show_left()

    def seconds_left(self) -> int:
        return self._left

    def counting(self) -> bool:
        return self._timer.isActive()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's API
        super().showEvent(event)
        self._left = self._seconds
        self._show_left()
        self.cancel_button.setFocus()
        self._timer.start()

    def _tick(self) -> None:
        self._left -= 1
        self._show_left()
        if self._left <= 0:
            self._timer.stop()
            self.accept()

    def _show_left(self) -> None:
        left = max(self._left, 0)
        self.countdown.setText(self.tr("Erasing in %n second(s).", "", left))
        self.bar.setValue(left)


__all__ = ["PANIC_SECONDS", "PanicDialog"]
