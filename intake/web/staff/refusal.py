"""An action refused on a proposal's staff page: the form as the officer sent it and each
problem with it — the tick missing, a field's rule, the operation's own check — kept
apart, so that the summary on top lists them one an item, each linking to its field, and
the action's form shows them one a line (a single problem stays the one sentence it is)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_wtf import FlaskForm

from .next_step import Action


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a refused action: its words, and the name of the field it is
    about (``confirm``: the tick; None: the action as a whole)."""

    message: str
    field: str | None = None


@dataclass
class Failure:
    """The action just refused: its form as sent (the officer's text kept) and why — each
    problem its own (the summary on top lists them, each linking to its field)."""

    key: str
    form: FlaskForm
    problems: list[Problem]

    @property
    def message(self) -> str:
        """The problems as one sentence (the review panel's forms show it so)."""
        return " ".join(problem.message for problem in self.problems)


def summary_links(failure: Failure, action: Action) -> list[tuple[str, str]]:
    """Each problem of ``failure`` with where the summary links it: its field in the
    action's form (the tick: ``<anchor>-confirm``), or the form itself when the problem
    is about no field or the form shown now is another (the proposal moved on)."""
    same_form = type(failure.form) is type(action.form)

    def place(field: str | None) -> str:
        if field is None or not same_form:
            return action.anchor
        return failure.form[field].id if field in failure.form else f"{action.anchor}-{field}"

    return [(f"#{place(problem.field)}", problem.message) for problem in failure.problems]
