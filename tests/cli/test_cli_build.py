"""``fieldreader build``: a trainer's build from a built app folder, a profile and a preload.

The app folder is a stand-in for PyInstaller's output (an executable and ``_internal``), so
these tests need no packaging; what the build adds, and what it refuses, is the same.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE
from feedkit import BUNDLE_PASSPHRASE, CHANNEL, CHANNEL_KEY, start_feed
from fieldreader.cli import run
from fieldreader.feed.bundle import create_bundle, is_encrypted
from fieldreader.profile import read_profile
from fieldreader.provisioning import (
    PORTABLE_DATA_NAME,
    PORTABLE_MARKER,
    PRELOAD_NAME,
    PROFILE_NAME,
    find_provisioning,
)
from fieldreader.service import create_reader
from fieldreader.store.keyslots import decode, unlock
from provisionkit import (
    APP_EXECUTABLE,
    NOW,
    ORGANISATION,
    PUBLIC_ARTICLES,
    TrainerKit,
    fake_app,
    make_kit,
    profile_text,
    write_content,
    write_profile,
)
from sync.servers import Pki


@dataclass
class Result:
    code: int
    out: str
    err: str


def build(*args: str | Path) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = run(
        ["build", *map(str, args)], stdin=io.StringIO(""), stdout=out, stderr=err, kdf=FAST_KDF
    )
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> TrainerKit:
    return make_kit(tmp_path_factory.mktemp("kit"))


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return fake_app(tmp_path / "dist" / "fieldreader")


@pytest.fixture
def profile(tmp_path: Path, kit: TrainerKit) -> Path:
    return write_profile(tmp_path / "desk", kit, profile_text(portable=True))


@pytest.fixture(autouse=True)
def no_bundle_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIELDREADER_BUNDLE_PASSPHRASE", raising=False)


def first_start(folder: Path) -> tuple[str, bytes, int]:
    """The person's first start on ``folder``: library id, master key, articles imported."""
    provisioning = find_provisioning(folder)
    assert provisioning is not None
    assert provisioning.data_dir is not None
    service, _ = create_reader(
        provisioning.data_dir, PASSPHRASE, start_with="preloaded", provisioning=provisioning,
        kdf=FAST_KDF,
    )  # fmt: skip
    try:
        library_id = service.library.get_meta("library_id")
        count = len(service.list_items("article"))
    finally:
        service.library.close()
    slots = decode((provisioning.data_dir / "library.keys").read_bytes())
    assert library_id is not None
    return library_id, unlock(slots, PASSPHRASE)[0], count


# --- the good path ----------------------------------------------------------------------------


def test_a_portable_build_with_a_preload(
    tmp_path: Path, kit: TrainerKit, app: Path, profile: Path
) -> None:
    out = tmp_path / "build" / "org"
    result = build("--profile", profile, "--preload", kit.bundle, "--out", out, "--app", app)
    assert result.code == 0, result.err
    assert f"for {ORGANISATION}" in result.out
    assert "5 items" in result.out
    assert f"Restricted channels opened: {CHANNEL}" in result.out
    assert "Portable" in result.out
    names = {p.name for p in out.iterdir()}
    assert names == {
        APP_EXECUTABLE, "_internal", PROFILE_NAME, "root.json", PRELOAD_NAME, PORTABLE_MARKER,
    }  # fmt: skip
    assert (out / APP_EXECUTABLE).stat().st_mode & stat.S_IXUSR
    assert (out / "_internal" / "base_library.zip").is_file()
    assert (out / PRELOAD_NAME).read_bytes() == kit.bundle.read_bytes()
    assert stat.S_IMODE((out / PROFILE_NAME).stat().st_mode) == 0o600  # channel keys inside
    written = read_profile(out / PROFILE_NAME)
    original = read_profile(profile)
    assert written.feed.root == original.feed.root
    assert written.feed.channel_keys == {CHANNEL: CHANNEL_KEY}
    assert (written.organisation, written.idle_lock_minutes, written.portable) == (
        ORGANISATION, 9, True,
    )  # fmt: skip
    assert written.feed.mirrors == original.feed.mirrors
    assert written.feed.proxy == "tor"
    assert not list(out.parent.glob(".*partial"))
    # Nothing of a library went in.
    assert not (out / PORTABLE_DATA_NAME).exists()

    # The person's first start: the preload verified again and imported.
    _, _, articles = first_start(out)
    assert articles == len(PUBLIC_ARTICLES) + 1
    assert (out / PORTABLE_DATA_NAME / "library.keys").is_file()


