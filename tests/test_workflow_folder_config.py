"""TEIAN_WORKFLOWS (SPEC section 8): the app loads a city's folder of workflow files at start."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

import workflows
from intake import create_app
from intake.config import load_settings


@pytest.fixture(autouse=True)
def builtin_workflows_afterwards():
    yield
    workflows.use_workflow_folder(None)


@pytest.mark.parametrize(
    ("value", "expected"), [("", None), ("/srv/teian/workflows", Path("/srv/teian/workflows"))]
)
def test_the_setting_is_read_from_the_environment(monkeypatch, tmp_path, value, expected):
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TEIAN_WORKFLOWS", value)
    assert load_settings().workflows_path == expected


def test_unset_means_the_builtin_workflows(monkeypatch, tmp_path):
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("TEIAN_WORKFLOWS", raising=False)
    assert load_settings().workflows_path is None


def test_create_app_uses_the_folder(database_url, tmp_path):
    folder = tmp_path / "workflows"
    folder.mkdir()
    text = resources.files("workflows").joinpath("proposal.toml").read_text("utf-8")
    (folder / "proposal.toml").write_text(
        text.replace("in_deliberation", "under_discussion"), encoding="utf-8"
    )

    def start(workflows_path):
        instance = tmp_path / "instance"
        instance.mkdir(exist_ok=True)
        app = create_app({"instance_path": instance, "database_url": database_url,
                          "secret_key": "test", "workflows_path": workflows_path})
        app.extensions["teian.engine"].dispose()

    start(folder)
    assert workflows.get_workflow("proposal").state_takes_comments("under_discussion")
    start(None)
    assert "in_deliberation" in workflows.get_workflow("proposal").states
