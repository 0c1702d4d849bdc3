"""Taking the reader's notes out of the library, and bringing them into another one.

Two ways out. A Markdown file that any editor can open, which is NOT encrypted (the UI and
the command line warn about that). Or an encrypted notes file under a passphrase the person
chooses, which another fieldreader install can import.

The encrypted notes file is exactly what :func:`fieldreader.feed.bundle.encrypt` makes of a
JSON document::

    b"FRBUNDLE" | 1 | b"E" | length + KDF header (JSON) | secretstream header | sealed JSON

    {"format": "fieldreader-notes", "version": 1, "exported": "2026-01-02T03:04:05+00:00",
     "notes": [{"item_id", "item_title", "lang", "quote": {"exact", "prefix", "suffix"} | null,
                "body", "created", "updated"}, ...]}

From outside it looks like any encrypted bundle: a person stopped at a checkpoint carries "a
fieldreader file", not visibly "my personal notes". The format name inside says what it is once
opened, so a bundle given to ``note import`` (or a notes file to ``import``) is refused with a
plain message.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import os
import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fieldreader.anchors import Quote
from fieldreader.errors import FieldreaderError
from fieldreader.feed.bundle import FORMAT_VERSION as SEALED_VERSION
from fieldreader.feed.bundle import MAGIC, BundleError, decrypt, encrypt, is_encrypted
from fieldreader.feed.errors import DecryptionFailed
from fieldreader.fsutil import atomic_write
from fieldreader.store import DEFAULT_KDF, KdfParams, Library
from fieldreader.store.userdata import Note

FORMAT = "fieldreader-notes"
VERSION = 1
#: Larger files are refused before they are read: years of notes fit in a fraction of this.
MAX_NOTES_FILE_BYTES = 64 * 1024 * 1024
_PREAMBLE = len(MAGIC) + 2


class NotesFileError(FieldreaderError):
    """A notes file that cannot be written or read; nothing was written or imported."""


class NotesDecryptionFailed(NotesFileError):
    """Wrong passphrase, or an altered or cut-short file.

    The cipher cannot tell these apart: a wrong key and a changed byte fail the same check.
    """


class NotesFileDamaged(NotesFileError):
    """The file's framing or contents are not what fieldreader writes."""


class NotANotesFile(NotesFileError):
    """Some other file: a content bundle, a Markdown export, anything else."""


class NotesVersionUnsupported(NotesFileError):
    """A notes file from a build that writes a format version this one does not read."""


class NotesFileTooLarge(NotesFileError):
    """Larger than :data:`MAX_NOTES_FILE_BYTES`."""


@dataclass(frozen=True)
class ExportedNote:
    """One note as it travels between libraries: the item is named, not required."""

    body: str
    created: str
    updated: str
    item_id: str | None = None
    item_title: str | None = None
    """The title when exported: the item may be absent from the library that imports it."""
    lang: str | None = None
    """The item's language; None for library-wide notes and notes on withdrawn items."""
    quote: Quote | None = None


# Reading the library


@dataclass(frozen=True)
class _Entry:
    note: Note
    lang: str | None


def _ordered(library: Library) -> list[_Entry]:
    """Every note, notes on items first by item title, then library-wide ones; by creation."""
    langs: dict[str, str | None] = {}
    entries = []
    for note in library.userdata.notes():
        lang = None
        if note.item_id is not None and note.item_exists:
            if note.item_id not in langs:
                item = library.content.get(note.item_id)
                langs[note.item_id] = item.lang if item is not None else None
            lang = langs[note.item_id]
        entries.append(_Entry(note, lang))
    return sorted(entries, key=_order)


def _order(entry: _Entry) -> tuple[bool, str, str, str, str, int]:
    note = entry.note
    title = note.item_title or note.item_id or ""
    # The id after the title keeps two items with the same title in separate, adjacent groups.
    return (
        note.item_id is None,
        title.casefold(),
        title,
        note.item_id or "",
        note.created,
        note.id,
    )


def _exported(entry: _Entry) -> ExportedNote:
    note = entry.note
    return ExportedNote(
        body=note.body,
        created=note.created,
        updated=note.updated,
        item_id=note.item_id,
        item_title=note.item_title,
        lang=entry.lang,
        quote=note.quote,
    )


# Markdown


def notes_markdown(library: Library, now: datetime) -> str:
    """Every note as one Markdown document, grouped by item, library-wide notes last.

    Quoted passages come from publishers' text and are escaped so they stay inside their
    blockquote: a quote cannot add a heading, a link or an image to the document. Note bodies
    are the reader's own Markdown and are kept as written (an unclosed code fence is closed so
    it cannot swallow the notes after it).
    """
    return _markdown(_ordered(library), now)


