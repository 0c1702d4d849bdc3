"""``fieldreader build``: the trainer's build, a packaged app with a profile and a preload.

::

    fieldreader build --profile org.toml --preload library.frb --out build/org [--app DIR]

takes a built one-folder app (``dist/fieldreader`` from packaging/ by default) and writes a copy
of it to ``--out`` with, beside the executable, the profile (``profile.toml``, with the files it
names copied in as ``root.json`` and ``ca.pem``), the preload (``preload.frb``) and, when the
profile says ``[build] portable = true``, the ``portable`` marker (see
:mod:`fieldreader.provisioning`).

Everything is checked before anything is written: the profile in full, and the preload through
every signature and hash against the profile's root, with its channels and keys, as the first
start will check it again. A preload that does not verify is refused with the reason. An app
folder that holds a library, or a ``fieldreader-data`` folder, is refused: a build never carries
keys, so every copy makes its own on its first start.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import secrets
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from fieldreader.cli.context import Context
from fieldreader.cli.feed_commands import bundle_passphrase
from fieldreader.errors import FieldreaderError
from fieldreader.feed.bundle import is_encrypted
from fieldreader.feed.check import BundleCheck
from fieldreader.feed.errors import FeedError
from fieldreader.fsutil import atomic_write
from fieldreader.preload import check_preload, read_preload
from fieldreader.profile import FeedProfile, Profile, read_profile
from fieldreader.provisioning import (
    PORTABLE_DATA_NAME,
    PORTABLE_MARKER,
    PRELOAD_NAME,
    PROFILE_NAME,
    find_provisioning,
)
from fieldreader.store.library import DATABASE_NAME, KEYSLOTS_NAME
from fieldreader.store.staging import STAGING_NAME
from fieldreader.store.userdb import USERDATA_NAME

DEFAULT_APP = Path("dist") / "fieldreader"
EXECUTABLES = ("fieldreader", "fieldreader.exe")
ROOT_NAME = "root.json"
CA_NAME = "ca.pem"
_LIBRARY_FILES = (KEYSLOTS_NAME, DATABASE_NAME, USERDATA_NAME, STAGING_NAME, "library.attempts")
_MARKER_TEXT = (
    "This copy of fieldreader is portable: everything it writes stays in the fieldreader-data "
    "folder beside it, nothing in the home folder. Delete this file to keep the library in the "
    "home folder instead.\n"
)


def add_build_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    help_text = "make a trainer's build: the packaged app with a profile and a preloaded bundle"
    p = sub.add_parser("build", help=help_text, description=help_text)
    p.add_argument("--profile", type=Path, required=True, help="the provisioning profile (TOML)")
    p.add_argument(
        "--preload",
        type=Path,
        help="a full signed bundle offered on the first start (checked against the profile)",
    )
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="a new folder")
    p.add_argument(
        "--app",
        type=Path,
        default=DEFAULT_APP,
        metavar="DIR",
        help=f"the built one-folder app to start from (default {DEFAULT_APP})",
    )


def cmd_build(ctx: Context, args: argparse.Namespace) -> int:
    profile = read_profile(args.profile)
    preload, report = None, None
    if args.preload is not None:
        preload, report = _checked_preload(ctx, profile, args.preload)
    app = _checked_app(args.app)
    out = _checked_out(args.out, app)
    partial = out.with_name(f".{out.name}.{secrets.token_hex(4)}.partial")
    try:
        shutil.copytree(app, partial, symlinks=True)
        _add_provisioning(partial, profile, preload)
        _check_written(partial, profile, preload is not None)
        if out.exists():
            out.rmdir()  # checked empty above
        partial.rename(out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    ctx.say(_summary(out, profile, report))
    return 0


def _checked_preload(ctx: Context, profile: Profile, path: Path) -> tuple[bytes, BundleCheck]:
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise FieldreaderError(f"Cannot read {path}: {exc.strerror}") from None
    passphrase = bundle_passphrase(ctx, confirm=False) if is_encrypted(head) else None
    try:
        container = read_preload(path, passphrase)
        report = check_preload(profile, container, now=datetime.now(UTC))
    except FeedError as exc:
        raise FieldreaderError(
            f"The preload {path.name} does not verify against the profile, so it was not "
            f"built in: {exc}"
        ) from None
    return container, report


def _checked_app(app: Path) -> Path:
    if not app.is_dir():
        raise FieldreaderError(
            f"{app} is not a built app folder. Build one with packaging/ first, or name it "
            "with --app."
        )
    if not any((app / name).is_file() for name in EXECUTABLES):
        raise FieldreaderError(f"{app} holds no fieldreader executable; is it a one-folder build?")
    for found in _walk(app):
        if found.name == PORTABLE_DATA_NAME or found.name in _LIBRARY_FILES:
            raise FieldreaderError(
                f"{app} holds a library ({found.relative_to(app)}). A build must never carry "
                "one: every copy creates its own keys on its first start. Use a clean build."
            )
    for name in (PROFILE_NAME, PRELOAD_NAME, PORTABLE_MARKER):
        if (app / name).exists():
            raise FieldreaderError(
                f"{app} is already a trainer's build (it has {name}); start from the plain "
                "packaged app."
            )
    return app


def _walk(folder: Path) -> Iterable[Path]:
    for root, dirs, files in os.walk(folder):
        base = Path(root)
        for name in (*dirs, *files):
            yield base / name


def _checked_out(out: Path, app: Path) -> Path:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FieldreaderError(f"{out} already exists and is not empty; choose a new folder.")
    resolved = out.resolve()
    if resolved.is_relative_to(app.resolve()):
        raise FieldreaderError(f"{out} is inside the app folder {app}; choose a folder outside.")
    resolved.parent.mkdir(parents=True, exist_ok=True)
    return resolved


def _add_provisioning(folder: Path, profile: Profile, preload: bytes | None) -> None:
    if profile.feed.root is not None:
        atomic_write(folder / ROOT_NAME, profile.feed.root, mode=0o644)
    if profile.feed.ca_pem is not None:  # the bytes that were checked, not a second read
        atomic_write(folder / CA_NAME, profile.feed.ca_pem, mode=0o644)
    # The profile holds the restricted channels' keys: readable by its owner only.
    atomic_write(folder / PROFILE_NAME, profile_toml(profile).encode("utf-8"), mode=0o600)
    if preload is not None:
        atomic_write(folder / PRELOAD_NAME, preload, mode=0o644)
    if profile.portable:
        atomic_write(folder / PORTABLE_MARKER, _MARKER_TEXT.encode("utf-8"), mode=0o644)


def profile_toml(profile: Profile) -> str:
    """``profile`` as TOML, with its files named as the build places them."""
    feed = profile.feed
    lines = [f"# Provisioning profile of this build (from {profile.path.name}).", ""]
    if profile.organisation is not None:
        lines += ["[organisation]", f"name = {_string(profile.organisation)}", ""]
    lines += ["[feed]", f"mirrors = {_strings(feed.mirrors)}"]
    if feed.root is not None:
        lines.append(f"root = {_string(ROOT_NAME)}")
    if feed.pins:
        lines.append(f"pins = {_strings(feed.pins)}")
    if feed.ca_pem is not None:
        lines.append(f"ca_file = {_string(CA_NAME)}")
    lines.append(f"proxy = {_string(feed.proxy or 'none')}")
    if feed.channels is not None:
        lines.append(f"channels = {_strings(feed.channels)}")
    if feed.channel_keys:
        lines += ["", "[channel_keys]"]
        lines += [f"{_string(name)} = {_string(k.hex())}" for name, k in feed.channel_keys.items()]
    if profile.idle_lock_minutes is not None:
        lines += ["", "[ui]", f"idle_lock_minutes = {profile.idle_lock_minutes}"]
    lines += ["", "[build]", f"portable = {'true' if profile.portable else 'false'}"]
    return "\n".join(lines) + "\n"


def _string(value: str) -> str:
    # A JSON string with every non-ASCII and control character escaped is a TOML basic string.
    return json.dumps(value, ensure_ascii=True)


def _strings(values: Iterable[str]) -> str:
    return "[" + ", ".join(_string(v) for v in values) + "]"


def _check_written(folder: Path, profile: Profile, preloaded: bool) -> None:
    """Read the build back as the app will: the same profile, the preload, the marker."""
    written = read_profile(folder / PROFILE_NAME)
    expected = dataclasses.replace(
        profile, path=written.path, root_file=written.root_file, feed=_moved(profile, folder)
    )
    found = find_provisioning(folder)
    if (
        written != expected
        or found is None
        or found.portable != profile.portable
        or found.preloaded_available != preloaded
    ):
        raise FieldreaderError("The build does not read back as written; nothing was kept.")


def _moved(profile: Profile, folder: Path) -> FeedProfile:
    """The feed settings as they must read back from ``folder``."""
    ca = (folder / CA_NAME).resolve() if profile.feed.ca_pem is not None else None
    return dataclasses.replace(profile.feed, ca_file=ca)


def _summary(out: Path, profile: Profile, report: BundleCheck | None) -> str:
    who = f" for {profile.organisation}" if profile.organisation else ""
    lines = [f"Built {out}{who}."]
    if report is not None:
        lines.append(
            f"Preload: feed '{report.feed}' version {report.version}, {report.items} items and "
            f"{report.attachments} attachments, every signature and hash verified."
        )
        if report.channels_opened:
            lines.append(
                f"Restricted channels opened: {', '.join(sorted(report.channels_opened))}."
            )
        if report.skipped:
            lines.append(f"{report.skipped} objects of channels this profile does not take.")
        if report.expired:
            lines.append(
                "Its signatures have expired: it still imports, but readers should sync soon."
            )
    else:
        lines.append("No preload: the first start offers the sample or an empty library.")
    lines.append(
        "Portable: everything stays beside the app." if profile.portable else
        "Not portable: each person's library goes to their own user folder."
    )  # fmt: skip
    lines.append("No library is included: each copy creates its own keys on its first start.")
    return "\n".join(lines)


__all__ = ["add_build_command", "cmd_build", "profile_toml"]
