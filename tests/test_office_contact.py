"""How citizens reach the office (intake/office_contact.py, templates/_footer.html): every
page's footer, public and staff, gives the office's telephone with its hours in the page's
language and links the pages about the site; the settings are read strictly, and an older
TEIAN_OFFICE_PHONE with the hours in brackets keeps working."""

from __future__ import annotations

import dataclasses
import re

import pytest

from intake.config import load_settings
from intake.i18n import LANGUAGES, translate
from intake.office_contact import OfficeContact, OfficeHours

from .staff_support import login
from .test_web_public import Page

FOOTER_LINKS = {"/privacy": "site.footer.privacy", "/accessibility": "site.footer.accessibility",
                "/contact": "site.footer.contact", "/open-data": "opendata.title",
                "/developers/api": "reference.footer_link"}
OFFICE = OfficeContact(phone="0123-45-6789", hours=OfficeHours("8:30", "17:15"),
                       address="〒000-0000 テスト市中央1-1")


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">'):]


def footer_links(html: str) -> dict[str, str]:
    """href → the link's text, in the footer's list."""
    return {href: re.sub(r"<rt>.*?</rt>|<[^>]+>", "", text)
            for href, text in re.findall(r'<li><a href="([^"]+)"[^>]*>(.*?)</a></li>',
                                         footer(html))}


@pytest.fixture
def office(app):
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"], office=OFFICE)
    return OFFICE


# --- the footer --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_public_page_footer_links_the_pages_about_the_site(city, client, lang):
    for path in ("/", "/propose", "/proposals", "/open-data", "/track", "/privacy",
                 "/contact", "/accessibility", "/no-such-page", "/developers/api"):
        html = client.get(f"{path}?lang={lang}").get_data(as_text=True)
        expected = {href: translate(key, lang) for href, key in FOOTER_LINKS.items()}
        assert footer_links(html) == expected, path


def test_staff_pages_have_the_footer_too(city, client):
    assert set(footer_links(client.get("/staff/login").get_data(as_text=True))) == \
        set(FOOTER_LINKS)
    login(client, city.parks_liaison)
    html = client.get("/staff/?lang=en").get_data(as_text=True)
    assert footer_links(html)["/privacy"] == translate("site.footer.privacy", "en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_footer_gives_the_office_telephone_with_its_hours_in_the_page_language(
        city, client, office, lang):
    html = client.get(f"/?lang={lang}").get_data(as_text=True)
    hours = translate("site.office.hours", lang, opens="8:30", closes="17:15")
    line = translate("site.office.line_hours", lang, phone="0123-45-6789", hours=hours)
    assert squeezed(line) in squeezed(Page(footer(html)).text)
    assert '<a href="tel:0123456789" class="office-tel">0123-45-6789</a>' in footer(html)
    if lang == "en":  # the complaint: 「（平日 8:30〜17:15）」 on English pages
        assert "平日" not in html
        assert "Monday to Friday, 8:30 to 17:15" in html


def test_without_a_telephone_the_footer_names_no_number(city, client):
    html = client.get("/").get_data(as_text=True)
    assert "footer-office" not in html and "tel:" not in html


def test_the_staff_footer_gives_the_office_telephone(city, client, office):
    login(client, city.parks_liaison)
    assert "tel:0123456789" in footer(client.get("/staff/").get_data(as_text=True))


# --- the settings ------------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "settings"))
    monkeypatch.setenv("TEIAN_SECRET_KEY", "test-secret")
    for name in ("TEIAN_OFFICE_PHONE", "TEIAN_OFFICE_HOURS", "TEIAN_OFFICE_ADDRESS",
                 "TEIAN_RETENTION_YEARS"):
        monkeypatch.delenv(name, raising=False)

    def settings(**values):
        for name, value in values.items():
            monkeypatch.setenv(f"TEIAN_{name}", value)
        return load_settings()

    return settings


@pytest.mark.parametrize("phone, hours, expected", [
    # an older setting: the hours in brackets become the hours, in every language
    ("0123-45-6789（平日 8:30〜17:15）", "", ("0123-45-6789", OfficeHours("8:30", "17:15"))),
    ("０１２３－４５－６７８９（平日８：３０～１７：１５）", "",
     ("0123-45-6789", OfficeHours("8:30", "17:15"))),
    ("0123-45-6789 (8:30-17:15)", "", ("0123-45-6789", OfficeHours("8:30", "17:15"))),
    # TEIAN_OFFICE_HOURS wins over the brackets, and is all a new install needs
    ("0123-45-6789（平日 8:30〜17:15）", "9:00-17:00",
     ("0123-45-6789", OfficeHours("9:00", "17:00"))),
    ("0123-45-6789", "09:00〜17:30", ("0123-45-6789", OfficeHours("9:00", "17:30"))),
    # brackets holding anything else are kept as written, as they were always shown
    ("0123-45-6789（代表）", "", ("0123-45-6789（代表）", None)),
    ("0123-45-6789（土日 9:00〜12:00）", "", ("0123-45-6789（土日 9:00〜12:00）", None)),
    ("", "", ("", None)),
])
def test_the_office_telephone_and_hours_settings(env, phone, hours, expected):
    office = env(OFFICE_PHONE=phone, OFFICE_HOURS=hours).office
    assert (office.phone, office.hours) == expected


def test_a_telephone_that_is_not_a_number_gets_no_tel_link():
    assert OfficeContact(phone="0123-45-6789（代表）").tel is None
    assert OfficeContact(phone="+81 123-45-6789").tel == "tel:+81123456789"


@pytest.mark.parametrize("name, value", [
    ("OFFICE_HOURS", "平日"), ("OFFICE_HOURS", "17:15-8:30"), ("OFFICE_HOURS", "8:30-25:00"),
    ("OFFICE_HOURS", "8:30"), ("RETENTION_YEARS", "five"), ("RETENTION_YEARS", "0"),
])
def test_a_setting_that_cannot_be_read_stops_the_start_naming_it(env, name, value):
    with pytest.raises(SystemExit, match=f"TEIAN_{name}"):
        env(**{name: value})


def test_the_address_and_the_retention_period_are_read(env):
    settings = env(OFFICE_ADDRESS=" 〒000-0000 テスト市中央1-1 ", RETENTION_YEARS="5")
    assert settings.office.address == "〒000-0000 テスト市中央1-1"
    assert settings.retention_years == 5


def test_unset_settings_say_nothing(env):
    settings = env()
    assert settings.office == OfficeContact() and settings.retention_years is None
