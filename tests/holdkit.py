"""Holding a sync still inside its transaction, and telling that it holds the library's lock.

A sync takes the library's write lock with the first items it writes and keeps it until it
commits. :class:`ApplyHold` stops the sync's applying thread right after that first write, so
a test can act while the lock is certainly held, without a sleep or a race.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlcipher3

from fieldreader.store import ApplyResult, ContentRepository, Library
from fieldreader.store import database as db


class ApplyHold:
    """Stops the first apply of a feed's items after it wrote them, until :meth:`release`."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self._released = threading.Event()

    def install(self, monkeypatch: pytest.MonkeyPatch | None = None) -> ApplyHold:
        """Patched for the test (undone after it), or for good in a child process."""
        apply, hold = ContentRepository.apply, self

        def held_apply(repository: ContentRepository, *args: Any, **kwargs: Any) -> ApplyResult:
            done = apply(repository, *args, **kwargs)
            if kwargs.get("feed") is not None and not hold.reached.is_set():
                hold.reached.set()
                hold._released.wait()
            return done

        if monkeypatch is not None:
            monkeypatch.setattr(ContentRepository, "apply", held_apply)
        else:
            setattr(ContentRepository, "apply", held_apply)  # noqa: B010 - for good, on purpose
        return self

    def release(self) -> None:
        self._released.set()


def write_locked(library: Library) -> bool:
    """Whether another connection holds the library's write lock (as a sync applying does)."""
    conn = db.open_existing(library.paths.database, library._key)
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlcipher3.OperationalError as exc:
        return "locked" in str(exc)
    finally:
        conn.close()
    return False
