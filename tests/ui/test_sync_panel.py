"""The sync panel in the real window, syncing from the real nginx mirror over pinned TLS.

A relay between the reader and nginx can hold the connection still: a sync is then certainly
under way (its first progress is on screen, its first request waiting) when the test cancels
it or locks the window, without any sleep or race.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QFileDialog,
    QProgressBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from factories import PASSPHRASE
from fieldreader.feed.update import Progress
from fieldreader.service import ReaderService
from fieldreader.store import ItemFilter, open_library
from fieldreader.store.errors import StoreError
from fieldreader.sync.connectivity import ConnectionWatch, Connectivity
from fieldreader.sync.messages import SENTENCES, Problem, SyncMessage
from fieldreader.ui.main_window import MainWindow
from fieldreader.ui.sync_panel import SyncPanel
from holdkit import ApplyHold, write_locked
from sync.profiles import Publication, news, serve_feed
from sync.servers import MakeRelay, Nginx, Pki
from ui.conftest import WAIT_MS, set_up, wait_idle
from ui.test_notes import CHILD, child_env, run_until, stored_notes

NOT_SET_UP = "Sync is not set up on this computer."
INTERCEPTED = (
    "The connection is being intercepted: the server's certificate is not the expected one. "
    "Nothing was changed."
)


@pytest.fixture
def feed(nginx: Nginx, pki: Pki, tmp_path: Path) -> Publication:
    """Four public articles and a restricted one, served; profiles go on a "stick"."""
    served = serve_feed(nginx, tmp_path / "publisher", f"ui-{tmp_path.name}", news(4))
    return Publication(served, nginx, pki, tmp_path / "stick")


def open_panel(qtbot: QtBot, window: MainWindow) -> SyncPanel:
    """Library > Sync… by its shortcut, Ctrl+Shift+S; returns once the status is shown."""
    panel = window.sync_panel
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    with qtbot.waitSignal(panel.status_shown, timeout=WAIT_MS):
        QTest.keyClick(
            window,
            Qt.Key.Key_S,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert panel.isVisible()
    return panel


def choose_in_dialog(qtbot: QtBot, panel: SyncPanel, button: QAbstractButton, path: Path) -> None:
    """Click ``button`` and pick ``path`` in the file dialog it opens, as a person would."""
    seen: list[QFileDialog] = []

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(10, drive)
            return
        seen.append(dialog)
        non_native = dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.selectFile(str(path) if non_native else "")
        dialog.accept()

    QTimer.singleShot(0, drive)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(seen) == 1, "the button opened no file dialog"


def set_profile(qtbot: QtBot, panel: SyncPanel, path: Path) -> None:
    with qtbot.waitSignal(panel.status_shown, timeout=WAIT_MS):
        panel.set_profile(path)


def sync(qtbot: QtBot, panel: SyncPanel, signal: str = "sync_finished") -> object:
    with qtbot.waitSignal(getattr(panel, signal), timeout=WAIT_MS) as caught:
        QTest.mouseClick(panel.sync_button, Qt.MouseButton.LeftButton)
    return caught.args[0]


def articles_shown(qtbot: QtBot, window: MainWindow) -> int:
    wait_idle(qtbot, window)
    assert window.view == "article"
    return window.model.rowCount()


# Not set up, choosing a profile


def test_without_a_profile_the_panel_says_so_and_offers_to_choose_one(
    qtbot: QtBot, window: MainWindow
) -> None:
    set_up(qtbot, window)
    assert window.sync_action in window.menus["library"].actions()
    toolbar = window.findChild(QWidget, "toolbar")
    assert toolbar is not None
    assert window.sync_action in toolbar.actions()

    panel = open_panel(qtbot, window)
    assert panel.pages.currentWidget() is panel.not_set_up_page
    assert panel.not_set_up_label.text() == NOT_SET_UP
    assert panel.first_choose_button.isVisible()
    assert not panel.sync_button.isVisible()
    assert not panel.auto_sync.isVisible()
    assert panel.message.text() == ""
    assert panel.windowTitle() == "Sync"
    assert panel.start_sync() is False  # nothing to sync with
    for control in panel.findChildren(QAbstractButton) + panel.findChildren(QProgressBar):
        assert control.accessibleName(), control


def test_choosing_a_profile_shows_where_and_what_it_syncs_and_sends_nothing(
    qtbot: QtBot, window: MainWindow, feed: Publication
) -> None:
    set_up(qtbot, window)
    mirror = feed.url
    profile = feed.profile()
    panel = open_panel(qtbot, window)
    mark = feed.nginx.mark()

    with qtbot.waitSignal(panel.status_shown, timeout=WAIT_MS):
        choose_in_dialog(qtbot, panel, panel.first_choose_button, profile)

    assert panel.pages.currentWidget() is panel.set_up_page
    assert panel.mirrors_label.text() == mirror
    assert panel.route_label.text() == "Direct (HTTPS)"
    assert panel.channels_label.text() == "All public channels, and restricted: af"
    assert panel.last_sync_label.text() == "Never"
    assert panel.sync_button.isEnabled()
    assert not panel.cancel_button.isEnabled()
    assert not panel.progress.isVisible()
    assert feed.nginx.since(mark) == []  # choosing is not syncing
    # Qt's file dialog had nowhere to write its history of folders.
    assert QSettings(QSettings.Scope.UserScope, "QtProject").fileName().startswith("/dev/null")


def test_a_profile_that_does_not_load_is_refused_with_its_reason(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    set_up(qtbot, window)
    panel = open_panel(qtbot, window)
    broken = tmp_path / "org.toml"
    broken.write_text("[feed]\nmirrors = []\n", encoding="utf-8")
    with qtbot.waitSignal(panel.sync_failed, timeout=WAIT_MS) as caught:
        panel.set_profile(broken)
    assert caught.args[0].problem is Problem.PROFILE
    assert panel.message.text() == (
        "The sync profile cannot be used: org.toml: 'feed.mirrors': needs at least one entry"
    )
    assert panel.pages.currentWidget() is panel.not_set_up_page
    assert panel.not_set_up_label.text() == NOT_SET_UP


def test_a_profile_deleted_after_it_was_chosen_still_syncs(
    qtbot: QtBot, window: MainWindow, feed: Publication
) -> None:
    """The library keeps the profile, its root and CA: the stick it came on can be wiped (it
    holds the channel key in plain text)."""
    set_up(qtbot, window)
    profile = feed.profile()
    panel = open_panel(qtbot, window)
    set_profile(qtbot, panel, profile)
    shutil.rmtree(profile.parent)
    panel.hide()
    panel = open_panel(qtbot, window)
    assert panel.pages.currentWidget() is panel.set_up_page
    assert panel.channels_label.text() == "All public channels, and restricted: af"
    assert sync(qtbot, panel).update.added == 5  # type: ignore[attr-defined]


def test_a_damaged_kept_profile_is_explained(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    service = window.service
    assert service is not None
    window.worker.submit(lambda: service.library.set_meta("sync-profile", "{damaged"))
    wait_idle(qtbot, window)
    panel = open_panel(qtbot, window)
    assert panel.pages.currentWidget() is panel.not_set_up_page
    assert panel.not_set_up_label.text() == (
        "The sync profile chosen earlier cannot be used: sync profile: the copy kept in this "
        "library is damaged; choose the profile again"
    )


# Syncing


def test_a_sync_shows_progress_and_the_result_and_the_new_items_appear(
    qtbot: QtBot, window: MainWindow, feed: Publication
) -> None:
    set_up(qtbot, window)
    before = articles_shown(qtbot, window)
    mirror = feed.url
    panel = open_panel(qtbot, window)
    set_profile(qtbot, panel, feed.profile())
    shown: list[tuple[str, str, int, int]] = []

    def record(step: Progress) -> None:
        shown.append((step.phase, panel.progress_label.text(), panel.progress.value(),
                      panel.progress.maximum()))  # fmt: skip

    panel.progress_shown.connect(record)
    with qtbot.waitSignal(panel.sync_started, timeout=WAIT_MS):
        outcome = sync(qtbot, panel)

    assert outcome.update.added == 5  # type: ignore[attr-defined]
    objects = [s for s in shown if s[0] == "objects"]
    assert [(value, maximum) for _, _, value, maximum in objects] == [(n, 5) for n in range(1, 6)]
    assert objects[0][1].startswith("Downloading items: 1 of 5 (")
    assert objects[-1][1].endswith(" KB)") or objects[-1][1].endswith(" B)")
    assert shown[0][1] == "Checking for news…"
    assert shown[-1][1] == "Saving to your library…"
    assert panel.message.text().startswith("Sync complete: 5 added. ")
    assert panel.message.text().endswith(f" downloaded from {mirror}.")
    assert not panel.progress.isVisible()
    assert panel.sync_button.isEnabled()
    assert not panel.cancel_button.isEnabled()

    assert articles_shown(qtbot, window) == before + 5
    qtbot.waitUntil(lambda: panel.last_sync_label.text() == "Just now", timeout=WAIT_MS)

    sync(qtbot, panel)
    assert panel.message.text().startswith("Already up to date: nothing new. 0 B downloaded")
    assert articles_shown(qtbot, window) == before + 5


def test_an_update_of_the_feed_says_what_changed(
    qtbot: QtBot, window: MainWindow, feed: Publication
) -> None:
    set_up(qtbot, window)
    panel = open_panel(qtbot, window)
    set_profile(qtbot, panel, feed.profile())
    sync(qtbot, panel)

    def edit(content: Path) -> None:
        (content / "articles" / "sync-news-0.md").unlink()
        news(2, "sync-late")(content)
        text = (content / "articles" / "sync-news-1.md").read_text(encoding="utf-8")
        (content / "articles" / "sync-news-1.md").write_text(text + "\nCorrected.\n")

    feed.served.rebuild(feed.nginx, edit)
    sync(qtbot, panel)
    assert panel.message.text().startswith("Sync complete: 3 added, 1 updated, 1 removed. ")


def test_an_intercepted_connection_is_named_and_changes_nothing(
    qtbot: QtBot, window: MainWindow, feed: Publication
) -> None:
    set_up(qtbot, window)
    before = articles_shown(qtbot, window)
    intercepted = feed.nginx.intercepted_url(feed.served.prefix)
    panel = open_panel(qtbot, window)
    set_profile(qtbot, panel, feed.profile(intercepted))

    message = sync(qtbot, panel, "sync_failed")

    assert message.problem is Problem.INTERCEPTED  # type: ignore[attr-defined]
    assert panel.message.text() == INTERCEPTED
    assert panel.message.objectName() == "error"
    assert panel.details.isVisible()
    assert panel.details.text().startswith(f"{intercepted}: The connection is being intercepted")
    assert not panel.progress.isVisible()
    assert panel.sync_button.isEnabled()
    assert articles_shown(qtbot, window) == before
    wait_idle(qtbot, window)
    assert panel.last_sync_label.text() == "Never"


STALLED_MS = 10_000
"""Well under the 30 s a read waits on a stalled connection: a cancel must not wait for it."""


def test_cancel_mid_sync_says_so_and_the_next_sync_completes(
    qtbot: QtBot, window: MainWindow, feed: Publication, relay_to: MakeRelay
) -> None:
    set_up(qtbot, window)
    before = articles_shown(qtbot, window)
    relay = relay_to(feed.nginx.port)
    panel = open_panel(qtbot, window)
    set_profile(qtbot, panel, feed.profile(relay.url(feed.served.prefix)))

    relay.hold()
    with qtbot.waitSignal(panel.progress_shown, timeout=WAIT_MS):
        QTest.mouseClick(panel.sync_button, Qt.MouseButton.LeftButton)
    assert panel.running()
    assert not panel.sync_button.isEnabled()
    assert panel.progress.isVisible()
    with qtbot.waitSignal(panel.sync_failed, timeout=STALLED_MS) as caught:
        QTest.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
        assert panel.progress_label.text() == "Cancelling…"
        assert not panel.cancel_button.isEnabled()
    relay.release()  # the sync did not wait for the stalled network

    assert caught.args[0].problem is Problem.CANCELLED
    assert panel.message.text().startswith("Sync cancelled. Your library was not changed")
    assert panel.message.objectName() != "error"  # the person asked for it
    assert not panel.running()
    assert panel.sync_button.isEnabled()
    assert articles_shown(qtbot, window) == before

    outcome = sync(qtbot, panel)
    assert outcome.update.added == 5  # type: ignore[attr-defined]
    assert articles_shown(qtbot, window) == before + 5


def test_locking_during_a_sync_cancels_it_and_clears_the_panel(
    qtbot: QtBot, window: MainWindow, feed: Publication, relay_to: MakeRelay
) -> None:
    set_up(qtbot, window)
    before = articles_shown(qtbot, window)
    relay = relay_to(feed.nginx.port)
    mirror = relay.url(feed.served.prefix)
    panel = open_panel(qtbot, window)
    set_profile(qtbot, panel, feed.profile(mirror))
    answers: list[object] = []
    panel.sync_finished.connect(answers.append)
    panel.sync_failed.connect(answers.append)

    relay.hold()
    with qtbot.waitSignal(panel.progress_shown, timeout=WAIT_MS):
        QTest.mouseClick(panel.sync_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.locked, timeout=WAIT_MS):
        QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    assert not panel.isVisible()
    assert not panel.running()
    assert panel.status is None
    assert not panel.timer.isActive()
    for label in (panel.mirrors_label, panel.channels_label, panel.message, panel.details):
        assert label.text() == ""
    assert panel.pages.currentWidget() is panel.not_set_up_page
    assert not window.sync_action.isEnabled()
    # The network is still stalled: the sync stops at once all the same, then the library
    # closes (the key leaves memory) without waiting for the read to time out.
    qtbot.waitUntil(lambda: not window.worker.busy(), timeout=STALLED_MS)
    relay.release()
    assert answers == []  # a locked window shows nothing of it

    with qtbot.waitSignal(window.unlocked, timeout=WAIT_MS):
        window.unlock_panel.unlock_requested.emit(PASSPHRASE)
    wait_idle(qtbot, window)
    articles = window.sidebar.item(0)
    assert articles is not None
    assert articles.text().split() == ["Articles", str(before)]  # the library's own count
    assert panel.timer.isActive()
    panel = open_panel(qtbot, window)
    assert panel.mirrors_label.text() == mirror
    assert panel.last_sync_label.text() == "Never"
    assert panel.message.text() == ""


def test_reading_and_searching_go_on_while_a_sync_holds_the_library(
    qtbot: QtBot, window: MainWindow, feed: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the sync's transaction open (the library's write lock held), the window searches,
    opens what it finds and bookmarks it, from the library as it was; the new items appear
    once the sync commits."""
    set_up(qtbot, window)
    before = articles_shown(qtbot, window)
    panel = open_panel(qtbot, window)
    set_profile(qtbot, panel, feed.profile(feed.nginx.url(feed.served.prefix)))
    hold = ApplyHold().install(monkeypatch)
    QTest.mouseClick(panel.sync_button, Qt.MouseButton.LeftButton)
    try:
        qtbot.waitUntil(hold.reached.is_set, timeout=WAIT_MS)
        assert window.service is not None
        assert write_locked(window.service.library)

        window.activateWindow()
        QTest.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        with qtbot.waitSignal(window.results_shown, timeout=STALLED_MS):
            QTest.keyClicks(window.search_field, "Nicaragua")
        assert window.model.rowCount() > 0
        with qtbot.waitSignal(window.page_shown, timeout=STALLED_MS) as shown:
            QTest.keyClick(window.search_field, Qt.Key.Key_Return)
        item_id = shown.args[0]
        assert "Nicaragua" in window.reader.toPlainText()
        qtbot.waitUntil(window.bookmark_action.isEnabled, timeout=STALLED_MS)
        QTest.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(window.bookmark_button.isChecked, timeout=STALLED_MS)
        assert panel.running()  # all of it while the sync still held the library
        assert write_locked(window.service.library)
    finally:
        with qtbot.waitSignal(panel.sync_finished, timeout=WAIT_MS):
            hold.release()
    assert window.service.open(item_id).bookmarked
    window.search_field.clear()
    assert articles_shown(qtbot, window) == before + 5


