"""Transport settings are checked when made: a bad profile fails on the trainer's desk with a
sentence naming the problem (and never echoing a password), not in the field. Also the checks
``fetch`` makes before it touches the network."""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from fieldreader.feed.errors import FeedError, InvalidIdentifier, LengthExceeded
from fieldreader.sync import (
    TOR_BROWSER_PORT,
    MirrorSource,
    TransportConfig,
    TransportConfigError,
    TransportError,
    tor_proxy,
)
from fieldreader.sync.network import tls_context
from sync.servers import Pki

PIN = "sha256/" + base64.b64encode(bytes(range(32))).decode()
MIRROR = "https://mirror.example.org/feed/"


@pytest.mark.parametrize(
    ("mirror", "message"),
    [
        ("http://mirror.example.org/feed/", "plain HTTP"),
        ("http://127.0.0.1:8080/feed/", "plain HTTP"),
        ("ftp://mirror.example.org/", "not an https"),
        ("https:///feed/", "no valid host"),
        ("https://mirror.example.org/feed/?key=1", "query or fragment"),
        ("https://mirror.example.org/feed/#top", "query or fragment"),
        ("https://mirror.example.org:99999/", "not a valid URL"),
        ("https://mirror.example.org/a b/", "not allowed in a path"),
        ("https://mirrör.example.org/", "no valid host"),
    ],
)
def test_unusable_mirrors_are_refused(mirror: str, message: str) -> None:
    with pytest.raises(TransportConfigError, match=message):
        TransportConfig([mirror])


def test_credentials_in_a_mirror_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(TransportConfigError) as caught:
        TransportConfig(["https://reader:hunter2-secret@mirror.example.org/feed/"])
    assert "hunter2" not in str(caught.value)
    assert "user name or password" in str(caught.value)


def test_plain_http_is_allowed_only_to_loopback_and_only_when_asked() -> None:
    for url in ("http://127.0.0.1:8080/feed/", "http://localhost/", "http://[::1]:81/"):
        assert TransportConfig([url], allow_plain_http_loopback=True).mirrors == (url,)
    with pytest.raises(TransportConfigError, match="plain HTTP"):
        TransportConfig(["http://192.0.2.10/feed/"], allow_plain_http_loopback=True)


def test_mirrors_are_normalised_and_must_be_distinct() -> None:
    config = TransportConfig(["HTTPS://Mirror.Example.org/feed", "https://[2001:db8::1]:8443"])
    assert config.mirrors == ("https://mirror.example.org/feed/", "https://[2001:db8::1]:8443/")
    assert config.mirror(1).host_header == "[2001:db8::1]:8443"
    assert config.mirror(0).host_header == "mirror.example.org"
    with pytest.raises(TransportConfigError, match="twice"):
        TransportConfig([MIRROR, MIRROR.rstrip("/")])
    with pytest.raises(TransportConfigError, match="At least one"):
        TransportConfig([])
    with pytest.raises(TransportConfigError, match="list of URLs"):
        TransportConfig(MIRROR)


def test_pins_must_name_a_listed_mirror_and_be_well_formed() -> None:
    config = TransportConfig([MIRROR.rstrip("/")], pins={MIRROR.rstrip("/"): [PIN]})
    assert config.pins == {MIRROR: (PIN,)}
    assert len(config.pin_digests(MIRROR)) == 1
    with pytest.raises(TransportConfigError, match="not one of the mirrors"):
        TransportConfig([MIRROR], pins={"https://other.example.org/": [PIN]})
    with pytest.raises(TransportConfigError, match="not a key pin"):
        TransportConfig([MIRROR], pins={MIRROR: ["sha256/short="]})
    with pytest.raises(TransportConfigError, match="non-empty list"):
        TransportConfig([MIRROR], pins={MIRROR: []})
    with pytest.raises(TransportConfigError, match="non-empty list"):
        TransportConfig([MIRROR], pins={MIRROR: PIN})


