"""A city changes its workflow without touching Python (SPEC section 3).

A definition written as a TOML file, loaded with :func:`workflows.load_workflow` and
registered with :func:`workflows.register_workflow`, runs real proposals through the same
operations as the built-in ones: deadlines, guards by name, roles, rulings, events and
notifications all come from the file.  The built-in second workflow, ``idea``, runs end
to end as well.
"""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest

import workflows
from intake import audit
from intake.errors import Forbidden, Refused
from tests import ops as operations

from .workflow_support import (
    PROPOSER,
    footprint,
    last_event,
    lead,
)

SIMPLE_REQUEST = """
name = "simple_request"
label = { ja = "簡易要望", en = "Simple request" }
initial = "submitted"

[states.submitted]
label = { ja = "受付", en = "Received" }
deadline_days = 3

[states.answered]
label = { ja = "回答済", en = "Answered" }
final = true

[states.withdrawn]
label = { ja = "取り下げ", en = "Withdrawn" }
final = true

[[transitions]]
trigger = "reply"
label = { ja = "回答する", en = "Reply" }
source = "submitted"
dest = "answered"
roles = ["liaison", "office"]
ruling = "answered"
notify = ["proposer"]
effects = ["publish"]
[transitions.inputs.reply]
required = true
label = { ja = "回答", en = "Reply" }
[transitions.inputs.reason]
required = true
label = { ja = "理由", en = "Reason" }

[[transitions]]
trigger = "withdraw"
label = { ja = "取り下げる", en = "Withdraw" }
source = "submitted"
dest = "withdrawn"
roles = ["proposer"]
notify = ["liaison"]
"""


@pytest.fixture
def simple_request(tmp_path):
    path = tmp_path / "simple_request.toml"
    path.write_text(SIMPLE_REQUEST, encoding="utf-8")
    workflow = workflows.load_workflow(path)
    workflows.register_workflow(workflow)
    yield workflow
    workflows.unregister_workflow(workflow.name)


def test_a_registered_definition_is_found_by_kind(simple_request):
    assert workflows.get_workflow("simple_request") is simple_request
    assert "simple_request" in workflows.workflow_names()
    with pytest.raises(ValueError):
        workflows.register_workflow(simple_request)  # not twice
    with pytest.raises(ValueError):
        # nor over a built-in one
        workflows.register_workflow(
            workflows.load_workflow(resources.files("workflows") / "idea.toml"))


def test_an_unregistered_kind_is_unknown(simple_request):
    workflows.unregister_workflow("simple_request")
    with pytest.raises(workflows.UnknownWorkflow):
        workflows.get_workflow("simple_request")
    workflows.register_workflow(simple_request)  # for the fixture's teardown


def test_a_second_definition_runs_end_to_end_with_no_python(city, simple_request):
    db = city.session
    proposal, _ = operations.submit_proposal(
        db, city.submission(kind="simple_request"), channel="test",
        today=date(2026, 4, 28),
    )
    db.commit()
    assert proposal.state == "submitted"
    # deadline_days = 3 from the file: Tue 4/28 → 4/30, 5/1, [Golden Week] Thu 5/7.
    assert proposal.due_on == date(2026, 5, 7)
    assert proposal.published_at is None

    # Roles from the file: the proposer may not reply, the office may not withdraw.
    with pytest.raises(Forbidden):
        operations.fire_trigger(db, proposal, "reply", PROPOSER, {"reply": "x", "reason": "y"})
    db.rollback()
    with pytest.raises(Forbidden):
        operations.fire_trigger(db, proposal, "withdraw",
                                operations.Actor.staff(city.office_user))
    db.rollback()
    # Inputs from the file, refused by name; a trigger of the default workflow is unknown.
    before = footprint(db, proposal.id)
    with pytest.raises(Refused) as refused:
        operations.fire_trigger(db, proposal, "reply", lead(proposal), {"reason": "理由"})
    db.rollback()
    assert refused.value.details["guard"] == "input:reply"
    with pytest.raises(Refused) as refused:
        operations.fire_trigger(db, proposal, "accept", lead(proposal))
    db.rollback()
    assert refused.value.code == "unknown_trigger"
    assert footprint(db, proposal.id) == before

    operations.fire_trigger(db, proposal, "reply", lead(proposal),
                            {"reply": "来月、補修します。", "reason": "安全上必要なため"},
                            expected_version=before.version, today=date(2026, 5, 1))
    db.commit()
    after = footprint(db, proposal.id)
    assert after.state == "answered" and after.version == before.version + 1
    assert after.due_on is None  # a final state
    assert after.outbox == before.outbox + 1  # notify = ["proposer"]
    assert proposal.ruling_decision == "answered"
    assert proposal.ruling_reason == "安全上必要なため"
    assert proposal.published_at is not None  # effects = ["publish"]
    event = last_event(db, proposal.id)
    assert (event.trigger, event.from_state, event.to_state) == ("reply", "submitted",
                                                                 "answered")
    assert event.data == {"reply": "来月、補修します。"}
    assert simple_request.is_final(proposal.state)
    with pytest.raises(Refused):
        operations.fire_trigger(db, proposal, "withdraw", PROPOSER)
    db.rollback()
    assert audit.verify(db) is None


def test_the_idea_workflow_runs_end_to_end(city):
    db = city.session
    proposal, _ = operations.submit_proposal(db, city.submission(kind="idea"),
                                             channel="test", today=date(2026, 6, 1))
    db.commit()
    liaison = lead(proposal)
    steps = [
        ("accept", liaison, {}, "in_review"),
        ("request_info", liaison, {"question": "場所を教えてください。"}, "awaiting_proposer"),
        ("provide_info", PROPOSER, {"answer": "北口の前です。"}, "in_review"),
        ("answer", liaison, {"answer": "来年度の予算で検討します。"}, "answered"),
    ]
    for trigger, actor, inputs, state in steps:
        before = footprint(db, proposal.id)
        operations.fire_trigger(db, proposal, trigger, actor, inputs,
                                expected_version=before.version, today=date(2026, 6, 2))
        db.commit()
        after = footprint(db, proposal.id)
        assert (after.state, after.version, after.transitions) == (
            state, before.version + 1, before.transitions + 1)
    assert proposal.ruling_decision == "answered"
    assert proposal.ruling_reason == "来年度の予算で検討します。"
    assert proposal.due_on is None and proposal.is_published
    assert audit.verify(db) is None


def test_an_idea_is_withdrawn_by_its_proposer(city):
    db = city.session
    proposal, _ = city.submit(kind="idea")
    operations.fire_trigger(db, proposal, "withdraw", PROPOSER, {"reason": "解決しました"})
    db.commit()
    assert proposal.state == "withdrawn" and proposal.ruling_decision is None
    assert last_event(db, proposal.id).reason == "解決しました"
