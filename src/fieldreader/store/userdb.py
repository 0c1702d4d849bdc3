"""The reader's own data in a database of its own, ``userdata.db``, attached as ``userdata``.

Notes, bookmarks, reading positions, checklist ticks and the reader's preferences live here,
not in the library's file. A sync holds the library's write lock from the first item it
applies until it commits, which over a slow connection can be minutes, and SQLite lets one
connection at a time write to a file. With the reader's data inside the library's file, a note
typed during a sync could not be saved until the sync ended, and a forced close lost it. In a
file of its own, attached to the library's connection, a save locks only this file, while
queries still join notes with items as before.

The file is encrypted with the library's key and kept like the library's own (write-ahead log,
deleted rows zeroed, temporary data in memory). Unlike the staging file, nothing in it can be
downloaded again: a damaged or missing file is reported, never replaced.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Final

import sqlcipher3

from fieldreader.fsutil import fsync_dir
from fieldreader.store import database, schema
from fieldreader.store.database import Connection, transaction, translate_errors
from fieldreader.store.errors import DatabaseDamaged, SchemaTooNew

USERDATA_NAME: Final = "userdata.db"
SCHEMA: Final = "userdata"
"""The name the file is attached under: every query here names its tables with it."""

# User data refers to items by id, never by foreign key (which could not cross files anyway):
# content updates and deletions must not cascade into a person's notes. Titles are copied so a
# note outlives its withdrawn item.
_V1_USER_DATA = f"""
CREATE TABLE {SCHEMA}.bookmarks (
    item_id    TEXT PRIMARY KEY,
    item_title TEXT NOT NULL,
    created    TEXT NOT NULL
);
CREATE TABLE {SCHEMA}.notes (
    id           INTEGER PRIMARY KEY,
    item_id      TEXT,
    item_title   TEXT,
    quote_exact  TEXT,
    quote_prefix TEXT,
    quote_suffix TEXT,
    body         TEXT NOT NULL,
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL
);
CREATE INDEX {SCHEMA}.notes_item ON notes (item_id);
CREATE TABLE {SCHEMA}.reading_positions (
    item_id  TEXT PRIMARY KEY,
    position REAL NOT NULL CHECK (position BETWEEN 0.0 AND 1.0),
    updated  TEXT NOT NULL
);
CREATE TABLE {SCHEMA}.checklist_ticks (
    item_id   TEXT NOT NULL,
    check_id  TEXT NOT NULL,
    ticked_at TEXT NOT NULL,
    PRIMARY KEY (item_id, check_id)
) WITHOUT ROWID;
CREATE TABLE {SCHEMA}.preferences (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""

# Facts about the file itself: above all whether it holds the reader's data (HOLDS_DATA), which
# decides, while the library's file still has its old tables, which of the two files counts.
_V2_META = f"""
CREATE TABLE {SCHEMA}.meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""

MIGRATIONS: Final[tuple[str, ...]] = (_V1_USER_DATA, _V2_META)
LATEST: Final = len(MIGRATIONS)
HOLDS_DATA: Final = "holds-user-data"

#: What older builds kept in the library's file (schema 2 to 6), moved here by :func:`adopt`.
MOVED_TABLES: Final[dict[str, str]] = {
    "bookmarks": "item_id, item_title, created",
    "notes": "id, item_id, item_title, quote_exact, quote_prefix, quote_suffix, body, created, "
    "updated",
    "reading_positions": "item_id, position, updated",
    "checklist_ticks": "item_id, check_id, ticked_at",
}
#: The reader's preferences, which older builds kept in the library's ``meta`` table.
MOVED_META_KEYS: Final = ("ui-settings",)


def attach(conn: Connection, path: Path, key: bytes, *, create: bool) -> None:
    """Attach the user database at ``path`` to the library's ``conn`` and bring its schema up.

    ``create`` allows making a new file where none exists: for a new library, and for a library
    an older build wrote (which kept the reader's data in its own file).

    Raises:
        DatabaseDamaged: the file is missing (and ``create`` is False), truncated, damaged, or
            was not encrypted with this library's key.
        EncryptionUnavailable: the file is plain SQLite.
        SchemaTooNew: a newer build wrote it.
    """
    existed = path.exists()
    if existed and create and path.is_file() and path.stat().st_size == 0:
        # Killed right after the file was made, before its first page: SQLite starts an
        # empty file afresh, and nothing was in it to lose.
        existed = False
    if not existed and not create:
        raise DatabaseDamaged(
            "The file with the library's notes and bookmarks (userdata.db) is missing."
        )
    if existed:
        if not path.is_file() or path.stat().st_size < database.MIN_DATABASE_BYTES:
            raise DatabaseDamaged("The file with the library's notes and bookmarks is truncated.")
        database.check_not_plaintext(path)
    try:
        # The key is bound, never spliced into the statement's text.
        conn.execute(f"ATTACH DATABASE ? AS {SCHEMA} KEY ?", (str(path), f"x'{key.hex()}'"))
    except sqlcipher3.DatabaseError:
        raise DatabaseDamaged(
            "The file with the library's notes and bookmarks is damaged or does not belong "
            "to these keys."
        ) from None
    try:
        try:
            with translate_errors():
                conn.execute(f"SELECT count(*) FROM {SCHEMA}.sqlite_master").fetchone()
                conn.execute(f"PRAGMA {SCHEMA}.journal_mode = WAL").fetchone()
                conn.execute(f"PRAGMA {SCHEMA}.synchronous = NORMAL")
                conn.execute(f"PRAGMA {SCHEMA}.journal_size_limit = 0")
                _migrate(conn)
        except DatabaseDamaged:
            raise DatabaseDamaged(
                "The file with the library's notes and bookmarks (userdata.db) is damaged."
            ) from None
        if not existed:
            database.check_not_plaintext(path)
            fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute(f"DETACH DATABASE {SCHEMA}")
        if not existed:
            for leftover in database.database_files(path):
                leftover.unlink(missing_ok=True)
        raise


def _migrate(conn: Connection) -> None:
    current = int(conn.execute(f"PRAGMA {SCHEMA}.user_version").fetchone()[0])
    if current > LATEST:
        raise SchemaTooNew(
            f"The library's notes and bookmarks were written by a newer fieldreader (schema "
            f"{current}; this build knows up to {LATEST}). Update fieldreader to open them."
        )
    schema.run_migrations(conn, MIGRATIONS, current, LATEST, SCHEMA)


def mark_holding(conn: Connection) -> None:
    """Record that this file holds the reader's data (a new library's, or a finished copy)."""
    with transaction(conn):
        conn.execute(
            f"INSERT OR IGNORE INTO {SCHEMA}.meta (key, value) VALUES (?, '1')", (HOLDS_DATA,)
        )


def adopt(conn: Connection, moved_at: int) -> bool:
    """Copy the reader's data an older build kept in the library's file into this one.

    Call while the library's schema is below ``moved_at`` (the version that drops the old
    tables). The copy is committed here on its own, marked with :data:`HOLDS_DATA` in the same
    transaction, before the library's migration drops the old tables. From then on this file
    counts: a move stopped between the two (a kill, a power cut), or a library file put back
    from a backup taken before the move, keeps what this file holds, never the old tables.
    Without the mark, this file was made by a move that stopped before its copy committed, and
    holds nothing yet. The library's write lock is held throughout, so a second fieldreader
    opening the same library waits, then finds the work done. Returns whether rows were copied.
    """
    with translate_errors():
        conn.execute("BEGIN IMMEDIATE")
        try:
            done = int(conn.execute("PRAGMA main.user_version").fetchone()[0]) >= moved_at
            held = conn.execute(
                f"SELECT 1 FROM {SCHEMA}.meta WHERE key = ?", (HOLDS_DATA,)
            ).fetchone()
            copied = not done and held is None and _copy_old_tables(conn)
            if not done:
                mark_holding(conn)  # a savepoint inside this transaction: committed with it
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return copied


def _copy_old_tables(conn: Connection) -> bool:
    tables = {
        str(r[0]) for r in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")
    }
    if "notes" not in tables:
        return False
    for table, columns in MOVED_TABLES.items():
        conn.execute(f"DELETE FROM {SCHEMA}.{table}")
        conn.execute(f"INSERT INTO {SCHEMA}.{table} ({columns}) SELECT {columns} FROM main.{table}")
    if "meta" in tables:
        keys = ", ".join("?" for _ in MOVED_META_KEYS)
        conn.execute(
            f"INSERT OR REPLACE INTO {SCHEMA}.preferences (key, value) "
            f"SELECT key, value FROM main.meta WHERE key IN ({keys})",
            MOVED_META_KEYS,
        )
    return True
