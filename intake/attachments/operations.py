"""The actions on attachments: keep a submission's clean files, publish one, withhold one,
take them all off when the proposal is withdrawn, erase them with the personal data.

Every function takes the session, the actor and the storage (:mod:`.storage`) as
arguments, flushes and never commits; publishing and withholding are audited on the
proposal's chain.  Who may: the lead department's liaison and the office
(:func:`intake.core.checks.officer_role`, the rule of every other action).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from intake.core.actors import Actor
from intake.core.checks import officer_role
from intake.core.effects import record
from intake.errors import Conflict, Invalid
from intake.models import Attachment, EventAction, Proposal, utcnow

from .inspect import CleanFile
from .storage import Storage
from .sweep import GRACE, batches, referenced

NAME_MAX = 200
REASON_MAX = 2000


def display_name(name: str, clean: CleanFile) -> str:
    """The name shown and offered for download: the citizen's file name without folders or
    control characters, its extension the clean type's (a HEIC photo becomes ``.jpg``)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>')
    stem = base.rsplit(".", 1)[0].strip() if "." in base else base.strip()
    return f"{(stem or 'file')[:NAME_MAX - 5]}{clean.suffix}"


def keep_files(session: Session, proposal: Proposal, files: Iterable[CleanFile],
               storage: Storage, *, now: datetime | None = None) -> list[Attachment]:
    """Store each clean file (and its thumbnail) and add its row to ``proposal``, private."""
    now = now or utcnow()
    kept = []
    for clean in files:
        row = Attachment(
            proposal=proposal, name=display_name(clean.name, clean),
            content_type=clean.content_type, size=len(clean.data), width=clean.width,
            height=clean.height, storage_key=storage.put(clean.data, clean.suffix),
            thumbnail_key=storage.put(clean.thumbnail, ".jpg") if clean.thumbnail else None,
            created_at=now,
        )
        session.add(row)
        kept.append(row)
    session.flush()
    return kept


def _usable(attachment: Attachment) -> None:
    if attachment.purged_at is not None:
        raise Conflict("the attachment's file was erased with the personal data",
                       code="attachment_purged")


def publish_attachment(session: Session, attachment: Attachment, actor: Actor, *,
                       reason: str = "", now: datetime | None = None) -> Attachment:
    """Make the attachment public (on the proposal's public page once that is published)."""
    proposal = attachment.proposal
    officer_role(actor, proposal)
    _usable(attachment)
    now = now or utcnow()
    if attachment.published_at is None:
        attachment.published_at = now
    attachment.withheld_reason = None
    session.flush()
    record(session, proposal, actor, EventAction.attachment_publish, at=now,
           reason=_reason(reason), data={"attachment": attachment.id})
    session.flush()
    return attachment


def withhold_attachment(session: Session, attachment: Attachment, actor: Actor, *,
                        reason: str = "", now: datetime | None = None) -> Attachment:
    """Keep the attachment (or take it back) from the public, with an optional reason."""
    proposal = attachment.proposal
    officer_role(actor, proposal)
    _usable(attachment)
    now = now or utcnow()
    attachment.published_at = None
    attachment.withheld_reason = _reason(reason)
    session.flush()
    record(session, proposal, actor, EventAction.attachment_withhold, at=now,
           reason=attachment.withheld_reason, data={"attachment": attachment.id})
    session.flush()
    return attachment


def _reason(reason: object) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if len(text) > REASON_MAX:
        raise Invalid(f"reason: at most {REASON_MAX} characters", fields={"reason": ["length"]})
    return text


def retract_all(proposal: Proposal) -> list[int]:
    """The ``retract_attachments`` effect (a withdrawal): every published attachment
    leaves the public; the transition's own event lists them.  Returns their ids."""
    retracted = []
    for attachment in proposal.attachments:
        if attachment.published_at is not None:
            attachment.published_at = None
            attachment.withheld_reason = ""
            retracted.append(attachment.id)
    return retracted


def mark_erased(proposal: Proposal, *, now: datetime | None = None) -> list[str]:
    """The purge of personal data: every attachment of ``proposal`` becomes private and
    marked erased (the row stays for the audit log's sake).  Returns the storage keys to
    delete once this is committed (:func:`delete_unused`)."""
    now = now or utcnow()
    keys = []
    for attachment in proposal.attachments:
        if attachment.purged_at is None:
            attachment.purged_at = now
            attachment.published_at = None
        keys += [k for k in (attachment.storage_key, attachment.thumbnail_key) if k]
    return keys


def delete_unused(session: Session, storage: Storage, keys: Iterable[str], *,
                  now: datetime | None = None) -> int:
    """Delete each file no attachment that is not erased still uses (storage is
    content-addressed: the same photo sent with two proposals is one file).  Called after
    the commit that marked them, so a failed purge never loses a file it still needs.

    A file put within the sweep's grace period stays (:mod:`.sweep`): the same photo may be
    on its way in with a new proposal whose row is not committed yet.  The sweep takes it
    later if no row ends up referring to it."""
    before = (now or utcnow()) - GRACE
    deleted = 0
    for batch in batches(dict.fromkeys(keys)):
        used = referenced(session, batch)
        deleted += sum(storage.delete_if_older(key, before) for key in batch if key not in used)
    return deleted
