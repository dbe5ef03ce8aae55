"""The staff actions on a proposal, the API twin of each form on the staff page.

Each view reads its body into the very form the page uses (``forms.actions``, built from
JSON with :meth:`~forms.staff.StaffForm.from_json`), so both doors apply one set of rules
and name a refused field with the same message; then it calls the same operation.  An
operation's refusal is worded by :func:`intake.explain.explain` with the form's labels,
as on the page.  The request commits in one place (:mod:`intake.transaction`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

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
from forms.proposal import formdata_from_json
from forms.staff import StaffForm
from intake import access, serializers
from intake.core.actors import Actor
from intake.db import session
from intake.deliberation.operations import record_session, set_comment_period
from intake.doors import request_links
from intake.errors import ActionError, Forbidden
from intake.explain import explain_for_form
from intake.i18n import translate
from intake.models import User
from intake.opinions.operations import answer_opinion, request_opinion, waive_opinion
from intake.routing.operations import transfer_proposal
from intake.workflow.operations import (
    extend_deadline,
    fire_trigger,
    refuse_inputs_not_taken,
)

from . import bp
from .auth import staff_required
from .errors import lang
from .payload import STRICT, Reader, json_body, validated
from .staff import load_actionable, load_opinion

_T = TypeVar("_T")


def _form(form_class: type[StaffForm], payload: dict) -> StaffForm:
    """The page's form filled from JSON.  A department is any code here (the page lists
    the choices; the operation refuses an unknown, inactive or current one by name)."""
    if getattr(form_class, "version_required", False):
        _require_version(payload)
    return validated(form_class.from_json(payload, lang=lang()), payload, accepts=STRICT)


def _require_version(payload: dict) -> None:
    """A body without ``version`` is asked for it by name.  The form's own message is
    the page's ("this page is out of date: reload it"), where only a broken page leaves
    it out; an API client has no page to reload."""
    if payload.get("version") is None:
        reader = Reader(payload, labels={"version": "staff.field.version"})
        reader.fail("version", "error.required")
        reader.done()


def _perform(form: StaffForm, operation: Callable[[], _T]) -> _T:
    """Run the operation; word a refusal with the form's labels (422/403/409 …)."""
    try:
        return operation()
    except ActionError as exc:
        if not exc.translated:
            explained = explain_for_form(
                exc, form, lang(), fallback=lambda name: translate(f"api.field.{name}", lang()))
            exc.message, exc.fields, exc.translated = (explained.message, explained.fields,
                                                       True)
        raise


@bp.post("/proposals/<int:proposal_id>/transitions")
@staff_required
def fire_transition(user: User, proposal_id: int):
    proposal = load_actionable(user, proposal_id)
    payload = json_body()
    reader = Reader(payload)
    trigger = reader.text("trigger", required=True)
    reader.done()
    _require_version(payload)
    workflow = workflows.get_workflow(proposal.kind)
    _refuse_inputs_of_other_steps(workflow, proposal.state, trigger, payload)
    form = validated(TransitionForm.for_trigger(
        workflow, proposal.state, trigger,
        formdata_from_json({k: v for k, v in payload.items() if k != "trigger"}),
        lang=lang(), prefix="", meta={"csrf": False}, body_language=proposal.language),
        payload, accepts=STRICT)
    _perform(form, lambda: fire_trigger(
        session(), proposal, trigger, Actor.staff(user), form.inputs(), links=request_links(),
        expected_version=form.version.data, template=form.template_code()))
    return serializers.transition_result(proposal)


def _refuse_inputs_of_other_steps(workflow: workflows.Workflow, state: str, trigger: str,
                                  payload: dict) -> None:
    """An input another step of the workflow takes is refused by name when sent with a
    step that does not take it; names no step knows are ignored, as for every JSON body."""
    leaving = next((t for t in workflow.transitions_from(state) if t.trigger == trigger),
                   None)
    if leaving is not None:  # else the operation refuses the trigger itself, by name
        refuse_inputs_not_taken(leaving, {name: payload.get(name)
                                          for name in workflow.input_names()})


@bp.post("/proposals/<int:proposal_id>/transfer")
@staff_required
def transfer(user: User, proposal_id: int):
    proposal = load_actionable(user, proposal_id)
    form = _form(TransferForm, json_body())
    _perform(form, lambda: transfer_proposal(
        session(), proposal, form.department.data, Actor.staff(user), reason=form.reason.data,
        links=request_links(), expected_version=form.version.data))
    return {**serializers.transition_result(proposal),
            "department": serializers.named(proposal.lead_department, lang())}


@bp.post("/proposals/<int:proposal_id>/extend")
@staff_required
def extend(user: User, proposal_id: int):
    proposal = load_actionable(user, proposal_id)
    form = _form(ExtendDeadlineForm, json_body())
    _perform(form, lambda: extend_deadline(
        session(), proposal, Actor.staff(user), due_on=form.due_on.parsed,
        reason=form.reason.data, links=request_links(), expected_version=form.version.data))
    return {**serializers.transition_result(proposal), "due_on": proposal.due_on.isoformat()}


@bp.post("/proposals/<int:proposal_id>/comment-period")
@staff_required
def comment_period(user: User, proposal_id: int):
    proposal = load_actionable(user, proposal_id)
    form = _form(CommentPeriodForm, json_body())
    _perform(form, lambda: set_comment_period(
        session(), proposal, Actor.staff(user), ends_at=form.ends_at.parsed,
        expected_version=form.version.data))
    return {**serializers.transition_result(proposal),
            "ends_at": serializers.iso_datetime(proposal.comments_until)}


@bp.post("/proposals/<int:proposal_id>/sessions")
@staff_required
def sessions(user: User, proposal_id: int):
    proposal = load_actionable(user, proposal_id)
    form = _form(SessionForm, json_body())
    record = _perform(form, lambda: record_session(
        session(), proposal, Actor.staff(user), **form.session_values()))
    return serializers.deliberation_session(record), 201


@bp.post("/proposals/<int:proposal_id>/opinions")
@staff_required
def opinions(user: User, proposal_id: int):
    proposal = load_actionable(user, proposal_id)
    form = _form(OpinionRequestForm, json_body())
    request = _perform(form, lambda: request_opinion(
        session(), proposal, form.department.data, Actor.staff(user),
        question=form.question.data, due_in_days=form.due_in_days.data, links=request_links(),
        expected_version=form.version.data))
    return serializers.opinion_request(request, lang()), 201


@bp.post("/opinions/<int:request_id>/answer")
@staff_required
def opinion_answer(user: User, request_id: int):
    request = load_opinion(user, request_id)
    if not access.may_answer_opinion(user, request):  # before the body is read
        raise Forbidden(translate("api.error.not_the_asked_department", lang()),
                        translated=True)
    form = _form(OpinionAnswerForm, json_body())
    _perform(form, lambda: answer_opinion(session(), request, Actor.staff(user),
                                          answer=form.answer.data, links=request_links()))
    return serializers.opinion_request(request, lang())


@bp.post("/opinions/<int:request_id>/waive")
@staff_required
def opinion_waive(user: User, request_id: int):
    request = load_opinion(user, request_id)
    load_actionable(user, request.proposal_id)  # the lead department or the office
    form = _form(OpinionWaiveForm, json_body())
    _perform(form, lambda: waive_opinion(session(), request, Actor.staff(user),
                                         reason=form.reason.data, links=request_links()))
    return serializers.opinion_request(request, lang())
