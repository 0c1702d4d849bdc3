"""Damaged, truncated, tampered and foreign files: specific errors, nothing rewritten."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE, article
from fieldreader.store import (
    DatabaseDamaged,
    EncryptionUnavailable,
    KeySlotsDamaged,
    LibraryNotFound,
    SchemaTooNew,
    WrongPassphrase,
    create_library,
    keyslots,
    open_library,
)
from fieldreader.store import database as db
from fieldreader.store.library import LibraryPaths
from fieldreader.store.schema import LATEST


def files_digest(directory: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file()
    }


@pytest.fixture
def filled(data_dir: Path) -> Path:
    """A closed library with 40 items (several pages), so flips land in real data."""
    with create_library(data_dir, PASSPHRASE, FAST_KDF) as lib:
        lib.content.apply(
            [article(f"a{i}", body=f"Paragraph {i} " + "lorem ipsum " * 200) for i in range(40)]
        )
        lib.userdata.add_note("note", "a1")
    return data_dir


SLOT_DAMAGE = {
    "empty": lambda b: b"",
    "truncated": lambda b: b[: len(b) // 2],
    "not json": lambda b: b"\x00\x01binary" * 10,
    "not utf8": lambda b: b"\xff\xfe" + b,
    "other format": lambda b: b.replace(b"fieldreader-keyslots", b"something-else-xxxx"),
    "future version": lambda b: b.replace(b'"version": 1', b'"version": 9'),
    "no slots": lambda b: b'{"format": "fieldreader-keyslots", "version": 1, "slots": []}',
    "sealed key cut": lambda b: b.replace(b'"sealed": "', b'"sealed": "AAAA', 1),
    "bad base64": lambda b: b.replace(b'"salt": "', b'"salt": "!!', 1),
    "huge memlimit": lambda b: b.replace(b'"memlimit": 8192', b'"memlimit": 99999999999'),
    "huge file": lambda b: b + b" " * (128 * 1024),
}


@pytest.mark.parametrize("damage", SLOT_DAMAGE.values(), ids=SLOT_DAMAGE.keys())
def test_damaged_key_slots_are_reported(filled: Path, damage: object) -> None:
    keys = LibraryPaths(filled).keyslots
    keys.write_bytes(damage(keys.read_bytes()))  # type: ignore[operator]
    before = files_digest(filled)
    with pytest.raises(KeySlotsDamaged):
        open_library(filled, PASSPHRASE)
    assert files_digest(filled) == before


def test_flipped_bit_in_sealed_key_is_not_a_wrong_passphrase_silently_accepted(
    filled: Path,
) -> None:
    keys = LibraryPaths(filled).keyslots
    text = keys.read_text()
    start = text.index('"sealed": "') + len('"sealed": "')
    flipped = text[:start] + ("B" if text[start] == "A" else "A") + text[start + 1 :]
    keys.write_text(flipped)
    with pytest.raises(WrongPassphrase):
        open_library(filled, PASSPHRASE)


@pytest.mark.parametrize("keep", [0, 100, 4095, 4096 + 17])
def test_truncated_database_is_reported(filled: Path, keep: int) -> None:
    path = LibraryPaths(filled).database
    path.write_bytes(path.read_bytes()[:keep])
    before = files_digest(filled)

    def open_and_read_everything() -> None:
        # Opening may succeed when the first page survived; reading everything must not.
        with open_library(filled, PASSPHRASE) as lib:
            lib.content.list_items()
            for i in range(40):
                lib.content.get(f"a{i}")

    with pytest.raises(DatabaseDamaged):
        open_and_read_everything()
    assert files_digest(filled) == before


def test_missing_database_is_reported(filled: Path) -> None:
    LibraryPaths(filled).database.unlink()
    with pytest.raises(LibraryNotFound, match="missing"):
        open_library(filled, PASSPHRASE)
    assert not LibraryPaths(filled).database.exists()


def test_every_random_byte_flip_is_detected_never_read_as_data(filled: Path) -> None:
    """SQLCipher authenticates every page: a flipped byte anywhere is damage, never content."""
    path = LibraryPaths(filled).database
    pristine = path.read_bytes()
    with open_library(filled, PASSPHRASE) as lib:
        expected = {f"a{i}": lib.content.get(f"a{i}") for i in range(40)}
    rng = random.Random(20261123)
    offsets = sorted(rng.sample(range(len(pristine)), 60))
    for offset in offsets:
        corrupted = bytearray(pristine)
        corrupted[offset] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(corrupted))
        detected = False
        try:
            with open_library(filled, PASSPHRASE) as lib:
                problems = lib.integrity_problems()
                detected = bool(problems)
                for item_id, item in expected.items():
                    try:
                        got = lib.content.get(item_id)
                    except DatabaseDamaged:
                        detected = True
                        continue
                    assert got == item, f"flip at {offset} changed {item_id} silently"
        except DatabaseDamaged:
            detected = True
        assert detected, f"flip at byte {offset} went unnoticed"
    path.write_bytes(pristine)


def test_newer_schema_is_refused_untouched(filled: Path) -> None:
    slots = keyslots.decode(LibraryPaths(filled).keyslots.read_bytes())
    key, _ = keyslots.unlock(slots, PASSPHRASE)
    conn = db.open_existing(LibraryPaths(filled).database, key)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    before = files_digest(filled)
    with pytest.raises(SchemaTooNew, match="newer fieldreader"):
        open_library(filled, PASSPHRASE)
    assert files_digest(filled) == before


def test_plain_sqlite_database_is_refused(data_dir: Path) -> None:
    """A plaintext database swapped in (or left by a bug) is never opened, never 'repaired'."""
    create_library(data_dir, PASSPHRASE, FAST_KDF).close()
    path = LibraryPaths(data_dir).database
    path.unlink()
    for suffix in ("-wal", "-shm"):
        (data_dir / f"library.db{suffix}").unlink(missing_ok=True)
    plain = sqlite3.connect(path)
    plain.execute("CREATE TABLE items(x)")
    plain.execute("INSERT INTO items VALUES (zeroblob(5000))")
    plain.commit()
    plain.close()
    before = files_digest(data_dir)
    with pytest.raises(EncryptionUnavailable, match="unencrypted"):
        open_library(data_dir, PASSPHRASE)
    assert files_digest(data_dir) == before


def test_store_refuses_a_sqlite_without_cipher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the build's SQLite were not SQLCipher, creating a library must fail, not go plain."""

    class PlainModule:
        DatabaseError = sqlite3.DatabaseError
        OperationalError = sqlite3.OperationalError
        IntegrityError = sqlite3.IntegrityError
        Error = sqlite3.Error

        @staticmethod
        def connect(database: str, **kwargs: object) -> sqlite3.Connection:
            return sqlite3.connect(database, isolation_level=None)

    monkeypatch.setattr(db, "sqlcipher3", PlainModule)
    target = tmp_path / "lib"
    with pytest.raises(EncryptionUnavailable, match="does not encrypt"):
        create_library(target, PASSPHRASE, FAST_KDF)
    assert not (target / "library.db").exists()
    assert not (target / "library.keys").exists()


def test_a_fresh_database_file_is_not_readable_as_plain_sqlite(data_dir: Path) -> None:
    with create_library(data_dir, PASSPHRASE, FAST_KDF) as lib:
        lib.content.apply([article("a1")])
    plain = sqlite3.connect(LibraryPaths(data_dir).database)
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT * FROM sqlite_master").fetchall()
    plain.close()
