"""Staff forms: what every staff form shares (its language, labels, the fields that turn
text into dates, moments and numbers), the login form and the queue's filters.

The forms of the actions on a proposal are :mod:`forms.actions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import ClassVar

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import ValidationError
from wtforms.widgets import (
    DateInput,
    DateTimeLocalInput,
    EmailInput,
    SearchInput,
)

from intake.i18n import translate
from intake.models import JST
from intake.search import MAX_QUERY
from intake.security.passwords import password_problem

from .validators import Required, message

# What browsers send for <input type="datetime-local">: with seconds when a step asks.
DATETIME_LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


class StaffForm(FlaskForm):
    """A staff form in the officer's language.

    Every field's label is ``staff.field.<name>`` unless ``label_keys`` names another key
    (one word, two meanings: the ``reason`` to extend is public, the one to transfer is not);
    ``hint_keys`` gives a field the hint shown under its label.  ``prefix_name`` prefixes
    the field ids, unless the caller gives a ``prefix`` (one form per opinion request).
    """

    label_keys: ClassVar[Mapping[str, str]] = {}
    hint_keys: ClassVar[Mapping[str, str]] = {}
    prefix_name: ClassVar[str] = ""

    def __init__(self, formdata=None, *, lang: str = "ja", **kwargs) -> None:
        self.lang = lang
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(formdata=formdata, **kwargs)
        for field in self:
            if getattr(field.widget, "input_type", None) != "hidden":
                field.label.text = self._label(field)

    def _label(self, field: Field) -> str:
        name = field.short_name
        return translate(self.label_keys.get(name, f"staff.field.{name}"), self.lang)

    @classmethod
    def from_json(cls, payload: Mapping[str, object], *, lang: str, **kwargs) -> StaffForm:
        """The same form filled from an API request's JSON object: no CSRF (the API
        authenticates with a bearer token) and no field prefix, so the JSON names are
        the field names.  Validated by exactly the rules the page uses."""
        from .proposal import formdata_from_json

        kwargs.setdefault("prefix", "")
        return cls(formdata_from_json(payload), lang=lang, meta={"csrf": False}, **kwargs)

    def hint_for(self, field: Field) -> str | None:
        key = self.hint_keys.get(field.short_name)
        return translate(key, self.lang) if key else None


# --- fields that turn text into the types the operations take -------------------------------


class WholeNumberField(IntegerField):
    """An integer field whose text, when not a number, leaves ``data`` None for the form to
    complain about in the officer's language (WTForms' own complaint is English)."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


class _ParsedField(StringField):
    """Text the browser sends for a date control, with ``parsed`` the parsed form of it (None
    when it is not one); a field with text that does not parse gets ``error_key``."""

    error_key: ClassVar[str]

    @property
    def parsed(self):
        raise NotImplementedError

    def post_validate(self, form, validation_stopped: bool) -> None:
        if not validation_stopped and self.parsed is None:
            raise ValidationError(message(form, self, self.error_key))


class JapanTimeField(_ParsedField):
    """A moment: ISO 8601 with its offset (``2026-04-01T18:30:00+09:00``, what the API
    sends) or, without one, ``<input type="datetime-local">``'s text read as Japan time."""

    widget = DateTimeLocalInput()
    error_key = "staff.error.datetime"

    @property
    def parsed(self) -> datetime | None:
        text = (self.data or "").strip()
        for layout in DATETIME_LOCAL_FORMATS:
            try:
                return datetime.strptime(text, layout).replace(tzinfo=JST)
            except ValueError:
                continue
        try:
            moment = datetime.fromisoformat(text)
            if moment.utcoffset() is None:
                return None
            moment.astimezone(UTC)  # a moment so early it has no UTC (0001-01-01+09:00)
        except (ValueError, OverflowError):
            return None
        return moment


