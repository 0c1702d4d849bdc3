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
from fieldreader.store.snippets import Marks, make_snippet

HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
ELLIPSIS = "…"
MAX_QUERY_CHARS = 500
MAX_TERMS = 16
MIN_PREFIX_CHARS = 3
SNIPPET_WORDS = 24
_MARKS = Marks(HIGHLIGHT_START, HIGHLIGHT_END, ELLIPSIS)


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
    ``*``, ``-``) are dropped, since the tokenizer would find nothing in them. A prefix needs
    at least MIN_PREFIX_CHARS letters; ``ab*`` is searched as the word ``ab``.
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
        word, prefix = word.rstrip("*"), word.endswith("*")
        # One- and two-letter prefixes match a large part of any library: take them as words.
        prefix = prefix and sum(ch.isalnum() for ch in word) >= MIN_PREFIX_CHARS
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


#: Titles count most, then summaries and tags. Calling bm25() measured 30-55% faster than
#: ORDER BY rank with the same weights configured (rank sorts every match before the LIMIT).
BM25 = "bm25(items_fts, 10.0, 4.0, 1.0, 3.0, 2.0)"

#: Above this many matching items, ranking considers only the most recently added ones.
#: bm25 costs a few microseconds per matching item (page reads and decryption of each item's
#: column sizes), so a word found in 35,000 items took 200 ms to rank; capped, it takes a
#: few milliseconds, and a word that common says little about relevance anyway.
CANDIDATE_CAP = 1_000


def search(
    conn: Connection,
    text: str,
    filters: ItemFilter = ItemFilter(),
    limit: int = 20,
    offset: int = 0,
) -> list[SearchHit]:
    """The best ``limit`` items for ``text`` within ``filters`` after the first ``offset``,
    best first (equal scores newest first, so pages follow on from each other).

    Ranking runs on rowids alone, over at most CANDIDATE_CAP of the newest matches; snippets are
    then made in Python for the hits shown (see :mod:`snippets`), never by FTS5's snippet(),
    which re-runs the whole match for every row.
    """
    terms = parse_query(text)
    if not terms or limit <= 0 or offset < 0:
        return []
    expression = match_expression(terms)
    where, params = filters.where("i")
    filtered = where != "1"
    base = (
        "FROM items_fts f "
        # CROSS JOIN keeps the full-text index as the outer loop. Left to itself, SQLCipher's
        # SQLite (3.51) starts from items through the language index and re-runs the match for
        # every item in that language: 40 s for a filtered search at 100k.
        + ("CROSS JOIN items i ON i.seq = f.rowid " if filtered else "")
        + "WHERE items_fts MATCH :q "
        + (f"AND {where} " if filtered else "")
    )
    args = {**params, "q": expression, "cap": CANDIDATE_CAP, "limit": limit, "offset": offset}
    with translate_errors():
        bound = conn.execute(
            f"SELECT f.rowid {base} ORDER BY f.rowid DESC LIMIT 1 OFFSET :cap", args
        ).fetchone()
        floor = "AND f.rowid > :floor " if bound is not None else ""
        # bm25 needs each phrase's document frequency, which FTS5 computes by running the
        # phrase over the whole table (the cap does not limit that): for a phrase of common
        # words found in more than CANDIDATE_CAP items, newest first is the affordable order.
        if bound is not None and any(t.phrase for t in terms):
            sql = f"SELECT f.rowid, 0.0 {base}ORDER BY f.rowid DESC LIMIT :limit OFFSET :offset"
        else:
            sql = (
                f"SELECT f.rowid, {BM25} AS score {base}{floor}"
                "ORDER BY score, f.rowid DESC LIMIT :limit OFFSET :offset"
            )
        ranked = conn.execute(sql, {**args, "floor": bound[0] if bound else 0}).fetchall()
        hits = []
        for seq, rank in ranked:
            row = conn.execute(
                "SELECT id, kind, lang, title, summary, body, tags_text, extra_text "
                "FROM items WHERE seq = ?",
                (seq,),
            ).fetchone()
            item_id, kind, lang, title, summary, body, tags, extra = row
            snippet = make_snippet(
                (body, summary, title, extra, tags), terms, _MARKS, SNIPPET_WORDS
            )
            hits.append(SearchHit(item_id, kind, lang, title, snippet, float(rank)))
    return hits
