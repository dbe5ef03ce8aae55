"""Helpers shared by the ``tests/test_workflow_*.py`` files: walking a proposal into any
state through the real operations, the actors of SPEC section 1, and a footprint of
everything an action may change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.core.actors import PROPOSER, PUBLIC, SYSTEM, Actor
from intake.models import ChainHead, Event, OpinionRequest, OutboxMessage, Proposal
from tests import ops as operations
from workflows.calendar import today_jst

# A valid value for every input of the built-in workflows' triggers.
# A year whose 31 March is always to come and inside the calendar's horizon, for the dates
# an officer sets (a hard-coded year fails the "not before today" rule once it has passed).
FUTURE_YEAR = today_jst().year + 3

INPUTS: dict[str, dict[str, str]] = {
    "accept": {},
    "request_info": {"question": "場所はどこですか。"},
    "provide_info": {"answer": "駅前公園の北側です。"},
    "open_deliberation": {},
    "adopt": {"reason": "協議の結果、効果が見込まれるため。"},
    "reject": {"reason": "既に同じ事業を実施しているため。", "reason_code": "already_done"},
    "withdraw": {},
    "start_implementation": {"due_on": f"{FUTURE_YEAR}-03-31"},
    "evaluate": {"evaluation": "利用者が増えた。"},
    "answer": {"answer": "ご意見を参考にします。"},
}

# How to reach each state of the built-in workflows from ``submitted``. "session" records
# a deliberation session, which the adopt guard needs.
PATHS: dict[str, dict[str, tuple[str, ...]]] = {
    "proposal": {
        "submitted": (),
        "in_review": ("accept",),
        "awaiting_proposer": ("accept", "request_info"),
        "in_deliberation": ("accept", "open_deliberation"),
        "adopted": ("accept", "open_deliberation", "session", "adopt"),
        "implementing": ("accept", "open_deliberation", "session", "adopt",
                         "start_implementation"),
        "evaluated": ("accept", "open_deliberation", "session", "adopt",
                      "start_implementation", "evaluate"),
        "rejected": ("accept", "reject"),
        "withdrawn": ("withdraw",),
    },
    "idea": {
        "submitted": (),
        "in_review": ("accept",),
        "awaiting_proposer": ("accept", "request_info"),
        "answered": ("accept", "answer"),
        "withdrawn": ("withdraw",),
    },
}

PROPOSER_TRIGGERS = frozenset({"provide_info", "withdraw"})


def lead(proposal: Proposal) -> Actor:
    """The liaison the proposal is assigned to (its lead department's officer)."""
    return Actor.staff(proposal.assignee)


def record_deliberation(session: Session, proposal: Proposal, actor: Actor | None = None):
    return operations.record_session(
        session, proposal, actor or lead(proposal),
        held_at=datetime.now(UTC), place="市民会館", online=False,
        agenda="提案の説明", minutes="意見交換をした。", participants=12,
    )


def walk(session: Session, proposal: Proposal, state: str, *, today: date | None = None):
    """Move ``proposal`` from ``submitted`` into ``state`` with the real operations, one
    committed action per step, as the lead liaison (the proposer for their triggers)."""
    for step in PATHS[proposal.kind][state]:
        if step == "session":
            record_deliberation(session, proposal)
        else:
            actor = PROPOSER if step in PROPOSER_TRIGGERS else lead(proposal)
            operations.fire_trigger(session, proposal, step, actor, INPUTS[step], today=today)
        session.commit()
    assert proposal.state == state
    return proposal


@dataclass(frozen=True)
class Footprint:
    """Everything an action on one proposal may change, read from the database."""

    state: str
    version: int
    due_on: date | None
    events: int
    transitions: int
    outbox: int
    open_opinions: int
    chain_seq: int | None


def footprint(session: Session, proposal_id: int) -> Footprint:
    """Read with column queries, so nothing the session remembers can hide a change."""
    state, version, due_on = session.execute(
        select(Proposal.state, Proposal.version, Proposal.due_on)
        .where(Proposal.id == proposal_id)
    ).one()

    def count(model, *where) -> int:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar()

    return Footprint(
        state=state,
        version=version,
        due_on=due_on,
        events=count(Event, Event.proposal_id == proposal_id),
        transitions=count(Event, Event.proposal_id == proposal_id,
                          Event.action == "transition"),
        outbox=count(OutboxMessage, OutboxMessage.proposal_id == proposal_id),
        open_opinions=count(OpinionRequest, OpinionRequest.proposal_id == proposal_id,
                            OpinionRequest.status == "open"),
        chain_seq=session.execute(
            select(ChainHead.seq).where(ChainHead.chain == f"P{proposal_id}")
        ).scalar(),
    )


def last_event(session: Session, proposal_id: int) -> Event:
    return session.execute(
        select(Event).where(Event.proposal_id == proposal_id).order_by(Event.seq.desc())
        .limit(1).execution_options(populate_existing=True)
    ).scalar_one()


def events_after(session: Session, proposal_id: int, seq: int) -> list[Event]:
    return list(session.execute(
        select(Event).where(Event.proposal_id == proposal_id, Event.seq > seq)
        .order_by(Event.seq).execution_options(populate_existing=True)
    ).scalars())


def actors(city) -> dict[str, Actor]:
    """Every kind of actor, for a proposal led by the roads division (which has a primary
    liaison and a deputy): name → actor."""
    return {
        "lead_primary": Actor.staff(city.roads_primary),
        "lead_deputy": Actor.staff(city.roads_deputy),
        "office": Actor.staff(city.office_user),
        "admin": Actor.staff(city.admin_user),
        "other_liaison": Actor.staff(city.parks_liaison),
        "proposer": PROPOSER,
        "public": PUBLIC,
        "system": SYSTEM,
    }


# The workflow role each actor above has on a roads proposal (None: no role at all).
ROLE_OF = {
    "lead_primary": "liaison",
    "lead_deputy": "liaison",
    "office": "office",
    "admin": "office",
    "other_liaison": None,
    "proposer": "proposer",
    "public": None,
    "system": "system",
}
