"""Structured rulings are public (SPEC section 7): the decision (adopted, partially adopted
with its scope, rejected), the reason code when one was given and the reason — on the
public page, in the public API and in rulings.csv."""

from __future__ import annotations

import re

from sqlalchemy import select

from intake.core.actors import Actor
from intake.models import OutboxMessage
from workflows import get_workflow

from .api_support import API, bearer
from .office_support import read_csv
from .staff_support import advanced, fire, ja, login, post_action, reload
from .workflow_support import FUTURE_YEAR, record_deliberation


def _ruled(city):
    """Three proposals of the parks department: adopted, partially adopted, rejected."""
    adopted, partial = (advanced(city, "accept", "open_deliberation") for _ in range(2))
    for proposal in (adopted, partial):
        record_deliberation(city.session, proposal, Actor.staff(city.parks_liaison))
        city.session.commit()
    fire(city, adopted, "adopt", city.parks_liaison, reason="全面的に採択します。")
    fire(city, partial, "adopt", city.parks_liaison, reason="花壇だけ採択します。",
         scope="花壇の設置のみ")
    rejected = advanced(city, "accept")
    fire(city, rejected, "reject", city.parks_liaison, reason="既に事業があります。",
         reason_code="already_done")
    return [reload(city.session, p) for p in (adopted, partial, rejected)]


def test_every_part_of_a_ruling_is_public_on_the_page_the_api_and_the_csv(city, client):
    adopted, partial, rejected = _ruled(city)
    assert all(p.is_published for p in (adopted, partial, rejected))

    rulings = {p.id: client.get(f"{API}/proposals/{p.id}").get_json()["ruling"]
               for p in (adopted, partial, rejected)}
    assert {k: v for k, v in rulings[adopted.id].items() if k != "at"} == {
        "decision": "adopted", "reason": "全面的に採択します。", "reason_code": None}
    assert {k: v for k, v in rulings[partial.id].items() if k != "at"} == {
        "decision": "partially_adopted", "reason": "花壇だけ採択します。", "reason_code": None,
        "scope": "花壇の設置のみ"}
    assert {k: v for k, v in rulings[rejected.id].items() if k != "at"} == {
        "decision": "rejected", "reason": "既に事業があります。", "reason_code": "already_done"}

    labels = {p.id: client.get(f"{API}/proposals/{p.id}").get_json()["state_label"]
              for p in (adopted, partial)}
    assert labels == {adopted.id: ja("ruling.decision.adopted"),
                      partial.id: ja("ruling.decision.partially_adopted")}  # as the badges

    partial_page = client.get(f"/proposals/{partial.id}").get_data(as_text=True)
    assert ja("ruling.decision.partially_adopted") in partial_page
    assert "花壇の設置のみ" in partial_page and "花壇だけ採択します。" in partial_page
    rejected_page = client.get(f"/proposals/{rejected.id}").get_data(as_text=True)
    assert ja("ruling.decision.rejected") in rejected_page
    assert ja("staff.choice.reason_code.already_done") in rejected_page
    assert "既に事業があります。" in rejected_page

    response = client.get(f"{API}/rulings.csv", headers=bearer(city.token(city.office_user)))
    header, *rows = read_csv(response.data)
    by_receipt = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert [(by_receipt[p.receipt]["decision"], by_receipt[p.receipt]["reason_code"],
             by_receipt[p.receipt]["scope"], by_receipt[p.receipt]["reason"])
            for p in (adopted, partial, rejected)] == [
        ("adopted", "", "", "全面的に採択します。"),
        ("partially_adopted", "", "花壇の設置のみ", "花壇だけ採択します。"),
        ("rejected", "already_done", "", "既に事業があります。")]


