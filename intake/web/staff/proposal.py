"""One proposal's staff page, built around the next step: the proposal and its timeline,
then what the officer can do now — the recommended action first, its form open
(:mod:`.next_step`) — then the content with its personal-data review, and the records.

The page offers exactly what the workflow and the access rules allow the officer now
(``Workflow.available_triggers`` for ``access.workflow_role``; ``access.may_answer_opinion``
for the consulted department).  An action a workflow guard would refuse is shown with
the reason and no working button, so nobody learns of a precondition by failing it.  Each
action posts its own small form (routes in :mod:`.actions`), with the ``version`` the
officer saw where the operation checks it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from flask import abort, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select

import workflows
from forms.actions import (
    CommentPeriodForm,
    ExtendDeadlineForm,
    OpinionAnswerForm,
    OpinionRequestForm,
    OpinionWaiveForm,
    SessionForm,
    TransferForm,
    TransitionForm,
    VersionedForm,
)
from intake import access
from intake.db import session as db
from intake.deliberation.operations import comment_period_unmet
from intake.explain import guard_text
from intake.i18n import label_or
from intake.models import (
    Attachment,
    Department,
    Event,
    EventAction,
    OpinionRequest,
    OpinionStatus,
    Proposal,
    User,
)
from intake.routing.history import moved_away_from
from intake.timeline import files_listed
from intake.workflow.status import state_label_for
from workflows.calendar import business_days_left, today_jst

from . import review_panel
from .common import (
    bp,
    code_choices,
    error_page,
    format_jst,
    lang,
    name_in,
    officer,
    t,
    viewable_proposal,
)
from .next_step import Action, arrange, split
from .refusal import Failure, summary_links

# --- pages -----------------------------------------------------------------------------


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int):
    found = db().get(Proposal, proposal_id)
    if found is not None and not access.can_view(officer(), found):
        # A link in an older mail, opened after the proposal left the officer's department.
        moved = moved_away_from(db(), found, officer().department)
        if moved is not None:
            return error_page(403, t("staff.error.moved_away", receipt=found.receipt,
                                     department=name_in(moved.lead, t("staff.triage")),
                                     since=format_jst(moved.since)))
    return render_proposal(viewable_proposal(proposal_id))


def render_proposal(proposal: Proposal, failure: Failure | None = None, status: int = 200):
    workflow = workflows.get_workflow(proposal.kind)
    actions = arrange(page_actions(proposal, workflow),
                      failure.key if failure is not None else None)
    # The error summary at the top: each problem, linking to its field (or else to the
    # form that failed) if the form is still offered.
    problems: list = [p.message for p in failure.problems] if failure is not None else []
    for action in actions:
        if failure is not None and action.key == failure.key:
            action.errors = [problem.message for problem in failure.problems]
            problems = summary_links(failure, action)
            # The officer's text back, unless the action now asks for other inputs (the
            # proposal moved on meanwhile, e.g. reject from another state).
            if type(failure.form) is type(action.form):
                if isinstance(failure.form, VersionedForm):
                    failure.form.refresh_version(proposal.version)
                action.form = failure.form
    failed = (failure.key, failure.form, failure.message) if failure is not None else None
    kept = failure is None or any(action.form is failure.form for action in actions)
    ongoing, ending = split(actions)
    timeline_events = timeline(proposal)
    return render_template(
        "staff/proposal.html",
        proposal=proposal,
        workflow=workflow,
        actions=actions,
        ongoing=ongoing,
        ending=ending,
        due=due_words(proposal),
        sees_contact=access.sees_contact(officer(), proposal),
        privacy=review_panel.panel(proposal, failed),
        problems=problems,
        unsent=[] if kept else typed_text(failure.form),
        timeline=timeline_events,
        trigger_label=lambda trigger: trigger_label(workflow, trigger),
        event_label=lambda action: label_or(f"staff.event.{action}", lang(), action),
        event_change=change_of(proposal),
        event_reason=reason_of,
        event_files=files_of(proposal),
        actor_label=actor_labels(timeline_events),
    ), status


def typed_text(form: FlaskForm) -> list[tuple[str, str]]:
    """What the officer wrote in a refused form that the page no longer offers (the
    proposal moved on in another tab or under another officer): each text field's label
    and text, shown read-only to copy, so a long reason is never lost to a refusal."""
    return [(str(field.label.text), str(field.data).strip()) for field in form
            if field.type in ("StringField", "TextAreaField")
            and isinstance(field.data, str) and field.data.strip()]


def page_actions(proposal: Proposal, workflow: workflows.Workflow) -> list[Action]:
    """The forms this officer may send now: those of the lead department and the office
    (``access.workflow_role``), then an answer to each open opinion request the officer
    may answer — all a consulted department gets."""
    user = officer()
    role = access.workflow_role(user, proposal)
    open_requests = [r for r in proposal.opinion_requests if r.status == OpinionStatus.open]
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
            blocked=[guard_text(guard, language)
                     for guard, _message in workflow.unmet_guards(proposal, transition)],
            destructive=workflow.is_final(transition.dest),
            step=transition,
            outcome=workflow.state_label(transition.dest, language),
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
    workflow = workflows.get_workflow(proposal.kind)
    actions = []
    if workflow.state_takes_sessions(proposal.state):
        actions.append(Action("session", t("staff.session.title"),
                              url_for(".record_session", proposal_id=pid),
                              SessionForm(lang=language)))
    if workflow.state_takes_comments(proposal.state):
        current = format_jst(proposal.comments_until) or t("staff.comment_period.unset")
        actions.append(Action("comment_period", t("staff.comment_period.title"),
                              url_for(".comment_period", proposal_id=pid),
                              CommentPeriodForm(lang=language, version=version),
                              [(t("staff.comment_period.current"), current)],
                              blocked=[guard_text(guard, language)
                                       for guard in comment_period_unmet(proposal)]))
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
               TransferForm(lang=language, departments=departments, version=version),
               destructive=True),
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


def opinion_request_of(proposal: Proposal, request_id: int) -> OpinionRequest:
    """The proposal's opinion request ``request_id`` (404 for another proposal's)."""
    found = next((r for r in proposal.opinion_requests if r.id == request_id), None)
    if found is None:
        abort(404)
    return found


def other_departments(proposal: Proposal) -> list[tuple[str, str]]:
    """The departments a proposal may be transferred to or ask an opinion of."""
    return code_choices(Department, exclude_id=proposal.lead_department_id)


def timeline(proposal: Proposal) -> list[Event]:
    return list(db().execute(
        select(Event).where(Event.proposal_id == proposal.id).order_by(Event.seq)
    ).scalars())


def files_of(proposal: Proposal) -> Callable[[Event], list[Attachment]]:
    """The files that came with each event (the submission, an answer to a question), as
    its data lists them: the timeline says how many and links each, private or not."""
    by_id = {a.id: a for a in proposal.attachments}

    def files(event: Event) -> list[Attachment]:
        return [by_id[i] for i in files_listed(event) if i in by_id]

    return files


def actor_labels(events: list[Event]) -> Callable[[Event], str]:
    """Who did each step, as people say it: the officer's name and role
    (``佐藤 一郎（公園緑地課）``, ``鈴木 花子（協働推進室）``), 提案者, システム — never the
    log's ``user:3``.  The officers are read in one query for the whole timeline."""
    ids = {int(e.actor.split(":", 1)[1]) for e in events
           if e.actor.startswith("user:") and e.actor[5:].isdecimal()}
    users = ({u.id: u for u in db().execute(select(User).where(User.id.in_(ids))).scalars()}
             if ids else {})

    def label(event: Event) -> str:
        kind, _, number = event.actor.partition(":")
        if kind != "user":
            return label_or(f"staff.actor.{kind}", lang(), event.actor_label or kind)
        user = users.get(int(number)) if number.isdecimal() else None
        if user is None:
            return event.actor_label or t("staff_page.actor.former")
        where = (name_in(user.department) if user.department is not None and not user.is_office
                 else t(f"admin.role.{user.role}"))
        return t("staff_page.actor.officer", name=user.display_name or user.email, role=where)

    return label


