"""The forms of the actions on a proposal: one definition per action, shared by both doors.

The staff page renders and posts them; the JSON API builds the same form from the
request's JSON (:meth:`~forms.staff.StaffForm.from_json`), so a value one door refuses
the other refuses too, with the same message naming the same field and rule.  A form
holds the field rules (required, length, type) and turns text into the types the
operation takes; whether the action is allowed now (role, state, guards, versions) is
the operation's decision, so no rule of the workflow is restated here.  The trigger form
is built from the workflow definition's inputs: an input added in TOML gets its field
without touching Python.

On the page, field ids are prefixed per action (``accept-version``, ``transfer-reason``
…) because one page holds many of these forms at once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from wtforms import BooleanField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import DateInput, HiddenInput, NumberInput

from intake.i18n import DEFAULT_LANGUAGE, LANGUAGES, label_or, translate
from intake.models import AnswerTemplate
from workflows import InputDef, Workflow, horizon, today_jst
from workflows.calendar import BUSINESS_DAYS_MAX
from workflows.engine import TEXT_MAX

from .staff import DayField, JapanTimeField, StaffForm, WholeNumberField
from .validators import Length, Optional, Required, message

INT32_MAX = 2**31 - 1  # integer columns
REASON_MAX = TEXT_MAX  # the engine holds every door to it; the form says it first
PLACE_MAX = 200
AGENDA_MAX = 4000
MINUTES_MAX = 50000


class VersionedForm(StaffForm):
    """An action on a proposal, sent with the ``version`` the officer saw, so that a change
    made meanwhile by someone else answers 409 instead of being overwritten."""

    version = WholeNumberField(widget=HiddenInput())
    # The page always sends the version; an action whose API body the contract gives
    # without one (SPEC section 8: opinions) checks it only when sent.
    version_required: ClassVar[bool] = True

    def __init__(self, formdata=None, *, lang: str = "ja", **kwargs) -> None:
        super().__init__(formdata, lang=lang, **kwargs)
        # Hidden on the page, so never shown there; the API names it in its errors.
        self.version.label.text = translate("staff.field.version", lang)

    def validate_version(self, field) -> None:
        if field.data is None and not self.version_required and not field.raw_data:
            return
        if field.data is None or not 1 <= field.data <= INT32_MAX:
            raise ValidationError(translate("staff.error.version", self.lang))

    def refresh_version(self, version: int) -> None:
        """Carry ``version`` from now on, the typed values kept: the form is shown again
        beside the proposal as it now stands."""
        self.version.data, self.version.raw_data = version, [str(version)]


def offer_days_to_come(field: Field, *, time: bool = False) -> None:
    """The date picker offers the days an officer may set: from today to the calendar's
    horizon.  Only a help to the typing: the operation (the engine, for a workflow's date
    inputs) refuses any other day, for every door, naming the rule."""
    today = today_jst()
    first, last = today.isoformat(), horizon(today).isoformat()
    if time:
        first, last = f"{first}T00:00", f"{last}T23:59"
    field.render_kw = {**(field.render_kw or {}), "min": first, "max": last}


def reason_field(*, required: bool) -> TextAreaField:
    render_kw = {"rows": 3, **({"required": True} if required else {})}
    first = Required() if required else Optional()
    return TextAreaField(validators=[first, Length(0, REASON_MAX)], render_kw=render_kw)


# --- workflow triggers -----------------------------------------------------------------


class TransitionForm(VersionedForm):
    """One trigger's form: ``version``, a field per input the transition declares and,
    when the transition has no reason input of its own (:attr:`TransitionDef.takes_note`),
    an optional note that becomes the step's reason.  Its label says who reads it: the
    proposer on the tracking page always, the public too where the step publishes its
    reason (``publish_reason``), as :mod:`intake.timeline` shows it.  A step whose reason
    is another input (a question, an evaluation) offers no note; one sent anyway stays in
    the form, and the operation refuses it by name rather than drop it.

    ``template`` names an answer template (:mod:`intake.answers`) whose body becomes the
    reason when none is typed; the page offers it as a select (the trigger's active
    templates) when the transition has a reason input and templates exist for it, and a
    small script fills the reason with the chosen body for the officer to edit.  The API
    may send it with any trigger: the operation refuses an unknown one by name."""

    input_specs: Mapping[str, InputDef] = {}
    reason_input: ClassVar[str | None] = None
    takes_note: ClassVar[bool] = True
    note_public: ClassVar[bool] = False
    hint_keys = {"template": "answers.hint.template"}
    template = SelectField(validate_choice=False)

    @classmethod
    def for_trigger(
        cls, workflow: Workflow, state: str, trigger: str, formdata=None, *, lang: str,
        templates: Sequence[AnswerTemplate] | None = None, body_language: str | None = None,
        **kwargs,
    ) -> TransitionForm:
        """The form of ``trigger`` as it leaves ``state`` (``reject`` asks for a reason code
        from in_review, not from in_deliberation), its fields prefixed by the trigger: one
        page shows several.  A trigger that cannot leave ``state`` gets the bare form; the
        operation then refuses it by name (and no form class is cached per typed URL).

        ``templates``: the trigger's active answer templates (looked up when not given);
        ``body_language``: the proposal's language, whose body the script fills in (the
        operation uses the same one when the reason is left empty)."""
        index = next(
            (i for i, t in enumerate(workflow.transitions)
             if t.trigger == trigger and state in t.sources),
            None,
        )
        form_class = cls if index is None else _transition_form_class(workflow, index)
        kwargs.setdefault("prefix", trigger)
        form = form_class(formdata, lang=lang, **kwargs)
        if not form_class.takes_note and "reason" not in form_class.input_specs:
            form.offer_no_note()
        if form_class.reason_input is not None and templates is None:
            templates = _active_templates(trigger)
        form.offer_templates(templates or (), body_language)
        return form

    def __init__(self, formdata=None, *, lang: str = "ja", **kwargs) -> None:
        super().__init__(formdata, lang=lang, **kwargs)
        for name, spec in self.input_specs.items():
            if spec.type == "date":
                offer_days_to_come(self[name])
            if spec.choices:
                self[name].choices = [("", translate("staff.choose", lang))] + [
                    (choice, label_or(f"staff.choice.{name}.{choice}", lang, choice))
                    for choice in spec.choices
                ]

    def offer_templates(self, templates: Sequence[AnswerTemplate],
                        body_language: str | None) -> None:
        """The template select, for a transition with a reason input and templates: each
        option carries its body in every language (``data-body-<lang>``) and the select
        the reason field it fills and the proposal's language (``data-language``).  The
        field leaves the form when there is nothing to offer and nothing was sent."""
        reason = self.reason_input if self.reason_input in self else None
        if not templates or reason is None:
            if not self.template.data:
                del self.template
            return
        self.template.choices = [("", translate("answers.none", self.lang))] + [
            (t.code, t.title(self.lang),
             {f"data-body-{language}": t.body(language) for language in LANGUAGES})
            for t in templates
        ]
        self.template.render_kw = {"data-answer-template": "",
                                   "data-reason-field": self[reason].id,
                                   "data-language": body_language or DEFAULT_LANGUAGE}

    def offer_no_note(self) -> None:
        """Take the note away from a step that keeps none, unless one was sent."""
        if not (self.reason.data or "").strip():
            del self.reason

    def template_code(self) -> str | None:
        """The answer template chosen, if any (the operation checks it)."""
        code = self.template.data if "template" in self else None
        return code.strip() if isinstance(code, str) and code.strip() else None

    def _label(self, field: Field) -> str:
        spec = self.input_specs.get(field.short_name)
        if spec:
            return spec.label_in(self.lang)
        if field.short_name == "reason":
            return translate(self._note_key("staff.field"), self.lang)
        return super()._label(field)

    def hint_for(self, field: Field) -> str | None:
        if field.short_name == "reason" and field.short_name not in self.input_specs:
            return translate(self._note_key("staff.hint"), self.lang)
        return super().hint_for(field)

    def _note_key(self, group: str) -> str:
        return f"{group}.note_public" if self.note_public else f"{group}.note"

    def inputs(self) -> dict[str, str]:
        """The values typed, as the operation takes them (the engine checks them)."""
        names = [*self.input_specs, *(["reason"] if "reason" in self else [])]
        return {name: (self[name].data or "") for name in dict.fromkeys(names)}


@functools.cache
def _transition_form_class(workflow: Workflow, index: int) -> type[TransitionForm]:
    """Built once per transition: workflows are loaded once per process."""
    transition = workflow.transitions[index]
    fields = {name: _input_field(spec) for name, spec in transition.inputs.items()}
    if "reason" not in fields:
        fields["reason"] = reason_field(required=False)
    return type(
        f"{transition.trigger.title()}Form",
        (TransitionForm,),
        {"input_specs": transition.inputs, "reason_input": transition.reason_input,
         "takes_note": transition.takes_note,
         "note_public": "publish_reason" in transition.effects, **fields},
    )


def _active_templates(trigger: str) -> list[AnswerTemplate]:
    """The trigger's active templates, read once per request for the whole page."""
    from intake.answers.queries import active_for_trigger
    from intake.db import session

    return active_for_trigger(session(), trigger)


