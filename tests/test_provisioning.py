"""A trainer's build on its first start: finding what it carries, checking and importing the
preload with fresh keys, portable mode's folders. The desktop session with HOME watched is in
``test_portable_session.py``."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pytest

from factories import FAST_KDF, PASSPHRASE
from feedkit import BUNDLE_PASSPHRASE, CHANNEL, start_feed
from fieldreader.errors import FieldreaderError
from fieldreader.feed.bundle import BundleSource, create_bundle, pack
from fieldreader.feed.check import NotAFullBundle
from fieldreader.feed.errors import (
    DecryptionFailed,
    FeedError,
    HashMismatch,
    MixAndMatch,
    UnknownKey,
)
from fieldreader.feed.update import NotTrusted
from fieldreader.paths import DATA_DIR_ENV
from fieldreader.preload import PreloadError, check_preload, read_preload
from fieldreader.profile import Profile, ProfileError, read_profile
from fieldreader.provisioning import (
    APP_DIR_ENV,
    PORTABLE_DATA_NAME,
    PORTABLE_MARKER,
    PRELOAD_NAME,
    PROFILE_NAME,
    Provisioning,
    Removal,
    enter_portable_mode,
    find_app_dir,
    find_provisioning,
    portable_environment,
    remove_trainer_files,
)
from fieldreader.sample import BUNDLE_NAME, package_resources
from fieldreader.service import ReaderService, create_reader
from fieldreader.store import open_library
from fieldreader.store.keyslots import decode, unlock
from fieldreader.store.library import library_exists
from provisionkit import (
    NOW,
    PUBLIC_ARTICLES,
    RESTRICTED_ARTICLE,
    TrainerKit,
    files_holding,
    make_kit,
    profile_text,
    secrets_of,
    write_content,
    write_profile,
)
from sync.servers import Pki

LATER = datetime.now(UTC)


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> TrainerKit:
    return make_kit(tmp_path_factory.mktemp("kit"))


def app_folder(tmp_path: Path, kit: TrainerKit, text: str | None = None, **flags: bool) -> Path:
    """An app folder as ``fieldreader build`` leaves it: profile, root, preload, marker."""
    app = tmp_path / "app"
    write_profile(app, kit, text if text is not None else profile_text(), name=PROFILE_NAME)
    if flags.get("preload", True):
        shutil.copy(kit.bundle, app / PRELOAD_NAME)
    if flags.get("portable", False):
        (app / PORTABLE_MARKER).write_text("", encoding="utf-8")
    return app


def profile_at(tmp_path: Path, kit: TrainerKit, text: str | None = None) -> Profile:
    return read_profile(write_profile(tmp_path / "desk", kit, text or profile_text()))


# --- finding what the build carries ----------------------------------------------------------


def test_a_source_install_has_no_app_folder() -> None:
    if getattr(sys, "frozen", False):
        pytest.skip("running frozen")
    assert find_app_dir({}) is None
    assert find_provisioning(environ={}) is None


def test_the_app_folder_comes_from_the_environment(tmp_path: Path, kit: TrainerKit) -> None:
    app = app_folder(tmp_path, kit, portable=True)
    found = find_provisioning(environ={APP_DIR_ENV: str(app)})
    assert found == Provisioning(
        app_dir=app.resolve(),
        profile=app.resolve() / PROFILE_NAME,
        preload=app.resolve() / PRELOAD_NAME,
        portable=True,
    )
    assert found.data_dir == app.resolve() / PORTABLE_DATA_NAME
    assert found.preloaded_available


def test_a_frozen_app_looks_beside_its_executable(
    tmp_path: Path, kit: TrainerKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_folder(tmp_path, kit)
    # What PyInstaller's bootloader sets; this process cannot really be frozen.
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app / "fieldreader"))
    found = find_provisioning(environ={})
    assert found is not None
    assert found.app_dir == app.resolve()
    assert not found.portable
    assert found.data_dir is None  # the per-user folder


def test_a_plain_build_offers_no_preload(tmp_path: Path) -> None:
    (tmp_path / "fieldreader").write_text("", encoding="utf-8")
    found = find_provisioning(tmp_path)
    assert found == Provisioning(tmp_path, None, None, portable=False)
    assert not found.preloaded_available


def test_a_preload_without_a_profile_cannot_be_offered(tmp_path: Path, kit: TrainerKit) -> None:
    shutil.copy(kit.bundle, tmp_path / PRELOAD_NAME)
    found = find_provisioning(tmp_path)
    assert found is not None
    assert found.preload is not None
    assert not found.preloaded_available


def test_portable_mode_points_every_per_user_folder_into_the_app(tmp_path: Path) -> None:
    app = tmp_path / "stick"
    app.mkdir()
    environ = {"HOME": "/home/someone", "XDG_CACHE_HOME": "/home/someone/.cache"}
    values = enter_portable_mode(Provisioning(app, None, None, portable=True), environ)
    assert values == portable_environment(app)
    for name in ("TMPDIR", "TMP", "TEMP", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        assert Path(environ[name]).is_relative_to(app / PORTABLE_DATA_NAME), name
        assert Path(environ[name]).is_dir()
    assert environ[DATA_DIR_ENV] == str(app / PORTABLE_DATA_NAME)
    assert environ["HOME"] == "/home/someone"  # the display server's files are found there
    assert "XDG_RUNTIME_DIR" not in environ
    again = dict(environ)
    enter_portable_mode(Provisioning(app, None, None, portable=True), again)
    assert again == environ


def test_a_browser_started_from_portable_mode_gets_the_persons_own_folders(
    tmp_path: Path,
) -> None:
    """The system's browser, opened on a link, must not keep its profile on the stick."""
    app = tmp_path / "stick"
    app.mkdir()
    (app / PORTABLE_MARKER).write_text("", encoding="utf-8")
    script = (
        "import json, os, tempfile\n"
        "from fieldreader.provisioning import outside_environment, prepare_process\n"
        "found = prepare_process()\n"
        "inside = {k: os.environ.get(k) for k in ('XDG_CACHE_HOME', 'TMPDIR')}\n"
        "temp = tempfile.gettempdir()\n"
        "with outside_environment():\n"
        "    outside = {k: os.environ.get(k) for k in ('XDG_CACHE_HOME', 'TMPDIR')}\n"
        "after = {k: os.environ.get(k) for k in ('XDG_CACHE_HOME', 'TMPDIR')}\n"
        "print(json.dumps([str(found.data_dir), inside, temp, outside, after]))\n"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "home" / ".cache"),
        APP_DIR_ENV: str(app),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    data_dir, inside, temp, outside, after = json.loads(result.stdout)
    assert data_dir == str(app.resolve() / PORTABLE_DATA_NAME)
    assert inside["XDG_CACHE_HOME"].startswith(data_dir)
    assert temp.startswith(data_dir)
    assert outside == {"XDG_CACHE_HOME": env["XDG_CACHE_HOME"], "TMPDIR": None}
    assert after == inside


