"""The closed lists the database keeps: each a ``StrEnum`` here and a CHECK constraint
on its column, so neither the code nor a hand-written UPDATE can store a word the rest
of the application does not know.  (Workflow states and triggers are not here: they are
the workflow files' data.)"""

from __future__ import annotations

import enum


class EventAction(enum.StrEnum):
    """What an audit event records (``events.action``)."""

    submit = "submit"
    route = "route"
    transfer = "transfer"
    transition = "transition"
    extend = "extend"
    escalate = "escalate"
    opinion_request = "opinion_request"
    opinion_answer = "opinion_answer"
    opinion_waive = "opinion_waive"
    session = "session"
    comment_period = "comment_period"
    comment = "comment"
    tracking_link = "tracking_link"
    # Personal data before publication (SPEC section 5): the review that publishes a
    # proposal (and later masks), the office's withholding, comment moderation.
    publication = "publication"
    withhold = "withhold"
    comment_publish = "comment_publish"
    comment_hide = "comment_hide"
    # The readings of a published title on the easy-Japanese pages were corrected.
    easy_title = "easy_title"
    # The office changed the city's configuration (system chain): data is
    # {"entity", "id", "op": create|update|deactivate|delete, "changes": {field: [old, new]}};
    # a new staff password is one too (entity users, op password_change|password_invite|
    # password_reset, changes {"password_changed_at": [old, new]}; never the password),
    # and so is an invitation mailed again (op invite, {"invitation_expires_at"}).
    admin_change = "admin_change"
    # An account locked after repeated wrong passwords (system chain): data is
    # {"user", "failures", "until"}.
    login_locked = "login_locked"
    # The retention purge erased personal data of a closed proposal: data is
    # {"erased_reasons": [seq, …]}, the events whose reasons it erased (audit.verify
    # accepts an erased reason only when a later purge event names it).
    personal_data_purged = "personal_data_purged"
    # An attachment published, or withheld (taken off) with an optional reason; data is
    # {"attachment": id}.  Withdrawal retracts them all (data: "attachments": [ids]).
    attachment_publish = "attachment_publish"
    attachment_withhold = "attachment_withhold"


class OpinionStatus(enum.StrEnum):
    """Where an opinion request (合議) stands."""

    open = "open"
    answered = "answered"
    waived = "waived"


class CommentStatus(enum.StrEnum):
    """Where a citizen's comment stands: public, held until a person has looked at the
    contact details the scan found in it, or hidden by the office with a reason."""

    published = "published"
    held = "held"
    hidden = "hidden"


ACTOR_KINDS = ("proposer", "public", "system")
"""``events.actor`` is one of these, or ``user:<id>`` for a member of staff."""


def check_in(column: str, enum_class: type[enum.StrEnum]) -> str:
    """The CHECK constraint's SQL: ``column IN ('a', 'b', …)``."""
    values = ", ".join(f"'{member.value}'" for member in enum_class)
    return f"{column} IN ({values})"
