"""A proposal's status as people read it: its state's name, except where the state
holds more than one outcome — an adoption in part sits in the state of an adoption, and a
badge reading 「採択」 over a ruling of 「一部採択」 overstates what the city decided."""

from __future__ import annotations

import workflows
from intake.i18n import translate
from intake.models import Proposal


def status_label(proposal: Proposal, lang: str) -> str:
    """The state's label in ``lang``, or the ruling's own decision when the workflow says
    it is a partial ruling of that state (:meth:`workflows.Workflow.is_partial_ruling`)."""
    return state_label_for(proposal, proposal.state, lang)


def state_label_for(proposal: Proposal, state: str | None, lang: str) -> str:
    """``state`` as it reads in this proposal's history (its timeline's 「協議中」から
    「一部採択」): the ruling's own decision for the state a partial ruling of the proposal
    is recorded in, else the state's label.  The proposal keeps one ruling, so every
    mention of that state in its history is that ruling's."""
    workflow = workflows.get_workflow(proposal.kind)
    if state is not None and workflow.is_partial_ruling(state, proposal.ruling_decision):
        return translate(f"ruling.decision.{proposal.ruling_decision}", lang)
    return workflow.state_label(state, lang) if state is not None else ""
