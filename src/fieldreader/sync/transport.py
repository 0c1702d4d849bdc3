"""The feed over HTTPS: :class:`MirrorSource`, a :class:`~fieldreader.feed.source.FeedSource`
that fetches from a list of mirrors.

Nothing a mirror sends is trusted: the update engine verifies every byte against the feed's
signatures. The transport's job is to get the bytes there without revealing more than needed
and without giving up too early or too late:

* HTTPS only, verified against the system store (plus an optional CA file), with optional key
  pins per mirror checked before the request is written.
* An optional SOCKS5 proxy (Tor) with remote DNS, or an HTTP proxy that tunnels with CONNECT
  (the system's); if it is down, nothing goes out directly.
* Retries with exponential backoff and full jitter on timeouts, dropped connections and 5xx,
  then the next mirror. The mirror that last answered is asked first next time.
* Downloads resume where they stopped (``Range``), also on the next mirror, since every file
  except ``timestamp.json`` is immutable; across runs through ``fetch(..., already=...)``.
* ``timestamp.json`` is asked for conditionally, so a sync with nothing new costs one small
  exchange.
* Requests carry ``Host``, a fixed ``User-Agent`` and, only when resuming or revalidating,
  ``Range`` or ``If-None-Match``/``If-Modified-Since``; nothing else. No cookies are kept or
  sent, redirects are not followed, and no content encoding is asked for (feed objects are
  compressed already).

The HTTP layer is httpcore, httpx's own connection layer, driven directly: httpx's client adds
cookies, redirects and default headers that this transport must not have, and offers no way to
give its transport the :class:`~fieldreader.sync.network.GuardedBackend` that checks pins before
a request leaves. Several threads may fetch at once (a sync downloads objects in parallel, see
:attr:`TransportConfig.parallel_downloads`): counters, the bandwidth cap and the connection pools
are shared under locks; what belongs to one request stays with its thread.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Self

import httpcore
from socksio.exceptions import SOCKSError

from fieldreader.feed.errors import LengthExceeded, UpdateCancelled
from fieldreader.feed.source import NotInSource, check_feed_path
from fieldreader.sync.config import USER_AGENT, Mirror, TransportConfig, proxy_address
from fieldreader.sync.errors import (
    MirrorFailure,
    MirrorsExhausted,
    ProxyUnavailable,
    TransportError,
)
from fieldreader.sync.network import CANCELLED, GuardedBackend, TransportStats, tls_context

MUTABLE_PATHS = frozenset({"timestamp.json"})
"""Feed paths whose content changes between builds (feed format §2); every other path is
written once, so its bytes can be resumed from any mirror."""
HISTORY_LENGTH = 1000
_DRAIN_LIMIT = 16 * 1024
_MAX_VALIDATOR = 200
_CONTENT_RANGE = re.compile(rb"bytes ([0-9]{1,18})-([0-9]{1,18})/([0-9]{1,18})")
_UNSATISFIED = re.compile(rb"bytes \*/([0-9]{1,18})")
_VALIDATOR = re.compile(rb"[\x21-\x7e][\x20-\x7e]*")
_HTTP_PROXY_ANSWER = re.compile(r"([0-9]{3}) ")
_system_random = secrets.SystemRandom()


@dataclass(frozen=True)
class CachedFile:
    """A mutable file's last full answer from one mirror, for a conditional request."""

    body: bytes
    etag: str | None
    last_modified: str | None


Validators = MutableMapping[str, CachedFile]
"""Conditional-request memory, keyed by the file's URL (mirror base URL + feed path). Pass a
persistent mapping (kept in the encrypted library) to keep it across runs."""


@dataclass(frozen=True)
class RequestRecord:
    """One attempt, for tests, benchmarks and a diagnostics view."""

    mirror: str
    path: str
    status: int | None
    """The HTTP status, or None when no answer came (refused, timed out, pin mismatch)."""
    range_start: int
    """The ``Range`` start sent (0: none)."""
    body_bytes: int


