"""The publisher: every tree it writes verifies as a client would check it, builds are
reproducible and incremental, the index stays small, restricted channels stay sealed, and keys
rotate without stranding clients that hold an old root."""

from __future__ import annotations

import argparse
import io
import itertools
import json
import math
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from feedkit import (
    CHANNEL_KEY,
    FEED,
    PNG_SIGNATURE,
    write_article,
    write_contact,
    write_guidance,
    write_media,
)
from fieldreader import source
from fieldreader.cli.context import Context
from fieldreader.cli.publish import add_publish_commands, dispatch_publish
from fieldreader.errors import ContentError
from fieldreader.feed import canonical, publisher
from fieldreader.feed.errors import (
    ChannelKeyMissing,
    DecryptionFailed,
    FreezeAttack,
    UnknownKey,
)
from fieldreader.feed.keys import ROLES, KeyFileError, key_path, read_key
from fieldreader.feed.metadata import IndexEntry, Root, Segment, Snapshot, Timestamp
from fieldreader.feed.metadata import effective_index as fold
from fieldreader.feed.objects import entry_id
from fieldreader.feed.publisher import (
    BuildReport,
    PublishError,
    build_feed,
    generate_keys,
    rotate_keys,
)
from fieldreader.feed.verify import FeedVerifier, Held, load_trusted_root
from fieldreader.model import Item

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SECRET_TITLE = "Safe house in Kandahar"


# --- content and helpers ---------------------------------------------------------------------


def make_content(root: Path, articles: int = 3) -> Path:
    """A small folder with every kind of file the format allows."""
    content = root / "content"
    for number in range(articles):
        write_article(content, f"article-{number}", f"Report number {number}.")
    write_guidance(content)
    write_contact(content)
    write_media(content, "map.png", PNG_SIGNATURE + bytes(range(256)) * 4)
    write_media(content, ".DS_Store", b"ignored")
    return content


@pytest.fixture(scope="module")
def module_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    keydir = tmp_path_factory.mktemp("keys") / "keys"
    generate_keys(keydir)
    return keydir


@pytest.fixture
def keydir(tmp_path: Path) -> Path:
    """Keys of one test's own, for tests that rotate them."""
    keys = tmp_path / "keys"
    generate_keys(keys)
    return keys


@pytest.fixture(scope="module")
def sample_dir() -> Iterator[Path]:
    with resources.as_file(resources.files("fieldreader") / "resources" / "sample") as folder:
        yield Path(folder)


@dataclass
class ClientView:
    """What a client makes of a feed folder, verifying every step as the sync engine must."""

    root: Root
    timestamp: Timestamp
    snapshot: Snapshot
    segments: list[Segment]
    index: dict[str, IndexEntry]
    items: dict[str, Item] = field(default_factory=dict)
    attachments: dict[str, bytes] = field(default_factory=dict)
    sealed: set[str] = field(default_factory=set)


def read_feed(
    feed: Path,
    now: datetime,
    channel_keys: dict[str, bytes] | None = None,
    *,
    trusted: bytes | None = None,
    walk_roots: bool = True,
) -> ClientView:
    root = load_trusted_root(trusted or (feed / "root" / "1.root.json").read_bytes())
    verifier = FeedVerifier(root, Held(), now, online=True)
    version = root.version + 1
    while walk_roots and (feed / "root" / f"{version}.root.json").exists():
        root = verifier.update_root((feed / "root" / f"{version}.root.json").read_bytes())
        version += 1
    verifier.check_root_fresh()
    timestamp = verifier.update_timestamp((feed / "timestamp.json").read_bytes())
    snapshot_bytes = (feed / "snapshot" / f"{timestamp.snapshot.version}.json").read_bytes()
    snapshot = verifier.update_snapshot(snapshot_bytes)
    segments = [
        verifier.verify_segment(ref, (feed / "index" / f"{ref.sha256}.json.zst").read_bytes())
        for ref in snapshot.segments
    ]
    view = ClientView(root, timestamp, snapshot, segments, fold(segments))
    keys = channel_keys or {}
    for entry in view.index.values():
        data = (feed / "objects" / entry.sha256[:2] / entry.sha256).read_bytes()
        if entry.kind == "attachment":
            view.attachments[entry.id] = verifier.verify_attachment(entry, data, keys)
        elif snapshot.channels[entry.channel] and entry.channel not in keys:
            view.sealed.add(entry.id)
        else:
            item = verifier.verify_item(entry, data, keys)
            view.items[item.id] = item
    return view


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Inode and mtime of every file: a rewrite changes one of them even with equal bytes."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def touched(before: dict[str, tuple[int, int]], folder: Path) -> set[str]:
    return {path for path, stamp in stamps(folder).items() if before.get(path) != stamp}


