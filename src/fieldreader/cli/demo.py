"""A small terminal reader over the sample library: what ``make run`` starts.

It exists so a fresh clone shows the product working before the desktop reader lands: the same
encrypted store, search and rendering, driven from a prompt.
"""

from __future__ import annotations

import shlex

from fieldreader.cli.context import Context
from fieldreader.cli.formatting import format_item
from fieldreader.cli.sample import load_sample_into
from fieldreader.errors import FieldreaderError
from fieldreader.model import KINDS
from fieldreader.store import ItemFilter, Library, create_library, library_exists, open_library

#: The demo library holds only the public sample, so its passphrase can be printed.
DEMO_PASSPHRASE = "sample library"  # noqa: S105 - deliberately public, see above

HELP = """Commands:
  list [article|guidance|contact] [LANG]   list items
  search WORDS                             full-text search ("phrase", prefix*)
  show ID                                  read an item
  help                                     this text
  quit                                     leave"""


def open_demo_library(ctx: Context) -> Library:
    if library_exists(ctx.data_dir):
        return open_library(ctx.data_dir, DEMO_PASSPHRASE)
    ctx.say(f"Creating a demo library in {ctx.data_dir} (passphrase: '{DEMO_PASSPHRASE}')...")
    library = create_library(ctx.data_dir, DEMO_PASSPHRASE, ctx.kdf)
    ctx.say(load_sample_into(library))
    return library


def run_demo(ctx: Context) -> int:
    with open_demo_library(ctx) as library:
        counts = {kind: library.content.count(ItemFilter(kind=kind)) for kind in KINDS}
        langs = ", ".join(f"{lang} {n}" for lang, n in library.content.facet_values("lang"))
        ctx.say(
            f"fieldreader sample library: {counts['article']} articles, "
            f"{counts['guidance']} guidance lessons, {counts['contact']} contacts ({langs})."
        )
        if not ctx.interactive():
            _list(ctx, library, [])
            return 0
        ctx.say(HELP)
        while True:
            ctx.stdout.write("\nfieldreader> ")
            ctx.stdout.flush()
            line = ctx.stdin.readline()
            if not line or line.strip() in ("quit", "exit", "q"):
                return 0
            try:
                _dispatch(ctx, library, line)
            except FieldreaderError as exc:
                ctx.say(str(exc))


def _dispatch(ctx: Context, library: Library, line: str) -> None:
    try:
        words = shlex.split(line)
    except ValueError:
        words = line.split()
    if not words:
        return
    verb, rest = words[0], words[1:]
    if verb == "list":
        _list(ctx, library, rest)
    elif verb == "search":
        hits = library.search(line.split(None, 1)[1] if rest else "")
        for h in hits:
            ctx.say(f"{h.id}  {h.title}")
            ctx.say("    " + h.snippet_text("\x1b[1m", "\x1b[0m").replace("\n", " "))
        ctx.say(f"{len(hits)} result(s).")
    elif verb == "show" and rest:
        item = library.content.get(rest[0])
        if item is None:
            ctx.say(f"No item '{rest[0]}'.")
            return
        translations = {t.lang: t.id for t in library.content.translations(item.id)}
        ctx.say(format_item(item, translations))
    else:
        ctx.say(HELP)


def _list(ctx: Context, library: Library, words: list[str]) -> None:
    kind = next((w for w in words if w in KINDS), None)
    lang = next((w for w in words if w not in KINDS), None)
    for r in library.content.list_items(ItemFilter(kind=kind, lang=lang)):
        ctx.say(f"{r.id:<44} {r.kind:<8} {r.lang:<3} {r.title}")
