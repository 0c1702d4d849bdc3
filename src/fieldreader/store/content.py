"""The content repository: articles, contacts and guidance as the publisher sent them.

Nothing here touches user data (notes, bookmarks, positions, ticks): those refer to items by id
and outlive them.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping
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
        totals = [0, 0, 0]  # added, updated, unchanged
        removed = 0
        with transaction(self._conn):
            for run in _runs_of_distinct_ids(upserts):
                for index, count in enumerate(self._apply_run(run, feed, hashes)):
                    totals[index] += count
            for item_id in deletions:
                cursor = self._conn.execute("DELETE FROM items WHERE id = ?", (item_id,))
                removed += cursor.rowcount
        added, updated, unchanged = totals
        return ApplyResult(added, updated, unchanged, removed)

    def _apply_run(
        self, items: list[Item], feed: str | None, hashes: Mapping[str, str]
    ) -> tuple[int, int, int]:
        """Apply items with distinct ids in a handful of statements, whatever their number.

        Each statement is one call into SQLite, which lets go of Python's interpreter lock
        while it works and must take it back after. Row by row, a sync's applying thread took
        it back six times per item, each time waiting for the downloading threads to let go:
        a fifth of a sync's time went into that wait. Here the rows travel as one JSON array.
        """
        for item in items:
            check_limits(item, self._limits)
        existing = self._existing([item.id for item in items])
        new_rows: list[list[Any]] = []
        changed_rows: list[list[Any]] = []
        facets: list[Item] = []
        rehashed: list[tuple[str, int]] = []
        for item in items:
            item_digest = digest(item)
            object_hash = hashes.get(item.id)
            found = existing.get(item.id)
            if found is not None and found[2] != feed:
                owner = found[2]
                raise FeedConflict(
                    f"Item '{item.id}' already belongs to "
                    f"{'feed ' + repr(owner) if owner else 'locally loaded content'}."
                )
            if found is None:
                new_rows.append(_row(item, item_digest, feed, object_hash))
            elif found[1] == item_digest:
                if object_hash is not None:
                    rehashed.append((object_hash, found[0]))
                continue
            else:
                changed_rows.append([found[0], *_row(item, item_digest, feed, object_hash)])
            facets.append(item)
        for rows in _json_arrays(new_rows):
            self._conn.execute(_INSERT_ROWS, (rows,))
        for rows in _json_arrays(changed_rows):
            self._conn.execute(_UPDATE_ROWS, (rows,))
        if changed_rows:
            seqs = _json([row[0] for row in changed_rows])
            self._conn.execute(_DELETE_FACETS.format(table="item_tags"), (seqs,))
            self._conn.execute(_DELETE_FACETS.format(table="item_countries"), (seqs,))
        if rehashed:
            self._conn.executemany("UPDATE items SET object_hash = ? WHERE seq = ?", rehashed)
        self._write_facets(facets)
        return len(new_rows), len(changed_rows), len(items) - len(facets)

    def _existing(self, ids: list[str]) -> dict[str, tuple[int, str, str | None]]:
        """id -> (seq, digest, feed) of those of ``ids`` already stored, in one row."""
        found = self._conn.execute(
            "SELECT json_group_array(json_array(id, seq, digest, feed)) FROM items "
            "WHERE id IN (SELECT value FROM json_each(?))",
            (_json(ids),),
        ).fetchone()[0]
        return {
            item_id: (seq, item_digest, feed)
            for item_id, seq, item_digest, feed in json.loads(found)
        }

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

    def _write_facets(self, items: list[Item]) -> None:
        tags = [[item.id, tag.casefold()] for item in items for tag in item.tags]
        countries = [[item.id, country] for item in items for country in item.countries]
        for rows in _json_arrays(tags):
            self._conn.execute(_INSERT_FACETS.format(table="item_tags", column="tag"), (rows,))
        for rows in _json_arrays(countries):
            sql = _INSERT_FACETS.format(table="item_countries", column="country")
            self._conn.execute(sql, (rows,))


_RUN_ITEMS = 256
"""Most items applied together: what a run holds in memory stays bounded."""
_STATEMENT_CHARS = 8 * 1024 * 1024
"""Rows' JSON per statement, about: far below SQLite's limit on a value, even for items at
every size limit (a row can take megabytes), and a few statements for a run of them."""
_COLUMNS = (
    "id", "kind", "lang", "title", "summary", "body", "item_date", "translation_group",
    "channel", "digest", "data", "tags_text", "extra_text", "feed", "object_hash",
)  # fmt: skip
"""The stored columns, in the order :func:`_row` gives their values."""
_VALUES = ", ".join(f"r.value ->> {i}" for i in range(len(_COLUMNS)))
_INSERT_ROWS = (
    f"INSERT INTO items ({', '.join(_COLUMNS)}) SELECT {_VALUES} FROM json_each(?) AS r "
    "ORDER BY r.key"
)
_UPDATE_ROWS = (
    "UPDATE items SET "
    + ", ".join(f"{name} = r.value ->> {i + 1}" for i, name in enumerate(_COLUMNS) if name != "id")
    + " FROM json_each(?) AS r WHERE items.seq = r.value ->> 0"
)
_DELETE_FACETS = "DELETE FROM {table} WHERE seq IN (SELECT value FROM json_each(?))"
_INSERT_FACETS = (
    "INSERT OR IGNORE INTO {table} (seq, {column}) "
    "SELECT i.seq, f.value ->> 1 FROM json_each(?) AS f JOIN items AS i ON i.id = f.value ->> 0"
)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _json_arrays(rows: list[list[Any]]) -> Iterator[str]:
    """``rows`` as JSON arrays of about :data:`_STATEMENT_CHARS` characters each at most (a
    longer row on its own)."""
    chunk: list[str] = []
    size = 0
    for row in rows:
        text = _json(row)
        if chunk and size + len(text) > _STATEMENT_CHARS:
            yield "[" + ",".join(chunk) + "]"
            chunk, size = [], 0
        chunk.append(text)
        size += len(text) + 1
    if chunk:
        yield "[" + ",".join(chunk) + "]"


def _runs_of_distinct_ids(items: Iterable[Item]) -> Iterator[list[Item]]:
    """``items`` in order, in runs of at most :data:`_RUN_ITEMS`, cut wherever an id comes
    again: an item given twice is applied twice, the second time over the first, as one at a
    time would."""
    run: list[Item] = []
    ids: set[str] = set()
    for item in items:
        if item.id in ids or len(run) >= _RUN_ITEMS:
            yield run
            run, ids = [], set()
        run.append(item)
        ids.add(item.id)
    if run:
        yield run


def _row(item: Item, item_digest: str, feed: str | None, object_hash: str | None) -> list[Any]:
    """The values of :data:`_COLUMNS` for ``item``."""
    data = item_to_dict(item)
    data.pop("body", None)
    item_date = item.published if isinstance(item, Article) else None
    item_date = item_date or item.updated
    return [
        item.id,
        item.kind,
        item.lang,
        item.title,
        item.summary,
        item.body,
        item_date.isoformat() if item_date else None,
        getattr(item, "translation_group", None),
        item.channel,
        item_digest,
        json.dumps(data, ensure_ascii=False, sort_keys=True),
        "\n".join(item.tags),
        "\n".join(_extra_search_text(item)),
        feed,
        object_hash,
    ]


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