def _input_field(spec: InputDef) -> Field:
    """The engine checks required, choices and types (one place for every door); the
    form only bounds the length of free text."""
    render_kw = {"required": True} if spec.required else {}
    if spec.choices:
        return SelectField(validate_choice=False, render_kw=render_kw)
    if spec.type == "date":
        return StringField(widget=DateInput(), render_kw=render_kw)
    return TextAreaField(validators=[Length(0, REASON_MAX)], render_kw={"rows": 3, **render_kw})


# --- re-routing, opinions of other departments, deadlines -----------------------------------


class DepartmentForm(VersionedForm):
    """An action that names another department: ``departments`` are the (code, label) pairs
    the proposal may be sent to."""

    department = SelectField(validate_choice=False, validators=[Required(choice=True)],
                             render_kw={"required": True})

    def __init__(
        self, formdata=None, *, lang: str = "ja", departments: Iterable[tuple[str, str]] = (),
        **kwargs,
    ) -> None:
        super().__init__(formdata, lang=lang, **kwargs)
        self.department.choices = [("", translate("staff.choose", lang)), *departments]


class TransferForm(DepartmentForm):
    """Move the lead to another department (``routing.operations.transfer_proposal``)."""

    prefix_name = "transfer"
    reason = reason_field(required=True)


