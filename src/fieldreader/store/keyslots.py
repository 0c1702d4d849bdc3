"""Key slots: the random master key, wrapped by passphrases.

The database is keyed with a random 256-bit master key, never with a passphrase. Each slot holds
that key sealed with XChaCha20-Poly1305 under a key derived from one passphrase with Argon2id, so
changing a passphrase rewrites this small file and never touches the database, and destroying this
file makes the database unrecoverable even for someone who knows the passphrase.

File layout (JSON, UTF-8)::

    {"format": "fieldreader-keyslots", "version": 1,
     "slots": [{"id": "<16 hex>", "kdf": "argon2id13", "opslimit": 3,
                "memlimit": 268435456, "salt": "<b64, 16 bytes>",
                "nonce": "<b64, 24 bytes>", "sealed": "<b64, 48 bytes>"}]}

The slot's id and KDF parameters are the AEAD's associated data, so they cannot be swapped between
slots or weakened without the unwrap failing.

A duress slot is an ordinary slot that seals :data:`DURESS_MARKER` instead of the master key.
Same format, same sizes: without its passphrase nobody can tell it from the others, because the
AEAD shows nothing of what it seals. What opening one does is up to the library
(:func:`fieldreader.store.library.open_library`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

import nacl.bindings
import nacl.exceptions
import nacl.pwhash

from fieldreader.store import kdf
from fieldreader.store.errors import KeySlotsDamaged, WrongPassphrase

MASTER_KEY_BYTES = 32
FORMAT_NAME = "fieldreader-keyslots"
FORMAT_VERSION = 1
KDF_NAME = "argon2id13"
MAX_FILE_BYTES = 64 * 1024
MAX_SLOTS = 16
_SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES
_NONCE_BYTES = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
_SEALED_BYTES = MASTER_KEY_BYTES + nacl.bindings.crypto_aead_xchacha20poly1305_ietf_ABYTES

#: What a duress slot seals in place of the master key. Public and fixed: it only has to be 32
#: bytes (so the slot has the size of any other) that a random master key never equals.
DURESS_MARKER = hashlib.sha256(b"fieldreader duress key slot, version 1").digest()


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The defaults take about half a second on a two-core laptop."""

    opslimit: int = 3
    """Passes over memory; at least 1."""
    memlimit: int = 256 * 1024 * 1024
    """Bytes of memory; at least 8 KiB. Below 64 MiB is only for tests."""

    def check(self) -> None:
        """Refuse parameters outside what libsodium accepts or what a laptop can afford.

        The upper bounds also stop an altered slots file from making unlock allocate gigabytes.
        """
        if not (
            nacl.pwhash.argon2id.OPSLIMIT_MIN <= self.opslimit <= 16
            and nacl.pwhash.argon2id.MEMLIMIT_MIN <= self.memlimit <= 4 * 1024**3
        ):
            raise KeySlotsDamaged("A key slot has key-derivation parameters out of range.")


DEFAULT_KDF = KdfParams()


@dataclass(frozen=True)
class KeySlot:
    """One passphrase's sealed copy of the master key."""

    id: str
    params: KdfParams
    salt: bytes
    nonce: bytes
    sealed: bytes

    def associated_data(self) -> bytes:
        return json.dumps(
            [FORMAT_NAME, self.id, KDF_NAME, self.params.opslimit, self.params.memlimit],
            separators=(",", ":"),
        ).encode()


def new_master_key() -> bytes:
    return secrets.token_bytes(MASTER_KEY_BYTES)


def is_duress_marker(key: bytes) -> bool:
    """Whether a slot's content is the duress marker rather than a master key."""
    return hmac.compare_digest(key, DURESS_MARKER)


