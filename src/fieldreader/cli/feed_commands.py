"""Commands that move signed content: bundle creation and import."""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fieldreader.cli.context import Context
from fieldreader.errors import FieldreaderError
from fieldreader.feed.bundle import BundleSource, create_bundle, is_encrypted
from fieldreader.feed.update import (
    NotTrusted,
    Progress,
    UpdateOptions,
    UpdateResult,
    update_library,
)
from fieldreader.profile import load_profile
from fieldreader.sync.config import TOR_BROWSER_PORT, TOR_DAEMON_PORT, TransportConfig
from fieldreader.sync.engine import sync_library

BUNDLE_PASSPHRASE_ENV = "FIELDREADER_BUNDLE_PASSPHRASE"  # noqa: S105 - a variable name

Adder = Callable[[str, str], argparse.ArgumentParser]


def add_commands(command: Adder, common: argparse.ArgumentParser) -> None:
    p = command("bundle", "pack a feed into one file for a USB stick or a LAN share")
    actions = p.add_subparsers(dest="bundle_command", required=True, metavar="ACTION")
    c = actions.add_parser("create", help="create a bundle from a feed folder", parents=[common])
    c.add_argument("feed_dir", type=Path)
    c.add_argument("out", type=Path)
    c.add_argument("--channel", action="append", help="only this channel (repeatable)")
    c.add_argument("--since", type=int, default=0, help="delta after this snapshot version")
    c.add_argument(
        "--encrypt",
        action="store_true",
        help=f"encrypt with a passphrase (from ${BUNDLE_PASSPHRASE_ENV} or a prompt)",
    )
    p = command("sync", "bring the library up to date from the feed's mirrors over HTTPS")
    p.add_argument(
        "--profile",
        type=Path,
        help="the organisation's provisioning profile (mirrors, pins, proxy, keys)",
    )
    p.add_argument(
        "--mirror",
        action="append",
        metavar="URL",
        help="a mirror's base URL, https://... (repeatable, tried in order)",
    )
    p.add_argument(
        "--ca-file", type=Path, help="an organisation's own CA (PEM), added to the system's"
    )
    p.add_argument(
        "--pin",
        action="append",
        default=[],
        metavar="sha256/BASE64",
        help="accept only servers with this public key (repeatable; every mirror)",
    )
    proxy = p.add_mutually_exclusive_group()
    proxy.add_argument(
        "--proxy",
        metavar="socks5h://HOST:PORT",
        help="send everything through this SOCKS5 proxy, names resolved there",
    )
    proxy.add_argument("--tor", action="store_true", help="through Tor on 127.0.0.1:9050")
    proxy.add_argument(
        "--tor-browser", action="store_true", help="through Tor Browser's Tor on 127.0.0.1:9150"
    )
    p.add_argument("--channel", action="append", help="only this channel (repeatable)")
    p.add_argument(
        "--limit-rate",
        type=int,
        metavar="BYTES_PER_SECOND",
        help="cap the download speed (leave bandwidth for others on a shared link)",
    )
    p.add_argument("--trust-root", type=Path, help="the feed's root metadata, for a first sync")
    p.add_argument("--channel-key", action="append", default=[], metavar="CHANNEL=KEYFILE")
    p = command("import", "verify a bundle and apply it to the library in one step")
    p.add_argument("bundle", type=Path)
    p.add_argument("--trust-root", type=Path, help="the feed's root metadata, for a first import")
    p.add_argument(
        "--channel-key",
        action="append",
        default=[],
        metavar="CHANNEL=KEYFILE",
        help="key of a restricted channel (a file with 64 hex characters)",
    )


def bundle_passphrase(ctx: Context, *, confirm: bool) -> str:
    value = os.environ.get(BUNDLE_PASSPHRASE_ENV)
    if value:
        return value
    if not ctx.interactive():
        raise FieldreaderError(f"The bundle passphrase is needed: set {BUNDLE_PASSPHRASE_ENV}.")
    chosen = ctx.passphrases.prompt("Bundle passphrase: ")
    if confirm and ctx.passphrases.prompt("Type it again: ") != chosen:
        raise FieldreaderError("The two passphrases differ; nothing was written.")
    return chosen


def cmd_bundle_create(ctx: Context, args: argparse.Namespace) -> int:
    passphrase = bundle_passphrase(ctx, confirm=True) if args.encrypt else None
    report = create_bundle(
        args.feed_dir,
        args.out,
        channels=args.channel,
        since=args.since,
        passphrase=passphrase,
        kdf=ctx.kdf,
    )
    kind = "delta" if args.since else "full"
    ctx.say(
        f"Wrote {args.out}: {kind} bundle of version {report.version}, {report.objects} objects, "
        f"{report.bytes:,} bytes{', encrypted' if report.encrypted else ''}."
    )
    return 0


def read_channel_keys(specs: list[str]) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for spec in specs:
        name, sep, file = spec.partition("=")
        if not sep or not name:
            raise FieldreaderError(f"--channel-key takes CHANNEL=KEYFILE, not {spec!r}.")
        try:
            key = bytes.fromhex(Path(file).read_text(encoding="ascii").strip())
        except (OSError, ValueError, UnicodeDecodeError):
            raise FieldreaderError(
                f"{file} is not a channel key file (64 hex characters)."
            ) from None
        if len(key) != 32:
            raise FieldreaderError(f"{file} is not a channel key file (64 hex characters).")
        keys[name] = key
    return keys


