"""Rendering publisher Markdown: what readers see, and what a hostile item cannot do.

The inertness checks parse the output with the standard library's HTML parser and look at real
attributes, independently of the package's own address checks, so a bug there cannot hide itself.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldreader.errors import LimitExceeded
from fieldreader.model import DEFAULT_LIMITS, ContentLimits
from fieldreader.render import (
    CHECKED_BOX,
    CHECKLIST_LINE,
    UNCHECKED_BOX,
    Link,
    classify_link,
    render_markdown,
)

ALLOWED_TAGS = {
    *("div", "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre"),
    *("blockquote", "ul", "ol", "li", "a", "img", "span", "s"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
ALLOWED_ATTRIBUTES = {
    *("href", "title", "alt", "src", "class", "rel", "id", "dir", "lang", "align", "start"),
    *("colspan", "rowspan"),
}
ALLOWED_HREF_PREFIXES = ("http://", "https://", "mailto:", "tel:", "item:", "check:", "#")
FORBIDDEN_VALUE_PARTS = (
    "javascript:",
    "vbscript:",
    "data:",
    "file:",
    "url(",
    "\\\\",
    "expression(",
)
FORBIDDEN_TAG_OPENINGS = (
    *("<script", "<style", "<iframe", "<object", "<embed", "<link", "<meta"),
    *("<base", "<svg", "<math", "<form", "<input", "<video", "<audio"),
)

ARABIC = "الحماية الرقمية للمدافعين عن حقوق الإنسان"
PERSIAN = "امنیت دیجیتال برای مدافعان حقوق بشر"


class _Page(HTMLParser):
    """Collects every start tag with its (entity-decoded) attributes, and the visible text."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def values(self, name: str) -> list[str]:
        return [value or "" for _, attrs in self.elements for key, value in attrs if key == name]

    def visible_text(self) -> str:
        return "".join(self.text)


def assert_inert(markup: str) -> _Page:
    """Fail unless ``markup`` can neither load, run nor disguise anything."""
    lowered = markup.lower()
    for opening in FORBIDDEN_TAG_OPENINGS:
        assert opening not in lowered, opening
    # Every "<" the sanitiser writes is a real tag (text is escaped), so inspect each tag as
    # written, minus its quoted values (a title may well say "onclick=").
    for written in re.findall(r"<[^>]*>", markup):
        tag = re.sub(r'"[^"]*"', '""', written)
        assert not re.search(r"\son\w+\s*=", tag, re.IGNORECASE), tag
        assert not re.search(r"\s(style|srcset|poster|background|ping)\s*=", tag, re.I), tag
    page = _Page(markup)
    for tag, attrs in page.elements:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES, (tag, name)
            assert not name.startswith("on"), name
            squeezed = re.sub(r"[\s\x00-\x1f]+", "", value or "").lower()
            for part in FORBIDDEN_VALUE_PARTS:
                assert part not in squeezed, (tag, name, value)
    for src in page.values("src"):
        assert src.startswith("res:"), src
        assert "//" not in src, src
        assert ".." not in src.split("/"), src
    for href in page.values("href"):
        assert href.startswith(ALLOWED_HREF_PREFIXES), href
        assert not href.startswith("//"), href
    return page


# --- good paths ---------------------------------------------------------------------------------


def test_headings_emphasis_and_code() -> None:
    html = render_markdown("# Title\n\n## Part\n\nSome *emphasis*, **strong** and `code`.", "en")
    assert "<h1>Title</h1>" in html
    assert "<h2>Part</h2>" in html
    assert "<em>emphasis</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<code>code</code>" in html
    assert_inert(html)


def test_lists_and_sane_list_numbering() -> None:
    html = render_markdown("- one\n- two\n\n3. three\n4. four\n", "en")
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<ol start="3">' in html
    assert_inert(html)


def test_table_keeps_alignment_as_attribute_not_style() -> None:
    html = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n", "en")
    assert '<th align="left">a</th>' in html
    assert '<td align="center">2</td>' in html
    assert '<td align="right">3</td>' in html
    assert "style" not in html
    assert_inert(html)


def test_fenced_code_is_escaped_and_loses_its_attributes() -> None:
    html = render_markdown('```python\nprint("<b>hi</b>")\n```\n', "en")
    assert '<pre><code>print("&lt;b&gt;hi&lt;/b&gt;")\n</code></pre>' in html
    assert_inert(html)


