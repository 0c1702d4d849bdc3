"""The reader service: what the desktop UI shows, computed without Qt on a real library."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE, article, contact, guidance
from fieldreader.anchors import quote_of
from fieldreader.errors import FieldreaderError
from fieldreader.service import (
    ReaderService,
    Settings,
    contact_fields,
    create_reader,
    highlight_words,
    unlock_reader,
)
from fieldreader.store import ItemFilter, Library, WrongPassphrase, library_exists

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d494441"
    "54789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082"
)


@pytest.fixture
def service(library: Library) -> ReaderService:
    library.content.apply(
        [
            article("a1", title="Monitoring civic space", translation_group="g"),
            article("a1-fr", lang="fr", title="Suivi de l'espace civique", translation_group="g"),
            article("a2", lang="ar", title="رصد الفضاء المدني", countries=("BH",)),
            guidance("g1"),
            contact("c1"),
        ]
    )
    return ReaderService(library)


def test_overview_counts_and_facets(service: ReaderService) -> None:
    service.toggle_bookmark("a1")
    service.add_note("remember", "a2")
    overview = service.overview()
    assert overview.counts == {
        "article": 3,
        "guidance": 1,
        "contact": 1,
        "bookmarks": 1,
        "notes": 1,
    }
    assert ("ar", 1) in overview.languages
    assert ("BH", 1) in overview.countries


def test_sections_and_filters(service: ReaderService) -> None:
    assert {s.id for s in service.list_items("article")} == {"a1", "a1-fr", "a2"}
    assert [s.id for s in service.list_items("article", ItemFilter(lang="ar"))] == ["a2"]
    assert [s.id for s in service.list_items("contact")] == ["c1"]
    # A section's own kind wins over a kind in the filter.
    assert [s.id for s in service.list_items("guidance", ItemFilter(kind="article"))] == ["g1"]
    service.toggle_bookmark("a2")
    service.toggle_bookmark("c1")
    assert {s.id for s in service.list_items("bookmarks")} == {"a2", "c1"}
    assert [s.id for s in service.list_items("bookmarks", ItemFilter(lang="ar"))] == ["a2"]
    service.add_note("one", "a1")
    service.add_note("two", "a1")
    service.add_note("library-wide", None)
    assert [s.id for s in service.list_items("notes")] == ["a1"]


def test_open_gives_everything_the_reader_shows(service: ReaderService) -> None:
    page = service.open("a1", query='"civic space" monit*')
    assert "<p>" in page.html
    assert [t.lang for t in page.translations] == ["fr"]
    assert not page.bookmarked
    assert page.position is None
    assert page.highlight == ["civic", "space", "monit*"]
    assert not page.rtl
    assert service.open("a2").rtl
    assert 'dir="rtl"' in service.open("a2").html


def test_open_missing_item_is_a_clear_error(service: ReaderService) -> None:
    with pytest.raises(FieldreaderError, match="no longer in the library"):
        service.open("gone")


def test_page_carries_only_library_images(library: Library) -> None:
    data = PNG
    library.attachments.put("t", "map.png", hashlib.sha256(data).hexdigest(), data)
    body = "![map](media/map.png)\n\n![remote](https://example.org/x.png)\n\n![missing](media/no.png)\n"
    library.content.apply([article("img", body=body)])
    page = ReaderService(library).open("img")
    assert page.resources == {"res:media/map.png": data}
    assert "example.org" not in page.html


def test_checklist_ticks_and_progress(service: ReaderService) -> None:
    page = service.open("g1")
    assert (page.checklist_done, page.checklist_total) == (0, 2)
    page = service.toggle_step("g1", "disk")
    assert (page.checklist_done, page.checklist_total) == (1, 2)
    assert "\u2611" in page.html
    page = service.toggle_step("g1", "disk")
    assert page.checklist_done == 0
    with pytest.raises(FieldreaderError, match="checklist step"):
        service.toggle_step("g1", "not-a-step")
    with pytest.raises(FieldreaderError, match="checklist step"):
        service.toggle_step("a1", "disk")


def test_bookmark_toggle_and_position(service: ReaderService) -> None:
    assert service.toggle_bookmark("a1") is True
    assert service.open("a1").bookmarked
    assert service.toggle_bookmark("a1") is False
    service.set_position("a1", 0.4)
    assert service.open("a1").position == pytest.approx(0.4)
    service.set_position("a1", 7.0)  # a scroll bar can overshoot; kept within the page
    assert service.open("a1").position == 1.0


def test_notes_with_quotes(service: ReaderService) -> None:
    body = service.open("a1").item.body
    note = service.add_note("check this", "a1", quote_of(body, "civic space"))
    assert note.quote is not None
    assert note.quote.exact == "civic space"
    service.save_note(note.id, "checked")
    assert [n.body for n in service.open("a1").notes] == ["checked"]
    service.delete_note(note.id)
    assert service.notes("a1") == []


def test_settings_round_trip_and_damage(service: ReaderService) -> None:
    assert service.settings() == Settings()
    chosen = Settings(idle_lock_minutes=15, theme="dark", text_scale=1.5, auto_sync=True)
    service.save_settings(chosen)
    assert service.settings() == chosen
    for broken in ("{", "[]", '{"idle_lock_minutes": 0, "theme": "neon", "text_scale": 99}'):
        service.library.userdata.set_preference("ui-settings", broken)
        assert service.settings() == Settings()


def test_sync_without_profile_is_honest(service: ReaderService) -> None:
    status = service.sync_status()
    assert not status.configured
    assert status.problem is None


def test_highlight_words() -> None:
    assert highlight_words("") == []
    assert highlight_words("((( *") == []
    assert highlight_words('civic "peaceful assembly" prot*') == [
        "civic",
        "peaceful",
        "assembly",
        "prot*",
    ]


def test_contact_fields() -> None:
    fields = contact_fields(contact("c"))
    assert ("phone", "+27 11 833 5959") in fields
    assert ("signal", "+27 11 833 5959") in fields
    assert any(label == "address" for label, _ in fields)


def test_create_and_unlock_reader(tmp_path: Path) -> None:
    data_dir = tmp_path / "lib"
    steps: list[str] = []
    service, settings = create_reader(
        data_dir,
        PASSPHRASE,
        duress="a different duress phrase",
        wipe_after=5,
        start_with="empty",
        kdf=FAST_KDF,
        progress=lambda done, total, step: steps.append(step),
    )
    assert settings == Settings()
    assert steps[:2] == ["protect", "duress"]
    assert service.overview().counts["article"] == 0
    service.library.close()
    with pytest.raises(WrongPassphrase):
        unlock_reader(data_dir, "not it")
    service, _ = unlock_reader(data_dir, PASSPHRASE)
    assert not service.library.opened_under_duress
    service.library.close()
    service, _ = unlock_reader(data_dir, "a different duress phrase")
    assert service.library.opened_under_duress
    service.library.close()
    assert library_exists(data_dir)


def test_create_reader_with_the_sample(tmp_path: Path) -> None:
    phases: list[str] = []
    service, _ = create_reader(
        tmp_path / "lib",
        PASSPHRASE,
        kdf=FAST_KDF,
        progress=lambda done, total, step: phases.append(step),
    )
    assert service.overview().counts["article"] > 10
    assert "objects" in phases
    service.library.close()


def test_sections_come_in_pages(library: Library) -> None:
    library.content.apply([article(f"p{n:03}", title=f"Item {n:03}") for n in range(25)])
    service = ReaderService(library)
    first = service.list_items("article", limit=10)
    second = service.list_items("article", limit=10, offset=10)
    rest = service.list_items("article", limit=10, offset=20)
    assert [len(first), len(second), len(rest)] == [10, 10, 5]
    assert len({s.id for s in first + second + rest}) == 25
    for n in (3, 7, 11):
        service.toggle_bookmark(f"p{n:03}")
    assert len(service.list_items("bookmarks", limit=2)) == 2
    assert len(service.list_items("bookmarks", limit=2, offset=2)) == 1
