"""Tampered feeds and bundles: every attack is refused for its own reason, and the library keeps
exactly what it held (its items, its feed state and the reader's notes, bookmarks and ticks).

One good feed is built per module: the library imports it at feed version 2 (timestamp 3), then
the publisher builds version 3 (timestamp 4) with edits, an addition, a new attachment and a
deletion. Each case below takes a fresh copy of that newer feed folder (or of its bundle) and
changes it; the update must fail with the case's error. Cases that need validly signed but
malicious metadata re-sign it with the publisher's own keys, so they reach the client's deeper
checks (sizes, identifiers, channels, bombs) instead of stopping at a signature.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import zstandard

from factories import FAST_KDF, PASSPHRASE
from feedkit import (
    BUNDLE_PASSPHRASE,
    CHANNEL,
    CHANNEL_KEY,
    CHART,
    DISK_CHECKLIST,
    FEED,
    MAP,
    build,
    start_feed,
    write_article,
    write_contact,
    write_guidance,
    write_media,
)
from fieldreader.feed import canonical
from fieldreader.feed.bundle import (
    MAGIC,
    BundleError,
    BundleNeedsPassphrase,
    BundleSource,
    create_bundle,
    encrypt,
)
from fieldreader.feed.errors import (
    BadSignature,
    ChannelKeyMissing,
    DecompressionBomb,
    DecryptionFailed,
    FeedError,
    FreezeAttack,
    HashMismatch,
    InvalidIdentifier,
    LengthExceeded,
    MalformedMetadata,
    MixAndMatch,
    RollbackAttack,
    ThresholdNotMet,
    UnknownKey,
    UnsupportedFormat,
    WrongFeed,
)
from fieldreader.feed.keys import ROLES, SigningKey, read_key
from fieldreader.feed.metadata import Envelope, IndexEntry, Signature, effective_index, format_time
from fieldreader.feed.objects import decode_payload, encode_payload
from fieldreader.feed.source import DirectorySource, FeedSource, NotInSource, object_path
from fieldreader.feed.update import NotTrusted, UpdateOptions, UpdateResult, update_library
from fieldreader.feed.verify import FeedVerifier, Held, load_trusted_root
from fieldreader.itemcodec import digest
from fieldreader.store import Bookmark, Library, Note, create_library, open_library
from fieldreader.store.feeds import FeedState

FIRST = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
"""The feed's first build; two more follow within the hour (a change, then nothing new)."""
HELD_AT = FIRST + timedelta(hours=3)
"""When the library imported feed version 2 / timestamp 3."""
V3_AT = FIRST + timedelta(days=1)
"""The build every case tampers with: feed version 3 / timestamp 4."""
NOW = V3_AT + timedelta(hours=1)
"""When every update in this module runs: inside the validity of all good metadata."""
STRANGER = SigningKey(bytes([7]) * 32, "timestamp")
"""A key no root of the feed lists."""
EXTRA = SigningKey(bytes([9]) * 32, "root")
"""A second key for roots that ask for two signatures."""
LONG_BODY = "An updated report with corrected figures. " * 20


def frozen_clock() -> datetime:
    return HELD_AT


# --- the good feed and the library that holds its previous version ---------------------------


def write_first_content(content: Path) -> None:
    write_article(content, "article-0", "Report number 0.")
    write_article(content, "article-2", "Report number 2, withdrawn later.")
    write_article(content, "secret-1", "The address is known to the team.", channel=CHANNEL)
    write_guidance(content, DISK_CHECKLIST + "- [ ] Update the system {#update}\n")
    write_contact(content)
    write_media(content, "map.png", MAP)


def write_next_content(content: Path) -> None:
    """Version 3: two edits (one restricted), an addition, a new attachment, a deletion."""
    write_article(content, "article-0", LONG_BODY)
    write_article(content, "secret-1", "The team moved; ask the desk.", channel=CHANNEL)
    write_article(content, "article-3", "A new report.")
    (content / "articles" / "article-2.md").unlink()
    write_media(content, "chart.png", CHART)


@dataclass(frozen=True)
class LibraryState:
    """Everything a failed update must leave exactly as it was."""

    items: dict[str, str]
    """Item id -> digest of its content."""
    object_hashes: dict[str, str]
    attachments: dict[str, str]
    feed: FeedState | None
    segments: frozenset[str]
    notes: tuple[Note, ...]
    bookmarks: tuple[Bookmark, ...]
    ticks: frozenset[str]
    position: float | None


def capture(library: Library) -> LibraryState:
    items: dict[str, str] = {}
    for summary in library.content.list_items():
        item = library.content.get(summary.id)
        assert item is not None
        items[summary.id] = digest(item)
    return LibraryState(
        items=items,
        object_hashes=library.feeds.object_hashes(FEED),
        attachments=library.attachments.hashes(FEED),
        feed=library.feeds.state(FEED),
        segments=frozenset(library.feeds.segments(FEED)),
        notes=tuple(library.userdata.notes()),
        bookmarks=tuple(library.userdata.bookmarks()),
        ticks=library.userdata.ticks("laptop-en"),
        position=library.userdata.position("article-1"),
    )