def test_external_link_keeps_full_address_and_is_marked() -> None:
    address = "https://example.org/news/afghan-witness?lang=en&page=2#top"
    page = assert_inert(render_markdown(f'[report]({address} "The report")', "en"))
    links = [dict(attrs) for tag, attrs in page.elements if tag == "a"]
    assert links == [
        {
            "class": "external",
            "href": address,
            "title": "The report",
            "rel": "noopener noreferrer",
        }
    ]


@pytest.mark.parametrize(
    "address",
    ["http://example.org/", "mailto:contact@example.org", "tel:+1-202-555-0143", "HTTPS://EX.ORG"],
)
def test_other_external_forms_are_kept(address: str) -> None:
    page = assert_inert(render_markdown(f"[x]({address})", "en"))
    assert page.values("class") == ["external"]
    [href] = page.values("href")
    assert href.lower() == address.lower()


def test_autolinks_become_external_links() -> None:
    page = assert_inert(render_markdown("<https://example.org/a> <contact@example.org>", "en"))
    assert page.values("href") == ["https://example.org/a", "mailto:contact@example.org"]
    assert page.values("class") == ["external", "external"]


def test_item_link_is_internal() -> None:
    page = assert_inert(render_markdown("See [the lesson](item:digital-security-basics).", "en"))
    assert page.values("href") == ["item:digital-security-basics"]
    assert page.values("class") == ["internal"]


def test_fragment_link_is_kept_without_class() -> None:
    page = assert_inert(render_markdown("[back to step](#check-disk-encryption)", "en"))
    assert page.values("href") == ["#check-disk-encryption"]
    assert page.values("class") == []


def test_res_image_is_kept() -> None:
    page = assert_inert(render_markdown('![A map](res:media/map.png "Map")', "en"))
    assert [dict(a) for t, a in page.elements if t == "img"] == [
        {"alt": "A map", "src": "res:media/map.png", "title": "Map"}
    ]


def test_relative_media_image_becomes_res() -> None:
    page = assert_inert(render_markdown("![photo](media/photo.jpg)", "en"))
    assert page.values("src") == ["res:media/photo.jpg"]


def test_image_path_is_percent_encoded_once() -> None:
    page = assert_inert(render_markdown("![a](media/my%20photo.jpg) ![b](<media/ç a.png>)", "en"))
    assert page.values("src") == ["res:media/my%20photo.jpg", "res:media/%C3%A7%20a.png"]


def test_strikethrough_is_kept() -> None:
    html = render_markdown("~~Use SMS codes~~ Use an authenticator app.", "en")
    assert "<s>Use SMS codes</s> Use an authenticator app." in html
    assert_inert(html)


def test_entities_still_work_and_raw_html_is_text() -> None:
    page = assert_inert(render_markdown("Tom &amp; Jerry &copy; <b>bold</b> & more", "en"))
    assert page.visible_text().strip() == "Tom & Jerry © <b>bold</b> & more"
    assert [tag for tag, _ in page.elements] == ["div", "p"]


# --- checklists ---------------------------------------------------------------------------------

LESSON = """\
Before you travel:

- [ ] Turn on full-disk **encryption** {#disk-encryption}
- [x] Write the passphrase nowhere near the laptop {#passphrase-apart}
- an ordinary point
"""


def test_checklist_unticked_steps() -> None:
    html = render_markdown(LESSON, "en")
    page = assert_inert(html)
    checks = [dict(a) for t, a in page.elements if t == "a"]
    assert [c["href"] for c in checks] == ["check:disk-encryption", "check:passphrase-apart"]
    assert all(c["class"] == "check" for c in checks)
    assert [c["id"] for c in checks] == ["check-disk-encryption", "check-passphrase-apart"]
    # The publisher's "[x]" does not tick anything: ticks are the reader's own.
    assert html.count(UNCHECKED_BOX) == 2
    assert CHECKED_BOX not in html
    assert "{#" not in html
    assert "[ ]" not in html
    assert "[x]" not in html
    assert "<strong>encryption</strong>" in html
    assert "<li>an ordinary point</li>" in html


def test_checklist_ticked_step() -> None:
    html = render_markdown(LESSON, "en", ticked={"passphrase-apart"})
    assert_inert(html)
    assert (
        '<li class="checklist-item ticked"><a class="check" href="check:passphrase-apart"' in html
    )
    assert f">{CHECKED_BOX}</a> Write the passphrase nowhere near the laptop</li>" in html
    assert f">{UNCHECKED_BOX}</a> Turn on full-disk <strong>encryption</strong></li>" in html


