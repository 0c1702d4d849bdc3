"""The update engine's good paths and its offline rules: bundles full, delta, channel-limited and
encrypted, deletions that keep the reader's notes, key rotation, attachments, progress,
cancellation, feed state, directory sync, trust, and the ``fieldreader import`` command."""

from __future__ import annotations

import io
import json
import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Self

import pytest

from factories import FAST_KDF, PASSPHRASE
from feedkit import (
    BUNDLE_PASSPHRASE,
    CHANNEL,
    CHANNEL_KEY,
    CHART,
    FEED,
    MAP,
    PNG_SIGNATURE,
    build,
    start_feed,
    write_article,
    write_contact,
    write_guidance,
    write_media,
)
from fieldreader.cli import feed_commands, run
from fieldreader.feed.bundle import BundleSource, create_bundle
from fieldreader.feed.errors import RollbackAttack, UnknownKey, UpdateCancelled
from fieldreader.feed.metadata import format_time
from fieldreader.feed.publisher import generate_keys, rotate_keys
from fieldreader.feed.source import DirectorySource, FeedSource, NotInSource
from fieldreader.feed.update import (
    DeltaNeedsBase,
    NotTrusted,
    Progress,
    UpdateOptions,
    UpdateResult,
    update_library,
)
from fieldreader.itemcodec import digest
from fieldreader.store import Library, create_library
from fieldreader.store.errors import FeedConflict
from fieldreader.store.feeds import FeedState

V1_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
V2_AT = V1_AT + timedelta(days=1)
NOW = V2_AT + timedelta(hours=2)
"""When updates run, unless a test says otherwise: inside the validity of both versions."""
V1_ITEMS = {"article-0", "article-1", "article-2", "secret-1", "laptop-en", "desk"}
V2_ITEMS = V1_ITEMS - {"article-2"} | {"article-3"}


def frozen_clock() -> datetime:
    return NOW


# --- content, feeds and bundles --------------------------------------------------------------


def write_v1(content: Path) -> None:
    write_article(content, "article-0", "Report number 0. ![map](media/map.png)")
    write_article(content, "article-1", "Report number 1.")
    write_article(content, "article-2", "Report number 2, withdrawn later.")
    write_article(content, "secret-1", "The address is known to the team.", channel=CHANNEL)
    write_guidance(content)
    write_contact(content)
    write_media(content, "map.png", MAP)


def write_v2(content: Path) -> None:
    """An edit, an edit in the restricted channel, an addition, a deletion, a new attachment."""
    write_article(content, "article-0", "Report number 0, corrected.")
    write_article(content, "secret-1", "The team moved; ask the desk.", channel=CHANNEL)
    write_article(content, "article-3", "A new report. ![chart](media/chart.png)")
    (content / "articles" / "article-2.md").unlink()
    write_media(content, "chart.png", CHART)


@dataclass(frozen=True)
class Feeds:
    v1: Path
    v2: Path
    root1: bytes
    bundles: Path

    def bundle(self, name: str) -> bytes:
        return (self.bundles / f"{name}.frb").read_bytes()


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Feeds:
    base = tmp_path_factory.mktemp("update")
    keydir, content, feed = start_feed(base, write_v1, V1_AT)
    v1 = base / "feed-v1"
    shutil.copytree(feed, v1)
    write_v2(content)
    build(content, feed, keydir, V2_AT)
    bundles = base / "bundles"
    bundles.mkdir()
    create_bundle(v1, bundles / "v1.frb", now=NOW)
    create_bundle(feed, bundles / "v2.frb", now=NOW)
    create_bundle(feed, bundles / "v2-delta.frb", since=1, now=NOW)
    create_bundle(feed, bundles / "v2-public.frb", channels=["public"], now=NOW)
    create_bundle(
        feed, bundles / "v2-sealed.frb", passphrase=BUNDLE_PASSPHRASE, kdf=FAST_KDF, now=NOW
    )
    return Feeds(v1, feed, (feed / "root" / "1.root.json").read_bytes(), bundles)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = create_library(tmp_path / "library", PASSPHRASE, FAST_KDF, clock=frozen_clock)
    yield lib
    lib.close()


