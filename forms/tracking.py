"""The look-up that sends a proposer a fresh tracking link: receipt number and the
e-mail address given on the form (``intake.proposals.tracking``)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.widgets import EmailInput

from intake.i18n import translate

from . import normalize
from .validators import Email, Length, Required

LABELS = {"receipt": "public.lookup.receipt", "email": "field.email"}


class TrackingLookupForm(FlaskForm):
    receipt = StringField(filters=[normalize.strip_ends],
                          validators=[Required(), Length(0, 40)],
                          render_kw={"autocomplete": "off", "spellcheck": "false"})
    email = StringField(widget=EmailInput(),
                        filters=[lambda v: normalize.email_address(v) if isinstance(v, str) else v],
                        validators=[Required(), Length(0, 254), Email()],
                        render_kw={"autocomplete": "email"})

    def __init__(self, formdata=None, *, lang: str = "ja", **kwargs) -> None:
        self.lang = lang
        super().__init__(formdata=formdata, **kwargs)
        for field in self:
            if field.name in LABELS:
                field.label.text = translate(LABELS[field.name], lang)
