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

A reader's library keeps its own copy of the profile (:func:`capture_profile`, kept as
:func:`stored_profile_json` in the encrypted library and read back with
:func:`load_stored_profile`): the profile, its root and CA as they were chosen, so the files (and
the channel keys in plain text among them) need not stay on the disk.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import os
import ssl
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from fieldreader.errors import FieldreaderError
from fieldreader.feed.errors import FeedError
from fieldreader.feed.verify import DEFAULT_LIMITS, load_trusted_root
from fieldreader.model import is_valid_id
from fieldreader.sync.config import (
    TOR_BROWSER_PORT,
    TOR_DAEMON_PORT,
    TransportConfig,
    ca_certificates,
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
STORED_FORMAT = 1
"""Version of the JSON a library keeps its profile in (:func:`stored_profile_json`)."""
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
    """Where the CA file was read from (None for a profile kept in a library)."""
    ca_pem: bytes | None = field(default=None, repr=False)
    """The CA file's certificates, read when the profile was: a sync never reads the file
    again, so it can be deleted once a library keeps the profile."""
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
            return dataclasses.replace(config, pins=pins, ca_pem=self.ca_pem)
        proxy = self.proxy
        if proxy == "system":
            proxy = system_proxy(self.mirrors, os.environ if environ is None else environ)
        return TransportConfig(list(self.mirrors), ca_pem=self.ca_pem, pins=pins, proxy=proxy)


@dataclass(frozen=True)
class Profile:
    """A whole provisioning profile, checked."""

    path: Path
    """The profile file (absolute); for a profile kept in a library, where it was read from."""
    feed: FeedProfile
    organisation: str | None = None
    """``[organisation] name``: for the trainer's own bookkeeping and the build's report."""
    idle_lock_minutes: int | None = None
    """``[ui] idle_lock_minutes``: the auto-lock a new library starts with (None: the
    reader's own default)."""
    portable: bool = False
    """``[build] portable``: the trainer's build marks the app portable (all data beside it)."""
    root_file: Path | None = None
    """The file ``feed.root`` names (absolute), for the build to copy (None for a profile kept
    in a library)."""


@dataclass(frozen=True)
class CapturedProfile:
    """A profile as read from disk, with the bytes of the profile and of every file it names.

    Everything a library needs to keep the profile itself (:func:`stored_profile_json`):
    each file is read once, so what is kept is exactly what was checked.
    """

    profile: Profile
    toml: bytes = field(repr=False)
    files: Mapping[str, bytes] = field(repr=False)
    """The files the profile names (root, CA), by the name written in the profile."""


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
    return capture_profile(path).profile


def capture_profile(path: Path) -> CapturedProfile:
    """Read and check the profile at ``path`` as :func:`read_profile`, keeping every byte read.

    Raises:
        ProfileError: naming the file and the setting at fault.
    """
    raw = _raw(path)
    files = _DiskFiles(path)
    profile = _parse(path, raw, files)
    return CapturedProfile(profile, raw, dict(files.captured))


def profile_from_bytes(toml: bytes, files: Mapping[str, bytes], name: str) -> Profile:
    """Check a profile given as bytes, with its files by the names it gives them.

    The same checks and messages as :func:`read_profile`; ``name`` stands for the file in
    them (where the profile was first read from). The result names no file on disk.

    Raises:
        ProfileError: naming the profile and the setting at fault.
    """
    path = Path(name)
    if len(toml) > MAX_PROFILE_BYTES:
        raise ProfileError(path, None, "is far larger than a profile")
    return _parse(path, toml, _GivenFiles(path, files))


def stored_profile_json(captured: CapturedProfile, source: str) -> str:
    """The form a library keeps a profile in: one JSON text, ``source`` shown to the reader.

    ``{"format": 1, "toml": "...", "files": {"root.json": "<base64>"}, "source": "..."}``
    """
    return json.dumps(
        {
            "format": STORED_FORMAT,
            "toml": captured.toml.decode("utf-8"),  # checked as UTF-8 when it was read
            "files": {
                name: base64.b64encode(data).decode("ascii")
                for name, data in sorted(captured.files.items())
            },
            "source": source,
        },
        ensure_ascii=False,
    )


def load_stored_profile(text: str) -> tuple[Profile, str]:
    """The profile a library keeps (:func:`stored_profile_json`), checked again, and its source.

    Raises:
        ProfileError: the kept copy is damaged, or (as from :func:`read_profile`) a setting
            in it is wrong.
    """
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raw = None
    source = raw.get("source") if isinstance(raw, dict) else None
    shown = Path(source) if isinstance(source, str) and source else Path("sync profile")
    damaged = ProfileError(
        shown, None, "the copy kept in this library is damaged; choose the profile again"
    )
    if not isinstance(raw, dict) or raw.get("format") != STORED_FORMAT:
        raise damaged
    toml, files = raw.get("toml"), raw.get("files")
    if not isinstance(toml, str) or not isinstance(files, dict):
        raise damaged
    decoded: dict[str, bytes] = {}
    for name, value in files.items():
        if not isinstance(value, str):
            raise damaged
        try:
            decoded[name] = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise damaged from None
    return profile_from_bytes(toml.encode("utf-8"), decoded, str(shown)), str(shown)


class _Files(Protocol):
    """Where the files a profile names come from: beside it on disk, or kept with it."""

    def read(self, setting: str, name: str, limit: int) -> bytes:
        """At most ``limit + 1`` bytes of the file the profile calls ``name``."""
        ...

    def where(self, name: str) -> Path | None:
        """The file on disk, if there is one."""
        ...


class _DiskFiles:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.captured: dict[str, bytes] = {}

    def where(self, name: str) -> Path:
        return (self.path.parent / name).resolve()

    def read(self, setting: str, name: str, limit: int) -> bytes:
        target = self.where(name)
        if not target.is_file():
            raise ProfileError(
                self.path, f"feed.{setting}", f"{name!r} does not exist beside the profile"
            )
        try:
            with target.open("rb") as f:
                data = f.read(limit + 1)
        except OSError as exc:
            raise ProfileError(
                self.path, f"feed.{setting}", f"cannot be read ({exc.strerror})"
            ) from None
        self.captured[name] = data
        return data


class _GivenFiles:
    def __init__(self, path: Path, files: Mapping[str, bytes]) -> None:
        self.path = path
        self.files = files

    def where(self, name: str) -> None:
        return None

    def read(self, setting: str, name: str, limit: int) -> bytes:
        data = self.files.get(name)
        if data is None:
            raise ProfileError(
                self.path, f"feed.{setting}", f"{name!r} is not kept with the profile"
            )
        return data[: limit + 1]


def _parse(path: Path, raw: bytes, files: _Files) -> Profile:
    doc = _decode(path, raw)
    unknown = set(doc) - set(SECTIONS)
    if unknown:
        raise ProfileError(path, sorted(unknown)[0], "unknown section")
    feed = _table(path, doc, "feed", required=True)
    _only(path, "feed", feed, {"root", "mirrors", "pins", "ca_file", "proxy", "channels"})
    root_name = _file_name(path, feed, "root")
    root_data = files.read("root", root_name, DEFAULT_LIMITS.max_root_bytes) if root_name else None
    ca_name = _file_name(path, feed, "ca_file")
    ca_data = files.read("ca_file", ca_name, MAX_CA_FILE_BYTES) if ca_name else None
    feed_profile = FeedProfile(
        mirrors=_mirrors(path, feed),
        root=_root(path, root_name, root_data) if root_name and root_data is not None else None,
        pins=_pins(path, feed),
        ca_file=files.where(ca_name) if ca_name else None,
        ca_pem=_check_ca(path, ca_name, ca_data) if ca_name and ca_data is not None else None,
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
        path=path.resolve() if isinstance(files, _DiskFiles) else path,
        feed=feed_profile,
        organisation=_organisation(path, organisation.get("name")),
        idle_lock_minutes=_minutes(path, ui.get("idle_lock_minutes")),
        portable=portable,
        root_file=files.where(root_name) if root_name else None,
    )


def _raw(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_PROFILE_BYTES + 1)
    except OSError as exc:
        raise ProfileError(path, None, f"cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise ProfileError(path, None, "is far larger than a profile")
    return raw


def _decode(path: Path, raw: bytes) -> dict[str, Any]:
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


def _file_name(path: Path, table: dict[str, Any], name: str) -> str | None:
    value = table.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ProfileError(path, f"feed.{name}", "must be a file name")
    return value


def _root(path: Path, name: str, data: bytes) -> bytes:
    try:
        load_trusted_root(data)
    except FeedError as exc:
        shown = Path(name).name
        raise ProfileError(
            path, "feed.root", f"{shown!r} is not a feed's signed root metadata ({exc})"
        ) from None
    return data


def _check_ca(path: Path, name: str, data: bytes) -> bytes:
    """The CA file's certificates, checked as the transport will load them."""
    shown = Path(name).name
    if len(data) > MAX_CA_FILE_BYTES:
        raise ProfileError(path, "feed.ca_file", f"{shown!r} is far larger than a CA file")
    certificates = ca_certificates(data)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        if certificates:
            context.load_verify_locations(cadata=certificates)
    except (ValueError, ssl.SSLError):
        certificates = ""
    if not certificates:
        raise ProfileError(path, "feed.ca_file", f"{shown!r} holds no PEM certificate")
    return data


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


__all__ = [
    "CapturedProfile",
    "FeedProfile",
    "Profile",
    "ProfileError",
    "capture_profile",
    "load_profile",
    "load_stored_profile",
    "profile_from_bytes",
    "read_profile",
    "stored_profile_json",
]
