"""A citizen's support (賛同) of a proposal: an e-mail address to confirm it by, and an
optional name (SPEC sections 5 and 8).

The public page renders :class:`WebSupportForm` (CSRF, the honeypot and the fill timer,
as the comment form); ``POST /api/v1/proposals/{id}/supports`` validates its JSON through
:class:`SupportForm`.  The address is normalised as the proposal form normalises it, so
``ＨＡＮＡＫＯ@Example.JP`` and ``ＨＡＮＡＫＯ@example.jp`` are one supporter.  Whether
supports are open is not the form's business: ``intake.supports.operations`` decides.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.widgets import EmailInput

from intake.i18n import translate

from . import normalize
from .spam import SpamDefences
from .validators import Email, Length, Required, SingleLine

NAME_MAX = 100
EMAIL_MAX = 254
LABELS = {"email": "public.support.email", "name": "public.support.name"}


def _email(value):
    return normalize.email_address(value) if isinstance(value, str) else value


class SupportForm(FlaskForm):
    class Meta:
        csrf = False  # the API has no session to protect; the web subclass turns it on

    email = StringField(widget=EmailInput(), filters=[_email],
                        validators=[Required(), Length(0, EMAIL_MAX), Email()],
                        render_kw={"autocomplete": "email", "spellcheck": "false"})
    name = StringField(filters=[normalize.strip_ends],
                       validators=[SingleLine(), Length(0, NAME_MAX)],
                       render_kw={"autocomplete": "name"})

    def __init__(self, formdata: MultiDict | None = None, *, lang: str = "ja", **kwargs) -> None:
        self.lang = lang
        super().__init__(formdata=formdata, **kwargs)
        for field in self:
            name = field.short_name  # the page prefixes the names ("support-email")
            field.label.text = translate(LABELS.get(name, f"field.{name}"), lang)

    def support(self) -> dict[str, str]:
        """The keyword arguments of ``operations.request_support``."""
        return {"email": self.email.data, "name": self.name.data or ""}


class WebSupportForm(SpamDefences, SupportForm):
    """The public page's form: CSRF protected, with spam defences."""

    class Meta:
        csrf = FlaskForm.Meta.csrf
