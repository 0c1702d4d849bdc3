"""The provisioning profile: a trainer's settings for an organisation, in TOML.

A trainer writes one file per organisation; the sync panel, ``fieldreader sync --profile`` and
the trainer's build (``fieldreader build``) read it. Example::

    [organisation]
    name = "Example Rights Network"      # optional: shown to the trainer, never sent anywhere

    [feed]
    root = "root.json"                  # the feed's root metadata, relative to this file
    mirrors = ["https://feed.example.org/", "https://mirror.example.net/feed/"]
    pins = ["sha256/BASE64..."]         # optional: accept only these server keys
    ca_file = "org-ca.pem"              # optional: the organisation's own CA
    proxy = "tor"                       # "none" (default), "system", "tor", "tor-browser"
                                        # or "socks5h://HOST:PORT"
    channels = ["public", "contacts-af"]  # optional: take only these

    [channel_keys]
    contacts-af = "64 hex characters"

    [ui]
    idle_lock_minutes = 5               # optional: auto-lock default of new libraries (1-240)

    [build]
    portable = true                     # optional: the build keeps every file beside the app

Everything is checked when the file is read, so a wrong setting fails on the trainer's desk with
a sentence naming the file and the setting, not in the field. Nothing is half-applied.
"""

from __future__ import annotations

import dataclasses
import os
import ssl
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldreader.errors import FieldreaderError
from fieldreader.feed.errors import FeedError
from fieldreader.feed.verify import DEFAULT_LIMITS, load_trusted_root
from fieldreader.model import is_valid_id
from fieldreader.sync.config import (
    TOR_BROWSER_PORT,
    TOR_DAEMON_PORT,
    TransportConfig,
    parse_mirror,
    proxy_address,
)
from fieldreader.sync.errors import TransportConfigError
from fieldreader.sync.pins import parse_pin
from fieldreader.sync.system_proxy import system_proxy

MAX_PROFILE_BYTES = 256 * 1024
MAX_CA_FILE_BYTES = 1024 * 1024
MAX_ORGANISATION_CHARS = 120
IDLE_LOCK_RANGE = (1, 240)
"""Minutes, inclusive: the same bounds the reader's settings accept."""
SECTIONS = ("organisation", "feed", "channel_keys", "ui", "build")
PROXY_PRESETS = ("none", "system", "tor", "tor-browser")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates: they can make a name display as something else. (The
joiners Persian spelling needs, U+200C and U+200D, are allowed.)"""


class ProfileError(FieldreaderError):
    """The provisioning profile is missing, unreadable or has a wrong setting."""

    def __init__(self, path: Path, setting: str | None, problem: str) -> None:
        where = f"{path.name}: '{setting}'" if setting else path.name
        self.setting = setting
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class FeedProfile:
    """The ``[feed]`` and ``[channel_keys]`` sections: what a sync needs."""

    mirrors: tuple[str, ...]
    root: bytes | None = None
    pins: tuple[str, ...] = ()
    ca_file: Path | None = None
    proxy: str | None = None
    """None (direct), ``"system"``, ``"tor"``, ``"tor-browser"`` or ``socks5h://HOST:PORT``."""
    channels: tuple[str, ...] | None = None
    channel_keys: dict[str, bytes] = field(default_factory=dict, repr=False)

    def transport(self, environ: Mapping[str, str] | None = None) -> TransportConfig:
        """The transport settings for a sync now.

        ``"system"`` is looked up here, at each sync, not when the profile was read: a laptop
        moves between networks, and the proxy the system names moves with it.

        Args:
            environ: where the system proxy is read from on Linux (the process environment
                by default); tests pass their own.

        Raises:
            TransportConfigError: the system names a proxy this transport cannot use.
        """
        pins = {m: list(self.pins) for m in self.mirrors} if self.pins else {}
        if self.proxy in ("tor", "tor-browser"):
            port = TOR_BROWSER_PORT if self.proxy == "tor-browser" else TOR_DAEMON_PORT
            config = TransportConfig.for_tor(list(self.mirrors), port=port)
            return dataclasses.replace(config, pins=pins, ca_file=self.ca_file)
        proxy = self.proxy
        if proxy == "system":
            proxy = system_proxy(self.mirrors, os.environ if environ is None else environ)
        return TransportConfig(list(self.mirrors), ca_file=self.ca_file, pins=pins, proxy=proxy)


