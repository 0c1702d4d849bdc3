"""What the desktop reader asks of sync, without Qt: the profile it remembers, the status it
shows, and syncs over the real nginx mirror (pinned TLS), cancelled, intercepted and resumed."""

from __future__ import annotations

import dataclasses
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE, article
from feedkit import CHANNEL, CHANNEL_KEY, write_article
from fieldreader.errors import FieldreaderError
from fieldreader.feed.bundle import create_bundle
from fieldreader.feed.errors import UpdateCancelled
from fieldreader.feed.update import Progress
from fieldreader.profile import ProfileError
from fieldreader.provisioning import (
    PORTABLE_DATA_NAME,
    PORTABLE_MARKER,
    PRELOAD_NAME,
    PROFILE_NAME,
    find_provisioning,
)
from fieldreader.service import ReaderService, create_reader
from fieldreader.store import ItemFilter, StoreError, create_library, open_library
from fieldreader.sync import MirrorsExhausted
from fieldreader.sync.cancel import Cancellation
from fieldreader.sync.messages import Problem, describe_failure, parse_time
from holdkit import ApplyHold, write_locked
from provisionkit import files_holding
from sync.profiles import FRESH, ServedFeed, news, serve_feed, write_profile
from sync.servers import Nginx, Pki, free_port


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ReaderService]:
    library = create_library(tmp_path / "library", PASSPHRASE, FAST_KDF)
    yield ReaderService(library)
    library.close()


@pytest.fixture
def served(nginx: Nginx, tmp_path: Path) -> ServedFeed:
    return serve_feed(nginx, tmp_path / "publisher", f"svc-{tmp_path.name}", news(4))


@pytest.fixture
def org_profile(served: ServedFeed, nginx: Nginx, pki: Pki, tmp_path: Path) -> Path:
    """A profile for the served feed on the real mirror, pinned, with its root and CA."""
    return write_profile(tmp_path / "org", served, pki, [nginx.url(served.prefix)])


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
        service.sync(lambda _: None)


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


def test_a_chosen_profile_is_kept_in_the_library_and_syncs_after_its_files_are_deleted(
    service: ReaderService, served: ServedFeed, nginx: Nginx, pki: Pki, tmp_path: Path
) -> None:
    """The profile, its root and its CA (the mirror's certificate chains to that private CA
    only) are read when chosen: the person may delete them, since they hold the channel key."""
    mirror = nginx.url(served.prefix)
    path = write_profile(tmp_path / "stick", served, pki, [mirror])
    service.set_sync_profile(path)
    shutil.rmtree(tmp_path / "stick")
    status = service.sync_status()
    assert (status.configured, status.problem) == (True, None)
    assert status.profile == str(path.resolve())  # where it came from, for the reader
    outcome = service.sync(lambda _: None)
    assert (outcome.update.added, outcome.mirror) == (5, mirror)  # the restricted one too


def legacy(service: ReaderService, path: Path) -> None:
    """What a library set up before profiles were kept inside it holds: the file's path."""
    service.library.set_meta("sync-profile-path", str(path))


def test_a_library_set_up_with_a_profile_path_still_syncs_from_the_file(
    service: ReaderService, served: ServedFeed, nginx: Nginx, pki: Pki, tmp_path: Path
) -> None:
    path = write_profile(tmp_path / "stick", served, pki, [nginx.url(served.prefix)])
    legacy(service, path)
    status = service.sync_status()
    assert (status.configured, status.profile, status.keyed_channels) == (
        True, str(path), (CHANNEL,),
    )  # fmt: skip
    assert service.sync(lambda _: None).update.added == 5
    # It still reads the file at each sync: gone, it is a problem in words, not a crash.
    shutil.rmtree(tmp_path / "stick")
    status = service.sync_status()
    assert not status.configured
    assert status.profile == str(path)
    assert status.problem is not None
    assert "cannot be read" in status.problem
    with pytest.raises(ProfileError):
        service.sync(lambda _: None)
    # Choosing a profile again keeps it inside, like any library now.
    again = write_profile(tmp_path / "new", served, pki, [nginx.url(served.prefix)])
    assert service.set_sync_profile(again).configured
    shutil.rmtree(tmp_path / "new")
    assert service.sync(lambda _: None).update.nothing_new


