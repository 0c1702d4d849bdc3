"""The provisioning profile: every setting read and checked, every bad value named."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from feedkit import CHANNEL_KEY
from fieldreader.profile import (
    Profile,
    ProfileError,
    capture_profile,
    load_profile,
    load_stored_profile,
    profile_from_bytes,
    read_profile,
    stored_profile_json,
)
from fieldreader.sync.errors import TransportConfigError
from provisionkit import ORGANISATION, TrainerKit, make_kit, profile_text
from sync.servers import Pki

Writer = Callable[[str], Path]

KEY = "00" * 32
PIN = f"sha256/{'A' * 43}="


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> TrainerKit:
    return make_kit(tmp_path_factory.mktemp("kit"))


@pytest.fixture
def write(tmp_path: Path, kit: TrainerKit) -> Writer:
    def write_text(text: str) -> Path:
        (tmp_path / "root.json").write_bytes(kit.root_bytes)
        path = tmp_path / "org.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write_text


def read(write: Writer, text: str) -> Profile:
    return read_profile(write(text))


GOOD = f"""
[feed]
root = "root.json"
mirrors = ["https://feed.example.org/", "https://mirror.example.net/feed/"]
pins = ["{PIN}"]
proxy = "tor"
channels = ["public", "contacts-af"]

