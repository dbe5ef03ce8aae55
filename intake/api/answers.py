"""Answer templates in the API (SPEC section 7): the office creates and changes them;
liaisons may read them (they choose them in a transition's ``"template"``).

A body names ``title`` and ``body`` as objects per language (``{"ja", "en", "ja-easy"}``);
the page's form (:class:`forms.answers.AnswerTemplateForm`) has a field per language, so
the view flattens them, then validates with the page's rules and calls the same operation.
"""

from __future__ import annotations

from forms.answers import AnswerTemplateForm
from intake.answers import operations, queries, shapes
from intake.core.actors import Actor
from intake.db import session
from intake.errors import Invalid, NotFound
from intake.i18n import translate
from intake.models import User

from . import bp
from .admin import _perform
from .auth import office_required, staff_required
from .errors import lang
from .payload import STRICT, json_body, validated


def _flat(payload: dict[str, object]) -> dict[str, object]:
    """``{"title": {"ja": …}}`` as the form's ``title_ja`` …; a ``title`` or ``body`` that
    is not an object of the three languages is refused by name."""
    flat = {name: value for name, value in payload.items() if name not in shapes.NESTED}
    for name in shapes.NESTED:
        if name not in payload:
            continue
        value = payload[name]
        if not isinstance(value, dict) or not set(value) <= set(shapes.SUFFIXES):
            raise Invalid(translate("api.error.invalid_fields", lang(), fields=name),
                          fields={name: [translate("answers.error.languages", lang(),
                                                   field=name)]}, translated=True)
        flat.update({f"{name}_{shapes.SUFFIXES[key]}": text for key, text in value.items()})
    return flat


def _read(*, patch: bool = False) -> AnswerTemplateForm:
    payload = _flat(json_body())
    triggers = [(trigger, trigger) for trigger in operations.template_triggers()]
    form = AnswerTemplateForm.from_json(payload, lang=lang(), triggers=triggers)
    if patch:
        form.partial(payload).drop("code")
    else:
        form.drop("active")
    unknown = [name for name in payload if name not in form]
    if unknown:
        raise Invalid(translate("api.error.invalid_fields", lang(), fields=", ".join(unknown)),
                      fields={name: [translate("admin.error.unknown_field", lang(),
                                               field=name)] for name in unknown},
                      translated=True)
    return validated(form, payload, accepts=STRICT)


@bp.get("/answer-templates")
@staff_required
def list_answer_templates(_user: User):
    return {"items": [shapes.template(row) for row in queries.templates(session())],
            "next_cursor": None}


@bp.post("/answer-templates")
@office_required
def create_answer_template(user: User):
    form = _read()
    row = _perform(form, lambda: operations.create_template(session(), Actor.staff(user),
                                                            form.values()))
    return shapes.template(row), 201


@bp.patch("/answer-templates/<code>")
@office_required
def update_answer_template(user: User, code: str):
    row = queries.by_code(session(), code)
    if row is None:
        raise NotFound(translate("api.error.not_found", lang()), translated=True)
    form = _read(patch=True)
    _perform(form, lambda: operations.update_template(session(), Actor.staff(user), row,
                                                      form.values()))
    return shapes.template(row)
