"""The duress passphrase and the wipe after too many failed unlocks."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE, article
from fieldreader.store import (
    DatabaseDamaged,
    LibraryExists,
    LibraryNotFound,
    StoreError,
    WrongPassphrase,
    add_passphrase,
    attempt_limit,
    change_passphrase,
    create_library,
    keyslots,
    open_library,
    remove_duress_passphrase,
    remove_passphrase,
    set_attempt_limit,
    set_duress_passphrase,
    slot_ids,
    wipe_library,
)
from fieldreader.store import database as db
from fieldreader.store.library import LibraryPaths

DURESS = "the shop on the corner"
SLOW_KDF = keyslots.KdfParams(opslimit=2, memlimit=16 * 1024)


def snapshot(directory: Path) -> dict[str, str]:
    """Name -> sha256 of every file, to prove an operation wrote nothing."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file()
    }


def counter(data_dir: Path) -> dict[str, int]:
    doc: dict[str, int] = json.loads(LibraryPaths(data_dir).attempts.read_text())
    return doc


@pytest.fixture
def filled(data_dir: Path) -> Path:
    """A closed library with an article and a note in it."""
    with create_library(data_dir, PASSPHRASE, FAST_KDF) as lib:
        lib.content.apply([article("a1")])
        lib.userdata.add_note("met the source at the usual place", "a1")
    return data_dir


@pytest.fixture
def with_duress(filled: Path) -> Path:
    set_duress_passphrase(filled, PASSPHRASE, DURESS, FAST_KDF)
    return filled


# Duress passphrase


def test_duress_opens_an_empty_library_and_destroys_the_real_one(with_duress: Path) -> None:
    paths = LibraryPaths(with_duress)
    old_key, _ = keyslots.unlock(keyslots.decode(paths.keyslots.read_bytes()), PASSPHRASE)
    with open_library(with_duress, PASSPHRASE) as lib:
        old_id = lib.get_meta("library_id")
        assert not lib.opened_under_duress

    with open_library(with_duress, DURESS) as lib:
        assert lib.opened_under_duress
        assert lib.content.get("a1") is None
        assert lib.userdata.notes() == []
        assert lib.get_meta("library_id") not in (None, old_id)

    assert len(slot_ids(with_duress)) == 1
    with pytest.raises(WrongPassphrase, match="not correct"):
        open_library(with_duress, PASSPHRASE)
    # The database on disk is a new one: the old master key does not open it.
    with pytest.raises(DatabaseDamaged):
        db.open_existing(paths.database, old_key)


def test_duress_library_keeps_working_with_no_second_wipe(with_duress: Path) -> None:
    with open_library(with_duress, DURESS) as lib:
        lib.content.apply([article("decoy")])
    with open_library(with_duress, DURESS) as lib:
        assert not lib.opened_under_duress
        assert lib.content.get("decoy") is not None


def test_duress_library_is_created_with_the_duress_slot_cost(filled: Path) -> None:
    set_duress_passphrase(filled, PASSPHRASE, DURESS, SLOW_KDF)
    open_library(filled, DURESS).close()
    (slot,) = keyslots.decode(LibraryPaths(filled).keyslots.read_bytes())
    assert slot.params == SLOW_KDF


def test_duress_open_is_honoured_with_several_real_slots(with_duress: Path) -> None:
    add_passphrase(with_duress, PASSPHRASE, "second", FAST_KDF)
    with open_library(with_duress, DURESS) as lib:
        assert lib.opened_under_duress
    for real in (PASSPHRASE, "second"):
        with pytest.raises(WrongPassphrase):
            open_library(with_duress, real)


def test_duress_slot_looks_like_any_other_slot(with_duress: Path) -> None:
    doc = json.loads(LibraryPaths(with_duress).keyslots.read_text())
    normal, duress = doc["slots"]
    assert normal.keys() == duress.keys()
    for name, value in normal.items():
        if isinstance(value, str):
            assert len(duress[name]) == len(value), name
        else:
            assert duress[name] == value, name