def test_two_copies_of_one_build_create_their_own_keys(
    tmp_path: Path, kit: TrainerKit, app: Path, profile: Path
) -> None:
    out = tmp_path / "build"
    assert (
        build("--profile", profile, "--preload", kit.bundle, "--out", out, "--app", app).code == 0
    )
    sticks = [tmp_path / "stick-a", tmp_path / "stick-b"]
    for stick in sticks:
        shutil.copytree(out, stick)
    (id_a, key_a, count_a), (id_b, key_b, count_b) = (first_start(s) for s in sticks)
    assert count_a == count_b == 3
    assert id_a != id_b
    assert key_a != key_b
    slots = [(s / PORTABLE_DATA_NAME / "library.keys").read_bytes() for s in sticks]
    assert slots[0] != slots[1]


def test_a_build_without_preload_and_not_portable(
    tmp_path: Path, kit: TrainerKit, app: Path
) -> None:
    profile = write_profile(tmp_path / "desk", kit, profile_text(portable=False, idle=None))
    out = tmp_path / "out"
    result = build("--profile", profile, "--out", out, "--app", app)
    assert result.code == 0, result.err
    assert "No preload" in result.out
    assert "Not portable" in result.out
    assert not (out / PRELOAD_NAME).exists()
    assert not (out / PORTABLE_MARKER).exists()
    provisioning = find_provisioning(out)
    assert provisioning is not None
    assert not provisioning.preloaded_available
    assert provisioning.data_dir is None


def test_the_ca_file_and_odd_names_survive_the_rewrite(
    tmp_path: Path, kit: TrainerKit, app: Path, pki: Pki
) -> None:
    desk = tmp_path / "desk"
    (desk / "certs").mkdir(parents=True)
    shutil.copy(pki.ca, desk / "certs" / "org ca.pem")
    name = 'Réseau "Droits" \\ شبکه\u200cی'
    text = profile_text(ca_file="certs/org ca.pem", proxy="system", organisation=None)
    text = f"[organisation]\nname = '''{name}'''\n\n" + text
    profile = write_profile(desk, kit, text)
    out = tmp_path / "out"
    assert build("--profile", profile, "--out", out, "--app", app).code == 0
    written = read_profile(out / PROFILE_NAME)
    assert written.organisation == name
    assert written.feed.proxy == "system"
    assert written.feed.ca_file == (out / "ca.pem").resolve()
    assert (out / "ca.pem").read_bytes() == pki.ca.read_bytes()


