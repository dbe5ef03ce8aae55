"""Fixtures for the workflow engine tests: a tiny proposal and the built-in workflows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from workflows import Workflow, get_workflow, load_workflow


@dataclass
class Proposal:
    """The smallest subject the engine accepts: a state and the guard protocol."""

    state: str
    deliberation_records: int = 0
    open_opinions: int = 0
    is_published: bool = True  # citizens can read it (the ``published`` guard)

    def has_deliberation_record(self) -> bool:
        return self.deliberation_records > 0

    def open_opinion_requests(self) -> int:
        return self.open_opinions


@pytest.fixture
def make_proposal():
    """Build a :class:`Proposal` (a fixture, so test modules need not import conftest)."""
    return Proposal


@pytest.fixture(scope="session")
def proposal_workflow() -> Workflow:
    return get_workflow("proposal")


@pytest.fixture(scope="session")
def idea_workflow() -> Workflow:
    return get_workflow("idea")


@pytest.fixture
def write_workflow(tmp_path: Path):
    """Write TOML text to a file and load it, as a city's IT person would."""

    def write(text: str, name: str = "custom.toml") -> Workflow:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return load_workflow(path)

    return write
