"""Getting the feed over the network: the transport (HTTPS, pins, proxy, mirrors, retries,
ranges). No Qt here; the update engine in :mod:`fieldreader.feed.update` consumes a
:class:`MirrorSource` like any other :class:`~fieldreader.feed.source.FeedSource`."""

import importlib
from typing import TYPE_CHECKING

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
from fieldreader.sync.pins import certificate_pin, format_pin, parse_pin

if TYPE_CHECKING:
    from fieldreader.sync.network import TransportStats
    from fieldreader.sync.transport import (
        MUTABLE_PATHS,
        CachedFile,
        MirrorSource,
        RequestRecord,
        Validators,
    )

# The transport pulls in httpx and its TLS stack; it is imported on first use, so the reader
# (which imports this package for its connectivity check) starts without it.
_LAZY = {
    "TransportStats": "fieldreader.sync.network",
    "MUTABLE_PATHS": "fieldreader.sync.transport",
    "CachedFile": "fieldreader.sync.transport",
    "MirrorSource": "fieldreader.sync.transport",
    "RequestRecord": "fieldreader.sync.transport",
    "Validators": "fieldreader.sync.transport",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


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
