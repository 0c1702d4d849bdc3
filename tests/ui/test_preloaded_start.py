"""The first start of a trainer's build: "Import the library your trainer prepared"."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from factories import FAST_KDF, PASSPHRASE
from fieldreader.provisioning import PRELOAD_NAME, PROFILE_NAME, Provisioning, find_provisioning
from fieldreader.ui.main_window import MainWindow
from provisionkit import PUBLIC_ARTICLES, TrainerKit, make_kit, profile_text, write_profile
from ui.conftest import WAIT_MS, wait_idle

MakeWindow = Callable[[Provisioning | None], MainWindow]


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> TrainerKit:
    return make_kit(tmp_path_factory.mktemp("kit"))


def provisioned(tmp_path: Path, kit: TrainerKit, preload: bytes | None = None) -> Provisioning:
    app = tmp_path / "app"
    write_profile(app, kit, profile_text(), name=PROFILE_NAME)
    if preload is None:
        shutil.copy(kit.bundle, app / PRELOAD_NAME)
    else:
        (app / PRELOAD_NAME).write_bytes(preload)
    found = find_provisioning(app)
    assert found is not None
    return found


@pytest.fixture
def make_window(qtbot: QtBot, data_dir: Path) -> Iterator[MakeWindow]:
    made: list[MainWindow] = []

    def make(provisioning: Provisioning | None) -> MainWindow:
        win = MainWindow(data_dir, kdf=FAST_KDF, provisioning=provisioning)
        qtbot.addWidget(win)
        win.show()
        win.start()
        made.append(win)
        return win

    yield make
    for win in made:
        win.close()


def fill_and_create(win: MainWindow) -> None:
    panel = win.first_run
    QTest.keyClicks(panel.passphrase, PASSPHRASE)
    QTest.keyClicks(panel.repeat, PASSPHRASE)
    QTest.mouseClick(panel.button, Qt.MouseButton.LeftButton)


def test_a_plain_copy_offers_no_preload(make_window: MakeWindow) -> None:
    win = make_window(None)
    assert not win.first_run.start_preloaded.isEnabled()
    assert win.first_run.start_sample.isChecked()


def test_the_preload_is_offered_first_and_imported(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path, kit: TrainerKit
) -> None:
    win = make_window(provisioned(tmp_path, kit))
    panel = win.first_run
    assert panel.start_preloaded.isEnabled()
    assert panel.start_preloaded.isChecked()
    assert panel.start_preloaded.accessibleName() or panel.start_preloaded.text()
    win.grab().save(str(tmp_path / "first-run-preloaded.png"))
    with qtbot.waitSignal(win.unlocked, timeout=WAIT_MS):
        fill_and_create(win)
    wait_idle(qtbot, win)
    assert win.stack.currentWidget() is win.library_page
    assert win.model.rowCount() == len(PUBLIC_ARTICLES) + 1  # and the restricted one
    assert win.settings.idle_lock_minutes == 9  # the profile's auto-lock
    assert win.windowTitle() == "fieldreader"
    win.grab().save(str(tmp_path / "library-preloaded.png"))
    # The trainer's files are gone from the app folder, and that needs no word to the person.
    assert not {PROFILE_NAME, PRELOAD_NAME, "root.json"} & {
        p.name for p in (tmp_path / "app").iterdir()
    }
    assert win.trainer_files_notice is None


def test_a_preload_that_fails_verification_is_said_plainly(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path, kit: TrainerKit
) -> None:
    data = bytearray(kit.bundle.read_bytes())
    data[-200] ^= 1
    win = make_window(provisioned(tmp_path, kit, bytes(data)))
    fill_and_create(win)
    qtbot.waitUntil(lambda: bool(win.first_run.message.text()), timeout=WAIT_MS)
    assert "signature that does not verify" in win.first_run.message.text()
    assert win.is_locked()
    assert not win.first_run.progress.isVisible()


def test_files_that_cannot_be_removed_are_named_after_the_library_opens(
    qtbot: QtBot,
    make_window: MakeWindow,
    tmp_path: Path,
    kit: TrainerKit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provisioning = provisioned(tmp_path, kit)
    unlink = Path.unlink

    def refused(path: Path, missing_ok: bool = False) -> None:
        # As on a folder the person may not change (chmod cannot show it to root).
        if path.parent == provisioning.app_dir:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refused)
    win = make_window(provisioning)
    with qtbot.waitSignal(win.unlocked, timeout=WAIT_MS):
        fill_and_create(win)
    wait_idle(qtbot, win)
    assert win.model.rowCount() == len(PUBLIC_ARTICLES) + 1  # the library works all the same
    notice = win.trainer_files_notice
    assert notice is not None
    qtbot.waitUntil(notice.isVisible, timeout=WAIT_MS)
    assert notice.accessibleName()
    assert f"{PRELOAD_NAME}, {PROFILE_NAME}, root.json" in notice.text()
    assert "Delete them" in notice.informativeText()
    assert notice.windowTitle() == "fieldreader"
    win.grab().save(str(tmp_path / "trainer-files-left.png"))
    notice.grab().save(str(tmp_path / "trainer-files-notice.png"))
    notice.accept()
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=WAIT_MS)
    # A later unlock says nothing more: only the first start removes anything.
    win.lock()
    wait_idle(qtbot, win)
    win.unlock_panel.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(win.unlocked, timeout=WAIT_MS):
        win.unlock_panel.button.click()
    wait_idle(qtbot, win)
    assert win.service is not None
    assert win.service.trainer_files is None
