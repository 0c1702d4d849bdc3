"""Public-key pins: the SHA-256 of a certificate's SubjectPublicKeyInfo.

A pin ties a mirror to its own key rather than to whatever certificate authority a network can
make a trusted store accept: a national TLS-intercepting proxy presents a certificate that
chains to a CA the system (or a trainer's ``ca_file``) trusts, yet its key is not the mirror's.
Pins use the format of HPKP and of curl's ``--pinnedpubkey``, ``sha256/<base64>``, so a trainer
can compute one with standard tools::

    openssl x509 -in server.pem -pubkey -noout | openssl pkey -pubin -outform der \\
        | openssl dgst -sha256 -binary | base64

Python's :mod:`ssl` hands over only the peer certificate's DER bytes, so this module carries a
small DER reader that walks ``Certificate -> tbsCertificate -> subjectPublicKeyInfo`` and nothing
else. It accepts only definite, minimally encoded lengths and low tag numbers, and checks every
length against its enclosing element: the bytes come from the network before anything else has
been checked about them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

PIN_PREFIX = "sha256/"
_PIN = re.compile(r"sha256/[A-Za-z0-9+/]{43}=")

_SEQUENCE = 0x30
_INTEGER = 0x02
_BIT_STRING = 0x03
_VERSION = 0xA0  # [0] EXPLICIT, constructed
_MAX_LENGTH_OCTETS = 4  # no certificate needs 4 GiB


class CertificateFormatError(ValueError):
    """DER bytes that are not an X.509 certificate this reader can walk."""


def parse_pin(pin: str) -> bytes:
    """The 32-byte digest of a ``sha256/<base64>`` pin.

    Raises:
        ValueError: not exactly that form (standard base64 of 32 bytes, with its padding).
    """
    if not _PIN.fullmatch(pin):
        raise ValueError(
            f"{pin[:60]!r} is not a key pin: expected 'sha256/' followed by the base64 of a "
            "SHA-256 digest (44 characters ending in '=')."
        )
    try:
        digest = base64.b64decode(pin[len(PIN_PREFIX) :], validate=True)
    except binascii.Error:
        raise ValueError(f"{pin[:60]!r} is not valid base64.") from None
    if len(digest) != 32 or format_pin(digest) != pin:
        raise ValueError(f"{pin[:60]!r} is not the canonical base64 of a SHA-256 digest.")
    return digest


def format_pin(digest: bytes) -> str:
    """``sha256/<base64>`` for a SHA-256 digest."""
    return PIN_PREFIX + base64.b64encode(digest).decode("ascii")


def spki_sha256(certificate_der: bytes) -> bytes:
    """SHA-256 of the certificate's DER-encoded SubjectPublicKeyInfo (what a pin names).

    Raises:
        CertificateFormatError: the bytes are not a well-formed certificate.
    """
    return hashlib.sha256(subject_public_key_info(certificate_der)).digest()


def certificate_pin(certificate_der: bytes) -> str:
    """The ``sha256/<base64>`` pin of a DER certificate's public key."""
    return format_pin(spki_sha256(certificate_der))


def subject_public_key_info(der: bytes) -> bytes:
    """The complete DER element (tag, length, contents) of the certificate's public key info.

    ::

        Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
        TBSCertificate ::= SEQUENCE {
            version [0] EXPLICIT OPTIONAL, serialNumber INTEGER, signature SEQUENCE,
            issuer SEQUENCE, validity SEQUENCE, subject SEQUENCE,
            subjectPublicKeyInfo SEQUENCE { algorithm SEQUENCE, subjectPublicKey BIT STRING },
            ... }

    Raises:
        CertificateFormatError: any element missing, of the wrong tag, or running past its
            enclosing element; a length that is indefinite or not minimally encoded.
    """
    tag, start, end = _element(der, 0, len(der), "the certificate")
    _expect(tag, _SEQUENCE, "the certificate")
    if end != len(der):
        raise CertificateFormatError("Bytes follow the certificate.")
    tag, pos, tbs_end = _element(der, start, end, "tbsCertificate")
    _expect(tag, _SEQUENCE, "tbsCertificate")

    tag, _, after = _element(der, pos, tbs_end, "the serial number")
    if tag == _VERSION:
        pos = after
        tag, _, after = _element(der, pos, tbs_end, "the serial number")
    _expect(tag, _INTEGER, "the serial number")
    pos = after
    for name in ("the signature algorithm", "the issuer", "the validity", "the subject"):
        tag, _, after = _element(der, pos, tbs_end, name)
        _expect(tag, _SEQUENCE, name)
        pos = after

    tag, inner, spki_end = _element(der, pos, tbs_end, "subjectPublicKeyInfo")
    _expect(tag, _SEQUENCE, "subjectPublicKeyInfo")
    tag, _, after = _element(der, inner, spki_end, "the key algorithm")
    _expect(tag, _SEQUENCE, "the key algorithm")
    tag, _, after = _element(der, after, spki_end, "the public key")
    _expect(tag, _BIT_STRING, "the public key")
    if after != spki_end:
        raise CertificateFormatError("Bytes follow the public key inside its key info.")
    return der[pos:spki_end]


def _expect(tag: int, wanted: int, name: str) -> None:
    if tag != wanted:
        raise CertificateFormatError(f"Unexpected tag 0x{tag:02x} for {name}.")


def _element(der: bytes, pos: int, end: int, name: str) -> tuple[int, int, int]:
    """``(tag, start of contents, end of contents)`` of the element at ``pos``, within ``end``."""
    if end - pos < 2:
        raise CertificateFormatError(f"The certificate ends before {name}.")
    tag = der[pos]
    if tag & 0x1F == 0x1F:
        raise CertificateFormatError(f"High tag number at {name}.")
    first = der[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise CertificateFormatError(f"Indefinite length at {name} (not DER).")
    else:
        count = first & 0x7F
        if count > _MAX_LENGTH_OCTETS or count > end - pos:
            raise CertificateFormatError(f"Impossible length at {name}.")
        length = int.from_bytes(der[pos : pos + count], "big")
        if der[pos] == 0 or length < 0x80:
            raise CertificateFormatError(f"Length not minimally encoded at {name} (not DER).")
        pos += count
    if length > end - pos:
        raise CertificateFormatError(f"{name[0].upper()}{name[1:]} runs past its container.")
    return tag, pos, pos + length
