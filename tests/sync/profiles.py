"""A published feed served by the test nginx, and the trainer's profile that syncs from it.

For the tests that sync as the reader does (the service and the desktop panel): the profile is
a real TOML file beside its root and CA files, as a trainer hands it over.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from feedkit import CHANNEL, CHANNEL_KEY, build, start_feed, write_article
from sync.servers import Nginx, Pki

FRESH = datetime.now(UTC) - timedelta(hours=1)
"""When the served feeds are built: inside their timestamp's validity for the whole run."""


@dataclass(frozen=True)
class ServedFeed:
    prefix: str
    """Where nginx serves it: ``https://127.0.0.1:<port>/<prefix>/``."""
    root: bytes
    """The first root metadata: what a profile trusts."""
    keydir: Path
    content: Path
    feed: Path

    def rebuild(self, nginx: Nginx, write: Callable[[Path], None]) -> None:
        """Publish a new version: ``write`` edits the content, the feed is built and served."""
        served = nginx.www / self.prefix / "timestamp.json"
        before = served.stat().st_mtime
        write(self.content)
        build(self.content, self.feed, self.keydir, datetime.now(UTC) - timedelta(minutes=30))
        shutil.copytree(self.feed, nginx.www / self.prefix, dirs_exist_ok=True)
        # nginx's ETag is the file's mtime in seconds and its size: a rebuild within the same
        # second, as in a test, would look unchanged to a conditional request.
        os.utime(served, (before + 2, before + 2))


@dataclass(frozen=True)
class Publication:
    """A served feed and what a profile for it needs, for tests that sync as the reader."""

    served: ServedFeed
    nginx: Nginx
    pki: Pki
    folder: Path
    """Where profiles are written (a trainer's USB stick)."""

    @property
    def url(self) -> str:
        return self.nginx.url(self.served.prefix)

    def profile(self, *mirrors: str, proxy: str | None = None) -> Path:
        """A profile for ``mirrors`` (the real mirror by default), pinned to its key."""
        return write_profile(
            self.folder, self.served, self.pki, list(mirrors) or [self.url], proxy=proxy
        )


def news(count: int, prefix: str = "sync-news") -> Callable[[Path], None]:
    """Content with ``count`` public articles ``<prefix>-<n>`` and one restricted one."""

    def write(content: Path) -> None:
        for number in range(count):
            write_article(content, f"{prefix}-{number}", f"Report number {number} from the field.")
        write_article(content, f"{prefix}-staff", "A restricted detail.", channel=CHANNEL)

    return write


def serve_feed(nginx: Nginx, base: Path, prefix: str, write: Callable[[Path], None]) -> ServedFeed:
    keydir, content, feed = start_feed(base, write, FRESH)
    shutil.copytree(feed, nginx.www / prefix)
    return ServedFeed(prefix, (feed / "root" / "1.root.json").read_bytes(), keydir, content, feed)


def write_profile(
    folder: Path,
    served: ServedFeed,
    pki: Pki,
    mirrors: Sequence[str],
    *,
    pins: Sequence[str] | None = None,
    proxy: str | None = None,
    channel_key: bool = True,
    name: str = "organisation.toml",
) -> Path:
    """``folder/name`` with ``root.json`` and ``ca.pem`` beside it; pinned to the real server's
    key unless ``pins`` says otherwise."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "root.json").write_bytes(served.root)
    shutil.copy(pki.ca, folder / "ca.pem")
    quoted = ", ".join(f'"{m}"' for m in mirrors)
    pinned = ", ".join(f'"{p}"' for p in (pins if pins is not None else [pki.server_pin]))
    lines = [
        "[feed]",
        'root = "root.json"',
        f"mirrors = [{quoted}]",
        f"pins = [{pinned}]",
        'ca_file = "ca.pem"',
    ]
    if proxy:
        lines.append(f'proxy = "{proxy}"')
    if channel_key:
        lines += ["", "[channel_keys]", f'{CHANNEL} = "{CHANNEL_KEY.hex()}"']
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
