"""Errors of the encrypted store, split by cause so the UI can say the right sentence."""

from fieldreader.errors import FieldreaderError


class StoreError(FieldreaderError):
    """Something is wrong with the library on disk or the way it was asked to open."""


class LibraryNotFound(StoreError):
    """There is no library (no key slots) in the data directory."""


class LibraryExists(StoreError):
    """A library, or leftovers of one, already exists where a new one was to be created."""


class WrongPassphrase(StoreError):
    """No key slot opens with the passphrase given. Nothing was written."""


class KeySlotsDamaged(StoreError):
    """The key slots file is truncated, altered or not a key slots file at all."""


class DatabaseDamaged(StoreError):
    """The encrypted database failed its authentication checks or is truncated."""


class EncryptionUnavailable(StoreError):
    """SQLCipher is not active, or a file would be (or is) readable without a key."""


class SchemaTooNew(StoreError):
    """The library was written by a newer version of fieldreader."""


class DiskFull(StoreError):
    """The disk filled up during a write; the transaction was rolled back."""


class FeedConflict(StoreError):
    """An item id claimed by two sources (two feeds, or a feed and local content)."""
