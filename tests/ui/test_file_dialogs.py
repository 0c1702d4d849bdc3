"""Qt's own file dialog, as the reader uses it, leaves no record of where files were saved."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = """
import sys
from pathlib import Path
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog
from fieldreader.ui.file_dialogs import ask_save_path

app = QApplication([])
target = Path(sys.argv[1])

def accept() -> None:
    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, QFileDialog):
        dialog.accept()
    else:
        QTimer.singleShot(10, accept)

QTimer.singleShot(0, accept)
chosen = ask_save_path(None, "Save", target.name, "Markdown files (*.md)")
# The dialog writes its settings when deleted, which deleteLater() leaves to the event loop.
QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
print(chosen)
"""


@pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="Qt keeps these settings outside files there"
)
def test_the_save_dialog_writes_no_history(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run = tmp_path / "run"
    home.mkdir()
    run.mkdir(mode=0o700)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "TMPDIR": str(tmp_path),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_RUNTIME_DIR": str(run),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    target = home / "exported-notes.md"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(target)
    written = [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()]
    assert written == []
