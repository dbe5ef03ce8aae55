"""The reference data each process caches (intake/reference.py): an office change made
through one application instance takes effect at once in another sharing the database,
as two web processes behind a proxy would; a change rolled back is never served."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from intake import create_app, reference
from intake.models import Category, Proposal
from workflows import today_jst

from .api_support import API, bearer, form
from .test_query_counts import counted


@pytest.fixture
def other_app(database_url, tmp_path):
    """A second application on the same database, with a cache of its own."""
    instance = tmp_path / "other"
    instance.mkdir()
    application = create_app({
        "instance_path": instance, "database_url": database_url, "secret_key": "test-secret",
        "base_url": "http://teian.test", "smtp_url": "",
        "flask": {"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False},
    })
    yield application
    application.extensions["teian.engine"].dispose()


def routed(db, response) -> Proposal:
    assert response.status_code == 201, response.get_json()
    db.expire_all()
    return db.get(Proposal, response.get_json()["id"])


def test_a_routing_change_in_one_process_routes_the_next_submission_in_another(
        city, client, db, other_app):
    other = other_app.test_client()
    office = city.token(city.office_user)
    # The other process has read (and cached) the rules: parks go to the parks department.
    assert routed(db, other.post(f"{API}/proposals", json=form())).lead_department_id \
        == city.parks.id
    rules = client.get(f"{API}/routing-rules", headers=bearer(office)).get_json()["items"]
    parks_rule = next(r for r in rules if r["category"] == "parks" and not r["keyword"])

    changed = client.patch(f"{API}/routing-rules/{parks_rule['id']}", headers=bearer(office),
                           json={"department": "roads"})
    assert changed.status_code == 200, changed.get_json()
    proposal = routed(db, other.post(f"{API}/proposals", json=form()))
    assert (proposal.lead_department_id, proposal.assignee_id) == (city.roads.id,
                                                                   city.roads_primary.id)

    # The primary away from today: the other process hands the next one to the deputy…
    away = client.patch(f"{API}/users/{city.roads_primary.id}", headers=bearer(office),
                        json={"absent_from": (today_jst() - timedelta(days=1)).isoformat()})
    assert away.status_code == 200, away.get_json()
    assert routed(db, other.post(f"{API}/proposals", json=form())).assignee_id \
        == city.roads_deputy.id
    # …and the rule deleted, parks go to triage there too.
    assert client.delete(f"{API}/routing-rules/{parks_rule['id']}",
                         headers=bearer(office)).status_code == 204
    assert routed(db, other.post(f"{API}/proposals", json=form())).lead_department_id is None


def test_a_theme_switched_off_in_one_process_is_refused_by_another(city, client, db, other_app):
    other = other_app.test_client()
    office = city.token(city.office_user)
    assert other.post(f"{API}/proposals", json=form(category="roads")).status_code == 201
    off = client.patch(f"{API}/categories/roads", headers=bearer(office), json={"active": False})
    assert off.status_code == 200, off.get_json()
    refused = other.post(f"{API}/proposals", json=form(category="roads"))
    assert refused.status_code == 422
    assert "category" in refused.get_json()["error"]["fields"]


def test_a_change_rolled_back_is_never_served(city, db, client):
    """The snapshot read inside a transaction that then rolls back was filed under that
    transaction's stamp; a later change committed elsewhere gets a stamp of its own (a
    counter would have reached the same number again and served the rolled-back data)."""
    roads = db.execute(select(Category).where(Category.code == "roads")).scalar_one()
    roads.active = False
    assert reference.category(db, "roads").active is False  # read with the change
    db.rollback()
    city.parks.name_en = "Parks and Greenery"  # another change, committed
    db.commit()
    assert client.post(f"{API}/proposals", json=form(category="roads")).status_code == 201
    assert reference.category(db, "roads").active is True


def test_a_row_handed_out_stays_in_the_session_whatever_the_garbage_collector_does(city, db):
    """The identity map holds objects weakly: a reference row attached and then held by
    nobody would be collected, and reading ``proposal.lead_department`` would query."""
    import gc

    proposal, _ = city.submit()
    db.commit()
    db.expunge_all()
    department_id = db.get(Proposal, proposal.id).lead_department_id
    cached = reference.snapshot(db).departments[department_id]
    reference.attach(db, cached)  # handed out, and dropped at once
    gc.collect()
    engine = db.get_bind()
    with counted(engine) as statements:
        assert db.get(Proposal, proposal.id).lead_department.id == department_id
    assert not [s for s in statements if "FROM departments" in s], statements