def _markdown(entries: list[_Entry], now: datetime) -> str:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    count = len(entries)
    parts = [
        f"# Notes exported on {now.astimezone(UTC):%Y-%m-%d at %H:%M} UTC",
        f"{count} note{'' if count == 1 else 's'} from fieldreader. This file is not encrypted: "
        "anyone who can open it can read them.",
    ]
    for item_id, group in itertools.groupby(entries, key=lambda e: e.note.item_id):
        members = list(group)
        parts.extend(_group_heading(item_id, members[0]))
        for index, entry in enumerate(members):
            if index:
                parts.append("---")
            parts.extend(_note_markdown(entry.note))
    if not entries:
        parts.append("No notes.")
    return "\n\n".join(parts) + "\n"


def _group_heading(item_id: str | None, first: _Entry) -> list[str]:
    if item_id is None:
        return ["## Notes not about a particular item"]
    note = first.note
    title = _escape_inline(" ".join((note.item_title or item_id).split()))
    if not note.item_exists:
        return [
            f"## {title}",
            "*This item is no longer in the library; the title is the last one known.*",
        ]
    lang = f" ({_escape_inline(first.lang)})" if first.lang else ""
    return [f"## {title}{lang}"]


def _note_markdown(note: Note) -> list[str]:
    parts = []
    if note.quote is not None:
        parts.append(blockquote(note.quote.exact))
    body = _close_open_fence(note.body.replace("\r\n", "\n").replace("\r", "\n").strip("\n"))
    if body.strip():
        parts.append(body)
    dates = f"Written {_when(note.created)}"
    if note.updated != note.created:
        dates += f", edited {_when(note.updated)}"
    parts.append(f"*{dates}*")
    return parts


