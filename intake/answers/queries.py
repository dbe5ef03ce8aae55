"""What the template pages, the API and the transition forms read.  The office keeps tens
of templates, not thousands: a list is one query, answered whole."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.models import AnswerTemplate

_ACTIVE = "teian.active_templates"


def templates(session: Session) -> list[AnswerTemplate]:
    """Every template: active first, by trigger, then in the office's order."""
    return list(session.execute(
        select(AnswerTemplate).order_by(AnswerTemplate.active.desc(), AnswerTemplate.trigger,
                                        AnswerTemplate.sort_order, AnswerTemplate.code)
    ).scalars())


def by_code(session: Session, code: str) -> AnswerTemplate | None:
    return session.execute(
        select(AnswerTemplate).where(AnswerTemplate.code == code)).scalar_one_or_none()


def active_for_trigger(session: Session, trigger: str) -> list[AnswerTemplate]:
    """The active templates of ``trigger`` in the office's order.  A proposal's page asks
    for several triggers: the active templates are read once per session (a request) and
    grouped, so the page costs one query, however many forms it shows."""
    grouped = session.info.get(_ACTIVE)
    if grouped is None:
        grouped = defaultdict(list)
        for row in session.execute(
                select(AnswerTemplate).where(AnswerTemplate.active.is_(True))
                .order_by(AnswerTemplate.sort_order, AnswerTemplate.code)).scalars():
            grouped[row.trigger].append(row)
        session.info[_ACTIVE] = grouped
    return list(grouped.get(trigger, ()))


def forget_active(session: Session) -> None:
    """After a change to the templates: the next read sees it."""
    session.info.pop(_ACTIVE, None)
