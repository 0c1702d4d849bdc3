"""Where feed files come from: a folder, a bundle, or (with the sync transport) a mirror.

The update engine asks a :class:`FeedSource` for files by their path in the feed tree, with a byte
limit; everything a source returns is verified before use, so a source needs no trust at all.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from fieldreader.feed.errors import FeedError, InvalidIdentifier, LengthExceeded

#: Every path a feed tree may contain; anything else is refused before it touches a file system.
FEED_PATH = re.compile(
    r"timestamp\.json|root/[1-9][0-9]{0,8}\.root\.json|snapshot/[1-9][0-9]{0,15}\.json"
    r"|index/[0-9a-f]{64}\.json\.zst|objects/[0-9a-f]{2}/[0-9a-f]{64}"
)


class NotInSource(FeedError):
    """The source does not have this file (a mirror's 404, a delta bundle's missing part)."""


class FeedSource(Protocol):
    def fetch(self, path: str, max_bytes: int) -> bytes:
        """The file at ``path`` in the feed tree, at most ``max_bytes`` long.

        Raises:
            NotInSource: the file is not there.
            LengthExceeded: it is longer than ``max_bytes`` (reading stops at the limit).
            FeedError: any other failure to get it.
        """
        ...


def parallel_fetches(source: FeedSource) -> int:
    """How many objects the update engine may fetch from ``source`` at once.

    A source over a network says so with a ``parallel_fetches`` attribute (and must then allow
    ``fetch`` from several threads); a folder or a bundle on the same disk gains nothing from
    it and is read one file at a time.
    """
    value = getattr(source, "parallel_fetches", 1)
    return value if isinstance(value, int) and value > 1 else 1


def check_feed_path(path: str) -> str:
    if not FEED_PATH.fullmatch(path):
        raise InvalidIdentifier(f"{path[:80]!r} is not a path of the feed format.")
    return path


def object_path(sha256: str) -> str:
    return f"objects/{sha256[:2]}/{sha256}"


class DirectorySource:
    """A feed tree on a local disk or a mounted share (a LAN laptop, a USB stick)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests = 0
        self.bytes_read = 0

    def fetch(self, path: str, max_bytes: int) -> bytes:
        target = self.root / check_feed_path(path)
        self.requests += 1
        try:
            with target.open("rb") as f:
                data = f.read(max_bytes + 1)
        except FileNotFoundError:
            raise NotInSource(f"{path} is not in {self.root}.") from None
        except OSError as exc:
            raise FeedError(f"Cannot read {path} from {self.root}: {exc.strerror}") from None
        if len(data) > max_bytes:
            raise LengthExceeded(f"{path} is larger than the {max_bytes:,} bytes allowed.")
        self.bytes_read += len(data)
        return data
