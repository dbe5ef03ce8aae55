"""Teian's workflow engine: definitions as TOML data, run with ``transitions``, in business days.

Pure Python: no Flask, no SQLAlchemy. The app gives a proposal object (anything with a
``state`` string and the :class:`GuardSubject` methods) and gets back either a
:class:`Fired` describing the move, or a :class:`TransitionRefused` saying why not::

    workflow = get_workflow(proposal.kind)
    fired = workflow.fire(proposal, "adopt", role="liaison", inputs={"reason": "…"})
    decision = fired.transition.decision_for(fired.inputs)   # "adopted", "partially_adopted" …
    reason_input = fired.transition.reason_input   # "reason", "question", … or None

Everything the app needs to know about a state or a step is data in the definition
(``Workflow.state_takes_comments``, ``TransitionDef.reason_input`` …), so no state name is
written in Python. A city's own definitions come from a folder (:func:`use_workflow_folder`).
"""

from .calendar import (
    YEAR_END_CLOSURE,
    AnnualClosure,
    add_business_days,
    business_days_between,
    business_days_left,
    horizon,
    is_business_day,
    shift_business_days,
    today_jst,
)
from .definition import (
    ADOPTING,
    AUDIENCES,
    EFFECTS,
    LANGUAGES,
    REFUSING,
    ROLES,
    RULINGS,
    InputDef,
    StateDef,
    TransitionDef,
    Workflow,
)
from .engine import Fired
from .errors import (
    GuardRefused,
    RoleNotAllowed,
    TransitionRefused,
    TriggerNotAllowed,
    UnknownTrigger,
    UnknownWorkflow,
    WorkflowDefinitionError,
    WorkflowError,
)
from .guards import GUARDS, Guard, GuardSubject, register_guard
from .loader import load_workflow, parse_workflow
from .registry import (
    builtin_workflow_names,
    final_states,
    get_workflow,
    open_kinds_by_state,
    register_workflow,
    unregister_workflow,
    use_workflow_folder,
    workflow_names,
)

__all__ = [
    "AUDIENCES",
    "EFFECTS",
    "GUARDS",
    "LANGUAGES",
    "ROLES",
    "ADOPTING",
    "REFUSING",
    "RULINGS",
    "YEAR_END_CLOSURE",
    "AnnualClosure",
    "Fired",
    "Guard",
    "GuardRefused",
    "GuardSubject",
    "InputDef",
    "RoleNotAllowed",
    "StateDef",
    "TransitionDef",
    "TransitionRefused",
    "TriggerNotAllowed",
    "UnknownTrigger",
    "UnknownWorkflow",
    "Workflow",
    "WorkflowDefinitionError",
    "WorkflowError",
    "add_business_days",
    "builtin_workflow_names",
    "business_days_between",
    "business_days_left",
    "final_states",
    "get_workflow",
    "horizon",
    "is_business_day",
    "load_workflow",
    "open_kinds_by_state",
    "parse_workflow",
    "register_guard",
    "register_workflow",
    "shift_business_days",
    "today_jst",
    "unregister_workflow",
    "use_workflow_folder",
    "workflow_names",
]
