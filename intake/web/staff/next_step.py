"""The staff page's "what you can do now": the actions, the recommended one first.

Which action is recommended comes from the workflow file, never from state names here:

1. the transition marked ``recommended = true`` for the current state (the workflow's
   usual next step, e.g. 協議を始める from 検討中), if its guards are met now;
2. in a state without such a step, the first transition in the file's order whose guards
   are met and which does not end the proposal (its destination is not final);
3. else, for an officer whose only part is to answer another department's request, the
   first such answer.

A marked step whose guards are not met yet (採択 without a deliberation record, 協議を始める
before the personal-data review) is not recommended, and no other step takes its place
(提案者に質問する is not what a proposal waiting to be published needs next): it comes
first, its precondition shown, so the officer sees what the next step needs.  Then the
other steps, then the operations of a proposal under way (sessions, the comment period,
deadlines, opinions), and last, apart, the actions that end or hand away the proposal
(``destructive``), each confirmed — but for a step the workflow marks as the usual next one
(an idea's answer, which ends it): that one is recommended, and still confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_wtf import FlaskForm

from workflows import TransitionDef


@dataclass
class Action:
    """One form on the page: what it does, where it posts, what the officer should know
    before sending it (``details``: label and text pairs), and how it last failed."""

    key: str  # "trigger:<name>", "transfer", "opinion_answer:<request id>" …
    title: str
    url: str
    form: FlaskForm
    details: list[tuple[str, str]] = field(default_factory=list)
    # The problems of the form just refused, each shown on a line of its own.
    errors: list[str] = field(default_factory=list)
    # Why it cannot be done yet (a workflow guard would refuse), said before the click.
    blocked: list[str] = field(default_factory=list)
    # Ends or hands away the proposal: styled apart and confirmed before sending.
    destructive: bool = False
    # The workflow transition this form fires (None for the other operations).
    step: TransitionDef | None = None
    # Where the step leads, in words (the destination state's label).
    outcome: str = ""
    recommended: bool = False
    open: bool = False  # its <details> is shown open: the recommended one, or the failed one

    @property
    def anchor(self) -> str:
        return "action-" + self.key.replace(":", "-")

    @property
    def apart(self) -> bool:
        """Shown apart, last: it ends or hands away the proposal and is not the step the
        workflow marks as the usual next one."""
        return self.destructive and not (self.step is not None and self.step.recommended)

    @property
    def ready_step(self) -> bool:
        """A workflow step the officer can take now without ending the proposal."""
        return self.step is not None and not self.blocked and not self.destructive


def recommended_action(actions: list[Action]) -> Action | None:
    """The action the page offers first (see the module's rules)."""
    marked = next((a for a in actions if a.step is not None and a.step.recommended), None)
    if marked is not None:  # the workflow's own next step, even one that ends it (an
        return marked if not marked.blocked else None  # idea's answer): still confirmed
    ready = [a for a in actions if a.ready_step]
    if ready:
        return ready[0]
    if any(a.step is not None for a in actions):
        return None
    return next((a for a in actions if a.key.startswith("opinion_answer:")), None)


def arrange(actions: list[Action], failed_key: str | None = None) -> list[Action]:
    """The actions in the page's order, the recommended one marked; the one that just
    failed is open (and only it), else the recommended one."""
    chosen = recommended_action(actions)
    if chosen is not None:
        chosen.recommended = True

    def rank(indexed: tuple[int, Action]) -> tuple:
        index, action = indexed
        next_step = action.step is not None and action.step.recommended
        return (action.apart, not action.recommended, not next_step,
                action.step is None, index)

    ordered = [a for _i, a in sorted(enumerate(actions), key=rank)]
    failed = next((a for a in ordered if a.key == failed_key), None)
    for action in ordered:
        action.open = action is failed if failed is not None else action.recommended
    return ordered


def split(actions: list[Action]) -> tuple[list[Action], list[Action]]:
    """The actions that keep the proposal here, and those that end or hand it away."""
    return ([a for a in actions if not a.apart], [a for a in actions if a.apart])
