"""Recording deliberation sessions, setting the comment period, adding comments.

Each is allowed only in a state the workflow opens to it; a renamed state in a city's
own workflow file keeps working because no state name appears here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import workflows
from intake.core.actors import PUBLIC, Actor
from intake.core.checks import (
    aware,
    check_version,
    day_to_come,
    moment_of,
    officer_role,
    required_text,
)
from intake.core.concurrency import conflict_on_concurrent_change
from intake.core.effects import record
from intake.errors import Conflict, Invalid, NotFound, Refused
from intake.models import (
    JST,
    Comment,
    CommentStatus,
    DeliberationSession,
    Event,
    EventAction,
    Proposal,
    utcnow,
)
from intake.privacy.text import comment_hits

CLOCK_TYPED = timedelta(minutes=1)
"""How far before the present minute a comment period may end: an officer closing
comments now types the time on the clock, which may have turned by the time it arrives."""


def _refuse_unless_sessions(proposal: Proposal) -> None:
    if not workflows.get_workflow(proposal.kind).state_takes_sessions(proposal.state):
        raise Conflict(f"sessions are recorded only in deliberation, not {proposal.state}",
                       code="wrong_state")


def deliberation_began(session: Session, proposal: Proposal) -> datetime:
    """When the proposal first entered a state that takes sessions, from its events.

    The first entry, not the latest: a proposal a city's workflow sent back and brought
    into deliberation again keeps its earlier sessions (they count for ``adopt``), so a
    session of that earlier round recorded late is still true.  ``state_entered_at``
    covers a proposal whose log names no such entry (a state renamed in the workflow
    file since)."""
    workflow = workflows.get_workflow(proposal.kind)
    states = [name for name in workflow.states if workflow.state_takes_sessions(name)]
    first = session.execute(
        select(func.min(Event.at)).where(Event.proposal_id == proposal.id,
                                         Event.action == EventAction.transition,
                                         Event.to_state.in_(states))
    ).scalar_one_or_none()
    return min(first, proposal.state_entered_at) if first else proposal.state_entered_at


def _check_held_on(session: Session, proposal: Proposal, held_at: datetime,
                   today: date) -> None:
    """A session is a record of one that took place while the proposal was in
    deliberation: its day in Japan is not before the day deliberation began (it would
    count for ``adopt`` without having been part of it) and not after today (one only
    planned has no minutes or participants yet, and must not count either)."""
    held_on = held_at.astimezone(JST).date()
    began_on = deliberation_began(session, proposal).astimezone(JST).date()
    if held_on < began_on:
        raise Invalid("held_at: not before the day the deliberation began",
                      fields={"held_at": ["before_deliberation_day"]},
                      dates={"began": began_on})
    if held_on > today:
        raise Invalid("held_at: not after today (record a session once it was held)",
                      fields={"held_at": ["after_today"]}, dates={"today": today})


# The workflow guard that opens deliberation with citizens (workflows/guards.py): the
# comment period is part of that deliberation and asks the same.
PUBLIC_GUARD = "published"


def comment_period_unmet(proposal: Proposal) -> list[str]:
    """The guards that would refuse setting the comment period now (the staff page says
    so before the click): citizens comment only on what they can read."""
    return [] if workflows.GUARDS[PUBLIC_GUARD](proposal, {}) is None else [PUBLIC_GUARD]


def refuse_unless_public(proposal: Proposal) -> None:
    """The comment period is set only while the proposal is public (422 naming the
    guard, as a refused step is)."""
    unmet = comment_period_unmet(proposal)
    if unmet:
        raise Refused(f"comment period: refused by guard {unmet[0]}", code="guard_failed",
                      guard=unmet[0])


@conflict_on_concurrent_change
@conflict_on_concurrent_change
def record_session(
    session: Session,
    proposal: Proposal,
    actor: Actor,
    *,
    held_at: datetime,
    place: str,
    online: bool,
    agenda: str,
    minutes: str,
    participants: int,
    today: date | None = None,
    now: datetime | None = None,
) -> DeliberationSession:
    """Record a deliberation session; it is a deliberation record for the ``adopt``
    guard.  The form (``forms.actions.SessionForm``) holds the field rules; these
    checks keep the row sound whoever calls, and the day it was held
    (:func:`_check_held_on`) is checked here for every door.

    The same session sent twice (a double click, the form sent again from a second tab:
    the same time and agenda on the same proposal) is refused (409 ``duplicate_session``)
    rather than recorded twice.  The proposal's row is locked first, so on PostgreSQL the
    second of two at once waits for the first and then sees it; SQLite lets one writer
    at a time anyway."""
    officer_role(actor, proposal)
    _refuse_unless_sessions(proposal)
    now, today = moment_of(now, today)
    held_at = aware(held_at, "held_at")
    _check_held_on(session, proposal, held_at, today)
    if isinstance(participants, bool) or not isinstance(participants, int) or participants < 0:
        raise Invalid("participants: a whole number, 0 or more",
                      fields={"participants": ["participants"]})
    session.execute(select(Proposal.id).where(Proposal.id == proposal.id).with_for_update())
    if session.scalar(select(DeliberationSession.id).where(
            DeliberationSession.proposal_id == proposal.id,
            DeliberationSession.held_at == held_at,
            DeliberationSession.agenda == agenda).limit(1)) is not None:
        raise Conflict("this session is already recorded (the same time and agenda)",
                       code="duplicate_session")
    row = DeliberationSession(
        proposal=proposal, held_at=held_at, place=place, online=online, agenda=agenda,
        minutes=minutes, participants=participants,
        recorded_by_id=actor.user.id if actor.user else None,
    )
    session.add(row)
    session.flush()
    record(session, proposal, actor, EventAction.session, at=now,
           data={"session": row.id, "held_at": held_at.isoformat(),
                 "participants": participants})
    session.flush()
    return row


@conflict_on_concurrent_change
def set_comment_period(
    session: Session,
    proposal: Proposal,
    actor: Actor,
    *,
    ends_at: datetime,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Proposal:
    """End the citizens' comment period at ``ends_at``.

    Once that moment has passed the ended period counts as a deliberation record for
    ``adopt`` (:meth:`Proposal.has_deliberation_record`) if the proposal is still public.
    It is set only while the proposal is public (:func:`refuse_unless_public`), not before
    deliberation began, and not in the past: a period "ended" last month would count
    without citizens ever having had it.  It may be now — typed as the time on the clock,
    so the present minute and the one before pass (:data:`CLOCK_TYPED`) — and on no day
    after the calendar's horizon (:func:`~intake.core.checks.day_to_come`).
    """
    officer_role(actor, proposal)
    check_version(proposal, expected_version)
    if not workflows.get_workflow(proposal.kind).state_takes_comments(proposal.state):
        raise Conflict(f"the comment period is set only in deliberation, not {proposal.state}",
                       code="wrong_state")
    refuse_unless_public(proposal)
    ends_at = aware(ends_at, "ends_at")
    if ends_at < proposal.state_entered_at:
        raise Invalid("ends_at: not before the deliberation began",
                      fields={"ends_at": ["before_deliberation"]})
    now = now or utcnow()
    if ends_at < now.replace(second=0, microsecond=0) - CLOCK_TYPED:
        raise Invalid("ends_at: not in the past", fields={"ends_at": ["before_now"]},
                      dates={"now": now})
    today = now.astimezone(JST).date()  # (not before now: checked to the minute above)
    day_to_come(max(ends_at.astimezone(JST).date(), today), "ends_at", today)
    previous = proposal.comments_until
    proposal.comments_until = ends_at
    session.flush()
    record(session, proposal, actor, EventAction.comment_period,
           data={"until": ends_at.isoformat(),
                 "previous": previous.isoformat() if previous else None})
    session.flush()
    return proposal


# How long the same comment (name and text) on the same proposal is refused as a repeat:
# a double click, a reload that posts again, or one person pasting it over and over.
REPEAT_WINDOW = timedelta(minutes=10)


@conflict_on_concurrent_change
def add_comment(session: Session, proposal: Proposal, *, name: str, body: str,
                now: datetime | None = None) -> Comment:
    """A citizen's comment: open while the proposal's state takes comments and its
    comment period (if the liaison set one) has not ended.  A comment with a phone
    number, e-mail address or postal code in it is held until the lead liaison or the
    office publishes it (:mod:`.moderation`).  The same name and text posted again on
    the proposal within :data:`REPEAT_WINDOW` (whatever became of the first: held,
    hidden) is refused (409 ``duplicate_comment``); a text someone else wrote too, under
    another name, is not a repeat."""
    if not proposal.is_published:
        raise NotFound("no such proposal")
    if not proposal.comment_period().open:
        raise Conflict("comments are open only while the proposal is in deliberation",
                       code="comments_closed")
    body = required_text(body, "body")
    now, _today = moment_of(now, None)
    if _posted_lately(session, proposal, name, body, now):
        raise Conflict("the same comment was posted a moment ago", code="duplicate_comment")
    comment = Comment(proposal=proposal, name=name, body=body, created_at=now)
    held = bool(comment_hits(comment))
    if held:  # a person looks at the contact details first (SPEC section 5)
        comment.status = CommentStatus.held
    else:
        comment.status = CommentStatus.published
        comment.public_name, comment.public_body = comment.name, comment.body
    session.add(comment)
    session.flush()
    record(session, proposal, PUBLIC, EventAction.comment, at=now,
           data={"comment": comment.id, **({"held": True} if held else {})})
    session.flush()
    return comment


def _posted_lately(session: Session, proposal: Proposal, name: str, body: str,
                   now: datetime) -> bool:
    """Whether this name and text were posted on ``proposal`` within the window: read
    through the comments' proposal index (a proposal's comments of ten minutes)."""
    return session.execute(
        select(Comment.id).where(Comment.proposal_id == proposal.id,
                                 Comment.created_at >= now - REPEAT_WINDOW,
                                 Comment.name == name, Comment.body == body).limit(1)
    ).first() is not None