def test_checklist_in_loose_list_and_with_nested_list() -> None:
    text = "- [ ] First {#first}\n\n- [ ] Second {#second}\n    - detail\n"
    page = assert_inert(render_markdown(text, "en", ticked=frozenset({"second"})))
    assert page.values("href") == ["check:first", "check:second"]
    assert "detail" in page.visible_text()
    assert "{#" not in page.visible_text()


def test_step_without_valid_id_is_not_a_checkbox() -> None:
    html = render_markdown("- [ ] no id\n- [ ] bad id {#Bad..Id}\n", "en")
    assert "check:" not in html
    assert UNCHECKED_BOX not in html


def test_author_cannot_fake_a_checkbox_link() -> None:
    page = assert_inert(render_markdown("[tick me](check:disk-encryption)", "en"))
    assert page.values("href") == []
    assert page.values("class") == ["blocked-link"]


@pytest.mark.parametrize(
    ("line", "step_id"),
    [
        ("- [ ] Turn on full-disk encryption {#disk-encryption}", "disk-encryption"),
        ("* [x] Done already {#done}", "done"),
        ("+ [X] Upper-case tick   {#step.2}  ", "step.2"),
        ("  - [ ] Indented {#a_b}", "a_b"),
        ("- [ ] {#empty-text}", "empty-text"),
    ],
)
def test_checklist_line_regex_agrees_with_renderer(line: str, step_id: str) -> None:
    match = CHECKLIST_LINE.match(line)
    assert match is not None
    assert match["id"] == step_id
    assert render_markdown(line, "en").count(f'href="check:{step_id}"') == 1


@pytest.mark.parametrize(
    "line",
    ["- [] x {#a}", "- [ ]x {#a}", "- [ ] x {#A}", "- [ ] x {# a}", "1. [ ] x {#a}", "- [ ] x"],
)
def test_checklist_line_regex_rejects(line: str) -> None:
    assert CHECKLIST_LINE.match(line) is None


# --- direction and language ---------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "text"), [("ar", ARABIC), ("fa", PERSIAN), ("ps", "سلام")])
def test_right_to_left_languages(lang: str, text: str) -> None:
    html = render_markdown(f"# {text}\n\n{text} [{text}](item:x)", lang)
    assert html.startswith(f'<div dir="rtl" lang="{lang}">')
    assert f"<h1>{text}</h1>" in html
    assert_inert(html)


@pytest.mark.parametrize("lang", ["en", "fr", "pt-BR", "zh-Hant"])
def test_left_to_right_languages(lang: str) -> None:
    assert render_markdown("Bonjour", lang).startswith(f'<div dir="ltr" lang="{lang}">')


@pytest.mark.parametrize("lang", ["", "EN", "ar\u202e", 'en" onmouseover="x', "x" * 40])
def test_invalid_language_is_undetermined(lang: str) -> None:
    html = render_markdown("text", lang)
    assert html.startswith('<div dir="ltr" lang="und">')
    assert_inert(html)


def test_mixed_direction_text_in_persian_lesson() -> None:
    text = f"{PERSIAN}\n\n- [ ] {PERSIAN} Signal {{#use-signal}}\n"
    html = render_markdown(text, "fa", ticked=["use-signal"])
    assert html.startswith('<div dir="rtl" lang="fa">')
    assert f"{CHECKED_BOX}</a> {PERSIAN} Signal</li>" in html


# --- size limits and odd input -------------------------------------------------------------------


def test_ten_megabytes_is_refused_before_parsing() -> None:
    body = "a" * (10 * 1024 * 1024)
    with pytest.raises(LimitExceeded, match=r"10,485,760 bytes, over the limit of 524,288"):
        render_markdown(body, "en")


def test_limit_counts_utf8_bytes_not_characters() -> None:
    limits = ContentLimits(max_body_bytes=4096)
    just_fits = "ب" * 2048  # 2 bytes each in UTF-8
    assert "ب" in render_markdown(just_fits, "ar", limits=limits)
    with pytest.raises(LimitExceeded, match="4,098 bytes"):
        render_markdown(just_fits + "ب", "ar", limits=limits)


