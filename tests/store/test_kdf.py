"""Argon2id in a forked child: same key, and its memory never counts against the reader."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from factories import PASSPHRASE
from fieldreader.store import KdfParams, WrongPassphrase, create_library, kdf, open_library

SALT = bytes(range(16))
MIB = 1024 * 1024

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")


def _peak_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@needs_fork
def test_forked_derivation_gives_the_same_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kdf, "FORK_ABOVE_BYTES", 0)
    forked = kdf.argon2id(32, b"passphrase", SALT, 1, 8 * MIB)
    assert forked == kdf._derive(32, b"passphrase", SALT, 1, 8 * MIB)
    assert forked != kdf.argon2id(32, b"other", SALT, 1, 8 * MIB)


@needs_fork
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_reader_does_not_hold_the_derivation_memory() -> None:
    before = _peak_rss_kib()
    kdf.argon2id(32, b"passphrase", SALT, 1, 96 * MIB)
    assert _peak_rss_kib() - before < 48 * 1024


def test_without_fork_the_derivation_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError("fork not allowed")

    monkeypatch.setattr(kdf, "FORK_ABOVE_BYTES", 0)
    monkeypatch.setattr(os, "fork", no_fork)
    assert kdf.argon2id(32, b"pw", SALT, 1, 8 * MIB) == kdf._derive(32, b"pw", SALT, 1, 8 * MIB)


@needs_fork
def test_a_library_with_a_costly_slot_unlocks_through_the_child(tmp_path: Path) -> None:
    params = KdfParams(opslimit=1, memlimit=64 * MIB)
    create_library(tmp_path / "lib", PASSPHRASE, params).close()
    with open_library(tmp_path / "lib", PASSPHRASE) as library:
        assert library.schema_version() > 0
    with pytest.raises(WrongPassphrase):
        open_library(tmp_path / "lib", "not the passphrase")
