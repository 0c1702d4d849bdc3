"""The content repository: articles, contacts and guidance as the publisher sent them.

Nothing here touches user data (notes, bookmarks, positions, ticks): those refer to items by id
and outlive them.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fieldreader.itemcodec import digest, item_from_dict, item_to_dict
from fieldreader.model import (
    DEFAULT_LIMITS,
    Article,
    Contact,
    ContentLimits,
    Item,
    Kind,
    check_limits,
)
from fieldreader.store.database import Connection, transaction, translate_errors
from fieldreader.store.errors import FeedConflict
from fieldreader.store.filters import ItemFilter


@dataclass(frozen=True)
class ItemSummary:
    """What a list shows; cheap to load for thousands of items."""

    id: str
    kind: Kind
    lang: str
    title: str
    summary: str
    date: str | None
    translation_group: str | None


@dataclass(frozen=True)
class ApplyResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


_SUMMARY_COLUMNS = "i.id, i.kind, i.lang, i.title, i.summary, i.item_date, i.translation_group"


class ContentRepository:
    def __init__(self, conn: Connection, limits: ContentLimits = DEFAULT_LIMITS) -> None:
        self._conn = conn
        self._limits = limits

    def apply(
        self,
        upserts: Iterable[Item],
        deletions: Iterable[str] = (),
        *,
        feed: str | None = None,
        object_hashes: Mapping[str, str] | None = None,
    ) -> ApplyResult:
        """Insert or update ``upserts`` and delete ``deletions`` (ids) in one transaction.

        Unchanged items are detected by digest and not rewritten, so re-applying the same batch
        costs reads only and leaves the search index alone.

        Args:
            feed: the signed feed the items come from, recorded so the feed's later updates
                can delete them; None for items loaded locally.
            object_hashes: item id -> hash of the feed object each was verified from.

        Raises:
            FeedConflict: an item id already belongs to another feed.
        """
        hashes = object_hashes or {}
        added = updated = unchanged = removed = 0
        with transaction(self._conn):
            for item in upserts:
                check_limits(item, self._limits)
                new_digest = digest(item)
                row = self._conn.execute(
                    "SELECT seq, digest, feed FROM items WHERE id = ?", (item.id,)
                ).fetchone()
                if row is not None and row[2] != feed:
                    raise FeedConflict(
                        f"Item '{item.id}' already belongs to "
                        f"{'feed ' + repr(row[2]) if row[2] else 'locally loaded content'}."
                    )
                origin = {"feed": feed, "object_hash": hashes.get(item.id)}
                if row is None:
                    seq = self._insert(item, new_digest, origin)
                    added += 1
                elif row[1] == new_digest:
                    if origin["object_hash"] is not None:
                        self._conn.execute(
                            "UPDATE items SET object_hash = ? WHERE seq = ?",
                            (origin["object_hash"], row[0]),
                        )
                    unchanged += 1
                    continue
                else:
                    seq = row[0]
                    self._update(seq, item, new_digest, origin)
                    updated += 1
                self._write_facets(seq, item)
            for item_id in deletions:
                cursor = self._conn.execute("DELETE FROM items WHERE id = ?", (item_id,))
                removed += cursor.rowcount
        return ApplyResult(added, updated, unchanged, removed)

    def get(self, item_id: str) -> Item | None:
        with translate_errors():
            row = self._conn.execute(
                "SELECT data, body FROM items WHERE id = ?", (item_id,)
            ).fetchone()
        if row is None:
            return None
        return _item_from_row(item_id, row[0], row[1])

    def list_items(
        self,
        filters: ItemFilter = ItemFilter(),
        *,
        limit: int = -1,
        offset: int = 0,
        ids: Collection[str] | None = None,
    ) -> list[ItemSummary]:
        """Items matching ``filters`` (and among ``ids`` if given), newest first, then by title."""
        where, params = filters.where("i")
        if ids is not None:
            where += " AND i.id IN (SELECT value FROM json_each(:ids))"
            params = {**params, "ids": json.dumps(sorted(ids))}
        sql = (
            f"SELECT {_SUMMARY_COLUMNS} FROM items i WHERE {where} "
            # SQLite sorts NULL lowest, so undated items come last in DESC order; written this
            # way the (kind, item_date) index gives the order and a page of a 100k section is
            # read in a millisecond instead of sorting every row (two seconds).
            "ORDER BY i.item_date DESC, i.title LIMIT :limit OFFSET :offset"
        )
        with translate_errors():
            rows = self._conn.execute(sql, {**params, "limit": limit, "offset": offset}).fetchall()
        return [ItemSummary(*row) for row in rows]

    def count(self, filters: ItemFilter = ItemFilter()) -> int:
        where, params = filters.where("i")
        with translate_errors():
            return int(
                self._conn.execute(
                    f"SELECT count(*) FROM items i WHERE {where}", params
                ).fetchone()[0]
            )

    def translations(self, item_id: str) -> list[ItemSummary]:
        """The other-language versions of ``item_id`` (empty when it has none)."""
        with translate_errors():
            rows = self._conn.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM items i JOIN items o "
                "ON o.translation_group = i.translation_group "
                "WHERE o.id = ? AND i.id != o.id ORDER BY i.lang",
                (item_id,),
            ).fetchall()
        return [ItemSummary(*row) for row in rows]

    def facet_values(self, facet: str) -> list[tuple[str, int]]:
        """Distinct languages, countries or tags with their item counts, for filter menus."""
        queries = {
            "lang": "SELECT lang, count(*) FROM items GROUP BY lang ORDER BY lang",
            "country": "SELECT country, count(*) FROM item_countries GROUP BY country "
            "ORDER BY country",
            "tag": "SELECT tag, count(*) FROM item_tags GROUP BY tag ORDER BY count(*) DESC, tag",
        }
        with translate_errors():
            return [(str(v), int(n)) for v, n in self._conn.execute(queries[facet])]

    def _insert(self, item: Item, item_digest: str, origin: Mapping[str, str | None]) -> int:
        cursor = self._conn.execute(
            "INSERT INTO items (id, kind, lang, title, summary, body, item_date, "
            "translation_group, channel, digest, data, tags_text, extra_text, feed, object_hash) "
            "VALUES (:id, :kind, :lang, :title, :summary, :body, :item_date, "
            ":translation_group, :channel, :digest, :data, :tags_text, :extra_text, :feed, "
            ":object_hash)",
            {**_row(item, item_digest), **origin},
        )
        return int(cursor.lastrowid or 0)

    def _update(
        self, seq: int, item: Item, item_digest: str, origin: Mapping[str, str | None]
    ) -> None:
        self._conn.execute(
            "UPDATE items SET kind = :kind, lang = :lang, title = :title, summary = :summary, "
            "body = :body, item_date = :item_date, translation_group = :translation_group, "
            "channel = :channel, digest = :digest, data = :data, tags_text = :tags_text, "
            "extra_text = :extra_text, feed = :feed, object_hash = :object_hash WHERE seq = :seq",
            {**_row(item, item_digest), **origin, "seq": seq},
        )
        self._conn.execute("DELETE FROM item_tags WHERE seq = ?", (seq,))
        self._conn.execute("DELETE FROM item_countries WHERE seq = ?", (seq,))

    def _write_facets(self, seq: int, item: Item) -> None:
        self._conn.executemany(
            "INSERT OR IGNORE INTO item_tags (seq, tag) VALUES (?, ?)",
            [(seq, tag.casefold()) for tag in item.tags],
        )
        self._conn.executemany(
            "INSERT OR IGNORE INTO item_countries (seq, country) VALUES (?, ?)",
            [(seq, country) for country in item.countries],
        )


def _row(item: Item, item_digest: str) -> dict[str, Any]:
    data = item_to_dict(item)
    data.pop("body", None)
    item_date = item.published if isinstance(item, Article) else None
    item_date = item_date or item.updated
    return {
        "id": item.id,
        "kind": item.kind,
        "lang": item.lang,
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "item_date": item_date.isoformat() if item_date else None,
        "translation_group": getattr(item, "translation_group", None),
        "channel": item.channel,
        "digest": item_digest,
        "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
        "tags_text": "\n".join(item.tags),
        "extra_text": "\n".join(_extra_search_text(item)),
    }


def _extra_search_text(item: Item) -> list[str]:
    if isinstance(item, Article):
        return list(item.authors)
    if isinstance(item, Contact):
        return [
            item.role,
            item.organisation,
            item.region,
            *item.phones,
            *item.emails,
            *item.addresses,
            *(f"{c.type} {c.value}" for c in item.secure_channels),
        ]
    return []


def _item_from_row(item_id: str, data_json: str, body: str) -> Item:
    data = json.loads(data_json)
    data["body"] = body
    return item_from_dict(data, f"library item {item_id}")
