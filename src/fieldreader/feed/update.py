"""Bringing a library up to date from a feed source, all or nothing.

The same engine serves a bundle import and a sync: it walks the root chain, verifies the
timestamp and snapshot, fetches only the index segments and objects the library does not hold,
verifies each, and applies everything in one transaction together with the new feed state.
Until that transaction commits, the library shows exactly what it showed before; a failure at
any point leaves it untouched. The transaction opens before the objects are fetched: verified
items go into it on a thread of its own (:mod:`~fieldreader.feed.applier`) while the next ones
download, and each download is staged, committed at once, in the separate staging database.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from fieldreader.feed.applier import Applier
from fieldreader.feed.errors import (
    BadSignature,
    FeedError,
    MixAndMatch,
    ThresholdNotMet,
    UpdateCancelled,
    WrongFeed,
)
from fieldreader.feed.metadata import (
    IndexEntry,
    Root,
    Segment,
    SegmentRef,
    effective_index,
    format_time,
)
from fieldreader.feed.objects import entry_id
from fieldreader.feed.prefetch import Prefetcher
from fieldreader.feed.source import FeedSource, NotInSource, object_path, parallel_fetches
from fieldreader.feed.verify import (
    DEFAULT_LIMITS,
    FeedVerifier,
    Held,
    Limits,
    load_trusted_root,
    parse_envelope,
)
from fieldreader.model import Item, is_valid_id
from fieldreader.store import ApplyResult, Library
from fieldreader.store.errors import StoreError
from fieldreader.store.feeds import FeedState

T = TypeVar("T")


class NotTrusted(FeedError):
    """The library does not trust this feed yet, and no trusted root was given."""


class DeltaNeedsBase(NotInSource):
    """A delta bundle for libraries that hold an earlier version this library lacks."""


@dataclass(frozen=True)
class Progress:
    phase: str
    """"metadata", "index", "objects" or "applying"."""
    done: int
    total: int
    bytes_fetched: int = 0
    """Bytes downloaded so far in this update (not counting what was staged before)."""


ProgressCallback = Callable[[Progress], None]


@dataclass
class UpdateResult:
    feed: str
    version: int
    nothing_new: bool = False
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    attachments: int = 0
    not_carried: int = 0
    """Entries whose objects the source did not carry (a bundle limited to some channels)."""
    age_seconds: float = 0.0
    expired: bool = False
    bytes_fetched: int = 0
    """Bytes of segments and objects downloaded by this update (staged ones not counted)."""
    channels_proven: set[str] = field(default_factory=set, repr=False)
    """Restricted channels whose key opened at least one object in this update."""
    reused: int = 0
    """Segments and objects taken from an interrupted update's staging, not downloaded again."""
    root_version: int = 0


@dataclass(frozen=True)
class UpdateOptions:
    now: datetime
    online: bool
    """True for a mirror (expired metadata refused), False for a bundle (accepted if newer)."""
    trusted_root: bytes | None = None
    """Root metadata to trust if the library does not know the feed yet."""
    channels: Collection[str] | None = None
    """Channels to take; None takes every public channel and each restricted one with a key."""
    channel_keys: Mapping[str, bytes] = field(default_factory=dict, repr=False)
    sealed_feeds: Collection[str] = ("fieldreader-sample",)
    """Feeds whose keys are public (the demo-signed sample): never updated from a source
    unless ``sealed_ok`` says the caller checked the source is the packaged file."""
    sealed_ok: bool = False
    base_version: int = 0
    """The source is a delta over this snapshot version (a delta bundle); 0 when complete."""
    partial_source: bool = False
    """The source may lack objects (a bundle limited to some channels): skip, don't fail."""
    stage: bool = False
    """Keep each verified segment and object in the library's staging table as it arrives, so
    an interrupted sync resumes without downloading it again (for mirrors; a bundle is local)."""
    limits: Limits = DEFAULT_LIMITS
    progress: ProgressCallback | None = None
    cancelled: Callable[[], bool] = lambda: False


def claimed_feed(data: bytes | None, limits: Limits) -> str | None:
    """The feed id a timestamp claims, unverified: only to pick which trust to use."""
    if data is None:
        return None
    try:
        envelope = parse_envelope(data, "timestamp", limits.max_timestamp_bytes)
    except FeedError:
        return None
    feed = envelope.signed.get("feed")
    return feed if isinstance(feed, str) and is_valid_id(feed) else None


def _fetch_timestamp(source: FeedSource, limits: Limits) -> bytes | None:
    try:
        return source.fetch("timestamp.json", limits.max_timestamp_bytes)
    except UpdateCancelled:
        raise
    except FeedError:
        return None


