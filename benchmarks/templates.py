"""The generator's templates (benchmarks/generate.py, phase 1): proposals made by the
application's own operations, as a door would call them.

``teian init``'s organisation and ``teian demo``'s officers and 32 sample proposals (their
workflow paths and deliberation sessions), repeated until there are ``count``; then, on
each, what citizens and departments add — comments, supports asked and confirmed by the
link mailed, an opinion asked of another department and (every other time) answered.
An action the rules refuse in the proposal's state is skipped: it is not something the
application could have written.
"""

from __future__ import annotations

from sqlalchemy import select

import workflows
from intake.core.actors import Actor
from intake.deliberation.operations import add_comment
from intake.demo import PROPOSALS, _create_proposals, load_demo
from intake.errors import ActionError
from intake.links import Links
from intake.models import Department, Proposal, Role, User
from intake.opinions.operations import answer_opinion, request_opinion
from intake.seed import load_defaults
from intake.supports.operations import confirm_support, request_support, supports_open

QUESTION = "歩道の幅と交通量の点から、設置できるかご意見をお願いします。"
ANSWER = "現地を確認しました。歩道の幅は十分で、設置に支障はありません。"
COMMENTS = ["駅前のベンチはお年寄りに本当に必要です。賛成します。",
            "私も同じことを感じていました。ぜひ進めてください。"]


class CapturingLinks(Links):
    """The app's links, remembering each support confirmation token it is given (what
    the citizen would click in the mail)."""

    tokens: list[str]

    def confirm_support(self, token: str) -> str:
        self.tokens.append(token)
        return super().confirm_support(token)


def drive(app, session, count: int) -> None:
    links = CapturingLinks.for_app(app, "http://127.0.0.1")
    links.tokens = []
    load_defaults(session)
    session.commit()
    load_demo(session, links)
    samples = PROPOSALS.read_text().count("[[proposals]]")
    for _ in range(max(0, count // samples - 1)):
        _create_proposals(session, links)
        session.commit()
    office = session.execute(select(User).where(User.role == Role.office)).scalars().first()
    departments = list(session.execute(
        select(Department).where(Department.active.is_(True), Department.is_office.is_(False))
        .order_by(Department.id)).scalars())
    proposals = list(session.execute(select(Proposal).order_by(Proposal.id)).scalars())
    for number, proposal in enumerate(proposals):
        _extras(session, links, proposal, number, office, departments)
        session.commit()


def _attempt(action, *args, **kwargs):
    """The action's result, or None when its rules refuse it in this state."""
    try:
        return action(*args, **kwargs)
    except ActionError:
        return None


def _extras(session, links: CapturingLinks, proposal: Proposal, number: int, office: User,
            departments: list[Department]) -> None:
    lead = Actor.staff(proposal.assignee or office)
    if number % 3 == 0 and proposal.lead_department is not None:
        other = next(d for d in departments if d.id != proposal.lead_department_id)
        request = _attempt(request_opinion, session, proposal, other.code, lead,
                           question=QUESTION, links=links)
        if request is not None and number % 2 == 0:
            _attempt(answer_opinion, session, request, Actor.staff(office), answer=ANSWER,
                     links=links)
    for index, body in enumerate(COMMENTS[: number % 3]):
        _attempt(add_comment, session, proposal, name=f"市民{number}-{index}", body=body)
    state = workflows.get_workflow(proposal.kind).states.get(proposal.state)
    if state is not None and supports_open(proposal):
        links.tokens.clear()
        for index in range(number % 4):
            request_support(session, proposal, f"supporter{number}-{index}@example.jp",
                            f"賛同者{index}", links=links, language="ja")
        for token in links.tokens[: max(0, len(links.tokens) - 1)]:
            confirm_support(session, token)
