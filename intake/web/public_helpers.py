"""What the public pages' templates ask besides the catalogue: state and action labels,
names of coded rows, the public text and title (with readings on easy-Japanese pages),
the language and isolation of user text, and dates as people read them."""

from __future__ import annotations

from datetime import date, datetime

from markupsafe import Markup, escape

import workflows

from ..dates import people_date, people_datetime
from ..i18n import catalogue
from ..models import Proposal
from ..privacy.public import public_text
from ..workflow.status import state_label_for, status_label
from .page_text import easy_with_ruby, title_with_readings
from .public import _lang, bp
from .user_text import is_final, isolate, text_lang


@bp.context_processor
def _page_helpers() -> dict:
    def state_label(proposal: Proposal, state: str | None = None) -> str:
        """A state's name as the proposal's timeline reads it (an adoption in part by
        its own name), or without ``state`` the proposal's status."""
        if state is None:
            return status_label(proposal, _lang())
        return state_label_for(proposal, state, _lang())

    def action_label(proposal: Proposal, trigger: str) -> str:
        transitions = workflows.get_workflow(proposal.kind).transitions
        return next((t.label_in(_lang()) for t in transitions if t.trigger == trigger), trigger)

    def step_sentence(trigger: str) -> str | None:
        """The catalogue key of a step's own timeline sentence, if it has one."""
        key = f"public.timeline.step.{trigger}"
        return key if key in catalogue() else None

    def name_of(row) -> str:
        """A department (or other coded row) by name; nothing for none."""
        return row.name(_lang()) if row is not None else ""

    def public_title(proposal: Proposal):
        """The published title; on easy-Japanese pages with its readings."""
        title = public_text(proposal).title  # raises for a proposal that is not public
        return title_with_readings(proposal.published_text) if easy_with_ruby() else title

    # The one accessor of the public text (masked where reviewed): lists read titles here.
    return {"state_label": state_label, "action_label": action_label, "name_of": name_of,
            "step_sentence": step_sentence,
            "public_text": public_text, "public_title": public_title,
            "text_lang": text_lang, "is_final": is_final}


bp.add_app_template_filter(isolate, "isolate")


@bp.app_template_filter("jst_date")
def jst_date(value: date | datetime | None) -> Markup:
    """A date as people read it (2026年4月15日（水） / Wed 15 April 2026);
    a datetime is first turned into its day in Japan (:mod:`intake.dates`).  Escaped
    text, not read by the analyser: it would guess the readings of days (15日, 1日)."""
    return escape(people_date(value, _lang()))


@bp.app_template_filter("jst_datetime")
def jst_datetime(value: datetime | None) -> Markup:
    """A moment as a date and time in Japan (JST), whatever the server's zone."""
    return escape(people_datetime(value, _lang()))