def normalise_passphrase(passphrase: str) -> bytes:
    """NFC-normalise so the same passphrase typed on another keyboard or system still unlocks."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8", "surrogatepass")


def _derive(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    params.check()
    try:
        return kdf.argon2id(
            MASTER_KEY_BYTES,
            normalise_passphrase(passphrase),
            salt,
            params.opslimit,
            params.memlimit,
        )
    except (nacl.exceptions.RuntimeError, MemoryError):
        raise KeySlotsDamaged(
            "Not enough memory to derive the key (the key slot asks for "
            f"{params.memlimit // (1024 * 1024)} MiB)."
        ) from None


def seal(master_key: bytes, passphrase: str, params: KdfParams = DEFAULT_KDF) -> KeySlot:
    """Wrap ``master_key`` under ``passphrase`` in a fresh slot."""
    if len(master_key) != MASTER_KEY_BYTES:
        raise ValueError("the master key must be 32 bytes")
    slot = KeySlot(
        id=secrets.token_hex(8),
        params=params,
        salt=secrets.token_bytes(_SALT_BYTES),
        nonce=secrets.token_bytes(_NONCE_BYTES),
        sealed=b"",
    )
    kek = _derive(passphrase, slot.salt, params)
    sealed = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        master_key, slot.associated_data(), slot.nonce, kek
    )
    return KeySlot(slot.id, slot.params, slot.salt, slot.nonce, bytes(sealed))


def try_open(slot: KeySlot, passphrase: str) -> bytes | None:
    """The master key if ``passphrase`` opens ``slot``, else None."""
    kek = _derive(passphrase, slot.salt, slot.params)
    try:
        key = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            slot.sealed, slot.associated_data(), slot.nonce, kek
        )
    except nacl.exceptions.CryptoError:
        return None
    return bytes(key)


def unlock(slots: tuple[KeySlot, ...], passphrase: str) -> tuple[bytes, KeySlot]:
    """Find the slot ``passphrase`` opens and return the master key with that slot.

    Raises:
        WrongPassphrase: no slot opens.
    """
    for slot in slots:
        key = try_open(slot, passphrase)
        if key is not None:
            return key, slot
    raise WrongPassphrase("The passphrase is not correct.")


def encode(slots: tuple[KeySlot, ...]) -> bytes:
    doc = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "slots": [
            {
                "id": s.id,
                "kdf": KDF_NAME,
                "opslimit": s.params.opslimit,
                "memlimit": s.params.memlimit,
                "salt": base64.b64encode(s.salt).decode(),
                "nonce": base64.b64encode(s.nonce).decode(),
                "sealed": base64.b64encode(s.sealed).decode(),
            }
            for s in slots
        ],
    }
    return json.dumps(doc, indent=1).encode()


def decode(data: bytes) -> tuple[KeySlot, ...]:
    """Parse a key slots file.

    Raises:
        KeySlotsDamaged: the bytes are not a complete, well-formed key slots file.
    """
    if len(data) > MAX_FILE_BYTES:
        raise KeySlotsDamaged("The key slots file is far larger than any real one.")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise KeySlotsDamaged("The key slots file is truncated or damaged.") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise KeySlotsDamaged("This is not a fieldreader key slots file.")
    if doc.get("version") != FORMAT_VERSION:
        raise KeySlotsDamaged("The key slots file has a format version this build does not know.")
    raw_slots = doc.get("slots")
    if not isinstance(raw_slots, list) or not 1 <= len(raw_slots) <= MAX_SLOTS:
        raise KeySlotsDamaged("The key slots file holds no usable slot.")
    slots = tuple(_decode_slot(raw) for raw in raw_slots)
    if len({s.id for s in slots}) != len(slots):
        raise KeySlotsDamaged("The key slots file repeats a slot.")
    return slots


def _decode_slot(raw: Any) -> KeySlot:  # noqa: ANN401 - parsed JSON is untyped by nature
    damaged = KeySlotsDamaged("A key slot is damaged.")
    if not isinstance(raw, dict) or raw.get("kdf") != KDF_NAME:
        raise damaged
    slot_id, opslimit, memlimit = raw.get("id"), raw.get("opslimit"), raw.get("memlimit")
    if not (isinstance(slot_id, str) and len(slot_id) == 16):
        raise damaged
    if not (type(opslimit) is int and type(memlimit) is int):
        raise damaged
    params = KdfParams(opslimit, memlimit)
    params.check()
    salt, nonce, sealed = (_b64(raw.get(name), damaged) for name in ("salt", "nonce", "sealed"))
    if (len(salt), len(nonce), len(sealed)) != (_SALT_BYTES, _NONCE_BYTES, _SEALED_BYTES):
        raise damaged
    return KeySlot(slot_id, params, salt, nonce, sealed)


def _b64(value: object, error: KeySlotsDamaged) -> bytes:
    if not isinstance(value, str):
        raise error
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise error from None
