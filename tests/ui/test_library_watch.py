"""The watch on a library's key slots, alone: what counts as an erase and what does not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QFileSystemWatcher
from pytestqt.qtbot import QtBot

from factories import FAST_KDF, PASSPHRASE
from fieldreader.fsutil import overwrite
from fieldreader.store import LibraryPaths, change_passphrase, create_library
from fieldreader.ui.library_watch import LibraryWatch, slots_intact
from ui.conftest import WAIT_MS


@pytest.fixture
def paths(tmp_path: Path) -> LibraryPaths:
    create_library(tmp_path / "library", PASSPHRASE, FAST_KDF).close()
    return LibraryPaths(tmp_path / "library")


@pytest.fixture
def watch(qtbot: QtBot, paths: LibraryPaths) -> Iterator[LibraryWatch]:
    watch = LibraryWatch(paths)
    watch.rearm()
    assert watch.watching()
    yield watch
    watch.deleteLater()


def file_watcher(watch: LibraryWatch) -> QFileSystemWatcher:
    found = watch.findChild(QFileSystemWatcher)
    assert found is not None
    return found


def test_key_slots_replaced_again_and_again_are_still_followed(
    qtbot: QtBot, watch: LibraryWatch, paths: LibraryPaths
) -> None:
    """Each change of passphrase puts a new file in place: an overwrite of the newest one,
    which only a watch on that very file hears, is still an erase."""
    passphrase = PASSPHRASE
    for number in range(3):
        new = f"passphrase number {number} for the test"
        with qtbot.waitSignal(file_watcher(watch).directoryChanged, timeout=WAIT_MS):
            change_passphrase(paths.root, passphrase, new, FAST_KDF)
        passphrase = new
    assert watch.watching()
    with qtbot.waitSignal(watch.erased, timeout=WAIT_MS):
        overwrite(paths.keyslots)
    assert not watch.watching()


def test_key_slots_that_cannot_be_read_for_now_are_not_an_erase(
    qtbot: QtBot, watch: LibraryWatch, paths: LibraryPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows a file being renamed cannot be opened: that says nothing about an erase."""
    erased: list[bool] = []
    watch.erased.connect(lambda: erased.append(True))
    read_bytes = Path.read_bytes

    def busy(self: Path) -> bytes:
        if self == paths.keyslots:
            raise PermissionError(13, "The file is being used by another process")
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", busy)
    assert slots_intact(paths) is None
    data = read_bytes(paths.keyslots)
    with (
        qtbot.waitSignal(file_watcher(watch).fileChanged, timeout=WAIT_MS),
        paths.keyslots.open("r+b") as f,
    ):
        f.write(data)  # the same bytes: a change the watch hears, not an erase
    assert erased == []
    assert watch.watching()
    monkeypatch.undo()
    with qtbot.waitSignal(watch.erased, timeout=WAIT_MS):
        overwrite(paths.keyslots)


def test_rearming_over_erased_key_slots_does_not_watch(qtbot: QtBot, paths: LibraryPaths) -> None:
    """What the window reads after an unlock: an erase just before it re-armed is not lost."""
    watch = LibraryWatch(paths)
    overwrite(paths.keyslots)
    watch.rearm()
    assert not watch.watching()
    paths.keyslots.unlink()
    watch.rearm()
    assert not watch.watching()
    watch.deleteLater()