def describe(result: UpdateResult) -> str:
    days = int(result.age_seconds // 86400)
    age = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
    if result.nothing_new:
        return f"Already up to date: feed '{result.feed}' version {result.version} (issued {age})."
    text = (
        f"Feed '{result.feed}' version {result.version}: {result.added} added, "
        f"{result.updated} updated, {result.removed} removed (issued {age})."
    )
    if result.not_carried:
        text += f" {result.not_carried} items were not in this bundle."
    if result.expired:
        text += " Its signatures have expired: sync when you can to get newer content."
    return text


def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    try:
        raw = args.bundle.read_bytes()
    except OSError as exc:
        raise FieldreaderError(f"Cannot read {args.bundle}: {exc.strerror}") from None
    passphrase = bundle_passphrase(ctx, confirm=False) if is_encrypted(raw) else None
    source = BundleSource(raw, passphrase)
    trusted = None
    if args.trust_root is not None:
        try:
            trusted = args.trust_root.read_bytes()
        except OSError as exc:
            raise FieldreaderError(f"Cannot read {args.trust_root}: {exc.strerror}") from None
    options = UpdateOptions(
        now=datetime.now(UTC),
        online=False,
        trusted_root=trusted,
        channel_keys=read_channel_keys(args.channel_key),
        partial_source=source.partial,
        base_version=source.since,
    )
    with ctx.open() as library:
        try:
            result = update_library(library, source, options)
        except NotTrusted as exc:
            raise FieldreaderError(f"{exc} Use --trust-root ROOT.json.") from None
    ctx.say(describe(result))
    return 0


def transport_config(args: argparse.Namespace) -> TransportConfig:
    mirrors = list(args.mirror)
    pins = {mirror: list(args.pin) for mirror in mirrors} if args.pin else {}
    if args.tor or args.tor_browser:
        port = TOR_BROWSER_PORT if args.tor_browser else TOR_DAEMON_PORT
        config = TransportConfig.for_tor(mirrors, port=port)
        return dataclasses.replace(
            config, ca_file=args.ca_file, pins=pins, bandwidth_limit=args.limit_rate
        )
    return TransportConfig(
        mirrors=mirrors,
        ca_file=args.ca_file,
        pins=pins,
        proxy=args.proxy,
        bandwidth_limit=args.limit_rate,
    )


class _ProgressLine:
    """A one-line progress display on a terminal; silent otherwise."""

    def __init__(self, ctx: Context) -> None:
        self.out = ctx.stderr
        self.enabled = ctx.stderr.isatty()

    def __call__(self, step: Progress) -> None:
        if not self.enabled:
            return
        width = 30
        filled = width * step.done // step.total if step.total else width
        bar = "#" * filled + "." * (width - filled)
        self.out.write(
            f"\r{step.phase:<9} [{bar}] {step.done}/{step.total}  "
            f"{step.bytes_fetched / 1024:,.0f} KiB "
        )
        self.out.flush()

    def done(self) -> None:
        if self.enabled:
            self.out.write("\n")


def cmd_sync(ctx: Context, args: argparse.Namespace) -> int:
    trusted = None
    if args.trust_root is not None:
        try:
            trusted = args.trust_root.read_bytes()
        except OSError as exc:
            raise FieldreaderError(f"Cannot read {args.trust_root}: {exc.strerror}") from None
    keys = read_channel_keys(args.channel_key)
    channels = args.channel
    if args.profile is not None:
        if args.mirror:
            raise FieldreaderError("Give mirrors either in the profile or with --mirror.")
        profile = load_profile(args.profile)
        config = profile.transport()
        trusted = trusted or profile.root
        keys = {**profile.channel_keys, **keys}
        channels = channels or (list(profile.channels) if profile.channels else None)
    elif args.mirror:
        config = transport_config(args)
    else:
        raise FieldreaderError("Say where to sync from: --mirror URL or --profile FILE.")
    progress = _ProgressLine(ctx)
    options = UpdateOptions(
        now=datetime.now(UTC),
        online=True,
        trusted_root=trusted,
        channels=channels,
        channel_keys=keys,
        progress=progress,
    )
    started = time.monotonic()
    with ctx.open() as library:
        try:
            outcome = sync_library(library, config, options)
        except NotTrusted as exc:
            raise FieldreaderError(f"{exc} Use --trust-root ROOT.json.") from None
        finally:
            progress.done()
        library.set_meta(f"last-mirror:{outcome.update.feed}", outcome.mirror)
    for failure in outcome.skipped:
        ctx.say(f"Skipped {failure.mirror}: {failure.reason}")
    ctx.say(describe(outcome.update))
    ctx.say(
        f"{outcome.bytes_received:,} bytes in {outcome.requests} requests from "
        f"{outcome.mirror}, {time.monotonic() - started:.1f} s."
    )
    return 0
