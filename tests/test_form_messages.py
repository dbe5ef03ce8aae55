"""Error messages written for each field and rule (GOV.UK's patterns), never a label
pasted into a template ("Enter Title.", "Choose You are proposing as.")."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from forms.comment import CommentForm
from forms.proposal import ProposalForm
from forms.tracking import TrackingLookupForm
from intake.i18n import LANGUAGES, catalogue, translate

from .api_support import API, form
from .factories import VALID_FORM

CHOICES = {"categories": [("parks", "公園・緑地")], "districts": [("kita", "北小学校区")]}


def rules_of(form_class, *args, **kwargs) -> list[tuple[str, str]]:
    """(field, rule) for every validator with a rule (and the other rules it may name)
    and every cross-field rule."""
    built = form_class(*args, **kwargs)
    found = [(field.name, rule) for field in built
             for validator in field.validators if hasattr(validator, "rule")
             for rule in (validator.rule, *getattr(validator, "other_rules", ()))
             if rule != "optional"]
    return sorted(set(found) | set(built.CROSS_FIELD_RULES if hasattr(built, "CROSS_FIELD_RULES")
                                   else ()))


def test_every_rule_of_the_proposal_form_has_its_own_text_in_each_language(app):
    rules = rules_of(ProposalForm, MultiDict(), **CHOICES)
    assert ("title", "length") in rules and ("proposer_type", "required") in rules
    assert ("consent", "required") in rules and ("email", "invalid") in rules
    assert ("budget_total", "negative") in rules
    for name, rule in rules:
        texts = catalogue().get(f"error.{name}.{rule}")
        assert texts is not None, f"error.{name}.{rule}"
        for lang in LANGUAGES:
            assert texts.get(lang), (name, rule, lang)
            assert "{field}" not in texts[lang], (name, rule, lang)  # no label pasting


@pytest.mark.parametrize(("form_class", "prefix"), [(CommentForm, "error.comment"),
                                                    (TrackingLookupForm, "error.lookup")])
def test_comment_and_lookup_rules_have_their_own_texts(app, form_class, prefix):
    with app.test_request_context():
        rules = rules_of(form_class, MultiDict())
    assert rules
    for name, rule in rules:
        texts = catalogue().get(f"{prefix}.{name}.{rule}")
        assert texts is not None, f"{prefix}.{name}.{rule}"
        assert all(texts.get(lang) and "{field}" not in texts[lang] for lang in LANGUAGES)


def errors_for(lang: str, **overrides) -> dict[str, list[str]]:
    data = {**VALID_FORM, **overrides}
    formdata = MultiDict({k: ("y" if v is True else v) for k, v in data.items()
                          if v is not False and v is not None})
    built = ProposalForm(formdata, lang=lang, **CHOICES)
    built.validate()
    return built.errors


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_message_pastes_a_label(app, lang):
    errors = errors_for(lang, title="", category="", proposer_type="", problem="短い",
                        email="not-an-address", phone="abc", budget_total="1.5",
                        organization="", consent=False, proposer_name="")
    pasted = {translate(generic, lang, field=translate(f"field.{name}", lang))
              for name in errors
              for generic in ("error.required", "error.required_choice", "error.email",
                              "error.phone", "error.whole_yen", "error.consent")}
    messages = [m for ms in errors.values() for m in ms]
    assert len(messages) >= 8
    assert not pasted & set(messages)


def test_english_messages_read_as_written(app):
    errors = errors_for("en", title="Bin", category="", proposer_type="",
                        email="hanako@", consent=False)
    assert errors["title"] == ["Title must be between 5 and 80 characters (you entered 3)"]
    assert errors["category"] == ["Select a theme"]
    assert errors["proposer_type"] == [
        "Select whether you are proposing as an individual, an association, an NPO or "
        "civic group, a business, a school or other"]
    assert errors["email"] == [
        "Enter an email address in the correct format, like name@example.com"]
    assert errors["consent"] == [
        "Tick the box to agree to how your personal information is handled; we cannot "
        "accept a proposal without it"]
    assert errors_for("en", title="")["title"] == ["Enter a title"]
    assert errors_for("en", email="", phone="")["email"] == [
        "Enter an email address or a phone number, so that we can contact you"]


def test_japanese_messages_read_as_written(app):
    assert errors_for("ja", title="")["title"] == ["題名を入力してください"]
    assert errors_for("ja", title="短い")["title"] == [
        "題名は5〜80文字で入力してください（いま2文字）"]


def test_the_api_gives_the_same_texts_in_its_fields(city, client):
    response = client.post(f"{API}/proposals", json=form(title="", email="x@", language="en"))
    fields = response.get_json()["error"]["fields"]
    assert fields["title"] == ["Enter a title"]
    assert fields["email"] == ["Enter an email address in the correct format, like "
                               "name@example.com"]


def test_a_field_without_its_own_text_falls_back_to_the_generic_one(app):
    """A form that names no message prefix (staff forms, a city's own inputs) keeps the
    generic wording with the label."""

    class CityForm(ProposalForm):
        messages = None

    built = CityForm(MultiDict(), lang="en", **CHOICES)
    built.validate()
    assert built.errors["title"] == [translate("error.required", "en", field="Title")]
