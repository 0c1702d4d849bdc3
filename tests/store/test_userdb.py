"""The reader's data in its own file: kept apart from a sync's lock, checked like the library."""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE, article
from fieldreader.store import (
    DatabaseDamaged,
    EncryptionUnavailable,
    SchemaTooNew,
    create_library,
    keyslots,
    open_library,
    userdb,
)
from fieldreader.store import database as db
from fieldreader.store.library import LibraryPaths
from fieldreader.store.schema import USER_DATA_MOVED, migrate, version


def digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.fixture
def filled(data_dir: Path) -> Path:
    with create_library(data_dir, PASSPHRASE, FAST_KDF) as lib:
        lib.content.apply([article(f"a{i}", body="lorem ipsum " * 300) for i in range(20)])
        for i in range(30):
            lib.userdata.add_note(f"note {i} " + "observed " * 100, f"a{i % 20}")
        lib.userdata.add_bookmark("a3")
    return data_dir


def test_notes_and_bookmarks_live_in_the_user_file_only(filled: Path) -> None:
    paths = LibraryPaths(filled)
    with open_library(filled, PASSPHRASE) as lib:
        main_tables = {r[0] for r in lib._conn.execute("SELECT name FROM main.sqlite_master")}
        user_tables = {
            r[0] for r in lib._conn.execute(f"SELECT name FROM {userdb.SCHEMA}.sqlite_master")
        }
        assert not main_tables & set(userdb.MOVED_TABLES)
        assert set(userdb.MOVED_TABLES) | {"preferences"} <= user_tables
        assert len(lib.userdata.notes()) == 30
        assert lib.integrity_problems() == []
    assert paths.userdata.stat().st_size >= db.MIN_DATABASE_BYTES


def test_a_save_does_not_wait_for_a_sync_holding_the_library(filled: Path) -> None:
    """A sibling in the middle of an update (the library's write lock held) blocks neither
    reading nor the reader's own writes on the first connection, which sees the library as it
    was until the update commits."""
    with open_library(filled, PASSPHRASE) as lib, lib.sibling() as syncing:
        # Anything that needs the library's lock now fails at once instead of waiting.
        lib._conn.execute("PRAGMA busy_timeout = 0")
        checkpoints: list[str] = []
        lib._conn.set_trace_callback(
            lambda sql: checkpoints.append(sql) if "wal_checkpoint" in sql else None
        )
        with syncing.transaction():
            syncing.content.apply([article("new-1", title="Arrived during the sync")])
            assert syncing.content.get("new-1") is not None
            # The reader's connection: its snapshot, and its writes go through at once.
            assert lib.content.get("new-1") is None
            assert [h.id for h in lib.search("lorem")][:1]
            note = lib.userdata.add_note("typed while the sync ran", "a1")
            lib.userdata.update_note(note.id, "typed while the sync ran, edited")
            lib.userdata.delete_note(lib.userdata.add_note("second thoughts").id)
            lib.userdata.add_bookmark("a2")
            lib.userdata.remove_bookmark("a3")
            lib.userdata.set_position("a1", 0.5)
            lib.userdata.set_tick("a1", "step", True)
            lib.userdata.set_preference("ui-settings", "{}")
        lib._conn.set_trace_callback(None)
        # Deleting a note folds only the user file's log: the library's waits for its writer.
        assert checkpoints == [f"PRAGMA {userdb.SCHEMA}.wal_checkpoint(TRUNCATE)"]
        assert lib.content.get("new-1") is not None
        assert syncing.userdata.note(note.id).body == "typed while the sync ran, edited"


def test_closing_a_sibling_leaves_the_user_files_log_alone(filled: Path) -> None:
    """A sync never writes the user database: its close must not hold up a note being saved
    on the reader's connection by folding that file's log."""
    with open_library(filled, PASSPHRASE) as lib:
        syncing = lib.sibling()
        checkpoints: list[str] = []
        syncing._conn.set_trace_callback(
            lambda sql: checkpoints.append(sql) if "wal_checkpoint" in sql else None
        )
        syncing.close()
        assert checkpoints == ["PRAGMA main.wal_checkpoint(TRUNCATE)"]
        assert len(lib.userdata.notes()) == 30


