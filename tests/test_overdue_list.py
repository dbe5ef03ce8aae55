"""The office's overdue list (SPEC section 7, the dashboard's "overdue list"): on the
dashboard the most overdue first, and in the queue as the "overdue only" filter — the same
list on the page and in the API (``GET /api/v1/queue?overdue=true``); a liaison's is their
own department's."""

from __future__ import annotations

import re
from datetime import date, timedelta

from intake.models import Proposal
from workflows.calendar import today_jst

from .api_support import API, bearer
from .staff_support import ja, login, page


def _overdue(city, db):
    """Parks: two overdue (2020-01-06 the more overdue) and one not; roads: one overdue."""
    parks = [city.submit(title=f"公園の花壇 {i}")[0] for i in range(3)]
    roads = city.submit(category="roads", title="歩道の段差")[0]
    due = {parks[0]: date(2020, 3, 1), parks[2]: date(2020, 1, 6), roads: date(2020, 2, 1)}
    for proposal, day in due.items():
        db.get(Proposal, proposal.id).due_on = day
    db.get(Proposal, parks[1].id).due_on = today_jst() + timedelta(days=30)
    db.commit()
    return parks, roads


def test_the_dashboard_lists_the_overdue_most_overdue_first(city, db, client, app):
    parks, roads = _overdue(city, db)
    login(client, city.office_user)
    html = page(client.get("/staff/dashboard"))
    listed = html.split('id="overdue"')[1].split("</section>")[0]
    receipts = [p.receipt for p in (parks[2], roads, parks[0])]
    assert [listed.index(r) for r in receipts] == sorted(listed.index(r) for r in receipts)
    assert parks[1].receipt not in listed
    assert 'href="/staff/?overdue=1"' in listed
    assert ja("office.overdue.all", count=3) in listed
    assert '<a href="#overdue">3</a>' in html  # the summary's count leads to the list

    liaison = app.test_client()
    login(liaison, city.parks_liaison)  # a liaison: their own department's
    listed = page(liaison.get("/staff/dashboard")).split('id="overdue"')[1].split("</section>")[0]
    assert parks[2].receipt in listed and roads.receipt not in listed


def test_nothing_overdue_says_so(city, db, client):
    city.submit()
    login(client, city.office_user)
    listed = page(client.get("/staff/dashboard")).split('id="overdue"')[1].split("</section>")[0]
    assert ja("office.overdue.none") in listed


def test_the_queue_filter_and_the_api_give_the_overdue_only(city, db, client):
    parks, roads = _overdue(city, db)
    login(client, city.office_user)
    html = page(client.get("/staff/?overdue=1"))
    assert all(p.receipt in html for p in (parks[0], parks[2], roads))
    assert parks[1].receipt not in html
    assert "checked" in re.search(r'<input[^>]*name="overdue"[^>]*>', html).group(0)
    office = bearer(city.token(city.office_user))
    body = client.get(f"{API}/queue", query_string={"overdue": "true", "limit": 2},
                      headers=office).get_json()
    ids = [item["id"] for item in body["items"]]
    following = client.get(f"{API}/queue", headers=office, query_string={
        "overdue": "true", "cursor": body["next_cursor"]}).get_json()
    ids += [item["id"] for item in following["items"]]
    assert ids == [parks[2].id, roads.id, parks[0].id] and following["next_cursor"] is None
    everything = client.get(f"{API}/queue", headers=office).get_json()["items"]
    assert parks[1].id in [item["id"] for item in everything]


def test_a_bad_overdue_value_is_refused_naming_it(city, db, client):
    login(client, city.office_user)
    response = client.get("/staff/?overdue=maybe")
    assert response.status_code == 400
    assert ja("staff.field.overdue") in page(response)
    answer = client.get(f"{API}/queue", query_string={"overdue": "maybe"},
                        headers=bearer(city.token(city.office_user)))
    assert answer.status_code == 422 and "overdue" in answer.get_json()["error"]["fields"]
