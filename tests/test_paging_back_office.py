"""Going back a page in the liaison-meeting agenda (page and ``GET /api/v1/agenda``) and
in the comment-moderation lists: ``prev_cursor`` beside ``next_cursor``, "previous page"
and "first page" links, and the same pages backwards as forwards — across the agenda's
department boundaries, and in each moderation list without moving the others."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from intake.models import Comment, CommentStatus
from tests import ops as operations

from .api_support import API, bearer
from .office_support import table_rows
from .staff_support import ja, login, page
from .test_agenda import _expected, data_set  # noqa: F401  (the agenda's data set)
from .test_paging_back import _plans_of, both_ways


def _links(html: str) -> dict[str, str]:
    """The pagination's links by their text (the agenda's bar is also kept off paper)."""
    if '<nav class="pagination' not in html:
        return {}
    nav = html.split('<nav class="pagination')[1].split("</nav>")[0]
    return {text.strip(): unescape(href) for href, text in
            re.findall(r'<a[^>]*href="([^"]*)"[^>]*>([^<]*)</a>', nav)}


# --- the agenda ----------------------------------------------------------------------------


def _agenda_both_ways(client, headers: dict, limit: int) -> tuple[list, list]:
    """The agenda's pages by ``next_cursor`` to the last, then back by ``prev_cursor``
    to the first (in forward order), as receipts."""
    return both_ways(client, f"{API}/agenda", {}, headers=headers, limit=limit,
                     key=lambda item: item["proposal"]["receipt"])


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_the_api_agenda_pages_back_through_the_same_pages(data_set, city, client,  # noqa: F811
                                                          limit):
    """Seven items over four places (the triage, parks, roads, welfare): going back crosses
    the departments the other way, each read from its end."""
    headers = bearer(city.token(city.office_user))
    forward, backward = _agenda_both_ways(client, headers, limit)
    assert backward == forward
    assert [r for page_ in forward for r in page_] == \
        [receipt for _code, receipt, _why in _expected(data_set)]
    assert all(len(receipts) == limit for receipts in forward[:-1])


def test_a_liaisons_agenda_pages_back_within_their_department(data_set, city,  # noqa: F811
                                                               client):
    forward, backward = _agenda_both_ways(client, bearer(city.token(city.parks_liaison)), 3)
    assert backward == forward == [
        [receipt for code, receipt, _why in _expected(data_set) if code == "parks"][i:i + 3]
        for i in (0, 3)]


def _agenda_receipts(html: str) -> list[str]:
    return [receipt for rows in table_rows(html, "receipt").values() for receipt in rows]


def test_the_printable_agenda_links_back_and_its_first_page_keeps_the_figures(
        data_set, city, client, monkeypatch):  # noqa: F811
    from intake.web.staff import office

    monkeypatch.setattr(office, "AGENDA_PAGE", 3)
    login(client, city.office_user)
    first = page(client.get("/staff/agenda"))
    assert set(_links(first)) == {ja("staff.queue.next")}
    second = page(client.get(_links(first)[ja("staff.queue.next")]))
    assert set(_links(second)) == {ja("staff.queue.first"), ja("staff.queue.prev"),
                                   ja("staff.queue.next")}
    third = page(client.get(_links(second)[ja("staff.queue.next")]))
    links = _links(third)
    assert set(links) == {ja("staff.queue.first"), ja("staff.queue.prev")}
    assert 'rel="prev"' in third and 'class="agenda-summary"' not in third
    back = page(client.get(links[ja("staff.queue.prev")]))
    assert _agenda_receipts(back) == _agenda_receipts(second)
    back_to_first = page(client.get(_links(back)[ja("staff.queue.prev")]))
    assert _agenda_receipts(back_to_first) == _agenda_receipts(first)
    # gone back to the start, the page is the first page: the figures, no way back
    assert 'class="agenda-summary"' in back_to_first
    assert set(_links(back_to_first)) == {ja("staff.queue.next")}
    assert _agenda_receipts(page(client.get(links[ja("staff.queue.first")]))) == \
        _agenda_receipts(first)
    assert [r for html in (first, second, third) for r in _agenda_receipts(html)] == \
        [receipt for _code, receipt, _why in _expected(data_set)]


def test_an_agenda_page_before_reads_the_same_ranges_the_other_way(db, is_postgresql):
    """Back, a department's part of a page is each open state's (department, state, id)
    range walked downwards, cut by LIMIT and merged — no sort, no scan, no OFFSET."""
    from intake.models import Proposal
    from intake.office.agenda import department_queries
    from tests.test_query_plans import agenda_ranges_plan

    dense, sparse = department_queries(date(2026, 11, 27), False, (Proposal.id,),
                                       backward=True)
    for query in (dense, sparse):
        assert "DESC" in str(query) and "OFFSET" not in str(query)
    found = agenda_ranges_plan(db, is_postgresql, backward=True)
    if is_postgresql:
        assert "Backward" in found, found


# --- the comment-moderation lists ------------------------------------------------------


def _deliberating(city, category: str = "parks"):
    proposal, _ = city.submit(category=category)
    liaison = city.parks_liaison if category == "parks" else city.roads_primary
    for trigger in ("accept", "open_deliberation"):
        operations.fire_trigger(city.session, proposal, trigger,
                                operations.Actor.staff(liaison), {})
    city.session.commit()
    return proposal


@pytest.fixture
def comments(city, db) -> dict[str, list[int]]:
    """Eight comments held (on a parks proposal and a roads one), three of which hidden,
    leaving five held (three of them the parks proposal's), and five published: ids per
    status."""
    parks, roads = _deliberating(city), _deliberating(city, "roads")
    for n in range(8):
        operations.add_comment(db, parks if n % 3 else roads, name="近所の人",
                               body=f"電話 090-1234-56{n:02} まで")
    for n in range(5):
        operations.add_comment(db, parks, name="", body=f"賛成です。{n}")
    held = list(db.scalars(select(Comment).where(Comment.status == CommentStatus.held)
                           .order_by(Comment.id)))
    for comment in held[:3]:  # hidden, leaving five held
        operations.hide_comment(db, comment, operations.Actor.staff(city.office_user),
                                reason="個人への中傷")
    db.commit()
    return {status: list(db.scalars(select(Comment.id).where(Comment.status == status)
                                    .order_by(Comment.id)))
            for status in ("held", "published", "hidden")}


def _section(html: str, name: str) -> str:
    return html.split(f'id="{name}-title"')[1].split("</section>")[0]


def _ids(html: str, name: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="moderate-(\d+)"', _section(html, name))]


def _moderation_both_ways(client, name: str, url: str) -> tuple[list, list, list[str]]:
    """List ``name``'s pages by its next links to the last, then back by its previous
    links (in forward order), and every page seen."""
    html = page(client.get(url))
    assert set(_links(_section(html, name))) <= {ja("staff.queue.next")}
    forward, seen = [_ids(html, name)], [html]
    while ja("staff.queue.next") in (links := _links(_section(html, name))):
        html = page(client.get(links[ja("staff.queue.next")]))
        assert ja("staff.queue.prev") in _links(_section(html, name))
        forward.append(_ids(html, name))
        seen.append(html)
        assert len(forward) < 20
    backward = [forward[-1]]
    while ja("staff.queue.prev") in (links := _links(_section(html, name))):
        html = page(client.get(links[ja("staff.queue.prev")]))
        backward.insert(0, _ids(html, name))
        seen.append(html)
        assert len(backward) < 20
    return forward, backward, seen


@pytest.mark.parametrize("name", ["held", "published", "hidden"])
def test_each_moderation_list_pages_back_through_the_same_pages(city, client, comments,
                                                                name):
    """The held oldest first, the others newest first; the other lists stay on the page
    they were on (their cursors kept), and every link lands on the list's heading."""
    login(client, city.office_user)
    other = "published" if name != "published" else "held"
    start = page(client.get("/staff/comments?limit=2"))
    other_second = _links(_section(start, other))[ja("staff.queue.next")]
    other_ids = _ids(page(client.get(other_second)), other)
    forward, backward, seen = _moderation_both_ways(client, name, other_second)
    assert backward == forward
    expected = comments[name] if name == "held" else comments[name][::-1]
    assert forward == [expected[i:i + 2] for i in range(0, len(expected), 2)]
    for html in seen:
        assert _ids(html, other) == other_ids
        for href in _links(_section(html, name)).values():
            assert "limit=2" in href and href.endswith(f"#{name}-title"), href
    last = _links(_section(seen[len(forward) - 1], name))
    assert ja("staff.queue.first") in last
    assert _ids(page(client.get(last[ja("staff.queue.first")])), name) == forward[0]


def test_a_liaison_pages_back_through_their_departments_comments(city, client, comments,
                                                                  db):
    login(client, city.parks_liaison)
    parks_held = [c.id for c in db.scalars(select(Comment).where(
        Comment.id.in_(comments["held"])).order_by(Comment.id))
        if c.proposal.lead_department_id == city.parks_liaison.department_id]
    forward, backward, _seen = _moderation_both_ways(client, "held",
                                                     "/staff/comments?limit=2")
    assert backward == forward
    assert [i for ids in forward for i in ids] == parks_held and len(forward) >= 2


def test_the_moderation_list_reads_the_page_before_off_its_index(db, city, comments,
                                                                 is_postgresql):
    """Back, each list reads ``ix_comments_status_id`` the other way, cut by LIMIT:
    never every comment of the status sorted, never OFFSET."""
    from intake.paging import back_cursor
    from intake.queries import moderation_comments

    for status in ("held", "published"):
        plans = _plans_of(db, is_postgresql, lambda s=status: moderation_comments(
            db, city.office_user, s, cursor=back_cursor([comments[s][1]]), limit=1),
            lambda sql: "FROM comments" in sql and "ORDER BY comments.id" in sql)
        assert plans, status
        for found in plans:
            assert "ix_comments_status_id" in found, found
            if is_postgresql:
                assert "Sort" not in found and "Seq Scan on comments" not in found, found
            else:
                assert "TEMP B-TREE" not in found, found
