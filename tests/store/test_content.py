"""The content repository: batches, filters, translations, and never touching user data."""

from __future__ import annotations

from datetime import date

import pytest

from factories import article, contact, guidance
from fieldreader.errors import LimitExceeded
from fieldreader.model import Item
from fieldreader.store import ApplyResult, ItemFilter, Library, content
from fieldreader.store.errors import FeedConflict


def test_apply_counts_and_roundtrips_every_kind(library: Library) -> None:
    items: list[Item] = [article("a1"), contact("c1"), guidance("g1")]
    assert library.content.apply(items) == ApplyResult(added=3)
    for item in items:
        assert library.content.get(item.id) == item
    assert library.content.apply(items) == ApplyResult(unchanged=3)
    changed = article("a1", title="A new title")
    assert library.content.apply([changed], ["c1", "missing"]) == ApplyResult(updated=1, removed=1)
    assert library.content.get("a1") == changed
    assert library.content.get("c1") is None


def test_a_failing_batch_changes_nothing(library: Library) -> None:
    library.content.apply([article("a1")])

    def batch() -> object:
        yield article("a2")
        yield article("a1", title="changed")
        raise RuntimeError("connection dropped mid-batch")

    with pytest.raises(RuntimeError):
        library.content.apply(batch())  # type: ignore[arg-type]
    assert library.content.get("a2") is None
    item = library.content.get("a1")
    assert item is not None
    assert item.title == "Title of a1"
    assert library.search("changed") == []


def test_a_batch_mixing_new_changed_unchanged_and_repeated_items(library: Library) -> None:
    """One call, as a sync's applier makes it: each item ends as if applied one at a time."""
    library.content.apply(
        [article("same", tags=("old",)), article("edited", tags=("old", "kept"))],
        feed="org",
        object_hashes={"same": "h-same-1", "edited": "h-edited-1"},
    )
    batch: list[Item] = [
        article("new", tags=("Monitoring", "Elections"), countries=("NI", "FJ")),
        article("same", tags=("old",)),
        article("edited", title="Edited", tags=("kept", "new-tag"), countries=("ZA",)),
        article("twice", title="First"),
        article("twice", title="Second"),
        article("twice", title="Second"),
    ]
    result = library.content.apply(
        batch,
        feed="org",
        object_hashes={"same": "h-same-2", "edited": "h-edited-2", "new": "h-new"},
    )
    assert result == ApplyResult(added=2, updated=2, unchanged=2)
    assert library.content.get("new") == batch[0]
    assert library.content.get("edited") == batch[2]
    assert library.content.get("twice") == batch[4]
    hashes = library.feeds.object_hashes("org")
    assert [hashes[i] for i in ("same", "edited", "new")] == [
        "h-same-2",  # unchanged content, verified from a new object
        "h-edited-2",
        "h-new",
    ]
    # Facets follow the new version: casefolded tags, old ones gone.
    assert dict(library.content.facet_values("tag")) == {
        "elections": 1, "kept": 1, "monitoring": 2, "new-tag": 1, "old": 1,
    }  # fmt: skip
    assert dict(library.content.facet_values("country")) == {"AF": 2, "FJ": 1, "NI": 1, "ZA": 1}
    assert [h.id for h in library.search("Edited")] == ["edited"]
    assert library.search("Second")[0].id == "twice"
    assert library.search("First") == []


def test_an_item_of_another_feed_stops_the_whole_batch(library: Library) -> None:
    library.content.apply([article("theirs")], feed="other")
    with pytest.raises(FeedConflict, match="'theirs' already belongs to feed 'other'"):
        library.content.apply([article("mine"), article("theirs", title="Taken")], feed="org")
    assert library.content.get("mine") is None
    theirs = library.content.get("theirs")
    assert theirs is not None
    assert theirs.title == "Title of theirs"
    library.content.apply([article("local")])
    with pytest.raises(FeedConflict, match="locally loaded content"):
        library.content.apply([article("local", title="Claimed")], feed="org")


def test_text_that_looks_like_numbers_or_json_stays_text(library: Library) -> None:
    """Rows travel to SQLite as JSON: what the item says must come back exactly."""
    odd = article(
        "odd",
        title="1234",
        summary='{"a": [1, 2]} \\ \u2066+27 11\u2069 "quoted" \U0001f4f0',
        body="null\n\ttrue\n",
        tags=("0", "[]"),
    )
    library.content.apply([odd])
    assert library.content.get("odd") == odd
    assert library.content.list_items()[0].title == "1234"


def test_filters(library: Library) -> None:
    library.content.apply(
        [
            article("en-old", published=date(2009, 1, 27), countries=("NI",), tags=("Mission",)),
            article("fr-new", lang="fr", published=date(2024, 5, 1), tags=("Droits",)),
            contact("c1"),
            guidance("g1"),
        ]
    )

    def ids(**kw: object) -> list[str]:
        return [s.id for s in library.content.list_items(ItemFilter(**kw))]  # type: ignore[arg-type]

    assert ids(kind="article") == ["fr-new", "en-old"]
    assert ids(lang="fr") == ["fr-new"]
    assert ids(country="ni") == ["en-old"]
    assert ids(tag="mission") == ["en-old"]
    assert ids(tag="MISSION", kind="article") == ["en-old"]
    assert ids(date_from=date(2010, 1, 1), kind="article") == ["fr-new"]
    assert ids(date_to=date(2010, 1, 1)) == ["en-old"]
    assert ids(kind="contact", lang="fr") == []
    assert library.content.count(ItemFilter(kind="guidance")) == 1
    assert ("fr", 1) in library.content.facet_values("lang")
    assert ("NI", 1) in library.content.facet_values("country")


