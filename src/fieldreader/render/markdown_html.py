"""Publisher Markdown to HTML that the reader can show without risk.

A hostile or compromised feed must not be able to make the reader fetch anything (a remote image
is enough to reveal that someone opened an article, and from where), run script, disguise where
a link leads, or stall the reader. Two independent layers enforce this:

1. Markdown is parsed by markdown-it-py (CommonMark, whose parser stays linear on inputs such as
   thousands of ``[``) with raw HTML switched off, and every token of the result is rewritten to
   a small allow-list: library images become ``res:`` addresses, other images become an inert
   placeholder, links keep only addresses the UI knows how to handle (and must confirm).
2. The serialised HTML goes through nh3 with explicit tag, attribute and scheme allow-lists, so a
   mistake in layer 1 (or in markdown-it-py) still cannot reach the widget.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Final

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from fieldreader.errors import LimitExceeded
from fieldreader.model import DEFAULT_LIMITS, LANG_PATTERN, ContentLimits, is_rtl, is_valid_id
from fieldreader.render.links import CHECK_SCHEME, classify_link, resource_src

_BOX = r"\[( |x|X)\]"
_ID_MARKER = r"\s*\{#(?P<id>[a-z0-9][a-z0-9._-]*)\}"

#: One tickable step of a guidance lesson, as a line of the Markdown source. Shared with the
#: publisher's source parser so that what it records as steps and what is drawn as steps agree.
#: The ``id`` group is only a candidate: check it with :func:`fieldreader.model.is_valid_id`.
CHECKLIST_LINE: Final = re.compile(
    r"^\s*[-*+]\s+" + _BOX + r"\s+(?P<text>.*?)" + _ID_MARKER + r"\s*$"
)

# The same line as it appears in the parsed item: bullet gone, inline markup possibly in between.
_STEP_START = re.compile(r"^\s*" + _BOX + r"\s+")
_STEP_END = re.compile(_ID_MARKER + r"\s*$")

UNCHECKED_BOX: Final = "\u2610"  # ☐
CHECKED_BOX: Final = "\u2611"  # ☑

_ALLOWED_TAGS = frozenset(
    {
        *("p", "ul", "ol", "li", "pre", "blockquote", "table", "div", "hr"),
        *("h1", "h2", "h3", "h4", "h5", "h6"),
        *("br", "strong", "em", "s", "code", "a", "img", "span"),
        *("thead", "tbody", "tr", "th", "td"),
    }
)
_ALIGNMENTS = frozenset({"left", "right", "center"})
# How markdown-it-py writes a column's alignment; the reader gets ``align=``, never ``style=``.
_ALIGN_STYLE = re.compile(r"text-align:(?P<align>left|right|center)")
_SMALL_NUMBER = re.compile(r"[0-9]{1,9}")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Never meaningful in an attribute value or a placeholder label.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CHECK_ANCHOR_PREFIX = "check-"

#: How deep blocks may nest: a quote adds one level, a list two (the list and its item), so this
#: allows 8 nested lists or 17 nested quotes. Deeper content raises :class:`LimitExceeded`.
_MAX_BLOCK_LEVEL: Final = 18
#: markdown-it-py's own limit, two above ours so that its block parser never reaches it: there it
#: would silently drop the rest of the document. Inline, it bounds how deeply links, images and
#: emphasis nest (deeper markup is shown as text), and with it the work per ``[``.
_MAX_NESTING: Final = _MAX_BLOCK_LEVEL + 2
_TOO_DEEP = "the text nests lists or quotes too deeply to display"


def render_markdown(
    text: str,
    lang: str,
    *,
    ticked: Collection[str] = frozenset(),
    limits: ContentLimits = DEFAULT_LIMITS,
) -> str:
    """Return sanitised HTML for ``text`` (publisher Markdown), ready for a ``QTextBrowser``.

    The page is wrapped in ``<div dir=... lang=...>`` so Arabic, Persian and Pashto lay out right
    to left; an invalid ``lang`` is shown as ``und``, left to right. Checklist steps whose id is in
    ``ticked`` are drawn ticked; each box is an ``<a href="check:ID" class="check">`` so the UI
    can toggle a step from the clicked anchor. External links carry ``class="external"`` and the
    full address, so the UI can show it and ask before opening; ``item:`` links carry
    ``class="internal"``; images are ``res:`` addresses for the UI's resource loader.

    Raises :class:`LimitExceeded` for a body over ``limits.max_body_bytes`` (checked before any
    parsing) or nested too deeply to display.
    """
    if isinstance(ticked, str):
        raise TypeError("ticked must be a collection of step ids, not a single string")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_body_bytes:
        raise LimitExceeded(
            f"the text is {size:,} bytes, over the limit of {limits.max_body_bytes:,} bytes"
        )
    if _SURROGATE.search(text):
        # Lone surrogates (from a lenient decoder) cannot be encoded for the sanitiser; paired
        # ones are joined into the character they stand for, the rest become U+FFFD.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")

    lang_tag = lang if LANG_PATTERN.fullmatch(lang) else "und"
    try:
        tokens = _PARSER.parse(text)
        _make_safe(tokens)
        if is_rtl(lang_tag):
            _isolate_numbers(tokens)
        # After the rewrite, so the generated ``check:`` anchors are the only ones that exist.
        _draw_steps(tokens, frozenset(ticked))
        body = _RENDERER.render(tokens, _PARSER.options, {})
    except RecursionError:
        # Not expected with the nesting limits above; kept so no input can crash the caller.
        raise LimitExceeded(_TOO_DEEP) from None

    direction = "rtl" if is_rtl(lang_tag) else "ltr"
    return _CLEANER.clean(f'<div dir="{direction}" lang="{lang_tag}">\n{body}\n</div>')


class _Parser(MarkdownIt):
    """CommonMark that leaves every address exactly as the author wrote it.

    markdown-it-py drops links it considers unsafe (leaving the Markdown source as text) and
    percent-encodes the rest, which would hide bidi controls and zero-width characters from
    :func:`classify_link`. Here every link and image is parsed and keeps its entity- and
    escape-decoded address, and :func:`_make_safe` decides what survives, with the same checks
    that the final sanitiser runs.
    """

    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it-py's name)
        return True

    def normalizeLink(self, url: str) -> str:  # noqa: N802
        return url

    def normalizeLinkText(self, link: str) -> str:  # noqa: N802
        return link


def _refuse_deep_blocks(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """First block rule: stop at content nested deeper than the reader displays."""
    if state.level >= _MAX_BLOCK_LEVEL:
        raise LimitExceeded(_TOO_DEEP)
    return False


def _new_parser() -> _Parser:
    parser = _Parser(
        "commonmark",
        {
            "html": False,  # raw HTML is shown as text, in blocks and inline
            "linkify": False,
            "typographer": False,
            "xhtmlOut": False,
            "maxNesting": _MAX_NESTING,
        },
    )
    parser.enable(["table", "strikethrough"])
    first_rule = parser.block.ruler.get_all_rules()[0]
    parser.block.ruler.before(first_rule, "fieldreader_depth", _refuse_deep_blocks)
    return parser


# Both keep no state between documents: each parse and render builds its own.
_PARSER: Final = _new_parser()
_RENDERER: Final = RendererHTML()


def _make_safe(tokens: list[Token]) -> None:
    """Reduce every token to the allowed tags and attributes, in place."""
    for token in tokens:
        _reduce(token)
        if token.children is not None:
            token.children = _safe_inline(token.children)


def _reduce(token: Token) -> None:
    """Keep only the attributes a token of its type may carry; links and images aside."""
    attributes = token.attrs
    token.attrs = {}
    token.meta = {}  # renderer hints (a plugin's task-list ``checked`` would add an <input>)
    if token.type in ("html_block", "html_inline"):
        # Not produced with raw HTML off; should one appear, it is shown as text.
        token.type = "text"
    elif token.type == "fence":
        token.info = ""  # the info string would become a class
    elif token.type == "ordered_list_open":
        start = str(attributes.get("start", ""))
        if _SMALL_NUMBER.fullmatch(start):
            token.attrs["start"] = start
    elif token.type in ("th_open", "td_open"):
        alignment = _ALIGN_STYLE.fullmatch(str(attributes.get("style", "")))
        if alignment:
            token.attrs["align"] = alignment["align"]
    if token.tag and token.tag not in _ALLOWED_TAGS:
        token.tag = "span"


def _safe_inline(children: list[Token]) -> list[Token]:
    safe: list[Token] = []
    blocked_links: list[bool] = []  # one entry per open link, innermost last
    for token in children:
        if token.type == "image":
            safe.extend(_safe_image(token))
            continue
        attributes = token.attrs
        _reduce(token)
        if token.type == "link_open":
            blocked_links.append(not _keep_link(token, attributes))
        elif token.type == "link_close" and (blocked_links.pop() if blocked_links else True):
            token.tag = "span"
        safe.append(token)
    return safe


def _keep_link(token: Token, attributes: dict[str, str | int | float]) -> bool:
    """Give a ``link_open`` token its checked address; False when only its words may stay."""
    link = classify_link(str(attributes.get("href", "")))
    if link is None or link.kind == "check":
        # Keep the words, drop the link: a reader sees what the author wrote but cannot follow
        # it. ``check:`` anchors are ours alone; an author's would fake a checklist step.
        token.tag = "span"
        token.attrs = {"class": "blocked-link"}
        return False
    token.attrs["href"] = link.href
    if link.kind in ("external", "internal"):
        token.attrs["class"] = link.kind
    title = _plain(str(attributes.get("title", "")))
    if title:
        token.attrs["title"] = title
    return True


def _safe_image(token: Token) -> list[Token]:
    """The tokens to show in place of an image: a library image, or words in its place."""
    src = resource_src(str(token.attrs.get("src", "")))
    alt = _plain(_alt_text(token.children)).strip()
    if src is None:
        # No element that could load anything is left behind: just words in its place.
        label = f"[image not shown: {alt}]" if alt else "[image not shown]"
        return [
            Token("blocked_image_open", "span", 1, attrs={"class": "blocked-image"}),
            Token("text", "", 0, content=label),
            Token("blocked_image_close", "span", -1),
        ]
    attrs: dict[str, str | int | float] = {"src": src, "alt": alt}
    title = _plain(str(token.attrs.get("title", "")))
    if title:
        attrs["title"] = title
    # The renderer writes ``alt`` from the children, so they become the checked text alone.
    return [Token("image", "img", 0, attrs=attrs, children=[Token("text", "", 0, content=alt)])]


def _alt_text(tokens: list[Token] | None) -> str:
    """The words of an image description, markup stripped (as CommonMark renders ``alt``)."""
    words: list[str] = []
    pending = list(reversed(tokens or []))
    while pending:
        token = pending.pop()
        if token.type in ("text", "code_inline"):
            words.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            words.append("\n")
        elif token.type == "image":
            pending.extend(reversed(token.children or []))
    return "".join(words)


def _plain(value: str) -> str:
    """A text attribute without control characters."""
    return _CONTROL.sub("", value)


#: A phone number or similar run of digit groups ("+27 (0)11 833 5959"). In right-to-left text
#: the bidi algorithm lays each group out separately and the number reads backwards.
_NUMBER_RUN = re.compile(r"\+?\(?[0-9][0-9()./\- ]{4,}[0-9]")
_LRI, _PDI = "\u2066", "\u2069"  # left-to-right isolate, pop directional isolate


def _isolate_numbers(tokens: list[Token]) -> None:
    """Wrap digit-group runs of right-to-left text in a left-to-right isolate."""
    for token in tokens:
        for child in token.children or []:
            if child.type in ("text", "code_inline") and _NUMBER_RUN.search(child.content):
                child.content = _NUMBER_RUN.sub(lambda m: _LRI + m.group(0) + _PDI, child.content)


def _draw_steps(tokens: list[Token], ticked: frozenset[str]) -> None:
    """Draw a box for every bullet-list item that is a checklist step."""
    open_blocks: list[str] = []
    for index, token in enumerate(tokens):
        if token.nesting == -1 and open_blocks:
            open_blocks.pop()
        elif token.nesting == 1:
            if token.type == "list_item_open" and open_blocks[-1:] == ["bullet_list_open"]:
                _draw_step(tokens, index, ticked)
            open_blocks.append(token.type)


def _draw_step(tokens: list[Token], index: int, ticked: frozenset[str]) -> None:
    """Turn ``[ ] text {#id}`` at the start of the list item at ``index`` into a tickable box."""
    if index + 2 >= len(tokens) or tokens[index + 1].type != "paragraph_open":
        return
    inline = tokens[index + 2]
    words = inline.children or []
    if not words or words[0].type != "text" or words[-1].type != "text":
        return
    first, last = words[0], words[-1]
    box = _STEP_START.match(first.content)
    if box is None:
        return
    tail = first.content[box.end() :] if last is first else last.content
    end = _STEP_END.search(tail)
    if end is None or not is_valid_id(end["id"]):
        return
    if last is first:
        first.content = tail[: end.start()]
    else:
        first.content = first.content[box.end() :]
        last.content = tail[: end.start()]
    first.content = " " + first.content

    step_id = end["id"]
    is_ticked = step_id in ticked
    anchor: dict[str, str | int | float] = {  # class first, as pages rendered before
        "class": "check",
        "href": CHECK_SCHEME + step_id,
        "id": _CHECK_ANCHOR_PREFIX + step_id,
    }
    inline.children = [
        Token("link_open", "a", 1, attrs=anchor),
        Token("text", "", 0, content=CHECKED_BOX if is_ticked else UNCHECKED_BOX),
        Token("link_close", "a", -1),
        *words,
    ]
    tokens[index].attrs = {"class": "checklist-item ticked" if is_ticked else "checklist-item"}


def _final_attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Last check on every attribute nh3 lets through; must never raise (nh3 would only log it)."""
    if attribute == "href":
        link = classify_link(value) if tag == "a" else None
        return value if link is not None and link.href == value else None
    if attribute == "src":
        return value if tag == "img" and resource_src(value) == value else None
    if attribute == "id":
        step_id = value.removeprefix(_CHECK_ANCHOR_PREFIX)
        return value if tag == "a" and step_id != value and is_valid_id(step_id) else None
    if attribute == "lang":
        return value if LANG_PATTERN.fullmatch(value) or value == "und" else None
    if attribute in ("start", "colspan", "rowspan"):
        return value if _SMALL_NUMBER.fullmatch(value) else None
    return value


_CLEANER: Final = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    clean_content_tags={
        *("script", "style", "iframe", "object", "embed", "noscript", "template"),
        *("textarea", "title", "svg", "math", "xmp", "noembed", "noframes"),
    },
    attributes={
        "*": set(),
        "a": {"href", "title", "id"},
        "img": {"src", "alt", "title"},
        "div": {"lang"},
        "ol": {"start"},
        "td": {"colspan", "rowspan"},
        "th": {"colspan", "rowspan"},
    },
    tag_attribute_values={
        "div": {"dir": {"ltr", "rtl"}},
        "td": {"align": _ALIGNMENTS},
        "th": {"align": _ALIGNMENTS},
    },
    allowed_classes={
        "a": {"external", "internal", "check"},
        "span": {"blocked-image", "blocked-link"},
        "li": {"checklist-item", "ticked"},
    },
    attribute_filter=_final_attribute_filter,
    strip_comments=True,
    url_schemes={"http", "https", "mailto", "tel", "item", "res", "check"},
    # Relative addresses: only in-page fragments; "//host", "\\server" and paths are refused.
    url_relative=lambda url: url if url.startswith("#") and classify_link(url) else None,
)
