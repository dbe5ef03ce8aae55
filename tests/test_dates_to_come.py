"""Dates an officer sets are days to come: the new deadline of ``extend``, the implementing
deadline ``start_implementation`` takes (``due_on``) and the end of the comment period are
refused before today (the app's clock, in Japan; the comment period to the minute) and
after the calendar's horizon (the end of the tenth year ahead), alike on the staff page
and in the JSON API, with a message naming the field and the day of the rule; nothing
changes and nobody is told."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from intake.dates import people_date
from intake.i18n import translate
from intake.models import JST, OutboxMessage, Proposal
from workflows.calendar import horizon, today_jst

from .api_support import API, bearer
from .staff_support import login, page, post_action, reload
from .workflow_support import walk

TODAY = today_jst()
LATEST = horizon(TODAY)
FAR = "9999-12-31"


def _prepared(city, state: str) -> Proposal:
    """A parks proposal ``adopted``; ``overdue``: in review with a deadline a month gone
    (a later date may still be before today); ``deliberation``: begun 20 days ago."""
    proposal, _ = city.submit()
    walk(city.session, proposal, {"adopted": "adopted", "overdue": "in_review",
                                  "deliberation": "in_deliberation"}[state])
    if state == "overdue":
        proposal.due_on = TODAY - timedelta(days=30)
    if state == "deliberation":
        proposal.state_entered_at = datetime.now(JST) - timedelta(days=20)
    city.session.commit()
    return reload(city.session, proposal)


# action (the page's form; the API's path), the proposal's state, what is sent, the field,
# the rule and the day it names
CASES = [
    ("extend", "overdue", {"due_on": FAR}, "after_horizon"),
    ("extend", "overdue", {"due_on": (LATEST + timedelta(days=1)).isoformat()},
     "after_horizon"),
    # later than the deadline of a month ago, but gone too: the proposer would be told of it
    ("extend", "overdue", {"due_on": (TODAY - timedelta(days=1)).isoformat()},
     "before_today"),
    ("start_implementation", "adopted", {"due_on": FAR}, "after_horizon"),
    ("start_implementation", "adopted", {"due_on": "2026-01-05"}, "before_today"),
    ("comments", "deliberation", {"ends_at": f"{FAR}T12:00"}, "after_horizon"),
    ("comments", "deliberation",
     {"ends_at": (datetime.now(JST) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
     "before_now"),
]
LABELS = {"extend": "staff.field.due_on", "comments": "staff.field.ends_at"}


def _label(action: str, lang: str) -> str:
    if action == "start_implementation":
        return {"ja": "実施期限", "en": "Due date"}[lang]
    return translate(LABELS[action], lang)


def _expected(action: str, rule: str, lang: str) -> list[str]:
    """The rule's message, in the pieces around the moment when it names now."""
    days = {"after_horizon": {"latest": people_date(LATEST, lang)},
            "before_today": {"today": people_date(TODAY, lang)},
            "before_now": {"now": "\0"}}[rule]
    return translate(f"staff.error.field.{rule}", lang, field=_label(action, lang),
                     **days).split("\0")


def _send_api(client, city, proposal: Proposal, action: str, fields: dict, lang: str = "ja"):
    body = {**fields, "version": proposal.version}
    if action == "extend":
        path, body["reason"] = "extend", "調整のため"
    elif action == "comments":
        path, body["ends_at"] = "comment-period", body["ends_at"] + ":00+09:00"
    else:
        path, body["trigger"] = "transitions", action
    return client.post(f"{API}/proposals/{proposal.id}/{path}", json=body,
                       headers=bearer(city.token(city.parks_liaison), **{"Accept-Language": lang}))


def _send_page(client, city, proposal: Proposal, action: str, fields: dict):
    login(client, city.parks_liaison)
    extra = {"reason": "調整のため"} if action == "extend" else {}
    return post_action(client, proposal, action, **fields, **extra)


def _outbox(city) -> int:
    return city.session.execute(select(func.count(OutboxMessage.id))).scalar()


