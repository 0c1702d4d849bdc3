"""One function per command. Each opens what it needs, does one thing and reports it plainly."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fieldreader import source
from fieldreader.anchors import QuoteNotFound, quote_of
from fieldreader.cli import feed_commands
from fieldreader.cli.build import cmd_build
from fieldreader.cli.context import Context
from fieldreader.cli.demo import run_demo
from fieldreader.cli.formatting import format_item
from fieldreader.cli.publish import dispatch_publish
from fieldreader.cli.sample import load_sample_into
from fieldreader.cli.secrets_input import (
    NEW_PASSPHRASE_ENV,
    PassphraseSource,
    PassphraseUnavailable,
)
from fieldreader.errors import FieldreaderError
from fieldreader.feed.metadata import TIME_FORMAT
from fieldreader.itemcodec import item_to_dict
from fieldreader.model import Kind
from fieldreader.notes_export import (
    export_notes_encrypted,
    export_notes_markdown,
    import_notes,
    read_notes_encrypted,
)
from fieldreader.render import render_markdown
from fieldreader.store import (
    ItemFilter,
    change_passphrase,
    create_library,
    library_exists,
    wipe_library,
)
from fieldreader.store.userdata import Note

Command = Callable[[Context, argparse.Namespace], int]

NOTES_PASSPHRASE_ENV = "FIELDREADER_NOTES_PASSPHRASE"  # noqa: S105 - a variable name


def dispatch(ctx: Context, args: argparse.Namespace) -> int:
    name = args.command
    if name == "note":
        name = f"note-{args.note_command}"
    elif name == "bookmark":
        name = f"bookmark-{args.bookmark_command}"
    elif name == "bundle":
        name = f"bundle-{args.bundle_command}"
    return COMMANDS[name](ctx, args)


def cmd_init(ctx: Context, args: argparse.Namespace) -> int:
    if library_exists(ctx.data_dir):
        raise FieldreaderError(f"A library already exists in {ctx.data_dir}.")
    if ctx.interactive():
        ctx.say(
            "Choose a passphrase. It cannot be recovered: if you forget it, the library is lost."
        )
    passphrase = ctx.passphrases.new()
    with create_library(ctx.data_dir, passphrase, ctx.kdf):
        pass
    ctx.say(f"Created an encrypted library in {ctx.data_dir}.")
    return 0


def cmd_load_sample(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open() as library:
        ctx.say(load_sample_into(library))
    return 0


def cmd_status(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open() as library:
        ctx.say(f"Library: {ctx.data_dir}")
        ctx.say(f"Schema version: {library.schema_version()}")
        labels: tuple[tuple[Kind, str], ...] = (
            ("article", "Articles"),
            ("guidance", "Guidance lessons"),
            ("contact", "Contacts"),
        )
        for kind, label in labels:
            ctx.say(f"{label}: {library.content.count(ItemFilter(kind=kind))}")
        ctx.say(f"Notes: {len(library.userdata.notes())}")
        ctx.say(f"Bookmarks: {len(library.userdata.bookmarks())}")
        for state in library.feeds.all():
            mirror = library.get_meta(f"last-mirror:{state.feed}")
            keys = library.feeds.channel_keys(state.feed)
            ctx.say(
                f"Feed '{state.feed}': version {state.snapshot_version}, "
                f"last verified {days_ago(state.last_verified)}"
                + (f", last mirror {mirror}" if mirror else "")
                + (f", restricted channels with keys: {', '.join(sorted(keys))}" if keys else "")
            )
    return 0


def days_ago(moment: str | None, now: datetime | None = None) -> str:
    """ "today", "1 day ago", "12 days ago" or "never", for a recorded UTC time."""
    if moment is None:
        return "never"
    then = datetime.strptime(moment, TIME_FORMAT).replace(tzinfo=UTC)
    days = int(((now or datetime.now(UTC)) - then).total_seconds() // 86400)
    if days <= 0:
        return "today"
    return f"{days} day{'s' if days != 1 else ''} ago"


def _filters(args: argparse.Namespace) -> ItemFilter:
    return ItemFilter(
        kind=args.kind,
        lang=args.lang,
        country=args.country,
        tag=args.tag,
        date_from=args.date_from,
        date_to=args.date_to,
    )


def _print_json(ctx: Context, value: Any) -> None:  # noqa: ANN401 - any JSON-ready value
    ctx.say(json.dumps(value, ensure_ascii=False, indent=2))


def _emit(
    ctx: Context,
    args: argparse.Namespace,
    records: list[dict[str, Any]],
    lines: list[str],
    empty: str,
) -> int:
    """JSON for scripts with ``--json``, else lines for people, else ``empty``."""
    if args.json:
        _print_json(ctx, records)
    else:
        for line in lines or [empty]:
            ctx.say(line)
    return 0


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open() as library:
        rows = library.content.list_items(_filters(args), limit=args.limit)
    records = [
        {
            "id": r.id,
            "kind": r.kind,
            "lang": r.lang,
            "title": r.title,
            "date": r.date,
            "summary": r.summary,
        }
        for r in rows
    ]
    lines = [f"{r.id:<44} {r.kind:<8} {r.lang:<5} {r.date or '':<10}  {r.title}" for r in rows]
    return _emit(ctx, args, records, lines, "No items.")


def cmd_search(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open() as library:
        hits = library.search(args.query, _filters(args), limit=max(0, args.limit))
    records = [
        {
            "id": h.id,
            "kind": h.kind,
            "lang": h.lang,
            "title": h.title,
            "snippet": h.snippet_html(),
            "rank": h.rank,
        }
        for h in hits
    ]
    bold, plain = ("\x1b[1m", "\x1b[0m") if ctx.stdout.isatty() else ("[", "]")
    lines = []
    for h in hits:
        lines.append(f"{h.title}  ({h.kind}, {h.lang}, {h.id})")
        lines.append("    " + h.snippet_text(bold, plain).replace("\n", " "))
    return _emit(ctx, args, records, lines, "No results.")


def cmd_show(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open() as library:
        item = library.content.get(args.id)
        if item is None:
            raise FieldreaderError(f"No item with id '{args.id}' in the library.")
        translations = library.content.translations(item.id)
        bookmarked = library.userdata.is_bookmarked(item.id)
        ticks = library.userdata.ticks(item.id)
    if args.json:
        data = item_to_dict(item)
        data["translations"] = {t.lang: t.id for t in translations}
        data["bookmarked"] = bookmarked
        _print_json(ctx, data)
    elif args.html:
        ctx.say(render_markdown(item.body, item.lang, ticked=ticks))
    else:
        ctx.say(format_item(item, {t.lang: t.id for t in translations}))
    return 0


def _note_json(note: Note) -> dict[str, Any]:
    return {
        "id": note.id,
        "item_id": note.item_id,
        "item_title": note.item_title,
        "item_exists": note.item_exists,
        "quote": note.quote.exact if note.quote else None,
        "body": note.body,
        "created": note.created,
        "updated": note.updated,
    }


def cmd_note_add(ctx: Context, args: argparse.Namespace) -> int:
    if args.quote and not args.item:
        raise FieldreaderError("--quote needs --item: a quote is a passage of an item.")
    text = args.text
    if text == "-":
        if ctx.interactive():
            ctx.say("Type the note; end with Ctrl-D on a line of its own.")
        text = ctx.stdin.read()
    if not text.strip():
        raise FieldreaderError("The note is empty.")
    with ctx.open() as library:
        quote = None
        if args.item:
            item = library.content.get(args.item)
            if item is None:
                raise FieldreaderError(f"No item with id '{args.item}' in the library.")
            if args.quote:
                try:
                    quote = quote_of(item.body, args.quote)
                except QuoteNotFound:
                    raise FieldreaderError(
                        f"The quoted passage is not in '{args.item}'; nothing was saved."
                    ) from None
        note = library.userdata.add_note(text, args.item, quote)
    ctx.say(f"Note {note.id} saved.")
    return 0


def cmd_note_list(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open() as library:
        notes = library.userdata.notes(args.item)
    if args.json:
        _print_json(ctx, [_note_json(n) for n in notes])
        return 0
    for n in notes:
        about = f" on “{n.item_title}”" if n.item_title else ""
        gone = " (withdrawn)" if n.item_id and not n.item_exists else ""
        ctx.say(f"#{n.id}{about}{gone} · {n.updated}")
        if n.quote:
            ctx.say(f"    > {n.quote.exact}")
        for line in n.body.splitlines():
            ctx.say(f"    {line}")
    if not notes:
        ctx.say("No notes.")
    return 0


def cmd_note_delete(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open() as library:
        library.userdata.delete_note(args.note_id)
    ctx.say(f"Note {args.note_id} deleted.")
    return 0


def _notes_passphrase(ctx: Context, file: Path | None, *, confirm: bool) -> str:
    """The notes file's own passphrase (not the library's): a file, a variable or a prompt."""
    if file is not None:
        return PassphraseSource(file).current()
    value = ctx.passphrases.environ.get(NOTES_PASSPHRASE_ENV)
    if value:
        return value
    if not ctx.interactive():
        raise PassphraseUnavailable(
            "The notes file's passphrase is needed: use --export-passphrase-file or set "
            f"{NOTES_PASSPHRASE_ENV}."
        )
    if confirm:
        ctx.say("Choose a passphrase for the notes file; whoever imports it will need it.")
    chosen = ctx.passphrases.prompt("Notes file passphrase: ")
    if confirm and ctx.passphrases.prompt("Type it again: ") != chosen:
        raise FieldreaderError("The two passphrases differ; nothing was written.")
    return chosen


def cmd_note_export(ctx: Context, args: argparse.Namespace) -> int:
    path: Path = args.file
    with ctx.open() as library:
        if args.markdown:
            count = export_notes_markdown(
                library, path, datetime.now(UTC), overwrite=args.overwrite
            )
        else:
            passphrase = _notes_passphrase(ctx, args.export_passphrase_file, confirm=True)
            count = export_notes_encrypted(
                library, path, passphrase, datetime.now(UTC), ctx.kdf, overwrite=args.overwrite
            )
    if args.markdown:
        print(
            f"fieldreader: warning: {path} is NOT encrypted: anyone who gets hold of it can "
            "read your notes. Delete it once you no longer need it.",
            file=ctx.stderr,
        )
    ctx.say(f"Exported {count} note{'' if count == 1 else 's'} to {path}.")
    return 0


def cmd_note_import(ctx: Context, args: argparse.Namespace) -> int:
    passphrase = _notes_passphrase(ctx, args.export_passphrase_file, confirm=False)
    notes = read_notes_encrypted(args.file, passphrase)
    with ctx.open() as library:
        added = import_notes(library, notes)
    message = f"Imported {added} note{'' if added == 1 else 's'}."
    if len(notes) > added:
        message += f" Already in the library: {len(notes) - added}."
    ctx.say(message)
    return 0


def cmd_bookmark_add(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open() as library:
        mark = library.userdata.add_bookmark(args.id)
    ctx.say(f"Bookmarked “{mark.item_title}”.")
    return 0


def cmd_bookmark_remove(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open() as library:
        removed = library.userdata.remove_bookmark(args.id)
    ctx.say("Bookmark removed." if removed else f"'{args.id}' was not bookmarked.")
    return 0


def cmd_bookmark_list(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open() as library:
        marks = library.userdata.bookmarks()
    records = [
        {"id": b.item_id, "title": b.item_title, "created": b.created, "item_exists": b.item_exists}
        for b in marks
    ]
    lines = [
        f"{b.item_id:<44} {b.item_title}{'' if b.item_exists else ' (withdrawn)'}" for b in marks
    ]
    return _emit(ctx, args, records, lines, "No bookmarks.")


def cmd_passwd(ctx: Context, args: argparse.Namespace) -> int:
    old = ctx.passphrases.current()
    new = ctx.passphrases.new(NEW_PASSPHRASE_ENV, use_file=False)
    change_passphrase(ctx.data_dir, old, new, ctx.kdf)
    ctx.say("Passphrase changed.")
    return 0


def cmd_wipe(ctx: Context, args: argparse.Namespace) -> int:
    if not args.yes:
        if not ctx.interactive():
            raise FieldreaderError("Refusing to wipe without --yes when not run in a terminal.")
        ctx.stdout.write(f"Destroy the library in {ctx.data_dir} forever? Type 'wipe': ")
        ctx.stdout.flush()
        if ctx.stdin.readline().strip() != "wipe":
            ctx.say("Nothing was wiped.")
            return 1
    removed = wipe_library(ctx.data_dir)
    ctx.say("Library wiped." if removed else f"There was no library in {ctx.data_dir}.")
    return 0


def cmd_render(ctx: Context, args: argparse.Namespace) -> int:
    path: Path = args.file
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FieldreaderError(f"Cannot read {path}: {exc.strerror}") from None
    text = source.decode_utf8(data, name)
    if text.startswith("---"):
        item = source.item_from_markdown(text, name)
        lang, body = args.lang or item.lang, item.body
    else:
        lang, body = args.lang or "en", text
    ctx.say(render_markdown(body, lang))
    return 0


def cmd_demo(ctx: Context, args: argparse.Namespace) -> int:
    return run_demo(ctx)


COMMANDS: dict[str, Command] = {
    "init": cmd_init,
    "load-sample": cmd_load_sample,
    "status": cmd_status,
    "list": cmd_list,
    "search": cmd_search,
    "show": cmd_show,
    "note-add": cmd_note_add,
    "note-list": cmd_note_list,
    "note-delete": cmd_note_delete,
    "note-export": cmd_note_export,
    "note-import": cmd_note_import,
    "bookmark-add": cmd_bookmark_add,
    "bookmark-remove": cmd_bookmark_remove,
    "bookmark-list": cmd_bookmark_list,
    "passwd": cmd_passwd,
    "wipe": cmd_wipe,
    "render": cmd_render,
    "demo": cmd_demo,
    "bundle-create": feed_commands.cmd_bundle_create,
    "import": feed_commands.cmd_import,
    "sync": feed_commands.cmd_sync,
    "publish": dispatch_publish,
    "build": cmd_build,
}
