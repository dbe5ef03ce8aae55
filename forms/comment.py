"""A citizen's comment on a proposal in deliberation (SPEC section 5).

The public page renders :class:`WebCommentForm` (adds CSRF, the honeypot and the
fill timer, as the proposal form does); ``POST /api/v1/proposals/{id}/comments``
validates its JSON through :class:`CommentForm` (``formdata_from_json``).  Whether
comments are open is not the form's business: ``operations.add_comment`` decides.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField

from intake.i18n import translate

from .normalize import strip_ends
from .spam import SpamDefences
from .validators import Length, Required, SingleLine

NAME_MAX = 100
BODY_MAX = 2000
# Catalogue keys of the labels; the spam defences' fields use the proposal form's.
LABELS = {"name": "public.comment.name", "body": "public.comment.body"}


class CommentForm(FlaskForm):
    class Meta:
        csrf = False  # the API has no session to protect; the web subclass turns it on

    messages = "error.comment"  # error.comment.<field>.<rule> (forms/validators.py)

    name = StringField(filters=[strip_ends], validators=[SingleLine(), Length(0, NAME_MAX)])
    body = TextAreaField(filters=[strip_ends], validators=[Required(), Length(1, BODY_MAX)])

    def __init__(self, formdata: MultiDict | None = None, *, lang: str = "ja", **kwargs) -> None:
        self.lang = lang
        super().__init__(formdata=formdata, **kwargs)
        for field in self:
            field.label.text = translate(LABELS.get(field.name, f"field.{field.name}"), lang)

    def comment(self) -> dict[str, str]:
        """The keyword arguments of ``operations.add_comment``: no name is anonymous."""
        return {"name": self.name.data or "", "body": self.body.data}


class WebCommentForm(SpamDefences, CommentForm):
    """The public page's form: CSRF protected, with spam defences."""

    class Meta:
        # Flask-WTF's own switch: on unless WTF_CSRF_ENABLED says otherwise.
        csrf = FlaskForm.Meta.csrf
