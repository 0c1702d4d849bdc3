"""Verifying a whole bundle without a library: the trainer's build checks its preload with it.

The checks are those a first import makes (:func:`~fieldreader.feed.update.update_library`
into an empty library): the root chain from the given trusted root, the timestamp and snapshot,
every index segment, and every object the import would take, decrypted with the channel keys
given. A bundle that passes here passes there, so a broken or foreign preload is refused on the
trainer's desk rather than on the first start in the field. Objects the import skips (a
restricted channel without its key) are still checked against their signed hashes.

Pure: bytes in, a report or an exception out; nothing is written.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from fieldreader.feed.errors import FeedError, MixAndMatch
from fieldreader.feed.metadata import IndexEntry, effective_index
from fieldreader.feed.objects import check_bytes
from fieldreader.feed.source import FeedSource, NotInSource, object_path
from fieldreader.feed.update import NotTrusted, UpdateOptions
from fieldreader.feed.verify import DEFAULT_LIMITS, FeedVerifier, Held, Limits, load_trusted_root


class NotAFullBundle(FeedError):
    """A delta bundle: it only updates libraries that already hold an earlier version."""


@dataclass(frozen=True)
class BundleCheck:
    """What a verified bundle holds, for the trainer's report."""

    feed: str
    version: int
    """The snapshot version the bundle carries."""
    root_version: int
    items: int
    """Items (articles, contacts, guidance) a first import takes."""
    attachments: int
    skipped: int
    """Objects the import does not take (a restricted channel without its key, a channel the
    profile leaves out): their signed hashes checked, their contents not read."""
    not_carried: int
    """Objects the index lists that a channel-limited bundle leaves out."""
    channels_opened: frozenset[str]
    """Restricted channels whose key opened at least one object."""
    age_seconds: float
    expired: bool
    """Its signatures have expired: it still imports (bundles travel offline), but a sync is
    needed for anything newer."""


def check_bundle(
    source: FeedSource,
    trusted_root: bytes,
    *,
    now: datetime,
    channels: Collection[str] | None = None,
    channel_keys: Mapping[str, bytes] | None = None,
    partial: bool = False,
    since: int = 0,
    limits: Limits = DEFAULT_LIMITS,
) -> BundleCheck:
    """Verify everything a first import of ``source`` would take.

    Args:
        source: the bundle (:class:`~fieldreader.feed.bundle.BundleSource`).
        trusted_root: the root metadata the profile trusts.
        now: the time to judge expiry by.
        channels, channel_keys: as the import will use them (the profile's).
        partial: the bundle says it carries only some channels (missing objects are allowed).
        since: the bundle's base version; anything but 0 is refused.

    Raises:
        NotAFullBundle: a delta bundle.
        NotTrusted: a feed whose signing keys are public (the sample).
        FeedError: the verification failure, as the import would report it.
    """
    if since:
        raise NotAFullBundle(
            f"This is a delta bundle (changes after version {since}); a new library needs a "
            "full bundle."
        )
    root = load_trusted_root(trusted_root, limits)
    if root.feed in UpdateOptions(now=now, online=False).sealed_feeds:
        raise NotTrusted(f"The feed '{root.feed}' is signed with public keys; it cannot preload.")
    verifier = FeedVerifier(root, Held(), now, online=False, limits=limits)
    for _ in range(limits.max_root_rotations):
        try:
            data = source.fetch(
                f"root/{verifier.root.version + 1}.root.json", limits.max_root_bytes
            )
        except NotInSource:
            break
        verifier.update_root(data)
    timestamp = verifier.update_timestamp(
        source.fetch("timestamp.json", limits.max_timestamp_bytes)
    )
    snapshot = verifier.update_snapshot(
        source.fetch(f"snapshot/{timestamp.snapshot.version}.json", limits.max_snapshot_bytes)
    )
    segments = [
        verifier.verify_segment(ref, source.fetch(f"index/{ref.sha256}.json.zst", ref.length))
        for ref in snapshot.segments
    ]
    keys = dict(channel_keys or {})
    counts = {"item": 0, "attachment": 0, "skipped": 0, "missing": 0}
    opened: set[str] = set()
    for entry in effective_index(segments).values():
        taken = _taken(entry, snapshot.channels, channels, keys)
        try:
            data = source.fetch(object_path(entry.sha256), entry.length)
        except NotInSource:
            if taken and not partial:
                raise MixAndMatch(
                    f"The bundle lacks object '{entry.id}' that its signed index lists."
                ) from None
            counts["missing"] += 1
            continue
        if not taken:
            check_bytes(entry, data)
            counts["skipped"] += 1
        elif entry.kind == "attachment":
            verifier.verify_attachment(entry, data, keys)
            counts["attachment"] += 1
        else:
            verifier.verify_item(entry, data, keys)
            counts["item"] += 1
            if entry.channel in keys:
                opened.add(entry.channel)
    return BundleCheck(
        feed=verifier.root.feed,
        version=snapshot.version,
        root_version=verifier.root.version,
        items=counts["item"],
        attachments=counts["attachment"],
        skipped=counts["skipped"],
        not_carried=counts["missing"],
        channels_opened=frozenset(opened),
        age_seconds=verifier.age_seconds,
        expired=verifier.expired,
    )


def _taken(
    entry: IndexEntry,
    restricted: Mapping[str, bool],
    channels: Collection[str] | None,
    keys: Mapping[str, bytes],
) -> bool:
    """Whether the import takes ``entry`` (the rule of the update engine)."""
    if entry.kind == "attachment":
        return True
    if channels is not None:
        return entry.channel in channels
    return not restricted.get(entry.channel, True) or entry.channel in keys


__all__ = ["BundleCheck", "NotAFullBundle", "check_bundle"]
