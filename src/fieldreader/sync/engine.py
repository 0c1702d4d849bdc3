"""A sync: the update engine over the mirrors, trying the next mirror when one is stale.

The transport already moves on when a mirror is down; only verification can tell that a mirror
is *stale* (its validly signed metadata is older than what the library holds, or expired), so
that fallback lives here: each mirror in turn gets a whole update, until one verifies.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from dataclasses import dataclass

from fieldreader.feed.errors import (
    BadSignature,
    FeedError,
    FreezeAttack,
    HashMismatch,
    LengthExceeded,
    MalformedMetadata,
    MixAndMatch,
    RollbackAttack,
    ThresholdNotMet,
    UpdateCancelled,
)
from fieldreader.feed.update import UpdateOptions, UpdateResult, update_library
from fieldreader.store import Library
from fieldreader.sync.cancel import Cancellation
from fieldreader.sync.config import TransportConfig
from fieldreader.sync.errors import MirrorFailure, MirrorsExhausted, TransportError
from fieldreader.sync.network import CANCELLED
from fieldreader.sync.transport import CachedFile, MirrorSource

#: Failures that say something about one mirror, not about the feed: try the next mirror.
MIRROR_FAULTS: tuple[type[FeedError], ...] = (
    BadSignature,
    ThresholdNotMet,
    MalformedMetadata,
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


def sync_library(
    library: Library,
    config: TransportConfig,
    options: UpdateOptions,
    cancellation: Cancellation | None = None,
) -> SyncResult:
    """Bring ``library`` up to date from the first mirror whose feed verifies.

    ``options.online`` and ``options.stage`` are forced on: expired metadata from a mirror is
    refused, and what arrives is staged so a dropped connection costs nothing next time.
    ``cancellation``, when given, is what ``options.cancelled`` reads: setting it (from any
    thread) also cuts the connections, so a sync waiting on a stalled one stops at once.

    Raises:
        MirrorsExhausted: no mirror could be used; each mirror's reason is listed.
        FeedError: a failure that no other mirror could change (a bad channel key, say).
    """
    options = dataclasses.replace(options, online=True, stage=True)
    failures: list[MirrorFailure] = []
    validators = load_validators(library) if config.conditional_requests else {}
    with MirrorSource(config, validators=validators) as source:
        if cancellation is not None:
            cancellation.when_set(source.abort)
        for index, url in enumerate(config.mirrors):
            view = source.for_mirror(index) if len(config.mirrors) > 1 else source
            try:
                result = update_library(library, view, options)
            except MIRROR_FAULTS as exc:
                if cancellation is not None and cancellation.is_set():
                    # A cut connection can end a file early: what fails to verify then is the
                    # cancel, not the mirror.
                    raise UpdateCancelled(CANCELLED) from None
                if isinstance(exc, TransportError):
                    failures.append(MirrorFailure(url, str(exc), type(exc)))
                else:
                    failures.append(MirrorFailure(url, str(exc), TransportError, type(exc)))
                continue
            if config.conditional_requests:
                save_validators(library, validators)
            return SyncResult(
                result,
                url,
                source.stats.requests,
                source.stats.bytes_received,
                tuple(failures),
            )
    raise MirrorsExhausted("the feed", failures)


_VALIDATORS_KEY = "http-validators"


def load_validators(library: Library) -> dict[str, CachedFile]:
    """The conditional-request memory of earlier syncs, kept inside the encrypted database.

    It holds the last timestamp each mirror served and its ETag, so a sync that finds nothing
    new is a 304 with no body. (Tor syncs do not use it: see TransportConfig.for_tor.)
    """
    raw = library.get_meta(_VALIDATORS_KEY)
    if raw is None:
        return {}
    try:
        doc = json.loads(raw)
        return {
            url: CachedFile(base64.b64decode(v["body"]), v.get("etag"), v.get("last_modified"))
            for url, v in doc.items()
        }
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}  # a damaged memory only costs one full download of the timestamp


def save_validators(library: Library, validators: dict[str, CachedFile]) -> None:
    doc = {
        url: {
            "body": base64.b64encode(f.body).decode(),
            "etag": f.etag,
            "last_modified": f.last_modified,
        }
        for url, f in validators.items()
    }
    library.set_meta(_VALIDATORS_KEY, json.dumps(doc))
