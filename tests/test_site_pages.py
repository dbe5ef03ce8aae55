"""The pages about the site (intake/web/site_pages.py): the privacy notice states what this
software does with personal data — and where it can, the test checks the software does
that (who sees contact details, which cookies are set); the consent box links to it
without leaving the form; the accessibility and contact pages; a city's own text from the
instance folder replaces the default."""

from __future__ import annotations

import dataclasses
import re
from http.cookies import SimpleCookie

import pytest

from intake.i18n import LANGUAGES, catalogue, translate
from intake.office_contact import OfficeContact, OfficeHours
from tests import ops as operations

from .staff_support import login
from .test_web_public import Page, form_data, post_proposal

NOTICE_COOKIES = ("session", "lang", "ruby")


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def shown(client, path: str) -> str:
    """The page's visible text (readings left out), without spaces."""
    response = client.get(path)
    assert response.status_code == 200, path
    return squeezed(Page(response.get_data(as_text=True)).text)


def said(key: str, lang: str, **params) -> str:
    return squeezed(translate(key, lang, **params))


@pytest.fixture(autouse=True)
def no_fill_wait(app):
    app.config["TEIAN_MIN_FILL_SECONDS"] = 0


def settings(app, **changes) -> None:
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"], **changes)


# --- the privacy notice --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_privacy_notice_says_all_it_has_to_say_in_each_language(client, lang):
    text = shown(client, f"/privacy?lang={lang}")
    choice_of_period = {"notice.privacy.kept.years", "notice.privacy.kept.one_year"}
    for key in catalogue():
        if key.startswith("notice.privacy.") and key not in choice_of_period:
            params = {"choice": translate("field.publish_name", lang)}
            assert said(key, lang, **params) in text, key
    # with no period set, the city's records retention rules decide
    assert said("notice.privacy.kept.rules", lang) in text
    assert not re.search(r"notice\.[a-z0-9]+\.[a-z]", text)  # no message is missing


@pytest.mark.parametrize("years, key", [(5, "notice.privacy.kept.years"),
                                        (1, "notice.privacy.kept.one_year")])
def test_the_retention_period_is_the_one_the_city_sets(app, client, years, key):
    settings(app, retention_years=years)
    for lang in LANGUAGES:
        expected = said(key, lang, years=years)
        assert expected in shown(client, f"/privacy?lang={lang}")
        assert expected in shown(client, f"/propose?lang={lang}")  # the consent box's points
        assert said("notice.privacy.kept.rules", lang) not in shown(client, f"/privacy?lang={lang}")


def test_the_cookies_the_notice_names_are_the_cookies_the_site_sets(city, client):
    """Every page a citizen can reach, each language and the readings switch, sending a
    proposal, and a staff sign-in: no cookie the notice does not name."""
    set_names = set()

    def collect(response):
        for header in response.headers.getlist("Set-Cookie"):
            set_names.update(SimpleCookie(header).keys())
        return response

    for path in ("/", "/propose", "/proposals", "/open-data", "/track", "/privacy",
                 "/?lang=en", "/?lang=ja-easy&ruby=off", "/developers/api"):
        collect(client.get(path))
    collect(post_proposal(client, form_data()))
    collect(client.get("/submitted"))
    collect(login(client, city.parks_liaison))
    assert set_names == set(NOTICE_COOKIES)
    html = client.get("/privacy").get_data(as_text=True)
    assert re.findall(r"<dt><code>(\w+)</code></dt>", html) == list(NOTICE_COOKIES)


def test_a_department_asked_for_its_opinion_sees_what_the_notice_says_it_does(city, client):
    proposal, _token = city.submit()
    liaison = operations.Actor.staff(city.parks_liaison)
    operations.fire_trigger(city.session, proposal, "accept", liaison)
    operations.request_opinion(city.session, proposal, "welfare", liaison,
                               question="ご意見をください")
    city.session.commit()
    login(client, city.welfare_liaison)
    staff_page = client.get(f"/staff/proposals/{proposal.id}").get_data(as_text=True)
    assert proposal.title in staff_page
    assert "hanako@example.jp" not in staff_page and "090-1234-5678" not in staff_page
    assert said("notice.privacy.who.consulted", "ja") in shown(client, "/privacy")


