"""Quoted passages that survive edits of the text they quote.

A note may quote a passage of an article. The article can be corrected later, so besides the
exact words we keep a little text on each side (like the W3C's TextQuoteSelector) and use it to
pick the right occurrence, or to find the passage again after whitespace changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTEXT_CHARS = 32


@dataclass(frozen=True)
class Quote:
    exact: str
    prefix: str = ""
    suffix: str = ""


class QuoteNotFound(ValueError):
    """The quoted text does not occur in the item."""


def quote_at(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> Quote:
    """The quote for ``text[start:end]`` with its surrounding context."""
    if not 0 <= start < end <= len(text):
        raise QuoteNotFound("the selection is empty or outside the text")
    return Quote(text[start:end], text[max(0, start - context) : start], text[end : end + context])


def quote_of(text: str, exact: str) -> Quote:
    """The quote for the first occurrence of ``exact`` in ``text``.

    Raises:
        QuoteNotFound: ``exact`` is empty or not in ``text``.
    """
    span = _normalised_find(text, exact)
    if not exact.strip() or span is None:
        raise QuoteNotFound("the quoted passage is not in the item's text")
    return quote_at(text, *span)


def locate(text: str, quote: Quote) -> tuple[int, int] | None:
    """Where ``quote`` is in ``text`` now, or None if the passage is gone.

    Among several exact occurrences the one whose surroundings best match the stored context
    wins; failing an exact match, a match that ignores differences in whitespace is accepted.
    """
    starts = [m.start() for m in re.finditer(re.escape(quote.exact), text)] if quote.exact else []
    if starts:
        best = max(starts, key=lambda s: _context_score(text, s, s + len(quote.exact), quote))
        return best, best + len(quote.exact)
    return _normalised_find(text, quote.exact)


def _context_score(text: str, start: int, end: int, quote: Quote) -> int:
    before = text[max(0, start - len(quote.prefix)) : start]
    after = text[end : end + len(quote.suffix)]
    return _common_suffix(before, quote.prefix) + _common_prefix(after, quote.suffix)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def _normalised_find(text: str, exact: str) -> tuple[int, int] | None:
    words = exact.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else None
