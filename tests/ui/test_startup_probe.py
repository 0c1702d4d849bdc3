"""``fieldreader --startup-probe``: the real window starts, reports each screen once it is
painted, and quits, including when the unlock cannot succeed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from factories import FAST_KDF, PASSPHRASE
from fieldreader.sample import import_sample
from fieldreader.store import create_library, library_exists
from fieldreader.ui import startup_probe

EVENT = re.compile(r"^(shown|unlocked|the unlock failed|no library to unlock in this folder) "
                   r"\d+\.\d{3}$")  # fmt: skip


@pytest.fixture
def library(tmp_path: Path) -> Path:
    data_dir = tmp_path / "library"
    with create_library(data_dir, PASSPHRASE, FAST_KDF) as opened:
        import_sample(opened)
    return data_dir


def events(capsys: pytest.CaptureFixture[str]) -> list[str]:
    lines = capsys.readouterr().out.splitlines()
    assert all(EVENT.match(line) for line in lines), lines
    return [line.rsplit(" ", 1)[0] for line in lines]


def test_unlock_reports_both_screens(
    qtbot: QtBot, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert startup_probe.run_probe(library, PASSPHRASE) == startup_probe.EXIT_OK
    assert events(capsys) == ["shown", "unlocked"]


def test_without_a_passphrase_it_stops_at_the_first_screen(
    qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert startup_probe.run_probe(tmp_path / "new", None) == startup_probe.EXIT_OK
    assert events(capsys) == ["shown"]
    assert not (tmp_path / "new").exists(), "the first-run screen creates nothing by itself"


def test_a_wrong_passphrase_fails_and_leaves_the_library(
    qtbot: QtBot, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert startup_probe.run_probe(library, "not " + PASSPHRASE) == startup_probe.EXIT_FAILED
    assert events(capsys) == ["shown", "the unlock failed"]
    assert library_exists(library)


def test_a_passphrase_without_a_library_fails(
    qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert startup_probe.run_probe(tmp_path / "none", PASSPHRASE) == startup_probe.EXIT_FAILED
    assert events(capsys) == ["shown", "no library to unlock in this folder"]


@pytest.mark.parametrize("content", [None, "", "\n"])
def test_a_missing_or_empty_passphrase_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None
) -> None:
    passphrase_file = tmp_path / "passphrase"
    if content is not None:
        passphrase_file.write_text(content, encoding="utf-8")

    code = startup_probe.main(["--passphrase-file", str(passphrase_file)])

    assert code == startup_probe.EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "passphrase file" in captured.err
