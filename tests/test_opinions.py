"""Opinions of other departments and a change of lead: a department is never consulted on a
proposal it leads.  Transferring a proposal to a department whose opinion is awaited
waives that request with the transfer (audited, with why, and the department told it
need not answer); requests to other departments stay open for the new lead.  Asking the
lead department itself is refused, beside the department field."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from intake import audit
from intake.errors import Invalid, Refused
from intake.models import OpinionRequest, OutboxMessage
from tests import ops as operations
from workflows.calendar import BUSINESS_DAYS_MAX

from .api_support import API, bearer, version
from .staff_support import events_of, fire, ja, login, page, post_action, reload
from .workflow_support import footprint, record_deliberation, walk

NOW_LEAD = ja("staff.opinion_waive.now_lead", department="道路課")


def ask(city, proposal, department: str, question: str = "ご意見をください"):
    """The parks liaison asks ``department`` for its opinion (test set-up)."""
    request = operations.request_opinion(
        city.session, proposal, department, operations.Actor.staff(city.parks_liaison),
        question=question)
    city.session.commit()
    return request


def statuses(db, proposal) -> dict[str, str]:
    db.expire_all()
    rows = db.execute(select(OpinionRequest).where(OpinionRequest.proposal_id == proposal.id)
                      ).scalars()
    return {r.department.code: r.status for r in rows}


def mails_since(db, proposal, last_id: int) -> set[tuple[str, str]]:
    """(recipient, kind) of the proposal's messages queued after message ``last_id``."""
    return set(db.execute(
        select(OutboxMessage.recipient, OutboxMessage.kind)
        .where(OutboxMessage.proposal_id == proposal.id, OutboxMessage.id > last_id)
    ).all())


def last_mail_id(db) -> int:
    return max(db.execute(select(OutboxMessage.id)).scalars(), default=0)


@pytest.fixture
def consulted(city):
    """#33 of the walk-through: a parks proposal in deliberation, roads and welfare asked."""
    proposal = walk(city.session, city.submit()[0], "in_deliberation")
    ask(city, proposal, "roads", "歩道側に花壇を置けますか")
    ask(city, proposal, "welfare", "福祉の観点から")
    return reload(city.session, proposal)


# --- a transfer to the consulted department ---------------------------------------------------


def test_a_transfer_to_the_consulted_department_waives_its_request_only(city, consulted):
    db, proposal = city.session, consulted
    office = operations.Actor.staff(city.office_user)
    before, last = footprint(db, proposal.id), last_mail_id(db)
    operations.transfer_proposal(db, proposal, "roads", office, reason="道路の案件です")
    assert proposal.open_opinion_requests() == 1  # the loaded rows agree at once
    db.commit()

    assert statuses(db, proposal) == {"roads": "waived", "welfare": "open"}
    after = footprint(db, proposal.id)
    assert after.version == before.version + 1 and after.open_opinions == 1
    transfer, waiver = events_of(db, proposal)[-2:]
    assert (transfer.action, transfer.reason) == ("transfer", "道路の案件です")
    assert (waiver.action, waiver.actor, waiver.reason) == ("opinion_waive", office.ref,
                                                            NOW_LEAD)
    roads_request = db.execute(select(OpinionRequest).where(
        OpinionRequest.proposal_id == proposal.id, OpinionRequest.status == "waived")).scalar()
    assert waiver.data == {"request": roads_request.id, "department": "roads",
                           "settled_by": "transfer"}
    # Roads hears it now leads the proposal, and that it need not answer; welfare nothing.
    roads = {"roads@city.test", "roads-deputy@city.test"}
    assert mails_since(db, proposal, last) == {
        (to, kind) for to in roads for kind in ("transferred", "opinion_waived")}
    body = db.execute(select(OutboxMessage.body).where(
        OutboxMessage.kind == "opinion_waived", OutboxMessage.id > last)).scalars().first()
    assert NOW_LEAD in body
    assert audit.verify(db) is None


def test_several_open_requests_to_the_new_lead_are_all_waived(city, consulted):
    db, proposal = city.session, consulted
    ask(city, proposal, "roads", "もう一点、街灯について")
    before = footprint(db, proposal.id)
    operations.transfer_proposal(db, reload(db, proposal), "roads",
                                 operations.Actor.staff(city.parks_liaison), reason="道路へ")
    db.commit()
    new = [e.action for e in events_of(db, proposal)[before.events:]]
    assert new == ["transfer", "opinion_waive", "opinion_waive"]
    assert footprint(db, proposal.id).open_opinions == 1  # welfare's


def test_an_answered_request_of_the_new_lead_stays_answered(city, consulted):
    db, proposal = city.session, consulted
    [roads_request] = [r for r in proposal.opinion_requests if r.department.code == "roads"]
    operations.answer_opinion(db, roads_request, operations.Actor.staff(city.roads_primary),
                              answer="置けます")
    db.commit()
    before = footprint(db, proposal.id)
    operations.transfer_proposal(db, reload(db, proposal), "roads",
                                 operations.Actor.staff(city.parks_liaison), reason="道路へ")
    db.commit()
    assert statuses(db, proposal) == {"roads": "answered", "welfare": "open"}
    assert [e.action for e in events_of(db, proposal)[before.events:]] == ["transfer"]
    db.expire_all()
    assert db.get(OpinionRequest, roads_request.id).answer == "置けます"


