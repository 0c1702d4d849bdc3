"""Real servers for the transport tests (see ``conftest.py`` for the fixtures that start them)."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL = "apt-get update && apt-get install -y nginx microsocks openssl"
START_LIMIT = 15.0
"""Seconds a server may take to start or a log line to appear: a limit, never a measurement."""

BLOB_PATH = "objects/ab/" + "ab" * 32
"""A feed path for the test file; the transport does not check its hash (the engine does)."""
BLOB = bytes(range(256)) * 1024
"""256 KiB served under :data:`BLOB_PATH` by every location that serves files."""
TIMESTAMP = b'{"signed":"not really, the transport does not care"}\n'


def need(tool: str) -> str:
    """The path of ``tool``; a skip (or, under CI, a failure) naming the install command."""
    found = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin:/usr/local/sbin")
    if found:
        return found
    message = f"'{tool}' is needed for the transport tests with real servers: {INSTALL}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def run(*command: str, stdin: bytes | None = None) -> bytes:
    result = subprocess.run(command, input=stdin, capture_output=True, check=False, timeout=60)
    if result.returncode != 0:
        err = result.stderr.decode(errors="replace")[-2000:]
        pytest.fail(f"{' '.join(command[:3])} failed: {err}")
    return result.stdout


def free_port(*, ipv6: bool) -> int:
    """A port free on 127.0.0.1 (and on ::1 when ``ipv6``), chosen by the kernel."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as v4:
            v4.bind(("127.0.0.1", 0))
            port = int(v4.getsockname()[1])
            if not ipv6:
                return port
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as v6:
                try:
                    v6.bind(("::1", port))
                except OSError:
                    continue
                return port
    pytest.fail("No free port on loopback.")


def has_ipv6_loopback() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + START_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited at start: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    pytest.fail(f"{what} did not open port {port} within {START_LIMIT:g} s.")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --- certificates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    ca: Path
    """PEM of the throwaway CA: the ``ca_file`` of every test config."""
    server_cert: Path
    server_key: Path
    interceptor_cert: Path
    interceptor_key: Path
    server_pin: str
    """``sha256/...`` of the mirror's key, computed by the openssl command line."""
    interceptor_pin: str

    def der(self, cert: Path) -> bytes:
        return ssl.PEM_cert_to_DER_cert(cert.read_text())


def openssl_pin(openssl: str, cert: Path) -> str:
    """The pin a trainer computes: public key out of the certificate, DER, SHA-256, base64."""
    public = run(openssl, "x509", "-in", str(cert), "-pubkey", "-noout")
    der = run(openssl, "pkey", "-pubin", "-outform", "DER", stdin=public)
    digest = run(openssl, "dgst", "-sha256", "-binary", stdin=der)
    return "sha256/" + base64.b64encode(digest).decode()


# --- nginx -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Logged:
    """One request as nginx logged it."""

    port: int
    uri: str
    status: int
    sent: int
    """``$body_bytes_sent``: body bytes nginx wrote to the connection."""
    range: str
    if_none_match: str
    user_agent: str
    cookie: str


LOG_FORMAT = (
    'log_format fr escape=json \'{"port":"$server_port","uri":"$uri",'
    '"status":"$status","sent":"$body_bytes_sent","range":"$http_range",'
    '"inm":"$http_if_none_match","ua":"$http_user_agent","cookie":"$http_cookie"}\';'
)


@dataclass
class Nginx:
    www: Path
    port: int
    """The mirror: TLS with the server certificate."""
    intercept_port: int
    """The interceptor: TLS with the interceptor's certificate, proxying to :attr:`port`."""
    plain_port: int
    """Plain HTTP, same files."""
    log: Path
    intercept_log: Path
    ca: Path
    _sentinels: Iterator[int]

    def url(self, prefix: str, *, host: str = "127.0.0.1", port: int | None = None) -> str:
        return f"https://{host}:{port or self.port}/{prefix}/"

    def intercepted_url(self, prefix: str) -> str:
        return self.url(prefix, port=self.intercept_port)

    def plain_url(self, prefix: str) -> str:
        return f"http://127.0.0.1:{self.plain_port}/{prefix}/"

    def put(self, prefix: str, path: str, data: bytes) -> None:
        target = self.www / prefix / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def mark(self, *, intercepted: bool = False) -> int:
        """A point in the log after every request made so far (see the module doc)."""
        log = self.intercept_log if intercepted else self.log
        self._sentinel(intercepted)
        return len(log.read_text().splitlines())

    def since(self, mark: int, *, intercepted: bool = False) -> list[Logged]:
        """The requests logged after ``mark`` and before a new sentinel request."""
        name = self._sentinel(intercepted)
        log = self.intercept_log if intercepted else self.log
        lines = log.read_text().splitlines()[mark:]
        found: list[Logged] = []
        for line in lines:
            entry = json.loads(line)
            if entry["uri"].startswith("/sentinel-"):
                if entry["uri"] == name:
                    return found
                continue
            found.append(
                Logged(int(entry["port"]), entry["uri"], int(entry["status"]), int(entry["sent"]),
                       entry["range"], entry["inm"], entry["ua"], entry["cookie"])
            )  # fmt: skip
        pytest.fail("The sentinel request is missing from the log.")

    def _sentinel(self, intercepted: bool) -> str:
        """Request a sentinel and wait until nginx has logged it: every earlier line is there."""
        name = f"/sentinel-{next(self._sentinels)}"
        context = ssl.create_default_context(cafile=str(self.ca))
        port = self.intercept_port if intercepted else self.port
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
        try:
            connection.request("GET", name)
            connection.getresponse().read()
        finally:
            connection.close()
        log = self.intercept_log if intercepted else self.log
        deadline = time.monotonic() + START_LIMIT
        while time.monotonic() < deadline:
            if f'"{name}"' in log.read_text():
                return name
            time.sleep(0.01)
        pytest.fail(f"nginx did not log {name} within {START_LIMIT:g} s.")


NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    log_not_found off;
    server_tokens off;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    keepalive_timeout 30s;
    ssl_protocols TLSv1.2 TLSv1.3;
    {log_format}

    server {{
        listen 127.0.0.1:{port} ssl;
        {listen_v6}
        ssl_certificate {server_cert};
        ssl_certificate_key {server_key};
        access_log {tmp}/access.log fr;
        root {www};
        location /fail503/ {{ return 503; }}
        location /fail500/ {{ return 500; }}
        location /slow/ {{ limit_rate 4k; }}
        location /norange/ {{ max_ranges 0; }}
        location /chunked/ {{ ssi on; ssi_types *; }}
        location /cookie/ {{ add_header Set-Cookie "tracker=reader-42; Path=/"; }}
    }}

    server {{
        listen 127.0.0.1:{intercept_port} ssl;
        ssl_certificate {interceptor_cert};
        ssl_certificate_key {interceptor_key};
        access_log {tmp}/intercept.log fr;
        location / {{
            proxy_pass https://127.0.0.1:{port};
            proxy_ssl_trusted_certificate {ca};
            proxy_ssl_verify on;
            proxy_ssl_name localhost;
            proxy_set_header Host $http_host;
        }}
    }}

    server {{
        listen 127.0.0.1:{plain_port};
        access_log {tmp}/access.log fr;
        root {www};
        location /cookie/ {{ add_header Set-Cookie "tracker=reader-42; Path=/"; }}
    }}
}}
"""


# --- SOCKS5 ----------------------------------------------------------------------------------


@dataclass
class Socks:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def proxy(self) -> str:
        return f"socks5h://127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop(self.process)


# --- a relay that cuts -----------------------------------------------------------------------


class Relay:
    """TCP relay to ``127.0.0.1:target``; the first connection is cut (both ways) once
    ``cut_after`` bytes from the server have been passed on. Records what clients sent.

    :meth:`hold` stops passing bytes on (in both directions) until :meth:`release`: a client
    waits as it would on a stalled network, for exactly as long as the test needs."""

    def __init__(self, target: int, cut_after: int | None = None) -> None:
        self._target = target
        self._cut_after = cut_after
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self.from_clients: list[bytearray] = []
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._flowing = threading.Event()
        self._flowing.set()
        self._listener.settimeout(0.1)
        self._start(self._accept)

    def url(self, prefix: str, scheme: str = "https") -> str:
        return f"{scheme}://127.0.0.1:{self.port}/{prefix}/"

    def hold(self) -> None:
        self._flowing.clear()

    def release(self) -> None:
        self._flowing.set()

    def _start(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self._target), timeout=10)
            except OSError:
                client.close()
                continue
            with self._lock:
                first = not self.from_clients
                sent = bytearray()
                self.from_clients.append(sent)
                self._sockets += [client, upstream]
            for sock in (client, upstream):
                sock.settimeout(30)
            self._start(self._pump, client, upstream, sent, None)
            self._start(self._pump, upstream, client, None, self._cut_after if first else None)

    def _pump(
        self,
        source: socket.socket,
        sink: socket.socket,
        record: bytearray | None,
        limit: int | None,
    ) -> None:
        passed = 0
        try:
            while limit is None or passed < limit:
                data = source.recv(16384 if limit is None else min(16384, limit - passed))
                if not data:
                    break
                if record is not None:
                    record += data
                while not self._flowing.wait(0.1):
                    if self._closed.is_set():
                        return
                sink.sendall(data)
                passed += len(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._closed.set()
        self._flowing.set()
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        for thread in self._threads:
            thread.join(timeout=10)


MakeRelay = Callable[..., Relay]
