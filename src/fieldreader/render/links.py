"""Which link targets and image sources a rendered page may carry.

The reader must never make a network request on its own, and must never hand an address to the
operating system without asking first. So every address in publisher content is checked against
a short list of exact forms; anything that does not fit one of them is dropped, whatever it looks
like. The same checks run twice: once while the parsed Markdown is rewritten and once more as the
final HTML sanitiser's attribute filter, and the UI can run them a third time on the address of a
clicked anchor before acting on it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, NamedTuple
from urllib.parse import quote, unquote

from fieldreader.model import is_valid_id

LinkKind = Literal["external", "internal", "fragment", "check"]

#: Longer addresses are not something a person reads before agreeing to open them.
MAX_URL_CHARS = 2_048
#: Library paths are file names inside a feed; anything longer is not one of ours.
MAX_PATH_CHARS = 512

RESOURCE_SCHEME = "res:"
ITEM_SCHEME = "item:"
CHECK_SCHEME = "check:"

#: No user-info part: "https://trusted.example@evil.example/" is a classic way to mislead the
#: person asked to confirm. An "@" later in the path is fine.
_WEB = re.compile(r"(?P<scheme>https?)://[^/?#@]+(?:[/?#].*)?", re.IGNORECASE)
_MAILTO = re.compile(r"(?P<scheme>mailto):(?P<rest>.+)", re.IGNORECASE)
_TEL = re.compile(r"(?P<scheme>tel):(?P<rest>\+?[0-9][0-9().\-/]{0,63})", re.IGNORECASE)
_ID_SCHEMES: tuple[tuple[str, LinkKind], ...] = ((ITEM_SCHEME, "internal"), (CHECK_SCHEME, "check"))
_FRAGMENT = re.compile(r"#(?P<rest>[A-Za-z0-9][A-Za-z0-9._-]{0,159})")
#: Characters a library path may not contain even after percent-decoding: scheme and drive
#: separators, Windows and URL separators that a resource loader might reinterpret, and a literal
#: percent sign (which would mean the path was encoded twice).
_PATH_FORBIDDEN = frozenset(':\\?#%"<>|*')


class Link(NamedTuple):
    """A link target the reader knows how to handle, as found by :func:`classify_link`."""

    kind: LinkKind
    """``external``: ask, then open outside the app; ``internal``: another library item;
    ``fragment``: a place in the same page; ``check``: toggle a checklist step."""
    target: str
    """The address to open, the item id, the fragment name or the step id."""
    href: str
    """The canonical form to write back into the page (scheme in lower case)."""


def _has_invisible_or_control(value: str, *, allow_space: bool = False) -> bool:
    """True when ``value`` holds characters that make an address read differently than it works.

    Browsers and URL parsers silently drop tabs and newlines ("java\\tscript:"), and bidi controls
    or zero-width characters let an address shown for confirmation look like another one.
    """
    for char in value:
        if char == " " and allow_space:
            continue
        if char == "\\" or unicodedata.category(char)[0] in "CZ":
            return True
    return False


def classify_link(href: str) -> Link | None:
    """Return what ``href`` points to, or ``None`` when the reader must not follow it.

    Only exact forms pass: ``http(s)://host...``, ``mailto:...``, ``tel:...``, ``item:ID``,
    ``#name`` and ``check:ID``. Everything else (``javascript:``, ``data:``, ``file:``,
    ``//host``, ``\\\\server``, relative paths, obfuscated schemes) is refused rather than
    repaired, so there is no decoding trick to find. ``href`` must already be entity-decoded.
    """
    if not href or len(href) > MAX_URL_CHARS or _has_invisible_or_control(href):
        return None
    if match := _WEB.fullmatch(href) or _MAILTO.fullmatch(href) or _TEL.fullmatch(href):
        scheme = match["scheme"].lower()
        canonical = scheme + href[len(scheme) :]
        return Link("external", canonical, canonical)
    for prefix, kind in _ID_SCHEMES:
        if href.startswith(prefix):
            target = href[len(prefix) :]
            return Link(kind, target, href) if is_valid_id(target) else None
    match = _FRAGMENT.fullmatch(href)
    return Link("fragment", match["rest"], href) if match else None


def resource_src(src: str) -> str | None:
    """Return the ``res:`` address for an image source inside the library, or ``None``.

    Accepts a relative library path (``media/photo.jpg``) or one already written as
    ``res:media/photo.jpg``; the result is ``res:`` plus the percent-encoded path, which
    ``QUrl.path()`` decodes back. Absolute paths, ``..`` or empty segments, schemes, drive letters,
    backslashes and UNC names are refused, so the resource loader only ever sees plain names that
    it can look up in the library. ``src`` must already be entity-decoded.
    """
    if len(src) > MAX_URL_CHARS:
        return None
    path = src[len(RESOURCE_SCHEME) :] if src[:4].lower() == RESOURCE_SCHEME else src
    try:
        path = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if (
        not path
        or len(path) > MAX_PATH_CHARS
        or path.startswith(("/", "."))
        or _has_invisible_or_control(path, allow_space=True)
        or not _PATH_FORBIDDEN.isdisjoint(path)
    ):
        return None
    segments = path.split("/")
    if any(segment in ("", ".", "..") or segment.strip() != segment for segment in segments):
        return None
    return RESOURCE_SCHEME + quote(path, safe="/")