@dataclass(frozen=True)
class Profile:
    """A whole provisioning profile, checked."""

    path: Path
    """The profile file (absolute)."""
    feed: FeedProfile
    organisation: str | None = None
    """``[organisation] name``: for the trainer's own bookkeeping and the build's report."""
    idle_lock_minutes: int | None = None
    """``[ui] idle_lock_minutes``: the auto-lock a new library starts with (None: the
    reader's own default)."""
    portable: bool = False
    """``[build] portable``: the trainer's build marks the app portable (all data beside it)."""
    root_file: Path | None = None
    """The file ``feed.root`` names (absolute), for the build to copy."""


def load_profile(path: Path) -> FeedProfile:
    """The sync settings of the profile at ``path`` (see :func:`read_profile`).

    Raises:
        ProfileError: naming the file and the setting at fault.
    """
    return read_profile(path).feed


def read_profile(path: Path) -> Profile:
    """Read and check every section of the profile at ``path``.

    Raises:
        ProfileError: naming the file and the setting at fault.
    """
    doc = _document(path)
    unknown = set(doc) - set(SECTIONS)
    if unknown:
        raise ProfileError(path, sorted(unknown)[0], "unknown section")
    feed = _table(path, doc, "feed", required=True)
    _only(path, "feed", feed, {"root", "mirrors", "pins", "ca_file", "proxy", "channels"})
    root_file = _file(path, feed, "root")
    ca_file = _file(path, feed, "ca_file")
    feed_profile = FeedProfile(
        mirrors=_mirrors(path, feed),
        root=_root(path, root_file) if root_file else None,
        pins=_pins(path, feed),
        ca_file=_check_ca(path, ca_file) if ca_file else None,
        proxy=_proxy(path, feed.get("proxy", "none")),
        channels=_channels(path, feed),
        channel_keys=_keys(path, doc.get("channel_keys", {})),
    )
    organisation = _table(path, doc, "organisation")
    _only(path, "organisation", organisation, {"name"})
    ui = _table(path, doc, "ui")
    _only(path, "ui", ui, {"idle_lock_minutes"})
    build = _table(path, doc, "build")
    _only(path, "build", build, {"portable"})
    portable = build.get("portable", False)
    if not isinstance(portable, bool):
        raise ProfileError(path, "build.portable", "must be true or false")
    return Profile(
        path=path.resolve(),
        feed=feed_profile,
        organisation=_organisation(path, organisation.get("name")),
        idle_lock_minutes=_minutes(path, ui.get("idle_lock_minutes")),
        portable=portable,
        root_file=root_file,
    )


