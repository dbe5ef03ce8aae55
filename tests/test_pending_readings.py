"""Published titles get their readings from the background worker, not the web request
(intake/privacy/pending_readings.py): a web worker that publishes never loads the
analyser's dictionary, the pages show the plain title until the worker's pass, and the
worker never overwrites a correction saved meanwhile."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from intake.cli import main
from intake.core.actors import Actor
from intake.models import PublishedText
from intake.privacy.easy_title import set_easy_title
from intake.privacy.pending_readings import give_pending_readings
from tests.factories import publish_as_written

from .staff_support import login, page

ROOT = Path(__file__).resolve().parent.parent
TITLE = "協働で大供公園にベンチを置く"
SUGGESTED = "｜協働《きょうどう》で｜大供《だいく》｜公園《こうえん》にベンチを｜置《お》く"

# A web worker in a process of its own: the lead liaison accepts the proposal through the
# API (acceptance publishes it), then the easy-Japanese pages are read.
WEB_WORKER = textwrap.dedent("""
    import json, sys
    from intake import create_app
    from tests.api_support import fire

    config, proposal_id, token = (json.loads(arg) for arg in sys.argv[1:])
    app = create_app({**config, "flask": {"TESTING": True, "WTF_CSRF_ENABLED": False,
                                         "RATELIMIT_ENABLED": False}})
    client = app.test_client()
    accepted = fire(client, token, proposal_id, "accept")
    assert accepted.status_code == 200, accepted.get_json()
    pages = {path: client.get(path).get_data(as_text=True)
             for path in (f"/proposals/{proposal_id}?lang=ja-easy", "/proposals?lang=ja-easy")}
    print(json.dumps({"analyser": "sudachipy" in sys.modules, "pages": pages}))
""")


def in_a_process(script: str, database_url: str, tmp_path, *args) -> dict:
    """Run ``script`` (a new web worker: the application made afresh) on the test's
    database; its JSON answer."""
    (tmp_path / "web").mkdir()
    config = {"instance_path": str(tmp_path / "web"), "database_url": database_url,
              "secret_key": "test-secret", "base_url": "http://teian.test", "smtp_url": ""}
    done = subprocess.run([sys.executable, "-c", script, *map(json.dumps, (config, *args))],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_worker_that_publishes_leaves_the_readings_to_the_background_worker(
        database_url, client, city, db, tmp_path, monkeypatch):
    proposal, _token = city.submit(title=TITLE)
    db.commit()
    web = in_a_process(WEB_WORKER, database_url, tmp_path,
                       proposal.id, city.token(city.parks_liaison))
    assert web["analyser"] is False
    easy = web["pages"][f"/proposals/{proposal.id}?lang=ja-easy"]
    assert TITLE in easy and "<ruby>大供<rt>" not in easy  # the plain title, no guess
    db.expire_all()
    assert db.get(PublishedText, proposal.id).title_easy is None  # pending

    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "worker"))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["worker", "--once"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "titles given readings 1" in result.output
    db.expire_all()
    assert db.get(PublishedText, proposal.id).title_easy == SUGGESTED
    assert "<ruby>大供<rt>だいく</rt></ruby>" in page(
        client.get(f"/proposals/{proposal.id}?lang=ja-easy"))


def test_the_staff_page_says_the_readings_are_pending(client, city, db):
    proposal, _token = city.submit(title=TITLE)
    publish_as_written(proposal, readings=False)
    db.commit()
    login(client, city.parks_liaison)
    assert 'id="easy-title-pending"' in page(client.get(f"/staff/proposals/{proposal.id}"))
    give_pending_readings(db)
    db.commit()
    staff_page = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert 'id="easy-title-pending"' not in staff_page and SUGGESTED in staff_page


def test_a_correction_saved_while_pending_is_never_overwritten(city, db):
    proposal, _token = city.submit(title=TITLE)
    publish_as_written(proposal, readings=False)
    db.commit()
    corrected = SUGGESTED.replace("だいく", "おおとも")
    set_easy_title(db, proposal, Actor.staff(city.parks_liaison), text=corrected)
    db.commit()
    assert give_pending_readings(db) == 0
    db.commit()
    assert db.get(PublishedText, proposal.id).title_easy == corrected


def test_every_pending_title_in_batches_and_only_those(city, db):
    proposals = []
    for number in range(5):
        proposal, _token = city.submit(title=f"{TITLE}{number}")
        publish_as_written(proposal, readings=False)
        proposals.append(proposal)
    db.commit()
    assert give_pending_readings(db, batch=2, limit=3) == 3
    assert give_pending_readings(db, batch=2) == 2
    assert give_pending_readings(db) == 0
    db.commit()
    stored = db.execute(select(PublishedText.title, PublishedText.title_easy)).all()
    assert all(notation and notation.endswith("｜置《お》く" + title[-1])
               for title, notation in stored)


FIRST_PAGE = textwrap.dedent("""
    import json, sys
    from intake import create_app

    config, path = (json.loads(arg) for arg in sys.argv[1:])
    app = create_app({**config, "flask": {"TESTING": True}})
    html = app.test_client().get(path).get_data(as_text=True)
    print(json.dumps({"analyser": "sudachipy" in sys.modules, "html": html}))
""")


def test_a_workers_first_page_reads_the_names_stored_readings(
        database_url, city, db, tmp_path):
    """The theme's name on a proposal's page, the first page a new worker serves: its
    stored readings, not the analyser's (the reference cache is loaded first)."""
    proposal, _token = city.submit(title=TITLE)
    publish_as_written(proposal)
    db.commit()
    web = in_a_process(FIRST_PAGE, database_url, tmp_path,
                       f"/proposals/{proposal.id}?lang=ja-easy")
    assert "<ruby>公園<rt>こうえん</rt></ruby>" in web["html"]
    assert web["analyser"] is False


def test_a_worker_pass_gives_a_bounded_number_a_batch_at_a_time(
        city, db, database_url, tmp_path, monkeypatch):
    """A backlog (titles published before readings were stored) is worked off over
    several passes, each batch committed on its own, so the mail is never held up."""
    import intake.cli

    for number in range(5):
        proposal, _token = city.submit(title=f"{TITLE}{number}")
        publish_as_written(proposal, readings=False)
    db.commit()
    monkeypatch.setattr(intake.cli, "READINGS_BATCH", 2)
    monkeypatch.setattr(intake.cli, "READINGS_PER_PASS", 3)
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "worker"))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    passes = [CliRunner().invoke(main, ["worker", "--once"], catch_exceptions=False).output
              for _ in range(3)]
    assert [p.rsplit("titles given readings ", 1)[1].strip() for p in passes] == ["4", "1", "0"]
    db.expire_all()
    assert all(db.execute(select(PublishedText.title_easy)).scalars())
