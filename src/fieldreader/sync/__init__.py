"""Getting the feed over the network: the transport (HTTPS, pins, proxy, mirrors, retries,
ranges). No Qt here; the update engine in :mod:`fieldreader.feed.update` consumes a
:class:`MirrorSource` like any other :class:`~fieldreader.feed.source.FeedSource`."""

from fieldreader.sync.config import (
    TOR_BROWSER_PORT,
    TOR_DAEMON_PORT,
    USER_AGENT,
    TransportConfig,
    tor_proxy,
)
from fieldreader.sync.errors import (
    MirrorFailure,
    MirrorsExhausted,
    PinMismatch,
    ProxyUnavailable,
    TlsError,
    TransportConfigError,
    TransportError,
    UntrustedCertificate,
)
from fieldreader.sync.network import TransportStats
from fieldreader.sync.pins import certificate_pin, format_pin, parse_pin
from fieldreader.sync.transport import (
    MUTABLE_PATHS,
    CachedFile,
    MirrorSource,
    RequestRecord,
    Validators,
)

__all__ = [
    "MUTABLE_PATHS",
    "TOR_BROWSER_PORT",
    "TOR_DAEMON_PORT",
    "USER_AGENT",
    "CachedFile",
    "MirrorFailure",
    "MirrorSource",
    "MirrorsExhausted",
    "PinMismatch",
    "ProxyUnavailable",
    "RequestRecord",
    "TlsError",
    "TransportConfig",
    "TransportConfigError",
    "TransportError",
    "TransportStats",
    "UntrustedCertificate",
    "Validators",
    "certificate_pin",
    "format_pin",
    "parse_pin",
    "tor_proxy",
]
