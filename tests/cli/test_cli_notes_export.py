"""`note export` and `note import`, driven in-process like the other command-line tests."""

from __future__ import annotations

import io
import json
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE
from fieldreader.cli import run

NOTES_PASSPHRASE = "the notes file's own passphrase"


@dataclass
class Result:
    code: int
    out: str
    err: str


def cli(data_dir: Path, *args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = run(
        ["--data-dir", str(data_dir), *args],
        stdin=io.StringIO(""),
        stdout=out,
        stderr=err,
        kdf=FAST_KDF,
    )
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def library_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FIELDREADER_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("FIELDREADER_NOTES_PASSPHRASE", raising=False)
    data_dir = tmp_path / "lib"
    assert cli(data_dir, "init").code == 0
    assert cli(data_dir, "load-sample").code == 0
    item_id = "civicus-nicaragua-mission-en"
    assert (
        cli(data_dir, "note", "add", "--item", item_id, "--quote", "Nicaragua", "quoted").code == 0
    )
    assert cli(data_dir, "note", "add", "A free note").code == 0
    return data_dir


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "notes-pass.txt"
    path.write_text(NOTES_PASSPHRASE + "\n")
    return path


def test_markdown_export_warns_that_it_is_not_encrypted(library_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "notes.md"
    result = cli(library_dir, "note", "export", str(out), "--markdown")
    assert result.code == 0, result.err
    assert "NOT encrypted" in result.err
    assert "Exported 2 notes" in result.out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text(encoding="utf-8")
    assert "> Nicaragua" in text
    assert "A free note" in text
    again = cli(library_dir, "note", "export", str(out), "--markdown")
    assert again.code == 1
    assert "already exists" in again.err
    assert cli(library_dir, "note", "export", str(out), "--markdown", "--overwrite").code == 0


def test_encrypted_export_and_import_into_another_library(
    library_dir: Path, tmp_path: Path, secret: Path
) -> None:
    out = tmp_path / "notes.frn"
    result = cli(library_dir, "note", "export", str(out), "--export-passphrase-file", str(secret))
    assert result.code == 0, result.err
    assert result.err == ""
    assert b"A free note" not in out.read_bytes()

    other = tmp_path / "other"
    assert cli(other, "init").code == 0
    imported = cli(other, "note", "import", str(out), "--export-passphrase-file", str(secret))
    assert imported.code == 0, imported.err
    assert "Imported 2 notes." in imported.out
    again = cli(other, "note", "import", str(out), "--export-passphrase-file", str(secret))
    assert "Imported 0 notes. Already in the library: 2." in again.out
    notes = json.loads(cli(other, "note", "list", "--json").out)
    moved = next(n for n in notes if n["body"] != "A free note")
    assert moved["item_id"] is None
    assert moved["body"].startswith("On “")
    assert "> Nicaragua" in moved["body"]


def test_import_with_the_wrong_passphrase_or_none(
    library_dir: Path, tmp_path: Path, secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "notes.frn"
    assert (
        cli(
            library_dir,
            "note",
            "export",
            str(out),
            "--encrypted",
            "--export-passphrase-file",
            str(secret),
        ).code
        == 0
    )
    no_source = cli(library_dir, "note", "import", str(out))
    assert no_source.code == 1
    assert "--export-passphrase-file" in no_source.err
    monkeypatch.setenv("FIELDREADER_NOTES_PASSPHRASE", "not it")
    wrong = cli(library_dir, "note", "import", str(out))
    assert wrong.code == 1
    assert "passphrase is wrong" in wrong.err
    assert "not it" not in wrong.err
    monkeypatch.setenv("FIELDREADER_NOTES_PASSPHRASE", NOTES_PASSPHRASE)
    assert "Imported 0 notes" in cli(library_dir, "note", "import", str(out)).out
    markdown = tmp_path / "notes.md"
    assert cli(library_dir, "note", "export", str(markdown), "--markdown").code == 0
    not_notes = cli(library_dir, "note", "import", str(markdown))
    assert not_notes.code == 1
    assert "not a fieldreader notes file" in not_notes.err


def test_export_format_options_are_exclusive(library_dir: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "x")
    assert cli(library_dir, "note", "export", out, "--markdown", "--encrypted").code == 2
