"""Ed25519 keys of the publisher's roles, and the key files the publisher keeps.

A key file is JSON ``{"type": "ed25519", "role": ..., "seed": hex, "public": hex}`` written with
mode 0600. The public half is identified by its key id: the hex SHA-256 of the 32 raw bytes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import nacl.exceptions
import nacl.signing

from fieldreader.errors import FieldreaderError
from fieldreader.fsutil import atomic_write

ROLES = ("root", "snapshot", "timestamp")
KEY_TYPE = "ed25519"


@dataclass(frozen=True)
class PublicKey:
    public: bytes

    @property
    def keyid(self) -> str:
        return hashlib.sha256(self.public).hexdigest()

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            nacl.signing.VerifyKey(self.public).verify(message, signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError):
            return False
        return True

    def to_dict(self) -> dict[str, str]:
        return {"type": KEY_TYPE, "public": self.public.hex()}


@dataclass(frozen=True)
class SigningKey:
    seed: bytes
    role: str

    @classmethod
    def generate(cls, role: str) -> SigningKey:
        return cls(bytes(nacl.signing.SigningKey.generate()), role)

    @property
    def public(self) -> PublicKey:
        return PublicKey(bytes(nacl.signing.SigningKey(self.seed).verify_key))

    @property
    def keyid(self) -> str:
        return self.public.keyid

    def sign(self, message: bytes) -> bytes:
        return bytes(nacl.signing.SigningKey(self.seed).sign(message).signature)

    def __repr__(self) -> str:
        # Never let the seed reach a log or a traceback.
        return f"SigningKey(role={self.role!r}, keyid={self.keyid[:16]}…)"


class KeyFileError(FieldreaderError):
    """A publisher key file is missing, unreadable or not a key file."""


def key_path(keydir: Path, role: str) -> Path:
    return keydir / f"{role}.key"


def write_key(keydir: Path, key: SigningKey) -> Path:
    keydir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = key_path(keydir, key.role)
    doc = {
        "type": KEY_TYPE,
        "role": key.role,
        "seed": key.seed.hex(),
        "public": key.public.public.hex(),
    }
    atomic_write(path, json.dumps(doc, indent=1).encode(), mode=0o600)
    return path


def read_key(keydir: Path, role: str) -> SigningKey:
    path = key_path(keydir, role)
    invalid = KeyFileError(f"{path} is not a valid {role} key file.")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyFileError(f"No {role} key in {keydir} (expected {path.name}).") from None
    except (OSError, ValueError):
        raise invalid from None
    if not isinstance(doc, dict) or doc.get("type") != KEY_TYPE or doc.get("role") != role:
        raise invalid
    try:
        key = SigningKey(bytes.fromhex(str(doc.get("seed"))), role)
        matches = len(key.seed) == 32 and key.public.public.hex() == doc.get("public")
    except (ValueError, TypeError):
        raise invalid from None
    if not matches:
        raise invalid
    return key
