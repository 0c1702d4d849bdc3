"""The reader's own data: notes, bookmarks, reading positions, checklist ticks, preferences.

A sync never writes here. The rows live in the user database (:mod:`fieldreader.store.userdb`),
so a save never waits for a sync's lock on the library. They refer to items by id and keep a
copy of the item's title, so a note on an article the publisher withdrew still says what it was
about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from fieldreader.anchors import Quote
from fieldreader.errors import FieldreaderError
from fieldreader.store.database import (
    Connection,
    transaction,
    translate_errors,
    truncate_wal,
)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ItemNotFound(FieldreaderError):
    """The id names no item in the library."""


class NoteNotFound(FieldreaderError):
    """The id names no note."""


@dataclass(frozen=True)
class Note:
    id: int
    body: str
    created: str
    updated: str
    item_id: str | None = None
    item_title: str | None = None
    """The item's current title, or the last one known if the item was withdrawn."""
    item_exists: bool = False
    quote: Quote | None = None


@dataclass(frozen=True)
class Bookmark:
    item_id: str
    item_title: str
    created: str
    item_exists: bool


_NOTE_SELECT = (
    "SELECT n.id, n.body, n.created, n.updated, n.item_id, COALESCE(i.title, n.item_title), "
    "i.id IS NOT NULL, n.quote_exact, n.quote_prefix, n.quote_suffix "
    "FROM userdata.notes n LEFT JOIN main.items i ON i.id = n.item_id"
)