def import_bundle(
    library: Library,
    data: bytes,
    *,
    trusted: bytes | None = None,
    now: datetime = NOW,
    keys: dict[str, bytes] | None = None,
    passphrase: str | None = None,
) -> UpdateResult:
    """What ``fieldreader import`` does: offline, partial when the bundle says so."""
    source = BundleSource(data, passphrase)
    options = UpdateOptions(
        now=now,
        online=False,
        base_version=source.since,
        trusted_root=trusted,
        channel_keys={CHANNEL: CHANNEL_KEY} if keys is None else keys,
        partial_source=source.partial,
    )
    return update_library(library, source, options)


def sync(
    library: Library, source: FeedSource, *, now: datetime = NOW, trusted_root: bytes | None = None
) -> UpdateResult:
    """A sync from a mirror: online, expired metadata refused."""
    options = UpdateOptions(
        now=now, online=True, trusted_root=trusted_root, channel_keys={CHANNEL: CHANNEL_KEY}
    )
    return update_library(library, source, options)


@dataclass(frozen=True)
class Holdings:
    """What the library shows and holds; equal holdings mean nothing changed."""

    items: dict[str, str]
    attachments: dict[str, str]
    state: FeedState | None
    segments: frozenset[str]


def snapshot_of(library: Library) -> Holdings:
    items = {}
    for summary in library.content.list_items():
        item = library.content.get(summary.id)
        assert item is not None
        items[summary.id] = digest(item)
    return Holdings(
        items,
        library.attachments.hashes(FEED),
        library.feeds.state(FEED),
        frozenset(library.feeds.segments(FEED)),
    )


def body_of(library: Library, item_id: str) -> str:
    item = library.content.get(item_id)
    assert item is not None
    return item.body


def versions(library: Library) -> tuple[int, int]:
    state = library.feeds.state(FEED)
    assert state is not None
    return state.timestamp_version, state.snapshot_version


# --- full bundles ----------------------------------------------------------------------------


def test_a_first_import_of_a_full_bundle_takes_everything(feeds: Feeds, library: Library) -> None:
    result = import_bundle(library, feeds.bundle("v1"), trusted=feeds.root1)

    assert (result.feed, result.version, result.root_version) == (FEED, 1, 1)
    assert (result.added, result.updated, result.removed, result.unchanged) == (6, 0, 0, 0)
    assert (result.attachments, result.not_carried, result.nothing_new) == (1, 0, False)
    assert result.age_seconds == (NOW - V1_AT).total_seconds()
    assert not result.expired
    assert {s.id for s in library.content.list_items()} == V1_ITEMS
    assert body_of(library, "secret-1") == "The address is known to the team.\n"
    assert versions(library) == (1, 1)


def test_without_the_channel_key_the_restricted_item_is_left_out(
    feeds: Feeds, library: Library
) -> None:
    result = import_bundle(library, feeds.bundle("v1"), trusted=feeds.root1, keys={})
    assert (result.added, result.not_carried) == (5, 0)
    assert library.content.get("secret-1") is None


def test_importing_the_same_bundle_twice_changes_nothing(feeds: Feeds, library: Library) -> None:
    import_bundle(library, feeds.bundle("v2"), trusted=feeds.root1)
    before = snapshot_of(library)

    again = import_bundle(library, feeds.bundle("v2"))

    assert again.nothing_new
    assert (again.added, again.updated, again.removed, again.attachments) == (0, 0, 0, 0)
    assert snapshot_of(library) == before


def test_an_older_bundle_after_a_newer_one_is_a_rollback(feeds: Feeds, library: Library) -> None:
    import_bundle(library, feeds.bundle("v2"), trusted=feeds.root1)
    before = snapshot_of(library)

    with pytest.raises(RollbackAttack, match="older than the 2 this library holds"):
        import_bundle(library, feeds.bundle("v1"))

    assert snapshot_of(library) == before


def test_an_update_applies_edits_additions_and_deletions(feeds: Feeds, library: Library) -> None:
    import_bundle(library, feeds.bundle("v1"), trusted=feeds.root1)
    result = import_bundle(library, feeds.bundle("v2"))
    assert (result.version, result.added, result.updated, result.removed) == (2, 1, 2, 1)
    assert (result.unchanged, result.attachments) == (0, 1)  # unchanged objects are not fetched
    assert {s.id for s in library.content.list_items()} == V2_ITEMS
    assert body_of(library, "article-0") == "Report number 0, corrected.\n"
    assert body_of(library, "secret-1") == "The team moved; ask the desk.\n"
    assert versions(library) == (2, 2)


