"""Feed files a sync has downloaded and verified but not applied yet, in their own database.

An interrupted sync must not download again what it already verified, so each file is kept, and
committed, the moment it verifies: a kill loses at most the file in hand. Meanwhile the sync
applies what it has verified inside the library's one all-or-nothing transaction, and SQLite
lets one connection write to a file at a time: the staged files therefore live in a second
database beside the library's, ``staging.db``, encrypted with the same key like everything
else in the folder. It holds feed content only, never notes or bookmarks, and nothing in it is
needed once an update is applied, so a damaged staging file is replaced by an empty one. Rows
are zeroed when deleted (``secure_delete``), as in the library's own database: what was staged
and never applied (a cancelled sync of an article withdrawn since) does not linger.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import sqlcipher3

from fieldreader.store import database
from fieldreader.store.database import Connection, translate_errors
from fieldreader.store.errors import DatabaseDamaged, EncryptionUnavailable, StoreError

STAGING_NAME = "staging.db"
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feed_staging (
    sha256 TEXT PRIMARY KEY,
    feed   TEXT NOT NULL,
    data   BLOB NOT NULL
);
"""


class StagingStore:
    """Verified bytes by their SHA-256, per feed. One thread at a time, like the library.

    Damage found while it is in use (a page failing SQLCipher's check) never fails a sync: the
    file is closed and deleted, staging is off until the library is opened again (which makes a
    new, empty one), and what it held is downloaded again.
    """

    def __init__(self, conn: Connection, path: Path) -> None:
        self._conn: Connection | None = conn
        self._path = path

    def get(self, sha256: str) -> bytes | None:
        row = self._run(
            lambda c: c.execute(
                "SELECT data FROM feed_staging WHERE sha256 = ?", (sha256,)
            ).fetchone(),
            None,
        )
        return None if row is None else bytes(row[0])

    def put(self, feed: str, sha256: str, data: bytes) -> None:
        """Keep verified bytes; committed at once, on their own."""
        self._run(
            lambda c: c.execute(
                "INSERT OR IGNORE INTO feed_staging (sha256, feed, data) VALUES (?, ?, ?)",
                (sha256, feed, data),
            ),
            None,
        )

    def drop(self, sha256: str) -> None:
        self._run(lambda c: c.execute("DELETE FROM feed_staging WHERE sha256 = ?", (sha256,)), None)

    def clear(self, feed: str) -> None:
        """Forget what was staged for ``feed`` (its update is applied) and give the space back."""

        def clear(conn: Connection) -> None:
            conn.execute("DELETE FROM feed_staging WHERE feed = ?", (feed,))
            if conn.execute("SELECT count(*) FROM feed_staging").fetchone()[0] == 0:
                conn.execute("VACUUM")
            database.truncate_wal(conn)

        self._run(clear, None)

    def hashes(self) -> set[str]:
        rows: list[tuple[str]] = self._run(
            lambda c: c.execute("SELECT sha256 FROM feed_staging").fetchall(), []
        )
        return {str(r[0]) for r in rows}

    def count(self) -> int:
        row = self._run(lambda c: c.execute("SELECT count(*) FROM feed_staging").fetchone(), None)
        return 0 if row is None else int(row[0])

    def close(self) -> None:
        if self._conn is None:
            return
        with contextlib.suppress(StoreError, sqlcipher3.Error):
            database.truncate_wal(self._conn)
        database.close_quietly(self._conn)
        self._conn = None

    def _run(self, operation: Callable[[Connection], T], otherwise: T) -> T:
        if self._conn is None:
            return otherwise
        try:
            with translate_errors():
                return operation(self._conn)
        except DatabaseDamaged:
            self._discard()
            return otherwise

    def _discard(self) -> None:
        if self._conn is not None:
            database.close_quietly(self._conn)
            self._conn = None
        for path in database.database_files(self._path):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def open_staging(path: Path, key: bytes) -> StagingStore:
    """The staging store at ``path``, created if missing and recreated empty if damaged (or
    replaced by something that is not an encrypted database): it only ever holds a cache."""
    try:
        return _open(path, key)
    except (DatabaseDamaged, EncryptionUnavailable):
        for leftover in database.database_files(path):
            leftover.unlink(missing_ok=True)
        return _open(path, key)


def _open(path: Path, key: bytes) -> StagingStore:
    conn = database.open_existing(path, key) if path.exists() else database.create(path, key)
    try:
        with translate_errors():
            database.enable_wal(conn)
            conn.executescript(_SCHEMA)
    except sqlcipher3.DatabaseError:
        database.close_quietly(conn)
        raise DatabaseDamaged("The staging database is damaged.") from None
    except BaseException:
        database.close_quietly(conn)
        raise
    return StagingStore(conn, path)
