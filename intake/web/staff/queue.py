"""The queue: a liaison's department, or every department for the office."""

from __future__ import annotations

from flask import render_template, request, url_for

from forms.staff import QueueFilterForm
from intake import queries
from intake.db import session as db
from intake.errors import Invalid
from intake.models import Category, Department, District
from workflows.calendar import today_jst

from .common import bp, builtin_workflows, code_choices, error_page, lang, officer, t


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
        page = queries.queue_for(
            db(), user, queries.Filters.from_args(request.args), today_jst(),
            cursor=request.args.get("cursor"),
            limit=queries.parse_limit(request.args.get("limit")),
        )
    except Invalid:
        return error_page(400, t("staff.error.bad_list"))
    filters = QueueFilterForm(
        request.args,
        lang=lang(),
        states=state_choices(lang()),
        departments=code_choices(Department) if user.is_office else None,
        categories=code_choices(Category),
        districts=code_choices(District),
    )
    next_url = None
    if page.next_cursor:
        next_url = url_for(".queue", **(request.args.to_dict() | {"cursor": page.next_cursor}))
    return render_template("staff/queue.html", page=page, filters=filters, next_url=next_url)
