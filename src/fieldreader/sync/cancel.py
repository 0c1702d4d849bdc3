"""Cancelling a sync from another thread, including what is waiting on the network.

A flag the engine reads between files is enough while data flows; on a stalled connection the
engine sits in a read for up to the read timeout (a minute over Tor), and a person who locks the
window or wipes the library should not wait that long for the sync to let go of the library. A
:class:`Cancellation` is that flag plus the sources to interrupt: setting it also shuts their
connections down under the waiting read, which then fails at once, and ends their pauses
(backoff, the bandwidth cap). A connection still being made (the name lookup, the TCP
handshake) is waited on in short slices that look for the cancel, so it ends too; through a
proxy, the proxy's own lookup of the mirror is a read on an open connection, cut like any
other. That the shutdown wakes a waiting read is tested on Linux; on Windows and macOS it has
not been tried.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Cancellation:
    """Set from any thread; :meth:`is_set` is the engine's ``cancelled`` check."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._hooks: list[Callable[[], None]] = []

    def set(self) -> None:
        with self._lock:
            self._event.set()
            hooks, self._hooks = self._hooks, []
        for hook in hooks:
            _call(hook)

    def is_set(self) -> bool:
        return self._event.is_set()

    def when_set(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` when this is set (at once if it is already): it must be quick and safe
        to call from any thread."""
        with self._lock:
            if not self._event.is_set():
                self._hooks.append(hook)
                return
        _call(hook)


def _call(hook: Callable[[], None]) -> None:
    """A hook that fails must not stop the caller (a lock clearing the window) or the others."""
    try:
        hook()
    except Exception as exc:
        log.warning("cancelling a sync: %s", type(exc).__name__)
