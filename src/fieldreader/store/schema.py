"""Numbered schema migrations, recorded in ``PRAGMA user_version``.

Each migration is applied in its own transaction together with the version bump, so a library is
always at exactly one version. Migrations are only ever appended; an existing one is never edited,
because libraries in the field were created with it.
"""

from __future__ import annotations

import sqlcipher3

from fieldreader.store.database import Connection
from fieldreader.store.errors import DatabaseDamaged, SchemaTooNew

_V1_CONTENT = """
CREATE TABLE items (
    seq               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL CHECK (kind IN ('article', 'contact', 'guidance')),
    lang              TEXT NOT NULL,
    title             TEXT NOT NULL,
    summary           TEXT NOT NULL,
    body              TEXT NOT NULL,
    item_date         TEXT,            -- ISO date: published, else updated; for sorting, filters
    translation_group TEXT,
    channel           TEXT NOT NULL,
    digest            TEXT NOT NULL,   -- hash of the item's canonical form: unchanged upserts
    data              TEXT NOT NULL,   -- JSON: the item without its body
    tags_text         TEXT NOT NULL,   -- indexed for search only
    extra_text        TEXT NOT NULL    -- authors, contact details: indexed for search only
);
CREATE INDEX items_kind_date ON items (kind, item_date);
CREATE INDEX items_lang ON items (lang);
CREATE INDEX items_group ON items (translation_group) WHERE translation_group IS NOT NULL;

CREATE TABLE item_tags (
    seq INTEGER NOT NULL REFERENCES items (seq) ON DELETE CASCADE,
    tag TEXT NOT NULL,                 -- casefolded
    PRIMARY KEY (tag, seq)
) WITHOUT ROWID;
CREATE INDEX item_tags_seq ON item_tags (seq);

CREATE TABLE item_countries (
    seq     INTEGER NOT NULL REFERENCES items (seq) ON DELETE CASCADE,
    country TEXT NOT NULL,
    PRIMARY KEY (country, seq)
) WITHOUT ROWID;
CREATE INDEX item_countries_seq ON item_countries (seq);

-- External-content index: the text lives once, in items. unicode61 with remove_diacritics 2
-- makes "cafe" find "café". Prefix indexes for 3 and 4 characters make "nat*" as cheap as
-- a word (without them a common prefix merged hundreds of doclists: 0.1-0.9 s at 100k), at the
-- price of slower inserts; search-as-you-type asks for prefixes on every keystroke.
-- SQLCipher reserves 80 bytes of each 4 KiB page, so FTS5's default 4050-byte leaves would
-- spill onto overflow pages; 3900 fits.
CREATE VIRTUAL TABLE items_fts USING fts5 (
    title, summary, body, tags_text, extra_text,
    content = 'items', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3 4'
);
INSERT INTO items_fts (items_fts, rank) VALUES ('pgsz', 3900);
-- Titles count most, then summaries and tags (search.py calls bm25() with the same weights,
-- which measured faster than ORDER BY rank; this keeps rank meaningful for ad-hoc queries).
INSERT INTO items_fts (items_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0, 3.0, 2.0)');

CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, title, summary, body, tags_text, extra_text)
    VALUES (new.seq, new.title, new.summary, new.body, new.tags_text, new.extra_text);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, summary, body, tags_text, extra_text)
    VALUES ('delete', old.seq, old.title, old.summary, old.body, old.tags_text, old.extra_text);
END;
CREATE TRIGGER items_fts_update
AFTER UPDATE OF title, summary, body, tags_text, extra_text ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, summary, body, tags_text, extra_text)
    VALUES ('delete', old.seq, old.title, old.summary, old.body, old.tags_text, old.extra_text);
    INSERT INTO items_fts (rowid, title, summary, body, tags_text, extra_text)
    VALUES (new.seq, new.title, new.summary, new.body, new.tags_text, new.extra_text);
END;
"""

# User data refers to items by id, never by foreign key: content updates and deletions must not
# cascade into a person's notes. Titles are copied so a note outlives its withdrawn item.
_V2_USER_DATA = """
CREATE TABLE bookmarks (
    item_id    TEXT PRIMARY KEY,
    item_title TEXT NOT NULL,
    created    TEXT NOT NULL
);
CREATE TABLE notes (
    id           INTEGER PRIMARY KEY,
    item_id      TEXT,
    item_title   TEXT,
    quote_exact  TEXT,
    quote_prefix TEXT,
    quote_suffix TEXT,
    body         TEXT NOT NULL,
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL
);
CREATE INDEX notes_item ON notes (item_id);
CREATE TABLE reading_positions (
    item_id  TEXT PRIMARY KEY,
    position REAL NOT NULL CHECK (position BETWEEN 0.0 AND 1.0),
    updated  TEXT NOT NULL
);
CREATE TABLE checklist_ticks (
    item_id   TEXT NOT NULL,
    check_id  TEXT NOT NULL,
    ticked_at TEXT NOT NULL,
    PRIMARY KEY (item_id, check_id)
) WITHOUT ROWID;
"""

