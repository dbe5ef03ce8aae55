"""A city renames a state in its own copy of the workflow (TEIAN_WORKFLOWS) and the whole
lifecycle still works: comments and sessions follow the state flags, not a name."""

from __future__ import annotations

from importlib import resources

import pytest

import workflows
from intake import create_app
from intake.i18n import translate

from .api_support import API, bearer, form, today_at
from .factories import Factory


@pytest.fixture
def renamed_app(database_url, tmp_path):
    folder = tmp_path / "city-workflows"
    folder.mkdir()
    text = resources.files("workflows").joinpath("proposal.toml").read_text(encoding="utf-8")
    text = text.replace("in_deliberation", "under_discussion")
    # and a trigger of its own name, which the catalogue has no timeline sentence for
    text = text.replace('trigger = "open_deliberation"', 'trigger = "begin_talks"')
    (folder / "proposal.toml").write_text(text, encoding="utf-8")
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app({
        "instance_path": instance, "database_url": database_url, "secret_key": "t",
        "base_url": "http://teian.test", "smtp_url": "", "workflows_path": folder,
        "flask": {"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False},
    })
    try:
        with app.app_context():
            yield app
    finally:
        workflows.use_workflow_folder(None)
        app.extensions["teian.engine"].dispose()


def test_a_renamed_deliberation_state_keeps_comments_sessions_and_adoption(renamed_app):
    assert "under_discussion" in workflows.get_workflow("proposal").states
    city = Factory(renamed_app.extensions["teian.session"]())
    city.small_city()
    client = renamed_app.test_client()
    staff = bearer(city.token(city.parks_liaison))
    pid = client.post(f"{API}/proposals", json=form()).get_json()["id"]

    def fire(trigger, **inputs):
        version = client.get(f"{API}/proposals/{pid}/detail", headers=staff).get_json()["version"]
        answer = client.post(f"{API}/proposals/{pid}/transitions", headers=staff,
                             json={"trigger": trigger, "version": version, **inputs})
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    fire("accept")
    assert fire("begin_talks")["state"] == "under_discussion"
    comment = client.post(f"{API}/proposals/{pid}/comments", json={"body": "賛成です。"})
    assert comment.status_code == 201, comment.get_json()
    session = client.post(f"{API}/proposals/{pid}/sessions", headers=staff, json={
        "held_at": today_at("10:00"), "place": "市民会館", "agenda": "説明",
        "participants": 9})
    assert session.status_code == 201, session.get_json()
    assert fire("adopt", reason="協議の結果、採択します。")["state"] == "adopted"
    page = renamed_app.test_client().get(f"/proposals/{pid}")
    assert page.status_code == 200 and "賛成です。" in page.get_data(as_text=True)
    # The city's own step reads as the change of state it made, named by its label.
    workflow = workflows.get_workflow("proposal")
    assert translate("public.timeline.transition", "ja", action="協議を始める",
                     source=workflow.state_label("in_review"),
                     target=workflow.state_label("under_discussion")) in page.get_data(
                         as_text=True)
    assert translate("public.timeline.step.accept", "ja") in page.get_data(as_text=True)
