"""The big reads use their indexes (issue 13): asked of the database itself with
EXPLAIN, on SQLite and PostgreSQL, so a changed query or a dropped index shows here
rather than as a slow dashboard at a million proposals.

The test database is nearly empty, where any plan is cheap; PostgreSQL is therefore told
to avoid sequential scans and sorts (``enable_seqscan``/``enable_sort`` off), which it
still uses when no index can serve — exactly what these tests catch.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from intake.audit import log_in_chain_order
from intake.office.figures import overdue_per_department


def plan(db, statement, is_postgresql: bool) -> str:
    connection = db.connection()
    sql = str(statement.compile(dialect=connection.dialect,
                                compile_kwargs={"literal_binds": True}))
    if is_postgresql:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        connection.execute(text("SET LOCAL enable_sort = off"))
        return "\n".join(r[0] for r in connection.exec_driver_sql(f"EXPLAIN {sql}"))
    return "\n".join(r[-1] for r in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))


def test_audit_verify_reads_the_log_in_index_order_without_sorting(db, is_postgresql):
    found = plan(db, log_in_chain_order(), is_postgresql)
    if is_postgresql:
        assert "uq_events_chain" in found and "Sort" not in found, found
    else:
        assert "SCAN events USING INDEX sqlite_autoindex_events" in found, found
        assert "TEMP B-TREE" not in found, found


def test_the_overdue_figures_read_the_overdue_index_only(db, is_postgresql):
    found = plan(db, overdue_per_department(date(2026, 11, 27)), is_postgresql)
    if is_postgresql:
        assert "ix_proposals_overdue" in found and "Seq Scan" not in found, found
    else:
        assert "COVERING INDEX ix_proposals_overdue" in found, found


def _statements(db, run) -> list[tuple[str, object]]:
    """The SQL ``run()`` sends, with its parameters."""
    from sqlalchemy import event

    engine = db.get_bind()
    sent = []

    def note(_conn, _cursor, statement, parameters, *_args):
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return sent


def test_a_liaisons_queue_walks_its_department_newest_first_without_sorting(
        db, city, is_postgresql):
    """Both parts of the queue (overdue, then the rest) read the department's proposals
    newest first off an index, never sorting them: SQLite, without the index, sorted every
    overdue proposal of the department (0.5 s a page at 1,000,000 generated proposals);
    with ``ix_proposals_dept_id`` it walks the department backwards.  PostgreSQL may
    prefer walking the primary key backwards (it did at 1,000,000: 7 ms); either way no
    sort."""
    from intake.queries import Filters, queue_for

    city.submit()
    db.commit()
    sent = _statements(db, lambda: queue_for(db, city.parks_liaison, Filters(),
                                             date(2026, 11, 27)))
    parts = [(sql, params) for sql, params in sent if sql.lstrip().startswith("SELECT proposals.")]
    assert len(parts) == 2, parts
    connection = db.connection()
    for sql, params in parts:
        if is_postgresql:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("SET LOCAL enable_sort = off")
            found = "\n".join(r[0] for r in connection.exec_driver_sql(f"EXPLAIN {sql}", params))
            assert "Index Scan Backward" in found and "Sort" not in found, found
        else:
            found = "\n".join(r[-1] for r in connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {sql}", params))
            assert "ix_proposals_dept_id" in found and "TEMP B-TREE" not in found, found