def starting_root(
    library: Library, timestamp: bytes | None, options: UpdateOptions
) -> tuple[Root, bytes, FeedState | None]:
    """The root to verify from: the library's own if it follows the feed, else the given one."""
    if options.trusted_root is None:
        feed = claimed_feed(timestamp, options.limits)
        state = library.feeds.state(feed) if feed else None
        if state is None and feed is None and len(followed := library.feeds.all()) == 1:
            # The timestamp is missing or unreadable: verify from the one feed we follow, so
            # the person hears what is wrong with it, not that the feed is unknown.
            state = followed[0]
        if state is not None:
            return load_trusted_root(state.root, options.limits), state.root, state
        raise NotTrusted(
            f"This library does not follow the feed {feed or 'offered'!r} yet: give the feed's "
            "root metadata (from your organisation) to trust it."
        )
    given = load_trusted_root(options.trusted_root, options.limits)
    state = library.feeds.state(given.feed)
    if state is None:
        return given, options.trusted_root, None
    # A feed the library follows keeps its own chain of trust: a root handed in later (perhaps
    # by someone claiming "the keys were rotated") never replaces it. Real rotations arrive as
    # root/<N+1> files signed by the held keys, and are walked in update_library.
    return load_trusted_root(state.root, options.limits), state.root, state


def update_library(library: Library, source: FeedSource, options: UpdateOptions) -> UpdateResult:
    """Verify what ``source`` offers and apply it to ``library`` in one transaction.

    Raises:
        FeedError: any verification failure (the subclass says which); nothing is applied.
    """
    # Without a given root, the timestamp says which feed this is; it is fetched once and
    # verified below like any other (a no-change sync costs this one request).
    probe = _fetch_timestamp(source, options.limits) if options.trusted_root is None else None
    root, root_bytes, state = starting_root(library, probe, options)
    remembered = library.feeds.channel_keys(root.feed)
    given = dict(options.channel_keys)
    options = dataclasses.replace(options, channel_keys={**remembered, **given})
    held = Held(state.timestamp_version, state.snapshot_version) if state else Held()
    _preflight(root, held, options)
    verifier = FeedVerifier(root, held, options.now, online=options.online, limits=options.limits)
    _report(options, "metadata", 0, 3)
    probe = probe or source.fetch("timestamp.json", options.limits.max_timestamp_bytes)
    root_bytes = _timestamp_and_roots(verifier, source, options, probe, root_bytes)
    timestamp = verifier.verified_timestamp()
    _report(options, "metadata", 1, 3)
    result = UpdateResult(
        verifier.root.feed, timestamp.snapshot.version, root_version=verifier.root.version
    )
    snapshot_bytes = _snapshot_bytes(verifier, state, source, options)
    snapshot = verifier.update_snapshot(snapshot_bytes)
    result.age_seconds, result.expired = verifier.age_seconds, verifier.expired
    _report(options, "metadata", 3, 3)

    fetcher = _Fetcher(library, source, verifier.root.feed, options, result)
    segments, segment_bytes = _segments(library, fetcher, verifier, options)
    wanted = _wanted_entries(effective_index(segments), snapshot.channels, options)
    feed = verifier.root.feed
    held_entries = _held_by_entry(library, feed, snapshot.channels, options.channel_keys)
    with library.transaction():
        items, attachments, applied = _fetch_and_apply(
            library, fetcher, verifier, wanted, held_entries=held_entries, options=options,
            result=result,
        )  # fmt: skip
        withdrawn, withdrawn_attachments = _withdrawn(library, feed, wanted, held_entries, items)
        keys_to_keep = _checked_keys(remembered, given, result.channels_proven)
        new_state = _state(verifier, root_bytes, state, options, snapshot_bytes)
        news = items or attachments or withdrawn or withdrawn_attachments
        result.nothing_new = not verifier.has_news() and not news
        library.feeds.save(new_state)
        removed = 0
        if not result.nothing_new:
            removed = library.content.apply([], withdrawn, feed=feed).removed
            _apply_attachments(library, feed, attachments, withdrawn_attachments)
            library.feeds.replace_segments(feed, segment_bytes)
            library.feeds.save_channel_keys(feed, keys_to_keep)
    # Staging is a cache: failing to empty it (a full disk, a damaged page) must not turn an
    # update that committed into a reported failure. The next update clears it again.
    with contextlib.suppress(StoreError):
        library.staging.clear(feed)
    if result.nothing_new:
        return result
    _report(options, "applying", 1, 1)
    result.added, result.updated = applied.added, applied.updated
    result.removed, result.unchanged = removed, applied.unchanged
    result.attachments = len(attachments)
    return result


