"""The library a trainer prepared: checked when the build is made, imported on the first start.

Both ends verify the bundle against the root the profile trusts, with the profile's channels
and channel keys: :func:`check_preload` without a library (the trainer's build), and
:func:`import_preload` into the library just created, through the same engine and checks as
``fieldreader import --trust-root``. The library itself is always made on the person's own
first start, with a fresh master key and identity; a preload carries signed content only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fieldreader.feed.bundle import BundleError, BundleSource, decrypt, is_encrypted
from fieldreader.feed.check import BundleCheck, check_bundle
from fieldreader.feed.update import Progress, UpdateOptions, UpdateResult, update_library
from fieldreader.profile import Profile, ProfileError
from fieldreader.store import Library

MAX_PRELOAD_BYTES = 4 * 1024 * 1024 * 1024


class PreloadError(BundleError):
    """The preload cannot be used with this profile (before any signature is looked at)."""


def read_preload(path: Path, passphrase: str | None = None) -> bytes:
    """The bundle's plain container: decrypted with ``passphrase`` if it is encrypted.

    Raises:
        PreloadError: unreadable, too large, or encrypted without a passphrase.
        BundleError: a wrong passphrase or a damaged encrypted bundle.
    """
    try:
        size = path.stat().st_size
        if size > MAX_PRELOAD_BYTES:
            raise PreloadError(f"{path.name} is larger than a preload may be.")
        data = path.read_bytes()
    except OSError as exc:
        raise PreloadError(f"Cannot read {path.name}: {exc.strerror}") from None
    if is_encrypted(data):
        if passphrase is None:
            raise PreloadError(f"{path.name} is encrypted: its passphrase is needed.")
        data = decrypt(data, passphrase)
    return data


def _trusted_root(profile: Profile) -> bytes:
    if profile.feed.root is None:
        raise ProfileError(profile.path, "feed.root", "is needed to verify a preloaded library")
    return profile.feed.root


def check_preload(profile: Profile, container: bytes, *, now: datetime) -> BundleCheck:
    """Verify a plain bundle as a first import with ``profile`` would.

    Raises:
        ProfileError: the profile names no root.
        FeedError: the bundle does not verify (the subclass says why).
    """
    source = BundleSource(container)
    return check_bundle(
        source,
        _trusted_root(profile),
        now=now,
        channels=profile.feed.channels,
        channel_keys=profile.feed.channel_keys,
        partial=source.partial,
        since=source.since,
    )


def import_preload(
    library: Library,
    profile: Profile,
    bundle: Path,
    *,
    now: datetime,
    progress: Callable[[Progress], None] | None = None,
) -> UpdateResult:
    """Verify ``bundle`` against ``profile``'s root and apply it to ``library`` in one step.

    Raises:
        ProfileError: the profile names no root.
        FeedError: the bundle is unreadable, encrypted, or does not verify; nothing applied.
    """
    source = BundleSource(read_preload(bundle))
    options = UpdateOptions(
        now=now,
        online=False,
        trusted_root=_trusted_root(profile),
        channels=profile.feed.channels,
        channel_keys=profile.feed.channel_keys,
        partial_source=source.partial,
        base_version=source.since,
        progress=progress,
    )
    return update_library(library, source, options)


__all__ = ["PreloadError", "check_preload", "import_preload", "read_preload"]
