"""The staff pages in English: the punctuation between a page's parts is English too.

Japanese closes up with full-width brackets and colons (「状態の変更：受理する」,
「鈴木 健太（協働推進室）」); those characters were once written into the templates, so
the English pages read "State change：Accept".  The catalogue now holds them per language
(``staff.colon``, ``staff.in_brackets``)."""

from __future__ import annotations

import re

import pytest

from intake.i18n import translate
from tests.factories import publish_as_written

from .staff_support import advanced, login, page

FULL_WIDTH = re.compile(r"[（）：・]")


def en(key: str, **params) -> str:
    return translate(key, "en", **params)


@pytest.fixture
def accepted(city, db):
    """An accepted, published parks proposal: its timeline holds a state change and its
    page the easy-Japanese title panel."""
    proposal = advanced(city, "accept")
    publish_as_written(proposal)
    db.commit()
    return proposal


def body(response) -> str:
    assert response.status_code == 200
    return page(response).split("<body", 1)[1]


def test_a_liaisons_english_pages_use_english_punctuation(client, city, accepted):
    login(client, city.parks_liaison)
    text = body(client.get(f"/staff/proposals/{accepted.id}?lang=en"))
    assert f">{en('staff.event.transition')}: Accept</td>" in text  # the timeline's "What"
    assert '<span class="hint"> (Collaboration proposal)</span>' in text
    assert '<span class="staff-user-name">parks</span> (Parks Division)</li>' in text
    assert f'<span class="hint">{en("staff.easy.preview")}: </span>' in text
    assert FULL_WIDTH.findall(text) == []


@pytest.mark.parametrize("path", ["/staff/", "/staff/admin/answer-templates", "/staff/agenda",
                                  "/staff/help/workflow", "/staff/admin/routing",
                                  "/staff/dashboard", "/staff/comments", "/staff/triage"])
def test_the_offices_english_pages_have_no_full_width_punctuation(client, city, accepted, path):
    login(client, city.office_user)
    assert FULL_WIDTH.findall(body(client.get(f"{path}?lang=en"))) == []


def test_the_english_lists_name_things_the_english_way(client, city, accepted):
    login(client, city.office_user)
    templates = body(client.get("/staff/admin/answer-templates?lang=en"))
    assert '<option value="request_info">Ask the proposer (request_info)</option>' in templates
    agenda = body(client.get("/staff/agenda?lang=en"))
    assert f"{en('office.downloads.agenda')}</a> · <a" in agenda
    # the office is one proper name wherever English names it
    assert en("admin.role.office") == "Collaboration Office"


def test_japanese_keeps_its_own_punctuation(client, city, accepted):
    login(client, city.parks_liaison)
    text = body(client.get(f"/staff/proposals/{accepted.id}?lang=ja"))
    assert f">{translate('staff.event.transition', 'ja')}：受理する</td>" in text
    assert '<span class="staff-user-name">parks</span>（公園緑地課）</li>' in text
