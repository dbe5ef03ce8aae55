"""Mails about a step say what happened in that step: the department is told that the
proposer answered (with the answer and the deadline now running) or withdrew; a transfer
names the department it came from; the proposer's ruling mail gives what of an adoption
in part is adopted, and the evaluation mail gives the evaluation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.dates import people_date
from intake.i18n import translate
from intake.models import OutboxMessage
from tests import ops as operations

from .workflow_support import INPUTS, lead, record_deliberation, walk

PROPOSER_EMAIL = "hanako@example.jp"


def mails(db, proposal, recipient: str) -> list[tuple[str, str]]:
    """(subject, body) of the messages queued for ``recipient`` about ``proposal``."""
    return [(m.subject, m.body) for m in db.scalars(
        select(OutboxMessage).where(OutboxMessage.proposal_id == proposal.id,
                                    OutboxMessage.recipient == recipient)
        .order_by(OutboxMessage.id))]


def test_the_department_is_told_the_proposer_answered_with_the_answer_and_the_deadline(
        city, db):
    proposal, _ = city.submit()
    walk(db, proposal, "in_review")
    operations.fire_trigger(db, proposal, "request_info", lead(proposal),
                            INPUTS["request_info"])
    operations.fire_trigger(db, proposal, "provide_info", operations.PROPOSER,
                            {"answer": "駅前公園の北側です。"})
    db.commit()
    subject, body = mails(db, proposal, city.parks_liaison.email)[-1]
    assert subject == f"【提案者の回答】{proposal.receipt} {proposal.title}"
    assert f"期限は{people_date(proposal.due_on, 'ja')}です。" in body
    assert "回答：\n駅前公園の北側です。" in body
    assert f"/staff/proposals/{proposal.id}" in body


def test_the_department_is_told_of_a_withdrawal_as_a_withdrawal(city, db):
    proposal, _ = city.submit()
    walk(db, proposal, "in_review")
    operations.fire_trigger(db, proposal, "withdraw", operations.PROPOSER,
                            {"reason": "自分たちで実施することにしました。"})
    db.commit()
    subject, body = mails(db, proposal, city.parks_liaison.email)[-1]
    assert subject == f"【取り下げ】{proposal.receipt} {proposal.title}"
    assert "理由：\n自分たちで実施することにしました。" in body


def test_a_transfer_names_the_department_it_came_from(city, db):
    proposal, _ = city.submit()
    operations.transfer_proposal(db, proposal, "roads", lead(proposal),
                                 reason="道路の案件です。")
    db.commit()
    _, body = mails(db, proposal, city.roads_primary.email)[-1]
    assert body.startswith("この提案の担当部署が、公園緑地課からあなたの部署に変更されました。")


def test_the_ruling_mail_of_an_adoption_in_part_gives_what_is_adopted(city, db):
    proposal, _ = city.submit(email=PROPOSER_EMAIL)
    walk(db, proposal, "in_deliberation")
    record_deliberation(db, proposal)
    operations.fire_trigger(db, proposal, "adopt", lead(proposal),
                            {"reason": "花壇だけ採択します。", "scope": "花壇の設置のみ"})
    db.commit()
    _, body = mails(db, proposal, PROPOSER_EMAIL)[-1]
    assert body.startswith("ご提案の検討結果をお知らせします：一部採択\n"
                           "採択する範囲：花壇の設置のみ\n")


def test_english_mails_name_the_department_with_the(city, db):
    """"The Parks Division has a question", not "Parks Division has a question"."""
    proposal, _ = city.submit(email=PROPOSER_EMAIL, language="en")
    walk(db, proposal, "in_review")
    operations.fire_trigger(db, proposal, "request_info", lead(proposal),
                            INPUTS["request_info"])
    db.commit()
    _, body = mails(db, proposal, PROPOSER_EMAIL)[-1]
    assert body.startswith("The Parks Division has a question about your proposal:")
    proposal, _ = city.submit(email=PROPOSER_EMAIL, language="en")
    walk(db, proposal, "implementing")
    operations.fire_trigger(db, proposal, "evaluate", lead(proposal),
                            {"evaluation": "More people use the flower beds."})
    db.commit()
    _, body = mails(db, proposal, PROPOSER_EMAIL)[-1]
    assert body.startswith("The Parks Division has written up how the work")


@pytest.mark.parametrize(("key", "params", "start"), [
    ("mail.opinion_request.body", {"lead": "Parks Division", "due_on": "1 June"},
     "The Parks Division, the lead department, asks"),
    ("mail.opinion_answered.body", {"consulted": "Roads Division"}, "The Roads Division answered"),
    ("mail.transferred.body", {"from_department": "Parks Division"},
     "A proposal was transferred to your department from the Parks Division."),
])
def test_english_staff_mails_name_the_department_with_the(key, params, start):
    """Staff mail goes out in Japanese today; its English text reads right all the same."""
    assert translate(key, "en", text="t", staff_url="u", **params).startswith(start)


def test_the_evaluation_mail_gives_the_evaluation(city, db):
    proposal, _ = city.submit(email=PROPOSER_EMAIL)
    walk(db, proposal, "implementing")
    operations.fire_trigger(db, proposal, "evaluate", lead(proposal),
                            {"evaluation": "花壇の利用者が増え、清掃の参加者も集まりました。"})
    db.commit()
    subject, body = mails(db, proposal, PROPOSER_EMAIL)[-1]
    assert subject == f"【取り組みの評価】{proposal.receipt} {proposal.title}"
    assert "公園緑地課が評価をまとめました。" in body
    assert "評価：\n花壇の利用者が増え、清掃の参加者も集まりました。" in body
