"""The library on disk: an encrypted database and the key slots that unlock it.

``<data dir>/library.keys`` holds the key slots, ``<data dir>/library.db`` (with its ``-wal`` and
``-shm`` companions) the SQLCipher database, ``<data dir>/userdata.db`` the reader's notes,
bookmarks and preferences (:mod:`fieldreader.store.userdb`, same key), ``<data dir>/staging.db``
what a sync downloaded but has not applied yet (:mod:`fieldreader.store.staging`, same key), and
``<data dir>/library.attempts`` the failed-unlock counter when a limit is set
(:mod:`fieldreader.store.attempts`). Nothing else is written there by the store.

Two protections for someone forced to unlock the library: a duress passphrase
(:func:`set_duress_passphrase`), which opens a fresh empty library after silently wiping the
real one, and a limit on failed unlocks (:func:`set_attempt_limit`), after which the library is
wiped.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import sqlcipher3

from fieldreader.fsutil import atomic_write, fsync_dir, overwrite, replace_and_shred
from fieldreader.store import attempts, database, keyslots, schema, staging, userdb
from fieldreader.store.content import ContentRepository
from fieldreader.store.errors import (
    KeySlotsDamaged,
    LibraryExists,
    LibraryNotFound,
    StoreError,
    WrongPassphrase,
)
from fieldreader.store.feeds import AttachmentRepository, FeedRepository
from fieldreader.store.filters import ItemFilter
from fieldreader.store.keyslots import DEFAULT_KDF, KdfParams
from fieldreader.store.search import SearchHit, search
from fieldreader.store.userdata import Clock, UserDataRepository, utc_now

KEYSLOTS_NAME = "library.keys"
DATABASE_NAME = "library.db"


@dataclass(frozen=True)
class LibraryPaths:
    root: Path

    @property
    def keyslots(self) -> Path:
        return self.root / KEYSLOTS_NAME

    @property
    def database(self) -> Path:
        return self.root / DATABASE_NAME

    @property
    def attempts(self) -> Path:
        return self.root / attempts.FILE_NAME

    @property
    def staging(self) -> Path:
        return self.root / staging.STAGING_NAME

    @property
    def userdata(self) -> Path:
        return self.root / userdb.USERDATA_NAME

    def database_files(self) -> list[Path]:
        """The three databases with their companion files."""
        return [
            *database.database_files(self.database),
            *database.database_files(self.userdata),
            *database.database_files(self.staging),
        ]

    def leftovers(self) -> list[Path]:
        """Every file the store may have written, including interrupted atomic writes."""
        found = [p for p in [self.keyslots, *self.database_files(), self.attempts] if p.exists()]
        if self.root.is_dir():
            found += sorted(self.root.glob(f".{KEYSLOTS_NAME}.*.tmp"))
            found += sorted(self.root.glob(f".{attempts.FILE_NAME}.*.tmp"))
        return found


def library_exists(data_dir: Path) -> bool:
    return LibraryPaths(data_dir).keyslots.exists()


class Library:
    """An unlocked library. Use :func:`create_library` or :func:`open_library` to get one.

    One object serves one thread at a time; the UI's worker owns it while it runs. A second
    thread works on a :meth:`sibling` of its own.
    """

    opened_under_duress: bool
    """True when the open that returned this object was a duress open, which wiped the real
    library and created this empty one. For tests only: the UI must never show it or act on it
    differently, since the point of a duress open is to look exactly like a normal one. Later
    opens of the new library with the same passphrase are ordinary opens (False)."""

    def __init__(
        self,
        paths: LibraryPaths,
        conn: database.Connection,
        staged: staging.StagingStore,
        clock: Clock,
        key: bytes,
    ) -> None:
        self.paths = paths
        self.opened_under_duress = False
        self._conn = conn
        self._clock = clock
        self._key = key
        """Kept to open siblings. It is in this process's memory anyway, inside SQLCipher."""
        self._is_sibling = False
        self.staging = staged
        """What a sync verified but has not applied yet (its own database: see :mod:`staging`)."""
        self.content = ContentRepository(conn)
        self.userdata = UserDataRepository(conn, clock)
        self.feeds = FeedRepository(conn)
        self.attachments = AttachmentRepository(conn)

    def sibling(self) -> Library:
        """A second, independent connection to this library, for another thread.

        A sync works on one so that the reader's thread keeps its own: while the sync's
        transaction is open, the reader still reads the library as it was before the sync
        (write-ahead logging gives each connection its own snapshot) and still saves notes
        (they live in ``userdata.db``, which the sync never locks). Close it when done; the
        sibling has its own staging connection, so either may close first.

        Raises:
            DatabaseDamaged, LibraryNotFound: the files changed since this library was opened.
        """
        if not self._key:
            raise StoreError("The library is closed.")
        conn = database.open_existing(self.paths.database, self._key)
        try:
            with database.translate_errors():
                schema.check_supported(conn)
                database.enable_wal(conn)
            userdb.attach(conn, self.paths.userdata, self._key, create=False)
            staged = staging.open_staging(self.paths.staging, self._key)
        except BaseException:
            database.close_quietly(conn)
            raise
        sibling = Library(self.paths, conn, staged, self._clock, self._key)
        sibling._is_sibling = True
        return sibling

    def search(
        self, text: str, filters: ItemFilter = ItemFilter(), limit: int = 20, offset: int = 0
    ) -> list[SearchHit]:
        return search(self._conn, text, filters, limit, offset)

    def resource(self, path: str) -> bytes | None:
        """The bytes behind a ``res:`` reference in rendered HTML (``res:media/map.png``).

        The reader loads images only through this: anything not in the encrypted store is
        simply absent, never fetched.
        """
        folder, _, name = path.removeprefix("res:").partition("/")
        if folder != "media" or not name:
            return None
        return self.attachments.get(name)

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """One all-or-nothing unit spanning several repository calls (the sync engine's apply)."""
        return database.transaction(self._conn)

    def get_meta(self, key: str) -> str | None:
        with database.translate_errors():
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with database.transaction(self._conn):
            self._conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def schema_version(self) -> int:
        return schema.version(self._conn)

    def integrity_problems(self) -> list[str]:
        """Every page's authentication (SQLCipher) and the b-tree structure (SQLite).

        An empty list means the whole file checked out.
        """
        problems: list[str] = []
        try:
            for schema_name in ("main", userdb.SCHEMA):
                problems += [
                    str(r[0])
                    for r in self._conn.execute(f"PRAGMA {schema_name}.cipher_integrity_check")
                ]
            rows = self._conn.execute("PRAGMA integrity_check").fetchall()
            problems += [str(r[0]) for r in rows if r[0] != "ok"]
        except sqlcipher3.DatabaseError as exc:
            problems.append(f"unreadable: {exc}")
        return problems

    def close(self) -> None:
        # Best effort: a busy or damaged database must still close.
        self._key = b""  # no sibling opens after this
        self.staging.close()
        with contextlib.suppress(StoreError, sqlcipher3.Error):
            # A sibling (a sync) never writes the user database: folding its log would only
            # hold up a note being saved on the reader's connection.
            database.truncate_wal(self._conn, "main" if self._is_sibling else None)
        database.close_quietly(self._conn)

    def wipe(self) -> int:
        """Close this library and destroy it (:func:`wipe_library`)."""
        self._key = b""
        self.staging.close()
        database.close_quietly(self._conn)
        return wipe_library(self.paths.root)

    def __enter__(self) -> Library:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def create_library(
    data_dir: Path, passphrase: str, kdf: KdfParams = DEFAULT_KDF, clock: Clock = utc_now
) -> Library:
    """Create an empty library with a fresh random master key sealed under ``passphrase``.

    Raises:
        LibraryExists: anything of a library is already in ``data_dir``.
    """
    if not passphrase:
        raise StoreError("The passphrase must not be empty.")
    paths = LibraryPaths(data_dir)
    if paths.leftovers():
        raise LibraryExists(
            f"A library already exists in {data_dir}. Open it, or wipe it first to start over."
        )
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    master_key = keyslots.new_master_key()
    slot = keyslots.seal(master_key, passphrase, kdf)
    conn = database.create(paths.database, master_key)
    staged: staging.StagingStore | None = None
    try:
        schema.migrate(conn)
        database.enable_wal(conn)
        userdb.attach(conn, paths.userdata, master_key, create=True)
        userdb.mark_holding(conn)
        staged = staging.open_staging(paths.staging, master_key)
        library = Library(paths, conn, staged, clock, master_key)
        library.set_meta("library_id", secrets.token_hex(16))
        library.set_meta("created", clock().isoformat(timespec="seconds"))
        atomic_write(paths.keyslots, keyslots.encode((slot,)))
    except BaseException:
        if staged is not None:
            staged.close()
        database.close_quietly(conn)
        for path in paths.database_files():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        raise
    return library


