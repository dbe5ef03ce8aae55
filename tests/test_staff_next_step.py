"""The staff pages built around the next step (issue 8): a proposal's page offers the
recommended action first and open, the ones that end or hand away the proposal apart;
dates and people as people read them; the office routes a triage item in one step and
reads the held and hidden comments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from intake.dates import people_date
from intake.i18n import translate
from intake.models import Comment, CommentStatus, OutboxMessage
from tests import ops as operations
from workflows import WorkflowDefinitionError, get_workflow, load_workflow

from .staff_support import advanced, events_of, ja, login, page, reload
from .workflow_support import record_deliberation

ROOT = Path(__file__).resolve().parent.parent


def action_ids(text: str) -> list[tuple[str, bool]]:
    """The page's actions in order: (anchor, shown open)."""
    return [(m.group(1), m.group(2) is not None)
            for m in re.finditer(r'<details class="action[^"]*" id="([^"]+)"( open)?', text)]


def section(text: str, anchor: str) -> str:
    start = text.index(f'id="{anchor}"')
    return text[start:text.index("</details>", start)]


# --- the proposal page ----------------------------------------------------------------------


def test_the_workflows_marked_step_comes_first_and_open(client, city):
    proposal = advanced(city, "accept")
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    actions = action_ids(text)
    # in review: 協議を始める is the file's recommended step, ahead of 提案者に質問する
    assert actions[0] == ("action-trigger-open_deliberation", True)
    assert [a for a, shown in actions if shown] == ["action-trigger-open_deliberation"]
    assert ja("staff_page.actions.recommended") in section(text, actions[0][0])
    # the ones that end or hand away the proposal come last, under their own heading
    ending = text.index(ja("staff_page.actions.ending"))
    for anchor in ("action-trigger-reject", "action-transfer"):
        assert text.index(f'id="{anchor}"') > ending
        assert 'name="confirm"' in section(text, anchor)
        assert "is-destructive" in text[text.index(f'id="{anchor}"') - 120:][:200]
    assert text.index('id="timeline-title"') < text.index('id="actions-title"')


def test_a_blocked_next_step_shows_what_it_needs_and_a_session_unblocks_it(client, city, db):
    proposal = advanced(city, "accept", "open_deliberation")
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    actions = action_ids(text)
    # 採択 is the marked step but needs a deliberation record: first, not open, the reason
    # in its summary (seen before opening it); nothing else ready is recommended
    assert actions[0] == ("action-trigger-adopt", False)
    adopt = section(text, "action-trigger-adopt")
    assert ja("staff.guard.deliberation_recorded") in adopt[:adopt.index("</summary>")]
    assert ja("staff_page.actions.recommended") not in text.split('id="actions-title"')[1]
    record_deliberation(db, reload(db, proposal))
    db.commit()
    actions = action_ids(page(client.get(f"/staff/proposals/{proposal.id}")))
    assert actions[0] == ("action-trigger-adopt", True)


def test_without_a_marked_step_the_first_ready_one_that_does_not_end_is_recommended():
    """The idea workflow's review as a city might write it, without a marked step: the
    first ready step that does not end the idea, never its answer."""
    from dataclasses import replace

    from intake.web.staff.next_step import Action, recommended_action

    workflow = get_workflow("idea")
    steps = [replace(t, recommended=False) for t in workflow.transitions_from("in_review")
             if "liaison" in t.roles]
    actions = [Action(key=f"trigger:{t.trigger}", title=t.trigger, url="", form=None,
                      step=t, destructive=workflow.is_final(t.dest)) for t in steps]
    chosen = recommended_action(actions)
    assert chosen is not None and not workflow.is_final(chosen.step.dest)
    assert chosen.step.trigger == next(t.trigger for t in steps
                                       if not workflow.is_final(t.dest))


def test_an_ideas_answer_is_its_recommended_step_and_still_confirmed(client, city):
    """Answering is what an idea is for; it ends the idea, so it keeps its tick box."""
    idea, _ = city.submit(kind="idea")
    operations.fire_trigger(city.session, idea, "accept", operations.Actor.staff(
        city.parks_liaison), {})
    city.session.commit()
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{idea.id}"))
    assert action_ids(text)[0] == ("action-trigger-answer", True)
    answer = section(text, "action-trigger-answer")
    assert ja("staff_page.actions.recommended") in answer
    assert 'name="confirm"' in answer
    assert text.index('id="action-trigger-answer"') < text.index(
        ja("staff_page.actions.ending"))


def test_a_failed_action_is_the_one_open(client, city):
    proposal = advanced(city, "accept")
    login(client, city.parks_liaison)
    response = client.post(f"/staff/proposals/{proposal.id}/transitions/request_info",
                           data={"request_info-version": proposal.version,
                                 "request_info-question": " "})
    assert response.status_code == 422
    assert [a for a, shown in action_ids(page(response)) if shown] == [
        "action-trigger-request_info"]