def test_a_failed_sync_keeps_what_was_typed_meanwhile(filled: Path) -> None:
    with open_library(filled, PASSPHRASE) as lib, lib.sibling() as syncing:

        def failing_sync() -> None:
            with syncing.transaction():
                syncing.content.apply([article("new-1")])
                lib.userdata.add_note("kept", "a1")
                raise RuntimeError("the sync failed")

        with pytest.raises(RuntimeError):
            failing_sync()
        assert lib.content.get("new-1") is None
        assert "kept" in [n.body for n in lib.userdata.notes("a1")]
    with open_library(filled, PASSPHRASE) as lib:
        assert "kept" in [n.body for n in lib.userdata.notes("a1")]


def library_at_v6(data_dir: Path) -> tuple[bytes, LibraryPaths]:
    """A library as the last build before the user database left it, with one note."""
    data_dir.mkdir()
    key = keyslots.new_master_key()
    paths = LibraryPaths(data_dir)
    conn = db.create(paths.database, key)
    migrate(conn, target=USER_DATA_MOVED - 1)
    db.enable_wal(conn)
    conn.execute(
        "INSERT INTO notes (item_id, item_title, body, created, updated) VALUES "
        "(NULL, NULL, 'draft', '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00')"
    )
    conn.close()
    paths.keyslots.write_bytes(keyslots.encode((keyslots.seal(key, PASSPHRASE, FAST_KDF),)))
    return key, paths


def test_a_move_stopped_after_the_copy_keeps_the_copy(data_dir: Path) -> None:
    """Killed between committing the copy and dropping the old tables: the next open drops
    them, nothing is doubled, and the copy counts from then on."""
    key, paths = library_at_v6(data_dir)
    conn = db.open_existing(paths.database, key)
    userdb.attach(conn, paths.userdata, key, create=True)
    assert userdb.adopt(conn, USER_DATA_MOVED)
    conn.close()  # the kill
    with open_library(data_dir, PASSPHRASE) as lib:
        assert [n.body for n in lib.userdata.notes()] == ["draft"]
        assert lib.schema_version() == USER_DATA_MOVED
        tables = {r[0] for r in lib._conn.execute("SELECT name FROM main.sqlite_master")}
        assert not tables & set(userdb.MOVED_TABLES)


def test_a_library_file_put_back_from_before_the_move_keeps_the_notes_since(
    data_dir: Path,
) -> None:
    """library.db restored from a backup taken before the upgrade, userdata.db left as it is:
    the notes written since the upgrade stay; the old tables are dropped, not copied again."""
    _, paths = library_at_v6(data_dir)
    backup = paths.database.read_bytes()
    with open_library(data_dir, PASSPHRASE) as lib:
        lib.userdata.add_note("written after the upgrade")
    paths.database.write_bytes(backup)
    with open_library(data_dir, PASSPHRASE) as lib:
        assert sorted(n.body for n in lib.userdata.notes()) == [
            "draft",
            "written after the upgrade",
        ]
        assert lib.schema_version() == USER_DATA_MOVED


def test_a_user_file_left_empty_by_a_kill_is_made_anew(data_dir: Path) -> None:
    """Killed right after the new file was made, before its first page: the library's file
    still has every note, and the open goes on."""
    _, paths = library_at_v6(data_dir)
    paths.userdata.write_bytes(b"")
    with open_library(data_dir, PASSPHRASE) as lib:
        assert [n.body for n in lib.userdata.notes()] == ["draft"]
    assert not paths.userdata.read_bytes().startswith(db.PLAIN_SQLITE_MAGIC)