def open_library(data_dir: Path, passphrase: str, clock: Clock = utc_now) -> Library:
    """Unlock the library in ``data_dir``, upgrading its schema if an older build wrote it.

    With a limit on failed unlocks set, the attempt is counted before the key derivation starts
    and the count cleared once the passphrase proves right; the failed attempt that reaches the
    limit wipes the library and raises the same WrongPassphrase as any other. A duress
    passphrase wipes the library and returns a new empty one it unlocks from then on, in a way
    the caller cannot tell from a normal open (see :attr:`Library.opened_under_duress`).

    Raises:
        LibraryNotFound, WrongPassphrase, KeySlotsDamaged, DatabaseDamaged, SchemaTooNew,
        EncryptionUnavailable. Apart from the failed-unlock counter and the wipe at its limit,
        none of them writes anything. A successful open creates the staging database if it is
        missing (or replaces a damaged one: it holds only a download cache).
    """
    paths = LibraryPaths(data_dir)
    slots = _read_slots(paths)
    master_key, opened = _unlock_counted(paths, slots, passphrase)
    if keyslots.is_duress_marker(master_key):
        return _replace_under_duress(paths, passphrase, opened.params, clock)
    conn = database.open_existing(paths.database, master_key)
    try:
        _open_schemas(conn, paths, master_key)
        staged = staging.open_staging(paths.staging, master_key)
    except BaseException:
        database.close_quietly(conn)
        raise
    return Library(paths, conn, staged, clock, master_key)


