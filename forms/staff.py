"""Staff forms: login, the queue's filters, and the actions on a proposal's page.

The action forms only parse: they hold the CSRF token, the proposal ``version`` the officer
saw, and the values the operation needs, turned from text into the types it takes (a date, a
moment in Japan time, a whole number).  Whether an action is allowed and whether its values
are enough is the operation's decision (``operations.fire_trigger`` names the refusing guard
or field, ``operations.extend_deadline`` refuses an earlier date), so no rule of the workflow
is restated here.  The trigger form is built from the workflow definition's inputs: an input
added in TOML gets its field without touching Python.

Field ids are prefixed per action (``accept-version``, ``transfer-reason`` …) because one page
holds many of these forms at once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import date, datetime
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
    TextAreaField,
)
from wtforms.validators import ValidationError
from wtforms.widgets import (
    DateInput,
    DateTimeLocalInput,
    EmailInput,
    HiddenInput,
    NumberInput,
    SearchInput,
)

from intake.i18n import catalogue, translate
from intake.models import JST
from workflows import InputDef, Workflow

from .validators import Length, Optional, Required, message

# What browsers send for <input type="datetime-local">: with seconds when a step asks.
DATETIME_LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def label_or(key: str, lang: str, fallback: str) -> str:
    """The catalogue's text for ``key``, or ``fallback`` when it has none: a workflow file
    may bring choices, guards or roles the catalogue does not name yet."""
    return translate(key, lang) if key in catalogue() else fallback


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
    """``<input type="datetime-local">`` read as Japan time."""

    widget = DateTimeLocalInput()
    error_key = "staff.error.datetime"

    @property
    def parsed(self) -> datetime | None:
        for layout in DATETIME_LOCAL_FORMATS:
            try:
                return datetime.strptime(self.data or "", layout).replace(tzinfo=JST)
            except ValueError:
                continue
        return None


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


class VersionedForm(StaffForm):
    """An action on a proposal, sent with the ``version`` the officer saw, so that a change
    made meanwhile by someone else answers 409 instead of being overwritten."""

    version = WholeNumberField(widget=HiddenInput())

    def validate_version(self, field) -> None:
        if field.data is None or field.data < 1:
            raise ValidationError(translate("staff.error.version", self.lang))

    def refresh_version(self, version: int) -> None:
        """Carry ``version`` from now on, the typed values kept: the form is shown again
        beside the proposal as it now stands."""
        self.version.data, self.version.raw_data = version, [str(version)]


# --- workflow triggers -----------------------------------------------------------------


class TransitionForm(VersionedForm):
    """One trigger's form: ``version`` plus a field per input the transition declares."""

    input_specs: Mapping[str, InputDef] = {}

    @classmethod
    def for_trigger(
        cls, workflow: Workflow, state: str, trigger: str, formdata=None, *, lang: str, **kwargs
    ) -> TransitionForm:
        """The form of ``trigger`` as it leaves ``state`` (``reject`` asks for a reason code
        from in_review, not from in_deliberation), its fields prefixed by the trigger: one
        page shows several.  A trigger that cannot leave ``state`` gets the bare form; the
        operation then refuses it by name (and no form class is cached per typed URL)."""
        index = next(
            (i for i, t in enumerate(workflow.transitions)
             if t.trigger == trigger and state in t.sources),
            None,
        )
        form_class = cls if index is None else _transition_form_class(workflow, index)
        return form_class(formdata, lang=lang, prefix=trigger, **kwargs)

    def __init__(self, formdata=None, *, lang: str = "ja", **kwargs) -> None:
        super().__init__(formdata, lang=lang, **kwargs)
        for name, spec in self.input_specs.items():
            if spec.choices:
                self[name].choices = [("", translate("staff.choose", lang))] + [
                    (choice, label_or(f"staff.choice.{name}.{choice}", lang, choice))
                    for choice in spec.choices
                ]

    def _label(self, field: Field) -> str:
        spec = self.input_specs.get(field.short_name)
        return spec.label_in(self.lang) if spec else super()._label(field)

    def inputs(self) -> dict[str, str]:
        """The values typed, as the operation takes them (the engine checks them)."""
        return {name: self[name].data or "" for name in self.input_specs}


@functools.cache
def _transition_form_class(workflow: Workflow, index: int) -> type[TransitionForm]:
    """Built once per transition: workflows are loaded once per process."""
    transition = workflow.transitions[index]
    fields = {name: _input_field(spec) for name, spec in transition.inputs.items()}
    return type(
        f"{transition.trigger.title()}Form",
        (TransitionForm,),
        {"input_specs": transition.inputs, **fields},
    )


