"""Sync through an HTTP proxy that tunnels CONNECT: the system proxy of a profile.

Real parts: nginx over TLS with the test CA (and its intercepting twin), and a CONNECT proxy
on loopback (``connect_proxy.py``). The rules are those of the SOCKS5 path: the host name goes
to the proxy unresolved, TLS and pins run end to end, and nothing goes around a proxy that
fails.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldreader.profile import load_profile
from fieldreader.sync import (
    MirrorSource,
    PinMismatch,
    ProxyUnavailable,
    TransportConfig,
    TransportError,
)
from sync.connect_proxy import ConnectProxy
from sync.servers import BLOB, BLOB_PATH, TIMESTAMP, Nginx, Pki, free_port

BIG = 1 << 20


@pytest.fixture
def proxy() -> Iterator[ConnectProxy]:
    made = ConnectProxy()
    yield made
    made.close()


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every name this process resolves from now on."""
    seen: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(host.decode() if isinstance(host, bytes) else str(host))
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return seen


def source(pki: Pki, mirror: str, proxy: str, **options: Any) -> MirrorSource:
    config = TransportConfig([mirror], ca_file=pki.ca, proxy=proxy, **options)
    return MirrorSource(config, sleep=lambda _: None, random=lambda: 0.5)


def test_a_file_arrives_through_the_tunnel_with_the_name_resolved_by_the_proxy(
    nginx: Nginx, pki: Pki, proxy: ConnectProxy, lookups: list[str]
) -> None:
    mirror = nginx.url("feed", host="localhost")
    mark = nginx.mark()
    with source(pki, mirror, proxy.url, pins={mirror: [pki.server_pin]}) as s:
        assert s.fetch(BLOB_PATH, BIG) == BLOB
        assert s.fetch("timestamp.json", BIG) == TIMESTAMP
        assert s.stats.connections == 1  # to the proxy, reused
    assert proxy.targets == [f"localhost:{nginx.port}"]
    assert "localhost" not in lookups
    # The proxy saw the CONNECT line and nothing of the request (it went inside TLS).
    assert b"timestamp" not in b"".join(proxy.requests)
    assert b"User-Agent" not in proxy.requests[0]
    assert [e.uri for e in nginx.since(mark)] == [f"/feed/{BLOB_PATH}", "/feed/timestamp.json"]


def test_pins_are_checked_through_the_tunnel(nginx: Nginx, pki: Pki, proxy: ConnectProxy) -> None:
    mirror = nginx.intercepted_url("feed").replace("127.0.0.1", "localhost")
    mark = nginx.mark(intercepted=True)
    with (
        source(pki, mirror, proxy.url, pins={mirror: [pki.server_pin]}) as s,
        pytest.raises(PinMismatch, match="intercepted"),
    ):
        s.fetch("timestamp.json", BIG)
    assert len(proxy.targets) == 1
    assert nginx.since(mark, intercepted=True) == []  # refused before the request was sent


def test_with_the_proxy_stopped_nothing_goes_out_directly(
    nginx: Nginx, pki: Pki, lookups: list[str]
) -> None:
    stopped = f"http://127.0.0.1:{free_port(ipv6=False)}"
    mark = nginx.mark()
    with source(pki, nginx.url("feed", host="localhost"), stopped, retries=2) as s:
        with pytest.raises(ProxyUnavailable, match="is not reachable"):
            s.fetch("timestamp.json", BIG)
        assert s.stats.connections == 1
    assert "localhost" not in lookups
    assert nginx.since(mark) == []


def test_a_proxy_that_wants_a_login_is_unavailable_and_no_login_is_sent(
    nginx: Nginx, pki: Pki
) -> None:
    refusing = ConnectProxy(answer=b"HTTP/1.1 407 Proxy Authentication Required")
    try:
        with (
            source(pki, nginx.url("feed"), refusing.url, retries=2) as s,
            pytest.raises(ProxyUnavailable, match="asks for a login"),
        ):
            s.fetch("timestamp.json", BIG)
        assert len(refusing.requests) == 1  # not retried
        assert b"Proxy-Authorization" not in refusing.requests[0]
    finally:
        refusing.close()


def test_a_mirror_the_proxy_cannot_reach_is_a_mirror_failure(pki: Pki, proxy: ConnectProxy) -> None:
    closed = f"https://localhost:{free_port(ipv6=False)}/feed/"
    with (
        source(pki, closed, proxy.url, retries=1) as s,
        pytest.raises(TransportError, match="proxy could not reach the mirror") as caught,
    ):
        s.fetch("timestamp.json", BIG)
    assert not isinstance(caught.value, ProxyUnavailable)
    assert "502 Bad Gateway" in str(caught.value)
    assert len(proxy.targets) == 2  # retried: the mirror may come back


def test_a_profile_with_the_system_proxy_syncs_through_it(
    nginx: Nginx, pki: Pki, proxy: ConnectProxy, tmp_path: Path, lookups: list[str]
) -> None:
    mirror = nginx.url("feed", host="localhost")
    (tmp_path / "ca.pem").write_bytes(pki.ca.read_bytes())
    path = tmp_path / "org.toml"
    path.write_text(
        f'[feed]\nmirrors = ["{mirror}"]\nca_file = "ca.pem"\nproxy = "system"\n'
        f'pins = ["{pki.server_pin}"]\n',
        encoding="utf-8",
    )
    config = load_profile(path).transport({"HTTPS_PROXY": proxy.url, "NO_PROXY": "other.example"})
    assert config.proxy == proxy.url
    with MirrorSource(config) as s:
        assert s.fetch("timestamp.json", BIG) == TIMESTAMP
    assert proxy.targets == [f"localhost:{nginx.port}"]
    assert "localhost" not in lookups
    direct = load_profile(path).transport({})
    assert direct.proxy is None