def _open_schemas(conn: database.Connection, paths: LibraryPaths, key: bytes) -> None:
    """Attach the user database and bring both schemas up to this build's.

    A library from before the user database existed gets one here (:func:`userdb.adopt`):
    the reader's rows are copied across and written through to the disk there, and only then
    dropped from the library's file, whose drop is written through in turn. With
    ``synchronous = NORMAL`` a power cut could otherwise keep the drop and lose the copy.
    """
    with database.translate_errors():
        schema.migrate(conn, target=schema.USER_DATA_MOVED - 1)  # no older than that
        database.enable_wal(conn)
    older = schema.version(conn) < schema.USER_DATA_MOVED
    userdb.attach(conn, paths.userdata, key, create=older)
    if not older:
        return
    userdb.adopt(conn, schema.USER_DATA_MOVED)
    if not database.truncate_wal(conn, userdb.SCHEMA):
        # Another fieldreader has the file open: the copy may not be on the disk yet, so the
        # old tables stay until an open that can be sure. Nothing reads them meanwhile.
        return
    with database.translate_errors():
        schema.migrate(conn)
    database.truncate_wal(conn, "main")


def _unlock_counted(
    paths: LibraryPaths, slots: tuple[keyslots.KeySlot, ...], passphrase: str
) -> tuple[bytes, keyslots.KeySlot]:
    """:func:`keyslots.unlock` under the failed-unlock limit, if one is set.

    Every function that checks a passphrase goes through here, not only :func:`open_library`:
    otherwise changing the passphrase (``fieldreader passwd``) would be a way to guess without
    limit. A duress passphrase leaves the attempt counted; opening replaces the counter anyway,
    and everywhere else it is refused as a wrong passphrase.
    """
    counted = attempts.count_attempt(paths.attempts)
    try:
        found = keyslots.unlock(slots, passphrase)
    except WrongPassphrase:
        if counted is not None and counted.exhausted:
            # Silent: whoever is guessing sees the usual refusal, then a first-run screen.
            # wipe_library tries every step (the key slots first) even if one fails; what it
            # could not remove is not worth revealing that a wipe happened.
            with contextlib.suppress(StoreError):
                wipe_library(paths.root)
        raise
    if counted is not None and not keyslots.is_duress_marker(found[0]):
        attempts.clear(paths.attempts, counted.limit)
    return found


def _replace_under_duress(
    paths: LibraryPaths, passphrase: str, kdf: KdfParams, clock: Clock
) -> Library:
    """Wipe the real library and create an empty one that ``passphrase`` opens from now on.

    The new library keeps the duress slot's key-derivation cost and the failed-unlock limit, so
    it is configured like the one it replaces.
    """
    kept = attempts.read(paths.attempts)
    wipe_library(paths.root)
    library = create_library(paths.root, passphrase, kdf, clock)
    if kept is not None:
        attempts.clear(paths.attempts, kept.limit)
    library.opened_under_duress = True
    return library


def change_passphrase(data_dir: Path, old: str, new: str, kdf: KdfParams = DEFAULT_KDF) -> None:
    """Replace the slot ``old`` opens with one for ``new``. The database is not touched.

    Like :func:`add_passphrase` and :func:`remove_passphrase`, this treats a duress passphrase as
    a wrong one: only opening the library acts on it.
    """
    if not new:
        raise StoreError("The new passphrase must not be empty.")
    paths = LibraryPaths(data_dir)
    slots = _read_slots(paths)
    master_key, opened = _unlock_real(paths, slots, old)
    replacement = keyslots.seal(master_key, new, kdf)
    new_slots = tuple(replacement if s.id == opened.id else s for s in slots)
    replace_and_shred(paths.keyslots, keyslots.encode(new_slots))


