"""Builders for feed tests: the publisher's content folder, the settings feeds are built with,
and a build that seals one channel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fieldreader.feed.publisher import build_feed, generate_keys

FEED = "test-feed"
CHANNEL = "af"
"""The restricted channel of the feeds :func:`build` makes."""
CHANNEL_KEY = bytes(range(32))
BUNDLE_PASSPHRASE = "a bundle passphrase for the checkpoint"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAP = PNG_SIGNATURE + bytes(range(256))
"""The first build's attachment, ``media/map.png``."""
CHART = PNG_SIGNATURE + bytes(range(64)) * 3
"""The attachment a later build adds, ``media/chart.png``."""
DISK_CHECKLIST = "- [ ] Encrypt the disk {#disk}\n"


def write_article(
    content: Path, item_id: str, body: str = "Body text.", *, channel: str | None = None
) -> Path:
    """``articles/<item_id>.md``, titled ``Title of <item_id>``, in ``channel`` when given."""
    path = content / "articles" / f"{item_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = f"channel: {channel}\n" if channel else ""
    path.write_text(
        f"---\nid: {item_id}\nkind: article\nlang: en\ntitle: Title of {item_id}\n{extra}---\n"
        f"{body}\n",
        encoding="utf-8",
    )
    return path


def write_guidance(content: Path, checklist: str = DISK_CHECKLIST) -> Path:
    """``guidance/laptop-en.md``, "Laptop basics", whose body is ``checklist``."""
    path = content / "guidance" / "laptop-en.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\nid: laptop-en\nkind: guidance\nlang: en\ntitle: Laptop basics\n---\n{checklist}",
        encoding="utf-8",
    )
    return path


def write_contact(content: Path) -> Path:
    """``contacts/desk.yaml``: the digital safety desk, with one phone number."""
    path = content / "contacts" / "desk.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "id: desk\nkind: contact\nlang: en\nname: Digital safety desk\n"
        "contact_type: organisation\nphones: ['+1 202 555 0143']\n",
        encoding="utf-8",
    )
    return path


def write_media(content: Path, name: str, data: bytes) -> Path:
    """``media/<name>``, an attachment."""
    path = content / "media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def build(content: Path, feed: Path, keydir: Path, now: datetime, feed_id: str = FEED) -> None:
    """A build of ``content`` into ``feed`` that seals :data:`CHANNEL` with :data:`CHANNEL_KEY`."""
    build_feed(
        content, feed, keydir, now=now, feed_id=feed_id, restricted=[CHANNEL],
        channel_keys={CHANNEL: CHANNEL_KEY},
    )  # fmt: skip


def start_feed(base: Path, write: Callable[[Path], None], now: datetime) -> tuple[Path, Path, Path]:
    """New keys in ``base/keys``, content that ``write`` puts in ``base/content``, and its first
    :func:`build` into ``base/feed`` at ``now``; returns those three folders in that order."""
    keydir, content, feed = base / "keys", base / "content", base / "feed"
    generate_keys(keydir)
    write(content)
    build(content, feed, keydir, now)
    return keydir, content, feed
