"""The publishing side of the feed: a content folder in, a signed static tree out.

The tree is plain files, so any web server, USB stick or mirror can carry it, and every byte of it
is checked by :mod:`fieldreader.feed.verify` on the client. The publisher therefore builds it with
the same types the client parses, and reads its own previous output through the same verifier: a
feed folder changed behind the publisher's back is noticed before anything is signed on top of it.

Layout (paths relative to the feed folder)::

    root/<N>.root.json          every root version; N+1 signed by the root keys of N and of N+1
    timestamp.json              short-lived; names the current snapshot (written last)
    snapshot/<V>.json           feed version V: channels and the index segments, oldest first
    index/<sha256>.json.zst     index segments, named by the hash of their stored bytes
    objects/<h[:2]>/<h>         items and attachments, named by the hash of their stored bytes

Content-addressed files are never rewritten, so a client (or a mirror) fetches only what it does
not hold, and a crash mid-build leaves the feed serving its previous version: the timestamp, the
one file that moves the feed forward, is replaced atomically and last.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import zstandard

from fieldreader import source
from fieldreader.errors import ContentError, FieldreaderError
from fieldreader.feed import canonical
from fieldreader.feed.errors import FeedError, ThresholdNotMet
from fieldreader.feed.keys import ROLES, SigningKey, key_path, read_key, write_key
from fieldreader.feed.metadata import (
    Envelope,
    IndexEntry,
    MetaRef,
    Role,
    Root,
    Segment,
    SegmentRef,
    Signature,
    Snapshot,
    Timestamp,
    effective_index,
)
from fieldreader.feed.objects import (
    CHANNEL_KEY_BYTES,
    ZSTD_LEVEL,
    EncodedObject,
    encode_item,
    encode_payload,
    entry_id,
)
from fieldreader.feed.verify import (
    DEFAULT_LIMITS,
    FeedVerifier,
    Held,
    load_trusted_root,
    verify_root_update,
)
from fieldreader.fsutil import atomic_write
from fieldreader.model import Item, is_valid_id

if sys.platform != "win32":
    import fcntl

#: Feed files are public: mirrors and web servers must be able to read them.
FEED_FILE_MODE = 0o644
KEY_FILE_MODE = 0o600
PUBLIC_CHANNEL = "public"
MEDIA_DIR = "media"
TIMESTAMP_FILE = "timestamp.json"
#: The snapshot format allows no more; the compaction rule keeps far fewer (about log2 of edits).
MAX_SEGMENTS = 64
_ROOT_FILE = re.compile(r"([1-9][0-9]{0,8})\.root\.json")


class PublishError(FieldreaderError):
    """The feed could not be built or its keys rotated; the feed still serves what it did."""


def root_file(version: int) -> str:
    return f"root/{version}.root.json"


def snapshot_file(version: int) -> str:
    return f"snapshot/{version}.json"


def segment_file(sha256: str) -> str:
    return f"index/{sha256}.json.zst"


def object_file(sha256: str) -> str:
    return f"objects/{sha256[:2]}/{sha256}"


@dataclass(frozen=True)
class BuildReport:
    """What a build changed, for the one-line summary and for tests that count writes."""

    version: int
    """The feed (snapshot) version now served; unchanged when the content did not change."""
    added: int
    updated: int
    removed: int
    unchanged: int
    objects_written: int
    bytes_written: int
    segments: int
    """Index segments the snapshot lists."""
    timestamp_version: int
    root_expires: datetime
    """When the publisher must have issued a new root (``rotate_keys``) at the latest."""
    written: tuple[str, ...]
    """Every file written, relative to the feed folder, in the order written."""


@dataclass(frozen=True)
class _Periods:
    """How long each role's metadata stays valid after it is issued."""

    timestamp: timedelta
    snapshot: timedelta
    root: timedelta

    @classmethod
    def of(cls, timestamp_days: int, snapshot_days: int, root_days: int) -> _Periods:
        # A snapshot that outlives its root, or a timestamp its snapshot, would be refused by
        # clients before its own expiry: the order keeps every signed promise keepable.
        if not 1 <= timestamp_days <= snapshot_days <= root_days:
            raise PublishError(
                "Validity periods must satisfy 1 <= timestamp days <= snapshot days <= root days "
                f"(got {timestamp_days}, {snapshot_days}, {root_days})."
            )
        return cls(timedelta(timestamp_days), timedelta(snapshot_days), timedelta(root_days))


