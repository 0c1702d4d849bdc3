"""What the desktop reader asks of sync, without Qt: the profile it remembers, the status it
shows, and syncs over the real nginx mirror (pinned TLS), cancelled, intercepted and resumed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE
from feedkit import CHANNEL
from fieldreader.errors import FieldreaderError
from fieldreader.feed.update import Progress, UpdateCancelled
from fieldreader.profile import ProfileError
from fieldreader.service import ReaderService
from fieldreader.store import ItemFilter, create_library
from fieldreader.sync import MirrorsExhausted
from fieldreader.sync.messages import Problem, describe_failure, parse_time
from sync.profiles import ServedFeed, news, serve_feed, write_profile
from sync.servers import Nginx, Pki, free_port


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ReaderService]:
    library = create_library(tmp_path / "library", PASSPHRASE, FAST_KDF)
    yield ReaderService(library)
    library.close()


@pytest.fixture
def served(nginx: Nginx, tmp_path: Path) -> ServedFeed:
    return serve_feed(nginx, tmp_path / "publisher", f"svc-{tmp_path.name}", news(4))


def articles(service: ReaderService) -> int:
    return service.library.content.count(ItemFilter(kind="article"))


def test_without_a_profile_sync_is_not_set_up(service: ReaderService) -> None:
    status = service.sync_status()
    assert (status.configured, status.profile, status.mirrors, status.last_sync) == (
        False,
        None,
        (),
        None,
    )
    with pytest.raises(FieldreaderError, match="not set up"):
        service.sync(lambda _: None, lambda: False)


def test_a_profile_that_does_not_load_is_refused_and_the_previous_one_stays(
    service: ReaderService, served: ServedFeed, nginx: Nginx, pki: Pki, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[feed]\nmirrors = ["http://plain.example/"]\n', encoding="utf-8")
    with pytest.raises(ProfileError, match="https://"):
        service.set_sync_profile(broken)
    assert not service.sync_status().configured

    good = write_profile(tmp_path / "org", served, pki, [nginx.url(served.prefix)])
    service.set_sync_profile(good)
    with pytest.raises(ProfileError):
        service.set_sync_profile(tmp_path / "missing.toml")
    assert service.sync_status().profile == str(good.resolve())


def test_status_names_mirrors_route_and_keyed_channels_but_never_a_key(
    service: ReaderService, served: ServedFeed, pki: Pki, tmp_path: Path
) -> None:
    mirrors = ["https://feed.example.org/", "https://mirror.example.net/feed/"]
    path = write_profile(tmp_path / "org", served, pki, mirrors, proxy="tor")
    status = service.set_sync_profile(path)
    assert status.configured
    assert status.mirrors == tuple(mirrors)
    assert status.proxy == "tor"
    assert status.channels is None
    assert status.keyed_channels == (CHANNEL,)
    assert "CHANNEL_KEY" not in repr(status)
    assert bytes(range(32)).hex() not in repr(status)


def test_a_profile_moved_away_is_a_problem_in_words_not_a_crash(
    service: ReaderService, served: ServedFeed, pki: Pki, tmp_path: Path
) -> None:
    path = write_profile(tmp_path / "stick", served, pki, ["https://feed.example.org/"])
    service.set_sync_profile(path)
    shutil.rmtree(tmp_path / "stick")
    status = service.sync_status()
    assert not status.configured
    assert status.problem is not None
    assert "cannot be read" in status.problem
    with pytest.raises(ProfileError):
        service.sync(lambda _: None, lambda: False)


def test_a_sync_adds_items_reports_progress_and_remembers_when(
    service: ReaderService, served: ServedFeed, nginx: Nginx, pki: Pki, tmp_path: Path
) -> None:
    mirror = nginx.url(served.prefix)
    service.set_sync_profile(write_profile(tmp_path / "org", served, pki, [mirror]))
    seen: list[Progress] = []

    outcome = service.sync(seen.append, lambda: False)

    # Four public articles and the restricted one (the profile holds its key).
    assert (outcome.update.added, outcome.mirror) == (5, mirror)
    assert articles(service) == 5
    objects = [p for p in seen if p.phase == "objects"]
    assert [p.done for p in objects] == [1, 2, 3, 4, 5]
    assert objects[-1].bytes_fetched > 0
    assert seen[-1].phase == "applying"
    status = service.sync_status()
    assert parse_time(status.last_sync) is not None
    assert service.library.get_meta("last-mirror:test-feed") == mirror

    again = service.sync(lambda _: None, lambda: False)
    assert again.update.nothing_new
    assert again.requests == 1


def test_a_cancelled_sync_changes_nothing_and_the_next_one_resumes(
    service: ReaderService, served: ServedFeed, nginx: Nginx, pki: Pki, tmp_path: Path
) -> None:
    service.set_sync_profile(
        write_profile(tmp_path / "org", served, pki, [nginx.url(served.prefix)])
    )
    stop = False

    def progress(step: Progress) -> None:
        nonlocal stop
        stop = stop or (step.phase == "objects" and step.done == 2)

    with pytest.raises(UpdateCancelled) as caught:
        service.sync(progress, lambda: stop)
    assert describe_failure(caught.value).problem is Problem.CANCELLED
    assert articles(service) == 0
    assert service.sync_status().last_sync is None

    outcome = service.sync(lambda _: None, lambda: False)
    assert outcome.update.added == 5
    assert outcome.update.reused == 3  # the index segment and the first two objects


def test_a_sync_cancelled_before_it_starts_sends_nothing(
    service: ReaderService, served: ServedFeed, nginx: Nginx, pki: Pki, tmp_path: Path
) -> None:
    service.set_sync_profile(
        write_profile(tmp_path / "org", served, pki, [nginx.url(served.prefix)])
    )
    mark = nginx.mark()
    with pytest.raises(UpdateCancelled):
        service.sync(lambda _: None, lambda: True)
    assert nginx.since(mark) == []


def test_an_intercepted_connection_is_refused_and_changes_nothing(
    service: ReaderService, served: ServedFeed, nginx: Nginx, pki: Pki, tmp_path: Path
) -> None:
    intercepted = nginx.intercepted_url(served.prefix)
    service.set_sync_profile(write_profile(tmp_path / "org", served, pki, [intercepted]))
    mark = nginx.mark(intercepted=True)
    with pytest.raises(MirrorsExhausted) as caught:
        service.sync(lambda _: None, lambda: False)
    message = describe_failure(caught.value)
    assert message.problem is Problem.INTERCEPTED
    assert message.text.startswith("The connection is being intercepted")
    assert message.details == (f"{intercepted}: {caught.value.failures[0].reason}",)
    assert articles(service) == 0
    assert service.sync_status().last_sync is None
    # Refused after the handshake, before a byte of the request: the interceptor logged none.
    assert nginx.since(mark, intercepted=True) == []


def test_an_unreachable_proxy_is_named_and_nothing_goes_around_it(
    service: ReaderService, served: ServedFeed, nginx: Nginx, pki: Pki, tmp_path: Path
) -> None:
    proxy = f"socks5h://127.0.0.1:{free_port(ipv6=False)}"
    service.set_sync_profile(
        write_profile(tmp_path / "org", served, pki, [nginx.url(served.prefix)], proxy=proxy)
    )
    mark = nginx.mark()
    with pytest.raises(FieldreaderError) as caught:
        service.sync(lambda _: None, lambda: False)
    status = service.sync_status()
    assert describe_failure(caught.value, status.proxy).problem is Problem.PROXY_UNREACHABLE
    assert nginx.since(mark) == []
    assert articles(service) == 0
