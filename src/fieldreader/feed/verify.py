"""Verification of a feed, as a pure function of bytes: no network, no disk, no clock of its own.

Modelled on TUF's trusted metadata set. :class:`FeedVerifier` starts from the root the library
trusts and the versions it already holds, and accepts each newer piece only if it is signed by
enough of the right keys, is not older than what is held (rollback), is not expired when the
source is online (freeze), and matches what its signed parent says about it (mix-and-match).
The sync engine and bundle import feed it bytes and apply only what it returned.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import zstandard

from fieldreader.feed import canonical
from fieldreader.feed.errors import (
    BadSignature,
    FreezeAttack,
    LengthExceeded,
    MalformedMetadata,
    MixAndMatch,
    RollbackAttack,
    ThresholdNotMet,
    UnknownKey,
    WrongFeed,
)
from fieldreader.feed.metadata import (
    Envelope,
    IndexEntry,
    MetaRef,
    Root,
    Segment,
    SegmentRef,
    Snapshot,
    Timestamp,
)
from fieldreader.feed.objects import decode_item, decode_payload, decompress_capped
from fieldreader.model import Item


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what a feed may make the client read or hold in memory."""

    max_root_bytes: int = 64 * 1024
    max_timestamp_bytes: int = 16 * 1024
    max_snapshot_bytes: int = 1024 * 1024
    max_segment_bytes: int = 64 * 1024 * 1024
    """Uncompressed; about 300k entries."""
    max_object_bytes: int = 16 * 1024 * 1024
    """Uncompressed item JSON. The largest item the content limits allow (a 512 KiB body of
    characters JSON escapes to six bytes each, plus full lists) stays below this."""
    max_attachment_bytes: int = 32 * 1024 * 1024
    max_root_rotations: int = 1024


DEFAULT_LIMITS = Limits()


def parse_envelope(data: bytes, what: str, max_bytes: int) -> Envelope:
    return Envelope.from_json(canonical.parse(data, what, max_bytes), what)


def check_signatures(envelope: Envelope, root: Root, role: str, what: str) -> None:
    """At least ``threshold`` distinct valid signatures by ``role``'s keys in ``root``.

    Signatures by other keys are ignored (they may belong to a newer root); an invalid signature
    claiming to be from one of the role's keys is an error in its own right.
    """
    spec = root.roles[role]
    message = canonical.encode(envelope.signed)
    valid: set[str] = set()
    unknown = 0
    for sig in envelope.signatures:
        if sig.keyid not in spec.keyids:
            unknown += 1
            continue
        if not root.keys[sig.keyid].verify(message, sig.sig):
            raise BadSignature(f"The {what} has a signature that does not verify.")
        valid.add(sig.keyid)
    if len(valid) < spec.threshold:
        if not valid and unknown:
            raise UnknownKey(f"The {what} is signed only by keys this library does not trust.")
        raise ThresholdNotMet(
            f"The {what} has {len(valid)} valid signature(s); {spec.threshold} are required."
        )


def check_ref(ref: MetaRef | SegmentRef, data: bytes, what: str) -> None:
    if len(data) > ref.length:
        raise LengthExceeded(f"The {what} is longer than its signed length.")
    if len(data) != ref.length or hashlib.sha256(data).hexdigest() != ref.sha256:
        raise MixAndMatch(f"The {what} does not match the one its signed parent names.")