def _fetch_and_apply(
    library: Library,
    fetcher: _Fetcher,
    verifier: FeedVerifier,
    wanted: Mapping[str, IndexEntry],
    *,
    held_entries: Mapping[str, tuple[str, str]],
    options: UpdateOptions,
    result: UpdateResult,
) -> tuple[list[Item], dict[str, tuple[str, bytes]], ApplyResult]:
    """Inside the open transaction: fetch and verify the objects, applying items meanwhile.

    Returns the items, the attachments and the applier's totals. When this returns, the
    applier's thread has stopped and the connection is the caller's again.
    """
    # Read before the applier's thread starts: from then on only it uses the connection.
    have_attachments = library.attachments.hashes(fetcher.feed)
    with Applier(library, fetcher.feed) as applier:
        items, attachments = _objects(
            fetcher, verifier, wanted, held=held_entries, have=have_attachments,
            options=options, result=result, apply=applier.add,
        )  # fmt: skip
        _check_cancel(options)
        _report(options, "applying", 0, 1)
        applied = applier.finish(options.cancelled)
    if applied is None:
        raise UpdateCancelled("The update was cancelled; the library is unchanged.")
    return items, attachments, applied


def _withdrawn(
    library: Library,
    feed: str,
    wanted: Mapping[str, IndexEntry],
    held_entries: Mapping[str, tuple[str, str]],
    items: list[Item],
) -> tuple[list[str], list[str]]:
    """Held items and attachments of ``feed`` that the update no longer lists."""
    held_ids = {item_id for item_id, _ in held_entries.values()}
    keep_ids = {held_entries[e.id][0] for e in wanted.values() if e.id in held_entries}
    keep_ids |= {item.id for item in items}
    held_attachments = set(library.attachments.hashes(feed))
    keep_attachments = {e.id for e in wanted.values() if e.kind == "attachment"}
    return sorted(held_ids - keep_ids), sorted(held_attachments - keep_attachments)


def _snapshot_bytes(
    verifier: FeedVerifier, state: FeedState | None, source: FeedSource, options: UpdateOptions
) -> bytes:
    if not verifier.has_news() and state is not None and state.snapshot is not None:
        # Same version as held: take the snapshot from the store (it must still match the
        # timestamp), so a source that can complete what an earlier, partial one left out
        # (a full bundle after a channel-limited one, a new channel key) still can.
        return state.snapshot
    version = verifier.verified_timestamp().snapshot.version
    return source.fetch(f"snapshot/{version}.json", options.limits.max_snapshot_bytes)


def _apply_attachments(
    library: Library, feed: str, new: Mapping[str, tuple[str, bytes]], withdrawn: list[str]
) -> None:
    for name, (sha, data) in new.items():
        library.attachments.put(feed, name, sha, data)
    library.attachments.delete(withdrawn)


def _held_after_rotation(before: Root, after: Root, held: Held) -> Held:
    """Forget held versions of a role whose keys were replaced (as TUF does).

    Otherwise a stolen timestamp key could sign version 10^9 once and lock the library out of
    every genuine timestamp even after the publisher rotated that key away.
    """
    timestamp_same = before.roles["timestamp"] == after.roles["timestamp"]
    snapshot_same = before.roles["snapshot"] == after.roles["snapshot"]
    return Held(
        held.timestamp_version if timestamp_same else 0,
        held.snapshot_version if snapshot_same else 0,
    )


class ChannelKeyUnchecked(FeedError):
    """A channel key that differs from the one held and could not be checked."""


def _checked_keys(
    remembered: Mapping[str, bytes], given: Mapping[str, bytes], proven: set[str]
) -> dict[str, bytes]:
    """The channel keys to remember after this update.

    A given key replaces a remembered one only if it opened an object of this update: a
    mistyped or outdated key would otherwise map the held restricted items to the wrong
    entries, withdraw them, and be remembered in place of the right one.
    """
    for channel, key in given.items():
        if channel in remembered and remembered[channel] != key and channel not in proven:
            raise ChannelKeyUnchecked(
                f"The key given for channel '{channel}' differs from the one this library "
                "holds, and nothing in this update could confirm it; nothing was changed."
            )
    return {**remembered, **{c: k for c, k in given.items() if c in proven}}


