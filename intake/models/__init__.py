"""All models, importable from one place (Alembic autogenerate reads Base.metadata)."""

from .answers import AnswerTemplate
from .attachments import Attachment, FileSweep
from .base import Base, UTCDateTime, utcnow
from .counts import KeptBasis, MonthlyCount, OverdueCount, ProposalCount, RulingCount
from .events import (
    AuditCheckpoint,
    ChainHead,
    CheckpointHead,
    Escalation,
    Event,
    OutboxMessage,
    OutboxStatus,
)
from .organisation import (
    ApiToken,
    Category,
    Department,
    District,
    ReferenceStamp,
    Role,
    RoutingRule,
    User,
)
from .password_links import LinkPurpose, PasswordLink
from .proposals import (
    Comment,
    CommentPeriod,
    DeliberationSession,
    OpinionRequest,
    Proposal,
    ProposerContact,
    ProposerType,
    PublishedText,
)
from .receipts import JST, Receipt, parse_receipt, receipt_for
from .supports import Support
from .vocabularies import ACTOR_KINDS, CommentStatus, EventAction, OpinionStatus

__all__ = [
    "ACTOR_KINDS", "AnswerTemplate", "Attachment", "ApiToken", "AuditCheckpoint",
    "CheckpointHead", "Base",
    "Category", "ChainHead", "Comment",
    "CommentPeriod",
    "CommentStatus", "DeliberationSession", "Department", "District", "Escalation", "Event",
    "EventAction", "FileSweep", "JST", "KeptBasis", "LinkPurpose", "MonthlyCount", "OpinionRequest",
    "OpinionStatus",
    "OutboxMessage",
    "OutboxStatus",
    "OverdueCount", "PasswordLink", "Proposal", "ProposalCount", "ProposerContact",
    "ProposerType", "PublishedText",
    "Receipt", "ReferenceStamp", "Role",
    "RoutingRule", "RulingCount",
    "Support",
    "UTCDateTime", "User", "parse_receipt", "receipt_for", "utcnow",
]
