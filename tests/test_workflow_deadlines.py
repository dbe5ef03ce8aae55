"""Deadlines in Japanese business days (SPEC section 3), on fixed dates.

The calendar's rules, which every expected date below is worked out by hand from: a
deadline of N business days for a state entered on day D is the N-th business day *after*
D; business days are Monday–Friday except national holidays (including substitute
holidays 振替休日 and citizens' holidays 国民の休日) and the city's closure 12/29–1/3.

Operations take ``today=`` so the day is fixed without touching the clock.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from intake.dates import people_date
from intake.errors import Invalid, Refused
from intake.links import links_for
from intake.models import OutboxMessage
from intake.workflow.escalation import escalate_overdue
from tests import ops as operations

from .workflow_support import (
    INPUTS,
    PROPOSER,
    footprint,
    last_event,
    lead,
    record_deliberation,
)


def submit(city, on: date, **overrides):
    proposal, _ = operations.submit_proposal(city.session, city.submission(**overrides),
                                             channel="test", today=on)
    city.session.commit()
    return proposal


def fire(city, proposal, trigger, on: date, actor=None, **inputs):
    actor = actor or (PROPOSER if trigger == "provide_info" else lead(proposal))
    operations.fire_trigger(city.session, proposal, trigger, actor,
                            inputs or INPUTS[trigger], today=on)
    city.session.commit()
    return proposal


# --- deadlines on entry ---------------------------------------------------------------------


@pytest.mark.parametrize(("submitted", "due", "why"), [
    # Tue 4/28 → Thu 4/30, Fri 5/1, [Golden Week: Sun 5/3 憲法記念日, Mon 5/4 みどりの日,
    # Tue 5/5 こどもの日, Wed 5/6 振替休日 for 5/3] Thu 5/7, Fri 5/8, Mon 5/11.
    (date(2026, 4, 28), date(2026, 5, 11), "Golden Week with its substitute holiday"),
    # Fri 11/21 → [Sun 11/23 勤労感謝の日, so Mon 11/24 is its 振替休日] 11/25 … 12/1.
    (date(2025, 11, 21), date(2025, 12, 1), "a substitute holiday"),
    # Fri 9/18 → [Mon 9/21 敬老の日, Tue 9/22 国民の休日, Wed 9/23 秋分の日] 9/24 … 9/30.
    (date(2026, 9, 18), date(2026, 9, 30), "a citizens' holiday between two holidays"),
    # Thu 12/24 → Fri 12/25, Mon 12/28, [closure 12/29–1/3] Mon 1/4, Tue 1/5, Wed 1/6.
    (date(2026, 12, 24), date(2027, 1, 6), "the year-end closure"),
])
def test_a_new_proposal_is_due_for_acceptance_in_five_business_days(
    city, submitted, due, why
):
    proposal = submit(city, submitted)
    assert proposal.due_on == due, why


def test_accepted_on_christmas_the_review_is_due_after_the_new_year(city):
    """Fri 2026-12-25 + 20: Mon 12/28 (1); closed 12/29–1/3; 2027: 1/4–1/8 (2–6); Mon 1/11
    成人の日; 1/12–1/15 (7–10); 1/18–1/22 (11–15); 1/25–1/29 (16–20)."""
    proposal = submit(city, date(2026, 12, 21))
    fire(city, proposal, "accept", date(2026, 12, 25))
    assert proposal.state == "in_review"
    assert proposal.due_on == date(2027, 1, 29)


def test_an_idea_is_answered_within_ten_business_days_of_acceptance(city):
    """Tue 4/28 + 10: 4/30, 5/1, 5/7, 5/8, 5/11–5/15, Mon 5/18."""
    proposal = submit(city, date(2026, 4, 27), kind="idea")
    fire(city, proposal, "accept", date(2026, 4, 28))
    assert proposal.due_on == date(2026, 5, 18)


def test_deliberation_has_forty_business_days_and_a_ruling_none(city):
    proposal = submit(city, date(2026, 6, 1))
    fire(city, proposal, "accept", date(2026, 6, 1))
    fire(city, proposal, "open_deliberation", date(2026, 6, 1))
    # June has no holidays: 6/2–6/30 is 21 business days; July: 7/1–7/17 (13, total 34),
    # Mon 7/20 海の日, 7/21–7/28 (6, total 40).
    assert proposal.due_on == date(2026, 7, 28)
    record_deliberation(city.session, proposal)
    fire(city, proposal, "adopt", date(2026, 7, 1))
    assert proposal.due_on is None and proposal.ruling_decision == "adopted"


def test_the_department_sets_the_implementation_deadline(city):
    proposal = submit(city, date(2026, 6, 1))
    for trigger in ("accept", "open_deliberation"):
        fire(city, proposal, trigger, date(2026, 6, 1))
    record_deliberation(city.session, proposal)
    fire(city, proposal, "adopt", date(2026, 6, 15))
    fire(city, proposal, "start_implementation", date(2026, 6, 16),
         due_on="2027-03-31")
    assert proposal.due_on == date(2027, 3, 31)


# --- the clock stops while the proposer is asked ------------------------------------------


def test_the_clock_pauses_while_awaiting_the_proposer_and_resumes_with_the_days_left(
    city,
):
    proposal = submit(city, date(2026, 6, 1))
    fire(city, proposal, "accept", date(2026, 6, 1))
    # Mon 6/1 + 20 = Mon 6/29 (no holidays in June).
    assert proposal.due_on == date(2026, 6, 29)

    # Asked on Wed 6/10: 6/11, 6/12, 6/15–19, 6/22–26, 6/29 = 13 business days left.
    fire(city, proposal, "request_info", date(2026, 6, 10))
    assert proposal.state == "awaiting_proposer"
    assert proposal.paused_days_left == 13
    # Meanwhile the proposer has 15 business days: 6/11 … Wed 7/1.
    assert proposal.due_on == date(2026, 7, 1)

    # Answered on Wed 7/15 (late for the proposer; the department's days are intact):
    # 7/16, 7/17, [Mon 7/20 海の日] 7/21–24, 7/27–31, 8/3, Tue 8/4 = 13.
    fire(city, proposal, "provide_info", date(2026, 7, 15))
    assert proposal.state == "in_review"
    assert proposal.due_on == date(2026, 8, 4)
    assert proposal.paused_days_left is None


def test_a_department_already_late_when_it_asked_stays_as_late(city):
    proposal = submit(city, date(2026, 6, 1))
    fire(city, proposal, "accept", date(2026, 6, 1))  # due Mon 6/29
    # Asked on Wed 7/1, two business days late (6/30, 7/1).
    fire(city, proposal, "request_info", date(2026, 7, 1))
    assert proposal.paused_days_left == -2
    # Answered Wed 7/15: due two business days before it, Mon 7/13 — still two days late.
    fire(city, proposal, "provide_info", date(2026, 7, 15))
    assert proposal.due_on == date(2026, 7, 13)
    assert proposal.is_overdue(date(2026, 7, 15))


def test_withdrawing_while_paused_leaves_no_deadline(city):
    proposal = submit(city, date(2026, 6, 1))
    fire(city, proposal, "accept", date(2026, 6, 1))
    fire(city, proposal, "request_info", date(2026, 6, 10))
    fire(city, proposal, "withdraw", date(2026, 6, 12), actor=PROPOSER)
    assert proposal.state == "withdrawn"
    assert proposal.due_on is None and proposal.paused_days_left is None


# --- transfer restarts the clock of the state ------------------------------------------------


def test_a_transfer_restarts_the_acceptance_deadline(city):
    proposal = submit(city, date(2026, 6, 1))  # due Mon 6/8
    assert proposal.due_on == date(2026, 6, 8)
    operations.transfer_proposal(city.session, proposal, "roads", lead(proposal),
                                 reason="道路の案件のため", today=date(2026, 6, 5))
    city.session.commit()
    # Fri 6/5 + 5 = Fri 6/12, for the receiving department.
    assert proposal.due_on == date(2026, 6, 12)
    assert proposal.lead_department.code == "roads"


def test_a_transfer_while_paused_keeps_the_proposers_deadline(city):
    proposal = submit(city, date(2026, 6, 1))
    fire(city, proposal, "accept", date(2026, 6, 1))
    fire(city, proposal, "request_info", date(2026, 6, 10))
    operations.transfer_proposal(city.session, proposal, "roads", lead(proposal),
                                 reason="道路の案件のため", today=date(2026, 6, 12))
    city.session.commit()
    assert proposal.due_on == date(2026, 7, 1) and proposal.paused_days_left == 13


# --- extending a deadline -------------------------------------------------------------------


@pytest.fixture
def in_review(city):
    proposal = submit(city, date(2026, 6, 1))
    return fire(city, proposal, "accept", date(2026, 6, 1))  # due 6/29


def test_an_extension_needs_a_reason_and_a_later_date(city, in_review):
    db = city.session
    before = footprint(db, in_review.id)
    for reason, new_due_on, field in [
        ("", date(2026, 7, 31), "reason"),
        ("   ", date(2026, 7, 31), "reason"),
        ("関係課との調整のため", date(2026, 6, 29), "due_on"),  # the same day
        ("関係課との調整のため", date(2026, 6, 19), "due_on"),  # earlier
        ("関係課との調整のため", "2026-07-31", "due_on"),  # not a date
    ]:
        with pytest.raises(Invalid) as invalid:
            operations.extend_deadline(db, in_review, lead(in_review), due_on=new_due_on,
                                       reason=reason, today=date(2026, 6, 1))
        db.rollback()
        assert list(invalid.value.fields) == [field]
        assert footprint(db, in_review.id) == before


def test_an_extension_is_recorded_with_its_public_reason(city, in_review):
    db = city.session
    before = footprint(db, in_review.id)
    operations.extend_deadline(db, in_review, lead(in_review), due_on=date(2026, 7, 31),
                               reason="関係課との調整に時間を要するため",
                               expected_version=before.version, today=date(2026, 6, 22))
    db.commit()
    after = footprint(db, in_review.id)
    assert after.due_on == date(2026, 7, 31)
    assert after.state == "in_review" and after.version == before.version + 1
    assert after.events == before.events + 1
    event = last_event(db, in_review.id)
    assert event.action == "extend"
    assert event.reason == "関係課との調整に時間を要するため"
    assert event.data == {"from": "2026-06-29", "to": "2026-07-31", "state": "in_review"}
    assert after.outbox == before.outbox + 1  # the proposer is told, with the reason


def test_a_ruling_or_a_final_state_has_no_deadline_to_extend(city):
    proposal = submit(city, date(2026, 6, 1))
    fire(city, proposal, "accept", date(2026, 6, 1))
    fire(city, proposal, "reject", date(2026, 6, 2))
    with pytest.raises(Refused):
        operations.extend_deadline(city.session, proposal, lead(proposal),
                                   due_on=date(2026, 7, 31), reason="理由")
    city.session.rollback()


# --- overdue -------------------------------------------------------------------------------


def test_overdue_is_after_the_due_date_and_never_in_a_final_state(city, in_review):
    db = city.session
    assert not in_review.is_overdue(date(2026, 6, 29))
    assert in_review.is_overdue(date(2026, 6, 30))
    operations.extend_deadline(db, in_review, lead(in_review), due_on=date(2026, 7, 10),
                               reason="現地調査のため", today=date(2026, 6, 29))
    db.commit()
    assert not in_review.is_overdue(date(2026, 6, 30))
    assert in_review.is_overdue(date(2026, 7, 13))
    fire(city, in_review, "reject", date(2026, 7, 14))
    assert not in_review.is_overdue(date(2027, 1, 1))


# --- an opinion request has its own deadline ----------------------------------------------


def test_an_opinion_is_due_in_business_days(city):
    proposal = submit(city, date(2026, 4, 20))
    fire(city, proposal, "accept", date(2026, 4, 21))
    request = operations.request_opinion(city.session, proposal, "welfare",
                                         lead(proposal), question="ご意見を",
                                         today=date(2026, 4, 28))
    city.session.commit()
    # Tue 4/28 + 10 = Mon 5/18 (see the idea test above).
    assert request.due_on == date(2026, 5, 18) and request.status == "open"
    with pytest.raises(Invalid):
        operations.request_opinion(city.session, proposal, "welfare", lead(proposal),
                                   question="ご意見を", due_in_days=0)
    city.session.rollback()


# --- the dates in the mails ----------------------------------------------------------------


def _mail(db, proposal, kind: str) -> OutboxMessage:
    return db.execute(select(OutboxMessage).where(
        OutboxMessage.proposal_id == proposal.id, OutboxMessage.kind == kind,
    ).order_by(OutboxMessage.id.desc()).limit(1)).scalar_one()


@pytest.mark.parametrize(("lang", "written"), [
    ("ja", "2026年7月31日（金）"),
    ("ja-easy", "2026年7月31日（金）"),
    ("en", "Fri 31 July 2026"),
])
def test_the_extension_mail_gives_the_new_date_as_the_pages_do(city, lang, written):
    """The proposer reads the date in their language, as the page the mail links to
    shows it (one rule: :func:`intake.dates.people_date`), never 2026-07-31."""
    proposal = submit(city, date(2026, 6, 1), language=lang)
    fire(city, proposal, "accept", date(2026, 6, 1))
    operations.extend_deadline(city.session, proposal, lead(proposal),
                               due_on=date(2026, 7, 31), reason="現地調査のため",
                               today=date(2026, 6, 22))
    city.session.commit()
    mail = _mail(city.session, proposal, "deadline_extended")
    assert mail.language == lang
    assert written == people_date(date(2026, 7, 31), lang)
    assert written in mail.body and "2026-07-31" not in mail.body


def test_the_opinion_request_and_escalation_mails_give_dates_as_the_pages_do(city):
    proposal = submit(city, date(2026, 4, 20))
    fire(city, proposal, "accept", date(2026, 4, 21))  # due 5/26
    operations.request_opinion(city.session, proposal, "welfare", lead(proposal),
                               question="ご意見を", today=date(2026, 4, 28))  # due 5/18
    city.session.commit()
    asked = _mail(city.session, proposal, "opinion_request")
    assert "2026年5月18日（月）" in asked.body and "2026-05-18" not in asked.body
    assert asked.body.startswith("公園緑地課（この提案の担当部署）から")  # who asks, by name

    due_on = proposal.due_on
    escalate_overdue(city.session, due_on + timedelta(days=1), links=links_for(current_app))
    city.session.commit()
    overdue = _mail(city.session, proposal, "escalation")
    assert people_date(due_on, "ja") in overdue.body
    assert due_on.isoformat() not in overdue.body
