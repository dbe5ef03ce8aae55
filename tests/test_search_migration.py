"""Migration 0028_search_trigrams on PostgreSQL: the index rows' vectors rewritten with
the trigrams and back (SQLite's upgrade and downgrade do nothing)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from intake.migrate import alembic_config
from intake.search.index import TABLES, stored_terms
from tests.api_support import publish


def vectors(connection, index: str) -> dict[int, tuple[str, set[str]]]:
    rows = connection.execute(text(
        f"SELECT proposal_id, folded, tsvector_to_array(terms) FROM {index}"))
    return {row[0]: (row[1], set(row[2])) for row in rows}


def settings(connection, index: str) -> tuple[int | None, list[str] | None]:
    return connection.execute(text(
        "SELECT attstattarget, reloptions FROM pg_attribute "
        "JOIN pg_class ON pg_class.oid = attrelid "
        "WHERE relname = :index AND attname = 'terms'"), {"index": index}).one()


KEYS = {index: [f"{index}_pkey PRIMARY KEY (proposal_id)",
                f"{index}_proposal_id_fkey FOREIGN KEY (proposal_id) "
                "REFERENCES proposals(id) ON DELETE CASCADE"] for index in TABLES}


def constraints(connection, index: str) -> list[str]:
    """The table's constraints, as 0010_search made them (the tables are rebuilt)."""
    return [f"{name} {definition}" for name, definition in connection.execute(text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = CAST(:index AS regclass) ORDER BY conname"), {"index": index})]


def test_upgrade_writes_the_trigrams_and_downgrade_takes_them_back(
        city, db, database_url, is_postgresql):
    if not is_postgresql:
        pytest.skip("SQLite's FTS5 rows are left as they are")
    for title in ("花壇の手入れと野の花の観察", "バス停に屋根をつける提案"):
        proposal, _ = city.submit(title=title)
        publish(db, proposal)
    db.commit()
    db.close()
    engine = create_engine(database_url)
    with engine.connect() as connection, connection.begin() as transaction:
        command.downgrade(alembic_config(connection), "0027_pending_readings")
        for index in TABLES:
            rows = vectors(connection, index)
            assert len(rows) == 2
            for _folded, terms in rows.values():
                assert {len(term) for term in terms} == {1, 2}, terms
                assert "壇の花" not in terms
            assert settings(connection, index)[1] is None
            assert constraints(connection, index) == KEYS[index]
        command.upgrade(alembic_config(connection), "0028_search_trigrams")
        for index in TABLES:
            for folded, terms in vectors(connection, index).values():
                expected = connection.execute(text(
                    "SELECT tsvector_to_array(CAST(:terms AS tsvector))"),
                    {"terms": stored_terms("postgresql", folded)}).scalar()
                assert terms == set(expected)
                assert {len(term) for term in terms} == {1, 2, 3}, terms
            target, options = settings(connection, index)
            assert target == 300 and options == ["toast_tuple_target=4080"]
            assert constraints(connection, index) == KEYS[index]
            assert connection.execute(text(
                f"SELECT count(*) FROM {index} WHERE terms @@ CAST(:q AS tsquery)"),
                {"q": "'花壇の'"}).scalar() == 1
        transaction.rollback()
    engine.dispose()
