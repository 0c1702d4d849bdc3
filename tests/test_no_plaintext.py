"""Nothing readable outside the encrypted database, after a real session of CLI use.

The CLI runs in child processes whose HOME, TMPDIR and XDG folders all point inside the test's
own folder, so any file any of them writes (caches, temp files, logs, journals) is scanned.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CANARY_NOTE = "zqxcanarynote5519"
#: Distinctive text from the shipped sample library (content, not notes).
CONTENT_PROBES = ("CIVICUS", "Johannesburg", "Nicaragua")


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fieldreader", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def scan(root: Path, needles: list[bytes]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path}: {n!r}" for n in needles if n in data]
    return hits


def test_no_plaintext_anywhere_after_a_session(tmp_path: Path) -> None:
    home, tmp, data = tmp_path / "home", tmp_path / "tmp", tmp_path / "data"
    for folder in (home, tmp):
        folder.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "FIELDREADER_DATA_DIR": str(data),
        "FIELDREADER_PASSPHRASE": "canary passphrase 42",
        "FIELDREADER_NEW_PASSPHRASE": "canary passphrase 43",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    steps = [
        ["init"],
        ["load-sample"],
        ["search", "civicus"],
        ["search", "Johannesburg", "--kind", "contact"],
        ["list", "--kind", "article"],
        ["note", "add", f"private observation {CANARY_NOTE}"],
        ["note", "list"],
        ["passwd"],
    ]
    for step in steps:
        if step == ["note", "list"]:
            env["FIELDREADER_PASSPHRASE"] = "canary passphrase 42"
        result = run_cli(env, *step)
        assert result.returncode == 0, (step, result.stderr)
    env["FIELDREADER_PASSPHRASE"] = "canary passphrase 43"
    listed = run_cli(env, "note", "list")
    assert CANARY_NOTE in listed.stdout

    needles = [CANARY_NOTE.encode(), CANARY_NOTE.encode("utf-16-le"), b"canary passphrase"]
    needles += [p.encode() for p in CONTENT_PROBES]
    assert scan(tmp_path, needles) == []
    # Control: the scan does find what it looks for.
    (tmp / "control").write_bytes(b"x" + CANARY_NOTE.encode("utf-16-le"))
    assert len(scan(tmp_path, needles)) == 1
    allowed = {"library.db", "library.db-shm", "library.db-wal", "library.keys"}
    allowed |= {"staging.db", "staging.db-shm", "staging.db-wal"}
    allowed |= {"userdata.db", "userdata.db-shm", "userdata.db-wal"}
    assert {p.name for p in data.iterdir()} <= allowed
