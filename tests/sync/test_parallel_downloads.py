"""Objects downloaded several at a time over real TLS: the same library, exact counters.

A wrapper adds 50 ms before each object request, as a slow link's round trip would, and counts
how many requests are in flight at once; the real :class:`MirrorSource` underneath fetches from
nginx from several threads.
"""

from __future__ import annotations

import shutil
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE
from feedkit import FEED, start_feed, write_article
from fieldreader.feed.errors import MixAndMatch
from fieldreader.feed.update import UpdateOptions, UpdateResult, update_library
from fieldreader.itemcodec import digest
from fieldreader.store import Library, create_library
from fieldreader.sync import MirrorSource, TransportConfig
from sync.servers import Nginx, Pki

BUILT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
NOW = BUILT + timedelta(hours=2)
ARTICLES = 24
ROUND_TRIP_S = 0.05


def write_articles(content: Path) -> None:
    for n in range(ARTICLES):
        write_article(content, f"article-{n}", f"Report number {n}. " + "word " * (40 * n))


class SlowLink:
    """A source that waits a round trip before each object request and counts those in flight."""

    def __init__(self, inner: MirrorSource) -> None:
        self.inner = inner
        self.parallel_fetches = inner.parallel_fetches
        self._lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0

    def fetch(self, path: str, max_bytes: int) -> bytes:
        if not path.startswith("objects/"):
            return self.inner.fetch(path, max_bytes)
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            time.sleep(ROUND_TRIP_S)
            return self.inner.fetch(path, max_bytes)
        finally:
            with self._lock:
                self.in_flight -= 1


@pytest.fixture(scope="module")
def feed_url(tmp_path_factory: pytest.TempPathFactory, nginx: Nginx) -> tuple[str, bytes, Path]:
    base = tmp_path_factory.mktemp("parallel")
    _, _, feed = start_feed(base, write_articles, BUILT)
    shutil.copytree(feed, nginx.www / "parallel")
    tree = nginx.www / "parallel"
    return nginx.url("parallel"), (tree / "root" / "1.root.json").read_bytes(), tree


def sync(
    tmp_path: Path, feed: tuple[str, bytes, Path], pki: Pki, parallel: int, name: str
) -> tuple[UpdateResult, SlowLink, Library]:
    url, root, _ = feed
    config = TransportConfig(
        [url], ca_file=pki.ca, pins={url: [pki.server_pin]}, retries=0,
        parallel_downloads=parallel,
    )  # fmt: skip
    library = create_library(tmp_path / name, PASSPHRASE, FAST_KDF)
    with MirrorSource(config) as source:
        link = SlowLink(source)
        options = UpdateOptions(now=NOW, online=True, trusted_root=root, stage=True)
        result = update_library(library, link, options)
    return result, link, library


def holdings(library: Library) -> dict[str, str]:
    return {
        s.id: digest(item)
        for s in library.content.list_items()
        if (item := library.content.get(s.id)) is not None
    }


def test_objects_arrive_four_at_a_time_and_give_the_same_library(
    tmp_path: Path, feed_url: tuple[str, bytes, Path], pki: Pki
) -> None:
    parallel, parallel_link, fast = sync(tmp_path, feed_url, pki, 4, "parallel")
    serial, serial_link, slow = sync(tmp_path, feed_url, pki, 1, "serial")
    try:
        assert parallel_link.peak == 4
        assert serial_link.peak == 1
        assert parallel.added == serial.added == ARTICLES
        assert holdings(fast) == holdings(slow)
        assert fast.staging.count() == 0
        assert fast.integrity_problems() == []
    finally:
        fast.close()
        slow.close()

    # The counters stay exact with several threads adding to them.
    tree = feed_url[2]
    source = parallel_link.inner
    objects = [r for r in source.history if r.path.startswith("objects/")]
    assert len(objects) == ARTICLES
    for record in objects:
        assert record.status == 200
        assert record.body_bytes == (tree / record.path).stat().st_size
    assert source.requests == len(source.history)
    assert source.bytes_received == sum(r.body_bytes for r in source.history)
    assert source.stats.connections <= 1 + 4


def test_a_missing_object_fails_the_update_and_stops_every_download(
    tmp_path: Path, feed_url: tuple[str, bytes, Path], pki: Pki, nginx: Nginx
) -> None:
    _, root, tree = feed_url
    broken = nginx.www / "parallel-broken"
    shutil.copytree(tree, broken)
    victim = sorted(p for p in (broken / "objects").rglob("*") if p.is_file())[5]
    victim.unlink()
    config = TransportConfig(
        [nginx.url("parallel-broken")], ca_file=pki.ca,
        pins={nginx.url("parallel-broken"): [pki.server_pin]}, retries=0,
    )  # fmt: skip
    with create_library(tmp_path / "library", PASSPHRASE, FAST_KDF) as library:
        with MirrorSource(config) as source:
            options = UpdateOptions(now=NOW, online=True, trusted_root=root, stage=True)
            with pytest.raises(MixAndMatch):
                update_library(library, SlowLink(source), options)
        assert library.content.count() == 0
        assert library.feeds.state(FEED) is None
        assert library.integrity_problems() == []
    assert not [t for t in threading.enumerate() if t.name.startswith("fieldreader-")]
