"""The feed's metadata as typed values, parsed strictly from untrusted JSON.

Parsing checks shapes and types only; whether metadata is trustworthy (signatures, versions,
expiry, hashes) is decided in :mod:`fieldreader.feed.verify`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from fieldreader.feed.errors import InvalidIdentifier, MalformedMetadata, UnsupportedFormat
from fieldreader.feed.keys import KEY_TYPE, ROLES, PublicKey
from fieldreader.model import KINDS, LANG_PATTERN, is_valid_id

SPEC_VERSION = 1
HEX64 = re.compile(r"[0-9a-f]{64}")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: Item kinds plus attachments (images, PDFs referenced from Markdown).
ENTRY_KINDS = (*KINDS, "attachment")
T = TypeVar("T")


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


_TIME_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", re.ASCII)


def parse_time(value: object, what: str) -> datetime:
    if isinstance(value, str) and _TIME_PATTERN.fullmatch(value):
        try:
            return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            pass
    raise MalformedMetadata(f"The {what} has a time that is not YYYY-MM-DDTHH:MM:SSZ.")


class _Reader:
    """Typed access to one parsed JSON object; errors name what is being read."""

    def __init__(self, data: object, what: str) -> None:
        if not isinstance(data, dict):
            raise MalformedMetadata(f"The {what} is not a JSON object.")
        self.data: dict[str, Any] = data
        self.what = what

    def get(self, name: str, typ: type[T]) -> T:
        value = self.data.get(name)
        if not isinstance(value, typ) or (isinstance(value, bool) and typ is int):
            raise MalformedMetadata(f"The {self.what} has a missing or wrong-typed '{name}'.")
        return value

    def count(self, name: str, minimum: int = 0) -> int:
        value = self.get(name, int)
        if value < minimum or value > 2**53:
            raise MalformedMetadata(f"The {self.what} has an out-of-range '{name}'.")
        return value

    def digest(self, name: str) -> str:
        value = self.get(name, str)
        if not HEX64.fullmatch(value):
            raise MalformedMetadata(f"The {self.what} has a malformed hash in '{name}'.")
        return value

    def ident(self, name: str) -> str:
        value = self.get(name, str)
        if not is_valid_id(value):
            raise InvalidIdentifier(f"The {self.what} has an unsafe identifier in '{name}'.")
        return value

    def header(self, expected_type: str) -> None:
        if self.data.get("_type") != expected_type:
            raise MalformedMetadata(f"Expected {expected_type} metadata, got something else.")
        version = self.data.get("spec_version")
        if type(version) is not int or version != SPEC_VERSION:
            raise UnsupportedFormat(
                f"The {self.what} uses feed format {str(version)[:20]!r}; "
                f"this build reads format {SPEC_VERSION}."
            )

    def only(self, *names: str) -> None:
        unknown = set(self.data) - set(names)
        if unknown:
            raise MalformedMetadata(f"The {self.what} has unknown fields: {sorted(unknown)[:3]}.")


@dataclass(frozen=True)
class Signature:
    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    """Signed metadata as it arrived: the ``signed`` value and its signatures."""

    signed: dict[str, Any]
    signatures: tuple[Signature, ...]

    @classmethod
    def from_json(cls, data: object, what: str) -> Envelope:
        outer = _Reader(data, what)
        outer.only("signed", "signatures")
        signed = outer.get("signed", dict)
        raw_sigs = outer.get("signatures", list)
        if len(raw_sigs) > 32:
            raise MalformedMetadata(f"The {what} carries too many signatures.")
        sigs = []
        for raw in raw_sigs:
            r = _Reader(raw, f"{what} signature")
            r.only("keyid", "sig")
            sig_hex = r.get("sig", str)
            if not re.fullmatch(r"[0-9a-f]{128}", sig_hex):
                raise MalformedMetadata(f"The {what} has a malformed signature.")
            sigs.append(Signature(r.digest("keyid"), bytes.fromhex(sig_hex)))
        return cls(signed, tuple(sigs))

    def to_json(self) -> dict[str, Any]:
        return {
            "signed": self.signed,
            "signatures": [{"keyid": s.keyid, "sig": s.sig.hex()} for s in self.signatures],
        }


@dataclass(frozen=True)
class Role:
    keyids: tuple[str, ...]
    threshold: int


@dataclass(frozen=True)
class Root:
    feed: str
    version: int
    expires: datetime
    keys: Mapping[str, PublicKey]
    roles: Mapping[str, Role]

    @classmethod
    def from_signed(cls, signed: dict[str, Any]) -> Root:
        r = _Reader(signed, "root metadata")
        r.header("root")
        r.only("_type", "spec_version", "feed", "version", "expires", "keys", "roles")
        keys: dict[str, PublicKey] = {}
        raw_keys = r.get("keys", dict)
        if len(raw_keys) > 64:
            raise MalformedMetadata("The root metadata lists too many keys.")
        for keyid, raw in raw_keys.items():
            k = _Reader(raw, "root key")
            k.only("type", "public")
            if k.get("type", str) != KEY_TYPE:
                raise UnsupportedFormat(f"Key type {k.data.get('type')!r} is not supported.")
            public = k.get("public", str)
            if not re.fullmatch(r"[0-9a-f]{64}", public):
                raise MalformedMetadata("The root metadata has a malformed public key.")
            key = PublicKey(bytes.fromhex(public))
            if key.keyid != keyid:
                raise MalformedMetadata("A root key's id does not match the key.")
            keys[keyid] = key
        roles: dict[str, Role] = {}
        raw_roles = r.get("roles", dict)
        if set(raw_roles) != set(ROLES):
            raise MalformedMetadata(f"The root metadata must define exactly the roles {ROLES}.")
        for name, raw in raw_roles.items():
            role = _Reader(raw, f"{name} role")
            role.only("keyids", "threshold")
            keyids = role.get("keyids", list)
            if not all(isinstance(k, str) for k in keyids):
                raise MalformedMetadata(f"The {name} role lists key ids that are not text.")
            if not keyids or len(set(keyids)) != len(keyids) or any(k not in keys for k in keyids):
                raise MalformedMetadata(f"The {name} role names unknown or repeated keys.")
            threshold = role.count("threshold", 1)
            if threshold > len(keyids):
                raise MalformedMetadata(f"The {name} role's threshold exceeds its keys.")
            roles[name] = Role(tuple(keyids), threshold)
        return cls(
            feed=r.ident("feed"),
            version=r.count("version", 1),
            expires=parse_time(signed.get("expires"), "root metadata"),
            keys=keys,
            roles=roles,
        )

    def to_signed(self) -> dict[str, Any]:
        return {
            "_type": "root",
            "spec_version": SPEC_VERSION,
            "feed": self.feed,
            "version": self.version,
            "expires": format_time(self.expires),
            "keys": {keyid: key.to_dict() for keyid, key in self.keys.items()},
            "roles": {
                name: {"keyids": list(role.keyids), "threshold": role.threshold}
                for name, role in self.roles.items()
            },
        }


@dataclass(frozen=True)
class MetaRef:
    """What a parent says about a child file: its version, hash and length."""

    version: int
    sha256: str
    length: int


@dataclass(frozen=True)
class Timestamp:
    feed: str
    version: int
    issued: datetime
    expires: datetime
    snapshot: MetaRef

    @classmethod
    def from_signed(cls, signed: dict[str, Any]) -> Timestamp:
        r = _Reader(signed, "timestamp")
        r.header("timestamp")
        r.only("_type", "spec_version", "feed", "version", "issued", "expires", "snapshot")
        s = _Reader(r.get("snapshot", dict), "timestamp's snapshot reference")
        s.only("version", "sha256", "length")
        return cls(
            feed=r.ident("feed"),
            version=r.count("version", 1),
            issued=parse_time(signed.get("issued"), "timestamp"),
            expires=parse_time(signed.get("expires"), "timestamp"),
            snapshot=MetaRef(s.count("version", 1), s.digest("sha256"), s.count("length", 1)),
        )

    def to_signed(self) -> dict[str, Any]:
        return {
            "_type": "timestamp",
            "spec_version": SPEC_VERSION,
            "feed": self.feed,
            "version": self.version,
            "issued": format_time(self.issued),
            "expires": format_time(self.expires),
            "snapshot": {
                "version": self.snapshot.version,
                "sha256": self.snapshot.sha256,
                "length": self.snapshot.length,
            },
        }


@dataclass(frozen=True)
class SegmentRef:
    """One index segment named by the snapshot; ``version`` is the feed version that wrote it."""

    sha256: str
    length: int
    count: int
    version: int


@dataclass(frozen=True)
class Snapshot:
    feed: str
    version: int
    issued: datetime
    expires: datetime
    channels: Mapping[str, bool]
    """Channel name -> restricted (objects encrypted with the channel's key)."""
    segments: tuple[SegmentRef, ...]
    """Oldest first; a later segment's entry for an id replaces an earlier one."""

    @classmethod
    def from_signed(cls, signed: dict[str, Any]) -> Snapshot:
        r = _Reader(signed, "snapshot")
        r.header("snapshot")
        r.only(
            "_type", "spec_version", "feed", "version", "issued", "expires", "channels", "segments"
        )
        channels: dict[str, bool] = {}
        raw_channels = r.get("channels", dict)
        if len(raw_channels) > 256:
            raise MalformedMetadata("The snapshot lists too many channels.")
        for name, raw in raw_channels.items():
            if not is_valid_id(name):
                raise InvalidIdentifier("The snapshot names a channel with an unsafe name.")
            c = _Reader(raw, "channel")
            c.only("restricted")
            channels[name] = c.get("restricted", bool)
        raw_segments = r.get("segments", list)
        if len(raw_segments) > 64:
            raise MalformedMetadata("The snapshot lists too many index segments.")
        segments = []
        for raw in raw_segments:
            s = _Reader(raw, "segment reference")
            s.only("sha256", "length", "count", "version")
            segments.append(
                SegmentRef(
                    s.digest("sha256"),
                    s.count("length", 1),
                    s.count("count"),
                    s.count("version", 1),
                )
            )
        return cls(
            feed=r.ident("feed"),
            version=r.count("version", 1),
            issued=parse_time(signed.get("issued"), "snapshot"),
            expires=parse_time(signed.get("expires"), "snapshot"),
            channels=channels,
            segments=tuple(segments),
        )

    def to_signed(self) -> dict[str, Any]:
        return {
            "_type": "snapshot",
            "spec_version": SPEC_VERSION,
            "feed": self.feed,
            "version": self.version,
            "issued": format_time(self.issued),
            "expires": format_time(self.expires),
            "channels": {name: {"restricted": r} for name, r in self.channels.items()},
            "segments": [
                {"sha256": s.sha256, "length": s.length, "count": s.count, "version": s.version}
                for s in self.segments
            ],
        }


@dataclass(frozen=True)
class IndexEntry:
    """One item or attachment as the index describes it."""

    id: str
    kind: str
    channel: str
    sha256: str
    """Of the object's bytes as stored (compressed, and encrypted for restricted channels)."""
    length: int
    """Stored length in bytes: reading stops there."""
    size: int
    """Length once decrypted and decompressed: decompression stops there."""
    version: int
    """The feed version in which this entry last changed."""

    @classmethod
    def from_json(cls, raw: object) -> IndexEntry:
        r = _Reader(raw, "index entry")
        r.only("id", "kind", "channel", "sha256", "length", "size", "version")
        kind = r.get("kind", str)
        if kind not in ENTRY_KINDS:
            raise MalformedMetadata(f"An index entry has an unknown kind {kind[:20]!r}.")
        return cls(
            id=r.ident("id"),
            kind=kind,
            channel=r.ident("channel"),
            sha256=r.digest("sha256"),
            length=r.count("length", 1),
            size=r.count("size", 1),
            version=r.count("version", 1),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "channel": self.channel,
            "sha256": self.sha256,
            "length": self.length,
            "size": self.size,
            "version": self.version,
        }


@dataclass(frozen=True)
class Segment:
    """An index segment: entries added or changed, and ids removed, at some versions."""

    entries: tuple[IndexEntry, ...]
    removed: tuple[str, ...] = field(default=())

    @classmethod
    def from_json(cls, data: object) -> Segment:
        r = _Reader(data, "index segment")
        r.header("index")
        r.only("_type", "spec_version", "entries", "removed")
        entries = tuple(IndexEntry.from_json(raw) for raw in r.get("entries", list))
        removed = r.get("removed", list)
        for item_id in removed:
            if not isinstance(item_id, str) or not is_valid_id(item_id):
                raise InvalidIdentifier("An index segment removes an unsafe identifier.")
        ids = [e.id for e in entries] + list(removed)
        if len(set(ids)) != len(ids):
            raise MalformedMetadata("An index segment mentions the same id twice.")
        return cls(entries, tuple(removed))

    def to_json(self) -> dict[str, Any]:
        return {
            "_type": "index",
            "spec_version": SPEC_VERSION,
            "entries": [e.to_json() for e in self.entries],
            "removed": list(self.removed),
        }


def effective_index(segments: list[Segment]) -> dict[str, IndexEntry]:
    """Fold segments, oldest first, into the feed's current entries by id."""
    index: dict[str, IndexEntry] = {}
    for segment in segments:
        for item_id in segment.removed:
            index.pop(item_id, None)
        for entry in segment.entries:
            index[entry.id] = entry
    return index


def check_lang(value: str) -> bool:
    return bool(LANG_PATTERN.fullmatch(value))
