"""`teian demo`: demo data through the real operations, and a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from intake.audit import verify
from intake.cli import main
from intake.models import JST, DeliberationSession, District, Event, Proposal, User
from workflows.calendar import today_jst


@pytest.fixture
def demo_env(database_url, tmp_path, monkeypatch):
    env = {
        "TEIAN_INSTANCE_PATH": str(tmp_path / "demo-instance"),
        "TEIAN_DATABASE_URL": database_url,
        "TEIAN_SECRET_KEY": "demo-test",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def test_demo_loads_departments_officers_and_proposals_in_many_states(demo_env, app, db):
    result = CliRunner().invoke(main, ["demo", "--no-serve"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Demo logins" in result.output and "teian-demo-2026" in result.output
    db.expire_all()
    states = dict(db.execute(select(Proposal.state, func.count()).group_by(Proposal.state)).all())
    assert sum(states.values()) >= 30
    assert {"submitted", "in_review", "in_deliberation", "adopted", "rejected",
            "implementing", "evaluated"} <= set(states)
    departments = {p.lead_department_id for p in db.execute(select(Proposal)).scalars()}
    assert len(departments) >= 10
    assert db.execute(select(func.count()).select_from(User)).scalar() >= 12
    # Officers are named as people, each once; their roles are in the printed logins.
    names = db.execute(select(User.display_name)).scalars().all()
    assert len(set(names)) == len(names)
    assert not [n for n in names if "(" in n or "liaison" in n or "協働担当者" in n]
    assert "協働担当者 (liaison)" in result.output
    # Each ruling gives its own reason and each session has its own minutes: a city showing
    # the demo read one adoption reason eleven times and fourteen identical sessions.
    reasons = db.execute(select(Proposal.ruling_reason)
                         .where(Proposal.ruling_reason.is_not(None))).scalars().all()
    assert len(reasons) >= 12 and len(set(reasons)) == len(reasons)
    minutes = db.execute(select(DeliberationSession.minutes)).scalars().all()
    assert len(minutes) >= 10 and len(set(minutes)) == len(minutes)
    # The districts' English names spell out what 小学校区 is (not "Chuo ES district").
    districts = db.execute(select(District.name_en)).scalars().all()
    assert districts and all(n.endswith(" Elementary School district") for n in districts)
    # Each proposal's district existed on the day it was submitted, as the form requires
    # (a school district of the 2027 reorganisation is not offered before then).
    for proposal in db.execute(select(Proposal).where(Proposal.district_id.is_not(None))).scalars():
        assert proposal.district.valid_on(proposal.submitted_at.astimezone(JST).date()), \
            (proposal.title, proposal.district.code)
    assert verify(db) is None
    # The demo replays months of use: submissions spread over most of a year, rulings in
    # several months, a few proposals overdue because their time ran out (the dashboard's
    # medians, trend and overdue list show something), and no event after its proposal's
    # next one.
    submitted = db.execute(select(Proposal.submitted_at)).scalars().all()
    assert max(submitted) - min(submitted) > timedelta(days=200)
    assert max(db.execute(select(Event.at)).scalars()) <= datetime.now(UTC)  # none to come
    ruled_months = {p.ruled_at.astimezone(JST).strftime("%Y-%m")
                    for p in db.execute(select(Proposal)).scalars() if p.ruled_at}
    assert len(ruled_months) >= 5
    today = today_jst()
    overdue = [p for p in db.execute(select(Proposal)).scalars() if p.is_overdue(today)]
    assert 1 <= len(overdue) <= 8
    for proposal_id in {p.id for p in db.execute(select(Proposal)).scalars()}:
        moments = db.execute(select(Event.at).where(Event.proposal_id == proposal_id)
                             .order_by(Event.seq)).scalars().all()
        assert moments == sorted(moments), proposal_id

    again = CliRunner().invoke(main, ["demo", "--no-serve"], catch_exceptions=False)
    assert again.exit_code == 0
    db.expire_all()
    assert db.execute(select(func.count()).select_from(Proposal)).scalar() == sum(states.values())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_pages_with_the_demo_data(demo_env):
    assert CliRunner().invoke(main, ["demo", "--no-serve"]).exit_code == 0
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from intake.cli import main; main()", "serve", "--port", str(port)],
        env={**os.environ, **demo_env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        body = ""
        deadline = time.monotonic() + 60  # a loaded machine may take long to import the app
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/proposals", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert "公園でのボール遊びのルールづくり" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/proposals") as r:
            assert r.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
