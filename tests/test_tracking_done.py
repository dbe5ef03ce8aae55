"""What the tracking page says after the proposer acts: a sentence of its own for each step
(``public.track.done.<trigger>``: what happened and who was told), and for a step of a
city's own workflow that has none, the step's name."""

from __future__ import annotations

import pytest

import workflows
from intake.i18n import translate
from tests import ops as operations

from .test_web_public import Page
from .workflow_support import lead

ASK_FOR_A_CALL = """
name = "call_back"
label = { ja = "電話の依頼", en = "Call back" }
initial = "submitted"

[states.submitted]
label = { ja = "受付", en = "Received" }

[states.call_asked]
label = { ja = "電話待ち", en = "Waiting for a call" }

[states.called]
label = { ja = "電話済み", en = "Called" }
final = true

[[transitions]]
trigger = "ask_for_a_call"
label = { ja = "電話を頼む", en = "Ask for a call", ja-easy = "電話を 頼む" }
source = "submitted"
dest = "call_asked"
roles = ["proposer"]
notify = ["liaison"]

[[transitions]]
trigger = "record_call"
label = { ja = "電話を記録する", en = "Record the call" }
source = "call_asked"
dest = "called"
roles = ["liaison", "office"]
"""


def notice(response) -> str:
    """The page as a reader reads it (readings left out)."""
    assert response.status_code == 200
    return Page(response.get_data(as_text=True)).text


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_withdrawing_says_it_is_done_and_the_department_was_told(city, client, lang):
    _proposal, token = city.submit()
    done = client.post(f"/track/{token}/withdraw?lang={lang}", data={"confirm": "y"},
                       follow_redirects=True)
    said = translate("public.track.done.withdraw", lang)
    assert said in notice(done)
    assert {"ja": "提案を取り下げました。担当部署にも伝えました。",
            "en": "Your proposal has been withdrawn. The department has been told.",
            "ja-easy": "提案を やめました（取り下げ）。担当の 課にも 伝えました。"}[lang] == said
    steps = workflows.get_workflow("proposal").transitions_from("submitted")
    generic = {translate("public.track.done", lang, action=t.label_in(lang)) for t in steps}
    assert not any(sentence in notice(done) for sentence in generic)


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_answering_says_the_answer_was_sent_and_who_reads_it(city, client, db, lang):
    proposal, token = city.submit()
    for trigger, inputs in (("accept", {}), ("request_info", {"question": "場所は？"})):
        operations.fire_trigger(db, proposal, trigger, lead(proposal), inputs)
        db.commit()
    done = client.post(f"/track/{token}/provide_info?lang={lang}", data={"text": "駅前です。"},
                       follow_redirects=True)
    assert translate("public.track.done.provide_info", lang) in notice(done)
    assert translate("public.track.done.provide_info", "ja") == \
        "回答を送りました。担当部署が確認します。"


@pytest.fixture
def call_back(tmp_path):
    path = tmp_path / "call_back.toml"
    path.write_text(ASK_FOR_A_CALL, encoding="utf-8")
    workflow = workflows.load_workflow(path)
    workflows.register_workflow(workflow)
    yield workflow
    workflows.unregister_workflow(workflow.name)


def test_a_step_of_a_citys_own_workflow_is_named_in_the_general_sentence(city, client, db,
                                                                          call_back):
    _proposal, token = operations.submit_proposal(db, city.submission(kind="call_back"),
                                                  channel="test")
    db.commit()
    done = client.post(f"/track/{token}/ask_for_a_call?lang=en", follow_redirects=True)
    assert "Received: Ask for a call." in notice(done)