def add_passphrase(data_dir: Path, current: str, new: str, kdf: KdfParams = DEFAULT_KDF) -> str:
    """Add a slot for ``new`` (authorised by ``current``); returns the new slot's id."""
    if not new:
        raise StoreError("The new passphrase must not be empty.")
    paths = LibraryPaths(data_dir)
    slots = _read_slots(paths)
    if len(slots) >= keyslots.MAX_SLOTS:
        raise StoreError(f"A library holds at most {keyslots.MAX_SLOTS} passphrases.")
    master_key, _ = _unlock_real(paths, slots, current)
    added = keyslots.seal(master_key, new, kdf)
    replace_and_shred(paths.keyslots, keyslots.encode((*slots, added)))
    return added.id


def remove_passphrase(data_dir: Path, passphrase: str) -> None:
    """Remove the slot that ``passphrase`` opens; the last slot cannot be removed.

    Duress slots cannot be told from the others, so a library left with only a duress slot
    counts as having one: removing the last real passphrase that way loses the library at the
    next open. Callers should make sure another real passphrase remains.
    """
    paths = LibraryPaths(data_dir)
    slots = _read_slots(paths)
    _, opened = _unlock_real(paths, slots, passphrase)
    if len(slots) == 1:
        raise StoreError("This is the library's only passphrase; change it instead of removing it.")
    replace_and_shred(paths.keyslots, keyslots.encode(tuple(s for s in slots if s.id != opened.id)))


def set_duress_passphrase(
    data_dir: Path, current: str, duress: str, kdf: KdfParams = DEFAULT_KDF
) -> None:
    """Add a duress slot for ``duress``, authorised by the real passphrase ``current``.

    Opening the library with ``duress`` then wipes it and opens a new empty library instead
    (:func:`open_library`). A duress slot that ``duress`` already opens is replaced (to change its
    cost, say). Other duress slots cannot be found without their passphrases, so setting a
    different duress passphrase adds a slot and the earlier one keeps working; remove it with
    :func:`remove_duress_passphrase`.

    Raises:
        StoreError: ``duress`` is empty, or is a passphrase of the library (``current`` or any
            other); the library holds the most slots it can.
        WrongPassphrase: ``current`` opens no slot, or is itself a duress passphrase.
    """
    if not duress:
        raise StoreError("The duress passphrase must not be empty.")
    if _same_passphrase(duress, current):
        raise StoreError("The duress passphrase must differ from the library's passphrase.")
    paths = LibraryPaths(data_dir)
    slots = _read_slots(paths)
    _, opened = _unlock_real(paths, slots, current)
    existing = _duress_slot(slots, opened, duress)
    if existing is None and len(slots) >= keyslots.MAX_SLOTS:
        raise StoreError(f"A library holds at most {keyslots.MAX_SLOTS} passphrases.")
    added = keyslots.seal(keyslots.DURESS_MARKER, duress, kdf)
    if existing is None:
        new_slots = (*slots, added)
    else:
        new_slots = tuple(added if s.id == existing.id else s for s in slots)
    replace_and_shred(paths.keyslots, keyslots.encode(new_slots))


def remove_duress_passphrase(data_dir: Path, current: str, duress: str) -> None:
    """Remove the duress slot ``duress`` opens, authorised by the real passphrase ``current``.

    Raises:
        StoreError: ``duress`` opens no duress slot (it is wrong, or a real passphrase).
        WrongPassphrase: ``current`` opens no slot, or is itself a duress passphrase.
    """
    paths = LibraryPaths(data_dir)
    slots = _read_slots(paths)
    _, opened = _unlock_real(paths, slots, current)
    existing = _duress_slot(slots, opened, duress) if duress else None
    if existing is None:
        raise StoreError("That is not a duress passphrase of this library.")
    kept = tuple(s for s in slots if s.id != existing.id)
    replace_and_shred(paths.keyslots, keyslots.encode(kept))


def _unlock_real(
    paths: LibraryPaths, slots: tuple[keyslots.KeySlot, ...], passphrase: str
) -> tuple[bytes, keyslots.KeySlot]:
    """:func:`_unlock_counted`, with a duress passphrase refused like a wrong one.

    Changing the key slots with a duress passphrase must neither reveal the master key nor
    wipe anything (only opening wipes), and must look like any refusal.
    """
    master_key, opened = _unlock_counted(paths, slots, passphrase)
    if keyslots.is_duress_marker(master_key):
        raise WrongPassphrase("The passphrase is not correct.")
    return master_key, opened


