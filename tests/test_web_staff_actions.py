"""The proposal page's forms for opinions of other departments, deadline extensions and the
comment period: each succeeds with its row and event, is refused with the right status and
the officer's text kept, and is closed to a liaison of a department with no part in it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from intake.dates import people_date, people_datetime
from intake.models import JST, OpinionRequest, OutboxMessage
from tests import ops as operations
from workflows import calendar

from .staff_support import (
    advanced,
    events_of,
    fire,
    ja,
    login,
    page,
    post_action,
    reload,
    settle,
)
from .workflow_support import FUTURE_YEAR


def ask_roads(city, proposal, question="道路占用の許可は出せますか"):
    """The parks liaison asks the roads division for its opinion (test set-up)."""
    request = operations.request_opinion(
        city.session, proposal, "roads", operations.Actor.staff(city.parks_liaison),
        question=question,
    )
    city.session.commit()
    return request


def opinion_rows(db) -> list[OpinionRequest]:
    db.expire_all()
    return list(db.execute(select(OpinionRequest).order_by(OpinionRequest.id)).scalars())


def form_urls(text: str) -> set[str]:
    """Where the page's forms post (the sign-out form left out)."""
    return set(re.findall(r'<form method="post" action="([^"]+)"', text)) - {"/staff/logout"}


@pytest.fixture
def reviewed(city):
    """A parks proposal in review: the parks liaison leads it."""
    return advanced(city, "accept")


@pytest.fixture
def consulted(city, reviewed):
    """The same proposal with an open opinion request to the roads division."""
    request = ask_roads(city, reviewed)
    return reload(city.session, reviewed), request


# --- asking another department ---------------------------------------------------------------


def test_the_lead_liaison_asks_another_department_for_its_opinion(client, city, reviewed):
    seen = reviewed.version
    login(client, city.parks_liaison)
    response = post_action(client, reviewed, "opinion", department="roads",
                           question="歩道に花壇を置けますか", due_in_days="5")
    assert response.status_code == 302
    [request] = opinion_rows(city.session)
    assert (request.department_id, request.status, request.question) == (
        city.roads.id, "open", "歩道に花壇を置けますか")
    assert request.due_on == calendar.add_business_days(calendar.today_jst(), 5)
    last = events_of(city.session, reviewed)[-1]
    assert (last.action, last.actor, last.reason) == (
        "opinion_request", f"user:{city.parks_liaison.id}", "歩道に花壇を置けますか")
    assert reload(city.session, reviewed).version == seen + 1  # an adoption racing it loses
    shown = page(client.get(response.headers["Location"]))
    assert ja("staff.done.opinion_request", department="道路課",
              due_on=people_date(request.due_on, "ja")) in shown
    assert ja("staff.event.opinion_request") in shown


FIELD_NAMES = {"staff.field.question": "question", "staff.field.consulted_department": "department",
               "staff.field.due_in_days": "due_in_days"}


@pytest.mark.parametrize("fields, status, message", [
    ({"department": "roads", "question": "  "}, 422,
     ("staff.error.field.required", "staff.field.question")),
    ({"department": "", "question": "歩道に花壇を置けますか"}, 422,
     ("error.required_choice", "staff.field.consulted_department")),
    ({"department": "parks", "question": "歩道に花壇を置けますか"}, 422,
     ("staff.error.field.same", "staff.field.consulted_department")),
    ({"department": "roads", "question": "歩道に花壇を置けますか", "due_in_days": "0"}, 422,
     ("staff.error.field.business_days", "staff.field.due_in_days")),
    ({"department": "roads", "question": "歩道に花壇を置けますか", "due_in_days": "251"}, 422,
     ("staff.error.field.business_days", "staff.field.due_in_days")),
    ({"department": "roads", "question": "歩道に花壇を置けますか", "due_in_days": "十日"}, 422,
     ("staff.error.field.business_days", "staff.field.due_in_days")),
])
def test_a_bad_opinion_request_is_refused_beside_its_field(client, city, reviewed, fields,
                                                           status, message):
    before = len(events_of(city.session, reviewed))
    login(client, city.parks_liaison)
    response = post_action(client, reviewed, "opinion", **{"due_in_days": "10", **fields})
    assert response.status_code == status
    key, field = message
    assert ja(key, field=ja(field)) in page(response)
    # the summary links the field itself (its id: the field's name, the form's prefix)
    summary = page(response).split('class="error-summary-list')[1].split("</ul>")[0]
    [place] = re.findall(r'href="#([^"]+)"', summary)
    assert place.endswith(FIELD_NAMES[field]) and f'id="{place}"' in page(response)
    if fields["question"].strip():
        assert fields["question"] in page(response)  # the officer's text is kept
    assert opinion_rows(city.session) == []
    assert len(events_of(city.session, reviewed)) == before


