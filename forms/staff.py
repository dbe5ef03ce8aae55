"""Staff forms: login, the queue's filters, and the actions on a proposal's page.

The action forms only parse: they hold the CSRF token, the proposal ``version`` the officer
saw, and the values the operation needs.  Whether a trigger may fire and whether its inputs
are enough is the workflow's decision (``operations.fire_trigger`` names the refusing guard or
field), so no rule of the workflow is restated here.  The trigger form is built from the
workflow definition's inputs: an input added in TOML gets its field without touching Python.

Field ids are prefixed per action (``accept-version``, ``transfer-reason`` …) because one page
holds many of these forms at once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import datetime

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
HELD_AT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def label_or(key: str, lang: str, fallback: str) -> str:
    """The catalogue's text for ``key``, or ``fallback`` when it has none: a workflow file
    may bring choices, guards or roles the catalogue does not name yet."""
    return translate(key, lang) if key in catalogue() else fallback


class StaffForm(FlaskForm):
    """A staff form in the officer's language: every field's label is ``staff.field.<name>``
    unless the subclass labels it otherwise."""

    def __init__(self, formdata=None, *, lang: str = "ja", **kwargs) -> None:
        self.lang = lang
        super().__init__(formdata=formdata, **kwargs)
        for field in self:
            if getattr(field.widget, "input_type", None) != "hidden":
                field.label.text = self._label(field)

    def _label(self, field: Field) -> str:
        return translate(f"staff.field.{field.short_name}", self.lang)


class LoginForm(StaffForm):
    email = StringField(widget=EmailInput(), validators=[Required()],
                        render_kw={"autocomplete": "username"})
    password = PasswordField(validators=[Required()],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class VersionedForm(StaffForm):
    """An action on a proposal, sent with the ``version`` the officer saw, so that a change
    made meanwhile by someone else answers 409 instead of being overwritten."""

    version = IntegerField(widget=HiddenInput())

    def validate_version(self, field) -> None:
        if field.data is None or field.data < 1:
            field.errors[:] = []  # IntegerField's own (English) complaint about the text
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


# --- re-routing and deliberation sessions ------------------------------------------------


class TransferForm(VersionedForm):
    """Move the lead to another department (``operations.transfer_proposal`` checks it)."""

    department = SelectField(validate_choice=False, render_kw={"required": True})
    reason = TextAreaField(render_kw={"rows": 3, "required": True})

    def __init__(
        self, formdata=None, *, lang: str = "ja", departments: Iterable[tuple[str, str]] = (),
        **kwargs,
    ) -> None:
        """``departments`` are (code, label) pairs the proposal may move to."""
        super().__init__(formdata, lang=lang, prefix="transfer", **kwargs)
        self.department.choices = [("", translate("staff.choose", lang)), *departments]


class SessionForm(StaffForm):
    """A deliberation session (協議の記録).  The date and time are typed in Japan time.

    Unlike the trigger forms this one validates its fields itself: the operation takes typed
    values (a datetime, a count) and the database refuses a negative count.
    """

    held_at = StringField(widget=DateTimeLocalInput(), validators=[Required()])
    place = StringField(validators=[Optional(), Length(0, 200)])
    online = BooleanField()
    agenda = TextAreaField(validators=[Optional(), Length(0, 4000)], render_kw={"rows": 3})
    minutes = TextAreaField(validators=[Optional(), Length(0, 20000)], render_kw={"rows": 5})
    participants = IntegerField(widget=NumberInput(min=0), default=0)

    def __init__(self, formdata=None, *, lang: str = "ja", **kwargs) -> None:
        super().__init__(formdata, lang=lang, prefix="session", **kwargs)

    def validate_held_at(self, field) -> None:
        if self._held_at() is None:
            raise ValidationError(message(self, field, "staff.error.datetime"))

    def validate_participants(self, field) -> None:
        if field.data is None or field.data < 0:
            field.errors[:] = []  # IntegerField's own (English) complaint about the text
            raise ValidationError(message(self, field, "staff.error.participants"))

    def _held_at(self) -> datetime | None:
        for layout in HELD_AT_FORMATS:
            try:
                return datetime.strptime(self.held_at.data or "", layout).replace(tzinfo=JST)
            except ValueError:
                continue
        return None

    def session_values(self) -> dict[str, object]:
        """The keyword arguments of ``operations.record_session``."""
        return {
            "held_at": self._held_at(),
            "place": (self.place.data or "").strip(),
            "online": bool(self.online.data),
            "agenda": (self.agenda.data or "").strip(),
            "minutes": (self.minutes.data or "").strip(),
            "participants": self.participants.data,
        }


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
