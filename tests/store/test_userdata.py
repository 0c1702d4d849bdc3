"""Notes, bookmarks, reading positions and checklist ticks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from factories import article, guidance
from fieldreader.anchors import Quote, locate, quote_of
from fieldreader.store import ItemNotFound, Library, NoteNotFound
from fieldreader.store.userdata import UserDataRepository


def test_notes_lifecycle(library: Library) -> None:
    library.content.apply([article("a1")])
    free = library.userdata.add_note("a free-standing note")
    quote = quote_of(library.content.get("a1").body, "civic space")  # type: ignore[union-attr]
    attached = library.userdata.add_note("**bold** thought", "a1", quote)
    assert free.item_id is None
    assert attached.item_title == "Title of a1"
    assert attached.quote == quote
    assert {n.id for n in library.userdata.notes()} == {free.id, attached.id}
    assert [n.id for n in library.userdata.notes("a1")] == [attached.id]
    assert library.userdata.update_note(free.id, "edited").body == "edited"
    library.userdata.delete_note(free.id)
    with pytest.raises(NoteNotFound):
        library.userdata.note(free.id)
    with pytest.raises(NoteNotFound):
        library.userdata.update_note(free.id, "x")


def test_note_on_unknown_item_is_refused(library: Library) -> None:
    with pytest.raises(ItemNotFound, match="missing"):
        library.userdata.add_note("x", "missing")
    assert library.userdata.notes() == []


def test_bookmarks(library: Library) -> None:
    library.content.apply([article("a1"), article("a2")])
    library.userdata.add_bookmark("a1")
    library.userdata.add_bookmark("a1")
    assert [b.item_id for b in library.userdata.bookmarks()] == ["a1"]
    assert library.userdata.is_bookmarked("a1")
    assert library.userdata.remove_bookmark("a1")
    assert not library.userdata.remove_bookmark("a1")
    with pytest.raises(ItemNotFound):
        library.userdata.add_bookmark("missing")


def test_positions_and_ticks(library: Library) -> None:
    library.content.apply([guidance("g1")])
    assert library.userdata.position("g1") is None
    library.userdata.set_position("g1", 0.25)
    library.userdata.set_position("g1", 0.5)
    assert library.userdata.position("g1") == 0.5
    with pytest.raises(ValueError, match="between 0 and 1"):
        library.userdata.set_position("g1", 1.5)
    library.userdata.set_tick("g1", "disk", True)
    library.userdata.set_tick("g1", "update", True)
    library.userdata.set_tick("g1", "update", False)
    assert library.userdata.ticks("g1") == {"disk"}


def test_clock_is_injected(library: Library) -> None:
    fixed = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    repo = UserDataRepository(library._conn, clock=lambda: fixed)
    assert repo.add_note("x").created == "2026-01-02T03:04:05+00:00"


def test_quote_is_found_again_after_the_article_changes() -> None:
    original = "The mission met officials. The mission noted progress in health care."
    quote = quote_of(original, "The mission noted")
    edited = "Introduction added.\n\nThe mission met officials.  The mission noted progress."
    span = locate(edited, quote)
    assert span is not None
    assert edited[span[0] : span[1]] == "The mission noted"
    reflowed = "The mission\nnoted progress"
    assert locate(reflowed, quote) == (0, len("The mission\nnoted"))
    assert locate("Completely rewritten.", quote) is None


def test_quote_context_picks_the_right_occurrence() -> None:
    text = "civil society here; and civil society there"
    quote = Quote("civil society", prefix="here; and ", suffix=" there")
    assert locate(text, quote) == (24, 37)
