"""The due date a proposal carries in each state (SPEC section 3), from the workflow's
data: ``deadline_days``, ``pauses_clock``, ``deadline_days = "department"``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import workflows
from intake.models import Proposal
from workflows import calendar


def apply_deadline(workflow: workflows.Workflow, proposal: Proposal, source: str, dest: str,
                   today: date, inputs: Mapping[str, object]) -> None:
    """Set the due date on entering ``dest``.

    A state that pauses the clock (awaiting the proposer) keeps the business days the
    department had left and runs the proposer's deadline instead; leaving it for a state
    with a deadline resumes the department's clock with exactly those days, counted from
    the day the proposer answered (a department already late when it asked stays as
    late).  A final state, or one without a deadline, has no due date.
    """
    leaving, entering = workflow.states[source], workflow.states[dest]
    if entering.pauses_clock:
        if not leaving.pauses_clock:
            proposal.paused_days_left = (
                None if proposal.due_on is None
                else calendar.business_days_left(today, proposal.due_on)
            )
        proposal.due_on = workflow.deadline_on_entry(dest, today)
        return
    resume = proposal.paused_days_left if leaving.pauses_clock else None
    proposal.paused_days_left = None
    if entering.deadline_set_by_department:
        due_on = inputs.get("due_on")
        proposal.due_on = due_on if isinstance(due_on, date) else None
    elif resume is not None and entering.deadline_days is not None:
        proposal.due_on = calendar.shift_business_days(today, resume)
    else:
        proposal.due_on = workflow.deadline_on_entry(dest, today)