def test_an_opinion_request_from_a_stale_page_is_a_conflict(client, city, reviewed):
    seen = reviewed.version
    ask_roads(city, reviewed)  # someone else asked meanwhile: the version moved
    login(client, city.parks_liaison)
    response = post_action(client, reviewed, "opinion", version=seen, department="welfare",
                           question="福祉の観点から意見を", due_in_days="10")
    assert response.status_code == 409
    assert ja("staff.error.conflict") in page(response)
    assert "福祉の観点から意見を" in page(response)
    assert len(opinion_rows(city.session)) == 1


# --- the consulted department answers ----------------------------------------------------------


def test_a_stale_action_no_longer_offered_keeps_what_was_written_to_copy(client, city,
                                                                          reviewed):
    seen = reviewed.version
    operations.fire_trigger(city.session, reviewed, "request_info",
                            operations.Actor.staff(city.parks_liaison),
                            {"question": "場所はどこですか"})  # another tab, meanwhile
    city.session.commit()
    login(client, city.parks_liaison)
    reason = "予算の見込みが立たず、今年度の実施は難しいと判断しました。"
    response = post_action(client, reviewed, "reject", version=seen, reason=reason,
                           reason_code="budget", confirm="y")
    assert response.status_code == 409
    text = page(response)
    assert ja("staff.error.conflict") in text
    assert 'id="action-trigger-reject"' not in text  # no longer offered: no form for it
    unsent = text[text.index('class="unsent"'):text.index("</section>",
                                                          text.index('class="unsent"'))]
    assert ja("staff.unsent.heading") in unsent and reason in unsent
    assert reload(city.session, reviewed).state == "awaiting_proposer"


def test_the_consulted_liaison_answers_from_the_proposal_page(client, city, consulted):
    proposal, request = consulted
    login(client, city.roads_primary)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    answer_url = f"/staff/proposals/{proposal.id}/opinions/{request.id}/answer"
    assert form_urls(text) == {answer_url}  # nothing else is theirs to do
    assert "道路占用の許可は出せますか" in text
    response = settle(client, request, "answer", answer="歩道の幅が2m以上なら許可できます")
    assert response.status_code == 302
    [row] = opinion_rows(city.session)
    assert (row.status, row.answer) == ("answered", "歩道の幅が2m以上なら許可できます")
    assert row.answered_at is not None
    last = events_of(city.session, proposal)[-1]
    assert (last.action, last.actor) == ("opinion_answer", f"user:{city.roads_primary.id}")
    shown = page(client.get(response.headers["Location"]))
    assert ja("staff.done.opinion_answer") in shown
    assert form_urls(shown) == set()  # answered: nothing left to do here
    assert ja("staff.actions.none") in shown


def test_an_empty_answer_is_refused_and_the_request_stays_open(client, city, consulted):
    proposal, request = consulted
    login(client, city.roads_primary)
    response = settle(client, request, "answer", answer=" \n ")
    assert response.status_code == 422
    assert ja("staff.error.field.required", field=ja("staff.field.answer")) in page(response)
    assert opinion_rows(city.session)[0].status == "open"


def test_the_lead_department_cannot_answer_its_own_question(client, city, consulted):
    proposal, request = consulted
    before = len(events_of(city.session, proposal))
    login(client, city.parks_liaison)
    assert f"opinions/{request.id}/answer" not in page(
        client.get(f"/staff/proposals/{proposal.id}"))
    response = settle(client, request, "answer", answer="自分で答えます")
    assert response.status_code == 403
    assert ja("staff.error.forbidden") in page(response)
    assert opinion_rows(city.session)[0].status == "open"
    assert len(events_of(city.session, proposal)) == before


def test_another_consulted_department_cannot_answer_for_roads(client, city, consulted):
    proposal, request = consulted
    operations.request_opinion(city.session, proposal, "welfare",
                               operations.Actor.staff(city.parks_liaison), question="福祉は？")
    city.session.commit()
    login(client, city.welfare_liaison)  # may see the proposal: welfare is consulted too
    response = settle(client, request, "answer", answer="道路課の代わりに答えます")
    assert response.status_code == 403
    rows = opinion_rows(city.session)
    assert [r.status for r in rows] == ["open", "open"]


