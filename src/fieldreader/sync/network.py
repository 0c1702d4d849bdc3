"""Sockets under the HTTP layer: certificate pins, the proxy rule, timeouts, byte counts.

httpcore (httpx's own connection layer) accepts a network backend; this one wraps its standard
synchronous backend so that:

* a pinned mirror's key is checked right after the TLS handshake, before a single byte of the
  request is written, so an interceptor learns nothing beyond the host name it already saw;
* with a proxy configured, the only TCP connection ever opened is to the proxy (a failure to
  reach it is :class:`ProxyUnavailable`, never a direct retry), and host names travel inside
  the SOCKS5 request so no DNS query leaves the machine;
* socket operations that httpcore leaves without a timeout (the SOCKS5 handshake) get the read
  timeout, so a proxy that accepts and then stalls cannot hang a sync;
* TLS failures become :class:`TlsError` with a readable reason;
* :meth:`GuardedBackend.abort` ends every wait at once: reads and writes by cutting their
  connection, and connections still being made (the name lookup, the TCP handshake) because
  those are waited on in short slices that look for the abort.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpcore
from httpcore._backends.sync import SyncStream  # the pinned httpcore's own plain-socket stream

from fieldreader.feed.errors import UpdateCancelled
from fieldreader.sync.config import ca_certificates
from fieldreader.sync.errors import (
    PinMismatch,
    ProxyUnavailable,
    TlsError,
    TransportConfigError,
    TransportError,
    UntrustedCertificate,
)
from fieldreader.sync.pins import CertificateFormatError, spki_sha256

_SOCKS_REPLIES = 2
_ABORT_CHECK_S = 0.05
"""How often a connection being made looks for an abort."""
# What a non-blocking connect answers while the handshake goes on: EINPROGRESS, or on Windows
# WSAEWOULDBLOCK. Elsewhere EWOULDBLOCK (EAGAIN) means no free local port: a failure.
_CONNECTING = {errno.EINPROGRESS, getattr(errno, "WSAEWOULDBLOCK", errno.EINPROGRESS)}
INTERCEPTED = (
    "The connection is being intercepted: the server's certificate is not the expected one."
)


@dataclass
class TransportStats:
    """Counters for tests and benchmarks, shared by a source and its single-mirror views, and by
    the threads that download in parallel (so they change only through :meth:`add`)."""

    requests: int = 0
    """Request attempts: retries, resumes and 404s included, and also attempts that ended
    before the request was written (a refused connection, a pin mismatch)."""
    bytes_received: int = 0
    """Response body bytes read (including short error pages drained to keep a connection)."""
    http_bytes_received: int = 0
    """Bytes of HTTP read (status lines, headers, bodies) plus SOCKS replies; TLS records and
    handshakes are not included (they happen inside :mod:`ssl`)."""
    connections: int = 0
    """TCP connections opened (to a mirror, or to the proxy)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(
        self,
        *,
        requests: int = 0,
        bytes_received: int = 0,
        http_bytes_received: int = 0,
        connections: int = 0,
    ) -> None:
        with self._lock:
            self.requests += requests
            self.bytes_received += bytes_received
            self.http_bytes_received += http_bytes_received
            self.connections += connections


