"""Bundles: a feed's signed files in one file, for a USB stick, a LAN share or a preload.

A bundle carries the same signed metadata, segments and objects as the feed tree, so importing
one goes through exactly the same verification as a sync (it is just another
:class:`~fieldreader.feed.source.FeedSource`). The container itself is not trusted::

    b"FRBUNDLE" | version (1 byte, 1) | mode (1 byte: b"P" plain, b"E" encrypted) | rest

Plain: a 4-byte big-endian header length, the header (JSON ``{"files": [[path, offset, length],
...]}``, offsets counted from the end of the header), then the files' bytes. Encrypted: a 4-byte
length and JSON ``{"kdf": "argon2id13", "opslimit", "memlimit", "salt"}``, then the plain
container sealed with libsodium's secretstream (XChaCha20-Poly1305) in 1 MiB chunks, under a key
derived from a passphrase; a truncated or altered stream fails to open. Trainers use that to
carry preloads through checkpoints.
"""

from __future__ import annotations

import base64
import json
import secrets
import struct
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nacl.bindings as sodium
import nacl.exceptions
import nacl.pwhash

from fieldreader.feed.errors import DecryptionFailed, FeedError, LengthExceeded, MalformedMetadata
from fieldreader.feed.metadata import effective_index
from fieldreader.feed.objects import check_bytes
from fieldreader.feed.source import DirectorySource, NotInSource, check_feed_path, object_path
from fieldreader.feed.verify import FeedVerifier, Held, load_trusted_root
from fieldreader.fsutil import atomic_write
from fieldreader.store.errors import StoreError
from fieldreader.store.keyslots import DEFAULT_KDF, KdfParams, normalise_passphrase

MAGIC = b"FRBUNDLE"
FORMAT_VERSION = 1
MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_FILES = 1_000_000
CHUNK = 1024 * 1024
#: The most key-derivation work an encrypted bundle may ask for (four times our default).
MAX_BUNDLE_KDF = KdfParams(opslimit=4, memlimit=1024 * 1024 * 1024)
_PREAMBLE = len(MAGIC) + 2


class BundleError(FeedError):
    """The file is not a usable bundle (before any signature is even looked at)."""


class BundleNeedsPassphrase(BundleError):
    """The bundle is encrypted and no passphrase was given."""


@dataclass(frozen=True)
class BundleReport:
    files: int
    bytes: int
    version: int
    objects: int
    encrypted: bool


def create_bundle(
    feed_dir: Path,
    out: Path,
    *,
    channels: Collection[str] | None = None,
    since: int = 0,
    passphrase: str | None = None,
    kdf: KdfParams = DEFAULT_KDF,
    now: datetime | None = None,
) -> BundleReport:
    """Pack the current version of the feed in ``feed_dir`` into ``out``.

    Args:
        channels: only objects of these channels (attachments always); None for all.
        since: a delta for libraries that hold this snapshot version: only segments and
            objects changed after it. 0 for a full bundle.
        passphrase: encrypt the bundle with this passphrase.
    """
    source = DirectorySource(feed_dir)
    verifier = _verify_tree(source, now or datetime.now(UTC))
    snapshot = verifier.verified_snapshot()
    files: dict[str, bytes] = {}
    for version in range(1, verifier.root.version + 1):
        path = f"root/{version}.root.json"
        files[path] = source.fetch(path, 1024 * 1024)
    files["timestamp.json"] = source.fetch("timestamp.json", 1024 * 1024)
    snapshot_path = f"snapshot/{snapshot.version}.json"
    files[snapshot_path] = source.fetch(snapshot_path, 16 * 1024 * 1024)
    segments = []
    for ref in snapshot.segments:
        data = source.fetch(f"index/{ref.sha256}.json.zst", ref.length)
        segments.append(verifier.verify_segment(ref, data))
        if ref.version > since:
            files[f"index/{ref.sha256}.json.zst"] = data
    objects = 0
    for entry in effective_index(segments).values():
        if entry.version <= since:
            continue
        if channels is not None and entry.kind != "attachment" and entry.channel not in channels:
            continue
        data = source.fetch(object_path(entry.sha256), entry.length)
        check_bytes(entry, data)
        files[object_path(entry.sha256)] = data
        objects += 1
    container = pack(files, partial=channels is not None, since=since)
    encrypted = passphrase is not None
    if passphrase is not None:
        container = encrypt(container, passphrase, kdf)
    atomic_write(out, container, mode=0o644)
    return BundleReport(len(files), len(container), snapshot.version, objects, encrypted)


