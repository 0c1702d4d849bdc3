"""Creating, unlocking, re-keying and wiping a library."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import sqlcipher3

from factories import FAST_KDF, PASSPHRASE, article
from fieldreader.store import (
    KeySlotsDamaged,
    LibraryExists,
    LibraryNotFound,
    StoreError,
    WrongPassphrase,
    add_passphrase,
    change_passphrase,
    create_library,
    library_exists,
    open_library,
    remove_passphrase,
    slot_ids,
    wipe_library,
)
from fieldreader.store.database import PLAIN_SQLITE_MAGIC
from fieldreader.store.keyslots import DEFAULT_KDF, decode
from fieldreader.store.library import LibraryPaths

LIBRARY_FILES = ["library.db", "library.keys", "staging.db", "userdata.db"]
"""What a closed library leaves in its folder: nothing temporary."""


def snapshot(directory: Path) -> dict[str, str]:
    """Name -> sha256 of every file, to prove an operation wrote nothing."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file()
    }


def test_created_library_is_encrypted_and_reopens(data_dir: Path) -> None:
    with create_library(data_dir, PASSPHRASE, FAST_KDF) as lib:
        lib.content.apply([article("a1")])
    paths = LibraryPaths(data_dir)
    assert paths.database.read_bytes()[:16] != PLAIN_SQLITE_MAGIC
    assert b"civic space" not in paths.database.read_bytes()
    with open_library(data_dir, PASSPHRASE) as lib:
        assert lib.content.get("a1") == article("a1")


