"""The timelines say which files came with a step (the proposer's answer to a question):
staff read on the answer's entry how many and open each, private or not (page and API);
the proposer reads how many they attached, named and linked to their own copies; the
public timeline says nothing of them, published or not (the public page lists the
published ones with the photos and documents)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from intake.attachments.operations import publish_attachment
from intake.i18n import translate
from intake.models import Attachment
from tests import attachment_files as files
from tests import ops

from .api_support import bearer
from .attachment_support import API, answer, ask
from .staff_support import login, page

NAMES = ("IMG_0100.jpg", "plan.pdf")


def ja(key: str, **params) -> str:
    return translate(key, "ja", **params)


@pytest.fixture
def answered(city, client, db):
    """A proposal (accepted, so public) whose proposer answered the question with a photo
    and a PDF through the tracking page; (proposal, token, [attachment ids])."""
    proposal, token = ask(city)
    sent = answer(client, "page", token, (files.jpeg_with_gps(), "IMG_0100.JPG"),
                  (files.plain_pdf(), "plan.pdf"))
    assert sent.status_code == 303, page(sent)[:500]
    db.expire_all()
    ids = list(db.execute(select(Attachment.id).where(Attachment.proposal_id == proposal.id)
                          .order_by(Attachment.id)).scalars())
    assert len(ids) == 2
    return proposal, token, ids


def section(text: str, start: str, end: str) -> str:
    """The part of a page from ``start`` to the first ``end`` after it."""
    text = text[text.index(start):]
    return text[:text.index(end)]


def rows_of(timeline_table: str) -> list[str]:
    return re.findall(r"<tr[ >].*?</tr>", timeline_table, re.S)


def test_the_staff_timeline_says_how_many_files_came_with_the_answer_and_links_each(
        answered, city, client):
    proposal, _token, ids = answered
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    timeline = section(text, 'id="timeline-title"', "</table>")
    [row] = [r for r in rows_of(timeline) if ja("staff.timeline.files", count=2) in r]
    assert "質問に答える" in row  # the answer's own entry, not another
    for attachment_id, name in zip(ids, NAMES, strict=True):
        assert re.search(rf'<a href="/staff/attachments/{attachment_id}"[^>]*>{name}</a>', row)
    # The files open for staff, private as they are.
    assert client.get(f"/staff/attachments/{ids[1]}").status_code == 200
    # Other entries say nothing of files (the submission came with none).
    assert sum(ja("staff.timeline.files", count=2) in r for r in rows_of(timeline)) == 1
    assert "/staff/attachments/" not in "".join(r for r in rows_of(timeline) if r != row)


def test_the_staff_api_timeline_lists_the_answers_files_by_id(answered, city, client):
    proposal, _token, ids = answered
    detail = client.get(f"{API}/proposals/{proposal.id}/detail",
                        headers=bearer(city.token(city.parks_liaison))).get_json()
    [entry] = [e for e in detail["timeline"] if e["trigger"] == "provide_info"]
    assert entry["attachments"] == ids
    assert {a["id"] for a in detail["attachments"]} == set(ids)  # each with its address
    assert all("attachments" not in e for e in detail["timeline"] if e is not entry)


def test_the_proposers_timeline_says_their_answer_came_with_their_files(answered, client):
    _proposal, token, ids = answered
    text = page(client.get(f"/track/{token}"))
    history = section(text, 'id="history-title"', "</ol>")
    [item] = [i for i in history.split('<li class="timeline-item')[1:]
              if ja("public.track.timeline_files", count=2) in i]
    assert ja("public.timeline.step.provide_info") in item  # the answer's own entry
    for attachment_id, name in zip(ids, NAMES, strict=True):
        assert re.search(rf'href="[^"]*/track/{token}/attachments/{attachment_id}"[^>]*>'
                         rf'<bdi[^>]*>{name}</bdi>', item)
    tracked = client.get(f"{API}/track/{token}").get_json()
    [entry] = [e for e in tracked["timeline"] if e["trigger"] == "provide_info"]
    assert entry["attachments"] == ids


def test_easy_japanese_tracking_page_says_it_plainly(answered, client):
    _proposal, token, _ids = answered
    text = page(client.get(f"/track/{token}?lang=ja-easy&ruby=off"))
    assert translate("public.track.timeline_files", "ja-easy", count=2) in text


@pytest.mark.parametrize("published", [False, True])
def test_the_public_timeline_says_nothing_of_the_files(published, answered, city, client,
                                                       db):
    """Private files leave no trace in public; a published one is shown with the photos and
    documents, not in the timeline (nor in the public JSON's)."""
    proposal, _token, ids = answered
    if published:
        attachment = db.get(Attachment, ids[0])
        publish_attachment(db, attachment, ops.Actor.staff(city.parks_liaison))
        db.commit()
    text = page(client.get(f"/proposals/{proposal.id}"))
    history = section(text, 'id="history-title"', "</ol>")
    assert ja("public.timeline.step.provide_info") in history  # there, files unmentioned
    for leak in (*NAMES, "/attachments/", "timeline-files", "添付", "2件"):
        assert leak not in history
    assert ("IMG_0100.jpg" in text) is published  # on the page's own list once published
    assert "plan.pdf" not in text
    public = client.get(f"{API}/proposals/{proposal.id}").get_json()
    assert all("attachments" not in e for e in public["timeline"])
    assert [a["id"] for a in public["attachments"]] == (ids[:1] if published else [])
