"""Applying verified items while the rest of an update is still downloading.

An update is applied in one transaction, and most of its time goes into the store: SQLite
writing rows and building the full-text index, which runs outside Python's interpreter lock.
Downloading and verifying are mostly Python. Doing the two one after the other made a sync take
their sum; here the store works on a thread of its own, inside the transaction the engine
opened, while the engine fetches and verifies the next objects, so a sync takes about as long
as the longer of the two.

Only this thread touches the library's connection until :meth:`Applier.finish` returns (the
engine stages downloads in the separate staging database meanwhile). Nothing is committed
here: a failure anywhere, on either thread, rolls the whole transaction back.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Self

from fieldreader.model import Item
from fieldreader.store import ApplyResult, Library

BATCH_ITEMS = 64
"""Items per call into the store: large enough that its per-call cost is small, small enough
that the thread starts early and memory stays bounded."""
QUEUED_BATCHES = 8
_POLL_S = 0.1

_Batch = list[tuple[Item, str]]


class Applier:
    """Feed it verified items with :meth:`add`; :meth:`finish` waits for the store to catch up.

    Use as a context manager: leaving the block, by an error or not, stops the thread before the
    caller rolls back or goes on using the connection.
    """

    def __init__(self, library: Library, feed: str) -> None:
        self._library = library
        self._feed = feed
        self._pending: _Batch = []
        self._queue: queue.Queue[_Batch | None] = queue.Queue(maxsize=QUEUED_BATCHES)
        self._totals = ApplyResult()
        self._error: BaseException | None = None
        self._abandoned = threading.Event()
        self._done = threading.Event()
        self._sentinel_sent = False
        self._thread = threading.Thread(target=self._run, name="fieldreader-apply", daemon=True)
        self._thread.start()

    def add(self, item: Item, object_hash: str) -> None:
        """Queue ``item`` (verified from the object ``object_hash``); raises what the store
        raised for an earlier one, so a failed update stops downloading at once."""
        self._raise_failure()
        self._pending.append((item, object_hash))
        if len(self._pending) >= BATCH_ITEMS:
            self._send()

    def finish(self, cancelled: Callable[[], bool] = lambda: False) -> ApplyResult | None:
        """Wait until every item added is in the (still open) transaction; the totals.

        Returns None, having dropped what was still queued, if ``cancelled()`` turns true while
        the store catches up (a person cancelling, a panic wipe): the caller rolls back.
        """
        if self._pending:
            self._send()
        self._send_sentinel()
        while not self._done.wait(_POLL_S):
            if cancelled():
                self._abandoned.set()
                self._stop()
                return None
        self._raise_failure()
        return self._totals

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # After finish() there is nothing left; before it, the update failed or was cancelled
        # (a panic wipe cancels a sync): skip what is queued rather than apply it for nothing.
        self._pending = []
        self._abandoned.set()
        self._stop()

    def _send(self) -> None:
        batch, self._pending = self._pending, []
        while True:
            try:
                self._queue.put(batch, timeout=_POLL_S)
            except queue.Full:
                self._raise_failure()  # the thread stopped taking batches: do not wait forever
            else:
                return

    def _send_sentinel(self) -> None:
        while not self._sentinel_sent and not self._done.is_set():
            try:
                self._queue.put(None, timeout=_POLL_S)
            except queue.Full:
                continue  # the thread is still taking batches
            self._sentinel_sent = True

    def _stop(self) -> None:
        """Return only once the thread has stopped using the connection, even if Ctrl-C
        arrives meanwhile (on Python 3.11 an interrupted join() can report a thread that is
        still running as finished): the caller rolls back or closes right after."""
        interrupted: KeyboardInterrupt | None = None
        while True:
            try:
                self._send_sentinel()
                self._done.wait()
                break
            except KeyboardInterrupt as exc:
                interrupted = exc
                self._abandoned.set()
        if interrupted is not None:
            raise interrupted

    def _raise_failure(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            self._take_batches()
        finally:
            self._done.set()

    def _take_batches(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self._error is not None or self._abandoned.is_set():
                continue  # keep taking batches so the engine never blocks on a full queue
            try:
                done = self._library.content.apply(
                    [item for item, _ in batch],
                    feed=self._feed,
                    object_hashes={item.id: sha for item, sha in batch},
                )
            except BaseException as exc:
                self._error = exc
            else:
                self._totals = ApplyResult(
                    self._totals.added + done.added,
                    self._totals.updated + done.updated,
                    self._totals.unchanged + done.unchanged,
                    self._totals.removed + done.removed,
                )
