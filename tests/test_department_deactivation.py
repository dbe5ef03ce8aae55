"""A department is switched off only when nothing still needs it (intake.admin.deactivation):
not the collaboration office's own department (an administrator could lock the office out
of its work), not one that still leads open proposals, not one that active routing rules
still send proposals to.  The API (422), the edit page and the "remove" button (the form
again, the reason beside "active") refuse alike, in the user's language; nothing changes
and nothing is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.i18n import translate
from intake.models import Department, Event, RoutingRule

from .api_support import API, bearer
from .staff_support import fire, login, page


def active(db, department: Department) -> bool:
    db.expire_all()
    return db.get(Department, department.id).active


def audited(db) -> int:
    db.expire_all()
    return len(db.execute(select(Event).where(Event.chain == "system")).all())


def retire_rules(city, department: Department) -> None:
    for rule in city.session.execute(select(RoutingRule).where(
            RoutingRule.department_id == department.id)).scalars():
        rule.active = False
    city.session.commit()


@pytest.mark.parametrize("lang, said", [
    ("ja", "有効：協働推進室の部署は無効にできません（新しい提案をすべて仕分ける部署です）"),
    ("en", "Active: the Collaboration Office's own department cannot be deactivated "
           "(it sorts every new proposal)"),
    ("ja-easy", "協働推進室は 止められません。"),
])
def test_the_api_refuses_to_deactivate_the_offices_own_department(city, client, db, lang,
                                                                   said):
    before = audited(db)
    response = client.patch(f"{API}/departments/office?lang={lang}", json={"active": False},
                            headers=bearer(city.token(city.admin_user)))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert said in error["fields"]["active"][0]
    assert said in error["message"]
    assert active(db, city.office) and audited(db) == before
    # Its names may still change.
    renamed = client.patch(f"{API}/departments/office", json={"name_en": "Collaboration"},
                           headers=bearer(city.token(city.admin_user)))
    assert renamed.status_code == 200, renamed.get_json()


def test_the_api_names_open_proposals_and_active_rules_with_their_counts(city, client, db):
    city.submit()
    city.submit()
    response = client.patch(f"{API}/departments/parks", json={"active": False},
                            headers=bearer(city.token(city.office_user)))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["fields"]["active"] == [
        translate("staff.error.field.leads_open_proposals", "ja", field="有効", open=2),
        translate("staff.error.field.has_active_rules", "ja", field="有効", rules=1)]
    assert "処理中の提案が2件あります" in error["fields"]["active"][0]
    assert error["counts"] == {"open": 2, "rules": 1}
    assert active(db, city.parks)


def test_a_department_whose_proposals_are_closed_and_rules_retired_may_be_deactivated(
        city, client, db):
    proposal, _ = city.submit()
    fire(city, proposal, "accept", city.parks_liaison)
    fire(city, proposal, "reject", city.parks_liaison, reason="予算の見込みが立たないため",
         reason_code="insufficient")
    office = bearer(city.token(city.office_user))
    refused = client.patch(f"{API}/departments/parks", json={"active": False}, headers=office)
    assert refused.get_json()["error"]["fields"]["active"] == [
        translate("staff.error.field.has_active_rules", "ja", field="有効", rules=1)]
    retire_rules(city, city.parks)
    response = client.patch(f"{API}/departments/parks", json={"active": False}, headers=office)
    assert response.status_code == 200, response.get_json()
    assert not active(db, city.parks)


def test_the_edit_page_shows_the_reason_beside_active(city, client, db):
    city.submit()
    login(client, city.office_user)
    response = client.post("/staff/admin/departments/parks",
                           data={"department-name_ja": "公園緑地課",
                                 "department-name_en": "Parks Division"})  # "active" unticked
    assert response.status_code == 422
    text = page(response)
    assert "この部署が担当している処理中の提案が1件あります" in text
    assert "この部署へ提案を振り分ける有効なルールが1件あります" in text
    assert active(db, city.parks)


@pytest.mark.parametrize("code, said", [
    ("office", "協働推進室の部署は無効にできません"),
    ("parks", "処理中の提案が1件あります"),
])
def test_the_remove_button_shows_the_page_again_saying_why(city, client, db, code, said):
    city.submit()
    before = audited(db)
    login(client, city.office_user)
    response = client.post(f"/staff/admin/departments/{code}/remove")
    assert response.status_code == 422
    assert said in page(response)
    assert active(db, city.office) and active(db, city.parks)
    assert audited(db) == before


def test_the_offices_own_department_offers_no_remove_button(city, client):
    login(client, city.office_user)
    assert "/staff/admin/departments/office/remove" not in page(
        client.get("/staff/admin/departments/office"))
    assert "/staff/admin/departments/parks/remove" in page(
        client.get("/staff/admin/departments/parks"))
