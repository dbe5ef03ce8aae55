"""Guards: named checks a workflow definition attaches to a transition.

A definition names guards as strings (``guards = ["deliberation_recorded"]``) so a city can
switch them on or off in TOML; the Python behind each name lives here, in :data:`GUARDS`.
A guard receives the subject (the app's proposal) and the transition's validated inputs and
returns ``None`` when it passes or a short English refusal message when it does not. The
message reaches the officer through :class:`~workflows.errors.GuardRefused`; the guard's name
doubles as an i18n key for the app's translated text.

Guards never import the app: they talk to the proposal only through :class:`GuardSubject`,
which keeps this package free of Flask and SQLAlchemy and lets tests use a tiny dataclass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol


class GuardSubject(Protocol):
    """What a guard may ask of a proposal. The app's proposal model implements these."""

    state: str

    @property
    def is_published(self) -> bool:
        """True while citizens can read it: published, and not withheld by the office."""
        ...

    def has_deliberation_record(self) -> bool:
        """True once a deliberation session is recorded, or a comment period has ended
        that citizens could read: the proposal is public and was published before it ended."""
        ...

    def open_opinion_requests(self) -> int:
        """How many opinion requests to co-departments are neither answered nor waived."""
        ...


Guard = Callable[[GuardSubject, Mapping[str, Any]], str | None]

GUARDS: dict[str, Guard] = {}
"""Registry name → guard. Definitions are validated against it when loaded."""


def register_guard(name: str) -> Callable[[Guard], Guard]:
    """Decorator adding a guard to :data:`GUARDS` under ``name``.

    Register before loading a definition that uses the name; loading checks every guard name.
    """

    def register(func: Guard) -> Guard:
        if name in GUARDS:
            raise ValueError(f"guard {name!r} is already registered")
        GUARDS[name] = func
        return func

    return register


@register_guard("published")
def published(subject: GuardSubject, inputs: Mapping[str, Any]) -> str | None:
    """Citizens can only take part in what they can read: a proposal waiting for its
    personal-data review, or withheld by the office, is not discussed with them yet."""
    if subject.is_published:
        return None
    return ("the proposal is not public: finish the personal-data review and publish it "
            "first (the office publishes one it withheld)")


@register_guard("deliberation_recorded")
def deliberation_recorded(subject: GuardSubject, inputs: Mapping[str, Any]) -> str | None:
    """Adoption needs evidence that citizens took part: a session, or a comment period
    that ended while they could read the proposal."""
    if subject.has_deliberation_record():
        return None
    return ("record a deliberation session, or end a comment period while the proposal is "
            "public, first")


@register_guard("opinions_settled")
def opinions_settled(subject: GuardSubject, inputs: Mapping[str, Any]) -> str | None:
    """A ruling must not overtake a co-department whose opinion is still awaited."""
    still_open = subject.open_opinion_requests()
    if not still_open:
        return None
    noun = "request is" if still_open == 1 else "requests are"
    return f"{still_open} opinion {noun} still open; each must be answered or waived"