def test_dates_and_people_as_people_read_them(client, city):
    proposal = advanced(city, "accept")
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert people_date(proposal.due_on, "ja") in text
    assert re.search(r"あと\d+営業日|今日が期限", text)
    rows = text[text.index('class="events"'):text.index("</table>", text.index('class="events"'))]
    assert "user:" not in rows
    assert ja("staff_page.actor.officer", name=city.parks_liaison.display_name,
              role="公園緑地課") in rows
    assert ja("staff.actor.system") in rows  # the routing at submission


def test_a_recommended_step_must_move_the_proposal_on_and_be_one_per_state(tmp_path):
    source = (ROOT / "workflows/proposal.toml").read_text()
    into_final = source.replace('trigger = "evaluate"\n',
                                'trigger = "evaluate"\nrecommended = true\n')
    twice = source.replace('trigger = "request_info"\n',
                           'trigger = "request_info"\nrecommended = true\n')
    for text, expected in ((into_final, "ends the proposal only as its ruling"),
                           (twice, 'state "in_review" already has a recommended step')):
        path = tmp_path / "proposal.toml"
        path.write_text(text)
        with pytest.raises(WorkflowDefinitionError, match=expected):
            load_workflow(path)


# --- triage ---------------------------------------------------------------------------------


def test_the_office_routes_a_triage_item_in_one_step(client, city, db):
    item, _ = city.submit(category="other", title="掲示板を新しくする")
    routed, _ = city.submit()
    login(client, city.office_user)
    text = page(client.get("/staff/triage"))
    assert item.receipt in text and routed.receipt not in text
    version = item.version
    response = client.post(f"/staff/triage/{item.id}/route",
                           data={f"route-{item.id}-department": "roads",
                                 f"route-{item.id}-version": version})
    assert response.status_code == 302
    shown = page(client.get(response.headers["Location"]))
    assert ja("staff_page.triage.done", receipt=item.receipt, department="道路課") in shown
    assert item.receipt not in shown.split("<main")[1].split(ja("staff_page.triage.done",
                                                               receipt=item.receipt,
                                                               department="道路課"))[1]
    stored = reload(db, item)
    assert (stored.lead_department_id, stored.version) == (city.roads.id, version + 1)
    transfer = events_of(db, stored)[-1]
    assert (transfer.action, transfer.data["from_department"], transfer.data["department"]) == (
        "transfer", None, "roads")
    assert transfer.reason == ja("staff_page.triage.reason")
    # the same form again: stale, and no longer in triage — said, nothing changes
    again = client.post(f"/staff/triage/{item.id}/route",
                        data={f"route-{item.id}-department": "parks",
                              f"route-{item.id}-version": version + 1})
    assert again.status_code == 409
    assert ja("staff_page.triage.already", receipt=item.receipt) in page(again)
    assert reload(db, item).lead_department_id == city.roads.id


def test_the_department_a_triage_item_is_routed_to_is_told_it_was_routed_not_transferred(
        client, city, db):
    item, _ = city.submit(category="other", title="掲示板を新しくする")
    login(client, city.office_user)
    response = client.post(f"/staff/triage/{item.id}/route",
                           data={f"route-{item.id}-department": "roads",
                                 f"route-{item.id}-version": item.version})
    assert response.status_code == 302
    mail = db.execute(select(OutboxMessage).where(
        OutboxMessage.proposal_id == item.id,
        OutboxMessage.recipient == city.roads_primary.email)).scalar_one()
    assert mail.subject == f"【振り分け】{item.receipt} 掲示板を新しくする"
    assert mail.body.startswith("協働推進室がこの提案をあなたの部署に振り分けました。")
    assert "担当部署の変更" not in mail.subject
    assert ja("public.meta.triage") not in mail.body and "変更されました" not in mail.body


def test_a_triage_route_without_a_department_is_refused_beside_the_row(client, city, db):
    item, _ = city.submit(category="other")
    login(client, city.office_user)
    response = client.post(f"/staff/triage/{item.id}/route",
                           data={f"route-{item.id}-department": "",
                                 f"route-{item.id}-version": item.version})
    assert response.status_code == 422
    text = page(response)
    # the field and its rule, beside the list and in the summary leading to it
    named = ja("error.required_choice", field=ja("staff_page.triage.department"))
    assert named == "振り分け先の部署を選んでください。"
    assert f'<a href="#route-{item.id}-department">{named}</a>' in text
    assert f'<p class="error-message" id="route-{item.id}-department-error">{named}</p>' in text
    assert ja("staff.error.form") not in text
    assert reload(db, item).lead_department_id is None


