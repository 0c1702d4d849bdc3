"""Search snippets made in Python from the few hits shown.

FTS5's snippet() must re-run the whole match for each row it is called on; for a prefix query
that means merging the doclists of every term with that prefix, twenty times over (seconds at
100k items). The hits' text is already at hand, so we find the terms in it ourselves, folding
case and diacritics the way the index does (unicode61, remove_diacritics 2).

Folding is done character by character so the folded text lines up with the original: a match
found in the folded text is highlighted at the same offsets in the original.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

WORD = re.compile(r"\w+")
#: Only the start of a long body is searched: enough to find a match nearly always, bounded
#: for the largest article.
MAX_SCAN_CHARS = 100_000
_CONTEXT_CHARS = 12  # per word, to cut a window of text around the first match
_SCAN_STEPS = (4_096, 32_768, MAX_SCAN_CHARS)
_WINDOW_CHARS = 2_048  # folded beyond the first match, for the highlights in the window


class QueryTerm(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def prefix(self) -> bool: ...


@dataclass(frozen=True)
class Marks:
    start: str
    end: str
    ellipsis: str


@lru_cache(maxsize=8192)
def fold_char(char: str) -> str:
    """One character without case or diacritics (é -> e), or itself when that is not one char."""
    base = "".join(
        c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
    ).casefold()
    return base if len(base) == 1 else char


def fold(text: str) -> str:
    """``text`` folded character by character; the result has the same length."""
    return text.translate({ord(c): fold_char(c) for c in set(text)})


def term_pattern(term: QueryTerm) -> re.Pattern[str] | None:
    """A regex over folded text for ``term``: its words in order, the last a prefix if asked."""
    words = [re.escape(w) for w in WORD.findall(fold(term.text))]
    if not words:
        return None
    tail = r"\w*" if term.prefix else ""
    return re.compile(r"(?<!\w)" + r"\W+".join(words) + tail + r"(?!\w)")


def make_snippet(
    fields: Sequence[str], terms: Sequence[QueryTerm], marks: Marks, width: int = 24
) -> str:
    """A window of about ``width`` words around the first match, matches marked.

    ``fields`` are tried in order (body before summary before title): the first one containing
    a match gives the snippet; with no match anywhere (a match only in tags, say), the start of
    the first non-empty field is shown.
    """
    patterns = [p for p in map(term_pattern, terms) if p is not None]
    for text in fields:
        scanned = text[:MAX_SCAN_CHARS]
        # Most matches are near the start: fold a short prefix first, more only if needed.
        for size in _SCAN_STEPS:
            folded = fold(scanned[:size])
            firsts = [m.start() for p in patterns if (m := p.search(folded))]
            if firsts:
                first = min(firsts)
                if first + _WINDOW_CHARS > len(folded) < len(scanned):
                    folded = fold(scanned[: first + _WINDOW_CHARS])
                return _window(scanned, folded, first, patterns=patterns, marks=marks, width=width)
            if size >= len(scanned):
                break
    for text in fields:
        if text.strip():
            return _window(text[:MAX_SCAN_CHARS], "", 0, patterns=[], marks=marks, width=width)
    return ""


def _window(
    text: str,
    folded: str,
    first: int,
    *,
    patterns: list[re.Pattern[str]],
    marks: Marks,
    width: int,
) -> str:
    before = width // 3
    lo = max(0, first - before * _CONTEXT_CHARS)
    starts = [m.start() for m in WORD.finditer(text, lo, first)]
    if len(starts) > before:
        lo = starts[-before]
    elif lo > 0 and starts:
        lo = starts[0]
    ends = [m.end() for m in WORD.finditer(text, lo, lo + (width + 4) * _CONTEXT_CHARS)]
    hi = ends[min(width, len(ends)) - 1] if ends else min(len(text), lo + 200)
    if WORD.search(text, hi) is None:
        hi = len(text)  # only punctuation left: keep it, no ellipsis
    spans = sorted((m.start(), m.end()) for p in patterns for m in p.finditer(folded, lo, hi))
    out = [marks.ellipsis] if lo > 0 else []
    position = lo
    for start, end in spans:
        if start < position:
            continue
        out += [text[position:start], marks.start, text[start:end], marks.end]
        position = end
    out.append(text[position:hi])
    if hi < len(text.rstrip()):
        out.append(marks.ellipsis)
    return _without_markup(" ".join("".join(out).split()))


# Markdown syntax that would show as noise in a one-line snippet. Bodies are indexed as written
# (the words are what is searched); only the shown window is cleaned.
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_EMPHASIS = re.compile(r"(\*\*|__|`+|~~)")
_BLOCK_MARK = re.compile(r"(?:^|(?<=\s))(?:#{1,6}|[-*+]\s\[[ xX]\]|\{#[\w.-]+\})(?=\s|$)")


_SINGLE_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)([^*_\n]+?)(?<=\S)\1(?![\w*])")


def _without_markup(snippet: str) -> str:
    cleaned = _LINK.sub(r"\1", snippet)
    cleaned = _EMPHASIS.sub("", cleaned)
    cleaned = _SINGLE_EMPHASIS.sub(r"\2", cleaned)
    cleaned = _BLOCK_MARK.sub("", cleaned)
    return " ".join(cleaned.split())
