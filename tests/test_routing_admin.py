"""Routing rules as the office edits them (SPEC section 7, issue 8 acceptance 3): edits
apply to new submissions only and are audited; the preview agrees with real routing for
every rule of the default data; a planned absence hands new items to the deputy and back."""

from __future__ import annotations

import re
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from intake.audit import verify
from intake.cli import main
from intake.models import Category, District, Event, Proposal, RoutingRule, User
from intake.routing import choose_assignee
from intake.seed import load_defaults
from tests import ops as operations

from .api_support import API, bearer
from .staff_support import ja, login, page
from .test_browser import browser, live_server, new_page, sign_in  # noqa: F401  (fixtures)


def admin_events(db) -> list[Event]:
    db.expire_all()
    return list(db.execute(select(Event).where(Event.chain == "system")
                           .order_by(Event.seq)).scalars())


def rule_for(db, category: Category, keyword: str | None = None) -> RoutingRule:
    return db.execute(select(RoutingRule).where(
        RoutingRule.category_id == category.id, RoutingRule.keyword.is_(None) if keyword is None
        else RoutingRule.keyword == keyword)).scalar_one()


def test_a_rule_edit_routes_new_submissions_only_and_is_audited(city, client, db, database_url,
                                                               tmp_path, monkeypatch):
    before, _ = city.submit(title="公園のベンチを直す")
    assert before.lead_department_id == city.parks.id
    rule = rule_for(db, city.cat_parks)
    office = city.token(city.office_user)

    response = client.patch(f"{API}/routing-rules/{rule.id}", headers=bearer(office),
                            json={"department": "roads", "priority": 5})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"id": rule.id, "category": "parks", "district": None,
                                   "keyword": None, "department": "roads", "priority": 5}

    after, _ = city.submit(title="公園の遊具を増やす")
    db.expire_all()
    assert db.get(Proposal, after.id).lead_department_id == city.roads.id
    assert db.get(Proposal, after.id).assignee_id == city.roads_primary.id
    # The proposal routed before the edit is never re-routed.
    assert db.get(Proposal, before.id).lead_department_id == city.parks.id
    assert db.get(Proposal, before.id).assignee_id == city.parks_liaison.id

    (event,) = admin_events(db)
    assert (event.action, event.actor) == ("admin_change", f"user:{city.office_user.id}")
    assert event.data == {"entity": "routing_rules", "id": rule.id, "op": "update",
                          "changes": {"department": ["parks", "roads"], "priority": [0, 5]}}
    assert verify(db) is None
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "cli"))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    monkeypatch.setenv("TEIAN_SECRET_KEY", "cli-test")
    result = CliRunner().invoke(main, ["audit", "verify"], catch_exceptions=False)
    assert result.exit_code == 0 and "intact" in result.output, result.output


def test_creating_and_deleting_rules_is_audited_and_changes_routing(city, client, db):
    office = city.token(city.office_user)
    created = client.post(f"{API}/routing-rules", headers=bearer(office), json={
        "category": "parks", "district": "d01", "keyword": "", "department": "children",
        "priority": 0})
    assert created.status_code == 201, created.get_json()
    rule = created.get_json()
    assert rule["district"] == "d01" and rule["keyword"] is None
    # Same priority: the district rule is the more specific, so it wins in d01 only.
    in_d01, _ = city.submit(district="d01")
    elsewhere, _ = city.submit(district="d02")
    assert (in_d01.lead_department_id, elsewhere.lead_department_id) == (city.children.id,
                                                                         city.parks.id)
    listed = client.get(f"{API}/routing-rules", headers=bearer(office)).get_json()["items"]
    assert rule in listed

    assert client.delete(f"{API}/routing-rules/{rule['id']}",
                         headers=bearer(office)).status_code == 204
    again, _ = city.submit(district="d01")
    assert again.lead_department_id == city.parks.id
    assert client.patch(f"{API}/routing-rules/{rule['id']}", headers=bearer(office),
                        json={"priority": 1}).status_code == 404
    ops = [(e.data["op"], e.data["entity"]) for e in admin_events(db)]
    assert ops == [("create", "routing_rules"), ("deactivate", "routing_rules")]
    assert verify(db) is None


