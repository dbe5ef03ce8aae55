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


def test_a_queue_page_reads_short_index_ranges_whatever_the_number_overdue(
        db, city, is_postgresql):
    """The rest of the queue reads the department's proposals newest first off an index,
    never sorting them: SQLite, without ``ix_proposals_dept_id``, sorted every overdue
    proposal of the department (0.5 s a page at 1,000,000 generated proposals); PostgreSQL
    may prefer walking the primary key backwards (it did at 1,000,000: 7 ms).  The overdue
    part reads each (workflow, running state) range of ``ix_proposals_overdue`` (a liaison:
    ``ix_proposals_dept_overdue``) in due-date order, cut at the page's size, never the
    table, however many are overdue (SQLite sorted 570,000 of them for the office's page at
    1,000,000)."""
    from intake.queries import Filters
    from intake.queues import queue_for

    city.submit()
    db.commit()
    for user in (city.parks_liaison, city.office_user):
        sent = _statements(db, lambda user=user: queue_for(db, user, Filters(),
                                                           date(2026, 11, 27)))
        rest = [(sql, p) for sql, p in sent if sql.lstrip().startswith("SELECT proposals.")
                and "ORDER BY proposals.id DESC" in sql]
        overdue = [(sql, p) for sql, p in sent if "UNION ALL" in sql]
        assert len(rest) == 1 and len(overdue) == 1, sent
        connection = db.connection()
        explain = "EXPLAIN" if is_postgresql else "EXPLAIN QUERY PLAN"
        if is_postgresql:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plans = ["\n".join(str(r[0] if is_postgresql else r[-1]) for r in
                           connection.exec_driver_sql(f"{explain} {sql}", p))
                 for sql, p in (rest[0], overdue[0])]
        if is_postgresql:
            assert "Index" in plans[0] and "Seq Scan" not in plans[0], plans[0]
            overdue_index = ("ix_proposals_overdue" if user.is_office
                             else "ix_proposals_dept_overdue")
            assert overdue_index in plans[1] and "Seq Scan" not in plans[1], plans[1]
        else:
            if not user.is_office:
                assert "ix_proposals_dept_id" in plans[0], plans[0]
            assert "TEMP B-TREE" not in plans[0], plans[0]
            overdue_index = ("INDEX ix_proposals_overdue " if user.is_office
                             else "INDEX ix_proposals_dept_overdue ")
            assert overdue_index in plans[1], plans[1]
            assert "SCAN proposals" not in plans[1], plans[1]


def test_a_search_the_statistics_cannot_estimate_reads_the_search_index_first(
        db, city, is_postgresql):
    """PostgreSQL: a word with a character pair the statistics do not know (its
    frequency would be a guess: 0.5 % of rows) is first looked up in the GIN index, at
    most ``FEW_MATCHES`` + 1 matches; as few as that, the public list, its count and the
    queue then read those ids — their plans hold neither the search table nor a walk of
    the proposals.  Asked ``id IN (matches)`` in one statement, the planner walked all
    1,000,000 proposals newest first to find none (0.6 s for the public list, 1.3 s for
    the office's queue).  A word whose every pair the statistics know is left to the
    planner, in one statement.  SQLite: the FTS5 table drives the query, never a scan of
    the proposals."""
    from intake.queries import Filters, count_published, published_proposals
    from intake.queues import queue_for
    from tests.api_support import publish

    for title in ("駅前に花壇をつくる提案", "公園の花壇を広げる提案"):
        proposal, _ = city.submit(title=title)
        publish(db, proposal)
    if is_postgresql:  # the statistics know these texts' pairs, not the next one's
        for index in ("search_public", "search_original"):
            db.execute(text(f"ANALYZE {index}"))
    proposal, _ = city.submit(title="鯱鉾の像を磨く提案")
    publish(db, proposal)
    db.commit()
    connection = db.connection()
    explain = "EXPLAIN" if is_postgresql else "EXPLAIN QUERY PLAN"
    if is_postgresql:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    for q, expected in (("鯨飯", "One-Time Filter: false"), ("鯱鉾", "= ANY"),
                        ("花壇", "search_")):
        filters = Filters(q=q)
        for read in (lambda f=filters: published_proposals(db, f),
                     lambda f=filters: count_published(db, f),
                     lambda f=filters: queue_for(db, city.office_user, f, date(2026, 11, 27))):
            sent = _statements(db, read)
            lookups = [(sql, p) for sql, p in sent
                       if "FROM search_" in sql and "proposals" not in sql]
            lists = [(sql, p) for sql, p in sent if "FROM proposals" in sql]
            assert lists, sent
            if is_postgresql and expected == "search_":
                assert not lookups, lookups
            elif is_postgresql:
                assert len(lookups) == 1, sent
                first = "\n".join(r[0] for r in connection.exec_driver_sql(
                    f"EXPLAIN {lookups[0][0]}", lookups[0][1]))
                assert "Bitmap Index Scan on ix_search_" in first, first
                assert "proposals" not in first, first
            for sql, p in lists:
                read_plan = "\n".join(str(r[0] if is_postgresql else r[-1]) for r in
                                      connection.exec_driver_sql(f"{explain} {sql}", p))
                if is_postgresql:
                    assert expected in read_plan, read_plan
                    if expected != "search_":
                        assert "search_" not in read_plan, read_plan
                else:
                    assert "VIRTUAL TABLE" in read_plan, read_plan
                    assert "SCAN proposals" not in read_plan, read_plan
