"""The child process of the interruption test: one sync that kills itself at a chosen point.

Run as ``python interrupted_child.py DATA_DIR FEED_DIR NOW LOG MODE N``. It appends the size of
every download to LOG (written with os.write, so it survives the kill), and SIGKILLs itself:
MODE "fetch" after the N-th download (before the bytes are verified or staged), MODE "apply"
at the N-th SQL statement run inside the library's transaction (the one that applies the update,
open while objects are still downloading), MODE "none" never (it writes how many statements the
transaction ran to LOG.statements).
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime
from pathlib import Path

from fieldreader.feed.source import DirectorySource
from fieldreader.feed.update import UpdateOptions, update_library
from fieldreader.store import open_library

PASSPHRASE = "correct horse battery staple"


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class KillingSource(DirectorySource):
    def __init__(self, root: Path, log: int, kill_after: int | None) -> None:
        super().__init__(root)
        self.log = log
        self.kill_after = kill_after
        self.downloads = 0

    def fetch(self, path: str, max_bytes: int) -> bytes:
        data = super().fetch(path, max_bytes)
        os.write(self.log, f"{len(data)}\n".encode())
        self.downloads += 1
        if self.kill_after is not None and self.downloads >= self.kill_after:
            die()
        return data


def main() -> int:
    data_dir, feed_dir, now, log_path, mode, count = sys.argv[1:7]
    n = int(count)
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    library = open_library(Path(data_dir), PASSPHRASE)
    statements = 0

    def trace(sql: str) -> None:
        # Called on whichever thread runs the statement; the statement that opens the
        # transaction is traced before it runs, so only those inside it are counted.
        nonlocal statements
        if not library._conn.in_transaction:
            return
        statements += 1
        if mode == "apply" and statements >= n:
            die()

    library._conn.set_trace_callback(trace)
    source = KillingSource(Path(feed_dir), log, n if mode == "fetch" else None)
    options = UpdateOptions(now=datetime.fromisoformat(now), online=True, stage=True)
    update_library(library, source, options)
    library._conn.set_trace_callback(None)
    library.close()
    if mode == "none":  # how many statements the transaction ran, for choosing kill points
        Path(log_path + ".statements").write_text(str(statements))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