@pytest.mark.slow
def test_body_just_under_default_limit_renders() -> None:
    paragraph = (
        f"Field staff *should* read [the guide](https://example.org/guide) and "
        f"![map](media/map.png) `code` — {ARABIC} {PERSIAN}.\n\n"
    )
    count = DEFAULT_LIMITS.max_body_bytes // len(paragraph.encode())
    body = paragraph * count
    assert len(body.encode()) <= DEFAULT_LIMITS.max_body_bytes
    html = render_markdown(body, "fa")
    assert html.count('src="res:media/map.png"') == count
    assert html.count('class="external"') == count


def test_too_deep_nesting_is_a_clear_error_not_a_crash() -> None:
    body = "".join("    " * depth + "- level\n" for depth in range(400))
    with pytest.raises(LimitExceeded, match="too deeply"):
        render_markdown(body, "en")


def test_realistic_nesting_renders_in_full() -> None:
    lists = "".join("  " * depth + f"- level {depth}\n" for depth in range(8))
    html = render_markdown(lists + "\n" + "> " * 16 + "deep quote\n", "en")
    assert html.count("<ul>") == 8
    assert "level 7" in html
    assert html.count("<blockquote>") == 16
    assert "deep quote" in html


@pytest.mark.parametrize("opener", ["> ", "- ", "1. ", "> - ", "* > "])
def test_nesting_is_shown_in_full_or_refused_never_cut(opener: str) -> None:
    for depth in range(1, 40):
        text = opener * depth + "innermost words\n\nafter"
        try:
            html = render_markdown(text, "en")
        except LimitExceeded:
            assert depth > 4, depth
            continue
        assert "innermost words" in html, depth
        assert "after" in html, depth


# Inputs that make naive Markdown parsers quadratic or deeply recursive; each is either displayed
# or refused as too deep. Their run times are measured by hand: tests never assert wall-clock time.
PATHOLOGICAL = {
    "8 KB of [": ("[" * 8 * 1024, "renders"),
    "56 KB of ![a](b ": ("![a](b " * 8 * 1024, "renders"),
    "32 KB of ``a` ": ("``a` " * 6_554, "renders"),
    "nested links": ("[" * 5_000 + "x" + "](y)" * 5_000, "renders"),
    "nested emphasis": ("*" * 10_000 + "x" + "*" * 10_000, "renders"),
    "400 nested lists, one per line": (
        "".join("    " * depth + "- level\n" for depth in range(400)),
        "too deep",
    ),
    "10,000 nested lists on one line": ("- " * 10_000 + "x", "too deep"),
    "10,000 nested quotes": (">" * 10_000 + " x", "too deep"),
    "5,000 quoted lists": ("> - " * 5_000 + "x", "too deep"),
}


