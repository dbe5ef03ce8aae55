"""Why an action failed, in the user's language: the one place that turns an
:class:`~intake.errors.ActionError` into words, for the staff pages and the JSON API
alike (so the two doors never word the same refusal differently).

Operations raise errors with a stable ``code``, the ``fields`` they refuse with a rule
code each (``required``, ``same``, ``not_later`` …) and details such as the refusing
``guard``; their English ``message`` is for developers.  A field's rule becomes
``staff.error.field.<rule>`` with the field's label (the form's, on both doors); a text
that is not a rule code (a form's own message) is already in the user's language and is
kept.  Workflow guards have their own sentence (``staff.guard.<name>``), never their
identifier.  A rule about a day may name it: the error's ``dates`` detail
(``{"began": date}``) fills the rule's ``{began}`` as pages write dates (a datetime with
its time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import workflows

from .dates import people_date, people_datetime
from .errors import ActionError, Conflict, Forbidden, Invalid, NotFound, Refused
from .i18n import catalogue, translate


@dataclass(frozen=True)
class Explanation:
    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)


def explain(exc: ActionError, lang: str, label: Callable[[str], str]) -> Explanation:
    """``exc`` in ``lang``; ``label(name)`` is a field's label as the user saw it."""
    dates = _dates(exc, lang)
    fields = {name: [rule_text(rule, label(name), lang, **dates) for rule in rules]
              for name, rules in exc.fields.items()}
    return Explanation(_message(exc, lang, label), fields)


def _dates(exc: ActionError, lang: str) -> dict[str, object]:
    """What a rule's sentence fills in: the days it names, written for people, and the
    numbers it names (the ``counts`` detail, ``{"open": 3}``), as they are."""
    counts, given = exc.details.get("counts"), exc.details.get("dates")
    params: dict[str, object] = dict(counts) if isinstance(counts, dict) else {}
    if isinstance(given, dict):
        params.update({name: people_datetime(day, lang) if isinstance(day, datetime)
                       else people_date(day, lang) for name, day in given.items()})
    return params


def rule_text(rule: str, field_label: str, lang: str, **dates: object) -> str:
    key = f"staff.error.field.{rule}"
    if key in catalogue():
        return translate(key, lang, field=field_label, **dates)
    if " " in rule or not rule.isascii():  # already a sentence (a form's message)
        return rule
    return translate("staff.error.field", lang, field=field_label)


def _message(exc: ActionError, lang: str, label: Callable[[str], str]) -> str:
    if isinstance(exc, Conflict):  # someone was quicker, or the proposal is elsewhere now
        return _keyed(f"staff.error.{exc.code}", lang) or translate("staff.error.conflict", lang)
    if isinstance(exc, Forbidden):  # why, where the rule has its own words
        return _keyed(f"staff.error.{exc.code}", lang) or translate("staff.error.forbidden",
                                                                   lang)
    if isinstance(exc, NotFound):
        return translate("api.error.not_found", lang)
    if isinstance(exc, Refused):
        return _refusal(exc, lang, label)
    if isinstance(exc, Invalid) and exc.fields:
        # Each field's first rule, as beside the field: "check: 日時" sent people hunting.
        dates = _dates(exc, lang)
        return " ".join(rule_text(rules[0], label(name), lang, **dates)
                        for name, rules in exc.fields.items() if rules) or translate(
            "staff.error.invalid", lang,
            fields=translate("staff.separator", lang).join(label(n) for n in exc.fields))
    return _keyed(f"staff.error.{exc.code}", lang) or exc.message


def _refusal(exc: Refused, lang: str, label: Callable[[str], str]) -> str:
    guard = str(exc.details.get("guard") or "")
    if guard.startswith("input:"):  # the input's own rule, as beside the field
        name = guard.removeprefix("input:")
        rules = exc.fields.get(name) or []
        if rules:
            return rule_text(rules[0], label(name), lang, **_dates(exc, lang))
        return translate("staff.error.input", lang, field=label(name))
    if exc.code == "trigger_not_allowed":
        state, kind = exc.details.get("state"), exc.details.get("kind")
        action = trigger = str(exc.details.get("trigger") or "")
        if isinstance(state, str) and isinstance(kind, str):
            workflow = workflows.get_workflow(kind)
            state = workflow.state_label(state, lang)
            action = next((t.label_in(lang) for t in workflow.transitions
                           if t.trigger == trigger), trigger)
        return translate("staff.error.not_allowed", lang, state=state or "", action=action)
    if guard:
        return translate("staff.error.guard", lang, reason=guard_text(guard, lang))
    return _keyed(f"staff.error.{exc.code}", lang) or exc.message


def guard_text(guard: str, lang: str) -> str:
    """What a workflow guard asks for, in words; a guard the catalogue does not know yet
    (a city's own) is named by its identifier rather than not at all."""
    return _keyed(f"staff.guard.{guard}", lang) or guard


def _keyed(key: str, lang: str) -> str | None:
    return translate(key, lang) if key in catalogue() else None


def explain_for_form(exc: ActionError, form, lang: str,
                     fallback: Callable[[str], str]) -> Explanation:
    """``exc`` worded with the labels of the form the user sent (the same on the page and
    in the API), ``fallback(name)`` for a field the form does not have."""
    return explain(exc, lang, lambda name: form[name].label.text if name in form
                   else fallback(name))