def test_duress_marker_is_a_fixed_32_bytes() -> None:
    assert len(keyslots.DURESS_MARKER) == keyslots.MASTER_KEY_BYTES
    assert keyslots.is_duress_marker(keyslots.DURESS_MARKER)
    assert not keyslots.is_duress_marker(keyslots.new_master_key())


def test_setting_the_same_duress_passphrase_again_replaces_its_slot(with_duress: Path) -> None:
    first = slot_ids(with_duress)
    set_duress_passphrase(with_duress, PASSPHRASE, DURESS, FAST_KDF)
    second = slot_ids(with_duress)
    assert len(second) == 2
    assert second[0] == first[0]
    assert second[1] != first[1]
    with open_library(with_duress, DURESS) as lib:
        assert lib.opened_under_duress


def test_a_different_duress_passphrase_adds_a_slot_and_both_work(with_duress: Path) -> None:
    set_duress_passphrase(with_duress, PASSPHRASE, "another decoy", FAST_KDF)
    assert len(slot_ids(with_duress)) == 3
    with open_library(with_duress, "another decoy") as lib:
        assert lib.opened_under_duress


def test_remove_duress_passphrase(with_duress: Path) -> None:
    with pytest.raises(StoreError, match="not a duress"):
        remove_duress_passphrase(with_duress, PASSPHRASE, "not one")
    remove_duress_passphrase(with_duress, PASSPHRASE, DURESS)
    assert len(slot_ids(with_duress)) == 1
    with pytest.raises(WrongPassphrase):
        open_library(with_duress, DURESS)
    with open_library(with_duress, PASSPHRASE) as lib:
        assert lib.content.get("a1") is not None


def test_remove_duress_refuses_a_real_passphrase_as_the_duress_one(filled: Path) -> None:
    add_passphrase(filled, PASSPHRASE, "second", FAST_KDF)
    before = snapshot(filled)
    with pytest.raises(StoreError, match="differ"):
        remove_duress_passphrase(filled, PASSPHRASE, "second")
    assert snapshot(filled) == before


REFUSED_DURESS: dict[str, tuple[str, str, type[StoreError], str]] = {
    "wrong current": ("not it", "new decoy", WrongPassphrase, "not correct"),
    "duress as current": (DURESS, "new decoy", WrongPassphrase, "not correct"),
    "equal to current": (PASSPHRASE, PASSPHRASE, StoreError, "differ"),
    "equal once normalised": ("caf\u00e9", "cafe\u0301", StoreError, "differ"),
    "equal to another passphrase": (PASSPHRASE, "second", StoreError, "differ"),
    "empty": (PASSPHRASE, "", StoreError, "empty"),
}


@pytest.mark.parametrize("case", REFUSED_DURESS.values(), ids=REFUSED_DURESS.keys())
def test_set_duress_passphrase_refusals_change_nothing(
    with_duress: Path, case: tuple[str, str, type[StoreError], str]
) -> None:
    current, duress, error, message = case
    add_passphrase(with_duress, PASSPHRASE, "second", FAST_KDF)
    add_passphrase(with_duress, PASSPHRASE, "caf\u00e9", FAST_KDF)
    before = snapshot(with_duress)
    with pytest.raises(error, match=message):
        set_duress_passphrase(with_duress, current, duress, FAST_KDF)
    assert snapshot(with_duress) == before


SLOT_CHANGES: dict[str, Callable[[Path], object]] = {
    "change": lambda d: change_passphrase(d, DURESS, "taken over", FAST_KDF),
    "add": lambda d: add_passphrase(d, DURESS, "taken over", FAST_KDF),
    "remove": lambda d: remove_passphrase(d, DURESS),
}


@pytest.mark.parametrize("change", SLOT_CHANGES.values(), ids=SLOT_CHANGES.keys())
def test_duress_passphrase_authorises_no_slot_change_and_wipes_nothing(
    with_duress: Path, change: Callable[[Path], object]
) -> None:
    before = snapshot(with_duress)
    with pytest.raises(WrongPassphrase, match="not correct"):
        change(with_duress)
    assert snapshot(with_duress) == before
    with open_library(with_duress, PASSPHRASE) as lib:
        assert lib.content.get("a1") is not None


