"""The Qt bindings themselves: a build that loses references to None or True crashes the app
after a few hours of reading (PySide6 6.12.0 on Python 3.11 did), so the pinned one is checked."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

CALLS = 2_000


class _Emitter(QObject):
    flag = Signal(bool)


def test_void_calls_keep_references_to_none(qtbot: QtBot) -> None:
    button = QPushButton()
    qtbot.addWidget(button)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        button.setEnabled(True)
        button.setVisible(False)
    assert sys.getrefcount(None) > before - CALLS // 10


def test_signal_emits_keep_references_to_true(qtbot: QtBot) -> None:
    emitter = _Emitter()
    received: list[bool] = []
    emitter.flag.connect(received.append)
    before = sys.getrefcount(True)
    for _ in range(CALLS):
        emitter.flag.emit(True)
    assert len(received) == CALLS
    assert sys.getrefcount(True) > before - CALLS // 10
