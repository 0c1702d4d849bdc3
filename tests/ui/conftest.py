"""Real widgets on Qt's offscreen platform; a real library file per test (fast key derivation)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from factories import FAST_KDF, PASSPHRASE
from fieldreader.ui.main_window import MainWindow
from fieldreader.ui.unlock import FirstRunChoices, Start

WAIT_MS = 60_000
"""Generous: a timeout here only bounds a hang, it measures nothing (CI machines can be busy)."""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "library"


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    win = MainWindow(data_dir, kdf=FAST_KDF)
    qtbot.addWidget(win)
    win.show()
    win.start()
    yield win
    win.close()


def set_up(qtbot: QtBot, win: MainWindow, start: Start = Start.SAMPLE, **extra: object) -> None:
    """Complete the first-run screen and wait for the library to show."""
    choices = FirstRunChoices(
        passphrase=PASSPHRASE,
        duress=extra.get("duress"),  # type: ignore[arg-type]
        wipe_after=extra.get("wipe_after"),  # type: ignore[arg-type]
        start=start,
    )
    with qtbot.waitSignal(win.unlocked, timeout=WAIT_MS):
        win.first_run.create_requested.emit(choices)
    wait_idle(qtbot, win)


def wait_idle(qtbot: QtBot, win: MainWindow) -> None:
    """Until the worker has nothing queued and every result reached the window."""
    qtbot.waitUntil(
        lambda: not win.worker.busy() and not win.search_hits_pending(), timeout=WAIT_MS
    )