def test_an_answer_to_a_settled_request_is_a_conflict(client, city, consulted):
    proposal, request = consulted
    operations.waive_opinion(city.session, request, operations.Actor.staff(city.parks_liaison),
                             reason="自部署で確認できた")
    city.session.commit()
    login(client, city.roads_primary)
    response = settle(client, request, "answer", answer="遅れましたが回答します")
    assert response.status_code == 409
    assert ja("staff.error.opinion_settled") in page(response)
    assert opinion_rows(city.session)[0].status == "waived"


def test_a_request_of_another_proposal_is_404(client, city, consulted):
    _proposal, request = consulted
    other = advanced(city, "accept")
    login(client, city.office_user)
    response = client.post(f"/staff/proposals/{other.id}/opinions/{request.id}/answer",
                           data={f"answer-{request.id}-answer": "x"})
    assert response.status_code == 404
    assert opinion_rows(city.session)[0].status == "open"


# --- the lead department stops waiting ---------------------------------------------------------


def test_the_lead_liaison_waives_an_open_request(client, city, consulted):
    proposal, request = consulted
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert f"/staff/proposals/{proposal.id}/opinions/{request.id}/waive" in form_urls(text)
    response = settle(client, request, "waive", reason="現地で確認できたため")
    assert response.status_code == 302
    [row] = opinion_rows(city.session)
    assert row.status == "waived"
    last = events_of(city.session, proposal)[-1]
    assert (last.action, last.reason) == ("opinion_waive", "現地で確認できたため")
    assert ja("staff.done.opinion_waive", department="道路課") in page(
        client.get(response.headers["Location"]))


def test_a_waiver_needs_a_reason(client, city, consulted):
    proposal, request = consulted
    login(client, city.parks_liaison)
    response = settle(client, request, "waive", reason="")
    assert response.status_code == 422
    assert ja("staff.error.field.required", field=ja("staff.field.waive_reason")) in page(
        response)
    assert opinion_rows(city.session)[0].status == "open"


def test_the_consulted_department_cannot_waive_the_question(client, city, consulted):
    _proposal, request = consulted
    login(client, city.roads_primary)
    response = settle(client, request, "waive", reason="答えたくない")
    assert response.status_code == 403
    assert opinion_rows(city.session)[0].status == "open"


def test_a_ruled_proposal_offers_only_the_waiver_of_a_request_left_open(client, city,
                                                                       consulted):
    proposal, request = consulted
    fire(city, proposal, "reject", city.parks_liaison, reason="予算がない",
         reason_code="insufficient")
    login(client, city.parks_liaison)
    waive_url = f"/staff/proposals/{proposal.id}/opinions/{request.id}/waive"
    # Besides the correction of the public title's readings (easy Japanese), which stays
    # open while the title is public, the waiver is the only form left.
    easy_title_url = f"/staff/proposals/{proposal.id}/easy-title"
    assert form_urls(page(client.get(f"/staff/proposals/{proposal.id}"))) == {
        waive_url, easy_title_url}
    assert settle(client, request, "waive", reason="不採択としたため").status_code == 302
    assert opinion_rows(city.session)[0].status == "waived"


def test_the_office_may_answer_and_waive(client, city, consulted):
    proposal, request = consulted
    login(client, city.office_user)
    urls = form_urls(page(client.get(f"/staff/proposals/{proposal.id}")))
    base = f"/staff/proposals/{proposal.id}/opinions/{request.id}"
    assert {f"{base}/answer", f"{base}/waive"} <= urls
    assert settle(client, request, "answer", answer="協働推進室が代わりに回答").status_code == 302
    assert opinion_rows(city.session)[0].status == "answered"


def test_the_consulted_liaison_finds_the_request_in_the_queue(client, city, consulted):
    proposal, _request = consulted
    login(client, city.roads_primary)
    text = page(client.get("/staff/"))
    assert ja("staff.queue.opinions.title") in text
    assert f'href="/staff/proposals/{proposal.id}"' in text
    assert "道路占用の許可は出せますか" in text


# --- extending the deadline -----------------------------------------------------------------


