"""The shapes of SPEC section 8, as plain functions of rows.

One module decides what each audience sees, so the JSON API, the public pages and the
open-data export show the same fields and, above all, withhold the same ones:

- ``public_*``: anyone.  Never the proposer's name, organization, e-mail or phone —
  only ``proposer`` (the organization, else the name) when they agreed to publish it.
  The timeline shows the reasons the city publishes (:func:`reason_is_public`:
  rulings, transfers, deadline extensions) and no others; comments hidden by the
  office are left out (:func:`public_comments`).
- ``tracked_*``: the proposer through their private link.  Their own proposal with
  their own timeline, but no contact details: the link can be forwarded, and the
  proposer knows their own e-mail address.
- ``staff_*``: a liaison of the department or the office; adds personal data and
  ``version``.

The public pages render the same decisions: :func:`timeline_entries`,
:func:`public_proposer`, :func:`public_comments`, :func:`pending_question`.  Nothing
here reads Flask's request or the database: the language and ``today`` come in as
arguments, the events as a :class:`~intake.queries.History` loaded once per page.
"""

from __future__ import annotations

from datetime import date

import workflows
from forms.proposal import CITY_WIDE

from .attachments.shapes import public_attachments, staff_attachments
from .explain import guard_text
from .i18n import translate
from .links import Links
from .models import (
    Comment,
    DeliberationSession,
    District,
    OpinionRequest,
    Proposal,
    User,
)
from .privacy.public import (
    ProposalText,
    PublicComment,
    original_text,
    public_comments,
    public_text,
)
from .privacy.scan import Hit
from .privacy.text import comment_hits, fields_of, proposal_hits
from .queries import History
from .shapes import Json, iso_date, iso_datetime, named  # noqa: F401
from .timeline import (  # noqa: F401  (shapes the doors ask for by this module's name)
    PROPOSER_ACTOR,  # noqa: F401
    TimelineEntry,
    reason_is_public,
    timeline,
    timeline_entries,
)
from .workflow.status import status_label


def district_ref(district: District | None, lang: str) -> Json:
    """No district means city-wide, which is itself a choice (and a filter value)."""
    if district is None:
        return {"code": CITY_WIDE, "name": translate("field.district.citywide", lang)}
    return named(district, lang)


def ruling(proposal: Proposal) -> Json | None:
    if proposal.ruling_decision is None:
        return None
    answer: Json = {
        "decision": proposal.ruling_decision,
        "reason": proposal.ruling_reason or "",
        "reason_code": proposal.ruling_reason_code,
        "at": iso_datetime(proposal.ruled_at),
    }
    if proposal.ruling_scope:
        answer["scope"] = proposal.ruling_scope
    return answer


def public_proposer(proposal: Proposal) -> str | None:
    """How the public names the proposer: not at all unless they agreed
    (``publish_name``); then their organization when they gave one — a group's
    proposal is the group's — else their own name."""
    if not proposal.publish_name or proposal.contact is None:
        return None
    return proposal.contact.organization or proposal.contact.name or None


def deliberation_session(record: DeliberationSession) -> Json:
    return {
        "id": record.id,
        "held_at": iso_datetime(record.held_at),
        "place": record.place,
        "online": record.online,
        "agenda": record.agenda,
        "minutes": record.minutes,
        "participants": record.participants,
    }


def comment(record: PublicComment) -> Json:
    """A comment as the public reads it; a hidden one says so, and why, without its text."""
    return {
        "id": record.id,
        "name": record.name,
        "body": record.body,
        "at": iso_datetime(record.created_at),
        "hidden": record.hidden,
        "hidden_reason": record.hidden_reason,
    }


def staff_comment(record: Comment) -> Json:
    """Staff read what the commenter wrote, its status and what the public reads."""
    return {
        "id": record.id,
        "name": record.name or None,
        "body": record.body,
        "at": iso_datetime(record.created_at),
        "status": record.status,
        "public_name": record.public_name,
        "public_body": record.public_body,
        "hidden_reason": record.hidden_reason,
        "personal_data": [hit_json(hit) for hit in comment_hits(record)],
    }


