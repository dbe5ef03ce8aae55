"""Atom feeds (intake/web/feeds.py): a citizen follows a proposal, or a filtered list, in a
feed reader without giving an address.  A feed holds what the public pages hold and no
more: the public timeline's sentences and public reasons, the public copy of each text,
only published proposals, no personal data; it takes the list's filters, and the pages
point to it."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import pytest

from tests import ops
from tests.test_open_data import SECRETS, seeded  # noqa: F401  (the fixture)
from tests.test_query_counts import _publish_many, counted

from .workflow_support import INPUTS, lead, walk

ATOM = "{http://www.w3.org/2005/Atom}"


def feed(client, address: str) -> ET.Element:
    response = client.get(address)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}").text
    return root


def entries(root: ET.Element) -> list[ET.Element]:
    found = root.findall(f"{ATOM}entry")
    for entry in found:
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}").text, required
    assert len({e.find(f"{ATOM}id").text for e in found}) == len(found)  # ids unique
    return found


def text_of(entry: ET.Element, name: str) -> str:
    return entry.find(f"{ATOM}{name}").text or ""


def link(element: ET.Element, rel: str) -> str:
    return next(a.get("href") for a in element.findall(f"{ATOM}link") if a.get("rel") == rel)


# --- one proposal's timeline ----------------------------------------------------------------


def test_a_proposals_feed_lists_its_public_steps_newest_first_with_the_ruling_reason(
        city, db, client):
    proposal, _ = city.submit()
    walk(db, proposal, "evaluated")
    db.commit()
    root = feed(client, f"/proposals/{proposal.id}.atom")
    assert link(root, "alternate").endswith(f"/proposals/{proposal.id}")
    assert link(root, "self").endswith(f"/proposals/{proposal.id}.atom")
    items = entries(root)
    api_timeline = client.get(f"/api/v1/proposals/{proposal.id}").get_json()["timeline"]
    assert len(items) >= len(api_timeline)  # the page's steps: routing and sessions too
    moments = [text_of(e, "updated") for e in items]
    assert moments == sorted(moments, reverse=True)
    assert root.find(f"{ATOM}updated").text == moments[0]
    contents = " ".join(html.unescape(text_of(e, "content")) for e in items)
    assert INPUTS["adopt"]["reason"] in contents
    assert INPUTS["evaluate"]["evaluation"] in contents
    # Each entry says what the page's timeline says for that step.
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    said = re.findall(r'<p class="timeline-what">(.*?)</p>', page)
    assert [text_of(e, "title") for e in items] == [html.unescape(s) for s in reversed(said)]


def test_a_question_to_the_proposer_stays_out_of_the_feed(city, db, client):
    proposal, _ = city.submit()
    walk(db, proposal, "awaiting_proposer")
    db.commit()
    data = client.get(f"/proposals/{proposal.id}.atom").get_data(as_text=True)
    assert INPUTS["request_info"]["question"] not in html.unescape(data)


def test_an_unpublished_proposal_has_no_feed(client, seeded):  # noqa: F811
    for proposal in seeded["unpublished"]:
        assert client.get(f"/proposals/{proposal.id}.atom").status_code == 404
    assert client.get("/proposals/999999999.atom").status_code == 404


def test_a_feed_holds_no_personal_data_and_the_masked_title(client, seeded):  # noqa: F811
    for proposal in seeded["published"]:
        data = client.get(f"/proposals/{proposal.id}.atom").get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in html.unescape(data), secret
    masked = feed(client, f"/proposals/{seeded['masked'].id}.atom")
    assert "●" in masked.find(f"{ATOM}title").text


def test_a_feed_speaks_the_language_its_address_asks_for_with_the_same_ids(
        client, seeded):  # noqa: F811
    ruled = seeded["ruled"].id
    ja = feed(client, f"/proposals/{ruled}.atom")
    en = feed(client, f"/proposals/{ruled}.atom?lang=en")
    assert en.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert "timeline" in en.find(f"{ATOM}title").text
    assert link(en, "alternate").endswith(f"/proposals/{ruled}?lang=en")
    assert [text_of(e, "id") for e in entries(ja)] == [text_of(e, "id") for e in entries(en)]
    assert text_of(entries(ja)[0], "title") != text_of(entries(en)[0], "title")
    easy = client.get(f"/proposals/{ruled}.atom?lang=ja-easy").get_data(as_text=True)
    assert "<ruby" not in html.unescape(easy)  # readers show text, not readings


# --- the list ------------------------------------------------------------------------------


def test_the_list_feed_holds_exactly_the_published_proposals(client, seeded):  # noqa: F811
    items = entries(feed(client, "/proposals.atom"))
    shown = {int(text_of(e, "id").rsplit("/", 1)[1]) for e in items}
    assert shown == {p.id for p in seeded["published"]}
    data = html.unescape(client.get("/proposals.atom").get_data(as_text=True))
    for secret in SECRETS:
        assert secret not in data, secret


def test_the_list_feed_takes_the_lists_filters(client, seeded):  # noqa: F811
    roads = entries(feed(client, "/proposals.atom?category=roads"))
    assert [int(text_of(e, "id").rsplit("/", 1)[1]) for e in roads] == [seeded["roads"].id]
    rejected = entries(feed(client, "/proposals.atom?state=rejected"))
    assert [int(text_of(e, "id").rsplit("/", 1)[1]) for e in rejected] == [seeded["ruled"].id]
    response = client.get("/proposals.atom?category=nonexistent")
    assert response.status_code == 400
    assert "テーマ" in response.get_data(as_text=True)  # the filter is named, as the list does


def test_a_ruling_moves_a_listed_proposals_updated_moment(city, db, client):
    proposal, _ = city.submit()
    walk(db, proposal, "in_review")
    before = text_of(entries(feed(client, "/proposals.atom"))[0], "updated")
    ops.fire_trigger(db, proposal, "reject", lead(proposal), INPUTS["reject"])
    db.commit()
    after = entries(feed(client, "/proposals.atom"))[0]
    assert text_of(after, "updated") >= before
    assert text_of(after, "updated") == text_of(
        entries(feed(client, f"/proposals/{proposal.id}.atom"))[0], "updated")


def test_the_list_feed_costs_the_same_queries_for_more_entries(city, db, client, app):
    engine = app.extensions["teian.engine"]
    _publish_many(city, db, 2)
    with counted(engine) as small:
        assert client.get("/proposals.atom").status_code == 200
    _publish_many(city, db, 9)
    with counted(engine) as large:
        assert client.get("/proposals.atom").status_code == 200
    assert len(large) == len(small)


# --- the pages point to them -------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_pages_link_their_feeds(client, seeded, lang):  # noqa: F811
    suffix = "" if lang == "ja" else f"lang={lang}"
    ruled = seeded["ruled"].id
    page = client.get(f"/proposals/{ruled}?lang={lang}").get_data(as_text=True)
    expected = f"/proposals/{ruled}.atom" + (f"?{suffix}" if suffix else "")
    assert f'<link rel="alternate" type="application/atom+xml" href="{expected}"' in page
    assert f'<a href="{expected}" type="application/atom+xml">' in page
    listed = client.get(f"/proposals?category=roads&lang={lang}").get_data(as_text=True)
    address = re.search(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)"',
                        listed).group(1)
    assert "category=roads" in address and (lang == "ja" or f"lang={lang}" in address)
    assert client.get(html.unescape(address)).status_code == 200