def test_a_note_typed_while_a_sync_holds_the_library_survives_a_forced_close(
    tmp_path: Path, feed: Publication
) -> None:
    """The sync holds the library's write lock (its transaction is open, held still in the
    child); the note is saved all the same, within the second, and the kill loses nothing of
    it."""
    profile = feed.profile(feed.nginx.url(feed.served.prefix))
    data_dir = tmp_path / "library"
    saved_part = "Checkpoint on the north road moved to the bridge"
    with subprocess.Popen(
        [sys.executable, str(CHILD), str(data_dir), saved_part, " since Monday", str(profile)],
        env=child_env(tmp_path),
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            lines = run_until(proc, "typed")
        finally:
            proc.kill()
            proc.wait()
    assert lines == [
        "syncing, library locked: True",
        "still syncing, library locked: True",
        "typed",
    ]
    (note,) = stored_notes(data_dir)
    assert note.body.startswith(saved_part)
    with open_library(data_dir, PASSPHRASE) as library:
        assert library.content.count(ItemFilter(kind="article")) == 0  # the sync never ended


# Automatic sync


class States:
    """What the routing tables say at each look (a network cannot be unplugged here)."""

    def __init__(self, *states: Connectivity) -> None:
        self.states = list(states)

    def __call__(self) -> Connectivity:
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]