def test_triage_is_the_offices(client, city):
    item, _ = city.submit(category="other")
    login(client, city.parks_liaison)
    assert client.get("/staff/triage").status_code == 403
    assert client.post(f"/staff/triage/{item.id}/route",
                       data={f"route-{item.id}-department": "parks"}).status_code == 403
    assert 'href="/staff/triage"' not in page(client.get("/staff/"))


# --- comment moderation ---------------------------------------------------------------------


def _deliberating(city, category="parks"):
    proposal, _ = city.submit(category=category)
    for trigger in ("accept", "open_deliberation"):
        liaison = city.parks_liaison if category == "parks" else city.roads_primary
        operations.fire_trigger(city.session, proposal, trigger,
                                operations.Actor.staff(liaison), {})
    city.session.commit()
    return proposal


def test_held_and_hidden_comments_are_listed_with_a_link_to_their_place(client, city, db):
    parks = _deliberating(city)
    roads = _deliberating(city, "roads")
    for proposal in (parks, roads):
        for n in range(2):
            client.post(f"/api/v1/proposals/{proposal.id}/comments",
                        json={"name": "近所の人", "body": f"電話 090-1234-567{n} まで"})
    held = list(db.execute(select(Comment).order_by(Comment.id)).scalars())
    assert [c.status for c in held] == [CommentStatus.held] * 4
    operations.hide_comment(db, held[0], operations.Actor.staff(city.office_user),
                            reason="個人への中傷")
    db.commit()
    client.post(f"/api/v1/proposals/{roads.id}/comments", json={"body": "賛成です。"})
    [published] = db.scalars(select(Comment).where(Comment.status == CommentStatus.published))

    login(client, city.office_user)
    text = page(client.get("/staff/comments?limit=2"))
    held_part, hidden_part = text.split('id="hidden-title"')
    published_part = held_part.split('id="published-title"')[1]  # between the two
    assert f"/staff/proposals/{roads.id}#comment-{published.id}" in published_part
    assert "#comment-" not in published_part.replace(f"#comment-{published.id}", "")
    assert f"/staff/proposals/{parks.id}#comment-{held[1].id}" in held_part
    assert f"/staff/proposals/{roads.id}#comment-{held[2].id}" in held_part
    assert f"#comment-{held[3].id}" not in held_part  # on the next page
    assert f"#comment-{held[0].id}" in hidden_part and "個人への中傷" in hidden_part
    more = re.search(r'href="([^"]*held_cursor=[^"]+)"', held_part).group(1)
    second = page(client.get(more.replace("&amp;", "&")))
    assert f"#comment-{held[3].id}" in second.split('id="hidden-title"')[0]
    assert f"#comment-{held[1].id}" not in second.split('id="hidden-title"')[0]

    client.post("/staff/logout")
    login(client, city.roads_primary)
    mine = page(client.get("/staff/comments"))
    assert f"#comment-{held[2].id}" in mine and f"#comment-{held[1].id}" not in mine
    assert client.get("/staff/comments?held_cursor=nonsense").status_code == 400
    # the link opens the proposal page where the comment's forms are
    target = page(client.get(f"/staff/proposals/{roads.id}"))
    assert f'id="comment-{held[2].id}"' in target
    assert f"/comments/{held[2].id}/publish" in target


def test_the_moderation_page_says_it_lists_comments_not_the_queues_proposals(client, city):
    login(client, city.office_user)
    office = page(client.get("/staff/comments"))
    assert ja("staff_page.comments.intro_all") in office
    assert "コメント" in ja("staff_page.comments.intro_all")
    english = page(client.get("/staff/comments?lang=en"))
    assert "Comments on the proposals of every department" in english
    client.post("/staff/logout")
    login(client, city.parks_liaison)
    mine = page(client.get("/staff/comments?lang=ja"))  # the English choice stays
    assert ja("staff_page.comments.intro_department", department="公園緑地課") in mine
    for text in (office, english, mine):
        for key in ("staff.queue.scope_all", "staff.queue.scope_department"):
            for lang in ("ja", "en"):
                assert translate(key, lang, department="公園緑地課") not in text


def test_the_moderation_list_reads_a_page_in_a_fixed_number_of_queries(client, city, db):
    proposal = _deliberating(city)
    for n in range(5):
        client.post(f"/api/v1/proposals/{proposal.id}/comments",
                    json={"name": "", "body": f"電話 090-1234-567{n}"})
    login(client, city.office_user)
    from sqlalchemy import event

    counted = []
    engine = db.get_bind()
    listener = lambda *_args, **_kw: counted.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get("/staff/comments")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    few = len(counted)
    for n in range(5):
        client.post(f"/api/v1/proposals/{proposal.id}/comments",
                    json={"name": "", "body": f"メール a{n}@example.jp"})
    counted.clear()
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get("/staff/comments")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(counted) == few
