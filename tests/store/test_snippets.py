"""Snippets made in Python: folding lines up with the original, windows, highlights."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fieldreader.store.search import Term, parse_query
from fieldreader.store.snippets import Marks, fold, make_snippet

MARKS = Marks("[", "]", "…")


def snippet(text: str, query: str, width: int = 24) -> str:
    return make_snippet((text,), parse_query(query), MARKS, width)


@given(st.text(max_size=200))
def test_fold_keeps_length(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_fold_removes_case_and_diacritics() -> None:
    assert fold("Société Café NIÑO") == "societe cafe nino"


def test_highlights_words_phrases_and_prefixes_in_the_original_spelling() -> None:
    assert snippet("La Société civile au café.", "societe cafe") == (
        "La [Société] civile au [café]."
    )
    assert snippet("the civil society space", '"civil society"') == "the [civil society] space"
    assert snippet("national nationality nation", "natio*") == ("[national] [nationality] [nation]")
    assert snippet("unrelated words", "natio*") == "unrelated words"


def test_window_is_cut_around_the_first_match_with_ellipses() -> None:
    words = [f"w{i}" for i in range(200)]
    words[120] = "target"
    text = " ".join(words)
    result = snippet(text, "target", width=12)
    assert result.startswith("…")
    assert result.endswith("…")
    assert "[target]" in result
    assert len(result.split()) <= 14


def test_fields_are_tried_in_order() -> None:
    terms = parse_query("kabul")
    assert make_snippet(("no match here", "Office in Kabul"), terms, MARKS) == "Office in [Kabul]"
    assert make_snippet(("", "first words", "x"), parse_query("absent"), MARKS) == "first words"


def test_arabic_and_persian() -> None:
    assert snippet("تقرير عن حرية التعبير في البلاد", "التعبير") == (
        "تقرير عن حرية [التعبير] في البلاد"
    )
    assert "[" in snippet("گزارش درباره آزادی بیان", "آزادی")


def test_matches_deep_in_a_long_body_and_across_scan_steps_are_found() -> None:
    filler = "word " * 819  # 4,095 characters: the phrase straddles the first scan step
    text = filler + "civil society " + "more " * 10_000 + "late match"
    assert "[civil society]" in snippet(text, '"civil society"')
    assert "[late match]" in snippet(text, '"late match"')


def test_snippets_show_text_not_markdown_syntax() -> None:
    body = (
        "## Before you travel\n\n- [ ] Back up the **phone** {#backup}\n\n"
        "Read [the guide on phones](item:phone-guide) and `lock` it.\n"
    )
    snippet = make_snippet([body], [Term("phone")], MARKS)
    for syntax in ("**", "](", "[ ]", "{#", "`", "##"):
        assert syntax not in snippet
    assert "the guide on" in snippet
    assert "[phone]" in snippet
    emphasised = make_snippet(["la *Coordinadora Civil* y _otra_ red"], [Term("red")], MARKS)
    assert emphasised == "la Coordinadora Civil y otra [red]"


def test_snippet_cleaning_leaves_ordinary_symbols() -> None:
    snippet = make_snippet(["Costs 2 > 1 and a * b, C# too, 5 - 3."], [Term("costs")], MARKS)
    assert "2 > 1" in snippet
    assert "a * b" in snippet
    assert "C#" in snippet
