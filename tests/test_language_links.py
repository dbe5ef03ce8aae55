"""The header's language and readings links open a page, even on a page shown after a
refused form: that page's address takes only POST, so the links open the page the form
was on (intake.web.page_text.page_to_reload).  A citizen form's address opened with GET
(Enter in the address bar, a bookmark) leads to that page too, in the language asked."""

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
    assert sorted(links) == [f"/track/{token}/provide_info?lang=en",
                             f"/track/{token}/provide_info?lang=ja-easy"]
    for link in links:
        assert client.get(link).headers["Location"] == link.replace("/provide_info", "")
        assert client.get(link, follow_redirects=True).status_code == 200, link


def test_after_a_refused_answer_in_easy_japanese_the_readings_link_opens_the_page(city,
                                                                                  client):
    _, token = ask(city)
    refused = client.post(f"/track/{token}/provide_info?lang=ja-easy", data={"text": " "})
    links = header_links(page(refused))
    assert f"/track/{token}/provide_info?ruby=off" in links
    assert client.get(links[-1]).headers["Location"] == f"/track/{token}?ruby=off"
    for link in links:
        assert client.get(link, follow_redirects=True).status_code == 200, link


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


# --- a form's address opened with GET: the page the form is on, not a 405 --------------------


def test_a_proposers_action_address_opened_as_a_link_opens_the_tracking_page(city, client):
    """Enter in the address bar after a refused answer or withdrawal, or a bookmark."""
    _, token = ask(city)
    for trigger in ("provide_info", "withdraw"):
        opened = client.get(f"/track/{token}/{trigger}?lang=en")
        assert opened.status_code == 303
        assert opened.headers["Location"] == f"/track/{token}?lang=en"
        assert opened.headers["Cache-Control"] == "no-store"  # it names the token
        followed = client.get(f"/track/{token}/{trigger}?lang=en", follow_redirects=True)
        assert followed.status_code == 200 and 'lang="en"' in page(followed)
    assert client.get(f"/track/{token}/withdraw").headers["Location"] == f"/track/{token}"
    assert client.get("/track/not-a-token/withdraw").status_code == 404


def test_the_support_address_opened_as_a_link_opens_the_proposals_page(city, client):
    proposal, _ = city.submit()
    opened = client.get(f"/proposals/{proposal.id}/supports?lang=ja-easy")
    assert opened.status_code == 303
    assert opened.headers["Location"] == f"/proposals/{proposal.id}?lang=ja-easy#supports"
    comments = client.get(f"/proposals/{proposal.id}/comments?lang=en")
    assert comments.headers["Location"] == f"/proposals/{proposal.id}?lang=en#comments"
    unknown = client.get(f"/proposals/{proposal.id}/supports?lang=xx")  # not a language
    assert unknown.headers["Location"] == f"/proposals/{proposal.id}#supports"
