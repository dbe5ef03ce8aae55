"""The office's triage queue: proposals no routing rule gave a department, each routed in
one step ("route to…": a department and a button) by the transfer operation the proposal
page and the API use — recorded as a transfer from no department, with the ``version``
the office saw.  The row then leaves the list."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from forms.triage import RouteForm
from intake import queries, queues
from intake.db import session as db
from intake.doors import request_links
from intake.errors import ActionError, Conflict, Invalid
from intake.explain import explain_for_form
from intake.models import Department, Proposal
from intake.routing.operations import transfer_proposal
from workflows.calendar import today_jst

from .actions import _me, form_problems
from .common import bp, code_choices, error_page, lang, officer, t, viewable_proposal

TRIAGE = queries.Filters(department="triage")


def _office_only() -> None:
    if not officer().is_office:
        abort(403)


def route_form(proposal: Proposal, formdata=None) -> RouteForm:
    return RouteForm(formdata, lang=lang(), departments=code_choices(Department),
                     prefix=f"route-{proposal.id}", version=proposal.version)


@bp.get("/triage")
def triage():
    _office_only()
    return render_triage()


def render_triage(failed: tuple[int, RouteForm, str] | None = None, status: int = 200):
    """The list; ``failed``: the row whose routing was just refused, its form and why."""
    try:
        page = queues.queue_for(db(), officer(), TRIAGE, today_jst(),
                                 cursor=request.args.get("cursor"),
                                 limit=queries.parse_limit(request.args.get("limit")))
    except Invalid:
        return error_page(400, t("staff.error.bad_list"))
    forms = {p.id: route_form(p) for p in page.items}
    errors = {}
    if failed is not None and failed[0] in forms:
        forms[failed[0]], errors[failed[0]] = failed[1], failed[2]
    next_url = (url_for(".triage", cursor=page.next_cursor) if page.next_cursor else None)
    problems = ([(_place_of(*failed[:2]), failed[2])] if failed is not None and failed[0] in forms
                else [failed[2]] if failed is not None else [])
    return render_template("staff/triage.html", page=page, forms=forms, errors=errors,
                           next_url=next_url, problems=problems), status


def _place_of(proposal_id: int, form: RouteForm) -> str:
    """Where the summary's message leads: the department's list when the message is
    about it, else the row's form."""
    return f"#{form.department.id}" if form.department.errors else f"#route-{proposal_id}"


@bp.post("/triage/<int:proposal_id>/route")
def route_item(proposal_id: int):
    _office_only()
    proposal = viewable_proposal(proposal_id)
    form = route_form(proposal, request.form)
    if not form.validate():
        message = (form.errors["version"][0] if "version" in form.errors
                   else form_problems(form))
        return render_triage((proposal.id, form, message), 422)
    try:
        if proposal.lead_department_id is not None:
            raise Conflict("already routed", version=proposal.version)
        transfer_proposal(db(), proposal, form.department.data or "", _me(),
                          reason=t("staff_page.triage.reason"), links=request_links(),
                          expected_version=form.version.data)
    except ActionError as exc:
        db().rollback()
        explained = explain_for_form(exc, form, lang(), fallback=str)
        for name, messages in explained.fields.items():
            if name in form:
                form[name].errors = [*form[name].errors, *messages]
        message = (t("staff_page.triage.already", receipt=proposal.receipt)
                   if proposal.lead_department_id is not None else explained.message)
        return render_triage((proposal.id, form, message), exc.status)
    flash(t("staff_page.triage.done", receipt=proposal.receipt,
            department=proposal.lead_department.name(lang())), "success")
    return redirect(url_for(".triage"))
