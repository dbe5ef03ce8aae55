"""The header's language and readings links open a page, even on a page shown after a
refused form: that page's address takes only POST, so the links open the page the form
was on (intake.web.page_text.page_to_reload)."""

from __future__ import annotations

import re

from .attachment_support import ask
from .staff_support import login, page


def header_links(html: str) -> list[str]:
    """The language links, and the readings link on an easy-Japanese page."""
    header = html[html.index('class="site-header"'):html.index("</header>")]
    return [href.replace("&amp;", "&") for href in re.findall(r'<a href="([^"]+)"', header)
            if "lang=" in href or "ruby=" in href]


def test_after_a_refused_answer_the_language_links_open_the_tracking_page(city, client):
    _, token = ask(city)
    refused = client.post(f"/track/{token}/provide_info", data={"text": " "})
    assert refused.status_code in (400, 422)
    links = header_links(page(refused))
    assert sorted(links) == [f"/track/{token}?lang=en", f"/track/{token}?lang=ja-easy"]
    for link in links:
        assert client.get(link).status_code == 200, link


def test_after_a_refused_answer_in_easy_japanese_the_readings_link_opens_the_page(city,
                                                                                  client):
    _, token = ask(city)
    refused = client.post(f"/track/{token}/provide_info?lang=ja-easy", data={"text": " "})
    links = header_links(page(refused))
    assert f"/track/{token}?ruby=off" in links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_after_a_refused_staff_action_the_language_links_open_the_proposal(city, client):
    proposal, _ = city.submit()
    login(client, city.parks_liaison)
    refused = client.post(f"/staff/proposals/{proposal.id}/transitions/accept",
                          data={"accept-version": proposal.version + 5})
    assert refused.status_code >= 400
    links = header_links(page(refused))
    assert links and all(link.startswith(f"/staff/proposals/{proposal.id}?") for link in links)
    for link in links:
        assert client.get(link).status_code == 200, link


def test_an_ordinary_page_keeps_its_query_when_the_language_changes(city, client):
    links = header_links(page(client.get("/proposals?q=公園")))
    assert "/proposals?q=%E5%85%AC%E5%9C%92&lang=en" in links
