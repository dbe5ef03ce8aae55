"""Who may see and act on which proposal (SPEC section 1).

One place for the object-level rule, asked by every staff page and API
call: a liaison acts only on proposals whose lead department is theirs,
sees those and the ones their department was asked an opinion on, and
answers only the opinion requests sent to their department; the office
(and admin) sees and acts on everything.
"""

from __future__ import annotations

from .models import OpinionRequest, Proposal, Role, User


def is_lead_liaison(user: User | None, proposal: Proposal) -> bool:
    return (
        user is not None
        and user.role == Role.liaison
        and user.department_id is not None
        and user.department_id == proposal.lead_department_id
    )


def can_view(user: User | None, proposal: Proposal) -> bool:
    if user is None or not user.active:
        return False
    if user.is_office:
        return True
    if is_lead_liaison(user, proposal):
        return True
    return any(r.department_id == user.department_id for r in proposal.opinion_requests)


def workflow_role(user: User | None, proposal: Proposal) -> str | None:
    """The role the workflow definition knows this user by, for this
    proposal: ``office``, ``liaison`` (of the lead department), or None."""
    if user is None or not user.active:
        return None
    if user.is_office:
        return "office"
    if is_lead_liaison(user, proposal):
        return "liaison"
    return None


def sees_contact(user: User | None, proposal: Proposal) -> bool:
    """Whether the proposer's name, organization, e-mail and phone are shown to this user:
    the lead department's liaisons and the office, who answer the proposer.  A department
    asked for its opinion reads the proposal to give one; who sent it and how to reach them
    is not needed for that (least privilege: the ordinance's proposals come with a promise
    that personal data is used for handling the proposal only)."""
    return workflow_role(user, proposal) is not None


def may_answer_opinion(user: User | None, request: OpinionRequest) -> bool:
    """A liaison of the consulted department, or the office, answers an
    opinion request; the lead department asked it and cannot answer it."""
    if user is None or not user.active:
        return False
    if user.is_office:
        return True
    return user.role == Role.liaison and user.department_id == request.department_id
