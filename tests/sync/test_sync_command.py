"""``fieldreader sync`` against a real nginx mirror over pinned TLS, driven in-process."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE
from feedkit import CHANNEL, CHANNEL_KEY, start_feed, write_article
from fieldreader.cli import run
from sync.servers import Nginx, Pki


def cli(data: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(
        ["--data-dir", str(data), *args], stdin=io.StringIO(), stdout=out, stderr=err, kdf=FAST_KDF
    )
    return code, out.getvalue(), err.getvalue()


def test_sync_command_end_to_end(
    nginx: Nginx, pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIELDREADER_PASSPHRASE", PASSPHRASE)

    def content(folder: Path) -> None:
        write_article(folder, "news-1", "Public news.")
        write_article(folder, "staff-1", "A restricted detail.", channel=CHANNEL)

    _, _, feed = start_feed(tmp_path / "pub", content, datetime.now(UTC) - timedelta(hours=1))
    shutil.copytree(feed, nginx.www / "cli-feed")
    mirror = nginx.url("cli-feed")
    key = tmp_path / "af.hex"
    key.write_text(CHANNEL_KEY.hex())
    data = tmp_path / "library"
    assert cli(data, "init")[0] == 0
    common = ["--mirror", mirror, "--ca-file", str(pki.ca), "--pin", pki.server_pin]

    code, out, err = cli(data, "sync", *common)
    assert code == 1
    assert "--trust-root" in err

    code, out, err = cli(
        data,
        "sync",
        *common,
        "--trust-root",
        str(feed / "root" / "1.root.json"),
        "--channel-key",
        f"{CHANNEL}={key}",
    )
    assert code == 0, err
    assert "2 added" in out
    assert f"from {mirror}" in out

    code, out, _ = cli(data, "sync", *common)
    assert (code, out.splitlines()[0].startswith("Already up to date")) == (0, True)
    # The ETag of the last timestamp is remembered in the library: a 304, no body.
    assert "0 bytes in 1 requests" in out
    status = cli(data, "status")[1]
    assert f"last mirror {mirror}" in status
    assert f"restricted channels with keys: {CHANNEL}" in status

    wrong_pin = ["--mirror", mirror, "--ca-file", str(pki.ca), "--pin", "sha256/" + "A" * 43 + "="]
    code, _, err = cli(data, "sync", *wrong_pin)
    assert code == 1
    assert "intercepted" in err


def test_sync_command_with_a_profile(
    nginx: Nginx, pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIELDREADER_PASSPHRASE", PASSPHRASE)

    def content(folder: Path) -> None:
        write_article(folder, "news-1", "Public news.")
        write_article(folder, "staff-1", "A restricted detail.", channel=CHANNEL)

    _, _, feed = start_feed(tmp_path / "pub", content, datetime.now(UTC) - timedelta(hours=1))
    shutil.copytree(feed, nginx.www / "profile-feed")
    shutil.copy(feed / "root" / "1.root.json", tmp_path / "root.json")
    shutil.copy(pki.ca, tmp_path / "ca.pem")
    profile = tmp_path / "org.toml"
    profile.write_text(
        f'[feed]\nroot = "root.json"\nmirrors = ["{nginx.url("profile-feed")}"]\n'
        f'pins = ["{pki.server_pin}"]\nca_file = "ca.pem"\n\n'
        f'[channel_keys]\n{CHANNEL} = "{CHANNEL_KEY.hex()}"\n',
        encoding="utf-8",
    )
    data = tmp_path / "library"
    assert cli(data, "init")[0] == 0
    code, out, err = cli(data, "sync", "--profile", str(profile))
    assert code == 0, err
    assert "2 added" in out
    code, _, err = cli(data, "sync", "--profile", str(profile), "--mirror", "https://x/")
    assert code == 1
    assert "either in the profile or with --mirror" in err
    code, _, err = cli(data, "sync")
    assert code == 1
    assert "--profile" in err
