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
from intake.office.figures import EVERYTHING, Scope, figures
from intake.queries import Filters, published_selection


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


def test_the_dashboard_reads_the_kept_counts_never_the_proposals(db, city, is_postgresql):
    """Every statement the office's figures send (the office's and a liaison's) reads
    the kept counts (intake/office/counts.py) — no table, index or plan step of
    ``proposals`` — so overdue, the monthly trend and the rulings cost the same at a
    million proposals as at ten (it was one index entry per overdue proposal, and per
    submission and ruling of the last twelve months: 0.9 s at 1,000,000 on SQLite)."""
    proposal, _ = city.submit()
    db.commit()
    for scope in (EVERYTHING, Scope(proposal.lead_department_id, everything=False)):
        sent = _statements(db, lambda scope=scope: figures(db, date(2026, 11, 27), scope))
        assert len(sent) == 5, sent
        explain = "EXPLAIN" if is_postgresql else "EXPLAIN QUERY PLAN"
        for sql, parameters in sent:
            assert "proposals" not in sql, sql
            found = "\n".join(str(r[0] if is_postgresql else r[-1]) for r in
                              db.connection().exec_driver_sql(f"{explain} {sql}", parameters))
            assert "proposals" not in found, found


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


def test_an_agenda_page_reads_ranges_of_open_states_in_id_order(db, is_postgresql):
    """One department's part of a page: a range of (department, state, id) per open state,
    cut by LIMIT — never the department's closed history, never the whole table."""
    agenda_ranges_plan(db, is_postgresql, backward=False)


def agenda_ranges_plan(db, is_postgresql: bool, *, backward: bool) -> str:
    """The plans of one department's part of an agenda page (forward, or the page before),
    checked to read a (department, state, id) range per open state merged without a sort;
    returned for the caller's own checks."""
    from intake.models import Proposal
    from intake.office.agenda import department_params, department_queries

    dense, sparse = department_queries(date(2026, 11, 27), False, (Proposal.id,),
                                       backward=backward)
    cursor_id = 0 if backward else 1000
    found = "\n".join(plan(db, query.params(department_params(3, cursor_id, 51, 5000)),
                           is_postgresql) for query in (dense, sparse))
    if is_postgresql:
        # On a nearly empty table PostgreSQL may take (state, id) and filter the
        # department, or (department, id) and filter the state; with a city's figures,
        # (department, state, id).  Each is a range in id order, merged without a sort.
        # (department, id) serves too: a range of the department in id order.
        assert any(index in found for index in (
            "ix_proposals_dept_state_id", "ix_proposals_state_id", "ix_proposals_dept_id")), found
        assert "Seq Scan on proposals" not in found and "Merge Append" in found, found
    else:
        assert "ix_proposals_dept_state_id (lead_department_id=? AND state=? AND id>? AND id<?)" \
            in found, found
        assert "SCAN proposals" not in found, found
    return found


def test_the_agenda_summary_reads_aggregates_and_small_sets(db, is_postgresql):
    """How many per department and reason: no scan of the proposals."""
    from intake.office import agenda_summary as agenda

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
    # Several departments; the overdue and the per-state counts are their kept tables.
    assert len(plans) == 1, statements
    for found in plans:
        if is_postgresql:
            assert "Seq Scan on proposals" not in found, found
        else:
            assert "SCAN proposals" not in found, found


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


