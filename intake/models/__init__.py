"""All models, importable from one place (Alembic autogenerate reads Base.metadata)."""

from .base import Base, UTCDateTime, utcnow
from .events import ChainHead, Escalation, Event, OutboxMessage, OutboxStatus
from .organisation import ApiToken, Category, Department, District, Role, RoutingRule, User
from .proposals import (
    DELIBERATION,
    JST,
    Comment,
    CommentPeriod,
    DeliberationSession,
    OpinionRequest,
    Proposal,
    ProposerContact,
    ProposerType,
    parse_receipt,
    receipt_for,
)

__all__ = [
    "DELIBERATION", "CommentPeriod", "JST", "ApiToken", "Base", "Category", "ChainHead",
    "Comment", "DeliberationSession",
    "Department", "District", "Escalation", "Event", "OpinionRequest", "OutboxMessage",
    "OutboxStatus", "Proposal",
    "ProposerContact", "ProposerType", "Role", "RoutingRule", "UTCDateTime", "User",
    "parse_receipt", "receipt_for", "utcnow",
]
