"""scripts/screenshots.py: says what to install when Xvfb is missing, and otherwise writes a
PNG of every screen from the real app on a private X server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "screenshots.py"
SCREENS = (
    "first-run",
    "unlock",
    "library",
    "article-en",
    "article-ar",
    "search",
    "notes",
    "contact",
)


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_without_xvfb_it_names_the_packages_and_writes_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path / "empty")}
    result = run("--out", str(tmp_path / "shots"), env=env)
    assert result.returncode == 2
    assert "apt-get install xvfb" in result.stderr
    assert not (tmp_path / "shots").exists()


def test_a_bad_size_is_refused(tmp_path: Path) -> None:
    result = run("--size", "huge", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "--size" in result.stderr


@pytest.mark.slow
def test_writes_every_screen(tmp_path: Path) -> None:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    result = run("--language", "en", "--size", "1024x700", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Xvfb stopped" in result.stderr
    for name in SCREENS:
        image = QImage(str(tmp_path / "en" / f"{name}.png"))
        assert not image.isNull(), name
        assert (image.width(), image.height()) == (1024, 700), name