def _input_field(spec: InputDef) -> Field:
    render_kw = {"required": True} if spec.required else {}
    if spec.choices:
        return SelectField(validate_choice=False, render_kw=render_kw)
    if spec.type == "date":
        return StringField(widget=DateInput(), render_kw=render_kw)
    return TextAreaField(render_kw={"rows": 3, **render_kw})


# --- re-routing, opinions of other departments, deadlines -----------------------------------


class DepartmentForm(VersionedForm):
    """An action that names another department: ``departments`` are the (code, label) pairs
    the proposal may be sent to."""

    department = SelectField(validate_choice=False, render_kw={"required": True})

    def __init__(
        self, formdata=None, *, lang: str = "ja", departments: Iterable[tuple[str, str]] = (),
        **kwargs,
    ) -> None:
        super().__init__(formdata, lang=lang, **kwargs)
        self.department.choices = [("", translate("staff.choose", lang)), *departments]


class TransferForm(DepartmentForm):
    """Move the lead to another department (``operations.transfer_proposal``)."""

    prefix_name = "transfer"
    reason = TextAreaField(render_kw={"rows": 3, "required": True})


class OpinionRequestForm(DepartmentForm):
    """Ask another department for its opinion (``operations.request_opinion``)."""

    prefix_name = "opinion"
    label_keys = {"department": "staff.field.consulted_department"}
    hint_keys = {"due_in_days": "staff.hint.due_in_days"}
    question = TextAreaField(render_kw={"rows": 3, "required": True})
    due_in_days = WholeNumberField(widget=NumberInput(min=1), default=10,
                                   render_kw={"required": True})

    def validate_due_in_days(self, field) -> None:
        """Only that it is a number: how many days are enough is the operation's rule."""
        if field.data is None:
            raise ValidationError(message(self, field, "staff.error.whole_number"))


class OpinionAnswerForm(StaffForm):
    """The consulted department's answer (``operations.answer_opinion``).  One per open
    request on the page: the caller gives the ``prefix`` (``answer-<request id>``)."""

    answer = TextAreaField(render_kw={"rows": 4, "required": True})


class OpinionWaiveForm(StaffForm):
    """Stop waiting for an opinion, saying why (``operations.waive_opinion``); the caller
    gives the ``prefix`` (``waive-<request id>``)."""

    label_keys = {"reason": "staff.field.waive_reason"}
    reason = TextAreaField(render_kw={"rows": 3, "required": True})


class ExtendDeadlineForm(VersionedForm):
    """Move the running deadline later (``operations.extend_deadline``).  The reason is
    published on the proposal's public page, and the form says so under the field."""

    prefix_name = "extend"
    label_keys = {"reason": "staff.field.extend_reason"}
    hint_keys = {"reason": "staff.hint.extend_reason"}
    new_due_on = DayField(validators=[Required()], render_kw={"required": True})
    reason = TextAreaField(render_kw={"rows": 3, "required": True})


# --- deliberation: sessions and the comment period -----------------------------------------


class SessionForm(StaffForm):
    """A deliberation session (協議の記録).  The date and time are typed in Japan time.

    Unlike the trigger forms this one validates its fields itself: the operation takes typed
    values (a datetime, a count) and the database refuses a negative count.
    """

    prefix_name = "session"
    held_at = JapanTimeField(validators=[Required()])
    place = StringField(validators=[Optional(), Length(0, 200)])
    online = BooleanField()
    agenda = TextAreaField(validators=[Optional(), Length(0, 4000)], render_kw={"rows": 3})
    minutes = TextAreaField(validators=[Optional(), Length(0, 20000)], render_kw={"rows": 5})
    participants = WholeNumberField(widget=NumberInput(min=0), default=0)

    def validate_participants(self, field) -> None:
        if field.data is None or field.data < 0:
            raise ValidationError(message(self, field, "staff.error.participants"))

    def session_values(self) -> dict[str, object]:
        """The keyword arguments of ``operations.record_session``."""
        return {
            "held_at": self.held_at.parsed,
            "place": (self.place.data or "").strip(),
            "online": bool(self.online.data),
            "agenda": (self.agenda.data or "").strip(),
            "minutes": (self.minutes.data or "").strip(),
            "participants": self.participants.data,
        }


class CommentPeriodForm(VersionedForm):
    """When citizens' comments close (``operations.set_comment_period``), in Japan time."""

    prefix_name = "comments"
    hint_keys = {"until": "staff.hint.until"}
    until = JapanTimeField(validators=[Required()], render_kw={"required": True})


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
    q = StringField(widget=SearchInput())

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