@pytest.mark.parametrize(("text", "outcome"), PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_input_renders_or_is_refused(text: str, outcome: str) -> None:
    if outcome == "too deep":
        with pytest.raises(LimitExceeded, match="too deeply"):
            render_markdown(text, "en")
        return
    page = assert_inert(render_markdown(text, "en"))
    assert page.visible_text().strip()


def test_brackets_are_shown_not_lost() -> None:
    text = "[" * 8 * 1024
    assert _Page(render_markdown(text, "en")).visible_text().strip() == text


def test_lone_surrogates_do_not_crash() -> None:
    html = render_markdown("a\ud800b \udfff [x](https://example.org/\udc80)", "en")
    assert "a\ufffdb \ufffd" in html
    assert "\ud800" not in html
    assert_inert(html)


def test_surrogate_pairs_are_joined() -> None:
    assert "\U0001f600" in render_markdown("smile \ud83d\ude00", "en")


def test_control_characters_and_nul() -> None:
    assert_inert(render_markdown("a\x00b\x01\x02wzxhzdk:0\x03\x0b\x1b[31m\u202e", "en"))


def test_ticked_must_not_be_a_single_string() -> None:
    with pytest.raises(TypeError):
        render_markdown("x", "en", ticked="disk-encryption")


# --- hostile input ------------------------------------------------------------------------------

HOSTILE = [
    # Raw HTML in every shape: must come out as text.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<img src="http://evil.example/track.png">',
    '<img srcset="http://evil.example/a.png 1x">',
    "<style>body{background:url(http://evil.example/)}</style>",
    '<div style="background-image:url(http://evil.example/)">x</div>',
    '<iframe src="http://evil.example/"></iframe>',
    '<meta http-equiv="refresh" content="0;url=http://evil.example/">',
    '<base href="http://evil.example/">',
    "<link rel=stylesheet href=http://evil.example/x.css>",
    '<object data="http://evil.example/x.swf"></object>',
    "<embed src=http://evil.example/x>",
    "<video poster=http://evil.example/p.png></video>",
    '<table background="http://evil.example/bg.png"><tr><td>x</td></tr></table>',
    '<a href="http://evil.example/" ping="http://evil.example/ping">x</a>',
    "<svg onload=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<form action=http://evil.example/><input type=image src=http://evil.example/></form>",
    "<details open ontoggle=alert(1)>",
    "<!-- <img src=http://evil.example/> -->",
    "<div>\n<img src=http://evil.example/a.png>\n</div>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\x00<script>alert(1)</script>",
    # Remote and local-file images in Markdown.
    "![x](http://evil.example/a.png)",
    "![x](https://evil.example/a.png)",
    "![x](HTTPS://EVIL.EXAMPLE/a.png)",
    "![x](//evil.example/a.png)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](file:///etc/passwd)",
    r"![x](\\server\share\a.png)",
    r"![x](\\\\server\\share\\a.png)",
    "![x](javascript:alert(1))",
    "![x](../../secret.png)",
    "![x](/etc/passwd)",
    "![x](media/../../x.png)",
    "![x](media/%2e%2e/%2e%2e/x.png)",
    "![x](media//x.png)",
    "![x](C:/Windows/x.png)",
    "![x](res:../x.png)",
    "![x](res://evil.example/x.png)",
    "![x](res:/etc/passwd)",
    "![x](&#104;ttp://evil.example/a.png)",
    '![x](media/a.png "t" onerror=alert(1))',
    "![x][img]\n\n[img]: http://evil.example/a.png",
    "![x]\n\n[x]: //evil.example/a.png",
    # Links that must not survive.
    "[x](javascript:alert(1))",
    "[x](  JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](java\nscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "[x](//evil.example/path)",
    r"[x](\\server\share)",
    "[x](relative/path.html)",
    "[x](/absolute)",
    "[x](https://trusted.example@evil.example/)",
    "[x](https://example.org/\u202egpj.exe)",
    "[x](https://example.org/\u200b)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x]\n\n[x]: javascript:alert(1)",
    '[x][r]\n\n[r]: https://ok.example "t" onclick=alert(1)',
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<file:///etc/passwd>",
    # Nesting and quoting tricks.
    "[[x](javascript:alert(1))](https://ok.example/)",
    "[![x](http://evil.example/a.png)](javascript:alert(1))",
    "[x](https://ok.example/)(javascript:alert(1))",
    "[a [b] c](javascript:alert(1))",
    '[x](https://ok.example/ "a" onmouseover="alert(1)")',
    '[x](https://ok.example/"onmouseover="alert(1))',
    "[x](https://ok.example/'><script>alert(1)</script>)",
    "[<img src=x onerror=alert(1)>](https://ok.example/)",
    "[x](https://ok.example/ 'it''s')",
    # Code spans and blocks.
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "```{ .x #y onclick=alert(1) }\ncode\n```",
    "~~~ html\n<iframe src=//evil.example/>\n~~~",
    "    <script>alert(1)</script>",
    # Inside checklist steps and tables.
    "- [ ] step <img src=x onerror=alert(1)> {#a}",
    "- [ ] [x](javascript:alert(1)) {#b}",
    "- [ ] ![x](http://evil.example/a.png) {#c}",
    "| a |\n|---|\n| ![x](http://evil.example/a.png) [y](javascript:alert(1)) |",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_inert(text: str) -> None:
    assert_inert(render_markdown(text, "en"))
    assert_inert(render_markdown(text, "ar", ticked={"a", "b", "c"}))


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<iframe src="http://evil.example/"></iframe>',
        "<base href=http://evil.example/>",
    ],
)
def test_raw_html_is_shown_as_text(text: str) -> None:
    page = assert_inert(render_markdown(text, "en"))
    assert page.visible_text().strip() == text


@pytest.mark.parametrize(
    "text",
    [
        "![logo](http://evil.example/a.png)",
        "![logo](//evil.example/a.png)",
        "![logo](data:image/png;base64,iVBORw0KGgo=)",
        "![logo](file:///etc/passwd)",
        r"![logo](\\server\share\a.png)",
    ],
)
def test_blocked_image_becomes_placeholder(text: str) -> None:
    html = render_markdown(text, "en")
    assert '<span class="blocked-image">[image not shown: logo]</span>' in html
    assert "<img" not in html
    assert "evil" not in html
    assert "etc/passwd" not in html


@pytest.mark.parametrize(
    "text",
    [
        "[click](https://example.org/\u202egpj.exe)",
        "[click](https://example.org/\u200b)",
        "[click](<https://ex ample.org/>)",
        "[click][r]\n\n[r]: https://example.org/\u2066",
    ],
)
def test_link_address_is_checked_as_written(text: str) -> None:
    # Not percent-encoded first: that would hide a bidi control or an invisible character
    # from the check, and the address the reader confirms would differ from the one written.
    page = assert_inert(render_markdown(text, "en"))
    assert page.values("href") == []
    assert page.values("class") == ["blocked-link"]
    assert page.visible_text().strip() == "click"


def test_blocked_image_without_alt() -> None:
    assert "[image not shown]</span>" in render_markdown("![](http://evil.example/a.png)", "en")


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](  JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](//evil.example/)",
        "[click](relative.html)",
    ],
)
def test_blocked_link_keeps_its_words(text: str) -> None:
    page = assert_inert(render_markdown(text, "en"))
    assert page.values("href") == []
    assert page.values("class") == ["blocked-link"]
    assert page.visible_text().strip() == "click"