def test_a_three_character_word_of_common_pairs_is_looked_up_by_its_trigram(
        db, city, is_postgresql):
    """PostgreSQL: 壇の花, whose pairs 壇の and の花 are in every text here but never side
    by side, is looked up by its trigram — in no row, so the GIN index alone answers (no
    candidate row read) and the lists read no search table.  Looked up by its pairs, every
    text was a candidate whose row had to be read for ``strpos``: 20,000 rows, 0.13–0.8 s
    at 1,000,000 proposals.  The statistics know the pairs and the common trigrams (花壇の
    is one statement, left to the planner) but not 壇の花, so the planner's knowledge is
    judged by the terms the query uses.  SQLite: the FTS5 table drives the query."""
    from intake.queries import Filters, count_published, published_proposals
    from intake.queues import queue_for
    from intake.search.query import known_to_the_planner, tsquery
    from tests.api_support import publish

    for place in ("駅前", "公園", "団地", "港", "図書館"):
        proposal, _ = city.submit(title=f"{place}の花壇の手入れと野の花の観察")
        publish(db, proposal)
    db.commit()
    connection = db.connection()
    if is_postgresql:
        for index in ("search_public", "search_original"):
            connection.exec_driver_sql(f"ANALYZE {index}")
        assert tsquery(["壇の花"]) == "'壇の花'"
        for index in ("search_public", "search_original"):
            pairs = connection.exec_driver_sql(
                f"SELECT count(*) FROM {index} WHERE terms @@ '壇の & の花'").scalar()
            assert pairs == 5  # every text: the pairs alone would make five candidates
            assert known_to_the_planner(db, index, ["花壇の"])
            assert known_to_the_planner(db, index, ["花壇"])
            assert not known_to_the_planner(db, index, ["壇の花"])
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    explain = "EXPLAIN" if is_postgresql else "EXPLAIN QUERY PLAN"
    filters = Filters(q="壇の花")
    for read in (lambda: published_proposals(db, filters),
                 lambda: count_published(db, filters),
                 lambda: queue_for(db, city.office_user, filters, date(2026, 11, 27))):
        sent = _statements(db, read)
        lookups = [(sql, p) for sql, p in sent
                   if "FROM search_" in sql and "proposals" not in sql]
        lists = [(sql, p) for sql, p in sent if "FROM proposals" in sql]
        assert lists, sent
        if is_postgresql:
            assert len(lookups) == 1, sent
            sql, p = lookups[0]
            found = "\n".join(r[0] for r in connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {sql}", p))
            assert "Bitmap Index Scan on ix_search_" in found, found
            assert "(actual rows=0 loops=1)" in found.split("Bitmap Index Scan")[1], found
            assert "Rows Removed by" not in found, found
        for sql, p in lists:
            read_plan = "\n".join(str(r[0] if is_postgresql else r[-1]) for r in
                                  connection.exec_driver_sql(f"{explain} {sql}", p))
            if is_postgresql:
                assert "One-Time Filter: false" in read_plan, read_plan
                assert "search_" not in read_plan, read_plan
            else:
                assert "VIRTUAL TABLE" in read_plan, read_plan


def test_the_file_sweep_asks_about_a_batch_of_keys_off_both_key_indexes(db, is_postgresql):
    """The sweep of unreferenced files (intake/attachments/sweep.py) and the purge ask
    whether any row refers to a batch of files, as its file or its thumbnail: an index
    lookup a key, never the whole table (a million proposals' attachments a batch)."""
    from intake.attachments.sweep import references

    found = plan(db, references([f"{c * 64}.jpg" for c in "abc"]), is_postgresql)
    assert "ix_attachments_storage_key" in found, found
    assert "ix_attachments_thumbnail_key" in found, found
    assert "SCAN attachments" not in found and "Seq Scan" not in found, found


def test_a_receipt_number_in_q_is_read_by_the_primary_key(db, is_postgresql):
    """The receipt number is the id and the year: no column of its own, no search index."""
    query, key = published_selection(db, Filters(q="T-2026-34"))
    found = plan(db, query.order_by(key.desc()).limit(21), is_postgresql)
    if is_postgresql:
        # The primary key or the submission dates' index (empty, the table costs nothing).
        assert "Seq Scan" not in found and "search_" not in found, found
    else:
        assert "SEARCH proposals USING INTEGER PRIMARY KEY" in found, found
        assert "search_" not in found, found


def test_switching_a_department_off_counts_its_rules_off_their_index(db, is_postgresql):
    """Before a department is switched off, its active routing rules are counted
    (intake/admin/deactivation.py): an index range, never every rule of the city."""
    from intake.admin.deactivation import active_rules_count

    found = plan(db, active_rules_count(1), is_postgresql)
    assert "ix_routing_rules_department_active" in found, found
    assert "SCAN routing_rules\n" not in found + "\n" and "Seq Scan" not in found, found
