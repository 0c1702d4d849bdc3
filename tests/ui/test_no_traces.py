"""After a whole desktop session, nothing outside the library's own files holds its content.

The session (``ui_session.py``) runs in a child process whose HOME, TMPDIR and XDG folders all
point inside the test's folder, so whatever Qt or anything else writes there (a settings file,
caches, temporary files) is found and scanned, as the command line's test does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from factories import FAST_KDF

PASSPHRASE = "canary passphrase 7713"
NEW_PASSPHRASE = "canary passphrase 7714"
#: Distinctive text of the shipped sample library that the session shows on screen.
CONTENT_PROBES = ("CIVICUS", "Johannesburg", "Nicaragua")
LIBRARY_FILES = {
    "library.keys",
    "library.db",
    "library.db-wal",
    "library.db-shm",
    "library.attempts",
    "staging.db",
    "staging.db-wal",
    "staging.db-shm",
    "userdata.db",
    "userdata.db-wal",
    "userdata.db-shm",
}


def needles(texts: list[str]) -> list[bytes]:
    """Each text as UTF-8 and as UTF-16 (Qt's own string encoding)."""
    found = []
    for text in texts:
        found += [text.encode(), text.encode("utf-16-le"), text.encode("utf-16-be")]
    return found


def scan(root: Path, wanted: list[bytes]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            hits += [f"{path}: {n!r}" for n in wanted if n in data]
    return hits


def test_a_desktop_session_leaves_no_content_outside_the_library(tmp_path: Path) -> None:
    assert FAST_KDF.opslimit == 1  # the session derives keys at the tests' cost
    home, tmp, data = tmp_path / "home", tmp_path / "tmp", tmp_path / "data"
    for folder in (home, tmp):
        folder.mkdir()
    config, cache, share = home / ".config", home / ".cache", home / ".local/share"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "XDG_CONFIG_HOME": str(config),
        "XDG_CACHE_HOME": str(cache),
        "XDG_DATA_HOME": str(share),
        "XDG_RUNTIME_DIR": str(tmp),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    script = Path(__file__).with_name("ui_session.py")
    result = subprocess.run(
        [sys.executable, str(script), str(data), PASSPHRASE, NEW_PASSPHRASE],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard only
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["rows"] > 5
    assert seen["hits"] > 0
    assert seen["copied"]
    assert seen["old_refused"]
    assert seen["unlocked"]
    assert seen["idle_minutes"] == 7
    assert seen["title"] == "fieldreader"
    titles = [t for t in seen["titles"] if t]
    assert len(titles) == 5

    # Content (what was on screen, and the sample's distinctive words) and passphrases.
    wanted = needles([*titles, *CONTENT_PROBES, "canary passphrase"])
    assert scan(tmp_path, wanted) == []
    # Control: the scan finds what it looks for, in either encoding.
    control = cache / "control"
    control.parent.mkdir(parents=True, exist_ok=True)
    control.write_bytes(b"x" + titles[0].encode("utf-16-le"))
    assert len(scan(tmp_path, wanted)) == 1
    control.unlink()

    assert {p.name for p in data.iterdir()} <= LIBRARY_FILES
    # Nothing identifying either: no settings file (QSettings writes
    # $XDG_CONFIG_HOME/fieldreader.conf or an organisation folder) and nothing named for the
    # app anywhere in the home or temporary folders.
    configured = [p for p in config.rglob("*") if p.is_file()] if config.exists() else []
    assert configured == []
    named = [p for p in (*home.rglob("*"), *tmp.rglob("*")) if "fieldreader" in p.name.lower()]
    assert named == []
