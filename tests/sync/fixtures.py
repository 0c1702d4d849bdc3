"""Real parts for the transport tests, all on loopback and under pytest's temporary folders.

A pytest plugin (loaded by ``tests/conftest.py``) rather than this folder's conftest, so that
the service and the desktop reader's sync tests use the same servers: one nginx per run.

* ``pki``: a throwaway CA, the mirror's certificate and an interceptor's certificate (another key,
  signed by the same CA, so its chain is valid), made with the ``openssl`` command, plus each
  key's pin as ``openssl`` computes it.
* ``nginx``: one nginx process (``daemon off``, no master) serving ``www/`` over TLS, with
  fault-injection locations (503, 500, slow, Range ignored, chunked, Set-Cookie), a second TLS
  server that intercepts: it terminates TLS with the interceptor's certificate and proxies to the
  real one, and a plain-HTTP server for the loopback-only HTTP option. Both TLS servers log every
  request as JSON; :meth:`Nginx.mark` and :meth:`Nginx.since` read exactly the requests made in
  between by bracketing them with sentinel requests (nginx logs in order), so no test sleeps.
* ``socks``: microsocks, a real SOCKS5 proxy, on a random port.
* ``Relay``: a TCP relay that can cut its first connection after a chosen number of bytes from
  the server (a dropped connection mid-body, TLS and all) and records what the client sent.

Missing tools fail the run when ``CI`` is set and skip with the install command otherwise.
"""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.servers import (
    BLOB,
    BLOB_PATH,
    LOG_FORMAT,
    NGINX_CONF,
    TIMESTAMP,
    MakeRelay,
    Nginx,
    Pki,
    Relay,
    Socks,
    free_port,
    has_ipv6_loopback,
    need,
    openssl_pin,
    run,
    stop,
    wait_for_port,
)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    openssl = need("openssl")
    base = tmp_path_factory.mktemp("pki")
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    ca, ca_key = base / "ca.pem", base / "ca.key"
    run(openssl, "req", "-x509", *ec, "-keyout", str(ca_key), "-out", str(ca), "-days", "3",
        "-subj", "/CN=fieldreader throwaway test CA")  # fmt: skip
    extensions = base / "server.ext"
    extensions.write_text(
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n"
    )
    made = {}
    for serial, name in enumerate(("server", "interceptor"), start=2):
        key, csr, cert = base / f"{name}.key", base / f"{name}.csr", base / f"{name}.pem"
        run(openssl, "req", "-new", *ec, "-keyout", str(key), "-out", str(csr),
            "-subj", "/CN=localhost")  # fmt: skip
        run(openssl, "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
            "-set_serial", str(serial), "-days", "3", "-out", str(cert),
            "-extfile", str(extensions))  # fmt: skip
        made[name] = (cert, key)
    return Pki(
        ca=ca,
        server_cert=made["server"][0],
        server_key=made["server"][1],
        interceptor_cert=made["interceptor"][0],
        interceptor_key=made["interceptor"][1],
        server_pin=openssl_pin(openssl, made["server"][0]),
        interceptor_pin=openssl_pin(openssl, made["interceptor"][0]),
    )


@pytest.fixture(scope="session")
def nginx(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[Nginx]:
    binary = need("nginx")
    tmp = tmp_path_factory.mktemp("nginx")
    www = tmp / "www"
    for prefix in ("feed", "slow", "norange", "chunked", "cookie"):
        (www / prefix / BLOB_PATH).parent.mkdir(parents=True)
        (www / prefix / BLOB_PATH).write_bytes(BLOB)
        (www / prefix / "timestamp.json").write_bytes(TIMESTAMP)
    ipv6 = has_ipv6_loopback()
    port = free_port(ipv6=ipv6)
    intercept_port, plain_port = free_port(ipv6=False), free_port(ipv6=False)
    conf = tmp / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            tmp=tmp,
            www=www,
            port=port,
            intercept_port=intercept_port,
            plain_port=plain_port,
            listen_v6=f"listen [::1]:{port} ssl;" if ipv6 else "",
            log_format=LOG_FORMAT,
            server_cert=pki.server_cert,
            server_key=pki.server_key,
            ca=pki.ca,
            interceptor_cert=pki.interceptor_cert,
            interceptor_key=pki.interceptor_key,
        )
    )
    for log in ("access.log", "intercept.log"):
        (tmp / log).touch()
    stderr = tmp / "nginx.stderr"
    with stderr.open("wb") as err:
        process = subprocess.Popen(
            [binary, "-e", "stderr", "-p", str(tmp), "-c", str(conf)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    try:
        for p in (port, intercept_port, plain_port):
            wait_for_port(p, process, "nginx", stderr)
        yield Nginx(
            www, port, intercept_port, plain_port, tmp / "access.log", tmp / "intercept.log",
            pki.ca, itertools.count(),
        )  # fmt: skip
    finally:
        stop(process)


@pytest.fixture
def socks(tmp_path: Path) -> Iterator[Socks]:
    """microsocks on 127.0.0.1: it resolves the host names it is given, as Tor does."""
    binary = need("microsocks")
    port = free_port(ipv6=False)
    log = tmp_path / "microsocks.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "-i", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for_port(port, process, "microsocks", log)
        yield Socks(port, process)
    finally:
        stop(process)


@pytest.fixture
def relay_to() -> Iterator[MakeRelay]:
    """``relay_to(port, cut_after=None)``: a :class:`Relay`, closed after the test."""
    made: list[Relay] = []

    def make(target: int, cut_after: int | None = None) -> Relay:
        made.append(Relay(target, cut_after))
        return made[-1]

    yield make
    for relay in made:
        relay.close()
