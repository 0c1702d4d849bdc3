"""The two screens before the library: first run (choose a passphrase) and unlock.

Both only collect input and show progress; the window runs the slow parts (Argon2id, the import)
on the worker. Passphrase fields are cleared as soon as their text has been handed over.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fieldreader.strength import passphrase_strength

MIN_PASSPHRASE_CHARS = 8


class Start(Enum):
    PRELOADED = "preloaded"
    SAMPLE = "sample"
    EMPTY = "empty"


@dataclass(frozen=True)
class FirstRunChoices:
    passphrase: str
    duress: str | None
    wipe_after: int | None
    start: Start

    def __repr__(self) -> str:
        return f"FirstRunChoices(start={self.start}, wipe_after={self.wipe_after}, ...)"


def _card(parent: QWidget) -> tuple[QFrame, QVBoxLayout]:
    """A centred panel, narrow enough to read at a glance, that scrolls rather than forcing
    the window taller than a small screen when the text is large (200%)."""
    scroll = QScrollArea(parent)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    holder = QVBoxLayout(parent)
    holder.setContentsMargins(0, 0, 0, 0)
    holder.addWidget(scroll)
    page = QWidget(scroll)
    scroll.setWidget(page)
    outer = QVBoxLayout(page)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    frame = QFrame(page)
    frame.setObjectName("card")
    frame.setMaximumWidth(560)
    frame.setMinimumWidth(420)
    inner = QVBoxLayout(frame)
    inner.setContentsMargins(28, 24, 28, 24)
    inner.setSpacing(12)
    row.addWidget(frame, 4)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return frame, inner


def _password_field(name: str, parent: QWidget) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)
    return edit


class UnlockPanel(QWidget):
    """Asks for the passphrase. Shows "wrong passphrase" plainly and a busy bar meanwhile.

    Also offers the panic wipe, which needs no passphrase and stays available while an unlock
    is running.
    """

    unlock_requested = Signal(str)
    wipe_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _, box = _card(self)
        title = QLabel(self.tr("Unlock your library"), self)
        title.setObjectName("heading")
        box.addWidget(title)
        box.addWidget(QLabel(self.tr("Enter your passphrase."), self))
        self.passphrase = _password_field(self.tr("Passphrase"), self)
        box.addWidget(self.passphrase)
        self.message = QLabel("", self)
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Unlock message"))
        box.addWidget(self.message)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName(self.tr("Unlocking"))
        self.busy.hide()
        box.addWidget(self.busy)
        self.button = QPushButton(self.tr("&Unlock"), self)
        self.button.setDefault(True)
        self.button.setAccessibleName(self.tr("Unlock"))
        box.addWidget(self.button)
        self.erase_button = QPushButton(self.tr("&Erase everything…"), self)
        self.erase_button.setFlat(True)
        self.erase_button.setAutoDefault(False)
        self.erase_button.setObjectName("muted")
        self.erase_button.setAccessibleName(self.tr("Erase everything"))
        box.addWidget(self.erase_button, 0, Qt.AlignmentFlag.AlignRight)
        self.button.clicked.connect(self._submit)
        self.passphrase.returnPressed.connect(self._submit)
        self.erase_button.clicked.connect(self.wipe_requested)

    def reset(self, message: str = "") -> None:
        self.passphrase.clear()
        self.message.setText(message)
        self.set_busy(False)
        self.passphrase.setFocus()

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.button.setEnabled(not busy)
        self.passphrase.setEnabled(not busy)
        if not busy:
            self.passphrase.setFocus()

    def _submit(self) -> None:
        text = self.passphrase.text()
        if not text:
            self.message.setText(self.tr("Type your passphrase first."))
            return
        self.passphrase.clear()
        self.message.setText("")
        self.set_busy(True)
        self.unlock_requested.emit(text)


class FirstRunPanel(QWidget):
    """Creates the library: passphrase twice, optional protections, what to start with."""

    create_requested = Signal(object)
    """A :class:`FirstRunChoices`."""
    progress_changed = Signal(int, int, str)
    """Emitted from any thread while the library is being set up; shown on the UI thread."""

    def __init__(self, preloaded_available: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _, box = _card(self)
        title = QLabel(self.tr("Set up fieldreader"), self)
        title.setObjectName("heading")
        box.addWidget(title)
        intro = QLabel(
            self.tr(
                "Everything you read and write here is kept encrypted on this computer. "
                "Choose a passphrase to protect it."
            ),
            self,
        )
        intro.setWordWrap(True)
        box.addWidget(intro)
        self._build_passphrase(box)
        self._build_protections(box)
        self._build_start(box, preloaded_available)

        self.message = QLabel("", self)
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        box.addWidget(self.message)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(self.tr("Setting up"))
        self.progress.hide()
        box.addWidget(self.progress)
        self.button = QPushButton(self.tr("&Create library"), self)
        self.button.setDefault(True)
        box.addWidget(self.button)

        self.progress_changed.connect(self.set_progress)
        self.passphrase.textChanged.connect(self._show_strength)
        self.button.clicked.connect(self._submit)
        self.repeat.returnPressed.connect(self._submit)

    def _build_passphrase(self, box: QVBoxLayout) -> None:
        form = QFormLayout()
        self.passphrase = _password_field(self.tr("New passphrase"), self)
        self.repeat = _password_field(self.tr("Repeat the passphrase"), self)
        form.addRow(self.tr("&Passphrase:"), self.passphrase)
        form.addRow(self.tr("&Repeat:"), self.repeat)
        self.strength = QLabel("", self)
        self.strength.setAccessibleName(self.tr("Passphrase strength"))
        form.addRow("", self.strength)
        box.addLayout(form)

        warning = QLabel(
            self.tr(
                "Nobody can recover a forgotten passphrase, not even your trainer: without "
                "it, the library cannot be opened. Several unrelated words are easy to "
                "remember and hard to guess."
            ),
            self,
        )
        warning.setObjectName("warning")
        warning.setWordWrap(True)
        box.addWidget(warning)

    def _build_protections(self, box: QVBoxLayout) -> None:

        self.use_duress = QCheckBox(self.tr("Add a &duress passphrase"), self)
        self.use_duress.setToolTip(
            self.tr(
                "If you are forced to unlock, type this one instead: it silently erases the "
                "library and opens an empty one."
            )
        )
        self.duress = _password_field(self.tr("Duress passphrase"), self)
        self.duress.setEnabled(False)
        self.use_duress.toggled.connect(self.duress.setEnabled)
        box.addWidget(self.use_duress)
        box.addWidget(self.duress)

        limit_row = QHBoxLayout()
        self.use_limit = QCheckBox(self.tr("&Erase the library after"), self)
        self.limit = QSpinBox(self)
        self.limit.setRange(3, 100)
        self.limit.setValue(10)
        self.limit.setSuffix(self.tr(" failed unlocks"))
        self.limit.setAccessibleName(self.tr("Failed unlocks before erasing"))
        self.limit.setEnabled(False)
        self.use_limit.toggled.connect(self.limit.setEnabled)
        limit_row.addWidget(self.use_limit)
        limit_row.addWidget(self.limit)
        limit_row.addStretch(1)
        box.addLayout(limit_row)

    def _build_start(self, box: QVBoxLayout, preloaded_available: bool) -> None:

        self.start_group = QButtonGroup(self)
        self.start_preloaded = QRadioButton(self.tr("Import the library your trainer prepared"))
        self.start_sample = QRadioButton(self.tr("Start with the sample library"))
        self.start_empty = QRadioButton(self.tr("Start with an empty library"))
        for button in (self.start_preloaded, self.start_sample, self.start_empty):
            self.start_group.addButton(button)
            box.addWidget(button)
        self.start_preloaded.setEnabled(preloaded_available)
        (self.start_preloaded if preloaded_available else self.start_sample).setChecked(True)
        if not preloaded_available:
            self.start_preloaded.setToolTip(
                self.tr("This copy of fieldreader has no preloaded library.")
            )

    def _show_strength(self, text: str) -> None:
        if not text:
            self.strength.setText("")
            return
        labels = [
            self.tr("Very weak"),
            self.tr("Weak"),
            self.tr("Fair"),
            self.tr("Good"),
            self.tr("Strong"),
        ]
        self.strength.setText(
            self.tr("Strength: %1").replace("%1", labels[passphrase_strength(text).score])
        )

    def problem(self) -> str | None:
        """Why the form cannot be submitted yet, in plain words."""
        first, second = self.passphrase.text(), self.repeat.text()
        if len(first) < MIN_PASSPHRASE_CHARS:
            return self.tr("The passphrase needs at least %1 characters.").replace(
                "%1", str(MIN_PASSPHRASE_CHARS)
            )
        if first != second:
            return self.tr("The two passphrases are not the same.")
        if self.use_duress.isChecked():
            duress = self.duress.text()
            if len(duress) < MIN_PASSPHRASE_CHARS:
                return self.tr("The duress passphrase needs at least %1 characters.").replace(
                    "%1", str(MIN_PASSPHRASE_CHARS)
                )
            if duress == first:
                return self.tr("The duress passphrase must differ from your passphrase.")
        return None

    def set_progress(self, done: int, total: int, step: str) -> None:
        steps = {
            "protect": self.tr("Protecting your library…"),
            "duress": self.tr("Adding the duress passphrase…"),
            "metadata": self.tr("Checking the library's signatures…"),
            "index": self.tr("Reading the list of articles…"),
            "objects": self.tr("Importing articles: %v of %m"),
            "applying": self.tr("Saving into the encrypted library…"),
        }
        text = steps.get(step, self.tr("Setting up…"))
        self.progress.show()
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        self.progress.setFormat(text)

    def failed(self, message: str) -> None:
        self.progress.hide()
        self.message.setText(message)
        self._enable(True)

    def _enable(self, enabled: bool) -> None:
        for widget in (self.passphrase, self.repeat, self.use_duress, self.use_limit, self.button):
            widget.setEnabled(enabled)
        self.duress.setEnabled(enabled and self.use_duress.isChecked())
        self.limit.setEnabled(enabled and self.use_limit.isChecked())

    def _submit(self) -> None:
        problem = self.problem()
        if problem:
            self.message.setText(problem)
            return
        if self.start_preloaded.isChecked():
            start = Start.PRELOADED
        elif self.start_sample.isChecked():
            start = Start.SAMPLE
        else:
            start = Start.EMPTY
        choices = FirstRunChoices(
            passphrase=self.passphrase.text(),
            duress=self.duress.text() if self.use_duress.isChecked() else None,
            wipe_after=self.limit.value() if self.use_limit.isChecked() else None,
            start=start,
        )
        for edit in (self.passphrase, self.repeat, self.duress):
            edit.clear()
        self.message.setText("")
        self._enable(False)
        self.set_progress(0, 0, "protect")
        self.create_requested.emit(choices)
