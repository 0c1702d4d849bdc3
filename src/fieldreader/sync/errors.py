"""Why fetching from the mirrors failed.

Every failure of the transport is a :class:`TransportError`, itself a
:class:`~fieldreader.feed.errors.FeedError`, so the update engine and the UI handle a dead
network like any other reason a sync could not complete: nothing is applied. Messages are plain
sentences safe to show and to log; they name a mirror by its configured base URL (which may not
carry credentials, see :class:`~fieldreader.sync.config.TransportConfig`) and never include
response bodies, cookies or keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fieldreader.feed.errors import FeedError


class TransportError(FeedError):
    """The file could not be fetched: a mirror, the network or the proxy failed."""

    def __init__(self, message: str, *, partial: bytes = b"") -> None:
        super().__init__(message)
        self.partial = partial
        """The first bytes of the file that did arrive before the failure, for a later
        ``MirrorSource.fetch(path, max_bytes, already=partial)``; empty when nothing can be
        resumed. Never part of the message."""


class TransportConfigError(TransportError):
    """The transport settings are unusable (a plain-HTTP mirror, a malformed pin or proxy)."""


class TlsError(TransportError):
    """The secure connection could not be set up or its certificate did not verify."""


class PinMismatch(TlsError):
    """The server's key is not one of the keys pinned for the mirror: an interception."""


class UntrustedCertificate(TlsError):
    """The server's certificate does not verify against the trusted authorities (or is for
    another name): most often an interception, sometimes a misconfigured mirror."""


class ProxyUnavailable(TransportError):
    """The configured proxy does not answer; nothing was sent around it."""


@dataclass(frozen=True)
class MirrorFailure:
    """One mirror's last reason for failing, as shown to the person."""

    mirror: str
    """The mirror's base URL as configured (never with credentials)."""
    reason: str
    """A plain sentence: why this mirror could not provide the file."""
    error: type[TransportError]
    """The kind of failure, so a caller can tell an interception from an outage."""
    refused: type[FeedError] | None = None
    """When the mirror answered but verification refused what it served (older or expired
    content, bytes that do not match their signed hash), that reason; None for a transport
    failure."""


class MirrorsExhausted(TransportError):
    """Every mirror failed; :attr:`failures` says why, one entry per mirror in order."""

    def __init__(
        self, path: str, failures: Sequence[MirrorFailure], *, partial: bytes = b""
    ) -> None:
        self.failures = tuple(failures)
        lead = (
            "The connection is being intercepted on at least one mirror. "
            if self.intercepted
            else ""
        )
        detail = "; ".join(f"{f.mirror}: {f.reason.rstrip('.')}" for f in self.failures)
        super().__init__(f"{lead}No mirror could provide {path}. {detail}.", partial=partial)

    @property
    def intercepted(self) -> bool:
        """True when some mirror presented a key that is not pinned for it."""
        return any(issubclass(f.error, PinMismatch) for f in self.failures)
