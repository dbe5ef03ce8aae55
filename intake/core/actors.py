"""Who does an action: a member of staff, the proposer (through the tracking link), the
public, or the system (worker, routing).  The audit log stores :attr:`Actor.ref`."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from intake.models import User


class ActorKind(enum.StrEnum):
    user = "user"
    proposer = "proposer"
    public = "public"
    system = "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    user: User | None = None
    label: str = ""

    @property
    def ref(self) -> str:
        """``user:<id>`` for staff, the kind for everyone else (events.actor)."""
        return f"user:{self.user.id}" if self.user is not None else str(self.kind)

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls(ActorKind.user, user, user.display_name or user.email)


PROPOSER = Actor(ActorKind.proposer)
PUBLIC = Actor(ActorKind.public)
SYSTEM = Actor(ActorKind.system)
