"""The actions on a proposal's staff page: one POST route per form, each calling the
same operation as its API twin (:mod:`intake.api.actions`) with the same form.

A refused action re-renders the page with the message beside that form, the officer's
text kept, and the status the operation chose (403, 409, 422).  Success redirects to the
page (Post/Redirect/Get); the request commits in one place (:mod:`intake.transaction`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup

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
)
from intake import access
from intake.core.actors import Actor
from intake.db import session as db
from intake.deliberation.operations import record_session as record_session_operation
from intake.deliberation.operations import set_comment_period
from intake.doors import request_links
from intake.errors import ActionError
from intake.explain import explain_for_form
from intake.models import Proposal
from intake.opinions.operations import answer_opinion as answer_operation
from intake.opinions.operations import request_opinion as request_operation
from intake.opinions.operations import waive_opinion as waive_operation
from intake.routing.operations import transfer_proposal
from intake.workflow.operations import TransitionResult, check_trigger, fire_trigger
from intake.workflow.operations import extend_deadline as extend_operation
from intake.workflow.status import status_label

from .common import (
    actionable_proposal,
    bp,
    format_jst,
    lang,
    officer,
    t,
    viewable_proposal,
)
from .proposal import opinion_request_of, other_departments, render_proposal, trigger_label
from .refusal import Failure, Problem


def _me() -> Actor:
    return Actor.staff(officer())


@bp.post("/proposals/<int:proposal_id>/transitions/<trigger>")
def fire(proposal_id: int, trigger: str):
    proposal = actionable_proposal(proposal_id)
    workflow = workflows.get_workflow(proposal.kind)
    # From a page opened before the proposal moved on, the trigger may not leave its state
    # now: its form is read as the page sent it (from a state it leaves), so the refusal
    # can give the officer back what they wrote (proposal.typed_text).
    sources = [s for t in workflow.transitions if t.trigger == trigger for s in t.sources]
    state = proposal.state if proposal.state in sources or not sources else sources[0]
    form = TransitionForm.for_trigger(workflow, state, trigger, request.form,
                                      lang=lang(), body_language=proposal.language)
    ends = any(t.trigger == trigger and proposal.state in t.sources
               and workflow.is_final(t.dest) for t in workflow.transitions)
    return act(
        proposal, f"trigger:{trigger}", form,
        lambda: fire_trigger(db(), proposal, trigger, _me(), form.inputs(),
                             links=request_links(), expected_version=form.version.data,
                             template=form.template_code()),
        done=lambda result: transition_done(workflow, result),
        confirm=ends,
        check=lambda guards_only: check_trigger(
            db(), proposal, trigger, _me(), form.inputs(), expected_version=form.version.data,
            template=form.template_code(), guards_only=guards_only),
    )


def transition_done(workflow: workflows.Workflow, result: TransitionResult) -> str | Markup:
    """The confirmation of a step: what was done and the status now (an adoption in part
    named as such, as the badges name it).  A step meant to publish the proposal that left
    it waiting for the personal-data review says so, with a link to the review."""
    proposal = result.proposal
    done = t("staff.done.transition", action=trigger_label(workflow, result.trigger),
             state=status_label(proposal, lang()))
    fired = next(tr for tr in workflow.transitions_from(result.from_state)
                 if tr.trigger == result.trigger)
    if "publish" not in fired.effects or not proposal.review_pending:
        return done
    return Markup('{} {} <a href="#action-publication">{}</a>').format(
        done, t("staff.done.review_pending"), t("staff_page.actions.review_link"))


@bp.post("/proposals/<int:proposal_id>/transfer")
def transfer(proposal_id: int):
    proposal = actionable_proposal(proposal_id)
    form = TransferForm(request.form, lang=lang(), departments=other_departments(proposal))
    return act(
        proposal, "transfer", form,
        lambda: transfer_proposal(db(), proposal, form.department.data or "", _me(),
                                  reason=form.reason.data or "", links=request_links(),
                                  expected_version=form.version.data),
        done=lambda _result: t("staff.done.transfer",
                               department=proposal.lead_department.name(lang())),
        confirm=True,
    )


@bp.post("/proposals/<int:proposal_id>/opinions")
def request_opinion(proposal_id: int):
    proposal = actionable_proposal(proposal_id)
    form = OpinionRequestForm(request.form, lang=lang(),
                              departments=other_departments(proposal))
    return act(
        proposal, "opinion_request", form,
        lambda: request_operation(db(), proposal, form.department.data or "", _me(),
                                  question=form.question.data or "",
                                  due_in_days=form.due_in_days.data, links=request_links(),
                                  expected_version=form.version.data),
        done=lambda opinion: t("staff.done.opinion_request",
                               department=opinion.department.name(lang()),
                               due_on=format_jst(opinion.due_on)),
    )


@bp.post("/proposals/<int:proposal_id>/opinions/<int:request_id>/answer")
def answer_opinion(proposal_id: int, request_id: int):
    proposal = viewable_proposal(proposal_id)
    opinion = opinion_request_of(proposal, request_id)
    form = OpinionAnswerForm(request.form, lang=lang(), prefix=f"answer-{opinion.id}")
    if not access.may_answer_opinion(officer(), opinion):  # before the form is read
        failure = Failure(f"opinion_answer:{opinion.id}", form,
                          [Problem(t("staff.error.forbidden"))])
        return render_proposal(proposal, failure, 403)
    return act(
        proposal, f"opinion_answer:{opinion.id}", form,
        lambda: answer_operation(db(), opinion, _me(), answer=form.answer.data or "",
                                 links=request_links()),
        done=lambda _result: t("staff.done.opinion_answer"),
    )


@bp.post("/proposals/<int:proposal_id>/opinions/<int:request_id>/waive")
def waive_opinion(proposal_id: int, request_id: int):
    proposal = actionable_proposal(proposal_id)
    opinion = opinion_request_of(proposal, request_id)
    form = OpinionWaiveForm(request.form, lang=lang(), prefix=f"waive-{opinion.id}")
    return act(
        proposal, f"opinion_waive:{opinion.id}", form,
        lambda: waive_operation(db(), opinion, _me(), reason=form.reason.data or "",
                                links=request_links()),
        done=lambda _result: t("staff.done.opinion_waive",
                               department=opinion.department.name(lang())),
    )


@bp.post("/proposals/<int:proposal_id>/deadline")
def extend_deadline(proposal_id: int):
    proposal = actionable_proposal(proposal_id)
    form = ExtendDeadlineForm(request.form, lang=lang())
    return act(
        proposal, "extend", form,
        lambda: extend_operation(db(), proposal, _me(), due_on=form.due_on.parsed,
                                 reason=form.reason.data or "", links=request_links(),
                                 expected_version=form.version.data),
        done=lambda _result: t("staff.done.extend", due_on=format_jst(proposal.due_on)),
    )


@bp.post("/proposals/<int:proposal_id>/comment-period")
def comment_period(proposal_id: int):
    proposal = actionable_proposal(proposal_id)
    form = CommentPeriodForm(request.form, lang=lang())
    return act(
        proposal, "comment_period", form,
        lambda: set_comment_period(db(), proposal, _me(), ends_at=form.ends_at.parsed,
                                   expected_version=form.version.data),
        done=lambda _result: t("staff.done.comment_period",
                               until=format_jst(proposal.comments_until)),
    )


@bp.post("/proposals/<int:proposal_id>/sessions")
def record_session(proposal_id: int):
    proposal = actionable_proposal(proposal_id)
    form = SessionForm(request.form, lang=lang())
    return act(
        proposal, "session", form,
        lambda: record_session_operation(db(), proposal, _me(), **form.session_values()),
        done=lambda _result: t("staff.done.session"),
    )


def field_problems(form: FlaskForm) -> list[Problem]:
    """What is wrong with the form, for the summary on top: each field's first message, as
    beside the field (a bare "check what you entered" sent the officer hunting)."""
    return [Problem(errors[0], name) for name, errors in form.errors.items() if errors] or [
        Problem(t("staff.error.form"))]


def form_problems(form: FlaskForm) -> str:
    """:func:`field_problems` as one sentence (a form of one field: the triage's)."""
    return " ".join(problem.message for problem in field_problems(form))


def act(proposal: Proposal, key: str, form: FlaskForm, operation: Callable[[], Any], *,
        done: Callable[[Any], str], confirm: bool = False,
        check: Callable[[bool], None] | None = None):
    """Validate the form and run the operation; or show why not, beside the form.
    ``done`` words the success from what the operation returned.  An action that ends or
    hands away the proposal (``confirm``) needs the officer's tick: the page's forms
    are ``novalidate`` (errors are ours to show), so the browser does not enforce it.
    ``check(guards_only)`` runs the operation's own checks changing nothing (a guard not
    met, a stale version; with ``guards_only`` not the inputs): when the tick or an input
    is missing, what it refuses is shown in the same answer, so the officer does not
    mend one problem only to be told of the next."""
    unticked = confirm and not request.form.get("confirm")
    if not form.validate() and "version" in form.errors:
        # A page without its version: not one we gave out.
        return render_proposal(proposal, Failure(key, form, [Problem(form.errors["version"][0])]),
                               400)
    if unticked or form.errors:
        problems = [Problem(t("staff.error.confirm"), "confirm")] if unticked else []
        problems += field_problems(form) if form.errors else []
        status, more = _checked(check, form, guards_only=bool(form.errors))
        return render_proposal(proposal, Failure(key, form, problems + more), status or 422)
    try:
        result = operation()
    except ActionError as exc:
        # Undo what the operation flushed now, not at the end of the request: the page
        # below must show the proposal as it stands.
        db().rollback()
        explained = explain_for_form(exc, form, lang(), fallback=str)
        _add_field_messages(form, explained.fields)
        more: list[Problem] = []
        if exc.fields:  # an input refused: the engine stopped before the guards
            _status, more = _checked(check, form, guards_only=True)
        return render_proposal(proposal, Failure(key, form, [_problem(explained, form), *more]),
                               exc.status)
    flash(done(result), "success")
    if access.can_view(officer(), proposal):
        return redirect(url_for(".proposal", proposal_id=proposal.id))
    return redirect(url_for(".queue"))  # transferred away: no longer this officer's


def _problem(explained, form: FlaskForm, fields: dict | None = None) -> Problem:
    """The operation's refusal as one problem, about the first of its fields the form has
    (``fields``: those of them to count; by default all)."""
    named = explained.fields if fields is None else fields
    return Problem(explained.message, next((name for name in named if name in form), None))


def _checked(check: Callable[[bool], None] | None, form: FlaskForm, *, guards_only: bool
             ) -> tuple[int | None, list[Problem]]:
    """The status (403 or 409 outrank the form's 422) and the words of what ``check``
    refuses, if anything; it changes nothing, and what it read is let go."""
    if check is None:
        return None, []
    try:
        check(guards_only)
    except ActionError as exc:
        return (exc.status if exc.status in (403, 409) else None), _new_problems(exc, form)
    finally:
        db().rollback()
    return None, []


def _new_problems(exc: ActionError, form: FlaskForm) -> list[Problem]:
    """The operation's refusal, for the summary, unless it only repeats what the form said
    already beside a field (a required reason is both the form's rule and the engine's)."""
    explained = explain_for_form(exc, form, lang(), fallback=str)
    fresh = {name: messages for name, messages in explained.fields.items()
             if not (name in form and form[name].errors)}
    if explained.fields and not fresh:
        return []
    _add_field_messages(form, fresh)
    return [_problem(explained, form, fresh)]


def _add_field_messages(form: FlaskForm, fields: dict[str, list[str]]) -> None:
    for name, messages in fields.items():
        if name in form:
            form[name].errors = [*form[name].errors, *messages]
