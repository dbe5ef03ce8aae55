"""The search indexes: a proposal's text folded and cut into character bigrams (and, on
PostgreSQL, trigrams as well).

Japanese has no spaces between words, so a word tokenizer finds nothing and a trigram
index alone cannot serve a two-character query (SPEC section 8).  Each text is folded
(:func:`fold`: NFKC, then case folding, so ＬＥＤ, LED and led, ﾍﾞﾝﾁ and ベンチ are one
text), split at white space into runs, and every run of n characters becomes n terms:
its n − 1 overlapping bigrams and its last character alone (:func:`terms`)::

    "バス停の屋根" → バス スス 停の の屋 屋根 根      (positions 0 … 5)

Every character then starts a term (a one-character word is a prefix query), a word of
n ≥ 2 characters is the phrase of its n − 1 bigrams, and a phrase cannot run across a
white space (the run's last term is one character, never a bigram of the word).

Two indexes, one row per proposal:

- :data:`ORIGINAL` — what the proposer wrote; staff lists search it (written at
  submission, :mod:`intake.proposals.operations`);
- :data:`PUBLIC` — the public copy (:class:`~intake.models.PublishedText`, masked where a
  review said so), rewritten whenever :func:`intake.privacy.operations.write_public_copy`
  writes the copy; public lists search only it, so a masked text is never found.

On SQLite each is a contentless FTS5 table (rowid = proposal id) with positions, so the
phrase match *is* the exact substring test.  On PostgreSQL each is a table with a
``tsvector`` of the distinct terms under a GIN index, and the folded text beside it for
the exact substring test on the rows the index returns (``strpos``; a tsvector keeps at
most 256 positions per term, too few for a phrase test to be exact).  Without positions
the bigrams of a three-character word only say that both pairs occur somewhere: 壇の and
の花 are each in 4–6 % of the generated texts, together in 2 %, adjacent in none, and
checking those 20,000 candidates' rows cost 0.13–0.8 s at 1,000,000 proposals.  So the
PostgreSQL vector also holds every run's three-character windows (:func:`trigrams`;
"バス停の屋根" adds バス停 ス停の 停の屋 の屋根), and a word of three or more characters is
looked up by its trigrams (:mod:`.query`): a three-character word's candidates are then
exactly its matches, a longer word's nearly so.  The tables and their GIN indexes are
2.2–2.4 times larger for it (1,000,000 proposals); FTS5 needs none of it (its phrase is
exact already).  The tables are created by
migration 0010_search, the trigrams added by 0028_search_trigrams, and neither table is
in ``Base.metadata`` (:func:`is_search_table` tells the schema comparison to leave them
out).

Changing :func:`fold`, :func:`terms` or :func:`trigrams` needs a migration that rebuilds
both indexes: SQLite's contentless rows are deleted by giving back the terms they were
written with.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import text

ORIGINAL = "search_original"
PUBLIC = "search_public"
TABLES = (ORIGINAL, PUBLIC)
# The free text a search looks in (the keys of intake.privacy.text.fields_of).
SEARCHED = ("title", "problem", "proposal")


def is_search_table(name: str | None) -> bool:
    """The index tables and, on SQLite, FTS5's shadow tables (``search_public_data`` …)."""
    return bool(name) and name.startswith(TABLES)


def include_name(name: str | None, type_: str, parent_names) -> bool:
    """Alembic's ``include_name``: schema comparisons leave the indexes out (they are
    built by their migration, outside the models)."""
    table = name if type_ == "table" else parent_names.get("table_name")
    return not is_search_table(table)


def fold(value: str) -> str:
    """Width and case folded: NFKC (full-width Latin and digits to ASCII, half-width kana
    to full-width), case folding, and NFKC again (folding may un-normalise)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())


def document(fields: Mapping[str, str]) -> str:
    """The searched fields of a proposal or its public copy, folded, one line each."""
    return fold("\n".join(fields.get(name) or "" for name in SEARCHED))


def terms(folded: str) -> list[str]:
    """Each run's overlapping bigrams and its last character, in text order."""
    return [run[i:i + 2] for run in folded.split() for i in range(len(run))]


def trigrams(folded: str) -> list[str]:
    """Each run's three-character windows, in text order (a run of fewer: none) — the
    PostgreSQL index's terms for words of three or more characters."""
    return [run[i:i + 3] for run in folded.split() for i in range(len(run) - 2)]


def quote_lexeme(term: str) -> str:
    """A term as a quoted tsvector / tsquery lexeme."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def stored_terms(dialect_name: str, folded: str) -> str:
    """A folded text's terms as an index row holds them: space-separated in text order
    for FTS5 (positions make the phrase); for a ``tsvector``, the distinct terms and
    trigrams as quoted lexemes (benchmarks/bulk.py writes its rows through this too)."""
    if dialect_name == "sqlite":
        return " ".join(terms(folded))
    return " ".join(map(quote_lexeme, dict.fromkeys(terms(folded) + trigrams(folded))))


@dataclass(frozen=True)
class Entry:
    """One proposal's row in an index: the text it had there (None: no row yet) and now."""

    proposal_id: int
    old: str | None
    new: str


def write(connection, table: str, entries: Iterable[Entry]) -> None:
    """Write (or rewrite) index rows, a batch in a few statements.  ``connection``: a
    Connection, or a Session's (``session.connection()``: no autoflush)."""
    if table not in TABLES:
        raise ValueError(f"not a search index: {table}")
    entries = list(entries)
    if not entries:
        return
    if connection.dialect.name == "sqlite":
        stale = [{"id": e.proposal_id, "terms": " ".join(terms(e.old))}
                 for e in entries if e.old is not None]
        if stale:  # a contentless FTS5 row is deleted by giving back its terms
            connection.execute(text(f"INSERT INTO {table}({table}, rowid, terms) "
                                    "VALUES ('delete', :id, :terms)"), stale)
        connection.execute(text(f"INSERT INTO {table}(rowid, terms) VALUES (:id, :terms)"),
                           [{"id": e.proposal_id, "terms": stored_terms("sqlite", e.new)}
                            for e in entries])
        return
    connection.execute(
        text(f"INSERT INTO {table} (proposal_id, folded, terms) "
             "VALUES (:id, :folded, CAST(:terms AS tsvector)) "
             "ON CONFLICT (proposal_id) DO UPDATE "
             "SET folded = EXCLUDED.folded, terms = EXCLUDED.terms"),
        [{"id": e.proposal_id, "folded": e.new,
          "terms": stored_terms("postgresql", e.new)} for e in entries],
    )


def index_original(session, proposal) -> None:
    """At submission: the staff index gets what the proposer wrote (it never changes)."""
    write(session.connection(), ORIGINAL,
          [Entry(proposal.id, None, document({"title": proposal.title,
                                              "problem": proposal.problem,
                                              "proposal": proposal.proposal_text}))])


def index_public(session, proposal_id: int, old: Mapping[str, str] | None,
                 new: Mapping[str, str]) -> None:
    """The public copy was written: ``old`` is the copy it replaced (None: the first)."""
    write(session.connection(), PUBLIC,
          [Entry(proposal_id, None if old is None else document(old), document(new))])