def test_a_deleted_item_keeps_the_notes_bookmarks_and_ticks_on_it(
    feeds: Feeds, library: Library
) -> None:
    import_bundle(library, feeds.bundle("v1"), trusted=feeds.root1)
    note = library.userdata.add_note("Check the withdrawn figures", item_id="article-2")
    library.userdata.add_bookmark("article-2")
    library.userdata.set_tick("laptop-en", "disk", ticked=True)
    assert note.item_exists

    import_bundle(library, feeds.bundle("v2"))

    assert library.content.get("article-2") is None
    kept = library.userdata.note(note.id)
    assert (kept.body, kept.item_id, kept.item_exists) == (note.body, "article-2", False)
    assert kept.item_title == "Title of article-2"
    (bookmark,) = library.userdata.bookmarks()
    assert (bookmark.item_id, bookmark.item_title, bookmark.item_exists) == (
        "article-2",
        "Title of article-2",
        False,
    )
    assert library.userdata.ticks("laptop-en") == {"disk"}


def test_attachments_are_stored_and_follow_the_feed(feeds: Feeds, library: Library) -> None:
    import_bundle(library, feeds.bundle("v1"), trusted=feeds.root1)
    assert library.attachments.get("map.png") == MAP
    assert library.attachments.get("chart.png") is None

    import_bundle(library, feeds.bundle("v2"))

    assert library.attachments.get("map.png") == MAP
    assert library.attachments.get("chart.png") == CHART
    assert set(library.attachments.hashes(FEED)) == {"map.png", "chart.png"}


def test_an_encrypted_bundle_round_trips(feeds: Feeds, library: Library) -> None:
    sealed = feeds.bundle("v2-sealed")
    assert b"article-0" not in sealed
    assert b"Laptop basics" not in sealed
    result = import_bundle(library, sealed, trusted=feeds.root1, passphrase=BUNDLE_PASSPHRASE)
    assert (result.version, result.added, result.attachments) == (2, 6, 2)
    plain = create_library(library.paths.root.parent / "plain", PASSPHRASE, FAST_KDF)
    with plain:
        import_bundle(plain, feeds.bundle("v2"), trusted=feeds.root1)
        assert snapshot_of(plain).items == snapshot_of(library).items


# --- delta and channel-limited bundles -------------------------------------------------------


def test_a_delta_bundle_applies_on_a_library_holding_its_base(
    feeds: Feeds, library: Library
) -> None:
    delta, full = feeds.bundle("v2-delta"), feeds.bundle("v2")
    assert len(delta) < len(full)
    import_bundle(library, feeds.bundle("v1"), trusted=feeds.root1)

    result = import_bundle(library, delta)

    assert (result.version, result.added, result.updated, result.removed) == (2, 1, 2, 1)
    assert result.not_carried == 0
    other = create_library(library.paths.root.parent / "other", PASSPHRASE, FAST_KDF)
    with other:
        import_bundle(other, feeds.bundle("v1"), trusted=feeds.root1)
        import_bundle(other, full)
        assert snapshot_of(other) == snapshot_of(library)


def test_a_delta_bundle_is_refused_on_an_empty_library(feeds: Feeds, library: Library) -> None:
    with pytest.raises(DeltaNeedsBase) as caught:
        import_bundle(library, feeds.bundle("v2-delta"), trusted=feeds.root1)
    assert "Import a full bundle first" in str(caught.value)
    assert snapshot_of(library) == Holdings({}, {}, None, frozenset())


def test_a_delta_bundle_on_an_empty_library_is_not_reported_as_an_attack(
    feeds: Feeds, library: Library
) -> None:
    with pytest.raises(NotInSource):
        import_bundle(library, feeds.bundle("v2-delta"), trusted=feeds.root1)


def test_a_channel_limited_bundle_counts_what_it_does_not_carry_and_deletes_nothing(
    feeds: Feeds, library: Library
) -> None:
    import_bundle(library, feeds.bundle("v1"), trusted=feeds.root1)
    assert BundleSource(feeds.bundle("v2-public")).partial

    result = import_bundle(library, feeds.bundle("v2-public"))

    assert result.not_carried == 1  # secret-1 changed in the restricted channel
    assert (result.added, result.updated, result.removed) == (1, 1, 1)  # article-2: signed removal
    assert body_of(library, "secret-1") == "The address is known to the team.\n"  # as it was
    assert body_of(library, "article-0") == "Report number 0, corrected.\n"
    assert {s.id for s in library.content.list_items()} == V2_ITEMS
    assert library.attachments.get("chart.png") == CHART  # attachments always travel


