"""Search snippets made in Python from the few hits shown.

FTS5's snippet() must re-run the whole match for each row it is called on; for a prefix query
that means merging the doclists of every term with that prefix, twenty times over (seconds at
100k items). The hits' text is already at hand, so we find the terms in it ourselves, folding
case and diacritics the way the index does (unicode61, remove_diacritics 2).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

WORD = re.compile(r"\w+")
#: Only the start of a long body is searched for the snippet: enough to find a match nearly
#: always, bounded for a 2 MiB article.
MAX_SCAN_CHARS = 60_000


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


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower case without diacritics: café -> cafe, Société -> societe."""
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def make_snippet(
    fields: Sequence[str], terms: Sequence[QueryTerm], marks: Marks, width: int = 24
) -> str:
    """A window of about ``width`` words around the first match, matches marked.

    ``fields`` are tried in order (body before summary before title): the first one containing
    a match gives the snippet; with no match anywhere (a match only in tags, say), the start of
    the first non-empty field is shown.
    """
    patterns = [
        ([fold(w) for w in WORD.findall(t.text)], t.prefix) for t in terms if WORD.search(t.text)
    ]
    for text in fields:
        if not text:
            continue
        scanned = text[:MAX_SCAN_CHARS]
        tokens = [(m.start(), m.end(), fold(m.group())) for m in WORD.finditer(scanned)]
        marked = _matches(tokens, patterns)
        if marked:
            first = min(marked)
            lo = max(0, first - width // 3)
            hi = min(len(tokens), lo + width)
            return _render(scanned, tokens, marked, span=(lo, hi), marks=marks)
    for text in fields:
        if text:
            tokens = [(m.start(), m.end(), "") for m in WORD.finditer(text[:MAX_SCAN_CHARS])]
            return _render(text, tokens, set(), span=(0, min(width, len(tokens))), marks=marks)
    return ""


def _matches(
    tokens: list[tuple[int, int, str]], patterns: list[tuple[list[str], bool]]
) -> set[int]:
    marked: set[int] = set()
    folded = [t[2] for t in tokens]
    for words, prefix in patterns:
        n = len(words)
        for i in range(len(folded) - n + 1):
            if folded[i : i + n - 1] != words[:-1]:
                continue
            last = folded[i + n - 1]
            if last == words[-1] or (prefix and last.startswith(words[-1])):
                marked.update(range(i, i + n))
    return marked


def _render(
    text: str,
    tokens: list[tuple[int, int, str]],
    marked: set[int],
    *,
    span: tuple[int, int],
    marks: Marks,
) -> str:
    lo, hi = span
    start, end, ellipsis = marks.start, marks.end, marks.ellipsis
    if not tokens:
        return text[:200]
    out = [ellipsis] if lo > 0 else []
    position = tokens[lo][0] if lo > 0 else 0
    for index in range(lo, hi):
        a, b, _ = tokens[index]
        out.append(text[position:a])
        out.append(f"{start}{text[a:b]}{end}" if index in marked else text[a:b])
        position = b
    if hi < len(tokens):
        out.append(ellipsis)
    return " ".join("".join(out).split())