@pytest.mark.parametrize(
    ("leftover", "error"),
    [
        (b"\x00" * 100, DatabaseDamaged),
        (b"SQLite format 3\x00" + b"\x00" * 5000, EncryptionUnavailable),
    ],
    ids=["zeros", "plain"],
)
def test_something_else_where_the_user_file_goes_is_refused_and_kept(
    data_dir: Path, leftover: bytes, error: type[Exception]
) -> None:
    """Never deleted: it is not something a move of ours leaves, so it is not ours to remove;
    the library's file keeps the notes meanwhile."""
    _, paths = library_at_v6(data_dir)
    paths.userdata.write_bytes(leftover)
    before = digests(data_dir)
    with pytest.raises(error):
        open_library(data_dir, PASSPHRASE)
    assert digests(data_dir) == before


def test_a_missing_user_file_is_reported_and_nothing_is_made_up(filled: Path) -> None:
    paths = LibraryPaths(filled)
    paths.userdata.unlink()
    before = digests(filled)
    with pytest.raises(DatabaseDamaged, match=r"notes and bookmarks \(userdata.db\) is missing"):
        open_library(filled, PASSPHRASE)
    assert digests(filled) == before


@pytest.mark.parametrize("keep", [0, 100, 4095])
def test_a_truncated_user_file_is_reported(filled: Path, keep: int) -> None:
    paths = LibraryPaths(filled)
    paths.userdata.write_bytes(paths.userdata.read_bytes()[:keep])
    before = digests(filled)
    with pytest.raises(DatabaseDamaged, match="truncated"):
        open_library(filled, PASSPHRASE)
    assert digests(filled) == before


def test_a_plain_sqlite_user_file_is_refused(filled: Path) -> None:
    paths = LibraryPaths(filled)
    paths.userdata.unlink()
    plain = sqlite3.connect(paths.userdata)
    plain.execute("CREATE TABLE notes (body TEXT)")
    plain.execute("INSERT INTO notes VALUES ('planted')")
    plain.commit()
    plain.close()
    before = digests(filled)
    with pytest.raises(EncryptionUnavailable, match="plain, unencrypted"):
        open_library(filled, PASSPHRASE)
    assert digests(filled) == before


def test_a_user_file_of_another_library_is_refused(filled: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    create_library(other, PASSPHRASE, FAST_KDF).close()
    shutil.copyfile(LibraryPaths(other).userdata, LibraryPaths(filled).userdata)
    before = digests(filled)
    with pytest.raises(DatabaseDamaged, match="does not belong to these keys"):
        open_library(filled, PASSPHRASE)
    assert digests(filled) == before


def test_every_flipped_byte_in_the_user_file_is_detected(filled: Path) -> None:
    """At open (the first page) or by the integrity check (the rest); never read as data."""
    paths = LibraryPaths(filled)
    original = paths.userdata.read_bytes()
    rng = random.Random(7)
    for offset in [*rng.sample(range(len(original)), 12), 0, 4095, 4096, len(original) - 1]:
        damaged = bytearray(original)
        damaged[offset] ^= 1 << rng.randrange(8)
        paths.userdata.write_bytes(bytes(damaged))
        try:
            with open_library(filled, PASSPHRASE) as lib:
                assert lib.integrity_problems() != [], offset
        except DatabaseDamaged:
            pass
    paths.userdata.write_bytes(original)
    with open_library(filled, PASSPHRASE) as lib:
        assert lib.integrity_problems() == []


def test_a_user_file_from_a_newer_build_is_refused(filled: Path) -> None:
    with open_library(filled, PASSPHRASE) as lib:
        lib._conn.execute(f"PRAGMA {userdb.SCHEMA}.user_version = {userdb.LATEST + 1}")
    with pytest.raises(SchemaTooNew, match="newer fieldreader"):
        open_library(filled, PASSPHRASE)


def test_a_new_library_creates_the_user_file_encrypted(data_dir: Path) -> None:
    with create_library(data_dir, PASSPHRASE, FAST_KDF) as lib:
        assert version(lib._conn) == USER_DATA_MOVED
        lib.userdata.add_note("a note that must not be readable")
    data = LibraryPaths(data_dir).userdata.read_bytes()
    assert not data.startswith(db.PLAIN_SQLITE_MAGIC)
    assert b"must not be readable" not in data