def test_translations(library: Library) -> None:
    library.content.apply(
        [
            article("s-en", translation_group="s"),
            article("s-fr", lang="fr", translation_group="s"),
            article("s-ar", lang="ar", translation_group="s"),
            article("other"),
        ]
    )
    assert [t.lang for t in library.content.translations("s-en")] == ["ar", "fr"]
    assert library.content.translations("other") == []
    assert library.content.translations("missing") == []


def test_content_changes_never_touch_user_data(library: Library) -> None:
    library.content.apply([article("a1"), guidance("g1")])
    note = library.userdata.add_note("my thoughts", "a1")
    library.userdata.add_bookmark("a1")
    library.userdata.set_position("a1", 0.4)
    library.userdata.set_tick("g1", "disk", True)

    library.content.apply([article("a1", title="Renamed")])
    assert library.userdata.note(note.id).item_title == "Renamed"
    library.content.apply([], ["a1", "g1"])

    kept = library.userdata.note(note.id)
    assert kept.body == "my thoughts"
    assert kept.item_title == "Title of a1"  # the title when the note was written
    assert not kept.item_exists
    [mark] = library.userdata.bookmarks()
    assert (mark.item_id, mark.item_exists) == ("a1", False)
    assert library.userdata.position("a1") == 0.4
    assert library.userdata.ticks("g1") == {"disk"}


def test_huge_body_is_refused_before_storing(library: Library) -> None:
    huge = article("big", body="x" * (10 * 1024 * 1024))
    with pytest.raises(LimitExceeded, match="over the limit"):
        library.content.apply([article("ok"), huge])
    assert library.content.count() == 0


def test_resources_resolve_only_from_the_store(library: Library) -> None:
    with library.transaction():
        library.attachments.put("feed", "map.png", "h", b"\x89PNG")
    assert library.resource("res:media/map.png") == b"\x89PNG"
    assert library.resource("media/map.png") == b"\x89PNG"
    assert library.resource("res:media/missing.png") is None
    assert library.resource("res:../library.keys") is None
    assert library.resource("https://example.org/map.png") is None


def test_lists_newest_first_then_by_title_with_undated_items_last(library: Library) -> None:
    library.content.apply(
        [
            article("old", title="B old", published=date(2020, 1, 1)),
            article("new-b", title="B new", published=date(2024, 5, 1)),
            article("new-a", title="A new", published=date(2024, 5, 1)),
            article("undated", title="A undated", published=None),
        ]
    )
    ids = [s.id for s in library.content.list_items(ItemFilter(kind="article"))]
    assert ids == ["new-a", "new-b", "old", "undated"]
    assert [s.id for s in library.content.list_items(limit=2, offset=2)] == ["old", "undated"]


def test_a_page_of_a_section_is_read_through_the_date_index(library: Library) -> None:
    """No sort of the whole table: the statement list_items runs walks the date index."""
    conn = library.content._conn
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        library.content.list_items(ItemFilter(kind="article"), limit=200)
    finally:
        conn.set_trace_callback(None)
    query = next(s for s in statements if s.lstrip().upper().startswith("SELECT"))
    details = " ".join(str(row[-1]) for row in conn.execute("EXPLAIN QUERY PLAN " + query))
    assert "items_kind_date" in details
    assert "TEMP B-TREE FOR ORDER BY" not in details


def test_a_long_stream_of_items_is_applied_in_bounded_runs(library: Library) -> None:
    items = (article(f"s{n}", title=f"Stream {n}") for n in range(600))
    assert library.content.apply(items) == ApplyResult(added=600)
    assert library.content.count() == 600
    assert [s.title for s in library.content.list_items(limit=2)] == ["Stream 0", "Stream 1"]


def test_rows_too_long_for_one_statement_go_in_several(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Items near the size limits make long rows: a run is split so that no statement carries
    more than about _STATEMENT_CHARS of them (here made tiny), with the same result."""
    monkeypatch.setattr(content, "_STATEMENT_CHARS", 2_000)
    first = [article(f"b{n}", body="Long words. " * 100, tags=(f"T{n}",)) for n in range(30)]
    assert library.content.apply(first) == ApplyResult(added=30)
    second = [article(f"b{n}", title=f"Changed {n}", tags=("New",)) for n in range(30)]
    assert library.content.apply(second) == ApplyResult(updated=30)
    assert [library.content.get(f"b{n}") for n in range(30)] == second
    assert dict(library.content.facet_values("tag")) == {"new": 30}
    assert len(library.search("Changed", limit=50)) == 30
    assert library.search("Long") == []