def test_duress_open_keeps_the_attempt_limit(with_duress: Path) -> None:
    set_attempt_limit(with_duress, 7)
    with pytest.raises(WrongPassphrase):
        open_library(with_duress, "a guess")
    assert counter(with_duress) == {"limit": 7, "failed": 1}
    open_library(with_duress, DURESS).close()
    assert counter(with_duress) == {"limit": 7, "failed": 0}
    assert attempt_limit(with_duress) == 7


# Failed-unlock limit


def test_no_attempts_file_means_no_limit(filled: Path) -> None:
    assert attempt_limit(filled) is None
    before = snapshot(filled)
    for _ in range(12):
        with pytest.raises(WrongPassphrase):
            open_library(filled, "a guess")
    assert snapshot(filled) == before
    open_library(filled, PASSPHRASE).close()


def test_failures_are_counted_and_success_resets(filled: Path) -> None:
    set_attempt_limit(filled, 5)
    assert attempt_limit(filled) == 5
    assert counter(filled) == {"limit": 5, "failed": 0}
    for expected in (1, 2, 3):
        with pytest.raises(WrongPassphrase):
            open_library(filled, "a guess")
        assert counter(filled) == {"limit": 5, "failed": expected}
    open_library(filled, PASSPHRASE).close()
    assert counter(filled) == {"limit": 5, "failed": 0}


def test_the_failure_that_reaches_the_limit_wipes_silently(filled: Path) -> None:
    set_attempt_limit(filled, 3)
    for _ in range(2):
        with pytest.raises(WrongPassphrase):
            open_library(filled, "a guess")
    assert LibraryPaths(filled).keyslots.exists()
    with pytest.raises(WrongPassphrase, match=r"^The passphrase is not correct\.$"):
        open_library(filled, "a guess")
    assert not filled.exists()
    with pytest.raises(LibraryNotFound):
        open_library(filled, PASSPHRASE)


def test_right_passphrase_on_the_last_try_still_opens(filled: Path) -> None:
    set_attempt_limit(filled, 3)
    for _ in range(2):
        with pytest.raises(WrongPassphrase):
            open_library(filled, "a guess")
    with open_library(filled, PASSPHRASE) as lib:
        assert lib.content.get("a1") is not None
    assert counter(filled)["failed"] == 0


