"""Feed files a sync has downloaded and verified but not applied yet, in their own database.

An interrupted sync must not download again what it already verified, so each file is kept, and
committed, the moment it verifies: a kill loses at most the file in hand. Meanwhile the sync
applies what it has verified inside the library's one all-or-nothing transaction, and SQLite
lets one connection write to a file at a time: the staged files therefore live in a second
database beside the library's, ``staging.db``, encrypted with the same key like everything
else in the folder. It holds feed content only, never notes or bookmarks, and nothing in it is
needed once an update is applied, so a damaged staging file is replaced by an empty one.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import sqlcipher3

from fieldreader.store import database
from fieldreader.store.database import Connection, translate_errors
from fieldreader.store.errors import DatabaseDamaged, EncryptionUnavailable, StoreError

STAGING_NAME = "staging.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feed_staging (
    sha256 TEXT PRIMARY KEY,
    feed   TEXT NOT NULL,
    data   BLOB NOT NULL
);
"""


class StagingStore:
    """Verified bytes by their SHA-256, per feed. One thread at a time, like the library."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, sha256: str) -> bytes | None:
        with translate_errors():
            row = self._conn.execute(
                "SELECT data FROM feed_staging WHERE sha256 = ?", (sha256,)
            ).fetchone()
        return None if row is None else bytes(row[0])

    def put(self, feed: str, sha256: str, data: bytes) -> None:
        """Keep verified bytes; committed at once, on their own."""
        with translate_errors():
            self._conn.execute(
                "INSERT OR IGNORE INTO feed_staging (sha256, feed, data) VALUES (?, ?, ?)",
                (sha256, feed, data),
            )

    def drop(self, sha256: str) -> None:
        with translate_errors():
            self._conn.execute("DELETE FROM feed_staging WHERE sha256 = ?", (sha256,))

    def clear(self, feed: str) -> None:
        """Forget what was staged for ``feed`` (its update is applied) and give the space back."""
        with translate_errors():
            self._conn.execute("DELETE FROM feed_staging WHERE feed = ?", (feed,))
            if self._conn.execute("SELECT count(*) FROM feed_staging").fetchone()[0] == 0:
                self._conn.execute("VACUUM")
            database.truncate_wal(self._conn)

    def hashes(self) -> set[str]:
        with translate_errors():
            return {str(r[0]) for r in self._conn.execute("SELECT sha256 FROM feed_staging")}

    def count(self) -> int:
        with translate_errors():
            return int(self._conn.execute("SELECT count(*) FROM feed_staging").fetchone()[0])

    def close(self) -> None:
        with contextlib.suppress(StoreError, sqlcipher3.Error):
            database.truncate_wal(self._conn)
        database.close_quietly(self._conn)


def open_staging(path: Path, key: bytes) -> StagingStore:
    """The staging store at ``path``, created if missing and recreated empty if damaged (or
    replaced by something that is not an encrypted database): it only ever holds a cache."""
    try:
        return _open(path, key)
    except (DatabaseDamaged, EncryptionUnavailable):
        for leftover in database_files(path):
            leftover.unlink(missing_ok=True)
        return _open(path, key)


def database_files(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + s) for s in database.SIDECARS)]


def _open(path: Path, key: bytes) -> StagingStore:
    conn = database.open_existing(path, key) if path.exists() else database.create(path, key)
    try:
        with translate_errors():
            database.enable_wal(conn)
            # Staged files are feed content the library holds once they are applied: zeroing
            # them when they are dropped would cost a second write of every byte and protect
            # nothing the library itself does not hold.
            conn.execute("PRAGMA secure_delete = OFF")
            conn.executescript(_SCHEMA)
    except sqlcipher3.DatabaseError:
        database.close_quietly(conn)
        raise DatabaseDamaged("The staging database is damaged.") from None
    except BaseException:
        database.close_quietly(conn)
        raise
    return StagingStore(conn)