# --- what the new lead sees and may do ----------------------------------------------------------


def test_the_new_lead_is_not_offered_to_answer_on_its_own_proposal(city, client, consulted):
    proposal = consulted
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "transfer", department="roads",
                           reason="道路の案件です")
    assert response.status_code == 302
    client.post("/staff/logout")
    login(client, city.roads_primary)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert ja("staff.opinion_answer.title", department="道路課") not in text
    assert re.search(r"/opinions/\d+/answer", text) is None  # no answer form at all
    assert ja("staff.opinion_waive.title", department="福祉課") in text  # still awaited
    assert NOW_LEAD in text  # the timeline says why roads' request was closed


def test_an_api_transfer_waives_it_too_and_a_late_answer_is_a_conflict(city, client,
                                                                       consulted):
    proposal = consulted
    parks, roads = city.token(city.parks_liaison), city.token(city.roads_primary)
    response = client.post(
        f"{API}/proposals/{proposal.id}/transfer", headers=bearer(parks),
        json={"department": "roads", "reason": "道路の案件です",
              "version": version(client, parks, proposal.id)})
    assert response.status_code == 200
    assert statuses(city.session, proposal) == {"roads": "waived", "welfare": "open"}
    [roads_request] = [r for r in reload(city.session, proposal).opinion_requests
                       if r.department.code == "roads"]
    last = last_mail_id(city.session)
    response = client.post(f"{API}/opinions/{roads_request.id}/answer", headers=bearer(roads),
                           json={"answer": "自分の提案ですが回答します"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "opinion_settled"
    assert mails_since(city.session, proposal, last) == set()  # nobody mailed of it


@pytest.mark.parametrize(("welfare_answers", "adopted"), [(True, True), (False, False)])
def test_adoption_waits_only_for_the_other_departments(city, consulted, welfare_answers,
                                                       adopted):
    db, proposal = city.session, consulted
    operations.transfer_proposal(db, proposal, "roads",
                                 operations.Actor.staff(city.parks_liaison), reason="道路へ")
    db.commit()
    if welfare_answers:
        [welfare_request] = [r for r in proposal.opinion_requests
                             if r.department.code == "welfare"]
        operations.answer_opinion(db, welfare_request,
                                  operations.Actor.staff(city.welfare_liaison), answer="賛成")
        db.commit()
    roads = operations.Actor.staff(city.roads_primary)
    record_deliberation(db, proposal, roads)
    db.commit()
    proposal = reload(db, proposal)
    if adopted:
        fire(city, proposal, "adopt", city.roads_primary, reason="協議の結果、採択します。")
        assert reload(db, proposal).state == "adopted"
    else:
        with pytest.raises(Refused) as refused:
            operations.fire_trigger(db, proposal, "adopt", roads,
                                    {"reason": "協議の結果、採択します。"})
        db.rollback()
        assert refused.value.details["guard"] == "opinions_settled"
        assert reload(db, proposal).state == "in_deliberation"


# --- asking the lead department itself -----------------------------------------------------------


def test_asking_the_lead_department_for_its_opinion_is_refused(city, client):
    db = city.session
    proposal = walk(db, city.submit()[0], "in_review")
    with pytest.raises(Invalid) as refused:
        operations.request_opinion(db, proposal, "parks",
                                   operations.Actor.staff(city.office_user), question="自分に？")
    assert refused.value.fields == {"department": ["same"]}
    db.rollback()
    office = city.token(city.office_user)
    response = client.post(f"{API}/proposals/{proposal.id}/opinions", headers=bearer(office),
                           json={"department": "parks", "question": "自分に？",
                                 "due_in_days": 10, "version": version(client, office,
                                                                       proposal.id)})
    assert response.status_code == 422
    assert "department" in response.get_json()["error"]["fields"]
    assert statuses(db, proposal) == {}


def test_an_opinion_due_beyond_a_year_of_business_days_is_refused_by_the_operation(city):
    """The rule is the operation's, for every caller (the page and the API say it first)."""
    proposal, _ = city.submit()
    operations.fire_trigger(city.session, proposal, "accept",
                            operations.Actor.staff(city.parks_liaison))
    with pytest.raises(Invalid) as refused:
        operations.request_opinion(city.session, proposal, "roads",
                                   operations.Actor.staff(city.parks_liaison),
                                   question="ご意見を", due_in_days=BUSINESS_DAYS_MAX + 1)
    assert refused.value.fields == {"due_in_days": ["business_days"]}


def test_the_lead_department_answering_an_opinion_asked_of_another_is_told_who_may(
        city, client, consulted):
    [welfare] = [r for r in reload(city.session, consulted).opinion_requests
                 if r.department.code == "welfare"]
    response = client.post(f"{API}/opinions/{welfare.id}/answer",
                           headers=bearer(city.token(city.parks_liaison)),
                           json={"answer": "代わりに答えます"})
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "この意見照会に回答できるのは、照会を受けた部署の担当者と協働推進室です。")
