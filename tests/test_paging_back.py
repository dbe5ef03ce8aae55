"""Going back a page in the lists paged by keyset (the public list, the staff queue, and
their API twins): ``prev_cursor`` beside ``next_cursor``, "previous page" and "first
page" links that keep the filters, and the same pages backwards as forwards — no
duplicate, no gap — in every ordering of the queue."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from intake.models import Proposal
from intake.paging import encode_cursor
from intake.web.public import PAGE_SIZE
from workflows.calendar import today_jst

from .api_support import API, bearer, publish
from .staff_support import ja, login, page
from .workflow_support import walk


def both_ways(client, url: str, query: dict, headers: dict | None = None,
              limit: int = 2, key=lambda item: item["id"]
              ) -> tuple[list[list], list[list]]:
    """The pages followed forward by ``next_cursor`` to the last, then back by
    ``prev_cursor`` to the first (put back in forward order); every page but the first
    has a ``prev_cursor``, the first none.  ``key``: what names an item on a page."""
    def get(cursor):
        response = client.get(url, headers=headers or {}, query_string={
            **query, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        return [key(item) for item in body["items"]], body

    ids, body = get(None)
    assert body["prev_cursor"] is None
    forward = [ids]
    while body["next_cursor"]:
        ids, body = get(body["next_cursor"])
        assert body["prev_cursor"], "a page after the first has a page before it"
        forward.append(ids)
        assert len(forward) < 50, "pagination does not end"
    backward = [forward[-1]]
    while body["prev_cursor"]:
        ids, body = get(body["prev_cursor"])
        backward.insert(0, ids)
        assert body["next_cursor"], "a page gone back to has a page after it"
        assert len(backward) < 50, "going back does not end"
    return forward, backward


# --- the public list --------------------------------------------------------------------


@pytest.fixture
def published(city, db) -> dict[str, list[int]]:
    """Seven published parks proposals about flower beds, six roads ones (three about
    flower beds), one unpublished."""
    made: dict[str, list[int]] = {"parks": [], "roads": []}
    for i in range(13):
        category = "parks" if i % 2 == 0 else "roads"
        title = "花壇の手入れ" if category == "parks" or i % 4 == 1 else "歩道の段差"
        proposal, _ = city.submit(category=category, title=f"{title} {i}")
        publish(db, proposal)
        made[category].append(proposal.id)
    city.submit()
    db.commit()
    return made


@pytest.mark.parametrize("query", [{}, {"category": "roads"}, {"q": "花壇"},
                                   {"q": "花壇", "category": "roads"}])
def test_the_public_list_pages_back_through_the_same_pages(client, published, query,
                                                            limit=3):
    forward, backward = both_ways(client, f"{API}/proposals", query, limit=limit)
    assert backward == forward
    flat = [i for ids in forward for i in ids]
    everything = client.get(f"{API}/proposals", query_string={**query, "limit": 100})
    assert flat == [item["id"] for item in everything.get_json()["items"]]  # no gap
    assert len(forward) >= 2 and all(len(ids) == limit for ids in forward[:-1])


def test_going_back_to_a_start_that_lost_rows_answers_the_first_page_as_it_is(
        client, db, published):
    """A proposal of the first page withheld since: going back finds fewer than a page
    before the cursor, and answers the first page as it now is — with no page before it
    — rather than a short page."""
    newest = sorted(published["parks"] + published["roads"], reverse=True)
    first = client.get(f"{API}/proposals", query_string={"limit": 3}).get_json()
    second = client.get(f"{API}/proposals", query_string={
        "limit": 3, "cursor": first["next_cursor"]}).get_json()
    db.get(Proposal, newest[1]).withheld_reason = "個人情報を含むため"
    db.commit()
    back = client.get(f"{API}/proposals", query_string={
        "limit": 3, "cursor": second["prev_cursor"]}).get_json()
    assert [item["id"] for item in back["items"]] == [newest[0], newest[2], newest[3]]
    assert back["prev_cursor"] is None


@pytest.mark.parametrize("cursor", [
    encode_cursor(["prev"]), encode_cursor(["prev", "x"]), encode_cursor(["prev", 1, 2]),
    encode_cursor(["prev", -1]), encode_cursor(["next", 5]), encode_cursor([["prev", 5]]),
])
def test_a_forged_backward_cursor_is_refused_naming_cursor(client, city, cursor):
    response = client.get(f"{API}/proposals", query_string={"cursor": cursor})
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["cursor"]
    queue = client.get(f"{API}/queue", query_string={"cursor": cursor},
                       headers=bearer(city.token(city.office_user)))
    assert queue.status_code == 422
    assert list(queue.get_json()["error"]["fields"]) == ["cursor"]


@pytest.mark.parametrize("cursor", [[2, 0, 5], ["prev", 7, 0, 5], [1, 10**12, 5],
                                    ["prev", 1, 10**12, 5]])
def test_a_queue_cursor_out_of_its_ranks_or_calendar_is_refused(client, city, cursor):
    city.submit()
    response = client.get(f"{API}/queue", query_string={"cursor": encode_cursor(cursor)},
                          headers=bearer(city.token(city.office_user)))
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["cursor"]


def _links(html: str) -> dict[str, str]:
    """The pagination's links by their text."""
    nav = html.split('class="pagination"')[1].split("</nav>")[0] if 'class="pagination"' \
        in html else ""
    return {text.strip(): unescape(href) for href, text in
            re.findall(r'<a[^>]*href="([^"]*)"[^>]*>([^<]*)</a>', nav)}


