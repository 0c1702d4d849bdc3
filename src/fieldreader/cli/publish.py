"""``fieldreader publish``: the publisher's keys, builds and key rotations.

These commands work on a content folder, a feed folder and a key folder; they never open a
library, so they ask for no passphrase. Each prints one line that a cron log can keep.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fieldreader.cli.context import Context
from fieldreader.feed.keys import ROLES
from fieldreader.feed.publisher import (
    BuildReport,
    PublishError,
    build_feed,
    generate_keys,
    rotate_keys,
)

#: Below this many days left, a build reminds the publisher to issue a new root.
ROOT_WARNING_DAYS = 30
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")

Handler = Callable[[Context, argparse.Namespace], int]


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days") from None
    if days < 1:
        raise argparse.ArgumentTypeError("the number of days must be at least 1")
    return days


def _channel_key_arg(value: str) -> tuple[str, Path]:
    channel, sep, path = value.partition("=")
    if not sep or not channel or not path:
        raise argparse.ArgumentTypeError(f"{value!r} is not CHANNEL=KEYFILE")
    return channel, Path(path)


def add_publish_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``publish keygen|build|rotate-keys`` to the top-level subcommands.

    ``common`` holds the library options; the publish commands open no library, so they do not
    offer them (it is accepted to keep every registration hook alike).
    """
    help_text = "publisher tools: create keys, build the signed feed, rotate keys"
    p = sub.add_parser("publish", help=help_text, description=help_text)
    actions = p.add_subparsers(dest="publish_command", required=True, metavar="ACTION")

    k = actions.add_parser("keygen", help="create the feed's root, snapshot and timestamp keys")
    k.add_argument("--out", type=Path, required=True, metavar="KEYDIR")

    b = actions.add_parser("build", help="publish a content folder as the feed's next version")
    b.add_argument("content_dir", type=Path, metavar="CONTENT_DIR")
    b.add_argument("feed_dir", type=Path, metavar="FEED_DIR")
    b.add_argument("--keys", type=Path, required=True, metavar="KEYDIR")
    b.add_argument(
        "--expires",
        type=_days,
        default=7,
        metavar="DAYS",
        help="days the timestamp stays valid (default 7); rebuild more often than this",
    )
    b.add_argument("--feed-id", metavar="ID", help="the feed's id (first build only)")
    b.add_argument(
        "--restricted",
        action="append",
        default=[],
        metavar="CHANNEL",
        help="encrypt this channel's items (repeatable; needs --channel-key)",
    )
    b.add_argument(
        "--channel-key",
        action="append",
        default=[],
        type=_channel_key_arg,
        metavar="CHANNEL=KEYFILE",
        help="the key of a restricted channel: a file holding 64 hex characters",
    )

    r = actions.add_parser("rotate-keys", help="replace signing keys and publish a new root")
    r.add_argument("feed_dir", type=Path, metavar="FEED_DIR")
    r.add_argument("--keys", type=Path, required=True, metavar="KEYDIR")
    r.add_argument(
        "--role",
        action="append",
        dest="roles",
        choices=ROLES,
        help="a role whose key to replace (repeatable; default all three)",
    )


def read_channel_key(path: Path) -> bytes:
    """A channel key from its file; the error never quotes the file, which holds the secret."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        raise PublishError(f"Cannot read the channel key file {path}.") from None
    if not _HEX_KEY.fullmatch(text):
        raise PublishError(f"{path} does not hold a channel key (64 hexadecimal characters).")
    return bytes.fromhex(text)


def _keygen(ctx: Context, args: argparse.Namespace) -> int:
    generate_keys(args.out)
    ctx.say(
        f"Created root, snapshot and timestamp keys in {args.out}; back them up and keep "
        "them private (the root key can stay offline between rotations)."
    )
    return 0


def _build(ctx: Context, args: argparse.Namespace) -> int:
    channel_keys: dict[str, bytes] = {}
    for channel, path in args.channel_key:
        if channel in channel_keys:
            raise PublishError(f"Two keys were given for channel '{channel[:40]}'.")
        channel_keys[channel] = read_channel_key(path)
    report = build_feed(
        args.content_dir,
        args.feed_dir,
        args.keys,
        now=datetime.now(UTC),
        feed_id=args.feed_id,
        timestamp_days=args.expires,
        snapshot_days=max(30, args.expires),
        channel_keys=channel_keys,
        restricted=args.restricted,
    )
    ctx.say(_summary(report))
    return 0


def _summary(report: BuildReport) -> str:
    line = (
        f"Feed version {report.version} (timestamp {report.timestamp_version}): "
        f"{report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged; {_count(len(report.written), 'file')} written "
        f"({_count(report.objects_written, 'object')}, {report.bytes_written:,} bytes); "
        f"{_count(report.segments, 'index segment')}."
    )
    days_left = (report.root_expires - datetime.now(UTC)).days
    if days_left < ROOT_WARNING_DAYS:
        line += f" The root expires in {days_left} days: run 'publish rotate-keys'."
    return line


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _rotate(ctx: Context, args: argparse.Namespace) -> int:
    roles = tuple(dict.fromkeys(args.roles or ROLES))
    version = rotate_keys(args.feed_dir, args.keys, now=datetime.now(UTC), roles=roles)
    ctx.say(
        f"Replaced the {', '.join(roles)} keys: root version {version} published; the old key "
        f"files are kept as <role>.key.v{version - 1} in {args.keys}."
    )
    return 0


HANDLERS: dict[str, Handler] = {"keygen": _keygen, "build": _build, "rotate-keys": _rotate}


def dispatch_publish(ctx: Context, args: argparse.Namespace) -> int:
    return HANDLERS[args.publish_command](ctx, args)