def test_attempt_is_counted_before_the_key_derivation(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killing the process mid-derivation (to dodge the count) does not dodge it."""
    set_attempt_limit(filled, 5)

    def interrupted(*args: object) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(keyslots, "_derive", interrupted)
    with pytest.raises(KeyboardInterrupt):
        open_library(filled, PASSPHRASE)
    assert counter(filled) == {"limit": 5, "failed": 1}


def test_interrupted_attempts_count_towards_the_limit(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_attempt_limit(filled, 3)
    real_derive = keyslots._derive

    def interrupted(*args: object) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(keyslots, "_derive", interrupted)
    for _ in range(2):
        with pytest.raises(KeyboardInterrupt):
            open_library(filled, "a guess")
    monkeypatch.setattr(keyslots, "_derive", real_derive)
    with pytest.raises(WrongPassphrase):
        open_library(filled, "a guess")
    assert not filled.exists()


def test_passphrase_changes_count_failures_too(filled: Path) -> None:
    """Otherwise 'fieldreader passwd' would be a way to guess without limit."""
    set_attempt_limit(filled, 3)
    with pytest.raises(WrongPassphrase):
        change_passphrase(filled, "a guess", "new", FAST_KDF)
    with pytest.raises(WrongPassphrase):
        add_passphrase(filled, "a guess", "new", FAST_KDF)
    assert counter(filled)["failed"] == 2
    with pytest.raises(WrongPassphrase):
        remove_passphrase(filled, "a guess")
    assert not filled.exists()


def test_duress_passphrase_as_authoriser_counts_as_a_failure(with_duress: Path) -> None:
    set_attempt_limit(with_duress, 5)
    with pytest.raises(WrongPassphrase):
        change_passphrase(with_duress, DURESS, "taken over", FAST_KDF)
    assert counter(with_duress)["failed"] == 1
    with open_library(with_duress, PASSPHRASE) as lib:
        assert lib.content.get("a1") is not None


@pytest.mark.parametrize("limit", [-1, 1, 2, 101, 1000])
def test_limits_out_of_bounds_are_refused(filled: Path, limit: int) -> None:
    before = snapshot(filled)
    with pytest.raises(StoreError, match="between 3 and 100"):
        set_attempt_limit(filled, limit)
    assert snapshot(filled) == before


@pytest.mark.parametrize("off", [None, 0])
def test_removing_the_limit(filled: Path, off: int | None) -> None:
    set_attempt_limit(filled, 3)
    set_attempt_limit(filled, off)
    assert attempt_limit(filled) is None
    assert not LibraryPaths(filled).attempts.exists()
    for _ in range(4):
        with pytest.raises(WrongPassphrase):
            open_library(filled, "a guess")
    open_library(filled, PASSPHRASE).close()


def test_a_limit_needs_a_library(tmp_path: Path) -> None:
    with pytest.raises(LibraryNotFound):
        set_attempt_limit(tmp_path / "nowhere", 5)
    assert not (tmp_path / "nowhere").exists()


DAMAGED_COUNTER = {
    "empty": b"",
    "truncated": b'{"limit": 5, "fai',
    "not json": b"\x00\x01binary",
    "not utf8": b"\xff\xfe{}",
    "a list": b"[5, 4]",
    "limit missing": b'{"failed": 4}',
    "limit a string": b'{"limit": "5", "failed": 4}',
    "limit a bool": b'{"limit": true, "failed": 0}',
    "limit too low": b'{"limit": 1, "failed": 0}',
    "limit too high": b'{"limit": 1000, "failed": 0}',
    "negative count": b'{"limit": 5, "failed": -3}',
    "huge file": b'{"limit": 5, "failed": 4}' + b" " * 4096,
}


@pytest.mark.parametrize("damaged", DAMAGED_COUNTER.values(), ids=DAMAGED_COUNTER.keys())
def test_damaged_counter_means_no_limit_and_is_left_alone(filled: Path, damaged: bytes) -> None:
    """It cannot say what limit its owner chose; guessing one could wipe or lock them out."""
    LibraryPaths(filled).attempts.write_bytes(damaged)
    assert attempt_limit(filled) is None
    before = snapshot(filled)
    for _ in range(6):
        with pytest.raises(WrongPassphrase):
            open_library(filled, "a guess")
    with open_library(filled, PASSPHRASE) as lib:
        assert lib.content.get("a1") is not None
    assert snapshot(filled) == before
    set_attempt_limit(filled, 4)
    assert counter(filled) == {"limit": 4, "failed": 0}


def test_unwritable_counter_does_not_keep_the_owner_out(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_attempt_limit(filled, 5)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("fieldreader.store.attempts.atomic_write", disk_full)
    with open_library(filled, PASSPHRASE) as lib:
        assert lib.content.get("a1") is not None


def test_wipe_removes_the_counter_and_its_interrupted_writes(filled: Path) -> None:
    set_attempt_limit(filled, 5)
    stray = filled / ".library.attempts.0badf00d.tmp"
    stray.write_bytes(b'{"limit": 5, "failed": 1}')
    wipe_library(filled)
    assert not filled.exists()


def test_counter_leftover_blocks_create_like_any_other(filled: Path) -> None:
    """A lone counter is part of a library; a new one starts only after a wipe."""
    set_attempt_limit(filled, 5)
    paths = LibraryPaths(filled)
    for path in paths.leftovers():
        if path != paths.attempts:
            path.unlink()
    with pytest.raises(LibraryExists):
        create_library(filled, PASSPHRASE, FAST_KDF)
    wipe_library(filled)
    create_library(filled, PASSPHRASE, FAST_KDF).close()