# --- checking a preload (the build) ----------------------------------------------------------


def test_a_good_preload_is_checked_through(tmp_path: Path, kit: TrainerKit) -> None:
    report = check_preload(profile_at(tmp_path, kit), read_preload(kit.bundle), now=LATER)
    assert report.feed == "test-feed"
    assert report.version == 1
    # Two public articles, the restricted one (its key is in the profile), guidance, contact.
    assert report.items == 5
    assert report.channels_opened == {CHANNEL}
    assert report.skipped == report.not_carried == 0
    assert not report.expired


def test_without_the_channel_key_the_restricted_object_is_only_hash_checked(
    tmp_path: Path, kit: TrainerKit
) -> None:
    profile = profile_at(tmp_path, kit, profile_text(channel_key=False))
    report = check_preload(profile, read_preload(kit.bundle), now=LATER)
    assert (report.items, report.skipped, report.channels_opened) == (4, 1, frozenset())


def test_an_expired_preload_still_checks_but_says_so(tmp_path: Path, kit: TrainerKit) -> None:
    much_later = datetime(NOW.year + 1, 1, 1, tzinfo=UTC)
    report = check_preload(profile_at(tmp_path, kit), read_preload(kit.bundle), now=much_later)
    assert report.expired


def rebuilt(kit: TrainerKit, change: str) -> bytes:
    """The kit's bundle with one file changed: an object flipped, or one left out."""
    source = BundleSource(read_preload(kit.bundle))
    files = {path: source.fetch(path, 1 << 30) for path in source.paths()}
    victim = next(p for p in sorted(files) if p.startswith("objects/"))
    if change == "flip":
        data = bytearray(files[victim])
        data[len(data) // 2] ^= 1
        files[victim] = bytes(data)
    else:
        del files[victim]
    return pack(files)


def test_a_tampered_preload_is_refused(tmp_path: Path, kit: TrainerKit) -> None:
    with pytest.raises(HashMismatch):
        check_preload(profile_at(tmp_path, kit), rebuilt(kit, "flip"), now=LATER)


def test_a_preload_missing_an_object_is_refused(tmp_path: Path, kit: TrainerKit) -> None:
    with pytest.raises(MixAndMatch, match="lacks object"):
        check_preload(profile_at(tmp_path, kit), rebuilt(kit, "drop"), now=LATER)


def test_a_preload_of_another_feed_is_refused(tmp_path: Path, kit: TrainerKit) -> None:
    _, _, other = start_feed(tmp_path / "other", write_content, NOW)
    foreign = tmp_path / "foreign.frb"
    create_bundle(other, foreign, now=NOW)
    with pytest.raises(FeedError) as caught:
        check_preload(profile_at(tmp_path, kit), read_preload(foreign), now=LATER)
    assert isinstance(caught.value, UnknownKey)


def test_a_delta_bundle_cannot_preload(tmp_path: Path, kit: TrainerKit) -> None:
    delta = tmp_path / "delta.frb"
    create_bundle(kit.feed, delta, since=1, now=NOW)
    with pytest.raises(NotAFullBundle, match="a new library needs a full bundle"):
        check_preload(profile_at(tmp_path, kit), read_preload(delta), now=LATER)


def test_a_wrong_channel_key_is_refused(tmp_path: Path, kit: TrainerKit) -> None:
    text = profile_text(channel_key=False) + f'\n[channel_keys]\n{CHANNEL} = "{"11" * 32}"\n'
    with pytest.raises(DecryptionFailed):
        check_preload(profile_at(tmp_path, kit, text), read_preload(kit.bundle), now=LATER)


def test_a_profile_without_a_root_cannot_verify_a_preload(tmp_path: Path, kit: TrainerKit) -> None:
    profile = profile_at(tmp_path, kit, profile_text(root=None))
    with pytest.raises(ProfileError, match=r"'feed\.root': is needed to verify"):
        check_preload(profile, read_preload(kit.bundle), now=LATER)


def test_the_sample_cannot_preload(tmp_path: Path) -> None:
    sample_file = package_resources() / BUNDLE_NAME
    sample = BundleSource(read_preload(sample_file))
    root = sample.fetch("root/1.root.json", 1 << 20)
    (tmp_path / "root.json").write_bytes(root)
    path = tmp_path / "org.toml"
    path.write_text(profile_text(channel_key=False), encoding="utf-8")
    with pytest.raises(NotTrusted, match="public keys"):
        check_preload(read_profile(path), read_preload(sample_file), now=LATER)


def test_encrypted_and_unreadable_preloads(tmp_path: Path, kit: TrainerKit) -> None:
    sealed = tmp_path / "sealed.frb"
    create_bundle(kit.feed, sealed, passphrase=BUNDLE_PASSPHRASE, kdf=FAST_KDF, now=NOW)
    with pytest.raises(PreloadError, match="is encrypted: its passphrase is needed"):
        read_preload(sealed)
    with pytest.raises(DecryptionFailed):
        read_preload(sealed, "not the passphrase")
    plain = read_preload(sealed, BUNDLE_PASSPHRASE)
    assert check_preload(profile_at(tmp_path, kit), plain, now=LATER).items == 5
    with pytest.raises(PreloadError, match=r"Cannot read absent\.frb"):
        read_preload(tmp_path / "absent.frb")
    truncated = tmp_path / "truncated.frb"
    truncated.write_bytes(kit.bundle.read_bytes()[:100])
    with pytest.raises(FeedError):
        check_preload(profile_at(tmp_path, kit), read_preload(truncated), now=LATER)


# --- the first start ----------------------------------------------------------------------


def master_key(data_dir: Path) -> bytes:
    key, _ = unlock(decode((data_dir / "library.keys").read_bytes()), PASSPHRASE)
    return key


def test_the_first_start_imports_the_preload_into_a_fresh_library(
    tmp_path: Path, kit: TrainerKit
) -> None:
    app = app_folder(tmp_path, kit, portable=True)
    provisioning = find_provisioning(app)
    assert provisioning is not None
    assert provisioning.data_dir is not None
    steps: list[str] = []
    service, settings = create_reader(
        provisioning.data_dir,
        PASSPHRASE,
        start_with="preloaded",
        provisioning=provisioning,
        kdf=FAST_KDF,
        progress=lambda done, total, step: steps.append(step),
    )
    try:
        assert {"protect", "metadata", "objects", "applying"} <= set(steps)
        titles = {s.id for s in service.list_items("article")}
        assert titles == {*PUBLIC_ARTICLES, RESTRICTED_ARTICLE}
        assert settings.idle_lock_minutes == 9  # the profile's [ui] default
        status = service.sync_status()
        assert status.configured
        assert status.profile == str(app.resolve() / PROFILE_NAME)
        assert status.proxy == "tor"
        assert status.keyed_channels == (CHANNEL,)
        assert len(service.library.feeds.all()) == 1
    finally:
        service.library.close()


def test_two_copies_of_one_build_never_share_keys(tmp_path: Path, kit: TrainerKit) -> None:
    app = app_folder(tmp_path, kit)
    copies = []
    for name in ("amina", "bilal"):
        copy = tmp_path / name
        shutil.copytree(app, copy)
        (copy / PORTABLE_MARKER).write_text("", encoding="utf-8")
        provisioning = find_provisioning(copy)
        assert provisioning is not None
        assert provisioning.data_dir is not None
        service, _ = create_reader(
            provisioning.data_dir, PASSPHRASE, start_with="preloaded",
            provisioning=provisioning, kdf=FAST_KDF,
        )  # fmt: skip
        library_id = service.library.get_meta("library_id")
        count = len(service.list_items("article"))
        service.library.close()
        data = provisioning.data_dir
        copies.append((library_id, master_key(data), (data / "library.keys").read_bytes(), count))
    (id_a, key_a, slots_a, count_a), (id_b, key_b, slots_b, count_b) = copies
    assert count_a == count_b == 3
    assert id_a != id_b
    assert key_a != key_b
    assert slots_a != slots_b


def test_a_broken_profile_creates_nothing(tmp_path: Path, kit: TrainerKit) -> None:
    app = app_folder(tmp_path, kit, profile_text().replace("idle_lock_minutes = 9", "x = 1"))
    provisioning = find_provisioning(app)
    data = tmp_path / "data"
    with pytest.raises(ProfileError, match=r"'ui\.x': unknown setting"):
        create_reader(
            data, PASSPHRASE, start_with="preloaded", provisioning=provisioning, kdf=FAST_KDF
        )
    assert not library_exists(data)


def test_preloaded_without_a_preload_creates_nothing(tmp_path: Path, kit: TrainerKit) -> None:
    provisioning = find_provisioning(app_folder(tmp_path, kit, preload=False))
    data = tmp_path / "data"
    with pytest.raises(FieldreaderError, match="carries no preloaded library"):
        create_reader(
            data, PASSPHRASE, start_with="preloaded", provisioning=provisioning, kdf=FAST_KDF
        )
    with pytest.raises(FieldreaderError, match="carries no preloaded library"):
        create_reader(data, PASSPHRASE, start_with="preloaded", kdf=FAST_KDF)
    assert not library_exists(data)


def test_a_tampered_preload_on_the_first_start_leaves_an_empty_library_set_up_for_sync(
    tmp_path: Path, kit: TrainerKit
) -> None:
    app = app_folder(tmp_path, kit)
    (app / PRELOAD_NAME).write_bytes(rebuilt(kit, "flip"))
    provisioning = find_provisioning(app)
    data = tmp_path / "data"
    with pytest.raises(HashMismatch):
        create_reader(
            data, PASSPHRASE, start_with="preloaded", provisioning=provisioning, kdf=FAST_KDF
        )
    with open_library(data, PASSPHRASE) as library:
        assert library.content.count() == 0
        assert ReaderService(library).sync_status().configured
    # Nothing was imported, so nothing the build carries was removed.
    assert {PROFILE_NAME, PRELOAD_NAME, "root.json"} <= {p.name for p in app.iterdir()}


def test_other_starts_in_a_trainers_build_still_take_its_profile(
    tmp_path: Path, kit: TrainerKit
) -> None:
    provisioning = find_provisioning(app_folder(tmp_path, kit))
    service, settings = create_reader(
        tmp_path / "data", PASSPHRASE, start_with="empty", provisioning=provisioning,
        kdf=FAST_KDF,
    )  # fmt: skip
    try:
        assert settings.idle_lock_minutes == 9
        assert service.sync_status().configured
        assert service.list_items("article") == []
        # The preload was not taken: the build keeps it, and the profile that verifies it, for
        # a first start after a wipe.
        assert service.trainer_files is None
        assert provisioning is not None
        assert {p.name for p in provisioning.app_dir.iterdir()} == {
            PROFILE_NAME, PRELOAD_NAME, "root.json"
        }  # fmt: skip
    finally:
        service.library.close()


def test_other_starts_ignore_a_broken_profile(tmp_path: Path, kit: TrainerKit) -> None:
    app = app_folder(tmp_path, kit, "[feed]\nmirrors = []\n")
    service, settings = create_reader(
        tmp_path / "data", PASSPHRASE, start_with="empty", provisioning=find_provisioning(app),
        kdf=FAST_KDF,
    )  # fmt: skip
    try:
        assert settings.idle_lock_minutes == 5
        assert not service.sync_status().configured
    finally:
        service.library.close()


def test_a_portable_app_names_its_profile_after_the_stick_moves(
    tmp_path: Path, kit: TrainerKit
) -> None:
    app = app_folder(tmp_path, kit, portable=True)
    provisioning = find_provisioning(app)
    assert provisioning is not None
    assert provisioning.data_dir is not None
    service, _ = create_reader(
        provisioning.data_dir, PASSPHRASE, start_with="empty", provisioning=provisioning,
        kdf=FAST_KDF,
    )  # fmt: skip
    kept = json.loads(service.library.get_meta("sync-profile") or "")
    assert kept["source"] == str(Path("..") / PROFILE_NAME)
    service.library.close()
    moved = tmp_path / "mounted-elsewhere"
    app.rename(moved)
    (moved / PROFILE_NAME).unlink()  # the library keeps its own copy
    with open_library(moved / PORTABLE_DATA_NAME, PASSPHRASE) as library:
        status = ReaderService(library).sync_status()
    assert status.configured
    assert status.profile == str(moved.resolve() / PROFILE_NAME)


# --- the trainer's files leave the stick after the first start --------------------------------


def started(
    app: Path, data: Path | None = None, start: Literal["empty", "preloaded"] = "preloaded"
) -> ReaderService:
    """The person's first start on the build in ``app`` (portable: the library beside it)."""
    provisioning = find_provisioning(app)
    assert provisioning is not None
    folder = data or provisioning.data_dir
    assert folder is not None
    service, _ = create_reader(
        folder, PASSPHRASE, start_with=start, provisioning=provisioning, kdf=FAST_KDF,
    )  # fmt: skip
    return service


def test_after_the_first_start_no_file_beside_the_program_or_at_home_shows_the_content_or_keys(
    tmp_path: Path, kit: TrainerKit, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_folder(tmp_path, kit, profile_text(ca_file="ca.pem"), portable=True)
    shutil.copy(pki.ca, app / "ca.pem")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    needles = secrets_of(kit)
    # The control: before the first start, the build shows the key and the preload to anyone.
    before = files_holding([app], needles)
    assert any(PROFILE_NAME in hit for hit in before)
    assert any(PRELOAD_NAME in hit for hit in before)

    service = started(app)
    try:
        assert service.trainer_files == Removal(
            removed=(PRELOAD_NAME, PROFILE_NAME, "root.json", "ca.pem")
        )
        assert {p.name for p in app.iterdir()} == {PORTABLE_MARKER, PORTABLE_DATA_NAME}
        # The library has everything they gave: the content, the restricted channel, the
        # profile with its keys, root and CA.
        ids = {s.id for s in service.list_items("article")}
        assert ids == {*PUBLIC_ARTICLES, RESTRICTED_ARTICLE}
        status = service.sync_status()
        assert (status.configured, status.keyed_channels) == (True, (CHANNEL,))
        assert files_holding([app, home], needles) == []  # while the library is open
    finally:
        service.library.close()
    assert files_holding([app, home], needles) == []
    with open_library(app / PORTABLE_DATA_NAME, PASSPHRASE) as library:
        kept = ReaderService(library).sync_status()
        assert kept.configured
        assert kept.proxy == "tor"


def test_only_the_copy_that_is_started_loses_its_files(tmp_path: Path, kit: TrainerKit) -> None:
    """The trainer's master build stays whole when a copy of it is started, even a copy made
    with hard links (``cp -al``), whose files share the master's bytes on disk."""
    master = app_folder(tmp_path, kit, portable=True)
    shipped = {p.name: p.read_bytes() for p in master.iterdir()}
    stick = tmp_path / "stick"
    stick.mkdir()
    for name in shipped:
        os.link(master / name, stick / name)
    service = started(stick)
    service.library.close()
    assert service.trainer_files is not None
    assert service.trainer_files.complete
    assert {p.name for p in stick.iterdir()} == {PORTABLE_MARKER, PORTABLE_DATA_NAME}
    assert {p.name: p.read_bytes() for p in master.iterdir()} == shipped


def test_a_profile_linked_from_elsewhere_is_unlinked_never_written_through(
    tmp_path: Path, kit: TrainerKit
) -> None:
    desk = write_profile(tmp_path / "desk", kit, profile_text(root="../desk/root.json"))
    original = desk.read_bytes()
    app = tmp_path / "app"
    app.mkdir()
    (app / PROFILE_NAME).symlink_to(desk)
    shutil.copy(kit.bundle, app / PRELOAD_NAME)
    service = started(app, tmp_path / "data")
    service.library.close()
    # The root lies outside the app folder: the trainer's, not the build's, so it stays.
    assert service.trainer_files == Removal(removed=(PRELOAD_NAME, PROFILE_NAME))
    assert list(app.iterdir()) == []
    assert desk.read_bytes() == original
    assert (tmp_path / "desk" / "root.json").read_bytes() == kit.root_bytes


def test_a_build_without_a_preload_loses_its_profile_once_the_library_keeps_it(
    tmp_path: Path, kit: TrainerKit
) -> None:
    app = app_folder(tmp_path, kit, preload=False, portable=True)
    service = started(app, start="empty")
    try:
        assert service.trainer_files == Removal(removed=(PROFILE_NAME, "root.json"))
        assert {p.name for p in app.iterdir()} == {PORTABLE_MARKER, PORTABLE_DATA_NAME}
        assert service.sync_status().keyed_channels == (CHANNEL,)
    finally:
        service.library.close()


def refuse_unlink_in(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deleting a file in ``folder`` fails as on a folder the person may not change (chmod
    cannot show it when the tests run as root, who may change any folder)."""
    unlink = Path.unlink

    def refused(path: Path, missing_ok: bool = False) -> None:
        if path.parent == folder:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refused)


def test_files_that_cannot_be_removed_leave_the_library_working_and_say_why(
    tmp_path: Path, kit: TrainerKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_folder(tmp_path, kit, portable=True)
    refuse_unlink_in(app, monkeypatch)
    service = started(app)
    try:
        removal = service.trainer_files
        assert removal == Removal(
            removed=(),
            left=(PRELOAD_NAME, PROFILE_NAME, "root.json"),
            reason=os.strerror(errno.EACCES),
        )
        assert not removal.complete
        assert len(service.list_items("article")) == len(PUBLIC_ARTICLES) + 1
        assert service.sync_status().configured
        # They could still be overwritten: what stays holds neither the key nor the content.
        assert files_holding([app], secrets_of(kit)) == []
    finally:
        service.library.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may change a read-only folder")
def test_a_read_only_app_folder_does_not_fail_the_first_start(
    tmp_path: Path, kit: TrainerKit
) -> None:
    app = app_folder(tmp_path, kit)
    app.chmod(0o555)
    try:
        service = started(app, tmp_path / "data")
        service.library.close()
    finally:
        app.chmod(0o755)
    assert service.trainer_files is not None
    assert service.trainer_files.left == (PRELOAD_NAME, PROFILE_NAME, "root.json")
    assert service.trainer_files.reason == os.strerror(errno.EACCES)


def test_only_the_build_s_files_inside_the_app_folder_are_removed(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    for name in (PRELOAD_NAME, PROFILE_NAME, "ca.pem", "portable"):
        (app / name).write_bytes(b"x")
    outside = tmp_path / "org-ca.pem"
    outside.write_bytes(b"the trainer's own")
    provisioning = Provisioning(app, app / PROFILE_NAME, app / PRELOAD_NAME, portable=True)
    removal = remove_trainer_files(provisioning, ["../org-ca.pem", "ca.pem", "absent.json", "."])
    assert removal == Removal(removed=(PRELOAD_NAME, PROFILE_NAME, "ca.pem"))
    assert outside.read_bytes() == b"the trainer's own"
    assert [p.name for p in app.iterdir()] == ["portable"]