def comment_receipt(record: Comment) -> Json:
    """The answer to the commenter: their comment, and whether it is public yet."""
    return {"id": record.id, "name": record.name or None, "body": record.body,
            "at": iso_datetime(record.created_at), "status": record.status}


def hit_json(hit: Hit) -> Json:
    return {"field": hit.field, "kind": hit.kind, "text": hit.text,
            "start": hit.start, "end": hit.end}


def text_input(transition: workflows.TransitionDef) -> workflows.InputDef | None:
    """The transition's first text input: what the proposer's one text box (a textarea
    on the tracking page, ``text`` in the tracking API) stands for — provide_info's
    answer, withdraw's reason.  None when it takes no text."""
    return next((spec for spec in transition.inputs.values() if spec.type == "text"), None)


def available_triggers(proposal: Proposal, role: str | None, lang: str) -> list[Json]:
    """What ``role`` may do now, with the inputs each action takes (the engine still
    decides: guards are not evaluated here)."""
    if role is None:
        return []
    workflow = workflows.get_workflow(proposal.kind)
    return [
        {
            "trigger": transition.trigger,
            "label": transition.label_in(lang),
            # What would refuse it now, said before anyone tries (guards, not inputs).
            "unmet": [{"guard": guard, "message": guard_text(guard, lang)}
                      for guard, _message in workflow.unmet_guards(proposal, transition)],
            "inputs": [
                {
                    "name": spec.name,
                    "label": spec.label_in(lang),
                    "required": spec.required,
                    "type": spec.type,
                    "choices": list(spec.choices),
                }
                for spec in transition.inputs.values()
            ],
        }
        for transition in workflow.available_triggers(proposal, role)
    ]


def state_label(proposal: Proposal, lang: str) -> str:
    """The status as the pages' badges read it: 一部採択 for an adoption in part."""
    return status_label(proposal, lang)


# --- the public -----------------------------------------------------------------------


def proposal_summary(proposal: Proposal, lang: str, text: ProposalText | None = None) -> Json:
    """A list item: the proposal without its timeline, sessions and comments.  ``text``
    is the public copy unless the caller (staff, the proposer) passes the original."""
    text = text or public_text(proposal)
    return {
        "id": proposal.id,
        "receipt": proposal.receipt,
        "kind": proposal.kind,
        "title": text.title,
        "category": named(proposal.category, lang),
        "department": named(proposal.lead_department, lang),
        "district": district_ref(proposal.district, lang),
        "state": proposal.state,
        "state_label": state_label(proposal, lang),
        "submitted_at": iso_datetime(proposal.submitted_at),
        "problem": text.problem,
        "proposal": text.proposal,
        "expected_effect": text.expected_effect,
        "role_split": text.role_split,
        "proposer": public_proposer(proposal),
        "ruling": ruling(proposal),
        # Confirmed supports (賛同): the figure, never who (intake.supports).
        "supports": proposal.supports_count or 0,
    }


def _deliberation(proposal: Proposal, lang: str, history: History, audience: str) -> Json:
    """Timeline, sessions and comments: what the public and the proposer both read (the
    comments as the public reads them)."""
    return {
        "timeline": timeline(history, audience=audience, kind=proposal.kind, lang=lang),
        "sessions": [deliberation_session(s) for s in proposal.sessions],
        "comments": [comment(c) for c in public_comments(proposal)],
    }


def public_proposal(proposal: Proposal, lang: str, history: History, links: Links) -> Json:
    return {**proposal_summary(proposal, lang),
            **_deliberation(proposal, lang, history, "public"),
            # published photos and documents only (intake.attachments.shapes)
            "attachments": public_attachments(proposal, links)}


# --- the proposer (private tracking link) -----------------------------------------------


def pending_question(proposal: Proposal, history: History) -> Json | None:
    """The open question while the workflow waits for the proposer: the reason of the
    transition that entered the current (clock-pausing) state.  Never public."""
    workflow = workflows.get_workflow(proposal.kind)
    state = workflow.states.get(proposal.state)
    if state is None or not state.pauses_clock:
        return None
    asked = next((e for e in reversed(history.events)
                  if e.action == "transition" and e.to_state == proposal.state), None)
    if asked is None:
        return None
    return {"question": asked.reason, "asked_at": iso_datetime(asked.at),
            "answer_by": iso_date(proposal.due_on)}