def _receipts(html: str) -> list[str]:
    return re.findall(r"T-\d{4}-\d+", html)


@pytest.fixture
def pages_of_parks(city, db) -> None:
    """More parks proposals than a page of the public list holds (20), and roads ones."""
    for i in range(PAGE_SIZE + 3):
        publish(db, city.submit(category="parks" if i % 8 else "roads")[0])
    for _ in range(PAGE_SIZE // 2):  # a second page of parks proposals, by the filter
        publish(db, city.submit(category="parks")[0])


def test_the_public_page_links_back_keeping_its_filters_and_states_its_order(
        client, pages_of_parks):
    first_html = page(client.get("/proposals", query_string={"category": "parks"}))
    assert ja("public.list.order") in first_html
    links = _links(first_html)
    assert set(links) == {ja("public.list.next")}  # the first page: no way back
    second_html = page(client.get(links[ja("public.list.next")]))
    links = _links(second_html)  # the last page of the parks proposals
    assert set(links) == {ja("public.list.first"), ja("public.list.prev")}
    assert all("category=parks" in href for href in links.values())
    assert 'rel="prev"' in second_html
    back_html = page(client.get(links[ja("public.list.prev")]))
    assert _receipts(back_html) == _receipts(first_html)
    assert set(_links(back_html)) == {ja("public.list.next")}
    assert _receipts(page(client.get(links[ja("public.list.first")]))) == \
        _receipts(first_html)


def test_the_english_page_says_previous_page_and_the_order(client, pages_of_parks):
    first = page(client.get("/proposals", query_string={"lang": "en"}))
    assert "Newest first, in order of receipt." in first
    next_url = _links(first)["Next page"]
    assert "Previous page" in _links(page(client.get(next_url)))


# --- the staff queue --------------------------------------------------------------------


@pytest.fixture
def workload(city, db) -> dict[str, list[Proposal]]:
    """Parks: five overdue over three due days (two on each of the first two), six not
    overdue of which two closed and two assigned to the deputy…; roads: two overdue, three
    not."""
    parks = [city.submit(title=f"公園の花壇 {i}")[0] for i in range(11)]
    roads = [city.submit(category="roads", title=f"歩道の段差 {i}")[0] for i in range(5)]
    for proposal, day in zip(parks[:5], (date(2020, 1, 6), date(2020, 1, 6),
                                         date(2020, 3, 1), date(2020, 3, 1),
                                         date(2020, 5, 1)), strict=True):
        db.get(Proposal, proposal.id).due_on = day
    for proposal, day in zip(roads[:2], (date(2020, 2, 1), date(2020, 1, 6)), strict=True):
        db.get(Proposal, proposal.id).due_on = day
    for proposal in parks[5:]:
        db.get(Proposal, proposal.id).due_on = today_jst() + timedelta(days=30)
    db.commit()
    walk(db, parks[6], "rejected")
    walk(db, parks[8], "in_review")
    walk(db, parks[9], "rejected")
    return {"parks": parks, "roads": roads}


QUEUE_ARGS = [{}, {"open": "1"}, {"overdue": "1"}, {"category": "parks"},
              {"q": "花壇"}, {"mine": "1", "open": "1"}, {"open": "1", "category": "parks"},
              {"state": "submitted"}]


@pytest.mark.parametrize("who", ["office", "parks", "office_parks"])
def test_the_queue_pages_back_through_the_same_pages(city, client, workload, who):
    """Every ordering: overdue by due day then the rest (the office: off the overdue
    index; a department: off its own), the open states' ranges merged, the overdue
    alone, and the narrowed ones (theme, search, mine) newest first."""
    user = city.parks_liaison if who == "parks" else city.office_user
    headers = bearer(city.token(user))
    for query in QUEUE_ARGS:
        query = {**query, **({"department": "parks"} if who == "office_parks" else {})}
        forward, backward = both_ways(client, f"{API}/queue", query, headers=headers)
        assert backward == forward, query
        flat = [i for ids in forward for i in ids]
        everything = client.get(f"{API}/queue", headers=headers,
                                query_string={**query, "limit": 100}).get_json()["items"]
        assert flat == [item["id"] for item in everything], query
        assert len(set(flat)) == len(flat), query
        assert len(forward) >= 2 or (query.get("mine") and who != "parks"), query


def test_the_queue_page_links_back_keeping_its_filters(city, client, workload):
    login(client, city.office_user)
    query = {"open": "1", "department": "parks", "limit": "2"}
    first_html = page(client.get("/staff/", query_string=query))
    assert set(_links(first_html)) == {ja("staff.queue.next")}
    third_url = _links(page(client.get(_links(first_html)[ja("staff.queue.next")])))[
        ja("staff.queue.next")]
    third_html = page(client.get(third_url))
    links = _links(third_html)
    assert set(links) == {ja("staff.queue.first"), ja("staff.queue.prev"),
                          ja("staff.queue.next")}
    for href in links.values():
        assert all(f"{name}={value}" in href for name, value in query.items()), href
    second_html = page(client.get(links[ja("staff.queue.prev")]))
    first_again = page(client.get(_links(second_html)[ja("staff.queue.prev")]))
    assert _receipts(first_again) == _receipts(first_html)
    assert set(_links(first_again)) == {ja("staff.queue.next")}
    assert _receipts(page(client.get(links[ja("staff.queue.first")]))) == \
        _receipts(first_html)


# --- the backward reads' plans ------------------------------------------------------------


def _plans_of(db, is_postgresql, run, wanted) -> list[str]:
    """The plans of the statements ``run()`` sends that ``wanted(sql)`` picks (PostgreSQL
    told to avoid scans and sorts: the table is nearly empty, see test_query_plans)."""
    from .test_query_plans import _statements

    sent = [(sql, p) for sql, p in _statements(db, run) if wanted(sql)]
    connection = db.connection()
    explain = "EXPLAIN" if is_postgresql else "EXPLAIN QUERY PLAN"
    if is_postgresql:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
    return ["\n".join(str(r[0] if is_postgresql else r[-1]) for r in
                      connection.exec_driver_sql(f"{explain} {sql}", parameters))
            for sql, parameters in sent]


def test_the_public_list_reads_the_page_before_off_the_key_without_sorting(
        db, city, is_postgresql):
    """Backwards, the public list reads the ids after the cursor upwards off the primary
    key (or the category's ``(category_id, id)``), cut by LIMIT — never every published
    proposal sorted, never OFFSET."""
    from intake.paging import back_cursor
    from intake.queries import Filters, published_proposals

    for _ in range(3):
        publish(db, city.submit()[0])
    for filters in (Filters(), Filters(category="parks")):
        plans = _plans_of(db, is_postgresql, lambda f=filters: published_proposals(
            db, f, cursor=back_cursor([1]), limit=1),
            lambda sql: "FROM proposals" in sql and "ORDER BY proposals.id ASC" in sql)
        assert plans, filters
        for found in plans:
            if is_postgresql:
                assert "Index" in found and "Limit" in found, found
                assert "Sort" not in found and "Seq Scan on proposals" not in found, found
            else:
                assert re.search(r"SEARCH proposals USING (INTEGER PRIMARY KEY|INDEX "
                                 r"ix_proposals_category_id)", found), found
                assert "TEMP B-TREE" not in found, found


def test_the_queue_reads_the_page_before_in_short_index_ranges(db, city, workload,
                                                               is_postgresql):
    """Backwards from the rest of the queue: the rest's ids upwards off the department's
    ``(department, id)`` (the office: the primary key), then the overdue from their end —
    each (workflow, running state) range of the overdue index walked the other way, cut at
    the page's size; open only, each open state's ``(department, state, id)`` range
    upwards.  The same indexes, and no more rows, as forwards."""
    from intake.paging import back_cursor
    from intake.queries import Filters
    from intake.queues import OVERDUE, REST, queue_for

    # Before the newest of the rest: none of the rest before it, then the overdue's end.
    cursor = back_cursor([REST, 0, workload["roads"][-1].id])
    # Inside the overdue: before a row due on 2020-03-01.
    within_overdue = back_cursor([OVERDUE, date(2020, 3, 1).toordinal(), workload["parks"][2].id])
    for user in (city.parks_liaison, city.office_user):
        def read(wanted, user=user):
            return _plans_of(db, is_postgresql, lambda: queue_for(
                db, user, Filters(), date(2026, 11, 27), cursor=cursor, limit=2), wanted)

        [rest] = read(lambda sql: "ORDER BY proposals.id ASC" in sql)
        [overdue] = read(lambda sql: "UNION ALL" in sql)
        overdue_index = "ix_proposals_overdue" if user.is_office else "ix_proposals_dept_overdue"
        assert overdue_index in overdue, overdue
        for found in (rest, overdue):
            assert "Seq Scan on proposals" not in found, found
            assert not re.search(r"SCAN proposals(?! USING)", found), found
        if is_postgresql:
            assert "Index" in rest and "Sort" not in rest, rest
        else:
            assert "TEMP B-TREE" not in rest, rest
            if not user.is_office:
                assert "ix_proposals_dept_id" in rest, rest
        [within] = _plans_of(db, is_postgresql, lambda u=user: queue_for(
            db, u, Filters(), date(2026, 11, 27), limit=2,
            cursor=within_overdue),
            lambda sql: "UNION ALL" in sql)
        assert overdue_index in within and "Seq Scan on proposals" not in within, within
        assert not re.search(r"SCAN proposals(?! USING)", within), within
        open_plans = _plans_of(db, is_postgresql, lambda u=user: queue_for(
            db, u, Filters(), date(2026, 11, 27), cursor=cursor, limit=2, open_only=True),
            lambda sql: "UNION ALL" in sql and "AS due_on" not in sql)
        assert len(open_plans) == 1, open_plans
        if is_postgresql:
            assert open_plans[0].count("Index Scan using ix_proposals_") >= 3, open_plans[0]
            assert "Sort Key: proposals" not in open_plans[0], open_plans[0]
        else:
            index = "ix_proposals_state_id" if user.is_office else "ix_proposals_dept_state_id"
            assert open_plans[0].count(index) >= 3, open_plans[0]