# Library-wide facts (feed version, last verification, identifying settings) live inside the
# encrypted file, never in a side file.
_V3_META = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""

# Signed feeds: which feed each item came from, what the library trusts and holds of each feed,
# the verified index segments (so a sync fetches only new ones) and attachments.
_V4_FEEDS = """
ALTER TABLE items ADD COLUMN feed TEXT;
ALTER TABLE items ADD COLUMN object_hash TEXT;
CREATE INDEX items_feed ON items (feed) WHERE feed IS NOT NULL;
CREATE TABLE feeds (
    feed              TEXT PRIMARY KEY,
    root              BLOB NOT NULL,   -- the newest verified root metadata, as signed
    timestamp_version INTEGER NOT NULL DEFAULT 0,
    snapshot_version  INTEGER NOT NULL DEFAULT 0,
    snapshot          BLOB,            -- the verified snapshot applied last
    issued            TEXT,            -- when the publisher issued that timestamp
    last_verified     TEXT             -- when this library last verified the feed
);
CREATE TABLE feed_segments (
    sha256 TEXT PRIMARY KEY,
    feed   TEXT NOT NULL REFERENCES feeds (feed) ON DELETE CASCADE,
    data   BLOB NOT NULL               -- verified bytes, as fetched
);
CREATE TABLE attachments (
    name   TEXT PRIMARY KEY,
    feed   TEXT,
    sha256 TEXT NOT NULL,
    data   BLOB NOT NULL
);
"""

# What a sync has downloaded and verified but not applied yet, kept inside the encrypted
# database (never as files) so an interrupted sync resumes without downloading it again.
_V5_STAGING = """
CREATE TABLE feed_staging (
    sha256 TEXT PRIMARY KEY,
    feed   TEXT NOT NULL,
    data   BLOB NOT NULL
);
"""

# Staged downloads moved to their own database (fieldreader.store.staging) so a sync can stage
# while it applies. What an interrupted sync of an older build staged here is dropped: the next
# sync downloads it again.
_V6_STAGING_MOVED = """
DROP TABLE feed_staging;
"""

# The reader's data moved to its own database (fieldreader.store.userdb) so a sync's write lock
# on this file never holds up a note. fieldreader.store.library copies the rows across, and
# commits them there, before this drops them here ("IF EXISTS": a second fieldreader opening
# the same library at the same moment may have dropped them first).
_V7_USER_DATA_MOVED = """
DROP TABLE IF EXISTS main.bookmarks;
DROP TABLE IF EXISTS main.notes;
DROP TABLE IF EXISTS main.reading_positions;
DROP TABLE IF EXISTS main.checklist_ticks;
DELETE FROM main.meta WHERE key = 'ui-settings';
"""

MIGRATIONS: tuple[str, ...] = (
    _V1_CONTENT,
    _V2_USER_DATA,
    _V3_META,
    _V4_FEEDS,
    _V5_STAGING,
    _V6_STAGING_MOVED,
    _V7_USER_DATA_MOVED,
)
LATEST = len(MIGRATIONS)
USER_DATA_MOVED = 7
"""The first version whose library keeps the reader's data in ``userdata.db``."""


def version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_supported(conn: Connection) -> int:
    """The library's schema version, or :class:`SchemaTooNew` if this build cannot read it."""
    current = version(conn)
    if current > LATEST:
        raise SchemaTooNew(
            f"This library was written by a newer fieldreader (schema {current}; this build "
            f"knows up to {LATEST}). Update fieldreader to open it."
        )
    return current


def migrate(conn: Connection, target: int = LATEST) -> int:
    """Bring the schema up to ``target``; returns the version reached.

    ``target`` below LATEST exists so tests can build libraries as older builds left them.
    """
    current = check_supported(conn)
    run_migrations(conn, MIGRATIONS, current, target)
    return max(current, target)


def run_migrations(
    conn: Connection, scripts: tuple[str, ...], current: int, target: int, schema: str = "main"
) -> None:
    """Apply ``scripts`` after ``current`` up to ``target`` (numbered from 1) to the database
    attached as ``schema``, each in its own transaction together with its version bump."""
    for number in range(current + 1, target + 1):
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{scripts[number - 1]}\n"
                f"PRAGMA {schema}.user_version = {number};\nCOMMIT;"
            )
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlcipher3.DatabaseError) and not isinstance(
                exc, sqlcipher3.OperationalError
            ):
                raise DatabaseDamaged("The library's database is damaged.") from None
            raise