def tracked_proposal(proposal: Proposal, lang: str, history: History,
                     attachments: list[Json]) -> Json:
    """The proposer's own view: what they sent (``attachments``: their files, published
    or not, from :func:`intake.attachments.shapes.proposer_attachments`), where it stands."""
    return {
        **proposal_summary(proposal, lang, original_text(proposal)),
        **_deliberation(proposal, lang, history, "proposer"),
        "budget_total": proposal.budget_total,
        "city_share": proposal.city_share,
        "attachments": attachments,
        "published": proposal.is_published,
        "publish_name": proposal.publish_name,
        "pending_question": pending_question(proposal, history),
        "available_triggers": available_triggers(proposal, "proposer", lang),
    }


# --- staff -----------------------------------------------------------------------------


def staff_user(user: User | None) -> Json | None:
    return None if user is None else {"id": user.id, "name": user.display_name or user.email}


def staff_summary(proposal: Proposal, lang: str, today: date) -> Json:
    """A queue item: the summary plus what a liaison sorts and acts by.  No personal
    data in lists: it is one click away in the detail, for the few who need it."""
    return {
        **proposal_summary(proposal, lang, original_text(proposal)),
        "version": proposal.version,
        "assignee": staff_user(proposal.assignee),
        "due_on": iso_date(proposal.due_on),
        "overdue": proposal.is_overdue(today),
        "published": proposal.is_published,
        "review_pending": proposal.review_pending,
    }


def staff_detail(
    proposal: Proposal, lang: str, history: History, *, today: date, role: str | None,
    links: Links,
) -> Json:
    contact = proposal.contact
    return {
        **staff_summary(proposal, lang, today),
        "timeline": timeline(history, audience="staff", kind=proposal.kind, lang=lang),
        "sessions": [deliberation_session(s) for s in proposal.sessions],
        "comments": [staff_comment(c) for c in proposal.comments],
        "proposer_type": proposal.proposer_type.value,
        # A consulted department (``role`` None) gets no contact: ``access.sees_contact``.
        "proposer_name": contact.name if role else None,
        "organization": (contact.organization or None) if role else None,
        "email": (contact.email or None) if role else None,
        "phone": (contact.phone or None) if role else None,
        "publish_name": proposal.publish_name,
        "language": proposal.language,
        "budget_total": proposal.budget_total,
        "city_share": proposal.city_share,
        "withheld_reason": proposal.withheld_reason,
        "personal_data": [hit_json(hit) for hit in proposal_hits(proposal)],
        "publication": publication(proposal),
        "pending_question": pending_question(proposal, history),
        "available_triggers": available_triggers(proposal, role, lang),
        # every attachment, published or not, with its staff-only address
        "attachments": staff_attachments(proposal, links),
    }


def publication(proposal: Proposal) -> Json:
    """Where publication stands, and the public version staff compare with the original."""
    copy = proposal.published_text
    status = ("withheld" if proposal.withheld_reason is not None else
              "review_pending" if proposal.review_pending else
              "published" if proposal.is_published else "not_published")
    return {
        "status": status,
        "redactions": copy.redactions if copy is not None else 0,
        "public_text": fields_of(copy) if copy is not None else None,
    }


def opinion_request(request: OpinionRequest, lang: str) -> Json:
    return {
        "id": request.id,
        "proposal": request.proposal_id,
        "department": named(request.department, lang),
        "question": request.question,
        "status": request.status,
        "answer": request.answer or None,
        "due_on": iso_date(request.due_on),
        "requested_at": iso_datetime(request.requested_at),
        "answered_at": iso_datetime(request.answered_at),
        "proposal_version": request.proposal.version,
    }


def transition_result(proposal: Proposal) -> Json:
    return {"id": proposal.id, "state": proposal.state, "version": proposal.version}