def _preflight(root: Root, held: Held, options: UpdateOptions) -> None:
    """Refusals that need no download: a sealed feed, a delta bundle without its base."""
    if root.feed in options.sealed_feeds and not options.sealed_ok:
        raise NotTrusted(
            f"The feed '{root.feed}' is updated only by the command that installed it "
            "(its signing keys are public)."
        )
    if options.base_version > held.snapshot_version:
        raise DeltaNeedsBase(
            f"This bundle only updates libraries that hold version {options.base_version} or "
            f"newer of the feed; this one holds {held.snapshot_version or 'none'}. Import a "
            "full bundle first."
        )


def _timestamp_and_roots(
    verifier: FeedVerifier,
    source: FeedSource,
    options: UpdateOptions,
    timestamp: bytes,
    root_bytes: bytes,
) -> bytes:
    """Verify the timestamp, following root rotations when they matter.

    The chain is walked when the timestamp does not verify under the held root (its keys were
    rotated) and whenever there is news, before anything is applied. A sync that finds nothing
    new therefore costs the timestamp request alone; a rotation that changed no signing key in
    use is picked up at the next update that brings content.

    Returns the signed bytes of the root in force.
    """
    before = verifier.root
    try:
        verifier.update_timestamp(timestamp)
    except (BadSignature, ThresholdNotMet):
        verifier.timestamp = None
    if verifier.timestamp is None or verifier.has_news():
        root_bytes = _walk_roots(verifier, source, options, root_bytes)
        if verifier.root != before or verifier.timestamp is None:
            verifier.held = _held_after_rotation(before, verifier.root, verifier.held)
            verifier.update_timestamp(timestamp)
    verifier.check_root_fresh()
    return root_bytes


def _walk_roots(
    verifier: FeedVerifier, source: FeedSource, options: UpdateOptions, root_bytes: bytes
) -> bytes:
    """Follow root rotations; returns the signed bytes of the newest root that verified."""
    for _ in range(options.limits.max_root_rotations):
        try:
            data = source.fetch(
                f"root/{verifier.root.version + 1}.root.json", options.limits.max_root_bytes
            )
        except NotInSource:
            break
        verifier.update_root(data)
        root_bytes = data  # only ever bytes that just verified
    return root_bytes


def _segments(
    library: Library, fetcher: _Fetcher, verifier: FeedVerifier, options: UpdateOptions
) -> tuple[list[Segment], dict[str, bytes]]:
    held = library.feeds.segments(verifier.root.feed)
    refs = verifier.verified_snapshot().segments
    segments: list[Segment] = []
    kept: dict[str, bytes] = {}
    for number, ref in enumerate(refs):
        _check_cancel(options)
        data = held.get(ref.sha256)
        if data is None:

            def check(raw: bytes, ref: SegmentRef = ref) -> tuple[bytes, Segment]:
                return raw, verifier.verify_segment(ref, raw)

            data, segment = fetcher.get_verified(
                f"index/{ref.sha256}.json.zst", ref.sha256, ref.length, check
            )
        else:
            segment = verifier.verify_segment(ref, data)
        segments.append(segment)
        kept[ref.sha256] = data
        _report(options, "index", number + 1, len(refs), fetcher.result.bytes_fetched)
    return segments, kept


def _wanted_entries(
    index: Mapping[str, IndexEntry], channels: Mapping[str, bool], options: UpdateOptions
) -> dict[str, IndexEntry]:
    def taken(channel: str) -> bool:
        if options.channels is not None:
            return channel in options.channels
        return not channels.get(channel, True) or channel in options.channel_keys

    return {i: e for i, e in index.items() if e.kind == "attachment" or taken(e.channel)}


def _objects(
    fetcher: _Fetcher,
    verifier: FeedVerifier,
    wanted: Mapping[str, IndexEntry],
    *,
    held: Mapping[str, tuple[str, str]],
    have: Mapping[str, str],
    options: UpdateOptions,
    result: UpdateResult,
    apply: Callable[[Item, str], None],
) -> tuple[list[Item], dict[str, tuple[str, bytes]]]:
    """Fetch and verify what the library lacks; each item is handed to ``apply`` as it verifies.

    ``have``: attachment name -> hash of those the library holds. Returns the items and the
    attachments (applied by the caller at the end). Runs while the applier's thread owns the
    library's connection: only the staging database is used here.
    """
    needed = [
        e
        for e in wanted.values()
        if (have.get(e.id) if e.kind == "attachment" else held.get(e.id, ("", ""))[1]) != e.sha256
    ]
    items: list[Item] = []
    attachments: dict[str, tuple[str, bytes]] = {}
    skipped: list[str] = []
    window = parallel_fetches(fetcher.source)
    with Prefetcher(fetcher.source, needed, window=window, skip=fetcher.staged()) as ahead:
        for number, entry in enumerate(needed):
            _check_cancel(options)

            def check(data: bytes, entry: IndexEntry = entry) -> Item | bytes:
                if entry.kind == "attachment":
                    return verifier.verify_attachment(entry, data, options.channel_keys)
                return verifier.verify_item(entry, data, options.channel_keys)

            try:
                data = ahead.take(number)
                if data is None:
                    decoded = fetcher.get_verified(
                        object_path(entry.sha256), entry.sha256, entry.length, check
                    )
                else:
                    decoded = fetcher.accept(entry.sha256, data, check)
            except NotInSource:
                if not options.partial_source:
                    raise MixAndMatch(
                        f"The source lacks object '{entry.id}' that its signed index lists."
                    ) from None
                skipped.append(entry.id)
                continue
            if isinstance(decoded, bytes):
                attachments[entry.id] = (entry.sha256, decoded)
            else:
                if entry.channel in options.channel_keys:
                    result.channels_proven.add(entry.channel)
                items.append(decoded)
                apply(decoded, entry.sha256)
            _report(options, "objects", number + 1, len(needed), result.bytes_fetched)
    result.not_carried = len(skipped)
    return items, attachments