class UserDataRepository:
    def __init__(self, conn: Connection, clock: Clock = utc_now) -> None:
        self._conn = conn
        self._clock = clock

    def _now(self) -> str:
        return self._clock().isoformat(timespec="seconds")

    def _title_of(self, item_id: str) -> str:
        with translate_errors():
            row = self._conn.execute(
                "SELECT title FROM main.items WHERE id = ?", (item_id,)
            ).fetchone()
        if row is None:
            raise ItemNotFound(f"No item with id '{item_id}' in the library.")
        return str(row[0])

    # Notes

    def add_note(self, body: str, item_id: str | None = None, quote: Quote | None = None) -> Note:
        """Add a note, attached to ``item_id`` (optionally to a quoted passage) or free-standing."""
        if quote is not None and item_id is None:
            raise ValueError("a quote needs the item it quotes")
        title = self._title_of(item_id) if item_id is not None else None
        now = self._now()
        with transaction(self._conn):
            cursor = self._conn.execute(
                "INSERT INTO userdata.notes (item_id, item_title, quote_exact, quote_prefix, "
                "quote_suffix, body, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    item_id,
                    title,
                    quote.exact if quote else None,
                    quote.prefix if quote else None,
                    quote.suffix if quote else None,
                    body,
                    now,
                    now,
                ),
            )
        return self.note(int(cursor.lastrowid or 0))

    def note(self, note_id: int) -> Note:
        with translate_errors():
            row = self._conn.execute(f"{_NOTE_SELECT} WHERE n.id = ?", (note_id,)).fetchone()
        if row is None:
            raise NoteNotFound(f"No note with id {note_id}.")
        return _note(row)

    def notes(self, item_id: str | None = None) -> list[Note]:
        """Notes on ``item_id``, or every note when None; most recently edited first."""
        where, params = ("WHERE n.item_id = ?", (item_id,)) if item_id is not None else ("", ())
        with translate_errors():
            rows = self._conn.execute(
                f"{_NOTE_SELECT} {where} ORDER BY n.updated DESC, n.id DESC", params
            ).fetchall()
        return [_note(row) for row in rows]

    def update_note(self, note_id: int, body: str) -> Note:
        with transaction(self._conn):
            cursor = self._conn.execute(
                "UPDATE userdata.notes SET body = ?, updated = ? WHERE id = ?",
                (body, self._now(), note_id),
            )
        if cursor.rowcount == 0:
            raise NoteNotFound(f"No note with id {note_id}.")
        return self.note(note_id)

    def delete_note(self, note_id: int) -> None:
        with transaction(self._conn):
            cursor = self._conn.execute("DELETE FROM userdata.notes WHERE id = ?", (note_id,))
        if cursor.rowcount == 0:
            raise NoteNotFound(f"No note with id {note_id}.")
        if not self._conn.in_transaction:
            # This file's log only: the library's may be a sync's, mid-write.
            truncate_wal(self._conn, "userdata")

    # Bookmarks

    def add_bookmark(self, item_id: str) -> Bookmark:
        title = self._title_of(item_id)
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO userdata.bookmarks (item_id, item_title, created) VALUES (?, ?, ?) "
                "ON CONFLICT (item_id) DO UPDATE SET item_title = excluded.item_title",
                (item_id, title, self._now()),
            )
        return next(b for b in self.bookmarks() if b.item_id == item_id)

    def remove_bookmark(self, item_id: str) -> bool:
        """Remove the bookmark; False if there was none."""
        with transaction(self._conn):
            cursor = self._conn.execute(
                "DELETE FROM userdata.bookmarks WHERE item_id = ?", (item_id,)
            )
        return cursor.rowcount > 0

    def is_bookmarked(self, item_id: str) -> bool:
        with translate_errors():
            row = self._conn.execute(
                "SELECT 1 FROM userdata.bookmarks WHERE item_id = ?", (item_id,)
            ).fetchone()
        return row is not None

    def bookmarks(self) -> list[Bookmark]:
        with translate_errors():
            rows = self._conn.execute(
                "SELECT b.item_id, COALESCE(i.title, b.item_title), b.created, i.id IS NOT NULL "
                "FROM userdata.bookmarks b LEFT JOIN main.items i ON i.id = b.item_id "
                "ORDER BY b.created DESC, b.item_id"
            ).fetchall()
        return [Bookmark(r[0], r[1], r[2], bool(r[3])) for r in rows]

    # Reading positions and checklist ticks

    def set_position(self, item_id: str, position: float) -> None:
        """Remember how far into ``item_id`` the reader got, as a fraction from 0 to 1."""
        if not 0.0 <= position <= 1.0:
            raise ValueError("a reading position is a fraction between 0 and 1")
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO userdata.reading_positions (item_id, position, updated) "
                "VALUES (?, ?, ?) ON CONFLICT (item_id) "
                "DO UPDATE SET position = excluded.position, updated = excluded.updated",
                (item_id, position, self._now()),
            )

    def position(self, item_id: str) -> float | None:
        with translate_errors():
            row = self._conn.execute(
                "SELECT position FROM userdata.reading_positions WHERE item_id = ?", (item_id,)
            ).fetchone()
        return None if row is None else float(row[0])

    def set_tick(self, item_id: str, check_id: str, ticked: bool) -> None:
        with transaction(self._conn):
            if ticked:
                self._conn.execute(
                    "INSERT OR IGNORE INTO userdata.checklist_ticks (item_id, check_id, ticked_at) "
                    "VALUES (?, ?, ?)",
                    (item_id, check_id, self._now()),
                )
            else:
                self._conn.execute(
                    "DELETE FROM userdata.checklist_ticks WHERE item_id = ? AND check_id = ?",
                    (item_id, check_id),
                )

    def ticks(self, item_id: str) -> frozenset[str]:
        with translate_errors():
            rows = self._conn.execute(
                "SELECT check_id FROM userdata.checklist_ticks WHERE item_id = ?", (item_id,)
            ).fetchall()
        return frozenset(r[0] for r in rows)

    # Preferences

    def preference(self, key: str) -> str | None:
        with translate_errors():
            row = self._conn.execute(
                "SELECT value FROM userdata.preferences WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else str(row[0])

    def set_preference(self, key: str, value: str) -> None:
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO userdata.preferences (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _note(row: tuple[object, ...]) -> Note:
    note_id, body, created, updated, item_id, title, exists, exact, prefix, suffix = row
    quote = Quote(str(exact), str(prefix or ""), str(suffix or "")) if exact is not None else None
    return Note(
        id=int(str(note_id)),
        body=str(body),
        created=str(created),
        updated=str(updated),
        item_id=None if item_id is None else str(item_id),
        item_title=None if title is None else str(title),
        item_exists=bool(exists),
        quote=quote,
    )
