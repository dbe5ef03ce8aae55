"""The answer template form (office), used by the administration page and, built from
JSON, by ``/api/v1/answer-templates`` — one set of field rules for both doors.  Whether
the code is new and the trigger takes a reason is the operation's decision
(:mod:`intake.answers.operations`)."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.widgets import NumberInput

from .admin import INT32_MAX, AdminForm, Between, Code, _choices, _name, _select
from .staff import WholeNumberField
from .validators import Length, Optional, Required

BODY_MAX = 4000  # a transition's reason holds as much


def _body(required: bool = False) -> TextAreaField:
    first = Required() if required else Optional()
    return TextAreaField(validators=[first, Length(0, BODY_MAX)],
                         render_kw={"rows": 5, **({"required": True} if required else {})})


class AnswerTemplateForm(AdminForm):
    """A template: code, the trigger it serves, a title and a body per language (Japanese
    required; English and easy Japanese fall back to it), order and ``active``."""

    prefix_name = "template"
    hint_keys = {"code": "admin.hint.code", "trigger": "answers.hint.trigger",
                 "body_en": "answers.hint.fallback", "body_easy": "answers.hint.fallback",
                 "active": "answers.hint.active", "sort_order": "admin.hint.sort_order"}
    label_keys = {"title_ja": "answers.field.title_ja", "title_en": "answers.field.title_en",
                  "title_easy": "answers.field.title_easy", "body_ja": "answers.field.body_ja",
                  "body_en": "answers.field.body_en", "body_easy": "answers.field.body_easy",
                  "trigger": "answers.field.trigger"}
    code = StringField(validators=[Required(), Code()], render_kw={"required": True})
    trigger = _select(required=True)
    title_ja = _name(required=True)
    title_en = _name()
    title_easy = _name()
    body_ja = _body(required=True)
    body_en = _body()
    body_easy = _body()
    sort_order = WholeNumberField(widget=NumberInput(min=0),
                                  validators=[Between(0, INT32_MAX)], default=0)
    active = BooleanField(default=True)

    def __init__(self, formdata=None, *, lang: str = "ja",
                 triggers: Iterable[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(formdata, lang=lang, **kwargs)
        self.trigger.choices = _choices(lang, triggers, empty_key="staff.choose")

    def values(self) -> dict[str, object]:
        found = super().values()
        if "sort_order" in found and found["sort_order"] is None:
            found["sort_order"] = 0
        return found
