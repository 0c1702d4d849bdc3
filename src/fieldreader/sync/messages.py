"""What to tell the person when a sync fails, and how long ago the last one was.

The transport and the engine raise typed errors whose messages are exact but technical
("No mirror could provide the feed. https://...: The server answered 503 (tried 3 times)").
Someone in a hotel lobby needs one calm sentence that says what happened and whether their
library changed; this module picks that sentence from the error's type, never from its text,
so a new wording in the transport cannot change what the person is told. The per-mirror
reasons stay available as details for a trainer.

The desktop reader shows these sentences translated (its own copy of each, checked against
this one by the tests); :attr:`SyncMessage.text` is the English original.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from fieldreader.errors import FieldreaderError
from fieldreader.feed.errors import (
    ChannelKeyMissing,
    DecryptionFailed,
    FeedError,
    FreezeAttack,
    RollbackAttack,
    UnsupportedFormat,
    WrongFeed,
)
from fieldreader.store.errors import DiskFull, StoreError
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


class Problem(Enum):
    """Why a sync did not complete, as the person needs to tell it apart."""

    CANCELLED = "cancelled"
    INTERCEPTED = "intercepted"
    TOR_NOT_RUNNING = "tor-not-running"
    PROXY_UNREACHABLE = "proxy-unreachable"
    NO_SECURE_CONNECTION = "no-secure-connection"
    UNREACHABLE = "unreachable"
    OLDER_CONTENT = "older-content"
    REFUSED = "refused"
    NOT_ON_MIRROR = "not-on-mirror"
    WRONG_FEED = "wrong-feed"
    NEWER_FORMAT = "newer-format"
    NOT_TRUSTED = "not-trusted"
    CHANNEL_KEY = "channel-key"
    PROFILE = "profile"
    DISK_FULL = "disk-full"
    LIBRARY = "library"
    UNEXPECTED = "unexpected"


SENTENCES: dict[Problem, str] = {
    Problem.CANCELLED: (
        "Sync cancelled. Your library was not changed; what already arrived is kept, so the "
        "next sync continues from there."
    ),
    Problem.INTERCEPTED: (
        "The connection is being intercepted: the server's certificate is not the expected "
        "one. Nothing was changed."
    ),
    Problem.TOR_NOT_RUNNING: (
        "Tor is not running, and this profile syncs only through Tor: nothing was sent. Start "
        "Tor (or the Tor Browser) and sync again."
    ),
    Problem.PROXY_UNREACHABLE: (
        "The proxy this profile uses is not reachable: nothing was sent without it. Nothing "
        "was changed."
    ),
    Problem.NO_SECURE_CONNECTION: (
        "No secure connection could be set up with the mirror; the network may be interfering. "
        "Nothing was changed."
    ),
    Problem.UNREACHABLE: (
        "No mirror could be reached. Check your connection and try again later; nothing was "
        "changed."
    ),
    Problem.OLDER_CONTENT: (
        "A mirror offered older content than you have (it may be out of date, or someone may "
        "be holding back updates). It was refused; nothing was changed."
    ),
    Problem.REFUSED: (
        "The content offered does not match its publisher's signatures, so it was refused. "
        "Nothing was changed."
    ),
    Problem.NOT_ON_MIRROR: (
        "The mirror does not hold the feed at the address in your profile. Nothing was changed."
    ),
    Problem.WRONG_FEED: (
        "The mirror serves a different feed from the one this library follows. Nothing was changed."
    ),
    Problem.NEWER_FORMAT: (
        "The feed uses a format this version of fieldreader does not know. Nothing was "
        "changed; ask your trainer for a newer version."
    ),
    Problem.NOT_TRUSTED: (
        "Your profile does not say which publisher keys to trust for this feed. Nothing was "
        "changed; ask your trainer for a complete profile."
    ),
    Problem.CHANNEL_KEY: (
        "A channel key in your profile does not open the restricted content it is for. "
        "Nothing was changed; ask your trainer for the right key."
    ),
    Problem.PROFILE: "The sync profile cannot be used: %1",
    Problem.DISK_FULL: (
        "The disk is full, so the update could not be saved. Nothing was changed; free some "
        "space and sync again."
    ),
    Problem.LIBRARY: "The library could not take the update: %1 Nothing was changed.",
    Problem.UNEXPECTED: (
        "The sync stopped because of an unexpected error (%1). Nothing was changed."
    ),
}
"""The English sentence for each problem; ``%1`` is replaced by :attr:`SyncMessage.args`."""


@dataclass(frozen=True)
class SyncMessage:
    problem: Problem
    args: tuple[str, ...] = ()
    """Values for the ``%1``... placeholders (a profile's own error sentence, an error's kind)."""
    details: tuple[str, ...] = ()
    """One line per mirror that failed, with the transport's reason: for the trainer who
    sets up the mirrors, not for the headline. Mirrors are named by their configured URL,
    which never carries credentials."""

    @property
    def text(self) -> str:
        return fill(SENTENCES[self.problem], self.args)


def fill(template: str, args: tuple[str, ...]) -> str:
    """Replace ``%1``, ``%2``... the way the Qt layer does, so both read the same templates."""
    for number, value in reversed(list(enumerate(args, start=1))):
        template = template.replace(f"%{number}", value)
    return template


def describe_failure(exc: BaseException, proxy: str | None = None) -> SyncMessage:
    """The sentence for a sync that raised ``exc``.

    Args:
        exc: what :func:`~fieldreader.sync.engine.sync_library` (or the profile) raised.
        proxy: the profile's proxy setting ("tor", "tor-browser", a socks5h URL or None): an
            unreachable Tor is worth naming, it is the one the person can start themselves.
    """
    details: tuple[str, ...] = ()
    if isinstance(exc, MirrorsExhausted):
        details = tuple(f"{f.mirror}: {f.reason}" for f in exc.failures)
        problem = _worst(exc.failures, proxy)
    else:
        problem = _problem(type(exc), proxy)
    if problem in (Problem.PROFILE, Problem.LIBRARY):
        # Our own errors' messages are plain sentences safe to show (see fieldreader.errors).
        return SyncMessage(problem, (str(exc),), details)
    if problem is Problem.UNEXPECTED:
        # Only the kind: the message of an error we did not make could hold anything.
        return SyncMessage(problem, (type(exc).__name__,), details)
    return SyncMessage(problem, (), details)


_PRIORITY = (
    Problem.INTERCEPTED,
    Problem.TOR_NOT_RUNNING,
    Problem.PROXY_UNREACHABLE,
    Problem.REFUSED,
    Problem.OLDER_CONTENT,
    Problem.NO_SECURE_CONNECTION,
    Problem.PROFILE,
    Problem.UNREACHABLE,
)


def _worst(failures: tuple[MirrorFailure, ...], proxy: str | None) -> Problem:
    """One sentence for several mirrors: the one the person most needs to hear.

    An interception on any mirror outranks everything (someone is on the path); then a
    proxy that is down (every mirror is behind it); then content refused by verification;
    then plain outages.
    """
    found = {_problem(f.refused or f.error, proxy) for f in failures}
    return next((p for p in _PRIORITY if p in found), Problem.UNREACHABLE)


@functools.cache
def _feed_problems() -> tuple[tuple[type[BaseException], Problem], ...]:
    """First match wins: subclasses before their parents.

    Built on first use: the feed engine and the profile reader it names are not needed
    until a sync has failed, and the reader starts faster without them."""
    from fieldreader.feed.errors import UpdateCancelled  # noqa: PLC0415
    from fieldreader.feed.source import NotInSource  # noqa: PLC0415
    from fieldreader.feed.update import ChannelKeyUnchecked, NotTrusted  # noqa: PLC0415
    from fieldreader.profile import ProfileError  # noqa: PLC0415

    return (
        (UpdateCancelled, Problem.CANCELLED),
        (PinMismatch, Problem.INTERCEPTED),
        (UntrustedCertificate, Problem.INTERCEPTED),
        (ProxyUnavailable, Problem.PROXY_UNREACHABLE),
        (TlsError, Problem.NO_SECURE_CONNECTION),
        (TransportConfigError, Problem.PROFILE),
        (TransportError, Problem.UNREACHABLE),
        (RollbackAttack, Problem.OLDER_CONTENT),
        (FreezeAttack, Problem.OLDER_CONTENT),
        (NotTrusted, Problem.NOT_TRUSTED),
        (ChannelKeyUnchecked, Problem.CHANNEL_KEY),
        (ChannelKeyMissing, Problem.CHANNEL_KEY),
        # Signed bytes that do not open with the profile's key: the key is wrong, not the feed.
        (DecryptionFailed, Problem.CHANNEL_KEY),
        (WrongFeed, Problem.WRONG_FEED),
        (UnsupportedFormat, Problem.NEWER_FORMAT),
        (NotInSource, Problem.NOT_ON_MIRROR),
        # Bad signatures, unmet thresholds, unknown keys, hashes, lengths, malformed metadata.
        (FeedError, Problem.REFUSED),
        (ProfileError, Problem.PROFILE),
        (DiskFull, Problem.DISK_FULL),
        (StoreError, Problem.LIBRARY),
        (FieldreaderError, Problem.LIBRARY),
    )


def _problem(kind: type[BaseException], proxy: str | None) -> Problem:
    found = next((p for k, p in _feed_problems() if issubclass(kind, k)), Problem.UNEXPECTED)
    if found is Problem.PROXY_UNREACHABLE and proxy in ("tor", "tor-browser"):
        return Problem.TOR_NOT_RUNNING
    return found


# --- time and size, in words -------------------------------------------------------------------


class Unit(Enum):
    JUST_NOW = "just-now"
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"


@dataclass(frozen=True)
class Since:
    """How long ago, rounded down to the largest unit that fits ("2 hours ago")."""

    count: int
    unit: Unit


def time_since(then: datetime, now: datetime) -> Since:
    """``then`` relative to ``now``. A time in the future (a clock set back since) reads as
    "just now" rather than as a negative age."""
    seconds = int((now - then).total_seconds())
    if seconds < 60:
        return Since(0, Unit.JUST_NOW)
    if seconds < 3600:
        return Since(seconds // 60, Unit.MINUTES)
    if seconds < 86400:
        return Since(seconds // 3600, Unit.HOURS)
    return Since(seconds // 86400, Unit.DAYS)


def parse_time(text: str | None) -> datetime | None:
    """An ISO time as the service stores it; None for nothing or something unreadable (an old
    or damaged value must not break the panel)."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def size_text(count: int) -> str:
    """Bytes as a person reads them on a metered connection: "820 B", "340 KB", "2.4 MB".

    Decimal units (1 KB = 1,000 bytes), as mobile data plans count them.
    """
    if count < 1000:
        return f"{count} B"
    if count < 1_000_000:
        return f"{count // 1000} KB"
    if count < 10_000_000:
        return f"{count / 1_000_000:.1f} MB"
    return f"{count // 1_000_000} MB"


__all__ = [
    "SENTENCES",
    "Problem",
    "Since",
    "SyncMessage",
    "Unit",
    "describe_failure",
    "fill",
    "parse_time",
    "size_text",
    "time_since",
]
