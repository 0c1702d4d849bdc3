"""Key pins: the DER walker agrees with openssl on real certificates, handles the shapes X.509
allows (v1 without a version field, long-form lengths), and refuses every malformed input with
its own error, never an IndexError or a wrong answer; pins are parsed strictly."""

from __future__ import annotations

import base64
import contextlib
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldreader.sync.pins import (
    CertificateFormatError,
    certificate_pin,
    format_pin,
    parse_pin,
    spki_sha256,
    subject_public_key_info,
)
from sync.servers import Pki, need, run


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


SPKI = tlv(
    0x30, tlv(0x30, tlv(0x06, b"\x2a\x86\x48\xce\x3d\x02\x01")) + tlv(0x03, b"\x00" + b"K" * 65)
)


def certificate(*, version: bool = True, issuer: bytes = b"issuer", spki: bytes = SPKI) -> bytes:
    tbs = (
        (tlv(0xA0, tlv(0x02, b"\x02")) if version else b"")
        + tlv(0x02, b"\x01\x02\x03")
        + tlv(0x30, b"sigalg")
        + tlv(0x30, issuer)
        + tlv(0x30, b"validity")
        + tlv(0x30, b"subject")
        + spki
        + tlv(0xA3, b"extensions")
    )
    return tlv(0x30, tlv(0x30, tbs) + tlv(0x30, b"sigalg") + tlv(0x03, b"\x00sig"))


# --- real certificates -----------------------------------------------------------------------


def test_the_pin_of_a_real_certificate_is_the_one_openssl_computes(pki: Pki) -> None:
    assert certificate_pin(pki.der(pki.server_cert)) == pki.server_pin
    assert certificate_pin(pki.der(pki.interceptor_cert)) == pki.interceptor_pin
    assert pki.server_pin != pki.interceptor_pin


def test_the_key_info_is_exactly_the_der_public_key_openssl_exports(pki: Pki) -> None:
    openssl = need("openssl")
    public = run(openssl, "x509", "-in", str(pki.server_cert), "-pubkey", "-noout")
    exported = run(openssl, "pkey", "-pubin", "-outform", "DER", stdin=public)
    assert subject_public_key_info(pki.der(pki.server_cert)) == exported


# --- shapes X.509 allows ---------------------------------------------------------------------


def test_a_version_1_certificate_without_the_version_field_is_read() -> None:
    assert subject_public_key_info(certificate(version=False)) == SPKI
    assert subject_public_key_info(certificate()) == SPKI


@pytest.mark.parametrize("size", [127, 128, 255, 256, 70_000])
def test_long_form_lengths_are_read(size: int) -> None:
    assert subject_public_key_info(certificate(issuer=b"i" * size)) == SPKI


def test_the_digest_covers_the_whole_key_info_element() -> None:
    assert spki_sha256(certificate()) == hashlib.sha256(SPKI).digest()


# --- malformed input -------------------------------------------------------------------------


def test_every_truncation_is_refused() -> None:
    whole = certificate()
    for end in range(len(whole)):
        with pytest.raises(CertificateFormatError):
            subject_public_key_info(whole[:end])


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        (certificate() + b"\x00", "bytes after the certificate"),
        (b"\x30\x80" + certificate()[2:] + b"\x00\x00", "indefinite length"),
        (b"\x30\x81\x05" + b"\x02\x01\x01\x02\x00", "long form for a short length"),
        (b"\x30\x82\x00\x05" + b"\x02\x01\x01\x02\x00", "leading zero in a length"),
        (b"\x30\x85\x01\x00\x00\x00\x00", "five length octets"),
        (b"\x1f\x01\x00", "high tag number"),
        (b"\x31\x03\x30\x01\x00", "a SET where the certificate's SEQUENCE belongs"),
        (tlv(0x30, tlv(0x30, tlv(0x02, b"\x01") + tlv(0x30, b"") * 4 + tlv(0x03, b"\x00"))),
         "a BIT STRING where the key info belongs"),
        (certificate(spki=tlv(0x30, tlv(0x30, b"alg"))), "key info without the key"),
        (certificate(spki=tlv(0x30, tlv(0x30, b"a") + tlv(0x03, b"\x00k") + b"\x05\x00")),
         "bytes after the key inside the key info"),
        (tlv(0x30, tlv(0x30, tlv(0x02, b"\x01") + tlv(0x30, b"") * 3)), "no subject"),
    ],
)  # fmt: skip
def test_malformed_der_is_refused(bad: bytes, why: str) -> None:
    with pytest.raises(CertificateFormatError):
        subject_public_key_info(bad)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_anything_but_the_format_error(data: bytes) -> None:
    with contextlib.suppress(CertificateFormatError):
        subject_public_key_info(data)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0), st.integers(min_value=1, max_value=255))
def test_a_corrupted_certificate_is_refused_or_read_within_bounds(position: int, xor: int) -> None:
    original = certificate(issuer=b"i" * 200)
    damaged = bytearray(original)
    damaged[position % len(damaged)] ^= xor
    try:
        spki = subject_public_key_info(bytes(damaged))
    except CertificateFormatError:
        return
    assert spki in bytes(damaged)


# --- pins ------------------------------------------------------------------------------------


def test_a_pin_round_trips() -> None:
    digest = hashlib.sha256(b"key").digest()
    assert parse_pin(format_pin(digest)) == digest


@pytest.mark.parametrize(
    "pin",
    [
        "",
        "sha1/" + base64.b64encode(bytes(20)).decode(),
        "sha256/" + base64.b64encode(bytes(32)).decode().rstrip("="),
        "sha256/" + base64.urlsafe_b64encode(b"\xff" * 32).decode(),
        "sha256/" + base64.b64encode(bytes(31)).decode(),
        " sha256/" + base64.b64encode(bytes(32)).decode(),
        "SHA256/" + base64.b64encode(bytes(32)).decode(),
        "sha256/" + base64.b64encode(bytes(32)).decode()[:-2] + "B=",
    ],
)
def test_malformed_pins_are_refused(pin: str) -> None:
    with pytest.raises(ValueError, match=r"pin|base64"):
        parse_pin(pin)