@dataclass(frozen=True)
class World:
    keys: dict[str, SigningKey]
    feed: Path
    """The good version-3 feed folder; cases change copies of it only."""
    library_dir: Path
    """A library holding version 2 with user data; each test opens a copy."""
    held: LibraryState
    root1: bytes
    first_timestamp: bytes
    """The timestamp of the very first build, for replays."""
    bundle: bytes
    encrypted: bytes
    first_bundle: bytes
    entries: dict[str, IndexEntry]
    """The version-3 effective index."""

    @property
    def secret(self) -> str:
        (entry,) = (e for e in self.entries.values() if e.channel == CHANNEL)
        return entry.id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    base = tmp_path_factory.mktemp("tamper")
    keydir, content, feed = start_feed(base, write_first_content, FIRST)
    first_feed = base / "first-feed"
    shutil.copytree(feed, first_feed)
    write_article(content, "article-1", "Short.")
    build(content, feed, keydir, FIRST + timedelta(hours=1))
    build(content, feed, keydir, FIRST + timedelta(hours=2))  # nothing new: timestamp 3
    root1 = (feed / "root" / "1.root.json").read_bytes()

    library_dir = base / "library"
    library = create_library(library_dir, PASSPHRASE, FAST_KDF, clock=frozen_clock)
    try:
        result = update_library(
            library,
            DirectorySource(feed),
            UpdateOptions(now=HELD_AT, online=True, trusted_root=root1,
                          channel_keys={CHANNEL: CHANNEL_KEY}),
        )  # fmt: skip
        assert (result.version, result.added, result.attachments) == (2, 6, 1)
        library.userdata.add_note("Check the withdrawn figures", item_id="article-2")
        library.userdata.add_note("A free-standing note")
        library.userdata.add_bookmark("article-0")
        library.userdata.set_tick("laptop-en", "disk", ticked=True)
        library.userdata.set_position("article-1", 0.5)
        held = capture(library)
    finally:
        library.close()
    assert held.feed is not None
    assert (held.feed.timestamp_version, held.feed.snapshot_version) == (3, 2)

    write_next_content(content)
    build(content, feed, keydir, V3_AT)
    bundles = base / "bundles"
    bundles.mkdir()
    create_bundle(feed, bundles / "v3.frb", now=NOW)
    create_bundle(
        feed, bundles / "v3-sealed.frb", passphrase=BUNDLE_PASSPHRASE, kdf=FAST_KDF, now=NOW
    )
    create_bundle(first_feed, bundles / "v1.frb", now=NOW)
    return World(
        keys={role: read_key(keydir, role) for role in ROLES},
        feed=feed,
        library_dir=library_dir,
        held=held,
        root1=root1,
        first_timestamp=(first_feed / "timestamp.json").read_bytes(),
        bundle=(bundles / "v3.frb").read_bytes(),
        encrypted=(bundles / "v3-sealed.frb").read_bytes(),
        first_bundle=(bundles / "v1.frb").read_bytes(),
        entries=read_index(feed),
    )


def read_index(feed: Path) -> dict[str, IndexEntry]:
    verifier = FeedVerifier(
        load_trusted_root((feed / "root" / "1.root.json").read_bytes()), Held(), NOW, online=True
    )
    timestamp = verifier.update_timestamp((feed / "timestamp.json").read_bytes())
    snapshot = verifier.update_snapshot(
        (feed / "snapshot" / f"{timestamp.snapshot.version}.json").read_bytes()
    )
    assert (timestamp.version, snapshot.version) == (4, 3)
    return effective_index(
        [
            verifier.verify_segment(ref, (feed / "index" / f"{ref.sha256}.json.zst").read_bytes())
            for ref in snapshot.segments
        ]
    )


def open_copy(world: World, folder: Path) -> Library:
    if not folder.exists():
        shutil.copytree(world.library_dir, folder)
    return open_library(folder, PASSPHRASE, clock=frozen_clock)


@pytest.fixture
def library(world: World, tmp_path: Path) -> Iterator[Library]:
    lib = open_copy(world, tmp_path / "library")
    yield lib
    lib.close()


# --- forging: changing a feed copy, re-signing with the publisher's keys ---------------------


def sign(signed: dict[str, Any], *keys: SigningKey) -> bytes:
    message = canonical.encode(signed)
    signatures = tuple(Signature(key.keyid, key.sign(message)) for key in keys)
    return canonical.encode(Envelope(signed, signatures).to_json())


def load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_bytes())
    return doc


def flip_hex(text: str) -> str:
    return ("1" if text[0] == "0" else "0") + text[1:]


def zstd(data: bytes, *, content_size: bool = True) -> bytes:
    return zstandard.ZstdCompressor(level=3, write_content_size=content_size).compress(data)


def declare_size(frame: bytes, size: int) -> bytes:
    """A zstd frame written without a content size, made to declare ``size`` (4-byte field)."""
    descriptor = frame[4]
    assert descriptor & 0xE3 == 0, "expected no content size, no single segment, no dictionary"
    return frame[:4] + bytes([descriptor | 0x80]) + frame[5:6] + struct.pack("<I", size) + frame[6:]


