"""New staff accounts (SPEC section 7: administrators manage users): the administrators'
page, ``POST /api/v1/users`` and ``teian create-user`` make the same account by the same
rules, through one operation (:mod:`intake.admin.accounts`), each with its audit event;
the page and the API mail an invitation instead of taking a password."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from intake.models import Event, OutboxMessage, Role, User
from intake.reference import snapshot
from workflows.calendar import today_jst

from .api_support import API, bearer
from .staff_support import ja, login, page

NEW = {"email": "Ｎｅｗ.Person@City.TEST", "name": "新井 花子", "role": "liaison",
       "department": "parks", "primary": True}


def _by_page(client, city, **values):
    login(client, city.admin_user)
    fields = {**NEW, **values}
    data = {f"new_user-{name}": value for name, value in fields.items()
            if value is not None and value is not False}
    return client.post("/staff/admin/users", data=data)


def _by_api(client, city, **values):
    body = {name: value for name, value in {**NEW, **values}.items() if value is not None}
    return client.post(f"{API}/users", json=body, headers=bearer(city.token(city.admin_user)))


def _by_cli(run, city, **values):
    fields = {**NEW, **values}
    args = ["create-user", fields["email"], "--role", fields["role"]]
    if fields.get("department"):
        args += ["--department", fields["department"]]
    if fields.get("primary"):
        args.append("--primary")
    if fields.get("name"):
        args += ["--name", fields["name"]]
    return run(*args, input="violet-tram-harbour-47\n")


def _account(db, email: str = "new.person@city.test") -> User | None:
    db.expire_all()
    return db.execute(select(User).where(User.email == email)).scalar_one_or_none()


def _creations(db) -> list[dict]:
    db.expire_all()
    return [e.data for e in db.execute(select(Event).where(Event.chain == "system")
                                        .order_by(Event.seq)).scalars()
            if e.data.get("entity") == "users" and e.data.get("op") == "create"]


# --- the same account through every door ----------------------------------------------------


@pytest.mark.parametrize("door", ["page", "api", "cli"])
def test_every_door_makes_the_same_account_with_its_audit_event(city, client, db, run, door):
    old_primary = city.parks_liaison.id
    answer = {"page": lambda: _by_page(client, city), "api": lambda: _by_api(client, city),
              "cli": lambda: _by_cli(run, city)}[door]()
    if door == "page":
        assert answer.status_code == 302
        assert "new.person@city.test" in page(client.get("/staff/admin/users"))
    elif door == "api":
        assert answer.status_code == 201, answer.get_json()
        assert answer.get_json() == {
            "id": answer.get_json()["id"], "email": "new.person@city.test", "name": "新井 花子",
            "role": "liaison", "department": "parks", "primary": True, "absent": False,
            "active": True, "absent_from": None, "absent_to": None}
    else:
        assert answer.exit_code == 0, answer.output
    user = _account(db)
    assert (user.role, user.department.code, user.is_primary, user.display_name) == (
        Role.liaison, "parks", True, "新井 花子")
    # One primary per department: the previous one is a deputy now, and that is recorded.
    assert db.get(User, old_primary).is_primary is False
    assert [c["changes"]["email"] for c in _creations(db)] == [[None, "new.person@city.test"]]
    changes = [e.data for e in db.execute(select(Event).where(Event.chain == "system")).scalars()]
    assert {"entity": "users", "id": old_primary, "op": "update",
            "changes": {"is_primary": [True, False]}} in changes
    # The routing's cached staff list sees the new primary at once (the reference stamp).
    present = snapshot(db).present_liaisons(city.parks.id, today_jst())
    assert user.id in [u.id for u in present]
    invitations = db.execute(select(OutboxMessage).where(
        OutboxMessage.kind == "account_invite")).scalars().all()
    if door == "cli":  # the operator typed the password: no invitation
        assert user.password_hash and invitations == []
    else:
        assert user.password_hash is None
        assert [m.recipient for m in invitations] == ["new.person@city.test"]


@pytest.mark.parametrize("door", ["page", "api", "cli"])
def test_an_address_already_an_accounts_is_refused_naming_the_field(city, client, db, run,
                                                                       door):
    taken = "PARKS@city.test"  # the parks liaison's, in other letters
    if door == "page":
        answer = _by_page(client, city, email=taken)
        assert answer.status_code == 422
        assert ja("staff.error.field.taken", field=ja("staff.field.email")) in page(answer)
        assert 'value="parks@city.test"' in page(answer)  # what was typed stays
    elif door == "api":
        answer = _by_api(client, city, email=taken)
        assert answer.status_code == 422
        assert answer.get_json()["error"]["fields"]["email"] == [
            ja("staff.error.field.taken", field=ja("staff.field.email"))]
    else:
        answer = _by_cli(run, city, email=taken)
        assert answer.exit_code == 2 and "EMAIL 'PARKS@city.test': a user with this address" \
            in answer.output
    assert db.execute(select(func.count()).select_from(User)).scalar() == 7
    assert _creations(db) == []
    assert db.execute(select(OutboxMessage)).first() is None


@pytest.mark.parametrize("door", ["page", "api", "cli"])
def test_a_liaison_without_a_department_is_refused_naming_the_field(city, client, db, run,
                                                                       door):
    if door == "page":
        answer = _by_page(client, city, department="")
        assert answer.status_code == 422
        assert ja("staff.error.field.not_chosen", field=ja("admin.field.department")) \
            in page(answer)  # a list to choose from, not a box to type in
    elif door == "api":
        answer = _by_api(client, city, department=None)
        assert answer.status_code == 422
        assert list(answer.get_json()["error"]["fields"]) == ["department"]
        assert answer.get_json()["error"]["fields"]["department"] == ["担当部署を選んでください。"]
    else:
        answer = _by_cli(run, city, department=None)
        assert answer.exit_code == 2 and "--department: required" in answer.output
    assert _account(db) is None and _creations(db) == []


def test_an_inactive_department_or_a_bad_address_is_refused(city, client, db):
    city.parks.active = False
    db.commit()
    answer = _by_api(client, city, email="not an address")
    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == {"email", "department"}
    unknown = _by_api(client, city, department="nowhere")
    assert set(unknown.get_json()["error"]["fields"]) == {"department"}
    no_role = _by_api(client, city, role="chief")
    assert set(no_role.get_json()["error"]["fields"]) == {"role"}
    assert _creations(db) == []


def test_an_office_account_needs_no_department(city, client, db):
    answer = _by_api(client, city, role="office", department=None, primary=False,
                     email="clerk@city.test", language="en")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["department"] is None
    mail = db.execute(select(OutboxMessage)).scalar_one()
    assert mail.language == "en" and "Dear 新井 花子" in mail.body


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["office_user", "parks_liaison"])
def test_only_an_administrator_makes_accounts(city, client, db, who):
    officer = getattr(city, who)
    refused = client.post(f"{API}/users", json={**NEW, "email": "x@city.test"},
                          headers=bearer(city.token(officer)))
    assert refused.status_code == 403
    login(client, officer)
    assert client.post("/staff/admin/users", data={"new_user-email": "x@city.test",
                                                   "new_user-role": "office"}
                       ).status_code == 403
    assert _account(db, "x@city.test") is None and _creations(db) == []


def test_the_form_is_on_the_users_page_for_administrators_only(city, client):
    login(client, city.office_user)
    assert 'name="new_user-email"' not in page(client.get("/staff/admin/users"))
    admin = client.application.test_client()
    login(admin, city.admin_user)
    shown = page(admin.get("/staff/admin/users"))
    assert 'name="new_user-email"' in shown and ja("admin.users.add") in shown


def test_the_api_names_an_unknown_field(city, client, db):
    answer = _by_api(client, city, password="violet-tram-harbour-47")
    assert answer.status_code == 422 and "password" in answer.get_json()["error"]["fields"]
    assert _account(db) is None
