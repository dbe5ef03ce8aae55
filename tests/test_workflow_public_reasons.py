"""Which reasons the public may read is data: transitions marked
``effects = ["publish_reason"]`` in the workflow file (SPEC section 3: the
evaluation of an adopted proposal is published; rulings carry reasons)."""

from __future__ import annotations

from .workflow_support import INPUTS, walk


def _public_timeline(client, proposal_id: int) -> dict[str, str | None]:
    answer = client.get(f"/api/v1/proposals/{proposal_id}")
    assert answer.status_code == 200
    return {entry["trigger"]: entry["reason"] for entry in answer.get_json()["timeline"]}


def test_the_evaluation_and_the_ruling_are_public_the_question_is_not(city, db, client):
    proposal, _ = city.submit()
    walk(db, proposal, "evaluated")
    db.commit()
    reasons = _public_timeline(client, proposal.id)
    assert reasons["evaluate"] == INPUTS["evaluate"]["evaluation"]
    assert reasons["adopt"] == INPUTS["adopt"]["reason"]
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert INPUTS["evaluate"]["evaluation"] in page


def test_a_question_and_its_answer_stay_private(city, db, client):
    proposal, _ = city.submit()
    walk(db, proposal, "awaiting_proposer")
    db.commit()
    reasons = _public_timeline(client, proposal.id)
    assert reasons["request_info"] is None
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert INPUTS["request_info"]["question"] not in page
