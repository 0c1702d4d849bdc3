"""The update engine over the real transport: a feed built by the publisher, served by nginx over
TLS with a pinned key, synced with ``update_library(..., online=True)``. A first sync takes
everything, a second costs one conditional request for the timestamp, and a
stale mirror's validly signed old version is refused by the engine, after which the caller
retries the update on the next mirror through :meth:`MirrorSource.for_mirror`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE
from feedkit import (
    CHANNEL,
    CHANNEL_KEY,
    MAP,
    build,
    start_feed,
    write_article,
    write_contact,
    write_guidance,
    write_media,
)
from fieldreader.feed.errors import FeedError, FreezeAttack, RollbackAttack
from fieldreader.feed.update import UpdateOptions, UpdateResult, update_library
from fieldreader.store import Library, create_library
from fieldreader.sync import CachedFile, MirrorsExhausted, MirrorSource, TransportConfig
from fieldreader.sync.engine import sync_library
from sync.servers import Nginx, Pki

V1_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
V2_AT = V1_AT + timedelta(days=5)
NOW = V2_AT + timedelta(hours=2)
"""Both versions are inside their timestamps' validity (7 days)."""
LATE = V1_AT + timedelta(days=8)
"""Version 1's timestamp has expired; version 2's has not."""
NOT_FOUND_PAGE = 146
"""Bytes of nginx's 404 page with ``server_tokens off`` (the root probe's answer)."""


def write_v1(content: Path) -> None:
    write_article(content, "article-0", "Report number 0. ![map](media/map.png)")
    write_article(content, "article-1", "Report number 1.")
    write_article(content, "secret-1", "The address is known to the team.", channel=CHANNEL)
    write_guidance(content)
    write_contact(content)
    write_media(content, "map.png", MAP)


def write_v2(content: Path) -> None:
    write_article(content, "article-0", "Report number 0, corrected.")
    write_article(content, "article-2", "A new report.")


@dataclass(frozen=True)
class Mirrors:
    stale: str
    """Serves version 1 (validly signed, older)."""
    fresh: str
    """Serves version 2."""
    root1: bytes
    tree: Path
    """The fresh mirror's files on disk."""
    pki: Pki

    def config(self, *mirrors: str) -> TransportConfig:
        return TransportConfig(
            list(mirrors),
            ca_file=self.pki.ca,
            pins={m: [self.pki.server_pin] for m in mirrors},
            retries=0,
        )


@pytest.fixture(scope="module")
def mirrors(tmp_path_factory: pytest.TempPathFactory, nginx: Nginx, pki: Pki) -> Mirrors:
    base = tmp_path_factory.mktemp("publisher")
    keydir, content, feed = start_feed(base, write_v1, V1_AT)
    shutil.copytree(feed, nginx.www / "e2e-stale")
    write_v2(content)
    build(content, feed, keydir, V2_AT)
    shutil.copytree(feed, nginx.www / "e2e-fresh")
    return Mirrors(
        nginx.url("e2e-stale"),
        nginx.url("e2e-fresh"),
        (feed / "root" / "1.root.json").read_bytes(),
        nginx.www / "e2e-fresh",
        pki,
    )


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = create_library(tmp_path / "library", PASSPHRASE, FAST_KDF, clock=lambda: NOW)
    yield lib
    lib.close()


def sync(
    library: Library, source: MirrorSource, *, now: datetime = NOW, root: bytes | None = None
) -> UpdateResult:
    options = UpdateOptions(
        now=now, online=True, trusted_root=root, channel_keys={CHANNEL: CHANNEL_KEY}
    )
    return update_library(library, source, options)


def sync_with_fallback(
    library: Library, source: MirrorSource, *, now: datetime = NOW
) -> tuple[UpdateResult, str, list[tuple[str, type[FeedError]]]]:
    """What a caller does until the engine itself falls back: the whole update on each mirror
    in turn, moving on when verification says a mirror is stale. Returns the result, the mirror
    that served it, and each refused mirror with the engine's reason."""
    refused: list[tuple[str, type[FeedError]]] = []
    for index, mirror in enumerate(source.mirrors):
        try:
            return sync(library, source.for_mirror(index), now=now), mirror, refused
        except (RollbackAttack, FreezeAttack) as exc:
            refused.append((mirror, type(exc)))
    raise AssertionError(f"every mirror was refused: {refused}")


