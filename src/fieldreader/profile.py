"""The provisioning profile: a trainer's settings for an organisation, in TOML.

This part covers what a sync needs; the trainer's build adds more (see the packaging issue).
Example::

    [feed]
    root = "root.json"                  # the feed's root metadata, relative to this file
    mirrors = ["https://feed.example.org/", "https://mirror.example.net/feed/"]
    pins = ["sha256/BASE64..."]         # optional: accept only these server keys
    ca_file = "org-ca.pem"              # optional: the organisation's own CA
    proxy = "tor"                       # "none" (default), "tor", "tor-browser" or socks5h://...
    channels = ["public", "contacts-af"]  # optional: take only these

    [channel_keys]
    contacts-af = "64 hex characters"

Every problem names the file and the setting; nothing is half-applied.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldreader.errors import FieldreaderError
from fieldreader.model import is_valid_id
from fieldreader.sync.config import TOR_BROWSER_PORT, TOR_DAEMON_PORT, TransportConfig

MAX_PROFILE_BYTES = 256 * 1024


class ProfileError(FieldreaderError):
    """The provisioning profile is missing, unreadable or has a wrong setting."""

    def __init__(self, path: Path, setting: str | None, problem: str) -> None:
        where = f"{path.name}: '{setting}'" if setting else path.name
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class FeedProfile:
    mirrors: tuple[str, ...]
    root: bytes | None = None
    pins: tuple[str, ...] = ()
    ca_file: Path | None = None
    proxy: str | None = None
    channels: tuple[str, ...] | None = None
    channel_keys: dict[str, bytes] = field(default_factory=dict, repr=False)

    def transport(self) -> TransportConfig:
        pins = {m: list(self.pins) for m in self.mirrors} if self.pins else {}
        if self.proxy in ("tor", "tor-browser"):
            port = TOR_BROWSER_PORT if self.proxy == "tor-browser" else TOR_DAEMON_PORT
            config = TransportConfig.for_tor(list(self.mirrors), port=port)
            return dataclasses.replace(config, pins=pins, ca_file=self.ca_file)
        return TransportConfig(
            list(self.mirrors), ca_file=self.ca_file, pins=pins, proxy=self.proxy
        )


def load_profile(path: Path) -> FeedProfile:
    """Read and check ``path``.

    Raises:
        ProfileError: naming the file and the setting at fault.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(path, None, f"cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise ProfileError(path, None, "is far larger than a profile")
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(path, None, f"is not valid TOML ({exc})") from None
    unknown = set(doc) - {"feed", "channel_keys", "organisation", "ui", "build"}
    if unknown:
        raise ProfileError(path, sorted(unknown)[0], "unknown section")
    feed = _table(path, doc, "feed")
    allowed = {"root", "mirrors", "pins", "ca_file", "proxy", "channels"}
    if set(feed) - allowed:
        raise ProfileError(path, "feed." + sorted(set(feed) - allowed)[0], "unknown setting")
    mirrors = _strings(path, feed, "mirrors", required=True)
    for mirror in mirrors:
        if not mirror.startswith("https://"):
            raise ProfileError(path, "feed.mirrors", f"{mirror[:60]!r} is not an https:// address")
    root = _file(path, feed, "root")
    ca = feed.get("ca_file")
    return FeedProfile(
        mirrors=mirrors,
        root=root.read_bytes() if root else None,
        pins=_strings(path, feed, "pins"),
        ca_file=_file(path, feed, "ca_file") if ca is not None else None,
        proxy=_proxy(path, feed.get("proxy", "none")),
        channels=_strings(path, feed, "channels") or None,
        channel_keys=_keys(path, doc.get("channel_keys", {})),
    )


def _table(path: Path, doc: dict[str, Any], name: str) -> dict[str, Any]:
    value = doc.get(name)
    if not isinstance(value, dict):
        raise ProfileError(path, name, "a [" + name + "] section is required")
    return value


def _strings(
    path: Path, table: dict[str, Any], name: str, *, required: bool = False
) -> tuple[str, ...]:
    value = table.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(path, f"feed.{name}", "must be a list of text")
    if required and not value:
        raise ProfileError(path, f"feed.{name}", "needs at least one entry")
    return tuple(value)


def _file(path: Path, table: dict[str, Any], name: str) -> Path | None:
    value = table.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProfileError(path, f"feed.{name}", "must be a file name")
    target = (path.parent / value).resolve()
    if not target.is_file():
        raise ProfileError(path, f"feed.{name}", f"{value!r} does not exist beside the profile")
    return target


def _proxy(path: Path, value: object) -> str | None:
    if value == "none":
        return None
    if value == "tor":
        return "tor"
    if value == "tor-browser":
        return "tor-browser"
    if isinstance(value, str) and value.startswith(("socks5h://", "socks5://")):
        return value
    raise ProfileError(path, "feed.proxy", "must be none, tor, tor-browser or socks5h://HOST:PORT")


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


__all__ = ["FeedProfile", "ProfileError", "load_profile"]
