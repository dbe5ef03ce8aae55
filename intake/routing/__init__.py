"""Routing (SPEC section 4): the rules that pick a proposal's lead department and
liaison (:mod:`.rules`), and moving a proposal to another department (:mod:`.operations`)."""

from .rules import RouteDecision, choose_assignee, choose_department

__all__ = ["RouteDecision", "choose_assignee", "choose_department"]