def kinds_of(paths: set[str] | tuple[str, ...]) -> list[str]:
    return sorted(path.split("/")[0] for path in paths)


def build(content: Path, feed: Path, keys: Path, now: datetime = NOW, **kw: object) -> BuildReport:
    kw.setdefault("feed_id", FEED)
    return build_feed(content, feed, keys, now=now, **kw)  # type: ignore[arg-type]


# --- what a build writes ---------------------------------------------------------------------


def test_the_sample_library_builds_into_a_feed_a_client_accepts(
    sample_dir: Path, module_keys: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "feed"
    report = build(sample_dir, feed, module_keys)
    expected = {item.id: item for item in source.load_folder(sample_dir)}
    assert (report.version, report.added, report.removed, report.segments) == (1, 55, 0, 1)
    assert report.objects_written == len(expected)

    view = read_feed(feed, NOW + timedelta(days=6))
    assert view.items == expected
    assert view.snapshot.channels == {"public": False}
    assert all(entry.version == 1 for entry in view.index.values())
    assert report.bytes_written == sum(len(data) for data in tree(feed).values())


def test_metadata_is_valid_only_inside_its_window(module_keys: Path, tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    build(make_content(tmp_path), feed, module_keys, timestamp_days=2)
    view = read_feed(feed, NOW + timedelta(days=1))
    assert (view.timestamp.issued, view.timestamp.expires) == (NOW, NOW + timedelta(days=2))
    assert view.snapshot.expires == NOW + timedelta(days=30)
    assert view.root.expires == NOW + timedelta(days=365)
    with pytest.raises(FreezeAttack, match="timestamp has expired"):
        read_feed(feed, NOW + timedelta(days=2))


def test_every_kind_of_file_and_attachments_round_trip(module_keys: Path, tmp_path: Path) -> None:
    content = make_content(tmp_path)
    feed = tmp_path / "feed"
    build(content, feed, module_keys)
    view = read_feed(feed, NOW)
    assert view.items == {item.id: item for item in source.load_folder(content)}
    assert view.attachments == {"map.png": (content / "media" / "map.png").read_bytes()}
    assert view.index["map.png"].kind == "attachment"
    assert view.index["map.png"].channel == "public"


def test_feed_files_are_public_and_written_without_temporaries(
    module_keys: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "feed"
    build(make_content(tmp_path), feed, module_keys)
    umask = os.umask(0)
    os.umask(umask)
    for path in feed.rglob("*"):
        assert not path.name.startswith("."), path
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o644 & ~umask, path


def test_two_builds_of_the_same_input_are_byte_identical(module_keys: Path, tmp_path: Path) -> None:
    content = make_content(tmp_path)
    write_article(content, "secret-1", SECRET_TITLE, channel="contacts-af")
    trees = []
    for name in ("one", "two"):
        feed = tmp_path / name
        for day in range(3):
            (content / "articles" / "article-0.md").write_text(
                f"---\nid: article-0\nkind: article\nlang: en\ntitle: Day {day}\n---\nText\n",
                encoding="utf-8",
            )
            build(
                content,
                feed,
                module_keys,
                NOW + timedelta(days=day),
                restricted=["contacts-af"],
                channel_keys={"contacts-af": CHANNEL_KEY},
            )
        trees.append(tree(feed))
    assert trees[0] == trees[1]
    assert len(trees[0]) > 10


# --- incremental builds ----------------------------------------------------------------------


def test_editing_one_article_writes_only_its_object_a_segment_snapshot_and_timestamp(
    sample_dir: Path, module_keys: Path, tmp_path: Path
) -> None:
    content = tmp_path / "sample"
    content.mkdir()
    for path in sample_dir.rglob("*.*"):
        target = content / path.relative_to(sample_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    feed = tmp_path / "feed"
    build(content, feed, module_keys)
    edited = content / "articles" / "civicus-impact-stories-en.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA correction.\n", encoding="utf-8")
    before = stamps(feed)

    later = NOW + timedelta(hours=1)
    report = build(content, feed, module_keys, later)

    assert kinds_of(touched(before, feed)) == ["index", "objects", "snapshot", "timestamp.json"]
    assert kinds_of(report.written) == ["index", "objects", "snapshot", "timestamp.json"]
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 54)
    assert (report.version, report.segments, report.objects_written) == (2, 2, 1)
    view = read_feed(feed, later)
    assert view.segments[-1].removed == ()
    assert [e.id for e in view.segments[-1].entries] == ["civicus-impact-stories-en"]
    assert view.index["civicus-impact-stories-en"].version == 2
    assert view.index["civicus-impact-stories-es"].version == 1
    assert view.items == {item.id: item for item in source.load_folder(content)}


def test_a_build_with_nothing_new_only_renews_the_timestamp(
    module_keys: Path, tmp_path: Path
) -> None:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    build(content, feed, module_keys)
    first = read_feed(feed, NOW)
    before = stamps(feed)

    report = build(content, feed, module_keys, NOW + timedelta(days=5))

    assert touched(before, feed) == {"timestamp.json"}
    assert (report.version, report.timestamp_version, report.objects_written) == (1, 2, 0)
    view = read_feed(feed, NOW + timedelta(days=11))  # valid past the first timestamp's expiry
    assert view.timestamp.snapshot == first.timestamp.snapshot
    assert view.timestamp.expires == NOW + timedelta(days=12)


def test_a_snapshot_about_to_expire_is_issued_again(module_keys: Path, tmp_path: Path) -> None:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    build(content, feed, module_keys)
    before = stamps(feed)

    later = NOW + timedelta(days=25)  # the snapshot has 5 days left, the timestamp needs 7
    report = build(content, feed, module_keys, later)

    assert kinds_of(touched(before, feed)) == ["snapshot", "timestamp.json"]
    assert report.version == 2
    view = read_feed(feed, later + timedelta(days=6))
    assert view.snapshot.segments == read_feed(feed, later).snapshot.segments
    assert view.snapshot.expires == later + timedelta(days=30)


def test_a_deleted_file_is_removed_from_the_index(module_keys: Path, tmp_path: Path) -> None:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    build(content, feed, module_keys)
    (content / "articles" / "article-1.md").unlink()
    (content / "media" / "map.png").unlink()

    report = build(content, feed, module_keys, NOW + timedelta(hours=1))

    assert (report.removed, report.unchanged, report.objects_written) == (2, 4, 0)
    view = read_feed(feed, NOW + timedelta(hours=1))
    assert view.segments[-1].removed == ("article-1", "map.png")
    assert "article-1" not in view.index
    assert view.attachments == {}
    assert view.items == {item.id: item for item in source.load_folder(content)}


def test_compaction_keeps_the_index_to_a_few_segments(module_keys: Path, tmp_path: Path) -> None:
    content, feed = make_content(tmp_path, articles=24), tmp_path / "feed"
    build(content, feed, module_keys)
    edits = 20
    counts = []
    for number in range(1, edits + 1):
        # Mostly distinct articles, some edited twice, one deleted and brought back.
        target = f"article-{(number * 7) % 24}"
        if number == 9:
            (content / "articles" / "article-3.md").unlink()
        else:
            write_article(content, target, f"Edit number {number}.")
        if number == 15:
            write_article(content, "article-3", "Back again.")
        moment = NOW + timedelta(hours=number)
        report = build(content, feed, module_keys, moment)
        assert report.segments <= math.log2(number + 1) + 2, (number, report.segments)
        counts.append(report.segments)
    view = read_feed(feed, NOW + timedelta(hours=edits))
    assert view.items == {item.id: item for item in source.load_folder(content)}
    assert len(view.segments) == counts[-1]
    assert view.segments[0].removed == ()  # the bottom segment has nothing below to hide
    sizes = [len(s.entries) + len(s.removed) for s in view.segments]
    assert all(newer * 2 < older for older, newer in itertools.pairwise(sizes))
    assert max(counts) > 1  # small edits did land in small segments of their own


# --- restricted channels ---------------------------------------------------------------------


def restricted_feed(tmp_path: Path, keys: Path) -> tuple[Path, Path]:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    write_article(content, "secret-1", f"{SECRET_TITLE}: address and contacts.", channel="af")
    (content / "articles" / "secret-1.md").write_text(
        f"---\nid: secret-1\nkind: article\nlang: en\ntitle: {SECRET_TITLE}\nchannel: af\n---\n"
        "The address is known to the team.\n",
        encoding="utf-8",
    )
    build(content, feed, keys, restricted=["af"], channel_keys={"af": CHANNEL_KEY})
    return content, feed


def test_restricted_objects_are_sealed_without_the_key(module_keys: Path, tmp_path: Path) -> None:
    content, feed = restricted_feed(tmp_path, module_keys)
    view = read_feed(feed, NOW)
    assert view.snapshot.channels == {"af": True, "public": False}
    # The public index lists the restricted item under a keyed hash, never under its id.
    sealed_id = entry_id("secret-1", CHANNEL_KEY)
    assert view.sealed == {sealed_id}
    assert "secret-1" not in view.index
    assert all(b"secret-1" not in blob for blob in tree(feed).values())
    entry = view.index[sealed_id]
    data = (feed / "objects" / entry.sha256[:2] / entry.sha256).read_bytes()
    assert SECRET_TITLE.encode() not in data
    assert b"address" not in data
    assert all(SECRET_TITLE.encode() not in blob for blob in tree(feed).values())

    verifier = FeedVerifier(view.root, Held(), NOW, online=True)
    verifier.update_timestamp((feed / "timestamp.json").read_bytes())
    verifier.update_snapshot((feed / "snapshot" / "1.json").read_bytes())
    with pytest.raises(ChannelKeyMissing):
        verifier.verify_item(entry, data, {})
    with pytest.raises(DecryptionFailed):
        verifier.verify_item(entry, data, {"af": bytes(32)})

    opened = read_feed(feed, NOW, {"af": CHANNEL_KEY})
    assert opened.items == {item.id: item for item in source.load_folder(content)}
    assert opened.items["secret-1"].title == SECRET_TITLE


@pytest.mark.parametrize(
    ("restricted", "keys", "message"),
    [
        (["af"], {}, "needs a 32-byte channel key"),
        (["af"], {"af": b"short"}, "needs a 32-byte channel key"),
        ([], {"af": CHANNEL_KEY}, "not restricted"),
        (["public"], {"public": CHANNEL_KEY}, "cannot be a restricted channel"),
        (["../x"], {"../x": CHANNEL_KEY}, "cannot be a restricted channel"),
    ],
)
def test_channel_settings_that_would_leak_or_break_are_refused(
    module_keys: Path, tmp_path: Path, restricted: list[str], keys: dict[str, bytes], message: str
) -> None:
    with pytest.raises(PublishError, match=message):
        build(make_content(tmp_path), tmp_path / "feed", module_keys, restricted=restricted,
              channel_keys=keys)  # fmt: skip
    assert not (tmp_path / "feed").exists()


def test_a_restricted_channel_is_never_republished_in_the_clear(
    module_keys: Path, tmp_path: Path
) -> None:
    content, feed = restricted_feed(tmp_path, module_keys)
    before = tree(feed)
    with pytest.raises(PublishError, match="restricted in the published feed"):
        build(content, feed, module_keys, NOW + timedelta(hours=1))
    assert tree(feed) == before


# --- key rotation ----------------------------------------------------------------------------


def test_keys_rotate_across_three_roots(keydir: Path, tmp_path: Path) -> None:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    build(content, feed, keydir)
    root1 = (feed / "root" / "1.root.json").read_bytes()
    original = {role: read_key(keydir, role).keyid for role in ROLES}

    assert rotate_keys(feed, keydir, now=NOW + timedelta(days=1)) == 2
    assert rotate_keys(feed, keydir, now=NOW + timedelta(days=2)) == 3

    later = NOW + timedelta(days=2, hours=1)
    view = read_feed(feed, later, trusted=root1)
    assert view.root.version == 3
    assert view.items == {item.id: item for item in source.load_folder(content)}
    assert view.timestamp.version == 3
    assert view.snapshot.version == 3
    for role in ROLES:
        assert view.root.roles[role].keyids == (read_key(keydir, role).keyid,)
        assert read_key(keydir, role).keyid != original[role]
        for version in (1, 2):
            archived = keydir / f"{role}.key.v{version}"
            assert stat.S_IMODE(archived.stat().st_mode) == 0o600
    assert (keydir / "root.key.v1").read_bytes() != (keydir / "root.key.v2").read_bytes()

    with pytest.raises(UnknownKey):
        read_feed(feed, later, trusted=root1, walk_roots=False)

    report = build(content, feed, keydir, NOW + timedelta(days=3))
    assert report.version == 3  # a rebuild with nothing new keeps the rotated snapshot
    assert read_feed(feed, NOW + timedelta(days=3), trusted=root1).timestamp.version == 4


def test_rotating_one_role_keeps_the_others(keydir: Path, tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    build(make_content(tmp_path), feed, keydir)
    before = {role: read_key(keydir, role).keyid for role in ROLES}
    assert rotate_keys(feed, keydir, now=NOW, roles=["timestamp"]) == 2
    after = {role: read_key(keydir, role).keyid for role in ROLES}
    assert after["root"] == before["root"]
    assert after["snapshot"] == before["snapshot"]
    assert after["timestamp"] != before["timestamp"]
    assert sorted(p.name for p in keydir.glob("*.v*")) == ["timestamp.key.v1"]
    assert read_feed(feed, NOW).root.version == 2


def test_a_rotation_cut_short_before_its_root_is_finished_with_the_same_keys(
    keydir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    build(content, feed, keydir)
    real_put = publisher._Writer.put

    def crash_on_root(self: publisher._Writer, relative: str, data: bytes) -> None:
        if relative.startswith("root/"):
            raise KeyboardInterrupt
        real_put(self, relative, data)

    monkeypatch.setattr(publisher._Writer, "put", crash_on_root)
    with pytest.raises(KeyboardInterrupt):
        rotate_keys(feed, keydir, now=NOW)
    monkeypatch.undo()
    saved = {role: key_path(keydir, role).read_bytes() for role in ROLES}
    with pytest.raises(PublishError, match="interrupted key rotation"):
        build(content, feed, keydir)

    assert rotate_keys(feed, keydir, now=NOW) == 2
    assert {role: key_path(keydir, role).read_bytes() for role in ROLES} == saved
    assert read_feed(feed, NOW).root.version == 2


def test_a_rotation_cut_short_after_its_root_is_repaired_by_the_next_build(
    keydir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    build(content, feed, keydir)
    real_put = publisher._Writer.put

    def crash_on_snapshot(self: publisher._Writer, relative: str, data: bytes) -> None:
        if relative.startswith("snapshot/"):
            raise KeyboardInterrupt
        real_put(self, relative, data)

    monkeypatch.setattr(publisher._Writer, "put", crash_on_snapshot)
    with pytest.raises(KeyboardInterrupt):
        rotate_keys(feed, keydir, now=NOW)
    monkeypatch.undo()
    with pytest.raises(UnknownKey):  # what clients see in that window
        read_feed(feed, NOW)

    report = build(content, feed, keydir, NOW + timedelta(hours=1))
    assert kinds_of(report.written) == ["snapshot", "timestamp.json"]
    assert read_feed(feed, NOW + timedelta(hours=1)).root.version == 2


def test_a_first_build_cut_short_after_its_root_starts_over_on_that_root(
    module_keys: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    real_put = publisher._Writer.put

    def crash_on_timestamp(self: publisher._Writer, relative: str, data: bytes) -> None:
        if relative == "timestamp.json":
            raise KeyboardInterrupt
        real_put(self, relative, data)

    monkeypatch.setattr(publisher._Writer, "put", crash_on_timestamp)
    with pytest.raises(KeyboardInterrupt):
        build(content, feed, module_keys)
    monkeypatch.undo()
    root1 = (feed / "root" / "1.root.json").read_bytes()
    with pytest.raises(PublishError, match="build it first"):
        rotate_keys(feed, module_keys, now=NOW)

    report = build(content, feed, module_keys, NOW + timedelta(minutes=5))
    assert (report.version, report.timestamp_version, report.objects_written) == (1, 1, 0)
    assert "root/1.root.json" not in report.written
    assert read_feed(feed, NOW, trusted=root1).items.keys() == {
        item.id for item in source.load_folder(content)
    }


def test_overlapping_runs_on_one_feed_folder_are_refused(module_keys: Path, tmp_path: Path) -> None:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    build(content, feed, module_keys)
    fcntl = pytest.importorskip("fcntl")
    fd = os.open(feed, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(PublishError, match="Another publish run"):
            build(content, feed, module_keys, NOW + timedelta(hours=1))
    finally:
        os.close(fd)
    assert build(content, feed, module_keys, NOW + timedelta(hours=1)).timestamp_version == 2


def test_an_expiring_root_stops_builds_until_a_new_root_is_issued(
    keydir: Path, tmp_path: Path
) -> None:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    build(content, feed, keydir, root_days=40)
    later = NOW + timedelta(days=35)
    with pytest.raises(PublishError, match="rotate-keys"):
        build(content, feed, keydir, later)
    assert rotate_keys(feed, keydir, now=later, roles=()) == 2
    assert not list(keydir.glob("*.v*"))
    report = build(content, feed, keydir, later)
    assert report.root_expires == later + timedelta(days=365)
    assert read_feed(feed, later).root.version == 2


# --- refusals --------------------------------------------------------------------------------


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def move_expiry(path: Path) -> None:
    """Still well-formed metadata, but not what was signed."""
    doc = json.loads(path.read_bytes())
    doc["signed"]["expires"] = "2099-01-01T00:00:00Z"
    path.write_bytes(canonical.encode(doc))


@pytest.mark.parametrize(
    "target",
    ["timestamp.json", "snapshot/1.json", "root/1.root.json", "index", "objects", "extra-root"],
)
def test_a_tampered_feed_folder_is_noticed_before_anything_is_signed(
    module_keys: Path, tmp_path: Path, target: str
) -> None:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    build(content, feed, module_keys)
    if target in ("index", "objects"):
        flip_a_byte(next(p for p in (feed / target).rglob("*") if p.is_file()))
    elif target == "extra-root":
        (feed / "root" / "3.root.json").write_bytes(b"{}")
    else:
        move_expiry(feed / target)
    before = tree(feed)
    with pytest.raises(PublishError):
        build(content, feed, module_keys, NOW + timedelta(hours=1))
    assert tree(feed) == before


def test_keys_of_another_feed_are_refused(module_keys: Path, keydir: Path, tmp_path: Path) -> None:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    build(content, feed, module_keys)
    with pytest.raises(PublishError, match="not one the feed's root") as caught:
        build(content, feed, keydir, NOW + timedelta(hours=1))
    for role in ROLES:
        assert read_key(keydir, role).seed.hex() not in str(caught.value)
    with pytest.raises(PublishError, match="not one the feed's root"):
        rotate_keys(feed, keydir, now=NOW)


def test_later_builds_do_not_need_the_root_key(module_keys: Path, tmp_path: Path) -> None:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    build(content, feed, module_keys)
    online = tmp_path / "online-keys"
    online.mkdir()
    for role in ("snapshot", "timestamp"):
        (online / f"{role}.key").write_bytes(key_path(module_keys, role).read_bytes())
    write_article(content, "article-9")
    assert build(content, feed, online, NOW + timedelta(hours=1)).added == 1
    with pytest.raises(KeyFileError, match="No root key"):
        rotate_keys(feed, online, now=NOW)


def test_feed_ids_are_required_once_and_checked_after(module_keys: Path, tmp_path: Path) -> None:
    content, feed = make_content(tmp_path), tmp_path / "feed"
    with pytest.raises(PublishError, match="needs a feed id"):
        build_feed(content, feed, module_keys, now=NOW)
    with pytest.raises(PublishError, match="feed id must be"):
        build(content, feed, module_keys, feed_id="../etc")
    build(content, feed, module_keys)
    assert build_feed(content, feed, module_keys, now=NOW).timestamp_version == 2
    with pytest.raises(PublishError, match="holds feed 'test-feed'"):
        build(content, feed, module_keys, feed_id="other-feed")


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("Photo 1.JPG", b"x", "attachment names must be"),
        ("empty.png", b"", "attachments hold 1 to"),
        ("desk", b"x", "already an item id"),
    ],
)
def test_bad_attachments_name_the_file(
    module_keys: Path, tmp_path: Path, name: str, data: bytes, problem: str
) -> None:
    content = make_content(tmp_path)
    (content / "media" / name).write_bytes(data)
    with pytest.raises(ContentError, match=problem) as caught:
        build(content, tmp_path / "feed", module_keys)
    assert caught.value.source == f"media/{name}"


def test_content_errors_name_the_file_and_field(module_keys: Path, tmp_path: Path) -> None:
    content = make_content(tmp_path)
    (content / "articles" / "bad.md").write_text("---\nid: bad\nkind: article\n---\n")
    with pytest.raises(ContentError) as caught:
        build(content, tmp_path / "feed", module_keys)
    assert (caught.value.source, caught.value.field) == ("articles/bad.md", "lang")


def test_validity_periods_and_times_are_checked(module_keys: Path, tmp_path: Path) -> None:
    content = make_content(tmp_path)
    with pytest.raises(PublishError, match="Validity periods"):
        build(content, tmp_path / "feed", module_keys, timestamp_days=40)
    with pytest.raises(ValueError, match="timezone-aware"):
        build(content, tmp_path / "feed", module_keys, datetime(2024, 5, 1))


def test_keygen_refuses_to_overwrite_and_keeps_keys_private(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    generate_keys(keys)
    saved = tree(keys)
    assert sorted(saved) == ["root.key", "snapshot.key", "timestamp.key"]
    for name in saved:
        assert stat.S_IMODE((keys / name).stat().st_mode) == 0o600
    (keys / "root.key").unlink()
    with pytest.raises(PublishError, match="refusing to overwrite"):
        generate_keys(keys)
    assert tree(keys) == {k: v for k, v in saved.items() if k != "root.key"}


# --- command line ----------------------------------------------------------------------------


def run_publish(tmp_path: Path, *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    add_publish_commands(sub, argparse.ArgumentParser(add_help=False))
    args = parser.parse_args(["publish", *argv])
    out = io.StringIO()
    ctx = Context(tmp_path, None, io.StringIO(), out, io.StringIO(), None)  # type: ignore[arg-type]
    return dispatch_publish(ctx, args), out.getvalue()


def test_the_publish_commands(tmp_path: Path) -> None:
    content, feed, keys = make_content(tmp_path), tmp_path / "feed", tmp_path / "keys"
    write_article(content, "secret-1", channel="af")
    key_file = tmp_path / "af.hex"
    key_file.write_text(CHANNEL_KEY.hex() + "\n")

    assert run_publish(tmp_path, "keygen", "--out", str(keys))[0] == 0
    code, out = run_publish(
        tmp_path, "build", str(content), str(feed), "--keys", str(keys), "--feed-id", FEED,
        "--expires", "3", "--restricted", "af", "--channel-key", f"af={key_file}",
    )  # fmt: skip
    assert code == 0
    assert out.startswith("Feed version 1 (timestamp 1): 7 added, 0 updated, 0 removed")
    assert out.count("\n") == 1
    code, out = run_publish(tmp_path, "rotate-keys", str(feed), "--keys", str(keys),
                            "--role", "snapshot")  # fmt: skip
    assert (code, out.split(":")[0]) == (0, "Replaced the snapshot keys")
    now = datetime.now(UTC)
    view = read_feed(feed, now, {"af": CHANNEL_KEY})
    assert view.root.version == 2
    assert view.timestamp.expires - view.timestamp.issued == timedelta(days=3)
    assert "secret-1" in view.items


def test_a_bad_channel_key_file_is_refused_without_quoting_it(tmp_path: Path) -> None:
    key_file = tmp_path / "af.hex"
    key_file.write_text("not-a-key-but-a-secret-anyway")
    generate_keys(tmp_path / "keys")
    with pytest.raises(PublishError, match="64 hexadecimal") as caught:
        run_publish(
            tmp_path, "build", str(make_content(tmp_path)), str(tmp_path / "feed"),
            "--keys", str(tmp_path / "keys"), "--feed-id", FEED,
            "--restricted", "af", "--channel-key", f"af={key_file}",
        )  # fmt: skip
    assert "secret" not in str(caught.value)