@dataclass(frozen=True)
class _Layer:
    """One index segment; ``ref`` is None until its bytes are written."""

    segment: Segment
    ref: SegmentRef | None = None

    @property
    def size(self) -> int:
        return len(self.segment.entries) + len(self.segment.removed)


@dataclass(frozen=True)
class _Served:
    """What the feed folder serves now, verified as a client would verify it.

    No roots for a new feed; roots but no timestamp when the first build stopped after writing
    root 1 (nothing was ever announced, so the build simply starts over on that root).
    """

    roots: tuple[Root, ...] = ()
    timestamp: Timestamp | None = None
    snapshot: Snapshot | None = None
    layers: tuple[_Layer, ...] = ()
    resigned_by_previous_root: bool = False
    """True when a key rotation stopped after publishing its root: the snapshot and timestamp
    are still signed with the replaced keys and must be issued again."""

    @property
    def root(self) -> Root:
        return self.roots[-1]

    @property
    def is_new(self) -> bool:
        return not self.roots

    @property
    def channels(self) -> Mapping[str, bool]:
        return self.snapshot.channels if self.snapshot else {}

    @property
    def next_snapshot_version(self) -> int:
        return self.snapshot.version + 1 if self.snapshot else 1

    @property
    def next_timestamp_version(self) -> int:
        return self.timestamp.version + 1 if self.timestamp else 1


@dataclass(frozen=True)
class _Planned:
    """One item or attachment as it will be stored, before it gets an index version."""

    id: str
    kind: str
    channel: str
    obj: EncodedObject

    def entry(self, version: int) -> IndexEntry:
        return IndexEntry(
            id=self.id,
            kind=self.kind,
            channel=self.channel,
            sha256=self.obj.sha256,
            length=len(self.obj.data),
            size=self.obj.size,
            version=version,
        )


@dataclass(frozen=True)
class _Diff:
    changed: tuple[IndexEntry, ...]
    removed: tuple[str, ...]
    added: int
    updated: int
    unchanged: int


class _Writer:
    """Writes feed files and remembers what it wrote; content-addressed files are never replaced."""

    def __init__(self, feed_dir: Path) -> None:
        self.feed_dir = feed_dir
        self.written: list[str] = []
        self.bytes = 0

    def put(self, relative: str, data: bytes) -> None:
        path = self.feed_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data, mode=FEED_FILE_MODE)
        self.written.append(relative)
        self.bytes += len(data)

    def put_addressed(self, relative: str, data: bytes) -> None:
        """Write a file named by its hash unless it exists; if it exists it must be these bytes."""
        path = self.feed_dir / relative
        if not path.exists():
            self.put(relative, data)
        elif path.stat().st_size != len(data) or path.read_bytes() != data:
            raise PublishError(
                f"{relative} in {self.feed_dir} does not hold the bytes its name promises: the "
                "feed folder was changed outside the publisher. The feed still serves its "
                "previous version."
            )

    def count(self, prefix: str) -> int:
        return sum(1 for name in self.written if name.startswith(prefix))