def test_auto_sync_starts_when_a_connection_appears_only_if_turned_on(
    qtbot: QtBot, window: MainWindow, feed: Publication
) -> None:
    set_up(qtbot, window)
    before = articles_shown(qtbot, window)
    panel = open_panel(qtbot, window)
    set_profile(qtbot, panel, feed.profile())
    assert panel.timer.isActive()
    assert panel.timer.interval() == 30_000
    assert not panel.auto_sync.isChecked()

    # Off: a connection appearing starts nothing, and nothing is sent.
    mark = feed.nginx.mark()
    panel.watch = ConnectionWatch(States("offline", "online"))
    panel.watch.reset()
    assert panel.check_connection() is False
    assert feed.nginx.since(mark) == []

    QTest.mouseClick(panel.auto_sync, Qt.MouseButton.LeftButton)
    assert window.settings.auto_sync
    wait_idle(qtbot, window)
    service = window.service
    assert service is not None
    assert service.settings().auto_sync  # kept in the library (tests may read it directly)

    # On, and already online: nothing appears, nothing starts.
    panel.watch = ConnectionWatch(States("online"))
    panel.watch.reset()
    assert panel.check_connection() is False
    # On, offline then online: a sync starts by itself and brings the news.
    panel.watch = ConnectionWatch(States("offline", "online"))
    panel.watch.reset()
    with qtbot.waitSignal(panel.sync_finished, timeout=WAIT_MS):
        assert panel.check_connection() is True
    assert articles_shown(qtbot, window) == before + 5


