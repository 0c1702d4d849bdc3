"""Background threads for the core; results come back as Qt signals.

SQLite connections serve one thread at a time and key derivation takes half a second, so every
call into the core runs on the library's thread, in the order it was asked, and the window
never waits for it. A sync, which can take minutes, runs on a second thread with a connection
of its own (:meth:`fieldreader.service.ReaderService.sync`), so reading and saving notes do not
queue behind it. A result reaches its callback on the UI thread through a queued signal. A
callback whose owner has moved on (a search overtaken by the next keystroke) is dropped by the
caller's own generation check, not here.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

T = TypeVar("T")
Lane = Literal["library", "sync"]

log = logging.getLogger(__name__)


class Worker(QObject):
    """Runs core calls off the UI thread, one at a time per lane."""

    _delivered = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pools: dict[Lane, concurrent.futures.ThreadPoolExecutor] = {
            "library": concurrent.futures.ThreadPoolExecutor(1, "fieldreader-core"),
            "sync": concurrent.futures.ThreadPoolExecutor(1, "fieldreader-sync"),
        }
        self._pending = 0
        self._lock = threading.Lock()
        self._delivered.connect(self._deliver)

    def submit(
        self,
        call: Callable[[], T],
        done: Callable[[T], None] | None = None,
        failed: Callable[[Exception], None] | None = None,
        *,
        lane: Lane = "library",
    ) -> concurrent.futures.Future[T]:
        """Run ``call`` on the lane's thread; then ``done(result)`` or ``failed(error)`` on the
        UI thread. An error without a ``failed`` handler is logged by type only (messages can
        hold content). The "sync" lane is for :meth:`ReaderService.sync` alone."""
        self._count(+1)

        def run() -> T:
            try:
                result = call()
            except Exception as exc:
                self._delivered.emit((failed, exc, True))
                raise
            self._delivered.emit((done, result, False))
            return result

        return self._pools[lane].submit(run)

    def shutdown(self) -> None:
        """Run what is queued (the last reading position, closing the library), then stop.

        A sync is cancelled by its owner first, so this waits for seconds at most."""
        for pool in self._pools.values():
            pool.shutdown(wait=True, cancel_futures=False)

    def busy(self) -> bool:
        return self._pending > 0

    @Slot(object)
    def _deliver(self, packet: tuple[Callable[[Any], None] | None, Any, bool]) -> None:
        callback, value, is_error = packet
        self._count(-1)
        if callback is not None:
            callback(value)
        elif is_error:
            log.warning("background task failed: %s", type(value).__name__)

    def _count(self, step: int) -> None:
        with self._lock:
            before = self._pending
            self._pending += step
            after = self._pending
        if (before == 0) != (after == 0):
            self.busy_changed.emit(after > 0)
