"""The errors no view answers get Teian's pages: a POST-only address opened as a link (405)
and a fault (500) — in the visitor's language, on the public or the staff layout, and for
Open311 and the API in their own formats (intake.web.error_pages)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, update

from intake.i18n import translate, translate_html
from intake.models import Proposal

from .staff_support import login, page


def test_a_public_address_asked_with_a_method_it_does_not_take_gets_a_page_that_says_so(
        city, client):
    """The citizen forms' addresses lead a GET to their page (test_language_links); a
    method no public page takes still gets the site's own 405 page."""
    _, token = city.submit()
    response = client.post("/submitted")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    html = page(response)
    assert translate("public.error.not_a_page.title", "ja") in html
    assert 'class="site-footer"' in html  # the site's own page, not the framework's
    english = page(client.delete(f"/track/{token}/withdraw?lang=en"))
    assert translate("public.error.not_a_page.body", "en").split(".")[0] in english


def test_easy_japanese_error_pages_carry_readings(city, client):
    """A page the public blueprint answers (404) and one the router does (405)."""
    for response, stem in ((client.get("/proposals/999?lang=ja-easy"), "not_found"),
                           (client.post("/submitted?lang=ja-easy"), "not_a_page")):
        html = page(response)
        for part in ("title", "body"):
            readings = str(translate_html(f"public.error.{stem}.{part}", "ja-easy"))
            assert "<ruby>" in readings and readings in html, (stem, part)
        assert "<ruby>" not in html.split("<title>", 1)[1].split("</title>", 1)[0]


def test_a_staff_form_address_opened_as_a_link_gets_the_staff_page(city, client):
    proposal, _ = city.submit()
    login(client, city.parks_liaison)
    response = client.get(f"/staff/proposals/{proposal.id}/transitions/accept")
    assert response.status_code == 405
    html = page(response)
    assert translate("staff.error.not_a_page", "ja") in html
    assert f"/staff/proposals/{proposal.id}?lang=en" in html.replace("&amp;", "&")


def test_the_api_and_open311_keep_their_own_formats(city, client):
    api = client.get("/api/v1/proposals/1/transitions")
    assert api.status_code == 405 and api.get_json()["error"]
    open311 = client.delete("/open311/v2/requests.json")
    assert open311.status_code == 405
    assert open311.get_json()[0]["code"] == 405


@pytest.fixture
def faulty(app):
    """Routes that fail as a bug would, and the app set to answer a fault as in
    production (the test config passes exceptions through to the test)."""
    def boom():
        raise RuntimeError("a bug")

    def boom_after_a_write():
        session = app.extensions["teian.session"]()
        session.execute(update(Proposal).values(title="半分だけの書き込み"))
        raise RuntimeError("a bug after a write")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/staff/boom", "staff_boom", boom)
    app.add_url_rule("/open311/v2/boom.json", "open311_boom", boom)
    app.add_url_rule("/written-then-boom", "written_then_boom", boom_after_a_write,
                     methods=["POST"])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_a_fault_gets_a_page_in_the_visitors_language_with_a_reference_in_the_log(
        faulty, client, caplog):
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom?lang=en")
    assert response.status_code == 500
    html = page(response)
    assert translate("public.error.server.title", "en") in html
    assert "Traceback" not in html and "a bug" not in html
    reference = html.split("the number ")[1][:8]
    assert f"error reference {reference}: GET /boom" in caplog.text
    assert "RuntimeError: a bug" in caplog.text


def test_a_fault_on_a_staff_page_gets_the_staff_page(faulty, client):
    response = client.get("/staff/boom")
    assert response.status_code == 500
    assert "システム担当に番号" in page(response)


def test_a_fault_after_a_write_leaves_nothing_written(faulty, city, client, db):
    proposal, _ = city.submit(title="公園にベンチを")
    response = client.post("/written-then-boom")
    assert response.status_code == 500
    assert translate("public.error.server.title", "ja") in page(response)
    db.expire_all()
    assert db.scalars(select(Proposal.title)).all() == ["公園にベンチを"]


def test_a_fault_under_open311_is_told_in_its_format_with_the_reference(faulty, client,
                                                                        caplog):
    with caplog.at_level(logging.ERROR):
        response = client.get("/open311/v2/boom.json?lang=en")
    assert response.status_code == 500
    [error] = response.get_json()
    reference = error["description"].split("reference ")[1][:8]
    assert error["description"] == translate("open311.error.server", "en",
                                             reference=reference)
    assert f"error reference {reference}: GET /open311/v2/boom.json" in caplog.text


def test_a_body_too_large_for_open311_is_a_400_in_its_format(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/open311/v2/requests.xml", data=b"x" * (limit + 1),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.content_type.startswith("text/xml")
    assert translate("open311.error.too_large", "ja", limit=limit).encode() in response.data
