"""One proposal's page and the actions on it: workflow triggers, transfer, sessions.

The page offers exactly what the workflow and the access rules allow the officer now
(``Workflow.available_triggers`` for ``access.workflow_role``); each action posts its own
small form with the ``version`` the officer saw.  A refused action re-renders the page with
the message beside that form, the officer's text kept, and the status the operation chose
(403, 409, 422).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select

import workflows
from forms.staff import SessionForm, TransferForm, TransitionForm, VersionedForm, label_or
from intake import access, operations
from intake.db import session as db
from intake.errors import ActionError, Conflict, Forbidden, Invalid, Refused
from intake.i18n import catalogue
from intake.models import Department, Event, Proposal
from intake.operations import Actor

from .common import bp, code_choices, lang, officer, t, viewable_proposal


@dataclass
class Action:
    """One form on the page: what it does, where it posts, and how it last failed."""

    key: str  # "trigger:<name>", "transfer" or "session"
    title: str
    url: str
    form: FlaskForm
    error: str | None = None

    @property
    def anchor(self) -> str:
        return "action-" + self.key.replace(":", "-")


@dataclass
class Failure:
    """The action just refused: its form as sent (the officer's text kept) and why."""

    key: str
    form: FlaskForm
    message: str


# --- pages -----------------------------------------------------------------------------


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int):
    return render_proposal(viewable_proposal(proposal_id))


@bp.post("/proposals/<int:proposal_id>/transitions/<trigger>")
def fire(proposal_id: int, trigger: str):
    proposal = viewable_proposal(proposal_id)
    workflow = workflows.get_workflow(proposal.kind)
    form = TransitionForm.for_trigger(workflow, proposal.state, trigger, request.form,
                                      lang=lang())
    return act(
        proposal, f"trigger:{trigger}", form,
        lambda: operations.fire_trigger(
            db(), proposal, trigger, Actor.staff(officer()), form.inputs(),
            expected_version=form.version.data,
        ),
        done=lambda: t("staff.done.transition", action=trigger_label(workflow, trigger),
                       state=workflow.state_label(proposal.state, lang())),
    )


@bp.post("/proposals/<int:proposal_id>/transfer")
def transfer(proposal_id: int):
    proposal = viewable_proposal(proposal_id)
    form = TransferForm(request.form, lang=lang(), departments=transfer_targets(proposal))
    return act(
        proposal, "transfer", form,
        lambda: operations.transfer_proposal(
            db(), proposal, form.department.data or "", Actor.staff(officer()),
            reason=form.reason.data or "", expected_version=form.version.data,
        ),
        done=lambda: t("staff.done.transfer",
                       department=proposal.lead_department.name(lang())),
    )


@bp.post("/proposals/<int:proposal_id>/sessions")
def record_session(proposal_id: int):
    proposal = viewable_proposal(proposal_id)
    form = SessionForm(request.form, lang=lang())
    return act(
        proposal, "session", form,
        lambda: operations.record_session(
            db(), proposal, Actor.staff(officer()), **form.session_values()
        ),
        done=lambda: t("staff.done.session"),
    )


def act(proposal: Proposal, key: str, form: FlaskForm, operation: Callable[[], object], *,
        done: Callable[[], str]):
    """Validate the form, run the operation, commit once; or roll back and show why."""
    if not form.validate():
        if "version" in form.errors:  # a page without its version: not one we gave out
            return render_proposal(proposal, Failure(key, form, form.errors["version"][0]), 400)
        return render_proposal(proposal, Failure(key, form, t("staff.error.form")), 422)
    try:
        operation()
        db().commit()
    except ActionError as exc:
        db().rollback()  # the page below reloads the proposal as it now stands
        return render_proposal(proposal, Failure(key, form, explain(exc, form, proposal)),
                               exc.status)
    flash(done(), "success")
    if access.can_view(officer(), proposal):
        return redirect(url_for(".proposal", proposal_id=proposal.id))
    return redirect(url_for(".queue"))  # transferred away: no longer this officer's


def render_proposal(proposal: Proposal, failure: Failure | None = None, status: int = 200):
    workflow = workflows.get_workflow(proposal.kind)
    actions = page_actions(proposal, workflow)
    # The error summary at the top links to the form that failed, if it is still offered.
    problems: list = [failure.message] if failure is not None else []
    for action in actions:
        if failure is not None and action.key == failure.key:
            action.error = failure.message
            problems = [(f"#{action.anchor}", failure.message)]
            # The officer's text back, unless the action now asks for other inputs (the
            # proposal moved on meanwhile, e.g. reject from another state).
            if type(failure.form) is type(action.form):
                if isinstance(failure.form, VersionedForm):
                    failure.form.refresh_version(proposal.version)
                action.form = failure.form
    return render_template(
        "staff/proposal.html",
        proposal=proposal,
        workflow=workflow,
        actions=actions,
        problems=problems,
        timeline=timeline(proposal),
        trigger_label=lambda trigger: trigger_label(workflow, trigger),
        event_label=lambda action: label_or(f"staff.event.{action}", lang(), action),
        event_change=change_of(workflow),
        actor_label=lambda event: event.actor_label
        or label_or(f"staff.actor.{event.actor}", lang(), event.actor),
    ), status