def tls_context(ca_file: str | None, ca_pem: bytes | None = None) -> ssl.SSLContext:
    """The system's trust store plus ``ca_file`` and ``ca_pem``; TLS 1.2 or newer; never a
    key log.

    Built as :func:`ssl.create_default_context` builds a client context (certificate and host
    name verification, the system's CA store), but without its last step: that function opens
    the file named by the ``SSLKEYLOGFILE`` environment variable and logs every session key
    of the sync there in clear. Setting it to None afterwards stops the logging, yet the file
    is already created; so the context is made here directly.

    ``ca_pem`` is a CA file's bytes (a profile kept in the library): loaded from memory, so no
    copy of it is ever written to disk.

    Raises:
        TransportConfigError: ``ca_file`` cannot be read, or it or ``ca_pem`` holds no
            certificate.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "no PEM"
            raise TransportConfigError(
                f"The CA file {ca_file!r} cannot be used ({reason})."
            ) from None
    if ca_pem is not None:
        try:
            context.load_verify_locations(cadata=ca_certificates(ca_pem))
        except (ValueError, ssl.SSLError):
            raise TransportConfigError(
                "The profile's CA certificates cannot be used (no valid PEM certificate)."
            ) from None
    return context


CANCELLED = "The sync was cancelled; the library is unchanged."


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend with pins, the proxy rule and counters (module doc)."""

    def __init__(
        self,
        *,
        pins: frozenset[bytes],
        proxy: tuple[str, int] | None,
        io_timeout: float,
        stats: TransportStats,
        socks: bool = True,
    ) -> None:
        self._inner = httpcore.SyncBackend()
        self._pins = pins
        self._proxy = proxy
        self._socks = socks
        """The proxy speaks SOCKS5 (False: an HTTP proxy, whose CONNECT answer is HTTP)."""
        self._io_timeout = io_timeout
        self._stats = stats
        self._local = threading.local()
        self._live: set[GuardedStream] = set()
        self._live_lock = threading.Lock()
        self._aborted = False

    @property
    def opened(self) -> list[httpcore.NetworkStream]:
        """Streams this thread opened since :meth:`forget_opened`, so a caller can close those a
        failed connection leaves behind (httpcore 1.0 drops a SOCKS5 stream unclosed when its
        handshake fails). Per thread: another download's new connection is not this one's."""
        streams: list[httpcore.NetworkStream] = self._local.__dict__.setdefault("streams", [])
        return streams

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        if self._aborted:
            raise UpdateCancelled(CANCELLED)
        if self._proxy is not None and (host.strip("[]").lower(), port) != self._proxy:
            # httpcore's SOCKS pool never does this; the check makes "fail closed" a property
            # of this class rather than of a dependency's internals.
            raise ProxyUnavailable("Refusing to connect to a mirror around the proxy.")
        self._stats.add(connections=1)
        try:
            stream = self._connect(host, port, timeout, local_address, socket_options)
        except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
            if self._proxy is None:
                raise
            timed_out = isinstance(exc, httpcore.ConnectTimeout)
            why = "it did not answer in time" if timed_out else "the connection failed"
            raise ProxyUnavailable(_proxy_message(self._proxy, why)) from None
        guarded = GuardedStream(
            stream, self, socks_replies_due=_SOCKS_REPLIES if self._proxy and self._socks else 0
        )
        self.opened.append(guarded)
        return guarded

    def _connect(
        self,
        host: str,
        port: int,
        timeout: float | None,
        local_address: str | None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None,
    ) -> httpcore.NetworkStream:
        """What httpcore's own backend does (:func:`socket.create_connection`), but ended at
        once by :meth:`abort`: a mirror that never answers the handshake, or a name lookup
        that hangs, would otherwise hold a lock or a quit for the whole connect timeout.

        As there, each address gets the whole timeout in turn, so a mirror whose first address
        drops the handshake (IPv6 blocked somewhere on the way) is still reached by the next.
        """
        limit = self.timeout(timeout)
        timed_out, failure = False, "no address"
        for family, kind, proto, _, address in self._resolve(host, port, limit):
            deadline = time.monotonic() + limit
            try:
                sock = socket.socket(family, kind, proto)
            except OSError as exc:  # a family this system has switched off, no descriptor left
                failure = exc.strerror or "no socket"
                continue
            try:
                if local_address is not None:
                    sock.bind((local_address, 0))
                self._handshake(sock, address, deadline)
                for option in socket_options or ():
                    sock.setsockopt(*option)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except httpcore.ConnectTimeout:
                sock.close()
                timed_out, failure = True, "timed out"
                continue
            except OSError as exc:
                sock.close()
                timed_out, failure = False, exc.strerror or "connection failed"
                continue
            except BaseException:
                sock.close()
                raise
            return SyncStream(sock)
        if timed_out:
            raise httpcore.ConnectTimeout("the connection was not made in time")
        raise httpcore.ConnectError(failure)

    def _resolve(self, host: str, port: int, limit: float) -> list[Any]:
        """The addresses of ``host``; looked up on a thread of its own, since a lookup cannot
        be interrupted (an abandoned one ends by itself, and its answer is dropped)."""
        name = host.strip("[]")
        found: list[Any] = []
        failed: list[OSError] = []
        done = threading.Event()

        def lookup() -> None:
            try:
                found.extend(socket.getaddrinfo(name, port, type=socket.SOCK_STREAM))
            except OSError as exc:
                failed.append(exc)
            finally:
                done.set()

        try:
            ipaddress.ip_address(name)
        except ValueError:
            threading.Thread(target=lookup, name="fieldreader-lookup", daemon=True).start()
            deadline = time.monotonic() + limit
            while not done.wait(_ABORT_CHECK_S):
                self._check_connecting(deadline)
        else:
            lookup()  # an address already: nothing to wait for
        if failed:
            raise httpcore.ConnectError(f"the name {host} could not be looked up")
        return found

    def _handshake(self, sock: socket.socket, address: Any, deadline: float) -> None:  # noqa: ANN401
        sock.setblocking(False)
        code = sock.connect_ex(address)
        if code in _CONNECTING:
            # A selector, not select(): that fails outright on descriptors above 1023.
            with selectors.DefaultSelector() as selector:
                selector.register(sock, selectors.EVENT_WRITE)
                while code in _CONNECTING:
                    self._check_connecting(deadline)
                    wait = min(_ABORT_CHECK_S, max(0.0, deadline - time.monotonic()))
                    if selector.select(wait):
                        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            raise OSError(code, os.strerror(code))
        sock.setblocking(True)

    def _check_connecting(self, deadline: float) -> None:
        if self._aborted:
            raise UpdateCancelled(CANCELLED)
        if time.monotonic() >= deadline:
            raise httpcore.ConnectTimeout("the connection was not made in time")

    def forget_opened(self) -> None:
        self.opened.clear()

    def abort(self) -> None:
        """Cut every connection open now and refuse new ones; a read waiting on one of them
        (a TLS handshake included) fails at once. Safe from any thread: the sockets are only
        shut down, each stream is still closed by the thread that uses it."""
        with self._live_lock:
            self._aborted = True
            for stream in self._live:
                stream.cut()

    def _track(self, stream: GuardedStream, live: bool) -> None:
        with self._live_lock:
            if not live:
                self._live.discard(stream)
            elif self._aborted:  # connected while the abort was cutting the others
                stream.cut()
            else:
                self._live.add(stream)

    def close_opened(self) -> None:
        """Close every stream opened since :meth:`forget_opened` (after a failed attempt)."""
        for stream in self.opened:
            stream.close()
        self.opened.clear()

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise TransportError("Mirrors are reached over TCP only.")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def timeout(self, given: float | None) -> float:
        """``given``, or the read timeout where httpcore would wait without limit."""
        return self._io_timeout if given is None else given

    def check_pins(self, stream: httpcore.NetworkStream) -> None:
        """Refuse the connection unless the peer's key is pinned (when the mirror has pins)."""
        if not self._pins:
            return
        ssl_object: Any = stream.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(True) if ssl_object is not None else None
        if not isinstance(der, bytes):
            raise TlsError("The server presented no certificate to check against the pins.")
        try:
            digest = spki_sha256(der)
        except CertificateFormatError:
            raise TlsError("The server's certificate could not be read to check its key.") from None
        if digest not in self._pins:
            raise PinMismatch(INTERCEPTED)