@pytest.mark.parametrize(
    "proxy",
    [
        "https://127.0.0.1:8080",
        "http://user:hunter2@127.0.0.1:8080",
        "socks4://127.0.0.1:9050",
        "socks5h://127.0.0.1",
        "socks5h://127.0.0.1:0",
        "socks5h://user:hunter2@127.0.0.1:9050",
        "socks5h://127.0.0.1:9050/path",
    ],
)
def test_only_a_socks5_or_http_proxy_with_a_port_is_accepted(proxy: str) -> None:
    with pytest.raises(TransportConfigError, match="socks5h://HOST:PORT") as caught:
        TransportConfig([MIRROR], proxy=proxy)
    assert "hunter2" not in str(caught.value)


def test_the_tor_preset_uses_a_local_address_and_no_conditional_requests() -> None:
    config = TransportConfig.for_tor([MIRROR])
    assert config.proxy == "socks5h://127.0.0.1:9050"
    assert not config.conditional_requests
    assert config.connect_timeout > TransportConfig([MIRROR]).connect_timeout
    browser = TransportConfig.for_tor([MIRROR], port=TOR_BROWSER_PORT)
    assert browser.proxy == tor_proxy(9150) == "socks5h://127.0.0.1:9150"
    assert TransportConfig([MIRROR], proxy="socks5://[::1]:1080").proxy == "socks5://[::1]:1080"
    assert TransportConfig([MIRROR], proxy="http://10.0.0.1:3128").proxy == "http://10.0.0.1:3128"


@pytest.mark.parametrize(
    "change",
    [
        {"connect_timeout": 0},
        {"read_timeout": -1},
        {"attempt_timeout": 10_000},
        {"retries": -1},
        {"retries": 11},
        {"backoff_base": 5, "backoff_max": 1},
        {"bandwidth_limit": 10},
    ],
)
def test_limits_out_of_range_are_refused(change: dict[str, Any]) -> None:
    with pytest.raises(TransportConfigError):
        dataclasses.replace(TransportConfig([MIRROR]), **change)


def test_an_unreadable_ca_file_is_a_clear_error(tmp_path: Path) -> None:
    config = TransportConfig([MIRROR], ca_file=tmp_path / "missing.pem")
    with pytest.raises(TransportConfigError, match=r"CA file .* cannot be used"):
        MirrorSource(config)
    (tmp_path / "junk.pem").write_text("not a certificate")
    with pytest.raises(TransportConfigError, match="cannot be used"):
        MirrorSource(dataclasses.replace(config, ca_file=tmp_path / "junk.pem"))


def test_ca_certificates_given_as_bytes_are_trusted_without_a_file(pki: Pki) -> None:
    """A profile kept in the library hands the CA over in memory; comments around the
    certificate (in any encoding) are skipped, as OpenSSL skips them in a file."""
    pem = "# Organisation CA \u2013 2024\n".encode() + pki.ca.read_bytes() + b"\n# end\xff\n"
    config = TransportConfig([MIRROR], ca_pem=pem)
    assert "BEGIN" not in repr(config)
    trusted = tls_context(None, config.ca_pem).get_ca_certs()
    assert any("fieldreader throwaway test CA" in str(cert["subject"]) for cert in trusted)
    for junk in (
        b"",
        b"not a certificate",
        b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
    ):
        with pytest.raises(TransportConfigError, match=r"no (valid )?PEM certificate"):
            MirrorSource(TransportConfig([MIRROR], ca_pem=junk))


def test_transport_errors_are_feed_errors() -> None:
    assert issubclass(TransportError, FeedError)
    assert issubclass(TransportConfigError, TransportError)


# --- what fetch checks before the network ----------------------------------------------------


def test_a_path_outside_the_feed_format_is_refused_before_any_request() -> None:
    with MirrorSource(TransportConfig(["https://mirror.invalid/"])) as source:
        bad = ("../etc/passwd", "timestamp.json?x=1", "objects/ab/../../x", "/timestamp.json")
        for path in bad:
            with pytest.raises(InvalidIdentifier):
                source.fetch(path, 100)
        assert source.requests == 0
        assert source.stats.connections == 0


def test_resuming_is_refused_for_the_timestamp_and_beyond_the_limit() -> None:
    with MirrorSource(TransportConfig(["https://mirror.invalid/"])) as source:
        with pytest.raises(ValueError, match="cannot be resumed"):
            source.fetch("timestamp.json", 100, already=b"{")
        with pytest.raises(LengthExceeded):
            source.fetch("objects/ab/" + "ab" * 32, 3, already=b"1234")
        assert source.requests == 0