def _held_by_entry(
    library: Library, feed: str, channels: Mapping[str, bool], keys: Mapping[str, bytes]
) -> dict[str, tuple[str, str]]:
    """Index entry id -> (item id, object hash) for the items held from ``feed``.

    Restricted items are listed in the index under keyed hashes of their ids
    (:func:`~fieldreader.feed.objects.entry_id`); with the channel key we can tell which held
    item each such entry is.
    """
    mapping = {}
    for item_id, (channel, sha) in library.feeds.held_items(feed).items():
        key = keys.get(channel) if channels.get(channel, False) else None
        mapping[entry_id(item_id, key)] = (item_id, sha)
    return mapping


def _state(
    verifier: FeedVerifier,
    root_bytes: bytes,
    state: FeedState | None,
    options: UpdateOptions,
    snapshot_bytes: bytes | None,
) -> FeedState:
    timestamp = verifier.verified_timestamp()
    if state is not None and state.feed != verifier.root.feed:
        raise WrongFeed("The feed changed during the update.")
    if snapshot_bytes is None:
        snapshot_version = state.snapshot_version if state else 0
        snapshot_bytes = state.snapshot if state else None
    else:
        snapshot_version = verifier.verified_snapshot().version
    return FeedState(
        feed=verifier.root.feed,
        root=root_bytes,
        timestamp_version=timestamp.version,
        snapshot_version=snapshot_version,
        snapshot=snapshot_bytes,
        issued=format_time(timestamp.issued),
        last_verified=format_time(options.now),
    )


def _report(
    options: UpdateOptions, phase: str, done: int, total: int, bytes_fetched: int = 0
) -> None:
    if options.progress is not None:
        options.progress(Progress(phase, done, total, bytes_fetched))


class _Fetcher:
    """Segments and objects by hash: from the staging of an interrupted update, else the source.

    Staged bytes are verified again like fetched ones; staging only saves the download.
    """

    def __init__(
        self,
        library: Library,
        source: FeedSource,
        feed: str,
        options: UpdateOptions,
        result: UpdateResult,
    ) -> None:
        self.library = library
        self.source = source
        self.feed = feed
        self.stage = options.stage
        self.result = result

    def get_verified(
        self, path: str, sha256: str, max_bytes: int, verify: Callable[[bytes], T]
    ) -> T:
        """``verify`` applied to the file's bytes, staged or downloaded.

        Staged bytes that fail verification (a damaged row) are dropped and downloaded again,
        so one bad row cannot block every later sync. Bytes that verified are staged.
        """
        if self.stage:
            staged = self.library.staging.get(sha256)
            if staged is not None:
                try:
                    value = verify(staged)
                except FeedError:
                    self.library.staging.drop(sha256)
                else:
                    self.result.reused += 1
                    return value
        return self.accept(sha256, self.source.fetch(path, max_bytes), verify)

    def staged(self) -> set[str]:
        """Hashes of what an interrupted update staged (taken from there, not fetched)."""
        return self.library.staging.hashes() if self.stage else set()

    def accept(self, sha256: str, data: bytes, verify: Callable[[bytes], T]) -> T:
        """``verify`` applied to bytes just downloaded (here or on a fetching thread); staged
        once they verify."""
        self.result.bytes_fetched += len(data)
        value = verify(data)
        if self.stage:
            self.library.staging.put(self.feed, sha256, data)
        return value


def _check_cancel(options: UpdateOptions) -> None:
    if options.cancelled():
        raise UpdateCancelled("The update was cancelled; the library is unchanged.")
