"""Fetching the next few objects while the engine verifies and stages the current one.

Over a network every request waits at least a round trip (a second or more through Tor), so one
request at a time leaves the link idle most of the time. A source that allows it
(:func:`~fieldreader.feed.source.parallel_fetches`) has up to that many objects requested at
once, on threads that only download: verifying, staging and applying stay with the engine, in
the index's order, so the result, the progress and the errors are exactly those of fetching one
object after another. A source on the same disk is read one file at a time, as before.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Self

from fieldreader.feed.metadata import IndexEntry
from fieldreader.feed.source import FeedSource, object_path


class Prefetcher:
    """Downloads ahead of the engine, at most ``window`` objects beyond the one it is on."""

    def __init__(
        self,
        source: FeedSource,
        entries: Sequence[IndexEntry],
        *,
        window: int,
        skip: Collection[str] = (),
    ) -> None:
        """``skip``: hashes the engine takes from elsewhere (the staging), never fetched here."""
        self._source = source
        self._entries = entries
        self._window = window
        self._skip = skip
        self._next = 0
        self._futures: dict[int, Future[bytes]] = {}
        self._pool = (
            ThreadPoolExecutor(max_workers=window, thread_name_prefix="fieldreader-fetch")
            if window > 1
            else None
        )

    def take(self, number: int) -> bytes | None:
        """The bytes of ``entries[number]`` downloaded ahead, or None when the engine is to get
        them itself (no parallel fetching, or a staged object). Raises what the fetch raised."""
        if self._pool is None:
            return None
        self._request_up_to(self._pool, number + self._window)
        future = self._futures.pop(number, None)
        return None if future is None else future.result()

    def _request_up_to(self, pool: ThreadPoolExecutor, end: int) -> None:
        while self._next < min(end, len(self._entries)):
            entry = self._entries[self._next]
            if entry.sha256 not in self._skip:
                self._futures[self._next] = pool.submit(
                    self._source.fetch, object_path(entry.sha256), entry.length
                )
            self._next += 1

    def close(self) -> None:
        """Drop what was requested but not taken; wait for downloads already under way (each is
        bounded by the transport's timeouts)."""
        for future in self._futures.values():
            future.cancel()
        self._futures.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
