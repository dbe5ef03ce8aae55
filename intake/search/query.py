"""``q`` as a filter: the proposals whose indexed text holds every word of the query.

The query is folded like the text (:func:`~.index.fold`) and split at white space (a
full-width space folds to a half-width one); every word must occur (AND), as a
substring of one field.  A word of two or more characters is the phrase of its bigrams;
a one-character word is a prefix query (every character starts a term), answered from
the index too — no scan, but a common character matches many proposals, so such a
query costs what a common word costs.  A query longer than :data:`MAX_QUERY` characters
is refused with a message naming ``q``; one of only spaces filters nothing.
"""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from intake.errors import Invalid

from .index import TABLES, fold, quote_lexeme

MAX_QUERY = 100


def words(q: str | None) -> list[str]:
    """The folded words of a query, once each, in order (NUL is no character of a text)."""
    if not q:
        return []
    folded = fold(q)
    if len(q) > MAX_QUERY or len(folded) > MAX_QUERY:
        raise Invalid(f"q: at most {MAX_QUERY} characters", fields={"q": ["too_long"]})
    return list(dict.fromkeys(folded.replace("\x00", " ").split()))


def restrict(query: Select, id_column, q: str | None, index: str,
             dialect: str) -> tuple[Select, ColumnElement]:
    """``query`` narrowed to the proposals whose text in ``index`` holds every word of
    ``q``, and the column to order and page it by (the same values as ``id_column``).

    SQLite: joined to the FTS5 table, which then drives the query and hands its rows
    over newest first — ordering by its rowid lets a LIMIT stop after one page, where
    ``id IN (…)`` would read every match of a common word first.  PostgreSQL: ``id IN``
    the index's exact matches; the planner walks the GIN index or the ids, whichever the
    word's frequency makes cheaper."""
    found = words(q)
    if not found:
        return query, id_column
    if index not in TABLES:
        raise ValueError(f"not a search index: {index}")
    if dialect == "sqlite":
        fts = table(index, column("rowid"))
        match = literal_column(index).op("MATCH")(bindparam("search_fts", fts5_query(found)))
        return query.join(fts, fts.c.rowid == id_column).where(match), fts.c.rowid
    rows = table(index, column("proposal_id"), column("folded"), column("terms"))
    return query.where(id_column.in_(
        select(rows.c.proposal_id).where(
            rows.c.terms.op("@@")(bindparam("search_tsquery", tsquery(found), type_=TSQUERY)),
            *(func.strpos(rows.c.folded, bindparam(f"search_word_{i}", word)) > 0
              for i, word in enumerate(found)),
        )
    )), id_column


def fts5_query(found: list[str]) -> str:
    """``"ab bc cd" "x"*``: each word a phrase of its bigrams (a lone character a prefix),
    all required.  Inside a string ``"`` is doubled; nothing else is special."""
    def phrase(word: str) -> str:
        if len(word) == 1:
            return _fts5_string(word) + "*"
        return _fts5_string(" ".join(word[i:i + 2] for i in range(len(word) - 1)))

    return " AND ".join(map(phrase, found))


def _fts5_string(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def tsquery(found: list[str]) -> str:
    """Every distinct bigram of every word (a lone character as a prefix), all required:
    the candidates; ``strpos`` on the folded text then keeps the exact matches."""
    lexemes: dict[str, None] = {}
    for word in found:
        if len(word) == 1:
            lexemes[quote_lexeme(word) + ":*"] = None
        for i in range(len(word) - 1):
            lexemes[quote_lexeme(word[i:i + 2])] = None
    return " & ".join(lexemes)