# --- the address checks on their own ------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        (
            "https://example.org/a",
            Link("external", "https://example.org/a", "https://example.org/a"),
        ),
        ("HTTP://example.org", Link("external", "http://example.org", "http://example.org")),
        ("mailto:a@example.org", Link("external", "mailto:a@example.org", "mailto:a@example.org")),
        ("item:some-id", Link("internal", "some-id", "item:some-id")),
        ("check:step-1", Link("check", "step-1", "check:step-1")),
        ("#check-step-1", Link("fragment", "check-step-1", "#check-step-1")),
    ],
)
def test_classify_link_accepts(href: str, expected: Link) -> None:
    assert classify_link(href) == expected


@pytest.mark.parametrize(
    "href",
    [
        "",
        "javascript:alert(1)",
        " https://example.org",
        "https://",
        "https:example.org",
        "https://a b.example",
        "item:../etc",
        "item:Upper",
        "ITEM:x",
        "check:",
        "#",
        "tel:call-me",
        "https://example.org/" + "a" * 3000,
    ],
)
def test_classify_link_refuses(href: str) -> None:
    assert classify_link(href) is None


# --- properties ---------------------------------------------------------------------------------

_MARKDOWN_PIECES = [
    "[",
    "]",
    "(",
    ")",
    "![",
    "<",
    ">",
    "&",
    "#",
    ";",
    "\\",
    "`",
    "*",
    "_",
    "\n",
    "\n\n",
    "    ",
    "- [ ] ",
    " {#step}",
    "| a |\n|---|\n",
    "```\n",
    '"',
    "'",
    ":",
    "//",
    "javascript:",
    "JaVa\tScRiPt:",
    "&#106;",
    "&#x3A;",
    "http://evil.example/",
    "https://ok.example/",
    "data:text/html,",
    "file:///",
    "\\\\server\\share",
    "media/a.png",
    "res:",
    "item:",
    "check:",
    "mailto:",
    "<script>",
    "<img src=x onerror=alert(1)>",
    " onerror=",
    "style=",
    "\x00",
    "\u202e",
]

_markdownish = st.lists(st.sampled_from(_MARKDOWN_PIECES) | st.text(max_size=4), max_size=40).map(
    "".join
)


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_any_text_renders_inert(text: str) -> None:
    assert_inert(render_markdown(text, "en"))


@settings(max_examples=500, deadline=None)
@given(text=_markdownish, lang=st.sampled_from(["en", "ar", "fa", "nonsense"]))
def test_any_markdownish_text_renders_inert(text: str, lang: str) -> None:
    assert_inert(render_markdown(text, lang, ticked={"step"}))


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters() | st.integers(0xD800, 0xDFFF).map(chr)))
def test_any_code_points_including_surrogates_render(text: str) -> None:
    assert_inert(render_markdown(text, "en"))
