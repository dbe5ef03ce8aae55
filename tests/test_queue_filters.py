"""The queue's "assigned to me" and "open only" filters: a liaison's own workload out of
the department's whole history, the same on the page and in the API
(``GET /api/v1/queue?mine=true&open=true``), read off an index."""

from __future__ import annotations

import re
from datetime import date

import pytest

from intake.models import Proposal

from .api_support import API, bearer
from .staff_support import ja, login, page
from .test_query_plans import _statements
from .workflow_support import walk


@pytest.fixture
def roads(city, db):
    """Roads: one in review and one rejected for its primary, one new for its deputy."""
    mine_open, _ = city.submit(category="roads", title="歩道の段差をなくす")
    walk(db, mine_open, "in_review")
    mine_closed, _ = city.submit(category="roads", title="道路の標識を増やす")
    walk(db, mine_closed, "rejected")
    deputys, _ = city.submit(category="roads", title="街灯を明るくする")
    db.get(Proposal, deputys.id).assignee_id = city.roads_deputy.id
    db.commit()
    for proposal in (mine_open, mine_closed):
        assert db.get(Proposal, proposal.id).assignee_id == city.roads_primary.id
    return {"mine_open": mine_open, "mine_closed": mine_closed, "deputys": deputys}


@pytest.mark.parametrize(("args", "shown"), [
    ({}, {"mine_open", "mine_closed", "deputys"}),
    ({"mine": "1"}, {"mine_open", "mine_closed"}),
    ({"open": "1"}, {"mine_open", "deputys"}),
    ({"mine": "1", "open": "1"}, {"mine_open"}),
])
def test_the_page_and_the_api_keep_what_is_mine_and_open(city, client, roads, args, shown):
    login(client, city.roads_primary)
    html = page(client.get("/staff/", query_string=args))
    assert {name for name, p in roads.items() if p.receipt in html} == shown
    for name in args:  # the boxes ticked stay ticked
        assert "checked" in re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    answer = client.get(f"{API}/queue", query_string={k: "true" for k in args},
                        headers=bearer(city.token(city.roads_primary))).get_json()
    assert {item["id"] for item in answer["items"]} == {roads[name].id for name in shown}


def test_the_filters_are_offered_with_their_labels(city, client, roads):
    login(client, city.roads_primary)
    html = page(client.get("/staff/"))
    assert ja("staff.field.mine") in html and ja("staff.field.open") in html


@pytest.mark.parametrize("name", ["mine", "open"])
def test_a_bad_value_is_refused_naming_the_filter(city, client, roads, name):
    login(client, city.roads_primary)
    response = client.get("/staff/", query_string={name: "maybe"})
    assert response.status_code == 400
    assert ja(f"staff.field.{name}") in page(response)
    answer = client.get(f"{API}/queue", query_string={name: "maybe"},
                        headers=bearer(city.token(city.roads_primary)))
    assert answer.status_code == 422
    assert list(answer.get_json()["error"]["fields"]) == [name]


def test_open_only_pages_without_duplicates_or_gaps(city, client, db, roads):
    more = [city.submit(category="roads", title=f"道路の補修 {i}")[0] for i in range(5)]
    token = bearer(city.token(city.roads_primary))
    seen, cursor = [], None
    while True:
        answer = client.get(f"{API}/queue", headers=token, query_string={
            "open": "1", "limit": 2, **({"cursor": cursor} if cursor else {})}).get_json()
        seen += [item["id"] for item in answer["items"]]
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    expected = [p.id for p in (*more, roads["deputys"], roads["mine_open"])]
    assert seen == sorted(expected, reverse=True)  # newest first, each once


def _plans(db, is_postgresql, run) -> list[str]:
    sent = _statements(db, run)
    connection = db.connection()
    explain = "EXPLAIN" if is_postgresql else "EXPLAIN QUERY PLAN"
    if is_postgresql:  # a nearly empty table: any plan is cheap (see test_query_plans)
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
    return ["\n".join(str(r[0] if is_postgresql else r[-1]) for r in
                      connection.exec_driver_sql(f"{explain} {sql}", parameters))
            for sql, parameters in sent if "FROM proposals" in sql]


def test_open_only_reads_a_range_per_open_state_never_the_archive(db, city, roads,
                                                                   is_postgresql):
    """The rest of the queue, open only: each open state's range off ``(department,
    state, id)`` (the office: ``(state, id)``) newest first — never the department's or
    the city's closed history walked to find the open ones."""
    from intake.queries import Filters
    from intake.queues import queue_for

    for user, index in ((city.roads_primary, "ix_proposals_dept_state_id"),
                        (city.office_user, "ix_proposals_state_id")):
        plans = _plans(db, is_postgresql, lambda user=user: queue_for(
            db, user, Filters(), date(2026, 11, 27), open_only=True))
        if is_postgresql:
            # Each open state's range walked backwards, cut by its LIMIT, no sort: off
            # (department, state, id) or, on a table this small, (state, id) — the planner
            # cannot tell them apart without statistics.
            [ranges] = [p for p in plans if p.count("Index Scan Backward using ix_proposals_"
                                                    ) >= 3]
            assert "Seq Scan on proposals" not in ranges, ranges
            assert "Sort Key: proposals" not in ranges, ranges
        else:
            [ranges] = [p for p in plans if p.count(index) >= 3]  # one per open state
            assert not re.search(r"SCAN proposals(?! USING)", ranges), ranges
            # each range in id order off the index; only the ranges' few ids are merged
            assert all(index in line for line in ranges.splitlines()
                       if line.startswith("SEARCH proposals")), ranges


def test_mine_reads_the_callers_own_proposals_off_their_index(db, city, roads,
                                                              is_postgresql):
    from intake.queries import Filters
    from intake.queues import queue_for

    for plan in _plans(db, is_postgresql, lambda: queue_for(
            db, city.office_user, Filters(), date(2026, 11, 27), mine=True, open_only=True)):
        if is_postgresql:
            assert "Seq Scan on proposals" not in plan, plan
        else:
            assert not re.search(r"SCAN proposals(?! USING)", plan), plan