def test_the_proposer_is_told_the_decision_itself_an_adoption_in_part_too(city):
    adopted, partial, rejected = _ruled(city)
    bodies = {proposal_id: body for proposal_id, body in city.session.execute(
        select(OutboxMessage.proposal_id, OutboxMessage.body)
        .where(OutboxMessage.kind == "ruling"))}
    # The state of both adoptions is "adopted"; the mail says which kind it was.
    assert f"：{ja('ruling.decision.partially_adopted')}\n" in bodies[partial.id]
    assert f"：{ja('ruling.decision.adopted')}\n" in bodies[adopted.id]
    assert f"：{ja('ruling.decision.rejected')}\n" in bodies[rejected.id]


def _status_tags(html: str) -> list[str]:
    return re.findall(r'<span class="tag tag-[a-z_]+">([^<]+)</span>', html)


def test_an_adoption_in_part_is_shown_as_such_wherever_a_status_is_shown(city, client):
    """Its state is the adoption's; a status reading 「採択」 would overstate the ruling."""
    adopted, partial, rejected = _ruled(city)
    partly, fully = ja("ruling.decision.partially_adopted"), ja("ruling.decision.adopted")
    assert _status_tags(client.get(f"/proposals/{partial.id}").get_data(as_text=True)) == [partly]
    assert _status_tags(client.get(f"/proposals/{adopted.id}").get_data(as_text=True)) == [fully]
    listed = _status_tags(client.get("/proposals?state=adopted").get_data(as_text=True))
    assert sorted(listed) == sorted([partly, fully])
    login(client, city.parks_liaison)
    queue = client.get("/staff/?state=adopted").get_data(as_text=True)
    assert f'class="keep-words">{partly}</td>' in queue
    assert f'class="keep-words">{fully}</td>' in queue


def test_an_adoption_in_part_is_confirmed_and_timelined_as_such(city, client):
    """The officer's confirmation and every timeline name the decision, not the state it
    is recorded in: 「協議中」から「一部採択」, never 「採択」."""
    proposal, token = city.submit()
    for trigger in ("accept", "open_deliberation"):
        fire(city, proposal, trigger, city.parks_liaison)
    record_deliberation(city.session, proposal, Actor.staff(city.parks_liaison))
    city.session.commit()
    login(client, city.parks_liaison)
    response = post_action(client, reload(city.session, proposal), "adopt",
                           reason="花壇だけ採択します。", scope="花壇の設置のみ")
    assert response.status_code == 302
    workflow = get_workflow("proposal")
    state = {name: workflow.state_label(name, "ja") for name in workflow.states}
    action = {t.trigger: t.label_in("ja") for t in workflow.transitions}
    partly, fully = ja("ruling.decision.partially_adopted"), state["adopted"]
    staff_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ja("staff.done.transition", action=action["adopt"], state=partly) in staff_page
    assert f"{state['in_deliberation']} → {partly}" in staff_page
    assert f"→ {fully}<" not in staff_page

    fire(city, proposal, "start_implementation", city.parks_liaison)
    for url in (f"/proposals/{proposal.id}", f"/track/{token}"):
        text = client.get(url).get_data(as_text=True)
        assert ja("public.timeline.step.adopt", state=partly) in text
        assert ja("public.timeline.step.start_implementation") in text
        assert f"「{fully}」" not in text


def test_the_result_box_of_an_evaluated_proposal_gives_what_came_of_it(city, client):
    adopted, _, _ = _ruled(city)
    fire(city, adopted, "start_implementation", city.parks_liaison, due_on=f"{FUTURE_YEAR}-03-31")
    fire(city, adopted, "evaluate", city.parks_liaison,
         evaluation="花壇の利用者が増え、清掃の参加者も集まりました。")
    html = client.get(f"/proposals/{adopted.id}").get_data(as_text=True)
    box = html[html.index('id="ruling-title"'):html.index("</section>",
                                                           html.index('id="ruling-title"'))]
    workflow = get_workflow(adopted.kind)
    assert ja("public.proposal.after_ruling",
              state=workflow.state_label("evaluated", "ja")) in box
    assert "花壇の利用者が増え、清掃の参加者も集まりました。" in box