class DayField(_ParsedField):
    """``<input type="date">``: a calendar day, ``2026-03-31``."""

    widget = DateInput()
    error_key = "staff.error.date"

    @property
    def parsed(self) -> date | None:
        try:
            return date.fromisoformat((self.data or "").strip())
        except ValueError:
            return None


class LoginForm(StaffForm):
    email = StringField(widget=EmailInput(), validators=[Required()],
                        render_kw={"autocomplete": "username"})
    password = PasswordField(validators=[Required()],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class PasswordChangeForm(StaffForm):
    """A new password for the signed-in officer: the current one, the new one twice.
    The rules of a new password are :func:`intake.security.passwords.password_problem`'s;
    whether the current one is right is the operation's to say."""

    current_password = PasswordField(validators=[Required()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(validators=[Required()],
                                 render_kw={"autocomplete": "new-password"})
    new_password_again = PasswordField(validators=[Required()],
                                       render_kw={"autocomplete": "new-password"})
    hint_keys: ClassVar[Mapping[str, str]] = {"new_password": "staff.password.intro"}

    def __init__(self, formdata=None, *, user_inputs: Iterable[str] = (), **kwargs) -> None:
        self.user_inputs = list(user_inputs)
        super().__init__(formdata, **kwargs)

    def validate_new_password(self, field) -> None:
        if problem := password_problem(field.data or "", self.user_inputs):
            raise ValidationError(translate(problem, self.lang))

    def validate_new_password_again(self, field) -> None:
        if field.data != self.new_password.data:
            raise ValidationError(translate("staff.password.mismatch", self.lang))


class PasswordSetForm(PasswordChangeForm):
    """A password set from a mailed link (an invitation, a forgotten password): the new
    one twice; the link stands for the current one."""

    hint_keys: ClassVar[Mapping[str, str]] = {"new_password": "staff.password_link.rules"}

    def __init__(self, formdata=None, **kwargs) -> None:
        super().__init__(formdata, **kwargs)
        del self.current_password


class ForgotPasswordForm(StaffForm):
    """The address of the account whose password is forgotten."""

    prefix_name = "forgot"
    email = StringField(widget=EmailInput(), validators=[Required()],
                        render_kw={"autocomplete": "username", "required": True})


class TotpForm(StaffForm):
    """A 6-digit code from the officer's authenticator app."""

    code = StringField(validators=[Required()],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                                  "pattern": "[0-9 ]*", "spellcheck": "false"})


# --- the queue ---------------------------------------------------------------------------


class QueueFilterForm(StaffForm):
    """The queue's filters: a GET form (no CSRF: it changes nothing).  The query reads the
    same arguments through ``queries.Filters.from_args``; this form only renders them."""

    class Meta:
        csrf = False

    state = SelectField(validate_choice=False)
    department = SelectField(validate_choice=False)
    category = SelectField(validate_choice=False)
    district = SelectField(validate_choice=False)
    # The browser keeps a search within what the queue accepts.
    q = StringField(widget=SearchInput(), render_kw={"maxlength": MAX_QUERY})
    overdue = BooleanField(false_values=("", "0", "false"))
    mine = BooleanField(false_values=("", "0", "false"))
    open = BooleanField(false_values=("", "0", "false"))

    def __init__(
        self,
        formdata=None,
        *,
        lang: str = "ja",
        states: Iterable[tuple[str, str]] = (),
        departments: Iterable[tuple[str, str]] | None = None,
        categories: Iterable[tuple[str, str]] = (),
        districts: Iterable[tuple[str, str]] = (),
        **kwargs,
    ) -> None:
        """``departments`` None: the user sees one department only; the filter is left out."""
        super().__init__(formdata, lang=lang, **kwargs)
        every = ("", translate("staff.filter.all", lang))
        self.state.choices = [every, *states]
        self.category.choices = [every, *categories]
        self.district.choices = [
            every, ("city-wide", translate("field.district.citywide", lang)), *districts
        ]
        if departments is None:
            del self.department
        else:
            self.department.choices = [
                every, ("triage", translate("staff.triage", lang)), *departments
            ]