def due_words(proposal: Proposal) -> str:
    """How long is left, in business days (``あと3営業日``, ``2営業日超過``), for a
    proposal whose clock runs; empty otherwise."""
    workflow = workflows.get_workflow(proposal.kind)
    if proposal.due_on is None or not workflow.clock_runs(proposal.state):
        return ""
    left = business_days_left(today_jst(), proposal.due_on)
    if left < 0:
        return t("staff_page.due.late", days=-left)
    return t("staff_page.due.today") if left == 0 else t("staff_page.due.left", days=left)


def change_of(proposal: Proposal) -> Callable[[Event], str]:
    """What an event changed, in words: ``検討中 → 協議中`` for a transition (``協議中 →
    一部採択`` for an adoption in part), ``公園緑地課 → 道路課`` for a transfer (``→
    公園緑地課`` when first routed), ``2026-04-01 → 2026-04-15`` for an extended deadline,
    the consulted department for an opinion request and its answer, the end of the
    comment period."""
    departments = {d.code: d.name(lang()) for d in db().execute(select(Department)).scalars()}

    def department(code: str | None) -> str:
        return departments.get(code, code) if code else t("staff.triage")

    def change(event: Event) -> str:
        data = event.data or {}
        if event.from_state or event.to_state:
            states = (event.from_state, event.to_state)
            return " → ".join(state_label_for(proposal, s, lang()) for s in states if s)
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


def reason_of(event: Event) -> str:
    """An event's reason as staff read it: the system's own reasons for an escalation
    are kept in the log in one language (``overdue since 2026-11-19``) and said here in
    the page's, from the event's data."""
    due_on = (event.data or {}).get("due_on")
    if event.action == EventAction.escalate and isinstance(due_on, str):
        try:
            return t("staff.event.escalate_reason", due_on=format_jst(date.fromisoformat(due_on)))
        except ValueError:
            pass
    return event.reason or ""


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


