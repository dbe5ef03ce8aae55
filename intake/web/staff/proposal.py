"""One proposal's page and the actions on it: workflow triggers, transfer, opinions of other
departments, deadline extensions, the comment period and deliberation sessions.

The page offers exactly what the workflow and the access rules allow the officer now
(``Workflow.available_triggers`` for ``access.workflow_role``; ``access.may_answer_opinion``
for the consulted department); each action posts its own small form, with the ``version`` the
officer saw where the operation checks it.  A refused action re-renders the page with the
message beside that form, the officer's text kept, and the status the operation chose (403,
409, 422).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select

import workflows
from forms.staff import (
    CommentPeriodForm,
    ExtendDeadlineForm,
    OpinionAnswerForm,
    OpinionRequestForm,
    OpinionWaiveForm,
    SessionForm,
    TransferForm,
    TransitionForm,
    VersionedForm,
    label_or,
)
from intake import access, operations
from intake.db import session as db
from intake.errors import ActionError, Conflict, Forbidden, Invalid, Refused
from intake.i18n import catalogue
from intake.models import Department, Event, OpinionRequest, Proposal
from intake.operations import Actor

from .common import (
    bp,
    code_choices,
    format_jst,
    lang,
    name_in,
    officer,
    t,
    viewable_proposal,
)


@dataclass
class Action:
    """One form on the page: what it does, where it posts, what the officer should know
    before sending it (``details``: label and text pairs), and how it last failed."""

    key: str  # "trigger:<name>", "transfer", "opinion_answer:<request id>" …
    title: str
    url: str
    form: FlaskForm
    details: list[tuple[str, str]] = field(default_factory=list)
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
        done=lambda _result: t(
            "staff.done.transition", action=trigger_label(workflow, trigger),
            state=workflow.state_label(proposal.state, lang()),
        ),
    )


@bp.post("/proposals/<int:proposal_id>/transfer")
def transfer(proposal_id: int):
    proposal = viewable_proposal(proposal_id)
    form = TransferForm(request.form, lang=lang(), departments=other_departments(proposal))
    return act(
        proposal, "transfer", form,
        lambda: operations.transfer_proposal(
            db(), proposal, form.department.data or "", Actor.staff(officer()),
            reason=form.reason.data or "", expected_version=form.version.data,
        ),
        done=lambda _result: t("staff.done.transfer",
                               department=proposal.lead_department.name(lang())),
    )


@bp.post("/proposals/<int:proposal_id>/opinions")
def request_opinion(proposal_id: int):
    proposal = viewable_proposal(proposal_id)
    form = OpinionRequestForm(request.form, lang=lang(),
                              departments=other_departments(proposal))
    return act(
        proposal, "opinion_request", form,
        lambda: operations.request_opinion(
            db(), proposal, form.department.data or "", Actor.staff(officer()),
            question=form.question.data or "", due_in_days=form.due_in_days.data,
            expected_version=form.version.data,
        ),
        done=lambda opinion: t("staff.done.opinion_request",
                               department=opinion.department.name(lang()),
                               due_on=format_jst(opinion.due_on)),
    )


@bp.post("/proposals/<int:proposal_id>/opinions/<int:request_id>/answer")
def answer_opinion(proposal_id: int, request_id: int):
    proposal = viewable_proposal(proposal_id)
    opinion = opinion_request_of(proposal, request_id)
    form = OpinionAnswerForm(request.form, lang=lang(), prefix=f"answer-{opinion.id}")
    return act(
        proposal, f"opinion_answer:{opinion.id}", form,
        lambda: operations.answer_opinion(db(), opinion, Actor.staff(officer()),
                                          answer=form.answer.data or ""),
        done=lambda _result: t("staff.done.opinion_answer"),
    )


@bp.post("/proposals/<int:proposal_id>/opinions/<int:request_id>/waive")
def waive_opinion(proposal_id: int, request_id: int):
    proposal = viewable_proposal(proposal_id)
    opinion = opinion_request_of(proposal, request_id)
    form = OpinionWaiveForm(request.form, lang=lang(), prefix=f"waive-{opinion.id}")
    return act(
        proposal, f"opinion_waive:{opinion.id}", form,
        lambda: operations.waive_opinion(db(), opinion, Actor.staff(officer()),
                                         reason=form.reason.data or ""),
        done=lambda _result: t("staff.done.opinion_waive",
                               department=opinion.department.name(lang())),
    )


@bp.post("/proposals/<int:proposal_id>/deadline")
def extend_deadline(proposal_id: int):
    proposal = viewable_proposal(proposal_id)
    form = ExtendDeadlineForm(request.form, lang=lang())
    return act(
        proposal, "extend", form,
        lambda: operations.extend_deadline(
            db(), proposal, Actor.staff(officer()), new_due_on=form.new_due_on.parsed,
            reason=form.reason.data or "", expected_version=form.version.data,
        ),
        done=lambda _result: t("staff.done.extend", due_on=format_jst(proposal.due_on)),
    )


@bp.post("/proposals/<int:proposal_id>/comment-period")
def set_comment_period(proposal_id: int):
    proposal = viewable_proposal(proposal_id)
    form = CommentPeriodForm(request.form, lang=lang())
    return act(
        proposal, "comment_period", form,
        lambda: operations.set_comment_period(
            db(), proposal, Actor.staff(officer()), until=form.until.parsed,
            expected_version=form.version.data,
        ),
        done=lambda _result: t("staff.done.comment_period",
                               until=format_jst(proposal.comments_until)),
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
        done=lambda _result: t("staff.done.session"),
    )


def opinion_request_of(proposal: Proposal, request_id: int) -> OpinionRequest:
    """The proposal's opinion request ``request_id`` (404 for another proposal's)."""
    found = next((r for r in proposal.opinion_requests if r.id == request_id), None)
    if found is None:
        abort(404)
    return found


def act(proposal: Proposal, key: str, form: FlaskForm, operation: Callable[[], Any], *,
        done: Callable[[Any], str]):
    """Validate the form, run the operation, commit once; or roll back and show why.
    ``done`` words the success from what the operation returned."""
    if not form.validate():
        if "version" in form.errors:  # a page without its version: not one we gave out
            return render_proposal(proposal, Failure(key, form, form.errors["version"][0]), 400)
        return render_proposal(proposal, Failure(key, form, t("staff.error.form")), 422)
    try:
        result = operation()
        db().commit()
    except ActionError as exc:
        db().rollback()  # the page below reloads the proposal as it now stands
        return render_proposal(proposal, Failure(key, form, explain(exc, form, proposal)),
                               exc.status)
    flash(done(result), "success")
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
    """The forms this officer may send now: those of the lead department and the office
    (``access.workflow_role``), then an answer to each open opinion request the officer
    may answer — all a consulted department gets."""
    user = officer()
    role = access.workflow_role(user, proposal)
    open_requests = [r for r in proposal.opinion_requests if r.status == "open"]
    actions = [] if role is None else lead_actions(proposal, workflow, role, open_requests)
    actions += [answer_action(proposal, r) for r in open_requests
                if access.may_answer_opinion(user, r)]
    return actions


def lead_actions(proposal: Proposal, workflow: workflows.Workflow, role: str,
                 open_requests: list[OpinionRequest]) -> list[Action]:
    """What the lead liaison and the office may do: the workflow's triggers for their role,
    each operation in the states it takes (a final proposal takes none of them), and a
    waiver for each open opinion request (one left open by a ruling can still be closed)."""
    language, version, pid = lang(), proposal.version, proposal.id
    actions = [
        Action(
            f"trigger:{transition.trigger}",
            transition.label_in(language),
            url_for(".fire", proposal_id=pid, trigger=transition.trigger),
            TransitionForm.for_trigger(workflow, proposal.state, transition.trigger,
                                       lang=language, version=version),
        )
        for transition in workflow.available_triggers(proposal, role)
    ]
    if not workflow.is_final(proposal.state):
        actions += ongoing_actions(proposal)
    actions += [
        Action(
            f"opinion_waive:{r.id}",
            t("staff.opinion_waive.title", department=r.department.name(language)),
            url_for(".waive_opinion", proposal_id=pid, request_id=r.id),
            OpinionWaiveForm(lang=language, prefix=f"waive-{r.id}"),
            opinion_details(r),
        )
        for r in open_requests
    ]
    return actions


def ongoing_actions(proposal: Proposal) -> list[Action]:
    """The operations a proposal still under way takes: sessions and the comment period in
    deliberation, a deadline extension while a deadline runs, opinions, transfer."""
    language, version, pid = lang(), proposal.version, proposal.id
    actions = []
    if proposal.state == operations.DELIBERATION:
        current = format_jst(proposal.comments_until) or t("staff.comment_period.unset")
        actions += [
            Action("session", t("staff.session.title"),
                   url_for(".record_session", proposal_id=pid), SessionForm(lang=language)),
            Action("comment_period", t("staff.comment_period.title"),
                   url_for(".set_comment_period", proposal_id=pid),
                   CommentPeriodForm(lang=language, version=version),
                   [(t("staff.comment_period.current"), current)]),
        ]
    if proposal.due_on is not None:
        actions.append(Action(
            "extend", t("staff.extend.title"), url_for(".extend_deadline", proposal_id=pid),
            ExtendDeadlineForm(lang=language, version=version),
            [(t("staff.extend.current"), format_jst(proposal.due_on))],
        ))
    departments = other_departments(proposal)
    actions += [
        Action("opinion_request", t("staff.opinion_request.title"),
               url_for(".request_opinion", proposal_id=pid),
               OpinionRequestForm(lang=language, departments=departments, version=version)),
        Action("transfer", t("staff.transfer.title"), url_for(".transfer", proposal_id=pid),
               TransferForm(lang=language, departments=departments, version=version)),
    ]
    return actions


def answer_action(proposal: Proposal, opinion: OpinionRequest) -> Action:
    return Action(
        f"opinion_answer:{opinion.id}",
        t("staff.opinion_answer.title", department=opinion.department.name(lang())),
        url_for(".answer_opinion", proposal_id=proposal.id, request_id=opinion.id),
        OpinionAnswerForm(lang=lang(), prefix=f"answer-{opinion.id}"),
        [(t("staff.opinions.lead"), name_in(proposal.lead_department, t("staff.triage"))),
         *opinion_details(opinion)],
    )


def opinion_details(opinion: OpinionRequest) -> list[tuple[str, str]]:
    """What was asked, and by when: shown in the forms that settle the request (their titles
    name the consulted department)."""
    return [
        (t("staff.opinions.question"), opinion.question),
        (t("staff.col.due_on"), format_jst(opinion.due_on)),
    ]


def other_departments(proposal: Proposal) -> list[tuple[str, str]]:
    """The departments a proposal may be transferred to or ask an opinion of."""
    return code_choices(Department, exclude_id=proposal.lead_department_id)


def timeline(proposal: Proposal) -> list[Event]:
    return list(db().execute(
        select(Event).where(Event.proposal_id == proposal.id).order_by(Event.seq)
    ).scalars())


def change_of(workflow: workflows.Workflow) -> Callable[[Event], str]:
    """What an event changed, in words: ``検討中 → 協議中`` for a transition,
    ``公園緑地課 → 道路課`` for a transfer (``→ 公園緑地課`` when first routed),
    ``2026-04-01 → 2026-04-15`` for an extended deadline, the consulted department for an
    opinion request and its answer, the end of the comment period."""
    departments = {d.code: d.name(lang()) for d in db().execute(select(Department)).scalars()}

    def department(code: str | None) -> str:
        return departments.get(code, code) if code else t("staff.triage")

    def change(event: Event) -> str:
        data = event.data or {}
        if event.from_state or event.to_state:
            states = (event.from_state, event.to_state)
            return " → ".join(workflow.state_label(s, lang()) for s in states if s)
        if event.action in ("route", "transfer"):
            before = department(data["from_department"]) if data.get("from_department") else ""
            return f"{before} → {department(data.get('department'))}".strip()
        if event.action == "extend":
            return f"{data.get('from', '')} → {data.get('to', '')}"
        if event.action.startswith("opinion_"):
            return department(data.get("department"))
        if event.action == "comment_period" and data.get("until"):
            return t("staff.comment_period.until", until=jst_text(data["until"]))
        return ""

    return change


def jst_text(moment: str) -> str:
    """An ISO moment kept in an event's data, as Japan time (the text itself if not one)."""
    try:
        return format_jst(datetime.fromisoformat(moment))
    except ValueError:
        return moment


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
    if isinstance(exc, Conflict):  # someone was quicker, or the proposal is elsewhere now
        return label_or(f"staff.error.{exc.code}", lang(), t("staff.error.conflict"))
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
