"""The queue: a liaison's department, or every department for the office; and for a liaison,
the opinion requests other departments sent to theirs."""

from __future__ import annotations

from flask import render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forms.staff import QueueFilterForm
from intake import queries, queues, search
from intake.db import session as db
from intake.errors import Invalid
from intake.explain import rule_text
from intake.models import Category, Department, District, OpinionRequest, User
from intake.web.page_links import page_links
from workflows.calendar import today_jst

from .common import bp, builtin_workflows, code_choices, error_page, lang, officer, t

FILTERS = ("state", "department", "category", "district", "overdue", "mine", "open")


def state_choices(language: str) -> list[tuple[str, str]]:
    """Every state of every built-in workflow, once, labelled (first workflow's label)."""
    labels: dict[str, str] = {}
    for workflow in builtin_workflows():
        for state in workflow.states.values():
            labels.setdefault(state.name, state.label_in(language))
    return list(labels.items())


@bp.get("/")
def queue():
    user = officer()
    try:
        page = queues.queue_for(
            db(), user, queries.Filters.from_args(request.args), today_jst(),
            cursor=request.args.get("cursor"),
            limit=queries.parse_limit(request.args.get("limit")),
            overdue_only=queries.parse_flag("overdue", request.args.get("overdue")),
            mine=queries.parse_flag("mine", request.args.get("mine")),
            open_only=queries.parse_flag("open", request.args.get("open")),
        )
    except Invalid as error:
        if "q" in error.fields:
            return error_page(400, t("search.q_too_long", max=search.MAX_QUERY))
        named = [name for name in error.fields if name in FILTERS]
        if named:  # a filter value the form does not offer (an old bookmark, a typo)
            return error_page(400, " ".join(rule_text("unknown", t(f"staff.field.{name}"), lang())
                                            for name in named))
        return error_page(400, t("staff.error.bad_list"))
    filters = QueueFilterForm(
        request.args,
        lang=lang(),
        states=state_choices(lang()),
        departments=code_choices(Department) if user.is_office else None,
        categories=code_choices(Category),
        districts=code_choices(District),
    )
    kept = {name: value for name, value in request.args.items() if name != "cursor"}
    pages = page_links(page, request.args.get("cursor"),
                       lambda **at: url_for(".queue", **kept, **at))
    return render_template("staff/queue.html", page=page, filters=filters, pages=pages,
                           opinions=opinions_asked_of(user))


def opinions_asked_of(user: User) -> list[OpinionRequest]:
    """The open opinion requests sent to the liaison's department, soonest due first.  The
    proposals they concern are led by other departments, so the queue above leaves them
    out; the office sees every proposal in its queue and gets none here."""
    if user.is_office or user.department_id is None:
        return []
    return list(db().execute(
        select(OpinionRequest)
        .where(OpinionRequest.department_id == user.department_id,
               OpinionRequest.status == "open")
        .options(joinedload(OpinionRequest.proposal))
        .order_by(OpinionRequest.due_on, OpinionRequest.id)
    ).scalars())