def test_the_extension_form_says_the_reason_is_published(client, city, reviewed):
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{reviewed.id}"))
    assert f"/staff/proposals/{reviewed.id}/deadline" in form_urls(text)
    assert ja("staff.hint.extend_reason") in text
    assert 'aria-describedby="extend-reason-hint"' in text
    assert 'name="extend-due_on" required type="date"' in text


def test_the_lead_liaison_extends_the_deadline_with_a_reason(client, city, reviewed):
    due = reviewed.due_on
    later = due + timedelta(days=30)
    login(client, city.parks_liaison)
    response = post_action(client, reviewed, "extend", due_on=later.isoformat(),
                           reason="関係部署との調整に時間がかかるため")
    assert response.status_code == 302
    assert reload(city.session, reviewed).due_on == later
    last = events_of(city.session, reviewed)[-1]
    assert (last.action, last.reason) == ("extend", "関係部署との調整に時間がかかるため")
    assert last.data["to"] == later.isoformat()
    told = city.session.execute(
        select(OutboxMessage).where(OutboxMessage.kind == "deadline_extended")).scalar_one()
    assert told.recipient == "hanako@example.jp"
    shown = page(client.get(response.headers["Location"]))
    assert ja("staff.done.extend", due_on=people_date(later, "ja")) in shown
    assert f"{due.isoformat()} → {later.isoformat()}" in shown  # the timeline


@pytest.mark.parametrize("new_due_on, reason, message", [
    ("later", "", ("staff.error.field.required", "staff.field.extend_reason")),
    ("earlier", "調整中", ("staff.error.field.not_later", "staff.field.due_on")),
    ("same", "調整中", ("staff.error.field.not_later", "staff.field.due_on")),
    ("2026-02-30", "調整中", ("staff.error.date", "staff.field.due_on")),
    ("", "調整中", ("error.required", "staff.field.due_on")),
])
def test_an_extension_without_a_reason_or_to_an_earlier_date_is_refused(
        client, city, reviewed, new_due_on, reason, message):
    due = reviewed.due_on
    typed = {"later": due + timedelta(days=7), "earlier": due - timedelta(days=1),
             "same": due}.get(new_due_on, new_due_on)
    typed = typed if isinstance(typed, str) else typed.isoformat()
    before = len(events_of(city.session, reviewed))
    login(client, city.parks_liaison)
    response = post_action(client, reviewed, "extend", due_on=typed, reason=reason)
    assert response.status_code == 422
    key, field = message
    assert ja(key, field=ja(field)) in page(response)
    assert f'value="{typed}"' in page(response)  # the date typed is kept
    assert reload(city.session, reviewed).due_on == due
    assert len(events_of(city.session, reviewed)) == before


def test_a_proposal_without_a_deadline_offers_no_extension(client, city):
    proposal = advanced(city, "accept", "open_deliberation")
    proposal.due_on = None
    city.session.commit()
    login(client, city.parks_liaison)
    assert "/deadline" not in page(client.get(f"/staff/proposals/{proposal.id}"))
    response = post_action(client, proposal, "extend", due_on=f"{FUTURE_YEAR}-01-01", reason="x")
    assert response.status_code == 422
    assert ja("staff.error.no_deadline") in page(response)


# --- the comment period ------------------------------------------------------------------------


def test_the_comment_period_form_appears_only_in_deliberation(client, city, reviewed):
    login(client, city.parks_liaison)
    path = f"/staff/proposals/{reviewed.id}/comment-period"
    assert path not in form_urls(page(client.get(f"/staff/proposals/{reviewed.id}")))
    refused = post_action(client, reviewed, "comments", ends_at=f"{FUTURE_YEAR}-01-01T12:00")
    assert refused.status_code == 409
    assert ja("staff.error.wrong_state") in page(refused)
    assert reload(city.session, reviewed).comments_until is None
    deliberating = advanced(city, "accept", "open_deliberation")
    text = page(client.get(f"/staff/proposals/{deliberating.id}"))
    assert f"/staff/proposals/{deliberating.id}/comment-period" in form_urls(text)
    assert ja("staff.hint.until") in text


