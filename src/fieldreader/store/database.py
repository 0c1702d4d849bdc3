"""Opening the SQLCipher database, and refusing anything that is not really encrypted.

A messenger app once answered "file is not a database" by recreating its database without
encryption. Here a database is only ever created by :func:`create` on a path where nothing exists,
always with a key, and every open checks that SQLCipher is active and that the file is not plain
SQLite. Errors during open never lead to deleting, rewriting or recreating the file.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3

from fieldreader.store.errors import (
    DatabaseDamaged,
    DiskFull,
    EncryptionUnavailable,
    LibraryNotFound,
)

Connection = sqlcipher3.Connection
PLAIN_SQLITE_MAGIC = b"SQLite format 3\x00"
#: The smallest file SQLCipher can write: one 4 KiB page.
MIN_DATABASE_BYTES = 4096
#: Files SQLite keeps beside a database (its write-ahead log and index, a rollback journal).
SIDECARS = ("-wal", "-shm", "-journal")


def database_files(path: Path) -> list[Path]:
    """The database at ``path`` and every file SQLite may keep beside it."""
    return [path, *(path.with_name(path.name + s) for s in SIDECARS)]


def create(path: Path, key: bytes) -> Connection:
    """Create a new encrypted database at ``path`` (which must not exist)."""
    if path.exists():
        raise EncryptionUnavailable(f"Refusing to create a database over an existing file: {path}")
    try:
        conn = _connect(path, key)
        try:
            # Force the first page to disk so we can check the file as it really is.
            conn.execute("CREATE TABLE _probe(x)")
            conn.execute("DROP TABLE _probe")
            check_not_plaintext(path)
        except BaseException:
            conn.close()
            raise
    except BaseException:
        # The file is ours (nothing was there before): leave nothing behind.
        for leftover in (path, path.with_name(path.name + "-journal")):
            leftover.unlink(missing_ok=True)
        raise
    return conn


def open_existing(path: Path, key: bytes) -> Connection:
    """Open the encrypted database at ``path`` with ``key``, which the key slots vouched for.

    Since the key came out of an authenticated key slot, a database that will not open with it
    is damaged (or was swapped), never "maybe the wrong passphrase".
    """
    if not path.is_file():
        raise LibraryNotFound(f"The library's database is missing from {path.parent}.")
    size = path.stat().st_size
    if size < MIN_DATABASE_BYTES:
        raise DatabaseDamaged("The library's database is truncated.")
    check_not_plaintext(path)
    conn = _connect(path, key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        conn.close()
        raise DatabaseDamaged(
            "The library's database is damaged or does not belong to these keys."
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _connect(path: Path, key: bytes) -> Connection:
    if len(key) != 32:
        raise ValueError("the database key must be 32 bytes")
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT), never implied.
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        # Its log would print page-level errors on the user's terminal; our errors say enough.
        conn.execute("PRAGMA cipher_log_level = NONE")
        # Raw-key form: SQLCipher skips its own (slow) KDF because the key is already random.
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        _require_cipher(conn)
        # Nothing in clear outside the encrypted file: temporary tables and sort spills stay in
        # memory, and deleted content is zeroed inside the file.
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
    except sqlcipher3.DatabaseError:
        conn.close()
        raise DatabaseDamaged("The library's database is damaged.") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _require_cipher(conn: Connection) -> None:
    row = conn.execute("PRAGMA cipher_version").fetchone()
    if not row or not row[0]:
        raise EncryptionUnavailable(
            "The database library in this build does not encrypt; refusing to continue."
        )


def enable_wal(conn: Connection) -> None:
    """Switch to write-ahead logging: readers (the UI) keep working while a sync writes.

    SQLCipher encrypts WAL frames exactly like database pages, so the log holds no plaintext.
    """
    try:
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = NORMAL")
        # A log that was larger is cut back after each checkpoint, not left holding old pages.
        conn.execute("PRAGMA journal_size_limit = 0")
    except sqlcipher3.DatabaseError:
        raise DatabaseDamaged("The library's database is damaged.") from None


def truncate_wal(conn: Connection, schema: str | None = None) -> bool:
    """Fold the write-ahead log into the database and cut it to zero length.

    Old page images (a deleted note as it was) stay in the log until it is reused; with
    secure_delete they are zeroed in the database itself once checkpointed. Called after
    deleting user data and on close. ``schema`` names one attached database; without it, all
    of the connection's are done, which waits for any other connection writing to them.
    Returns False when another connection kept the log from being folded in whole.
    """
    target = "" if schema is None else f"{schema}."
    with translate_errors():
        rows = conn.execute(f"PRAGMA {target}wal_checkpoint(TRUNCATE)").fetchall()
    return all(row[0] == 0 for row in rows)


def check_not_plaintext(path: Path) -> None:
    with path.open("rb") as f:
        header = f.read(len(PLAIN_SQLITE_MAGIC))
    if header == PLAIN_SQLITE_MAGIC:
        raise EncryptionUnavailable(
            f"{path.name} is a plain, unencrypted SQLite file; fieldreader will not use it."
        )


def close_quietly(conn: Connection) -> None:
    with contextlib.suppress(sqlcipher3.Error):
        conn.close()


@contextlib.contextmanager
def transaction(conn: Connection) -> Iterator[None]:
    """All or nothing; nests inside an outer transaction as a savepoint.

    The sync engine wraps a whole update (content, feed state, version) in one outer transaction
    while the repositories use this for their own batches, so both compose.
    """
    name = f"sp_{secrets.token_hex(4)}"
    with translate_errors():
        conn.execute(f"SAVEPOINT {name}")
    try:
        with translate_errors():
            yield
    except BaseException:
        with translate_errors():
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
        raise
    with translate_errors():
        conn.execute(f"RELEASE {name}")


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn SQLite's failures of the medium into store errors; leave programming errors alone."""
    try:
        yield
    except sqlcipher3.IntegrityError:
        raise
    except sqlcipher3.OperationalError as exc:
        message = str(exc)
        if "full" in message:
            raise DiskFull("The disk is full: the change was not saved.") from None
        if "malformed" in message or "not a database" in message or "I/O" in message:
            raise DatabaseDamaged("The library's database is damaged.") from None
        raise
    except sqlcipher3.DatabaseError:
        raise DatabaseDamaged("The library's database is damaged.") from None
    except MemoryError:
        # SQLCipher reports a page that fails its HMAC check as SQLITE_NOMEM, which Python
        # raises as MemoryError. SQLite's own allocations are tiny next to Python's, so this
        # is a tampered or damaged page in practice.
        raise DatabaseDamaged(
            "The library's database is damaged: a page failed its authentication check."
        ) from None