def test_a_channel_limited_bundle_on_an_empty_library(feeds: Feeds, library: Library) -> None:
    result = import_bundle(library, feeds.bundle("v2-public"), trusted=feeds.root1)
    assert (result.added, result.not_carried, result.attachments) == (5, 1, 2)
    assert library.content.get("secret-1") is None


def test_a_full_bundle_completes_a_library_a_channel_limited_one_left_short(
    feeds: Feeds, library: Library
) -> None:
    import_bundle(library, feeds.bundle("v1"), trusted=feeds.root1)
    assert import_bundle(library, feeds.bundle("v2-public")).not_carried == 1

    import_bundle(library, feeds.bundle("v2"))

    assert body_of(library, "secret-1") == "The team moved; ask the desk.\n"


# --- key rotation ----------------------------------------------------------------------------


def test_a_library_trusting_root_1_follows_two_key_rotations(
    library: Library, tmp_path: Path
) -> None:
    keydir, content, feed = start_feed(tmp_path, write_v1, V1_AT)
    root1 = (feed / "root" / "1.root.json").read_bytes()
    sync(library, DirectorySource(feed), trusted_root=root1, now=V1_AT + timedelta(hours=1))
    assert rotate_keys(feed, keydir, now=V1_AT + timedelta(days=1)) == 2
    assert rotate_keys(feed, keydir, now=V1_AT + timedelta(days=2)) == 3
    write_v2(content)
    build(content, feed, keydir, V1_AT + timedelta(days=3))
    create_bundle(feed, tmp_path / "rotated.frb", now=NOW)
    later = V1_AT + timedelta(days=3, hours=1)

    result = import_bundle(library, (tmp_path / "rotated.frb").read_bytes(), now=later)

    assert (result.root_version, result.version, result.removed) == (3, 4, 1)
    state = library.feeds.state(FEED)
    assert state is not None
    assert state.root == (feed / "root" / "3.root.json").read_bytes()
    assert (state.timestamp_version, state.snapshot_version) == (4, 4)
    assert {s.id for s in library.content.list_items()} == V2_ITEMS

    fresh = create_library(tmp_path / "fresh", PASSPHRASE, FAST_KDF)
    with fresh:
        bundle = (tmp_path / "rotated.frb").read_bytes()
        assert import_bundle(fresh, bundle, trusted=root1, now=later).root_version == 3


def test_a_rotated_feed_without_its_intermediate_root_is_refused(
    library: Library, tmp_path: Path
) -> None:
    keydir, _, feed = start_feed(tmp_path, write_v1, V1_AT)
    root1 = (feed / "root" / "1.root.json").read_bytes()
    rotate_keys(feed, keydir, now=V1_AT + timedelta(hours=1))
    rotate_keys(feed, keydir, now=V1_AT + timedelta(hours=2))
    (feed / "root" / "2.root.json").unlink()  # a mirror that lost one file

    with pytest.raises(UnknownKey, match="timestamp is signed only by keys"):
        sync(library, DirectorySource(feed), trusted_root=root1, now=V1_AT + timedelta(hours=3))
    assert library.feeds.state(FEED) is None


# --- the engine: progress, cancellation, feed state, trust -----------------------------------


def test_progress_reports_each_phase_in_order(feeds: Feeds, library: Library) -> None:
    seen: list[Progress] = []
    source = BundleSource(feeds.bundle("v2"))
    options = UpdateOptions(
        now=NOW,
        online=False,
        trusted_root=feeds.root1,
        channel_keys={CHANNEL: CHANNEL_KEY},
        progress=seen.append,
    )
    update_library(library, source, options)

    objects = len(V2_ITEMS) + 2
    assert [(p.phase, p.done, p.total) for p in seen] == [
        ("metadata", 0, 3),
        ("metadata", 1, 3),
        ("metadata", 3, 3),
        ("index", 1, 1),
        *(("objects", n, objects) for n in range(1, objects + 1)),
        ("applying", 0, 1),
        ("applying", 1, 1),
    ]


