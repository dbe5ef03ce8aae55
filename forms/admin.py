"""The administration forms: one per thing the office edits, used by the staff pages and,
built from JSON with :meth:`AdminForm.from_json`, by the API (SPEC section 7) — so both
doors refuse the same value with the same message naming the same field.

A form checks the field rules (required, length, type, the shape of a code); whether the
change is allowed (role, a code already taken, an inactive department) is the
operation's decision (:mod:`intake.admin`).  The API's PATCH sends only what changes:
:meth:`AdminForm.partial` drops the fields the request does not name, and
:meth:`AdminForm.values` gives only the fields the form still has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import ClassVar

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import EmailInput, NumberInput

from intake.i18n import LANGUAGE_NAMES, catalogue, translate
from intake.models import Role

from . import normalize
from .staff import DayField, StaffForm, WholeNumberField
from .validators import Length, OneOf, Optional, Required, SingleLine, message

INT32_MAX = 2**31 - 1
CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
TEXT_MAX = 2000


class Code:
    """A code as URLs, filters and the audit log use it: lower-case letters, digits, ``-``
    and ``_``, 1–40 characters, starting with a letter or digit."""

    def __call__(self, form, field) -> None:
        if not CODE_PATTERN.fullmatch(field.data or ""):
            raise ValidationError(message(form, field, "admin.error.code"))


class Between:
    """A whole number from ``low`` to ``high`` (empty: the caller's default)."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def __call__(self, form, field) -> None:
        if field.raw_data and field.raw_data[0] != "" and (
                field.data is None or not self.low <= field.data <= self.high):
            raise ValidationError(message(form, field, "admin.error.between",
                                          min=self.low, max=self.high))


def _name(required: bool = False) -> StringField:
    first = Required() if required else Optional()
    return StringField(validators=[first, SingleLine(), Length(0, 200)],
                       render_kw={"required": True} if required else {})


def _day() -> DayField:
    return DayField(validators=[Optional()])


def _select(required: bool = False) -> SelectField:
    """A code chosen from the city's rows; the page lists them, the operation refuses an
    unknown or inactive one by name (the API may send any code)."""
    return SelectField(validate_choice=False,
                       validators=[Required(choice=True)] if required else [],
                       render_kw={"required": True} if required else {})


class AdminForm(StaffForm):
    """Labels ``admin.field.<name>`` (else the staff forms' ``staff.field.<name>``);
    ``columns`` maps a field to the model's name where they differ."""

    columns: ClassVar[Mapping[str, str]] = {}

    def _label(self, field) -> str:
        name = field.short_name
        key = self.label_keys.get(name, f"admin.field.{name}")
        return translate(key if key in catalogue() else f"staff.field.{name}", self.lang)

    def partial(self, payload: Mapping[str, object]) -> AdminForm:
        """Keep only the fields ``payload`` names (PATCH)."""
        for name in [field.short_name for field in self if field.short_name not in payload]:
            del self[name]
        return self

    def drop(self, *names: str) -> AdminForm:
        for name in names:
            if name in self:
                del self[name]
        return self

    def values(self) -> dict[str, object]:
        """Each field's value under the operation's name: text stripped, dates parsed,
        an empty choice or an empty number None."""
        found: dict[str, object] = {}
        for field in self:
            if field.type == "CSRFTokenField":
                continue
            if isinstance(field, DayField):
                value = field.parsed if (field.data or "").strip() else None
            elif isinstance(field.data, str):
                value = field.data.strip()
            elif field.type in ("StringField", "TextAreaField", "SelectField"):
                value = ""  # not sent (a page without the field): empty, as typed
            else:
                value = field.data
            found[self.columns.get(field.short_name, field.short_name)] = value
        return found


def _choices(lang: str, rows: Iterable[tuple[str, str]], *, empty_key: str) -> list:
    return [("", translate(empty_key, lang)), *rows]


# --- departments, categories, districts --------------------------------------------------


class DepartmentForm(AdminForm):
    """A department (課).  ``code`` only when creating; ``active`` only when editing."""

    prefix_name = "department"
    hint_keys = {"code": "admin.hint.code", "name_easy": "admin.hint.name_easy",
                 "active": "admin.hint.active"}
    code = StringField(validators=[Required(), Code()], render_kw={"required": True})
    name_ja = _name(required=True)
    name_en = _name()
    name_easy = _name()
    active = BooleanField(default=True)


class CategoryForm(DepartmentForm):
    """A theme (テーマ) the citizen picks, in the order the office sets."""

    prefix_name = "category"
    hint_keys = {**DepartmentForm.hint_keys, "sort_order": "admin.hint.sort_order"}
    sort_order = WholeNumberField(widget=NumberInput(min=0),
                                  validators=[Between(0, INT32_MAX)], default=0)

    def values(self) -> dict[str, object]:
        found = super().values()
        if "sort_order" in found and found["sort_order"] is None:
            found["sort_order"] = 0
        return found


class DistrictForm(CategoryForm):
    """An elementary-school district, valid from – to (schools merge); no ``active``:
    its dates say when it exists."""

    prefix_name = "district"
    hint_keys = {**CategoryForm.hint_keys, "valid_from": "admin.hint.valid_from",
                 "valid_to": "admin.hint.valid_to"}
    valid_from = _day()
    valid_to = _day()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.drop("active")

    def validate_valid_to(self, field) -> None:
        start = self.valid_from.parsed if "valid_from" in self else None
        if start and field.parsed and field.parsed < start:
            raise ValidationError(message(self, field, "admin.error.range"))


# --- routing rules and the preview ---------------------------------------------------------


class RoutingRuleForm(AdminForm):
    """(theme, district, keyword) → department, with a priority (higher wins)."""

    prefix_name = "rule"
    hint_keys = {"district": "admin.hint.rule_district", "keyword": "admin.hint.keyword",
                 "priority": "admin.hint.priority"}
    category = _select(required=True)
    district = _select()
    keyword = StringField(validators=[Optional(), SingleLine(), Length(0, 100)])
    department = _select(required=True)
    priority = WholeNumberField(widget=NumberInput(), default=0,
                                validators=[Between(-1000, 1000)])

    def __init__(self, formdata=None, *, lang: str = "ja",
                 categories: Iterable[tuple[str, str]] = (),
                 districts: Iterable[tuple[str, str]] = (),
                 departments: Iterable[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(formdata, lang=lang, **kwargs)
        self.category.choices = _choices(lang, categories, empty_key="staff.choose")
        self.district.choices = _choices(lang, districts, empty_key="admin.any_district")
        self.department.choices = _choices(lang, departments, empty_key="staff.choose")

    def values(self) -> dict[str, object]:
        found = super().values()
        if "priority" in found and found["priority"] is None:
            found["priority"] = 0
        return found


class RoutingPreviewForm(AdminForm):
    """A draft proposal's theme, district and texts: where would it go?"""

    prefix_name = "preview"
    category = _select(required=True)
    district = _select()
    title = StringField(validators=[Optional(), Length(0, 200)])
    problem = TextAreaField(validators=[Optional(), Length(0, TEXT_MAX)], render_kw={"rows": 2})
    proposal = TextAreaField(validators=[Optional(), Length(0, TEXT_MAX)], render_kw={"rows": 2})
    text = TextAreaField(validators=[Optional(), Length(0, TEXT_MAX)], render_kw={"rows": 2})

    def __init__(self, formdata=None, *, lang: str = "ja",
                 categories: Iterable[tuple[str, str]] = (),
                 districts: Iterable[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(formdata, lang=lang, **kwargs)
        self.category.choices = _choices(lang, categories, empty_key="staff.choose")
        self.district.choices = _choices(lang, districts, empty_key="field.district.citywide")


# --- officers and tokens --------------------------------------------------------------------


class UserForm(AdminForm):
    """An officer: department, primary or deputy, absence, active; the role (only an
    administrator's form has it)."""

    prefix_name = "user"
    columns = {"name": "display_name", "primary": "is_primary"}
    hint_keys = {"primary": "admin.hint.primary", "absent": "admin.hint.absent",
                 "absent_from": "admin.hint.absent_from", "absent_to": "admin.hint.absent_to"}
    name = StringField(validators=[Optional(), SingleLine(), Length(0, 100)])
    department = _select()
    primary = BooleanField()
    absent = BooleanField()
    absent_from = _day()
    absent_to = _day()
    active = BooleanField(default=True)
    role = SelectField(validate_choice=False, validators=[Required(choice=True), OneOf()])

    def __init__(self, formdata=None, *, lang: str = "ja",
                 departments: Iterable[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(formdata, lang=lang, **kwargs)
        self.department.choices = _choices(lang, departments, empty_key="staff.none")
        self.role.choices = [(role.value, translate(f"admin.role.{role.value}", lang))
                             for role in Role]

    def validate_absent_to(self, field) -> None:
        start = self.absent_from.parsed if "absent_from" in self else None
        if start and field.parsed and field.parsed < start:
            raise ValidationError(message(self, field, "admin.error.range"))


class UserCreateForm(AdminForm):
    """A new officer's account (administrators): address, name, role, department and
    whether primary; the invitation mail's language.  No password: the new officer sets
    it from the invitation.  The address is folded as accounts keep it (lower-cased);
    whether it is a well-formed address, and not taken, is the operation's to say (the
    command line has no form)."""

    prefix_name = "new_user"
    columns = {"name": "display_name", "primary": "is_primary"}
    hint_keys = {"email": "admin.hint.new_email", "primary": "admin.hint.primary",
                 "language": "admin.hint.invite_language"}
    label_keys = {"language": "admin.field.invite_language"}
    email = StringField(filters=[lambda v: normalize.email_address(v).lower() if v else v],
                        widget=EmailInput(),
                        validators=[Required(), Length(0, 254)],
                        render_kw={"required": True, "autocomplete": "off"})
    name = StringField(validators=[Optional(), SingleLine(), Length(0, 100)])
    role = SelectField(validate_choice=False, validators=[Required(choice=True), OneOf()],
                       render_kw={"required": True})
    department = _select()
    primary = BooleanField()
    language = SelectField(validate_choice=False, validators=[OneOf()], default="ja")

    def __init__(self, formdata=None, *, lang: str = "ja",
                 departments: Iterable[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(formdata, lang=lang, **kwargs)
        self.department.choices = _choices(lang, departments, empty_key="staff.none")
        self.role.choices = _choices(lang, [(role.value, translate(f"admin.role.{role.value}",
                                                                   lang)) for role in Role],
                                     empty_key="staff.choose")
        self.language.choices = [(code, LANGUAGE_NAMES[code]) for code in ("ja", "en")]


class TokenForm(AdminForm):
    """A new API token: whose, and what for."""

    prefix_name = "token"
    user = _select(required=True)
    label = StringField(validators=[Required(), SingleLine(), Length(0, 100)],
                        render_kw={"required": True})

    def __init__(self, formdata=None, *, lang: str = "ja",
                 users: Iterable[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(formdata, lang=lang, **kwargs)
        self.user.choices = _choices(lang, users, empty_key="staff.choose")
