"""``q`` as a filter: the proposals whose indexed text holds every word of the query.

The query is folded like the text (:func:`~.index.fold`) and split at white space (a
full-width space folds to a half-width one); every word must occur (AND), as a
substring of one field.  A word of two or more characters is the phrase of its bigrams
on SQLite; on PostgreSQL a two-character word is its bigram and a longer word every one
of its trigrams (:func:`lexemes`), the folded text then checked for the word itself.  A
one-character word is a prefix query (every character starts a term), answered from
the index too — no scan, but a common character matches many proposals, so such a
query costs what a common word costs.  A query longer than :data:`MAX_QUERY` characters
is refused with a message naming ``q``; one of only spaces filters nothing.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    any_,
    bindparam,
    column,
    false,
    func,
    literal_column,
    select,
    table,
    text,
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
        raise Invalid(f"q: at most {MAX_QUERY} characters", fields={"q": ["query_too_long"]})
    return list(dict.fromkeys(folded.replace("\x00", " ").split()))


def restrict(query: Select, id_column, q: str | None, index: str,
             session) -> tuple[Select, ColumnElement]:
    """``query`` narrowed to the proposals whose text in ``index`` holds every word of
    ``q``, and the column to order and page it by (the same values as ``id_column``).
    ``session``: where PostgreSQL's statistics and matches are read first (below).

    SQLite: joined to the FTS5 table, which then drives the query and hands its rows
    over newest first — ordering by its rowid lets a LIMIT stop after one page, where
    ``id IN (…)`` would read every match of a common word first.

    PostgreSQL: ``id IN`` the index's exact matches, and the planner walks the list's
    own index newest first or reads the GIN index, whichever the words' frequency makes
    cheaper — when it knows that frequency: its statistics keep the most common
    terms, pairs and trigrams (:func:`known_to_the_planner`), and guess any other term
    matches 0.5 % of rows, which once made it walk all 1,000,000 proposals to find none (0.6 s;
    1.3 s for the office's queue).  A word with a pair they do not know is therefore
    looked up first, at most :data:`FEW_MATCHES` + 1 matches off the GIN index (a rare
    term keeps that short; a three-character word that is in no text has a trigram in
    no row, however common its pairs): as few as that, the filter is those ids — exact, and the
    planner knows how many; more, ``id IN`` as above, and a walk newest first finds a
    page soon since the matches are at least that dense."""
    found = words(q)
    if not found:
        return query, id_column
    if index not in TABLES:
        raise ValueError(f"not a search index: {index}")
    if session.get_bind().dialect.name == "sqlite":
        fts = table(index, column("rowid"))
        match = literal_column(index).op("MATCH")(bindparam("search_fts", fts5_query(found)))
        return query.join(fts, fts.c.rowid == id_column).where(match), fts.c.rowid
    matching = matches(index, found)
    if not known_to_the_planner(session, index, found):
        few = few_matches(session, matching)
        if few == []:
            return query.where(false()), id_column
        if few is not None:
            return query.where(id_column == any_(bindparam(
                "search_ids", few, type_=ARRAY(Integer)))), id_column
    return query.where(id_column.in_(matching)), id_column


# How many matches a PostgreSQL search may read off the index to look them up by id: the
# ids of this many are a short list; past it, a page of the newest is at most about
# N / FEW_MATCHES × page rows away in a walk (N: the proposals; 21,000 rows at 1,000,000).
FEW_MATCHES = 1000


def known_to_the_planner(session, index: str, found: list[str]) -> bool:
    """Whether PostgreSQL's statistics of ``index`` hold every term the query looks up
    (:func:`lexemes`: a two-character word's pair, a longer word's trigrams; a
    one-character word: some term it starts), so that the planner's estimate of how
    many proposals match rests on counts, not on its guess for an unknown term.  The
    ``terms`` column keeps 300 × 10 of them (migration 0028_search_trigrams: the
    generated texts' common pairs and trigrams).  No statistics yet (a new or small
    table): not known."""
    common = session.execute(text(
        "SELECT CAST(CAST(most_common_elems AS text) AS text[]) FROM pg_stats "
        "WHERE schemaname = current_schema() AND tablename = :table AND attname = 'terms'"
    ), {"table": index}).scalar()
    if not common:
        return False
    common = set(common)
    return all(any(term.startswith(word) for term in common) if len(word) == 1
               else all(term in common for term in lexemes(word))
               for word in found)


def matches(index: str, found: list[str]) -> Select:
    """The ids of the proposals whose folded text in ``index`` holds every word: the
    GIN index's candidates (:func:`tsquery`), checked against the text (``strpos``)."""
    rows = table(index, column("proposal_id"), column("folded"), column("terms"))
    return select(rows.c.proposal_id).where(
        rows.c.terms.op("@@")(bindparam("search_tsquery", tsquery(found), type_=TSQUERY)),
        *(func.strpos(rows.c.folded, bindparam(f"search_word_{i}", word)) > 0
          for i, word in enumerate(found)),
    )


def few_matches(session, matching: Select) -> list[int] | None:
    """The ids ``matching`` selects if there are at most :data:`FEW_MATCHES` of them,
    else None: a bitmap scan of the GIN index (as cheap as the word's rarest pair is
    rare), its rows read until one past the cap (a word in no text: the lookup alone).

    The matches are a ``MATERIALIZED`` CTE, read lazily up to the cap: planned for all
    its rows, the lookup takes the GIN index for any word estimated at a few per cent of
    rows or less; planned for the cap alone, the guessed 0.5 % would make a scan of the
    table look cheaper to reach 1,001 rows once the table is large enough (roughly ten
    times 1,000,000 proposals), and a word in no text would then read every row."""
    found = matching.cte("search_matches").prefix_with("MATERIALIZED")
    ids = list(session.execute(select(found.c.proposal_id).limit(FEW_MATCHES + 1)).scalars())
    return ids if len(ids) <= FEW_MATCHES else None


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


def lexemes(word: str) -> list[str]:
    """The terms of the PostgreSQL index a word of two or more characters is looked up
    by: its bigram (two characters), else its distinct trigrams — all of them, since a
    text holds the word only if it holds every window of it.  Three characters: the one
    trigram is the word, so the candidates are the matches; a pair would only say that
    both pairs occur, maybe apart (壇の花: 20,000 candidates at 1,000,000, no match)."""
    if len(word) == 2:
        return [word]
    return list(dict.fromkeys(word[i:i + 3] for i in range(len(word) - 2)))


def tsquery(found: list[str]) -> str:
    """Every word's terms (:func:`lexemes`; a lone character as a prefix), all required:
    the candidates; ``strpos`` on the folded text then keeps the exact matches."""
    found_lexemes: dict[str, None] = {}
    for word in found:
        if len(word) == 1:
            found_lexemes[quote_lexeme(word) + ":*"] = None
        else:
            found_lexemes.update(dict.fromkeys(map(quote_lexeme, lexemes(word))))
    return " & ".join(found_lexemes)
