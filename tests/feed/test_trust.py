"""Who the library trusts, and how that trust can (and cannot) change."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feedkit import CHANNEL, CHANNEL_KEY, build, start_feed, write_article
from fieldreader.feed.bundle import BundleSource, create_bundle
from fieldreader.feed.errors import UnknownKey
from fieldreader.feed.publisher import build_feed, rotate_keys
from fieldreader.feed.source import DirectorySource
from fieldreader.feed.update import (
    ChannelKeyUnchecked,
    NotTrusted,
    UpdateOptions,
    update_library,
)
from fieldreader.sample import SAMPLE_FEED_ID, import_sample, package_resources
from fieldreader.store import Library

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def content_v1(content: Path) -> None:
    write_article(content, "news-1", "Public news.")
    write_article(content, "contact-note", "A restricted detail.", channel=CHANNEL)


def first_sync(library: Library, feed: Path) -> None:
    options = UpdateOptions(
        now=NOW,
        online=True,
        trusted_root=(feed / "root" / "1.root.json").read_bytes(),
        channel_keys={CHANNEL: CHANNEL_KEY},
    )
    update_library(library, DirectorySource(feed), options)


def test_the_demo_signed_sample_cannot_be_updated_by_a_forged_bundle(
    library: Library, tmp_path: Path
) -> None:
    import_sample(library)
    before = {s.id for s in library.content.list_items()}
    # Anyone can sign with the public demo keys: build a "newer sample" with them.
    keys = tmp_path / "demo-keys"
    shutil.copytree(package_resources() / "demo-keys", keys)
    content = tmp_path / "forged"
    write_article(content, "helpline", "Call +1 555 0100 (forged).")
    feed = tmp_path / "forged-feed"
    for day in (3, 2):
        build_feed(content, feed, keys, now=NOW - timedelta(days=day), feed_id=SAMPLE_FEED_ID)
        write_article(content, "helpline-2", "More forged text.")
    bundle = tmp_path / "forged.frb"
    create_bundle(feed, bundle, now=NOW)
    with pytest.raises(NotTrusted, match="public"):
        update_library(library, BundleSource.open(bundle), UpdateOptions(now=NOW, online=False))
    assert {s.id for s in library.content.list_items()} == before


def test_a_root_handed_in_later_never_replaces_the_held_chain(
    library: Library, tmp_path: Path
) -> None:
    _, _, feed = start_feed(tmp_path / "real", content_v1, NOW - timedelta(days=3))
    first_sync(library, feed)
    # Someone builds a feed with the same id and their own keys, and offers its root.
    _, _, fake = start_feed(tmp_path / "fake", content_v1, NOW - timedelta(days=1))
    options = UpdateOptions(
        now=NOW, online=True, trusted_root=(fake / "root" / "1.root.json").read_bytes()
    )
    with pytest.raises(UnknownKey):
        update_library(library, DirectorySource(fake), options)
    assert library.content.get("news-1") is not None


def test_a_rotated_timestamp_key_clears_a_held_version_a_stolen_key_inflated(
    library: Library, tmp_path: Path
) -> None:
    keys, content, feed = start_feed(tmp_path / "f", content_v1, NOW - timedelta(days=3))
    first_sync(library, feed)
    state = library.feeds.state("test-feed")
    assert state is not None
    with library.transaction():  # as if a stolen timestamp key had signed version 10^9
        library.feeds.save(dataclasses.replace(state, timestamp_version=10**9))
    rotate_keys(feed, keys, now=NOW - timedelta(days=2), roles=("timestamp",))
    write_article(content, "news-2", "After the rotation.")
    build(content, feed, keys, NOW - timedelta(days=1))
    result = update_library(library, DirectorySource(feed), UpdateOptions(now=NOW, online=True))
    assert result.added == 1
    state = library.feeds.state("test-feed")
    assert state is not None
    assert state.timestamp_version < 10**9


def test_a_wrong_channel_key_is_refused_not_remembered(library: Library, tmp_path: Path) -> None:
    keys, content, feed = start_feed(tmp_path / "f", content_v1, NOW - timedelta(days=3))
    first_sync(library, feed)
    write_article(content, "news-2", "Only public news changed.")
    build(content, feed, keys, NOW - timedelta(days=1))
    public_only = tmp_path / "public.frb"
    create_bundle(feed, public_only, channels=["public"], now=NOW)
    source = BundleSource.open(public_only)
    options = UpdateOptions(
        now=NOW, online=False, partial_source=source.partial, channel_keys={CHANNEL: bytes(32)}
    )
    with pytest.raises(ChannelKeyUnchecked, match="nothing was changed"):
        update_library(library, source, options)
    assert library.content.get("contact-note") is not None
    assert library.feeds.channel_keys("test-feed") == {CHANNEL: CHANNEL_KEY}
    # Without the wrong key the same bundle applies, and the restricted item stays.
    result = update_library(
        library, BundleSource.open(public_only), dataclasses.replace(options, channel_keys={})
    )
    assert result.added == 1
    assert library.content.get("contact-note") is not None


def test_a_damaged_staged_object_is_dropped_and_downloaded_again(
    library: Library, tmp_path: Path
) -> None:
    keys, content, feed = start_feed(tmp_path / "f", content_v1, NOW - timedelta(days=3))
    first_sync(library, feed)
    write_article(content, "news-2", "New.")
    build(content, feed, keys, NOW - timedelta(days=1))
    # A damaged row under the hash of every object and segment the update could need.
    for path in [*(feed / "objects").rglob("*"), *(feed / "index").glob("*")]:
        if path.is_file():
            library.staging.put("test-feed", path.name.split(".")[0], b"damaged bytes")
    options = UpdateOptions(now=NOW, online=True, stage=True)
    result = update_library(library, DirectorySource(feed), options)
    assert result.added == 1
    assert result.reused == 0
    assert result.bytes_fetched > 0
