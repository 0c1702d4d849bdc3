from __future__ import annotations

from pytestqt.qtbot import QtBot

from fieldreader.ui.main_window import MainWindow
from ui.conftest import set_up, wait_idle


def test_first_run_with_sample_shows_articles(qtbot: QtBot, window: MainWindow) -> None:
    assert window.stack.currentWidget() is window.first_run
    set_up(qtbot, window)
    assert window.stack.currentWidget() is window.library_page
    assert window.model.rowCount() > 5
    window.item_list.setCurrentIndex(window.model.index(0, 0))
    wait_idle(qtbot, window)
    assert window.current is not None
    assert window.reader.toPlainText()
    assert window.windowTitle() == "fieldreader"
