"""The encrypted store: key slots, the SQLCipher database, content, user data and search."""

from fieldreader.store.content import ApplyResult, ContentRepository, ItemSummary
from fieldreader.store.errors import (
    DatabaseDamaged,
    DiskFull,
    EncryptionUnavailable,
    KeySlotsDamaged,
    LibraryExists,
    LibraryNotFound,
    SchemaTooNew,
    StoreError,
    WrongPassphrase,
)
from fieldreader.store.filters import ItemFilter
from fieldreader.store.keyslots import DEFAULT_KDF, KdfParams
from fieldreader.store.library import (
    Library,
    LibraryPaths,
    add_passphrase,
    attempt_limit,
    change_passphrase,
    create_library,
    library_exists,
    open_library,
    remove_duress_passphrase,
    remove_passphrase,
    set_attempt_limit,
    set_duress_passphrase,
    slot_ids,
    wipe_library,
)
from fieldreader.store.search import SearchHit
from fieldreader.store.userdata import Bookmark, ItemNotFound, Note, NoteNotFound

__all__ = [
    "DEFAULT_KDF",
    "ApplyResult",
    "Bookmark",
    "ContentRepository",
    "DatabaseDamaged",
    "DiskFull",
    "EncryptionUnavailable",
    "ItemFilter",
    "ItemNotFound",
    "ItemSummary",
    "KdfParams",
    "KeySlotsDamaged",
    "Library",
    "LibraryExists",
    "LibraryNotFound",
    "LibraryPaths",
    "Note",
    "NoteNotFound",
    "SchemaTooNew",
    "SearchHit",
    "StoreError",
    "WrongPassphrase",
    "add_passphrase",
    "attempt_limit",
    "change_passphrase",
    "create_library",
    "library_exists",
    "open_library",
    "remove_duress_passphrase",
    "remove_passphrase",
    "set_attempt_limit",
    "set_duress_passphrase",
    "slot_ids",
    "wipe_library",
]
