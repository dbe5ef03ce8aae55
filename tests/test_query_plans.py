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


def test_an_agenda_page_reads_ranges_of_open_states_in_id_order(db, is_postgresql):
    """One department's part of a page: a range of (department, state, id) per open state,
    cut by LIMIT — never the department's closed history, never the whole table."""
    from intake.models import Proposal
    from intake.office.agenda import department_params, department_queries

    dense, sparse = department_queries(date(2026, 11, 27), False, (Proposal.id,))
    found = "\n".join(plan(db, query.params(department_params(3, 1000, 51, 5000)),
                           is_postgresql) for query in (dense, sparse))
    if is_postgresql:
        # On a nearly empty table PostgreSQL may take (state, id) and filter the
        # department; with a city's figures, (department, state, id).  Either is a range
        # of one open state in id order, merged without a sort.
        assert "ix_proposals_dept_state_id" in found or "ix_proposals_state_id" in found, found
        assert "Seq Scan on proposals" not in found and "Merge Append" in found, found
    else:
        assert "ix_proposals_dept_state_id (lead_department_id=? AND state=? AND id>? AND id<?)" \
            in found, found
        assert "SCAN proposals" not in found, found


def test_the_agenda_summary_reads_aggregates_and_small_sets(db, is_postgresql):
    """How many per department and reason: no scan of the proposals."""
    from intake.office import agenda

    statements = []
    connection = db.connection()
    from sqlalchemy import event

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", seen)
    try:
        agenda.summary(db, date(2026, 11, 27))
    finally:
        event.remove(connection, "before_cursor_execute", seen)
    plans = []
    for statement, parameters in statements:
        if "proposals" not in statement:
            continue
        if is_postgresql:
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
            plans.append("\n".join(r[0] for r in rows))
        else:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            plans.append("\n".join(r[-1] for r in rows))
    assert len(plans) == 2, statements  # overdue; several departments (counts: their table)
    for found in plans:
        if is_postgresql:
            assert "Seq Scan on proposals" not in found, found
        else:
            assert "SCAN proposals" not in found, found