def _duress_slot(
    slots: tuple[keyslots.KeySlot, ...], authorising: keyslots.KeySlot, duress: str
) -> keyslots.KeySlot | None:
    """The duress slot ``duress`` opens, if any.

    Tries every slot but the authorising one (one key derivation each), so that a passphrase the
    library already has is refused rather than turned into a duress passphrase.

    Raises:
        StoreError: ``duress`` opens a real slot.
    """
    for slot in slots:
        if slot.id == authorising.id:
            continue
        content = keyslots.try_open(slot, duress)
        if content is None:
            continue
        if not keyslots.is_duress_marker(content):
            raise StoreError("The duress passphrase must differ from the library's passphrases.")
        return slot
    return None


def _same_passphrase(a: str, b: str) -> bool:
    return keyslots.normalise_passphrase(a) == keyslots.normalise_passphrase(b)


def attempt_limit(data_dir: Path) -> int | None:
    """The failed unlocks after which the library is wiped; None for no limit.

    A damaged counter file also reads as None, which is what it is: not enforced
    (:mod:`fieldreader.store.attempts`).
    """
    counter = attempts.read(LibraryPaths(data_dir).attempts)
    return None if counter is None else counter.limit


def set_attempt_limit(data_dir: Path, limit: int | None) -> None:
    """Wipe the library after ``limit`` failed unlocks in a row; None or 0 removes the limit.

    Takes no passphrase: anyone who can write to the data folder can delete the counter anyway,
    so a passphrase would protect nothing. Setting a limit starts the count afresh.

    Raises:
        StoreError: ``limit`` is outside 3 to 100.
        LibraryNotFound: there is no library to protect.
    """
    paths = LibraryPaths(data_dir)
    if not limit:
        paths.attempts.unlink(missing_ok=True)
        fsync_dir(paths.root)
        return
    attempts.check_limit(limit)
    if not paths.keyslots.exists():
        raise LibraryNotFound(f"There is no library in {data_dir}.")
    attempts.write(paths.attempts, attempts.Attempts(limit, 0))


def slot_ids(data_dir: Path) -> list[str]:
    return [s.id for s in _read_slots(LibraryPaths(data_dir))]


def wipe_library(data_dir: Path) -> int:
    """Destroy the library in ``data_dir`` so nobody can recover it, passphrase or not.

    The key slots are overwritten first: once they are gone the database is random bytes to
    everyone, so the rest only has to be fast, not thorough. Takes no passphrase (a panic wipe
    must work at a locked screen) and needs no open connection; close any that are open first
    (:meth:`Library.wipe` does). Every step is attempted even if another failed; returns the
    files removed.

    Raises:
        StoreError: some file could not be overwritten or removed (the rest was done).
    """
    paths = LibraryPaths(data_dir)
    targets = paths.leftovers()
    failures: list[str] = []

    def attempt(step: Callable[[], object], name: str) -> None:
        try:
            step()
        except OSError as exc:
            failures.append(f"{name}: {exc.strerror}")

    for path in targets:
        if path.name.startswith(f".{KEYSLOTS_NAME}") or path == paths.keyslots:
            attempt(lambda p=path: overwrite(p), path.name)  # type: ignore[misc]
    for db_path in (paths.database, paths.userdata):
        wal = db_path.with_name(db_path.name + "-wal")
        attempt(lambda p=db_path: overwrite(p, 4096), db_path.name)  # type: ignore[misc]
        attempt(lambda p=wal: overwrite(p, 4096), wal.name)  # type: ignore[misc]
    removed = 0
    for path in targets:
        try:
            path.unlink(missing_ok=True)
            removed += 1
        except OSError as exc:
            failures.append(f"{path.name}: {exc.strerror}")
    fsync_dir(paths.root)
    with contextlib.suppress(OSError):
        paths.root.rmdir()  # only succeeds when nothing else is in it
    if failures:
        raise StoreError("The wipe could not finish everything: " + "; ".join(failures))
    return removed


def _read_slots(paths: LibraryPaths) -> tuple[keyslots.KeySlot, ...]:
    try:
        data = paths.keyslots.read_bytes()
    except FileNotFoundError:
        if paths.database.exists():
            raise KeySlotsDamaged(
                "The library's key slots file is missing: the library cannot be unlocked."
            ) from None
        raise LibraryNotFound(
            f"There is no library in {paths.root}. Create one with 'fieldreader init'."
        ) from None
    return keyslots.decode(data)
