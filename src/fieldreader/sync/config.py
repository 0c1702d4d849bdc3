"""The transport's settings: one frozen value holding every limit and option.

A trainer's provisioning profile fills it in (mirrors, pins, proxy); everything else has a
default that suits a slow, lossy connection. The values are checked when the object is made, so
a bad profile fails on the trainer's desk with a sentence naming the problem, not in the field
with a stack trace.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import SplitResult, urlsplit

from fieldreader.sync.errors import TransportConfigError
from fieldreader.sync.pins import parse_pin

TOR_DAEMON_PORT = 9050
"""The SOCKS port of the tor daemon (``tor`` service)."""
TOR_BROWSER_PORT = 9150
"""The SOCKS port the Tor Browser opens while it runs."""
USER_AGENT = "fieldreader"
"""Sent on every request. Fixed and without a version, so it says nothing about this machine
beyond what fetching the feed already says; no other identifying header is ever sent."""

MAX_RETRIES = 10
MAX_PARALLEL_DOWNLOADS = 8
MAX_TIMEOUT = 600.0
_PROXY = re.compile(r"(socks5h?|http)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})/?")
_BASE_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*")
_HOST = re.compile(r"[a-z0-9.-]+|[0-9a-f:.]+")
_PEM_CERTIFICATE = re.compile(
    r"-----BEGIN ((?:X509 |TRUSTED )?CERTIFICATE)-----[A-Za-z0-9+/=\s]*-----END \1-----"
)


def tor_proxy(port: int = TOR_DAEMON_PORT) -> str:
    """The proxy URL of a local Tor: :data:`TOR_DAEMON_PORT`, or :data:`TOR_BROWSER_PORT`.

    An address literal, so even the proxy's own name is never looked up.
    """
    return f"socks5h://127.0.0.1:{port}"


@dataclass(frozen=True)
class Mirror:
    """One mirror's base URL, split into what a connection needs."""

    url: str
    """The normalised base URL (ending in ``/``); also how the mirror is named in messages."""
    scheme: str
    host: str
    """Lower-case host name or address literal (without brackets)."""
    port: int
    base_path: str
    """Path prefix ending in ``/``; a feed path is appended to it."""

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback address literals (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_mirror(url: str, *, allow_plain_http_loopback: bool = False) -> Mirror:
    """Check and split a mirror's base URL.

    Raises:
        TransportConfigError: not HTTPS (plain HTTP only to a loopback host when
            ``allow_plain_http_loopback``), credentials, a query or fragment, a bad host or port.
    """
    shown = _shown(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TransportConfigError(f"The mirror {shown} is not a valid URL.") from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise TransportConfigError(
            "A mirror URL may not carry a user name or password; the feed is public and "
            "verified by its signatures."
        )
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host or not _HOST.fullmatch(host) or len(host) > 253:
        raise TransportConfigError(f"The mirror {shown} has no valid host name.")
    if scheme == "http":
        if not (allow_plain_http_loopback and is_loopback_host(host)):
            raise TransportConfigError(
                f"The mirror {shown} uses plain HTTP, which anyone on the network can read and "
                "alter; only https:// mirrors are allowed."
            )
    elif scheme != "https":
        raise TransportConfigError(f"The mirror {shown} is not an https:// URL.")
    if parts.query or parts.fragment or url.rstrip().endswith(("?", "#")):
        raise TransportConfigError(f"The mirror {shown} may not have a query or fragment.")
    path = parts.path or "/"
    if not _BASE_PATH.fullmatch(path):
        raise TransportConfigError(f"The mirror {shown} has characters not allowed in a path.")
    if not path.endswith("/"):
        path += "/"
    if port == 0:
        raise TransportConfigError(f"The mirror {shown} has port 0.")
    port = port or (443 if scheme == "https" else 80)
    return Mirror(_unsplit(parts, scheme, host, port, path), scheme, host, port, path)


def _unsplit(parts: SplitResult, scheme: str, host: str, port: int, path: str) -> str:
    shown_host = f"[{host}]" if ":" in host else host
    explicit = parts.port is not None
    return f"{scheme}://{shown_host}{f':{port}' if explicit else ''}{path}"


def _shown(url: str) -> str:
    """A URL fit for a message: at most 80 characters, anything before an '@' removed."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        rest = rest.split("@", 1)[1]
    return repr(f"{scheme}{sep}{rest}"[:80])


@dataclass(frozen=True)
class TransportConfig:
    """Everything the transport needs to know, checked once when made.

    Raises:
        TransportConfigError: from the constructor, naming the first unusable setting.
    """

    mirrors: Sequence[str]
    """Base URLs of the mirrors, tried in this order; each ``https://host[:port]/path/``. The
    first mirror that answers serves later requests too, until it fails."""
    ca_file: Path | None = None
    """A PEM file of CA certificates trusted *in addition* to the system's store (a private CA
    for an internal mirror). Never replaces the system store."""
    ca_pem: bytes | None = field(default=None, repr=False)
    """The same as :attr:`ca_file`, given as the file's bytes (PEM certificates; text outside
    them is ignored): a profile kept inside the encrypted library needs no file on disk. Both
    may be given; each adds to the system's store."""
    pins: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Per mirror (keyed by its URL exactly as in :attr:`mirrors`), the ``sha256/<base64>``
    pins of keys it may present; list a backup key too. A mirror without pins accepts any
    certificate that verifies; one with pins refuses every other key even if it verifies."""
    proxy: str | None = None
    """``socks5h://HOST:PORT``: every connection goes through it, mirror host names are sent
    to it unresolved (SOCKS5 domain-name addresses; httpcore does this for ``socks5://`` too,
    so both are accepted and mean the same), and if it does not answer nothing is sent
    directly. See :func:`tor_proxy`. ``http://HOST:PORT`` is an HTTP proxy that tunnels each
    connection with ``CONNECT host:port`` (the system's proxy of a profile, see
    :mod:`fieldreader.sync.system_proxy`): TLS and pins still run end to end, and the same
    rules hold (names unresolved, nothing sent around it)."""
    connect_timeout: float = 20.0
    """Seconds for the TCP connection, proxy handshake and TLS handshake, each."""
    read_timeout: float = 30.0
    """Seconds to wait for any single read or write; a silent server fails after this."""
    attempt_timeout: float = 300.0
    """Seconds one request may take in all (not counting :attr:`bandwidth_limit` pauses), so a
    server that trickles bytes cannot hold a sync forever. What arrived is kept: the retry
    resumes with a Range request."""
    retries: int = 2
    """Further attempts on the same mirror after a timeout, a dropped connection or a 5xx/429
    answer (0 to :data:`MAX_RETRIES`), before moving to the next mirror."""
    backoff_base: float = 1.0
    """Seconds: retry ``n`` (from 1) waits a random time between 0 and
    ``min(backoff_max, backoff_base * 2 ** (n - 1))`` ("full jitter", so many readers behind
    one failed mirror do not come back in step)."""
    backoff_max: float = 30.0
    """Seconds: the ceiling of one backoff wait."""
    parallel_downloads: int = 4
    """Feed objects requested at the same time (1 to :data:`MAX_PARALLEL_DOWNLOADS`), each on its
    own kept-alive connection: over a slow link (Tor, a satellite hop) every request waits a
    round trip, and several in flight hide most of that wait. A sync killed outright loses at
    most this many objects that arrived but were not yet verified and staged."""
    bandwidth_limit: int | None = None
    """Bytes per second the transport may read, averaged with a one-second burst, for metered
    links; ``None`` for no limit."""
    conditional_requests: bool = True
    """Remember ``timestamp.json``'s ETag/Last-Modified per mirror and ask "only if changed",
    so a sync that finds nothing new downloads no metadata. A hostile mirror can use these
    validators like a cookie to link one reader's syncs; :meth:`for_tor` turns this off."""
    allow_plain_http_loopback: bool = False
    """Tests only: accept ``http://`` mirrors whose host is ``localhost`` or a loopback
    address. Never set by a profile."""

    def __post_init__(self) -> None:
        if isinstance(self.mirrors, str):
            raise TransportConfigError("mirrors must be a list of URLs, not one string.")
        mirrors = tuple(self.mirrors)
        if not mirrors:
            raise TransportConfigError("At least one mirror is needed to sync.")
        parsed = [parse_mirror(m, allow_plain_http_loopback=self.allow_plain_http_loopback)
                  for m in mirrors]  # fmt: skip
        urls = tuple(m.url for m in parsed)
        if len(set(urls)) != len(urls):
            raise TransportConfigError("The same mirror is listed twice.")
        object.__setattr__(self, "mirrors", urls)
        object.__setattr__(self, "pins", MappingProxyType(self._normalised_pins(mirrors, urls)))
        if self.proxy is not None:
            proxy_address(self.proxy)
        if self.ca_file is not None and not isinstance(self.ca_file, Path):
            object.__setattr__(self, "ca_file", Path(self.ca_file))
        if self.ca_pem is not None and not ca_certificates(self.ca_pem):
            raise TransportConfigError("The CA certificates given hold no PEM certificate.")
        for name in ("connect_timeout", "read_timeout", "attempt_timeout"):
            value = getattr(self, name)
            if not 0 < value <= MAX_TIMEOUT:
                raise TransportConfigError(f"{name} must be between 0 and {MAX_TIMEOUT:g} s.")
        if not 0 <= self.retries <= MAX_RETRIES:
            raise TransportConfigError(f"retries must be between 0 and {MAX_RETRIES}.")
        if not 0 <= self.backoff_base <= self.backoff_max <= MAX_TIMEOUT:
            raise TransportConfigError(
                f"Backoff must satisfy 0 <= backoff_base <= backoff_max <= {MAX_TIMEOUT:g} s."
            )
        if not 1 <= self.parallel_downloads <= MAX_PARALLEL_DOWNLOADS:
            raise TransportConfigError(
                f"parallel_downloads must be between 1 and {MAX_PARALLEL_DOWNLOADS}."
            )
        if self.bandwidth_limit is not None and self.bandwidth_limit < 1024:
            raise TransportConfigError("bandwidth_limit must be at least 1024 bytes per second.")

    def _normalised_pins(
        self, given: tuple[str, ...], urls: tuple[str, ...]
    ) -> dict[str, tuple[str, ...]]:
        by_given = dict(zip(given, urls, strict=True)) | {u: u for u in urls}
        pins: dict[str, tuple[str, ...]] = {}
        for mirror, values in self.pins.items():
            url = by_given.get(mirror)
            if url is None:
                raise TransportConfigError(
                    f"Pins are given for {_shown(mirror)}, which is not one of the mirrors."
                )
            if isinstance(values, str) or not values:
                raise TransportConfigError(f"Pins for {url} must be a non-empty list.")
            for pin in values:
                try:
                    parse_pin(pin)
                except ValueError as exc:
                    raise TransportConfigError(f"A pin for {url}: {exc}") from None
            pins[url] = tuple(values)
        return pins

    def mirror(self, index: int) -> Mirror:
        """The parsed form of ``mirrors[index]``."""
        return parse_mirror(
            self.mirrors[index], allow_plain_http_loopback=self.allow_plain_http_loopback
        )

    def pin_digests(self, url: str) -> frozenset[bytes]:
        """The pinned SPKI digests for the mirror at ``url`` (empty: not pinned)."""
        return frozenset(parse_pin(p) for p in self.pins.get(url, ()))

    @classmethod
    def for_tor(
        cls,
        mirrors: Sequence[str],
        *,
        port: int = TOR_DAEMON_PORT,
        pins: Mapping[str, Sequence[str]] | None = None,
        ca_file: Path | None = None,
        ca_pem: bytes | None = None,
    ) -> TransportConfig:
        """Settings for syncing through a local Tor (daemon on 9050, Tor Browser on 9150).

        Longer timeouts (circuits are slow to build), and no conditional requests: their
        validators could link syncs that Tor otherwise keeps apart. Change anything else with
        :func:`dataclasses.replace`.
        """
        return cls(
            mirrors=mirrors,
            pins=pins or {},
            ca_file=ca_file,
            ca_pem=ca_pem,
            proxy=tor_proxy(port),
            connect_timeout=60.0,
            read_timeout=60.0,
            attempt_timeout=600.0,
            backoff_base=2.0,
            conditional_requests=False,
        )


def ca_certificates(pem: bytes) -> str:
    """The PEM certificate blocks of ``pem``, as the text :mod:`ssl` accepts as ``cadata``.

    A CA file may carry comments, in any encoding, around its certificates (OpenSSL skips them
    when it reads a file); ``cadata`` must be ASCII, so only the blocks are kept. Empty when
    there is none. Whether the blocks hold valid certificates is for :mod:`ssl` to say.
    """
    text = pem.decode("latin-1")
    return "\n".join(m.group(0) for m in _PEM_CERTIFICATE.finditer(text))


def proxy_address(proxy: str) -> tuple[str, int]:
    """``(host, port)`` of a ``socks5h://HOST:PORT`` (or ``http://HOST:PORT``) proxy URL.

    Raises:
        TransportConfigError: another scheme, credentials, a path, or no explicit port.
    """
    match = _PROXY.fullmatch(proxy)
    port = int(match.group(3)) if match else 0
    if match is None or not 0 < port < 65536:
        raise TransportConfigError(
            f"The proxy {_shown(proxy)} is not of the form socks5h://HOST:PORT (a SOCKS5 "
            "proxy that resolves host names itself, such as Tor)."
        )
    return match.group(2).strip("[]").lower(), port