def _verify_tree(source: DirectorySource, now: datetime) -> FeedVerifier:
    """The feed's own files, verified from its first root: a bundle never packs a broken feed."""
    try:
        root = load_trusted_root(source.fetch("root/1.root.json", 1024 * 1024))
    except NotInSource:
        raise BundleError(f"{source.root} is not a feed folder (no root/1.root.json).") from None
    verifier = FeedVerifier(root, Held(), now, online=False)
    while True:
        try:
            data = source.fetch(f"root/{verifier.root.version + 1}.root.json", 1024 * 1024)
        except NotInSource:
            break
        verifier.update_root(data)
    verifier.update_timestamp(source.fetch("timestamp.json", 1024 * 1024))
    version = verifier.verified_timestamp().snapshot.version
    verifier.update_snapshot(source.fetch(f"snapshot/{version}.json", 16 * 1024 * 1024))
    return verifier


def pack(files: dict[str, bytes], *, partial: bool = False, since: int = 0) -> bytes:
    """The plain container; ``partial`` marks a bundle limited to some channels (a hint for the
    importer to skip, not fail on, objects it does not carry; withholding gains an attacker
    nothing, since absent objects are never treated as deletions)."""
    table = []
    offset = 0
    for path in sorted(files):
        table.append([check_feed_path(path), offset, len(files[path])])
        offset += len(files[path])
    header = json.dumps(
        {"files": table, "partial": partial, "since": since}, separators=(",", ":")
    ).encode()
    body = b"".join(files[path] for path in sorted(files))
    return MAGIC + bytes([FORMAT_VERSION]) + b"P" + struct.pack(">I", len(header)) + header + body


def encrypt(container: bytes, passphrase: str, kdf: KdfParams = DEFAULT_KDF) -> bytes:
    salt = secrets.token_bytes(nacl.pwhash.argon2id.SALTBYTES)
    params = json.dumps(
        {
            "kdf": "argon2id13",
            "opslimit": kdf.opslimit,
            "memlimit": kdf.memlimit,
            "salt": base64.b64encode(salt).decode(),
        }
    ).encode()
    key = _derive(passphrase, salt, kdf)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    stream_header = sodium.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    chunks = [
        MAGIC,
        bytes([FORMAT_VERSION]),
        b"E",
        struct.pack(">I", len(params)),
        params,
        stream_header,
    ]
    for start in range(0, len(container), CHUNK):
        piece = container[start : start + CHUNK]
        last = start + CHUNK >= len(container)
        tag = (
            sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
            if last
            else sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
        )
        chunks.append(sodium.crypto_secretstream_xchacha20poly1305_push(state, piece, None, tag))
    return b"".join(chunks)


def _derive(passphrase: str, salt: bytes, kdf: KdfParams) -> bytes:
    kdf.check()
    try:
        return bytes(
            nacl.pwhash.argon2id.kdf(
                sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES,
                normalise_passphrase(passphrase),
                salt,
                opslimit=kdf.opslimit,
                memlimit=kdf.memlimit,
            )
        )
    except (nacl.exceptions.RuntimeError, MemoryError):
        raise BundleError("Not enough memory to derive the bundle's key.") from None


def decrypt(data: bytes, passphrase: str) -> bytes:
    """The plain container inside an encrypted bundle.

    Raises:
        DecryptionFailed: wrong passphrase, or the bundle was altered or truncated.
    """
    params, offset = _read_block(data, _PREAMBLE, 64 * 1024, "encryption header")
    salt, kdf = _encryption_params(params)
    key = _derive(passphrase, salt, kdf)
    header_len = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
    stream_header = data[offset : offset + header_len]
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    try:
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, stream_header, key)
        out = []
        position = offset + header_len
        sealed_chunk = CHUNK + sodium.crypto_secretstream_xchacha20poly1305_ABYTES
        finished = False
        while position < len(data):
            piece = data[position : position + sealed_chunk]
            position += len(piece)
            message, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, piece, None)
            out.append(message)
            if tag == sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL:
                finished = position == len(data)
                break
    except (nacl.exceptions.CryptoError, nacl.exceptions.RuntimeError, ValueError):
        raise DecryptionFailed(
            "The bundle does not open: wrong passphrase, or the file was altered."
        ) from None
    if not finished:
        raise DecryptionFailed("The encrypted bundle is truncated or has data after its end.")
    return b"".join(out)


