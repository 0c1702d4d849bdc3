"""Full-text search over the library: any text a person types is a valid query.

The person's words are never passed to FTS5's query language directly: operators such as AND,
NEAR( or column filters like ``title:`` would raise syntax errors or change the meaning. Each word
becomes a quoted FTS5 string, so the only syntax a person can use is what we offer: several words
(all must match), "a phrase in quotes", and a trailing * for a prefix.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from fieldreader.model import Kind
from fieldreader.store.database import Connection, translate_errors
from fieldreader.store.filters import ItemFilter

HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
ELLIPSIS = "…"
MAX_QUERY_CHARS = 500
MAX_TERMS = 16
SNIPPET_TOKENS = 24


@dataclass(frozen=True)
class SearchHit:
    id: str
    kind: Kind
    lang: str
    title: str
    snippet: str
    """Text around the best match; matched terms between HIGHLIGHT_START and HIGHLIGHT_END."""
    rank: float
    """bm25 score: lower is better."""

    def snippet_html(self) -> str:
        """The snippet escaped for HTML with matches in ``<mark>``."""
        escaped = html.escape(self.snippet, quote=False)
        return escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_END, "</mark>")

    def snippet_text(self, start: str = "[", end: str = "]") -> str:
        return self.snippet.replace(HIGHLIGHT_START, start).replace(HIGHLIGHT_END, end)


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    prefix: bool = False


def parse_query(text: str) -> list[Term]:
    """Split what a person typed into words, "quoted phrases" and prefix* words.

    An unclosed quote runs to the end of the text. Words without a letter or digit (``(((``,
    ``*``, ``-``) are dropped, since the tokenizer would find nothing in them.
    """
    text = text[:MAX_QUERY_CHARS].replace("\x00", " ")
    terms: list[Term] = []
    i = 0
    while i < len(text) and len(terms) < MAX_TERMS:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == '"':
            close = text.find('"', i + 1)
            end = len(text) if close == -1 else close
            body = text[i + 1 : end]
            prefix = close != -1 and text[close + 1 : close + 2] == "*"
            i = end + 1 + (1 if prefix else 0)
            if _has_token(body):
                terms.append(Term(body, phrase=True, prefix=prefix))
            continue
        end = i
        while end < len(text) and not text[end].isspace() and text[end] != '"':
            end += 1
        word = text[i:end]
        i = end
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if _has_token(word):
            terms.append(Term(word, prefix=prefix))
    return terms


def _has_token(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def match_expression(terms: list[Term]) -> str:
    """The FTS5 MATCH expression for ``terms``: quoted strings joined by implicit AND."""
    parts = []
    for term in terms:
        quoted = '"' + term.text.replace('"', '""') + '"'
        parts.append(quoted + ("*" if term.prefix else ""))
    return " ".join(parts)


def search(
    conn: Connection, text: str, filters: ItemFilter = ItemFilter(), limit: int = 20
) -> list[SearchHit]:
    """The best ``limit`` items for ``text`` within ``filters``, best first.

    Ranking runs first on rowids alone; snippets are made afterwards for the hits that are
    shown. Asking FTS5 for ranks and snippets in one ``ORDER BY rank LIMIT`` query builds a snippet
    for every matching row before sorting, which is what made common words slow.
    """
    terms = parse_query(text)
    if not terms or limit <= 0:
        return []
    expression = match_expression(terms)
    where, params = filters.where("i")
    filtered = where != "1"
    ranking = (
        "SELECT f.rowid AS seq, f.rank AS rank FROM items_fts f "
        + ("JOIN items i ON i.seq = f.rowid " if filtered else "")
        + "WHERE items_fts MATCH :q "
        + (f"AND {where} " if filtered else "")
        + "ORDER BY f.rank LIMIT :limit"
    )
    with translate_errors():
        ranked = conn.execute(ranking, {**params, "q": expression, "limit": limit}).fetchall()
        hits = []
        for seq, rank in ranked:
            row = conn.execute(
                "SELECT i.id, i.kind, i.lang, i.title, "
                f"snippet(items_fts, -1, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}', '{ELLIPSIS}', "
                f"{SNIPPET_TOKENS}) FROM items_fts JOIN items i ON i.seq = items_fts.rowid "
                "WHERE items_fts MATCH :q AND items_fts.rowid = :seq",
                {"q": expression, "seq": seq},
            ).fetchone()
            if row is not None:
                item_id, kind, lang, title, snippet = row
                hits.append(SearchHit(item_id, kind, lang, title, snippet, float(rank)))
    return hits