@pytest.mark.parametrize("body, field", [
    ({"category": "parks", "department": "nowhere"}, "department"),
    ({"category": "nothing", "department": "parks"}, "category"),
    ({"category": "parks", "department": "parks", "priority": "high"}, "priority"),
    ({"category": "parks", "department": "parks", "priority": 10**12}, "priority"),
    ({"category": "parks", "department": "parks", "district": "d99"}, "district"),
    ({"department": "parks"}, "category"),
    ({"category": "parks", "department": "parks", "colour": "red"}, "colour"),
    ({"category": ["parks"], "department": "parks"}, "category"),
])
def test_a_bad_rule_is_a_422_naming_the_field(city, client, body, field):
    office = city.token(city.office_user)
    response = client.post(f"{API}/routing-rules", headers=bearer(office), json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


# --- the preview -----------------------------------------------------------------------------


def test_the_preview_agrees_with_real_routing_for_every_default_rule(app, client, db, factory):
    load_defaults(db)
    db.commit()
    office = factory.token(factory.user("office@city.test", "office"))
    rules = db.execute(select(RoutingRule).where(RoutingRule.active.is_(True))).scalars().all()
    districts = [None, *db.execute(select(District.code)).scalars()]
    assert len(rules) >= 10
    checked = 0
    for rule in rules:
        category = db.get(Category, rule.category_id).code
        for text in {rule.keyword or "", "ごみ バス 学校"}:
            for district in districts[:2]:
                problem = f"駅前の様子について。{text}"
                preview = client.post(f"{API}/routing/preview", headers=bearer(office), json={
                    "category": category, "district": district, "problem": problem,
                    "title": "提案の題名です"}).get_json()
                proposal, _ = factory.submit(category=category, district=district,
                                             problem=problem, title="提案の題名です")
                route = db.execute(select(Event).where(Event.proposal_id == proposal.id,
                                                       Event.action == "route")).scalar_one()
                expected = proposal.lead_department.code if proposal.lead_department else None
                got = preview["department"]["code"] if preview["department"] else None
                assert (got, preview["rule"]) == (expected, route.data["rule"]), (
                    category, district, text)
                checked += 1
    assert checked >= 4 * len(rules)


def test_the_preview_names_the_rule_or_triage(city, client):
    office = city.token(city.office_user)
    welfare = client.post(f"{API}/routing/preview", headers=bearer(office), json={
        "category": "welfare", "district": None, "text": "子育て中の親の集まる場所"})
    assert welfare.status_code == 200
    assert welfare.get_json()["department"] == {"code": "children", "name": "子育て支援課"}
    triage = client.post(f"{API}/routing/preview", headers=bearer(office),
                         json={"category": "other", "text": "何か"}).get_json()
    assert triage == {"department": None, "rule": None}
    bad = client.post(f"{API}/routing/preview", headers=bearer(office), json={"text": "x"})
    assert bad.status_code == 422 and "category" in bad.get_json()["error"]["fields"]


def test_the_preview_page_says_where_a_draft_would_go(city, client):
    login(client, city.office_user)
    response = client.post("/staff/admin/routing/preview", data={
        "preview-category": "welfare", "preview-district": "", "preview-text": "子育て支援"})
    assert response.status_code == 200
    rule = rule_for(city.session, city.cat_welfare, "子育て")
    assert ja("admin.preview.result", department="子育て支援課", rule=rule.id) in page(response)
    refused = client.post("/staff/admin/routing/preview", data={"preview-category": ""})
    assert refused.status_code == 422
    assert ja("error.required_choice", field=ja("admin.field.category")) in page(refused)


# --- absence by date ---------------------------------------------------------------------------


def submit_on(city, day: date) -> Proposal:
    proposal, _ = operations.submit_proposal(city.session, city.submission(category="roads"),
                                             channel="test", today=day)
    city.session.commit()
    return proposal


def test_a_deputy_takes_new_items_while_the_primary_is_away_and_the_primary_after(city, client,
                                                                                  db):
    office = city.token(city.office_user)
    response = client.patch(f"{API}/users/{city.roads_primary.id}", headers=bearer(office),
                            json={"absent_from": "2026-12-24", "absent_to": "2027-01-03"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["absent_to"] == "2027-01-03"
    primary, deputy = city.roads_primary.id, city.roads_deputy.id
    expected = {date(2026, 12, 23): primary, date(2026, 12, 24): deputy,
                date(2027, 1, 3): deputy, date(2027, 1, 4): primary}
    for day, who in expected.items():
        assert submit_on(city, day).assignee_id == who, day
    roads = city.roads
    assert choose_assignee(db, roads, today=date(2026, 12, 30)).id == deputy
    # Open-ended: from a day, until the office says otherwise.
    client.patch(f"{API}/users/{primary}", headers=bearer(office),
                 json={"absent_from": "2027-02-01", "absent_to": None})
    assert submit_on(city, date(2027, 6, 1)).assignee_id == deputy
    (event, *_rest) = admin_events(db)
    assert event.data["changes"] == {"absent_from": [None, "2026-12-24"],
                                     "absent_to": [None, "2027-01-03"]}


def test_absence_dates_are_checked(city, client):
    office = city.token(city.office_user)
    for body, field in (({"absent_from": "2027-01-05", "absent_to": "2027-01-01"}, "absent_to"),
                        ({"absent_to": "2027-01-01"}, "absent_from"),
                        ({"absent_from": "1月5日"}, "absent_from"),
                        ({"absent": "yes"}, "absent")):
        response = client.patch(f"{API}/users/{city.roads_primary.id}", headers=bearer(office),
                                json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["error"]["fields"], body
    city.session.expire_all()
    assert city.session.get(User, city.roads_primary.id).absent_from is None


# --- the page, in a browser ------------------------------------------------------------------


@pytest.mark.browser
def test_the_office_edits_a_routing_rule_in_the_browser(new_page, live_server, city, db):  # noqa: F811
    rule = rule_for(db, city.cat_roads)
    page = new_page()
    sign_in(page, live_server, city.office_user)
    page.get_by_role("link", name=ja("staff.nav.admin"), exact=True).click()
    page.get_by_role("link", name=ja("admin.routing.title")).first.click()
    page.locator(f"#rule-{rule.id}").get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/staff/admin/routing/{rule.id}$"))
    page.get_by_label(ja("admin.field.department"), exact=True).select_option("parks")
    page.get_by_label(ja("admin.field.priority"), exact=True).fill("5000")
    page.get_by_role("button", name=ja("admin.save")).click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert ja("admin.error.between", field=ja("admin.field.priority"), min=-1000,
              max=1000) in summary.inner_text()
    assert page.get_by_label(ja("admin.field.department"), exact=True).input_value() == "parks"
    page.get_by_label(ja("admin.field.priority"), exact=True).fill("3")
    page.get_by_role("button", name=ja("admin.save")).click()
    page.wait_for_url(re.compile(r"/staff/admin/routing$"))
    assert ja("admin.done.rule_saved", id=rule.id) in page.inner_text("main")
    assert "公園緑地課" in page.locator(f"#rule-{rule.id}").inner_text()
    db.expire_all()
    stored = db.get(RoutingRule, rule.id)
    assert (stored.department_id, stored.priority) == (city.parks.id, 3)
    proposal, _ = city.submit(category="roads", title="歩道の段差をなくす")
    assert proposal.lead_department_id == city.parks.id
    assert admin_events(db)[-1].data["changes"]["department"] == ["roads", "parks"]