def test_a_first_sync_takes_everything_and_a_second_costs_one_conditional_request(
    mirrors: Mirrors, library: Library, nginx: Nginx
) -> None:
    memory: dict[str, CachedFile] = {}
    mark = nginx.mark()
    with MirrorSource(mirrors.config(mirrors.fresh), validators=memory) as first:
        result = sync(library, first, root=mirrors.root1)
        assert (result.version, result.added, result.attachments) == (2, 6, 1)
        fetched = [(r.path, r.status) for r in first.history]
        requests, received = first.requests, first.bytes_received

    snapshot = json.loads((mirrors.tree / "snapshot" / "2.json").read_bytes())
    segments = [f"index/{s['sha256']}.json.zst" for s in snapshot["signed"]["segments"]]
    objects = [p for p, _ in fetched if p.startswith("objects/")]
    assert fetched == [
        ("timestamp.json", 200),
        ("root/2.root.json", 404),
        ("snapshot/2.json", 200),
        *[(s, 200) for s in segments],
        *[(o, 200) for o in objects],
    ]
    assert len(objects) == result.added + result.attachments  # one object per item
    files = ["timestamp.json", "snapshot/2.json", *segments, *objects]
    body_bytes = sum((mirrors.tree / f).stat().st_size for f in files)
    assert requests == 3 + len(segments) + len(objects) == 12
    assert received == body_bytes + NOT_FOUND_PAGE

    # A later run: a new source, the conditional-request memory kept (as the library would).
    with MirrorSource(mirrors.config(mirrors.fresh), validators=memory) as second:
        again = sync(library, second)
        assert again.nothing_new
        # Nothing new: one conditional request, no body, no root probe.
        assert [(r.path, r.status) for r in second.history] == [("timestamp.json", 304)]
        assert second.requests == 1
        assert second.bytes_received == 0
    logged = nginx.since(mark)
    assert [e.status for e in logged[-1:]] == [304]
    assert logged[-1].sent == 0


def test_a_stale_mirror_is_refused_by_the_engine_and_the_next_mirror_serves(
    mirrors: Mirrors, library: Library
) -> None:
    with MirrorSource(mirrors.config(mirrors.fresh)) as source:
        sync(library, source, root=mirrors.root1)

    with MirrorSource(mirrors.config(mirrors.stale, mirrors.fresh)) as source:
        # The transport happily serves the stale mirror's files: they are validly signed.
        with pytest.raises(RollbackAttack):
            sync(library, source)
        assert source.last_mirror == mirrors.stale

        result, served_by, refused = sync_with_fallback(library, source)
        assert refused == [(mirrors.stale, RollbackAttack)]
        assert served_by == mirrors.fresh
        assert result.nothing_new
        assert result.version == 2


def test_an_expired_mirror_is_a_freeze_and_the_next_mirror_brings_the_update(
    mirrors: Mirrors, library: Library
) -> None:
    with MirrorSource(mirrors.config(mirrors.stale)) as source:
        assert sync(library, source, root=mirrors.root1, now=V1_AT + timedelta(hours=1)).added

    with MirrorSource(mirrors.config(mirrors.stale, mirrors.fresh)) as source:
        result, served_by, refused = sync_with_fallback(library, source, now=LATE)
    assert refused == [(mirrors.stale, FreezeAttack)]
    assert served_by == mirrors.fresh
    assert (result.version, result.added, result.updated) == (2, 1, 1)


def test_sync_library_moves_past_a_stale_mirror_by_itself(
    mirrors: Mirrors, library: Library
) -> None:
    with MirrorSource(mirrors.config(mirrors.fresh)) as source:
        sync(library, source, root=mirrors.root1)
    options = UpdateOptions(now=NOW, online=True, channel_keys={CHANNEL: CHANNEL_KEY})
    outcome = sync_library(library, mirrors.config(mirrors.stale, mirrors.fresh), options)
    assert outcome.mirror == mirrors.fresh
    assert [f.mirror for f in outcome.skipped] == [mirrors.stale]
    assert "older" in outcome.skipped[0].reason
    assert outcome.update.nothing_new


def test_sync_library_reports_every_mirror_when_none_will_do(
    mirrors: Mirrors, library: Library
) -> None:
    with MirrorSource(mirrors.config(mirrors.fresh)) as source:
        sync(library, source, root=mirrors.root1)
    options = UpdateOptions(now=NOW, online=True)
    with pytest.raises(MirrorsExhausted) as caught:
        sync_library(library, mirrors.config(mirrors.stale), options)
    assert mirrors.stale in str(caught.value)
    assert library.feeds.state("test-feed") is not None


def test_sync_library_moves_past_a_mirror_with_a_forged_signature(
    mirrors: Mirrors, library: Library, nginx: Nginx
) -> None:
    """A mirror (or a CDN in front of it) that alters signed metadata is skipped like a stale one:
    the next mirror's genuine copy is applied, and the skipped mirror's reason is kept."""
    forged = nginx.www / "e2e-forged"
    if not forged.exists():
        shutil.copytree(mirrors.tree, forged)
        doc = json.loads((forged / "timestamp.json").read_bytes())
        sig = doc["signatures"][0]["sig"]
        doc["signatures"][0]["sig"] = ("0" if sig[0] != "0" else "1") + sig[1:]
        (forged / "timestamp.json").write_text(json.dumps(doc))
    options = UpdateOptions(
        now=NOW, online=True, trusted_root=mirrors.root1, channel_keys={CHANNEL: CHANNEL_KEY}
    )
    outcome = sync_library(library, mirrors.config(nginx.url("e2e-forged"), mirrors.fresh), options)
    assert outcome.mirror == mirrors.fresh
    assert [f.mirror for f in outcome.skipped] == [nginx.url("e2e-forged")]
    assert outcome.update.version == 2
    assert "signature" in outcome.skipped[0].reason.lower()