@dataclass
class Target:
    """One case's copy of the version-3 feed (or bundle) and the options of its update."""

    world: World
    feed: Path
    bundle: bytes | None = None
    """Set by bundle cases: the update then reads this bundle, offline."""
    passphrase: str | None = None
    trusted_root: bytes | None = None
    channels: tuple[str, ...] | None = None
    channel_keys: dict[str, bytes] = field(default_factory=lambda: {CHANNEL: CHANNEL_KEY})
    forget_channel_keys: bool = False
    """Make the library forget the channel keys it was given at earlier imports."""

    @property
    def keys(self) -> dict[str, SigningKey]:
        return self.world.keys

    def source(self) -> FeedSource:
        if self.bundle is not None:
            return BundleSource(self.bundle, self.passphrase)
        return DirectorySource(self.feed)

    def options(self, source: FeedSource) -> UpdateOptions:
        return UpdateOptions(
            now=NOW,
            online=self.bundle is None,
            trusted_root=self.trusted_root,
            channels=self.channels,
            channel_keys=self.channel_keys,
            partial_source=isinstance(source, BundleSource) and source.partial,
        )

    # metadata files

    @property
    def timestamp(self) -> Path:
        return self.feed / "timestamp.json"

    @property
    def snapshot(self) -> Path:
        version = load(self.timestamp)["signed"]["snapshot"]["version"]
        return self.feed / "snapshot" / f"{version}.json"

    def resign_timestamp(
        self, change: Callable[[dict[str, Any]], None] | None = None, key: SigningKey | None = None
    ) -> None:
        signed = load(self.timestamp)["signed"]
        if change is not None:
            change(signed)
        self.timestamp.write_bytes(sign(signed, key or self.keys["timestamp"]))

    def pin_snapshot(self, data: bytes, version: int | None = None) -> None:
        """Serve ``data`` as the snapshot, pinned by a re-signed timestamp (a stolen timestamp
        key), so the snapshot's own checks are the ones that must catch it."""
        version = version or load(self.timestamp)["signed"]["snapshot"]["version"]
        (self.feed / "snapshot" / f"{version}.json").write_bytes(data)
        ref = {"version": version, "sha256": hashlib.sha256(data).hexdigest(), "length": len(data)}
        self.resign_timestamp(lambda signed: signed.update(snapshot=ref))

    def resign_snapshot(
        self, change: Callable[[dict[str, Any]], None], key: SigningKey | None = None
    ) -> None:
        signed = load(self.snapshot)["signed"]
        change(signed)
        self.pin_snapshot(sign(signed, key or self.keys["snapshot"]))

    def write_root2(
        self, change: Callable[[dict[str, Any]], None] | None = None, *signers: SigningKey
    ) -> None:
        """Root version 2 with the same keys (then ``change``), signed by the root key."""
        signed = load(self.feed / "root" / "1.root.json")["signed"]
        signed["version"] = 2
        if change is not None:
            change(signed)
        data = sign(signed, *(signers or (self.keys["root"],)))
        (self.feed / "root" / "2.root.json").write_bytes(data)

    # index segments and objects

    def segment(self) -> dict[str, Any]:
        """The newest segment, which holds every entry version 3 changed."""
        ref = load(self.snapshot)["signed"]["segments"][-1]
        data = (self.feed / "index" / f"{ref['sha256']}.json.zst").read_bytes()
        doc: dict[str, Any] = json.loads(zstandard.ZstdDecompressor().decompress(data))
        return doc

    def replace_segment(self, data: bytes, count: int) -> None:
        sha = hashlib.sha256(data).hexdigest()
        (self.feed / "index" / f"{sha}.json.zst").write_bytes(data)

        def point(signed: dict[str, Any]) -> None:
            signed["segments"][-1].update(sha256=sha, length=len(data), count=count)

        self.resign_snapshot(point)

    def rewrite_segment(self, change: Callable[[dict[str, Any]], None]) -> None:
        doc = self.segment()
        change(doc)
        self.replace_segment(zstd(canonical.encode(doc)), len(doc["entries"]))

    def put_object(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        path = self.feed / object_path(sha)
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return sha

    def point(self, entry_id: str, data: bytes, size: int | None = None, **fields: object) -> None:
        """Make the entry ``entry_id`` name the object ``data`` (validly signed all the way)."""
        sha = self.put_object(data)

        def change(doc: dict[str, Any]) -> None:
            entry = entry_of(doc, entry_id)
            entry.update(sha256=sha, length=len(data), **fields)
            if size is not None:
                entry["size"] = size

        self.rewrite_segment(change)

    def object_file(self, entry_id: str) -> Path:
        return self.feed / object_path(self.world.entries[entry_id].sha256)

    @property
    def secret(self) -> str:
        """The index entry id of the restricted item (the item id, or a keyed hash of it)."""
        return self.world.secret


def entry_of(doc: dict[str, Any], item_id: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(e for e in doc["entries"] if e["id"] == item_id)
    return entry


def add_entry(doc: dict[str, Any], like: str, **fields: object) -> None:
    doc["entries"].append({**entry_of(doc, like), **fields})


def split_bundle(data: bytes) -> tuple[dict[str, Any], bytes]:
    (length,) = struct.unpack(">I", data[10:14])
    header: dict[str, Any] = json.loads(data[14 : 14 + length])
    return header, data[14 + length :]


def join_bundle(header: dict[str, Any], body: bytes) -> bytes:
    raw = json.dumps(header, separators=(",", ":")).encode()
    return MAGIC + b"\x01P" + struct.pack(">I", len(raw)) + raw + body


def change_table(t: Target, change: Callable[[list[list[Any]]], None]) -> None:
    header, body = split_bundle(t.world.bundle)
    change(header["files"])
    t.bundle = join_bundle(header, body)


# --- the table of attacks ----------------------------------------------------------------------

Tamper = Callable[[Target], None]


@dataclass(frozen=True)
class Case:
    name: str
    tamper: Tamper
    error: type[Exception]
    match: str
    bug: str | None = None
    """Set when src/ gets this case wrong: the case is then an expected failure."""


CASES: list[Case] = []


def case(
    error: type[Exception], match: str, *, bug: str | None = None
) -> Callable[[Tamper], Tamper]:
    def register(tamper: Tamper) -> Tamper:
        CASES.append(Case(tamper.__name__.replace("_", "-"), tamper, error, match, bug))
        return tamper

    return register


# Signatures


@case(BadSignature, "The timestamp has a signature that does not verify")
def timestamp_signature_flipped(t: Target) -> None:
    doc = load(t.timestamp)
    doc["signatures"][0]["sig"] = flip_hex(doc["signatures"][0]["sig"])
    t.timestamp.write_bytes(canonical.encode(doc))


@case(BadSignature, "The snapshot has a signature that does not verify")
def snapshot_signature_flipped(t: Target) -> None:
    doc = load(t.snapshot)
    doc["signatures"][0]["sig"] = flip_hex(doc["signatures"][0]["sig"])
    t.pin_snapshot(canonical.encode(doc))


@case(BadSignature, "new root metadata (old keys) has a signature that does not verify")
def root_signature_flipped(t: Target) -> None:
    t.write_root2()
    path = t.feed / "root" / "2.root.json"
    doc = load(path)
    doc["signatures"][0]["sig"] = flip_hex(doc["signatures"][0]["sig"])
    path.write_bytes(canonical.encode(doc))


@case(BadSignature, "The root metadata has a signature that does not verify")
def trusted_root_given_altered(t: Target) -> None:
    doc = json.loads(t.world.root1)
    doc["signatures"][0]["sig"] = flip_hex(doc["signatures"][0]["sig"])
    t.trusted_root = canonical.encode(doc)


@case(BadSignature, "The timestamp has a signature that does not verify")
def timestamp_changed_under_its_signature(t: Target) -> None:
    doc = load(t.timestamp)
    doc["signed"]["expires"] = format_time(NOW + timedelta(days=300))
    t.timestamp.write_bytes(canonical.encode(doc))


@case(BadSignature, "The snapshot has a signature that does not verify")
def snapshot_changed_under_its_signature(t: Target) -> None:
    doc = load(t.snapshot)
    doc["signed"]["channels"][CHANNEL]["restricted"] = False
    t.pin_snapshot(canonical.encode(doc))


@case(BadSignature, "new root metadata (old keys) has a signature that does not verify")
def root_changed_under_its_signature(t: Target) -> None:
    t.write_root2()
    path = t.feed / "root" / "2.root.json"
    doc = load(path)
    doc["signed"]["roles"]["timestamp"]["keyids"] = [STRANGER.keyid]
    doc["signed"]["keys"][STRANGER.keyid] = STRANGER.public.to_dict()
    path.write_bytes(canonical.encode(doc))


@case(ThresholdNotMet, "new root metadata (new keys) has 1 valid signature(s); 2 are required")
def root_below_its_own_threshold(t: Target) -> None:
    root = t.keys["root"]

    def two_root_keys(signed: dict[str, Any]) -> None:
        signed["keys"][EXTRA.keyid] = EXTRA.public.to_dict()
        signed["roles"]["root"] = {"keyids": [root.keyid, EXTRA.keyid], "threshold": 2}

    t.write_root2(two_root_keys, root)


@case(ThresholdNotMet, "The timestamp has 1 valid signature(s); 2 are required")
def timestamp_below_threshold(t: Target) -> None:
    timestamp = t.keys["timestamp"]

    def two_timestamp_keys(signed: dict[str, Any]) -> None:
        signed["keys"][STRANGER.keyid] = STRANGER.public.to_dict()
        signed["roles"]["timestamp"] = {
            "keyids": [timestamp.keyid, STRANGER.keyid],
            "threshold": 2,
        }

    t.write_root2(two_timestamp_keys)


@case(UnknownKey, "The timestamp is signed only by keys this library does not trust")
def timestamp_signed_by_a_stranger(t: Target) -> None:
    t.resign_timestamp(key=STRANGER)


@case(UnknownKey, "The snapshot is signed only by keys this library does not trust")
def snapshot_signed_with_the_timestamp_key(t: Target) -> None:
    t.resign_snapshot(lambda signed: None, key=t.keys["timestamp"])


@case(UnknownKey, "new root metadata (old keys) is signed only by keys")
def root_signed_only_by_its_own_new_key(t: Target) -> None:
    def takeover(signed: dict[str, Any]) -> None:
        signed["keys"][EXTRA.keyid] = EXTRA.public.to_dict()
        signed["roles"]["root"] = {"keyids": [EXTRA.keyid], "threshold": 1}

    t.write_root2(takeover, EXTRA)


# Rollback


@case(RollbackAttack, "The timestamp is version 2, older than the 3 this library holds")
def timestamp_version_below_held(t: Target) -> None:
    t.resign_timestamp(lambda signed: signed.update(version=2))


@case(RollbackAttack, "The timestamp is version 1, older than the 3 this library holds")
def first_timestamp_replayed(t: Target) -> None:
    t.timestamp.write_bytes(t.world.first_timestamp)


@case(RollbackAttack, "The timestamp names an older snapshot than the one held")
def timestamp_names_an_older_snapshot(t: Target) -> None:
    t.pin_snapshot((t.feed / "snapshot" / "1.json").read_bytes(), version=1)


@case(MixAndMatch, "The snapshot's version is not the one the timestamp names")
def older_snapshot_served_as_the_current_one(t: Target) -> None:
    t.pin_snapshot((t.feed / "snapshot" / "2.json").read_bytes(), version=3)


@case(RollbackAttack, "Expected root version 2, got 3")
def root_version_skipped(t: Target) -> None:
    t.write_root2(lambda signed: signed.update(version=3))


@case(RollbackAttack, "Expected root version 2, got 1")
def first_root_replayed_as_the_next(t: Target) -> None:
    shutil.copy(t.feed / "root" / "1.root.json", t.feed / "root" / "2.root.json")


@case(RollbackAttack, "The timestamp is version 1, older than the 3 this library holds")
def bundle_of_the_first_version(t: Target) -> None:
    t.bundle = t.world.first_bundle


# Freeze (online)


@case(FreezeAttack, "The feed's timestamp has expired")
def timestamp_expired(t: Target) -> None:
    t.resign_timestamp(lambda s: s.update(expires=format_time(NOW - timedelta(seconds=1))))


@case(FreezeAttack, "The feed's timestamp has expired")
def timestamp_expiring_this_second(t: Target) -> None:
    t.resign_timestamp(lambda signed: signed.update(expires=format_time(NOW)))


@case(FreezeAttack, "The feed's snapshot has expired")
def snapshot_expired(t: Target) -> None:
    t.resign_snapshot(lambda s: s.update(expires=format_time(NOW - timedelta(hours=1))))


@case(FreezeAttack, "The feed's root metadata has expired")
def root_expired(t: Target) -> None:
    t.write_root2(lambda s: s.update(expires=format_time(NOW - timedelta(days=1))))


# Mix and match: pieces that do not match what their signed parent says


@case(MixAndMatch, "The snapshot does not match the one its signed parent names")
def snapshot_altered_in_place(t: Target) -> None:
    doc = load(t.snapshot)
    doc["signatures"][0]["sig"] = flip_hex(doc["signatures"][0]["sig"])  # same length
    t.snapshot.write_bytes(canonical.encode(doc))


@case(LengthExceeded, "The snapshot is longer than its signed length")
def snapshot_padded(t: Target) -> None:
    t.snapshot.write_bytes(t.snapshot.read_bytes() + b"\n")


@case(MixAndMatch, "The index segment does not match the one its signed parent names")
def segment_replaced_by_an_older_one(t: Target) -> None:
    current = load(t.snapshot)["signed"]["segments"][-1]
    older = load(t.feed / "snapshot" / "2.json")["signed"]["segments"][-1]
    assert older["length"] < current["length"]
    shutil.copy(
        t.feed / "index" / f"{older['sha256']}.json.zst",
        t.feed / "index" / f"{current['sha256']}.json.zst",
    )


@case(MixAndMatch, "The index segment's entry count differs from the snapshot's")
def segment_count_overstated(t: Target) -> None:
    count = len(t.segment()["entries"])
    t.resign_snapshot(lambda signed: signed["segments"][-1].update(count=count + 1))


@case(LengthExceeded, "is larger than the")
def segment_padded(t: Target) -> None:
    ref = load(t.snapshot)["signed"]["segments"][-1]
    path = t.feed / "index" / f"{ref['sha256']}.json.zst"
    path.write_bytes(path.read_bytes() + b"\0")


@case(NotInSource, ".json.zst is not in")
def segment_missing(t: Target) -> None:
    ref = load(t.snapshot)["signed"]["segments"][-1]
    (t.feed / "index" / f"{ref['sha256']}.json.zst").unlink()


@case(NotInSource, "snapshot/3.json is not in")
def snapshot_missing(t: Target) -> None:
    t.snapshot.unlink()


@case(HashMismatch, "Object 'article-0' does not match its signed hash")
def objects_of_two_items_swapped(t: Target) -> None:
    changed, unchanged = t.object_file("article-0"), t.object_file("article-1")
    first, second = changed.read_bytes(), unchanged.read_bytes()
    assert len(second) < len(first)  # the changed item is the one fetched, and is longer
    changed.write_bytes(second)
    unchanged.write_bytes(first)


@case(LengthExceeded, "is larger than the")
def object_longer_than_declared(t: Target) -> None:
    path = t.object_file("article-0")
    path.write_bytes(path.read_bytes() + b"tail")


@case(HashMismatch, "Object 'article-0' does not match its signed hash")
def object_truncated(t: Target) -> None:
    path = t.object_file("article-0")
    path.write_bytes(path.read_bytes()[:-1])


@case(MixAndMatch, "The source lacks object 'article-0'")
def object_missing(t: Target) -> None:
    t.object_file("article-0").unlink()


# Validly signed but malicious: the client's own checks


@case(DecompressionBomb, "object 'article-0' expands beyond its declared")
def object_decompression_bomb(t: Target) -> None:
    bomb = zstd(bytes(8 * 1024 * 1024))
    assert len(bomb) < 2048
    t.point("article-0", bomb)


@case(MalformedMetadata, "object 'article-0' is shorter than its declared size")
def object_size_overstated(t: Target) -> None:
    entry = t.world.entries["article-0"]
    t.point("article-0", t.object_file("article-0").read_bytes(), size=entry.size + 100)


@case(LengthExceeded, "Entry 'article-0' declares a size over the limit")
def entry_size_over_the_limit(t: Target) -> None:
    t.point("article-0", t.object_file("article-0").read_bytes(), size=16 * 1024 * 1024 + 1)


@case(LengthExceeded, "The index segment declares no size or one over")
def segment_declares_a_huge_size(t: Target) -> None:
    frame = zstd(canonical.encode(t.segment()), content_size=False)
    t.replace_segment(declare_size(frame, 64 * 1024 * 1024 + 1), len(t.segment()["entries"]))


@case(LengthExceeded, "The index segment declares no size")
def segment_without_content_size(t: Target) -> None:
    doc = t.segment()
    t.replace_segment(zstd(canonical.encode(doc), content_size=False), len(doc["entries"]))


@case(MalformedMetadata, "The index segment is not valid zstd data")
def segment_holding_more_than_it_declares(t: Target) -> None:
    # zstd itself notices output beyond the frame's declared size, before the client's cap.
    doc = t.segment()
    frame = zstd(canonical.encode(doc), content_size=False)
    t.replace_segment(declare_size(frame, 100), len(doc["entries"]))


@case(MalformedMetadata, "The index segment is not valid zstd data")
def segment_not_zstd(t: Target) -> None:
    doc = t.segment()
    t.replace_segment(canonical.encode(doc), len(doc["entries"]))


@case(InvalidIdentifier, "The index entry has an unsafe identifier in 'id'")
def entry_id_with_dot_dot(t: Target) -> None:
    t.rewrite_segment(lambda doc: entry_of(doc, "article-3").update(id="article..3"))


@case(InvalidIdentifier, "The index entry has an unsafe identifier in 'id'")
def entry_id_with_a_path_separator(t: Target) -> None:
    t.rewrite_segment(lambda doc: entry_of(doc, "article-3").update(id="media/article-3"))


@case(InvalidIdentifier, "The index entry has an unsafe identifier in 'id'")
def entry_id_with_a_terminal_escape(t: Target) -> None:
    t.rewrite_segment(lambda doc: entry_of(doc, "article-3").update(id="article\x1b[2J3"))


@case(InvalidIdentifier, "An index segment removes an unsafe identifier")
def segment_removing_a_path(t: Target) -> None:
    t.rewrite_segment(lambda doc: doc.update(removed=["../../library.db"]))


@case(InvalidIdentifier, "The snapshot names a channel with an unsafe name")
def snapshot_channel_with_a_separator(t: Target) -> None:
    t.resign_snapshot(lambda signed: signed["channels"].update({"af/x": {"restricted": False}}))


@case(UnsupportedFormat, "The timestamp uses feed format '2'")
def timestamp_of_an_unknown_format_version(t: Target) -> None:
    t.resign_timestamp(lambda signed: signed.update(spec_version=2))


@case(UnsupportedFormat, "The timestamp uses feed format 'True'")
def timestamp_format_version_true(t: Target) -> None:
    t.resign_timestamp(lambda signed: signed.update(spec_version=True))


@case(UnsupportedFormat, "The index segment uses feed format '2'")
def segment_of_an_unknown_format_version(t: Target) -> None:
    t.rewrite_segment(lambda doc: doc.update(spec_version=2))


@case(UnsupportedFormat, "Key type 'rsa' is not supported")
def root_with_an_unknown_key_type(t: Target) -> None:
    def rsa(signed: dict[str, Any]) -> None:
        signed["keys"][EXTRA.keyid] = {"type": "rsa", "public": EXTRA.public.public.hex()}

    t.write_root2(rsa)


@case(MalformedMetadata, "The timestamp has an out-of-range 'version'")
def timestamp_version_beyond_2_53(t: Target) -> None:
    t.resign_timestamp(lambda signed: signed.update(version=2**53 + 1))


@case(MalformedMetadata, "The timestamp has a time that is not YYYY-MM-DDTHH:MM:SSZ")
def timestamp_time_not_zero_padded(t: Target) -> None:
    t.resign_timestamp(lambda signed: signed.update(expires="2024-5-9T1:2:3Z"))


@case(MalformedMetadata, "The timestamp has unknown fields: ['mirror']")
def timestamp_with_an_unknown_field(t: Target) -> None:
    t.resign_timestamp(lambda signed: signed.update(mirror="https://example.org/"))


@case(WrongFeed, "Metadata for feed 'other-feed' offered for feed 'test-feed'")
def snapshot_of_another_feed(t: Target) -> None:
    t.resign_snapshot(lambda signed: signed.update(feed="other-feed"))


@case(WrongFeed, "Metadata for feed 'other-feed' offered for feed 'test-feed'")
def timestamp_of_another_feed_with_the_root_given(t: Target) -> None:
    t.trusted_root = t.world.root1
    t.resign_timestamp(lambda signed: signed.update(feed="other-feed"))


@case(NotTrusted, "does not follow the feed 'other-feed'")
def timestamp_of_another_feed(t: Target) -> None:
    t.resign_timestamp(lambda signed: signed.update(feed="other-feed"))


@case(WrongFeed, "The new root is for feed 'other-feed', not 'test-feed'")
def root_of_another_feed(t: Target) -> None:
    t.write_root2(lambda signed: signed.update(feed="other-feed"))


@case(MalformedMetadata, "Entry 'article-3' is in an undeclared channel")
def entry_in_an_undeclared_channel(t: Target) -> None:
    t.rewrite_segment(lambda doc: entry_of(doc, "article-3").update(channel="ghost"))


@case(MalformedMetadata, "The snapshot lists the same index segment twice")
def snapshot_listing_a_segment_twice(t: Target) -> None:
    t.resign_snapshot(lambda signed: signed["segments"].append(signed["segments"][-1]))


@case(MalformedMetadata, "The snapshot lists a segment from a later version")
def segment_reference_from_the_future(t: Target) -> None:
    t.resign_snapshot(lambda signed: signed["segments"][-1].update(version=99))


@case(MalformedMetadata, "Entry 'article-3' is newer than its index segment")
def entry_newer_than_its_segment(t: Target) -> None:
    t.rewrite_segment(lambda doc: entry_of(doc, "article-3").update(version=99))


@case(MalformedMetadata, "An index segment mentions the same id twice")
def segment_with_a_repeated_id(t: Target) -> None:
    t.rewrite_segment(lambda doc: add_entry(doc, "article-3"))


@case(MalformedMetadata, "An index entry has an unknown kind 'script'")
def entry_of_an_unknown_kind(t: Target) -> None:
    t.rewrite_segment(lambda doc: entry_of(doc, "article-3").update(kind="script"))


# Objects: channels, keys and the item inside


@case(ChannelKeyMissing, "No key for the restricted channel 'af'")
def restricted_object_without_its_key(t: Target) -> None:
    t.channels, t.channel_keys, t.forget_channel_keys = ("public", CHANNEL), {}, True


@case(DecryptionFailed, "does not open with the key of channel 'af'")
def restricted_object_with_a_wrong_key(t: Target) -> None:
    t.channel_keys = {CHANNEL: bytes(32)}


@case(DecryptionFailed, "Object 'secret-2' does not open with the key of channel 'af'")
def sealed_object_moved_to_another_id(t: Target) -> None:
    t.rewrite_segment(lambda doc: add_entry(doc, t.secret, id="secret-2"))


@case(DecryptionFailed, "is not an encrypted object")
def restricted_object_in_the_clear(t: Target) -> None:
    payload = canonical.encode(
        {"id": "secret-1", "kind": "article", "channel": CHANNEL, "lang": "en", "title": "X"}
    )
    t.point(t.secret, zstd(payload), size=len(payload))


@case(MalformedMetadata, "Object 'article-0' holds a different item than the index says")
def object_of_another_item(t: Target) -> None:
    entry = t.world.entries["article-1"]
    t.point("article-0", t.object_file("article-1").read_bytes(), size=entry.size)


@case(MalformedMetadata, "Object 'article-3' holds a different item than the index says")
def restricted_item_under_a_public_entry(t: Target) -> None:
    payload = canonical.encode(
        {"id": "article-3", "kind": "article", "channel": CHANNEL, "lang": "en", "title": "X"}
    )
    t.point("article-3", zstd(payload), size=len(payload))


@case(MalformedMetadata, "The object 'article-0' is not zstd-compressed")
def object_not_compressed(t: Target) -> None:
    payload = b'{"id":"article-0"}'
    t.point("article-0", payload, size=len(payload))


@case(MalformedMetadata, "Object 'article-0' is not an item")
def object_holding_a_list(t: Target) -> None:
    t.point("article-0", zstd(b"[]"), size=2)


@case(MalformedMetadata, "Object 'article-0' is not a valid item")
def object_with_an_unknown_field(t: Target) -> None:
    payload = canonical.encode(
        {"id": "article-0", "kind": "article", "lang": "en", "title": "X", "script": "alert(1)"}
    )
    t.point("article-0", zstd(payload), size=len(payload))


@case(DecompressionBomb, "object 'chart.png' expands beyond its declared")
def attachment_decompression_bomb(t: Target) -> None:
    t.point("chart.png", zstd(bytes(4 * 1024 * 1024)))


# Strict parsing (a root is given, as with --trust-root, so the timestamp is read only once)


def raw_timestamp(t: Target, change: Callable[[bytes], bytes]) -> None:
    t.trusted_root = t.world.root1
    t.timestamp.write_bytes(change(t.timestamp.read_bytes()))


@case(MalformedMetadata, "The timestamp is not valid JSON")
def timestamp_not_json(t: Target) -> None:
    raw_timestamp(t, lambda data: data[:-2])


@case(MalformedMetadata, "The timestamp is not valid JSON")
def timestamp_with_a_byte_order_mark(t: Target) -> None:
    raw_timestamp(t, lambda data: b"\xef\xbb\xbf" + data)


@case(MalformedMetadata, "The timestamp repeats the key 'feed'")
def timestamp_with_a_repeated_key(t: Target) -> None:
    raw_timestamp(t, lambda data: data.replace(b'"signed":{', b'"signed":{"feed":"test-feed",'))


@case(MalformedMetadata, "The timestamp contains floating-point numbers")
def timestamp_with_a_float(t: Target) -> None:
    raw_timestamp(t, lambda data: data.replace(b'"version":4}', b'"version":4.0}'))


@case(MalformedMetadata, "The timestamp holds a number far too large")
def timestamp_with_a_huge_integer(t: Target) -> None:
    raw_timestamp(t, lambda data: data.replace(b'"version":4}', b'"version":' + b"9" * 5000 + b"}"))


@case(MalformedMetadata, "The timestamp is nested too deeply")
def timestamp_nested_deeply(t: Target) -> None:
    deep = b'"deep":' + b"[" * 20 + b"]" * 20 + b","
    raw_timestamp(t, lambda data: data.replace(b'"signed":{', deep + b'"signed":{'))


@case(LengthExceeded, "timestamp.json is larger than the 16,384 bytes allowed")
def timestamp_oversized(t: Target) -> None:
    raw_timestamp(t, lambda data: data + b" " * 16 * 1024)


@case(MalformedMetadata, "The timestamp carries too many signatures")
def timestamp_with_33_signatures(t: Target) -> None:
    def many(data: bytes) -> bytes:
        doc = json.loads(data)
        doc["signatures"] = doc["signatures"] * 33
        return canonical.encode(doc)

    raw_timestamp(t, many)


# A damaged timestamp on a library that follows exactly this one feed, with no root given


@case(MalformedMetadata, "The timestamp is not valid JSON")
def timestamp_not_json_with_no_root_given(t: Target) -> None:
    t.timestamp.write_bytes(t.timestamp.read_bytes()[:-2])


@case(NotInSource, "timestamp.json is not in")
def timestamp_missing_with_no_root_given(t: Target) -> None:
    t.timestamp.unlink()


# Bundles: the container is untrusted too


@case(BundleError, "a file runs past its end")
def bundle_truncated(t: Target) -> None:
    t.bundle = t.world.bundle[: len(t.world.bundle) - 200]


@case(BundleError, "a file runs past its end")
def bundle_file_running_past_its_end(t: Target) -> None:
    def longer(files: list[list[Any]]) -> None:
        files[-1][2] += 10

    change_table(t, longer)


@case(InvalidIdentifier, "is not a path of the feed format")
def bundle_path_outside_the_format(t: Target) -> None:
    def escape(files: list[list[Any]]) -> None:
        files[0][0] = "../../library.keys"

    change_table(t, escape)


@case(MalformedMetadata, "The bundle's table of files is damaged")
def bundle_repeating_a_path(t: Target) -> None:
    def repeat(files: list[list[Any]]) -> None:
        files.append(list(files[0]))

    change_table(t, repeat)


@case(BundleError, "This is not a fieldreader bundle")
def bundle_with_a_bad_magic(t: Target) -> None:
    t.bundle = b"XXBUNDLE" + t.world.bundle[8:]


@case(BundleError, "format version this build does not know")
def bundle_of_an_unknown_version(t: Target) -> None:
    t.bundle = t.world.bundle[:8] + b"\x02" + t.world.bundle[9:]


@case(BundleError, "unknown mode")
def bundle_of_an_unknown_mode(t: Target) -> None:
    t.bundle = t.world.bundle[:9] + b"Z" + t.world.bundle[10:]


@case(HashMismatch, "does not match its signed hash")
def bundle_with_an_object_altered_inside(t: Target) -> None:
    header, body = split_bundle(t.world.bundle)
    path, offset, _ = next(row for row in header["files"] if row[0].startswith("objects/"))
    altered = bytearray(body)
    altered[offset + 5] ^= 0x01
    t.bundle = join_bundle(header, bytes(altered))
    del path


@case(DecryptionFailed, "The bundle does not open: wrong passphrase, or the file was altered")
def encrypted_bundle_with_a_wrong_passphrase(t: Target) -> None:
    t.bundle, t.passphrase = t.world.encrypted, "not the passphrase"


@case(DecryptionFailed, "The bundle does not open: wrong passphrase, or the file was altered")
def encrypted_bundle_truncated(t: Target) -> None:
    t.bundle, t.passphrase = t.world.encrypted[:-100], BUNDLE_PASSPHRASE


@case(DecryptionFailed, "The encrypted bundle is truncated or has data after its end")
def encrypted_bundle_without_its_final_chunk(t: Target) -> None:
    (length,) = struct.unpack(">I", t.world.encrypted[10:14])
    t.bundle, t.passphrase = t.world.encrypted[: 14 + length + 24], BUNDLE_PASSPHRASE


@case(DecryptionFailed, "The bundle does not open: wrong passphrase, or the file was altered")
def encrypted_bundle_with_trailing_data(t: Target) -> None:
    t.bundle, t.passphrase = t.world.encrypted + b"\0" * 17, BUNDLE_PASSPHRASE


@case(BundleNeedsPassphrase, "This bundle is encrypted: its passphrase is needed")
def encrypted_bundle_without_a_passphrase(t: Target) -> None:
    t.bundle = t.world.encrypted


@case(BundleError, "key-derivation parameters out of range")
def encrypted_bundle_asking_for_8_gib(t: Target) -> None:
    data = t.world.encrypted
    (length,) = struct.unpack(">I", data[10:14])
    params = json.loads(data[14 : 14 + length])
    params["memlimit"] = 8 * 1024**3
    raw = json.dumps(params).encode()
    t.bundle = data[:10] + struct.pack(">I", len(raw)) + raw + data[14 + length :]
    t.passphrase = BUNDLE_PASSPHRASE


@case(BundleError, "The decrypted bundle is not a plain bundle")
def encrypted_bundle_holding_another_encrypted_one(t: Target) -> None:
    t.bundle = encrypt(t.world.encrypted, BUNDLE_PASSPHRASE, FAST_KDF)
    t.passphrase = BUNDLE_PASSPHRASE


# --- running the table -----------------------------------------------------------------------


def attempt(target: Target, library: Library) -> UpdateResult:
    if target.forget_channel_keys:
        with library.transaction():
            library._conn.execute("DELETE FROM meta WHERE key LIKE 'channel-key:%'")
    source = target.source()
    return update_library(library, source, target.options(source))


def test_the_table_is_large_and_every_case_is_distinct() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)
    assert len({c.tamper for c in CASES}) == len(CASES)


def as_param(c: Case) -> Any:  # pytest does not export its ParameterSet type
    marks = [pytest.mark.xfail(strict=True, reason=c.bug)] if c.bug else []
    return pytest.param(c, id=c.name, marks=marks)


@pytest.mark.parametrize("case", [as_param(c) for c in CASES])
def test_a_tampered_feed_is_refused_for_its_reason_and_changes_nothing(
    case: Case, world: World, library: Library, tmp_path: Path
) -> None:
    target = Target(world, tmp_path / "feed")
    shutil.copytree(world.feed, target.feed)
    case.tamper(target)

    with pytest.raises(FeedError) as caught:
        attempt(target, library)

    assert type(caught.value) is case.error, f"{type(caught.value).__name__}: {caught.value}"
    assert case.match in str(caught.value)
    assert capture(library) == world.held
    library.close()
    with open_copy(world, tmp_path / "library") as reopened:
        assert capture(reopened) == world.held


# --- controls: the same feed untampered, and the forging helpers alone -------------------------


@pytest.mark.parametrize("form", ["folder", "bundle", "encrypted bundle"])
def test_the_untampered_version_applies(
    form: str, world: World, library: Library, tmp_path: Path
) -> None:
    target = Target(world, world.feed)
    if form != "folder":
        target.bundle = world.encrypted if form == "encrypted bundle" else world.bundle
        target.passphrase = BUNDLE_PASSPHRASE
    result = attempt(target, library)
    assert (result.version, result.added, result.updated, result.removed) == (3, 1, 2, 1)
    assert result.attachments == 1
    after = capture(library)
    assert set(after.items) == set(world.held.items) - {"article-2"} | {"article-3"}
    assert [n.body for n in after.notes] == [n.body for n in world.held.notes]
    assert (after.bookmarks, after.ticks, after.position) == (
        world.held.bookmarks,
        world.held.ticks,
        world.held.position,
    )
    assert after.feed is not None
    assert (after.feed.timestamp_version, after.feed.snapshot_version) == (4, 3)


def test_re_signing_alone_changes_nothing_the_client_refuses(
    world: World, library: Library, tmp_path: Path
) -> None:
    """The forging helpers make valid feeds: each case fails because of its change only."""
    target = Target(world, tmp_path / "feed")
    shutil.copytree(world.feed, target.feed)
    target.write_root2()
    target.rewrite_segment(lambda doc: None)  # new segment, snapshot and timestamp
    entry = world.entries["article-0"]
    target.point("article-0", target.object_file("article-0").read_bytes(), size=entry.size)
    result = attempt(target, library)
    assert (result.version, result.root_version, result.added, result.removed) == (3, 2, 1, 1)
    assert library.content.get("article-0") is not None


# --- offline, expiry is reported, not refused ------------------------------------------------


def test_an_expired_bundle_newer_than_held_is_accepted_offline_and_reported(
    world: World, library: Library
) -> None:
    later = V3_AT + timedelta(days=40)  # timestamp (7 days) and snapshot (30 days) expired
    options = UpdateOptions(now=later, online=False, channel_keys={CHANNEL: CHANNEL_KEY})

    result = update_library(library, BundleSource(world.bundle), options)

    assert result.expired
    assert result.age_seconds == timedelta(days=40).total_seconds()
    assert (result.version, result.added, result.removed) == (3, 1, 1)
    state = library.feeds.state(FEED)
    assert state is not None
    assert (state.snapshot_version, state.last_verified) == (3, format_time(later))
    assert capture(library).ticks == world.held.ticks


def test_the_same_expired_version_is_refused_online(world: World, library: Library) -> None:
    later = V3_AT + timedelta(days=40)
    options = UpdateOptions(now=later, online=True, channel_keys={CHANNEL: CHANNEL_KEY})
    with pytest.raises(FreezeAttack, match="timestamp has expired"):
        update_library(library, DirectorySource(world.feed), options)
    assert capture(library) == world.held


# --- checks the engine cannot reach, exercised on the verifier --------------------------------


def test_a_segment_the_snapshot_does_not_list_is_refused(world: World) -> None:
    """The engine only fetches listed segments; the verifier still refuses any other."""
    verifier = FeedVerifier(load_trusted_root(world.root1), Held(3, 2), NOW, online=True)
    verifier.update_timestamp((world.feed / "timestamp.json").read_bytes())
    verifier.update_snapshot((world.feed / "snapshot" / "3.json").read_bytes())
    older = FeedVerifier(load_trusted_root(world.root1), Held(), NOW, online=False)
    older.update_timestamp(world.first_timestamp)
    first_snapshot = older.update_snapshot((world.feed / "snapshot" / "1.json").read_bytes())
    unlisted = first_snapshot.segments[0]
    data = (world.feed / "index" / f"{unlisted.sha256}.json.zst").read_bytes()
    older.verify_segment(unlisted, data)  # a genuine segment of the feed...
    with pytest.raises(MixAndMatch, match="not one the snapshot names"):
        verifier.verify_segment(unlisted, data)  # ...but not of this version


def test_canonical_encoding_refuses_what_the_parser_refuses() -> None:
    value: list[Any] = []
    for _ in range(16):
        value = [value]
    with pytest.raises(MalformedMetadata):
        canonical.parse(b"[" * 17 + b"]" * 17, "value", 100)
    with pytest.raises(ValueError, match="nested too deeply"):
        canonical.encode(value)


def test_a_payload_sealed_for_one_channel_does_not_open_in_another() -> None:
    sealed = encode_payload(b"secret", "secret-1", CHANNEL, CHANNEL_KEY)
    entry = IndexEntry("secret-1", "attachment", "ua", sealed.sha256, len(sealed.data), 6, 1)
    with pytest.raises(DecryptionFailed):
        decode_payload(entry, sealed.data, True, {"ua": CHANNEL_KEY})