def _encryption_params(raw: bytes) -> tuple[bytes, KdfParams]:
    damaged = BundleError("The bundle's encryption header is damaged.")
    try:
        doc = json.loads(raw)
        salt = base64.b64decode(doc["salt"], validate=True)
        kdf = KdfParams(int(doc["opslimit"]), int(doc["memlimit"]))
    except (ValueError, KeyError, TypeError):
        raise damaged from None
    if doc.get("kdf") != "argon2id13" or len(salt) != nacl.pwhash.argon2id.SALTBYTES:
        raise damaged
    try:
        kdf.check()
    except StoreError:
        raise BundleError("The bundle asks for key-derivation parameters out of range.") from None
    # The header is not authenticated until after the derivation: cap the cost at what this
    # application ever writes, so a crafted bundle cannot exhaust the laptop's memory.
    if kdf.memlimit > MAX_BUNDLE_KDF.memlimit or kdf.opslimit > MAX_BUNDLE_KDF.opslimit:
        raise BundleError("The bundle asks for more key-derivation work than fieldreader uses.")
    return salt, kdf


def _read_block(data: bytes, offset: int, limit: int, what: str) -> tuple[bytes, int]:
    if len(data) < offset + 4:
        raise BundleError(f"The bundle is truncated (no {what}).")
    (length,) = struct.unpack(">I", data[offset : offset + 4])
    if length > limit or offset + 4 + length > len(data):
        raise BundleError(f"The bundle's {what} is truncated or too large.")
    return data[offset + 4 : offset + 4 + length], offset + 4 + length


def is_encrypted(data: bytes) -> bool:
    return data[: len(MAGIC)] == MAGIC and data[len(MAGIC) + 1 : _PREAMBLE] == b"E"


class BundleSource:
    """A bundle's files, served to the update engine like a feed folder would."""

    def __init__(self, data: bytes, passphrase: str | None = None) -> None:
        if data[: len(MAGIC)] != MAGIC or len(data) < _PREAMBLE:
            raise BundleError("This is not a fieldreader bundle.")
        if data[len(MAGIC)] != FORMAT_VERSION:
            raise BundleError("This bundle uses a format version this build does not know.")
        if is_encrypted(data):
            if passphrase is None:
                raise BundleNeedsPassphrase("This bundle is encrypted: its passphrase is needed.")
            data = decrypt(data, passphrase)
            if (
                data[: len(MAGIC)] != MAGIC
                or len(data) < _PREAMBLE
                or data[len(MAGIC)] != FORMAT_VERSION
                or data[len(MAGIC) + 1 : _PREAMBLE] != b"P"
            ):
                raise BundleError("The decrypted bundle is not a plain bundle.")
        elif data[len(MAGIC) + 1 : _PREAMBLE] != b"P":
            raise BundleError("This bundle has an unknown mode.")
        header, body_start = _read_block(data, _PREAMBLE, MAX_HEADER_BYTES, "table of files")
        doc = _parse_header(header)
        self._files = dict(_parse_table(doc.get("files"), len(data) - body_start))
        self.partial = doc.get("partial") is True
        since = doc.get("since", 0)
        self.since = since if type(since) is int and since >= 0 else 0
        """A delta bundle holds only what changed after this snapshot version (0: full)."""
        self._data = memoryview(data)[body_start:]
        self.requests = 0

    @classmethod
    def open(cls, path: Path, passphrase: str | None = None) -> BundleSource:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BundleError(f"Cannot read {path}: {exc.strerror}") from None
        return cls(data, passphrase)

    def paths(self) -> list[str]:
        return sorted(self._files)

    def fetch(self, path: str, max_bytes: int) -> bytes:
        self.requests += 1
        try:
            offset, length = self._files[check_feed_path(path)]
        except KeyError:
            raise NotInSource(f"{path} is not in this bundle.") from None
        if length > max_bytes:
            raise LengthExceeded(f"{path} in the bundle is larger than {max_bytes:,} bytes.")
        return bytes(self._data[offset : offset + length])


def _parse_header(header: bytes) -> dict[str, object]:
    try:
        doc = json.loads(header)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise MalformedMetadata("The bundle's table of files is damaged.")
    return doc


def _parse_table(table: object, body_length: int) -> Iterator[tuple[str, tuple[int, int]]]:
    damaged = MalformedMetadata("The bundle's table of files is damaged.")
    if not isinstance(table, list) or len(table) > MAX_FILES:
        raise damaged
    seen: set[str] = set()
    for row in table:
        if not (isinstance(row, list) and len(row) == 3):
            raise MalformedMetadata("The bundle's table of files is damaged.")
        path, offset, length = row
        if not isinstance(path, str) or path in seen:
            raise MalformedMetadata("The bundle's table of files is damaged.")
        check_feed_path(path)
        if not (
            type(offset) is int
            and type(length) is int
            and offset >= 0
            and length >= 0
            and offset + length <= body_length
        ):
            raise BundleError("The bundle is truncated: a file runs past its end.")
        seen.add(path)
        yield path, (offset, length)