class GuardedStream(httpcore.NetworkStream):
    """A socket stream that counts bytes, bounds waits and checks pins after TLS.

    On a proxy connection, a failure before the proxy's two SOCKS5 replies (method selection,
    then CONNECT; no authentication is offered) is the proxy's: :class:`ProxyUnavailable`.
    """

    def __init__(
        self,
        inner: httpcore.NetworkStream,
        backend: GuardedBackend,
        *,
        socks_replies_due: int = 0,
        cutter: socket.socket | None = None,
    ) -> None:
        self._inner = inner
        self._backend = backend
        self._socks_due = socks_replies_due
        self._cutter = cutter if cutter is not None else _duplicate(inner.get_extra_info("socket"))
        """A duplicate of the connection's socket, ours alone, for :meth:`cut`: the stream's
        own socket object can be closed, or taken over by a TLS handshake, at any moment on
        the thread that uses it, and its number handed to something else."""
        backend._track(self, live=True)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            data = self._inner.read(max_bytes, self._backend.timeout(timeout))
        except (httpcore.ReadError, httpcore.ReadTimeout) as exc:
            self._proxy_failed(exc)
            raise
        if self._socks_due:
            if not data:
                self._proxy_failed(None)
            self._socks_due -= 1
        self._backend._stats.add(http_bytes_received=len(data))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._inner.write(buffer, self._backend.timeout(timeout))
        except (httpcore.WriteError, httpcore.WriteTimeout) as exc:
            self._proxy_failed(exc)
            raise

    def _proxy_failed(self, exc: Exception | None) -> None:
        """Raise :class:`ProxyUnavailable` if this happened during the SOCKS5 handshake."""
        proxy = self._backend._proxy
        if not self._socks_due or proxy is None:
            return
        self.close()
        timed_out = isinstance(exc, httpcore.ReadTimeout | httpcore.WriteTimeout)
        why = "it did not answer in time" if timed_out else "it closed the connection"
        raise ProxyUnavailable(
            _proxy_message(proxy, f"{why} during the SOCKS5 handshake")
        ) from None

    def close(self) -> None:
        self._backend._track(self, live=False)
        if self._cutter is not None:
            self._cutter.close()
            self._cutter = None
        self._inner.close()

    def cut(self) -> None:
        """Shut the connection down under whoever is reading or writing on it (see
        :meth:`GuardedBackend.abort`)."""
        if self._cutter is not None:
            with contextlib.suppress(OSError):
                self._cutter.shutdown(socket.SHUT_RDWR)

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        self._socks_due = 0
        try:
            tls = self._inner.start_tls(
                ssl_context, server_hostname, self._backend.timeout(timeout)
            )
        except httpcore.ConnectError as exc:
            raise _tls_error(exc) or exc from None
        # The TLS stream stands for the connection now, and takes the duplicate along.
        self._backend._track(self, live=False)
        cutter, self._cutter = self._cutter, None
        try:
            self._backend.check_pins(tls)
        except TransportError:
            tls.close()
            if cutter is not None:
                cutter.close()
            raise
        return GuardedStream(tls, self._backend, cutter=cutter)

    def get_extra_info(self, info: str) -> Any:  # noqa: ANN401 (httpcore's interface)
        return self._inner.get_extra_info(info)


