"""Photos and documents with a proposal (SPEC section 2), through the page and the API:
the type decided from the content, images cleaned of every metadata block, refusals with
the field's message, private until published, gone again once withheld."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from intake.models import Attachment, Event
from tests import attachment_files as files
from tests import ops

from .api_support import bearer
from .attachment_support import API, api_submit, page_submit
from .staff_support import page

JPEG_NAME = "IMG_0001.JPG"


@pytest.fixture(autouse=True)
def no_fill_wait(app):
    app.config["TEIAN_MIN_FILL_SECONDS"] = 0


def _the_proposal(db):
    return db.query(Attachment).order_by(Attachment.id).first().proposal


def _publish_proposal(city, db):
    proposal = _the_proposal(db)
    ops.fire_trigger(city.session, proposal, "accept", ops.Actor.staff(city.parks_liaison))
    city.session.commit()
    assert proposal.is_published
    return proposal


# --- acceptance 1: what is accepted, what comes back, what is refused --------------------


@pytest.mark.parametrize("door", ["api", "page"])
def test_a_gps_photo_comes_back_from_the_public_address_with_no_metadata(
        door, city, client, db):
    send = api_submit if door == "api" else page_submit
    original = files.jpeg_with_gps()
    assert files.MAKER.encode() in original  # the test photo does carry it
    answer = send(client, (original, JPEG_NAME))
    assert answer.status_code in (201, 303), answer.get_data(as_text=True)[:500]
    proposal = _publish_proposal(city, db)
    token = city.token(city.parks_liaison)
    detail = client.get(f"{API}/proposals/{proposal.id}/detail",
                        headers=bearer(token)).get_json()
    [item] = detail["attachments"]
    assert item["published"] is False and item["content_type"] == "image/jpeg"
    published = client.post(f"{API}/attachments/{item['id']}/publish", json={},
                            headers=bearer(token))
    assert published.status_code == 200, published.get_json()
    public = client.get(f"{API}/proposals/{proposal.id}").get_json()
    [shown] = public["attachments"]
    assert set(shown) == {"id", "url", "content_type", "name"}
    assert shown["name"] == "IMG_0001.jpg"
    served = client.get(shown["url"].removeprefix("http://teian.test"))
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    body = served.get_data()
    image = Image.open(io.BytesIO(body))
    assert image.size == (480, 640)  # turned upright by its EXIF orientation
    assert len(image.getexif()) == 0
    assert not set(image.info) - {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
    for trace in (files.MAKER.encode(), b"Exif", b"home of the proposer", b"TP-1"):
        assert trace not in body


@pytest.mark.parametrize("door", ["api", "page"])
def test_a_heic_photo_is_accepted_and_served_as_jpeg(door, city, client, db):
    send = api_submit if door == "api" else page_submit
    answer = send(client, (files.heic_photo(), "IMG_0002.HEIC"))
    assert answer.status_code in (201, 303)
    attachment = db.query(Attachment).one()
    assert (attachment.content_type, attachment.name) == ("image/jpeg", "IMG_0002.jpg")
    _publish_proposal(city, db)
    ops_publish(city, attachment)
    served = client.get(f"/attachments/{attachment.id}")
    assert served.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(served.get_data())).format == "JPEG"


def ops_publish(city, attachment):
    from intake.attachments.operations import publish_attachment

    publish_attachment(city.session, attachment, ops.Actor.staff(city.parks_liaison))
    city.session.commit()


REFUSED = [
    ("page.jpg", files.HTML_AS_JPEG,
     "「page.jpg」は送れません。JPEG・PNG・HEIC・PDFのファイルだけ送れます"),
    ("script.pdf", files.pdf_with_javascript(),
     "「script.pdf」は送れません。スクリプト（JavaScript）や自動で動く仕掛けを含むPDFは受け付けません"),
    ("big.jpg", files.eleven_megabytes(), "「big.jpg」は大きすぎます。1つのファイルは10MBまでです"),
    ("bomb.png", files.decompression_bomb(), "「bomb.png」は画素数が多すぎるため開けません"),
    # A PDF that cannot be looked into is still a PDF: not "only JPEG, PNG, HEIC and PDF".
    ("locked.pdf", files.password_protected_pdf(),
     "「locked.pdf」は送れません。パスワードで保護されたPDFは中身を確認できないため受け付けません"),
    ("empty.pdf", files.pdf_without_pages(), "「empty.pdf」はPDFとして開けません。"),
    ("cut.pdf", files.cut_off_pdf(), "「cut.pdf」はPDFとして開けません。"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_files_are_named_with_their_rule_through_the_api(name, data, message, city,
                                                                 client, db):
    answer = api_submit(client, (data, name))
    assert answer.status_code == 422
    [said] = answer.get_json()["error"]["fields"]["attachments"]
    assert said.startswith(message)
    assert db.query(Attachment).count() == 0


@pytest.mark.parametrize(("name", "data", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_files_are_named_beside_the_field_on_the_page_and_nothing_typed_is_lost(
        name, data, message, city, client, db):
    answer = page_submit(client, (data, name), title="公園の花壇について提案します")
    assert answer.status_code == 422
    text = page(answer)
    assert message in text
    assert 'id="attachments-error"' in text and 'enctype="multipart/form-data"' in text
    assert "公園の花壇について提案します" in text and "hanako@example.jp" in text
    assert db.query(Attachment).count() == 0


def test_more_than_five_files_are_refused_by_the_field(city, client, db):
    six = [(files.png_photo(), f"p{n}.png") for n in range(6)]
    answer = api_submit(client, *six)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"]["attachments"] == [
        "ファイルは5つまでです（いま6つ）。減らしてからもう一度選んでください"]
    assert "ファイルは5つまでです（いま6つ）" in page(page_submit(client, *six))


def test_a_body_over_every_limit_is_413_in_the_api(city, client):
    huge = [(b"\0" * (10 * 1024 * 1024), f"f{n}.jpg") for n in range(7)]
    answer = api_submit(client, *huge)
    assert answer.status_code == 413
    assert answer.get_json()["error"]["code"] == "payload_too_large"


def test_a_plain_pdf_is_kept_and_served_only_as_a_sandboxed_download(city, client, db):
    assert api_submit(client, (files.plain_pdf(), "資料.pdf")).status_code == 201
    _publish_proposal(city, db)
    attachment = db.query(Attachment).one()
    ops_publish(city, attachment)
    served = client.get(f"/attachments/{attachment.id}")
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E8%B3%87%E6%96%99.pdf" in served.headers["Content-Disposition"]
    assert served.headers["Content-Security-Policy"].startswith("sandbox")
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_a_json_body_cannot_carry_attachments(city, client):
    from .api_support import form

    answer = client.post(f"{API}/proposals", json=form(attachments="c2VjcmV0"))
    assert answer.status_code == 422
    assert "attachments" in answer.get_json()["error"]["fields"]


def test_a_failed_page_asks_for_the_files_again(city, client, db):
    answer = page_submit(client, (files.jpeg_with_gps(), "IMG_0003.jpg"), title="短い")
    assert answer.status_code == 422
    text = page(answer)
    assert ("選んだファイル（IMG_0003.jpg）は保存していません。"
            "送信する前にもう一度選んでください") in text
    assert db.query(Attachment).count() == 0


# --- acceptance 2: private until published, gone again once withheld -----------------------


def _public_views(client, proposal_id: int) -> str:
    """Every public answer about the proposal, as one text."""
    parts = [
        page(client.get(f"/proposals/{proposal_id}")),
        client.get(f"{API}/proposals/{proposal_id}").get_data(as_text=True),
        client.get(f"/open311/v2/requests/{proposal_id}.json").get_data(as_text=True),
        client.get(f"/open311/v2/requests/{proposal_id}.xml").get_data(as_text=True),
        client.get("/proposals.json").get_data(as_text=True),
        client.get("/proposals.csv").get_data(as_text=True),
    ]
    return "\n".join(parts)


def test_an_attachment_is_public_only_while_published(city, client, db):
    assert api_submit(client, (files.jpeg_with_gps(), JPEG_NAME)).status_code == 201
    proposal = _publish_proposal(city, db)
    attachment = db.query(Attachment).one()
    address = f"/attachments/{attachment.id}"
    token = city.token(city.parks_liaison)

    before = _public_views(client, proposal.id)
    assert address not in before and "IMG_0001" not in before
    assert client.get(address).status_code == 404
    assert client.get(f"{address}/thumbnail").status_code == 404
    open311 = client.get(f"/open311/v2/requests/{proposal.id}.json").get_json()
    assert open311[0]["media_url"] is None

    assert client.post(f"{API}/attachments/{attachment.id}/publish", json={},
                       headers=bearer(token)).status_code == 200
    during = _public_views(client, proposal.id)
    assert address in during and "IMG_0001.jpg" in during
    assert client.get(address).status_code == 200
    assert client.get(f"{address}/thumbnail").status_code == 200
    open311 = client.get(f"/open311/v2/requests/{proposal.id}.json").get_json()
    assert open311[0]["media_url"] == f"http://teian.test{address}"

    withheld = client.post(f"{API}/attachments/{attachment.id}/withhold",
                           json={"reason": "車のナンバーが写っています"}, headers=bearer(token))
    assert withheld.status_code == 200
    assert withheld.get_json()["status"] == "withheld"
    after = _public_views(client, proposal.id)
    assert address not in after and "IMG_0001" not in after
    assert client.get(address).status_code == 404
    actions = [e.action for e in db.query(Event).filter_by(proposal_id=proposal.id)]
    assert actions[-2:] == ["attachment_publish", "attachment_withhold"]


def test_staff_read_every_attachment_at_their_own_address(city, client, db):
    assert api_submit(client, (files.png_photo(), "map.png")).status_code == 201
    proposal = _the_proposal(db)
    attachment = db.query(Attachment).one()
    token = city.token(city.parks_liaison)
    detail = client.get(f"{API}/proposals/{proposal.id}/detail", headers=bearer(token))
    [item] = detail.get_json()["attachments"]
    assert item["url"] == f"http://teian.test/api/v1/attachments/{attachment.id}/file"
    served = client.get(item["url"].removeprefix("http://teian.test"), headers=bearer(token))
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/png"
    assert "no-store" in served.headers["Cache-Control"]
    other = city.token(city.roads_primary)
    assert client.get(f"/api/v1/attachments/{attachment.id}/file",
                      headers=bearer(other)).status_code == 403
    assert client.post(f"{API}/attachments/{attachment.id}/publish", json={},
                       headers=bearer(other)).status_code == 403
    assert db.query(Attachment).one().published_at is None


def test_a_withdrawal_takes_the_published_files_off_the_public(city, client, db):
    assert api_submit(client, (files.jpeg_with_gps(), JPEG_NAME)).status_code == 201
    proposal = _publish_proposal(city, db)
    attachment = db.query(Attachment).one()
    ops_publish(city, attachment)
    assert client.get(f"/attachments/{attachment.id}").status_code == 200
    ops.fire_trigger(city.session, proposal, "withdraw", ops.Actor.staff(city.office_user))
    city.session.commit()
    assert client.get(f"/attachments/{attachment.id}").status_code == 404
    assert f"/attachments/{attachment.id}" not in _public_views(client, proposal.id)


def test_a_withheld_proposal_takes_its_files_with_it(city, client, db):
    assert api_submit(client, (files.jpeg_with_gps(), JPEG_NAME)).status_code == 201
    proposal = _publish_proposal(city, db)
    attachment = db.query(Attachment).one()
    ops_publish(city, attachment)
    from intake.privacy.operations import withhold_publication

    withhold_publication(city.session, proposal, ops.Actor.staff(city.office_user),
                         reason="確認中")
    city.session.commit()
    assert client.get(f"/attachments/{attachment.id}").status_code == 404


def test_a_multipart_body_with_a_broken_boundary_is_refused_without_a_500(city, client):
    answer = client.post(f"{API}/proposals", data=b'{"title": "x"}',
                         content_type="multipart/form-data; boundary=x")
    assert answer.status_code == 422
    assert "title" in answer.get_json()["error"]["fields"]
