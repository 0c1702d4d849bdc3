"""Phone numbers in right-to-left text keep their order (a left-to-right isolate around them)."""

from __future__ import annotations

from fieldreader.render import render_markdown

LRI, PDI = "\u2066", "\u2069"


def test_phone_number_in_arabic_text_is_isolated() -> None:
    html = render_markdown("اتصل على +27 (0)11 833 5959 أو 0700-123-456.", "ar")
    assert f"{LRI}+27 (0)11 833 5959{PDI}" in html
    assert f"{LRI}0700-123-456{PDI}" in html


def test_short_numbers_and_left_to_right_text_are_left_alone() -> None:
    assert LRI not in render_markdown("في عام 2024 و 15 مايو.", "ar")
    assert LRI not in render_markdown("Call +27 (0)11 833 5959.", "en")


def test_links_keep_their_address() -> None:
    html = render_markdown("[رقم 011 833 5959](tel:+27118335959)", "fa")
    assert 'href="tel:+27118335959"' in html