def test_database_is_keyed_with_master_key_not_passphrase(data_dir: Path) -> None:
    create_library(data_dir, PASSPHRASE, FAST_KDF).close()
    conn = sqlcipher3.connect(str(LibraryPaths(data_dir).database))
    conn.execute(f"PRAGMA key = '{PASSPHRASE}'")
    with pytest.raises(sqlcipher3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()


def test_default_kdf_is_at_least_64_mib() -> None:
    assert DEFAULT_KDF.memlimit >= 64 * 1024 * 1024
    assert DEFAULT_KDF.opslimit >= 2


def test_wrong_passphrase_is_refused_and_writes_nothing(data_dir: Path) -> None:
    create_library(data_dir, PASSPHRASE, FAST_KDF).close()
    before = snapshot(data_dir)
    with pytest.raises(WrongPassphrase, match="not correct") as caught:
        open_library(data_dir, "wrong horse")
    assert "wrong horse" not in str(caught.value)
    assert snapshot(data_dir) == before


def test_passphrase_is_unicode_normalised(data_dir: Path) -> None:
    composed = "caf\u00e9 mot de passe"
    decomposed = "cafe\u0301 mot de passe"
    create_library(data_dir, composed, FAST_KDF).close()
    open_library(data_dir, decomposed).close()


def test_missing_library_is_reported(tmp_path: Path) -> None:
    with pytest.raises(LibraryNotFound, match="fieldreader init"):
        open_library(tmp_path / "nowhere", PASSPHRASE)
    assert not library_exists(tmp_path / "nowhere")


def test_create_refuses_existing_library(data_dir: Path) -> None:
    create_library(data_dir, PASSPHRASE, FAST_KDF).close()
    before = snapshot(data_dir)
    with pytest.raises(LibraryExists):
        create_library(data_dir, "another", FAST_KDF)
    assert snapshot(data_dir) == before


def test_create_refuses_leftover_database_without_slots(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / "library.db").write_bytes(b"x" * 4096)
    with pytest.raises(LibraryExists):
        create_library(data_dir, PASSPHRASE, FAST_KDF)
    assert (data_dir / "library.db").read_bytes() == b"x" * 4096


def test_empty_passphrase_is_refused(data_dir: Path) -> None:
    with pytest.raises(StoreError, match="empty"):
        create_library(data_dir, "", FAST_KDF)
    assert not data_dir.exists() or not any(data_dir.iterdir())


def test_change_passphrase_rewraps_without_touching_database(data_dir: Path) -> None:
    with create_library(data_dir, PASSPHRASE, FAST_KDF) as lib:
        lib.content.apply([article("a1")])
    db_before = LibraryPaths(data_dir).database.read_bytes()
    change_passphrase(data_dir, PASSPHRASE, "new passphrase", FAST_KDF)
    assert LibraryPaths(data_dir).database.read_bytes() == db_before
    with pytest.raises(WrongPassphrase):
        open_library(data_dir, PASSPHRASE)
    with open_library(data_dir, "new passphrase") as lib:
        assert lib.content.get("a1") is not None


def test_change_passphrase_with_wrong_old_changes_nothing(data_dir: Path) -> None:
    create_library(data_dir, PASSPHRASE, FAST_KDF).close()
    before = snapshot(data_dir)
    with pytest.raises(WrongPassphrase):
        change_passphrase(data_dir, "not it", "new", FAST_KDF)
    assert snapshot(data_dir) == before


def test_add_and_remove_slots(data_dir: Path) -> None:
    create_library(data_dir, PASSPHRASE, FAST_KDF).close()
    add_passphrase(data_dir, PASSPHRASE, "second", FAST_KDF)
    assert len(slot_ids(data_dir)) == 2
    open_library(data_dir, "second").close()
    open_library(data_dir, PASSPHRASE).close()
    remove_passphrase(data_dir, PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        open_library(data_dir, PASSPHRASE)
    open_library(data_dir, "second").close()
    with pytest.raises(StoreError, match="only passphrase"):
        remove_passphrase(data_dir, "second")
    with pytest.raises(WrongPassphrase):
        add_passphrase(data_dir, "not it", "third", FAST_KDF)
    assert len(slot_ids(data_dir)) == 1


def test_slot_parameters_are_bound_to_the_sealed_key(data_dir: Path) -> None:
    """Lowering the stored KDF cost (to speed up guessing) makes the slot fail, not weaken."""
    create_library(data_dir, PASSPHRASE, FAST_KDF).close()
    path = LibraryPaths(data_dir).keyslots
    text = path.read_text().replace('"memlimit": 8192', '"memlimit": 16384')
    path.write_text(text)
    with pytest.raises(WrongPassphrase):
        open_library(data_dir, PASSPHRASE)


def test_wipe_removes_every_file_and_a_prior_copy_is_useless(
    data_dir: Path, tmp_path: Path
) -> None:
    with create_library(data_dir, PASSPHRASE, FAST_KDF) as lib:
        lib.content.apply([article("a1")])
        lib.userdata.add_note("a private note", "a1")
    copy = tmp_path / "copy"
    shutil.copytree(data_dir, copy)
    (copy / "library.keys").unlink()

    assert wipe_library(data_dir) >= 2
    assert not data_dir.exists()
    with pytest.raises(LibraryNotFound):
        open_library(data_dir, PASSPHRASE)
    # The copied database without its slots: the passphrase cannot open it...
    with pytest.raises(KeySlotsDamaged, match="missing"):
        open_library(copy, PASSPHRASE)
    # ...nor can SQLCipher with the passphrase as its key.
    conn = sqlcipher3.connect(str(copy / "library.db"))
    conn.execute(f"PRAGMA key = '{PASSPHRASE}'")
    with pytest.raises(sqlcipher3.DatabaseError):
        conn.execute("SELECT * FROM items").fetchall()
    conn.close()


def test_wipe_overwrites_key_slots_before_deleting(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if deletion failed, the slot file on disk no longer holds the sealed key."""
    create_library(data_dir, PASSPHRASE, FAST_KDF).close()
    keys = LibraryPaths(data_dir).keyslots
    original = keys.read_bytes()
    seen: dict[str, bytes] = {}
    real_unlink = Path.unlink

    def spy_unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name == "library.keys":
            seen["at_unlink"] = self.read_bytes()
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", spy_unlink)
    wipe_library(data_dir)
    assert len(seen["at_unlink"]) == len(original)
    assert seen["at_unlink"] != original
    with pytest.raises(KeySlotsDamaged):
        decode(seen["at_unlink"])


def test_wipe_leaves_unrelated_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    create_library(data_dir, PASSPHRASE, FAST_KDF).close()
    (data_dir / "readme.txt").write_text("keep me")
    wipe_library(data_dir)
    assert [p.name for p in data_dir.iterdir()] == ["readme.txt"]


def test_wipe_of_nothing_is_harmless(tmp_path: Path) -> None:
    assert wipe_library(tmp_path / "absent") == 0


def test_a_replaced_key_slots_file_is_overwritten_not_just_unlinked(data_dir: Path) -> None:
    """The old slot (sealed under a passphrase given up, say) must not survive in freed blocks."""
    create_library(data_dir, PASSPHRASE, FAST_KDF).close()
    keys = LibraryPaths(data_dir).keyslots
    with keys.open("rb") as old_inode:  # holds the old file as the disk would
        original = old_inode.read()
        change_passphrase(data_dir, PASSPHRASE, "a new passphrase", FAST_KDF)
        old_inode.seek(0)
        remnant = old_inode.read()
    assert len(remnant) == len(original)
    assert remnant != original
    with pytest.raises(KeySlotsDamaged):
        decode(remnant)
    assert sorted(p.name for p in data_dir.iterdir()) == LIBRARY_FILES


def test_a_passphrase_change_that_cannot_write_leaves_the_key_slots_whole(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk while the new key slots are written: the old file is still the library's
    key, so the shredding of the replaced file must not touch it."""
    create_library(data_dir, PASSPHRASE, FAST_KDF).close()
    keys = LibraryPaths(data_dir).keyslots
    before = keys.read_bytes()

    def disk_full(self: Path, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        change_passphrase(data_dir, PASSPHRASE, "a new passphrase", FAST_KDF)
    monkeypatch.undo()
    assert keys.read_bytes() == before
    open_library(data_dir, PASSPHRASE).close()
    assert sorted(p.name for p in data_dir.iterdir()) == LIBRARY_FILES


def test_wipe_through_an_open_library_closes_it_first(data_dir: Path) -> None:
    library = create_library(data_dir, PASSPHRASE, FAST_KDF)
    library.content.apply([article("a1")])
    assert library.wipe() >= 2
    assert not data_dir.exists()


def test_passphrase_change_works_where_hard_links_do_not(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAT-formatted USB sticks (portable mode) have no hard links."""
    create_library(data_dir, PASSPHRASE, FAST_KDF).close()

    def no_links(src: object, dst: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr("os.link", no_links)
    change_passphrase(data_dir, PASSPHRASE, "on a usb stick", FAST_KDF)
    open_library(data_dir, "on a usb stick").close()
    assert sorted(p.name for p in data_dir.iterdir()) == LIBRARY_FILES