# --- the consent box ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_consent_box_gives_the_key_points_and_links_the_notice_in_a_new_tab(client, lang):
    html = client.get(f"/propose?lang={lang}").get_data(as_text=True)
    consent = html[html.index('id="consent"'):html.index('type="submit"')]
    link = re.search(r'<a href="/privacy" target="_blank" rel="noopener">(.*?)</a>', consent)
    assert link is not None
    assert squeezed(Page(link.group(1)).text) == said("notice.summary.link", lang)
    points = squeezed(Page(consent[consent.index("<details"):consent.index("</details>")]).text)
    assert points.startswith(said("notice.summary.toggle", lang))
    for key in ("published", "who", "use", "files", "rights"):
        assert said(f"notice.summary.{key}", lang) in points, key
    assert said("notice.summary.name", lang,
                choice=translate("field.publish_name", lang)) in points
    assert said("notice.privacy.kept.rules", lang) in points


# --- accessibility and contact -------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_accessibility_statement_says_what_is_checked_and_what_is_not(client, lang):
    text = shown(client, f"/accessibility?lang={lang}")
    for key in catalogue():
        if key.startswith("notice.a11y."):
            assert said(key, lang) in text, key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_contact_page_gives_the_office_as_configured(app, client, lang):
    text = shown(client, f"/contact?lang={lang}")
    assert said("notice.contact.no_phone", lang) in text  # nothing configured yet
    assert said("site.office.label.phone", lang) not in text
    settings(app, office=OfficeContact(phone="0123-45-6789",
                                       hours=OfficeHours("8:30", "17:15"),
                                       address="〒000-0000 テスト市中央1-1"))
    html = client.get(f"/contact?lang={lang}").get_data(as_text=True)
    text = squeezed(Page(html).text)
    for expected in (said("site.office.name", lang), "0123-45-6789",
                     said("site.office.hours", lang, opens="8:30", closes="17:15"),
                     said("site.office.closed", lang), "〒000-0000テスト市中央1-1",
                     said("notice.contact.yours.track", lang)):
        assert expected in text
    assert said("notice.contact.no_phone", lang) not in text
    assert 'href="/track"' in html and 'href="/privacy"' in html


# --- the city's own text ------------------------------------------------------------------------


CITY_NOTICE = """{% extends "base.html" %}
{% block title %}個人情報の取扱い（テスト市）{% endblock %}
{% block content %}<h1>テスト市の個人情報保護方針</h1>{% endblock %}
"""


def test_a_city_puts_its_own_pages_in_the_instance_folder(app, client):
    pages = app.config["TEIAN"].instance_path / "pages"
    pages.mkdir()
    (pages / "privacy.html").write_text(CITY_NOTICE, encoding="utf-8")
    (pages / "privacy.en.html").write_text(
        CITY_NOTICE.replace("テスト市の個人情報保護方針", "Test City privacy policy"),
        encoding="utf-8")
    (pages / "privacy_summary.html").write_text("<p>テスト市の要点</p>", encoding="utf-8")
    assert "テスト市の個人情報保護方針" in shown(client, "/privacy")
    assert "テスト市の個人情報保護方針" in shown(client, "/privacy?lang=ja-easy")
    english = shown(client, "/privacy?lang=en")
    assert "TestCityprivacypolicy" in english and said("notice.privacy.intro", "en") not in english
    assert "テスト市の要点" in shown(client, "/propose?lang=ja")
    # the pages the city did not write are the default ones
    assert said("notice.a11y.intro", "ja") in shown(client, "/accessibility?lang=ja")


def test_only_the_pages_can_be_replaced_from_the_instance_folder(app, client):
    instance = app.config["TEIAN"].instance_path
    (instance / "pages").mkdir()
    (instance / "base.html").write_text("replaced", encoding="utf-8")
    (instance / "pages" / "base.html").write_text("replaced", encoding="utf-8")
    assert "replaced" not in client.get("/privacy").get_data(as_text=True)
