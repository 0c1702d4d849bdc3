"""The failed-unlock counter: ``<data dir>/library.attempts``, a small plain JSON file.

Layout: ``{"failed": 3, "limit": 10}``. No file means no limit. The file holds nothing secret; it
is plain so that the count can be raised before the passphrase is known to be right or wrong.

What the counter defends against is guessing through the app: someone with the laptop and the
reader, trying passphrases at the unlock screen. It does not defend against anyone who can
write to the data folder (they delete the file) or copy it (they guess offline against
``library.keys``, where only Argon2id's cost slows them down). That settles every failure of the
file itself: a damaged, unreadable or unwritable file is read as "no limit" and left as it is.
Honouring a guessed limit instead could wipe a library whose owner never asked for it, or lock
them out, while protecting nothing against someone able to damage the file in the first place.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

from fieldreader.fsutil import atomic_write
from fieldreader.store.errors import StoreError

FILE_NAME = "library.attempts"
MIN_LIMIT = 3
MAX_LIMIT = 100
_MAX_FILE_BYTES = 1024


@dataclass(frozen=True)
class Attempts:
    """A limit and the unlocks counted against it since the last successful one."""

    limit: int
    failed: int

    @property
    def exhausted(self) -> bool:
        return self.failed >= self.limit


def check_limit(limit: int) -> None:
    """Refuse limits a typo could make dangerous (1: one slip wipes) or pointless (thousands)."""
    if not MIN_LIMIT <= limit <= MAX_LIMIT:
        raise StoreError(
            f"The number of failed unlocks before a wipe must be between {MIN_LIMIT} and "
            f"{MAX_LIMIT}."
        )


def read(path: Path) -> Attempts | None:
    """The counter in ``path``; None for no file and, by design, for a damaged one."""
    try:
        with path.open("rb") as f:
            data = f.read(_MAX_FILE_BYTES + 1)
        doc = json.loads(data.decode("utf-8")) if len(data) <= _MAX_FILE_BYTES else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(doc, dict):
        return None
    limit, failed = doc.get("limit"), doc.get("failed")
    if type(limit) is not int or type(failed) is not int:
        return None
    if not MIN_LIMIT <= limit <= MAX_LIMIT or failed < 0:
        return None
    return Attempts(limit, failed)


def write(path: Path, attempts: Attempts) -> None:
    """Replace the counter atomically and durably (the count must survive a power cut)."""
    doc = {"failed": attempts.failed, "limit": attempts.limit}
    atomic_write(path, json.dumps(doc, sort_keys=True).encode())


def count_attempt(path: Path) -> Attempts | None:
    """Count one more failed unlock before it is tried; returns the new count, None for no limit.

    Counted first and cleared on success, so an unlock interrupted mid-derivation (the process
    killed to see whether a guess costs a try) still counts as failed.
    """
    current = read(path)
    if current is None:
        return None
    counted = Attempts(current.limit, current.failed + 1)
    _write_if_possible(path, counted)
    return counted


def clear(path: Path, limit: int) -> None:
    """Start counting afresh after a successful unlock."""
    _write_if_possible(path, Attempts(limit, 0))


def _write_if_possible(path: Path, attempts: Attempts) -> None:
    # A read-only or full disk must not keep the owner out (see the module's docstring).
    with contextlib.suppress(OSError):
        write(path, attempts)