def _when(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return _escape_inline(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


# Characters that start inline Markdown (emphasis, code, links, autolinks and raw HTML,
# entities, tables, strikethrough) or, as "#", a heading's closing sequence.
_INLINE = re.compile(r"([\\`*_\[\]<>&|~#])")
# What may start a block once the indentation is gone: quotes, lists, setext underlines,
# thematic breaks (those made of "*" or "_" are escaped as inline characters already).
_BLOCK_MARKER = re.compile(r"([-+=>:])|(\d+)([.)])")


def _escape_inline(text: str) -> str:
    return _INLINE.sub(r"\\\1", text)


def _escape_line(line: str) -> str:
    """One line of quoted text that Markdown reads as plain text, whatever it holds.

    Leading indentation goes (four spaces would make a code block); every character that
    could open a construct is backslash-escaped, which CommonMark renders as the character.
    """
    text = _escape_inline(line.lstrip(" \t"))
    marker = _BLOCK_MARKER.match(text)
    if marker is None:
        return text
    if marker.group(1):
        return "\\" + text
    digits = marker.group(2)
    return f"{digits}\\{text[len(digits) :]}"


def blockquote(text: str) -> str:
    """``text`` as a Markdown blockquote from which it cannot escape.

    Splitting on every line break Python knows (a superset of CommonMark's \\n, \\r\\n and \\r)
    puts "> " in front of each line Markdown will see, so no line of the quote starts outside
    the blockquote.
    """
    lines = [_escape_line(line) for line in text.splitlines()] or [""]
    return "\n".join(f"> {line}" if line else ">" for line in lines)


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")


def _close_open_fence(text: str) -> str:
    """``text`` with a code fence it leaves open closed, so what follows it stays Markdown."""
    open_fence: str | None = None
    for line in text.split("\n"):
        match = _FENCE.fullmatch(line)
        if match is None:
            continue
        run, rest = match.groups()
        if open_fence is None:
            if not (run[0] == "`" and "`" in rest):  # an info string cannot hold a backtick
                open_fence = run
        elif run[0] == open_fence[0] and len(run) >= len(open_fence) and not rest.strip():
            open_fence = None
    return text if open_fence is None else f"{text}\n{open_fence}"


def export_notes_markdown(
    library: Library, path: Path, now: datetime, *, overwrite: bool = False
) -> int:
    """Write :func:`notes_markdown` to ``path`` (mode 0600); returns the number of notes.

    Raises:
        NotesFileError: ``path`` exists and ``overwrite`` is false, or it cannot be written.
    """
    _refuse_existing(path, overwrite)
    entries = _ordered(library)
    _write(path, _markdown(entries, now).encode("utf-8"))
    return len(entries)


# The encrypted notes file


def export_notes_encrypted(
    library: Library,
    path: Path,
    passphrase: str,
    now: datetime,
    kdf: KdfParams = DEFAULT_KDF,
    *,
    overwrite: bool = False,
) -> int:
    """Write every note to ``path`` sealed under ``passphrase``; returns the number of notes.

    Raises:
        NotesFileError: empty passphrase, ``path`` exists and ``overwrite`` is false, the notes
            would exceed :data:`MAX_NOTES_FILE_BYTES`, or the file cannot be written.
    """
    if not passphrase:
        raise NotesFileError("The notes file's passphrase must not be empty.")
    if kdf.memlimit % 1024:
        # Argon2 counts memory in KiB: a remainder would be a header byte the key ignores.
        raise ValueError("the key-derivation memory must be a whole number of KiB")
    _refuse_existing(path, overwrite)
    notes = [_exported(e) for e in _ordered(library)]
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported": now.isoformat(timespec="seconds"),
        "notes": [_note_to_json(n) for n in notes],
    }
    plain = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if len(plain) > MAX_NOTES_FILE_BYTES - 64 * 1024:
        raise NotesFileTooLarge(
            "The notes are too large for one notes file "
            f"({MAX_NOTES_FILE_BYTES // (1024 * 1024)} MiB at most)."
        )
    _write(path, encrypt(plain, passphrase, kdf))
    return len(notes)


def _note_to_json(note: ExportedNote) -> dict[str, Any]:
    quote = note.quote
    return {
        "item_id": note.item_id,
        "item_title": note.item_title,
        "lang": note.lang,
        "quote": None
        if quote is None
        else {"exact": quote.exact, "prefix": quote.prefix, "suffix": quote.suffix},
        "body": note.body,
        "created": note.created,
        "updated": note.updated,
    }


def read_notes_encrypted(path: Path, passphrase: str) -> list[ExportedNote]:
    """The notes in an encrypted notes file; all of them or an error, never a part.

    Raises:
        NotesDecryptionFailed: wrong passphrase, or the file was altered or cut short.
        NotesFileDamaged, NotANotesFile, NotesVersionUnsupported, NotesFileTooLarge,
        NotesFileError: unreadable.
    """
    data = _read_capped(path)
    if not data.startswith(MAGIC):
        raise NotANotesFile(f"{path.name} is not a fieldreader notes file.")
    if not is_encrypted(data):
        raise NotANotesFile(f"{path.name} is a content bundle, not a notes file.")
    if data[len(MAGIC)] != SEALED_VERSION:
        raise NotesVersionUnsupported(
            f"{path.name} uses an encryption format this version of fieldreader does not know."
        )
    try:
        plain = decrypt(data, passphrase)
    except DecryptionFailed:
        raise NotesDecryptionFailed(
            f"{path.name} does not open: the passphrase is wrong, or the file was altered or "
            "cut short."
        ) from None
    except BundleError as exc:
        raise NotesFileDamaged(f"{path.name} is damaged: {exc}") from None
    if not _header_is_canonical(data):
        raise NotesFileDamaged(f"{path.name} is damaged: its encryption header was altered.")
    return _parse_document(plain, path.name)


def _read_capped(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            if os.fstat(f.fileno()).st_size > MAX_NOTES_FILE_BYTES:
                raise _too_large(path)
            data = f.read(MAX_NOTES_FILE_BYTES + 1)  # a file still growing, a pipe
    except OSError as exc:
        raise NotesFileError(f"Cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_NOTES_FILE_BYTES:
        raise _too_large(path)
    return data


def _too_large(path: Path) -> NotesFileTooLarge:
    return NotesFileTooLarge(
        f"{path.name} is larger than a notes file can be "
        f"({MAX_NOTES_FILE_BYTES // (1024 * 1024)} MiB); it was not read."
    )


def _header_is_canonical(data: bytes) -> bool:
    """Whether the KDF header is byte for byte what ``encrypt`` writes for its values.

    That header is authenticated only through the key it yields, and a few changes leave the
    key alone: JSON whitespace, the unused low bits of the salt's last base64 character, a
    memory limit that rounds to the same KiB. Requiring the canonical form makes every byte
    of the file count, so any change to it is reported.
    """
    try:
        (length,) = struct.unpack(">I", data[_PREAMBLE : _PREAMBLE + 4])
        raw = data[_PREAMBLE + 4 : _PREAMBLE + 4 + length]
        header = json.loads(raw)
        salt = header["salt"]
        canonical_salt = base64.b64encode(base64.b64decode(salt, validate=True)).decode()
        return bool(
            json.dumps(header).encode() == raw
            and canonical_salt == salt
            and header["memlimit"] % 1024 == 0
        )
    except (struct.error, ValueError, binascii.Error, KeyError, TypeError):
        return False


def _parse_document(plain: bytes, name: str) -> list[ExportedNote]:
    if plain.startswith(MAGIC):
        raise NotANotesFile(f"{name} is an encrypted content bundle, not a notes file.")
    try:
        doc = json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        doc = None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise NotANotesFile(f"{name} opened, but it is not a fieldreader notes file.")
    version = doc.get("version")
    if type(version) is not int:
        raise NotesFileDamaged(f"{name} is damaged: it has no format version.")
    if version != VERSION:
        raise NotesVersionUnsupported(
            f"{name} is a version {version} notes file; this version of fieldreader reads "
            f"version {VERSION}."
        )
    notes = doc.get("notes")
    if not isinstance(notes, list):
        raise NotesFileDamaged(f"{name} is damaged: it has no list of notes.")
    return [_note_from_json(entry, number, name) for number, entry in enumerate(notes, 1)]


def _note_from_json(entry: object, number: int, name: str) -> ExportedNote:
    def damaged(field: str) -> NotesFileDamaged:
        return NotesFileDamaged(f"{name} is damaged: note {number} has no valid '{field}'.")

    def text(source: dict[str, Any], field: str) -> str:
        value = source.get(field)
        if not isinstance(value, str):
            raise damaged(field)
        return value

    def text_or_none(source: dict[str, Any], field: str) -> str | None:
        return None if source.get(field) is None else text(source, field)

    if not isinstance(entry, dict):
        raise damaged("note")
    raw_quote = entry.get("quote")
    if raw_quote is not None and not isinstance(raw_quote, dict):
        raise damaged("quote")
    return ExportedNote(
        body=text(entry, "body"),
        created=text(entry, "created"),
        updated=text(entry, "updated"),
        item_id=text_or_none(entry, "item_id"),
        item_title=text_or_none(entry, "item_title"),
        lang=text_or_none(entry, "lang"),
        quote=None
        if raw_quote is None
        else Quote(text(raw_quote, "exact"), text(raw_quote, "prefix"), text(raw_quote, "suffix")),
    )


# Import


def import_notes(library: Library, notes: list[ExportedNote]) -> int:
    """Add ``notes`` to ``library`` in one transaction; returns how many were added.

    A note keeps its item when this library has that item. Otherwise it becomes a library-wide
    note whose body starts with the item's title and the quoted passage, so nothing it said is
    lost. A note already present (same item, quote and body, as exported or as rewritten) is
    skipped: importing the same file twice adds nothing, and notes on an item withdrawn here
    are not duplicated either. Imported notes are dated now (the store sets a note's dates).
    """
    added = 0
    with library.transaction():
        present = {(n.item_id, n.quote, n.body) for n in library.userdata.notes()}
        for note in notes:
            placed = _placement(library, note)
            if placed in present or (note.item_id, note.quote, note.body) in present:
                continue
            item_id, quote, body = placed
            library.userdata.add_note(body, item_id, quote)
            present.add(placed)
            added += 1
    return added


def _placement(library: Library, note: ExportedNote) -> tuple[str | None, Quote | None, str]:
    """Where ``note`` goes in ``library``: its item, quote and body there."""
    if note.item_id is not None and library.content.get(note.item_id) is not None:
        return note.item_id, note.quote, note.body
    if note.item_id is None and note.quote is None:
        return None, None, note.body
    about = note.item_title or note.item_id
    lines = [
        f"On “{_escape_inline(' '.join(about.split()))}” (not in this library):"
        if about
        else "Quoted:"
    ]
    if note.quote is not None:
        lines.append(blockquote(note.quote.exact))
    if note.body:
        lines.append(note.body)
    return None, None, "\n\n".join(lines)


# Files


def _refuse_existing(path: Path, overwrite: bool) -> None:
    if not overwrite and (path.is_symlink() or path.exists()):
        raise NotesFileError(f"{path} already exists; choose another name or allow overwriting.")


def _write(path: Path, data: bytes) -> None:
    try:
        atomic_write(path, data, mode=0o600)
    except OSError as exc:
        raise NotesFileError(f"Cannot write {path}: {exc.strerror}") from None