def _document(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_PROFILE_BYTES + 1)
    except OSError as exc:
        raise ProfileError(path, None, f"cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise ProfileError(path, None, "is far larger than a profile")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(path, None, f"is not valid TOML ({exc})") from None


def _table(path: Path, doc: dict[str, Any], name: str, *, required: bool = False) -> dict[str, Any]:
    value = doc.get(name)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        problem = "a [" + name + "] section is required" if value is None else "must be a section"
        raise ProfileError(path, name, problem)
    return value


def _only(path: Path, section: str, table: dict[str, Any], allowed: set[str]) -> None:
    extra = set(table) - allowed
    if extra:
        raise ProfileError(path, f"{section}.{sorted(extra)[0][:40]}", "unknown setting")


def _strings(
    path: Path, table: dict[str, Any], name: str, *, required: bool = False
) -> tuple[str, ...]:
    value = table.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(path, f"feed.{name}", "must be a list of text")
    if required and not value:
        raise ProfileError(path, f"feed.{name}", "needs at least one entry")
    if len(set(value)) != len(value):
        raise ProfileError(path, f"feed.{name}", "lists the same entry twice")
    return tuple(value)


def _mirrors(path: Path, feed: dict[str, Any]) -> tuple[str, ...]:
    mirrors = _strings(path, feed, "mirrors", required=True)
    for mirror in mirrors:
        if not mirror.startswith("https://"):
            raise ProfileError(path, "feed.mirrors", f"{mirror[:60]!r} is not an https:// address")
        try:
            parse_mirror(mirror)
        except TransportConfigError as exc:
            raise ProfileError(path, "feed.mirrors", _lower_first(str(exc))) from None
    return mirrors


def _pins(path: Path, feed: dict[str, Any]) -> tuple[str, ...]:
    pins = _strings(path, feed, "pins")
    for pin in pins:
        try:
            parse_pin(pin)
        except ValueError as exc:
            raise ProfileError(path, "feed.pins", f"{pin[:60]!r}: {exc}") from None
    return pins


def _channels(path: Path, feed: dict[str, Any]) -> tuple[str, ...] | None:
    channels = _strings(path, feed, "channels")
    for channel in channels:
        if not is_valid_id(channel):
            raise ProfileError(path, "feed.channels", f"{channel[:40]!r} is not a channel name")
    return channels or None


def _file(path: Path, table: dict[str, Any], name: str) -> Path | None:
    value = table.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ProfileError(path, f"feed.{name}", "must be a file name")
    target = (path.parent / value).resolve()
    if not target.is_file():
        raise ProfileError(path, f"feed.{name}", f"{value!r} does not exist beside the profile")
    return target


def _root(path: Path, file: Path) -> bytes:
    try:
        with file.open("rb") as f:
            data = f.read(DEFAULT_LIMITS.max_root_bytes + 1)
    except OSError as exc:
        raise ProfileError(path, "feed.root", f"cannot be read ({exc.strerror})") from None
    try:
        load_trusted_root(data)
    except FeedError as exc:
        raise ProfileError(
            path, "feed.root", f"{file.name!r} is not a feed's signed root metadata ({exc})"
        ) from None
    return data


def _check_ca(path: Path, file: Path) -> Path:
    """A CA file fit for the transport: PEM certificates, read now rather than at sync time."""
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise ProfileError(path, "feed.ca_file", f"cannot be read ({exc.strerror})") from None
    if size > MAX_CA_FILE_BYTES:
        raise ProfileError(path, "feed.ca_file", f"{file.name!r} is far larger than a CA file")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=str(file))
    except (OSError, ssl.SSLError):
        raise ProfileError(
            path, "feed.ca_file", f"{file.name!r} holds no PEM certificate"
        ) from None
    return file


def _proxy(path: Path, value: object) -> str | None:
    if value == "none":
        return None
    if value in PROXY_PRESETS:
        return str(value)
    if isinstance(value, str) and value.startswith(("socks5h://", "socks5://")):
        try:
            proxy_address(value)
        except TransportConfigError:
            raise ProfileError(
                path, "feed.proxy", f"{value[:60]!r} is not of the form socks5h://HOST:PORT"
            ) from None
        return value
    raise ProfileError(
        path, "feed.proxy", "must be none, system, tor, tor-browser or socks5h://HOST:PORT"
    )


def _keys(path: Path, table: object) -> dict[str, bytes]:
    if not isinstance(table, dict):
        raise ProfileError(path, "channel_keys", "must be a table of channel = key")
    keys = {}
    for name, value in table.items():
        if not is_valid_id(name):
            raise ProfileError(path, f"channel_keys.{name[:40]}", "is not a channel name")
        try:
            key = bytes.fromhex(value) if isinstance(value, str) else b""
        except ValueError:
            key = b""
        if len(key) != 32:
            # Never echo the value: it is a secret even when malformed.
            raise ProfileError(path, f"channel_keys.{name}", "must be 64 hex characters")
        keys[name] = key
    return keys


def _organisation(path: Path, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(path, "organisation.name", "must be a non-empty text")
    if len(value) > MAX_ORGANISATION_CHARS:
        raise ProfileError(
            path, "organisation.name", f"is longer than {MAX_ORGANISATION_CHARS} characters"
        )
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in _BIDI_CONTROLS for c in value):
        raise ProfileError(path, "organisation.name", "must be one line of plain text")
    return value.strip()


def _minutes(path: Path, value: object) -> int | None:
    if value is None:
        return None
    low, high = IDLE_LOCK_RANGE
    if type(value) is not int or not low <= value <= high:
        raise ProfileError(
            path, "ui.idle_lock_minutes", f"must be a whole number from {low} to {high}"
        )
    return value


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


__all__ = ["FeedProfile", "Profile", "ProfileError", "load_profile", "read_profile"]
