"""The look-up of a lost tracking link: the receipt number and the e-mail address or the
phone number given on the form (``intake.proposals.tracking``; what each answers is
explained in :mod:`intake.web.tracking`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.widgets import EmailInput, TelInput

from intake.i18n import translate

from . import normalize
from .validators import Email, Length, Optional, Phone, Required, rule_message

LABELS = {"receipt": "public.lookup.receipt", "email": "field.email",
          "phone": "public.lookup.phone"}


def _text(normalise):
    return lambda value: normalise(value) if isinstance(value, str) else value


class TrackingLookupForm(FlaskForm):
    messages = "error.lookup"  # error.lookup.<field>.<rule> (forms/validators.py)
    CROSS_FIELD_RULES = (("email", "required"),)

    receipt = StringField(filters=[normalize.strip_ends],
                          validators=[Required(), Length(0, 40)],
                          render_kw={"autocomplete": "off", "spellcheck": "false"})
    email = StringField(widget=EmailInput(), filters=[_text(normalize.email_address)],
                        validators=[Optional(), Length(0, 254), Email()],
                        render_kw={"autocomplete": "email"})
    phone = StringField(widget=TelInput(), filters=[_text(normalize.phone_number)],
                        validators=[Optional(), Phone()], render_kw={"autocomplete": "tel"})

    def __init__(self, formdata=None, *, lang: str = "ja", **kwargs) -> None:
        self.lang = lang
        super().__init__(formdata=formdata, **kwargs)
        for field in self:
            if field.name in LABELS:
                field.label.text = translate(LABELS[field.name], lang)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Not validate_email: Optional() on a blank e-mail stops its inline validators too.
        if not self.email.data and not self.phone.data and not self.email.errors:
            self.email.errors.append(rule_message(self, self.email, "required",
                                                  "error.contact_required"))
            valid = False
        return valid
