"""Administration (SPEC section 7): departments, themes, districts, officers and API tokens
on the staff pages and the API — office only, roles for administrators, every change in
the audit log, a used department or theme deactivated and never deleted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.audit import verify
from intake.models import (
    ApiToken,
    Category,
    Department,
    Event,
    Proposal,
    Role,
    RoutingRule,
    User,
)

from .api_support import API, bearer
from .staff_support import fire, ja, login, page

USER_KEYS = {"id", "email", "name", "role", "department", "primary", "absent", "active"}


def admin_events(db) -> list[Event]:
    db.expire_all()
    return list(db.execute(select(Event).where(Event.chain == "system")
                           .order_by(Event.seq)).scalars())


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method, path, body", [
    ("get", "/routing-rules", None),
    ("post", "/routing-rules", {"category": "parks", "department": "roads"}),
    ("patch", "/routing-rules/1", {"priority": 3}),
    ("delete", "/routing-rules/1", None),
    ("post", "/routing/preview", {"category": "parks"}),
    ("post", "/departments", {"code": "x", "name_ja": "課"}),
    ("patch", "/departments/parks", {"active": False}),
    ("post", "/categories", {"code": "x", "name_ja": "テーマ"}),
    ("patch", "/categories/parks", {"active": False}),
    ("get", "/users", None),
    ("patch", "/users/1", {"absent": True}),
])
def test_a_liaison_gets_403_on_every_admin_route(city, client, db, method, path, body):
    token = city.token(city.parks_liaison)
    response = getattr(client, method)(f"{API}{path}", headers=bearer(token), json=body)
    assert response.status_code == 403, response.get_json()
    assert admin_events(db) == []


@pytest.mark.parametrize("path", ["/staff/admin/", "/staff/admin/departments",
                                  "/staff/admin/routing", "/staff/admin/routing/1",
                                  "/staff/admin/users", "/staff/admin/users/1",
                                  "/staff/admin/tokens"])
def test_a_liaison_gets_403_on_every_admin_page(city, client, path):
    login(client, city.parks_liaison)
    assert client.get(path).status_code == 403
    assert ja("staff.nav.admin") not in page(client.get("/staff/"))


def test_the_office_finds_administration_in_the_menu(city, client):
    login(client, city.office_user)
    assert 'href="/staff/admin/"' in page(client.get("/staff/"))
    for path in ("/staff/admin/", "/staff/admin/departments", "/staff/admin/categories",
                 "/staff/admin/districts", "/staff/admin/routing", "/staff/admin/users",
                 "/staff/admin/tokens", "/staff/admin/departments/parks",
                 "/staff/admin/districts/d01", f"/staff/admin/users/{city.parks_liaison.id}"):
        assert client.get(path).status_code == 200, path


def test_only_an_administrator_changes_roles(city, client, db):
    office, admin = city.token(city.office_user), city.token(city.admin_user)
    target = city.parks_liaison.id
    refused = client.patch(f"{API}/users/{target}", headers=bearer(office),
                           json={"role": "office"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["message"] == "この変更ができるのは管理者だけです。"
    db.expire_all()
    assert db.get(User, target).role == Role.liaison
    # The office changes everything else; an admin account is the administrators' too.
    assert client.patch(f"{API}/users/{target}", headers=bearer(office),
                        json={"absent": True}).status_code == 200
    assert client.patch(f"{API}/users/{city.admin_user.id}", headers=bearer(office),
                        json={"name": "x"}).status_code == 403
    granted = client.patch(f"{API}/users/{target}", headers=bearer(admin),
                           json={"role": "office"})
    assert granted.status_code == 200, granted.get_json()
    assert granted.get_json()["role"] == "office"
    # Nobody removes their own role or account.
    own = client.patch(f"{API}/users/{city.admin_user.id}", headers=bearer(admin),
                       json={"active": False})
    assert own.status_code == 403
    assert own.get_json()["error"]["message"].startswith("自分のアカウントを無効にしたり")
    assert client.patch(f"{API}/users/{target}", headers=bearer(admin),
                        json={"role": "wizard"}).status_code == 422
    changes = [e.data["changes"] for e in admin_events(db)]
    assert {"role": ["liaison", "office"]} in changes


def test_the_office_page_has_no_role_field_and_ignores_one(city, client, db):
    login(client, city.office_user)
    target = city.parks_liaison
    assert 'name="user-role"' not in page(client.get(f"/staff/admin/users/{target.id}"))
    response = client.post(f"/staff/admin/users/{target.id}", data={
        "user-name": "公園 太郎", "user-department": "parks", "user-primary": "y",
        "user-active": "y", "user-role": "admin"})
    assert response.status_code == 302
    db.expire_all()
    stored = db.get(User, target.id)
    assert (stored.display_name, stored.role) == ("公園 太郎", Role.liaison)
    client.post("/staff/logout")
    login(client, city.admin_user)
    assert 'name="user-role"' in page(client.get(f"/staff/admin/users/{target.id}"))


# --- departments and categories -----------------------------------------------------------------


def test_a_used_category_and_department_are_deactivated_never_deleted(city, client, db):
    proposal, _ = city.submit()
    # Closed, and no rule sends proposals there any more: nothing still needs the
    # department (tests/test_department_deactivation.py: what refuses otherwise).
    fire(city, proposal, "accept", city.parks_liaison)
    fire(city, proposal, "reject", city.parks_liaison, reason="予算の見込みが立たないため",
         reason_code="insufficient")
    for rule in db.execute(select(RoutingRule).where(
            RoutingRule.department_id == city.parks.id)).scalars():
        rule.active = False
    db.commit()
    login(client, city.office_user)
    for kind, code in (("categories", "parks"), ("departments", "parks")):
        response = client.post(f"/staff/admin/{kind}/{code}/remove")
        assert response.status_code == 302
    db.expire_all()
    assert db.get(Category, city.cat_parks.id).active is False
    assert db.get(Department, city.parks.id).active is False
    # Gone from the form and from routing; old proposals still show them.
    assert "parks" not in {c["code"] for c in client.get(f"{API}/categories").get_json()["items"]}
    assert "parks" not in {d["code"] for d in client.get(f"{API}/departments").get_json()["items"]}
    client.get("/staff/")  # shows (and so clears) the flashed messages
    assert "公園・緑地" not in page(client.get("/propose"))
    assert db.get(Proposal, proposal.id).category.name_ja == "公園・緑地"
    assert "公園緑地課" in page(client.get(f"/staff/proposals/{proposal.id}"))
    ops = [(e.data["entity"], e.data["op"]) for e in admin_events(db)]
    assert ops == [("categories", "deactivate"), ("departments", "deactivate")]


def test_an_unused_department_is_deleted_and_the_deletion_audited(city, client, db):
    office = city.token(city.office_user)
    created = client.post(f"{API}/departments", headers=bearer(office), json={
        "code": "kanko", "name_ja": "観光課", "name_en": "Tourism", "name_easy": "かんこう か"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json() == {"code": "kanko", "active": True, "name": {
        "ja": "観光課", "en": "Tourism", "ja-easy": "かんこう か"}}
    login(client, city.office_user)
    client.post("/staff/admin/departments/kanko/remove")
    assert db.execute(select(Department).where(Department.code == "kanko")).first() is None
    assert [e.data["op"] for e in admin_events(db)] == ["create", "delete"]
    assert verify(db) is None


def test_categories_are_created_reordered_and_deactivated_through_the_api(city, client, db):
    office = city.token(city.office_user)
    created = client.post(f"{API}/categories", headers=bearer(office), json={
        "code": "sports", "name_ja": "スポーツ", "name_easy": "すぽーつ", "sort_order": 2})
    assert created.status_code == 201, created.get_json()
    patched = client.patch(f"{API}/categories/sports", headers=bearer(office),
                           json={"sort_order": 0, "active": False})
    assert patched.get_json()["active"] is False and patched.get_json()["sort_order"] == 0
    assert client.patch(f"{API}/categories/none", headers=bearer(office),
                        json={"active": False}).status_code == 404
    assert [e.data["op"] for e in admin_events(db)] == ["create", "deactivate"]


@pytest.mark.parametrize("body, field", [
    ({"code": "parks", "name_ja": "二つ目の公園課"}, "code"),
    ({"code": "Not A Code!", "name_ja": "課"}, "code"),
    ({"code": "ok"}, "name_ja"),
    ({"code": "ok", "name_ja": "課\n改行"}, "name_ja"),
    ({"code": "ok", "name_ja": "課", "name_en": 5}, "name_en"),
    ({"code": "ok", "name_ja": "課", "active": False}, "active"),
])
def test_a_bad_department_is_a_422_naming_the_field(city, client, body, field):
    office = city.token(city.office_user)
    response = client.post(f"{API}/departments", headers=bearer(office), json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_a_taken_code_on_the_page_is_named_beside_the_field(city, client):
    login(client, city.office_user)
    response = client.post("/staff/admin/categories", data={
        "category-code": "parks", "category-name_ja": "公園2", "category-sort_order": "1"})
    assert response.status_code == 422
    assert ja("staff.error.field.taken", field=ja("admin.field.code")) in page(response)
    assert 'value="公園2"' in page(response)


def test_districts_have_validity_dates(city, client, db):
    login(client, city.office_user)
    bad = client.post("/staff/admin/districts", data={
        "district-code": "d03", "district-name_ja": "第三小学校区",
        "district-valid_from": "2027-04-01", "district-valid_to": "2027-03-31"})
    assert bad.status_code == 422
    assert ja("admin.error.range", field=ja("admin.field.valid_to")) in page(bad)
    good = client.post("/staff/admin/districts", data={
        "district-code": "d03", "district-name_ja": "第三小学校区",
        "district-valid_from": "2027-04-01", "district-sort_order": ""})
    assert good.status_code == 302
    edited = client.post("/staff/admin/districts/d01", data={
        "district-name_ja": "第一小学校区", "district-name_en": "d01",
        "district-valid_to": "2027-03-31"})
    assert edited.status_code == 302
    assert [e.data["op"] for e in admin_events(db)] == ["create", "update"]
    assert admin_events(db)[-1].data["changes"] == {"valid_to": [None, "2027-03-31"]}


# --- officers ------------------------------------------------------------------------------------


def test_users_have_the_contract_shape(city, client):
    office = city.token(city.office_user)
    items = client.get(f"{API}/users", headers=bearer(office)).get_json()["items"]
    assert len(items) == 7
    assert all(USER_KEYS <= set(item) for item in items)
    roads = next(i for i in items if i["email"] == "roads@city.test")
    assert {k: roads[k] for k in ("role", "department", "primary", "absent", "active")} == {
        "role": "liaison", "department": "roads", "primary": True, "absent": False,
        "active": True}


def test_making_a_deputy_primary_makes_the_old_primary_a_deputy(city, client, db):
    office = city.token(city.office_user)
    response = client.patch(f"{API}/users/{city.roads_deputy.id}", headers=bearer(office),
                            json={"primary": True})
    assert response.get_json()["primary"] is True
    db.expire_all()
    assert db.get(User, city.roads_primary.id).is_primary is False
    events = admin_events(db)
    assert {(e.data["id"], tuple(e.data["changes"])) for e in events} == {
        (city.roads_deputy.id, ("is_primary",)), (city.roads_primary.id, ("is_primary",))}


def test_absent_false_ends_an_absence_that_has_begun(city, client):
    office = city.token(city.office_user)
    url = f"{API}/users/{city.roads_primary.id}"
    away = client.patch(url, headers=bearer(office), json={"absent_from": "2020-01-01"})
    assert away.get_json()["absent"] is True
    back = client.patch(url, headers=bearer(office), json={"absent": False})
    assert back.get_json() | {} == {**back.get_json(), "absent": False, "absent_from": None}


def test_a_deactivated_officer_no_longer_takes_items_nor_signs_in(city, client, db):
    office = city.token(city.office_user)
    client.patch(f"{API}/users/{city.roads_primary.id}", headers=bearer(office),
                 json={"active": False})
    proposal, _ = city.submit(category="roads")
    assert proposal.assignee_id == city.roads_deputy.id
    assert login(client, city.roads_primary).status_code == 200  # the form again


def test_a_liaison_keeps_a_department(city, client):
    office = city.token(city.office_user)
    response = client.patch(f"{API}/users/{city.parks_liaison.id}", headers=bearer(office),
                            json={"department": None})
    assert response.status_code == 422
    assert "department" in response.get_json()["error"]["fields"]


# --- API tokens ----------------------------------------------------------------------------------


def test_a_token_is_shown_once_notes_its_last_use_and_can_be_revoked(city, client, db):
    login(client, city.office_user)
    response = client.post("/staff/admin/tokens", data={
        "token-user": str(city.parks_liaison.id), "token-label": "Open311 ゲートウェイ"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    token = page(response).split('<code class="new-token">')[1].split("</code>")[0]
    row = db.execute(select(ApiToken).where(ApiToken.label == "Open311 ゲートウェイ")
                     ).scalar_one()
    assert row.last_used_at is None and token not in page(client.get("/staff/admin/tokens"))

    assert client.get(f"{API}/queue", headers=bearer(token)).status_code == 200
    db.expire_all()
    first_use = db.get(ApiToken, row.id).last_used_at
    assert first_use is not None
    client.get(f"{API}/queue", headers=bearer(token))
    db.expire_all()
    assert db.get(ApiToken, row.id).last_used_at == first_use  # at most once a minute

    assert client.post(f"/staff/admin/tokens/{row.id}/revoke").status_code == 302
    assert client.get(f"{API}/queue", headers=bearer(token)).status_code == 401
    assert [e.data["op"] for e in admin_events(db)] == ["create", "update"]
    assert verify(db) is None


def test_only_an_administrator_makes_a_token_for_an_administrator(city, client):
    login(client, city.office_user)
    response = client.post("/staff/admin/tokens", data={
        "token-user": str(city.admin_user.id), "token-label": "admin"})
    assert response.status_code == 403
    missing = client.post("/staff/admin/tokens", data={"token-user": "999", "token-label": "x"})
    assert missing.status_code == 422


def test_admin_answers_have_the_described_shapes(city, client):
    doc = client.get(f"{API}/openapi.json").get_json()

    def required(name: str) -> set[str]:
        return set(doc["components"]["schemas"][name]["required"])

    office = city.token(city.office_user)
    rules = client.get(f"{API}/routing-rules", headers=bearer(office)).get_json()
    assert set(rules) == required("RoutingRuleList")
    assert set(rules["items"][0]) == required("RoutingRule")
    preview = client.post(f"{API}/routing/preview", headers=bearer(office),
                          json={"category": "parks"}).get_json()
    assert set(preview) == required("RoutingPreview")
    users = client.get(f"{API}/users", headers=bearer(office)).get_json()
    assert set(users["items"][0]) == required("User")
    department = client.patch(f"{API}/departments/parks", headers=bearer(office),
                              json={"name_en": "Parks"}).get_json()
    assert set(department) == required("AdminDepartment")
    category = client.patch(f"{API}/categories/parks", headers=bearer(office),
                            json={"name_en": "Parks"}).get_json()
    assert set(category) == required("AdminCategory")
    patch = doc["components"]["schemas"]["UserPatch"]
    assert set(patch["properties"]) == {"name", "department", "primary", "absent",
                                        "absent_from", "absent_to", "active", "role"}
    assert "required" not in patch
    assert doc["components"]["schemas"]["RoutingRuleRequest"]["required"] == ["category",
                                                                              "department"]
