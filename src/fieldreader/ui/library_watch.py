"""Noticing that the library was erased by something other than this window.

Qt has no system-wide hotkeys, so a desktop-wide panic key has to be a desktop keyboard shortcut
that runs ``fieldreader wipe --yes`` (see :mod:`fieldreader.ui.protection`). That destroys the
library on disk, but a window already open on it would go on showing the article in front of
the person who pressed the key. So the window watches the library's folder and its key slots
file, and reacts as soon as the key slots are gone or overwritten: the wipe destroys them first,
so the window hears of it before the rest of the wipe has even finished.

The file system tells the window (inotify, ReadDirectoryChangesW, FSEvents); nothing is polled.
The window's own writes wake the watch too (the failed-unlock counter, a new passphrase): each
wake reads the key slots again, and only key slots that are missing or no longer well formed
count as an erasure. Replacing them the store's way (a complete new file renamed over the old)
never leaves either state on disk. A read that fails for another reason (on Windows, a file
being renamed cannot be opened) decides nothing: the next notice reads again.
"""

from __future__ import annotations

from PySide6.QtCore import QFileSystemWatcher, QObject, Signal

from fieldreader.store import LibraryPaths, keyslots
from fieldreader.store.errors import StoreError


class LibraryWatch(QObject):
    """Watches one library folder.

    Signals:
        erased: the key slots, there a moment ago, are missing or damaged. Said once until
            :meth:`rearm` finds them whole again.
    """

    erased = Signal()

    def __init__(self, paths: LibraryPaths, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._paths = paths
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._changed)
        self._watcher.fileChanged.connect(self._changed)
        self._armed = False

    def rearm(self) -> None:
        """Watch from now on if there is a whole library to watch (after an unlock or a new
        library), and stop watching a folder that has none."""
        self._armed = True
        self._watch()  # before the look, so that a change right after it is heard
        self._armed = slots_intact(self._paths) is not False
        if not self._armed:
            self._unwatch()

    def watching(self) -> bool:
        return self._armed

    def _watch(self) -> None:
        """Watch the folder, and the key slots file as it is now: a file replaced by a rename
        is a new file, and a watch left on the old one would hear nothing more. The folder's
        watch stays in place, so nothing done to the folder meanwhile goes unheard."""
        folder, slots = str(self._paths.root), str(self._paths.keyslots)
        if folder not in self._watcher.directories() and self._paths.root.is_dir():
            self._watcher.addPath(folder)
        if slots in self._watcher.files():
            self._watcher.removePath(slots)
        if self._paths.keyslots.exists():
            self._watcher.addPath(slots)

    def _unwatch(self) -> None:
        watched = self._watcher.files() + self._watcher.directories()
        if watched:
            self._watcher.removePaths(watched)

    def _changed(self, _path: str) -> None:
        if not self._armed:
            return
        self._watch()  # first, so that what happens while looking is heard too
        if slots_intact(self._paths) is not False:
            return
        self._armed = False
        self._unwatch()
        self.erased.emit()


def slots_intact(paths: LibraryPaths) -> bool | None:
    """True when the key slots file is there and well formed (whether a passphrase opens it is
    not asked: that needs the passphrase), False when it is missing or damaged, None when it
    could not be read for another reason (it says nothing either way)."""
    try:
        if paths.keyslots.stat().st_size > keyslots.MAX_FILE_BYTES:
            return False
        keyslots.decode(paths.keyslots.read_bytes())
    except FileNotFoundError:
        return False
    except StoreError:
        return False
    except OSError:
        return None
    return True