class _Retry(Exception):
    """This attempt failed in a way that may pass: try the same mirror again after a pause."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _MirrorFailed(Exception):
    """This mirror cannot provide the file now; move on to the next one."""

    def __init__(self, error: TransportError) -> None:
        super().__init__(str(error))
        self.error = error


class _Throttle:
    """A token bucket of one second's worth of bytes, refilled at ``rate`` bytes per second."""

    def __init__(
        self, rate: int | None, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        self._rate = rate
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(rate or 0)
        self._last: float | None = None
        self._lock = threading.Lock()

    def account(self, received: int) -> float:
        """Record ``received`` bytes; sleep as long as the cap requires; return the pause.

        Threads downloading at once take turns here, so together they stay under the cap.
        """
        if self._rate is None:
            return 0.0
        with self._lock:
            return self._account(received, self._rate)

    def _account(self, received: int, rate: int) -> float:
        now = self._clock()
        if self._last is not None:
            self._tokens = min(float(rate), self._tokens + (now - self._last) * rate)
        self._last = now
        self._tokens -= received
        if self._tokens >= 0:
            return 0.0
        pause = -self._tokens / rate
        self._sleep(pause)
        return pause


class MirrorSource:
    """A :class:`~fieldreader.feed.source.FeedSource` over HTTPS from the configured mirrors.

    Args:
        config: mirrors, pins, proxy, limits.
        validators: conditional-request memory (see :data:`Validators`); a fresh dict if None.
        sleep: pauses between retries and for the bandwidth cap (tests pass a recorder); by
            default a wait that ends early when the source is aborted.
        random: uniform in [0, 1), for backoff jitter.
        clock: monotonic seconds, for the bandwidth cap and :attr:`TransportConfig.attempt_timeout`.
        stats: counters to add to; shared with the views :meth:`for_mirror` returns.

    Close it (or use it as a context manager) to close its connections.
    """

    def __init__(
        self,
        config: TransportConfig,
        *,
        validators: Validators | None = None,
        sleep: Callable[[float], None] | None = None,
        random: Callable[[], float] = _system_random.random,
        clock: Callable[[], float] = time.monotonic,
        stats: TransportStats | None = None,
    ) -> None:
        self.config = config
        self.stats = stats if stats is not None else TransportStats()
        self.history: deque[RequestRecord] = deque(maxlen=HISTORY_LENGTH)
        """The last :data:`HISTORY_LENGTH` attempts, oldest first."""
        self.last_mirror: str | None = None
        """Base URL of the mirror that served the last successful fetch."""
        self._validators: Validators = {} if validators is None else validators
        # Pauses (backoff, the bandwidth cap) end early when the source is aborted.
        self._sleep = sleep if sleep is not None else self._pause_unless_aborted
        self._random = random
        self._clock = clock
        self._throttle = _Throttle(config.bandwidth_limit, clock, self._sleep)
        self._mirrors = [config.mirror(i) for i in range(len(config.mirrors))]
        self._proxy = proxy_address(config.proxy) if config.proxy is not None else None
        ca_file = str(config.ca_file) if config.ca_file is not None else None
        self._ssl = tls_context(ca_file, config.ca_pem)
        self._pools: dict[int, httpcore.ConnectionPool] = {}
        self._backends: dict[int, GuardedBackend] = {}
        self._owns_pools = True
        self._pools_lock = threading.Lock()
        self._aborted = threading.Event()
        self._this_request = threading.local()  # body bytes of this thread's current request
        self._current = 0
        self._timeouts = {
            "connect": config.connect_timeout,
            "read": config.read_timeout,
            "write": config.read_timeout,
            "pool": config.connect_timeout,
        }

    # --- the FeedSource protocol -------------------------------------------------------------

    def fetch(self, path: str, max_bytes: int, already: bytes = b"") -> bytes:
        """The file at ``path``, at most ``max_bytes`` long, from the first mirror that has it.

        ``already`` resumes a download an earlier run could not finish: the first
        ``len(already)`` bytes of this very file, as a failed fetch left them in
        :attr:`TransportError.partial`. Only a ``Range`` request for the rest is sent; if the
        mirror ignores it, the whole file is fetched again. The caller must keep those bytes
        where the library's content is kept (encrypted), and verifies the result as always;
        a wrong prefix only makes that verification fail. Not allowed for ``timestamp.json``,
        which changes between builds.

        Raises:
            InvalidIdentifier: ``path`` is not a feed path (nothing is sent).
            NotInSource: the mirror that answered does not have the file (404 or 410).
            LengthExceeded: the file is longer than ``max_bytes``; reading stopped there.
            PinMismatch, TlsError: the only mirror presented a wrong key or certificate.
            ProxyUnavailable: the proxy does not answer (other mirrors are not tried: they
                are all behind it).
            MirrorsExhausted: every one of several mirrors failed; says why for each.
            TransportError: the only mirror failed.
        """
        check_feed_path(path)
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative.")
        mutable = path in MUTABLE_PATHS
        if already and mutable:
            raise ValueError(f"{path} changes between builds; it cannot be resumed.")
        if len(already) > max_bytes:
            raise LengthExceeded(f"{path} is larger than the {max_bytes:,} bytes allowed.")
        buffer = bytearray(already)
        failures: list[MirrorFailure] = []
        count = len(self._mirrors)
        for step in range(count):
            index = (self._current + step) % count
            mirror = self._mirrors[index]
            try:
                data = self._from_mirror(index, path, max_bytes, buffer)
            except _MirrorFailed as failed:
                failures.append(MirrorFailure(mirror.url, str(failed.error), type(failed.error)))
                continue
            except ProxyUnavailable as exc:
                exc.partial = b"" if mutable else bytes(buffer)
                raise
            self._current = index
            self.last_mirror = mirror.url
            return data
        partial = b"" if mutable else bytes(buffer)
        if len(failures) == 1:
            only = failures[0]
            raise only.error(f"{only.reason} Mirror {only.mirror}, file {path}.", partial=partial)
        raise MirrorsExhausted(path, failures, partial=partial)

    @property
    def parallel_fetches(self) -> int:
        """How many fetches a caller may run at once on this source (and its views)."""
        return self.config.parallel_downloads

    # --- mirrors -----------------------------------------------------------------------------

    @property
    def mirrors(self) -> tuple[str, ...]:
        """The mirrors' base URLs, in the configured order."""
        return tuple(m.url for m in self._mirrors)

    def for_mirror(self, index: int) -> MirrorSource:
        """A view of this source that uses only ``mirrors[index]``.

        For the caller that retries a whole update on the next mirror when the engine rejects
        what one mirror served (a stale mirror's :class:`~fieldreader.feed.errors.RollbackAttack`
        or :class:`~fieldreader.feed.errors.FreezeAttack`): the transport cannot tell a stale
        mirror from a good one, only verification can. The view shares this source's
        connections, counters and conditional-request memory; closing it closes nothing, close
        this source instead.
        """
        url = self.config.mirrors[index]
        pins = {url: self.config.pins[url]} if url in self.config.pins else {}
        view = MirrorSource(
            dataclasses.replace(self.config, mirrors=(url,), pins=pins),
            validators=self._validators, sleep=self._sleep, random=self._random,
            clock=self._clock, stats=self.stats,
        )  # fmt: skip
        pool = self._pool(index)
        view._pools = {0: pool}
        view._backends = {0: self._backends[index]}
        view._throttle = self._throttle  # one bandwidth cap for the whole sync
        view._aborted = self._aborted
        view._owns_pools = False
        return view

    # --- lifetime ----------------------------------------------------------------------------

    def abort(self) -> None:
        """Stop this source (and its views) from any thread: connections are cut under the
        reads waiting on them, and every fetch from now on raises
        :class:`~fieldreader.feed.errors.UpdateCancelled` without sending anything."""
        with self._pools_lock:
            self._aborted.set()
            backends = list(self._backends.values())
        for backend in backends:
            backend.abort()

    def close(self) -> None:
        """Close every connection this source opened (views: nothing)."""
        if not self._owns_pools:
            return
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
        self._backends.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- counters ----------------------------------------------------------------------------

    @property
    def requests(self) -> int:
        """Request attempts, including those refused before the request was written."""
        return self.stats.requests

    @property
    def bytes_received(self) -> int:
        """Response body bytes read (see :class:`TransportStats`)."""
        return self.stats.bytes_received

    # --- one mirror --------------------------------------------------------------------------

    def _from_mirror(self, index: int, path: str, max_bytes: int, buffer: bytearray) -> bytes:
        attempts = self.config.retries + 1
        reason = ""
        for attempt in range(attempts):
            if attempt:
                self._backoff(attempt)
            if self._aborted.is_set():
                raise UpdateCancelled(CANCELLED)
            if path in MUTABLE_PATHS:
                buffer.clear()
            try:
                data = self._attempt(index, path, max_bytes, buffer)
            except _Retry as retry:
                reason = retry.reason
            except Exception:
                if self._aborted.is_set():
                    # A cut connection fails as whatever it was doing (a handshake, a read):
                    # the person cancelled, and that is what they are told.
                    raise UpdateCancelled(CANCELLED) from None
                raise
            else:
                if self._aborted.is_set():  # a cut can look like the end of a body
                    raise UpdateCancelled(CANCELLED)
                return data
        if self._aborted.is_set():
            raise UpdateCancelled(CANCELLED)
        tries = "once" if attempts == 1 else f"{attempts} times"
        raise _MirrorFailed(TransportError(f"{reason.rstrip('.')} (tried {tries})."))

    def _pause_unless_aborted(self, seconds: float) -> None:
        self._aborted.wait(seconds)

    def _backoff(self, attempt: int) -> None:
        """Full jitter: a uniform pause up to the capped exponential ceiling."""
        ceiling = min(self.config.backoff_max, self.config.backoff_base * 2 ** (attempt - 1))
        self._sleep(ceiling * self._random())

    def _attempt(self, index: int, path: str, max_bytes: int, buffer: bytearray) -> bytes:
        mirror = self._mirrors[index]
        offset = len(buffer)
        cached = self._validators.get(mirror.url + path) if self._conditional(path) else None
        url = httpcore.URL(
            scheme=mirror.scheme.encode("ascii"), host=mirror.host.encode("ascii"),
            port=mirror.port, target=(mirror.base_path + path).encode("ascii"),
        )  # fmt: skip
        status: int | None = None
        self._this_request.body_bytes = 0
        pool = self._pool(index)
        backend = self._backends[index]
        backend.forget_opened()
        self.stats.add(requests=1)
        try:
            with pool.stream(
                b"GET",
                url,
                headers=_request_headers(mirror, offset, cached),
                extensions={"timeout": self._timeouts},
            ) as response:
                status = response.status
                return self._read(
                    response, mirror=mirror, path=path, max_bytes=max_bytes, buffer=buffer,
                    cached=cached,
                )  # fmt: skip
        except ProxyUnavailable:
            backend.close_opened()
            raise
        except TransportError as exc:  # TlsError, PinMismatch: from the backend
            backend.close_opened()
            raise _MirrorFailed(exc) from None
        except (
            httpcore.TimeoutException,
            httpcore.NetworkError,
            httpcore.ProtocolError,
            httpcore.ProxyError,
            httpcore.UnsupportedProtocol,
            SOCKSError,
        ) as exc:
            backend.close_opened()  # a failed connection of this attempt, never a pooled one
            raise _failure(exc) from None
        finally:
            self.history.append(
                RequestRecord(mirror.url, path, status, offset, self._this_request.body_bytes)
            )

    def _read(
        self,
        response: httpcore.Response,
        *,
        mirror: Mirror,
        path: str,
        max_bytes: int,
        buffer: bytearray,
        cached: CachedFile | None,
    ) -> bytes:
        status = response.status
        offset = len(buffer)
        if status == 304:
            if cached is None:
                raise _MirrorFailed(TransportError("The server answered 304 without being asked."))
            self._drain(response)
            return cached.body
        if status in (404, 410):
            self._drain(response)
            raise NotInSource(f"{path} is not on the mirror {mirror.url}.")
        if status in (408, 429) or status >= 500:
            self._drain(response)
            raise _Retry(f"The server answered {_status(status)}.")
        if offset and status == 416:
            total = _match(_UNSATISFIED, _header(response, b"content-range"))
            if total is not None and int(total[0]) == offset:
                self._drain(response)
                return bytes(buffer)  # the earlier attempt got everything
            buffer.clear()
            raise _Retry("The server refused to resume the download.")
        if status == 206 and offset:
            self._check_resumed(response, path, offset, max_bytes, buffer)
        elif status == 200:
            del buffer[:]  # a full answer: start again (also when a Range was ignored)
        else:
            extra = "; redirects are not followed" if 300 <= status < 400 else ""
            raise _MirrorFailed(TransportError(f"The server answered {_status(status)}{extra}."))
        encoding = _header(response, b"content-encoding")
        if encoding is not None and encoding.strip().lower() != b"identity":
            raise _MirrorFailed(TransportError("The server sent an encoding it was not asked for."))
        length = _content_length(response)
        if length is not None and len(buffer) + length > max_bytes:
            raise LengthExceeded(f"{path} is larger than the {max_bytes:,} bytes allowed.")
        self._read_body(response, path, max_bytes, buffer)
        if status == 200 and self._conditional(path):
            self._remember(mirror.url + path, response, bytes(buffer))
        return bytes(buffer)

    def _read_body(
        self, response: httpcore.Response, path: str, max_bytes: int, buffer: bytearray
    ) -> None:
        """Append the body to ``buffer`` in place, so what arrived survives a dropped
        connection; stop one byte past ``max_bytes``."""
        deadline = self._clock() + self.config.attempt_timeout
        for chunk in response.iter_stream():
            self._count_body(len(chunk))
            buffer += chunk[: max_bytes + 1 - len(buffer)]
            if len(buffer) > max_bytes:
                raise LengthExceeded(f"{path} is larger than the {max_bytes:,} bytes allowed.")
            deadline += self._throttle.account(len(chunk))
            if self._clock() > deadline:
                raise _Retry("The server sent the file too slowly.")

    def _check_resumed(
        self, response: httpcore.Response, path: str, offset: int, max_bytes: int,
        buffer: bytearray,
    ) -> None:  # fmt: skip
        found = _match(_CONTENT_RANGE, _header(response, b"content-range"))
        start, end, total = (int(n) for n in found) if found else (-1, -1, -1)
        if start != offset or end != total - 1:
            buffer.clear()
            raise _Retry("The server resumed the download at the wrong place.")
        if total > max_bytes:
            raise LengthExceeded(f"{path} is larger than the {max_bytes:,} bytes allowed.")

    def _drain(self, response: httpcore.Response) -> None:
        """Read a short error page so the connection can be reused (a new TLS handshake costs
        several round trips, many seconds over Tor); drop the connection for a long one."""
        length = _content_length(response)
        if response.status != 304 and (length is None or length > _DRAIN_LIMIT):
            return
        try:
            for chunk in response.iter_stream():
                self._count_body(len(chunk))
        except (httpcore.NetworkError, httpcore.TimeoutException, httpcore.ProtocolError):
            return

    def _count_body(self, received: int) -> None:
        self.stats.add(bytes_received=received)
        self._this_request.body_bytes += received

    def _conditional(self, path: str) -> bool:
        return self.config.conditional_requests and path in MUTABLE_PATHS

    def _remember(self, key: str, response: httpcore.Response, body: bytes) -> None:
        etag = _validator(_header(response, b"etag"))
        modified = _validator(_header(response, b"last-modified"))
        if etag is None and modified is None:
            self._validators.pop(key, None)
        else:
            self._validators[key] = CachedFile(body, etag, modified)

    def _pool(self, index: int) -> httpcore.ConnectionPool:
        with self._pools_lock:
            pool = self._pools.get(index)
            if pool is None:
                pool = self._new_pool(index)
            return pool

    def _new_pool(self, index: int) -> httpcore.ConnectionPool:
        mirror = self._mirrors[index]
        connections = max(2, self.config.parallel_downloads)
        http_proxy = (self.config.proxy or "").startswith("http://")
        backend = GuardedBackend(
            pins=self.config.pin_digests(mirror.url), proxy=self._proxy,
            io_timeout=self.config.read_timeout, stats=self.stats, socks=not http_proxy,
        )  # fmt: skip
        if self._proxy is None:
            pool = httpcore.ConnectionPool(
                ssl_context=self._ssl, max_connections=connections, keepalive_expiry=60.0,
                network_backend=backend,
            )  # fmt: skip
        elif http_proxy:
            host, port = self._proxy
            pool = httpcore.HTTPProxy(
                proxy_url=httpcore.URL(
                    scheme=b"http", host=host.encode("ascii"), port=port, target=b"/"
                ),
                ssl_context=self._ssl, max_connections=connections, keepalive_expiry=60.0,
                network_backend=backend,
            )  # fmt: skip
        else:
            host, port = self._proxy
            pool = httpcore.SOCKSProxy(
                proxy_url=httpcore.URL(
                    scheme=b"socks5", host=host.encode("ascii"), port=port, target=b"/"
                ),
                ssl_context=self._ssl, max_connections=connections, keepalive_expiry=60.0,
                network_backend=backend,
            )  # fmt: skip
        if self._aborted.is_set():
            backend.abort()
        self._pools[index] = pool
        self._backends[index] = backend
        return pool


def _request_headers(
    mirror: Mirror, offset: int, cached: CachedFile | None
) -> list[tuple[bytes, bytes]]:
    headers = [(b"Host", mirror.host_header.encode("ascii")), (b"User-Agent", USER_AGENT.encode())]
    if offset:
        headers.append((b"Range", f"bytes={offset}-".encode("ascii")))
    if cached is not None and cached.etag is not None:
        headers.append((b"If-None-Match", cached.etag.encode("ascii")))
    if cached is not None and cached.last_modified is not None:
        headers.append((b"If-Modified-Since", cached.last_modified.encode("ascii")))
    return headers


_RETRY_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (httpcore.TimeoutException, "The server did not answer in time."),
    (httpcore.ConnectError, "No connection to the server could be made."),
    (httpcore.NetworkError, "The connection dropped."),
    (httpcore.RemoteProtocolError, "The connection dropped."),
)


