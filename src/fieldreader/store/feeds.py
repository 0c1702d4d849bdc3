"""What the library trusts and holds of each signed feed, and the attachments feeds bring.

Only the update engine writes here, inside the same transaction that applies the content, so the
recorded versions always describe the content actually in the library.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fieldreader.store.database import Connection, translate_errors
from fieldreader.store.errors import FeedConflict


@dataclass(frozen=True)
class FeedState:
    feed: str
    root: bytes
    timestamp_version: int
    snapshot_version: int
    snapshot: bytes | None
    issued: str | None
    last_verified: str | None


class FeedRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def state(self, feed: str) -> FeedState | None:
        with translate_errors():
            row = self._conn.execute(
                "SELECT feed, root, timestamp_version, snapshot_version, snapshot, issued, "
                "last_verified FROM feeds WHERE feed = ?",
                (feed,),
            ).fetchone()
        return None if row is None else FeedState(*row)

    def all(self) -> list[FeedState]:
        with translate_errors():
            rows = self._conn.execute(
                "SELECT feed, root, timestamp_version, snapshot_version, snapshot, issued, "
                "last_verified FROM feeds ORDER BY feed"
            ).fetchall()
        return [FeedState(*row) for row in rows]

    def save(self, state: FeedState) -> None:
        """Record ``state``; call inside the transaction that applies the content."""
        self._conn.execute(
            "INSERT INTO feeds (feed, root, timestamp_version, snapshot_version, snapshot, "
            "issued, last_verified) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (feed) DO UPDATE SET "
            "root = excluded.root, timestamp_version = excluded.timestamp_version, "
            "snapshot_version = excluded.snapshot_version, snapshot = excluded.snapshot, "
            "issued = excluded.issued, last_verified = excluded.last_verified",
            (
                state.feed,
                state.root,
                state.timestamp_version,
                state.snapshot_version,
                state.snapshot,
                state.issued,
                state.last_verified,
            ),
        )

    def channel_keys(self, feed: str) -> dict[str, bytes]:
        """Keys of restricted channels given for ``feed`` before (kept only in this database)."""
        prefix = f"channel-key:{feed}:"
        with translate_errors():
            rows = self._conn.execute(
                "SELECT key, value FROM meta WHERE key >= ? AND key < ?",
                (prefix, prefix + "\uffff"),
            ).fetchall()
        return {str(k)[len(prefix) :]: bytes.fromhex(str(v)) for k, v in rows}

    def save_channel_keys(self, feed: str, keys: Mapping[str, bytes]) -> None:
        """Remember channel keys so later updates need not be given them again."""
        self._conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [(f"channel-key:{feed}:{name}", key.hex()) for name, key in keys.items()],
        )

    def segments(self, feed: str) -> dict[str, bytes]:
        """Verified index segments held for ``feed``, by hash."""
        with translate_errors():
            rows = self._conn.execute(
                "SELECT sha256, data FROM feed_segments WHERE feed = ?", (feed,)
            ).fetchall()
        return {str(h): bytes(d) for h, d in rows}

    def replace_segments(self, feed: str, segments: Mapping[str, bytes]) -> None:
        """Keep exactly ``segments`` for ``feed`` (inside the applying transaction)."""
        held = set(self.segments(feed))
        for sha in held - set(segments):
            self._conn.execute("DELETE FROM feed_segments WHERE sha256 = ?", (sha,))
        self._conn.executemany(
            "INSERT OR IGNORE INTO feed_segments (sha256, feed, data) VALUES (?, ?, ?)",
            [(sha, feed, data) for sha, data in segments.items() if sha not in held],
        )

    def held_items(self, feed: str) -> dict[str, tuple[str, str]]:
        """Item id -> (channel, hash of the feed object it was applied from)."""
        with translate_errors():
            rows = self._conn.execute(
                "SELECT id, channel, object_hash FROM items WHERE feed = ?", (feed,)
            ).fetchall()
        return {str(i): (str(c), str(h)) for i, c, h in rows}

    def object_hashes(self, feed: str) -> dict[str, str]:
        """Item id -> hash of the feed object it was applied from."""
        with translate_errors():
            rows = self._conn.execute(
                "SELECT id, object_hash FROM items WHERE feed = ?", (feed,)
            ).fetchall()
        return {str(i): str(h) for i, h in rows}


class AttachmentRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, name: str) -> bytes | None:
        """The attachment's bytes; the reader resolves ``res:media/NAME`` with this."""
        with translate_errors():
            row = self._conn.execute(
                "SELECT data FROM attachments WHERE name = ?", (name,)
            ).fetchone()
        return None if row is None else bytes(row[0])

    def hashes(self, feed: str) -> dict[str, str]:
        with translate_errors():
            rows = self._conn.execute(
                "SELECT name, sha256 FROM attachments WHERE feed = ?", (feed,)
            ).fetchall()
        return {str(n): str(h) for n, h in rows}

    def put(self, feed: str, name: str, sha256: str, data: bytes) -> None:
        """Store an attachment (inside the applying transaction).

        Raises:
            FeedConflict: another feed already provides an attachment of that name.
        """
        row = self._conn.execute("SELECT feed FROM attachments WHERE name = ?", (name,)).fetchone()
        if row is not None and row[0] != feed:
            raise FeedConflict(f"Attachment '{name}' already belongs to feed {row[0]!r}.")
        self._conn.execute(
            "INSERT INTO attachments (name, feed, sha256, data) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET feed = excluded.feed, sha256 = excluded.sha256, "
            "data = excluded.data",
            (name, feed, sha256, data),
        )

    def delete(self, names: Iterable[str]) -> int:
        removed = 0
        for name in names:
            removed += self._conn.execute(
                "DELETE FROM attachments WHERE name = ?", (name,)
            ).rowcount
        return removed
