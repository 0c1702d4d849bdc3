"""Search: ranking, diacritics, snippets, filters, and any typed text being a valid query."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import FAST_KDF, PASSPHRASE, article, contact, guidance
from fieldreader.store import ItemFilter, Library, create_library
from fieldreader.store import search as search_module
from fieldreader.store.search import HIGHLIGHT_END, HIGHLIGHT_START, parse_query


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    lib = create_library(tmp_path_factory.mktemp("search") / "lib", PASSPHRASE, FAST_KDF)
    lib.content.apply(
        [
            article("title-hit", title="Surveillance of activists", body="Nothing else here."),
            article(
                "body-hit",
                title="A long report",
                body="Among many things, the report mentions surveillance once.",
            ),
            article(
                "cafe",
                lang="fr",
                title="Le café de la société civile",
                body="Réunion au café près du marché.",
                countries=("NI",),
                tags=("Droits",),
            ),
            article("ar", lang="ar", title="حرية التعبير", body="تقرير عن حرية التعبير والمراقبة."),
            article("phrase", title="Phrases", body="civil society space is shrinking fast"),
            article("scrambled", title="Scrambled", body="space civil is society shrinking"),
            contact("civicus", title="CIVICUS", phones=("+27 11 833 5959",)),
            guidance("g1", body="Keep the laptop encrypted.\n\n- [ ] Encrypt {#disk}\n"),
        ]
    )
    yield lib
    lib.close()


def ids(lib: Library, query: str, **filters: object) -> list[str]:
    return [h.id for h in lib.search(query, ItemFilter(**filters))]  # type: ignore[arg-type]


def test_title_matches_rank_above_body_matches(searchable: Library) -> None:
    assert ids(searchable, "surveillance") == ["title-hit", "body-hit"]


def test_diacritics_are_ignored_both_ways(searchable: Library) -> None:
    assert ids(searchable, "cafe societe") == ["cafe"]
    assert ids(searchable, "CAFÉ") == ["cafe"]
    assert ids(searchable, "reunion marche") == ["cafe"]


def test_prefix_and_phrase(searchable: Library) -> None:
    assert "title-hit" in ids(searchable, "surveil*")
    assert ids(searchable, '"civil society space"') == ["phrase"]
    assert set(ids(searchable, "civil society space")) == {"phrase", "scrambled"}


def test_arabic_and_contact_fields(searchable: Library) -> None:
    assert ids(searchable, "التعبير") == ["ar"]
    assert ids(searchable, "833") == ["civicus"]
    assert ids(searchable, "owl street") == ["civicus"]


def test_filters_combine_with_the_match(searchable: Library) -> None:
    assert ids(searchable, "cafe", lang="fr", country="NI", tag="droits") == ["cafe"]
    assert ids(searchable, "cafe", lang="en") == []
    assert ids(searchable, "encrypted", kind="guidance") == ["g1"]
    assert ids(searchable, "encrypted", kind="article") == []


def test_snippet_highlights_the_match(searchable: Library) -> None:
    [hit] = searchable.search("marche")
    assert f"{HIGHLIGHT_START}marché{HIGHLIGHT_END}" in hit.snippet
    assert "<mark>marché</mark>" in hit.snippet_html()
    assert "[marché]" in hit.snippet_text()


def test_snippet_html_escapes_content(tmp_path: Path) -> None:
    with create_library(tmp_path / "l", PASSPHRASE, FAST_KDF) as lib:
        lib.content.apply([article("x", body="<script>alert(1)</script> tyranny")])
        [hit] = lib.search("tyranny")
    assert "<script>" not in hit.snippet_html()
    assert "&lt;/script&gt;" in hit.snippet_html()


@pytest.mark.parametrize(
    "query",
    [
        '"unclosed',
        "AND",
        "OR",
        "NOT",
        "*",
        "NEAR(",
        "(((",
        ")))",
        "title:",
        "title:cafe",
        "-",
        "^",
        '""',
        '"',
        "a AND",
        "NEAR(a b, 3)",
        "{title}: x",
        "\x00",
        "   ",
        "",
        "café*",
        "'; DROP TABLE items; --",
        "x" * 10_000,
        "a " * 2_000,
    ],
)
def test_any_text_is_a_valid_query(searchable: Library, query: str) -> None:
    hits = searchable.search(query)
    assert isinstance(hits, list)


def test_operators_are_words_not_syntax(searchable: Library) -> None:
    # "title:cafe" is the phrase "title cafe", not a column filter; OR is a word that must match.
    assert ids(searchable, "title:cafe") == []
    assert ids(searchable, "cafe OR surveillance") == []
    assert ids(searchable, "NEAR(cafe") == []


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_hypothesis_queries_never_raise(searchable: Library, query: str) -> None:
    searchable.search(query)


@given(st.text(max_size=200))
def test_parse_query_terms_always_hold_a_token(query: str) -> None:
    for term in parse_query(query):
        assert any(ch.isalnum() for ch in term.text)


def test_ranking_considers_only_the_newest_matches_above_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A documented trade-off: very common words rank among the newest CANDIDATE_CAP matches."""
    with create_library(tmp_path / "l", PASSPHRASE, FAST_KDF) as lib:
        lib.content.apply([article("oldest", title="Curfew", body="curfew")])
        lib.content.apply([article(f"n{i}", title=f"Note {i}", body="curfew") for i in range(9)])
        assert lib.search("curfew")[0].id == "oldest"  # title match ranks first
        monkeypatch.setattr(search_module, "CANDIDATE_CAP", 3)
        hits = [h.id for h in lib.search("curfew")]
    assert "oldest" not in hits
    assert len(hits) == 3


def test_filtered_searches_keep_the_full_text_index_as_the_outer_loop(
    searchable: Library,
) -> None:
    """Otherwise SQLCipher's SQLite re-runs the match per item of the language (seconds)."""
    statements: list[str] = []
    conn = searchable._conn
    conn.set_trace_callback(statements.append)
    try:
        searchable.search("cafe", ItemFilter(lang="fr", kind="article"))
    finally:
        conn.set_trace_callback(None)
    matches = [s for s in statements if "MATCH" in s]
    assert matches
    for sql in matches:
        plan = conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        assert "VIRTUAL TABLE" in plan[0][3], plan


def test_a_very_common_phrase_comes_newest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with create_library(tmp_path / "l", PASSPHRASE, FAST_KDF) as lib:
        lib.content.apply([article(f"n{i}", body="civil society meets") for i in range(6)])
        monkeypatch.setattr(search_module, "CANDIDATE_CAP", 3)
        hits = [h.id for h in lib.search('"civil society"', limit=4)]
    assert hits == ["n5", "n4", "n3", "n2"]


@pytest.mark.parametrize("capped", [False, True])
def test_pages_follow_on_from_each_other(
    library: Library, monkeypatch: pytest.MonkeyPatch, capped: bool
) -> None:
    # Identical articles score the same: the order among them must not change between pages.
    library.content.apply([article(f"p{n:02}", body="the same field report") for n in range(50)])
    if capped:  # more matches than ranking considers, for a phrase: newest first
        monkeypatch.setattr(search_module, "CANDIDATE_CAP", 10)
    query = '"field report"' if capped else "field report"
    whole = [h.id for h in library.search(query, limit=50)]
    paged = [
        h.id for start in range(0, 50, 7) for h in library.search(query, limit=7, offset=start)
    ]

    assert paged == whole
    assert len(set(whole)) == 50
    assert library.search(query, offset=50) == []
    assert library.search(query, offset=-1) == []
