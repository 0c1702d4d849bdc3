"""Publisher Markdown to HTML that the reader can show without risk.

A hostile or compromised feed must not be able to make the reader fetch anything (a remote image
is enough to reveal that someone opened an article, and from where), run script, or disguise where
a link leads. Two independent layers enforce this:

1. Markdown is parsed with raw HTML switched off, and a tree processor rewrites every element to
   a small allow-list: library images become ``res:`` addresses, other images become an inert
   placeholder, links keep only addresses the UI knows how to handle (and must confirm).
2. The serialised HTML goes through nh3 with explicit tag, attribute and scheme allow-lists, so a
   mistake in layer 1 (or in python-markdown) still cannot reach the widget.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from typing import Final
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown import util as md_util
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

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

# The same line as it appears in the parsed tree: bullet gone, inline markup possibly in between.
_STEP_START = re.compile(r"^\s*" + _BOX + r"\s+")
_STEP_END = re.compile(_ID_MARKER + r"\s*$")

UNCHECKED_BOX: Final = "\u2610"  # ☐
CHECKED_BOX: Final = "\u2611"  # ☑

_BLOCK_TAGS = frozenset(
    {"p", "ul", "ol", "pre", "blockquote", "table", "div", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_ALLOWED_TAGS = frozenset(
    {
        *_BLOCK_TAGS,
        *("br", "strong", "em", "code", "li", "a", "img", "span"),
        *("thead", "tbody", "tr", "th", "td"),
    }
)
_ALIGNMENTS = frozenset({"left", "right", "center"})
_SMALL_NUMBER = re.compile(r"[0-9]{1,9}")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Inline placeholders and the like: never meaningful in an attribute value or a placeholder label.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CHECK_ANCHOR_PREFIX = "check-"


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
    parsing) or nested too deeply to parse.
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

    converter = _new_markdown(frozenset(ticked))
    try:
        body = converter.convert(text)
    except RecursionError:
        raise LimitExceeded("the text nests lists or quotes too deeply to display") from None

    lang_tag = lang if LANG_PATTERN.fullmatch(lang) else "und"
    direction = "rtl" if is_rtl(lang_tag) else "ltr"
    return _CLEANER.clean(f'<div dir="{direction}" lang="{lang_tag}">\n{body}\n</div>')


def _new_markdown(ticked: frozenset[str]) -> markdown.Markdown:
    """A converter for one document: python-markdown keeps per-document state."""
    converter = markdown.Markdown(
        extensions=[
            TableExtension(use_align_attribute=True),  # ``align=``, not ``style=``
            FencedCodeExtension(),
            SaneListExtension(),
        ],
        output_format="html",
    )
    # Raw HTML is shown as text: without these two, "<img src=https://...>" in an article would be
    # passed through (block-level and inline respectively). Entities (&amp;) are a separate
    # pattern and keep working.
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    # After the built-in "unescape" step (priority 0), so the values checked here are final.
    converter.treeprocessors.register(_SafeTree(converter, ticked), "fieldreader_safe_tree", -100)
    return converter


def _decoded(value: str) -> str:
    """The value a browser would see for an attribute python-markdown is about to serialise.

    Its serialiser leaves character references (``&#106;``) alone, so they must be decoded
    before a check, or "&#106;avascript:" would look harmless here and work in the widget.
    """
    return html.unescape(value.replace(md_util.AMP_SUBSTITUTE, "&"))


def _literal(value: str) -> str:
    """Escape ``&`` so the serialiser's entity pass-through cannot change a checked value."""
    return value.replace("&", "&amp;")


def _plain(value: str) -> str:
    """A decoded text attribute without control characters (and so without placeholders)."""
    return _CONTROL.sub("", _decoded(value))


class _SafeTree(Treeprocessor):
    """Rewrites the parsed document so it holds only what the reader allows."""

    def __init__(self, md: markdown.Markdown, ticked: frozenset[str]) -> None:
        super().__init__(md)
        self._ticked = ticked

    def run(self, root: Element) -> None:
        for element in list(root.iter()):
            if element is not root:
                _rewrite(element)
        # After the rewrite, so the generated ``check:`` anchors are the only ones that exist.
        for bullet_list in list(root.iter("ul")):
            for item in bullet_list.findall("li"):
                self._render_step(item)

    def _render_step(self, item: Element) -> None:
        """Turn ``[ ] text {#id}`` at the start of a list item into a tickable box."""
        holder = item
        if not (item.text or "").strip() and len(item) and item[0].tag == "p":
            holder = item[0]  # a "loose" list wraps each item in a paragraph
        start = _STEP_START.match(holder.text or "")
        if start is None:
            return
        rest = (holder.text or "")[start.end() :]
        children = list(holder)
        inline = next((i for i, c in enumerate(children) if c.tag in _BLOCK_TAGS), len(children))
        last_inline = children[inline - 1] if inline else None
        tail = rest if last_inline is None else (last_inline.tail or "")
        end = _STEP_END.search(tail)
        if end is None or not is_valid_id(end["id"]):
            return
        step_id = end["id"]
        if last_inline is None:
            rest = tail[: end.start()]
        else:
            last_inline.tail = tail[: end.start()]

        is_ticked = step_id in self._ticked
        box = Element(
            "a",
            {
                "href": CHECK_SCHEME + step_id,
                "class": "check",
                "id": _CHECK_ANCHOR_PREFIX + step_id,
            },
        )
        box.text = CHECKED_BOX if is_ticked else UNCHECKED_BOX
        box.tail = " " + rest
        holder.text = None
        holder.insert(0, box)
        item.set("class", "checklist-item ticked" if is_ticked else "checklist-item")


def _rewrite(element: Element) -> None:
    """Reduce one element to the allowed tag and attributes, in place."""
    tag = element.tag
    attributes = dict(element.attrib)
    element.attrib.clear()
    if tag == "a":
        _rewrite_link(element, attributes)
    elif tag == "img":
        _rewrite_image(element, attributes)
    elif tag in ("td", "th"):
        if attributes.get("align") in _ALIGNMENTS:
            element.set("align", attributes["align"])
    elif tag == "ol":
        start = attributes.get("start", "")
        if _SMALL_NUMBER.fullmatch(start):
            element.set("start", start)
    elif tag not in _ALLOWED_TAGS:
        element.tag = "span"


def _rewrite_link(element: Element, attributes: dict[str, str]) -> None:
    href = attributes.get("href")
    link = classify_link(_decoded(href)) if href is not None else None
    if link is None or link.kind == "check":
        # Keep the words, drop the link: a reader sees what the author wrote but cannot follow
        # it. ``check:`` anchors are ours alone; an author's would fake a checklist step.
        element.tag = "span"
        element.set("class", "blocked-link")
        return
    element.set("href", _literal(link.href))
    if link.kind in ("external", "internal"):
        element.set("class", link.kind)
    title = _plain(attributes.get("title", ""))
    if title:
        element.set("title", _literal(title))


def _rewrite_image(element: Element, attributes: dict[str, str]) -> None:
    src = resource_src(_decoded(attributes.get("src", "")))
    alt = _plain(attributes.get("alt", "")).strip()
    if src is None:
        # No element that could load anything is left behind: just words in its place.
        element.tag = "span"
        element.set("class", "blocked-image")
        element.text = _literal(f"[image not shown: {alt}]" if alt else "[image not shown]")
        return
    element.set("src", src)
    element.set("alt", _literal(alt))
    title = _plain(attributes.get("title", ""))
    if title:
        element.set("title", _literal(title))


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