def locked_with_a_profile(qtbot: QtBot, window: MainWindow, feed: Publication) -> SyncPanel:
    """A library set up to sync from ``feed``, locked, its panel closed."""
    set_up(qtbot, window)
    panel = open_panel(qtbot, window)
    set_profile(qtbot, panel, feed.profile())
    panel.hide()
    window.lock()
    wait_idle(qtbot, window)
    return panel


def test_after_an_unlock_the_status_is_read_once_the_list_is_shown(
    qtbot: QtBot, window: MainWindow, feed: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unlocked window's list comes first; the sync status (which loads the sync code)
    right after it, without the panel being opened."""
    panel = locked_with_a_profile(qtbot, window, feed)
    assert panel.status is None
    calls: list[str] = []
    for name in ("list_items", "sync_status"):
        real = getattr(ReaderService, name)

        def counted(
            self: ReaderService,
            *args: object,
            _name: str = name,
            _real: Callable[..., object] = real,
            **kwargs: object,
        ) -> object:
            calls.append(_name)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(ReaderService, name, counted)
    window.results_shown.connect(lambda _count: calls.append("shown"))
    with qtbot.waitSignal(window.results_shown, timeout=WAIT_MS):
        window.unlock_panel.unlock_requested.emit(PASSPHRASE)
    qtbot.waitUntil(lambda: panel.status is not None, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    assert calls[:3] == ["list_items", "shown", "sync_status"]
    assert calls.count("sync_status") == 1
    assert panel.status is not None
    assert panel.status.configured
    assert not panel.isVisible()


def test_the_status_is_read_even_when_the_first_list_fails(
    qtbot: QtBot, window: MainWindow, feed: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = locked_with_a_profile(qtbot, window, feed)

    def broken(self: ReaderService, *args: object, **kwargs: object) -> object:
        raise StoreError("The library could not be read.")

    monkeypatch.setattr(ReaderService, "list_items", broken)
    with qtbot.waitSignal(window.unlocked, timeout=WAIT_MS):
        window.unlock_panel.unlock_requested.emit(PASSPHRASE)
    qtbot.waitUntil(lambda: panel.status is not None, timeout=WAIT_MS)
    assert panel.status is not None
    assert panel.status.configured


def test_auto_sync_survives_a_lock_and_is_explained_where_it_cannot_work(
    qtbot: QtBot, window: MainWindow
) -> None:
    set_up(qtbot, window)
    panel = open_panel(qtbot, window)
    assert "sends nothing until a connection appears" in panel.auto_note.text()
    panel.auto_sync.setChecked(True)
    wait_idle(qtbot, window)
    window.lock()
    wait_idle(qtbot, window)
    with qtbot.waitSignal(window.unlocked, timeout=WAIT_MS):
        window.unlock_panel.unlock_requested.emit(PASSPHRASE)
    assert window.settings.auto_sync

    panel.watch = ConnectionWatch(States("unknown"))
    panel.hide()
    panel.watch.reset()
    with qtbot.waitSignal(panel.status_shown, timeout=WAIT_MS):
        panel.open_panel()
    assert panel.auto_sync.isChecked()
    assert "automatic sync cannot start here" in panel.auto_note.text()
    assert panel.check_connection() is False

    # Turned off in the settings dialog: the panel's switch follows.
    window.use_settings(dataclasses.replace(window.settings, auto_sync=False))
    assert not panel.auto_sync.isChecked()


# Words


@pytest.mark.parametrize("problem", list(Problem))
def test_the_panel_says_the_same_sentences_as_the_core(
    qtbot: QtBot, window: MainWindow, problem: Problem
) -> None:
    message = SyncMessage(problem, ("a reason.",))
    assert window.sync_panel.message_text(message) == message.text
    assert SENTENCES[problem]