@contextmanager
def _exclusive(feed_dir: Path) -> Iterator[None]:
    """One publisher run per feed folder at a time.

    Two overlapping runs (a slow build and the next cron job) would issue the same versions with
    different bytes, and the timestamp of one could name the snapshot file of the other. The lock
    is on the folder itself, so no lock file ends up on the mirrors.
    """
    feed_dir.mkdir(parents=True, exist_ok=True)
    if sys.platform == "win32":  # no advisory locks on folders there
        yield
        return
    fd = os.open(feed_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(
                f"Another publish run is using {feed_dir}; try again later."
            ) from None
        yield
    finally:
        os.close(fd)


# --- keys ------------------------------------------------------------------------------------


def generate_keys(keydir: Path) -> None:
    """Create the root, snapshot and timestamp keys of a new feed.

    Refuses to replace any existing key: a feed whose keys are lost can never be updated again,
    and its readers would have to be re-provisioned by hand.
    """
    existing = [key_path(keydir, role).name for role in ROLES if key_path(keydir, role).exists()]
    if existing:
        raise PublishError(
            f"{keydir} already holds {', '.join(existing)}; refusing to overwrite feed keys."
        )
    for role in ROLES:
        write_key(keydir, SigningKey.generate(role))


def _listed(root: Root, key: SigningKey) -> bool:
    return key.keyid in root.roles[key.role].keyids


def _require_listed(root: Root, key: SigningKey, keydir: Path) -> SigningKey:
    if not _listed(root, key):
        raise PublishError(
            f"The {key.role} key in {keydir} is not one the feed's root (version {root.version}) "
            f"lists for that role: wrong key folder, or an interrupted key rotation (run "
            "'publish rotate-keys' again to finish it)."
        )
    return key


def _signing_keys(keydir: Path, served: _Served) -> dict[str, SigningKey]:
    """The keys a build signs with; the root key only when there is no root yet.

    Later builds do not need the root key, so it can stay offline; if it is present it must
    still be the feed's, so a stale copy is noticed before it is relied on in a rotation.
    """
    if served.is_new:
        return {role: read_key(keydir, role) for role in ROLES}
    keys = {role: read_key(keydir, role) for role in ("snapshot", "timestamp")}
    if key_path(keydir, "root").exists():
        keys["root"] = read_key(keydir, "root")
    return {role: _require_listed(served.root, key, keydir) for role, key in keys.items()}


def _archive_path(keydir: Path, role: str, root_version: int) -> Path:
    return keydir / f"{key_path(keydir, role).name}.v{root_version}"


def _read_archived(path: Path, role: str) -> SigningKey | None:
    """A key file kept by an earlier rotation, or None if it is missing or not a key of ``role``."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        key = SigningKey(bytes.fromhex(str(doc["seed"])), role)
        valid = doc.get("role") == role and key.public.public.hex() == doc.get("public")
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return key if valid else None


def _rotation_keys(
    keydir: Path, root: Root, roles: Iterable[str]
) -> tuple[SigningKey, dict[str, SigningKey]]:
    """The current root key and the key of every role in the next root, written to ``keydir``.

    New keys are saved (and the old ones archived) before the root naming them is published, so
    a crash can never publish a root whose keys are lost. A rotation that stopped in between is
    recognised by its archive and finished with the keys it already made.
    """
    current: dict[str, SigningKey] = {}
    pending: dict[str, SigningKey] = {}
    for role in ROLES:
        key = read_key(keydir, role)
        archived = _read_archived(_archive_path(keydir, role, root.version), role)
        if _listed(root, key):
            current[role] = key
        elif archived is not None and _listed(root, archived):
            current[role], pending[role] = archived, key
        else:
            _require_listed(root, key, keydir)
    new = dict(current)
    new.update(pending)
    for role in sorted(set(roles) - set(pending)):
        archive = _archive_path(keydir, role, root.version)
        if archive.exists():
            raise PublishError(f"{archive} already exists; move it away before rotating keys.")
        atomic_write(archive, key_path(keydir, role).read_bytes(), mode=KEY_FILE_MODE)
        new[role] = SigningKey.generate(role)
        write_key(keydir, new[role])
    return current["root"], new


# --- reading what the feed serves ------------------------------------------------------------


def _read(feed_dir: Path, relative: str) -> bytes:
    try:
        return (feed_dir / relative).read_bytes()
    except FileNotFoundError:
        raise PublishError(f"{relative} is missing from {feed_dir}.") from None


def _root_versions(feed_dir: Path) -> list[int]:
    folder = feed_dir / "root"
    if not folder.is_dir():
        return []
    found = (_ROOT_FILE.fullmatch(path.name) for path in folder.iterdir())
    versions = sorted(int(match.group(1)) for match in found if match)
    if versions != list(range(1, len(versions) + 1)):
        raise PublishError(f"The root versions in {folder} are not 1, 2, ... without gaps.")
    return versions


def _root_chain(feed_dir: Path, versions: list[int]) -> tuple[Root, ...]:
    """Every root, each checked against the one before it as a client walking the chain would."""
    roots = [load_trusted_root(_read(feed_dir, root_file(1)))]
    if roots[0].version != 1:
        raise PublishError(f"{root_file(1)} in {feed_dir} holds root version {roots[0].version}.")
    for version in versions[1:]:
        roots.append(verify_root_update(roots[-1], _read(feed_dir, root_file(version))))
    return tuple(roots)


def _served_by(feed_dir: Path, roots: tuple[Root, ...], root: Root, now: datetime) -> _Served:
    # Offline: an expired timestamp or snapshot is still the state to build on, not an attack.
    verifier = FeedVerifier(root, Held(), now, online=False)
    timestamp = verifier.update_timestamp(_read(feed_dir, TIMESTAMP_FILE))
    snapshot = verifier.update_snapshot(_read(feed_dir, snapshot_file(timestamp.snapshot.version)))
    layers = tuple(
        _Layer(verifier.verify_segment(ref, _read(feed_dir, segment_file(ref.sha256))), ref)
        for ref in snapshot.segments
    )
    return _Served(roots, timestamp, snapshot, layers, root is not roots[-1])


def _load_served(feed_dir: Path, now: datetime) -> _Served:
    """The verified state of ``feed_dir`` (empty for a new feed).

    Raises:
        PublishError: the folder does not verify, so building on it would sign whatever an
            intruder left there.
    """
    try:
        versions = _root_versions(feed_dir)
        if not versions:
            if (feed_dir / TIMESTAMP_FILE).exists():
                raise PublishError(f"{feed_dir} has a timestamp but no root metadata.")
            return _Served()
        roots = _root_chain(feed_dir, versions)
        if not (feed_dir / TIMESTAMP_FILE).exists():
            return _Served(roots)  # the first build stopped after writing its root
        try:
            return _served_by(feed_dir, roots, roots[-1], now)
        except ThresholdNotMet:
            if len(roots) == 1:
                raise
            # A rotation published root N+1 but stopped before re-signing with the new keys.
            return _served_by(feed_dir, roots, roots[-2], now)
    except FeedError as exc:
        raise PublishError(
            f"The feed in {feed_dir} does not verify ({exc}) It may have been tampered with; "
            "nothing was written."
        ) from None


# --- content ---------------------------------------------------------------------------------


def _check_channels(
    restricted: Iterable[str], channel_keys: Mapping[str, bytes]
) -> dict[str, bytes]:
    """The key of each restricted channel; every mismatch between the two is an error.

    A key given for a channel not marked restricted is refused rather than guessed at: that
    slip would otherwise publish the channel in the clear.
    """
    names = set(restricted)
    for name in sorted(names):
        if not is_valid_id(name) or name == PUBLIC_CHANNEL:
            raise PublishError(f"'{name[:40]}' cannot be a restricted channel.")
        key = channel_keys.get(name)
        if key is None or len(key) != CHANNEL_KEY_BYTES:
            raise PublishError(f"The restricted channel '{name}' needs a 32-byte channel key.")
    for name in sorted(set(channel_keys) - names):
        raise PublishError(f"A key was given for channel '{name[:40]}', which is not restricted.")
    return {name: channel_keys[name] for name in names}


def _check_no_downgrade(items: list[Item], keys: Mapping[str, bytes], served: _Served) -> None:
    for item in items:
        if served.channels.get(item.channel) and item.channel not in keys:
            raise PublishError(
                f"Channel '{item.channel}' is restricted in the published feed; pass it as "
                "restricted with its key (publishing it in the clear is refused)."
            )


def _plan_items(items: list[Item], keys: Mapping[str, bytes]) -> list[_Planned]:
    planned = []
    limit = DEFAULT_LIMITS.max_object_bytes
    for item in items:
        key = keys.get(item.channel)
        obj = encode_item(item, key)
        if obj.size > limit:
            raise ContentError(
                f"item '{item.id}'",
                None,
                f"encodes to {obj.size:,} bytes, over the feed's {limit:,}",
            )
        planned.append(_Planned(entry_id(item.id, key), item.kind, item.channel, obj))
    return planned


def _plan_attachments(content_dir: Path, item_ids: set[str]) -> list[_Planned]:
    """Files directly in ``media/``, named by their file name (Markdown refers to media/NAME)."""
    media = content_dir / MEDIA_DIR
    if not media.is_dir():
        return []
    planned = []
    for path in sorted(media.iterdir()):
        name = path.name
        if name.startswith((".", "_")):
            continue
        planned.append(_plan_attachment(path, f"{MEDIA_DIR}/{name}", item_ids))
    return planned


def _plan_attachment(path: Path, where: str, item_ids: set[str]) -> _Planned:
    name = path.name
    if not path.is_file():
        raise ContentError(where, None, "attachments must be files directly in media/")
    if not is_valid_id(name):
        raise ContentError(
            where, None, "attachment names must be 1-128 of a-z 0-9 . _ - with no '..'"
        )
    if name in item_ids:
        raise ContentError(where, None, f"'{name}' is already an item id")
    size = path.stat().st_size
    limit = DEFAULT_LIMITS.max_attachment_bytes
    if not 0 < size <= limit:
        raise ContentError(where, None, f"file is {size:,} bytes; attachments hold 1 to {limit:,}")
    obj = encode_payload(path.read_bytes(), name, PUBLIC_CHANNEL, None)
    return _Planned(name, "attachment", PUBLIC_CHANNEL, obj)


def _diff(planned: list[_Planned], previous: Mapping[str, IndexEntry], version: int) -> _Diff:
    changed: list[IndexEntry] = []
    added = updated = 0
    for plan in sorted(planned, key=lambda p: p.id):
        old = previous.get(plan.id)
        if old is not None and (old.sha256, old.kind, old.channel) == (
            plan.obj.sha256,
            plan.kind,
            plan.channel,
        ):
            continue
        changed.append(plan.entry(version))
        added += old is None
        updated += old is not None
    removed = tuple(sorted(set(previous) - {p.id for p in planned}))
    unchanged = len(planned) - added - updated
    return _Diff(tuple(changed), removed, added, updated, unchanged)


# --- the index LSM ---------------------------------------------------------------------------


def _merge(older: Segment, newer: Segment, *, bottom: bool) -> Segment:
    """Fold two adjacent segments into one; at the bottom, removals have nothing left to hide."""
    entries = {entry.id: entry for entry in older.entries}
    for item_id in newer.removed:
        entries.pop(item_id, None)
    entries.update((entry.id, entry) for entry in newer.entries)
    removed = set() if bottom else (set(older.removed) | set(newer.removed)) - set(entries)
    return Segment(tuple(entries[i] for i in sorted(entries)), tuple(sorted(removed)))


def _compact(layers: list[_Layer]) -> list[_Layer]:
    """Merge the newest segments while the newest is at least half the size of the one below.

    Sizes then at least halve from each segment to the next, so a feed keeps about log2(N)
    segments, and a small edit costs clients one small download plus the occasional merge.
    """
    stack = list(layers)
    while len(stack) >= 2 and stack[-1].size * 2 >= stack[-2].size:
        newer, older = stack.pop(), stack.pop()
        merged = _merge(older.segment, newer.segment, bottom=not stack)
        if merged.entries or merged.removed:
            stack.append(_Layer(merged))
    return stack


def _next_layers(layers: tuple[_Layer, ...], diff: _Diff) -> list[_Layer]:
    if not diff.changed and not diff.removed:
        return list(layers)
    removed = diff.removed if layers else ()
    return _compact([*layers, _Layer(Segment(diff.changed, removed))])


def _encode_segment(segment: Segment) -> bytes:
    plain = canonical.encode(segment.to_json())
    if len(plain) > DEFAULT_LIMITS.max_segment_bytes:
        raise PublishError("An index segment is larger than clients accept; the feed is too big.")
    # verify.py reads the frame's content size to cap decompression: it must be written.
    compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_content_size=True)
    return compressor.compress(plain)


def _write_layers(writer: _Writer, layers: list[_Layer], version: int) -> list[_Layer]:
    if len(layers) > MAX_SEGMENTS:
        raise PublishError(f"The index would need {len(layers)} segments, over {MAX_SEGMENTS}.")
    return [
        layer if layer.ref else _write_layer(writer, layer.segment, version) for layer in layers
    ]


def _write_layer(writer: _Writer, segment: Segment, version: int) -> _Layer:
    data = _encode_segment(segment)
    ref = SegmentRef(_sha256(data), len(data), len(segment.entries), version)
    writer.put_addressed(segment_file(ref.sha256), data)
    return _Layer(segment, ref)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _channels(
    layers: list[_Layer], restricted: Iterable[str], previous: Mapping[str, bool]
) -> dict[str, bool]:
    """Every channel any listed segment mentions (clients refuse undeclared ones), with its flag.

    A channel known only from older segments keeps the flag it was published with.
    """
    names = {entry.channel for layer in layers for entry in layer.segment.entries}
    names.update(restricted)
    marked = set(restricted)
    return {name: name in marked or previous.get(name, False) for name in sorted(names)}


# --- signing and issuing ---------------------------------------------------------------------


def _envelope(signed: dict[str, object], keys: Iterable[SigningKey]) -> bytes:
    message = canonical.encode(signed)
    unique = {key.keyid: key for key in keys}
    signatures = tuple(Signature(keyid, unique[keyid].sign(message)) for keyid in sorted(unique))
    return canonical.encode(Envelope(signed, signatures).to_json())


def _new_root(feed: str, version: int, expires: datetime, keys: Mapping[str, SigningKey]) -> Root:
    return Root(
        feed=feed,
        version=version,
        expires=expires,
        keys={key.keyid: key.public for key in keys.values()},
        roles={role: Role((keys[role].keyid,), 1) for role in ROLES},
    )


def _issue_snapshot(writer: _Writer, snapshot: Snapshot, key: SigningKey) -> MetaRef:
    data = _envelope(snapshot.to_signed(), [key])
    writer.put(snapshot_file(snapshot.version), data)
    return MetaRef(snapshot.version, _sha256(data), len(data))


def _issue_timestamp(writer: _Writer, timestamp: Timestamp, key: SigningKey) -> None:
    writer.put(TIMESTAMP_FILE, _envelope(timestamp.to_signed(), [key]))


def _moment(now: datetime) -> datetime:
    """``now`` in UTC to the second: the metadata format has no finer resolution."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now.astimezone(UTC).replace(microsecond=0)


def _check_root_lasts(root: Root, until: datetime) -> None:
    if root.expires < until:
        raise PublishError(
            f"The feed's root metadata expires on {root.expires:%Y-%m-%d}, before the new "
            "timestamp would: issue a new root with 'publish rotate-keys' (needs the root key)."
        )


def _feed_name(feed_id: str | None, served: _Served) -> str:
    if not served.is_new:
        if feed_id is not None and feed_id != served.root.feed:
            raise PublishError(
                f"This folder holds feed '{served.root.feed}', not '{feed_id[:128]}'."
            )
        return served.root.feed
    if feed_id is None:
        raise PublishError("A new feed needs a feed id (for example 'example-org-library').")
    if not is_valid_id(feed_id):
        raise PublishError("A feed id must be 1-128 of a-z 0-9 . _ - with no '..'.")
    return feed_id


def _plan_content(content_dir: Path, keys: Mapping[str, bytes], served: _Served) -> list[_Planned]:
    items = source.load_folder(content_dir)
    _check_no_downgrade(items, keys, served)
    planned = _plan_items(items, keys)
    return planned + _plan_attachments(content_dir, {item.id for item in items})


def _update_index(
    writer: _Writer, planned: list[_Planned], served: _Served
) -> tuple[_Diff, list[_Layer]]:
    """Write new objects and index segments; returns the diff and the segments to list."""
    version = served.next_snapshot_version
    diff = _diff(planned, effective_index([layer.segment for layer in served.layers]), version)
    for plan in planned:
        writer.put_addressed(object_file(plan.obj.sha256), plan.obj.data)
    return diff, _write_layers(writer, _next_layers(served.layers, diff), version)


def _reusable_snapshot(
    served: _Served, diff: _Diff, channels: Mapping[str, bool], until: datetime
) -> MetaRef | None:
    """The served snapshot, if the new timestamp can name it unchanged.

    It cannot when the index or channels changed, when it was signed by a replaced key, or when
    it would expire before the new timestamp does (clients would refuse the pair).
    """
    snapshot, timestamp = served.snapshot, served.timestamp
    if (
        snapshot is None
        or timestamp is None
        or diff.changed
        or diff.removed
        or served.resigned_by_previous_root
        or dict(snapshot.channels) != dict(channels)
        or snapshot.expires <= until
    ):
        return None
    return timestamp.snapshot


def build_feed(
    content_dir: Path,
    feed_dir: Path,
    keydir: Path,
    *,
    now: datetime,
    feed_id: str | None = None,
    timestamp_days: int = 7,
    snapshot_days: int = 30,
    root_days: int = 365,
    channel_keys: Mapping[str, bytes] | None = None,
    restricted: Iterable[str] = (),
) -> BuildReport:
    """Publish ``content_dir`` as the next version of the feed in ``feed_dir``.

    Run it at least once per timestamp period, even with nothing new: each run renews the
    timestamp, so clients can tell a quiet feed from a mirror that stopped updating.

    Raises:
        ContentError: a content file breaks the content format (names the file and field).
        PublishError: bad keys, channels or periods, or a feed folder that does not verify.
        KeyFileError: a key file is missing or unreadable.
    """
    now = _moment(now)
    periods = _Periods.of(timestamp_days, snapshot_days, root_days)
    restricted_keys = _check_channels(restricted, channel_keys or {})
    with _exclusive(feed_dir):
        return _build(
            content_dir, feed_dir, keydir, now=now, feed_id=feed_id, periods=periods,
            restricted_keys=restricted_keys,
        )  # fmt: skip


def _build(
    content_dir: Path,
    feed_dir: Path,
    keydir: Path,
    *,
    now: datetime,
    feed_id: str | None,
    periods: _Periods,
    restricted_keys: Mapping[str, bytes],
) -> BuildReport:
    served = _load_served(feed_dir, now)
    keys = _signing_keys(keydir, served)
    feed = _feed_name(feed_id, served)
    root = _new_root(feed, 1, now + periods.root, keys) if served.is_new else served.root
    _check_root_lasts(root, now + periods.timestamp)
    planned = _plan_content(content_dir, restricted_keys, served)

    writer = _Writer(feed_dir)
    diff, layers = _update_index(writer, planned, served)
    channels = _channels(layers, restricted_keys, served.channels)
    snapshot_ref = _reusable_snapshot(served, diff, channels, now + periods.timestamp)
    if snapshot_ref is None:
        refs = tuple(layer.ref for layer in layers if layer.ref is not None)
        snapshot = Snapshot(
            feed, served.next_snapshot_version, now, now + periods.snapshot, channels, refs
        )
        snapshot_ref = _issue_snapshot(writer, snapshot, keys["snapshot"])
    if served.is_new:
        writer.put(root_file(1), _envelope(root.to_signed(), [keys["root"]]))
    timestamp = Timestamp(
        feed, served.next_timestamp_version, now, now + periods.timestamp, snapshot_ref
    )
    _issue_timestamp(writer, timestamp, keys["timestamp"])
    return BuildReport(
        version=snapshot_ref.version,
        added=diff.added,
        updated=diff.updated,
        removed=len(diff.removed),
        unchanged=diff.unchanged,
        objects_written=writer.count("objects/"),
        bytes_written=writer.bytes,
        segments=len(layers),
        timestamp_version=timestamp.version,
        root_expires=root.expires,
        written=tuple(writer.written),
    )


def rotate_keys(
    feed_dir: Path,
    keydir: Path,
    *,
    now: datetime,
    roles: Iterable[str] = ROLES,
    timestamp_days: int | None = None,
    snapshot_days: int = 30,
    root_days: int = 365,
) -> int:
    """Replace the keys of ``roles`` and publish root N+1 naming them; returns N+1.

    Root N+1 is signed by the old and the new root key, so a client holding any earlier root
    can walk to it. The snapshot and timestamp are issued again under the new keys at once,
    because clients that took the new root refuse the old ones. Replaced key files stay in
    ``keydir`` as ``<role>.key.v<N>``. With no roles, only a fresh root is issued (to extend
    its expiry); the root key is needed either way. Without ``timestamp_days`` the new
    timestamp is valid as long as the one it replaces was, so a rotation keeps the freshness
    the publisher's builds promise.
    """
    now = _moment(now)
    chosen = tuple(roles)
    if any(role not in ROLES for role in chosen):
        raise PublishError(f"Key roles are {', '.join(ROLES)}.")
    if not (feed_dir / TIMESTAMP_FILE).is_file():
        raise PublishError(f"There is no published feed in {feed_dir} yet: build it first.")
    with _exclusive(feed_dir):
        served = _load_served(feed_dir, now)
        periods = _rotation_periods(served, timestamp_days, snapshot_days, root_days)
        return _rotate(feed_dir, keydir, served, now=now, roles=chosen, periods=periods)


def _rotation_periods(
    served: _Served, timestamp_days: int | None, snapshot_days: int, root_days: int
) -> _Periods:
    if timestamp_days is None:
        current = served.timestamp
        timestamp_days = max(1, (current.expires - current.issued).days) if current else 7
        snapshot_days = max(snapshot_days, timestamp_days)
    return _Periods.of(timestamp_days, snapshot_days, root_days)


def _rotate(
    feed_dir: Path,
    keydir: Path,
    served: _Served,
    *,
    now: datetime,
    roles: tuple[str, ...],
    periods: _Periods,
) -> int:
    previous, timestamp = served.snapshot, served.timestamp
    if previous is None or timestamp is None:
        raise PublishError(f"There is no published feed in {feed_dir} yet: build it first.")
    old = served.root
    old_root_key, keys = _rotation_keys(keydir, old, roles)
    root = _new_root(old.feed, old.version + 1, now + periods.root, keys)
    writer = _Writer(feed_dir)
    writer.put(root_file(root.version), _envelope(root.to_signed(), [old_root_key, keys["root"]]))
    snapshot = Snapshot(
        old.feed,
        previous.version + 1,
        now,
        now + periods.snapshot,
        previous.channels,
        previous.segments,
    )
    snapshot_ref = _issue_snapshot(writer, snapshot, keys["snapshot"])
    next_timestamp = Timestamp(
        old.feed, timestamp.version + 1, now, now + periods.timestamp, snapshot_ref
    )
    _issue_timestamp(writer, next_timestamp, keys["timestamp"])
    return root.version
