"""The library page driven through its widgets: reading, search, bookmarks, links, contacts."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from factories import FAST_KDF, PASSPHRASE, article, contact, guidance
from fieldreader.store import create_library
from fieldreader.store.search import SearchHit
from fieldreader.ui import main_window as main_window_module
from fieldreader.ui.item_list import ITEM_ID_ROLE
from fieldreader.ui.main_window import MainWindow
from fieldreader.ui.reader_view import ReaderView
from ui.conftest import WAIT_MS, wait_idle

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d494441"
    "54789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082"
)


class Listener:
    """A loopback TCP port that records any connection: proof that nothing was fetched."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def _hostile_body(port: int, secret: Path) -> str:
    return (
        "# Hostile\n\n"
        f"![remote](http://127.0.0.1:{port}/pixel.png)\n\n"
        f"![file]({secret.as_uri()})\n\n"
        f"![relative]({secret})\n\n"
        f'<img src="http://127.0.0.1:{port}/raw.png">\n\n'
        f'<div style="background:url(http://127.0.0.1:{port}/css.png)">styled</div>\n\n'
        f"[a link](http://127.0.0.1:{port}/page)\n\n"
        "![map](media/map.png)\n"
    )


@pytest.fixture
def library_window(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, listener: Listener
) -> Iterator[MainWindow]:
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    with create_library(data_dir, PASSPHRASE, FAST_KDF) as library:
        library.attachments.put("t", "map.png", hashlib.sha256(PNG).hexdigest(), PNG)
        library.content.apply(
            [
                article("hostile", title="Hostile", body=_hostile_body(listener.port, secret)),
                article(
                    "a1",
                    title="Monitoring civic space",
                    body="Monitoring civic space needs care.\n\n"
                    + "Filler line.\n\n" * 200
                    + "The checkpoint at the border.\n",
                    translation_group="grp",
                ),
                article("a1-fr", lang="fr", title="Suivi", translation_group="grp"),
                article(
                    "a2", lang="ar", title="رصد الفضاء المدني", body="نص عربي عن الفضاء المدني.\n"
                ),
                guidance("g1"),
                contact("c1"),
            ]
        )
    win = MainWindow(data_dir, kdf=FAST_KDF, clipboard_seconds=0.3)
    qtbot.addWidget(win)
    win.show()
    win.start()
    with qtbot.waitSignal(win.unlocked, timeout=WAIT_MS):
        win.unlock_panel.passphrase.setText(PASSPHRASE)
        win.unlock_panel.button.click()
    wait_idle(qtbot, win)
    yield win
    win.close()


def open_item(qtbot: QtBot, win: MainWindow, item_id: str) -> None:
    with qtbot.waitSignal(win.page_shown, timeout=WAIT_MS):
        win.open_item(item_id)
    wait_idle(qtbot, win)


def row_ids(win: MainWindow) -> list[str]:
    return [win.model.index(i, 0).data(ITEM_ID_ROLE) for i in range(win.model.rowCount())]


def test_hostile_article_loads_nothing_outside_the_store(
    qtbot: QtBot, library_window: MainWindow, listener: Listener
) -> None:
    open_item(qtbot, library_window, "hostile")
    reader = library_window.reader
    assert set(reader.served) == {"res:media/map.png"}
    assert reader.refused == []  # the renderer left nothing else to load
    qtbot.wait(300)
    assert listener.connections == 0


