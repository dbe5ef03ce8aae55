"""The unified proposal form (提案様式): SPEC section 2, in one place.

The web page renders :class:`WebProposalForm` (adds CSRF, a honeypot and a
fill timer); the JSON API and Open311 validate the same fields through
:class:`ProposalForm` with their JSON turned into form data.  Every rule of the
form lives here, so the three doors can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField

import workflows
from intake.attachments import CleanFile
from intake.i18n import LANGUAGE_NAMES, LANGUAGES, label_or, translate
from intake.models import ProposerType

from . import normalize
from .attachments import AttachmentsField
from .spam import SpamDefences
from .validators import (
    Email,
    Length,
    OneOf,
    Optional,
    Phone,
    Required,
    SingleLine,
    WholeYen,
    YesOrNo,
    rule_message,
)

CITY_WIDE = "city-wide"
strip = normalize.strip_ends
FALSE_VALUES = ("false", "False", "0", "off", "no", "")


def _filtered(fn):
    return lambda value: fn(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Submission:
    """What the form hands to ``operations.submit_proposal``: plain values,
    already validated and normalised, no WTForms inside."""

    kind: str
    title: str
    category: str
    problem: str
    proposal: str
    expected_effect: str
    role_split: str
    district: str | None
    budget_total: int | None
    city_share: int | None
    language: str
    proposer_type: str
    proposer_name: str
    organization: str
    email: str
    phone: str
    publish_name: bool
    # Clean copies of the photos and documents sent with it (intake.attachments).
    attachments: tuple[CleanFile, ...] = ()


class ProposalForm(FlaskForm):
    class Meta:
        csrf = False  # the API and Open311 authenticate differently; the web subclass turns it on

    # Each field's messages are its own: error.<field>.<rule> (forms/validators.py).
    messages = "error"
    # The rules that span fields, beside each field's validators' (tests check each has its
    # text in every language).
    CROSS_FIELD_RULES = (("organization", "required"), ("email", "required"),
                         ("city_share", "more_than_total"), ("consent", "required"))

    kind = RadioField(default="proposal", validate_choice=False, validators=[OneOf()])
    title = StringField(filters=[strip], validators=[Required(), SingleLine(), Length(5, 80)])
    category = SelectField(validate_choice=False, validators=[Required(choice=True), OneOf()])
    problem = TextAreaField(filters=[strip], validators=[Required(), Length(20, 4000)])
    proposal = TextAreaField(filters=[strip], validators=[Required(), Length(20, 4000)])
    expected_effect = TextAreaField(filters=[strip], validators=[Optional(), Length(0, 2000)])
    role_split = TextAreaField(filters=[strip], validators=[Optional(), Length(0, 2000)])
    district = SelectField(default=CITY_WIDE, validate_choice=False, validators=[OneOf()])
    budget_total = StringField(filters=[_filtered(normalize.whole_yen)],
                               validators=[Optional(), WholeYen()])
    city_share = StringField(filters=[_filtered(normalize.whole_yen)],
                             validators=[Optional(), WholeYen()])
    language = SelectField(validate_choice=False, validators=[OneOf()])
    proposer_type = RadioField(validate_choice=False, validators=[Required(choice=True), OneOf()])
    proposer_name = StringField(filters=[strip],
                                validators=[Required(), SingleLine(), Length(0, 100)])
    organization = StringField(filters=[strip], validators=[SingleLine(), Length(0, 100)])
    email = StringField(filters=[_filtered(normalize.email_address)],
                        validators=[Optional(), Length(0, 254), Email()])
    phone = StringField(filters=[_filtered(normalize.phone_number)],
                        validators=[Optional(), Phone()])
    publish_name = BooleanField(false_values=FALSE_VALUES, validators=[YesOrNo(FALSE_VALUES)])
    consent = BooleanField(false_values=FALSE_VALUES, validators=[YesOrNo(FALSE_VALUES)])
    attachments = AttachmentsField()

    def __init__(
        self,
        formdata: MultiDict | None = None,
        *,
        lang: str = "ja",
        categories: Iterable[tuple[str, str]] = (),
        districts: Iterable[tuple[str, str]] = (),
        **kwargs,
    ) -> None:
        """``categories``/``districts`` are (code, label) pairs from the database."""
        self.lang = lang
        super().__init__(formdata=formdata, **kwargs)
        if self.language.data is None:
            self.language.data = lang
        # A kind is a workflow (SPEC section 2): the built-in ones and a city's own.
        self.kind.choices = [(k, label_or(f"field.kind.{k}", lang, workflows.get_workflow(k)
                                          .label_in(lang))) for k in workflows.workflow_names()]
        self.category.choices = list(categories)
        self.district.choices = [(CITY_WIDE, translate("field.district.citywide", lang))]
        self.district.choices += list(districts)
        self.language.choices = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
        self.proposer_type.choices = [
            (t.value, translate(f"field.proposer_type.{t.value}", lang)) for t in ProposerType
        ]
        for field in self:
            field.label.text = translate(f"field.{field.name}", lang)

    # Rules that span fields: WTForms calls validate_<name> after the field's own.
    def validate_organization(self, field) -> None:
        if self.proposer_type.data not in (None, "", "individual") and not field.data:
            field.errors.append(rule_message(self, field, "required",
                                             "error.organization_required"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Not a validate_email: a blank e-mail's Optional() stops its whole chain, inline
        # validators included, so that rule never ran exactly when it mattered.
        if not self.email.data and not self.phone.data:
            self.email.errors.append(rule_message(self, self.email, "required",
                                                  "error.contact_required"))
            valid = False
        return valid

    def validate_city_share(self, field) -> None:
        total, share = self.budget_total.data, field.data
        if (
            total and share and total.isdigit() and share.isdigit()
            and int(share) > int(total)
        ):
            field.errors.append(rule_message(self, field, "more_than_total",
                                             "error.city_share_exceeds_total"))

    def validate_consent(self, field) -> None:
        if not field.data:
            field.errors.append(rule_message(self, field, "required", "error.consent"))

    def submission(self) -> Submission:
        district = self.district.data
        return Submission(
            kind=self.kind.data,
            title=self.title.data,
            category=self.category.data,
            problem=self.problem.data,
            proposal=self.proposal.data,
            expected_effect=self.expected_effect.data or "",
            role_split=self.role_split.data or "",
            district=None if district in (None, "", CITY_WIDE) else district,
            budget_total=int(self.budget_total.data) if self.budget_total.data else None,
            city_share=int(self.city_share.data) if self.city_share.data else None,
            language=self.language.data,
            proposer_type=self.proposer_type.data,
            proposer_name=self.proposer_name.data,
            organization=self.organization.data or "",
            email=self.email.data or "",
            phone=self.phone.data or "",
            publish_name=bool(self.publish_name.data),
            attachments=tuple(self.attachments.cleaned),
        )


def formdata_from_json(payload: Mapping[str, object]) -> MultiDict:
    """JSON values as form data, so JSON is validated by exactly the same
    rules as the web form: ``true``→``"y"``, ``false``/``null``→``""``,
    numbers as their text, a list of texts as repeated values.  Nested objects are
    not valid for any field; they are kept as text and fail that field's rule by name."""
    data = MultiDict()
    for key, value in payload.items():
        if value is True:
            data[key] = "y"
        elif value is False or value is None:
            data[key] = ""
        elif isinstance(value, (int, float)):
            data[key] = str(value)
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            # A list of texts: one value each, as repeated form fields send them (only a
            # TextListField takes it; any other field refuses a list by name).
            for item in value:
                data.add(key, item)
        else:
            data[key] = value if isinstance(value, str) else repr(value)
    return data


class WebProposalForm(SpamDefences, ProposalForm):
    """The public page's form: CSRF protected, with spam defences."""

    class Meta:
        # Flask-WTF's own switch: on unless WTF_CSRF_ENABLED says otherwise.
        csrf = FlaskForm.Meta.csrf