@pytest.mark.parametrize("door", ["page", "api"])
@pytest.mark.parametrize(("action", "state", "fields", "rule"), CASES)
def test_a_date_before_today_or_beyond_the_horizon_is_refused_naming_the_day(
        city, client, door, action, state, fields, rule):
    proposal = _prepared(city, state)
    before = (proposal.version, proposal.due_on, proposal.comments_until, _outbox(city))
    if door == "api":
        response = _send_api(client, city, proposal, action, fields)
        assert response.status_code == 422, response.get_json()
        [field] = fields
        [shown] = response.get_json()["error"]["fields"][field]
    else:
        response = _send_page(client, city, proposal, action, fields)
        assert response.status_code == 422
        shown = html.unescape(page(response))
    for piece in _expected(action, rule, "ja"):
        assert piece in shown
    after = reload(city.session, proposal)
    assert (after.version, after.due_on, after.comments_until, _outbox(city)) == before


def test_the_api_words_the_rule_in_the_requests_language(city, client):
    proposal = _prepared(city, "adopted")
    response = _send_api(client, city, proposal, "start_implementation", {"due_on": FAR},
                         lang="en")
    assert response.get_json()["error"]["fields"]["due_on"] == _expected(
        "start_implementation", "after_horizon", "en")
    assert response.get_json()["error"]["message"] == _expected(
        "start_implementation", "after_horizon", "en")[0]
    # the day the rule names, as every date in the API is written
    assert response.get_json()["error"]["dates"] == {"latest": LATEST.isoformat()}


@pytest.mark.parametrize("door", ["page", "api"])
def test_today_and_the_horizon_are_taken(city, client, door):
    send = _send_api if door == "api" else _send_page
    overdue = _prepared(city, "overdue")
    assert send(client, city, overdue, "extend", {"due_on": LATEST.isoformat()}
                ).status_code in (200, 302)
    assert reload(city.session, overdue).due_on == LATEST
    adopted = _prepared(city, "adopted")
    assert send(client, city, adopted, "start_implementation", {"due_on": TODAY.isoformat()}
                ).status_code in (200, 302)
    assert reload(city.session, adopted).due_on == TODAY
    deliberating = _prepared(city, "deliberation")
    assert send(client, city, deliberating, "comments",
                {"ends_at": f"{LATEST.isoformat()}T23:59"}).status_code in (200, 302)
    assert reload(city.session, deliberating).comments_until == datetime(
        LATEST.year, 12, 31, 23, 59, tzinfo=JST)


def test_the_date_pickers_offer_the_days_from_today_to_the_horizon(city, client):
    login(client, city.parks_liaison)
    adopted = _prepared(city, "adopted")
    text = page(client.get(f"/staff/proposals/{adopted.id}"))
    assert (f'id="start_implementation-due_on" max="{LATEST.isoformat()}" '
            f'min="{TODAY.isoformat()}"') in text
    overdue = _prepared(city, "overdue")
    text = page(client.get(f"/staff/proposals/{overdue.id}"))
    assert f'id="extend-due_on" max="{LATEST.isoformat()}" min="{TODAY.isoformat()}"' in text
    deliberating = _prepared(city, "deliberation")
    text = page(client.get(f"/staff/proposals/{deliberating.id}"))
    assert (f'id="comments-ends_at" max="{LATEST.isoformat()}T23:59" '
            f'min="{TODAY.isoformat()}T00:00"') in text


def test_a_moment_whose_day_in_japan_no_date_can_hold_is_refused_naming_the_field(city, client):
    """9999-12-31T23:59:59Z parses, but in Japan it is already the year 10000."""
    proposal = _prepared(city, "deliberation")
    before = (proposal.version, proposal.comments_until)
    response = client.post(f"{API}/proposals/{proposal.id}/comment-period",
                           json={"ends_at": "9999-12-31T23:59:59+00:00",
                                 "version": proposal.version},
                           headers=bearer(city.token(city.parks_liaison)))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert list(response.get_json()["error"]["fields"]) == ["ends_at"]
    after = reload(city.session, proposal)
    assert (after.version, after.comments_until) == before
