"""The proposer's tracking page and tracking API show what they sent: their own text as they
wrote it (not the city's masked public copy), the facts of the form, and their own files —
published or not — at addresses under their tracking link only."""

from __future__ import annotations

import pytest

from intake.models import Attachment
from tests import attachment_files as files
from tests.api_support import API, bearer, fire, submit, version
from tests.attachment_support import api_submit
from tests.staff_support import page

PHONE = "090-1111-2222"
PROBLEM = f"公園の入口が暗く、夜は足元が見えません。連絡は{PHONE}まで。"


@pytest.fixture(autouse=True)
def no_fill_wait(app):
    app.config["TEIAN_MIN_FILL_SECONDS"] = 0


def _published_with_a_mask(city, client) -> tuple[int, str]:
    """A proposal accepted and published with the phone number masked."""
    sent = submit(client, problem=PROBLEM, budget_total=120000, city_share=60000)
    liaison = city.token(city.parks_liaison)
    assert fire(client, liaison, sent["id"], "accept").status_code == 200
    published = client.post(
        f"{API}/proposals/{sent['id']}/publication", headers=bearer(liaison),
        json={"redact": [PHONE], "version": version(client, liaison, sent["id"])})
    assert published.status_code == 200, published.get_json()
    return sent["id"], sent["tracking_token"]


def test_the_tracking_page_shows_the_text_as_sent_where_the_public_sees_it_masked(
        city, client):
    proposal_id, token = _published_with_a_mask(city, client)
    assert PHONE not in page(client.get(f"/proposals/{proposal_id}"))

    tracking = page(client.get(f"/track/{token}", headers={"Accept-Language": "ja"}))
    assert "あなたが送った内容" in tracking
    assert PROBLEM in tracking  # as typed, the phone number included
    assert "市が手を加えた文章が載ることがあります" in tracking
    assert "120,000円" in tracking and "60,000円" in tracking

    tracked = client.get(f"{API}/track/{token}").get_json()
    assert tracked["problem"] == PROBLEM
    assert (tracked["budget_total"], tracked["city_share"]) == (120000, 60000)
    assert tracked["attachments"] == []


def test_before_publication_the_page_says_only_staff_read_it(city, client):
    sent = submit(client, problem=PROBLEM)
    tracking = page(client.get(f"/track/{sent['tracking_token']}",
                               headers={"Accept-Language": "ja"}))
    assert PROBLEM in tracking
    assert "公開されていない提案は、市の職員だけが読みます" in tracking


def test_the_proposer_reads_their_own_unpublished_file_under_their_link_only(
        city, client, db):
    answer = api_submit(client, (files.png_photo(), "入口.png"), (files.plain_pdf(), "図.pdf"))
    assert answer.status_code == 201, answer.get_json()
    token = answer.get_json()["tracking_token"]
    photo, pdf = db.query(Attachment).order_by(Attachment.id).all()
    other = submit(client)["tracking_token"]

    tracked = client.get(f"{API}/track/{token}").get_json()
    assert [(f["name"], f["published"]) for f in tracked["attachments"]] == [
        ("入口.png", False), ("図.pdf", False)]
    address = f"/track/{token}/attachments/{photo.id}"
    assert tracked["attachments"][0]["url"] == f"http://teian.test{address}"

    served = client.get(address)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/png"
    assert served.headers["Cache-Control"] == "no-store"
    assert served.headers["Referrer-Policy"] == "no-referrer"
    assert client.get(f"{address}/thumbnail").status_code == 200
    download = client.get(f"/track/{token}/attachments/{pdf.id}")
    assert download.headers["Content-Disposition"].startswith("attachment;")

    # Nobody else: not the public address, not another proposer's link, not a made-up one.
    assert client.get(f"/attachments/{photo.id}").status_code == 404
    assert client.get(f"/track/{other}/attachments/{photo.id}").status_code == 404
    assert client.get(f"/track/{'x' * 43}/attachments/{photo.id}").status_code == 404
    assert client.get(f"/track/{token}/attachments/{2**40}").status_code == 404

    tracking = page(client.get(f"/track/{token}", headers={"Accept-Language": "ja"}))
    assert address in tracking and f"/track/{token}/attachments/{pdf.id}" in tracking
    assert tracking.count('<span class="tag file-private">非公開</span>') == 2


def test_a_published_file_is_marked_so_and_an_erased_one_is_gone(city, client, db):
    answer = api_submit(client, (files.png_photo(), "入口.png"), (files.plain_pdf(), "図.pdf"))
    token = answer.get_json()["tracking_token"]
    photo, pdf = db.query(Attachment).order_by(Attachment.id).all()
    liaison = city.token(city.parks_liaison)
    assert fire(client, liaison, photo.proposal_id, "accept").status_code == 200
    assert client.post(f"{API}/attachments/{photo.id}/publish", json={},
                       headers=bearer(liaison)).status_code == 200

    tracked = client.get(f"{API}/track/{token}").get_json()
    assert [f["published"] for f in tracked["attachments"]] == [True, False]
    tracking = page(client.get(f"/track/{token}", headers={"Accept-Language": "ja"}))
    assert '<span class="tag file-published">公開中</span>' in tracking
    assert tracking.count('<span class="tag file-private">非公開</span>') == 1

    # The retention rules erased the PDF's bytes: the row stays for the log, the file is
    # gone for its sender too.
    from intake.models import utcnow

    db.get(Attachment, pdf.id).purged_at = utcnow()
    db.commit()
    tracked = client.get(f"{API}/track/{token}").get_json()
    assert [f["name"] for f in tracked["attachments"]] == ["入口.png"]
    assert client.get(f"/track/{token}/attachments/{pdf.id}").status_code == 404
