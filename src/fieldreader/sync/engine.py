"""A sync: the update engine over the mirrors, trying the next mirror when one is stale.

The transport already moves on when a mirror is down; only verification can tell that a mirror
is *stale* (its validly signed metadata is older than what the library holds, or expired), so
that fallback lives here: each mirror in turn gets a whole update, until one verifies.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from fieldreader.feed.errors import (
    FeedError,
    FreezeAttack,
    HashMismatch,
    LengthExceeded,
    MixAndMatch,
    RollbackAttack,
)
from fieldreader.feed.update import UpdateOptions, UpdateResult, update_library
from fieldreader.store import Library
from fieldreader.sync.config import TransportConfig
from fieldreader.sync.errors import MirrorFailure, MirrorsExhausted, TransportError
from fieldreader.sync.transport import MirrorSource

#: Failures that say something about one mirror, not about the feed: try the next mirror.
MIRROR_FAULTS: tuple[type[FeedError], ...] = (
    FreezeAttack,
    RollbackAttack,
    MixAndMatch,
    HashMismatch,
    LengthExceeded,
    TransportError,
)


@dataclass
class SyncResult:
    update: UpdateResult
    mirror: str
    requests: int
    bytes_received: int
    skipped: tuple[MirrorFailure, ...] = ()
    """Mirrors tried first that could not be used, with the reason."""


def sync_library(library: Library, config: TransportConfig, options: UpdateOptions) -> SyncResult:
    """Bring ``library`` up to date from the first mirror whose feed verifies.

    ``options.online`` and ``options.stage`` are forced on: expired metadata from a mirror is
    refused, and what arrives is staged so a dropped connection costs nothing next time.

    Raises:
        MirrorsExhausted: no mirror could be used; each mirror's reason is listed.
        FeedError: a failure that no other mirror could change (a bad channel key, say).
    """
    options = dataclasses.replace(options, online=True, stage=True)
    failures: list[MirrorFailure] = []
    with MirrorSource(config) as source:
        for index, url in enumerate(config.mirrors):
            view = source.for_mirror(index) if len(config.mirrors) > 1 else source
            try:
                result = update_library(library, view, options)
            except MIRROR_FAULTS as exc:
                kind = type(exc) if isinstance(exc, TransportError) else TransportError
                failures.append(MirrorFailure(url, str(exc), kind))
                continue
            return SyncResult(
                result,
                url,
                source.stats.requests,
                source.stats.bytes_received,
                tuple(failures),
            )
    raise MirrorsExhausted("the feed", failures)