def test_reader_view_refuses_everything_but_store_resources(
    qtbot: QtBot, tmp_path: Path, listener: Listener
) -> None:
    """The second wall on its own: hostile HTML that skipped the sanitiser still loads nothing."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    view = ReaderView()
    qtbot.addWidget(view)
    view.show()
    html = (
        '<img src="res:media/map.png">'
        f'<img src="http://127.0.0.1:{listener.port}/a.png">'
        f'<img src="{secret.as_uri()}"><img src="{secret}">'
        f'<img src="secret.png"><img src="res:media/other.png">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{listener.port}/s.css">'
    )
    view.show_page(html, {"res:media/map.png": PNG}, rtl=False)
    qtbot.wait(300)
    assert set(view.served) == {"res:media/map.png"}
    assert set(view.refused) >= {
        f"http://127.0.0.1:{listener.port}/a.png",
        secret.as_uri(),
        "res:media/other.png",
    }
    assert all(not r.startswith("res:media/map") for r in view.refused)
    assert listener.connections == 0
    # Qt reads local files itself when a loader returns nothing: the image must stay empty.
    for local in (secret.as_uri(), str(secret)):
        loaded = view.document().resource(1, QUrl(local))
        assert loaded is None or loaded.isNull()


def test_search_as_you_type_and_enter_highlights(qtbot: QtBot, library_window: MainWindow) -> None:
    win = library_window
    QTest.keyClick(win, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert win.search_field.hasFocus()
    with qtbot.waitSignal(win.results_shown, timeout=WAIT_MS):
        QTest.keyClicks(win.search_field, "checkpo*")
    wait_idle(qtbot, win)
    assert row_ids(win) == ["a1"]
    with qtbot.waitSignal(win.page_shown, timeout=WAIT_MS):
        QTest.keyClick(win.search_field, Qt.Key.Key_Return)
    wait_idle(qtbot, win)
    marks = win.reader.extraSelections()
    assert [m.cursor.selectedText() for m in marks] == ["checkpoint"]
    # The view scrolled to the match, far down the article.
    assert win.reader.verticalScrollBar().value() > 0
    win.search_field.clear()
    wait_idle(qtbot, win)
    assert "hostile" in row_ids(win)


def test_a_key_after_a_pause_searches_at_once_and_a_burst_searches_once(
    qtbot: QtBot, library_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    win = library_window
    assert win.service is not None
    searched: list[str] = []
    search = win.service.search

    def counted(text: str, *args: Any) -> list[SearchHit]:
        searched.append(text)
        return search(text, *args)

    monkeypatch.setattr(win.service, "search", counted)
    QTest.keyClicks(win.search_field, "checkpoin")  # one burst: no event is handled between
    wait_idle(qtbot, win)
    assert searched == ["c", "checkpoin"]  # the first key at once, the rest when it ended
    qtbot.wait(main_window_module.SEARCH_DELAY_MS * 3)  # a pause before the next key
    QTest.keyClick(win.search_field, Qt.Key.Key_T)
    assert win.worker.busy()  # searching already, not waiting for more keys
    wait_idle(qtbot, win)
    assert searched[2:] == ["checkpoint"]
    assert row_ids(win) == ["a1"]


def test_enter_right_after_typing_opens_the_first_result_of_the_whole_text(
    qtbot: QtBot, library_window: MainWindow
) -> None:
    """The list still shows the results of the text before the last keys when Enter comes;
    Enter waits for the results of what is typed instead of opening a stale row."""
    win = library_window
    win.search_field.setText("hostile")
    wait_idle(qtbot, win)
    assert row_ids(win) == ["hostile"]
    win.search_field.selectAll()
    with qtbot.waitSignal(win.page_shown, timeout=WAIT_MS) as shown:
        QTest.keyClicks(win.search_field, "checkpoint")
        QTest.keyClick(win.search_field, Qt.Key.Key_Return)
    assert shown.args[0] == "a1"
    wait_idle(qtbot, win)
    assert [m.cursor.selectedText() for m in win.reader.extraSelections()] == ["checkpoint"]


def test_a_key_after_enter_cancels_the_open_it_waited_for(
    qtbot: QtBot, library_window: MainWindow
) -> None:
    win = library_window
    opened: list[str] = []
    win.page_shown.connect(opened.append)
    QTest.keyClick(win, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert win.search_field.hasFocus()
    QTest.keyClicks(win.search_field, "monitoring")
    QTest.keyClick(win.search_field, Qt.Key.Key_Return)
    QTest.keyClicks(win.search_field, " civic")  # still typing: the page must not take the keys
    wait_idle(qtbot, win)
    qtbot.wait(main_window_module.SEARCH_DELAY_MS * 3)
    assert "a1" in row_ids(win)
    assert opened == []
    assert win.search_field.hasFocus()


class SlowSearch:
    """The window's searches, held on the worker until released: a search on an uncached
    index at 100k items takes a good part of a second."""

    def __init__(self, win: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
        assert win.service is not None
        self.searched: list[str] = []
        self.opened: list[str] = []
        self._gate = threading.Event()
        search = win.service.search

        def held(text: str, *args: Any) -> list[SearchHit]:
            self.searched.append(text)
            assert self._gate.wait(WAIT_MS / 1000)
            return search(text, *args)

        monkeypatch.setattr(win.service, "search", held)
        opened = self.opened
        monkeypatch.setattr(win.service, "open", _counting(win.service.open, opened))

    def release(self) -> None:
        self._gate.set()


def _counting(call: Callable[..., Any], calls: list[str]) -> Callable[..., Any]:
    def counted(item_id: str, *args: Any) -> Any:
        calls.append(item_id)
        return call(item_id, *args)

    return counted


def test_keys_that_come_while_a_search_runs_are_searched_once(
    qtbot: QtBot, library_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    win = library_window
    slow = SlowSearch(win, monkeypatch)
    QTest.keyClick(win.search_field, Qt.Key.Key_C)  # after a pause: searched at once, held
    qtbot.wait(main_window_module.SEARCH_DELAY_MS * 3)
    QTest.keyClicks(win.search_field, "he")  # "h" waits for "c", "e" for the burst to end
    slow.release()  # "c" ends first; "che" is searched, and the burst's end finds it done
    wait_idle(qtbot, win)
    qtbot.wait(main_window_module.SEARCH_DELAY_MS * 3)
    wait_idle(qtbot, win)
    assert slow.searched == ["c", "che"]


def test_enter_opens_the_first_result_once(
    qtbot: QtBot, library_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    win = library_window
    slow = SlowSearch(win, monkeypatch)
    slow.release()
    win.search_field.setText("checkpoint")
    wait_idle(qtbot, win)
    with qtbot.waitSignal(win.page_shown, timeout=WAIT_MS):
        QTest.keyClick(win.search_field, Qt.Key.Key_Return)
    wait_idle(qtbot, win)
    assert slow.opened == ["a1"]


def test_a_row_clicked_while_enter_waits_is_the_one_that_stays_open(
    qtbot: QtBot, library_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    win = library_window
    win.search_field.setText("hostile")
    wait_idle(qtbot, win)
    slow = SlowSearch(win, monkeypatch)
    win.search_field.selectAll()
    QTest.keyClicks(win.search_field, "checkpoint")
    QTest.keyClick(win.search_field, Qt.Key.Key_Return)  # waits for "checkpoint", held
    row = win.item_list.visualRect(win.model.index(0, 0)).center()
    QTest.mouseClick(win.item_list.viewport(), Qt.MouseButton.LeftButton, pos=row)
    slow.release()  # the page opens after the search, on the same worker
    wait_idle(qtbot, win)
    qtbot.wait(main_window_module.SEARCH_DELAY_MS * 3)
    assert row_ids(win) == ["a1"]  # the results came
    assert slow.opened == ["hostile"]  # and the row the person chose stayed open
    assert win.current is not None
    assert win.current.item.id == "hostile"


def test_a_filter_changed_while_enter_waits_cancels_the_open(
    qtbot: QtBot, library_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    win = library_window
    slow = SlowSearch(win, monkeypatch)
    QTest.keyClicks(win.search_field, "civic")
    QTest.keyClick(win.search_field, Qt.Key.Key_Return)
    win.lang_filter.setCurrentIndex(win.lang_filter.findData("en"))
    slow.release()
    wait_idle(qtbot, win)
    qtbot.wait(main_window_module.SEARCH_DELAY_MS * 3)
    assert "a1" in row_ids(win)
    assert slow.opened == []


def test_stale_search_results_never_replace_newer_ones(
    qtbot: QtBot, library_window: MainWindow
) -> None:
    win = library_window
    win.search_field.setText("hostile")
    win._run_search()
    win.search_field.setText("checkpoint")
    win._run_search()
    wait_idle(qtbot, win)
    assert row_ids(win) == ["a1"]


def test_bookmark_with_ctrl_d(qtbot: QtBot, library_window: MainWindow) -> None:
    win = library_window
    open_item(qtbot, win, "a1")
    QTest.keyClick(win, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, win)
    assert win.bookmark_button.isChecked()
    win.select_section("bookmarks")
    wait_idle(qtbot, win)
    assert row_ids(win) == ["a1"]
    QTest.keyClick(win, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, win)
    assert not win.bookmark_button.isChecked()


def test_reading_position_is_restored(qtbot: QtBot, library_window: MainWindow) -> None:
    win = library_window
    open_item(qtbot, win, "a1")
    bar = win.reader.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    open_item(qtbot, win, "a2")
    open_item(qtbot, win, "a1")
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=WAIT_MS)
    assert abs(bar.value() - bar.maximum() // 2) <= 2


def test_translation_switcher(qtbot: QtBot, library_window: MainWindow) -> None:
    win = library_window
    open_item(qtbot, win, "a1")
    assert [b.text() for b in win.translation_buttons] == ["FR"]
    with qtbot.waitSignal(win.page_shown, timeout=WAIT_MS):
        win.translation_buttons[0].click()
    assert win.current is not None
    assert win.current.item.id == "a1-fr"
    assert [b.text() for b in win.translation_buttons] == ["EN"]


def test_arabic_article_is_right_to_left(qtbot: QtBot, library_window: MainWindow) -> None:
    open_item(qtbot, library_window, "a2")
    assert library_window.reader.layoutDirection() == Qt.LayoutDirection.RightToLeft
    block = library_window.reader.document().firstBlock()
    assert block.textDirection() == Qt.LayoutDirection.RightToLeft
    open_item(qtbot, library_window, "a1")
    assert library_window.reader.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_checklist_ticks_from_the_page(qtbot: QtBot, library_window: MainWindow) -> None:
    win = library_window
    open_item(qtbot, win, "g1")
    assert win.checklist_bar.isVisible()
    assert (win.checklist_bar.value(), win.checklist_bar.maximum()) == (0, 2)
    with qtbot.waitSignal(win.page_shown, timeout=WAIT_MS):
        win.reader.link_clicked.emit(QUrl("check:disk"))
    assert win.checklist_bar.value() == 1
    assert "1 of 2" in win.checklist_bar.format()


def test_external_link_asks_first_and_shows_the_address(
    qtbot: QtBot, library_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def fake_open(url: QUrl) -> bool:
        opened.append(url.toString())
        return True

    monkeypatch.setattr(main_window_module, "open_externally", fake_open)
    seen: list[str] = []

    def answer(button: QMessageBox.StandardButton) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.informativeText())
        box.button(button).click()

    address = "https://example.org/a/long/path?q=1"
    QTimer.singleShot(100, lambda: answer(QMessageBox.StandardButton.Cancel))
    library_window.reader.link_clicked.emit(QUrl(address))
    assert opened == []
    assert address in seen[0]
    QTimer.singleShot(100, lambda: answer(QMessageBox.StandardButton.Open))
    library_window.reader.link_clicked.emit(QUrl(address))
    assert opened == [address]


def test_unknown_link_forms_are_ignored(qtbot: QtBot, library_window: MainWindow) -> None:
    for address in ("javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/"):
        library_window.reader.link_clicked.emit(QUrl(address))
    assert QApplication.activeModalWidget() is None


def test_contact_card_copy_clears_the_clipboard(qtbot: QtBot, library_window: MainWindow) -> None:
    win = library_window
    open_item(qtbot, win, "c1")
    assert win.reader_stack.currentWidget() is win.contact_card
    buttons = win.contact_card.copy_buttons
    assert len(buttons) >= 4
    buttons[0].click()
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == "+27 11 833 5959"
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=WAIT_MS)
    # Something else copied meanwhile is left alone.
    buttons[1].click()
    clipboard.setText("the user's own text")
    qtbot.wait(500)
    assert clipboard.text() == "the user's own text"


def test_text_size_shortcuts(qtbot: QtBot, library_window: MainWindow) -> None:
    win = library_window
    open_item(qtbot, win, "a1")
    before = win.reader.document().defaultFont().pointSizeF()
    QTest.keyClick(win, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert win.reader.document().defaultFont().pointSizeF() > before
    QTest.keyClick(win, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert win.reader.document().defaultFont().pointSizeF() == pytest.approx(before)
    win.set_text_scale(2.0)
    wait_idle(qtbot, win)
    assert win.reader.document().defaultFont().pointSizeF() == pytest.approx(before * 2)


def test_title_never_names_content(qtbot: QtBot, library_window: MainWindow) -> None:
    for item_id in ("a1", "a2", "c1", "g1"):
        open_item(qtbot, library_window, item_id)
        assert library_window.windowTitle() == "fieldreader"


def _unnamed_controls(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QAbstractButton):
            named = bool(widget.accessibleName() or widget.text())
        elif isinstance(widget, QLineEdit | QComboBox | ReaderView):
            named = bool(widget.accessibleName())
        else:
            continue
        if not named:
            missing.append(f"{type(widget).__name__} {widget.objectName()}")
    return missing


def test_every_visible_control_has_an_accessible_name(
    qtbot: QtBot, library_window: MainWindow
) -> None:
    open_item(qtbot, library_window, "a1")
    assert _unnamed_controls(library_window) == []
    open_item(qtbot, library_window, "c1")
    assert _unnamed_controls(library_window) == []


def test_usable_at_double_text_size(qtbot: QtBot, data_dir: Path) -> None:
    """At 200% text the window still fits a 1366x768 laptop screen and no column collapses."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    normal = app.font()
    big = app.font()
    big.setPointSizeF(normal.pointSizeF() * 2)
    app.setFont(big)
    try:
        win = MainWindow(data_dir, kdf=FAST_KDF)
        qtbot.addWidget(win)
        win.show()
        win.start()  # the first-run screen: the tallest one
        hint = win.minimumSizeHint()
        assert hint.width() <= 1366
        assert hint.height() <= 768
        assert win.item_list.minimumWidth() > 0
        win.close()
    finally:
        app.setFont(normal)