class OpinionRequestForm(DepartmentForm):
    """Ask another department for its opinion (``opinions.operations.request_opinion``)."""

    prefix_name = "opinion"
    version_required = False
    label_keys = {"department": "staff.field.consulted_department"}
    hint_keys = {"due_in_days": "staff.hint.due_in_days"}
    question = TextAreaField(validators=[Required(), Length(0, REASON_MAX)],
                             render_kw={"rows": 3, "required": True})
    due_in_days = WholeNumberField(widget=NumberInput(min=1), default=10,
                                   render_kw={"required": True})

    def validate_due_in_days(self, field) -> None:
        """The operation's rule (it refuses the same for the API), said before it runs."""
        if field.data is None or not 1 <= field.data <= BUSINESS_DAYS_MAX:
            raise ValidationError(message(self, field, "staff.error.field.business_days"))


class OpinionAnswerForm(StaffForm):
    """The consulted department's answer (``opinions.operations.answer_opinion``).  One per
    open request on the page: the caller gives the ``prefix`` (``answer-<request id>``)."""

    answer = TextAreaField(validators=[Required(), Length(0, REASON_MAX)],
                           render_kw={"rows": 4, "required": True})


class OpinionWaiveForm(StaffForm):
    """Stop waiting for an opinion, saying why (``opinions.operations.waive_opinion``); the
    caller gives the ``prefix`` (``waive-<request id>``)."""

    label_keys = {"reason": "staff.field.waive_reason"}
    reason = reason_field(required=True)


class ExtendDeadlineForm(VersionedForm):
    """Move the running deadline later (``workflow.operations.extend_deadline``).  The reason
    is published on the proposal's public page, and the form says so under the field."""

    prefix_name = "extend"
    label_keys = {"reason": "staff.field.extend_reason"}
    hint_keys = {"reason": "staff.hint.extend_reason"}
    due_on = DayField(validators=[Required()], render_kw={"required": True})
    reason = reason_field(required=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer_days_to_come(self.due_on)


# --- deliberation: sessions and the comment period -----------------------------------------


class SessionForm(StaffForm):
    """A deliberation session (協議の記録): when, where (or online), what was discussed,
    the minutes and how many took part.  Typed without an offset, the time is Japan's."""

    prefix_name = "session"
    held_at = JapanTimeField(validators=[Required()], render_kw={"required": True})
    online = BooleanField()
    place = StringField(validators=[Optional(), Length(0, PLACE_MAX)])
    agenda = TextAreaField(validators=[Required(), Length(0, AGENDA_MAX)],
                           render_kw={"rows": 3, "required": True})
    minutes = TextAreaField(validators=[Optional(), Length(0, MINUTES_MAX)],
                            render_kw={"rows": 5})
    participants = WholeNumberField(widget=NumberInput(min=0), default=0)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The date picker offers no day after today: a session is the record of one held
        # (record_session refuses a later one, for every door; this only helps the typing).
        self.held_at.render_kw = {**self.held_at.render_kw,
                                  "max": f"{today_jst().isoformat()}T23:59"}

    def validate_participants(self, field) -> None:
        if field.data is None or not 0 <= field.data <= INT32_MAX:
            raise ValidationError(message(self, field, "staff.error.participants"))

    def validate(self, extra_validators=None) -> bool:
        """A session happens somewhere: a place, or online.  (Not a ``validate_place``:
        Optional() stops a blank place's whole chain, inline validators included.)"""
        valid = super().validate(extra_validators)
        if not (self.place.data or "").strip() and not self.online.data \
                and not self.place.errors:
            self.place.errors = [message(self, self.place, "staff.error.place_or_online")]
            valid = False
        return valid

    def session_values(self) -> dict[str, object]:
        """The keyword arguments of ``deliberation.operations.record_session``."""
        return {
            "held_at": self.held_at.parsed,
            "place": (self.place.data or "").strip(),
            "online": bool(self.online.data),
            "agenda": (self.agenda.data or "").strip(),
            "minutes": (self.minutes.data or "").strip(),
            "participants": self.participants.data,
        }


class CommentPeriodForm(VersionedForm):
    """When citizens' comments close (``deliberation.operations.set_comment_period``)."""

    prefix_name = "comments"
    hint_keys = {"ends_at": "staff.hint.until"}
    ends_at = JapanTimeField(validators=[Required()], render_kw={"required": True})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer_days_to_come(self.ends_at, time=True)
