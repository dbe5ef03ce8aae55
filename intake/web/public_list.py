"""The list of published proposals (``/proposals``): its filters, its pages, and what it
answers for an address it cannot serve — the downloads (:mod:`.opendata`) answer the same.
"""

from __future__ import annotations

import functools

from flask import render_template, request, url_for

import workflows
from forms.proposal import CITY_WIDE

from .. import queries, search
from ..db import session
from ..errors import Invalid
from ..explain import rule_text
from .page_links import page_links
from .public import PAGE_SIZE, _error_page, _lang, _t, bp


def _state_choices(lang: str) -> list[tuple[str, str]]:
    """The states a published proposal can be in, of every workflow, once, for the list
    filter (the workflow definitions say which: :meth:`Workflow.publishable_states`)."""
    choices: dict[str, str] = {}
    for name in workflows.workflow_names():
        workflow = workflows.get_workflow(name)
        for state in workflow.publishable_states():
            choices.setdefault(state, workflow.state_label(state, lang))
    return list(choices.items())


@bp.get("/proposals")
def proposals():
    filters = queries.Filters.from_args(request.args)
    cursor = request.args.get("cursor")
    db = session()
    try:
        page = queries.published_proposals(db, filters, cursor=cursor, limit=PAGE_SIZE)
        found = queries.count_published(db, filters, queries.COUNT_CAP)
    except Invalid as error:
        return list_refused(error)
    active = filters.active()
    return render_template(
        "public/proposals.html",
        page=page,
        filters=filters,
        filtered=bool(active),
        found=found,
        count_cap=queries.COUNT_CAP,
        max_query=search.MAX_QUERY,
        pages=page_links(page, cursor, lambda **at: url_for(".proposals", **active, **at)),
        states=_state_choices(_lang()),
        # Inactive themes and merged districts too: old proposals keep theirs.
        categories=queries.choices(queries.categories(db, active_only=False), _lang()),
        districts=[(CITY_WIDE, _t("field.district.citywide")),
                   *queries.choices(queries.districts(db, valid_on=None), _lang())],
    )


# The list's filters as its form labels them (department: the API's and the downloads').
FILTER_LABELS = {"state": "public.meta.state", "category": "field.category",
                 "district": "field.district", "department": "public.meta.department"}


def list_refused(error: Invalid):
    """A refused list address (the list's or its downloads'): a search too long, a filter
    value no list offers (naming the filter), or a broken page link — each under a plain
    heading (not the general 400 page's) and with a link to the list's first page."""
    refused = functools.partial(_error_page, 400, back=url_for("public.proposals"),
                                title=_t("public.list.refused_title"))
    if "q" in error.fields:
        return refused(_t("search.q_too_long", max=search.MAX_QUERY))
    named = [name for name in error.fields if name in FILTER_LABELS]
    if named:
        return refused(" ".join(rule_text("unknown", _t(FILTER_LABELS[name]), _lang())
                                for name in named))
    return refused(_t("public.list.bad_cursor"))
