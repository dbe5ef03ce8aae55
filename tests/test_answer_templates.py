"""Answer templates (SPEC section 7): the office keeps them (API and page, every change
audited, never deleted), liaisons read them, and a transition may name one — its body in
the proposal's language becomes the reason unless the officer typed one.  The same rule
through the API and the page (without JavaScript)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.audit import verify
from intake.models import AnswerTemplate, Event

from .api_support import API, bearer
from .staff_support import advanced, events_of, login, page, post_action, reload

REJECT = {
    "code": "duplicate-project", "trigger": "reject",
    "title": {"ja": "既存事業と重複", "en": "Duplicates a project", "ja-easy": "おなじ じぎょう"},
    "body": {"ja": "同じ内容の事業を市がすでに行っています。", "en": "The city already runs this.",
             "ja-easy": "しが もう おなじ ことを しています。"},
}


def create(client, token, **overrides):
    return client.post(f"{API}/answer-templates", json={**REJECT, **overrides},
                       headers=bearer(token))


def admin_events(db) -> list[Event]:
    db.expire_all()
    return list(db.execute(select(Event).where(Event.action == "admin_change")
                           .order_by(Event.seq)).scalars())


@pytest.fixture
def office(city):
    return city.token(city.office_user)


@pytest.fixture
def template(city, client, office):
    response = create(client, office)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# --- the office keeps them ---------------------------------------------------------------


def test_the_office_creates_and_changes_templates_audited_and_liaisons_read_them(
        city, client, db, office, template):
    assert template == {**REJECT, "active": True, "sort_order": 0}
    (created,) = admin_events(db)
    assert created.data["entity"] == "answer_templates" and created.data["op"] == "create"
    assert created.data["changes"]["body_ja"] == [None, REJECT["body"]["ja"]]

    liaison = city.token(city.parks_liaison)
    listed = client.get(f"{API}/answer-templates", headers=bearer(liaison))
    assert listed.status_code == 200 and listed.get_json()["items"] == [template]
    assert create(client, liaison, code="other").status_code == 403

    changed = client.patch(f"{API}/answer-templates/duplicate-project", headers=bearer(office),
                           json={"body": {"en": "The city already does this."}})
    assert changed.status_code == 200
    assert changed.get_json()["body"] == {**REJECT["body"], "en": "The city already does this."}
    off = client.patch(f"{API}/answer-templates/duplicate-project", headers=bearer(office),
                       json={"active": False})
    assert off.get_json()["active"] is False
    ops = [(e.data["op"], e.data["changes"]) for e in admin_events(db)[1:]]
    assert ops == [("update", {"body_en": ["The city already runs this.",
                                           "The city already does this."]}),
                   ("deactivate", {"active": [True, False]})]
    assert db.execute(select(AnswerTemplate)).scalars().one().code == "duplicate-project"
    assert verify(db) is None


@pytest.mark.parametrize("overrides, field", [
    ({}, "code"),  # taken
    ({"code": "Not A Code"}, "code"),
    ({"code": "x1", "trigger": "accept"}, "trigger"),  # accept takes no reason
    ({"code": "x2", "trigger": "no_such_trigger"}, "trigger"),
    ({"code": "x3", "title": "既存事業と重複"}, "title"),
    ({"code": "x4", "body": {"ja": "", "en": "x"}}, "body_ja"),
    ({"code": "x5", "colour": "red"}, "colour"),
])
def test_a_bad_template_is_refused_naming_the_field(client, office, template, overrides, field):
    response = create(client, office, **overrides)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_an_unknown_template_is_not_found(client, office):
    response = client.patch(f"{API}/answer-templates/nothing", headers=bearer(office),
                            json={"active": False})
    assert response.status_code == 404


def test_the_admin_pages_list_add_and_edit_templates(city, client, db, template):
    login(client, city.office_user)
    index = page(client.get("/staff/admin/"))
    assert "/staff/admin/answer-templates" in index
    listed = page(client.get("/staff/admin/answer-templates"))
    assert "duplicate-project" in listed and "既存事業と重複" in listed
    added = client.post("/staff/admin/answer-templates", data={
        "template-code": "need-info", "template-trigger": "request_info",
        "template-title_ja": "詳しい場所", "template-body_ja": "場所を詳しく教えてください。",
        "template-sort_order": "1"})
    assert added.status_code == 302, page(added)
    refused = client.post("/staff/admin/answer-templates", data={
        "template-code": "need-info", "template-trigger": "request_info",
        "template-title_ja": "x", "template-body_ja": "y"})
    assert refused.status_code == 422
    edit = client.get("/staff/admin/answer-templates/need-info")
    assert edit.status_code == 200 and "場所を詳しく教えてください。" in page(edit)
    saved = client.post("/staff/admin/answer-templates/need-info", data={
        "template-trigger": "request_info", "template-title_ja": "詳しい場所",
        "template-body_ja": "場所を詳しく教えてください。", "template-sort_order": "1"})
    assert saved.status_code == 302
    assert db.execute(select(AnswerTemplate.active).where(AnswerTemplate.code == "need-info")
                      ).scalar() is False  # the box left unticked: deactivated, not deleted


def test_a_liaison_gets_403_on_the_template_pages(city, client, template):
    login(client, city.parks_liaison)
    assert client.get("/staff/admin/answer-templates").status_code == 403
    assert client.get("/staff/admin/answer-templates/duplicate-project").status_code == 403


# --- a transition with a template: the API --------------------------------------------------


def reject(client, token, proposal, **body):
    return client.post(f"{API}/proposals/{proposal.id}/transitions", headers=bearer(token),
                       json={"trigger": "reject", "version": proposal.version,
                             "reason_code": "duplicate", **body})


def test_the_template_body_is_the_reason_when_none_is_sent(city, client, db, template):
    proposal = advanced(city, "accept")
    token = city.token(city.parks_liaison)
    response = reject(client, token, proposal, template="duplicate-project")
    assert response.status_code == 200, response.get_json()
    ruled = reload(db, proposal)
    assert ruled.ruling_reason == REJECT["body"]["ja"]
    assert events_of(db, proposal)[-1].data["template"] == "duplicate-project"


def test_the_proposals_language_chooses_the_body(city, client, db, template):
    proposal = advanced(city, "accept")
    proposal.language = "en"
    db.commit()
    token = city.token(city.parks_liaison)
    assert reject(client, token, proposal, template="duplicate-project").status_code == 200
    assert reload(db, proposal).ruling_reason == REJECT["body"]["en"]


def test_a_typed_reason_wins_over_the_template(city, client, db, template):
    proposal = advanced(city, "accept")
    token = city.token(city.parks_liaison)
    response = reject(client, token, proposal, template="duplicate-project",
                      reason="同じ内容の事業があります（北公園で実施中）。")
    assert response.status_code == 200
    assert reload(db, proposal).ruling_reason == "同じ内容の事業があります（北公園で実施中）。"


@pytest.mark.parametrize("code", ["no-such-template", "inactive", "for-questions"])
def test_an_unknown_inactive_or_other_triggers_template_is_422(city, client, db, office,
                                                                template, code):
    create(client, office, code="for-questions", trigger="request_info")
    create(client, office, code="inactive")
    client.patch(f"{API}/answer-templates/inactive", headers=bearer(office),
                 json={"active": False})
    proposal = advanced(city, "accept")
    response = reject(client, city.token(city.parks_liaison), proposal, template=code)
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["template"]
    assert reload(db, proposal).ruling_decision is None


# --- a transition with a template: the page ------------------------------------------------


def test_the_reject_form_offers_the_triggers_templates(city, client, db, office, template):
    create(client, office, code="for-questions", trigger="request_info")
    proposal = advanced(city, "accept")
    login(client, city.parks_liaison)
    html = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert 'id="reject-template"' in html and 'data-reason-field="reject-reason"' in html
    assert f'data-body-ja="{REJECT["body"]["ja"]}"' in html
    assert 'data-language="ja"' in html
    assert "answer-templates.js" in html
    assert 'id="accept-template"' not in html  # no reason input
    assert html.count('value="for-questions"') == 1  # only in request_info's form


def test_without_templates_the_form_has_no_select(city, client):
    proposal = advanced(city, "accept")
    login(client, city.parks_liaison)
    assert 'id="reject-template"' not in page(client.get(f"/staff/proposals/{proposal.id}"))


def test_without_javascript_the_page_uses_the_body_for_an_empty_reason(city, client, db,
                                                                      template):
    proposal = advanced(city, "accept")
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "reject", template="duplicate-project",
                           reason="", reason_code="duplicate")
    assert response.status_code == 302, page(response)
    assert reload(db, proposal).ruling_reason == REJECT["body"]["ja"]

    other = advanced(city, "accept")
    response = post_action(client, other, "reject", template="duplicate-project",
                           reason="手直しした理由です。", reason_code="duplicate")
    assert response.status_code == 302
    assert reload(db, other).ruling_reason == "手直しした理由です。"


def test_the_page_names_an_unknown_template(city, client, db, template):
    proposal = advanced(city, "accept")
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "reject", template="gone", reason="",
                           reason_code="duplicate")
    assert response.status_code == 422
    assert "この操作に使える有効なテンプレートではありません" in page(response)
    assert reload(db, proposal).ruling_decision is None
