"""The optional note on a staff step (理由・補足): offered only where the step keeps it as
its reason (a step whose reason is a question or an evaluation keeps no note beside it),
and labelled with who reads it — the proposer always, the public where the step publishes
its reason — exactly as the timelines show it."""

from __future__ import annotations

from pathlib import Path

from forms.actions import TransitionForm
from workflows import load_workflow

from .api_support import API
from .api_support import fire as api_fire
from .staff_support import advanced, events_of, fire, ja, login, page, post_action, reload
from .workflow_support import record_deliberation

NOTE = "町内会長さんから事前に相談を受けています。"


def field_part(text: str, name: str) -> str:
    """The page around the field ``name`` (its label comes before it, its hint too)."""
    at = text.index(f'name="{name}"')
    return text[text.rfind("<label", 0, at):at]


def test_the_note_is_labelled_as_shown_to_the_proposer_and_is_shown_to_them(client, city):
    proposal, token = city.submit()
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    around = field_part(text, "accept-reason")
    assert ja("staff.field.note") in around and ja("staff.hint.note") in around
    assert "メモ（任意" not in text

    assert post_action(client, proposal, "accept", reason=NOTE).status_code == 302
    # the proposer reads it on their tracking page and in their API …
    assert NOTE in page(client.get(f"/track/{token}"))
    tracked = client.get(f"{API}/track/{token}").get_json()
    assert NOTE in [entry["reason"] for entry in tracked["timeline"]]
    # … the public does not (the step does not publish its reason)
    assert NOTE not in page(client.get(f"/proposals/{proposal.id}"))
    public = client.get(f"{API}/proposals/{proposal.id}").get_json()
    assert NOTE not in [entry["reason"] for entry in public["timeline"]]


def test_a_step_that_publishes_its_reason_labels_its_note_as_public(app, tmp_path: Path):
    definition = tmp_path / "notes.toml"
    definition.write_text("""
name = "notes"
label = { ja = "お知らせ" }
initial = "submitted"
[states.submitted]
label = { ja = "受付" }
[states.closed]
label = { ja = "終了" }
final = true
[[transitions]]
trigger = "close"
label = { ja = "終える" }
source = "submitted"
dest = "closed"
roles = ["office"]
effects = ["publish_reason"]
""", encoding="utf-8")
    with app.test_request_context():
        form = TransitionForm.for_trigger(load_workflow(definition), "submitted", "close",
                                          lang="ja", meta={"csrf": False})
        assert form.reason.label.text == ja("staff.field.note_public")
        assert form.hint_for(form.reason) == ja("staff.hint.note_public")


def test_steps_whose_reason_is_a_question_or_an_evaluation_offer_no_note(client, city):
    login(client, city.parks_liaison)
    in_review = advanced(city, "accept")
    text = page(client.get(f"/staff/proposals/{in_review.id}"))
    assert 'name="request_info-question"' in text
    assert 'name="request_info-reason"' not in text
    assert 'name="open_deliberation-reason"' in text  # its note is its reason
    implementing = advanced(city, "accept", "open_deliberation")
    record_deliberation(city.session, implementing)
    city.session.commit()
    fire(city, implementing, "adopt", city.parks_liaison, reason="協議の結果、採択します。")
    fire(city, implementing, "start_implementation", city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{implementing.id}"))
    assert 'name="evaluate-evaluation"' in text
    assert 'name="evaluate-reason"' not in text


def test_a_note_sent_with_a_question_is_refused_by_name_not_dropped(client, city):
    proposal = advanced(city, "accept")
    before = len(events_of(city.session, proposal))
    liaison = city.token(city.parks_liaison)
    response = api_fire(client, liaison, proposal.id, "request_info",
                        question="場所はどこですか。", reason=NOTE)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert list(error["fields"]) == ["reason"]
    assert error["fields"]["reason"] == [ja("staff.error.field.no_note",
                                            field=ja("staff.field.note"))]
    login(client, city.parks_liaison)
    refused = post_action(client, proposal, "request_info", question="場所はどこですか。",
                          reason=NOTE)
    assert refused.status_code == 422
    assert ja("staff.error.field.no_note", field=ja("staff.field.note")) in page(refused)
    assert NOTE in page(refused)  # the officer's text is kept, beside the field
    assert reload(city.session, proposal).state == "in_review"
    assert len(events_of(city.session, proposal)) == before

    asked = api_fire(client, liaison, proposal.id, "request_info", question="場所はどこですか。",
                     reason="   ")
    assert asked.status_code == 200, asked.get_json()  # a blank note is no note
