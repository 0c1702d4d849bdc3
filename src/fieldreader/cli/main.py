"""Argument parsing and dispatch; the commands themselves live in :mod:`commands`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from fieldreader import __version__
from fieldreader.cli import commands, feed_commands
from fieldreader.cli.build import add_build_command
from fieldreader.cli.context import Context
from fieldreader.cli.publish import add_publish_commands
from fieldreader.errors import FieldreaderError
from fieldreader.model import KINDS
from fieldreader.process import forbid_core_dumps
from fieldreader.provisioning import prepare_process
from fieldreader.selftest import run_self_test
from fieldreader.store import DEFAULT_KDF, KdfParams
from fieldreader.store.errors import DatabaseDamaged, KeySlotsDamaged, WrongPassphrase

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_WRONG_PASSPHRASE, EXIT_DAMAGED = 0, 1, 2, 3, 4


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date as YYYY-MM-DD") from None


class _SelfTestRequested(Exception):
    """``--self-test`` was given: it runs instead of a command, as ``--version`` does."""


class _SelfTestAction(argparse.Action):
    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        raise _SelfTestRequested


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help="library folder (default: $FIELDREADER_DATA_DIR, else the per-user data folder)",
    )
    common.add_argument(
        "--passphrase-file",
        type=Path,
        default=argparse.SUPPRESS,
        help="read the passphrase from the first line of this file "
        "(else $FIELDREADER_PASSPHRASE, else a prompt)",
    )
    parser = argparse.ArgumentParser(
        prog="fieldreader",
        description="An encrypted offline library: read, search, annotate.",
        parents=[common],
        epilog="Exit codes: 0 ok, 1 error, 2 usage, 3 wrong passphrase, 4 damaged library.",
    )
    parser.add_argument("--version", action="version", version=f"fieldreader {__version__}")
    parser.add_argument(
        "--self-test",
        action=_SelfTestAction,
        nargs=0,
        help="check this installation on a temporary library (wiped afterwards) and exit",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common])

    _add_library_commands(command)
    _add_reading_commands(command)
    _add_user_data_commands(command, common)
    feed_commands.add_commands(command, common)
    add_publish_commands(sub, common)
    add_build_command(sub)
    return parser


Adder = Callable[[str, str], argparse.ArgumentParser]


def _add_library_commands(command: Adder) -> None:
    command("init", "create a new, empty encrypted library")
    command("load-sample", "add the sample library (articles, contacts, guidance)")
    command("demo", "open the sample library in a simple terminal reader")
    command("status", "show where the library is and what it holds")
    command("passwd", "change the passphrase (the database is not rewritten)")
    p = command("wipe", "destroy the library beyond recovery")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def _add_reading_commands(command: Adder) -> None:
    def add_filters(p: argparse.ArgumentParser) -> None:
        p.add_argument("--kind", choices=KINDS)
        p.add_argument("--lang", help="language tag, e.g. en, fr, ar")
        p.add_argument("--country", help="two-letter country code, e.g. AF")
        p.add_argument("--tag")
        p.add_argument("--from", dest="date_from", type=_date, help="YYYY-MM-DD, inclusive")
        p.add_argument("--to", dest="date_to", type=_date, help="YYYY-MM-DD, inclusive")
        p.add_argument("--json", action="store_true", help="print JSON for scripts")

    p = command("list", "list items, newest first")
    add_filters(p)
    p.add_argument("--limit", type=int, default=-1)

    p = command("search", 'full-text search: words, "phrases", prefix*')
    p.add_argument("query")
    add_filters(p)
    p.add_argument("--limit", type=int, default=20)

    p = command("show", "show one item")
    p.add_argument("id")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--html", action="store_true", help="the sanitised HTML the reader shows")

    p = command("render", "print the sanitised HTML of a Markdown file (publisher preview)")
    p.add_argument("file", type=Path)
    p.add_argument("--lang", help="language when the file has no front matter (default en)")


def _add_user_data_commands(command: Adder, common: argparse.ArgumentParser) -> None:
    p = command("note", "add, list, delete, export or import notes")
    notes = p.add_subparsers(dest="note_command", required=True, metavar="ACTION")
    n = notes.add_parser("add", help="add a note", parents=[common])
    n.add_argument("--item", help="attach to this item")
    n.add_argument("--quote", help="a passage of the item the note is about")
    n.add_argument(
        "text",
        nargs="?",
        default="-",
        help="the note; '-' or nothing reads it from standard input (safer: text typed on the "
        "command line stays in the shell's history file, in clear)",
    )
    n = notes.add_parser("list", help="list notes", parents=[common])
    n.add_argument("--item")
    n.add_argument("--json", action="store_true")
    n = notes.add_parser("delete", help="delete a note", parents=[common])
    n.add_argument("note_id", type=int)
    passphrase_help = (
        "read the notes file's own passphrase from the first line of this file "
        f"(else ${commands.NOTES_PASSPHRASE_ENV}, else a prompt)"
    )
    n = notes.add_parser(
        "export", help="write every note to a file, encrypted unless --markdown", parents=[common]
    )
    n.add_argument("file", type=Path)
    fmt = n.add_mutually_exclusive_group()
    fmt.add_argument(
        "--markdown", action="store_true", help="a Markdown file anyone can read: NOT encrypted"
    )
    fmt.add_argument(
        "--encrypted",
        action="store_true",
        help="a notes file sealed with a passphrase of its own, for 'note import' (the default)",
    )
    n.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    n.add_argument("--export-passphrase-file", type=Path, help=passphrase_help)
    n = notes.add_parser(
        "import", help="add the notes of an encrypted notes file", parents=[common]
    )
    n.add_argument("file", type=Path)
    n.add_argument("--export-passphrase-file", type=Path, help=passphrase_help)

    p = command("bookmark", "add, remove or list bookmarks")
    marks = p.add_subparsers(dest="bookmark_command", required=True, metavar="ACTION")
    for action in ("add", "remove"):
        b = marks.add_parser(action, help=f"{action} a bookmark", parents=[common])
        b.add_argument("id")
    b = marks.add_parser("list", help="list bookmarks", parents=[common])
    b.add_argument("--json", action="store_true")


def run(
    argv: Sequence[str],
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    kdf: KdfParams = DEFAULT_KDF,
) -> int:
    """Run one command; returns the exit code. Tests call this in-process."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = _parse(build_parser(), argv, out, kdf)
    if isinstance(args, int):
        return args
    ctx = Context.from_args(args, stdin=stdin or sys.stdin, stdout=out, stderr=err, kdf=kdf)
    try:
        return commands.dispatch(ctx, args)
    except WrongPassphrase as exc:
        print(f"fieldreader: {exc}", file=err)
        return EXIT_WRONG_PASSPHRASE
    except (DatabaseDamaged, KeySlotsDamaged) as exc:
        print(f"fieldreader: {exc}", file=err)
        return EXIT_DAMAGED
    except FieldreaderError as exc:
        print(f"fieldreader: {exc}", file=err)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("fieldreader: interrupted", file=err)
        return EXIT_ERROR


def _parse(
    parser: argparse.ArgumentParser, argv: Sequence[str], out: TextIO, kdf: KdfParams
) -> argparse.Namespace | int:
    """The parsed command, or the exit code of what ran in its place: ``--help``,
    ``--version``, ``--self-test``, or a usage error."""
    try:
        return parser.parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    except _SelfTestRequested:
        return run_self_test(out, kdf=kdf)


def main(argv: Sequence[str] | None = None) -> int:
    forbid_core_dumps()
    prepare_process()  # a portable build keeps the command line's files beside it too
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except BrokenPipeError:
        # The reader of our output went away (``fieldreader list | head``): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
