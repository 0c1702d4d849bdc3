"""Exporting notes to Markdown and to an encrypted notes file, and importing them elsewhere."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from factories import FAST_KDF, PASSPHRASE, article
from fieldreader.anchors import Quote, quote_of
from fieldreader.feed.bundle import MAGIC, encrypt, pack
from fieldreader.notes_export import (
    MAX_NOTES_FILE_BYTES,
    ExportedNote,
    NotANotesFile,
    NotesDecryptionFailed,
    NotesFileDamaged,
    NotesFileError,
    NotesFileTooLarge,
    NotesVersionUnsupported,
    blockquote,
    export_notes_encrypted,
    export_notes_markdown,
    import_notes,
    notes_markdown,
    read_notes_encrypted,
)
from fieldreader.store import Library, create_library

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
NOTES_PASSPHRASE = "a different passphrase for the notes"
HOSTILE = (
    "# heading\n"
    "[link](http://x) ![image](http://y) <http://z> <b>bold</b> &amp; *em* `code`\n"
    "=====\n"
    "    indented code\n"
    "- list item\n"
    "1. ordered\n"
    "> nested quote\n"
    "```\n"
    "| a | b |\n"
    "|---|---|\n"
    "---\n"
    "line\rwith a carriage return\u2028and a line separator\\"
)


class Clock:
    """A clock that moves a minute per reading, so creation order is visible in the dates."""

    def __init__(self) -> None:
        self.now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[Library]:
    lib = create_library(tmp_path / "clocked", PASSPHRASE, FAST_KDF, clock=Clock())
    yield lib
    lib.close()


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Library]:
    lib = create_library(tmp_path / "other", PASSPHRASE, FAST_KDF)
    yield lib
    lib.close()


def parser() -> MarkdownIt:
    # What the reader itself enables, so tables and strikethrough count as structure too.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type == "text":
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append("\n")
        else:
            parts.append(f"<{child.type}>")
    return "".join(parts)


def headings(tokens: list[Token]) -> list[tuple[str, str]]:
    return [
        (tok.tag, inline_text(tokens[i + 1]))
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open"
    ]


def fill(lib: Library) -> None:
    """Two items with notes, one quoting, and a library-wide note, written out of order."""
    lib.content.apply(
        [
            article("z", title="Zebra report", body="The mission met officials in Kabul."),
            article("a", title="Apple study", lang="fr", body="Une étude sur la société."),
        ]
    )
    lib.userdata.add_note("A free-standing note")
    lib.userdata.add_note("Second on zebra", "z")
    lib.userdata.add_note("**Check** this", "z", quote_of("The mission met officials.", "met"))
    lib.userdata.add_note("Sur la pomme", "a")


def test_markdown_groups_by_item_title_then_creation(clocked: Library) -> None:
    fill(clocked)
    clocked.userdata.update_note(clocked.userdata.notes("a")[0].id, "Sur la pomme, révisé")
    text = notes_markdown(clocked, NOW)
    tokens = parser().parse(text)
    assert headings(tokens) == [
        ("h1", "Notes exported on 2026-01-02 at 03:04 UTC"),
        ("h2", "Apple study (fr)"),
        ("h2", "Zebra report (en)"),
        ("h2", "Notes not about a particular item"),
    ]
    assert "4 notes from fieldreader" in text
    assert text.index("Sur la pomme") < text.index("Second on zebra") < text.index("**Check**")
    assert text.index("**Check**") < text.index("A free-standing note")
    assert "> met\n\n**Check** this\n\n*Written 2025-06-01 12:04 UTC*" in text
    assert "*Written 2025-06-01 12:05 UTC, edited 2025-06-01 12:06 UTC*" in text
    quotes = [t for t in tokens if t.type == "blockquote_open"]
    assert len(quotes) == 1
    assert notes_markdown(clocked, NOW) == text


def test_hostile_quote_stays_inside_its_blockquote(library: Library) -> None:
    library.content.apply([article("a1", title="Report [x](http://t) # not a heading")])
    library.userdata.add_note("my note", "a1", Quote(HOSTILE, "", ""))
    tokens = parser().parse(notes_markdown(library, NOW))
    assert headings(tokens) == [
        ("h1", "Notes exported on 2026-01-02 at 03:04 UTC"),
        ("h2", "Report [x](http://t) # not a heading (en)"),
    ]
    start = next(i for i, t in enumerate(tokens) if t.type == "blockquote_open")
    end = next(i for i, t in enumerate(tokens) if t.type == "blockquote_close")
    inside = tokens[start + 1 : end]
    assert {t.type for t in inside} == {"paragraph_open", "inline", "paragraph_close"}
    quoted = "\n".join(inline_text(t) for t in inside if t.type == "inline")
    expected = [line.lstrip(" ") for line in HOSTILE.splitlines()]
    assert quoted.split("\n") == expected
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    for construct in ("link_open", "image", "html_inline", "html_block", "table_open", "fence"):
        assert construct not in kinds
    assert [t.type for t in tokens].count("blockquote_open") == 1


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("#>-+=*_`~[]()!<&|:\\1. \t\n\rab\u2028"), max_size=60))
def test_any_quote_is_plain_text_in_one_blockquote(text: str) -> None:
    tokens = parser().parse(f"Before\n\n{blockquote(text)}\n\nAfter\n")
    assert [t.type for t in tokens].count("blockquote_open") == 1
    allowed = {"paragraph_open", "paragraph_close", "inline", "blockquote_open"}
    assert {t.type for t in tokens} <= allowed | {"blockquote_close"}
    children = {c.type for t in tokens for c in t.children or []}
    assert children <= {"text", "softbreak", "hardbreak"}
    assert tokens[-2].content == "After"


def test_unclosed_fence_in_a_body_does_not_swallow_later_notes(library: Library) -> None:
    library.content.apply([article("a1"), article("a2")])
    library.userdata.add_note("```python\nprint('open fence')", "a1")
    library.userdata.add_note("after", "a2")
    tokens = parser().parse(notes_markdown(library, NOW))
    assert [h for _, h in headings(tokens)][1:] == ["Title of a1 (en)", "Title of a2 (en)"]


def test_withdrawn_item_keeps_its_title(library: Library, tmp_path: Path) -> None:
    library.content.apply([article("gone", title="Withdrawn report")])
    library.userdata.add_note("still mine", "gone", Quote("Body text", "", ""))
    library.content.apply([], ["gone"])
    text = notes_markdown(library, NOW)
    assert ("h2", "Withdrawn report") in headings(parser().parse(text))
    assert "no longer in the library" in text
    export_notes_encrypted(library, tmp_path / "n.frn", NOTES_PASSPHRASE, NOW, FAST_KDF)
    (note,) = read_notes_encrypted(tmp_path / "n.frn", NOTES_PASSPHRASE)
    assert (note.item_id, note.item_title, note.lang) == ("gone", "Withdrawn report", None)
    assert import_notes(library, [note]) == 0  # still attached to the withdrawn item here


def test_empty_library_exports_an_empty_document(library: Library, tmp_path: Path) -> None:
    assert "No notes." in notes_markdown(library, NOW)
    assert export_notes_markdown(library, tmp_path / "n.md", NOW) == 0
    with pytest.raises(ValueError, match="timezone"):
        notes_markdown(library, datetime(2026, 1, 1))  # a naive time: which zone is it?


def test_markdown_file_is_private_and_never_overwritten_silently(
    library: Library, tmp_path: Path
) -> None:
    fill(library)
    path = tmp_path / "notes.md"
    assert export_notes_markdown(library, path, NOW) == 4
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == notes_markdown(library, NOW)
    path.write_text("keep me")
    with pytest.raises(NotesFileError, match="already exists"):
        export_notes_markdown(library, path, NOW)
    with pytest.raises(NotesFileError, match="already exists"):
        export_notes_encrypted(library, path, NOTES_PASSPHRASE, NOW, FAST_KDF)
    assert path.read_text() == "keep me"
    (tmp_path / "link.md").symlink_to(tmp_path / "nowhere")
    with pytest.raises(NotesFileError, match="already exists"):
        export_notes_markdown(library, tmp_path / "link.md", NOW)
    assert export_notes_markdown(library, path, NOW, overwrite=True) == 4
    assert path.read_text().startswith("# Notes exported")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(NotesFileError, match="Cannot write"):
        export_notes_markdown(library, tmp_path / "no-such-dir" / "n.md", NOW)


def test_encrypted_round_trip(clocked: Library, tmp_path: Path) -> None:
    fill(clocked)
    path = tmp_path / "notes.frn"
    assert export_notes_encrypted(clocked, path, NOTES_PASSPHRASE, NOW, FAST_KDF) == 4
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = path.read_bytes()
    assert data.startswith(MAGIC)
    for secret in (b"Check", b"zebra", b"Zebra", b"pomme", b"free-standing", b"notes"):
        assert secret not in data
    notes = read_notes_encrypted(path, NOTES_PASSPHRASE)
    assert [n.body for n in notes] == [
        "Sur la pomme",
        "Second on zebra",
        "**Check** this",
        "A free-standing note",
    ]
    assert notes[2] == ExportedNote(
        body="**Check** this",
        created="2025-06-01T12:04:00+00:00",
        updated="2025-06-01T12:04:00+00:00",
        item_id="z",
        item_title="Zebra report",
        lang="en",
        quote=Quote("met", "The mission ", " officials."),
    )
    assert (notes[0].lang, notes[3].item_id, notes[3].quote) == ("fr", None, None)


def test_empty_passphrase_is_refused(library: Library, tmp_path: Path) -> None:
    with pytest.raises(NotesFileError, match="must not be empty"):
        export_notes_encrypted(library, tmp_path / "n.frn", "", NOW, FAST_KDF)
    assert not (tmp_path / "n.frn").exists()


def test_wrong_passphrase(library: Library, tmp_path: Path) -> None:
    fill(library)
    export_notes_encrypted(library, tmp_path / "n.frn", NOTES_PASSPHRASE, NOW, FAST_KDF)
    with pytest.raises(NotesDecryptionFailed, match="passphrase is wrong"):
        read_notes_encrypted(tmp_path / "n.frn", PASSPHRASE)


@pytest.fixture
def small_export(library: Library, tmp_path: Path) -> bytes:
    library.content.apply([article("a1")])
    library.userdata.add_note("short", "a1", Quote("Body", "", " text"))
    path = tmp_path / "small.frn"
    export_notes_encrypted(library, path, NOTES_PASSPHRASE, NOW, FAST_KDF)
    return path.read_bytes()


def _stream_start(data: bytes) -> int:
    """Where the sealed stream begins: the part before it is checked only through the key."""
    return len(MAGIC) + 2 + 4 + int.from_bytes(data[len(MAGIC) + 2 : len(MAGIC) + 6], "big")


def test_every_single_byte_change_is_detected(small_export: bytes, tmp_path: Path) -> None:
    path = tmp_path / "altered.frn"
    data = small_export
    assert len(read_notes_encrypted_bytes(data, path)) == 1
    header_end = _stream_start(data)
    flips = [1 << bit for bit in range(8)] + [0xFF]
    # The framing before the stream is checked only through the key it yields: there, also
    # every replacement that could leave it meaning the same (JSON whitespace, digits, base64).
    lookalikes = b" \t\n\r0123456789+/=AQgw"
    for position in range(len(data)):
        variants = {data[position] ^ flip for flip in flips}
        if position < header_end:
            variants |= set(lookalikes)
        for value in variants - {data[position]}:
            altered = bytearray(data)
            altered[position] = value
            with pytest.raises(NotesFileError):
                read_notes_encrypted_bytes(bytes(altered), path)


def read_notes_encrypted_bytes(data: bytes, path: Path) -> list[ExportedNote]:
    path.write_bytes(data)
    return read_notes_encrypted(path, NOTES_PASSPHRASE)


def test_truncation_and_extension_are_detected(small_export: bytes, tmp_path: Path) -> None:
    path = tmp_path / "cut.frn"
    data = small_export
    header_end = _stream_start(data)
    cuts = {0, 3, len(MAGIC), len(MAGIC) + 1, len(MAGIC) + 2, len(MAGIC) + 5, header_end - 1}
    cuts |= {header_end, header_end + 10, header_end + 24, len(data) - 17, len(data) - 1}
    for cut in sorted(cuts):
        with pytest.raises(NotesFileError):
            read_notes_encrypted_bytes(data[:cut], path)
    with pytest.raises(NotesDecryptionFailed):
        read_notes_encrypted_bytes(data + b"\0", path)
    with pytest.raises(NotesDecryptionFailed):
        read_notes_encrypted_bytes(data + data, path)


def test_files_that_are_not_notes_files(library: Library, tmp_path: Path) -> None:
    fill(library)
    path = tmp_path / "x"
    export_notes_markdown(library, tmp_path / "notes.md", NOW)
    plain_bundle = pack({"timestamp.json": b"{}"})
    sealed_bundle = encrypt(plain_bundle, NOTES_PASSPHRASE, FAST_KDF)
    other_json = encrypt(b'{"format": "something-else", "version": 1}', NOTES_PASSPHRASE, FAST_KDF)
    not_json = encrypt(b"\xff\xfe binary", NOTES_PASSPHRASE, FAST_KDF)
    for data, message in [
        (b"", "not a fieldreader notes file"),
        (b"hello, world\n", "not a fieldreader notes file"),
        ((tmp_path / "notes.md").read_bytes(), "not a fieldreader notes file"),
        (plain_bundle, "content bundle"),
        (sealed_bundle, "encrypted content bundle"),
        (other_json, "not a fieldreader notes file"),
        (not_json, "not a fieldreader notes file"),
    ]:
        with pytest.raises(NotANotesFile, match=message):
            read_notes_encrypted_bytes(data, path)
    with pytest.raises(NotesFileError, match="Cannot read"):
        read_notes_encrypted(tmp_path / "missing.frn", NOTES_PASSPHRASE)


def sealed(document: object) -> bytes:
    return encrypt(json.dumps(document).encode(), NOTES_PASSPHRASE, FAST_KDF)


def test_unknown_version_and_malformed_contents(tmp_path: Path) -> None:
    path = tmp_path / "n.frn"
    note = {"body": "b", "created": "c", "updated": "u", "item_id": None, "quote": None}
    with pytest.raises(NotesVersionUnsupported, match="version 2"):
        read_notes_encrypted_bytes(
            sealed({"format": "fieldreader-notes", "version": 2, "notes": []}), path
        )
    base = {"format": "fieldreader-notes", "version": 1}
    for document in [
        {**base, "version": "1"},
        {**base, "notes": {}},
        {**base, "notes": ["a note"]},
        {**base, "notes": [{**note, "body": None}]},
        {**base, "notes": [{**note, "created": 5}]},
        {**base, "notes": [{**note, "item_id": 7}]},
        {**base, "notes": [{**note, "quote": "q"}]},
        {**base, "notes": [{**note, "quote": {"exact": "q", "prefix": ""}}]},
    ]:
        with pytest.raises(NotesFileDamaged):
            read_notes_encrypted_bytes(sealed(document), path)
    good = read_notes_encrypted_bytes(sealed({**base, "notes": [note], "later": True}), path)
    assert good == [ExportedNote(body="b", created="c", updated="u")]


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.frn"
    with path.open("wb") as f:
        f.write(MAGIC)
        f.truncate(MAX_NOTES_FILE_BYTES + 1)  # sparse: costs no disk space
    with pytest.raises(NotesFileTooLarge, match="64 MiB"):
        read_notes_encrypted(path, NOTES_PASSPHRASE)


def test_import_keeps_items_it_can_and_twice_adds_nothing(
    library: Library, other: Library, tmp_path: Path
) -> None:
    fill(library)
    path = tmp_path / "n.frn"
    export_notes_encrypted(library, path, NOTES_PASSPHRASE, NOW, FAST_KDF)
    notes = read_notes_encrypted(path, NOTES_PASSPHRASE)
    assert import_notes(library, notes) == 0  # back into the library they came from

    other.content.apply([article("z", title="Zebra report", body="The mission met officials.")])
    other.userdata.add_note("A free-standing note")  # already there: skipped
    assert import_notes(other, notes) == 3
    assert import_notes(other, notes) == 0
    imported = {n.body: n for n in other.userdata.notes()}
    assert len(imported) == 4
    quoted = imported["**Check** this"]
    assert (quoted.item_id, quoted.quote) == ("z", Quote("met", "The mission ", " officials."))
    assert imported["Second on zebra"].item_id == "z"
    moved = next(n for n in imported.values() if "Sur la pomme" in n.body)
    assert moved.item_id is None
    assert moved.body == "On “Apple study” (not in this library):\n\nSur la pomme"


def test_import_of_a_quote_on_a_missing_item_keeps_the_quote(other: Library) -> None:
    note = ExportedNote(
        body="my thoughts",
        created="2025-01-01T00:00:00+00:00",
        updated="2025-01-01T00:00:00+00:00",
        item_id="elsewhere",
        item_title="A [linked](http://x) title",
        lang="en",
        quote=Quote("# Not a heading\nsecond line", "", ""),
    )
    assert import_notes(other, [note, note]) == 1
    assert import_notes(other, [note]) == 0
    (saved,) = other.userdata.notes()
    assert saved.item_id is None
    assert saved.quote is None
    assert saved.body == (
        "On “A \\[linked\\](http://x) title” (not in this library):\n\n"
        "> \\# Not a heading\n> second line\n\nmy thoughts"
    )


def test_import_is_all_or_nothing(other: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    notes = [ExportedNote(body=f"note {i}", created="c", updated="u") for i in range(3)]
    calls = 0
    real_add = other.userdata.add_note

    def failing_add(body: str, item_id: str | None = None, quote: Quote | None = None) -> object:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise NotesFileError("disk trouble")
        return real_add(body, item_id, quote)

    monkeypatch.setattr(other.userdata, "add_note", failing_add)
    with pytest.raises(NotesFileError, match="disk trouble"):
        import_notes(other, notes)
    assert other.userdata.notes() == []