def page_actions(proposal: Proposal, workflow: workflows.Workflow) -> list[Action]:
    """The forms this officer may send now: none without a workflow role on the proposal."""
    role = access.workflow_role(officer(), proposal)
    if role is None:
        return []
    language, version = lang(), proposal.version
    actions = [
        Action(
            f"trigger:{transition.trigger}",
            transition.label_in(language),
            url_for(".fire", proposal_id=proposal.id, trigger=transition.trigger),
            TransitionForm.for_trigger(workflow, proposal.state, transition.trigger,
                                       lang=language, version=version),
        )
        for transition in workflow.available_triggers(proposal, role)
    ]
    if not workflow.is_final(proposal.state):
        actions.append(Action(
            "transfer", t("staff.transfer.title"),
            url_for(".transfer", proposal_id=proposal.id),
            TransferForm(lang=language, departments=transfer_targets(proposal), version=version),
        ))
    if proposal.state == operations.DELIBERATION:  # when record_session takes one
        actions.append(Action(
            "session", t("staff.session.title"),
            url_for(".record_session", proposal_id=proposal.id),
            SessionForm(lang=language),
        ))
    return actions


def transfer_targets(proposal: Proposal) -> list[tuple[str, str]]:
    return code_choices(Department, exclude_id=proposal.lead_department_id)


def timeline(proposal: Proposal) -> list[Event]:
    return list(db().execute(
        select(Event).where(Event.proposal_id == proposal.id).order_by(Event.seq)
    ).scalars())


def change_of(workflow: workflows.Workflow) -> Callable[[Event], str]:
    """What an event changed, in words: ``検討中 → 協議中`` for a transition,
    ``公園緑地課 → 道路課`` for a transfer (``→ 公園緑地課`` when first routed)."""
    departments = {d.code: d.name(lang()) for d in db().execute(select(Department)).scalars()}

    def department(code: str | None) -> str:
        return departments.get(code, code) if code else t("staff.triage")

    def change(event: Event) -> str:
        if event.from_state or event.to_state:
            states = (event.from_state, event.to_state)
            return " → ".join(workflow.state_label(s, lang()) for s in states if s)
        if event.action in ("route", "transfer"):
            data = event.data or {}
            before = department(data["from_department"]) if data.get("from_department") else ""
            return f"{before} → {department(data.get('department'))}".strip()
        return ""

    return change


def trigger_label(workflow: workflows.Workflow, trigger: str | None) -> str:
    if not trigger:
        return ""
    labels = (tr.label_in(lang()) for tr in workflow.transitions if tr.trigger == trigger)
    return next(labels, trigger)


# --- why an action failed, in the officer's words ----------------------------------------


def explain(exc: ActionError, form: FlaskForm, proposal: Proposal) -> str:
    """The message for a refused action; fields the operation named get their own line.

    422 refusals name both the field (its label) and the guard (its identifier in the
    workflow file), so an officer can fix it and an administrator can find the rule.
    """
    for name, problems in exc.fields.items():
        if name in form:
            form[name].errors = [*form[name].errors, field_message(form[name], problems)]
    if isinstance(exc, Conflict):
        return t("staff.error.conflict" if exc.code == "conflict" else "staff.error.wrong_state")
    if isinstance(exc, Forbidden):
        return t("staff.error.forbidden")
    if isinstance(exc, Refused):
        guard = str(exc.details.get("guard") or "")
        if guard.startswith("input:"):
            name = guard.removeprefix("input:")
            label = form[name].label.text if name in form else name
            return t("staff.error.input", field=label, guard=guard)
        if exc.code == "trigger_not_allowed":
            state = workflows.get_workflow(proposal.kind).state_label(proposal.state, lang())
            return t("staff.error.not_allowed", state=state)
        if guard:
            reason = label_or(f"staff.guard.{guard}", lang(), exc.message)
            return t("staff.error.guard", guard=guard, reason=reason)
        return label_or(f"staff.error.{exc.code}", lang(), exc.message)
    if isinstance(exc, Invalid) and exc.fields:
        labels = [form[n].label.text if n in form else n for n in exc.fields]
        return t("staff.error.invalid", fields=t("staff.separator").join(labels))
    return exc.message


def field_message(field, problems: list[str]) -> str:
    """A field's problem in words: the operation's codes (``required``, ``same`` …) have
    their own message, anything else (the engine's sentences) the general one."""
    keys = (f"staff.error.field.{problem}" for problem in problems)
    key = next((k for k in keys if k in catalogue()), "staff.error.field")
    return t(key, field=field.label.text)