@pytest.mark.parametrize(
    "kept",
    ["{not json", '{"format": 1, "toml": "[feed]", "files": {"root.json": "%%%"}}', "[]"],
)
def test_a_damaged_kept_profile_is_a_clear_error(
    service: ReaderService, nginx: Nginx, org_profile: Path, kept: str
) -> None:
    path = org_profile
    legacy(service, path)  # the kept copy wins over an older path
    service.library.set_meta("sync-profile", kept)
    status = service.sync_status()
    assert not status.configured
    assert status.problem == (
        "sync profile: the copy kept in this library is damaged; choose the profile again"
    )
    mark = nginx.mark()
    with pytest.raises(ProfileError, match="damaged; choose the profile again"):
        service.sync(lambda _: None)
    assert nginx.since(mark) == []
    assert service.set_sync_profile(path).configured
    assert service.sync(lambda _: None).update.added == 5


def test_a_sync_adds_items_reports_progress_and_remembers_when(
    service: ReaderService, served: ServedFeed, nginx: Nginx, pki: Pki, tmp_path: Path
) -> None:
    mirror = nginx.url(served.prefix)
    service.set_sync_profile(write_profile(tmp_path / "org", served, pki, [mirror]))
    seen: list[Progress] = []

    outcome = service.sync(seen.append)

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

    again = service.sync(lambda _: None)
    assert again.update.nothing_new
    assert again.requests == 1


def test_a_cancelled_sync_changes_nothing_and_the_next_one_resumes(
    service: ReaderService, served: ServedFeed, nginx: Nginx, pki: Pki, tmp_path: Path
) -> None:
    service.set_sync_profile(
        write_profile(tmp_path / "org", served, pki, [nginx.url(served.prefix)])
    )
    cancellation = Cancellation()

    def progress(step: Progress) -> None:
        if step.phase == "objects" and step.done == 2:
            cancellation.set()

    with pytest.raises(UpdateCancelled) as caught:
        service.sync(progress, cancellation)
    assert describe_failure(caught.value).problem is Problem.CANCELLED
    assert articles(service) == 0
    assert service.sync_status().last_sync is None

    outcome = service.sync(lambda _: None)
    assert outcome.update.added == 5
    assert outcome.update.reused == 3  # the index segment and the first two objects


def test_a_sync_cancelled_before_it_starts_sends_nothing(
    service: ReaderService, served: ServedFeed, nginx: Nginx, pki: Pki, tmp_path: Path
) -> None:
    service.set_sync_profile(
        write_profile(tmp_path / "org", served, pki, [nginx.url(served.prefix)])
    )
    mark = nginx.mark()
    cancelled = Cancellation()
    cancelled.set()
    with pytest.raises(UpdateCancelled):
        service.sync(lambda _: None, cancelled)
    assert nginx.since(mark) == []


def test_an_intercepted_connection_is_refused_and_changes_nothing(
    service: ReaderService, served: ServedFeed, nginx: Nginx, pki: Pki, tmp_path: Path
) -> None:
    intercepted = nginx.intercepted_url(served.prefix)
    service.set_sync_profile(write_profile(tmp_path / "org", served, pki, [intercepted]))
    mark = nginx.mark(intercepted=True)
    with pytest.raises(MirrorsExhausted) as caught:
        service.sync(lambda _: None)
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
        service.sync(lambda _: None)
    status = service.sync_status()
    assert describe_failure(caught.value, status.proxy).problem is Problem.PROXY_UNREACHABLE
    assert nginx.since(mark) == []
    assert articles(service) == 0


