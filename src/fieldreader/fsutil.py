"""Small file-system helpers shared by the store, the CLI and (later) the sync engine."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` so a crash leaves either the old file or the new one.

    The temporary file sits in the same directory (so ``os.replace`` is atomic) and is created
    with ``mode`` from the start, never world-readable for an instant.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def replace_and_shred(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` atomically, then overwrite the old file's bytes before freeing them.

    A rename alone leaves the old file's blocks on disk with their contents: for the key slots,
    a slot sealed under a passphrase that was just changed (perhaps because it was given up).
    A hard link keeps hold of the old file so it can be overwritten in place once replaced.
    On copy-on-write and flash storage the old blocks may still survive; the threat model
    says so.
    """
    old = path.with_name(f".{path.name}.{secrets.token_hex(4)}.old.tmp")
    try:
        os.link(path, old)
    except OSError:
        # No old file, or a file system without hard links (a FAT-formatted USB stick): the
        # replacement still happens atomically; only the in-place overwrite is not possible.
        atomic_write(path, data, mode)
        return
    try:
        atomic_write(path, data, mode)
    finally:
        # Only once the replacement took: a write that failed (a full disk) leaves ``old`` a
        # second name of the file still in use, and overwriting it would destroy that file.
        if not _same_file(old, path):
            overwrite(old)
        old.unlink(missing_ok=True)
        fsync_dir(path.parent)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def fsync_dir(directory: Path) -> None:
    """Make a rename or delete in ``directory`` durable (a no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def overwrite(path: Path, length: int | None = None) -> None:
    """Overwrite the start of ``path`` (``length`` bytes, default all) with random bytes, durably.

    On flash storage the old blocks may survive in the controller; the point is that the key
    slots are gone from every place the file system can show, which is what makes the encrypted
    database unrecoverable.
    """
    try:
        size = path.stat().st_size
        f = path.open("r+b")
    except FileNotFoundError:
        return  # gone already (SQLite removes its -wal when the last connection closes)
    count = size if length is None else min(size, length)
    with f:
        f.write(secrets.token_bytes(count))
        f.flush()
        os.fsync(f.fileno())
