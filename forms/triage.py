"""The office's one-step routing of a triage item: a department and the version seen.

The routing itself is a transfer (``routing.operations.transfer_proposal``), recorded
as one with a standard reason; this form only names the department."""

from __future__ import annotations

from .actions import DepartmentForm


class RouteForm(DepartmentForm):
    """Route a proposal with no lead department to ``department``.  One per row of the
    triage list: the caller gives ``prefix=f"route-{proposal.id}"``."""

    prefix_name = "route"
    label_keys = {"department": "staff_page.triage.department"}