def test_the_default_app_folder_is_dist_fieldreader(
    tmp_path: Path, kit: TrainerKit, app: Path, profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert build("--profile", profile, "--out", "out").code == 0
    assert (tmp_path / "out" / APP_EXECUTABLE).is_file()


def test_an_empty_output_folder_is_used(
    tmp_path: Path, kit: TrainerKit, app: Path, profile: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert build("--profile", profile, "--out", out, "--app", app).code == 0
    assert (out / PROFILE_NAME).is_file()


def test_an_encrypted_preload_is_opened_and_built_in_verified(
    tmp_path: Path, kit: TrainerKit, app: Path, profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sealed = tmp_path / "sealed.frb"
    create_bundle(kit.feed, sealed, passphrase=BUNDLE_PASSPHRASE, kdf=FAST_KDF, now=NOW)
    out = tmp_path / "out"
    refused = build("--profile", profile, "--preload", sealed, "--out", out, "--app", app)
    assert refused.code == 1
    assert "FIELDREADER_BUNDLE_PASSPHRASE" in refused.err
    monkeypatch.setenv("FIELDREADER_BUNDLE_PASSPHRASE", "a wrong one")
    wrong = build("--profile", profile, "--preload", sealed, "--out", out, "--app", app)
    assert wrong.code == 1
    assert "wrong passphrase" in wrong.err
    assert not out.exists()
    monkeypatch.setenv("FIELDREADER_BUNDLE_PASSPHRASE", BUNDLE_PASSPHRASE)
    good = build("--profile", profile, "--preload", sealed, "--out", out, "--app", app)
    assert good.code == 0, good.err
    # The first start has no way to ask for that passphrase: the build carries it opened.
    assert not is_encrypted((out / PRELOAD_NAME).read_bytes())
    assert first_start(out)[2] == 3


# --- refusals ---------------------------------------------------------------------------------


def refused(tmp_path: Path, *args: str | Path) -> str:
    out = tmp_path / "refused-out"
    result = build(*args, "--out", out)
    assert result.code == 1, result.out
    assert not out.exists()
    assert not list(tmp_path.glob(".refused-out*"))
    assert result.out == ""
    return result.err


def tampered(kit: TrainerKit, path: Path) -> Path:
    data = bytearray(kit.bundle.read_bytes())
    data[-200] ^= 1  # inside timestamp.json, the last file packed
    path.write_bytes(bytes(data))
    return path


def test_a_preload_that_does_not_verify_is_refused_with_the_reason(
    tmp_path: Path, kit: TrainerKit, app: Path, profile: Path
) -> None:
    bad = tampered(kit, tmp_path / "tampered.frb")
    err = refused(tmp_path, "--profile", profile, "--preload", bad, "--app", app)
    assert "tampered.frb does not verify against the profile" in err
    assert "so it was not built in: The timestamp has a signature that does not verify." in err


def test_a_preload_of_another_feed_is_refused(
    tmp_path: Path, kit: TrainerKit, app: Path, profile: Path
) -> None:
    _, _, other = start_feed(tmp_path / "other", write_content, NOW)
    foreign = tmp_path / "foreign.frb"
    create_bundle(other, foreign, now=NOW)
    err = refused(tmp_path, "--profile", profile, "--preload", foreign, "--app", app)
    assert "signed only by keys this library does not trust" in err


def test_a_delta_preload_is_refused(
    tmp_path: Path, kit: TrainerKit, app: Path, profile: Path
) -> None:
    delta = tmp_path / "delta.frb"
    create_bundle(kit.feed, delta, since=1, now=NOW)
    err = refused(tmp_path, "--profile", profile, "--preload", delta, "--app", app)
    assert "a new library needs a full bundle" in err


def test_a_preload_needs_the_profiles_root(tmp_path: Path, kit: TrainerKit, app: Path) -> None:
    profile = write_profile(tmp_path / "desk", kit, profile_text(root=None))
    err = refused(tmp_path, "--profile", profile, "--preload", kit.bundle, "--app", app)
    assert "'feed.root': is needed to verify a preloaded library" in err


def test_a_wrong_profile_is_refused_naming_the_setting(
    tmp_path: Path, kit: TrainerKit, app: Path
) -> None:
    profile = write_profile(tmp_path / "desk", kit, profile_text(idle=0))
    err = refused(tmp_path, "--profile", profile, "--preload", kit.bundle, "--app", app)
    assert "org.toml: 'ui.idle_lock_minutes': must be a whole number from 1 to 240" in err
    assert CHANNEL_KEY.hex() not in err
    err = refused(tmp_path, "--profile", tmp_path / "absent.toml", "--app", app)
    assert "absent.toml: cannot be read" in err


def test_a_missing_preload(tmp_path: Path, app: Path, profile: Path) -> None:
    err = refused(tmp_path, "--profile", profile, "--preload", tmp_path / "x.frb", "--app", app)
    assert "Cannot read" in err


@pytest.mark.parametrize(
    ("plant", "message"),
    [
        (PORTABLE_DATA_NAME + "/library.keys", "holds a library (fieldreader-data)"),
        ("_internal/deep/library.keys", "holds a library (_internal/deep/library.keys)"),
        ("library.db", "holds a library (library.db)"),
        ("library.attempts", "holds a library"),
        (PROFILE_NAME, "is already a trainer's build (it has profile.toml)"),
        (PRELOAD_NAME, "is already a trainer's build"),
        (PORTABLE_MARKER, "is already a trainer's build"),
    ],
)
def test_an_app_folder_with_a_library_or_provisioning_is_refused(
    tmp_path: Path, app: Path, profile: Path, plant: str, message: str
) -> None:
    planted = app / plant
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(b"not really")
    err = refused(tmp_path, "--profile", profile, "--app", app)
    assert message in err


def test_what_is_not_a_built_app_is_refused(tmp_path: Path, profile: Path) -> None:
    assert "is not a built app folder" in refused(
        tmp_path, "--profile", profile, "--app", tmp_path / "nothing"
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no fieldreader executable" in refused(
        tmp_path, "--profile", profile, "--app", empty
    )


def test_the_output_must_be_new_and_outside_the_app(
    tmp_path: Path, app: Path, profile: Path
) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "something").write_text("x", encoding="utf-8")
    result = build("--profile", profile, "--out", taken, "--app", app)
    assert result.code == 1
    assert "already exists and is not empty" in result.err
    assert [p.name for p in taken.iterdir()] == ["something"]
    inside = build("--profile", profile, "--out", app / "again", "--app", app)
    assert inside.code == 1
    assert "inside the app folder" in inside.err
    assert not (app / "again").exists()


def test_the_command_line_of_a_portable_build_keeps_its_library_beside_it(
    tmp_path: Path, kit: TrainerKit, app: Path, profile: Path
) -> None:
    out = tmp_path / "stick" / "fieldreader"
    result = build("--profile", profile, "--preload", kit.bundle, "--out", out, "--app", app)
    assert result.code == 0, result.err
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "FIELDREADER_APP_DIR": str(out),
        "FIELDREADER_PASSPHRASE": PASSPHRASE,
    }
    for command in (
        ["init"],
        ["import", str(out / PRELOAD_NAME), "--trust-root", str(out / "root.json")],
        ["status"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "fieldreader", *command],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert f"Library: {out.resolve() / PORTABLE_DATA_NAME}" in done.stdout
    assert "Articles: 2" in done.stdout  # the import took public channels (no key given)
    assert list(home.rglob("*")) == []
