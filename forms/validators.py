"""Validators that speak the user's language and name the field and rule.

WTForms' stock validators format one fixed message at import time; ours ask
the catalogue at validation time, in the language the form was built for.
"""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email
from wtforms import Field, Form
from wtforms.validators import StopValidation, ValidationError

from intake.i18n import catalogue, translate


def message(form: Form, field: Field, key: str, **params: object) -> str:
    """A generic message with the field's label pasted in: the fallback for fields that
    have no text of their own (a city's own workflow inputs, the staff forms)."""
    return translate(key, form.lang, field=field.label.text, **params)


def rule_message(form: Form, field: Field, rule: str, generic: str, **params: object) -> str:
    """The message written for this field and rule (GOV.UK's error-message patterns:
    "Enter a title", "Select a theme"), else ``generic`` with the label pasted in.

    A form names its catalogue prefix in ``messages`` ("error" for the proposal form, so
    ``error.title.required``); a form without one gets the generic texts."""
    prefix = getattr(form, "messages", None)
    key = f"{prefix}.{field.name}.{rule}" if prefix else None
    if key and key in catalogue():
        return translate(key, form.lang, field=field.label.text, **params)
    return message(form, field, generic, **params)


def _blank(field: Field) -> bool:
    return field.data is None or (isinstance(field.data, str) and not field.data.strip())


class Required:
    """Stop validation of an empty field with "enter/choose <field>"."""

    field_flags = {"required": True}
    rule = "required"

    def __init__(self, choice: bool = False) -> None:
        self.key = "error.required_choice" if choice else "error.required"

    def __call__(self, form: Form, field: Field) -> None:
        if _blank(field):
            field.errors[:] = []
            raise StopValidation(rule_message(form, field, self.rule, self.key))


class Optional:
    """Skip the remaining validators of an empty optional field."""

    field_flags = {"optional": True}

    def __call__(self, form: Form, field: Field) -> None:
        if _blank(field):
            field.errors[:] = []
            raise StopValidation()


class SingleLine:
    """One line: no line breaks or other control characters (U+2028/2029 included).
    A title becomes a mail subject and a page heading; a line break there is never
    what the writer meant, and in a mail header it is an injection."""

    rule = "single_line"

    def __call__(self, form: Form, field: Field) -> None:
        value = field.data or ""
        if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
            raise ValidationError(rule_message(form, field, self.rule, "error.single_line"))


class YesOrNo:
    """A tick box's value is one of the words for yes or no.  The page's box sends ``y``
    or nothing; the API and Open311 turn ``true``/``false`` into those.  WTForms reads
    any other text as ticked, so ``"consent": "maybe"`` would have counted as consent
    to the handling of personal data, and as a wish to publish one's name."""

    rule = "yes_or_no"
    YES = ("y", "yes", "true", "True", "1", "on")

    def __init__(self, no: tuple[str, ...]) -> None:
        self.known = (*self.YES, *no)

    def __call__(self, form: Form, field: Field) -> None:
        if field.raw_data and field.raw_data[0] not in self.known:
            raise ValidationError(rule_message(form, field, self.rule, "error.yes_or_no"))


class Length:
    """``min``–``max`` characters (code points, as the citizen counts them); the message
    says how many were typed."""

    rule = "length"

    def __init__(self, min: int = 0, max: int = 0) -> None:
        self.min, self.max = min, max

    def __call__(self, form: Form, field: Field) -> None:
        length = len(field.data or "")
        if self.min and length < self.min or length > self.max:
            key = "error.length_between" if self.min else "error.length_max"
            raise ValidationError(rule_message(form, field, self.rule, key, min=self.min,
                                               max=self.max, length=length))


class Email:
    rule = "invalid"

    def __call__(self, form: Form, field: Field) -> None:
        try:
            validate_email(field.data, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(rule_message(form, field, self.rule, "error.email")) from exc


class Phone:
    """Digits and hyphens, with 6 to 15 digits (E.164's ceiling); an international
    number may begin with ``+``."""

    rule = "invalid"

    def __call__(self, form: Form, field: Field) -> None:
        value = field.data or ""
        digits = sum(c.isdigit() for c in value)
        national = value.removeprefix("+") if value.startswith("+") and value[1:2].isdigit() \
            else value
        if not all(c.isdigit() or c == "-" for c in national) or not 6 <= digits <= 15:
            raise ValidationError(rule_message(form, field, self.rule, "error.phone"))


class WholeYen:
    """A whole number of yen, 0 or more, below 10^15 (fits BIGINT).  A negative amount
    is told so (rule ``negative``: "0 or more"), and so is one too large (``too_large``),
    not asked for in another format."""

    rule = "invalid"
    other_rules = ("negative", "too_large")

    def __call__(self, form: Form, field: Field) -> None:
        value = field.data or ""
        if _digits(value) and len(value) > 15:  # a number, only too large: say so
            raise ValidationError(rule_message(form, field, "too_large", "error.whole_yen"))
        if not value.isascii() or not value.isdigit():
            negative = value.startswith("-") and _digits(value[1:])
            raise ValidationError(rule_message(form, field, "negative" if negative else self.rule,
                                               "error.whole_yen"))


def _digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


class OneOf:
    """The value is one of the field's choices (choices are data: categories
    and districts come from the database)."""

    rule = "choice"

    def __call__(self, form: Form, field: Field) -> None:
        allowed = {str(value) for value, _label in field.choices or []}
        if str(field.data) not in allowed:
            raise ValidationError(rule_message(form, field, self.rule, "error.choice"))
