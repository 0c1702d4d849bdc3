"""Every older schema version, with data in it, upgrades to the latest without loss."""

from __future__ import annotations

from pathlib import Path

import pytest

from factories import PASSPHRASE
from fieldreader.store import database as db
from fieldreader.store import keyslots, open_library, userdb
from fieldreader.store.keyslots import KdfParams
from fieldreader.store.library import LibraryPaths
from fieldreader.store.schema import LATEST, USER_DATA_MOVED, migrate

FAST = KdfParams(1, 8 * 1024)

#: Rows an older build could have written at each version (inserted right after reaching it).
DATA_AT_VERSION = {
    1: [
        "INSERT INTO items (id, kind, lang, title, summary, body, item_date, translation_group, "
        "channel, digest, data, tags_text, extra_text) VALUES ('old-1', 'article', 'fr', "
        "'Le café', 'résumé', 'Texte ancien sur la société civile.', '2009-01-27', NULL, "
        '\'public\', \'d1\', \'{"id": "old-1", "kind": "article", "lang": "fr", '
        '"title": "Le café", "summary": "résumé"}\', \'nicaragua\', \'\')',
        "INSERT INTO item_tags (seq, tag) SELECT seq, 'nicaragua' FROM items WHERE id = 'old-1'",
    ],
    2: [
        "INSERT INTO notes (item_id, item_title, body, created, updated) VALUES "
        "('old-1', 'Le café', 'ma note', '2024-01-01T00:00:00+00:00', "
        "'2024-01-01T00:00:00+00:00')",
        "INSERT INTO bookmarks (item_id, item_title, created) VALUES ('old-1', 'Le café', "
        "'2024-01-01T00:00:00+00:00')",
        "INSERT INTO checklist_ticks VALUES ('g', 'disk', '2024-01-01T00:00:00+00:00')",
    ],
    3: [
        "INSERT INTO meta (key, value) VALUES ('library_id', 'abc')",
        "INSERT INTO meta (key, value) VALUES ('ui-settings', '{\"theme\": \"dark\"}')",
    ],
    4: [
        "INSERT INTO feeds (feed, root, timestamp_version, snapshot_version) "
        "VALUES ('org', X'7b7d', 3, 2)",
        "UPDATE items SET feed = 'org', object_hash = 'h1' WHERE id = 'old-1'",
        "INSERT INTO attachments VALUES ('map.png', 'org', 'h2', X'89504e47')",
    ],
    5: ["INSERT INTO feed_staging VALUES ('h3', 'org', X'00')"],
    6: [],  # drops feed_staging: staged downloads moved to their own database
    7: [  # the reader's data moved to userdata.db
        "INSERT INTO userdata.checklist_ticks VALUES ('g', 'lock', '2025-01-01T00:00:00+00:00')",
    ],
}


def build_library_at(data_dir: Path, version: int) -> None:
    """A library exactly as a build with schema ``version`` would have left it."""
    data_dir.mkdir(parents=True)
    key = keyslots.new_master_key()
    paths = LibraryPaths(data_dir)
    conn = db.create(paths.database, key)
    for step in range(1, version + 1):
        if step == USER_DATA_MOVED:
            userdb.attach(conn, paths.userdata, key, create=True)
            userdb.adopt(conn, USER_DATA_MOVED)
        migrate(conn, target=step)
        for sql in DATA_AT_VERSION[step]:
            conn.execute(sql)
    conn.close()
    paths.keyslots.write_bytes(keyslots.encode((keyslots.seal(key, PASSPHRASE, FAST),)))


@pytest.mark.parametrize("version", range(1, LATEST + 1))
def test_upgrade_from_every_version_keeps_data(tmp_path: Path, version: int) -> None:
    data_dir = tmp_path / f"v{version}"
    build_library_at(data_dir, version)
    with open_library(data_dir, PASSPHRASE) as lib:
        assert lib.schema_version() == LATEST
        item = lib.content.get("old-1")
        assert item is not None
        assert item.title == "Le café"
        assert [h.id for h in lib.search("societe")] == ["old-1"]
        if version >= 2:
            assert [n.body for n in lib.userdata.notes()] == ["ma note"]
            assert lib.userdata.is_bookmarked("old-1")
            assert lib.userdata.ticks("g") >= {"disk"}
        if version >= 3:
            assert lib.get_meta("library_id") == "abc"
            assert lib.userdata.preference("ui-settings") == '{"theme": "dark"}'
            assert lib.get_meta("ui-settings") is None
        if version >= 4:
            state = lib.feeds.state("org")
            assert state is not None
            assert (state.timestamp_version, state.snapshot_version) == (3, 2)
            assert lib.feeds.object_hashes("org") == {"old-1": "h1"}
            assert lib.attachments.get("map.png") == b"\x89PNG"
        # What an older build staged is a download cache: dropped, the next sync fetches it.
        tables = {r[0] for r in lib._conn.execute("SELECT name FROM main.sqlite_master")}
        assert "feed_staging" not in tables
        # The reader's data is only in its own file now, not also left in the library's.
        assert not tables & set(userdb.MOVED_TABLES)
        assert lib.staging.count() == 0
        # The upgraded library is fully usable.
        lib.userdata.add_note("new note", "old-1")
        lib.set_meta("k", "v")
        assert lib.integrity_problems() == []


def test_every_migration_has_test_data() -> None:
    assert sorted(DATA_AT_VERSION) == list(range(1, LATEST + 1))
