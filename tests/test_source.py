"""The publisher's source format: good files load, every bad one names the file and field."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from fieldreader.errors import ContentError, LimitExceeded
from fieldreader.model import Article, Contact, Guidance
from fieldreader.source import load_file, load_folder

ARTICLE = """---
id: nicaragua-mission-en
kind: article
lang: en
title: "Mission to Nicaragua"
summary: A fact-finding mission.
published: 2009-01-27
authors: [Editorial team]
source_url: https://example.org/nicaragua
tags: [mission, civic space]
countries: [NI]
translation_group: nicaragua-mission
---
# Findings

The mission met civil society groups in Managua.
"""

CONTACT = """id: civicus-jhb
kind: contact
lang: en
name: CIVICUS Johannesburg office
contact_type: organisation
phones: ["+27 (0)11 833 5959"]
addresses:
  - |
    25 Owl Street, 6th Floor
    Johannesburg
secure_channels:
  - {type: signal, value: "+27 11 833 5959"}
notes: |
  Call during office hours.
"""

GUIDANCE = """---
id: laptop-basics
kind: guidance
lang: en
title: Laptop basics
---
Steps:

- [ ] Encrypt the disk {#disk}
- [x] Update the system {#update}
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_each_kind_loads(tmp_path: Path) -> None:
    art = load_file(write(tmp_path, "a.md", ARTICLE))
    assert isinstance(art, Article)
    assert art.countries == ("NI",)
    assert art.body.startswith("# Findings")
    con = load_file(write(tmp_path, "c.yaml", CONTACT))
    assert isinstance(con, Contact)
    assert con.title == "CIVICUS Johannesburg office"
    assert con.addresses == ("25 Owl Street, 6th Floor\nJohannesburg",)
    assert con.body == "Call during office hours.\n"
    gui = load_file(write(tmp_path, "g.md", GUIDANCE))
    assert isinstance(gui, Guidance)
    assert [(c.id, c.text) for c in gui.checklist] == [
        ("disk", "Encrypt the disk"),
        ("update", "Update the system"),
    ]


BAD_ARTICLES = {
    "missing title": (ARTICLE.replace('title: "Mission to Nicaragua"\n', ""), "title", "required"),
    "title not text": (
        ARTICLE.replace('title: "Mission to Nicaragua"', "title: [a, b]"),
        "title",
        "expected text",
    ),
    "unknown field": (
        ARTICLE.replace("kind: article", "kind: article\ntittle: x"),
        "tittle",
        "unknown field",
    ),
    "bad date": (ARTICLE.replace("2009-01-27", "27/01/2009"), "published", "YYYY-MM-DD"),
    "bad kind": (ARTICLE.replace("kind: article", "kind: poem"), "kind", "one of"),
    "bad id": (ARTICLE.replace("id: nicaragua-mission-en", "id: ../etc/passwd"), "id", "must be"),
    "id with slash": (ARTICLE.replace("id: nicaragua-mission-en", "id: a/b"), "id", "must be"),
    "bad lang": (ARTICLE.replace("lang: en", "lang: English!"), "lang", "language tag"),
    "bad country": (ARTICLE.replace("[NI]", "[Nicaragua]"), "countries", "country code"),
    "tags not list": (
        ARTICLE.replace("tags: [mission, civic space]", "tags: mission"),
        "tags",
        "expected a list",
    ),
    "bad url": (
        ARTICLE.replace("https://example.org/nicaragua", "javascript:alert(1)"),
        "source_url",
        "http",
    ),
    "body field": (ARTICLE.replace("kind: article", "kind: article\nbody: x"), "body", "unknown"),
}


@pytest.mark.parametrize(("text", "field", "message"), BAD_ARTICLES.values(), ids=BAD_ARTICLES)
def test_bad_front_matter_names_file_and_field(
    tmp_path: Path, text: str, field: str, message: str
) -> None:
    with pytest.raises(ContentError, match=message) as caught:
        load_file(write(tmp_path, "articles/bad.md", text), "articles/bad.md")
    assert caught.value.field == field
    assert str(caught.value).startswith(f"articles/bad.md: field '{field}'")


BAD_FILES = {
    "no front matter": ("# Just markdown\n", "must start with"),
    "unclosed front matter": ("---\nid: x\nkind: article\n", "no closing"),
    "invalid yaml": ("---\nid: [unclosed\n---\nbody\n", "invalid YAML"),
    "yaml list": ("---\n- a\n- b\n---\nbody\n", "mapping"),
    "yaml alias bomb": (
        "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: [*b, *b, *b, *b, *b, *b, *b, *b]\n---\nbody\n",
        "aliases",
    ),
}


@pytest.mark.parametrize(("text", "message"), BAD_FILES.values(), ids=BAD_FILES)
def test_broken_files_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ContentError, match=message) as caught:
        load_file(write(tmp_path, "x.md", text))
    assert str(caught.value).startswith("x.md")


def test_invalid_utf8_names_the_byte(tmp_path: Path) -> None:
    data = ARTICLE.encode().replace(b"Managua", b"Mana\xffgua")
    with pytest.raises(ContentError, match=r"not valid UTF-8 \(byte \d+\)"):
        load_file(write(tmp_path, "a.md", data))


def test_checklist_step_without_id_names_the_line(tmp_path: Path) -> None:
    text = GUIDANCE.replace("- [x] Update the system {#update}", "- [ ] Update the system")
    with pytest.raises(ContentError, match=r"line 4: checklist step has no \{#id\}"):
        load_file(write(tmp_path, "g.md", text))
    repeated = GUIDANCE.replace("{#update}", "{#disk}")
    with pytest.raises(ContentError, match="repeats"):
        load_file(write(tmp_path, "g.md", repeated))


def test_contact_fields_are_named_as_written(tmp_path: Path) -> None:
    nameless = CONTACT.replace("name: CIVICUS Johannesburg office\n", "")
    with pytest.raises(ContentError) as caught:
        load_file(write(tmp_path, "c.yaml", nameless))
    assert caught.value.field == "name"
    with pytest.raises(ContentError, match="exactly 'type' and 'value'"):
        load_file(write(tmp_path, "c.yaml", CONTACT.replace("{type: signal, ", "{kind: signal, ")))
    with pytest.raises(ContentError, match="contact_type"):
        load_file(write(tmp_path, "c.yaml", CONTACT.replace("organisation\n", "company\n", 1)))


def test_huge_body_is_refused(tmp_path: Path) -> None:
    text = ARTICLE + ("word " * 600_000)
    with pytest.raises((ContentError, LimitExceeded), match="over"):
        load_file(write(tmp_path, "big.md", text))


def test_folder_rejects_duplicate_ids_and_skips_drafts(tmp_path: Path) -> None:
    write(tmp_path, "articles/a.md", ARTICLE)
    write(tmp_path, "articles/_draft.md", "not even front matter")
    write(tmp_path, ".git/x.md", "ignored")
    assert [i.id for i in load_folder(tmp_path)] == ["nicaragua-mission-en"]
    write(tmp_path, "articles/b.md", ARTICLE)
    with pytest.raises(ContentError, match=r"already used by articles/a\.md"):
        load_folder(tmp_path)


def test_the_shipped_sample_library_is_valid_and_complete() -> None:
    with resources.as_file(resources.files("fieldreader") / "resources" / "sample") as root:
        items = load_folder(Path(root))
    by_kind: dict[str, list[object]] = {"article": [], "contact": [], "guidance": []}
    for item in items:
        by_kind[item.kind].append(item)
    articles = [i for i in items if isinstance(i, Article)]
    assert len(articles) >= 24
    assert len(by_kind["contact"]) >= 12
    guidance = [i for i in items if isinstance(i, Guidance)]
    assert len(guidance) >= 8
    assert all(g.checklist for g in guidance)
    assert {a.lang for a in articles} >= {"en", "fr", "es", "ar", "fa"}
    groups: dict[str, set[str]] = {}
    for a in articles:
        if a.translation_group:
            groups.setdefault(a.translation_group, set()).add(a.lang)
    assert sum(1 for langs in groups.values() if len(langs) >= 2) >= 3


def test_control_characters_are_refused(tmp_path: Path) -> None:
    hidden = ARTICLE.replace('title: "Mission to Nicaragua"', 'title: "Mission\\e]52;c;eA==\\a"')
    with pytest.raises(ContentError, match="control character U\\+001B") as caught:
        load_file(write(tmp_path, "a.md", hidden))
    assert caught.value.field == "title"
