"""Choosing where to write a file without leaving a record of it behind.

Native file dialogs add what they open or save to the desktop's "recent files", so ours are
always Qt's own (``DontUseNativeDialog``). Qt's own dialog, in turn, writes its history and
last folder to a ``QtProject`` settings file when it is destroyed, whatever the options. Before
showing one we point Qt's per-user settings at a place that cannot be written, so that record
is never made. That works where Qt keeps those settings in files (Linux and the BSDs); on
Windows and macOS they go to the registry and the preferences system, which Qt cannot redirect.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

_NOWHERE = "/dev/null"
"""Not a folder: Qt cannot create a settings file under it and silently writes nothing."""


def keep_qt_settings_off_disk() -> None:
    """Make Qt's per-user settings unwritable for the rest of the process (the reader keeps its
    own settings inside the encrypted library and never uses Qt's)."""
    if sys.platform not in ("win32", "darwin"):
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, _NOWHERE)


def ask_save_path(
    parent: QWidget, caption: str, suggested_name: str, name_filter: str
) -> Path | None:
    """Ask where to save; None if the reader cancelled.

    Qt's dialog asks before replacing an existing file, so a path that exists when this returns
    is one the reader agreed to overwrite.
    """
    keep_qt_settings_off_disk()
    dialog = QFileDialog(parent, caption, str(Path.home()), name_filter)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.selectFile(suggested_name)
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted.value:
            return None
        chosen = dialog.selectedFiles()
        return Path(chosen[0]) if chosen else None
    finally:
        dialog.deleteLater()


__all__ = ["ask_save_path", "keep_qt_settings_off_disk"]