def verify_root_update(trusted: Root, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Root:
    """The next root version, signed by the current root's keys and by its own."""
    envelope = parse_envelope(data, "root metadata", limits.max_root_bytes)
    new = Root.from_signed(envelope.signed)
    check_signatures(envelope, trusted, "root", "new root metadata (old keys)")
    check_signatures(envelope, new, "root", "new root metadata (new keys)")
    if new.feed != trusted.feed:
        raise WrongFeed(f"The new root is for feed '{new.feed}', not '{trusted.feed}'.")
    if new.version != trusted.version + 1:
        raise RollbackAttack(f"Expected root version {trusted.version + 1}, got {new.version}.")
    return new


def load_trusted_root(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Root:
    """A root taken as trusted by provisioning (not by download): must be self-signed."""
    envelope = parse_envelope(data, "root metadata", limits.max_root_bytes)
    root = Root.from_signed(envelope.signed)
    check_signatures(envelope, root, "root", "root metadata")
    return root


@dataclass(frozen=True)
class Held:
    """What the library already holds of this feed (zeros for a first sync)."""

    timestamp_version: int = 0
    snapshot_version: int = 0


class FeedVerifier:
    """Accepts metadata in order (root updates, timestamp, snapshot), then segments and objects.

    Args:
        root: the root the library trusts now.
        held: versions already applied; anything older is a rollback.
        now: the current time (passed in, so tests can freeze it).
        online: True for a sync from a mirror, where expired metadata may be a freeze attack
            and is refused; False for a bundle carried offline, where expiry is reported
            (see :attr:`age`) but the bundle is accepted if it is newer than what is held.
    """

    def __init__(
        self, root: Root, held: Held, now: datetime, *, online: bool,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:  # fmt: skip
        self.root = root
        self.held = held
        self.now = now
        self.online = online
        self.limits = limits
        self.timestamp: Timestamp | None = None
        self.snapshot: Snapshot | None = None

    def update_root(self, data: bytes) -> Root:
        self.root = verify_root_update(self.root, data, self.limits)
        return self.root

    def check_root_fresh(self) -> None:
        if self.online and self.root.expires <= self.now:
            raise FreezeAttack("The feed's root metadata has expired.")

    def update_timestamp(self, data: bytes) -> Timestamp:
        """Verify the timestamp; its version may equal the held one (nothing new)."""
        envelope = parse_envelope(data, "timestamp", self.limits.max_timestamp_bytes)
        timestamp = Timestamp.from_signed(envelope.signed)
        check_signatures(envelope, self.root, "timestamp", "timestamp")
        self._check_feed(timestamp.feed)
        if timestamp.version < self.held.timestamp_version:
            raise RollbackAttack(
                f"The timestamp is version {timestamp.version}, older than the "
                f"{self.held.timestamp_version} this library holds."
            )
        if timestamp.snapshot.version < self.held.snapshot_version:
            raise RollbackAttack("The timestamp names an older snapshot than the one held.")
        if self.online and timestamp.expires <= self.now:
            raise FreezeAttack("The feed's timestamp has expired: this mirror may be stale.")
        self.timestamp = timestamp
        return timestamp

    def verified_timestamp(self) -> Timestamp:
        if self.timestamp is None:
            raise RuntimeError("the timestamp must be verified first")
        return self.timestamp

    def verified_snapshot(self) -> Snapshot:
        if self.snapshot is None:
            raise RuntimeError("the snapshot must be verified first")
        return self.snapshot

    def has_news(self) -> bool:
        return self.verified_timestamp().snapshot.version > self.held.snapshot_version

    def update_snapshot(self, data: bytes) -> Snapshot:
        timestamp = self.verified_timestamp()
        check_ref(timestamp.snapshot, data, "snapshot")
        envelope = parse_envelope(data, "snapshot", self.limits.max_snapshot_bytes)
        snapshot = Snapshot.from_signed(envelope.signed)
        check_signatures(envelope, self.root, "snapshot", "snapshot")
        hashes = [ref.sha256 for ref in snapshot.segments]
        if len(set(hashes)) != len(hashes):
            raise MalformedMetadata("The snapshot lists the same index segment twice.")
        if any(ref.version > snapshot.version for ref in snapshot.segments):
            raise MalformedMetadata("The snapshot lists a segment from a later version.")
        self._check_feed(snapshot.feed)
        if snapshot.version != timestamp.snapshot.version:
            raise MixAndMatch("The snapshot's version is not the one the timestamp names.")
        if snapshot.version < self.held.snapshot_version:
            raise RollbackAttack("The snapshot is older than the one this library holds.")
        if self.online and snapshot.expires <= self.now:
            raise FreezeAttack("The feed's snapshot has expired: this mirror may be stale.")
        self.snapshot = snapshot
        return snapshot

    @property
    def age_seconds(self) -> float:
        """How long ago the verified timestamp was issued (for "this bundle is N days old")."""
        return max(0.0, (self.now - self.verified_timestamp().issued).total_seconds())

    @property
    def expired(self) -> bool:
        ends = (self.verified_timestamp().expires, self.verified_snapshot().expires)
        return min(ends) <= self.now

    def verify_segment(self, ref: SegmentRef, data: bytes) -> Segment:
        self._check_listed(ref)
        check_ref(ref, data, "index segment")
        # The uncompressed size is not signed: the cap is the limit, and the count is checked.
        plain = _decompress_up_to(data, self.limits.max_segment_bytes, "index segment")
        segment = Segment.from_json(canonical.parse(plain, "index segment", len(plain)))
        if len(segment.entries) != ref.count:
            raise MixAndMatch("The index segment's entry count differs from the snapshot's.")
        channels = self.verified_snapshot().channels
        for entry in segment.entries:
            if entry.version > ref.version:
                raise MalformedMetadata(f"Entry '{entry.id}' is newer than its index segment.")
            if entry.channel not in channels:
                raise MalformedMetadata(f"Entry '{entry.id}' is in an undeclared channel.")
            limit = (
                self.limits.max_attachment_bytes
                if entry.kind == "attachment"
                else self.limits.max_object_bytes
            )
            if entry.size > limit or entry.length > limit + 1024:
                raise LengthExceeded(f"Entry '{entry.id}' declares a size over the limit.")
        return segment

    def verify_item(
        self, entry: IndexEntry, data: bytes, channel_keys: Mapping[str, bytes]
    ) -> Item:
        return decode_item(entry, data, self._restricted(entry), channel_keys)

    def verify_attachment(
        self, entry: IndexEntry, data: bytes, channel_keys: Mapping[str, bytes]
    ) -> bytes:
        return decode_payload(entry, data, self._restricted(entry), channel_keys)

    def _restricted(self, entry: IndexEntry) -> bool:
        return self.verified_snapshot().channels.get(entry.channel, True)

    def _check_listed(self, ref: SegmentRef) -> None:
        if self.snapshot is None or ref not in self.snapshot.segments:
            raise MixAndMatch("The index segment is not one the snapshot names.")

    def _check_feed(self, feed: str) -> None:
        if feed != self.root.feed:
            raise WrongFeed(f"Metadata for feed '{feed}' offered for feed '{self.root.feed}'.")


def _decompress_up_to(data: bytes, cap: int, what: str) -> bytes:
    try:
        frame_size = zstandard.frame_content_size(data)
    except zstandard.ZstdError:
        raise MalformedMetadata(f"The {what} is not valid zstd data.") from None
    if frame_size < 0 or frame_size > cap:
        raise LengthExceeded(f"The {what} declares no size or one over {cap:,} bytes.")
    return decompress_capped(data, frame_size, what)


def signed_bytes(signed: dict[str, Any]) -> bytes:
    return canonical.encode(signed)