def test_the_lead_liaison_sets_when_comments_close(client, city):
    proposal = advanced(city, "accept", "open_deliberation")
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "comments", ends_at=f"{FUTURE_YEAR}-03-31T17:00")
    assert response.status_code == 302
    stored = reload(city.session, proposal).comments_until
    assert stored == datetime(FUTURE_YEAR, 3, 31, 8, 0, tzinfo=UTC)  # 17:00 in Japan
    last = events_of(city.session, proposal)[-1]
    assert (last.action, last.actor) == ("comment_period", f"user:{city.parks_liaison.id}")
    shown = page(client.get(response.headers["Location"]))
    until = people_datetime(stored, "ja")  # 「…年3月31日（…） 17:00」
    assert ja("staff.done.comment_period", until=until) in shown
    # … and the timeline
    assert ja("staff.comment_period.until", until=until) in shown


def test_comments_closed_now_let_the_proposal_be_adopted(client, city):
    """Closing comments now is typed as the time on the clock: the period has ended once
    it is set, and counts as a deliberation record."""
    proposal = advanced(city, "accept", "open_deliberation")
    # accepted (and so published) and brought into deliberation 20 days ago
    proposal.published_at = proposal.state_entered_at = datetime.now(UTC) - timedelta(days=20)
    city.session.commit()
    now = datetime.now(JST).strftime("%Y-%m-%dT%H:%M")
    login(client, city.parks_liaison)
    assert post_action(client, proposal, "comments", ends_at=now).status_code == 302
    proposal = reload(city.session, proposal)
    response = post_action(client, proposal, "adopt", reason="コメントを踏まえて採択")
    assert response.status_code == 302
    assert reload(city.session, proposal).state == "adopted"


@pytest.mark.parametrize("until, message", [
    ("2000-01-01T09:00", ("staff.error.field.before_deliberation", "staff.field.ends_at")),
    (f"{FUTURE_YEAR}-03-31", ("staff.error.datetime", "staff.field.ends_at")),
    ("", ("error.required", "staff.field.ends_at")),
])
def test_a_comment_period_before_deliberation_or_unreadable_is_refused(client, city, until,
                                                                       message):
    proposal = advanced(city, "accept", "open_deliberation")
    before = len(events_of(city.session, proposal))
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "comments", ends_at=until)
    assert response.status_code == 422
    key, field = message
    assert ja(key, field=ja(field)) in page(response)
    assert f'value="{until}"' in page(response) or not until
    assert reload(city.session, proposal).comments_until is None
    assert len(events_of(city.session, proposal)) == before


def test_a_comment_period_from_a_stale_page_is_a_conflict(client, city):
    proposal = advanced(city, "accept", "open_deliberation")
    seen = proposal.version
    operations.set_comment_period(city.session, proposal,
                                  operations.Actor.staff(city.office_user),
                                  ends_at=datetime(FUTURE_YEAR, 1, 1, tzinfo=UTC))
    city.session.commit()
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "comments", version=seen,
                           ends_at=f"{FUTURE_YEAR}-03-31T17:00")
    assert response.status_code == 409
    assert f'value="{FUTURE_YEAR}-03-31T17:00"' in page(response)
    assert reload(city.session, proposal).comments_until == datetime(FUTURE_YEAR, 1, 1, tzinfo=UTC)


# --- a department with no part in the proposal -------------------------------------------------


def test_a_third_departments_liaison_can_do_none_of_it(client, city):
    proposal = advanced(city, "accept", "open_deliberation")
    request = ask_roads(city, proposal)
    proposal = reload(city.session, proposal)
    before = (len(events_of(city.session, proposal)), proposal.version, proposal.due_on)
    login(client, city.welfare_liaison)
    assert client.get(f"/staff/proposals/{proposal.id}").status_code == 403
    attempts = [
        post_action(client, proposal, "opinion", department="children", question="意見を"),
        post_action(client, proposal, "extend", due_on=f"{FUTURE_YEAR}-01-01", reason="延長"),
        post_action(client, proposal, "comments", ends_at=f"{FUTURE_YEAR}-01-01T12:00"),
        settle(client, request, "answer", answer="答えます"),
        settle(client, request, "waive", reason="不要です"),
    ]
    assert [r.status_code for r in attempts] == [403] * 5
    for response in attempts:
        assert proposal.title not in page(response)  # a 403 shows nothing of the proposal
    after = reload(city.session, proposal)
    assert (len(events_of(city.session, proposal)), after.version, after.due_on) == before
    assert after.comments_until is None
    assert [(r.status, r.answer) for r in opinion_rows(city.session)] == [("open", "")]
    count = city.session.execute(select(func.count(OpinionRequest.id))).scalar()
    assert count == 1
