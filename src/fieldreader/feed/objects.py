"""Feed objects: items (and attachments) as the publisher stores them and the client checks them.

An item object is the canonical JSON of the item (:mod:`fieldreader.itemcodec`), compressed with
zstd. In a restricted channel the compressed bytes are then sealed with XChaCha20-Poly1305 under
the channel key, so hosts and networks see only ciphertext::

    b"FRX1" || nonce (24 bytes) || ciphertext-with-tag

The nonce is a keyed hash of the associated data and the plaintext, so the same input always
gives the same bytes (builds are reproducible) and a nonce repeats only for an identical object.
The associated data binds the ciphertext to its channel and id: an object cannot be moved to
another item or channel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import nacl.bindings
import nacl.exceptions
import zstandard

from fieldreader.errors import ContentError
from fieldreader.errors import LimitExceeded as ContentTooLarge
from fieldreader.feed import canonical
from fieldreader.feed.errors import (
    ChannelKeyMissing,
    DecompressionBomb,
    DecryptionFailed,
    HashMismatch,
    LengthExceeded,
    MalformedMetadata,
)
from fieldreader.feed.metadata import IndexEntry
from fieldreader.itemcodec import item_from_dict, item_to_dict
from fieldreader.model import Item

ENCRYPTED_MAGIC = b"FRX1"
ZSTD_LEVEL = 19
CHANNEL_KEY_BYTES = 32
_NONCE_BYTES = 24
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@dataclass(frozen=True)
class Attachment:
    """An image or document referenced from Markdown, shown only from the local store."""

    name: str
    data: bytes


@dataclass(frozen=True)
class EncodedObject:
    data: bytes
    size: int
    """Plaintext size before compression: the client's decompression cap."""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _associated_data(channel: str, object_id: str) -> bytes:
    return f"fieldreader-object\x00{channel}\x00{object_id}".encode()


def encode_payload(
    plaintext: bytes,
    object_id: str,
    channel: str,
    channel_key: bytes | None,
    dictionary: zstandard.ZstdCompressionDict | None = None,
) -> EncodedObject:
    compressor = zstandard.ZstdCompressor(
        level=ZSTD_LEVEL, dict_data=dictionary, write_content_size=True, write_checksum=False
    )
    compressed = compressor.compress(plaintext)
    if channel_key is None:
        return EncodedObject(compressed, len(plaintext))
    associated = _associated_data(channel, object_id)
    # The nonce covers the associated data too: the same bytes under two ids must not share a
    # nonce (that would reuse Poly1305's one-time key).
    nonce = hashlib.blake2b(
        associated + b"\x00" + plaintext, key=channel_key, digest_size=_NONCE_BYTES
    ).digest()
    sealed = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        compressed, associated, nonce, channel_key
    )
    return EncodedObject(ENCRYPTED_MAGIC + nonce + bytes(sealed), len(plaintext))


def entry_id(item_id: str, channel_key: bytes | None) -> str:
    """The id an item is listed under in the public index.

    Index segments are not encrypted, and in a restricted channel an id can itself be the
    secret ("farida-noori" names a person). Such items are listed under a keyed hash of their
    id instead; only holders of the channel key can tell which item an entry is.
    """
    if channel_key is None:
        return item_id
    digest = hashlib.blake2b(
        b"fieldreader-entry-id\x00" + item_id.encode(), key=channel_key, digest_size=16
    )
    return "x" + digest.hexdigest()


def encode_item(item: Item, channel_key: bytes | None = None) -> EncodedObject:
    return encode_payload(
        canonical.encode(item_to_dict(item)),
        entry_id(item.id, channel_key),
        item.channel,
        channel_key,
    )


def check_bytes(entry: IndexEntry, data: bytes) -> None:
    """The stored bytes are exactly what the signed index promised."""
    if len(data) > entry.length:
        raise LengthExceeded(
            f"Object '{entry.id}' is longer than its declared {entry.length} bytes."
        )
    if hashlib.sha256(data).hexdigest() != entry.sha256 or len(data) != entry.length:
        raise HashMismatch(f"Object '{entry.id}' does not match its signed hash.")


def decode_payload(
    entry: IndexEntry,
    data: bytes,
    restricted: bool,
    channel_keys: Mapping[str, bytes],
    dictionary: zstandard.ZstdCompressionDict | None = None,
) -> bytes:
    """Check, decrypt and decompress one object's bytes; returns the plaintext.

    Raises:
        LengthExceeded, HashMismatch: the bytes are not the ones the index signed.
        ChannelKeyMissing, DecryptionFailed: a restricted object that cannot be opened.
        DecompressionBomb: the data expands past the declared size.
    """
    check_bytes(entry, data)
    if restricted:
        key = channel_keys.get(entry.channel)
        if key is None:
            raise ChannelKeyMissing(f"No key for the restricted channel '{entry.channel}'.")
        if not data.startswith(ENCRYPTED_MAGIC) or len(data) < 4 + _NONCE_BYTES + 16:
            raise DecryptionFailed(f"Object '{entry.id}' is not an encrypted object.")
        nonce = data[4 : 4 + _NONCE_BYTES]
        try:
            data = bytes(
                nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
                    data[4 + _NONCE_BYTES :], _associated_data(entry.channel, entry.id), nonce, key
                )
            )
        except nacl.exceptions.CryptoError:
            raise DecryptionFailed(
                f"Object '{entry.id}' does not open with the key of channel '{entry.channel}'."
            ) from None
    return decompress_capped(data, entry.size, f"object '{entry.id}'", dictionary)


def decompress_capped(
    data: bytes,
    size: int,
    what: str,
    dictionary: zstandard.ZstdCompressionDict | None = None,
) -> bytes:
    """Decompress at most ``size`` bytes; more, or a different size, is refused."""
    if not data.startswith(_ZSTD_MAGIC):
        raise MalformedMetadata(f"The {what} is not zstd-compressed.")
    decompressor = zstandard.ZstdDecompressor(dict_data=dictionary)
    try:
        reader = decompressor.stream_reader(data)
        out = reader.read(size + 1)
    except zstandard.ZstdError:
        raise MalformedMetadata(f"The {what} is not valid zstd data.") from None
    if len(out) > size:
        raise DecompressionBomb(f"The {what} expands beyond its declared {size:,} bytes.")
    if len(out) != size:
        raise MalformedMetadata(f"The {what} is shorter than its declared size.")
    return out


def decode_item(
    entry: IndexEntry, data: bytes, restricted: bool, channel_keys: Mapping[str, bytes]
) -> Item:
    """A verified item from an object's bytes; its id, kind and channel must match the entry."""
    plaintext = decode_payload(entry, data, restricted, channel_keys)
    key = channel_keys.get(entry.channel) if restricted else None
    fields = canonical.parse(plaintext, f"object '{entry.id}'", entry.size)
    if not isinstance(fields, dict):
        raise MalformedMetadata(f"Object '{entry.id}' is not an item.")
    try:
        item = item_from_dict(fields, f"object '{entry.id}'")
    except (ContentError, ContentTooLarge) as exc:
        # A restricted item's own words (its id, a value) must not reach a log or a screen.
        detail = f": {exc}" if not restricted else ""
        raise MalformedMetadata(f"Object '{entry.id}' is not a valid item{detail}") from None
    if (entry_id(item.id, key), item.kind, item.channel) != (entry.id, entry.kind, entry.channel):
        raise MalformedMetadata(f"Object '{entry.id}' holds a different item than the index says.")
    return item
