"""Photos and documents with the proposer's answer to a question (SPEC section 2's rules,
on the step the workflow marks ``attachments = true``), through the tracking page and the
tracking API: kept clean and private with the answer, listed in its audit event, shown to
staff and to the proposer; a bad file refuses the answer by name and keeps nothing, and
the answer's own problems are named with it; a refused answer keeps no file; five files
per message."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from intake import audit
from intake.i18n import translate
from intake.models import Attachment, Event, OutboxMessage, Proposal
from tests import attachment_files as files
from tests import ops

from .api_support import bearer
from .attachment_support import ANSWER, API, QUESTION, answer, api_submit, ask
from .attachment_support import files as file_parts
from .staff_support import login, page


def ja(key: str, **params) -> str:
    return translate(key, "ja", **params)


@pytest.fixture
def asked(city):
    """A proposal in review with a question to the proposer open; (proposal, token)."""
    return ask(city)


def stored_files(app) -> list:
    root = app.extensions["teian.attachments"].root
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rows(db) -> list[Attachment]:
    db.expire_all()
    return list(db.execute(select(Attachment).order_by(Attachment.id)).scalars())


def state_of(db, proposal) -> str:
    db.expire_all()
    return db.get(Proposal, proposal.id).state


@pytest.mark.parametrize("door", ["page", "api"])
def test_an_answer_with_a_photo_keeps_it_clean_private_and_audited(door, asked, client, db,
                                                                   city):
    proposal, token = asked
    original = files.jpeg_with_gps()
    sent = answer(client, door, token, (original, "IMG_0100.JPG"))
    assert sent.status_code in (200, 303), sent.get_data(as_text=True)[:500]
    assert state_of(db, proposal) == "in_review"

    [attachment] = rows(db)
    assert attachment.proposal_id == proposal.id
    assert attachment.name == "IMG_0100.jpg" and attachment.content_type == "image/jpeg"
    assert attachment.published_at is None and attachment.status == "pending"
    # Re-encoded from its pixels: turned upright, no EXIF, no GPS, no maker, no comment.
    mine = client.get(f"/track/{token}/attachments/{attachment.id}")
    assert mine.status_code == 200 and "no-store" in mine.headers["Cache-Control"]
    body = mine.get_data()
    assert Image.open(io.BytesIO(body)).size == (480, 640)
    assert len(Image.open(io.BytesIO(body)).getexif()) == 0
    for trace in (files.MAKER.encode(), b"Exif", b"home of the proposer"):
        assert trace not in body
    # Private: the proposal is public (accepted), the file is not.
    assert db.get(Proposal, proposal.id).is_published
    assert client.get(f"/attachments/{attachment.id}").status_code == 404
    assert "IMG_0100" not in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)

    # Audited: the answer's own event on the proposal's chain names the file, as the
    # submission's event names the files sent with it; the chain still verifies.
    answered = db.execute(select(Event).where(Event.proposal_id == proposal.id,
                                              Event.trigger == "provide_info")).scalar_one()
    assert answered.data["attachments"] == [attachment.id]
    assert answered.reason == ANSWER
    assert audit.verify(db) is None

    # The liaison's notice of the answer says a file came with it, waiting for a decision.
    notices = db.execute(select(OutboxMessage.body).where(
        OutboxMessage.proposal_id == proposal.id,
        OutboxMessage.kind == "staff_step.provide_info",
        OutboxMessage.recipient == city.parks_liaison.email)).scalars().all()
    assert [ja("mail.staff_update.files_attached", count=1) in body for body in notices] == [True]

    # Staff see it in the detail (API and page) like the files sent with the proposal.
    staff_token = city.token(city.parks_liaison)
    detail = client.get(f"{API}/proposals/{proposal.id}/detail",
                        headers=bearer(staff_token)).get_json()
    [item] = detail["attachments"]
    assert (item["id"], item["published"], item["status"]) == (attachment.id, False, "pending")
    login(client, city.parks_liaison)
    staff_page = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert f"/staff/attachments/{attachment.id}" in staff_page and "IMG_0100.jpg" in staff_page
    # …and the proposer under their tracking link, marked private.
    tracking = page(client.get(f"/track/{token}"))
    assert f"/track/{token}/attachments/{attachment.id}/thumbnail" in tracking
    assert ja("public.track.file_private") in tracking
    assert client.get(f"/track/{token}/attachments/{attachment.id}/thumbnail").status_code == 200


def test_the_submission_event_names_its_files_too(city, client, db, app):
    app.config["TEIAN_MIN_FILL_SECONDS"] = 0
    assert api_submit(client, (files.png_photo(), "map.png")).status_code == 201
    [attachment] = rows(db)
    submitted = db.execute(select(Event).where(Event.proposal_id == attachment.proposal_id,
                                               Event.action == "submit")).scalar_one()
    assert submitted.data["attachments"] == [attachment.id]


@pytest.mark.parametrize("door", ["page", "api"])
def test_a_bad_file_refuses_the_answer_by_name_and_keeps_nothing_but_the_text(
        door, asked, client, db, app):
    proposal, token = asked
    sent = answer(client, door, token, (files.plain_pdf(), "plan.pdf"),
                  (files.HTML_AS_JPEG, "photo.jpg"))
    assert sent.status_code == 422
    message = ja("error.attachments.type", name="photo.jpg")
    if door == "api":
        fields = sent.get_json()["error"]["fields"]
        assert list(fields) == ["attachments"] and fields["attachments"] == [message]
    else:
        text = page(sent)
        assert re.search(r'id="provide_info-attachments-error"[^>]*>.*?'
                         + re.escape(message), text, re.S)
        assert 'href="#provide_info-attachments"' in text  # the summary links the field
        assert f">{ANSWER}</textarea>" in text  # what was typed is still there
    assert rows(db) == [] and stored_files(app) == []  # not even the good PDF
    assert state_of(db, proposal) == "awaiting_proposer"


def bad_files(case: str) -> tuple[list[tuple[bytes, str]], str]:
    """Files the field refuses, and its message: a text file named .jpg, or six photos."""
    if case == "text_as_jpeg":
        return [(b"notes for the city\n", "notes.jpg")], ja("error.attachments.type",
                                                            name="notes.jpg")
    six = [(files.png_photo(size=(100 + i, 80)), f"photo{i}.png") for i in range(6)]
    return six, ja("error.attachments.too_many", max=5, count=6)


@pytest.mark.parametrize("case", ["text_as_jpeg", "six_files"])
def test_a_bad_file_and_a_missing_answer_are_both_named_beside_their_fields(case, asked,
                                                                           client, db, app):
    """As the proposal form does: every field's problem at once, not the text's only once
    the file is put right."""
    proposal, token = asked
    items, file_message = bad_files(case)
    sent = answer(client, "page", token, *items, text="  ")
    assert sent.status_code == 422
    text = page(sent)
    text_message = ja("error.required", field="回答")
    assert re.search(r'id="provide_info-error"[^>]*>.*?' + re.escape(text_message), text, re.S)
    assert re.search(r'id="provide_info-attachments-error"[^>]*>.*?'
                     + re.escape(file_message), text, re.S)
    summary = text[:text.index('id="provide_info-form"')]
    assert 'href="#provide_info-text"' in summary
    assert 'href="#provide_info-attachments"' in summary
    assert rows(db) == [] and stored_files(app) == []
    assert state_of(db, proposal) == "awaiting_proposer"


@pytest.mark.parametrize("case", ["text_as_jpeg", "six_files"])
def test_the_api_names_the_bad_file_and_the_missing_answer_in_one_422(case, asked, client,
                                                                      db, app):
    proposal, token = asked
    items, file_message = bad_files(case)
    sent = answer(client, "api", token, *items, text="")
    assert sent.status_code == 422
    error = sent.get_json()["error"]
    assert error["fields"] == {
        "answer": [ja("staff.error.field.required", field=ja("api.field.answer"))],
        "attachments": [file_message]}
    assert ja("api.field.answer") in error["message"]
    assert ja("field.attachments") in error["message"]
    assert rows(db) == [] and stored_files(app) == []
    assert state_of(db, proposal) == "awaiting_proposer"


def test_a_bad_file_for_a_step_not_open_now_is_that_refusal(city, client, db):
    """Nothing to correct in a file for a step that cannot be taken (no question is open):
    the refusal says so, as without files."""
    _proposal, token = city.submit()
    items, _message = bad_files("text_as_jpeg")
    sent = answer(client, "api", token, *items, text="")
    assert sent.status_code == 422
    assert sent.get_json()["error"]["code"] == "trigger_not_allowed"
    assert rows(db) == []


@pytest.mark.parametrize("door", ["page", "api"])
def test_an_answer_refused_for_its_missing_text_keeps_no_file(door, asked, client, db, app):
    proposal, token = asked
    sent = answer(client, door, token, (files.jpeg_with_gps(), "IMG_0101.jpg"), text="  ")
    assert sent.status_code == 422
    if door == "api":
        assert "answer" in sent.get_json()["error"]["fields"]
    else:
        text = page(sent)
        assert ja("error.required", field="回答") in text
        # The page says the file was not kept and asks for it again.
        assert ja("error.attachments.again", count=1, names="IMG_0101.jpg") in text
    assert rows(db) == [] and stored_files(app) == []
    assert state_of(db, proposal) == "awaiting_proposer"


def test_five_files_per_message_not_five_in_all(city, client, db, app):
    """Five with the proposal, five more with the answer the city asked for; six in one
    answer are refused by the field, naming the count."""
    app.config["TEIAN_MIN_FILL_SECONDS"] = 0
    photos = [(files.png_photo(size=(100 + i, 80)), f"photo{i}.png") for i in range(6)]
    submitted = api_submit(client, *photos[:5])
    assert submitted.status_code == 201
    token = submitted.get_json()["tracking_token"]
    proposal = db.execute(select(Proposal)).scalar_one()
    liaison = ops.Actor.staff(city.parks_liaison)
    ops.fire_trigger(city.session, proposal, "accept", liaison)
    ops.fire_trigger(city.session, proposal, "request_info", liaison, {"question": QUESTION})
    city.session.commit()

    six = answer(client, "page", token, *photos)
    assert six.status_code == 422
    assert ja("error.attachments.too_many", max=5, count=6) in page(six)
    assert len(rows(db)) == 5
    five = answer(client, "api", token, *photos[:5])
    assert five.status_code == 200, five.get_json()
    assert len(rows(db)) == 10
    assert state_of(db, proposal) == "in_review"


def test_a_step_that_takes_no_files_refuses_them_by_name(city, client, db, app):
    """Withdrawing carries a reason, not files: the API's multipart withdrawal with a file is
    refused naming ``attachments``, and nothing changes."""
    proposal, token = city.submit()
    sent = client.post(f"{API}/track/{token}/transitions",
                       data={"trigger": "withdraw", "text": "引っ越します",
                             "attachments": file_parts((files.png_photo(), "a.png"))},
                       content_type="multipart/form-data")
    assert sent.status_code == 422
    assert list(sent.get_json()["error"]["fields"]) == ["attachments"]
    assert rows(db) == [] and stored_files(app) == []
    assert state_of(db, proposal) == "submitted"


def test_a_json_answer_cannot_carry_files_but_still_answers_without(asked, client, db):
    proposal, token = asked
    refused = client.post(f"{API}/track/{token}/transitions",
                          json={"trigger": "provide_info", "text": ANSWER,
                                "attachments": "c2VjcmV0"})
    assert refused.status_code == 422
    assert "attachments" in refused.get_json()["error"]["fields"]
    assert state_of(db, proposal) == "awaiting_proposer"
    done = client.post(f"{API}/track/{token}/transitions",
                       json={"trigger": "provide_info", "text": ANSWER})
    assert done.status_code == 200 and rows(db) == []


def test_the_tracking_page_offers_the_file_field_only_with_a_step_that_takes_files(
        asked, city, client):
    _proposal, token = asked
    text = page(client.get(f"/track/{token}"))
    [tag] = re.findall(r'<form[^>]*id="provide_info-form"[^>]*>', text)
    assert 'enctype="multipart/form-data"' in tag
    answer_form = text[text.index(tag):]
    answer_form = answer_form[:answer_form.index("</form>")]
    assert 'type="file"' in answer_form and 'name="attachments"' in answer_form
    assert ja("field.attachments.hint") in answer_form
    withdraw_form = text[text.index('id="withdraw-form"'):]
    assert 'type="file"' not in withdraw_form[:withdraw_form.index("</form>")]


def test_the_api_document_offers_multipart_for_the_answer(client):
    document = client.get(f"{API}/openapi.json").get_json()
    body = document["paths"]["/track/{token}/transitions"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    multipart = document["components"]["schemas"]["TrackTransitionMultipart"]
    assert multipart["properties"]["attachments"]["maxItems"] == 5
