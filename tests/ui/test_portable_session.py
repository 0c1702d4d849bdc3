"""Portable mode: a whole desktop session of a trainer's build leaves the home folder empty.

The session (``portable_session.py``) runs as its own process with HOME pointing at an empty
folder and none of the XDG or temporary-folder variables set, so every per-user default of
Python, Qt and fontconfig would land in that HOME; the app folder holds the build's profile,
preload and ``portable`` marker. Afterwards HOME must still be empty, what was written is in the
app folder's ``fieldreader-data``, and the profile and preload are gone from the app folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fieldreader.provisioning import (
    APP_DIR_ENV,
    PORTABLE_DATA_NAME,
    PORTABLE_MARKER,
    PRELOAD_NAME,
    PROFILE_NAME,
)
from provisionkit import (
    APP_EXECUTABLE,
    PUBLIC_ARTICLES,
    TrainerKit,
    fake_app,
    files_holding,
    make_kit,
    profile_text,
    secrets_of,
    write_profile,
)

SESSION = Path(__file__).with_name("portable_session.py")
LIBRARY_FILES = {"library.keys", "library.db", "library.db-wal", "library.db-shm"}


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> TrainerKit:
    return make_kit(tmp_path_factory.mktemp("kit"))


def run_session(app: Path, home: Path) -> dict[str, object]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        APP_DIR_ENV: str(app),
    }
    result = subprocess.run(
        [sys.executable, str(SESSION)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard only
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen


def test_a_portable_session_writes_nothing_to_the_home_folder(
    tmp_path: Path, kit: TrainerKit
) -> None:
    app = fake_app(tmp_path / "stick" / "fieldreader")
    write_profile(app, kit, profile_text(portable=True), name=PROFILE_NAME)
    shutil.copy(kit.bundle, app / PRELOAD_NAME)
    (app / PORTABLE_MARKER).write_text("", encoding="utf-8")
    shipped = {p.name for p in app.iterdir()}
    home = tmp_path / "home"
    home.mkdir()

    seen = run_session(app, home)

    assert seen["offered"] is True
    assert seen["message"] == ""
    assert seen["rows"] == len(PUBLIC_ARTICLES) + 1
    assert seen["hits"] == len(PUBLIC_ARTICLES)
    assert seen["unlocked"] is True
    assert seen["idle_minutes"] == 9
    assert list(home.rglob("*")) == []

    data = app.resolve() / PORTABLE_DATA_NAME
    assert seen["data_dir"] == str(data)
    # The trainer's files went once the library held them; nothing on the stick shows the
    # preloaded content or the channel key.
    trainers = {PROFILE_NAME, PRELOAD_NAME, "root.json"}
    assert {p.name for p in app.iterdir()} == (shipped - trainers) | {PORTABLE_DATA_NAME}
    assert files_holding([app], secrets_of(kit)) == []
    assert LIBRARY_FILES & {p.name for p in data.iterdir()} >= {"library.keys", "library.db"}
    # Where Python and Qt would write temporary files, caches, settings and data: all inside.
    paths = seen["paths"]
    assert isinstance(paths, list)
    for path in paths:
        assert Path(path).is_relative_to(data), path


def test_the_control_without_the_marker_uses_the_home_folder(
    tmp_path: Path, kit: TrainerKit
) -> None:
    """The same session without ``portable``: the library goes to HOME, as for any install,
    which shows the test above would see a file written there."""
    app = fake_app(tmp_path / "installed")
    write_profile(app, kit, profile_text(), name=PROFILE_NAME)
    shutil.copy(kit.bundle, app / PRELOAD_NAME)
    home = tmp_path / "home"
    home.mkdir()
    seen = run_session(app, home)
    assert seen["rows"] == len(PUBLIC_ARTICLES) + 1
    written = [p for p in home.rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"library.keys", "library.db"}
    paths = seen["paths"]
    assert isinstance(paths, list)
    assert any(Path(p).is_relative_to(home) for p in paths)
    assert not (app / PORTABLE_DATA_NAME).exists()
    assert (app / APP_EXECUTABLE).is_file()