def _duplicate(sock: object) -> socket.socket | None:
    """A duplicate of a plain socket (a TLS one cannot be duplicated; it never needs to be:
    its stream is given the duplicate made before the handshake)."""
    if not isinstance(sock, socket.socket) or isinstance(sock, ssl.SSLSocket):
        return None
    try:
        return sock.dup()
    except OSError:
        return None


def _tls_error(exc: httpcore.ConnectError) -> TlsError | None:
    """A :class:`TlsError` for a handshake refused for cause; None for a dropped connection."""
    cause = exc.__cause__
    if isinstance(cause, ssl.SSLCertVerificationError):
        detail = cause.verify_message or "not trusted"
        return UntrustedCertificate(
            f"The server's certificate could not be verified ({detail}); the connection may be "
            "intercepted."
        )
    if isinstance(cause, ssl.SSLError) and not isinstance(
        cause, ssl.SSLEOFError | ssl.SSLZeroReturnError | ssl.SSLSyscallError
    ):
        return TlsError(f"No secure connection could be set up ({cause.reason or 'TLS error'}).")
    return None


def _proxy_message(proxy: tuple[str, int], why: str) -> str:
    host, port = proxy
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    hint = " Start Tor (or the Tor Browser) and sync again." if port in (9050, 9150) else ""
    return f"The proxy at {shown} is not reachable ({why}); nothing was sent without it.{hint}"