def _failure(exc: Exception) -> Exception:
    """What a connection-level failure means: retry, next mirror, or no proxy."""
    for kind, reason in _RETRY_REASONS:
        if isinstance(exc, kind):
            return _Retry(reason)
    if isinstance(exc, httpcore.ProxyError):
        text = str(exc)
        if text.startswith("Proxy Server could not connect"):  # the proxy's reply code
            why = text.partition(": ")[2].rstrip(".").lower() or "no reason given"
            return _Retry(f"The proxy could not reach the mirror ({why}).")
        return _refused_by_proxy(text)
    if isinstance(exc, SOCKSError):
        return ProxyUnavailable("The proxy does not speak SOCKS5.")
    return _MirrorFailed(TransportError("The request could not be made."))


def _refused_by_proxy(text: str) -> Exception:
    """A proxy's refusal; an HTTP proxy's CONNECT answer (``"502 Bad Gateway"``) says more."""
    answer = _HTTP_PROXY_ANSWER.match(text)
    status = int(answer.group(1)) if answer else 0
    if status in (502, 503, 504):
        return _Retry(f"The proxy could not reach the mirror ({_status(status)}).")
    if status == 407:
        return ProxyUnavailable(
            "The proxy asks for a login, which fieldreader does not send; nothing was sent "
            "without it."
        )
    return ProxyUnavailable("The proxy refused to carry the connection.")


def _header(response: httpcore.Response, name: bytes) -> bytes | None:
    for key, value in response.headers:
        if key.lower() == name:
            return value
    return None


def _content_length(response: httpcore.Response) -> int | None:
    value = _header(response, b"content-length")
    return int(value) if value is not None and value.isdigit() and len(value) <= 18 else None


def _match(pattern: re.Pattern[bytes], value: bytes | None) -> tuple[bytes, ...] | None:
    found = pattern.fullmatch(value.strip()) if value is not None else None
    return found.groups() if found else None


def _validator(value: bytes | None) -> str | None:
    """A validator fit to send back: printable ASCII, short; anything else is not kept."""
    if value is None or len(value) > _MAX_VALIDATOR or not _VALIDATOR.fullmatch(value):
        return None
    return value.decode("ascii")


def _status(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)