@pytest.mark.parametrize("after_checks", [0, 3])
def test_a_cancelled_update_applies_nothing(
    feeds: Feeds, library: Library, after_checks: int
) -> None:
    import_bundle(library, feeds.bundle("v1"), trusted=feeds.root1)
    before = snapshot_of(library)
    checks = 0

    def cancelled() -> bool:
        nonlocal checks
        checks += 1
        return checks > after_checks

    source = BundleSource(feeds.bundle("v2"))
    options = UpdateOptions(
        now=NOW, online=False, channel_keys={CHANNEL: CHANNEL_KEY}, cancelled=cancelled
    )
    with pytest.raises(UpdateCancelled, match="library is unchanged"):
        update_library(library, source, options)

    assert checks == after_checks + 1
    assert snapshot_of(library) == before


def test_the_feed_state_records_when_it_was_last_verified(feeds: Feeds, library: Library) -> None:
    first = V2_AT + timedelta(minutes=5)
    sync(library, DirectorySource(feeds.v2), trusted_root=feeds.root1, now=first)
    state = library.feeds.state(FEED)
    assert state is not None
    assert (state.last_verified, state.issued) == (format_time(first), format_time(V2_AT))
    assert state.snapshot == (feeds.v2 / "snapshot" / "2.json").read_bytes()
    assert state.root == feeds.root1

    later = V2_AT + timedelta(days=2)
    assert sync(library, DirectorySource(feeds.v2), now=later).nothing_new
    again = library.feeds.state(FEED)
    assert again is not None
    assert again.last_verified == format_time(later)
    assert (again.timestamp_version, again.snapshot_version) == (
        state.timestamp_version,
        state.snapshot_version,
    )


def test_a_directory_sync_online_brings_the_library_up_to_date(
    feeds: Feeds, library: Library
) -> None:
    first = sync(library, DirectorySource(feeds.v1), trusted_root=feeds.root1, now=V1_AT)
    assert (first.version, first.added) == (1, 6)

    source = DirectorySource(feeds.v2)
    result = sync(library, source)

    assert (result.version, result.added, result.updated, result.removed) == (2, 1, 2, 1)
    assert not result.expired
    assert {s.id for s in library.content.list_items()} == V2_ITEMS
    # Only what changed is fetched: the timestamp (once, also to pick the feed's trust), the
    # next root (absent), the snapshot, the new segment and the four new or changed objects.
    assert source.requests == 8  # timestamp once, root probe, snapshot, segments, objects


def test_an_unknown_feed_without_a_trusted_root_is_not_trusted(
    feeds: Feeds, library: Library
) -> None:
    with pytest.raises(NotTrusted, match="does not follow the feed 'test-feed'"):
        import_bundle(library, feeds.bundle("v2"))
    assert snapshot_of(library) == Holdings({}, {}, None, frozenset())


def test_an_item_id_of_another_feed_is_a_conflict(
    feeds: Feeds, library: Library, tmp_path: Path
) -> None:
    import_bundle(library, feeds.bundle("v1"), trusted=feeds.root1)
    before = snapshot_of(library)
    keydir, content, other = tmp_path / "keys", tmp_path / "content", tmp_path / "other"
    generate_keys(keydir)
    write_article(content, "article-1", "Someone else's article-1.")
    build(content, other, keydir, V1_AT, feed_id="other-feed")

    with pytest.raises(FeedConflict, match="already belongs to feed 'test-feed'"):
        sync(
            library, DirectorySource(other), trusted_root=(other / "root/1.root.json").read_bytes()
        )
    assert snapshot_of(library) == before
    assert library.feeds.state("other-feed") is None


def test_an_attachment_of_another_feed_is_not_replaced(
    feeds: Feeds, library: Library, tmp_path: Path
) -> None:
    import_bundle(library, feeds.bundle("v1"), trusted=feeds.root1)
    keydir, content, other = tmp_path / "keys", tmp_path / "content", tmp_path / "other"
    generate_keys(keydir)
    write_article(content, "other-article", "Look at ![this](media/map.png)")
    write_media(content, "map.png", PNG_SIGNATURE + b" not the same map")
    build(content, other, keydir, V1_AT, feed_id="other-feed")

    with pytest.raises(FeedConflict):
        sync(
            library, DirectorySource(other), trusted_root=(other / "root/1.root.json").read_bytes()
        )
    assert library.attachments.get("map.png") == MAP


