"""What Open311 GeoReport v2 says about Teian's data, as plain values for
:mod:`intake.open311.formats`.

- a *service* is a theme (category): citizens pick a theme, never a department;
- a *service definition* lists the unified form's fields that Open311 lacks as
  attributes, read off :class:`forms.proposal.ProposalForm` itself (labels, hints,
  choices and required flags), so the definition cannot drift from the rules that
  validate the POST;
- a *service request* is a published proposal, through the public text only
  (:func:`intake.privacy.public.public_text`): ``description`` is its problem text.
"""

from __future__ import annotations

from datetime import datetime, time
from functools import cache

from wtforms import BooleanField, Field, RadioField, SelectField, TextAreaField
from wtforms.fields.core import UnboundField

import workflows
from forms.proposal import ProposalForm
from intake.attachments.shapes import first_image_url
from intake.dates import people_date
from intake.i18n import catalogue, translate
from intake.links import Links
from intake.models import JST, Category, Proposal
from intake.privacy.public import public_text
from intake.shapes import iso_datetime

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The form fields Open311 carries itself: service_code, description, first_name and
# last_name, email, phone.  Every other field of the form is an attribute.
NATIVE_FIELDS = {"category": "service_code", "problem": "description",
                 "proposer_name": "first_name/last_name", "email": "email", "phone": "phone"}
# Files are not Open311 attributes (its own ``media_url`` is a link, which Teian does not
# fetch): photos come with the page's form or the JSON API's multipart body.
NOT_ATTRIBUTES = frozenset({"attachments"})
# Whole-yen amounts are numbers; everything else follows the WTForms field type.
NUMBER_FIELDS = ("budget_total", "city_share")


def service(category: Category, lang: str) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name(lang),
        "description": translate("open311.service.description", lang,
                                 theme=category.name(lang)),
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


def attribute_fields(form: ProposalForm) -> list[Field]:
    return [field for field in form if field.name in attribute_codes()]


@cache
def attribute_codes() -> frozenset[str]:
    """The form's fields that Open311 lacks, read off the form class itself."""
    names = {name for name in dir(ProposalForm)
             if isinstance(getattr(ProposalForm, name), UnboundField)}
    return frozenset(names - NATIVE_FIELDS.keys() - NOT_ATTRIBUTES)


def _datatype(field: Field) -> str:
    if field.name in NUMBER_FIELDS:
        return "number"
    if isinstance(field, (SelectField, RadioField, BooleanField)):
        return "singlevaluelist"
    return "text" if isinstance(field, TextAreaField) else "string"


def _values(field: Field, lang: str) -> list[dict] | None:
    if isinstance(field, BooleanField):
        return [{"key": "true", "name": translate("open311.value.true", lang)},
                {"key": "false", "name": translate("open311.value.false", lang)}]
    if isinstance(field, (SelectField, RadioField)):
        return [{"key": key, "name": name} for key, name in field.choices]
    return None


def _hint(field: Field, lang: str) -> str | None:
    key = f"field.{field.name}.hint"
    return translate(key, lang) if key in catalogue() else None


def _required(field: Field) -> bool:
    """Required by the form's own rules: a Required() validator, or consent (which
    must be given)."""
    return bool(field.flags.required) or field.name == "consent"


def service_definition(category: Category, form: ProposalForm, lang: str) -> dict:
    attributes = []
    for order, field in enumerate(attribute_fields(form), start=1):
        entry = {
            "variable": True,
            "code": field.name,
            "datatype": _datatype(field),
            "required": _required(field),
            "datatype_description": _hint(field, lang),
            "order": order,
            "description": field.label.text,
        }
        values = _values(field, lang)
        if values is not None:
            entry["values"] = values
        attributes.append(entry)
    return {"service_code": category.code, "attributes": attributes}


def is_closed(proposal: Proposal) -> bool:
    return workflows.get_workflow(proposal.kind).is_final(proposal.state)


def status_notes(proposal: Proposal, lang: str) -> str:
    """The Teian state in words, and the ruling's public reason once there is one; for a
    proposal not published, the state alone, saying why nothing else shows."""
    state = workflows.get_workflow(proposal.kind).state_label(proposal.state, lang)
    if not proposal.is_published:
        return translate("open311.status_notes.unpublished", lang, state=state)
    if proposal.ruling_reason:
        return translate("open311.status_notes.ruled", lang, state=state,
                         reason=proposal.ruling_reason)
    return state


def _expected(proposal: Proposal) -> str | None:
    """The end of the business day the department's next decision is due, while open."""
    if proposal.due_on is None or is_closed(proposal):
        return None
    return datetime.combine(proposal.due_on, time(23, 59, 59), JST).isoformat()


def service_request(proposal: Proposal, lang: str, links: Links) -> dict:
    """A request as GeoReport v2 shapes it.  One not published (its personal data not yet
    reviewed, or withheld by the office) is still there for the client that sent it to
    follow — SPEC section 8: clients "submit and follow" — with its status, service,
    department and dates, but none of its text or files."""
    department = proposal.lead_department
    published = proposal.is_published
    return {
        "service_request_id": str(proposal.id),
        "status": "closed" if is_closed(proposal) else "open",
        "status_notes": status_notes(proposal, lang),
        "service_name": proposal.category.name(lang),
        "service_code": proposal.category.code,
        "description": public_text(proposal).problem if published else None,
        "agency_responsible": department.name(lang) if department else None,
        "service_notice": None,
        "requested_datetime": iso_datetime(proposal.submitted_at),
        "updated_datetime": iso_datetime(proposal.state_entered_at),
        "expected_datetime": _expected(proposal),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        # the first published image (SPEC section 2); documents are not media
        "media_url": first_image_url(proposal, links) if published else None,
    }


def receipt_notice(proposal: Proposal, lang: str) -> str:
    """What the proposer can expect, said in the POST's answer: the receipt number, and
    who decides by when (or that the office routes it first)."""
    department = proposal.lead_department
    if department is None or proposal.due_on is None:
        return translate("open311.notice.triage", lang, receipt=proposal.receipt)
    return translate("open311.notice.routed", lang, receipt=proposal.receipt,
                     department=department.name(lang), due=people_date(proposal.due_on, lang))


def discovery(base_url: str, changeset: str, lang: str) -> dict:
    return {
        "changeset": changeset,
        "contact": translate("open311.discovery.contact", lang),
        "key_service": translate("open311.discovery.key_service", lang),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": base_url,
            "changeset": changeset,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
