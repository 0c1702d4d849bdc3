"""The provisioning profile's feed settings: read, checked, turned into a transport."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldreader.profile import ProfileError, load_profile

KEY = "00" * 32


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "root.json").write_text("{}")
    path = tmp_path / "org.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = f"""
[feed]
root = "root.json"
mirrors = ["https://feed.example.org/", "https://mirror.example.net/feed/"]
pins = ["sha256/{"A" * 43}="]
proxy = "tor"
channels = ["public", "contacts-af"]

[channel_keys]
contacts-af = "{KEY}"
"""


def test_a_good_profile(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, GOOD))
    assert profile.root == b"{}"
    assert profile.channels == ("public", "contacts-af")
    assert profile.channel_keys == {"contacts-af": bytes(32)}
    config = profile.transport()
    assert config.proxy is not None
    assert "9050" in config.proxy
    assert len(config.mirrors) == 2
    assert KEY not in repr(profile)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[feed]\nmirrors = []\n", "'feed.mirrors': needs at least one entry"),
        ("[feed]\nmirrors = ['http://plain.example.org/']\n", "not an https:// address"),
        ("[feed]\nmirrors = ['https://a/']\nproxy = 'vpn'\n", "'feed.proxy': must be"),
        ("[feed]\nmirrors = ['https://a/']\nroot = 'missing.json'\n", "does not exist"),
        ("[feed]\nmirrors = ['https://a/']\nmirorrs = []\n", "'feed.mirorrs': unknown"),
        ("[fed]\n", "'fed': unknown section"),
        ("[feed\n", "is not valid TOML"),
        (
            "[feed]\nmirrors = ['https://a/']\n[channel_keys]\naf = 'not-hex-secret'\n",
            "'channel_keys.af': must be 64 hex characters",
        ),
    ],
)
def test_bad_profiles_name_the_setting(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message) as caught:
        load_profile(write(tmp_path, text))
    assert "not-hex-secret" not in str(caught.value)
    assert str(caught.value).startswith("org.toml")


def test_a_missing_profile(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot be read"):
        load_profile(tmp_path / "absent.toml")
