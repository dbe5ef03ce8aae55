"""A date beyond the calendar's holiday data (1949–2099) stored before officers were held to
the horizon — 9999-12-31, 0001-01-01 — never breaks a page, an API answer, an export, the
agenda, the dashboard or a worker pass: business days are counted as weekdays there
(workflows/calendar.py), and the date is shown as any other."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from intake.cli import main
from intake.models import JST, Escalation, OpinionRequest, Proposal
from tests import ops as operations
from tests.factories import publish_as_written

from .api_support import API, bearer
from .staff_support import login, page, reload
from .workflow_support import PROPOSER, lead, walk

FAR = date(9999, 12, 31)
EARLY = date(1, 1, 1)


@pytest.fixture
def stored(city):
    """Published proposals as an older version could have stored them: implementing and
    in review until 9999-12-31 (an opinion asked until then too), in deliberation with
    comments until 9999-12-31 23:59, and one in review overdue since 0001-01-01."""
    db, made = city.session, {}
    for name, state in [("implementing", "implementing"), ("in_review", "in_review"),
                        ("deliberation", "in_deliberation"), ("early", "in_review")]:
        proposal, token = city.submit()
        walk(db, proposal, state)
        publish_as_written(proposal)
        made[name] = (proposal, token)
    made["implementing"][0].due_on = made["in_review"][0].due_on = FAR
    made["deliberation"][0].comments_until = datetime(9999, 12, 31, 23, 59, tzinfo=JST)
    made["early"][0].due_on = EARLY
    request = operations.request_opinion(db, made["in_review"][0], "roads",
                                         lead(made["in_review"][0]), question="ご意見を")
    request.due_on = FAR
    db.commit()
    return made


def test_every_page_api_answer_and_export_draws_dates_beyond_the_calendar(city, client,
                                                                         stored):
    """The staff page of a proposal implementing until 9999-12-31 was a 500 for good."""
    office = city.token(city.office_user)
    login(client, city.office_user)
    urls = ["/staff/", "/staff/agenda", "/staff/agenda.csv", "/staff/rulings.csv",
            "/staff/dashboard", "/proposals", "/proposals.csv", "/proposals.json",
            f"{API}/agenda", f"{API}/agenda.csv", f"{API}/stats", f"{API}/proposals",
            "/open311/v2/requests.json"]
    for proposal, token in stored.values():
        urls += [f"/staff/proposals/{proposal.id}", f"/proposals/{proposal.id}",
                 f"/track/{token}", f"{API}/proposals/{proposal.id}",
                 f"{API}/proposals/{proposal.id}/detail", f"{API}/track/{token}"]
    for url in urls:
        headers = bearer(office) if url.startswith(API) else {}
        assert client.get(url, headers=headers).status_code == 200, url
    implementing, _ = stored["implementing"]
    shown = page(client.get(f"/staff/proposals/{implementing.id}"))
    assert "9999年12月31日" in shown
    detail = client.get(f"{API}/proposals/{implementing.id}/detail", headers=bearer(office))
    assert (detail.get_json()["due_on"], detail.get_json()["overdue"]) == ("9999-12-31", False)


def test_a_question_pauses_and_the_answer_resumes_a_clock_beyond_the_calendar(city, stored):
    """Asking the proposer keeps the business days left (counted as weekdays past 2099);
    the answer gives them back, stopping at the last day there is."""
    db = city.session
    proposal, _ = stored["in_review"]
    operations.fire_trigger(db, proposal, "request_info", lead(proposal),
                            {"question": "場所はどこですか。"})
    db.commit()
    assert reload(db, proposal).paused_days_left > 2_000_000
    operations.fire_trigger(db, proposal, "provide_info", PROPOSER,
                            {"answer": "駅前公園の北側です。"}, today=date(2026, 12, 7))
    db.commit()
    assert reload(db, proposal).due_on == FAR


def test_the_worker_escalates_beside_dates_beyond_the_calendar(city, stored, database_url,
                                                               tmp_path, monkeypatch):
    """One pass of ``teian worker --once``: the step overdue since 0001-01-01 escalates
    with its date in the mail; those due 9999-12-31 are not overdue."""
    instance = tmp_path / "worker"
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["worker", "--once"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "escalated 1," in result.output
    city.session.expire_all()
    escalated = city.session.execute(select(Escalation.proposal_id)).scalars().all()
    assert escalated == [stored["early"][0].id]
    bodies = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
              .get_body(("plain",)).get_content() for path in instance.rglob("*.eml")]
    assert any("1年1月1日" in body for body in bodies)
    assert city.session.get(OpinionRequest, 1).due_on == FAR
    assert city.session.get(Proposal, stored["implementing"][0].id).due_on == FAR
