"""Large sections arrive a page at a time; fast typing runs one search at a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from factories import FAST_KDF, PASSPHRASE, article
from fieldreader.service import ReaderService
from fieldreader.store import create_library
from fieldreader.ui.main_window import PAGE_SIZE, SEARCH_PAGE, MainWindow
from ui.conftest import WAIT_MS, wait_idle

ITEMS = PAGE_SIZE * 2 + 50


@pytest.fixture
def big_window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    with create_library(data_dir, PASSPHRASE, FAST_KDF) as library:
        library.content.apply(
            [article(f"a{n:04}", title=f"Report number {n}") for n in range(ITEMS)]
        )
    win = MainWindow(data_dir, kdf=FAST_KDF)
    qtbot.addWidget(win)
    win.show()
    win.start()
    with qtbot.waitSignal(win.unlocked, timeout=WAIT_MS):
        win.unlock_panel.passphrase.setText(PASSPHRASE)
        win.unlock_panel.button.click()
    wait_idle(qtbot, win)
    yield win
    win.close()


def test_a_large_section_is_read_as_it_is_scrolled(qtbot: QtBot, big_window: MainWindow) -> None:
    win = big_window
    assert win.model.rowCount() == PAGE_SIZE
    for expected in (PAGE_SIZE * 2, ITEMS):
        win.item_list.scrollToBottom()

        def grown(n: int = expected) -> bool:
            return win.model.rowCount() == n

        qtbot.waitUntil(grown, timeout=WAIT_MS)
        wait_idle(qtbot, win)
    win.item_list.scrollToBottom()
    wait_idle(qtbot, win)
    assert win.model.rowCount() == ITEMS
    ids = [win.model.row_at(i).item_id for i in range(ITEMS)]
    assert len(set(ids)) == ITEMS


def test_fast_typing_searches_once_at_a_time(
    qtbot: QtBot, big_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    win = big_window
    searched: list[str] = []
    real = ReaderService.search

    def spy(self: ReaderService, text: str, *args: object, **kwargs: object) -> object:
        searched.append(text)
        return real(self, text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ReaderService, "search", spy)
    win.search_field.setFocus()
    QTest.keyClicks(win.search_field, "report number 42", delay=1)
    qtbot.waitUntil(lambda: bool(searched) and searched[-1] == "report number 42", timeout=WAIT_MS)
    wait_idle(qtbot, win)
    assert len(searched) < len("report number 42")
    assert win.model.rowCount() >= 1
    assert win.model.row_at(0).item_id == "a0042"


def test_search_results_arrive_a_page_at_a_time(qtbot: QtBot, big_window: MainWindow) -> None:
    win = big_window
    win.search_field.setText("report")
    qtbot.waitUntil(lambda: win.model.rowCount() == SEARCH_PAGE, timeout=WAIT_MS)
    wait_idle(qtbot, win)
    assert win.model.rowCount() == SEARCH_PAGE
    assert win.statusBar().currentMessage() == "First 20 results; scroll down for more"
    for pages in (2, 3):
        win.item_list.scrollToBottom()

        def grown(n: int = SEARCH_PAGE * pages) -> bool:
            return win.model.rowCount() == n

        qtbot.waitUntil(grown, timeout=WAIT_MS)
        wait_idle(qtbot, win)
    ids = [win.model.row_at(i).item_id for i in range(win.model.rowCount())]
    assert len(set(ids)) == len(ids)
    assert win.statusBar().currentMessage() == f"First {len(ids)} results; scroll down for more"


def test_a_search_that_fits_one_page_gives_its_count(qtbot: QtBot, big_window: MainWindow) -> None:
    win = big_window
    win.search_field.setText("number 42")
    qtbot.waitUntil(lambda: win.model.rowCount() == 1, timeout=WAIT_MS)
    wait_idle(qtbot, win)
    assert win.statusBar().currentMessage() == "1 result(s)"