[channel_keys]
contacts-af = "{KEY}"
"""


def test_a_good_feed_profile(write: Writer, kit: TrainerKit) -> None:
    profile = load_profile(write(GOOD))
    assert profile.root == kit.root_bytes
    assert profile.channels == ("public", "contacts-af")
    assert profile.channel_keys == {"contacts-af": bytes(32)}
    config = profile.transport()
    assert config.proxy is not None
    assert "9050" in config.proxy
    assert len(config.mirrors) == 2
    assert KEY not in repr(profile)


def test_every_section(write: Writer, tmp_path: Path) -> None:
    profile = read(write, profile_text(portable=True, idle=12))
    assert profile.path == (tmp_path / "org.toml").resolve()
    assert profile.organisation == ORGANISATION
    assert profile.idle_lock_minutes == 12
    assert profile.portable is True
    assert profile.root_file == (tmp_path / "root.json").resolve()
    assert profile.feed.channel_keys == {"af": CHANNEL_KEY}
    assert profile.feed.proxy == "tor"
    assert CHANNEL_KEY.hex() not in repr(profile)


def test_sections_other_than_feed_are_optional(write: Writer) -> None:
    profile = read(write, "[feed]\nmirrors = ['https://a.example/']\n")
    assert (profile.organisation, profile.idle_lock_minutes, profile.portable) == (
        None,
        None,
        False,
    )
    assert profile.feed.root is None
    assert profile.feed.proxy is None
    assert profile.feed.channels is None


def test_a_persian_name_keeps_its_zero_width_non_joiner(write: Writer) -> None:
    name = "شبکه\u200cی حقوق"
    assert read(write, profile_text(organisation=name)).organisation == name


def test_build_portable_false(write: Writer) -> None:
    assert read(write, profile_text(portable=False)).portable is False


def test_the_ca_file_is_read(write: Writer, tmp_path: Path, pki: Pki) -> None:
    ca = tmp_path / "org-ca.pem"
    ca.write_bytes(pki.ca.read_bytes())
    assert read(write, profile_text(ca_file="org-ca.pem")).feed.ca_file == ca.resolve()


M = "[feed]\nmirrors = ['https://a.example/']\n"


BAD = [
        ("[feed]\nmirrors = []\n", "'feed.mirrors': needs at least one entry"),
        ("[feed]\nmirrors = ['http://plain.example.org/']\n", "not an https:// address"),
        ("[feed]\nmirrors = 'https://a.example/'\n", "'feed.mirrors': must be a list of text"),
        ("[feed]\nmirrors = ['https://a.example/', 'https://a.example/']\n", "same entry twice"),
        ("[feed]\nmirrors = ['https://u:p@a.example/']\n", "'feed.mirrors': a mirror URL may"),
        ("[feed]\nmirrors = ['https://a.example/?q=1']\n", "'feed.mirrors': the mirror"),
        (M + "proxy = 'vpn'\n", "'feed.proxy': must be none, system, tor"),
        (M + "proxy = 5\n", "'feed.proxy': must be"),
        (M + "proxy = 'socks5h://127.0.0.1'\n", "'feed.proxy': 'socks5h://127.0.0.1' is not"),
        (M + "proxy = 'http://10.0.0.1:3128'\n", "'feed.proxy': must be"),
        (M + "root = 'missing.json'\n", "'feed.root': 'missing.json' does not exist"),
        (M + "root = 5\n", "'feed.root': must be a file name"),
        (M + "root = 'org.toml'\n", "'feed.root': 'org.toml' is not a feed's signed root"),
        (M + "ca_file = 'root.json'\n", "'feed.ca_file': 'root.json' holds no PEM"),
        (M + "pins = ['sha256/short']\n", "'feed.pins': 'sha256/short'"),
        (M + "pins = 'sha256/x'\n", "'feed.pins': must be a list of text"),
        (M + "channels = ['../up']\n", "'feed.channels': '../up' is not a channel name"),
        (M + "mirorrs = []\n", "'feed.mirorrs': unknown setting"),
        ("[fed]\n", "'fed': unknown section"),
        ("organisation = 'x'\n" + M, "'organisation': must be a section"),
        ("feed = 3\n", "'feed': must be a section"),
        ("[ui]\nidle_lock_minutes = 5\n", "'feed': a \\[feed\\] section is required"),
        ("[feed\n", "is not valid TOML"),
        ("\xff", "is not valid TOML"),
        (M + "[channel_keys]\naf = 'not-hex-secret'\n", "'channel_keys.af': must be 64 hex"),
        (M + "[channel_keys]\naf = 'ab'\n", "'channel_keys.af': must be 64 hex"),
        (M + f"[channel_keys]\n'a/b' = '{KEY}'\n", "'channel_keys.a/b': is not a channel name"),
        (M + "channel_keys = 5\n", "'feed.channel_keys': unknown setting"),
        ("channel_keys = 5\n" + M, "'channel_keys': must be a table"),
        (M + "[organisation]\nname = 5\n", "'organisation.name': must be a non-empty text"),
        (M + "[organisation]\nname = '  '\n", "'organisation.name': must be a non-empty text"),
        (M + f"[organisation]\nname = '{'x' * 121}'\n", "'organisation.name': is longer than"),
        (M + '[organisation]\nname = "a\\nb"\n', "'organisation.name': must be one line"),
        (M + '[organisation]\nname = "a\\u202eb"\n', "'organisation.name': must be one line"),
        (M + "[organisation]\nlogo = 'x.png'\n", "'organisation.logo': unknown setting"),
        (M + "[ui]\nidle_lock_minutes = 0\n", "'ui.idle_lock_minutes': must be a whole number"),
        (M + "[ui]\nidle_lock_minutes = 241\n", "'ui.idle_lock_minutes': must be a whole"),
        (M + "[ui]\nidle_lock_minutes = '5'\n", "'ui.idle_lock_minutes': must be a whole"),
        (M + "[ui]\nidle_lock_minutes = true\n", "'ui.idle_lock_minutes': must be a whole"),
        (M + "[ui]\nidle_lock_minutes = 2.5\n", "'ui.idle_lock_minutes': must be a whole"),
        (M + "[ui]\ntheme = 'dark'\n", "'ui.theme': unknown setting"),
        (M + "[build]\nportable = 'yes'\n", "'build.portable': must be true or false"),
        (M + "[build]\nportable = 1\n", "'build.portable': must be true or false"),
        (M + "[build]\npreload = 'a.frb'\n", "'build.preload': unknown setting"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_profiles_name_the_setting(write: Writer, text: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message) as caught:
        read(write, text)
    assert "not-hex-secret" not in str(caught.value)
    assert str(caught.value).startswith("org.toml")


def test_a_missing_profile(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot be read"):
        load_profile(tmp_path / "absent.toml")


def test_a_huge_file_is_not_read_whole(write: Writer) -> None:
    with pytest.raises(ProfileError, match="far larger than a profile"):
        read(write, M + "#" * 300_000 + "\n")


SYSTEM = "[feed]\nmirrors = ['https://feed.example.org/']\nproxy = 'system'\n"


@pytest.mark.parametrize(
    ("environ", "proxy"),
    [
        ({}, None),
        ({"https_proxy": "http://proxy.example:3128"}, "http://proxy.example:3128"),
        ({"HTTPS_PROXY": "proxy.example:8080"}, "http://proxy.example:8080"),
        ({"all_proxy": "socks5://127.0.0.1:9050"}, "socks5h://127.0.0.1:9050"),
        ({"ALL_PROXY": "socks5h://[::1]:1080"}, "socks5h://[::1]:1080"),
        ({"https_proxy": "http://proxy.example"}, "http://proxy.example:80"),
        # Lower case wins, as for every program that reads these.
        ({"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"}, "http://lower:2"),
        # An empty lower-case variable unsets the upper-case one.
        ({"HTTPS_PROXY": "http://upper:1", "https_proxy": ""}, None),
        # Only an http_proxy: not used for https mirrors (as curl and httpx do).
        ({"http_proxy": "http://proxy.example:3128"}, None),
        # no_proxy covering every mirror: direct.
        ({"https_proxy": "http://p:1", "no_proxy": "example.org"}, None),
        ({"https_proxy": "http://p:1", "NO_PROXY": "*"}, None),
        ({"https_proxy": "http://p:1", "no_proxy": "other.example"}, "http://p:1"),
    ],
)
def test_the_system_proxy_is_read_at_each_sync(
    write: Writer, environ: dict[str, str], proxy: str | None
) -> None:
    profile = read(write, SYSTEM)
    assert profile.feed.proxy == "system"
    config = profile.feed.transport(environ)
    assert config.proxy == proxy
    assert config.conditional_requests  # not the Tor preset


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("socks4://127.0.0.1:1080", "a SOCKS4 proxy"),
        ("https://proxy.example:443", "a proxy reached over TLS"),
        ("ftp://proxy.example:21", "an? 'ftp' proxy"),
        ("http://alice:hunter2@proxy.example:3128", "asks for a user name and password"),
        ("http://:3128", "names no host"),
        ("http://proxy.example:99999", "not a valid address"),
    ],
)
def test_a_system_proxy_that_cannot_be_used_is_refused_not_bypassed(
    write: Writer, value: str, message: str
) -> None:
    profile = read(write, SYSTEM)
    with pytest.raises(TransportConfigError, match=message) as caught:
        profile.feed.transport({"https_proxy": value})
    assert "hunter2" not in str(caught.value)


# --- the copy a library keeps ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), BAD)
def test_a_profile_given_as_bytes_is_checked_the_same(
    kit: TrainerKit, text: str, message: str
) -> None:
    files = {"root.json": kit.root_bytes, "org.toml": text.encode("utf-8")}
    expected = message.replace("'missing.json' does not exist", "'missing.json' is not kept")
    with pytest.raises(ProfileError, match=expected) as caught:
        profile_from_bytes(files["org.toml"], files, "org.toml")
    assert "not-hex-secret" not in str(caught.value)
    assert str(caught.value).startswith("org.toml")


def test_a_kept_profile_reads_back_as_the_file_did(write: Writer, tmp_path: Path, pki: Pki) -> None:
    pem = b"# Organisation CA \xe2\x80\x93 2024\n" + pki.ca.read_bytes()
    (tmp_path / "org-ca.pem").write_bytes(pem)
    captured = capture_profile(write(profile_text(ca_file="org-ca.pem", portable=True)))
    assert captured.files == {"root.json": captured.profile.feed.root, "org-ca.pem": pem}
    assert CHANNEL_KEY.hex() not in repr(captured)
    text = stored_profile_json(captured, "../stick/profile.toml")
    for path in tmp_path.iterdir():
        path.unlink()  # the files are not needed any more
    profile, source = load_stored_profile(text)
    assert source == "../stick/profile.toml"
    assert profile.path == Path(source)
    assert (profile.root_file, profile.feed.ca_file) == (None, None)
    assert profile.feed == dataclasses.replace(captured.profile.feed, ca_file=None)
    assert profile.feed.ca_pem == pem
    assert profile.feed.channel_keys == {"af": CHANNEL_KEY}
    assert (profile.organisation, profile.idle_lock_minutes, profile.portable) == (
        ORGANISATION, 9, True,
    )  # fmt: skip
    assert profile.feed.transport().ca_pem == pem


def kept(kit: TrainerKit, **change: object) -> str:
    good: dict[str, object] = {
        "format": 1,
        "toml": profile_text(),
        "files": {"root.json": base64.b64encode(kit.root_bytes).decode()},
        "source": "/media/stick/profile.toml",
    }
    return json.dumps(good | change)


@pytest.mark.parametrize(
    "change",
    [
        {"format": 2},
        {"toml": 5},
        {"files": ["root.json"]},
        {"files": {"root.json": "not base64!"}},
        {"files": {"root.json": 7}},
    ],
)
def test_a_damaged_kept_profile_says_so_and_what_to_do(
    kit: TrainerKit, change: dict[str, object]
) -> None:
    assert load_stored_profile(kept(kit))[0].feed.root == kit.root_bytes
    with pytest.raises(ProfileError) as caught:
        load_stored_profile(kept(kit, **change))
    assert str(caught.value) == (
        "profile.toml: the copy kept in this library is damaged; choose the profile again"
    )


@pytest.mark.parametrize("text", ["", "{", "[]", "null", "[" * 100_000])
def test_a_kept_profile_that_is_not_json_says_so(text: str) -> None:
    with pytest.raises(ProfileError, match=r"^sync profile: the copy kept in this library is"):
        load_stored_profile(text)


def test_a_kept_profile_is_checked_again(kit: TrainerKit) -> None:
    broken_root = {"root.json": base64.b64encode(kit.root_bytes[:-2]).decode()}
    with pytest.raises(ProfileError, match=r"^profile\.toml: 'feed\.root': 'root\.json' is not"):
        load_stored_profile(kept(kit, files=broken_root))
    with pytest.raises(ProfileError, match=r"'root\.json' is not kept with the profile"):
        load_stored_profile(kept(kit, files={}))
