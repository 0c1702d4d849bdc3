"""The packaged app's one program: the desktop reader without a command, the command line with
one. Run as the packaged app runs it, in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE
from fieldreader import __version__
from fieldreader.launcher import wants_desktop
from fieldreader.store import create_library


@pytest.mark.parametrize(
    ("argv", "desktop"),
    [
        ([], True),
        (["--data-dir", "lib"], True),
        (["--data-dir=lib", "--language", "ar"], True),
        (["--language=ar"], True),
        (["--data-dir"], True),  # the reader's own parser says the value is missing
        (["--version"], False),
        (["--self-test"], False),
        (["-h"], False),
        (["list"], False),
        (["--data-dir", "lib", "list"], False),
        (["--data-dir", "lib", "--passphrase-file", "p", "status"], False),
        (["--language", "ar", "--verbose"], False),
    ],
)
def test_what_opens_the_desktop_reader(argv: list[str], desktop: bool) -> None:
    assert wants_desktop(argv) is desktop


def launch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fieldreader.launcher", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_version_is_the_command_line() -> None:
    result = launch("--version")

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"fieldreader {__version__}\n"


def test_a_command_runs_on_the_command_line(tmp_path: Path) -> None:
    create_library(tmp_path / "lib", PASSPHRASE, FAST_KDF).close()
    passphrase = tmp_path / "passphrase"
    passphrase.write_text(PASSPHRASE + "\n", encoding="utf-8")

    result = launch(
        "--data-dir", str(tmp_path / "lib"), "--passphrase-file", str(passphrase), "status"
    )

    assert result.returncode == 0, result.stderr
    assert f"Library: {tmp_path / 'lib'}" in result.stdout


def test_a_wrong_command_gets_the_command_line_usage_error() -> None:
    result = launch("--data-dir", "lib", "read-everything")

    assert result.returncode == 2
    assert "invalid choice: 'read-everything'" in result.stderr


def test_the_startup_probe_opens_the_desktop_reader(tmp_path: Path) -> None:
    result = launch(
        "--startup-probe", "--data-dir", str(tmp_path / "new"), env={"QT_QPA_PLATFORM": "offscreen"}
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("shown ")