def test_after_a_preloaded_first_start_the_kept_profile_syncs_with_the_files_gone(
    served: ServedFeed,
    nginx: Nginx,
    pki: Pki,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A trainer's portable build for the served feed: profile (pinned, private CA, channel
    key), root, CA and preload. The first start removes them; later syncs need none of them."""
    app = tmp_path / "stick"
    write_profile(app, served, pki, [nginx.url(served.prefix)], name=PROFILE_NAME)
    create_bundle(served.feed, app / PRELOAD_NAME, now=FRESH)
    (app / PORTABLE_MARKER).write_text("", encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    provisioning = find_provisioning(app)
    assert provisioning is not None
    assert provisioning.data_dir is not None
    titles = [f"Title of sync-news-{n}".encode() for n in (0, 1, 2, 3)]
    needles = [*titles, b"Title of sync-news-staff", CHANNEL_KEY.hex().encode(), CHANNEL_KEY]
    assert files_holding([app], needles)  # the key, in profile.toml

    service, _ = create_reader(
        provisioning.data_dir, PASSPHRASE, start_with="preloaded", provisioning=provisioning,
        kdf=FAST_KDF,
    )  # fmt: skip
    try:
        assert service.trainer_files is not None
        assert service.trainer_files.removed == (PRELOAD_NAME, PROFILE_NAME, "root.json", "ca.pem")
        assert {p.name for p in app.iterdir()} == {PORTABLE_MARKER, PORTABLE_DATA_NAME}
        assert articles(service) == 5
        assert files_holding([app, home], needles) == []

        def later(content: Path) -> None:
            write_article(content, "late-staff", "Moved to the north office.", channel=CHANNEL)

        served.rebuild(nginx, later)
        outcome = service.sync(lambda _: None)
        assert outcome.update.added == 1
        assert service.library.content.get("late-staff") is not None
    finally:
        service.library.close()
    late = [b"Title of late-staff", b"Moved to the north office."]
    assert files_holding([app, home], [*needles, *late]) == []


class PausedSync:
    """A sync on a thread of its own, held still inside its transaction right after it wrote
    its first items (so the library's write lock is held) until the test lets it go."""

    def __init__(self, service: ReaderService, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hold = ApplyHold().install(monkeypatch)
        self.outcome: list[object] = []

        def run() -> None:
            try:
                self.outcome.append(service.sync(lambda _: None))
            except Exception as exc:  # handed to the test
                self.outcome.append(exc)

        self.thread = threading.Thread(target=run)
        self.thread.start()
        assert self.hold.reached.wait(30), "the sync never got under way"

    def finish(self) -> object:
        self.hold.release()
        self.thread.join()
        return self.outcome[0]


def test_reading_and_notes_go_on_while_a_sync_holds_the_library(
    service: ReaderService, org_profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync's transaction is open (the library's write lock held) while the reader opens,
    searches, bookmarks and saves notes and settings on its own thread; it sees the library as
    it was until the sync commits, and nothing it saved waits for the sync or depends on it."""
    service.set_sync_profile(org_profile)
    service.library.content.apply([article("local-1", title="Kept on this laptop")])
    paused = PausedSync(service, monkeypatch)
    try:
        assert write_locked(service.library)
        assert service.open("local-1").item.title == "Kept on this laptop"
        assert [h.id for h in service.search("laptop")] == ["local-1"]
        assert articles(service) == 1  # nothing of the sync is visible before it commits
        note = service.add_note("typed during the sync", "local-1")
        service.save_note(note.id, "typed during the sync, then edited")
        assert service.toggle_bookmark("local-1")
        service.set_position("local-1", 0.4)
        service.save_settings(dataclasses.replace(service.settings(), theme="dark"))
    finally:
        outcome = paused.finish()
    assert not isinstance(outcome, Exception), outcome
    assert articles(service) == 6
    assert [n.body for n in service.notes("local-1")] == ["typed during the sync, then edited"]
    assert service.open("local-1").bookmarked
    assert service.settings().theme == "dark"


def test_closing_waits_for_a_running_sync_and_no_sync_starts_after_it(
    service: ReaderService, org_profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window asks for the close right after cancelling; a sync past its last download
    commits first, and only then does the library (and its key) go."""
    service.set_sync_profile(org_profile)
    paused = PausedSync(service, monkeypatch)
    closing = threading.Thread(target=service.close)
    closing.start()
    closing.join(0.5)
    assert closing.is_alive()  # the library stays open under the sync's feet
    assert not isinstance(paused.finish(), Exception)
    closing.join()
    with pytest.raises(UpdateCancelled):
        service.sync(lambda _: None)
    with pytest.raises(StoreError, match="closed"):
        service.library.sibling()
    with open_library(service.library.paths.root, PASSPHRASE) as reopened:
        assert reopened.content.count(ItemFilter(kind="article")) == 5