# --- the command line ------------------------------------------------------------------------


class FrozenDateTime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> Self:
        return cls.fromtimestamp(NOW.timestamp(), tz)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("FIELDREADER_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("FIELDREADER_BUNDLE_PASSPHRASE", raising=False)
    monkeypatch.setattr(feed_commands, "datetime", FrozenDateTime)
    tool = Cli(tmp_path / "cli-library")
    assert tool("init").code == 0
    return tool


class Cli:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def __call__(self, *args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        code = run(
            ["--data-dir", str(self.data_dir), *args],
            stdin=io.StringIO(""),
            stdout=out,
            stderr=err,
            kdf=FAST_KDF,
        )
        return CliResult(code, out.getvalue(), err.getvalue())


def test_the_import_command(feeds: Feeds, cli: Cli, tmp_path: Path) -> None:
    bundle = feeds.bundles / "v1.frb"
    root = tmp_path / "root.json"
    root.write_bytes(feeds.root1)
    key = tmp_path / "af.hex"
    key.write_text(CHANNEL_KEY.hex() + "\n")

    untrusted = cli("import", str(bundle))
    assert untrusted.code == 1
    assert "does not follow the feed 'test-feed'" in untrusted.err
    assert untrusted.err.rstrip().endswith("Use --trust-root ROOT.json.")

    first = cli("import", str(bundle), "--trust-root", str(root), "--channel-key", f"af={key}")
    assert (first.code, first.err) == (0, "")
    assert (
        first.out
        == "Feed 'test-feed' version 1: 6 added, 0 updated, 0 removed (issued 1 day ago).\n"
    )

    again = cli("import", str(bundle))
    assert again.code == 0
    assert again.out == "Already up to date: feed 'test-feed' version 1 (issued 1 day ago).\n"

    update = cli("import", str(feeds.bundles / "v2-public.frb"), "--channel-key", f"af={key}")
    assert update.code == 0
    assert update.out == (
        "Feed 'test-feed' version 2: 1 added, 1 updated, 1 removed (issued today). "
        "1 items were not in this bundle.\n"
    )
    listed = cli("list", "--json")
    assert listed.code == 0
    assert '"article-3"' in listed.out


def test_the_import_command_with_an_encrypted_bundle(
    feeds: Feeds, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "root.json"
    root.write_bytes(feeds.root1)
    sealed = str(feeds.bundles / "v2-sealed.frb")

    missing = cli("import", sealed, "--trust-root", str(root))
    assert missing.code == 1
    assert "FIELDREADER_BUNDLE_PASSPHRASE" in missing.err

    monkeypatch.setenv("FIELDREADER_BUNDLE_PASSPHRASE", "not it")
    wrong = cli("import", sealed, "--trust-root", str(root))
    assert (wrong.code, wrong.out) == (1, "")
    assert "does not open" in wrong.err

    monkeypatch.setenv("FIELDREADER_BUNDLE_PASSPHRASE", BUNDLE_PASSPHRASE)
    opened = cli("import", sealed, "--trust-root", str(root))
    assert opened.code == 0
    assert opened.out.startswith("Feed 'test-feed' version 2: 5 added, 0 updated, 0 removed")


def test_the_import_command_refuses_a_tampered_bundle_and_changes_nothing(
    feeds: Feeds, cli: Cli, tmp_path: Path
) -> None:
    root = tmp_path / "root.json"
    root.write_bytes(feeds.root1)
    assert cli("import", str(feeds.bundles / "v1.frb"), "--trust-root", str(root)).code == 0
    before = cli("list", "--json").out
    data = bytearray(feeds.bundle("v2"))
    (length,) = struct.unpack(">I", data[10:14])
    body = 14 + length
    for path, offset, size in json.loads(data[14:body])["files"]:
        if path.startswith("objects/"):
            data[body + offset + size // 2] ^= 1
    tampered = tmp_path / "tampered.frb"
    tampered.write_bytes(bytes(data))

    result = cli("import", str(tampered))

    assert (result.code, result.out) == (1, "")
    assert result.err.startswith("fieldreader: Object ")
    assert "does not match its signed hash" in result.err
    assert cli("list", "--json").out == before
